-- ARGV: prefix, lesson, group, date, period, actor, now, admin, expireAt, school, region, then (student, kind, reason)...
local denied = guard()
if denied then return denied end
for i = 12, #ARGV, 3 do
  if not onRoll(redis.call('HGET', G, 'm:' .. ARGV[i])) then return {'ERR', 'STUDENT_NOT_IN_GROUP', ARGV[i]} end
end
local created = ensureLesson()
local completed = redis.call('HGET', L, 'st') == 'C'
local changes, d = {}, {0, 0, 0, 0}
for i = 12, #ARGV, 3 do
  local sid, kind, reason = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local old = redis.call('HGET', L, 'a:' .. sid)
  local oldKind, oldReason
  if old then oldKind, oldReason = string.match(old, '^(.)|[^|]*|[^|]*|(.*)$') end
  if oldKind ~= kind or oldReason ~= reason then
    redis.call('HSET', L, 'a:' .. sid, kind .. '|' .. NOW .. '|' .. ACTOR .. '|' .. reason)
    changes[#changes + 1] = sid .. ':' .. kind
    if completed then
      local before, after = marks(oldKind), marks(kind)
      for j = 1, 4 do d[j] = d[j] + after[j] - before[j] end
      if old then studentMarks(sid, before, -1) end
      studentMarks(sid, after, 1)
    end
  end
end
if completed and #changes > 0 then correct(d) end
return finish('REPORT', created, changes)
