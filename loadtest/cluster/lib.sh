# Shared by loadtest/cluster/*.sh: a build, a work folder, a real local Redis Cluster
# (scripts/cluster.sh: 3 masters + 3 replicas), gateways on it, claimload, and the audit.
# Sourced.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"

CONFIG=release
for a in "$@"; do [ "$a" = "--debug" ] && CONFIG=debug; done
NOW=${NOW:-2022-06-10T10:00:00+08:00}
GATEWAY_PIDS=()

cluster_setup() {
  ensure_packages redis-server redis-tools libhiredis-dev curl
  for p in claimgate claimctl claimload; do swift build -c "$CONFIG" --product "$p" >/dev/null; done
  BIN=$(swift build -c "$CONFIG" --show-bin-path)
  WORK=$(mktemp -d /tmp/claimgate-cluster-test.XXXXXX)
  trap cluster_cleanup EXIT
  fresh_secrets
  R=$(scripts/cluster.sh up "$WORK/cluster")
  PORTS=($(cat "$WORK/cluster/ports"))
  "$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
}

cluster_cleanup() {
  exec 2>/dev/null  # no "Killed" notices for the background processes stopped here
  for pid in "${GATEWAY_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  scripts/cluster.sh down "$WORK/cluster" || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}

# start_gateways N [serve flags...]: N gateways on free ports; sets URLS (comma-separated).
start_gateways() {
  local n=$1
  shift
  URLS=""
  for _ in $(seq "$n"); do
    local port
    port=$(free_port)
    "$BIN/claimgate" serve --listen "127.0.0.1:$port" --redis "$R" --now "$NOW" --person-rate 0 "$@" \
      2>>"$WORK/gateway-$port.log" &
    GATEWAY_PIDS+=($!)
    wait_http "http://127.0.0.1:$port/healthz"
    URLS+="${URLS:+,}http://127.0.0.1:$port"
  done
}

# master_of POOL: "host:port" of the master serving the pool's slot now.
master_of() {
  local slot
  slot=$(redis-cli -p "${PORTS[0]}" cluster keyslot "$1")
  redis-cli -p "${PORTS[0]}" cluster nodes | awk -v s="$slot" '
    $3 ~ /master/ && $8 == "connected" {
      for (i = 9; i <= NF; i++) { split($i, r, "-"); if (r[2] == "") r[2] = r[1]; if (s >= r[1] && s <= r[2]) { split($2, a, "@"); print a[1]; exit } }
    }'
}

# node_id HOST:PORT
node_id() { redis-cli -p "${1##*:}" cluster myid; }

# cluster_history_check HISTORY...: scripts/history-check.py (independent of the gateway) on
# claimload's histories and the cluster; prints its line; its exit status.
cluster_history_check() {
  python3 -c "import redis" 2>/dev/null || python3 -m pip install -q redis 2>/dev/null \
    || python3 -m pip install -q --break-system-packages redis >/dev/null 2>&1
  scripts/history-check.py --cluster --redis "$R" "$@"
}
