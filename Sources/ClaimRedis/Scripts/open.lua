-- open.lua: release one window's stock, exactly once. Running it again changes nothing; run
-- again with the same operation id (a resend after a lost reply) it answers what the first
-- run answered.
--
-- KEYS[1] window state   cg:{P}:w:<W>     hash: released, left, granted, quota, opened_at
-- KEYS[2] pool windows   cg:{P}:windows   set of window ids ever opened
-- KEYS[3] operations     cg:{P}:ops       hash: operation id -> its reply (JSON)
-- ARGV[1] window id   ARGV[2] quota (vouchers to release)   ARGV[3] now (unix ms)
-- ARGV[4] operation id
-- Returns {1 if this call released it else 0, released, left, granted, the window's stored quota}
local done = redis.call('HGET', KEYS[3], ARGV[4])
if done then return cjson.decode(done) end
local reply
if redis.call('EXISTS', KEYS[1]) == 1 then
  local s = redis.call('HMGET', KEYS[1], 'released', 'left', 'granted', 'quota')
  reply = {0, tonumber(s[1]), tonumber(s[2]), tonumber(s[3]), tonumber(s[4]) or -1}
else
  local quota = tonumber(ARGV[2])
  if not quota or quota < 0 then return redis.error_reply('quota must be a non-negative integer') end
  redis.call('HSET', KEYS[1], 'released', quota, 'left', quota, 'granted', 0, 'quota', quota, 'opened_at', ARGV[3])
  redis.call('SADD', KEYS[2], ARGV[1])
  reply = {1, quota, quota, 0, quota}
end
redis.call('HSET', KEYS[3], ARGV[4], cjson.encode(reply))
return reply
