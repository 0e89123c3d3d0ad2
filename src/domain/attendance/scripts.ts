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

const LIB = `
local P = ARGV[1]
local LESSON, GROUP, DATE, PERIOD, ACTOR, NOW, ADMIN, EXPIRE_AT, SCHOOL, REGION =
  ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local G = P .. 'g:' .. GROUP
local L = P .. 'l:' .. LESSON
local OPEN = P .. 'o:' .. SCHOOL .. ':' .. DATE

local function onRoll(m)
  if not m then return false end
  for from, to in string.gmatch(m, '([^|;]*)|([^|;]*)') do
    if from <= DATE and (to == '' or DATE < to) then return true end
  end
  return false
end

-- Refuses callers who do not teach the group (ADMIN may correct any register).
local function guard()
  if redis.call('EXISTS', G) == 0 then return {'HYDRATE'} end
  if ADMIN ~= '1' and redis.call('HEXISTS', G, 't:' .. ACTOR) == 0 then return {'ERR', 'NOT_GROUP_TEACHER'} end
  return nil
end

-- A mark's contribution to [a, x, l, ap].
local function marks(kind)
  if kind == 'U' then return {1, 0, 0, 0}
  elseif kind == 'E' then return {1, 1, 0, 0}
  elseif kind == 'L' then return {0, 0, 1, 0}
  elseif kind == 'A' then return {0, 0, 0, 1} end
  return {0, 0, 0, 0}
end

local function addPacked(key, field, d)
  local v = {}
  for i = 1, #d do v[i] = 0 end
  local cur = redis.call('HGET', key, field)
  if cur then
    local i = 1
    for num in string.gmatch(cur, '(-?%d+)') do v[i] = tonumber(num); i = i + 1 end
  end
  local zero = true
  for i = 1, #d do
    v[i] = v[i] + d[i]
    if v[i] ~= 0 then zero = false end
  end
  if zero then redis.call('HDEL', key, field) else redis.call('HSET', key, field, table.concat(v, ',')) end
end

-- Moves every rollup of a completed lesson by d = {n, e, a, x, l, ap}.
local function addRollups(d)
  addPacked(P .. 'ru:G:' .. GROUP, DATE, d)
  addPacked(P .. 'ru:S:' .. SCHOOL, DATE, d)
  addPacked(P .. 'ru:R:' .. REGION, DATE, d)
end

local function studentMarks(sid, m, sign)
  addPacked(P .. 'ru:ST:' .. sid, DATE, {sign * m[1], sign * m[2], sign * m[3], sign * m[4]})
end

local function ensureLesson()
  if redis.call('EXISTS', L) == 1 then return false end
  redis.call('HSET', L, 'g', GROUP, 's', SCHOOL, 'r', REGION, 'd', DATE, 'p', PERIOD, 'st', 'O', 'v', 0, 'ta', NOW, 'tb', ACTOR)
  redis.call('SADD', OPEN, LESSON)
  redis.call('EXPIREAT', OPEN, EXPIRE_AT)
  return true
end

-- After a change: bump the version, note who changed it, log it, and answer the lesson as it is now.
local function finish(action, created, changes)
  local bumped = created or #changes > 0
  if bumped then
    local v = redis.call('HINCRBY', L, 'v', 1)
    redis.call('HSET', L, 'ua', NOW, 'ub', ACTOR)
    redis.call('XADD', P .. 'log', '*', 'id', LESSON, 'v', v, 'act', action, 'by', ACTOR, 'at', NOW, 'ch', table.concat(changes, ','))
  end
  redis.call('EXPIREAT', L, EXPIRE_AT)
  local out = {'OK', bumped and '1' or '0'}
  local h = redis.call('HGETALL', L)
  for i = 1, #h do out[#out + 1] = h[i] end
  return out
end

-- Applies a change of marks {a, x, l, ap} to a completed lesson's counts and rollups.
local function correct(d)
  redis.call('HINCRBY', L, 'a', d[1])
  redis.call('HINCRBY', L, 'x', d[2])
  redis.call('HINCRBY', L, 'l', d[3])
  redis.call('HINCRBY', L, 'ap', d[4])
  addRollups({0, 0, d[1], d[2], d[3], d[4]})
end
`;

