-- ARGV: prefix quiz user -> {'1'} | {'0'} (not a player). The player left the quiz's course (dropped it,
-- or switched away): no more answers until they join again, enrolled again. Score and answers stay.
local p = pkey(ARGV[2], ARGV[3])
if redis.call('EXISTS', p) == 0 then return {'0'} end
redis.call('HSET', p, 'x', '1')
return {'1'}
