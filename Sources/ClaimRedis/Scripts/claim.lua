-- claim.lua: one claim, all or nothing. Redis runs a script atomically but does not undo the
-- writes of a script that fails half-way, so every key is read before the first write: a
-- read of a wrong-typed key raises WRONGTYPE while nothing is written yet. The one key the
-- script writes without reading (the vouchers hash) is written first, for the same reason.
-- No TYPE calls: each redis.call costs about as much as the command itself (7 calls per
-- grant, from 14 with TYPE checks and HINCRBYs; see loadtest/RESULTS.md).
-- Order of checks: idempotent replay, window released (or released now, at its opening),
-- stock, per-person limit, buyer list. Sold out costs one HMGET: at peak almost every claim
-- gets it.
--
-- KEYS[1] window state    cg:{P}:w:<W>         hash: released, left, granted, quota, opened_at
-- KEYS[2] window people   cg:{P}:w:<W>:people  hash: person -> grants in this window
-- KEYS[3] window replays  cg:{P}:w:<W>:idem    hash: person|idempotency-key -> voucher ids
-- KEYS[4] vouchers        cg:{P}:vouchers      hash: voucher id -> record
-- KEYS[5] wallet          cg:{P}:wallet        hash: person -> space-separated voucher ids
-- KEYS[6] buyer list      cg:{P}:buyers        set of people entitled to the pool (grant pools)
-- KEYS[7] pool windows    cg:{P}:windows       set of window ids ever released
-- ARGV[1] pool id          ARGV[2] window id      ARGV[3] person
-- ARGV[4] limit per window ARGV[5] faces (fen), comma-separated: one, or a bundle's
-- ARGV[6] threshold (fen)  ARGV[7] claimed at (unix ms)   ARGV[8] expires at (unix ms)
-- ARGV[9] idempotency key, or ''
-- ARGV[10] quota to release if the window was never released (auto-open), or '' for none
-- ARGV[11] '1' if the person must be on the buyer list, else ''
-- ARGV[12] store id (in-store claims), or ''
-- Returns {'granted', left, replayed 0|1, id1, record1, id2, record2, ...}
--       | {'sold_out'} | {'limit_reached'} | {'not_on_buyer_list'}
--       | {'not_open'}  (never released and no auto-open quota given)
-- record: owner|face|threshold|window|claimed_ms|expires_ms|store
local person, idem = ARGV[3], ARGV[9]
if idem ~= '' then
  local prior = redis.call('HGET', KEYS[3], person .. '|' .. idem)
  if prior then
    local out = {'granted', tonumber(redis.call('HGET', KEYS[1], 'left')) or 0, 1}
    for id in string.gmatch(prior, '%S+') do
      out[#out + 1] = id
      out[#out + 1] = redis.call('HGET', KEYS[4], id) or ''
    end
    return out
  end
end
local state = redis.call('HMGET', KEYS[1], 'left', 'granted')
local left, granted, opening = state[1], state[2], false
if not left then
  if ARGV[10] == '' then return {'not_open'} end
  -- First claim at or after the opening instant: release the window now, exactly once.
  left, granted, opening = ARGV[10], '0', true
end
left = tonumber(left)
if left <= 0 then return {'sold_out'} end
local used = tonumber(redis.call('HGET', KEYS[2], person) or '0')
if used >= tonumber(ARGV[4]) then return {'limit_reached'} end
if ARGV[11] == '1' and redis.call('SISMEMBER', KEYS[6], person) == 0 then return {'not_on_buyer_list'} end
-- The last reads: the wallet (appended to below) and, when releasing, the windows set.
local wallet = redis.call('HGET', KEYS[5], person)
if opening then redis.call('SISMEMBER', KEYS[7], ARGV[2]) end
-- 'granted' only ever grows (reset does not touch it), so ids are never reused. Counts are
-- written back as Lua numbers (as open.lua and reset.lua do), exact below 10^14; a quota is
-- at most 10^9 (claimctl, seeds).
local seq = tonumber(granted) + 1
local out = {'granted', left - 1, 0}
local ids, records = {}, {}
local faces = {}
for face in string.gmatch(ARGV[5], '[^,]+') do faces[#faces + 1] = face end
for i, face in ipairs(faces) do
  local id = ARGV[1] .. ':' .. ARGV[2] .. ':' .. seq
  if #faces > 1 then id = id .. '.' .. i end
  local record = person .. '|' .. face .. '|' .. ARGV[6] .. '|' .. ARGV[2] .. '|' .. ARGV[7] .. '|' .. ARGV[8] .. '|' .. ARGV[12]
  ids[#ids + 1] = id
  records[#records + 1] = id
  records[#records + 1] = record
  out[#out + 1] = id
  out[#out + 1] = record
end
-- Every check has passed. The first write is the only one whose key was not read: if it
-- fails, nothing has been written.
redis.call('HSET', KEYS[4], unpack(records))
if opening then
  redis.call('HSET', KEYS[1], 'released', ARGV[10], 'left', left - 1, 'granted', seq, 'quota', ARGV[10],
    'opened_at', ARGV[7], 'opened_by', 'claim')
  redis.call('SADD', KEYS[7], ARGV[2])
else
  redis.call('HSET', KEYS[1], 'left', left - 1, 'granted', seq)
end
redis.call('HSET', KEYS[2], person, used + 1)
local joined = table.concat(ids, ' ')
redis.call('HSET', KEYS[5], person, wallet and (wallet .. ' ' .. joined) or joined)
if idem ~= '' then redis.call('HSET', KEYS[3], person .. '|' .. idem, joined) end
return out
