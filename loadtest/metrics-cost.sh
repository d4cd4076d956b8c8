#!/usr/bin/env bash
# What /metrics costs the claim path: the same claim load against claimgate with metrics on
# and with --no-metrics, alternated 3 times in one run; prints each run and the medians.
# Usage: loadtest/metrics-cost.sh [connections=64] [seconds=8]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
C=${1:-64}
S=${2:-8}
ensure_packages redis-server redis-tools libhiredis-dev curl
swift build -c release >/dev/null
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d /tmp/claimgate-metrics.XXXXXX)
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
export CLAIMGATE_TOKEN_SECRET
CLAIMGATE_TOKEN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
NOW=2022-06-10T10:00:00+08:00
"$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
"$BIN/claimctl" open comprehensive-10 --quota 1000000000 --redis "$R" --now "$NOW" >/dev/null 2>&1
run() { # $1: extra gateway flag; $2: seed for distinct people per run
  local port
  port=$(free_port)
  "$BIN/claimgate" serve --threads 1 --listen "127.0.0.1:$port" --redis "$R" --now "$NOW" $1 2>/dev/null &
  GATEWAY_PID=$!
  wait_http "http://127.0.0.1:$port/healthz"
  "$BIN/claimload" --url "http://127.0.0.1:$port" --redis "$R" --pool comprehensive-10 --users 100000000 \
    --repeat-share 0 --connections "$C" --duration "$S" --person-prefix "r$2-" | grep -E "^claims:" | sed -E 's/.*= ([0-9]+) req\/s.*/\1/'
  kill "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true; GATEWAY_PID=""
}
run "" 0 >/dev/null  # warm-up: Redis's hashes and the page cache, not counted
on=(); off=()
for i in 1 2 3; do
  on+=("$(run "" "$i")"); off+=("$(run --no-metrics "$((i + 100))")")
  echo "run $i: metrics on ${on[-1]} claims/s, off ${off[-1]} claims/s"
done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
MON=$(median "${on[@]}"); MOFF=$(median "${off[@]}")
echo "median: on $MON, off $MOFF, on/off $(awk -v a="$MON" -v b="$MOFF" 'BEGIN { printf "%.3f", a / b }')"
