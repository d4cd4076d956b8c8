#!/usr/bin/env bash
# Redis killed with SIGKILL mid-spike and restarted from its AOF (appendfsync always):
# every voucher a client got a 201 (or a replayed 200) for must still be in Redis, and the
# audit must be clean. Claims during the outage get 503s; claimload keeps going.
#
#   loadtest/chaos/redis-kill.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/chaos/lib.sh
begin_spike comprehensive-50 100000 8
sleep 2.5
echo "== SIGKILL redis at 2.5 s (vouchers in Redis so far: $(redis-cli -p "$RP" hlen 'cg:{comprehensive-50}:vouchers'))"
kill_redis
sleep 1
durable_redis always
echo "== redis restarted from its AOF"
finish redis-kill