/** ARGV: prefix, lesson, group, date, period, actor, now, admin, expireAt, school, region, then (student, kind, reason)... */
export const REPORT = `${LIB}
local denied = guard()
if denied then return denied end
for i = 12, #ARGV, 3 do
  if not onRoll(redis.call('HGET', G, 'm:' .. ARGV[i])) then return {'ERR', 'STUDENT_NOT_IN_GROUP', ARGV[i]} end
end
local created = ensureLesson()
local completed = redis.call('HGET', L, 'st') == 'C'
local changes, d = {}, {0, 0, 0, 0}
for i = 12, #ARGV, 3 do
  local sid, kind, reason = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local old = redis.call('HGET', L, 'a:' .. sid)
  local oldKind, oldReason
  if old then oldKind, oldReason = string.match(old, '^(.)|[^|]*|[^|]*|(.*)$') end
  if oldKind ~= kind or oldReason ~= reason then
    redis.call('HSET', L, 'a:' .. sid, kind .. '|' .. NOW .. '|' .. ACTOR .. '|' .. reason)
    changes[#changes + 1] = sid .. ':' .. kind
    if completed then
      local before, after = marks(oldKind), marks(kind)
      for j = 1, 4 do d[j] = d[j] + after[j] - before[j] end
      if old then studentMarks(sid, before, -1) end
      studentMarks(sid, after, 1)
    end
  end
end
if completed and #changes > 0 then correct(d) end
return finish('REPORT', created, changes)
`;

/** ARGV: prefix, lesson, group, date, period, actor, now, admin, expireAt, school, region, then students... */
export const RETRACT = `${LIB}
local denied = guard()
if denied then return denied end
if redis.call('EXISTS', L) == 0 then return {'ERR', 'LESSON_NOT_FOUND'} end
local completed = redis.call('HGET', L, 'st') == 'C'
local changes, d = {}, {0, 0, 0, 0}
for i = 12, #ARGV do
  local sid = ARGV[i]
  local old = redis.call('HGET', L, 'a:' .. sid)
  if old then
    redis.call('HDEL', L, 'a:' .. sid)
    changes[#changes + 1] = sid .. ':-'
    if completed then
      local before = marks(string.sub(old, 1, 1))
      for j = 1, 4 do d[j] = d[j] - before[j] end
      studentMarks(sid, before, -1)
    end
  end
end
if completed and #changes > 0 then correct(d) end
return finish('RETRACT', false, changes)
`;

/** ARGV: prefix, lesson, group, date, period, actor, now, admin, expireAt, school, region. */
export const COMPLETE = `${LIB}
local denied = guard()
if denied then return denied end
local created = ensureLesson()
if redis.call('HGET', L, 'st') == 'C' then return finish('COMPLETE', false, {}) end
local n = 0
local g = redis.call('HGETALL', G)
for i = 1, #g, 2 do
  if string.sub(g[i], 1, 2) == 'm:' and onRoll(g[i + 1]) then n = n + 1 end
end
local t = {0, 0, 0, 0}
local h = redis.call('HGETALL', L)
for i = 1, #h, 2 do
  if string.sub(h[i], 1, 2) == 'a:' then
    local m = marks(string.sub(h[i + 1], 1, 1))
    for j = 1, 4 do t[j] = t[j] + m[j] end
    studentMarks(string.sub(h[i], 3), m, 1)
  end
end
redis.call('HSET', L, 'st', 'C', 'ca', NOW, 'cb', ACTOR, 'n', n, 'a', t[1], 'x', t[2], 'l', t[3], 'ap', t[4])
redis.call('SREM', OPEN, LESSON)
addRollups({1, n, t[1], t[2], t[3], t[4]})
return finish('COMPLETE', created, {'completed'})
`;

/**
 * Caches a group (teachers and roll) unless a roster or teacher change happened since the caller
 * read MongoDB (its generation moved on): a stale read never overwrites a newer invalidation.
 * ARGV: prefix, group, generation read before MongoDB, then field, value pairs.
 */
export const HYDRATE_GROUP = `
local G = ARGV[1] .. 'g:' .. ARGV[2]
local gen = redis.call('GET', ARGV[1] .. 'gg:' .. ARGV[2]) or '0'
if gen ~= ARGV[3] then return 0 end
redis.call('DEL', G)
redis.call('HSET', G, 'h', '1')
for i = 4, #ARGV, 2 do redis.call('HSET', G, ARGV[i], ARGV[i + 1]) end
return 1
`;

