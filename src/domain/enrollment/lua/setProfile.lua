-- ARGV: prefix, student, now, max, tkt, chg. A new profile may let waitlisted courses fit.
local sid, now = ARGV[2], tonumber(ARGV[3])
local hydrate = needs({}, { sid }) if hydrate then return hydrate end
redis.call('HSET', skey(sid), 'max', ARGV[4], 'tkt', ARGV[5], 'chg', ARGV[6])
local pv = redis.call('HINCRBY', skey(sid), 'pv', 1)
-- The log entry's fields: logEntry.ts (LAYOUTS.profile) decodes them.
redis.call('XADD', LOG, '*', 'k', 'PROFILE', 's', sid, 'at', now, 'max', ARGV[4], 'tkt', ARGV[5], 'chg', ARGV[6], 'pv', pv)
local promoted = {}
promoteFor(sid, now, promoted)
return { 'OK', table.concat(promoted, ';') }
