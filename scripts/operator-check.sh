#!/usr/bin/env bash
# What operators do on release day, checked end to end with the real binaries on a throwaway
# Redis: each check prints "OPERATOR <name>: PASS|FAIL <what was seen>"; exit 1 if any failed.
#   - reset without --quota restores the window's own stored quota, not the seed's stock
#   - open --quota on a window already released says it changed nothing and exits non-zero
#   - claimctl refuses a Redis that may evict keys, naming the setting
#   - a seed that re-splits a pool with a live window is refused by claimgate and claimctl
#   - stats and audit report a key of the wrong type by name and go on with the other pools,
#     as text and as --json
#   - /metrics passes promtool check metrics (Debian's prometheus package); deploy/'s alert
#     rules pass promtool check rules and their unit tests (promtool test rules), and read only
#     metrics the gateway (or claimctl audit --metrics) exports, as does the dashboard; the
#     systemd unit passes systemd-analyze verify
#   - exit codes a script can act on (0 done, 1 a finding, 2 Redis unreachable, 64 usage),
#     CLAIMGATE_REDIS_URL, --version, operator log lines only when asked
#   - a seed with a misspelt rule is refused by its path (check and load), and check prints
#     every pool's rules in plain words
#   - one source of truth: claimctl acts on the programme loaded in Redis (no seed file), and a
#     gateway started without --seed serves each newly loaded version without a restart
#   - the independent history checker passes a true history and fails a lost voucher and a
#     voucher that a "nothing granted" answer hid
#
#   scripts/operator-check.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_packages redis-server redis-tools libhiredis-dev curl prometheus
check_setup OPERATOR operator "${1:-}"
NOW=2022-06-10T10:00:01+08:00
ctl() { "$BIN/claimctl" "$@" --redis "$R" --now "$NOW" 2>>"$WORK/claimctl.log"; }
window() { redis-cli -p "$RP" hmget "cg:{$1}:w:2022-06-10" released left granted quota | paste -sd' '; }

"$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1

# reset without --quota: after open --quota 3 and a sell-out, back to 3 left (released 6), and
# the stored quota stays 3; the seed's stock_per_release (1000) plays no part.
ctl open appliance-500 --quota 3 >/dev/null
GP=$(free_port)
"$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" --person-rate 0 2>"$WORK/gateway.log" &
GATEWAY_PID=$!
wait_http "http://127.0.0.1:$GP/healthz"
"$BIN/claimload" --url "http://127.0.0.1:$GP" --redis "$R" --pool appliance-500 --users 1000 --repeat-share 0 \
  --connections 2 --requests 10 --duration 10 --person-prefix sell- --history "$WORK/sell.jsonl" >"$WORK/sell.out" 2>&1 \
  || true
# /metrics as Prometheus's own checker reads it (HELP and TYPE on every metric, names, units).
curl -s "http://127.0.0.1:$GP/metrics" >"$WORK/metrics.txt"
promtool_out=$(promtool check metrics <"$WORK/metrics.txt" 2>&1) && promtool_status=0 || promtool_status=$?
ok=0
[ "$promtool_status" = 0 ] && [ -z "$promtool_out" ] && grep -q '^# HELP claimgate_claims_total ' "$WORK/metrics.txt" || ok=1
verdict promtool $ok "promtool check metrics exit $promtool_status$([ -n "$promtool_out" ] && echo ": $(head -3 <<<"$promtool_out" | paste -sd';')")"

