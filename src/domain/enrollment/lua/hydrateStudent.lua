-- ARGV: prefix, student, maxSeq, field/value pairs. Loads a student from MongoDB unless already there.
local sid, maxSeq = ARGV[2], tonumber(ARGV[3])
if redis.call('HEXISTS', skey(sid), 'h') == 1 then return 0 end
for i = 4, #ARGV, 2 do redis.call('HSET', skey(sid), ARGV[i], ARGV[i + 1]) end
redis.call('HSET', skey(sid), 'h', '1')
if (tonumber(redis.call('GET', SEQ)) or 0) < maxSeq then redis.call('SET', SEQ, maxSeq) end
return 1
