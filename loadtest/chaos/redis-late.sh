#!/usr/bin/env bash
# Redis down when the gateway starts: the gateway must start anyway, say "degraded" on
# /healthz, answer claims with a fast 503 + Retry-After (no hang, no queue), and recover by
# itself once Redis comes up, with no restart and nothing lost.
#
#   loadtest/chaos/redis-late.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/chaos/lib.sh
chaos_setup
URL="http://127.0.0.1:$GP"
"$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" --person-rate 0 \
  --seed seeds/shenyang-2022.json 2>>"$WORK/gateway.log" &
GATEWAY_PID=$!
for _ in $(seq 200); do curl -s -o /dev/null "$URL/healthz" && break; sleep 0.05; done
health=$(curl -s -w ' %{http_code}' "$URL/healthz")
echo "== Redis down: /healthz -> $health"
[[ "$health" == *'"degraded"'*' 503' ]] || { echo "expected degraded 503" >&2; exit 1; }
TOKEN=$("$BIN/claimctl" token --person late-1)
claim() {
  curl -s -D "$WORK/headers" -o "$WORK/body" -w '%{http_code} %{time_total}' -X POST \
    -H "Authorization: Bearer $TOKEN" -H "Idempotency-Key: late-1" "$URL/v1/pools/comprehensive-50/claims"
}
read -r code took <<<"$(claim)"
echo "== Redis down: claim -> $code in ${took}s, $(tr -d '\r' <"$WORK/headers" | grep -i '^retry-after' || echo 'no Retry-After'): $(cat "$WORK/body")"
[ "$code" = 503 ] && grep -qi '^retry-after: 1' "$WORK/headers" && awk -v t="$took" 'BEGIN {exit !(t < 0.5)}' \
  || { echo "expected a fast 503 with Retry-After" >&2; exit 1; }
durable_redis always
load_programme comprehensive-50 10
recovered=""
for i in $(seq 60); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ]; then recovered=$((i * 100)); break; fi
  sleep 0.1
done
[ -n "$recovered" ] || { echo "the gateway did not recover within 6 s" >&2; exit 1; }
read -r code took <<<"$(claim)"
echo "== Redis up: healthy again within ${recovered} ms; claim -> $code: $(cat "$WORK/body" | cut -c1-80)..."
[ "$code" = 201 ] || { echo "expected 201 after recovery" >&2; exit 1; }
"$BIN/claimctl" audit --redis "$R" | tail -1
echo "CHAOS redis-late: PASS; degraded and fast 503 while down, recovered in ${recovered} ms, audit clean"
