-- wrk script: every request claims for the next person from a file of pre-minted tokens
-- (`claimctl token --person b --count N`), so each claim is from a new person while the file
-- lasts: the same work as the anchor's rand-user.lua (a new user per claim), with real auth.
-- Each request is one line read and one string concatenation (no wrk.format, which builds a
-- table and formats every header per request): the client's cost per request is close to
-- loadtest/wrk/peer-claims.lua's for the OpenResty peer.
-- Env: CLAIM_TOKENS (file), CLAIM_POOL (default appliance-500).
local file
local head, tail

init = function(args)
  -- Read as needed, one line per request (buffered), not all at start: a few hundred
  -- thousand lines loaded in init cost wrk ~0.6 s of CPU inside the timed run.
  file = assert(io.open(os.getenv("CLAIM_TOKENS")))
  local pool = os.getenv("CLAIM_POOL") or "appliance-500"
  head = "POST /v1/pools/" .. pool .. "/claims HTTP/1.1\r\nHost: " .. wrk.headers["Host"] .. "\r\nAuthorization: Bearer "
  tail = "\r\nContent-Length: 0\r\n\r\n"
end

request = function()
  local token = file:read("*l")
  if not token then
    file:seek("set")
    token = file:read("*l")
  end
  return head .. token .. tail
end
