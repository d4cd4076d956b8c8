#!/usr/bin/env bash
# The gateway killed with SIGKILL mid-spike and started again on the same port. Claims whose
# answers were lost are sent again with the same Idempotency-Key (claimload --resend-lost):
# each gets its voucher (a replay) or a clean refusal, never a second voucher (the verdict
# checks that nobody holds more vouchers than claims they made, against Redis).
#
#   loadtest/chaos/gateway-kill.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/chaos/lib.sh
chaos_setup
durable_redis always
load_programme comprehensive-50 100000
start_gateway
spike_in_background comprehensive-50 8
for at in 2 4; do
  sleep 2
  echo "== SIGKILL the gateway (${at} s)"
  kill_gateway
  sleep 0.3
  start_gateway
done
finish gateway-kill
grep -o 'lost answers sent again [0-9]*' "$WORK/claimload.out" || true
