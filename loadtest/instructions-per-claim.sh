#!/usr/bin/env bash
# Instructions per claim in claimgate, counted by valgrind's callgrind (stable under the
# machine's noise, unlike timings): the gateway runs under callgrind while claimload sends
# N1 and then N2 claims from new people (stock available); the difference of the two totals
# divided by N2 - N1 removes start-up and shutdown. Once with metrics, once without.
# With "sold-out" as the third argument the pool has no stock: after the first answer from
# Redis the gateway answers sold_out itself, so this counts the sold-out storm's answers.
# Usage: loadtest/instructions-per-claim.sh [N1=1000] [N2=4000] [granted|sold-out]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
N1=${1:-1000}
N2=${2:-4000}
CASE=${3:-granted}
QUOTA=1000000000
[ "$CASE" = sold-out ] && QUOTA=0
ensure_packages redis-server redis-tools libhiredis-dev curl valgrind
swift build -c release >/dev/null
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d /tmp/claimgate-callgrind.XXXXXX)
# Valgrind 3.19 cannot read the DWARF 5 that Swift 6 emits: count a copy without debug info.
objcopy --strip-debug "$BIN/claimgate" "$WORK/claimgate"
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
"$BIN/claimctl" open comprehensive-10 --quota "$QUOTA" --redis "$R" --now "$NOW" >/dev/null 2>&1
total() { # $1: gateway flags, $2: claims, $3: run id (new people each run) -> instructions of the gateway
  local port out
  port=$(free_port)
  out="$WORK/callgrind.$RANDOM"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$WORK/claimgate" serve --threads 1 --listen "127.0.0.1:$port" \
    --redis "$R" --now "$NOW" $1 2>/dev/null &
  GATEWAY_PID=$!
  for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done
  "$BIN/claimload" --url "http://127.0.0.1:$port" --redis "$R" --pool comprehensive-10 --users 100000000 \
    --repeat-share 0 --connections 8 --duration 300 --requests "$2" --person-prefix "r$3-" >/dev/null
  kill -TERM "$GATEWAY_PID"; wait "$GATEWAY_PID" 2>/dev/null || true; GATEWAY_PID=""
  grep -E "^(summary|totals):" "$out" | tail -1 | awk '{print $2}'
}
run=0
for mode in "" --no-metrics; do
  # Run ids are counted here, not inside $(...), whose subshell would forget them.
  run=$((run + 2))
  a=$(total "$mode" "$N1" "$run-a"); b=$(total "$mode" "$N2" "$run-b")
  echo "$CASE, metrics ${mode:-on}: $a instructions for $N1 claims, $b for $N2: $(( (b - a) / (N2 - N1) )) per claim"
done
