#!/usr/bin/env bash
# Sets up and runs ClaimGate on a local Redis it starts itself:
#   installs what is missing, builds, starts redis-server on a free loopback port (data in a
#   temp folder), loads the seed programme, starts the gateway with its clock a few seconds
#   before the 2022-06-10 10:00 release, replays the release day with claimload (claims on
#   every pool across 10:00, when each window opens by itself; in-store QR codes; merchants
#   redeeming a share), audits, and leaves the gateway running (Ctrl-C stops everything).
#
# Usage: scripts/demo.sh [--check] [--serve-only] [--debug] [--port N] [--now ISO-8601]
#   --check       run the spike and audit, then stop (exit code = verdict); used by the tests
#   --serve-only  skip the spike: set up and serve
#   --debug       debug build (faster to build, slower to run)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

MODE=serve-after-spike CONFIG=release PORT="" NOW="2022-06-10T09:59:55+08:00"
while [ $# -gt 0 ]; do
  case "$1" in
    --check) MODE=check ;;
    --serve-only) MODE=serve ;;
    --debug) CONFIG=debug ;;
    --port) PORT=$2; shift ;;
    --now) NOW=$2; shift ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done

ensure_packages redis-server redis-tools libhiredis-dev curl
echo "== building ($CONFIG)"
swift build -c "$CONFIG" --product claimgate >/dev/null
swift build -c "$CONFIG" --product claimctl >/dev/null
swift build -c "$CONFIG" --product claimload >/dev/null
BIN=$(swift build -c "$CONFIG" --show-bin-path)

WORK=$(mktemp -d /tmp/claimgate-demo.XXXXXX)
GATEWAY_PID=""
cleanup() {
  [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null && wait "$GATEWAY_PID" 2>/dev/null || true
  [ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

REDIS_PORT=$(free_port)
start_redis "$WORK" "$REDIS_PORT"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
# Fresh secrets for this demo only: the identity provider's and the store QR codes'.
fresh_secrets

echo "== loading the programme (windows open by themselves at their release instant)"
"$BIN/claimctl" load --redis "$REDIS_URL" seeds/shenyang-2022.json

[ -n "$PORT" ] || PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
"$BIN/claimgate" serve --listen "127.0.0.1:$PORT" --redis "$REDIS_URL" --seed seeds/shenyang-2022.json \
  --now "$NOW" 2>"$WORK/claimgate.log" &
GATEWAY_PID=$!
wait_http "$URL/healthz" || { cat "$WORK/claimgate.log" >&2; exit 1; }
echo "== gateway up at $URL (clock $NOW, redis $REDIS_URL)"

if [ "$MODE" != serve ]; then
  echo "== the release day: every pool across 10:00, then merchants redeem 30% of the vouchers"
  "$BIN/claimload" --scenario release-day --url "$URL" --redis "$REDIS_URL" --users 20000 \
    --repeat-share 0.1 --connections 64 --duration 10 --redeem-share 0.3
  echo "== audit"
  "$BIN/claimctl" audit --redis "$REDIS_URL"
  "$BIN/claimctl" stats --redis "$REDIS_URL"
fi
[ "$MODE" = check ] && exit 0

cat <<INFO

ClaimGate is serving at $URL (Ctrl-C stops the gateway and Redis).
  keys:     export CLAIMGATE_TOKEN_KEY=$CLAIMGATE_TOKEN_KEY CLAIMGATE_STORE_QR_KEY=$CLAIMGATE_STORE_QR_KEY
  token:    T=\$($BIN/claimctl token --person alice)
  claim:    curl -s -X POST -H "Authorization: Bearer \$T" $URL/v1/pools/comprehensive-50/claims
  in store: Q=\$($BIN/claimctl store-qr store-gome-zhongjie --day 2022-06-10)
            curl -s -X POST -H "Authorization: Bearer \$T" -d "{\"store_qr\":\"\$Q\"}" $URL/v1/pools/appliance-200/claims
  wallet:   curl -s -H "Authorization: Bearer \$T" $URL/v1/me/vouchers
  pay:      curl -s -X POST -H "Authorization: Bearer \$T" -d '{"voucher":"<an id from the wallet>"}' $URL/v1/me/payment-codes
  progress: curl -s $URL/v1/pools/appliance-200
  operate:  $BIN/claimctl stats --redis $REDIS_URL
INFO
wait "$GATEWAY_PID"
