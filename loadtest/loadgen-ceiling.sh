#!/usr/bin/env bash
# Is claimload fast enough not to be the bottleneck? claimload and wrk against the same nginx
# static `return 200` (one worker), same connections and duration, alternated ROUNDS times
# (default 3); prints both medians and the ratio (target: claimload >= 0.9 x wrk). And
# claimload --workers 4 (four processes started at one instant, histograms merged) beside one
# claimload: coordinating must cost nothing that shows (target: >= 0.95 x one worker).
# nginx runs on core 0 and every client (wrk, claimload and its workers) on core 1: on two
# cores, client processes that float compete with the server for its core, and four of them
# then measure the scheduler (0.66x unpinned), not the load generator.
#
#   loadtest/loadgen-ceiling.sh [ROUNDS] [CONNECTIONS=64] [SECONDS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
ROUNDS=${1:-3} C=${2:-64} S=${3:-5}
bench_setup nginx-light wrk
PORT=$(free_port)
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log stderr;
pid $WORK/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$PORT reuseport; location / { return 200 "ok"; } }
}
CONF
taskset -c 0 nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/out" &
NGINX_PID=$!
trap 'kill "$NGINX_PID" 2>/dev/null; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && break; sleep 0.05; done
WRK=() CL=() CL4=()
for r in $(seq "$ROUNDS"); do
  w=$(taskset -c 1 wrk -t1 -c"$C" -d"${S}s" "http://127.0.0.1:$PORT/static" | awk '/Requests\/sec/ {printf "%.0f", $2}')
  c=$(taskset -c 1 "$BIN/claimload" --scenario get --path /static --url "http://127.0.0.1:$PORT" --connections "$C" \
    --duration "$S" | grep -o '= [0-9]* req/s' | grep -o '[0-9]*')
  c4=$(taskset -c 1 "$BIN/claimload" --scenario get --path /static --url "http://127.0.0.1:$PORT" --connections "$C" \
    --duration "$S" --workers 4 | grep -o '= [0-9]* req/s' | grep -o '[0-9]*')
  WRK+=("$w") CL+=("$c") CL4+=("$c4")
  echo "round $r: wrk $w/s, claimload $c/s, claimload --workers 4 $c4/s" >&2
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mw=$(median "${WRK[@]}") mc=$(median "${CL[@]}") mc4=$(median "${CL4[@]}")
echo "| load generator on nginx static (c=$C, ${S}s, medians of $ROUNDS) | requests/s | vs wrk |"
echo "|---|---:|---:|"
echo "| wrk -t1 | $mw | 1.00x |"
echo "| claimload (one thread, epoll) | $mc | $(awk -v a="$mc" -v b="$mw" 'BEGIN {printf "%.2fx", a / b}') |"
echo "| claimload --workers 4 (processes, merged) | $mc4 | $(awk -v a="$mc4" -v b="$mw" 'BEGIN {printf "%.2fx", a / b}') ($(awk -v a="$mc4" -v b="$mc" 'BEGIN {printf "%.2fx", a / b}') one claimload) |"
