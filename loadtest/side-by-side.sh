#!/usr/bin/env bash
# Claims/s of ClaimGate beside the anchors, in one run on this machine:
#   1. ../shared/anchors/run-anchors.sh: redis-benchmark EVALSHA (Redis's ceiling), the
#      nginx + Lua + Redis (OpenResty) claim gateway and nginx static, all under wrk;
#   2. claimgate (release, one event loop) under the same wrk, every claim from a new person
#      with a real HS256 token, stock available (comprehensive-10 opened with a quota of 10^9:
#      a pool claimed in the app, without a store QR code), and under claimload.
# Prints the anchors' raw lines and a markdown table. Loopback only; every run is bounded.
# Usage: loadtest/side-by-side.sh [connections=64] [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
C=${1:-64}
S=${2:-10}
SHARED=${CLAIMGATE_SHARED:-$(cd .. && pwd)/shared}
[ -f "$SHARED/anchors/run-anchors.sh" ] || {
  echo "side-by-side: the shared anchors are not at $SHARED/anchors (outside this repository, on the bench machine; set CLAIMGATE_SHARED)" >&2
  exit 1
}
bench_setup nginx-light libnginx-mod-http-lua lua-nginx-redis wrk

echo "== anchors (workers=1 c=$C ${S}s)"
ANCHOR_REDIS_PORT=$(free_port) ANCHOR_HTTP_PORT=$(free_port) bash "$SHARED/anchors/run-anchors.sh" 1 "$C" "$S" \
  | tee "$WORK/anchors.txt"

echo "== claimgate (1 event loop, c=$C ${S}s)"
bench_redis
open_pool comprehensive-10 1000000000
# Enough new people for the whole run at well over the anchor's rate.
"$BIN/claimctl" token --person b --count $((S * 60000)) > "$WORK/tokens"
start_gateway -- --threads 1
CLAIM_POOL=comprehensive-10 CLAIM_TOKENS="$WORK/tokens" wrk -t1 -c"$C" -d"${S}s" -s loadtest/wrk/claims-with-tokens.lua \
  --latency "http://127.0.0.1:$GP" | tee "$WORK/claimgate-wrk.txt" | grep -E "Requests/sec|  50%|  99%|Non-2xx|Socket errors"
open_pool comprehensive-30 1000000000
"$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool comprehensive-30 \
  --users 100000000 --repeat-share 0 --connections "$C" --duration "$S" | tee "$WORK/claimgate-claimload.txt"
"$BIN/claimctl" audit --redis "$R"

rps() { grep -m1 "Requests/sec" "$1" | awk '{print $2}'; }
pct() { grep -m1 "  $2%" "$1" | awk '{print $2}'; }
# The anchors' file holds the OpenResty run first, nginx static second.
awk '/openresty peer/{f=1} f' "$WORK/anchors.txt" > "$WORK/openresty.txt"
awk '/nginx static/{f=1} f' "$WORK/anchors.txt" > "$WORK/static.txt"
REDIS_EVAL=$(grep -A1 "no pipeline" "$WORK/anchors.txt" | tail -1 | cut -d, -f2 | tr -d '"')
REDIS_EVAL_P=$(grep -A1 "\-P 16" "$WORK/anchors.txt" | tail -1 | cut -d, -f2 | tr -d '"')
OR=$(rps "$WORK/openresty.txt")
CG=$(rps "$WORK/claimgate-wrk.txt")
CL=$(grep -m1 "req/s" "$WORK/claimgate-claimload.txt" | sed -E 's/.*= ([0-9]+) req\/s.*/\1/')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
cat <<TABLE

| what (c=$C, ${S}s, $(date -u +%Y-%m-%d), $(nproc) cores) | requests/s | p50 | p99 | vs OpenResty |
|---|---|---|---|---|
| redis-benchmark EVALSHA claim (Redis ceiling) | $REDIS_EVAL | | | $(ratio "$REDIS_EVAL" "$OR") |
| redis-benchmark EVALSHA claim -P 16 | $REDIS_EVAL_P | | | $(ratio "$REDIS_EVAL_P" "$OR") |
| OpenResty peer, 1 worker (wrk) | $OR | $(pct "$WORK/openresty.txt" 50) | $(pct "$WORK/openresty.txt" 99) | 1.00 |
| claimgate, 1 loop (wrk, new person per claim) | $CG | $(pct "$WORK/claimgate-wrk.txt" 50) | $(pct "$WORK/claimgate-wrk.txt" 99) | $(ratio "$CG" "$OR") |
| claimgate, 1 loop (claimload) | $CL | | | $(ratio "$CL" "$OR") |
| nginx static 200 (HTTP ceiling) | $(rps "$WORK/static.txt") | $(pct "$WORK/static.txt" 50) | $(pct "$WORK/static.txt" 99) | $(ratio "$(rps "$WORK/static.txt")" "$OR") |
TABLE
