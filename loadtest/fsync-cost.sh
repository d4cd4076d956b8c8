#!/usr/bin/env bash
# What Redis's durability setting does to claims with stock, for claimgate and the OpenResty peer
# alike, side by side in one sitting: the same Redis with the shipped configuration
# (`appendfsync always`: every reply waits for the fsync that keeps a grant on disk), with
# `appendfsync no` (the AOF written, fsynced by the kernel when it likes), and with no AOF at all
# (`appendonly no`, as ../shared/anchors/run-anchors.sh runs Redis for the anchors). Per setting
# and run: claimgate (2 loops) with development HS256 tokens and with ES256 tokens (a new person
# each), and the peer (2 workers), wrk -t1 -c64 (FSYNC_CONNECTIONS) for SECONDS each; claims/s, Redis's CPU per
# claim, claimgate's claims per claim.lua call. Prints a markdown table of medians.
# FSYNC_CONNECTIONS (default 64) sets wrk's connections, FSYNC_MODES (default "always no off")
# the settings measured.
#   loadtest/fsync-cost.sh [seconds=8] [runs=3]
# Loopback only; each run is bounded (SECONDS of load).
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
S=${1:-8}
RUNS=${2:-3}
C=${FSYNC_CONNECTIONS:-64}
bench_setup nginx-light libnginx-mod-http-lua lua-nginx-redis wrk python3
ulimit -n 65536 2>/dev/null || true
bench_redis
RPORT=${R##*:}
trap 'stop_nginx; bench_cleanup' EXIT

PER_RUN=$((S * 25000))  # ES256 new people run at about 22,000/s here
"$BIN/claimctl" token --person e --count $((PER_RUN * RUNS * 3)) > "$WORK/tokens-es"
export CLAIMGATE_TOKEN_SECRET
CLAIMGATE_TOKEN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$BIN/claimctl" token --dev-hs256 --person h --count $((S * 110000)) > "$WORK/tokens-hs"
SHA=$(redis-cli -p "$RPORT" script load "$(cat Sources/ClaimRedis/Scripts/claim.lua)")
redis_ticks() { awk '{print $14 + $15}' "/proc/$REDIS_PID/stat"; }
HZ=$(getconf CLK_TCK)
# per_claim TICKS REQUESTS: microseconds of Redis CPU per claim.
per_claim() { awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }'; }
requests() { grep -m1 "requests in" "$1" | awk '{print $1}'; }

DAY=0
PEER_USERS=0
ES_OFFSET=0
# set_durability always|no|off: the Redis's AOF setting, on a fresh programme.
set_durability() {
  if [ "$1" = off ]; then
    redis-cli -p "$RPORT" config set appendonly no >/dev/null
  else
    redis-cli -p "$RPORT" config set appendonly yes >/dev/null
    redis-cli -p "$RPORT" config set appendfsync "$1" >/dev/null
  fi
}
fresh_state() {
  redis-cli -p "$RPORT" flushall >/dev/null
  # Turning the AOF on rewrites it in the background: let that finish before measuring.
  while [ "$(redis-cli -p "$RPORT" info persistence | tr -d '\r' | sed -n 's/^aof_rewrite_in_progress://p')" = 1 ]; do
    sleep 0.1
  done
  "$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
  open_pool comprehensive-10 1000000000  # the peer's window
}
# gateway_run NAME TOKENS [claimgate flags]: claims with stock in a day's window of their own.
gateway_run() {
  local name=$1 tokens=$2 now b a
  shift 2
  fresh_state
  now="$(date -u -d "2022-06-11 +$DAY day" +%Y-%m-%d)T10:00:00+08:00"
  DAY=$((DAY + 1))
  NOW=$now open_pool specialty-15 1000000000
  NOW=$now start_gateway -- --threads 2 "$@"
  b=$(redis_ticks)
  CLAIM_POOL=specialty-15 CLAIM_TOKENS="$tokens" wrk -t1 -c"$C" -d"${S}s" -s loadtest/wrk/claims-with-tokens.lua \
    "http://127.0.0.1:$GP" > "$WORK/$name"
  a=$(redis_ticks)
  echo "$(per_claim $((a - b)) "$(requests "$WORK/$name")")" > "$WORK/$name.redis"
  curl -s "http://127.0.0.1:$GP/metrics" | awk '/^claimgate_redis_claims_per_call_sum/ { s = $2 }
    /^claimgate_redis_claims_per_call_count/ { c = $2 } END { printf "%.1f\n", c ? s / c : 0 }' > "$WORK/$name.calls"
  stop_gateway
}
peer_run() {
  local name=$1 b a
  fresh_state
  start_peer 2
  PEER_USERS=$((PEER_USERS + 100000000))
  b=$(redis_ticks)
  PEER_USER_BASE=$PEER_USERS wrk -t1 -c"$C" -d"${S}s" -s loadtest/wrk/peer-claims.lua "$PEER/v1/claims" > "$WORK/$name"
  a=$(redis_ticks)
  echo "$(per_claim $((a - b)) "$(requests "$WORK/$name")")" > "$WORK/$name.redis"
  stop_nginx
}

echo "| Redis durability | claimgate HS256 claims/s (Redis us/claim, claims/call) | claimgate ES256 | OpenResty peer (Redis us/claim) | HS256 / peer | ES256 / peer |"
echo "|---|---|---|---|---|---|"
for mode in ${FSYNC_MODES:-always no off}; do
  HS=(); ES=(); PR=(); HSR=(); ESR=(); PRR=(); HSC=(); ESC=()
  for run in $(seq "$RUNS"); do
    set_durability "$mode"
    gateway_run "hs.$mode.$run" "$WORK/tokens-hs" --dev-hs256
    # Each ES256 run takes fresh people: a token met before would be a retry, not a new person.
    sed -n "$((ES_OFFSET + 1)),$((ES_OFFSET + PER_RUN))p" "$WORK/tokens-es" > "$WORK/tokens-es.run"
    ES_OFFSET=$((ES_OFFSET + PER_RUN))
    gateway_run "es.$mode.$run" "$WORK/tokens-es.run"
    peer_run "peer.$mode.$run"
    HS+=("$(rps "$WORK/hs.$mode.$run")"); HSR+=("$(cat "$WORK/hs.$mode.$run.redis")"); HSC+=("$(cat "$WORK/hs.$mode.$run.calls")")
    ES+=("$(rps "$WORK/es.$mode.$run")"); ESR+=("$(cat "$WORK/es.$mode.$run.redis")"); ESC+=("$(cat "$WORK/es.$mode.$run.calls")")
    PR+=("$(rps "$WORK/peer.$mode.$run")"); PRR+=("$(cat "$WORK/peer.$mode.$run.redis")")
    echo "$mode run $run: HS256 ${HS[-1]} (${HSR[-1]} us, ${HSC[-1]}/call), ES256 ${ES[-1]} (${ESR[-1]} us, ${ESC[-1]}/call), peer ${PR[-1]} (${PRR[-1]} us)" >&2
  done
  label=$mode
  case $mode in
    always) label="appendfsync always (shipped)" ;;
    no) label="appendfsync no" ;;
    off) label="no AOF (as the anchors)" ;;
  esac
  h=$(median "${HS[@]}"); e=$(median "${ES[@]}"); p=$(median "${PR[@]}")
  echo "| $label | $h ($(median "${HSR[@]}") us, $(median "${HSC[@]}")) | $e ($(median "${ESR[@]}") us, $(median "${ESC[@]}")) | $p ($(median "${PRR[@]}") us) | $(awk -v a="$h" -v b="$p" 'BEGIN { printf "%.2f", a / b }')x | $(awk -v a="$e" -v b="$p" 'BEGIN { printf "%.2f", a / b }')x |"
done
# The Redis is thrown away with the AOF off: turned on again, its first rewrite would refuse the
# SIGTERM that stops it ("Writing initial AOF, can't exit").
