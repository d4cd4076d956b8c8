#!/usr/bin/env bash
# Faults between the gateway and Redis, across a network: Redis, the gateway and the load
# generator each in a network namespace of their own (root needed; iproute2 and nftables),
# joined by veth pairs on 198.18.0.0/15 (RFC 2544's benchmark range):
#
#   cg-load 198.18.1.2 --veth-- 198.18.1.1 cg-gw 198.18.0.1 --veth-- 198.18.0.2 cg-redis
#
# (cg-gw forwards, so claimload's verdict and the history checker reach Redis too). This kernel
# has no netem (../shared/notes/network-faults.md): loss and partitions are nftables rules in
# cg-redis, delay comes from loadtest/net/delay-proxy.py in front of Redis. For each fault, one
# bounded spike (claimload, 8 s, keys and resends of lost answers) with the fault in seconds 2-7:
#
#   delay      20 ms each way between gateway and Redis (the gateway talks to the proxy)
#   loss       2% of the packets to Redis dropped
#   partition  every packet to Redis dropped for 5 s
#   freeze     Redis stopped with SIGSTOP for 5 s
#   slow-reader  20 clients pipelining requests and reading their answers at 2 KB/s
#
# With --cluster, Redis is a cluster in its namespace (3 masters + 3 replicas, ports 7001-7006,
# the gateway with --wait-replicas 1), loss and the partition cover every node, the freeze stops
# the master serving the pool (a failover follows), and the delay is left out (the cluster's
# redirections name the nodes themselves, past any proxy).
#
# and reports what residents were told (outcomes), acknowledged / found / lost / duplicated and
# the unknown outcomes resolved (scripts/history-check.py, independent of the gateway), and the
# time from the fault's end to the next 201 (a probe claiming every 20 ms). Exit 1 if any
# verdict or history check fails. Everything it creates is removed on exit.
#
#   loadtest/net/faults.sh [--debug] [--cluster] [FAULT...]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/common.sh
CONFIG=release
FAULTS=()
CLUSTER=0
for a in "$@"; do
  case "$a" in
    --debug) CONFIG=debug ;;
    --cluster) CLUSTER=1 ;;
    delay | loss | partition | freeze | slow-reader) FAULTS+=("$a") ;;
    *) echo "unknown argument $a (see the header of $0)" >&2; exit 2 ;;
  esac
