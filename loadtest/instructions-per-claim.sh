#!/usr/bin/env bash
# Instructions per claim in claimgate, counted by valgrind's callgrind (stable under the
# machine's noise, unlike timings): the gateway runs under callgrind while claimload sends
# N1 and then N2 claims from new people (stock available); the difference of the two totals
# divided by N2 - N1 removes start-up and shutdown. Once with metrics, once without.
# With "sold-out" as the third argument the pool has no stock: after the first answer from
# Redis the gateway answers sold_out itself, so this counts the sold-out storm's answers.
# Usage: loadtest/instructions-per-claim.sh [N1=1000] [N2=4000] [granted|sold-out]
# POOL picks the pool (comprehensive-10; an in-store one, appliance-200, sends the store's QR
# code, signed by the run's operators' key, with every claim).
# LOAD_FLAGS are claimload's extra flags: with MODES=' --dev-hs256' LOAD_FLAGS=--dev-hs256 and
# $CLAIMGATE_TOKEN_SECRET set, the path is counted with HS256 tokens, as before public keys.
# MODES (';'-separated gateway flag sets) picks what is compared; the default compares
# metrics on and off. The abuse limits' cost:
#   MODES='--person-rate 0;;--address-rate 1e6 --address-burst 1e6 --max-connections-per-address 10000' \
#     loadtest/instructions-per-claim.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
N1=${1:-1000}
N2=${2:-4000}
CASE=${3:-granted}
bench_setup valgrind
bench_redis
POOL=${POOL:-comprehensive-10}
open_pool "$POOL" "$([ "$CASE" = sold-out ] && echo 0 || echo 1000000000)"
# Valgrind 3.19 cannot read the DWARF 5 that Swift 6 emits: count a copy without debug info.
objcopy --strip-debug "$BIN/claimgate" "$WORK/claimgate"
total() { # $1: gateway flags, $2: claims, $3: run id (new people each run) -> instructions of the gateway
  local out="$WORK/callgrind.$3"
  GATEWAY_BIN="$WORK/claimgate" start_gateway valgrind --tool=callgrind --callgrind-out-file="$out" -- --threads 1 $1
  "$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool "$POOL" --users 100000000 \
    --repeat-share 0 --connections 8 --duration 300 --requests "$2" --person-prefix "r$3-" ${LOAD_FLAGS:-} >/dev/null
  stop_gateway
  grep -E "^(summary|totals):" "$out" | tail -1 | awk '{print $2}'
}
run=0
IFS=';' read -r -a modes <<<"${MODES:-;--no-metrics}"
for mode in "${modes[@]}"; do
  # Run ids are counted here, not inside $(...), whose subshell would forget them.
  run=$((run + 2))
  a=$(total "$mode" "$N1" "$run-a"); b=$(total "$mode" "$N2" "$run-b")
  echo "$CASE, flags '${mode:-defaults}': $a instructions for $N1 claims, $b for $N2: $(( (b - a) / (N2 - N1) )) per claim"
done
