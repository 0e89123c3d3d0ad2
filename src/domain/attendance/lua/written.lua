-- The writer stored these register versions: notes them (never lowering) and releases its claims.
-- ARGV: prefix, writer, then (lesson, version)...
for i = 3, #ARGV, 2 do
  local L = ARGV[1] .. 'l:' .. ARGV[i]
  if redis.call('EXISTS', L) == 1 then
    if tonumber(redis.call('HGET', L, 'wv') or '0') < tonumber(ARGV[i + 1]) then redis.call('HSET', L, 'wv', ARGV[i + 1]) end
    local claim = redis.call('HGET', L, 'wc')
    if claim and string.sub(claim, 1, #ARGV[2] + 1) == ARGV[2] .. '|' then redis.call('HDEL', L, 'wc') end
  end
end
return 1
