-- reset.lua: put a released window's stock back to its quota (a botched release, or a new
-- quota). Nothing granted is taken back: `released` moves by exactly what `left` moves, so
-- granted + left == released holds before and after, even with claims arriving between
-- calls. Run again with the same operation id (a resend after a lost reply, while claims
-- came in) it changes nothing and answers what the first run answered: without the id, a
-- second run would release again what was claimed in between.
--
-- KEYS[1] window state   cg:{P}:w:<W>   hash: released, left, granted, quota, opened_at
-- KEYS[2] operations     cg:{P}:ops     hash: operation id -> its reply (JSON)
-- ARGV[1] quota (what `left` becomes), or '' for the window's own stored quota (the one it was
--         released or last reset with: a seed edited since plays no part)
-- ARGV[2] now (unix ms)   ARGV[3] operation id
-- Returns {'reset', change in left, released, left, granted, quota} | {'not_open'}
-- A restock (left grows) publishes KEYS[1] on the channel `cg:restock`: every gateway listening
-- (RestockListener) unmarks the window it was answering sold_out for, within milliseconds
-- instead of at its next periodic recheck. Published from inside the script, so a gateway
-- hears it only once the change is in.
local done = redis.call('HGET', KEYS[2], ARGV[3])
if done then return cjson.decode(done) end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_open'} end
local quota
if ARGV[1] == '' then
  quota = tonumber(redis.call('HGET', KEYS[1], 'quota'))
  if not quota then return redis.error_reply('the window has no stored quota: give one') end
else
  quota = tonumber(ARGV[1])
end
if not quota or quota < 0 then return redis.error_reply('quota must be a non-negative integer') end
local left = tonumber(redis.call('HGET', KEYS[1], 'left'))
local change = quota - left
if change ~= 0 then
  redis.call('HINCRBY', KEYS[1], 'released', change)
  redis.call('HSET', KEYS[1], 'left', quota, 'quota', quota, 'reset_at', ARGV[2])
  if change > 0 then redis.call('PUBLISH', 'cg:restock', KEYS[1]) end
end
local s = redis.call('HMGET', KEYS[1], 'released', 'left', 'granted')
local reply = {'reset', change, tonumber(s[1]), tonumber(s[2]), tonumber(s[3]), quota}
redis.call('HSET', KEYS[2], ARGV[3], cjson.encode(reply))
return reply
