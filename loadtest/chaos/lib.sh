# Shared by loadtest/chaos/*.sh: a build, a work folder, a durable Redis (deploy/redis/redis.conf)
# that can be killed and restarted from its AOF on the same port, a gateway process that can
# be killed and restarted on the same port, and the closing audit. Sourced.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
CHAOS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

CONFIG=release
[ "${1:-}" = "--debug" ] && CONFIG=debug
NOW=${NOW:-2022-06-10T10:00:00+08:00}
GATEWAY_PID="" REDIS_PID=""

chaos_setup() {
  ensure_packages redis-server redis-tools libhiredis-dev curl
  for p in claimgate claimctl claimload; do swift build -c "$CONFIG" --product "$p" >/dev/null; done
  BIN=$(swift build -c "$CONFIG" --show-bin-path)
  WORK=$(mktemp -d /tmp/claimgate-chaos.XXXXXX)
  trap chaos_cleanup EXIT
  fresh_secrets
  RP=$(free_port)
  R="redis://127.0.0.1:$RP"
  GP=$(free_port)
}

chaos_cleanup() {
  exec 2>/dev/null  # no "Killed" notices for the background processes stopped here
  [ -n "$GATEWAY_PID" ] && kill -9 "$GATEWAY_PID" 2>/dev/null || true
  [ -n "$REDIS_PID" ] && kill -9 "$REDIS_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

# durable_redis [always|everysec|off]: Redis with the shipped config (data in $WORK, port
# $RP), started or restarted from what is on disk; `off` turns the AOF off (for comparison).
durable_redis() {
  local mode=${1:-always} fsync=()
  if [ "$mode" = off ]; then fsync=(--appendonly no); else fsync=(--appendfsync "$mode"); fi
  redis-server "$REDIS_CONF" --port "$RP" --bind 127.0.0.1 --dir "$WORK" \
    "${fsync[@]}" --logfile "$WORK/redis.log" &
  REDIS_PID=$!
  wait_redis "$RP" && return 0
  echo "redis did not start; see $WORK/redis.log" >&2
  tail -5 "$WORK/redis.log" >&2
  return 1
}

kill_redis() { { kill -9 "$REDIS_PID"; wait "$REDIS_PID"; } 2>/dev/null || true; REDIS_PID=""; }

start_gateway() {
  "$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" --person-rate 0 "$@" \
    2>>"$WORK/gateway.log" &
  GATEWAY_PID=$!
  wait_http "http://127.0.0.1:$GP/healthz"
}

kill_gateway() { { kill -9 "$GATEWAY_PID"; wait "$GATEWAY_PID"; } 2>/dev/null || true; GATEWAY_PID=""; }

# load_programme POOL QUOTA: the seed, and POOL's window at $NOW released with QUOTA.
load_programme() {
  "$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
  "$BIN/claimctl" open "$1" --quota "$2" --redis "$R" --now "$NOW" >/dev/null 2>&1
}

# spike_in_background POOL SECONDS: claimload with idempotency keys and resends of lost
# answers, output to $WORK/claimload.out; sets LOAD_PID.
spike_in_background() {
  "$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool "$1" --users 200000 --repeat-share 0.05 \
    --connections 32 --duration "$2" --idempotency-keys --resend-lost 5 --history "$WORK/history.jsonl" \
    >"$WORK/claimload.out" 2>&1 &
  LOAD_PID=$!
}

# begin_spike POOL QUOTA SECONDS: the usual start of a chaos run: work folder, durable Redis,
# the programme with POOL released with QUOTA, a gateway, and the spike in the background.
begin_spike() {
  chaos_setup
  durable_redis always
  load_programme "$1" "$2"
  start_gateway
  spike_in_background "$1" "$3"
}

# history_check [HISTORY...]: scripts/history-check.py on claimload's history (default
# $WORK/history.jsonl) and Redis; prints its line; its exit status.
history_check() {
  python3 -c "import redis" 2>/dev/null || python3 -m pip install -q redis 2>/dev/null \
    || python3 -m pip install -q --break-system-packages redis >/dev/null 2>&1
  scripts/history-check.py --redis "$R" "${@:-$WORK/history.jsonl}"
}

# finish NAME: waits for claimload, audits, checks the history independently, prints the run
# and one summary line; exit status 0 only if the verdict passed, the audit is clean and the
# history check passed.
finish() {
  local name=$1 load_status=0 audit_status=0 history_status=0
  wait "$LOAD_PID" || load_status=$?
  cat "$WORK/claimload.out"
  "$BIN/claimctl" audit --redis "$R" >"$WORK/audit.out" 2>&1 || audit_status=$?
  tail -3 "$WORK/audit.out"
  history_check || history_status=$?
  local acked
  acked=$(grep -o 'vouchers granted to this run [0-9]*' "$WORK/claimload.out" | grep -o '[0-9]*$' || echo "?")
  if [ "$load_status" -eq 0 ] && [ "$audit_status" -eq 0 ] && [ "$history_status" -eq 0 ]; then
    echo "CHAOS $name: PASS; acknowledged $acked, all found in Redis, none twice; audit clean; history checked"
    return 0
  fi
  echo "CHAOS $name: FAIL (claimload $load_status, audit $audit_status, history $history_status); see above" >&2
  return 1
}
