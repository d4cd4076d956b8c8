#!/usr/bin/env bash
# The performance benchmark: one command, one run, everything side by side on this machine.
# Prints a markdown table and appends it to loadtest/RESULTS.md with the date and machine.
#   1. claims with stock available (a new person per claim, 64 connections, wrk; each claimgate
#      run claims in a window of its own, a day of specialty-15, so no run meets a person an
#      earlier run already served): claimgate
#      (best of 1 and 2 loops) vs the OpenResty peer running ClaimGate's claim.lua (best of 1
#      and 2 workers) vs nginx static (the HTTP ceiling) vs redis-benchmark EVALSHA of the same
#      script with the same keys (the Redis ceiling), without and with pipelining;
#   2. sold-out storm (stock 0, same load): claimgate vs nginx static;
#   3. the 10:00 spike: claimload --rate across 10:00, stock 5,000, 1,000,000 people: latency
#      before, during and after the sell-out, time to sell out, the verdict;
#   4. 10,000 keep-alive connections held while claims flow: errors, p99, claimgate's RSS.
# 1 and 2 are the median of 3 runs. Loopback only; every run is bounded in time and count.
# Usage: loadtest/bench.sh [seconds=8] [spike rate=6000]
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
S=${1:-8}
RATE=${2:-6000}
C=64
SHARED=${CLAIMGATE_SHARED:-$(cd .. && pwd)/shared}
bench_setup nginx-light libnginx-mod-http-lua lua-nginx-redis wrk python3
ulimit -n 65536 2>/dev/null || true
bench_redis
RPORT=${R##*:}
NGINX_PID=""
stop_nginx() { [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null; NGINX_PID=""; }
trap 'stop_nginx; bench_cleanup' EXIT
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
rps() { grep -m1 "Requests/sec" "$1" | awk '{print $2}'; }
pct() { grep -m1 "  $2%" "$1" | awk '{print $2}'; }
# Answers that were not 201 (a fast error must not pass for throughput).
non2xx() { grep -m1 "Non-2xx" "$1" | awk '{print $NF}' || true; }
"$BIN/claimctl" token --person b --count $((S * 70000)) > "$WORK/tokens"
SHA=$(redis-cli -p "$RPORT" script load "$(cat Sources/ClaimRedis/Scripts/claim.lua)")

DAY=10
wrk_gateway() { # $1: pool, $2: out file, $3: loops; each call on the next June day's window
  local now
  now=$(printf '2022-06-%02dT10:00:00+08:00' "$DAY")
  DAY=$((DAY + 1))
  NOW=$now open_pool "$1" "$([ "$1" = comprehensive-30 ] && echo 0 || echo 1000000000)"
  NOW=$now start_gateway -- --threads "$3"
  CLAIM_POOL=$1 CLAIM_TOKENS="$WORK/tokens" wrk -t1 -c"$C" -d"${S}s" -s loadtest/wrk/claims-with-tokens.lua --latency \
    "http://127.0.0.1:$GP" > "$2"
  stop_gateway
}
start_peer() { # $1: workers
  local port
  port=$(free_port)
  mkdir -p "$WORK/nginx/logs"
  sed -e "s/__WORKERS__/$1/" -e "s/__PORT__/$port/" loadtest/peers/openresty-claim.conf > "$WORK/nginx/nginx.conf"
  CLAIM_SHA=$SHA CLAIM_REDIS_PORT=$RPORT nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/out" &
  NGINX_PID=$!
  PEER="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -fsS -o /dev/null "$PEER/static" 2>/dev/null && return 0; sleep 0.05; done
  echo "the OpenResty peer did not start: $(cat "$WORK/nginx/out")" >&2
  return 1
}

echo "== 1. claims with stock (c=$C, ${S}s, 3 runs each)"
open_pool comprehensive-10 1000000000  # the peer's window
declare -a CG OR ST CGP99 ORP99
for run in 1 2 3; do
  best=0 bestp=""
  for loops in 1 2; do
    wrk_gateway specialty-15 "$WORK/cg.$run.$loops" "$loops"
    r=$(rps "$WORK/cg.$run.$loops")
    if awk -v a="$r" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$r; bestp=$(pct "$WORK/cg.$run.$loops" 99); fi
  done
  CG+=("$best"); CGP99+=("$bestp")
  echo "  claimgate 1 loop $(rps "$WORK/cg.$run.1")/s p99 $(pct "$WORK/cg.$run.1" 99) non-201 $(non2xx "$WORK/cg.$run.1"); 2 loops $(rps "$WORK/cg.$run.2")/s p99 $(pct "$WORK/cg.$run.2" 99) non-201 $(non2xx "$WORK/cg.$run.2")"
  best=0 bestp=""
  for workers in 1 2; do
    start_peer "$workers"
    # The anchors' wrk script: a random new person per claim, as the tokens file gives claimgate.
    wrk -t1 -c"$C" -d"${S}s" -s "$SHARED/anchors/rand-user.lua" --latency "$PEER/v1/claims" > "$WORK/or.$run.$workers"
    r=$(rps "$WORK/or.$run.$workers")
    if awk -v a="$r" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$r; bestp=$(pct "$WORK/or.$run.$workers" 99); fi
    [ "$workers" = 1 ] && wrk -t1 -c"$C" -d"${S}s" --latency "$PEER/static" > "$WORK/st.$run"
    stop_nginx
  done
  OR+=("$best"); ORP99+=("$bestp"); ST+=("$(rps "$WORK/st.$run")")
  echo "  openresty 1 worker $(rps "$WORK/or.$run.1")/s non-201 $(non2xx "$WORK/or.$run.1"); 2 workers $(rps "$WORK/or.$run.2")/s non-201 $(non2xx "$WORK/or.$run.2")"
  echo "run $run: claimgate ${CG[-1]} (p99 ${CGP99[-1]}), openresty ${OR[-1]} (p99 ${ORP99[-1]}), nginx static ${ST[-1]}"
done
P="cg:{comprehensive-10}:"
RB=$(redis-benchmark -p "$RPORT" -n 200000 -c "$C" -r 100000000 -q --csv evalsha "$SHA" 7 "${P}w:p1" "${P}w:p1:people" \
  "${P}w:p1:idem" "${P}vouchers" "${P}wallet" "${P}buyers" "${P}windows" comprehensive-10 p1 rb__rand_int__ 1 1000 3000 \
  1654826400000 1654876800000 "" "" "" "" | tail -1 | cut -d, -f2 | tr -d '"')
RBP=$(redis-benchmark -p "$RPORT" -n 400000 -c "$C" -P 16 -r 100000000 -q --csv evalsha "$SHA" 7 "${P}w:p1" \
  "${P}w:p1:people" "${P}w:p1:idem" "${P}vouchers" "${P}wallet" "${P}buyers" "${P}windows" comprehensive-10 p1 \
  rp__rand_int__ 1 1000 3000 1654826400000 1654876800000 "" "" "" "" | tail -1 | cut -d, -f2 | tr -d '"')

echo "== 2. sold-out storm (stock 0, 3 runs)"
declare -a SO
for run in 1 2 3; do
  wrk_gateway comprehensive-30 "$WORK/so.$run" 2
  SO+=("$(rps "$WORK/so.$run")")
  echo "run $run: claimgate sold out ${SO[-1]}"
done

echo "== 3. the 10:00 spike (open loop $RATE/s, stock 5000, 1,000,000 people)"
"$BIN/claimctl" open comprehensive-50 --quota 5000 --redis "$R" --now "$NOW" >/dev/null 2>&1
NOW=2022-06-10T09:59:57+08:00 start_gateway -- --threads 2
"$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool comprehensive-50 --users 1000000 --repeat-share 0.1 \
  --connections "$C" --duration 15 --rate "$RATE" --ramp 1 --person-prefix spike --report "$WORK/spike" \
  | tee "$WORK/spike.txt" | tail -4
stop_gateway
SPIKE=$(python3 - "$WORK/spike/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
secs = d["seconds"]; so = d["sell_out_second"]
first = next((s["second"] for s in secs if s["outcomes"].get("granted")), None)
def phase(rows):
    rows = [r for r in rows if r["answered"]]
    if not rows: return "-"
    return "p50 %.2f / p99 %.2f ms" % (max(r["p50_ms"] for r in rows), max(r["p99_ms"] for r in rows))
before = [s for s in secs if first is None or s["second"] < first]
during = [s for s in secs if first is not None and first <= s["second"] <= (so if so is not None else 10**9)]
after = [s for s in secs if so is not None and s["second"] > so]
print("%s|%s|%s|%s" % (phase(before), phase(during), phase(after),
      "-" if so is None or first is None else "%d s" % (so - first + 1)))
PY
)
IFS='|' read -r SP_BEFORE SP_DURING SP_AFTER SP_SELLOUT <<< "$SPIKE"
SP_P999=$(grep -m1 "^latency ms" "$WORK/spike.txt" | sed -E 's/.*p99.9 ([0-9.]+).*/\1/')
SP_VERDICT=$(grep -E "^(PASS|FAIL)" "$WORK/spike.txt" | cut -c1-60)

echo "== 4. 10,000 keep-alive connections while claims flow"
open_pool specialty-15 1000000000
start_gateway -- --threads 2
"$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool specialty-15 --users 100000000 --repeat-share 0 \
  --connections 10000 --duration 12 --rate 4000 --ramp 2 --person-prefix conn > "$WORK/conn.txt" &
LOAD=$!
sleep 9
RSS_KB=$(ps -o rss= -p "$GATEWAY_PID" | tr -d ' ')
OPEN=$(curl -s "http://127.0.0.1:$GP/metrics" | awk '/^claimgate_open_connections/ {print $2}')
wait "$LOAD" || true
stop_gateway
CONN_ERR=$(grep -m1 "socket errors" "$WORK/conn.txt" | sed -E 's/.*socket errors ([0-9]+).*/\1/')
CONN_P99=$(grep -m1 "^latency ms" "$WORK/conn.txt" | sed -E 's/.*p99 ([0-9.]+).*/\1/')
CONN_VERDICT=$(grep -E "^(PASS|FAIL)" "$WORK/conn.txt" | cut -c1-4)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
MCG=$(median "${CG[@]}"); MOR=$(median "${OR[@]}"); MST=$(median "${ST[@]}"); MSO=$(median "${SO[@]}")
TABLE=$(cat <<T

### $(date -u +%Y-%m-%d) — loadtest/bench.sh ($(nproc) cores, $(uname -r), ${S}s runs, medians of 3)

| scenario | figure | target | result |
|---|---|---|---|
| claims with stock | claimgate $MCG/s (p99 $(median "${CGP99[@]}")) vs OpenResty peer $MOR/s (p99 $(median "${ORP99[@]}")) | >= 2.0x | $(ratio "$MCG" "$MOR")x |
| Redis ceiling, same script | EVALSHA $RB/s, -P 16 $RBP/s | | $(ratio "$RB" "$MOR")x / $(ratio "$RBP" "$MOR")x the peer |
| HTTP ceiling | nginx static $MST/s | | |
| sold-out storm | claimgate $MSO/s vs nginx static $MST/s | >= 0.8x | $(ratio "$MSO" "$MST")x |
| 10:00 spike, $RATE/s open loop | before $SP_BEFORE; during $SP_DURING; after $SP_AFTER; p99.9 $SP_P999 ms | p99 <= 10 ms | sold out in $SP_SELLOUT; $SP_VERDICT |
| 10,000 connections, 4,000 claims/s | open $OPEN, socket errors $CONN_ERR, p99 $CONN_P99 ms, RSS $((RSS_KB / 1024)) MB | 0 errors, <= 150 MB | $CONN_VERDICT |
T
)
echo "$TABLE"
echo "$TABLE" >> loadtest/RESULTS.md
