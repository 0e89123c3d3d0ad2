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

/** How many places a leaderboard push carries: the most a subscriber may ask for (`first` <= 100). */
export const PUSH_SIZE = 100;

const LIB = `
local P = ARGV[1]
local TIE = 4294967296
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function qkey(quiz) return P .. 'q:' .. quiz end
local function pkey(quiz, user) return P .. 'p:' .. quiz .. ':' .. user end
local function lbkey(quiz) return P .. 'lb:' .. quiz end
local LOG = P .. 'log'

-- Why the quiz takes no joins or answers at time t (nil when it does).
local function notOpen(q, t)
  if q.st == 'C' or (q.to ~= '' and t >= tonumber(q.to)) then return 'QUIZ_CLOSED' end
  if t < tonumber(q.from) then return 'QUIZ_NOT_OPEN' end
  return nil
end
local function quiz(id)
  local f = redis.call('HMGET', qkey(id), 'mode', 'from', 'to', 'st', 'speed', 'streak', 'cur', 'qs', 'qe', 'n')
  if not f[1] then return nil end
  return { mode = f[1], from = f[2], to = f[3], st = f[4], speed = f[5] == '1', streak = f[6] == '1',
           cur = tonumber(f[7]), qs = tonumber(f[8]), qe = tonumber(f[9]), n = tonumber(f[10]) }
end

-- The leaderboard changed: 0 = the caller pushes now (it took the window), else the ms until the
-- window ends (a trailing push is due then; the change is marked pending).
local function touch(id, window)
  local v = redis.call('HINCRBY', qkey(id), 'v', 1)
  if redis.call('SET', P .. 't:' .. id, '1', 'PX', window, 'NX') then
    redis.call('DEL', P .. 'tp:' .. id)
    return 0, v
  end
  redis.call('SET', P .. 'tp:' .. id, '1')
  return math.max(1, redis.call('PTTL', P .. 't:' .. id)), v
end

local function place(id, user, points)
  local seq = redis.call('HINCRBY', qkey(id), 'seq', 1)
  -- %.0f: Redis would print a plain Lua number with 14 digits and lose the tie-break bits.
  redis.call('ZADD', lbkey(id), string.format('%.0f', points * TIE + (TIE - 1 - seq)), user)
end
-- The top n at this instant, appended to out: version, playerCount, asOf, st, then user, points,
-- name for each place. Read in the script that takes a push window, so a push's snapshot is taken
-- exactly when its window opens (pushes are never closer than the window, whatever the load).
local function standings(id, n, out)
  local q = redis.call('HMGET', qkey(id), 'v', 'st')
  out[#out + 1] = q[1] or '0'
  out[#out + 1] = tostring(redis.call('ZCARD', lbkey(id)))
  out[#out + 1] = tostring(now())
  out[#out + 1] = q[2]
  if n > 0 then
    local rows = redis.call('ZREVRANGE', lbkey(id), 0, n - 1, 'WITHSCORES')
    for i = 1, #rows, 2 do
      out[#out + 1] = rows[i]
      out[#out + 1] = tostring(math.floor(tonumber(rows[i + 1]) / TIE))
      out[#out + 1] = redis.call('HGET', pkey(id, rows[i]), 'nm') or ''
    end
  end
  return out
end
local PUSH = ${PUSH_SIZE}
local function rank(id, user)
  local r = redis.call('ZREVRANK', lbkey(id), user)
  if r then return r + 1 end
  return 0
end

-- SPEC 4.4 scoring, the same rules as scoring.ts: {points awarded, streak after}.
local function score(correct, points, elapsed, limit, streakBefore, speedOn, streakOn)
  if not correct then return 0, 0 end
  local streak = streakBefore + 1
  local awarded = points
  if speedOn and elapsed >= 500 then
    local e = math.min(math.max(elapsed, 0), limit)
    awarded = math.floor(points * (1 - e / (2 * limit)) + 0.5)
  end
  if streakOn and streak >= 2 then awarded = awarded + math.min(100 * (streak - 1), 500) end
  return math.max(0, awarded), streak
end
`;

/** ARGV: prefix quiz fieldCount field value ... ; loads a quiz definition unless Redis holds it. */
export const LOAD = `${LIB}
local id = ARGV[2]
if redis.call('EXISTS', qkey(id)) == 1 then return {'OK'} end
local n = tonumber(ARGV[3])
local args = {}
for i = 4, 3 + n * 2 do args[#args + 1] = ARGV[i] end
redis.call('HSET', qkey(id), unpack(args))
return {'OK'}
`;

