#!/usr/bin/env bash
# A real local Redis Cluster on loopback: 3 masters + 3 replicas (redis-server
# --cluster-enabled yes, joined by redis-cli --cluster create), for the demo, tests and
# benchmarks.
#
#   scripts/cluster.sh up [DIR]     start it; prints the --redis URL on stdout
#   scripts/cluster.sh down [DIR]   stop it and delete DIR
#   scripts/cluster.sh url [DIR]    print the URL of a running one
#
# DIR (default /tmp/claimgate-cluster) holds each node's data, log and pid, and `ports`.
# cluster-node-timeout is 1 s, so a killed master's replica is promoted within a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

cmd=${1:-}
DIR=${2:-${CLUSTER_DIR:-/tmp/claimgate-cluster}}

url() { echo "redis+cluster://$(sed 's/^/127.0.0.1:/' "$DIR/ports" | paste -sd, -)"; }

case "$cmd" in
  up)
    ensure_packages redis-server redis-tools
    if [ -f "$DIR/ports" ]; then echo "a cluster is already up in $DIR: $(url)" >&2; exit 1; fi
    mkdir -p "$DIR"
    ports=()
    while [ ${#ports[@]} -lt 6 ]; do
      p=$(free_port)
      # Each node also takes port+10000 for the cluster bus.
      if (exec 3<>"/dev/tcp/127.0.0.1/$((p + 10000))") 2>/dev/null || [ $((p + 10000)) -gt 65535 ]; then continue; fi
      [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
    done
    for p in "${ports[@]}"; do
      mkdir -p "$DIR/$p"
      redis-server "$REDIS_CONF" --port "$p" --bind 127.0.0.1 --dir "$DIR/$p" --cluster-enabled yes \
        --cluster-config-file nodes.conf --cluster-node-timeout 1000 \
        --logfile "$DIR/$p/redis.log" --daemonize yes --pidfile "$DIR/$p/redis.pid"
    done
    for p in "${ports[@]}"; do
      wait_redis "$p" || { echo "redis-server did not start on port $p; see $DIR/$p/redis.log" >&2; exit 1; }
    done
    printf '%s\n' "${ports[@]}" >"$DIR/ports"
    redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 1 --cluster-yes \
      >"$DIR/create.log" 2>&1 || { cat "$DIR/create.log" >&2; exit 1; }
    # Wait until every node agrees the cluster is up.
    for p in "${ports[@]}"; do
      for _ in $(seq 200); do
        redis-cli -p "$p" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && break
        sleep 0.05
      done
    done
    url
    ;;
  down)
    [ -f "$DIR/ports" ] || { rm -rf "$DIR"; exit 0; }
    while read -r p; do
      [ -f "$DIR/$p/redis.pid" ] && kill -9 "$(cat "$DIR/$p/redis.pid")" 2>/dev/null || true
    done <"$DIR/ports"
    rm -rf "$DIR"
    ;;
  url) url ;;
  *) echo "usage: $0 up|down|url [DIR]" >&2; exit 2 ;;
esac
