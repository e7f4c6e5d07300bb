# Helpers for the deploy tests (t5NN-deploy*.sh), sourced after lib.sh:
# a CA and a server certificate made at test time, openssl s_server on free
# ports of 127.0.0.1, and readers for the audit log. Servers are stopped by
# their process ids, also when a test fails (trap).

PKI=$T/pki
mkdir -p "$PKI"
SERVERS=""

deploy_stop_servers() {
	for p in $SERVERS; do
		kill "$p" 2>/dev/null
	done
	for p in $SERVERS; do
		wait "$p" 2>/dev/null
	done
	SERVERS=""
}
trap deploy_stop_servers EXIT
trap 'deploy_stop_servers; exit 1' INT TERM HUP

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Slack for timing bounds; valgrind starts slowly.
SLACK=700
[ -n "${GOVGATE_VALGRIND:-}" ] && SLACK=15000

deploy_ossl() {
	openssl "$@" >>"$PKI/openssl.log" 2>&1 && return 0
	TEST_NAME="openssl $1"
	fail "openssl $* failed"
	tail -5 "$PKI/openssl.log" >&2
	return 1
}

# make_pki: $PKI/ca.crt, and $PKI/server.{crt,key} for localhost and
# 127.0.0.1, valid for a year (so no certificate-expiry warning).
make_pki() {
	deploy_ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 30 \
		-subj "/CN=govgate deploy test CA" &&
	printf 'basicConstraints = CA:FALSE\nsubjectAltName = DNS:localhost,IP:127.0.0.1\nextendedKeyUsage = serverAuth\n' \
		> "$PKI/server.ext" &&
	deploy_ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$PKI/server.key" -out "$PKI/server.csr" -subj "/CN=localhost" &&
	deploy_ossl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" \
		-CAcreateserial -days 365 -extfile "$PKI/server.ext" -out "$PKI/server.crt"
}

. "$ROOT/tests/cli/tls-lib.sh"

# closed_port VAR: a port of 127.0.0.1 that refuses connections (a server
# started there, then stopped).
closed_port() {
	start_server "$1" -cert "$PKI/server.crt" -key "$PKI/server.key" || return 1
	eval "p=\$${1}_PID"
	kill "$p"
	wait "$p" 2>/dev/null
	SERVERS=$(echo "$SERVERS" | sed "s/ $p\$//; s/ $p / /")
}

# event_types DB: the type of every entry, one per line, in seq order.
event_types() {
	"$GG" audit log --db "$1" | sed 's/.*"type":"\([^"]*\)".*/\1/'
}

# entries DB TYPE: the entries of one type.
entries() {
	"$GG" audit log --db "$1" --type "$2"
}

# expect_types DB DESCRIPTION TYPE...: the log holds exactly these types, in order.
expect_types() {
	db=$1
	TEST_NAME=$2
	shift 2
	got=$(event_types "$db" | tr '\n' ' ')
	want="$* "
	[ "$got" = "$want" ] && pass || fail "events: got '$got', want '$want'"
}

# entry_count DB: how many entries the log holds (0 when there is no log).
entry_count() {
	# no database (file or PostgreSQL): audit log prints nothing
	"$GG" audit log --db "$1" 2>/dev/null | wc -l | tr -d ' '
}

# receipt_payload FILE: the Statement inside a signed envelope.
receipt_payload() {
	sed 's/.*"payload":"\([^"]*\)".*/\1/' "$1" | base64 -d
}

# expect_file_has FILE PATTERN DESCRIPTION
expect_file_has() {
	TEST_NAME=$3
	grep -Eq -- "$2" "$1" 2>/dev/null && pass || { fail "$1 lacks /$2/"; head -5 "$1" >&2; }
}

# expect_missing FILE DESCRIPTION / expect_present FILE DESCRIPTION
expect_missing() {
	TEST_NAME=$2
	[ ! -e "$1" ] && pass || fail "$1 exists"
}
expect_present() {
	TEST_NAME=$2
	[ -e "$1" ] && pass || fail "$1 is missing"
}

# The plan's common head: identity, manifest and policies from the repository.
# plan_head ID MANIFEST
plan_head() {
	cat <<EOF
apiVersion: govgate/v1
kind: DeploymentPlan
deployment:
  deployment_id: $1
  mode: hybrid
  cloud_region: ap-south-1
  on_prem: datacenter-1
manifest: $ROOT/fixtures/manifests/$2
policies: [$ROOT/policies]
rules: [$ROOT/rules]
EOF
}
