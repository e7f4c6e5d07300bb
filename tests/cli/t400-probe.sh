# run-alone: it measures time bounds
# t400-probe.sh: `govgate probe` against real TLS servers (openssl s_server)
# on 127.0.0.1, with a CA and certificates generated here: a good endpoint,
# an expired certificate, a wrong name, TLS 1.1 (when this OpenSSL allows
# it), mutual TLS, a closed port and a server that never answers. Servers
# are always stopped, also when a step fails (trap).

PKI=$T/pki
mkdir -p "$PKI/newcerts"
SERVERS=""

probe_stop_servers() {
	for p in $SERVERS; do
		kill -CONT "$p" 2>/dev/null
		kill "$p" 2>/dev/null
	done
	for p in $SERVERS; do
		wait "$p" 2>/dev/null
	done
	SERVERS=""
}
trap probe_stop_servers EXIT
trap 'probe_stop_servers; exit 1' INT TERM HUP

# Slack for timing bounds (a loaded CI machine starts processes slowly;
# the bounds stay below what a missing deadline would take: the silent
# server below would hang until --max-time 5 s); valgrind starts slowly.
SLACK=2500
[ -n "${GOVGATE_VALGRIND:-}" ] && SLACK=15000

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

ossl() {
	openssl "$@" >>"$PKI/openssl.log" 2>&1 && return 0
	TEST_NAME="openssl $1"
	fail "openssl $* failed"
	tail -5 "$PKI/openssl.log" >&2
	return 1
}

# stamp SECONDS: now + SECONDS as YYMMDDHHMMSSZ (openssl ca dates).
stamp() { date -u -d "@$(( $(date +%s) + $1 ))" +%y%m%d%H%M%SZ; }

# --- a CA, and leaves issued by `openssl ca` with exact dates -------------
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 30 -subj "/CN=govgate test CA"
cat > "$PKI/ca.cnf" <<EOF
[ca]
default_ca = test_ca
[test_ca]
database = $PKI/index.txt
new_certs_dir = $PKI/newcerts
serial = $PKI/serial
default_md = sha256
policy = any_name
unique_subject = no
[any_name]
commonName = supplied
[server_localhost]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost,IP:127.0.0.1
extendedKeyUsage = serverAuth
[server_wrong]
basicConstraints = CA:FALSE
subjectAltName = DNS:wrong.example
extendedKeyUsage = serverAuth
[client]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
EOF
: > "$PKI/index.txt"
echo 1000 > "$PKI/serial"

# issue NAME CN EXTENSIONS NOT_BEFORE NOT_AFTER (seconds from now)
issue() {
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/$1.key" -out "$PKI/$1.csr" -subj "/CN=$2" &&
	ossl ca -batch -notext -config "$PKI/ca.cnf" -cert "$PKI/ca.crt" \
		-keyfile "$PKI/ca.key" -extensions "$3" -startdate "$(stamp "$4")" \
		-enddate "$(stamp "$5")" -in "$PKI/$1.csr" -out "$PKI/$1.crt"
}
DAY=86400
# An hour of margin on each bound makes cert_days_left exact: 30 and -30.
issue good localhost server_localhost -3600 $((30 * DAY + 3600))
issue expired localhost server_localhost $((-60 * DAY)) $((-30 * DAY + 3600))
issue wrong wrong.example server_wrong -3600 $((30 * DAY + 3600))
issue client govgate-client client -3600 $((30 * DAY + 3600))

. "$ROOT/tests/cli/tls-lib.sh"

start_server GOOD -cert "$PKI/good.crt" -key "$PKI/good.key" ||
	fail "good server did not start"
start_server EXPIRED -cert "$PKI/expired.crt" -key "$PKI/expired.key" ||
	fail "expired server did not start"
start_server WRONG -cert "$PKI/wrong.crt" -key "$PKI/wrong.key" ||
	fail "wrong-name server did not start"
start_server MTLS -cert "$PKI/good.crt" -key "$PKI/good.key" \
	-Verify 1 -CAfile "$PKI/ca.crt" || fail "mutual TLS server did not start"
