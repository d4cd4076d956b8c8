#!/usr/bin/env bash
# Out of descriptors: a gateway started with `ulimit -n 128` gets 200 idle connections, more
# than it can hold. It must not spin on a listener it cannot accept from: over 3 s it uses
# under a tenth of a core and logs a bounded number of lines (once per second), counts the
# pauses in claimgate_accept_paused_total, and serves a new client as soon as the idle
# connections are gone.
#
#   loadtest/chaos/descriptors.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/../.."
source loadtest/chaos/lib.sh
chaos_setup
durable_redis always
load_programme comprehensive-50 100
URL="http://127.0.0.1:$GP"
( ulimit -n 128; exec "$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" --threads 1 \
    --person-rate 0 ) 2>"$WORK/gateway.log" &
GATEWAY_PID=$!
wait_http "$URL/healthz"
# 200 idle connections, held for 4 s by a helper that shares nothing with the gateway.
python3 - "$GP" 200 4 <<'PY' &
import socket, sys, time
port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
conns = []
for _ in range(n):
    s = socket.socket(); s.setblocking(False)
    try: s.connect(("127.0.0.1", port))
    except BlockingIOError: pass
    conns.append(s)
time.sleep(hold)
PY
HOLDER=$!
sleep 0.5
ticks() { awk '{print $14 + $15}' "/proc/$GATEWAY_PID/stat"; }
lines_before=$(wc -l <"$WORK/gateway.log")
t0=$(ticks)
sleep 3
t1=$(ticks)
lines=$(( $(wc -l <"$WORK/gateway.log") - lines_before ))
hz=$(getconf CLK_TCK)
cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN {printf "%.2f", d / hz / 3}')
wait "$HOLDER"
served=""
for i in $(seq 40); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$URL/healthz")" = 200 ]; then served=$((i * 50)); break; fi
  sleep 0.05
done
paused=$(curl -s "$URL/metrics" | awk '/^claimgate_accept_paused_total/ {print $2}')
echo "== 200 idle connections at ulimit -n 128: gateway CPU ${cpu} cores over 3 s, ${lines} log lines, accept paused ${paused:-?} times; after they left, served within ${served:-never} ms"
grep -m1 'descriptors' "$WORK/gateway.log" | cut -c1-200 || true
if awk -v c="$cpu" 'BEGIN {exit !(c < 0.1)}' && [ "$lines" -le 10 ] && [ -n "$served" ] && [ "${paused:-0}" != 0 ]; then
  echo "CHAOS descriptors: PASS"
  exit 0
fi
echo "CHAOS descriptors: FAIL (CPU ${cpu}, ${lines} log lines, paused ${paused:-none}, served ${served:-never})" >&2
exit 1
