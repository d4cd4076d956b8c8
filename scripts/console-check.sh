#!/usr/bin/env bash
# The operators' console (claimgate serve --admin-listen) in a real browser: Debian's Chromium
# and chromium-driver driven by Selenium (PyPI) sign in, watch the table move during a claimload
# run, pause a pool and see claims refused, resume it, and run the audit
# (scripts/console-check.py). Saves a screenshot (console.png in the work folder, or the path
# given); prints "CONSOLE check: PASS|FAIL" lines; exit 1 if any failed.
#
#   scripts/console-check.sh [--debug] [SCREENSHOT]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_packages redis-server redis-tools libhiredis-dev curl chromium chromium-driver
python3 -c "import selenium" 2>/dev/null || python3 -m pip install -q selenium 2>/dev/null \
  || python3 -m pip install -q --break-system-packages selenium
check_setup CONSOLE console "${1:-}"
[ "${1:-}" = "--debug" ] && shift
SHOT=${1:-$WORK/console.png}
"$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
GP=$(free_port)
AP=$(free_port)
export CLAIMGATE_ADMIN_CREDENTIAL="console-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$BIN/claimgate" serve --listen "127.0.0.1:$GP" --admin-listen "127.0.0.1:$AP" --redis "$R" \
  --now 2022-06-10T10:00:01+08:00 --person-rate 0 2>"$WORK/gateway.log" &
GATEWAY_PID=$!
wait_http "http://127.0.0.1:$GP/healthz"
wait_http "http://127.0.0.1:$AP/"
echo "$BIN/claimload --url http://127.0.0.1:$GP --redis $R --pool comprehensive-50 --users 100000 --duration 4 --rate 1500 --person-prefix console-" \
  >"$WORK/load.cmd"
status=0
python3 scripts/console-check.py "http://127.0.0.1:$AP/" "http://127.0.0.1:$GP" "$CLAIMGATE_ADMIN_CREDENTIAL" \
  "$WORK/load.cmd" "$SHOT" "$("$BIN/claimctl" token --person console-resident)" || status=$?
[ -s "$SHOT" ] && echo "CONSOLE screenshot: $SHOT ($(stat -c %s "$SHOT") bytes)"
# Without the credential the API answers nothing.
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$AP/api/state")
[ "$code" = 401 ] || { echo "CONSOLE no-credential: FAIL /api/state answered $code"; status=1; }
exit "$status"