start_server MTLS12 -cert "$PKI/good.crt" -key "$PKI/good.key" -tls1_2 \
	-Verify 1 -CAfile "$PKI/ca.crt" || fail "TLS 1.2 mutual TLS server did not start"
TLS11=""
if ! start_server TLS11 -cert "$PKI/good.crt" -key "$PKI/good.key" \
	-tls1_1 -cipher DEFAULT@SECLEVEL=0; then
	TLS11=""
	echo "t400: skipping TLS 1.1: this OpenSSL's s_server refuses -tls1_1:" >&2
	sed 's/^/    /' "$PKI/server-TLS11.log" | head -3 >&2
fi

# endpoint_block FILE ENDPOINT: one endpoint's lines of the facts, into $T/out.
endpoint_block() {
	awk -v ep="\"$2\"" '/endpoint"?: / { on = (index($0, ep) > 0) } on' \
		"$1" > "$T/out"
}

# --- every endpoint at once, JSON -------------------------------------------
set -- -e "127.0.0.1:$GOOD" -e "127.0.0.1:$EXPIRED" -e "127.0.0.1:$WRONG" \
	-e "127.0.0.1:$MTLS"
[ -n "$TLS11" ] && set -- "$@" -e "127.0.0.1:$TLS11"
expect_rc 0 "probe of live servers exits 0" -- probe --side cloud \
	--ca "$PKI/ca.crt" --cert "$PKI/client.crt" --key "$PKI/client.key" \
	--server-name localhost --attempts 2 --timeout 3000 -f json "$@"
cp "$T/out" "$T/all.json"
expect_out '^  "side": "cloud",$' "json: side"
expect_out '^  "collector": "govgate-probe 0\.1\.0",$' "json: collector"
expect_out '^  "collected_at": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z",$' \
	"json: collected_at is RFC 3339 UTC"
expect_out '^    "reachable": true,$' "json: all endpoints reachable"
got=$(grep '"endpoint":' "$T/all.json" | sed 's/.*: "127.0.0.1:\([0-9]*\)".*/\1/' | tr '\n' ' ')
want="$GOOD $EXPIRED $WRONG $MTLS ${TLS11:+$TLS11 }"
expect_eq "$got" "$want" "json: endpoints in the order given"

endpoint_block "$T/all.json" "127.0.0.1:$GOOD"
expect_out '"server_name": "localhost",' "good: server name"
expect_out '"reachable": true,' "good: reachable"
expect_out '"connect_ms": [0-9]+\.[0-9]{3},' "good: connect latency"
expect_out '"attempts": 1,' "good: one attempt"
expect_out '"error": null,' "good: no error"
expect_out '"version": "1\.3",' "good: TLS 1.3"
expect_out '"cipher": "TLS_AES_256_GCM_SHA384",' "good: cipher"
expect_out '"verified": true,' "good: verified"
expect_out '"verify_error": null,' "good: no verify error"
expect_out '"name_matched": true,' "good: name matched"
expect_out '"cert_days_left": 30,' "good: 30 days left"
expect_out '"mutual": false$' "good: not mutual (server asked for no cert)"

endpoint_block "$T/all.json" "127.0.0.1:$EXPIRED"
expect_out '"error": null,' "expired: handshake completed"
expect_out '"verified": false,' "expired: not verified"
expect_out '"verify_error": "certificate has expired",' "expired: reason"
expect_out '"name_matched": true,' "expired: name matched"
expect_out '"cert_days_left": -30,' "expired: negative days left"

endpoint_block "$T/all.json" "127.0.0.1:$WRONG"
expect_out '"verified": true,' "wrong name: chain verified"
expect_out '"name_matched": false,' "wrong name: name not matched"
expect_out '"cert_days_left": 30,' "wrong name: days left"

endpoint_block "$T/all.json" "127.0.0.1:$MTLS"
expect_out '"version": "1\.3",' "mtls: TLS 1.3"
expect_out '"verified": true,' "mtls: verified"
expect_out '"mutual": true$' "mtls: client certificate sent"

