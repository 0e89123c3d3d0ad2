// The quiz engine's atomic steps, as Redis Lua scripts. Each runs alone on the Redis server, so the
// checks of an answer (joined, question open and in time, not answered yet), its score, the
// leaderboard update and its entry in the durable log happen together or not at all, on any number
// of API instances. Time is Redis's own clock (TIME), so every instance measures answers alike.
//
// Keys, under the prefix ARGV[1]:
//   q:<quiz>         hash  mode (L|S) from to (ms, '' = none) st (O|C) closedAt speed streak n
//                          cur qs qe (LIVE: current question index, its start and end, ms)
//                          seq (leaderboard tie-break counter) v (leaderboard version)
//                          q:<question> = "index|options|correct|points|limitMs", i:<index> = question id
//   p:<quiz>:<user>  hash  j (joined at) nm (name) sc (score) sk (streak) li (last answered index)
//                          la (last answer at) a:<question> = "choice|points|correct(1/0)"
//                          x (set while the player has left the quiz's course: no answers)
//   lb:<quiz>        zset  user -> points * 2^32 + (2^32 - 1 - seq): ties go to who got there first
//   t:<quiz>         the leaderboard push window (SET NX PX): whoever sets it pushes now
//   tp:<quiz>        a change waits for the next window (the trailing push)
//   log              stream: joins (k=J), answers (k=A), closes (k=C) for the MongoDB writer
// A script answers {'HYDRATE'} when the quiz is not in Redis; the caller loads it and retries.
// The scripts are the files of lua/, one each, its ARGV described at its top; lib.lua holds the
// functions the scripts named with it share.
import { luaScript } from "../../platform/luaScript";

/** How many places a leaderboard push carries: the most a subscriber may ask for (`first` <= 100). */
export const PUSH_SIZE = 100;

export const LOAD = luaScript(__dirname, "lib.lua", "load.lua");
export const JOIN = luaScript(__dirname, "lib.lua", "join.lua");
export const LEFT_COURSE = luaScript(__dirname, "lib.lua", "leftCourse.lua");
export const ANSWER = luaScript(__dirname, "lib.lua", "answer.lua");
export const START_QUESTION = luaScript(__dirname, "lib.lua", "startQuestion.lua");
export const CLOSE = luaScript(__dirname, "lib.lua", "close.lua");
export const TRAIL = luaScript(__dirname, "lib.lua", "trail.lua");
export const TOP = luaScript(__dirname, "lib.lua", "top.lua");
export const PLAYER = luaScript(__dirname, "lib.lua", "player.lua");
export const STATE = luaScript(__dirname, "lib.lua", "state.lua");
export const SCORE = luaScript(__dirname, "lib.lua", "score.lua");
