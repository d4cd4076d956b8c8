#!/usr/bin/env bash
# Identity as a city runs it, end to end with the real binaries on a throwaway Redis: each check
# prints "IDENTITY <name>: PASS|FAIL <what was seen>"; exit 1 if any failed.
#   - claimgate refuses to start without public keys (or --dev-hs256), and on a malformed JWKS
#     names the key's index and the reason
#   - tokens signed by another implementation (PyJWT over the cryptography package) with the
#     private keys claimctl keys generate wrote, EdDSA, ES256 and RS256, are accepted
#   - a rotation through the JWKS file: a key added is accepted once the file changes (no
#     restart, no SIGHUP), a key removed is refused from the SIGHUP on, a broken file keeps the
#     keys served and the gateway up (GatewayKeyReloadTests checks one keep-alive connection
#     across reloads)
#   - a payment code pays once; a merchant holding it reads no wallet and claims nothing; a
#     resident's token offered as a payment code is refused by name
#   - store QR codes are signed by the operators' key: claimctl store-qr's code is accepted, codes
#     made HS256 from what the gateway holds (its JWKS file, the point) are not, and a store QR
#     secret without --dev-hs256 stops the start; a rotation of their key through their JWKS file
#     (added: accepted without a restart; removed: refused from the SIGHUP on)
#
#   scripts/identity-check.sh [--debug]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_packages redis-server redis-tools libhiredis-dev curl
# PyJWT signs EdDSA and ES256 through the cryptography package: an implementation of JWS that
# shares nothing with ours.
python3 -c "import jwt, cryptography" 2>/dev/null || python3 -m pip install -q 'pyjwt[crypto]' 2>/dev/null \
  || python3 -m pip install -q --break-system-packages 'pyjwt[crypto]'
# The run's first key is EdDSA; the rotation adds ES256 and RS256 ones: every algorithm served.
KEY_ALG=EdDSA check_setup IDENTITY identity "${1:-}"
"$BIN/claimctl" load --redis "$R" seeds/shenyang-2022.json >/dev/null 2>&1
NOW=2022-06-10T10:00:01+08:00
GP=$(free_port)
U="http://127.0.0.1:$GP"

# Start-up refusals.
s1=0
env -u CLAIMGATE_JWKS timeout 10 "$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" \
  >"$WORK/nokeys.out" 2>&1 || s1=$?
printf '{"keys":[{"kty":"EC","crv":"P-256","kid":"a","x":"AAAA","y":"AAAA"}]}' >"$WORK/bad.json"
python3 - "$CLAIMGATE_JWKS" "$WORK/offcurve.json" <<'PY'
import json, sys, base64
keys = json.load(open(sys.argv[1]))["keys"]
k = dict(keys[0]); k["kid"] = "second"
# A P-256 point moved off the curve: the last byte of y changed.
x = base64.urlsafe_b64encode(b"\x01" * 32).rstrip(b"=").decode()
y = base64.urlsafe_b64encode(b"\x02" * 32).rstrip(b"=").decode()
json.dump({"keys": [keys[0], {"kty": "EC", "crv": "P-256", "kid": "second", "x": x, "y": y}]}, open(sys.argv[2], "w"))
PY
s2=0
timeout 10 "$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" --jwks "$WORK/offcurve.json" \
  >"$WORK/offcurve.out" 2>&1 || s2=$?
ok=0
[ "$s1" != 0 ] && grep -q -- '--jwks FILE' "$WORK/nokeys.out" && [ "$s2" != 0 ] \
  && grep -q 'key 1: the point (x, y) is not on P-256' "$WORK/offcurve.out" || ok=1
