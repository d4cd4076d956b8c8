#!/usr/bin/env bash
# What an SRE gating a release with claimload relies on, checked end to end with the real
# binaries on a throwaway Redis: each check prints "SRE <name>: PASS|FAIL <what was seen>";
# exit 1 if any failed.
#   - thresholds set the exit code beside the verdict (0 met, 3 missed) and each is printed
#   - results.json holds numbers (configuration, sent/answered, percentiles, per pool, per
#     phase, per second, thresholds) and latency.hgrm the HDR distribution
#   - an open-loop run says its achieved rate beside the target; a run --requests ended early
#     says so
#   - a gateway that is not there is named: "cannot connect to http://...: connection refused"
#   - --seed (now --random-seed) and a bad threshold are usage errors (64) that say why
#   - a distributed run (--workers 3) merges its workers' histograms and records into one
#     verdict that checks every worker's grants against Redis, and starts once every worker has
#     signed its people's tokens (none signed while the clock runs)
#
#   scripts/sre-check.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_packages redis-server redis-tools libhiredis-dev curl
check_setup SRE sre "${1:-}"
"$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
GP=$(free_port)
"$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now 2022-06-10T09:59:59+08:00 --person-rate 0 \
  2>"$WORK/gateway.log" &
GATEWAY_PID=$!
wait_http "http://127.0.0.1:$GP/healthz"
load() { "$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool comprehensive-50 --users 50000 "$@"; }

# An open-loop run across 10:00 that sells right, with thresholds it meets and one it cannot.
status=0
load --rate 2000 --duration 3 --connections 16 --person-prefix met- --report "$WORK/met" \
  --threshold 'p99.9<5s' --threshold 'error_rate<1%' --threshold 'rate>=1000' >"$WORK/met.out" 2>&1 || status=$?
ok=0
[ "$status" = 0 ] && grep -q '^PASS' "$WORK/met.out" && [ "$(grep -c 'met$' "$WORK/met.out")" = 3 ] \
  && grep -q '^open loop: target 2000/s, achieved' "$WORK/met.out" || ok=1
verdict thresholds-met $ok "exit $status; $(grep -E '^threshold|^open loop' "$WORK/met.out" | paste -sd';')"
status=0
load --rate 2000 --duration 2 --connections 16 --person-prefix missed- --threshold 'p50<1us' \
  >"$WORK/missed.out" 2>&1 || status=$?
ok=0
[ "$status" = 3 ] && grep -q '^PASS' "$WORK/missed.out" && grep -q "threshold p50<1us: .*MISSED" "$WORK/missed.out" \
  || ok=1
verdict thresholds-missed $ok "exit $status (the verdict passed): $(grep -E '^threshold|MISSED' "$WORK/missed.out" | paste -sd';')"

# results.json: numbers, not sentences.
ok=0
python3 - "$WORK/met/results.json" <<'PY' >"$WORK/json.out" 2>&1 || ok=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["config"]["target_rate"] == 2000 and d["config"]["pools"] == ["comprehensive-50"], d["config"]
assert isinstance(d["sent"], int) and d["sent"] > 0 and d["answered"] <= d["sent"]
p = {x["percentile"]: x["ms"] for x in d["latency"]["percentiles"]}
assert all(isinstance(v, (int, float)) for v in p.values()) and p[50] <= p[99] <= d["latency"]["max_ms"], p
assert d["pools"][0]["name"] == "comprehensive-50" and d["pools"][0]["outcomes"]["granted"] > 0
assert [x["name"] for x in d["phases"]] == ["before", "during", "after"]
assert len(d["seconds"]) >= 2 and all(isinstance(s["p99_ms"], (int, float)) for s in d["seconds"])
assert [t["met"] for t in d["thresholds"]] == [True, True, True]
assert d["verdict_passed"] is True and d["stopped_by"] == "duration"
print("sent", d["sent"], "p99", p[99], "ms")
PY
grep -q '^#\[Max' "$WORK/met/latency.hgrm" && grep -q 'Percentile' "$WORK/met/latency.hgrm" || ok=1
verdict results-json $ok "$(tail -1 "$WORK/json.out")"

# Three workers, one verdict: every grant of every worker is checked against Redis, and the
# merged answers add up.
status=0
load --rate 1500 --duration 2 --connections 12 --workers 3 --person-prefix dist- --report "$WORK/dist" \
  >"$WORK/dist.out" 2>&1 || status=$?
ok=0
[ "$status" = 0 ] && grep -q '^PASS' "$WORK/dist.out" && grep -q '3 workers merged' "$WORK/dist.out" || ok=1
# Each worker signs its people before the start is named: a signature inside the timed run
# would be the load generator's own time in the gateway's latencies.
grep -Eq '^tokens: [1-9][0-9]* signed before the clock, 0 while it ran' "$WORK/dist.out" || ok=1
python3 - "$WORK/dist/results.json" <<'PY' >"$WORK/dist.json.out" 2>&1 || ok=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["config"]["workers"] == 3
assert d["sent"] >= d["answered"] > 0 and sum(s["answered"] for s in d["seconds"]) <= d["answered"]
assert d["pools"][0]["answered"] == d["answered"], (d["pools"][0]["answered"], d["answered"])
print("answered", d["answered"], "granted", d["pools"][0]["outcomes"].get("granted"))
PY
# Redis's own count of the grants to the workers' people must be the merged run's: a worker
# whose record was dropped would leave its grants out of the verdict.
in_redis=$(python3 -c "
import redis, sys
r = redis.Redis(port=int(sys.argv[1]))
print(sum(int(v) for k, v in r.hgetall('cg:{comprehensive-50}:w:p1:people').items() if k.startswith(b'dist')))
" "$RP")
merged=$(grep -o 'vouchers granted to this run [0-9]*' "$WORK/dist.out" | grep -o '[0-9]*$' || echo -)
[ "$in_redis" = "$merged" ] || ok=1
verdict distributed $ok "exit $status; Redis holds $in_redis grants of the workers' people, merged record $merged; $(grep '^tokens:' "$WORK/dist.out"); $(grep -E '^PASS|^FAIL' "$WORK/dist.out" | cut -c1-160); $(tail -1 "$WORK/dist.json.out")"

# A run cut short by --requests says so.
load --requests 200 --duration 30 --connections 4 --person-prefix short- >"$WORK/short.out" 2>&1 || true
ok=0
grep -q '^stopped by --requests 200 after' "$WORK/short.out" || ok=1
verdict requests-cap $ok "$(grep '^stopped' "$WORK/short.out" || tail -1 "$WORK/short.out")"

# No gateway there: the URL and the reason, not an errno.
DEAD=$(free_port)
status=0
"$BIN/claimload" --url "http://127.0.0.1:$DEAD" --redis "$R" --duration 1 >"$WORK/dead.out" 2>&1 || status=$?
ok=0
[ "$status" != 0 ] && grep -q "cannot connect to http://127.0.0.1:$DEAD: connection refused" "$WORK/dead.out" || ok=1
verdict unreachable $ok "exit $status: $(tail -1 "$WORK/dead.out")"

# Usage errors say what to do.
s1=0; "$BIN/claimload" --seed 7 >"$WORK/seed.out" 2>&1 || s1=$?
s2=0; "$BIN/claimload" --threshold 'p99<10' >"$WORK/th.out" 2>&1 || s2=$?
ok=0
[ "$s1" = 64 ] && grep -q -- '--random-seed' "$WORK/seed.out" && [ "$s2" = 64 ] && grep -q 'needs a unit' "$WORK/th.out" || ok=1
verdict usage $ok "--seed exit $s1: $(grep -m1 -i error "$WORK/seed.out"); bad threshold exit $s2: $(grep -m1 -i error "$WORK/th.out")"

exit "$FAILED"
