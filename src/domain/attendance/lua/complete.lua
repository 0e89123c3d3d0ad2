-- ARGV: prefix, lesson, group, date, period, actor, now, admin, expireAt, school, region.
local denied = guard()
if denied then return denied end
local created = ensureLesson()
if redis.call('HGET', L, 'st') == 'C' then return finish('COMPLETE', false, {}) end
local n = 0
local g = redis.call('HGETALL', G)
for i = 1, #g, 2 do
  if string.sub(g[i], 1, 2) == 'm:' and onRoll(g[i + 1]) then n = n + 1 end
end
local t = {0, 0, 0, 0}
local h = redis.call('HGETALL', L)
for i = 1, #h, 2 do
  if string.sub(h[i], 1, 2) == 'a:' then
    local m = marks(string.sub(h[i + 1], 1, 1))
    for j = 1, 4 do t[j] = t[j] + m[j] end
    studentMarks(string.sub(h[i], 3), m, 1)
  end
end
redis.call('HSET', L, 'st', 'C', 'ca', NOW, 'cb', ACTOR, 'n', n, 'a', t[1], 'x', t[2], 'l', t[3], 'ap', t[4])
redis.call('SREM', OPEN, LESSON)
addRollups({1, n, t[1], t[2], t[3], t[4]})
return finish('COMPLETE', created, {'completed'})
