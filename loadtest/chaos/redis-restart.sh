#!/usr/bin/env bash
# Redis loses its script cache mid-load, two ways: SCRIPT FLUSH, then a graceful restart
# (SHUTDOWN, AOF kept). The gateway must not crash, must load its scripts again (NOSCRIPT ->
# EVAL), and claimload's verdict must still PASS.
#
#   loadtest/chaos/redis-restart.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/chaos/lib.sh
begin_spike comprehensive-50 100000 8
sleep 2
echo "== SCRIPT FLUSH at 2 s"
redis-cli -p "$RP" script flush >/dev/null
sleep 2
echo "== SHUTDOWN at 4 s, restart"
redis-cli -p "$RP" shutdown >/dev/null 2>&1 || true
wait "$REDIS_PID" 2>/dev/null || true
durable_redis always
finish redis-restart
