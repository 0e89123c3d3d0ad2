local held = tonumber(redis.call('HGET', KEYS[1], 'v') or '-1')
local version = tonumber(ARGV[1])
if held > version then return 0 end
if held == version then redis.call('HSET', KEYS[1], 'saving', '0') return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'doc', ARGV[2], 'saving', '0')
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
