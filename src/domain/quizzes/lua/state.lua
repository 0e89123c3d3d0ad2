-- ARGV: prefix quiz -> {st, cur, qs, qe, closedAt, now} | {HYDRATE}
local f = redis.call('HMGET', qkey(ARGV[2]), 'st', 'cur', 'qs', 'qe', 'closedAt')
if not f[1] then return {'HYDRATE'} end
return {f[1], f[2] or '-1', f[3] or '', f[4] or '', f[5] or '', tostring(now())}
