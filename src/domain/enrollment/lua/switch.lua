-- ARGV: prefix, from, to, student, now, newEnrollmentId, actor. Keeps `from` unless `to` gives a seat.
local from, to, sid, now, newId, actor = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7]
local hydrate = needs({ from, to }, { sid }) if hydrate then return hydrate end
local rf = parse(redis.call('HGET', skey(sid), 'c:' .. from))
if not rf or rf.st ~= 'E' then return { 'ERR', 'NOT_ENROLLED', '' } end
local c = redis.call('HMGET', ckey(to), 'arch', 'price', 'cap')
if c[1] == '1' then return { 'ERR', 'COURSE_ARCHIVED', '' } end
if outsideWindow(to, sid, now) or outsideWindow(from, sid, now) then return { 'ERR', 'NOT_ENROLLMENT_TIME', '' } end
local rt = parse(redis.call('HGET', skey(sid), 'c:' .. to))
if rt and (rt.st == 'E' or rt.st == 'W') then return { 'ERR', 'ALREADY_ENROLLED', '' } end
if (tonumber(redis.call('HGET', skey(sid), 'chg')) or 0) <= 0 then return { 'ERR', 'NO_CHANGES_LEFT', '' } end
local why = ineligible(sid, to, from)
if why then return { 'ERR', why, '' } end
local promoted = {}
promote(to, now, promoted)
if redis.call('SCARD', ekey(to)) >= tonumber(c[3]) then return { 'ERR', 'COURSE_FULL', table.concat(promoted, ';') } end
redis.call('HINCRBY', skey(sid), 'chg', -1)
redis.call('HINCRBY', skey(sid), 'pv', 1)
redis.call('SREM', ekey(from), sid)
rf.st = 'D'
rf.v = rf.v + 1
redis.call('HSET', skey(sid), 'c:' .. from, fmt(rf))
append('SWITCHED_FROM', from, sid, rf, actor, now)
local seq = tostring(redis.call('INCR', SEQ))
if rt then rt.st = 'E'; rt.v = rt.v + 1; rt.price = c[2]; rt.seq = seq
else rt = { st = 'E', id = newId, v = 1, price = c[2], seq = seq } end
redis.call('SADD', ekey(to), sid)
redis.call('HSET', skey(sid), 'c:' .. to, fmt(rt))
append('SWITCHED_TO', to, sid, rt, actor, now)
promote(from, now, promoted)
promoteFor(sid, now, promoted)
return { 'OK', rf.id, tostring(rf.v), rt.id, tostring(rt.v), rt.price, counts(from), counts(to), table.concat(promoted, ';') }
