-- buyers.lua: adds people to a grant pool's buyer list. Run again with the same operation id
-- (a resend after a lost reply) it answers the first run's count, so "N new" stays true.
--
-- KEYS[1] buyer list   cg:{P}:buyers   set of people entitled to the pool
-- KEYS[2] operations   cg:{P}:ops      hash: operation id -> its reply (JSON)
-- ARGV[1] operation id   ARGV[2...] person ids (at least one)
-- Returns the number of people who were not on the list before
local done = redis.call('HGET', KEYS[2], ARGV[1])
if done then return cjson.decode(done) end
if #ARGV < 2 then return redis.error_reply('buyers.lua takes an operation id and at least one person') end
redis.call('SCARD', KEYS[1])
local added = redis.call('SADD', KEYS[1], unpack(ARGV, 2))
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(added))
return added
