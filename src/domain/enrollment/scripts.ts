// The enrollment engine's atomic steps, as Redis Lua scripts. Each script runs alone on the Redis
// server, so every check and the seat claim that follows it see the same state: no overbooking,
// whatever the concurrency, across any number of API instances.
//
// Keys, under the prefix ARGV[1]:
//   c:<course>  hash  cap res arch sex units price open close slots exS exE (catalogue copy)
//   e:<course>  set   enrolled student ids (SCARD = enrolledCount)
//   w:<course>  zset  waitlisted student ids scored by sequence (rank + 1 = position)
//   s:<student> hash  h=1 (hydrated) sex max tkt chg pv, and c:<course> = "st|id|v|price|seq"
//   seq         the global sequence (waitlist order)
//   log         stream: every change, for the durable writer (MongoDB) to apply in batches
// A script answers {'HYDRATE', 'c:<course>' | 's:<student>', ...} when courses or students it needs
// are not in Redis yet; the caller loads those from MongoDB and retries.

const LIB = `
local P = ARGV[1]
local function ckey(cid) return P .. 'c:' .. cid end
local function ekey(cid) return P .. 'e:' .. cid end
local function wkey(cid) return P .. 'w:' .. cid end
local function skey(sid) return P .. 's:' .. sid end
local LOG = P .. 'log'
local SEQ = P .. 'seq'

local function parse(rec)
  if not rec then return nil end
  local st, id, v, price, seq = string.match(rec, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  return { st = st, id = id, v = tonumber(v), price = price, seq = seq }
end
local function fmt(r) return r.st .. '|' .. r.id .. '|' .. r.v .. '|' .. r.price .. '|' .. r.seq end

local function slotsOverlap(a, b)
  if not a or not b or a == '' or b == '' then return false end
  for d1, s1, e1 in string.gmatch(a, '(%d+):(%d+):(%d+)') do
    for d2, s2, e2 in string.gmatch(b, '(%d+):(%d+):(%d+)') do
      if d1 == d2 and tonumber(s1) < tonumber(e2) and tonumber(s2) < tonumber(e1) then return true end
    end
  end
  return false
end
local function rangesOverlap(s1, e1, s2, e2)
  if not s1 or not s2 or s1 == '' or s2 == '' then return false end
  return tonumber(s1) < tonumber(e2) and tonumber(s2) < tonumber(e1)
end

-- Why student sid may not take a seat in cid (nil when eligible). Courses 'ignore' and cid itself
-- do not count against units or conflicts (a switch ignores the course being left).
local function ineligible(sid, cid, ignore)
  local c = redis.call('HMGET', ckey(cid), 'sex', 'units', 'slots', 'exS', 'exE')
  local s = redis.call('HGETALL', skey(sid))
  local sex, maxUnits, others = '', nil, {}
  for i = 1, #s, 2 do
    local f = s[i]
    if f == 'sex' then sex = s[i + 1]
    elseif f == 'max' then maxUnits = tonumber(s[i + 1])
    elseif string.sub(f, 1, 2) == 'c:' then
      local ocid = string.sub(f, 3)
      if ocid ~= cid and ocid ~= ignore then
        local r = parse(s[i + 1])
        if r.st == 'E' or r.st == 'W' then others[#others + 1] = ocid end
      end
    end
  end
  if c[1] ~= 'N' then
    if sex == '' then return 'PROFILE_INCOMPLETE' end
    if sex ~= c[1] then return 'SEX_RESTRICTED' end
  end
  local units, info = tonumber(c[2]) or 0, {}
  for _, ocid in ipairs(others) do
    local o = redis.call('HMGET', ckey(ocid), 'units', 'slots', 'exS', 'exE')
    info[#info + 1] = o
    units = units + (tonumber(o[1]) or 0)
  end
  if maxUnits and units > maxUnits then return 'UNIT_LIMIT' end
  for _, o in ipairs(info) do if slotsOverlap(c[3], o[2]) then return 'TIME_CONFLICT' end end
  for _, o in ipairs(info) do if rangesOverlap(c[4], c[5], o[3], o[4]) then return 'EXAM_CONFLICT' end end
  return nil
end

local function outsideWindow(cid, sid, now)
  local w = redis.call('HMGET', ckey(cid), 'open', 'close')
  if (w[1] and w[1] ~= '' and now < tonumber(w[1])) or (w[2] and w[2] ~= '' and now > tonumber(w[2])) then return true end
  local tkt = redis.call('HGET', skey(sid), 'tkt')
  return tkt ~= false and tkt ~= '' and now < tonumber(tkt)
end

local function append(kind, cid, sid, r, actor, now)
  local p = redis.call('HMGET', skey(sid), 'max', 'tkt', 'chg', 'pv')
  redis.call('XADD', LOG, '*', 'k', kind, 'id', r.id, 'c', cid, 's', sid, 'st', r.st, 'v', r.v, 'p', r.price,
    'q', r.seq, 'at', now, 'by', actor, 'max', p[1] or '', 'tkt', p[2] or '', 'chg', p[3] or '', 'pv', p[4] or '0')
end

local function counts(cid)
  return redis.call('HGET', ckey(cid), 'cap') .. ',' .. redis.call('SCARD', ekey(cid)) .. ',' .. redis.call('ZCARD', wkey(cid))
end

-- Gives free seats to the first eligible waitlisted students, in order; ineligible ones keep their place.
local function promote(cid, now, out)
  local cf = redis.call('HMGET', ckey(cid), 'cap', 'arch')
  if not cf[1] or cf[2] == '1' then return end
  local free = tonumber(cf[1]) - redis.call('SCARD', ekey(cid))
  if free <= 0 then return end
  for _, sid in ipairs(redis.call('ZRANGE', wkey(cid), 0, -1)) do
    if free <= 0 then break end
    if redis.call('HEXISTS', skey(sid), 'h') == 1 and not ineligible(sid, cid, cid) then
      local r = parse(redis.call('HGET', skey(sid), 'c:' .. cid))
      r.st = 'E'
      r.v = r.v + 1
      redis.call('HSET', skey(sid), 'c:' .. cid, fmt(r))
      redis.call('ZREM', wkey(cid), sid)
      redis.call('SADD', ekey(cid), sid)
      append('PROMOTED', cid, sid, r, '', now)
      out[#out + 1] = sid .. '|' .. r.id .. '|' .. cid .. '|' .. r.price .. '|' .. counts(cid)
      free = free - 1
    end
  end
end

-- After sid left a seat or a course: their waitlisted courses may fit now.
local function promoteFor(sid, now, out)
  local s = redis.call('HGETALL', skey(sid))
  for i = 1, #s, 2 do
    if string.sub(s[i], 1, 2) == 'c:' and parse(s[i + 1]).st == 'W' then promote(string.sub(s[i], 3), now, out) end
  end
end

-- nil when every course and student named is in Redis; else the reply naming those to load.
local function needs(cids, sids)
  local missing = {}
  for _, cid in ipairs(cids) do if redis.call('EXISTS', ckey(cid)) == 0 then missing[#missing + 1] = 'c:' .. cid end end
  for _, sid in ipairs(sids) do if redis.call('HEXISTS', skey(sid), 'h') == 0 then missing[#missing + 1] = 's:' .. sid end end
  if #missing == 0 then return nil end
  return { 'HYDRATE', unpack(missing) }
end
`;

