-- ARGV: prefix quiz -> {OK, questionId, index, startedAt, closesAt} | {ERR, reason} | {HYDRATE}
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
