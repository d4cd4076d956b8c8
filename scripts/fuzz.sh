#!/usr/bin/env bash
# Coverage-guided fuzzing of every decoder of untrusted bytes (HTTP request/response parsers,
# the flat JSON scanner, token verification, base64url, routing, ISO-8601, hiredis's reader)
# with libFuzzer + AddressSanitizer, for SECONDS (default 1800).
#
#   scripts/fuzz.sh [SECONDS] [OUT_DIR]
#
# Builds claimfuzz with -sanitize=fuzzer,address into its own scratch path (the normal build is
# untouched), seeds the corpus from ClaimFuzzing's FuzzCorpus, and runs one libFuzzer process.
# Crashes and broken properties land in OUT_DIR/crashes; the last lines of the log show the
# run's totals. Exit status: libFuzzer's (0: nothing found).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

seconds=${1:-1800}
out=${2:-$(mktemp -d /tmp/claimfuzz.XXXXXX)}
mkdir -p "$out/corpus" "$out/crashes"

swift build --product claimfuzz >/dev/null
.build/debug/claimfuzz --write-corpus "$out/corpus"
swift build -c release --product claimfuzz --scratch-path .build/fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLIBFUZZER >/dev/null

echo "fuzzing for ${seconds}s; corpus and crashes in $out" >&2
set +e
.build/fuzz/release/claimfuzz "$out/corpus" -max_total_time="$seconds" -max_len=20000 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$out/crashes/" -print_final_stats=1 >"$out/fuzz.log" 2>&1
status=$?
set -e
grep -E "^(stat::|Done|==[0-9]+==ERROR|SUMMARY|#[0-9]+ +DONE)" "$out/fuzz.log" | tail -20
echo "crashes: $(find "$out/crashes" -type f | wc -l); corpus: $(find "$out/corpus" -type f | wc -l) inputs" >&2
exit $status