/** ARGV: prefix, course, student, now, newEnrollmentId, mode ('normal'|'force'), actor */
export const ENROLL = `${LIB}
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
`;

/** ARGV: prefix, course, student, now, mode ('normal'|'force'), actor */
export const DISENROLL = `${LIB}
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
`;

/** ARGV: prefix, from, to, student, now, newEnrollmentId, actor. Keeps `from` unless `to` gives a seat. */
export const SWITCH = `${LIB}
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
`;

/** ARGV: prefix, course, capacity, reserve, now. Never below the enrolled count; raising promotes. */
export const SET_CAPACITY = `${LIB}
local cid, cap, res, now = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local hydrate = needs({ cid }, {}) if hydrate then return hydrate end
if cap < redis.call('SCARD', ekey(cid)) then return { 'ERR', 'CAPACITY_BELOW_ENROLLED' } end
redis.call('HSET', ckey(cid), 'cap', cap, 'res', res)
local promoted = {}
promote(cid, now, promoted)
return { 'OK', counts(cid), table.concat(promoted, ';') }
`;

/** ARGV: prefix, student, now, max, tkt, chg. A new profile may let waitlisted courses fit. */
export const SET_PROFILE = `${LIB}
local sid, now = ARGV[2], tonumber(ARGV[3])
local hydrate = needs({}, { sid }) if hydrate then return hydrate end
redis.call('HSET', skey(sid), 'max', ARGV[4], 'tkt', ARGV[5], 'chg', ARGV[6])
local pv = redis.call('HINCRBY', skey(sid), 'pv', 1)
redis.call('XADD', LOG, '*', 'k', 'PROFILE', 's', sid, 'at', now, 'max', ARGV[4], 'tkt', ARGV[5], 'chg', ARGV[6], 'pv', pv)
local promoted = {}
promoteFor(sid, now, promoted)
return { 'OK', table.concat(promoted, ';') }
`;

