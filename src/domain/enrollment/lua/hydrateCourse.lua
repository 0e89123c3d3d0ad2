-- ARGV: prefix, course, maxSeq, nFields, field/value pairs..., then enrolled ids, '--', then
-- waitlisted id/seq pairs. Loads a course from MongoDB unless it is already there.
local cid, maxSeq, n = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('EXISTS', ckey(cid)) == 1 then return 0 end
local i = 5
while i < 5 + n * 2 do redis.call('HSET', ckey(cid), ARGV[i], ARGV[i + 1]); i = i + 2 end
while ARGV[i] ~= '--' do redis.call('SADD', ekey(cid), ARGV[i]); i = i + 1 end
i = i + 1
while i <= #ARGV do redis.call('ZADD', wkey(cid), ARGV[i + 1], ARGV[i]); i = i + 2 end
if (tonumber(redis.call('GET', SEQ)) or 0) < maxSeq then redis.call('SET', SEQ, maxSeq) end
return 1
