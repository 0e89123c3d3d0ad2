local held = redis.call('HGET', KEYS[1], 'v')
if held and tonumber(held) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'doc', ARGV[3], 'saving', '1')
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
