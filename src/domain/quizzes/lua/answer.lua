-- ARGV: prefix quiz question user choice window
-- -> {OK, correct(1/0), points, total, rank, publish, version, answeredAt, standings if publish = 0}
--    | {ERR, reason} | {HYDRATE}
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
-- The log entry's fields: logEntry.ts (LAYOUTS.A) decodes them.
redis.call('XADD', LOG, '*', 'k', 'A', 'qz', id, 'q', qid, 'u', user, 'ch', choice, 'ok', ok, 'pts', awarded,
  'tot', total, 'ms', elapsed, 'at', t)
local publish, v = touch(id, window)
local out = {'OK', ok, tostring(awarded), tostring(total), tostring(rank(id, user)), tostring(publish), tostring(v), tostring(t)}
if publish == 0 then standings(id, PUSH, out) end
return out
