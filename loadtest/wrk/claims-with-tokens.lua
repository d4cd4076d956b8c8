-- wrk script: every request claims for the next person from a file of pre-minted tokens
-- (`claimctl token --person b --count N`), so each claim is from a new person while the file
-- lasts: the same work as the anchor's rand-user.lua (a new user per claim), with real auth.
-- Each request is one string concatenation (no wrk.format, which builds a table and formats
-- every header per request): the client's cost per request is as low as wrk allows, and the
-- same as loadtest/wrk/peer-claims.lua's for the OpenResty peer.
-- Env: CLAIM_TOKENS (file), CLAIM_POOL (default appliance-500).
local tokens = {}
local n = 0
local i = 0
local head, tail

init = function(args)
  for line in io.lines(os.getenv("CLAIM_TOKENS")) do tokens[#tokens + 1] = line end
  n = #tokens
  local pool = os.getenv("CLAIM_POOL") or "appliance-500"
  head = "POST /v1/pools/" .. pool .. "/claims HTTP/1.1\r\nHost: " .. wrk.headers["Host"] .. "\r\nAuthorization: Bearer "
  tail = "\r\nContent-Length: 0\r\n\r\n"
end

request = function()
  i = i % n + 1
  return head .. tokens[i] .. tail
end
