-- A log writer's claim on the registers of its batch, so that the writers of several instances never
-- store the same register at once (the loser's insert would fail as a duplicate and turn into a
-- replace: 1.2 ms a register against ~0.15 ms inserted in a batch, scripts/probe-mongo.ts). A
-- claim is "writer|until" in field wc, on Redis's clock (instances' clocks may differ), released by
-- WRITTEN. It lapses one lease after it was taken, even for a writer that keeps retrying (one that
-- cannot reach MongoDB must not hold a register forever): its own live claim is kept as it is, not
-- extended.
-- ARGV: prefix, writer, now (the caller's clock, for settling), lease ms, settle ms, then (lesson, force '1'|'0')...
-- Answers one entry per lesson: 'gone' (Redis no longer holds it), 'written' (MongoDB has its
-- version), 'settling' (OPEN and changed within settle ms, not forced: likely completed in a moment),
-- 'busy' (another writer's claim), or 'mine' followed by the lesson's fields and values.
local P, ME, NOW, LEASE, SETTLE = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local t = redis.call('TIME')
local CLOCK = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 6, #ARGV, 2 do
  local L = P .. 'l:' .. ARGV[i]
  local h = redis.call('HMGET', L, 'v', 'wv', 'st', 'ua', 'ta', 'wc')
  if not h[1] then
    out[#out + 1] = {'gone'}
  elseif tonumber(h[2] or '0') >= tonumber(h[1]) then
    out[#out + 1] = {'written'}
  elseif ARGV[i + 1] ~= '1' and h[3] == 'O' and NOW - tonumber(h[4] or h[5]) < SETTLE then
    out[#out + 1] = {'settling'}
  else
    local owner, untilMs = string.match(h[6] or '', '^(.*)|(%d+)$')
    local live = owner and tonumber(untilMs) > CLOCK
    if live and owner ~= ME then
      out[#out + 1] = {'busy'}
    else
      if not live then redis.call('HSET', L, 'wc', ME .. '|' .. (CLOCK + LEASE)) end
      local row = redis.call('HGETALL', L)
      table.insert(row, 1, 'mine')
      out[#out + 1] = row
    end
  end
end
return out
