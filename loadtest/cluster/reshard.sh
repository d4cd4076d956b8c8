#!/usr/bin/env bash
# A hot pool's slot migrated to another master with `redis-cli --cluster reshard` while claims
# flow through two gateways: the gateways follow ASK (during the move) and MOVED (after it)
# without failing requests beyond the moment the pool's keys are in flight (TRYAGAIN: 503,
# nothing granted), and claimload's verdict and the audit stay clean.
#
#   loadtest/cluster/reshard.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/cluster/lib.sh
POOL=specialty-15
cluster_setup
"$BIN/claimctl" open "$POOL" --quota 1000000 --redis "$R" --now "$NOW" >/dev/null 2>&1
start_gateways 2
from=$(master_of "$POOL")
to=$(redis-cli -p "${PORTS[0]}" cluster nodes | awk -v f="$from" '$3 ~ /master/ && $2 !~ "^"f"@" {split($2, a, "@"); print a[1]; exit}')
slot=$(redis-cli -p "${PORTS[0]}" cluster keyslot "$POOL")
# redis-cli moves a source's slots from its lowest: enough of them to include the pool's.
first=$(redis-cli -p "${from##*:}" cluster nodes | awk '$3 ~ /myself/ {split($9, r, "-"); print r[1]}')
count=$((slot - first + 1))
echo "== $POOL (slot $slot) is on $from; moving slots $first-$slot ($count) to $to while claims flow"
"$BIN/claimload" --url "$URLS" --redis "$R" --pool "$POOL" --users 1000000 --repeat-share 0.05 --connections 32 \
  --duration 12 --idempotency-keys --history "$WORK/history.jsonl" >"$WORK/claimload.out" 2>&1 &
LOAD=$!
sleep 2
started=$(date +%s%N)
redis-cli --cluster reshard "127.0.0.1:${PORTS[0]}" --cluster-from "$(node_id "$from")" \
  --cluster-to "$(node_id "$to")" --cluster-slots "$count" --cluster-yes >"$WORK/reshard.log" 2>&1
echo "   resharded in $(( ($(date +%s%N) - started) / 1000000 )) ms; $POOL is now on $(master_of "$POOL")"
wait "$LOAD" || true
cat "$WORK/claimload.out"
"$BIN/claimctl" audit --redis "$R" | tail -1
cluster_history_check "$WORK/history.jsonl" || exit 1
[ "$(master_of "$POOL")" = "$to" ] || { echo "the pool's slot did not move" >&2; exit 1; }
grep -q '^PASS' "$WORK/claimload.out"
moved=$(cat "$WORK"/gateway-*.log | grep -c "cluster slot map" || true)
echo "CLUSTER reshard: PASS; slot $slot moved under load, verdict and audit clean (gateways relearned the map $moved times)"
