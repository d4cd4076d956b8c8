#!/usr/bin/env bash
# The gateway stopped mid-spike and started again on the same port, twice. Claims whose
# answers were lost are sent again with the same Idempotency-Key (claimload --resend-lost):
# each gets its voucher (a replay) or a clean refusal, never a second voucher (the verdict
# checks that nobody holds more vouchers than claims they made, against Redis).
#
#   loadtest/chaos/gateway-kill.sh [--debug] [KILL|TERM]
# KILL (default): SIGKILL, nothing answered after it. TERM: a graceful stop, which must
# answer what it has read, refuse new connections, and exit 0 within its 2 s drain.
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/chaos/lib.sh
SIGNAL=KILL
for a in "$@"; do case "$a" in KILL | TERM) SIGNAL=$a ;; esac; done
begin_spike comprehensive-50 100000 8
for at in 2 4; do
  sleep 2
  echo "== SIG$SIGNAL the gateway (${at} s)"
  if [ "$SIGNAL" = KILL ]; then
    kill_gateway
  else
    started=$(date +%s%N)
    kill -TERM "$GATEWAY_PID"
    status=0
    wait "$GATEWAY_PID" || status=$?
    took=$(( ($(date +%s%N) - started) / 1000000 ))
    GATEWAY_PID=""
    echo "   exited with status $status after $took ms"
    [ "$status" -eq 0 ] && [ "$took" -lt 3000 ] || { echo "SIGTERM: no clean exit within the drain" >&2; exit 1; }
  fi
  sleep 0.3
  start_gateway
done
finish "gateway-$(echo "$SIGNAL" | tr '[:upper:]' '[:lower:]')"
grep -o 'lost answers sent again [0-9]*' "$WORK/claimload.out" || true
