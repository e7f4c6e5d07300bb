# t353: Go's golang.org/x/mod/sumdb/{note,tlog} accept our checkpoints,
# proofs and exported log, and reject tampered copies (tests/interop).
if ! command -v go >/dev/null 2>&1; then
	echo "    skip: t353 needs 'go' (Debian golang-go) for the third-party check" >&2
	return 0 2>/dev/null || exit 0
fi
GOPATH_X=${GOVGATE_GOPATH:-/usr/share/gocode}
(cd "$ROOT/tests/interop/auditcheck" && GO111MODULE=off GOPATH="$GOPATH_X" GOFLAGS= \
	GOPROXY=off GOCACHE="$T/gocache" go build -o "$T/auditcheck" .) 2>"$T/gobuild"
expect_eq $? 0 "the Go checker builds offline against $GOPATH_X (golang-golang-x-mod-dev)"
[ -x "$T/auditcheck" ] || { cat "$T/gobuild" >&2; return 0 2>/dev/null || exit 0; }

openssl genpkey -algorithm ed25519 -out "$T/log.key" 2>/dev/null
chmod 600 "$T/log.key"
openssl pkey -in "$T/log.key" -pubout -out "$T/log.pub"
DB="$T/g.db"
ORIGIN=example.com/govgate-test
i=0
while [ $i -lt 13 ]; do
	"$GG" audit append --db "$DB" --type report.signed --deployment "d$i" --actor ci \
		--payload "{\"i\":$i,\"s\":\"caf\\u00e9 \\\"q\\\"\"}" >/dev/null || fail "append $i"
	[ $i -eq 4 ] && "$GG" audit checkpoint --db "$DB" --log-key "$T/log.key" --origin $ORIGIN -o "$T/old.cp"
	i=$((i + 1))
done
expect_rc 0 "sign the latest checkpoint" -- audit checkpoint --db "$DB" --log-key "$T/log.key" --origin $ORIGIN -o "$T/latest.cp"
expect_rc 0 "verifier key" -- audit key --key "$T/log.pub" --origin $ORIGIN
cp "$T/out" "$T/vkey"
expect_rc 0 "inclusion proof" -- audit prove --db "$DB" --seq 9 -o "$T/incl.proof"
expect_rc 0 "consistency proof" -- audit prove --db "$DB" --from 5 -o "$T/cons.proof"
expect_rc 0 "export" -- audit export --db "$DB" -o "$T/log.jsonl"

check() {
	"$T/auditcheck" "$1" "$2" "$3" "$4" "$5" "$6" >"$T/out" 2>"$T/err"
	rc=$?
}
check "$T/vkey" "$T/latest.cp" "$T/incl.proof" "$T/cons.proof" "$T/old.cp" "$T/log.jsonl"
expect_eq $rc 0 "Go accepts our checkpoint, proofs and export"
expect_out "^ok: checkpoint example.com/govgate-test/13, inclusion of 9, consistency 5 -> 13, export of 13 entries" "Go's summary"
[ $rc -eq 0 ] || cat "$T/err" >&2

sed '3{s/^A/#/;s/^[^#]/A/;s/^#/B/}' "$T/latest.cp" > "$T/bad.cp"
check "$T/vkey" "$T/bad.cp" "$T/incl.proof" "$T/cons.proof" "$T/old.cp" "$T/log.jsonl"
expect_eq $rc 1 "Go rejects a checkpoint with a changed root"
expect_err "invalid signature|malformed" "Go's reason for the checkpoint"

sed '4s/^./A/' "$T/incl.proof" > "$T/bad.proof"
cmp -s "$T/bad.proof" "$T/incl.proof" && sed '4s/^./B/' "$T/incl.proof" > "$T/bad.proof"
check "$T/vkey" "$T/latest.cp" "$T/bad.proof" "$T/cons.proof" "$T/old.cp" "$T/log.jsonl"
expect_eq $rc 1 "Go rejects a tampered inclusion proof"
expect_err "CheckRecord" "Go's reason for the inclusion proof"

sed '3s/^./A/' "$T/cons.proof" > "$T/bad.proof"
cmp -s "$T/bad.proof" "$T/cons.proof" && sed '3s/^./B/' "$T/cons.proof" > "$T/bad.proof"
check "$T/vkey" "$T/latest.cp" "$T/incl.proof" "$T/bad.proof" "$T/old.cp" "$T/log.jsonl"
expect_eq $rc 1 "Go rejects a tampered consistency proof"
expect_err "CheckTree" "Go's reason for the consistency proof"

sed '7s/"i":6/"i":7/' "$T/log.jsonl" > "$T/bad.jsonl"
check "$T/vkey" "$T/latest.cp" "$T/incl.proof" "$T/cons.proof" "$T/old.cp" "$T/bad.jsonl"
expect_eq $rc 1 "Go rejects a tampered export"
expect_err "export root" "Go's reason for the export"

openssl genpkey -algorithm ed25519 -out "$T/other.key" 2>/dev/null
chmod 600 "$T/other.key"
openssl pkey -in "$T/other.key" -pubout -out "$T/other.pub"
"$GG" audit key --key "$T/other.pub" --origin $ORIGIN > "$T/other.vkey"
check "$T/other.vkey" "$T/latest.cp" "$T/incl.proof" "$T/cons.proof" "$T/old.cp" "$T/log.jsonl"
expect_eq $rc 1 "Go rejects our checkpoint under another key"

# a signed receipt's log proof (docs/EVIDENCE.md, "Deployment receipts"):
# Go checks the inclusion of the receipt's own entry in the signed tree
"$GG" keygen --out "$T/rep" >/dev/null 2>&1
R="$T/r.db"
"$GG" check --rules rules --policy policies --cloud-facts fixtures/facts/cloud.yaml \
	--onprem-facts fixtures/facts/onprem.yaml --db "$R" --log-key "$T/log.key" --origin $ORIGIN \
	--sign "$T/rep.key" --receipt "$T/rc.dsse" fixtures/manifests/encryption-misconfig.yaml >/dev/null 2>&1
sed 's/.*"payload":"\([^"]*\)".*/\1/' "$T/rc.dsse" | base64 -d |
	python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["predicate"]["log_proof"])' > "$T/rc.proof"
expect_eq "$(sed -n 1p "$T/rc.proof")" "c2sp.org/tlog-proof@v1" "the receipt carries a tlog-proof"
awk 'f { print } /^$/ { f = 1 }' "$T/rc.proof" > "$T/rc.cp"
"$GG" audit prove --db "$R" --from 1 -o "$T/rc-cons.proof" >/dev/null
"$GG" audit export --db "$R" -o "$T/rc.jsonl" 2>/dev/null
awk '{ print } /^\xe2\x80\x94 / { exit }' "$T/rc.jsonl.checkpoints" > "$T/rc-old.cp"
check "$T/vkey" "$T/rc.cp" "$T/rc.proof" "$T/rc-cons.proof" "$T/rc-old.cp" "$T/rc.jsonl"
expect_eq $rc 0 "Go accepts the receipt's inclusion proof against its signed checkpoint"
expect_out "^ok: checkpoint example.com/govgate-test/2, inclusion of 1, consistency 1 -> 2, export of 2 entries" "Go's summary for the receipt"
[ $rc -eq 0 ] || cat "$T/err" >&2
