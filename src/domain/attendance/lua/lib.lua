-- Loaded before the scripts named with it in scripts.ts: what they share.
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

-- The register hash (L): its fields are those of registerHash.ts, which reads it.
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
    -- The log entry's fields: logEntry.ts (LAYOUT) decodes them.
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
