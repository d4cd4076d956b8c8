#!/usr/bin/env bash
# What durability costs: claims/s and p99 through the gateway with the AOF off, with
# appendfsync everysec, and with appendfsync always (the shipped deploy/redis/redis.conf), run
# interleaved ROUNDS times (default 3) in one go; prints a markdown table of medians and the
# ratios to `everysec`. Closed loop, 64 connections, unique people, stock that never runs out.
#
#   loadtest/chaos/aof-cost.sh [--debug] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/chaos/lib.sh
ROUNDS=${2:-${1:-3}}
[[ "$ROUNDS" =~ ^[0-9]+$ ]] || ROUNDS=3
chaos_setup
declare -A RATES P99S
round=0
for r in $(seq "$ROUNDS"); do
  for mode in off everysec always; do
    round=$((round + 1))
    rm -rf "${WORK:?}"/appendonlydir
    durable_redis "$mode"
    load_programme comprehensive-10 1000000000
    start_gateway
    out=$("$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool comprehensive-10 --users 100000000 \
      --repeat-share 0 --connections 64 --duration 5 --person-prefix "r$round-" 2>&1)
    kill_gateway
    kill_redis
    echo "$out" | grep -q '^PASS' || { echo "$out" >&2; echo "verdict failed ($mode)" >&2; exit 1; }
    rate=$(echo "$out" | grep -o '= [0-9]* req/s' | grep -o '[0-9]*')
    p99=$(echo "$out" | grep -o 'p99 [0-9.]*' | head -1 | grep -o '[0-9.]*$')
    RATES[$mode]+="$rate "
    P99S[$mode]+="$p99 "
    echo "round $r $mode: $rate claims/s, p99 $p99 ms" >&2
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo "${RATES[everysec]}" | median)
echo "| AOF | claims/s (median of $ROUNDS) | p99 ms (median) | vs everysec |"
echo "|---|---:|---:|---:|"
for mode in off everysec always; do
  m=$(echo "${RATES[$mode]}" | median)
  p=$(echo "${P99S[$mode]}" | median)
  echo "| $mode | $m | $p | $(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2fx", a / b}') |"
done