/** ARGV: prefix quiz user name window -> {OK, new(1/0), joinedAt, score, rank, publish, version, standings if publish = 0} */
export const JOIN = `${LIB}
local id, user, name, window = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local q = quiz(id)
if not q then return {'HYDRATE'} end
local p = pkey(id, user)
local joined = redis.call('HMGET', p, 'j', 'sc')
if joined[1] then
  redis.call('HDEL', p, 'x') -- enrolled again (the caller checked): answers again
  return {'OK', '0', joined[1], joined[2], tostring(rank(id, user)), '-1', '0'}
end
local t = now()
local why = notOpen(q, t)
if why then return {'ERR', why} end
redis.call('HSET', p, 'j', t, 'nm', name, 'sc', 0, 'sk', 0, 'li', -1, 'la', t)
place(id, user, 0)
redis.call('XADD', LOG, '*', 'k', 'J', 'qz', id, 'u', user, 'at', t)
local publish, v = touch(id, window)
local out = {'OK', '1', tostring(t), '0', tostring(rank(id, user)), tostring(publish), tostring(v)}
if publish == 0 then standings(id, PUSH, out) end
return out
`;

/**
 * ARGV: prefix quiz user -> {'1'} | {'0'} (not a player). The player left the quiz's course (dropped it,
 * or switched away): no more answers until they join again, enrolled again. Score and answers stay.
 */
export const LEFT_COURSE = `${LIB}
local p = pkey(ARGV[2], ARGV[3])
if redis.call('EXISTS', p) == 0 then return {'0'} end
redis.call('HSET', p, 'x', '1')
return {'1'}
`;

/**
 * ARGV: prefix quiz question user choice window
 * -> {OK, correct(1/0), points, total, rank, publish, version, answeredAt, standings if publish = 0}
 *    | {ERR, reason} | {HYDRATE}
 */
export const ANSWER = `${LIB}
local id, qid, user, choice, window = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local q = quiz(id)
if not q then return {'HYDRATE'} end
local t = now()
local why = notOpen(q, t)
if why then return {'ERR', why} end
local p = pkey(id, user)
local pl = redis.call('HMGET', p, 'j', 'sc', 'sk', 'li', 'la', 'a:' .. qid, 'x')
if not pl[1] then return {'ERR', 'NOT_JOINED'} end
if pl[7] then return {'ERR', 'NOT_ENROLLED'} end
local def = redis.call('HGET', qkey(id), 'q:' .. qid)
if not def then return {'ERR', 'QUESTION_NOT_FOUND'} end
local idx, options, correctIdx, points, limit = string.match(def, '^(%d+)|(%d+)|(%d+)|(%d+)|(%d+)$')
idx, options, correctIdx, points, limit = tonumber(idx), tonumber(options), tonumber(correctIdx), tonumber(points), tonumber(limit)
if choice < 0 or choice >= options then return {'ERR', 'INVALID_CHOICE'} end
if pl[6] then return {'ERR', 'ALREADY_ANSWERED'} end
local elapsed, streak = 0, tonumber(pl[3])
if q.mode == 'L' then
  if q.cur ~= idx or t > q.qe then return {'ERR', 'QUESTION_CLOSED'} end
  elapsed = t - q.qs
  -- A question the player let pass ends the streak.
  if tonumber(pl[4]) ~= idx - 1 then streak = 0 end
else
  -- Self-paced: the player's clock for a question starts when they joined or last answered.
  elapsed = t - tonumber(pl[5])
end
local correct = choice == correctIdx
local awarded
awarded, streak = score(correct, points, elapsed, limit, streak, q.speed, q.streak)
local total = tonumber(pl[2]) + awarded
local ok = '0'
if correct then ok = '1' end
redis.call('HSET', p, 'a:' .. qid, choice .. '|' .. awarded .. '|' .. ok, 'sc', total, 'sk', streak, 'li', idx, 'la', t)
if awarded > 0 then place(id, user, total) end
redis.call('XADD', LOG, '*', 'k', 'A', 'qz', id, 'q', qid, 'u', user, 'ch', choice, 'ok', ok, 'pts', awarded,
  'tot', total, 'ms', elapsed, 'at', t)
local publish, v = touch(id, window)
local out = {'OK', ok, tostring(awarded), tostring(total), tostring(rank(id, user)), tostring(publish), tostring(v), tostring(t)}
if publish == 0 then standings(id, PUSH, out) end
return out
`;

