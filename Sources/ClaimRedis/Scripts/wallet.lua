-- wallet.lua: one person's vouchers in one pool, with their redemptions, in one round trip
-- (read only).
--
-- KEYS[1] wallet     cg:{P}:wallet     hash: person -> space-separated voucher ids
-- KEYS[2] vouchers   cg:{P}:vouchers   hash: voucher id -> record
-- KEYS[3] redeemed   cg:{P}:redeemed   hash: voucher id -> merchant|order|amount|at_ms
-- ARGV[1] person
-- Returns a flat array {id1, record1, redemption1 or '', id2, ...} (empty when none).
local ids = redis.call('HGET', KEYS[1], ARGV[1])
local out = {}
if not ids then return out end
for id in string.gmatch(ids, '%S+') do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
  out[#out + 1] = redis.call('HGET', KEYS[3], id) or ''
end
return out
