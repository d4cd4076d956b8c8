#!/usr/bin/env bash
# The test command: installs what is missing, runs the binaries end to end on a throwaway
# Redis (scripts/demo.sh --check), then the whole Swift test suite. The Swift tests start
# their own redis-server on a free loopback port and stop it when they exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_packages redis-server redis-tools libhiredis-dev curl
command -v python3 >/dev/null 2>&1 || ensure_packages python3 python3-pip
# The metrics test reads /metrics with Prometheus's reference parser.
python3 -c "import prometheus_client" 2>/dev/null || python3 -m pip install -q prometheus_client 2>/dev/null \
  || python3 -m pip install -q --break-system-packages prometheus_client
echo "== end to end: claimgate + claimctl + claimload on a local Redis"
scripts/demo.sh --check --debug
echo "== swift test"
swift test 2>&1
