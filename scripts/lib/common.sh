# Shared by scripts/*.sh: install what is missing, find free ports, start a throwaway Redis.
# Sourced, not run.

# Swift lives in /opt/swift on this project's machines.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH=/opt/swift/usr/bin:$PATH
fi

# ensure_packages PKG...: apt-get install the ones not installed yet (apt-get update once).
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# fresh_secrets: a run's own key pairs, never reused: the identity provider's and the
# operators' (store QR codes). `claimctl keys generate` (from $BIN) writes each private key and
# JWKS, into $WORK/keys and $WORK/store-qr-keys; CLAIMGATE_TOKEN_KEY (what claimctl token and
# claimload sign with) and CLAIMGATE_JWKS (what claimgate verifies with) name the first,
# CLAIMGATE_STORE_QR_KEY (claimctl store-qr, claimload) and CLAIMGATE_STORE_QR_JWKS (claimgate)
# the second. KEY_ALG picks the tokens' algorithm (ES256; RS256 verifies in a third of the time
# but signs in 200 us, and the load generator signs a token per simulated person; or EdDSA).
fresh_secrets() {
  export CLAIMGATE_TOKEN_KEY CLAIMGATE_JWKS CLAIMGATE_STORE_QR_KEY CLAIMGATE_STORE_QR_JWKS
  local kid="run-$$-$RANDOM"
  "$BIN/claimctl" keys generate --kid "$kid" --alg "${KEY_ALG:-ES256}" --out "$WORK/keys" >/dev/null
  CLAIMGATE_TOKEN_KEY="$WORK/keys/$kid.jwk"
  CLAIMGATE_JWKS="$WORK/keys/jwks.json"
  "$BIN/claimctl" keys generate --kid "qr-$kid" --alg ES256 --out "$WORK/store-qr-keys" >/dev/null
  CLAIMGATE_STORE_QR_KEY="$WORK/store-qr-keys/qr-$kid.jwk"
  CLAIMGATE_STORE_QR_JWKS="$WORK/store-qr-keys/jwks.json"
}

# free_port: a TCP port on 127.0.0.1 that no socket uses now. Chosen below the kernel's
# ephemeral range (32768+ here), where a load test's own client sockets would make a later
# bind fail; below 22768, so a Redis Cluster node's bus port (port + 10000) stays below it too.
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((10000 + RANDOM % 12768))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then continue; fi
    echo "$p"
    return 0
  done
  echo "no free port found" >&2
  return 1
}

# The Redis configuration ClaimGate ships (AOF always, noeviction): every script runs Redis with it.
REDIS_CONF="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/deploy/redis/redis.conf"

# start_redis DIR PORT [extra redis-server args...]: starts redis-server (or $REDIS_SERVER: a
# valkey-server) with the shipped configuration in the background (data in DIR), waits for
# PING, sets REDIS_PID.
start_redis() {
  local dir=$1 port=$2
  shift 2
  "${REDIS_SERVER:-redis-server}" "$REDIS_CONF" --port "$port" --bind 127.0.0.1 --dir "$dir" --logfile "$dir/redis.log" "$@" &
  REDIS_PID=$!
  wait_redis "$port" || { echo "redis-server did not start on port $port; see $dir/redis.log" >&2; return 1; }
}

# wait_redis PORT: until the Redis on PORT answers PONG (10 s at most). A Redis replaying its
# AOF answers LOADING first, which is not ready.
wait_redis() {
  for _ in $(seq 200); do
    [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.05
  done
  return 1
}

# wait_http URL: until it answers 200 (10 s at most).
wait_http() {
  for _ in $(seq 200); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "no answer from $1" >&2
  return 1
}

# check_setup PREFIX NAME [--debug]: the frame of the end-to-end checks (operator-check,
# sre-check): the binaries built (release, or debug with --debug; BIN), a work folder (WORK),
# a throwaway Redis (RP, R, REDIS_PID), fresh secrets, and `verdict` lines "PREFIX check:
# PASS|FAIL what" with FAILED set on any failure. Whatever the script starts as GATEWAY_PID is
# stopped with the Redis when it exits.
check_setup() {
  CHECK_PREFIX=$1
  CONFIG=release
  [ "${3:-}" = "--debug" ] && CONFIG=debug
  local p
  for p in claimgate claimctl claimload; do swift build -c "$CONFIG" --product "$p" >/dev/null; done
  BIN=$(swift build -c "$CONFIG" --show-bin-path)
  WORK=$(mktemp -d "/tmp/claimgate-$2.XXXXXX")
  GATEWAY_PID=""
  trap check_cleanup EXIT
  fresh_secrets
  RP=$(free_port)
  start_redis "$WORK" "$RP"
  R="redis://127.0.0.1:$RP"
  FAILED=0
}
check_cleanup() {
  exec 2>/dev/null
  [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null && wait "$GATEWAY_PID" 2>/dev/null || true
  [ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
verdict() { # NAME OK(0|1) WHAT
  if [ "$2" = 0 ]; then echo "$CHECK_PREFIX $1: PASS $3"; else echo "$CHECK_PREFIX $1: FAIL $3"; FAILED=1; fi
}
