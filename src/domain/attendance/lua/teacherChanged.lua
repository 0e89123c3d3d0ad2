-- A teacher assigned to (add = '1') or removed from a group: applied to the cached group in place,
-- and the generation bumped so a load that read MongoDB before the change cannot write it back.
-- ARGV: prefix, group, teacher, add.
redis.call('INCR', ARGV[1] .. 'gg:' .. ARGV[2])
local G = ARGV[1] .. 'g:' .. ARGV[2]
if redis.call('EXISTS', G) == 1 then
  if ARGV[4] == '1' then redis.call('HSET', G, 't:' .. ARGV[3], '1') else redis.call('HDEL', G, 't:' .. ARGV[3]) end
end
return 1
