// The attendance engine's atomic steps, as Redis Lua scripts. Each script runs alone on the Redis
// server, so the teacher and roll checks, the register change and the rollup increments it causes
// see one state: re-reporting the same absence changes nothing, completing twice changes nothing,
// and concurrent corrections move the rollups by exactly their sum.
//
// Keys, under the prefix ARGV[1]:
//   g:<group>    hash  h=1 (cached), t:<teacher>=1, m:<student>="from|to;..." (roll periods, school dates; to exclusive, '' = current)
//   gg:<group>   generation of the cached group, bumped by every roster or teacher change
//   l:<lesson>   hash  lesson "group:date:period": g s r d p st(O|C) v ta tb ua ub ca cb, counts when
//                      completed (n a x l ap), a:<student> = "K|reportedAt|reportedBy|reason",
//                      wv = the version the writer has stored in MongoDB, wc = a writer's claim
//   o:<school>:<date>  set of open (started, not completed) lesson ids
//   ru:G:<group> ru:S:<school> ru:R:<region>  hash date -> "n,e,a,x,l,ap" (registers, expected,
//                      absent, excused, late, approved activity) of completed lessons
//   ru:ST:<student>    hash date -> "a,x,l,ap": the student's marks in completed lessons (sparse)
//   log          stream: every change, for the durable writer (MongoDB) to apply in batches
// Kinds: U UNEXCUSED, E EXCUSED (absent), L LATE (present), A APPROVED_ACTIVITY (present, elsewhere).
// The scripts are the files of lua/, one each, its ARGV described at its top; lib.lua holds the
// functions the scripts named with it share.
import { luaScript } from "../../platform/luaScript";

export const REPORT = luaScript(__dirname, "lib.lua", "report.lua");
export const RETRACT = luaScript(__dirname, "lib.lua", "retract.lua");
export const COMPLETE = luaScript(__dirname, "lib.lua", "complete.lua");
export const HYDRATE_GROUP = luaScript(__dirname, "hydrateGroup.lua");
export const INVALIDATE_GROUPS = luaScript(__dirname, "invalidateGroups.lua");
export const CLAIM_WRITES = luaScript(__dirname, "claimWrites.lua");
export const WRITTEN = luaScript(__dirname, "written.lua");
export const TEACHER_CHANGED = luaScript(__dirname, "teacherChanged.lua");
