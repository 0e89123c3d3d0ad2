// The enrollment engine's atomic steps, as Redis Lua scripts. Each script runs alone on the Redis
// server, so every check and the seat claim that follows it see the same state: no overbooking,
// whatever the concurrency, across any number of API instances.
//
// Keys, under the prefix ARGV[1]:
//   c:<course>  hash  cap res arch sex units price open close slots exS exE (catalogue copy)
//   e:<course>  set   enrolled student ids (SCARD = enrolledCount)
//   w:<course>  zset  waitlisted student ids scored by sequence (rank + 1 = position)
//   s:<student> hash  h=1 (hydrated) sex max tkt chg pv, and c:<course> = "st|id|v|price|seq"
//   seq         the global sequence (waitlist order)
//   log         stream: every change, for the durable writer (MongoDB) to apply in batches
// A script answers {'HYDRATE', 'c:<course>' | 's:<student>', ...} when courses or students it needs
// are not in Redis yet; the caller loads those from MongoDB and retries.
// The scripts are the files of lua/, one each, its ARGV described at its top; lib.lua holds the
// functions the scripts named with it share.
import { luaScript } from "../../platform/luaScript";

export const ENROLL = luaScript(__dirname, "lib.lua", "enroll.lua");
export const DISENROLL = luaScript(__dirname, "lib.lua", "disenroll.lua");
export const SWITCH = luaScript(__dirname, "lib.lua", "switch.lua");
export const SET_CAPACITY = luaScript(__dirname, "lib.lua", "setCapacity.lua");
export const SET_PROFILE = luaScript(__dirname, "lib.lua", "setProfile.lua");
export const SET_COURSE_FIELDS = luaScript(__dirname, "lib.lua", "setCourseFields.lua");
export const HYDRATE_COURSE = luaScript(__dirname, "lib.lua", "hydrateCourse.lua");
export const HYDRATE_STUDENT = luaScript(__dirname, "lib.lua", "hydrateStudent.lua");
export const COUNTS = luaScript(__dirname, "counts.lua");
