-- move.lua: one half of moving leftover stock between a split pool's segments (each segment
-- is its own slot, so a move is two calls: take from one, then give to another). `released`
-- moves by exactly what `left` moves, so granted + left == released holds in every segment
-- at every moment; a take that is never followed by its give (a crash in between) leaves
-- stock unreleased, never over-released. Run again with the same operation id (a resend after
-- a lost reply) it changes nothing and answers what the first run answered: a give run twice
-- would release more than the programme budgeted.
--
-- KEYS[1] window state   cg:{S}:w:<W>   hash: released, left, granted, quota, opened_at
-- KEYS[2] operations     cg:{S}:ops     hash: operation id -> its reply (JSON)
-- ARGV[1] change: negative takes up to that many (never below 0 left), positive gives
-- ARGV[2] now (unix ms)   ARGV[3] operation id
-- Returns {'moved', change applied, released, left, granted} | {'not_open'}
-- A give publishes KEYS[1] on the channel `cg:restock` (as reset.lua does), so every gateway
-- unmarks the window it answered sold_out for at once (RestockListener).
local done = redis.call('HGET', KEYS[2], ARGV[3])
if done then return cjson.decode(done) end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_open'} end
local change = tonumber(ARGV[1])
if not change or change ~= math.floor(change) then return redis.error_reply('change must be an integer') end
local left = tonumber(redis.call('HGET', KEYS[1], 'left'))
if change < 0 and -change > left then change = -left end
if change ~= 0 then
  redis.call('HINCRBY', KEYS[1], 'released', change)
  redis.call('HINCRBY', KEYS[1], 'left', change)
  redis.call('HSET', KEYS[1], 'moved_at', ARGV[2])
  if change > 0 then redis.call('PUBLISH', 'cg:restock', KEYS[1]) end
end
local s = redis.call('HMGET', KEYS[1], 'released', 'left', 'granted')
local reply = {'moved', change, tonumber(s[1]), tonumber(s[2]), tonumber(s[3])}
redis.call('HSET', KEYS[2], ARGV[3], cjson.encode(reply))
return reply
