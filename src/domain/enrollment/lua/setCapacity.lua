-- ARGV: prefix, course, capacity, reserve, now. Never below the enrolled count; raising promotes.
local cid, cap, res, now = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local hydrate = needs({ cid }, {}) if hydrate then return hydrate end
if cap < redis.call('SCARD', ekey(cid)) then return { 'ERR', 'CAPACITY_BELOW_ENROLLED' } end
redis.call('HSET', ckey(cid), 'cap', cap, 'res', res)
local promoted = {}
promote(cid, now, promoted)
return { 'OK', counts(cid), table.concat(promoted, ';') }
