-- ARGV: prefix, course, then field/value pairs. Updates the catalogue copy only if it is loaded.
local cid = ARGV[2]
if redis.call('EXISTS', ckey(cid)) == 0 then return 0 end
for i = 3, #ARGV, 2 do redis.call('HSET', ckey(cid), ARGV[i], ARGV[i + 1]) end
return 1
