#!/usr/bin/env bash
# The release day on a real Redis Cluster, through two gateways at once: pools on every shard,
# the 10:00 windows opening by themselves exactly once (whichever gateway's claim comes
# first), claims and redemptions, then claimload's verdict and claimctl audit/stats, both
# across the whole cluster.
#
#   loadtest/cluster/shards.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/cluster/lib.sh
NOW=2022-06-10T09:59:57+08:00
cluster_setup
POOLS=$(python3 -c 'import json, sys; print(" ".join(p["id"] for p in json.load(open(sys.argv[1]))["pools"]))' \
  seeds/shenyang-2022.json)
echo "== pools by shard"
for pool in $POOLS; do echo "$(master_of "$pool") $pool"; done | sort \
  | awk '{a[$1] = a[$1] " " $2} END {for (m in a) print "   " m ":" a[m]}' | sort
shards=$(for pool in $POOLS; do master_of "$pool"; done | sort -u | grep -c .)
start_gateways 2
echo "== release day through 2 gateways ($URLS), pools on $shards shards"
"$BIN/claimload" --scenario release-day --url "$URLS" --redis "$R" --users 20000 --repeat-share 0.1 \
  --connections 64 --duration 8 --redeem-share 0.3 --history "$WORK/history.jsonl" | tee "$WORK/claimload.out" \
  | grep -v '^$'
"$BIN/claimctl" audit --redis "$R" | tail -1
cluster_history_check "$WORK/history.jsonl" || exit 1
"$BIN/claimctl" stats --redis "$R"
[ "$shards" -eq 3 ] || { echo "the seed's pools do not cover every shard ($shards of 3)" >&2; exit 1; }
grep -q '^PASS' "$WORK/claimload.out"
# Every window released exactly once, by whichever gateway's claim came first: Redis's
# released totals are exactly the quotas.
quotas=$(python3 -c 'import json, sys
pools = json.load(open(sys.argv[1]))["pools"]
print(sum(p["stock_per_release"] for p in pools if p["id"] != "housing-fair"))' seeds/shenyang-2022.json)
released=$(grep -o 'released [0-9]*' "$WORK/claimload.out" | grep -o '[0-9]*')
[ "$released" = "$quotas" ] || { echo "released $released, quotas $quotas: a window opened twice?" >&2; exit 1; }
echo "CLUSTER shards: PASS; pools on 3 shards, 2 gateways, each window released once ($released), verdict and audit clean"
