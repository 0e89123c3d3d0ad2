-- ARGV: prefix, lesson, group, date, period, actor, now, admin, expireAt, school, region, then students...
local denied = guard()
if denied then return denied end
if redis.call('EXISTS', L) == 0 then return {'ERR', 'LESSON_NOT_FOUND'} end
local completed = redis.call('HGET', L, 'st') == 'C'
local changes, d = {}, {0, 0, 0, 0}
for i = 12, #ARGV do
  local sid = ARGV[i]
  local old = redis.call('HGET', L, 'a:' .. sid)
  if old then
    redis.call('HDEL', L, 'a:' .. sid)
    changes[#changes + 1] = sid .. ':-'
    if completed then
      local before = marks(string.sub(old, 1, 1))
      for j = 1, 4 do d[j] = d[j] - before[j] end
      studentMarks(sid, before, -1)
    end
  end
end
if completed and #changes > 0 then correct(d) end
return finish('RETRACT', false, changes)
