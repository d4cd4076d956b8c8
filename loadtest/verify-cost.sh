#!/usr/bin/env bash
# Instructions per token verification, counted by callgrind (stable under the machine's noise):
# `claimctl keys speed` verifies N1 and then N2 distinct resident tokens per algorithm; only
# VerifiedTokenCache.verify and what it calls are counted (--toggle-collect, so signing the
# tokens is not), and the difference divided by N2 - N1 is one verification. With the cache
# (--cached) every token is verified twice: the second is a hit, a SHA-256 and a lookup.
# Usage: loadtest/verify-cost.sh [N1=20] [N2=220]
set -euo pipefail
cd "$(dirname "$0")/.."
source loadtest/lib.sh
N1=${1:-20}
N2=${2:-220}
bench_setup valgrind
# Valgrind 3.19 cannot read the DWARF 5 that Swift 6 emits: count a copy without debug info.
objcopy --strip-debug "$BIN/claimctl" "$WORK/claimctl"
count() { # ALG N [--cached] -> instructions inside VerifiedTokenCache.verify
  local out="$WORK/cg.$1.$2${3:-}"
  valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect='*18VerifiedTokenCacheC6verify*' \
    "$WORK/claimctl" keys speed --alg "$1" --count "$2" ${3:-} >/dev/null 2>&1
  grep -E "^(summary|totals):" "$out" | tail -1 | awk '{print $2}'
}
echo "| algorithm | instructions per verification | x HS256 | a retry through the cache (hit) |"
echo "|---|---:|---:|---:|"
hs=""
for alg in HS256 RS256 ES256 EdDSA; do
  a=$(count "$alg" "$N1"); b=$(count "$alg" "$N2")
  per=$(( (b - a) / (N2 - N1) ))
  ca=$(count "$alg" "$N1" --cached); cb=$(count "$alg" "$N2" --cached)
  hit=$(( (cb - ca) / (N2 - N1) - per ))
  [ -z "$hs" ] && hs=$per
  echo "| $alg | $per | $(awk -v p="$per" -v h="$hs" 'BEGIN { printf "%.1f", p / h }') | $hit |"
done
