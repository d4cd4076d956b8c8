-- claim.lua: the claims for one pool segment's window, in arrival order, all or nothing. A
-- batch answers each claim exactly as that claim alone would have been answered, run right
-- after the ones before it (ClaimScriptBatchTests checks this against one-claim calls): the gateway
-- sends the claims one loop iteration gathered for a window in one call, which costs Redis
-- about half as much per claim as one call each (loadtest/RESULTS.md). An OpenResty gateway
-- calls it with one claim.
-- Redis runs a script atomically but does not undo the writes of a script that fails
-- half-way, so every key is read before the first write: a read of a wrong-typed key raises
-- WRONGTYPE while nothing is written yet. The one key the script writes without reading (the
-- vouchers hash) is written first, for the same reason. No TYPE calls: each redis.call costs
-- about as much as the command itself.
-- Order of checks, per claim: idempotent replay, window released (or released now, at its
-- opening), stock, per-person limit, buyer list. A batch that is all sold out (and has no
-- retries) costs one HMGET: at peak almost every claim gets it.
--
-- KEYS[1] window state    cg:{P}:w:<W>         hash: released, left, granted, quota, opened_at
-- KEYS[2] window people   cg:{P}:w:<W>:people  hash: person -> grants in this window
-- KEYS[3] window replays  cg:{P}:w:<W>:idem    hash: person|idempotency-key -> voucher ids
-- KEYS[4] vouchers        cg:{P}:vouchers      hash: voucher id -> record
-- KEYS[5] wallet          cg:{P}:wallet        hash: person -> space-separated voucher ids
-- KEYS[6] buyer list      cg:{P}:buyers        set of people entitled to the pool (grant pools)
-- KEYS[7] pool windows    cg:{P}:windows       set of window ids ever released
-- KEYS[8] pause           cg:{P}:pause         string: why claims are paused (claimctl pause), absent when not
-- ARGV[1] pool id          ARGV[2] window id      ARGV[3] limit per window
-- ARGV[4] faces (fen), comma-separated: one, or a bundle's       ARGV[5] threshold (fen)
-- ARGV[6] quota to release if the window was never released (auto-open), or '' for none
-- ARGV[7] '1' if the person must be on the buyer list, else ''
-- then five per claim, at least one claim:
--   person, claimed at (unix ms), expires at (unix ms), idempotency key or '', store id or ''
-- Returns, for one claim, its reply; for more, an array: the window's left + granted as the
-- call found it (0 if never released), then one reply per claim, in order. A reply is
--         {'granted', left, replayed 0|1, id1, record1, id2, record2, ...}
--       | {'sold_out'} | {'limit_reached'} | {'not_on_buyer_list'}
--       | {'not_open'}  (never released and no auto-open quota given)
--       | {'paused', reason}  (an operator paused the pool: checked after retries, before stock,
--                              so no claim in flight slips past a pause)
--       | n  (in a batch only: a fresh grant of one voucher, its number: id <pool>:<window>:n,
--            left after it = the first item - n, record from the claim's own ARGV)
-- record: owner|face|threshold|window|claimed_ms|expires_ms|store
-- The batch's fresh grants are numbers because each grant moves one from left to granted, so
-- their sum holds through a call, and the gateway holds the rest of the voucher already: Redis
-- neither builds nor sends it (about a tenth of its time per claim; loadtest/RESULTS.md).
local SHARED, EACH = 7, 5
local n = (#ARGV - SHARED) / EACH
if n < 1 or n % 1 ~= 0 then
  return redis.error_reply('ERR claim.lua takes 7 ARGV, then 5 per claim, for at least one claim')
end
local pool, window, limit, quota = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[6]

-- One claim: what a gateway that calls once per request sends, answered with its reply alone.
-- The same rules as the batch below, without its bookkeeping for people met twice and
-- retries granted in the same call (which cost a lone claim a sixth more Redis time, and
-- would slow the OpenResty peer that loadtest/bench.sh runs this script in);
-- ClaimScriptBatchTests checks batches against this path, claim by claim.
if n == 1 then
  local person, claimed, expires, idem, store = ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12]
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
  local paused = redis.call('GET', KEYS[8])
  if paused then return {'paused', paused} end
  local state = redis.call('HMGET', KEYS[1], 'left', 'granted')
  local left, granted, opening = state[1], state[2], false
  if not left then
    if quota == '' then return {'not_open'} end
    left, granted, opening = quota, '0', true
  end
  left = tonumber(left)
  if left <= 0 then return {'sold_out'} end
  local before = redis.call('HGET', KEYS[2], person)
  local used = before and tonumber(before) or 0
  if used >= limit then return {'limit_reached'} end
  if ARGV[7] == '1' and redis.call('SISMEMBER', KEYS[6], person) == 0 then return {'not_on_buyer_list'} end
  local wallet = redis.call('HGET', KEYS[5], person)
  if opening then redis.call('SISMEMBER', KEYS[7], window) end
  local seq = tonumber(granted) + 1
  local out = {'granted', left - 1, 0}
  local ids, records, faces = {}, {}, {}
  for face in string.gmatch(ARGV[4], '[^,]+') do faces[#faces + 1] = face end
  for i, face in ipairs(faces) do
    local id = pool .. ':' .. window .. ':' .. seq
    if #faces > 1 then id = id .. '.' .. i end
    local record = person .. '|' .. face .. '|' .. ARGV[5] .. '|' .. window .. '|' .. claimed .. '|' .. expires .. '|' .. store
    ids[#ids + 1] = id
    records[#records + 1] = id
    records[#records + 1] = record
    out[#out + 1] = id
    out[#out + 1] = record
  end
  redis.call('HSET', KEYS[4], unpack(records))
  if opening then
    redis.call('HSET', KEYS[1], 'released', quota, 'left', left - 1, 'granted', seq, 'quota', quota,
      'opened_at', claimed, 'opened_by', 'claim')
    redis.call('SADD', KEYS[7], window)
  else
    redis.call('HSET', KEYS[1], 'left', left - 1, 'granted', seq)
  end
  redis.call('HSET', KEYS[2], person, used == 0 and '1' or used + 1)
  local joined = table.concat(ids, ' ')
  redis.call('HSET', KEYS[5], person, wallet and (wallet .. ' ' .. joined) or joined)
  if idem ~= '' then redis.call('HSET', KEYS[3], person .. '|' .. idem, joined) end
  return out
end

-- A batch. out[1] is the window's left + granted; claim i's reply is out[i + 1].
local out = {}

-- Retries first: their earlier grants are answered whatever the stock is now.
local replays
for i = 1, n do
  local b = SHARED + (i - 1) * EACH
  if ARGV[b + 4] ~= '' then
    replays = replays or {}
    replays[#replays + 1] = ARGV[b + 1] .. '|' .. ARGV[b + 4]
  end
end
local prior = false
if replays then
  prior = {}
  local got = redis.call('HMGET', KEYS[3], unpack(replays))
  for k, field in ipairs(replays) do
    if got[k] then prior[field] = got[k] end
  end
end

local state = redis.call('HMGET', KEYS[1], 'left', 'granted')
local released = state[1] ~= false
local left, seq
if released then
  left, seq = tonumber(state[1]), tonumber(state[2])
elseif quota ~= '' then
  -- First claim at or after the opening instant: it releases the window, exactly once.
  left, seq = tonumber(quota), 0
end
out[1] = (left or 0) + (seq or 0)
-- Paused: retries still get their earlier grant; every other claim is told why.
local paused = redis.call('GET', KEYS[8])
if paused then
  local answer = {'paused', paused}
  for i = 1, n do
    local b = SHARED + (i - 1) * EACH
    local earlier = prior and ARGV[b + 4] ~= '' and prior[ARGV[b + 1] .. '|' .. ARGV[b + 4]]
    if earlier then
      local r = {'granted', released and left or 0, 1}
      for id in string.gmatch(earlier, '%S+') do
        r[#r + 1] = id
        r[#r + 1] = redis.call('HGET', KEYS[4], id) or ''
      end
      out[i + 1] = r
    else
      out[i + 1] = answer
    end
  end
  return out
end
if (left == nil or left <= 0) and not (prior and next(prior)) then
  local answer = {left == nil and 'not_open' or 'sold_out'}
  for i = 1, n do out[i + 1] = answer end
  return out
end

local persons = {}
for i = 1, n do persons[i] = ARGV[SHARED + (i - 1) * EACH + 1] end
local used_before = redis.call('HMGET', KEYS[2], unpack(persons))
local wallet_before = redis.call('HMGET', KEYS[5], unpack(persons))
local on_list = ARGV[7] == '1' and redis.call('SMISMEMBER', KEYS[6], unpack(persons))
local faces = {}
for face in string.gmatch(ARGV[4], '[^,]+') do faces[#faces + 1] = face end
local id_prefix = pool .. ':' .. window .. ':'
local record_middle = '|' .. ARGV[5] .. '|' .. window .. '|'

-- Each claim sees the grants before it in this batch: counts and wallets by person, vouchers
-- and replays by key.
local used_now, wallet_now = {}, {}
local record_of = replays and {}
local records, people_w, wallet_w, replays_w = {}, {}, {}, replays and {}
local first_seq, opened_at = seq, nil
for i = 1, n do
  local b = SHARED + (i - 1) * EACH
  local person, key = ARGV[b + 1], ARGV[b + 4]
  local field = key ~= '' and (person .. '|' .. key) or nil
  local earlier = field and prior[field]
  if earlier then
    local r = {'granted', released and left or 0, 1}
    for id in string.gmatch(earlier, '%S+') do
      r[#r + 1] = id
      r[#r + 1] = record_of[id] or redis.call('HGET', KEYS[4], id) or ''
    end
    out[i + 1] = r
  elseif left == nil then
    out[i + 1] = {'not_open'}
  elseif left <= 0 then
    out[i + 1] = {'sold_out'}
  else
    -- A newcomer (the common case at a release) is counted without tonumber's strtod, and its
    -- count written as '1' rather than a number Redis formats with %.17g: together about 5% of
    -- the script's time per claim in a batch of 11 (redis-benchmark, loadtest/RESULTS.md). The
    -- one-claim path above does the same.
    local used = used_now[person]
    if not used then
      local before = used_before[i]
      used = before and tonumber(before) or 0
    end
    if used >= limit then
      out[i + 1] = {'limit_reached'}
    elseif on_list and on_list[i] == 0 then
      out[i + 1] = {'not_on_buyer_list'}
    else
      seq, left = seq + 1, left - 1
      if not released then released, opened_at = true, ARGV[b + 2] end
      local tail = ARGV[b + 2] .. '|' .. ARGV[b + 3] .. '|' .. ARGV[b + 5]
      local joined
      if #faces == 1 then
        joined = id_prefix .. seq
        local record = person .. '|' .. faces[1] .. record_middle .. tail
        records[#records + 1] = joined
        records[#records + 1] = record
        if field then record_of[joined] = record end
        out[i + 1] = seq
      else
        local r, ids = {'granted', left, 0}, {}
        for k, face in ipairs(faces) do
          local id = id_prefix .. seq .. '.' .. k
          local record = person .. '|' .. face .. record_middle .. tail
          ids[k] = id
          records[#records + 1] = id
          records[#records + 1] = record
          r[#r + 1] = id
          r[#r + 1] = record
          if field then record_of[id] = record end
        end
        out[i + 1] = r
        joined = table.concat(ids, ' ')
      end
      local wallet = wallet_now[person]
      if wallet == nil then wallet = wallet_before[i] end
      wallet = wallet and (wallet .. ' ' .. joined) or joined
      used_now[person], wallet_now[person] = used + 1, wallet
      -- A person twice in one batch is written twice; HSET keeps the later value.
      people_w[#people_w + 1] = person
      people_w[#people_w + 1] = used == 0 and '1' or used + 1
      wallet_w[#wallet_w + 1] = person
      wallet_w[#wallet_w + 1] = wallet
      if field then
        prior[field] = joined
        replays_w[#replays_w + 1] = field
        replays_w[#replays_w + 1] = joined
      end
    end
  end
end
if seq == first_seq then return out end

-- The last read (releasing: the windows set), then every check has passed. The first write
-- is the only one whose key was not read: if it fails, nothing has been written. Counts are
-- written back as Lua numbers (as open.lua and reset.lua do), exact below 10^14; a quota is
-- at most 10^9 (claimctl, seeds). 'granted' only ever grows (reset does not touch it), so
-- ids are never reused.
if opened_at then redis.call('SISMEMBER', KEYS[7], window) end
redis.call('HSET', KEYS[4], unpack(records))
if opened_at then
  redis.call('HSET', KEYS[1], 'released', quota, 'left', left, 'granted', seq, 'quota', quota,
    'opened_at', opened_at, 'opened_by', 'claim')
  redis.call('SADD', KEYS[7], window)
else
  redis.call('HSET', KEYS[1], 'left', left, 'granted', seq)
end
redis.call('HSET', KEYS[2], unpack(people_w))
redis.call('HSET', KEYS[5], unpack(wallet_w))
if replays_w and #replays_w > 0 then redis.call('HSET', KEYS[3], unpack(replays_w)) end
return out
