-- redeem.lua: a merchant takes one voucher off an order, paid with the resident's single-use
-- payment code (paycode.lua), all or nothing. The same order id retried gets the first answer;
-- a used voucher is never used again; a code pays once.
--
-- KEYS[1] vouchers   cg:{P}:vouchers   hash: voucher id -> owner|face|threshold|window|claimed|expires|store
-- KEYS[2] redeemed   cg:{P}:redeemed   hash: voucher id -> merchant|order|amount|at_ms
-- KEYS[3] use counts cg:{P}:used       hash: person -> vouchers of this pool redeemed (whole programme)
-- KEYS[4] orders     cg:{P}:orders     hash: merchant|order -> voucher|discount|due|state (r: redeemed, x: reversed)
-- KEYS[5] code       cg:{P}:pay:CODE   string: person|voucher|merchant|expires_ms[|used_merchant|used_order]
-- ARGV[1] voucher id   ARGV[2] payment code (its key is KEYS[5])   ARGV[3] merchant   ARGV[4] order id
-- ARGV[5] order amount (fen)   ARGV[6] now (unix ms)   ARGV[7] use limit per person, or ''
-- Returns {'redeemed', discount, due, replayed 0|1, amount} | {refusal}: 'payment_code_unknown',
--   'payment_code_other_voucher', 'payment_code_other_merchant', 'payment_code_used',
--   'payment_code_expired', 'unknown_voucher', 'not_owner', 'expired', 'below_threshold',
--   'usage_limit', 'already_used', 'order_conflict'
-- A replay (the same merchant and order again, with the code that paid it) answers the first
-- redemption exactly, with the first amount whatever the retry says, and consumes nothing.
local code = redis.call('GET', KEYS[5])
if not code then return {'payment_code_unknown'} end
local payer, code_voucher, bound, code_expires, used_by =
  string.match(code, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)(.*)$')
if code_voucher ~= ARGV[1] then return {'payment_code_other_voucher'} end
if bound ~= '' and bound ~= ARGV[3] then return {'payment_code_other_merchant'} end
local order_key = ARGV[3] .. '|' .. ARGV[4]
local prior = redis.call('HGET', KEYS[4], order_key)
if prior then
  local voucher, discount, due, state = string.match(prior, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  if voucher ~= ARGV[1] or state ~= 'r' then return {'order_conflict'} end
  if used_by ~= '|' .. order_key then return {'payment_code_used'} end
  -- The first amount is its discount plus its due, by construction (below).
  return {'redeemed', tonumber(discount), tonumber(due), 1, tonumber(discount) + tonumber(due)}
end
if used_by ~= '' then return {'payment_code_used'} end
if tonumber(ARGV[6]) >= tonumber(code_expires) then return {'payment_code_expired'} end
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return {'unknown_voucher'} end
local owner, face, threshold, _, _, expires = string.match(record, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)')
if owner ~= payer then return {'not_owner'} end
if tonumber(ARGV[6]) >= tonumber(expires) then return {'expired'} end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {'already_used'} end
local amount = tonumber(ARGV[5])
if amount < tonumber(threshold) then return {'below_threshold'} end
local used = tonumber(redis.call('HGET', KEYS[3], owner) or '0')
if ARGV[7] ~= '' and used >= tonumber(ARGV[7]) then return {'usage_limit'} end
local discount = math.min(tonumber(face), amount)
local due = amount - discount
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3] .. '|' .. ARGV[4] .. '|' .. ARGV[5] .. '|' .. ARGV[6])
redis.call('HINCRBY', KEYS[3], owner, 1)
redis.call('HSET', KEYS[4], order_key, ARGV[1] .. '|' .. discount .. '|' .. due .. '|r')
redis.call('SET', KEYS[5], code .. '|' .. order_key, 'KEEPTTL')
return {'redeemed', discount, due, 0, amount}
