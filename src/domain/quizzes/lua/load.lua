-- ARGV: prefix quiz fieldCount field value ... ; loads a quiz definition unless Redis holds it.
local id = ARGV[2]
if redis.call('EXISTS', qkey(id)) == 1 then return {'OK'} end
local n = tonumber(ARGV[3])
local args = {}
for i = 4, 3 + n * 2 do args[#args + 1] = ARGV[i] end
redis.call('HSET', qkey(id), unpack(args))
return {'OK'}