/** ARGV: prefix quiz -> {OK, questionId, index, startedAt, closesAt} | {ERR, reason} | {HYDRATE} */
export const START_QUESTION = `${LIB}
local id = ARGV[2]
local q = quiz(id)
if not q then return {'HYDRATE'} end
local t = now()
local why = notOpen(q, t)
if why then return {'ERR', why} end
local nextIdx = q.cur + 1
if nextIdx >= q.n then return {'ERR', 'NO_MORE_QUESTIONS'} end
local qid = redis.call('HGET', qkey(id), 'i:' .. nextIdx)
local def = redis.call('HGET', qkey(id), 'q:' .. qid)
local limit = tonumber(string.match(def, '^%d+|%d+|%d+|%d+|(%d+)$'))
redis.call('HSET', qkey(id), 'cur', nextIdx, 'qs', t, 'qe', t + limit)
return {'OK', qid, tostring(nextIdx), tostring(t), tostring(t + limit)}
`;

/** ARGV: prefix quiz -> {OK, closedAt, first(1/0)} | {HYDRATE}; closing twice is a no-op. */
export const CLOSE = `${LIB}
local id = ARGV[2]
local q = quiz(id)
if not q then return {'HYDRATE'} end
if q.st == 'C' then return {'OK', redis.call('HGET', qkey(id), 'closedAt'), '0'} end
local t = now()
local closedAt = t
if q.to ~= '' and tonumber(q.to) < t then closedAt = tonumber(q.to) end
redis.call('HSET', qkey(id), 'st', 'C', 'closedAt', closedAt)
if q.qe and q.qe > closedAt then redis.call('HSET', qkey(id), 'qe', closedAt) end
redis.call('HINCRBY', qkey(id), 'v', 1)
redis.call('XADD', LOG, '*', 'k', 'C', 'qz', id, 'at', closedAt)
return {'OK', tostring(closedAt), '1'}
`;

/**
 * A trailing push is due. ARGV: prefix quiz window -> {-1}: nothing pending; {0, standings...}: the
 * caller pushes this snapshot (it took the window); {ms}: the window is held, check again then.
 */
export const TRAIL = `${LIB}
local id, window = ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', P .. 'tp:' .. id) == 0 then return {'-1'} end
if redis.call('SET', P .. 't:' .. id, '1', 'PX', window, 'NX') then
  redis.call('DEL', P .. 'tp:' .. id)
  return standings(id, PUSH, {'0'})
end
return {tostring(math.max(1, redis.call('PTTL', P .. 't:' .. id)))}
`;

/**
 * The top of the leaderboard, read at one instant. ARGV: prefix quiz n
 * -> {version, playerCount, asOf, st, user1, points1, name1, user2, ...} | {HYDRATE}
 */
export const TOP = `${LIB}
local id, n = ARGV[2], tonumber(ARGV[3])
if redis.call('HEXISTS', qkey(id), 'st') == 0 then return {'HYDRATE'} end
return standings(id, n, {})
`;

/** ARGV: prefix quiz user -> {} (not joined) | {joinedAt, score, rank, playerCount, question, answer, ...} */
export const PLAYER = `${LIB}
local id, user = ARGV[2], ARGV[3]
local all = redis.call('HGETALL', pkey(id, user))
if #all == 0 then return {} end
local h, answers = {}, {}
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 'a:' then
    answers[#answers + 1] = string.sub(all[i], 3)
    answers[#answers + 1] = all[i + 1]
  else h[all[i]] = all[i + 1] end
end
local out = {h.j, h.sc, tostring(rank(id, user)), tostring(redis.call('ZCARD', lbkey(id)))}
for _, a in ipairs(answers) do out[#out + 1] = a end
return out
`;

/** ARGV: prefix quiz -> {st, cur, qs, qe, closedAt, now} | {HYDRATE} */
export const STATE = `${LIB}
local f = redis.call('HMGET', qkey(ARGV[2]), 'st', 'cur', 'qs', 'qe', 'closedAt')
if not f[1] then return {'HYDRATE'} end
return {f[1], f[2] or '-1', f[3] or '', f[4] or '', f[5] or '', tostring(now())}
`;

/** Scoring alone, for the test that holds it to scoring.ts. ARGV: prefix correct points elapsed limit streak speed streakOn */
export const SCORE = `${LIB}
local awarded, streak = score(ARGV[2] == '1', tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7] == '1', ARGV[8] == '1')
return {awarded, streak}
`;