# deploy/: the alert rules load in Prometheus, and every metric the rules and the dashboard
# read is one a live gateway exports (a renamed metric would leave an alert silent forever).
rules_out=$(promtool check rules deploy/prometheus/claimgate-rules.yml 2>&1) && rules_status=0 || rules_status=$?
tests_out=$(promtool test rules deploy/prometheus/claimgate-rules.test.yml 2>&1) && tests_status=0 || tests_status=$?
# claimctl audit --metrics writes the audit's own metrics (node_exporter's textfile collector).
"$BIN/claimctl" audit --redis "$R" --metrics "$WORK/audit.prom" >/dev/null 2>&1 || true
cat "$WORK/audit.prom" >>"$WORK/metrics.txt" 2>/dev/null || true
missing=$(python3 - "$WORK/metrics.txt" deploy/prometheus/claimgate-rules.yml deploy/grafana/claimgate-dashboard.json <<'PY'
import json, re, sys
exported = set()
for line in open(sys.argv[1]):
    if line.startswith("# TYPE "):
        name, kind = line.split()[2:4]
        exported.add(name)
        if kind == "histogram":
            exported.update({name + "_bucket", name + "_sum", name + "_count"})
exported.add("up")
text = open(sys.argv[2]).read() + json.dumps([t["expr"] for p in json.load(open(sys.argv[3]))["panels"] for t in p["targets"]])
used = set(re.findall(r"\b((?:claimgate|process)_[a-z_]+|up)\b", text))
print(" ".join(sorted(used - exported)))
PY
)
ok=0
[ "$rules_status" = 0 ] && [ "$tests_status" = 0 ] && [ -z "$missing" ] && grep -q '^claimgate_audit_problems 0' "$WORK/audit.prom" || ok=1
verdict deploy-alerts $ok "promtool test rules exit $tests_status$([ "$tests_status" != 0 ] && echo ": $(tail -5 <<<"$tests_out" | paste -sd';')"), promtool check rules exit $rules_status ($(grep -o 'SUCCESS: [0-9]* rules found' <<<"$rules_out" || echo "$rules_out" | tail -1)); metrics read but not exported: ${missing:-none}"
# The systemd unit is one systemd accepts (with the binary where the unit expects it).
sed "s#/usr/local/bin/claimgate#$BIN/claimgate#" deploy/systemd/claimgate.service >"$WORK/claimgate.service"
unit_out=$(systemd-analyze verify "$WORK/claimgate.service" 2>&1) && unit_status=0 || unit_status=$?
ok=0
[ "$unit_status" = 0 ] && ! grep -qi "unknown\|invalid\|ignoring" <<<"$unit_out" || ok=1
verdict deploy-systemd $ok "systemd-analyze verify exit $unit_status$([ -n "$unit_out" ] && echo ": $(head -2 <<<"$unit_out" | paste -sd';')")"

before=$(window appliance-500)
ctl reset appliance-500 >"$WORK/reset.out" || true
after=$(window appliance-500)
ok=0
[ "$before" = "3 0 3 3" ] && [ "$after" = "6 3 3 3" ] || ok=1
verdict reset-stored-quota $ok "released/left/granted/quota before '$before', after reset '$after' ($(cat "$WORK/reset.out"))"

# open --quota on a released window: a clear line and a non-zero exit, nothing changed.
status=0
ctl open appliance-500 --quota 300 >"$WORK/open.out" 2>&1 || status=$?
after_open=$(window appliance-500)
ok=0
[ "$status" != 0 ] && [ "$after_open" = "$after" ] && grep -q "changed nothing" "$WORK/open.out" || ok=1
verdict open-released $ok "exit $status, window '$after_open': $(cat "$WORK/open.out")"

# A live window's shape: appliance-500's window is released (above); a gateway restarted with
# a seed splitting it into 4 segments would open 4 fresh windows beside it. Refused, by name.
kill "$GATEWAY_PID" && wait "$GATEWAY_PID" 2>/dev/null || true
GATEWAY_PID=""
python3 - "$WORK/split.json" <<'PY'
import json, sys
seed = json.load(open("seeds/shenyang-2022.json"))
for p in seed["pools"]:
    if p["id"] == "appliance-500": p["segments"] = 4
json.dump(seed, open(sys.argv[1], "w"))
PY
status=0
timeout 10 "$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" --seed "$WORK/split.json" \
  2>"$WORK/split-gateway.log" || status=$?
load_status=0
"$BIN/claimctl" load --redis "$R" --now "$NOW" "$WORK/split.json" >"$WORK/split-load.out" 2>&1 || load_status=$?
fresh=$(redis-cli -p "$RP" exists 'cg:{appliance-500.s0}:w:2022-06-10')
ok=0
[ "$status" = 1 ] && [ "$load_status" != 0 ] && [ "$fresh" = 0 ] && grep -q "appliance-500.*segments 1 -> 4" "$WORK/split-gateway.log" \
  && grep -q "appliance-500.*segments 1 -> 4" "$WORK/split-load.out" || ok=1
verdict live-window-shape $ok "claimgate exit $status, claimctl load exit $load_status, fresh segment window: $fresh; $(grep -o 'appliance-500: window[^;"]*' "$WORK/split-gateway.log" | head -1 | cut -c1-150)"

