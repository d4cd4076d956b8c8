-- wrk script: every request claims for the next person from a file of pre-minted tokens
-- (`claimctl token --person b --count N`), so each claim is from a new person while the file
-- lasts: the same work as the anchor's rand-user.lua (a new user per claim), with real auth.
-- Env: CLAIM_TOKENS (file), CLAIM_POOL (default appliance-500).
local tokens = {}
local pool = os.getenv("CLAIM_POOL") or "appliance-500"
local path = "/v1/pools/" .. pool .. "/claims"
local i = 1

init = function(args)
  for line in io.lines(os.getenv("CLAIM_TOKENS")) do tokens[#tokens + 1] = line end
end

request = function()
  local t = tokens[i]
  i = i % #tokens + 1
  return wrk.format("POST", path, { ["Authorization"] = "Bearer " .. t, ["Content-Length"] = "0" }, nil)
end