verdict refuses-to-start $ok "no keys: exit $s1 ($(grep -o 'no token keys[^"]*' "$WORK/nokeys.out" | head -c 90)); off-curve key: exit $s2 ($(grep -o 'JWKS [^"]*' "$WORK/offcurve.out" | head -c 120))"

# A gateway on the run's JWKS (one EdDSA key), followed as a file.
"$BIN/claimgate" serve --listen "127.0.0.1:$GP" --redis "$R" --now "$NOW" --person-rate 0 2>"$WORK/gateway.log" &
GATEWAY_PID=$!
wait_http "$U/healthz"

# Tokens from PyJWT with the private JWKs claimctl wrote (EdDSA now, ES256 added below).
pyjwt() { # PRIVATE_JWK PERSON [ROLE]
  python3 - "$@" <<'PY'
import json, sys, time, jwt
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
k = json.load(open(sys.argv[1]))
alg = k["alg"]
kind = {"EdDSA": OKPAlgorithm, "ES256": ECAlgorithm, "RS256": RSAAlgorithm}[alg]
key = kind.from_jwk(json.dumps(k))
claims = {"sub": sys.argv[2], "region": "210100", "real_name": True, "card": "62", "exp": int(time.time()) + 3600}
print(jwt.encode(claims, key, algorithm=alg, headers={"kid": k["kid"]}))
PY
}
first_kid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kid"])' "$CLAIMGATE_TOKEN_KEY")
T1=$(pyjwt "$CLAIMGATE_TOKEN_KEY" pyjwt-ed)
"$BIN/claimctl" keys generate --kid second --alg ES256 --out "$WORK/keys" --jwks "$CLAIMGATE_JWKS" >/dev/null
T2=$(pyjwt "$WORK/keys/second.jwk" pyjwt-es)
"$BIN/claimctl" keys generate --kid third --alg RS256 --out "$WORK/keys" --jwks "$CLAIMGATE_JWKS" >/dev/null
T3=$(pyjwt "$WORK/keys/third.jwk" pyjwt-rs)
# Both tokens over one connection (curl's --next reuses it): their statuses.
rotation_step() { # TOKEN...
  local args=() t
  for t in "$@"; do args+=(-s -o /dev/null -w '%{http_code} ' -H "Authorization: Bearer $t" "$U/v1/me/vouchers" --next); done
  curl "${args[@]}" -s -o /dev/null "$U/healthz"
}
a=""
for _ in $(seq 40); do a=$(rotation_step "$T1" "$T2" "$T3"); [ "$a" = "200 200 200 " ] && break; sleep 0.1; done
ok=0
[ "$a" = "200 200 200 " ] || ok=1
verdict pyjwt-and-file-reload $ok "PyJWT EdDSA, ES256 and RS256 (the last two keys added to the file, no restart, no SIGHUP): $a"

# The first key removed, then SIGHUP: its token is refused from then on, the other serves.
"$BIN/claimctl" keys remove --kid "$first_kid" --jwks "$CLAIMGATE_JWKS" >/dev/null
kill -HUP "$GATEWAY_PID"
b=""
for _ in $(seq 40); do b=$(rotation_step "$T1" "$T2"); [ "$b" = "401 200 " ] && break; sleep 0.05; done
reason=$(curl -s -H "Authorization: Bearer $T1" "$U/v1/me/vouchers")
# A broken file keeps the keys served, and says why.
echo '{"keys": [' >"$CLAIMGATE_JWKS.new" && mv "$CLAIMGATE_JWKS.new" "$CLAIMGATE_JWKS"
kill -HUP "$GATEWAY_PID"
sleep 0.5
c=$(rotation_step "$T1" "$T2")
ok=0
[ "$b" = "401 200 " ] && [ "$c" = "401 200 " ] && grep -q 'token signed with an unknown key' <<<"$reason" \
  && grep -q 'token keys not reloaded' "$WORK/gateway.log" && kill -0 "$GATEWAY_PID" || ok=1
verdict removed-key-and-bad-file $ok "after removal + SIGHUP: $b($reason); broken file + SIGHUP: $c, gateway alive, log: $(grep -o 'token keys not reloaded[^,]*' "$WORK/gateway.log" | head -1)"

# Payment codes: the resident asks, the merchant pays once; what the merchant holds does nothing else.
R1=$("$BIN/claimctl" token --person payer-1 --token-key-file "$WORK/keys/second.jwk")
M1=$("$BIN/claimctl" merchant-token --merchant shop-1 --categories shenyang-specialty-zone --token-key-file "$WORK/keys/second.jwk")
V=$(curl -s -X POST -H "Authorization: Bearer $R1" "$U/v1/pools/specialty-30/claims" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["voucher"]["id"])')
C=$(curl -s -X POST -H "Authorization: Bearer $R1" -d "{\"voucher\":\"$V\",\"merchant\":\"shop-1\"}" "$U/v1/me/payment-codes" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["payment_code"])')
redeem() { # ORDER CODE
  curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $M1" \
    -d "{\"voucher\":\"$V\",\"order\":\"$1\",\"amount_fen\":30000,\"payment_code\":\"$2\"}" "$U/v1/redemptions"
}
p1=$(redeem o-1 "$C"); p2=$(redeem o-1 "$C"); p3=$(redeem o-2 "$C"); p4=$(redeem o-3 "$R1")
w=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $C" "$U/v1/me/vouchers")
k=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $C" "$U/v1/pools/specialty-30/claims")
ok=0
[ "${#C}" = 22 ] && [ "$p1$p2$p3$p4" = "200200409400" ] && [ "$w$k" = "401401" ] || ok=1
verdict payment-code $ok "code ${#C} chars; pay, replay, another order, a bearer token as code: $p1 $p2 $p3 $p4; the code as a bearer: wallet $w, claim $k"

# Store QR codes: signed by the operators' own key (claimctl store-qr); the gateway holds only
# the public half ($CLAIMGATE_STORE_QR_JWKS), and nothing made from what it holds passes.
Q=$("$BIN/claimctl" store-qr store-gome-zhongjie --day 2022-06-10)
R2=$("$BIN/claimctl" token --person shopper-1 --token-key-file "$WORK/keys/second.jwk")
in_store() { # CODE: the claim's status and reason
  curl -s -X POST -H "Authorization: Bearer $R2" -d "{\"store_qr\":\"$1\"}" "$U/v1/pools/appliance-200/claims" \
    | python3 -c 'import json,sys; a=json.load(sys.stdin); print("granted" if "voucher" in a else a.get("reason", a))'
}
forged=$(python3 - "$CLAIMGATE_STORE_QR_JWKS" <<'PY'
import json, sys, base64, hmac, hashlib
text = open(sys.argv[1], "rb").read()
k = json.loads(text)["keys"][0]
raw = base64.urlsafe_b64decode(k["x"] + "==") + base64.urlsafe_b64decode(k["y"] + "==")
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": k["kid"]}).encode())
body = b64(json.dumps({"typ": "store_qr", "store": "store-gome-zhongjie", "day": "2022-06-10"}).encode())
# HS256 "signed" with what the gateway holds (PyJWT refuses to; by hand): the file's bytes, the point's.
for secret in (text, raw):
    print(head + "." + body + "." + b64(hmac.new(secret, (head + "." + body).encode(), hashlib.sha256).digest()))
PY
)
f=""
for code in $forged; do f+="$(in_store "$code") "; done
g=$(in_store "$Q")
s3=0
timeout 10 "$BIN/claimgate" serve --listen "127.0.0.1:$(free_port)" --redis "$R" --now "$NOW" \
  --jwks "$CLAIMGATE_STORE_QR_JWKS" --store-qr-secret-file "$CLAIMGATE_STORE_QR_JWKS" >"$WORK/qrsecret.out" 2>&1 || s3=$?
ok=0
[ "$f" = "store_qr_invalid store_qr_invalid " ] && [ "$g" = granted ] && [ "$s3" != 0 ] \
  && grep -q -- "--store-qr-secret-file is for --dev-hs256 only" "$WORK/qrsecret.out" || { ok=1; cat "$WORK/qrsecret.out" >&2; }
verdict store-qr-public-key $ok "HS256 over the gateway's JWKS bytes and the point's: $f; claimctl store-qr's code: $g; a store QR secret without --dev-hs256: exit $s3"

# The operators rotate their key through their JWKS file: the new key's codes are accepted once
# the file changes (no restart), the old key's are refused from the SIGHUP after its removal
# (GatewayStoreQRReloadTests checks one keep-alive connection across reloads).
old_qr_kid=$(basename "$CLAIMGATE_STORE_QR_KEY" .jwk)
"$BIN/claimctl" keys generate --kid qr-next --alg ES256 --out "$WORK/store-qr-keys" >/dev/null
Q2=$("$BIN/claimctl" store-qr store-gome-zhongjie --day 2022-06-10 --store-qr-key-file "$WORK/store-qr-keys/qr-next.jwk")
shopper() { # CODE: a new shopper's in-store claim with it
  R2=$("$BIN/claimctl" token --person "shopper-$RANDOM$RANDOM" --token-key-file "$WORK/keys/second.jwk")
  in_store "$1"
}
h=""
for _ in $(seq 40); do h=$(shopper "$Q2"); [ "$h" = granted ] && break; sleep 0.1; done
"$BIN/claimctl" keys remove --kid "$old_qr_kid" --jwks "$CLAIMGATE_STORE_QR_JWKS" >/dev/null
kill -HUP "$GATEWAY_PID"
i=""
for _ in $(seq 40); do i=$(shopper "$Q"); [ "$i" = store_qr_invalid ] && break; sleep 0.05; done
j=$(shopper "$Q2")
ok=0
[ "$h $i $j" = "granted store_qr_invalid granted" ] && grep -q 'store QR keys reloaded' "$WORK/gateway.log" || ok=1
verdict store-qr-rotation $ok "new key's code once the file changed: $h; old key's after its removal + SIGHUP: $i; new key's then: $j"

exit "$FAILED"