# A key of the wrong type (a slip at the redis-cli): named, and every other pool still shown.
redis-cli -p "$RP" set 'cg:{specialty-30}:windows' oops >/dev/null
stats_status=0
"$BIN/claimctl" stats --redis "$R" >"$WORK/stats.out" 2>&1 || stats_status=$?
audit_status=0
"$BIN/claimctl" audit --redis "$R" >"$WORK/audit.out" 2>&1 || audit_status=$?
ok=0
[ "$stats_status" = 0 ] && grep -q 'specialty-30.*WRONGTYPE' "$WORK/stats.out" && grep -q '^appliance-500 ' "$WORK/stats.out" \
  && [ "$audit_status" = 1 ] && grep -q 'cg:{specialty-30}:windows.*WRONGTYPE' "$WORK/audit.out" \
  && grep -q 'in [1-9][0-9]* windows' "$WORK/audit.out" || ok=1
verdict wrong-typed-key $ok "stats exit $stats_status, audit exit $audit_status: $(grep -m1 WRONGTYPE "$WORK/audit.out" | cut -c1-110)"
# The same for scripts: --json, with the wrong-typed key as a row's problem and the finding in
# the audit's problems (exit codes as above).
sj_status=0
"$BIN/claimctl" stats --json --redis "$R" >"$WORK/stats.json" 2>&1 || sj_status=$?
aj_status=0
"$BIN/claimctl" audit --json --redis "$R" >"$WORK/audit.json" 2>&1 || aj_status=$?
ok=0
python3 - "$WORK/stats.json" "$WORK/audit.json" <<'PY' >"$WORK/json.out" 2>&1 || ok=1
import json, sys
rows = json.load(open(sys.argv[1]))
assert any(r["pool"] == "specialty-30" and "WRONGTYPE" in r.get("problem", "") for r in rows), rows[:3]
a5 = [r for r in rows if r["pool"] == "appliance-500" and "released" in r]
assert a5 and all(isinstance(r[k], int) for r in a5 for k in ("released", "granted", "left")), a5
audit = json.load(open(sys.argv[2]))
assert audit["clean"] is False and audit["windows"] > 0 and any("WRONGTYPE" in p for p in audit["problems"]), audit
print(len(rows), "rows;", len(audit["problems"]), "problems")
PY
[ "$sj_status" = 0 ] && [ "$aj_status" = 1 ] || ok=1
verdict json $ok "stats --json exit $sj_status, audit --json exit $aj_status: $(tail -1 "$WORK/json.out")"
redis-cli -p "$RP" del 'cg:{specialty-30}:windows' >/dev/null

# Exit codes: stats of a pool nobody loaded is a usage error (it said nothing and exited 0),
# --quota -5 too (it said "missing value"); no Redis is 2 (audit said 1, as for a finding).
codes=""
for args in "stats nosuchpool" "open appliance-500 --quota -5" "audit --redis redis://127.0.0.1:1"; do
  st=0
  # shellcheck disable=SC2086 # the arguments as written
  CLAIMGATE_REDIS_URL=$R "$BIN/claimctl" $args >/dev/null 2>&1 || st=$?
  codes+="$st "
done
env_stats=0
CLAIMGATE_REDIS_URL=$R "$BIN/claimctl" stats appliance-500 >"$WORK/env.out" 2>&1 || env_stats=$?
# Operator actions are recorded only when asked (they used to land on the terminal every time).
quiet_err=$(CLAIMGATE_REDIS_URL=$R "$BIN/claimctl" open specialty-30 --now "$NOW" 2>&1 >/dev/null)
CLAIMGATE_OPERATOR_LOG="$WORK/ops.log" CLAIMGATE_REDIS_URL=$R "$BIN/claimctl" open specialty-30 --now "$NOW" >/dev/null
ok=0
[ -z "$quiet_err" ] && grep -q '"action":"open"' "$WORK/ops.log" && [ "$codes" = "64 64 2 " ] && [ "$env_stats" = 0 ] && grep -q '^appliance-500 ' "$WORK/env.out" \
  && "$BIN/claimctl" --version | grep -q '^[0-9]' || ok=1
verdict exit-codes $ok "stats nosuchpool, --quota -5, no Redis: $codes; stats via CLAIMGATE_REDIS_URL: $env_stats; version $("$BIN/claimctl" --version)"

