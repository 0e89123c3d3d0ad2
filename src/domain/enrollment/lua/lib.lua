-- Loaded before the scripts named with it in scripts.ts: what they share.
local P = ARGV[1]
local function ckey(cid) return P .. 'c:' .. cid end
local function ekey(cid) return P .. 'e:' .. cid end
local function wkey(cid) return P .. 'w:' .. cid end
local function skey(sid) return P .. 's:' .. sid end
local LOG = P .. 'log'
local SEQ = P .. 'seq'

-- A seat record "st|id|v|price|seq", as seatRecord.ts reads and writes it.
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
  -- The log entry's fields: logEntry.ts (LAYOUTS.seat) decodes them.
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
