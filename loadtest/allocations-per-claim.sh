#!/usr/bin/env bash
# Heap allocations per answer in claimgate, from valgrind memcheck's own count ("total heap
# usage: N allocs"): the gateway answers N1 and then N2 claims from new people; the difference
# over N2 - N1 removes start-up and shutdown. Granted claims (stock available) and the
# sold-out storm (no stock) are counted separately.
# CLAIMGATE_UNDER_TEST=path measures another build (e.g. an older commit's) with the same
# load; GATEWAY_FLAGS replaces the gateway flags (older builds lack --threads); LOAD_FLAGS adds
# claimload's (--dev-hs256, with GATEWAY_FLAGS='--threads 1 --no-metrics --dev-hs256' and
# $CLAIMGATE_TOKEN_SECRET set: HS256 tokens, as before public keys).
# Usage: loadtest/allocations-per-claim.sh [N1=500] [N2=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
N1=${1:-500}
N2=${2:-2000}
bench_setup valgrind
bench_redis
open_pool comprehensive-10 1000000000
open_pool comprehensive-30 0
# Valgrind 3.19 cannot read the DWARF 5 that Swift 6 emits: count a copy without debug info.
objcopy --strip-debug "${CLAIMGATE_UNDER_TEST:-$BIN/claimgate}" "$WORK/claimgate"
read -r -a FLAGS <<< "${GATEWAY_FLAGS:---threads 1 --no-metrics}"
allocs() { # $1: pool, $2: claims, $3: run id -> heap allocations of the whole gateway process
  local log="$WORK/memcheck.$3"
  GATEWAY_BIN="$WORK/claimgate" start_gateway valgrind --tool=memcheck --leak-check=no --log-file="$log" -- \
    "${FLAGS[@]}"
  "$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool "$1" --users 100000000 --repeat-share 0 \
    --connections 8 --duration 300 --requests "$2" --person-prefix "a$3-" ${LOAD_FLAGS:-} >/dev/null
  stop_gateway
  grep -m1 "total heap usage" "$log" | sed -E 's/.*usage: ([0-9,]+) allocs.*/\1/' | tr -d ,
}
for pool in comprehensive-10 comprehensive-30; do
  what=$([ "$pool" = comprehensive-10 ] && echo granted || echo sold-out)
  a=$(allocs "$pool" "$N1" "$what-a"); b=$(allocs "$pool" "$N2" "$what-b")
  echo "$what: $a allocations for $N1 claims, $b for $N2: $(( (b - a) / (N2 - N1) )) per claim"
done
