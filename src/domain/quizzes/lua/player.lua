-- ARGV: prefix quiz user -> {} (not joined) | {joinedAt, score, rank, playerCount, question, answer, ...}
local id, user = ARGV[2], ARGV[3]
local all = redis.call('HGETALL', pkey(id, user))
if #all == 0 then return {} end
local h, answers = {}, {}
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 'a:' then
    answers[#answers + 1] = string.sub(all[i], 3)
    answers[#answers + 1] = all[i + 1]
  else h[all[i]] = all[i + 1] end
end
local out = {h.j, h.sc, tostring(rank(id, user)), tostring(redis.call('ZCARD', lbkey(id)))}
for _, a in ipairs(answers) do out[#out + 1] = a end
return out
