-- Loaded before the scripts named with it in scripts.ts: what they share.
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
local PUSH = 100 -- PUSH_SIZE in scripts.ts (test/quizzes/logEntry.test.ts holds them equal)
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
