-- ARGV: prefix, course, student, now, mode ('normal'|'force'), actor
local cid, sid, now, force, actor = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5] == 'force', ARGV[6]
local hydrate = needs({ cid }, { sid }) if hydrate then return hydrate end
local r = parse(redis.call('HGET', skey(sid), 'c:' .. cid))
if not r or (r.st ~= 'E' and r.st ~= 'W') then return { 'ERR', 'NOT_ENROLLED' } end
if not force then
  if outsideWindow(cid, sid, now) then return { 'ERR', 'NOT_ENROLLMENT_TIME' } end
  if r.st == 'E' then
    if (tonumber(redis.call('HGET', skey(sid), 'chg')) or 0) <= 0 then return { 'ERR', 'NO_CHANGES_LEFT' } end
    redis.call('HINCRBY', skey(sid), 'chg', -1)
    redis.call('HINCRBY', skey(sid), 'pv', 1)
  end
end
local was = r.st
if was == 'E' then redis.call('SREM', ekey(cid), sid) else redis.call('ZREM', wkey(cid), sid) end
r.st = 'D'
r.v = r.v + 1
redis.call('HSET', skey(sid), 'c:' .. cid, fmt(r))
append(force and 'FORCE_DROPPED' or 'DROPPED', cid, sid, r, actor, now)
local promoted = {}
promote(cid, now, promoted)
promoteFor(sid, now, promoted)
return { 'OK', was, r.id, r.price, counts(cid), table.concat(promoted, ';') }
