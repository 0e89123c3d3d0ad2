-- ARGV: prefix quiz user name window -> {OK, new(1/0), joinedAt, score, rank, publish, version, standings if publish = 0}
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
-- The log entry's fields: logEntry.ts (LAYOUTS.J) decodes them.
redis.call('XADD', LOG, '*', 'k', 'J', 'qz', id, 'u', user, 'at', t)
local publish, v = touch(id, window)
local out = {'OK', '1', tostring(t), '0', tostring(rank(id, user)), tostring(publish), tostring(v)}
if publish == 0 then standings(id, PUSH, out) end
return out