/** Drops a cached group after its roster or teachers changed. ARGV: prefix, groups... */
export const INVALIDATE_GROUPS = `
for i = 2, #ARGV do
  redis.call('INCR', ARGV[1] .. 'gg:' .. ARGV[i])
  redis.call('DEL', ARGV[1] .. 'g:' .. ARGV[i])
end
return 1
`;

/**
 * A log writer's claim on the registers of its batch, so that the writers of several instances never
 * store the same register at once (the loser's insert would fail as a duplicate and turn into a
 * replace: 1.2 ms a register against ~0.15 ms inserted in a batch, scripts/probe-mongo.ts). A
 * claim is "writer|until" in field wc, on Redis's clock (instances' clocks may differ), released by
 * WRITTEN. It lapses one lease after it was taken, even for a writer that keeps retrying (one that
 * cannot reach MongoDB must not hold a register forever): its own live claim is kept as it is, not
 * extended.
 * ARGV: prefix, writer, now (the caller's clock, for settling), lease ms, settle ms, then (lesson, force '1'|'0')...
 * Answers one entry per lesson: 'gone' (Redis no longer holds it), 'written' (MongoDB has its
 * version), 'settling' (OPEN and changed within settle ms, not forced: likely completed in a moment),
 * 'busy' (another writer's claim), or 'mine' followed by the lesson's fields and values.
 */
export const CLAIM_WRITES = `
local P, ME, NOW, LEASE, SETTLE = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local t = redis.call('TIME')
local CLOCK = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 6, #ARGV, 2 do
  local L = P .. 'l:' .. ARGV[i]
  local h = redis.call('HMGET', L, 'v', 'wv', 'st', 'ua', 'ta', 'wc')
  if not h[1] then
    out[#out + 1] = {'gone'}
  elseif tonumber(h[2] or '0') >= tonumber(h[1]) then
    out[#out + 1] = {'written'}
  elseif ARGV[i + 1] ~= '1' and h[3] == 'O' and NOW - tonumber(h[4] or h[5]) < SETTLE then
    out[#out + 1] = {'settling'}
  else
    local owner, untilMs = string.match(h[6] or '', '^(.*)|(%d+)$')
    local live = owner and tonumber(untilMs) > CLOCK
    if live and owner ~= ME then
      out[#out + 1] = {'busy'}
    else
      if not live then redis.call('HSET', L, 'wc', ME .. '|' .. (CLOCK + LEASE)) end
      local row = redis.call('HGETALL', L)
      table.insert(row, 1, 'mine')
      out[#out + 1] = row
    end
  end
end
return out
`;

/**
 * The writer stored these register versions: notes them (never lowering) and releases its claims.
 * ARGV: prefix, writer, then (lesson, version)...
 */
export const WRITTEN = `
for i = 3, #ARGV, 2 do
  local L = ARGV[1] .. 'l:' .. ARGV[i]
  if redis.call('EXISTS', L) == 1 then
    if tonumber(redis.call('HGET', L, 'wv') or '0') < tonumber(ARGV[i + 1]) then redis.call('HSET', L, 'wv', ARGV[i + 1]) end
    local claim = redis.call('HGET', L, 'wc')
    if claim and string.sub(claim, 1, #ARGV[2] + 1) == ARGV[2] .. '|' then redis.call('HDEL', L, 'wc') end
  end
end
return 1
`;

/**
 * A teacher assigned to (add = '1') or removed from a group: applied to the cached group in place,
 * and the generation bumped so a load that read MongoDB before the change cannot write it back.
 * ARGV: prefix, group, teacher, add.
 */
export const TEACHER_CHANGED = `
redis.call('INCR', ARGV[1] .. 'gg:' .. ARGV[2])
local G = ARGV[1] .. 'g:' .. ARGV[2]
if redis.call('EXISTS', G) == 1 then
  if ARGV[4] == '1' then redis.call('HSET', G, 't:' .. ARGV[3], '1') else redis.call('HDEL', G, 't:' .. ARGV[3]) end
end
return 1
`;
