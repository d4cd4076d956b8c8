#!/usr/bin/env bash
# The README's "Running the pieces by hand" block, run as written, so the README cannot drift:
# extracted from README.md, with its own free ports (6379 and 8080 replaced, and
# CLAIMGATE_REDIS_URL pointing claimctl and claimgate at that Redis), its files in a work
# folder, and --debug building debug instead of release; bounded to 5 minutes. Passes when
# every command succeeds, both curl claims are granted, claimload says PASS and the audit is
# clean.
#
#   scripts/readme-check.sh [--debug]      (KEEP=1 keeps the work folder to look at)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
CONFIG=release
[ "${1:-}" = "--debug" ] && CONFIG=debug
ensure_packages redis-server redis-tools libhiredis-dev curl
WORK=$(mktemp -d /tmp/claimgate-readme.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
RP=$(free_port)
GP=$(free_port)
# The block: from the line after the section's ```sh to its closing ```.
awk '/^## Running the pieces by hand/ {s = 1} s && /^```sh/ {b = 1; next} b && /^```/ {exit} b {print}' README.md \
  >"$WORK/block.sh"
[ -s "$WORK/block.sh" ] || { echo "README: no sh block under \"Running the pieces by hand\"" >&2; exit 1; }
BIN=$(swift build -c "$CONFIG" --show-bin-path)
sed -e "s/6379/$RP/g" -e "s/8080/$GP/g" -e "s#/tmp/claimgate-redis#$WORK/redis#g" \
  -e "s#/tmp/buyers.csv#$WORK/buyers.csv#g" -e "s#/tmp/claimgate-keys#$WORK/keys#g" -e "s#/tmp/claimgate-store-keys#$WORK/store-keys#g" -e "s#swift build -c release#swift build -c $CONFIG#" \
  -e "s#^B=.build/release#B=$BIN#" "$WORK/block.sh" >"$WORK/run.sh"
# Everything it starts in the background stops with it.
{
  echo 'set -euo pipefail'
  echo "export CLAIMGATE_REDIS_URL=redis://127.0.0.1:$RP"
  echo 'trap '"'"'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null'"'"' EXIT'
  cat "$WORK/run.sh"
} >"$WORK/readme.sh"
status=0
timeout 300 bash "$WORK/readme.sh" >"$WORK/out.txt" 2>"$WORK/err.txt" || status=$?
granted=$( (grep -o '"voucher":{' "$WORK/out.txt" || true) | wc -l)
ok=0
[ "$status" = 0 ] && [ "$granted" -ge 2 ] && grep -q '^PASS' "$WORK/out.txt" && grep -q '^audit clean' "$WORK/out.txt" \
  && grep -q '"pools":\[' "$WORK/out.txt" || ok=1
if [ "$ok" = 0 ]; then
  echo "README PASS: the hand-run block ran as written: $granted claims granted by curl, $(grep -m1 '^PASS' "$WORK/out.txt" | cut -c1-60)..., $(grep -m1 '^audit' "$WORK/out.txt")"
else
  echo "README FAIL: exit $status, $granted claims granted by curl" >&2
  tail -20 "$WORK/out.txt" >&2
  tail -20 "$WORK/err.txt" >&2
  exit 1
fi