if [ -n "$TLS11" ]; then
	endpoint_block "$T/all.json" "127.0.0.1:$TLS11"
	expect_out '"version": "1\.1",' "tls1.1: version recorded"
	expect_out '"cipher": "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",' "tls1.1: cipher"
	expect_out '"verified": true,' "tls1.1: verified"
fi

# Without the client certificate the mutual TLS server gets none.
expect_rc 0 "mtls without a client cert exits 0" -- probe --side onprem \
	--ca "$PKI/ca.crt" --server-name localhost -e "127.0.0.1:$MTLS" -f json
expect_out '"mutual": false$' "mtls without a cert: not mutual"

# A handshake the server refuses (TLS 1.2, no client certificate) is a fact,
# and a protocol failure is not retried.
expect_rc 0 "refused handshake exits 0" -- probe --side onprem \
	--ca "$PKI/ca.crt" -e "127.0.0.1:$MTLS12" --attempts 3 -f json
expect_out '"reachable": true,' "refused handshake: reachable"
expect_out '"attempts": 1,' "refused handshake: not retried"
expect_out '"error": "tls handshake failed: sslv3 alert handshake failure",' \
	"refused handshake: reason recorded"
expect_out '"tls": null$' "refused handshake: no tls facts"

# --- YAML: quoted strings, fixed words plain --------------------------------
expect_rc 0 "yaml probe exits 0" -- probe --side onprem --ca "$PKI/ca.crt" \
	-e "localhost:$GOOD"
expect_out '^apiVersion: govgate/v1$' "yaml: apiVersion"
expect_out '^kind: Facts$' "yaml: kind"
expect_out '^side: onprem$' "yaml: side"
expect_out '^connectivity:$' "yaml: connectivity"
expect_out '^    - endpoint: "localhost:[0-9]+"$' "yaml: endpoint item"
expect_out '^      server_name: "localhost"$' "yaml: server name defaults to the host"
expect_out '^      error: null$' "yaml: error null"
expect_out '^        version: "1\.3"$' "yaml: version stays a string"
expect_out '^        cert_days_left: 30$' "yaml: days left"
expect_no_out ' $' "yaml: no trailing spaces"

# -o writes atomically and leaves nothing behind.
expect_rc 0 "probe -o exits 0" -- probe --side cloud --ca "$PKI/ca.crt" \
	-e "localhost:$GOOD" -o "$T/facts.yaml"
expect_eq "$(wc -c < "$T/out" | tr -d ' ')" 0 "probe -o: nothing on stdout"
grep -q '^        verified: true$' "$T/facts.yaml" && pass ||
	{ TEST_NAME="probe -o"; fail "facts file lacks verified: true"; }
expect_eq "$(ls "$T" | grep -c 'facts\.yaml\.tmp')" 0 "probe -o: no temporary file left"

# --- live facts through `govgate check` -------------------------------------
# cloud_facts FILE PROBE-ARGS...: probes as the cloud side and completes the
# facts with the shipped fixture's non-connectivity sections.
cloud_facts() {
	f=$1
	shift
	"$GG" probe --side cloud --ca "$PKI/ca.crt" --server-name localhost \
		-o "$f" "$@" 2>"$T/probe-err" || {
		TEST_NAME="probe for check"; fail "probe $* failed"; cat "$T/probe-err" >&2; }
	sed -n '/^encryption:/,$p' fixtures/facts/cloud.yaml >> "$f"
}
CHECK="check -p policies/ --onprem-facts fixtures/facts/onprem.yaml"
MANIFEST=fixtures/manifests/hybrid-ok.yaml

cloud_facts "$T/live-good.yaml" -e "127.0.0.1:$GOOD"
expect_rc 0 "check on live good facts: allowed (warn only)" -- \
	$CHECK --cloud-facts "$T/live-good.yaml" $MANIFEST
expect_out "live-good\.yaml:21:25: warn \[medium\] conn\.cloud-cert-validity:" \
	"check on live good facts: 30 days left warns"
