-- ARGV: prefix quiz -> {OK, closedAt, first(1/0)} | {HYDRATE}; closing twice is a no-op.
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
-- The log entry's fields: logEntry.ts (LAYOUTS.C) decodes them.
redis.call('XADD', LOG, '*', 'k', 'C', 'qz', id, 'at', closedAt)
return {'OK', tostring(closedAt), '1'}
