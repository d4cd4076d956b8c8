-- claim.lua: one claim, all or nothing (Redis runs a script atomically).
-- Order of checks: idempotent replay, window released, stock, per-person limit; the sold-out
-- answer costs one HGET, because at peak almost every claim gets it.
--
-- KEYS[1] window state    cg:{P}:w:<W>         hash: released, left, granted, quota, opened_at
-- KEYS[2] window people   cg:{P}:w:<W>:people  hash: person -> claims in this window
-- KEYS[3] window replays  cg:{P}:w:<W>:idem    hash: person|idempotency-key -> voucher id
-- KEYS[4] vouchers        cg:{P}:vouchers      hash: voucher id -> record
-- KEYS[5] wallet          cg:{P}:wallet        hash: person -> space-separated voucher ids
-- ARGV[1] pool id          ARGV[2] window id      ARGV[3] person
-- ARGV[4] limit per window ARGV[5] face (fen)     ARGV[6] threshold (fen)
-- ARGV[7] claimed at (unix ms)                    ARGV[8] expires at (unix ms)
-- ARGV[9] idempotency key, or '' for none
-- Returns {'granted', voucher id, left, record, replayed 0|1} | {'sold_out'} | {'limit_reached'}
--       | {'not_open'}  (the window was never released: its state hash does not exist)
-- record: owner|face|threshold|window|claimed_ms|expires_ms
local person, idem = ARGV[3], ARGV[9]
if idem ~= '' then
  local prior = redis.call('HGET', KEYS[3], person .. '|' .. idem)
  if prior then
    local left = tonumber(redis.call('HGET', KEYS[1], 'left')) or 0
    return {'granted', prior, left, redis.call('HGET', KEYS[4], prior) or '', 1}
  end
end
local left = redis.call('HGET', KEYS[1], 'left')
if not left then return {'not_open'} end
if tonumber(left) <= 0 then return {'sold_out'} end
local used = tonumber(redis.call('HGET', KEYS[2], person) or '0')
if used >= tonumber(ARGV[4]) then return {'limit_reached'} end
-- 'granted' only ever grows (reset does not touch it), so ids are never reused.
local seq = redis.call('HINCRBY', KEYS[1], 'granted', 1)
left = redis.call('HINCRBY', KEYS[1], 'left', -1)
redis.call('HINCRBY', KEYS[2], person, 1)
local id = ARGV[1] .. ':' .. ARGV[2] .. ':' .. seq
local record = person .. '|' .. ARGV[5] .. '|' .. ARGV[6] .. '|' .. ARGV[2] .. '|' .. ARGV[7] .. '|' .. ARGV[8]
redis.call('HSET', KEYS[4], id, record)
local wallet = redis.call('HGET', KEYS[5], person)
redis.call('HSET', KEYS[5], person, wallet and (wallet .. ' ' .. id) or id)
if idem ~= '' then redis.call('HSET', KEYS[3], person .. '|' .. idem, id) end
return {'granted', id, left, record, 0}
