-- reverse.lua: a refunded order gives its voucher back (usable again, use count back), once,
-- and only while the voucher has not expired.
--
-- KEYS[1] vouchers   cg:{P}:vouchers   KEYS[2] redeemed   cg:{P}:redeemed
-- KEYS[3] use counts cg:{P}:used       KEYS[4] orders     cg:{P}:orders   (see redeem.lua)
-- ARGV[1] voucher id   ARGV[2] merchant   ARGV[3] order id   ARGV[4] now (unix ms)
-- Returns {'reversed', replayed 0|1} | {'unknown_order'} | {'expired'}
local order_key = ARGV[2] .. '|' .. ARGV[3]
local prior = redis.call('HGET', KEYS[4], order_key)
if not prior then return {'unknown_order'} end
local voucher, discount, due, state = string.match(prior, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
if voucher ~= ARGV[1] then return {'unknown_order'} end
if state == 'x' then return {'reversed', 1} end
local record = redis.call('HGET', KEYS[1], voucher)
if not record then return {'unknown_order'} end
local owner, _, _, _, _, expires = string.match(record, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)')
if tonumber(ARGV[4]) >= tonumber(expires) then return {'expired'} end
redis.call('HDEL', KEYS[2], voucher)
redis.call('HINCRBY', KEYS[3], owner, -1)
redis.call('HSET', KEYS[4], order_key, voucher .. '|' .. discount .. '|' .. due .. '|x')
return {'reversed', 0}
