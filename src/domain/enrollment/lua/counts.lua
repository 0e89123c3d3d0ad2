-- ARGV: prefix, courses... Capacity (or '' if not loaded), enrolled, waitlisted of each, in one call.
local P = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local cid = ARGV[i]
  out[#out + 1] = redis.call('HGET', P .. 'c:' .. cid, 'cap') or ''
  out[#out + 1] = redis.call('SCARD', P .. 'e:' .. cid)
  out[#out + 1] = redis.call('ZCARD', P .. 'w:' .. cid)
end
return out
