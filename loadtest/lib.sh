# Shared by loadtest/*.sh: a release build, a work folder cleaned on exit, a throwaway Redis
# loaded with the seed, and gateways started and stopped on free loopback ports. Sourced.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"

NOW=${NOW:-2022-06-10T10:00:00+08:00}
GATEWAY_PID=""

# bench_setup PACKAGES...: installs what is missing, builds release; sets BIN and WORK.
bench_setup() {
  ensure_packages redis-server redis-tools libhiredis-dev curl "$@"
  swift build -c release >/dev/null
  BIN=$(swift build -c release --show-bin-path)
  WORK=$(mktemp -d /tmp/claimgate-bench.XXXXXX)
  trap bench_cleanup EXIT
}

bench_cleanup() {
  [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null || true
  [ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

# bench_redis: a fresh Redis with the seed loaded and a fresh token secret; sets R.
bench_redis() {
  local port
  port=$(free_port)
  start_redis "$WORK" "$port"
  R="redis://127.0.0.1:$port"
  fresh_secrets
  "$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
}

# open_pool POOL QUOTA: releases the pool's window current at $NOW with QUOTA vouchers.
open_pool() { "$BIN/claimctl" open "$1" --quota "$2" --redis "$R" --now "$NOW" >/dev/null 2>&1; }

# start_gateway [COMMAND PREFIX...] -- [claimgate serve flags...]: a gateway on a free port;
# sets GP (port) and GATEWAY_PID. A prefix (valgrind ...) runs the binary under it.
start_gateway() {
  local prefix=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do prefix+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  GP=$(free_port)
  "${prefix[@]}" "${GATEWAY_BIN:-$BIN/claimgate}" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" "$@" \
    2>>"$WORK/gateway.log" &
  GATEWAY_PID=$!
  for _ in $(seq 600); do curl -fsS -o /dev/null "http://127.0.0.1:$GP/healthz" 2>/dev/null && return 0; sleep 0.05; done
  echo "gateway did not come up:" >&2
  tail -5 "$WORK/gateway.log" >&2
  return 1
}

stop_gateway() {
  [ -n "$GATEWAY_PID" ] || return 0
  kill -TERM "$GATEWAY_PID" 2>/dev/null || true
  wait "$GATEWAY_PID" 2>/dev/null || true
  GATEWAY_PID=""
}

# evalsha_claims PORT SHA CONNECTIONS CLAIMS_PER_CALL [redis-benchmark flags...]: EVALSHA calls
# per second of claim.lua (SHA) on the Redis at PORT, each with CLAIMS_PER_CALL claims from random
# people in comprehensive-10's window p1 (opened with stock to spare), as the gateway batches them.
evalsha_claims() {
  local port=$1 sha=$2 c=$3 n=$4 claims=() p="cg:{comprehensive-10}:"
  shift 4
  for _ in $(seq "$n"); do claims+=(rb__rand_int__ 1654826400000 1654876800000 "" ""); done
  redis-benchmark -p "$port" -c "$c" -r 100000000 -q --csv "$@" evalsha "$sha" 8 "${p}w:p1" "${p}w:p1:people" \
    "${p}w:p1:idem" "${p}vouchers" "${p}wallet" "${p}buyers" "${p}windows" "${p}pause" comprehensive-10 p1 1 1000 3000 "" "" \
    "${claims[@]}" | tail -1 | cut -d, -f2 | tr -d '"'
}
