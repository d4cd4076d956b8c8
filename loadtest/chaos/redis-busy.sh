#!/usr/bin/env bash
# Redis busy with one long script (1.5 s, twice) mid-spike, against a gateway whose Redis
# timeout is 300 ms: claims already sent when the timeout fires may still be granted when Redis
# wakes, so they must be answered 504 outcome_unknown, never 503 "nothing granted". Two loads
# run side by side: one with Idempotency-Keys that sends each 504 again with its key (answered
# as the first attempt went), one without keys that leaves each 504 to the verdict, which
# resolves every unknown outcome from Redis. Both verdicts pass and the audit is clean.
#
#   loadtest/chaos/redis-busy.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/chaos/lib.sh
chaos_setup
durable_redis always
load_programme comprehensive-50 100000
start_gateway --redis-timeout-ms 300
load() {  # PREFIX EXTRA...: claimload for 6 s into $WORK/PREFIX.out
  local prefix=$1
  shift
  "$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool comprehensive-50 --users 200000 \
    --repeat-share 0.05 --connections 16 --duration 6 --person-prefix "$prefix-" --history "$WORK/$prefix.jsonl" "$@" \
    >"$WORK/$prefix.out" 2>&1
}
load keyed --idempotency-keys --resend-lost 5 &
KEYED=$!
load keyless &
KEYLESS=$!
BUSY='local t = redis.call("TIME") local s = t[1] * 1000000 + t[2]
repeat t = redis.call("TIME") until t[1] * 1000000 + t[2] - s > 1500000 return 1'
for at in 1.5 3.5; do
  sleep 2
  echo "== Redis busy for 1.5 s (one script) at ${at} s"
  redis-cli -p "$RP" EVAL "$BUSY" 0 >/dev/null
done
keyed_status=0 keyless_status=0 audit_status=0
wait "$KEYED" || keyed_status=$?
wait "$KEYLESS" || keyless_status=$?
for prefix in keyed keyless; do
  echo "-- $prefix"
  grep '^outcomes\|^PASS\|^FAIL' "$WORK/$prefix.out"
done
"$BIN/claimctl" audit --redis "$R" >"$WORK/audit.out" 2>&1 || audit_status=$?
tail -1 "$WORK/audit.out"
history_status=0
history_check "$WORK/keyed.jsonl" "$WORK/keyless.jsonl" || history_status=$?
unknown=$(grep -o 'outcome_unknown=[0-9]*' "$WORK/keyless.out" | grep -o '[0-9]*$' || echo 0)
resolved=$(grep -o 'unknown outcomes [0-9]* resolved from Redis: granted [0-9]*, not granted [0-9]*' "$WORK/keyless.out" \
  || echo "no unknown outcomes")
unavailable=$(grep -ho 'redis_unavailable=[0-9]*' "$WORK"/keyed.out "$WORK"/keyless.out | grep -o '[0-9]*$' | paste -sd+ | bc || echo 0)
if [ "$keyed_status" -eq 0 ] && [ "$keyless_status" -eq 0 ] && [ "$audit_status" -eq 0 ] && [ "$history_status" -eq 0 ] \
  && [ "${unknown:-0}" -gt 0 ]; then
  echo "CHAOS redis-busy: PASS; 504 outcome_unknown $unknown without keys ($resolved), 503 ${unavailable:-0}; keyed 504s resent and replayed; audit clean"
  exit 0
fi
echo "CHAOS redis-busy: FAIL (claimload $keyed_status/$keyless_status, audit $audit_status, history $history_status, 504s $unknown); see above" >&2
exit 1
