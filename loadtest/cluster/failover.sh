#!/usr/bin/env bash
# A master killed (SIGKILL) while claims flow; its replica is promoted (cluster-node-timeout
# 1 s). Redis replication is asynchronous, so a voucher acknowledged by the master just before
# it died may never have reached the replica: this measures how many, then repeats with the
# mitigation, `claimgate --wait-replicas 1` (WAIT once per pipelined batch), on another
# master, and measures what WAIT costs on a healthy cluster. Prints a markdown table.
#
#   loadtest/cluster/failover.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/cluster/lib.sh
cluster_setup

# run_load POOL SECONDS PREFIX: claimload in the background into $WORK/PREFIX.out; sets LOAD.
run_load() {
  "$BIN/claimload" --url "$URLS" --redis "$R" --pool "$1" --users 10000000 --repeat-share 0 --connections 32 \
    --duration "$2" --person-prefix "$3-" --history "$WORK/$3.jsonl" >"$WORK/$3.out" 2>&1 &
  LOAD=$!
}
stop_gateways() {
  for pid in "${GATEWAY_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  GATEWAY_PIDS=()
}
figures() { # PREFIX -> "claims/s p50 p99"
  local out="$WORK/$1.out"
  echo "$(grep -o '= [0-9]* req/s' "$out" | grep -o '[0-9]*') $(grep -o 'p50 [0-9.]*' "$out" | head -1 | cut -d' ' -f2) $(grep -o 'p99 [0-9.]*' "$out" | head -1 | cut -d' ' -f2)"
}

for pool in comprehensive-50 specialty-15 comprehensive-10; do
  "$BIN/claimctl" open "$pool" --quota 100000000 --redis "$R" --now "$NOW" >/dev/null 2>&1
done

echo "== what WAIT costs on a healthy cluster (comprehensive-10, 5 s each)"
declare -A COST
for mode in 0 1; do
  start_gateways 2 --wait-replicas "$mode"
  run_load comprehensive-10 5 "cost$mode"
  wait "$LOAD" || true
  COST[$mode]=$(figures "cost$mode")
  stop_gateways
done

declare -A LOST
for phase in "0 comprehensive-50" "1 specialty-15"; do
  set -- $phase
  mode=$1 pool=$2
  start_gateways 2 --wait-replicas "$mode"
  victim=$(master_of "$pool")
  run_load "$pool" 10 "kill$mode"
  sleep 3
  echo "== --wait-replicas $mode: SIGKILL master $victim (serving $pool) at 3 s"
  kill -9 "$(cat "$WORK/cluster/${victim##*:}/redis.pid")"
  wait "$LOAD" || true
  grep -E '^(claims|outcomes|PASS|FAIL)' "$WORK/kill$mode.out" | cut -c1-200
  acked=$(grep -o 'vouchers granted to this run [0-9]*' "$WORK/kill$mode.out" | grep -o '[0-9]*$')
  missing=$(grep -o '[0-9]* acknowledged vouchers missing' "$WORK/kill$mode.out" | grep -o '^[0-9]*' || echo 0)
  echo "   now served by $(master_of "$pool"); acknowledged $acked, missing after the failover $missing"
  LOST[$mode]="$acked $missing"
  stop_gateways
done
"$BIN/claimctl" audit --redis "$R" | tail -1
# Independently, for the runs with WAIT (without it, an acknowledged voucher may be lost: that
# run is the comparison, and the table shows how many).
cluster_history_check "$WORK/cost1.jsonl" "$WORK/kill1.jsonl" || exit 1

echo
echo "| --wait-replicas | claims/s healthy | p50 ms | p99 ms | acknowledged before/after a master kill | lost |"
echo "|---:|---:|---:|---:|---:|---:|"
for mode in 0 1; do
  read -r rate p50 p99 <<<"${COST[$mode]}"
  read -r acked missing <<<"${LOST[$mode]}"
  echo "| $mode | $rate | $p50 | $p99 | $acked | $missing |"
done
[ "$(echo "${LOST[1]}" | cut -d' ' -f2)" = 0 ] || { echo "acknowledged vouchers lost even with WAIT" >&2; exit 1; }
echo "CLUSTER failover: PASS with --wait-replicas 1 (no acknowledged voucher lost); without it: $(echo "${LOST[0]}" | cut -d' ' -f2) lost"
