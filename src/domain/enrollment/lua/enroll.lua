-- ARGV: prefix, course, student, now, newEnrollmentId, mode ('normal'|'force'), actor
local cid, sid, now, newId, force, actor = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6] == 'force', ARGV[7]
local hydrate = needs({ cid }, { sid }) if hydrate then return hydrate end
local c = redis.call('HMGET', ckey(cid), 'arch', 'price', 'cap', 'res')
if c[1] == '1' then return { 'ERR', 'COURSE_ARCHIVED', '' } end
if not force and outsideWindow(cid, sid, now) then return { 'ERR', 'NOT_ENROLLMENT_TIME', '' } end
local r = parse(redis.call('HGET', skey(sid), 'c:' .. cid))
if r and (r.st == 'E' or (r.st == 'W' and not force)) then return { 'ERR', 'ALREADY_ENROLLED', '' } end
if not force then
  local why = ineligible(sid, cid, cid)
  if why then return { 'ERR', why, '' } end
end
local promoted = {}
promote(cid, now, promoted)
local st
if force or redis.call('SCARD', ekey(cid)) < tonumber(c[3]) then st = 'E'
elseif redis.call('ZCARD', wkey(cid)) < tonumber(c[4]) then st = 'W'
else return { 'ERR', 'COURSE_FULL', table.concat(promoted, ';') } end
local seq = tostring(redis.call('INCR', SEQ))
if r then r.st = st; r.v = r.v + 1; r.price = c[2]; r.seq = seq
else r = { st = st, id = newId, v = 1, price = c[2], seq = seq } end
if st == 'E' then
  redis.call('ZREM', wkey(cid), sid)
  redis.call('SADD', ekey(cid), sid)
else
  redis.call('ZADD', wkey(cid), seq, sid)
end
redis.call('HSET', skey(sid), 'c:' .. cid, fmt(r))
append(force and 'FORCE_ENROLLED' or (st == 'E' and 'ENROLLED' or 'WAITLISTED'), cid, sid, r, actor, now)
local pos = 0
if st == 'W' then pos = redis.call('ZRANK', wkey(cid), sid) + 1 end
return { 'OK', st, r.id, tostring(r.v), tostring(pos), r.price, counts(cid), table.concat(promoted, ';') }
