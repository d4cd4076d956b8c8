-- programme.lua: records a programme version, the seed file as `claimctl load` read and checked
-- it, so Redis holds the one programme that claimctl and every gateway act on. The same bytes
-- as the current version change nothing (a load resent after a lost reply, or run twice);
-- anything else becomes the next version and the current one. Versions are kept: what served
-- before can be read back.
--
-- KEYS[1] versions   cg:{programme}:versions   hash: version number -> the seed file's bytes
-- KEYS[2] current    cg:{programme}:current    string: the current version's number
-- ARGV[1] the seed file's bytes (checked by the loader: Redis does not read them)
-- Returns {version, 1 if it is new, 0 if the current one already had these bytes}
local current = redis.call('GET', KEYS[2])
if current and redis.call('HGET', KEYS[1], current) == ARGV[1] then
  return {tonumber(current), 0}
end
local version = redis.call('HLEN', KEYS[1]) + 1
redis.call('HSET', KEYS[1], tostring(version), ARGV[1])
redis.call('SET', KEYS[2], tostring(version))
return {version, 1}
