-- The top of the leaderboard, read at one instant. ARGV: prefix quiz n
-- -> {version, playerCount, asOf, st, user1, points1, name1, user2, ...} | {HYDRATE}
local id, n = ARGV[2], tonumber(ARGV[3])
if redis.call('HEXISTS', qkey(id), 'st') == 0 then return {'HYDRATE'} end
return standings(id, n, {})
