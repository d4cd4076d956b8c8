#!/usr/bin/env bash
# Checks a live gateway against docs/openapi.yaml with schemathesis (from PyPI): generated
# and mutated requests on every operation, residents' with a resident token, redemptions'
# with a merchant token. Fails on any 5xx, any response outside the schema, or any
# schema-valid request refused. Seeded, so a failure repeats.
#
#   scripts/api-schema-check.sh [--release] [MAX_EXAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

CONFIG=debug
[ "${1:-}" = "--release" ] && { CONFIG=release; shift; }
EXAMPLES=${1:-100}
ensure_packages redis-server redis-tools libhiredis-dev curl
command -v st >/dev/null 2>&1 || python3 -m pip install -q schemathesis >/dev/null 2>&1 \
  || python3 -m pip install -q --break-system-packages schemathesis
swift build -c "$CONFIG" --product claimgate >/dev/null
swift build -c "$CONFIG" --product claimctl >/dev/null
BIN=$(swift build -c "$CONFIG" --show-bin-path)

WORK=$(mktemp -d /tmp/claimgate-schema.XXXXXX)
GATEWAY_PID=""
cleanup() {
  [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null || true
  [ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
RP=$(free_port)
start_redis "$WORK" "$RP"
R="redis://127.0.0.1:$RP"
fresh_secrets
"$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
GP=$(free_port)
# No per-person rate limit: schemathesis sends one person's requests as fast as it can, and
# 429s would leave the logic behind them untested.
"$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now 2022-06-10T10:00:01+08:00 --person-rate 0 \
  2>"$WORK/gateway.log" &
GATEWAY_PID=$!
wait_http "http://127.0.0.1:$GP/healthz"

RESIDENT=$("$BIN/claimctl" token --person schema-check)
MERCHANT=$("$BIN/claimctl" merchant-token --merchant schema-merchant --categories restaurant,appliance-telecom-electronics)
status=0
run() {
  st run docs/openapi.yaml --url "http://127.0.0.1:$GP" --max-examples "$EXAMPLES" --seed 2022 \
    --report junit --report-dir "$WORK/report" "$@" 2>&1 | grep -vE '^\s*$' | sed -n '/FAILURES\|SUMMARY/,$p'
  return "${PIPESTATUS[0]}"
}
echo "== residents' operations"
run -H "Authorization: Bearer $RESIDENT" --exclude-path-regex '^/v1/redemptions' || status=1
echo "== merchants' operations"
run -H "Authorization: Bearer $MERCHANT" --include-path-regex '^/v1/redemptions' || status=1
if grep -q '"level":"critical"\|fatal' "$WORK/gateway.log"; then
  echo "the gateway logged a crash:" >&2
  cat "$WORK/gateway.log" >&2
  status=1
fi
kill -0 "$GATEWAY_PID" || { echo "the gateway died" >&2; status=1; }
[ "$status" -eq 0 ] && echo "SCHEMA CHECK PASS: no 5xx, no schema violation, no valid request refused"
exit "$status"