expect_out "^decision: warn " "check on live good facts: decision warn"

cloud_facts "$T/live-expired.yaml" -e "127.0.0.1:$EXPIRED"
expect_rc 1 "check on an expired certificate: blocked" -- \
	$CHECK --cloud-facts "$T/live-expired.yaml" $MANIFEST
expect_out "live-expired\.yaml:18:19: block \[critical\] conn\.cloud-tls-verified:" \
	"check on an expired certificate: verified is false"

cloud_facts "$T/live-wrong.yaml" -e "127.0.0.1:$WRONG"
expect_rc 1 "check on a wrong name: blocked" -- \
	$CHECK --cloud-facts "$T/live-wrong.yaml" $MANIFEST
expect_out "live-wrong\.yaml:20:23: block \[critical\] conn\.cloud-tls-verified:" \
	"check on a wrong name: name_matched is false"

if [ -n "$TLS11" ]; then
	cloud_facts "$T/live-tls11.yaml" -e "127.0.0.1:$TLS11"
	expect_rc 1 "check on TLS 1.1: blocked" -- \
		$CHECK --cloud-facts "$T/live-tls11.yaml" $MANIFEST
	expect_out "live-tls11\.yaml:16:18: block \[high\] conn\.cloud-tls-live-version: cloud endpoint negotiated TLS 1\.1" \
		"check on TLS 1.1: live version rule"
fi

# --- a closed port: retried, then recorded, within the time bound ----------
start_server CLOSED -cert "$PKI/good.crt" -key "$PKI/good.key" ||
	fail "server for the closed port did not start"
kill "$CLOSED_PID"
wait "$CLOSED_PID" 2>/dev/null
t0=$(now_ms)
expect_rc 0 "closed port: facts still produced" -- probe --side cloud \
	-e "127.0.0.1:$CLOSED" --attempts 4 --max-time 3 --timeout 500 -f json
elapsed=$(( $(now_ms) - t0 ))
expect_out '^    "reachable": false,$' "closed port: not all reachable"
expect_out '"attempts": 4,' "closed port: attempts equals --attempts"
expect_out '"error": "connection refused",' "closed port: error recorded"
expect_out '"connect_ms": null,' "closed port: no latency"
expect_out '"tls": null$' "closed port: no tls facts"
# Three backoff waits of at least 50, 100 and 200 ms.
[ "$elapsed" -ge 350 ] && [ "$elapsed" -le $((3000 + SLACK)) ] && pass ||
	{ TEST_NAME="closed port timing"; fail "took $elapsed ms, want 350..$((3000 + SLACK))"; }
echo "t400: closed port, 4 attempts: $elapsed ms" >&2

# The recorded refusal escalates in check.
cloud_facts "$T/live-closed.yaml" -e "127.0.0.1:$CLOSED" --attempts 2
expect_rc 3 "check on a closed port: escalated" -- \
	$CHECK --cloud-facts "$T/live-closed.yaml" $MANIFEST
expect_out "live-closed\.yaml:11:18: escalate \[high\] conn\.endpoints-reachable:" \
	"check on a closed port: reachable is false"

# --max-time cuts the retries short.
t0=$(now_ms)
expect_rc 0 "closed port, max-time: exit 0" -- probe --side cloud \
	-e "127.0.0.1:$CLOSED" --attempts 100 --max-time 1 -f json
elapsed=$(( $(now_ms) - t0 ))
n=$(sed -n 's/.*"attempts": \([0-9]*\),/\1/p' "$T/out")
[ "${n:-0}" -ge 3 ] && [ "${n:-100}" -lt 100 ] && pass ||
	{ TEST_NAME="max-time bounds attempts"; fail "attempts $n, want 3..99"; }
[ "$elapsed" -le $((1000 + SLACK)) ] && pass ||
	{ TEST_NAME="max-time bound"; fail "took $elapsed ms, want <= $((1000 + SLACK))"; }
echo "t400: closed port, --max-time 1: $n attempts in $elapsed ms" >&2

