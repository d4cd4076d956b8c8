# Shared by loadtest/*.sh: a release build, a work folder cleaned on exit, a throwaway Redis
# loaded with the seed, and gateways started and stopped on free loopback ports. Sourced.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"

NOW=${NOW:-2022-06-10T10:00:00+08:00}
GATEWAY_PID=""

# bench_setup PACKAGES...: installs what is missing, builds release; sets BIN and WORK.
bench_setup() {
  ensure_packages redis-server redis-tools libhiredis-dev curl "$@"
  swift build -c release >/dev/null
  BIN=$(swift build -c release --show-bin-path)
  WORK=$(mktemp -d /tmp/claimgate-bench.XXXXXX)
  trap bench_cleanup EXIT
}

bench_cleanup() {
  [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null || true
  [ -n "${REDIS_PID:-}" ] && kill "$REDIS_PID" 2>/dev/null || true
  # A Redis writing its first AOF refuses SIGTERM ("can't exit") and would hold the wait below
  # for good: five seconds, then SIGKILL (the folder is thrown away anyway).
  if [ -n "${REDIS_PID:-}" ]; then
    for _ in $(seq 50); do kill -0 "$REDIS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$REDIS_PID" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

# bench_redis: a fresh Redis with the seed loaded and a fresh token secret; sets R.
bench_redis() {
  local port
  port=$(free_port)
  start_redis "$WORK" "$port"
  R="redis://127.0.0.1:$port"
  fresh_secrets
  "$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
}

# open_pool POOL QUOTA: releases the pool's window current at $NOW with QUOTA vouchers.
open_pool() { "$BIN/claimctl" open "$1" --quota "$2" --redis "$R" --now "$NOW" >/dev/null 2>&1; }

# start_gateway [COMMAND PREFIX...] -- [claimgate serve flags...]: a gateway on a free port;
# sets GP (port) and GATEWAY_PID. A prefix (valgrind ...) runs the binary under it.
start_gateway() {
  local prefix=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do prefix+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  GP=$(free_port)
  "${prefix[@]}" "${GATEWAY_BIN:-$BIN/claimgate}" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" "$@" \
    2>>"$WORK/gateway.log" &
  GATEWAY_PID=$!
  for _ in $(seq 600); do curl -fsS -o /dev/null "http://127.0.0.1:$GP/healthz" 2>/dev/null && return 0; sleep 0.05; done
  echo "gateway did not come up:" >&2
  tail -5 "$WORK/gateway.log" >&2
  return 1
}

stop_gateway() {
  [ -n "$GATEWAY_PID" ] || return 0
  kill -TERM "$GATEWAY_PID" 2>/dev/null || true
  wait "$GATEWAY_PID" 2>/dev/null || true
  GATEWAY_PID=""
}

# evalsha_claims PORT SHA CONNECTIONS CLAIMS_PER_CALL [redis-benchmark flags...]: EVALSHA calls
# per second of claim.lua (SHA) on the Redis at PORT, each with CLAIMS_PER_CALL claims from random
# people in comprehensive-10's window p1 (opened with stock to spare), as the gateway batches them.
evalsha_claims() {
  local port=$1 sha=$2 c=$3 n=$4 claims=() p="cg:{comprehensive-10}:"
  shift 4
  for _ in $(seq "$n"); do claims+=(rb__rand_int__ 1654826400000 1654876800000 "" ""); done
  redis-benchmark -p "$port" -c "$c" -r 100000000 -q --csv "$@" evalsha "$sha" 8 "${p}w:p1" "${p}w:p1:people" \
    "${p}w:p1:idem" "${p}vouchers" "${p}wallet" "${p}buyers" "${p}windows" "${p}pause" comprehensive-10 p1 1 1000 3000 "" "" \
    "${claims[@]}" | tail -1 | cut -d, -f2 | tr -d '"'
}

# spike_row RATE DAY [claimgate flags...]: the 10:00 spike at RATE claims/s, open loop: claimload
# across 10:00 of DAY (specialty-30, stock 5,000, 1,000,000 people, repeat share 0.1, 15 s,
# SPIKE_CONNECTIONS connections, 512 by default), on a gateway of 2 loops. Each claimload
# connection carries one request at a time, so with 64 a request due while all were busy waited
# for one: at 20,000/s the calm seconds' p99 was 1.5 ms with 64 and 0.2 ms with 512, and the
# sell-out second's 9-22 ms with 64 was 6.2-9 ms with 512 (RESULTS.md, fifth session). A city's
# phones are many connections, not 64. Sets SPIKE_ROW (a markdown row: p50/p99/p99.9 before,
# during and after the sell-out, each with its worst single second's p99), SPIKE_WORST (the
# worst phase p99, ms) and SPIKE_VERDICT. SPIKE_LOAD_FLAGS go to claimload (--dev-hs256 with a
# gateway run so); SPIKE_USERS sets the crowd (1,000,000: nine taps in ten from someone new).
# SPIKE_START (09:59:52) and SPIKE_DURATION (15 s) place the run around 10:00. SPIKE_TOKENS: the
# gateway's token checks by result.
spike_row() {
  local rate=$1 day=$2 out row b d a sell answered p999
  shift 2
  "$BIN/claimctl" open specialty-30 --window "$day" --quota 5000 --redis "$R" --now "${day}T09:59:00+08:00" \
    >/dev/null 2>&1
  # claimload signs its people's tokens before its clock starts (a few seconds at 40,000/s):
  # the gateway starts early enough that the run still begins before 10:00.
  NOW=${day}T${SPIKE_START:-09:59:52}+08:00 start_gateway -- --threads 2 "$@"
  out="$WORK/spike.$rate.$day"
  # shellcheck disable=SC2086 # SPIKE_LOAD_FLAGS are flags
  "$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool specialty-30 --users "${SPIKE_USERS:-1000000}" --repeat-share 0.1 \
    --connections "${SPIKE_CONNECTIONS:-512}" --duration "${SPIKE_DURATION:-15}" --rate "$rate" --ramp 1 --person-prefix "spike$rate-$day-" \
    ${SPIKE_LOAD_FLAGS:-} --report "$out" | tee "$out.txt" | tail -4
  # How the gateway's token checks went: verified at a claim, from the cache, or ahead of the
  # opening (TokenCheckWorker).
  SPIKE_TOKENS=$(curl -fsS "http://127.0.0.1:$GP/metrics" | sed -nE 's/^claimgate_token_checks_total\{result="([a-z_]+)"\} ([0-9]+)$/\1 \2/p' |
    tr '\n' ' ')
  stop_gateway
  row=$(python3 - "$out/results.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
secs = d["seconds"]; so = d["sell_out_second"]; phases = {p["name"]: p for p in d["phases"]}
first = phases["during"]["first_second"]
worst = 0.0
def phase(name):
    # Percentiles over every answer of the phase, and the worst single second's p99 beside them.
    global worst
    p = phases[name]
    if not p["answered"]: return "-"
    rows = [s for s in secs[p["first_second"]:p["end_second"]] if s["answered"]]
    worst = max(worst, p["p99_ms"])
    return "p50 %.2f / p99 %.2f / p99.9 %.2f ms (worst second's p99 %.2f)" % (
        p["p50_ms"], p["p99_ms"], p["p999_ms"], max(r["p99_ms"] for r in rows))
answered = sum(s["answered"] for s in secs)
print("%s|%s|%s|%s|%.0f|%.2f" % (phase("before"), phase("during"), phase("after"),
      "-" if so is None or not phases["during"]["answered"] else "%d s" % (so - first + 1),
      answered / max(1, len(secs)), worst))
PY
  )
  IFS='|' read -r b d a sell answered SPIKE_WORST <<< "$row"
  p999=$({ grep -m1 "^latency ms" "$out.txt" || echo "p99.9 -"; } | sed -E 's/.*p99.9 ([0-9.-]+).*/\1/')
  SPIKE_VERDICT=$({ grep -E "^(PASS|FAIL)" "$out.txt" || echo FAIL; } | cut -c1-4)
  SPIKE_ROW="| 10:00 spike, $rate/s open loop | before $b; during $d; after $a; p99.9 $p999 ms; $answered answers/s | p99 <= 10 ms | sold out in $sell; $SPIKE_VERDICT |"
}

# Medians and wrk's rate, for the scripts that compare runs.
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
rps() { grep -m1 "Requests/sec" "$1" | awk '{print $2}'; }

# The OpenResty peer (loadtest/peers/openresty-claim.conf) running claim.lua on Redis ($RPORT,
# script $SHA). A shape is a number of workers, with a p when each is pinned to a CPU of its own
# and a b when each runs under SCHED_BATCH; start_peer SHAPE [pinned] sets NGINX_PID and PEER.
NGINX_PID=""
stop_nginx() { [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null; NGINX_PID=""; }
shape_count() { echo "${1%%[pb]*}"; }
start_peer() { # SHAPE [pinned]
  local port
  port=$(free_port)
  mkdir -p "$WORK/nginx/logs"
  local affinity=""
  [[ $1 == *p* ]] && affinity="worker_cpu_affinity auto;"
  sed -e "s/__WORKERS__/$(shape_count "$1")/" -e "s/__AFFINITY__/$affinity/" -e "s/__PORT__/$port/" \
    loadtest/peers/openresty-claim.conf > "$WORK/nginx/nginx.conf"
  local pin=()
  [ -n "${2:-}" ] && pin=(taskset -c 0)
  CLAIM_SHA=$SHA CLAIM_REDIS_PORT=$RPORT "${pin[@]}" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" \
    2>"$WORK/nginx/out" &
  NGINX_PID=$!
  PEER="http://127.0.0.1:$port"
  local up=""
  for _ in $(seq 100); do curl -fsS -o /dev/null "$PEER/static" 2>/dev/null && up=1 && break; sleep 0.05; done
  if [ -z "$up" ]; then
    echo "the OpenResty peer did not start: $(cat "$WORK/nginx/out")" >&2
    return 1
  fi
  # Every thread of the master and its workers (they are up once a request is answered).
  if [[ $1 == *b* ]]; then
    local pid t
    for pid in $(nginx_pids); do for t in /proc/"$pid"/task/*; do chrt -b -p 0 "${t##*/}"; done; done
  fi
}
nginx_pids() { echo "$NGINX_PID" $(pgrep -P "$NGINX_PID"); }
