-- Caches a group (teachers and roll) unless a roster or teacher change happened since the caller
-- read MongoDB (its generation moved on): a stale read never overwrites a newer invalidation.
-- ARGV: prefix, group, generation read before MongoDB, then field, value pairs.
local G = ARGV[1] .. 'g:' .. ARGV[2]
local gen = redis.call('GET', ARGV[1] .. 'gg:' .. ARGV[2]) or '0'
if gen ~= ARGV[3] then return 0 end
redis.call('DEL', G)
redis.call('HSET', G, 'h', '1')
for i = 4, #ARGV, 2 do redis.call('HSET', G, ARGV[i], ARGV[i + 1]) end
return 1
