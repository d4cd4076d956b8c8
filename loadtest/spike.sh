#!/usr/bin/env bash
# The 10:00 spike alone (bench.sh's section 3), at each rate given, with the token algorithm
# given: a fresh Redis and key pair, then per rate a window of its own, a gateway of 2 loops and
# claimload open loop across 10:00 (stock 5,000, 1,000,000 people). Prints one row per rate and
# the per-second p99 series of each run (a stall at the same second of every run shows there).
#   loadtest/spike.sh ["30000 40000"] [ES256|RS256|EdDSA|HS256]
# HS256 runs the gateway and claimload with --dev-hs256 (what the spike cost before public keys).
# SPIKE_GATEWAY_FLAGS go to claimgate after --threads 2 (the last --threads wins);
# SPIKE_CONNECTIONS sets claimload's connections (512).
# Loopback only; each run is bounded (15 s of load).
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
RATES=${1:-30000 40000}
ALG=${2:-ES256}
flags=()
if [ "$ALG" = HS256 ]; then
  export CLAIMGATE_TOKEN_SECRET
  CLAIMGATE_TOKEN_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  flags=(--dev-hs256)
  SPIKE_LOAD_FLAGS=--dev-hs256
else
  KEY_ALG=$ALG
fi
bench_setup python3
ulimit -n 65536 2>/dev/null || true
bench_redis
echo "| scenario ($ALG tokens) | figure | target | result |"
echo "|---|---|---|---|"
DAY=0
ROWS=""
for rate in $RATES; do
  day="$(date -u -d "2022-07-01 +$DAY day" +%Y-%m-%d)"
  DAY=$((DAY + 1))
  # shellcheck disable=SC2086 # SPIKE_GATEWAY_FLAGS are flags
  spike_row "$rate" "$day" "${flags[@]}" ${SPIKE_GATEWAY_FLAGS:-} >&2
  ROWS+="$SPIKE_ROW"$'\n'
  echo "$rate/s token checks: $SPIKE_TOKENS" >&2
  python3 - "$WORK/spike.$rate.$day/results.json" "$rate" >&2 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
so = d["sell_out_second"]
print("%s/s per-second p99 (ms): %s" % (sys.argv[2], " ".join(
    ("[%.1f]" if i == so else "%.1f") % s["p99_ms"] for i, s in enumerate(d["seconds"]) if s["answered"])))
PY
done
printf '%s' "$ROWS"
