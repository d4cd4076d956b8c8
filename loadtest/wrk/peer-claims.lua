-- wrk script for the OpenResty peer (loadtest/peers/openresty-claim.conf): every request
-- claims for a new user, `u<base + n>`, so no claim meets the per-person limit (the anchor's
-- rand-user.lua draws users at random, and a run of a few hundred thousand claims repeats a
-- few hundred of them). One string concatenation per request, as claims-with-tokens.lua.
-- Env: PEER_USER_BASE (a number distinct per run, so runs against one Redis never share users);
-- PEER_RETRY_MIX=1: each user taps four times instead, in bench.sh's retry mix (blocks of 1,000
-- users, each block sent four times over), so the peer meets the same retries as claimgate.
local n = 0
local base = tonumber(os.getenv("PEER_USER_BASE") or "0")
local retry_mix = os.getenv("PEER_RETRY_MIX") == "1"
local head, tail

init = function(args)
  head = "POST /v1/claims?user=u"
  tail = " HTTP/1.1\r\nHost: " .. wrk.headers["Host"] .. "\r\nContent-Length: 0\r\n\r\n"
end

request = function()
  n = n + 1
  if retry_mix then
    local k = n - 1
    return head .. (base + math.floor(k / 4000) * 1000 + k % 1000) .. tail
  end
  return head .. (base + n) .. tail
end
