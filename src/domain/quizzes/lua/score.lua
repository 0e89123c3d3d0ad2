-- Scoring alone, for the test that holds it to scoring.ts. ARGV: prefix correct points elapsed limit streak speed streakOn
local awarded, streak = score(ARGV[2] == '1', tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7] == '1', ARGV[8] == '1')
return {awarded, streak}