# Pause and resume, as an operator types them (the gateway's side: GatewayPauseTests).
p1=0 p2=0 r1=0
CLAIMGATE_REDIS_URL=$R "$BIN/claimctl" pause specialty-30 --reason "recount" >"$WORK/pause.out" 2>&1 || p1=$?
CLAIMGATE_REDIS_URL=$R "$BIN/claimctl" pause specialty-30 --reason "recount" >>"$WORK/pause.out" 2>&1 || p2=$?
paused=$(redis-cli -p "$RP" get 'cg:{specialty-30}:pause')
CLAIMGATE_REDIS_URL=$R "$BIN/claimctl" resume specialty-30 >>"$WORK/pause.out" 2>&1 || r1=$?
ok=0
[ "$p1$p2$r1" = 000 ] && [ "$paused" = recount ] && [ "$(redis-cli -p "$RP" exists 'cg:{specialty-30}:pause')" = 0 ] \
  && grep -q "as it already was" "$WORK/pause.out" || ok=1
verdict pause-resume $ok "$(paste -sd';' "$WORK/pause.out")"

# A misspelt key (store_qrr) used to load with exit 0 and the in-store rule off.
python3 - "$WORK/typo.json" <<'PY'
import json, sys
seed = json.load(open("seeds/shenyang-2022.json"))
p = next(p for p in seed["pools"] if p.get("store_qr"))
p["store_qrr"] = p.pop("store_qr")
json.dump(seed, open(sys.argv[1], "w"))
PY
check_status=0 typo_status=0 typo_load=0
"$BIN/claimctl" check seeds/shenyang-2022.json >"$WORK/check.out" 2>&1 || check_status=$?
"$BIN/claimctl" check "$WORK/typo.json" >"$WORK/typo.out" 2>&1 || typo_status=$?
"$BIN/claimctl" load --redis "$R" "$WORK/typo.json" >>"$WORK/typo.out" 2>&1 || typo_load=$?
ok=0
[ "$check_status" = 0 ] && grep -q "in store only" "$WORK/check.out" && [ "$typo_status" != 0 ] && [ "$typo_load" != 0 ] \
  && [ "$(grep -c 'store_qrr: unknown field (did you mean store_qr?)' "$WORK/typo.out")" = 2 ] || ok=1
verdict strict-seed $ok "check exit $check_status, typo: check exit $typo_status, load exit $typo_load: $(head -1 "$WORK/typo.out" | cut -c1-110)"

# The history checker shares no code with the gateway: it must pass the true history of the
# sell-out above, and fail when Redis lost an acknowledged voucher or when an answer said
# "nothing granted" (503) for a voucher Redis holds.
python3 -c "import redis" 2>/dev/null || python3 -m pip install -q redis 2>/dev/null \
  || python3 -m pip install -q --break-system-packages redis >/dev/null 2>&1
true_status=0
scripts/history-check.py --redis "$R" "$WORK/sell.jsonl" >"$WORK/history.out" 2>&1 || true_status=$?
granted_line=$(grep -m1 '"status":201' "$WORK/sell.jsonl")
sed 's/"status":201,"error":null,"vouchers":\[[^]]*\]/"status":503,"error":"redis_unavailable","vouchers":[]/' \
  <<<"$granted_line" >"$WORK/hidden.jsonl"
grep -v -F "$granted_line" "$WORK/sell.jsonl" >>"$WORK/hidden.jsonl"
hidden_status=0
scripts/history-check.py --redis "$R" "$WORK/hidden.jsonl" >"$WORK/hidden.out" 2>&1 || hidden_status=$?
lost=$(grep -o '"vouchers":\["[^"]*' <<<"$granted_line" | cut -d'"' -f4)
redis-cli -p "$RP" hdel 'cg:{appliance-500}:vouchers' "$lost" >/dev/null
lost_status=0
scripts/history-check.py --redis "$R" "$WORK/sell.jsonl" >"$WORK/lost.out" 2>&1 || lost_status=$?
ok=0
[ "$true_status" = 0 ] && [ "$hidden_status" = 1 ] && grep -q "no answer acknowledged" "$WORK/hidden.out" \
  && [ "$lost_status" = 1 ] && grep -q "$lost.*missing from Redis" "$WORK/lost.out" || ok=1
verdict history-checker $ok "true history exit $true_status ($(cut -c1-60 "$WORK/history.out")...), a hidden grant exit $hidden_status, a lost voucher exit $lost_status"