/** ARGV: prefix, course, then field/value pairs. Updates the catalogue copy only if it is loaded. */
export const SET_COURSE_FIELDS = `${LIB}
local cid = ARGV[2]
if redis.call('EXISTS', ckey(cid)) == 0 then return 0 end
for i = 3, #ARGV, 2 do redis.call('HSET', ckey(cid), ARGV[i], ARGV[i + 1]) end
return 1
`;

/**
 * ARGV: prefix, course, maxSeq, nFields, field/value pairs..., then enrolled ids, '--', then
 * waitlisted id/seq pairs. Loads a course from MongoDB unless it is already there.
 */
export const HYDRATE_COURSE = `${LIB}
local cid, maxSeq, n = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('EXISTS', ckey(cid)) == 1 then return 0 end
local i = 5
while i < 5 + n * 2 do redis.call('HSET', ckey(cid), ARGV[i], ARGV[i + 1]); i = i + 2 end
while ARGV[i] ~= '--' do redis.call('SADD', ekey(cid), ARGV[i]); i = i + 1 end
i = i + 1
while i <= #ARGV do redis.call('ZADD', wkey(cid), ARGV[i + 1], ARGV[i]); i = i + 2 end
if (tonumber(redis.call('GET', SEQ)) or 0) < maxSeq then redis.call('SET', SEQ, maxSeq) end
return 1
`;

/** ARGV: prefix, student, maxSeq, field/value pairs. Loads a student from MongoDB unless already there. */
export const HYDRATE_STUDENT = `${LIB}
local sid, maxSeq = ARGV[2], tonumber(ARGV[3])
if redis.call('HEXISTS', skey(sid), 'h') == 1 then return 0 end
for i = 4, #ARGV, 2 do redis.call('HSET', skey(sid), ARGV[i], ARGV[i + 1]) end
redis.call('HSET', skey(sid), 'h', '1')
if (tonumber(redis.call('GET', SEQ)) or 0) < maxSeq then redis.call('SET', SEQ, maxSeq) end
return 1
`;

/** ARGV: prefix, courses... Capacity (or '' if not loaded), enrolled, waitlisted of each, in one call. */
export const COUNTS = `
local P = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local cid = ARGV[i]
  out[#out + 1] = redis.call('HGET', P .. 'c:' .. cid, 'cap') or ''
  out[#out + 1] = redis.call('SCARD', P .. 'e:' .. cid)
  out[#out + 1] = redis.call('ZCARD', P .. 'w:' .. cid)
end
return out
`;
