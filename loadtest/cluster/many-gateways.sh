#!/usr/bin/env bash
# Several gateways on one cluster after a sell-out: each answers `sold_out` itself (no Redis
# round trip) once it has seen it, and an operator's restock (`claimctl reset --quota`) must
# reach every gateway within 50 ms: reset.lua publishes the window on `cg:restock` and every
# gateway loop listens. Measures, per gateway, the time from the reset's return to the first
# 201 for a new person without an Idempotency-Key, with every gateway polled at once (one
# keep-alive connection each, a claim every 2 ms).
#
#   loadtest/cluster/many-gateways.sh [--debug] [GATEWAYS=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/cluster/lib.sh
N=3
for a in "$@"; do [[ "$a" =~ ^[0-9]+$ ]] && N=$a; done
POOL=comprehensive-30
cluster_setup
"$BIN/claimctl" open "$POOL" --quota 200 --redis "$R" --now "$NOW" >/dev/null 2>&1
start_gateways "$N"
IFS=, read -r -a GW <<<"$URLS"
echo "== selling out $POOL (200) through $N gateways"
"$BIN/claimload" --url "$URLS" --redis "$R" --pool "$POOL" --users 100000 --repeat-share 0 --connections 24 \
  --duration 2 --history "$WORK/history.jsonl" | grep -E '^(outcomes|PASS|FAIL)'
claim() { # URL PERSON -> status
  curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $("$BIN/claimctl" token --person "$2")" \
    "$1/v1/pools/$POOL/claims"
}
for g in "${GW[@]}"; do
  [ "$(claim "$g" "probe-${g##*:}")" = 409 ] || { echo "$g does not answer sold_out" >&2; exit 1; }
  hits=$(curl -s "$g/metrics" | awk '/^claimgate_sold_out_short_circuit_total/ {print $2}')
  echo "   $g answers sold_out (short-circuited so far: ${hits:-0})"
done
# Tokens first, so the pollers measure the gateways and not the token minting.
for g in "${GW[@]}"; do
  for i in $(seq 0 299); do "$BIN/claimctl" token --person "after-${g##*:}-$i"; done >"$WORK/tokens-${g##*:}"
done
# One poller per gateway, all at once: the wall-clock instant of its first 201 (or "never").
poll() { # URL TOKENS-FILE OUT
  python3 - "$@" <<'PY'
import http.client, sys, time, urllib.parse
url, tokens, out = sys.argv[1], open(sys.argv[2]).read().split(), sys.argv[3]
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
deadline, first, i = time.time() + 4, "never", 0
while time.time() < deadline and i < len(tokens):
    conn.request("POST", "/v1/pools/comprehensive-30/claims", headers={"Authorization": "Bearer " + tokens[i]})
    r = conn.getresponse(); r.read()
    if r.status == 201:
        first = str(time.time_ns()); break
    i += 1
    time.sleep(0.002)
open(out, "w").write(first)
PY
}
POLLERS=()
for g in "${GW[@]}"; do poll "$g" "$WORK/tokens-${g##*:}" "$WORK/first-${g##*:}" & POLLERS+=($!); done
sleep 0.3
"$BIN/claimctl" reset "$POOL" --quota 100 --redis "$R" --now "$NOW" >/dev/null 2>&1
reset_at=$(date +%s%N)
for p in "${POLLERS[@]}"; do wait "$p"; done
worst=0
for g in "${GW[@]}"; do
  first=$(cat "$WORK/first-${g##*:}")
  [ "$first" != never ] || { echo "$g never saw the restock" >&2; exit 1; }
  seen=$(( (first - reset_at) / 1000000 ))
  [ "$seen" -lt 0 ] && seen=0  # heard before claimctl had even exited
  echo "   $g granted again $seen ms after the reset returned"
  [ "$seen" -gt "$worst" ] && worst=$seen
done
"$BIN/claimctl" audit --redis "$R" | tail -1
cluster_history_check "$WORK/history.jsonl" || exit 1
[ "$worst" -le 50 ] || { echo "a gateway took $worst ms (> 50 ms) to see the restock" >&2; exit 1; }
echo "CLUSTER many-gateways: PASS; $N gateways, the restock reached the slowest in $worst ms (<= 50)"
