-- A trailing push is due. ARGV: prefix quiz window -> {-1}: nothing pending; {0, standings...}: the
-- caller pushes this snapshot (it took the window); {ms}: the window is held, check again then.
local id, window = ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', P .. 'tp:' .. id) == 0 then return {'-1'} end
if redis.call('SET', P .. 't:' .. id, '1', 'PX', window, 'NX') then
  redis.call('DEL', P .. 'tp:' .. id)
  return standings(id, PUSH, {'0'})
end
return {tostring(math.max(1, redis.call('PTTL', P .. 't:' .. id)))}
