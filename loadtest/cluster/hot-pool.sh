#!/usr/bin/env bash
# One hot national pool on a 3-master cluster, whole (K=1: one slot, one shard) and split into
# K=3 segments (three hash tags on three shards; seeds/national-2022.json), side by side:
#   1. claims/s of each, alternated, ROUNDS times (default 2), stock that never runs out;
#   2. the tail: sold out from 9,000, how many people were told `sold_out` while stock
#      remained in another segment, without and with `claimctl rebalance` every 0.2 s;
#   3. the books: every segment balanced, total released never above the quota.
# Prints markdown tables.
#
#   loadtest/cluster/hot-pool.sh [--debug] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/cluster/lib.sh
ROUNDS=2
for a in "$@"; do [[ "$a" =~ ^[0-9]+$ ]] && ROUNDS=$a; done
SEED=seeds/national-2022.json
cluster_setup
"$BIN/claimctl" load --redis "$R" "$SEED" >/dev/null 2>&1
start_gateways 1 --seed "$SEED" --threads 2
echo "== segments: national-15 on $(master_of national-15); national-15-split on" \
  "$(for s in 0 1 2; do master_of "national-15-split.s$s"; done | paste -sd' ' -)"

rate_of() { grep -o '= [0-9]* req/s' "$1" | grep -o '[0-9]*'; }
declare -A RATES
for pool in national-15 national-15-split; do
  "$BIN/claimctl" open "$pool" --quota 100000000 --redis "$R" --now "$NOW" >/dev/null 2>&1
done
for r in $(seq "$ROUNDS"); do
  for pool in national-15 national-15-split; do
    "$BIN/claimload" --url "$URLS" --redis "$R" --seed-file "$SEED" --pool "$pool" --users 100000000 \
      --repeat-share 0 --connections 64 --duration 5 --person-prefix "t$r-" >"$WORK/rate.out" 2>&1 || true
    grep -q '^PASS' "$WORK/rate.out" || { cat "$WORK/rate.out" >&2; exit 1; }
    RATES[$pool]+="$(rate_of "$WORK/rate.out") "
    echo "   round $r $pool: $(rate_of "$WORK/rate.out") claims/s"
  done
done
mean() { tr ' ' '\n' | grep -v '^$' | awk '{s += $1; n++} END {printf "%.0f", s / n}'; }
k1=$(echo "${RATES[national-15]}" | mean)
k3=$(echo "${RATES[national-15-split]}" | mean)

# tail MODE PREFIX: sell out 9,000 from POOL=national-15-split (or national-15 for K=1),
# with a rebalance every 0.2 s when MODE=rebalance; prints "granted tail".
tail_run() {
  local pool=$1 mode=$2 prefix=$3
  "$BIN/claimctl" reset "$pool" --quota 9000 --redis "$R" --now "$NOW" >/dev/null 2>&1
  "$BIN/claimload" --url "$URLS" --redis "$R" --seed-file "$SEED" --pool "$pool" --users 100000000 \
    --repeat-share 0 --connections 64 --duration 6 --person-prefix "$prefix-" --history "$WORK/$prefix.jsonl" \
    >"$WORK/tail.out" 2>&1 &
  local load=$!
  if [ "$mode" = rebalance ]; then
    while kill -0 "$load" 2>/dev/null; do
      "$BIN/claimctl" rebalance "$pool" --redis "$R" --now "$NOW" >>"$WORK/rebalance.log" 2>&1 || true
      sleep 0.2
    done
  fi
  wait "$load" || true
  grep -q '^PASS' "$WORK/tail.out" || { cat "$WORK/tail.out" >&2; exit 1; }
  # The history is checked independently; a failure is remembered (this runs in a subshell).
  cluster_history_check "$WORK/$prefix.jsonl" >&2 || touch "$WORK/history.failed"
  local granted tail
  granted=$(grep -o '"granted":[0-9]*\|granted=[0-9]*' "$WORK/tail.out" | head -1 | grep -o '[0-9]*$')
  tail=$(grep -o 'sold_out before the last grant ([a-z ,]*): [0-9]*' "$WORK/tail.out" | grep -o '[0-9]*$' || echo 0)
  echo "$granted ${tail:-0}"
}
read -r g1 t1 <<<"$(tail_run national-15 none k1)"
read -r g3 t3 <<<"$(tail_run national-15-split none k3)"
read -r g3r t3r <<<"$(tail_run national-15-split rebalance k3r)"
# The same with gateways that recheck a sold-out segment every 50 ms instead of 500 ms, so a
# rebalanced segment is served again sooner.
for pid in "${GATEWAY_PIDS[@]}"; do kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; done
GATEWAY_PIDS=()
start_gateways 1 --seed "$SEED" --threads 2 --sold-out-recheck-ms 50
read -r g3f t3f <<<"$(tail_run national-15-split rebalance k3f)"
"$BIN/claimctl" stats national-15-split --redis "$R" | tail -3
"$BIN/claimctl" audit --redis "$R" | tail -1
[ ! -e "$WORK/history.failed" ] || { echo "a history check failed (above)" >&2; exit 1; }

echo
echo "| pool | K | claims/s (mean of $ROUNDS) | vs K=1 |"
echo "|---|---:|---:|---:|"
echo "| national-15 | 1 | $k1 | 1.00x |"
echo "| national-15-split | 3 | $k3 | $(awk -v a="$k3" -v b="$k1" 'BEGIN {printf "%.2fx", a / b}') |"
echo
echo "| sell-out of 9,000 | granted | told sold_out while stock remained |"
echo "|---|---:|---:|"
echo "| K=1 | $g1 | $t1 |"
echo "| K=3 | $g3 | $t3 |"
echo "| K=3, rebalance every 0.2 s | $g3r | $t3r |"
echo "| K=3, rebalance every 0.2 s, sold-out recheck 50 ms | $g3f | $t3f |"
echo "CLUSTER hot-pool: PASS; books balanced in every segment"