# --- a server that accepts TCP but never speaks TLS (stopped) --------------
kill -STOP "$WRONG_PID"
t0=$(now_ms)
expect_rc 0 "silent server: exit 0" -- probe --side cloud -e "127.0.0.1:$WRONG" \
	--attempts 2 --timeout 300 --max-time 5 -f json
elapsed=$(( $(now_ms) - t0 ))
kill -CONT "$WRONG_PID"
expect_out '"reachable": true,' "silent server: reachable (TCP connected)"
expect_out '"attempts": 2,' "silent server: retried"
expect_out '"error": "tls handshake timed out",' "silent server: handshake timeout"
expect_out '"tls": null$' "silent server: no tls facts"
[ "$elapsed" -ge 600 ] && [ "$elapsed" -le $((1000 + SLACK)) ] && pass ||
	{ TEST_NAME="silent server timing"; fail "took $elapsed ms, want 600..$((1000 + SLACK))"; }

probe_stop_servers

# --- usage and file errors: exit 2, naming the file -------------------------
expect_rc 2 "no --side" -- probe -e 127.0.0.1:1
expect_err '--side is required' "no --side: message"
expect_rc 2 "bad --side" -- probe --side moon -e 127.0.0.1:1
expect_err "invalid side 'moon'" "bad --side: message"
expect_rc 2 "no --endpoint" -- probe --side cloud
expect_err 'at least one --endpoint' "no --endpoint: message"
expect_rc 2 "endpoint without a port" -- probe --side cloud -e 127.0.0.1
expect_err "invalid endpoint '127\.0\.0\.1'" "endpoint without a port: message"
expect_rc 2 "endpoint with port 0" -- probe --side cloud -e localhost:0
expect_rc 2 "bad --attempts" -- probe --side cloud -e localhost:1 --attempts 0
expect_rc 2 "bad --max-time" -- probe --side cloud -e localhost:1 --max-time x
expect_rc 2 "bad --format" -- probe --side cloud -e localhost:1 -f xml
expect_rc 2 "--cert without --key" -- probe --side cloud -e localhost:1 \
	--cert "$PKI/client.crt"
expect_err '--cert and --key go together' "--cert without --key: message"
expect_rc 2 "missing CA file" -- probe --side cloud -e localhost:1 \
	--ca "$T/nope.pem"
expect_err "nope\.pem: error: cannot read CA file: No such file" "missing CA file: named"
printf 'not a certificate\n' > "$T/junk.pem"
expect_rc 2 "CA file that is not PEM" -- probe --side cloud -e localhost:1 \
	--ca "$T/junk.pem"
expect_err "junk\.pem: error: cannot load CA file" "junk CA file: named"
expect_rc 2 "unreadable key" -- probe --side cloud -e localhost:1 \
	--cert "$PKI/client.crt" --key "$T/nokey.pem"
expect_err "nokey\.pem: error: cannot read key" "missing key: named"
expect_rc 2 "key of another certificate" -- probe --side cloud -e localhost:1 \
	--cert "$PKI/client.crt" --key "$PKI/good.key"
expect_err "good\.key: error: key does not match certificate '.*client\.crt'" \
	"mismatched key: named"
expect_rc 2 "certificate file that is not PEM" -- probe --side cloud \
	-e localhost:1 --cert "$T/junk.pem" --key "$PKI/client.key"
expect_err "junk\.pem: error: cannot load certificate" "junk certificate: named"
expect_rc 2 "unknown option" -- probe --side cloud -e localhost:1 --bogus
expect_err "^govgate: probe: unknown option '--bogus'$" "unknown option: message"
expect_rc 2 "option without its value" -- probe --side cloud -e localhost:1 --ca
expect_err "option '--ca' needs a value" "missing value: message"
expect_rc 2 "stray argument" -- probe --side cloud -e localhost:1 extra
expect_rc 0 "probe --help" -- probe --help
for o in --side --endpoint --ca --cert --key --server-name --timeout \
	--attempts --max-time --format --output --help; do
	expect_out "^ .*$o" "probe --help lists $o"
done

trap - EXIT INT TERM HUP
