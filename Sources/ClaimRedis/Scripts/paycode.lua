-- paycode.lua: a resident's single-use payment code for one of their vouchers, kept beside the
-- voucher so redeem.lua consumes it in the same atomic call that uses the voucher (one slot).
--
-- KEYS[1] vouchers   cg:{P}:vouchers   hash: voucher id -> owner|face|threshold|window|claimed|expires|store
-- KEYS[2] redeemed   cg:{P}:redeemed   hash: voucher id -> merchant|order|amount|at_ms
-- KEYS[3] code       cg:{P}:pay:CODE   string: person|voucher|merchant|expires_ms, and once used
--                                      |used_merchant|used_order after it (redeem.lua)
-- ARGV[1] voucher id   ARGV[2] person asking   ARGV[3] merchant the code is for, or '' for any
-- ARGV[4] now (unix ms)   ARGV[5] the code's expiry (unix ms)   ARGV[6] how long Redis keeps it (ms)
-- Returns {'issued'} | {refusal}: 'unknown_voucher', 'not_owner', 'expired', 'already_used',
--   'code_taken' (another code with these characters exists: draw again)
-- Idempotent by construction: the code is random and the value fixed, so a second run with the
-- same arguments (a resend after a lost reply) finds its own value and answers 'issued' again.
local value = ARGV[2] .. '|' .. ARGV[1] .. '|' .. ARGV[3] .. '|' .. ARGV[5]
local held = redis.call('GET', KEYS[3])
if held then
  if string.sub(held, 1, #value) == value then return {'issued'} end
  return {'code_taken'}
end
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return {'unknown_voucher'} end
local owner, _, _, _, _, expires = string.match(record, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)')
if owner ~= ARGV[2] then return {'not_owner'} end
if tonumber(ARGV[4]) >= tonumber(expires) then return {'expired'} end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return {'already_used'} end
redis.call('SET', KEYS[3], value, 'PX', ARGV[6])
return {'issued'}
