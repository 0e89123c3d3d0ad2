-- Drops a cached group after its roster or teachers changed. ARGV: prefix, groups...
for i = 2, #ARGV do
  redis.call('INCR', ARGV[1] .. 'gg:' .. ARGV[i])
  redis.call('DEL', ARGV[1] .. 'g:' .. ARGV[i])
end
return 1
