-- wallet.lua: one person's vouchers in one pool, in one round trip (read only).
--
-- KEYS[1] wallet     cg:{P}:wallet     hash: person -> space-separated voucher ids
-- KEYS[2] vouchers   cg:{P}:vouchers   hash: voucher id -> record
-- ARGV[1] person
-- Returns a flat array {id1, record1, id2, record2, ...} (empty when the person has none).
local ids = redis.call('HGET', KEYS[1], ARGV[1])
local out = {}
if not ids then return out end
for id in string.gmatch(ids, '%S+') do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', KEYS[2], id) or ''
end
return out
