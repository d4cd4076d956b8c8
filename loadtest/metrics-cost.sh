#!/usr/bin/env bash
# What /metrics costs the claim path: the same claim load against claimgate with metrics on
# and with --no-metrics, alternated 3 times in one run; prints each run and the medians.
# Timings here are noisy: loadtest/instructions-per-claim.sh gives the stable figure.
# loops=2 runs two loops (each records into its own histograms: LoopHistogram).
# Usage: loadtest/metrics-cost.sh [connections=64] [seconds=8] [loops=1]
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
C=${1:-64}
S=${2:-8}
L=${3:-1}
bench_setup
bench_redis
open_pool comprehensive-10 1000000000
run() { # $1: extra gateway flag ("" or --no-metrics); $2: run id (new people each run)
  start_gateway -- --threads "$L" $1
  "$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool comprehensive-10 --users 100000000 \
    --repeat-share 0 --connections "$C" --duration "$S" --person-prefix "r$2-" | grep -E "^claims:" \
    | sed -E 's/.*= ([0-9]+) req\/s.*/\1/'
  stop_gateway
}
run "" 0 >/dev/null  # warm-up: Redis's hashes and the page cache, not counted
on=(); off=()
for i in 1 2 3; do
  on+=("$(run "" "$i")"); off+=("$(run --no-metrics "$((i + 100))")")
  echo "run $i: metrics on ${on[-1]} claims/s, off ${off[-1]} claims/s"
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
MON=$(median "${on[@]}"); MOFF=$(median "${off[@]}")
echo "median: on $MON, off $MOFF, on/off $(awk -v a="$MON" -v b="$MOFF" 'BEGIN { printf "%.3f", a / b }')"