# One source of truth: the programme lives in Redis, versioned. claimctl acts on what was
# loaded (no seed file), and a gateway started without --seed serves each new version
# without a restart.
GP=$(free_port)
"$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" --person-rate 0 2>"$WORK/follow.log" &
GATEWAY_PID=$!
wait_http "http://127.0.0.1:$GP/healthz"
v1=$(curl -s "http://127.0.0.1:$GP/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("programme_version"))')
sed 's/"Comprehensive 50 off 200"/"Comprehensive 50 off 200, reissued"/' seeds/shenyang-2022.json >"$WORK/reissued.json"
"$BIN/claimctl" load --redis "$R" --now "$NOW" "$WORK/reissued.json" >"$WORK/reissued.out" 2>&1 || true
followed=""
for i in $(seq 50); do
  if curl -s "http://127.0.0.1:$GP/v1/pools/comprehensive-50" | grep -q 'reissued'; then followed=$((i * 100)); break; fi
  sleep 0.1
done
v2=$(curl -s "http://127.0.0.1:$GP/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("programme_version"))')
claim_after=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $("$BIN/claimctl" token --person follow-1)" \
  "http://127.0.0.1:$GP/v1/pools/comprehensive-50/claims")
"$BIN/claimctl" load --redis "$R" --now "$NOW" "$WORK/reissued.json" >"$WORK/again.out" 2>&1 || true
sleep 0.5  # the old loops have drained by now
# A reload is not Redis going down: no alert may fire for it.
redis_up=$(curl -s "http://127.0.0.1:$GP/metrics" | awk '/^claimgate_redis_up / {print $2 + 0}')
ok=0
[ -n "$followed" ] && [ "$v2" = $((v1 + 1)) ] && [ "$claim_after" = 201 ] && grep -q "unchanged" "$WORK/again.out" \
  && [ "$redis_up" = 1 ] || ok=1
verdict follows-redis $ok "version $v1 -> $v2, the gateway served it after ${followed:-(never)} ms without a restart, a claim then $claim_after, claimgate_redis_up $redis_up; the same file again: $(cut -c1-60 "$WORK/again.out")"
# The issue's steps: load the national seed, then open one of its pools with no --seed.
"$BIN/claimctl" load --redis "$R" --now "$NOW" seeds/national-2022.json >/dev/null 2>&1 || true
status=0
ctl open national-15 --quota 10 >"$WORK/national.out" 2>&1 || status=$?
seed_status=0
"$BIN/claimctl" open national-15 --seed seeds/national-2022.json --redis "$R" >"$WORK/seedflag.out" 2>&1 \
  || seed_status=$?
ok=0
[ "$status" = 0 ] && [ "$seed_status" = 64 ] && grep -q "loaded in Redis" "$WORK/seedflag.out" || ok=1
verdict one-source $ok "open national-15 after load, no --seed: exit $status ($(head -1 "$WORK/national.out" | cut -c1-70)); with --seed: exit $seed_status ($(head -1 "$WORK/seedflag.out" | cut -c1-60))"
kill "$GATEWAY_PID" && wait "$GATEWAY_PID" 2>/dev/null || true
GATEWAY_PID=""
# A buyer list that is not there is named as missing (it said "cannot read as UTF-8").
status=0
"$BIN/claimctl" grant-list load "$WORK/no-such-buyers.csv" --redis "$R" >"$WORK/buyers.out" 2>&1 || status=$?
ok=0
[ "$status" = 1 ] && grep -q "no-such-buyers.csv: no such file" "$WORK/buyers.out" || ok=1
verdict missing-file $ok "exit $status: $(head -1 "$WORK/buyers.out")"

# A Redis that may evict keys (the shipped config, with the policy every other script avoids):
# claimctl acts on none of it and says which setting is wrong.
EP=$(free_port)
mkdir -p "$WORK/evicting"
redis-server "$REDIS_CONF" --port "$EP" --bind 127.0.0.1 --dir "$WORK/evicting" --logfile "$WORK/evicting/redis.log" \
  --maxmemory-policy allkeys-lru &
EVICTING_PID=$!
wait_redis "$EP"
status=0
"$BIN/claimctl" load --redis "redis://127.0.0.1:$EP" seeds/shenyang-2022.json >"$WORK/evict.out" 2>&1 || status=$?
keys=$(redis-cli -p "$EP" dbsize)
kill "$EVICTING_PID"
ok=0
[ "$status" != 0 ] && grep -q "maxmemory-policy is allkeys-lru" "$WORK/evict.out" && [ "$keys" = 0 ] || ok=1
verdict evicting-redis $ok "exit $status: $(grep -o 'redis maxmemory-policy[^"]*' "$WORK/evict.out" | head -1 | cut -c1-120)"

exit $FAILED
