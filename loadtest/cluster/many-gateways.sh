#!/usr/bin/env bash
# Several gateways on one cluster after a sell-out: each answers `sold_out` itself (no Redis
# round trip) once it has seen it, and an operator's restock (`claimctl reset --quota`) must
# reach every gateway within 1 second. Measures, per gateway, the time from the reset's return
# to the first 201 for a new person (polled every 20 ms).
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
  --duration 2 | grep -E '^(outcomes|PASS|FAIL)'
claim() { # URL PERSON -> status
  curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $("$BIN/claimctl" token --person "$2")" \
    "$1/v1/pools/$POOL/claims"
}
for g in "${GW[@]}"; do
  [ "$(claim "$g" "probe-${g##*:}")" = 409 ] || { echo "$g does not answer sold_out" >&2; exit 1; }
  hits=$(curl -s "$g/metrics" | awk '/^claimgate_sold_out_short_circuit_total/ {print $2}')
  echo "   $g answers sold_out (short-circuited so far: ${hits:-0})"
done
# Tokens first, so the polling loop measures the gateways and not the token minting.
declare -A TOKENS
for g in "${GW[@]}"; do
  for i in $(seq 0 99); do TOKENS["$g-$i"]=$("$BIN/claimctl" token --person "after-${g##*:}-$i"); done
done
"$BIN/claimctl" reset "$POOL" --quota 100 --redis "$R" --now "$NOW" >/dev/null 2>&1
reset_at=$(date +%s%N)
worst=0
for g in "${GW[@]}"; do
  seen=""
  for i in $(seq 0 99); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer ${TOKENS["$g-$i"]}" \
      "$g/v1/pools/$POOL/claims")
    if [ "$code" = 201 ]; then seen=$(( ($(date +%s%N) - reset_at) / 1000000 )); break; fi
    sleep 0.02
  done
  [ -n "$seen" ] || { echo "$g never saw the restock" >&2; exit 1; }
  echo "   $g granted again $seen ms after the reset"
  [ "$seen" -gt "$worst" ] && worst=$seen
done
"$BIN/claimctl" audit --redis "$R" | tail -1
[ "$worst" -le 1000 ] || { echo "a gateway took $worst ms (> 1 s) to see the restock" >&2; exit 1; }
echo "CLUSTER many-gateways: PASS; $N gateways, the restock reached the slowest in $worst ms (<= 1000)"