done
if [ ${#FAULTS[@]} -eq 0 ]; then
  FAULTS=(delay loss partition freeze slow-reader)
  [ "$CLUSTER" = 1 ] && FAULTS=(loss partition freeze slow-reader)
fi
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
ensure_packages redis-server redis-tools libhiredis-dev curl iproute2 nftables
python3 -c "import redis" 2>/dev/null || python3 -m pip install -q redis 2>/dev/null \
  || python3 -m pip install -q --break-system-packages redis >/dev/null 2>&1
for p in claimgate claimctl claimload; do swift build -c "$CONFIG" --product "$p" >/dev/null; done
BIN=$(swift build -c "$CONFIG" --show-bin-path)
WORK=$(mktemp -d /tmp/claimgate-net.XXXXXX)
chmod 755 "$WORK"
NS_LOAD=cg-load-$$ NS_GW=cg-gw-$$ NS_REDIS=cg-redis-$$
GATEWAY_PID="" REDIS_PID="" PROXY_PID="" NODE_PIDS=()
NOW=2022-06-10T10:00:00+08:00
POOL=comprehensive-50

cleanup() {
  exec 2>/dev/null
  [ -n "$REDIS_PID" ] && kill -CONT "$REDIS_PID"
  for pid in $GATEWAY_PID $PROXY_PID $REDIS_PID "${NODE_PIDS[@]}"; do kill -9 "$pid" || true; done
  wait || true
  for ns in $NS_LOAD $NS_GW $NS_REDIS; do ip netns del "$ns" || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

echo "== namespaces: $NS_LOAD -- $NS_GW -- $NS_REDIS"
for ns in $NS_LOAD $NS_GW $NS_REDIS; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
ip link add "cgr$$" type veth peer name "cgR$$"
ip link set "cgr$$" netns "$NS_GW"
ip link set "cgR$$" netns "$NS_REDIS"
ip link add "cgl$$" type veth peer name "cgL$$"
ip link set "cgl$$" netns "$NS_GW"
ip link set "cgL$$" netns "$NS_LOAD"
in_ns "$NS_GW" ip addr add 198.18.0.1/30 dev "cgr$$"
in_ns "$NS_REDIS" ip addr add 198.18.0.2/30 dev "cgR$$"
in_ns "$NS_GW" ip addr add 198.18.1.1/30 dev "cgl$$"
in_ns "$NS_LOAD" ip addr add 198.18.1.2/30 dev "cgL$$"
for l in "$NS_GW cgr$$" "$NS_REDIS cgR$$" "$NS_GW cgl$$" "$NS_LOAD cgL$$"; do
  set -- $l
  in_ns "$1" ip link set "$2" up
done
in_ns "$NS_GW" sysctl -qw net.ipv4.ip_forward=1
in_ns "$NS_REDIS" ip route add default via 198.18.0.1
in_ns "$NS_LOAD" ip route add default via 198.18.1.1
in_ns "$NS_REDIS" nft add table inet fault
in_ns "$NS_REDIS" nft add chain inet fault input '{ type filter hook input priority 0; }'

# Redis (the shipped config) in its namespace, a delay proxy in front of it; or a cluster.
# Started with ip netns exec itself (not a shell function), so $! is the server's own PID,
# which the freeze stops.
REDIS_PORTS=6379
GATEWAY_FLAGS=()
if [ "$CLUSTER" = 0 ]; then
  mkdir -p "$WORK/redis"
  ip netns exec "$NS_REDIS" redis-server "$REDIS_CONF" --port 6379 --bind 198.18.0.2 127.0.0.1 --dir "$WORK/redis" \
    --logfile "$WORK/redis/redis.log" --protected-mode no &  # a test network of our own: no password
  REDIS_PID=$!
  R=redis://198.18.0.2:6379
  for _ in $(seq 100); do [ "$(in_ns "$NS_REDIS" redis-cli ping 2>/dev/null)" = PONG ] && break; sleep 0.05; done
  ip netns exec "$NS_REDIS" python3 loadtest/net/delay-proxy.py 198.18.0.2 7000 127.0.0.1 6379 20 &
  PROXY_PID=$!
else
  REDIS_PORTS=7001-7006
  GATEWAY_FLAGS=(--wait-replicas 1)
  declare -A NODE_PID
  for port in 7001 7002 7003 7004 7005 7006; do
    mkdir -p "$WORK/redis/$port"
    ip netns exec "$NS_REDIS" redis-server "$REDIS_CONF" --port "$port" --bind 198.18.0.2 --dir "$WORK/redis/$port" \
      --logfile "$WORK/redis/$port/redis.log" --protected-mode no --cluster-enabled yes \
      --cluster-config-file nodes.conf --cluster-node-timeout 1000 &
    NODE_PID[$port]=$!
    NODE_PIDS+=($!)
  done
  for port in 7001 7002 7003 7004 7005 7006; do
    for _ in $(seq 100); do [ "$(in_ns "$NS_REDIS" redis-cli -h 198.18.0.2 -p "$port" ping 2>/dev/null)" = PONG ] && break; sleep 0.05; done
  done
  in_ns "$NS_REDIS" redis-cli --cluster create 198.18.0.2:700{1,2,3,4,5,6} --cluster-replicas 1 --cluster-yes \
    >"$WORK/create.log" 2>&1
  for _ in $(seq 100); do
    in_ns "$NS_REDIS" redis-cli -h 198.18.0.2 -p 7001 cluster info | grep -q 'cluster_state:ok' && break
    sleep 0.1
  done
  sleep 1  # every node to agree
  R=redis+cluster://198.18.0.2:7001,198.18.0.2:7002,198.18.0.2:7003
fi
fresh_secrets
in_ns "$NS_GW" "$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null
in_ns "$NS_GW" "$BIN/claimctl" open "$POOL" --quota 10000000 --redis "$R" --now "$NOW" >/dev/null
# The recovery probe claims in a pool of its own, so it never moves the books the load's
# verdict is reading at that moment.
PROBE_POOL=comprehensive-30
in_ns "$NS_GW" "$BIN/claimctl" open "$PROBE_POOL" --quota 10000000 --redis "$R" --now "$NOW" >/dev/null
URL=http://198.18.1.1:8080

start_gateway() { # REDIS_URL
  ip netns exec "$NS_GW" "$BIN/claimgate" serve --listen 198.18.1.1:8080 --redis "$1" --now "$NOW" --person-rate 0 \
    --redis-timeout-ms 1000 "${GATEWAY_FLAGS[@]}" 2>>"$WORK/gateway.log" &
  GATEWAY_PID=$!
  for _ in $(seq 200); do
    [ "$(in_ns "$NS_LOAD" curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" = 200 ] && return 0
    sleep 0.05
  done
  echo "the gateway did not become healthy" >&2
  return 1
}
stop_gateway() { kill -TERM "$GATEWAY_PID" 2>/dev/null; wait "$GATEWAY_PID" 2>/dev/null || true; GATEWAY_PID=""; }

# recovery PREFIX: milliseconds from now to the first 201 for a new person (tokens minted
# beforehand, a claim every 20 ms, 15 s at most).
recovery() {
  local start i=0
  mapfile -t tokens < <("$BIN/claimctl" token --person "$1-" --count 750)
  start=$(date +%s%N)
  for token in "${tokens[@]}"; do
    if [ "$(in_ns "$NS_LOAD" curl -s -o /dev/null -m 2 -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
      "$URL/v1/pools/$PROBE_POOL/claims")" = 201 ]; then
      echo $(( ($(date +%s%N) - start) / 1000000 ))
      return 0
    fi
    sleep 0.02
  done
  echo never
}

slow_readers() { # N SECONDS: clients that pipeline requests and read 2 KB/s
  in_ns "$NS_LOAD" python3 - "$1" "$2" <<'PY'
import socket, sys, threading, time
n, seconds = int(sys.argv[1]), float(sys.argv[2])
def client():
    s = socket.create_connection(("198.18.1.1", 8080))
    s.sendall(b"GET /v1/pools/comprehensive-50 HTTP/1.1\r\nHost: gw\r\n\r\n" * 500)
    end = time.time() + seconds
    while time.time() < end:
        s.recv(2048)
        time.sleep(1)
    s.close()
threads = [threading.Thread(target=client) for _ in range(n)]
for t in threads: t.start()
for t in threads: t.join()
PY
}

FAILED=0
TABLE=()
for fault in "${FAULTS[@]}"; do
  redis_url=$R
  [ "$fault" = delay ] && redis_url=redis://198.18.0.2:7000
  start_gateway "$redis_url"
  hist="$WORK/$fault.jsonl"
  in_ns "$NS_LOAD" "$BIN/claimload" --url "$URL" --redis "$R" --pool "$POOL" --users 10000000 --repeat-share 0.02 \
    --connections 32 --duration 8 --idempotency-keys --resend-lost 5 --person-prefix "$fault-" --history "$hist" \
    >"$WORK/$fault.out" 2>&1 &
  load=$!
  sleep 2
  case "$fault" in
    delay) sleep 5 ;;
    loss)
      in_ns "$NS_REDIS" nft add rule inet fault input iifname "cgR$$" tcp dport "$REDIS_PORTS" numgen random mod 100 '<' 2 drop
      sleep 5
      in_ns "$NS_REDIS" nft flush chain inet fault input
      ;;
    partition)
      in_ns "$NS_REDIS" nft add rule inet fault input iifname "cgR$$" tcp dport "$REDIS_PORTS" drop
      sleep 5
      in_ns "$NS_REDIS" nft flush chain inet fault input
      ;;
    freeze)
      victim=$REDIS_PID
      if [ "$CLUSTER" = 1 ]; then
        slot=$(in_ns "$NS_REDIS" redis-cli -h 198.18.0.2 -p 7001 cluster keyslot "$POOL")
        port=$(in_ns "$NS_REDIS" redis-cli -h 198.18.0.2 -p 7001 cluster nodes | awk -v s="$slot" '
          $3 ~ /master/ { for (i = 9; i <= NF; i++) { split($i, r, "-"); if (r[2] == "") r[2] = r[1];
            if (s >= r[1] && s <= r[2]) { split($2, a, "[:@]"); print a[2]; exit } } }')
        victim=${NODE_PID[$port]}
        echo "   freezing the master of $POOL (port $port)"
      fi
      kill -STOP "$victim"
      sleep 5
      kill -CONT "$victim"
      ;;
    slow-reader) slow_readers 20 5 ;;
  esac
  recovered=$(recovery "probe-$fault")  # from the fault's end
  wait "$load" || true
  stop_gateway
  outcomes=$(grep '^outcomes' "$WORK/$fault.out" | cut -d' ' -f2- || true)
  p99=$(grep -o 'p99 [0-9.]*' "$WORK/$fault.out" | head -1 | cut -d' ' -f2 || true)
  verdict=$(grep -E '^(PASS|FAIL)' "$WORK/$fault.out" | cut -c1-4 || true)
  # From the load generator's namespace, the only one with a route to Redis through cg-gw.
  cluster_flag=()
  [ "$CLUSTER" = 1 ] && cluster_flag=(--cluster)
  history_line=$(in_ns "$NS_LOAD" scripts/history-check.py "${cluster_flag[@]}" --redis "$R" "$hist" 2>&1 | tail -1 || true)
  [[ "$history_line" == "HISTORY PASS"* ]] || FAILED=1
  [ "$verdict" = PASS ] || { FAILED=1; tail -5 "$WORK/$fault.out"; }
  acked=$(grep -o '[0-9]* vouchers acknowledged' <<<"$history_line" | grep -o '^[0-9]*' || true)
  unknown=$(grep -o '[0-9]* unknown outcomes ([^)]*)' <<<"$history_line" || true)
  echo "== $fault: verdict $verdict; ${history_line:0:22}; recovered ${recovered} ms after the fault; p99 $p99 ms"
  echo "   told: $outcomes"
  echo "   $history_line" | cut -c1-400
  TABLE+=("| $fault | $outcomes | ${acked:-?} / ${acked:-?} found / 0 lost / 0 duplicated | $unknown | $recovered | $p99 | ${history_line:8:4} |")
done
echo
echo "| fault | what residents were told | acknowledged / found / lost / duplicated | unknown outcomes | recovered (ms) | p99 ms | history |"
echo "|---|---|---|---|---:|---:|---|"
printf '%s\n' "${TABLE[@]}"
[ "$FAILED" = 0 ] || { echo "NET faults: FAIL (see above)" >&2; exit 1; }
echo "NET faults: PASS ($([ "$CLUSTER" = 1 ] && echo "cluster: ")${FAULTS[*]})"
