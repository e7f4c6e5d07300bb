# run-first: one of the longest files
# t610: signed waivers (docs/GOVERNANCE.md, "Waivers"): signed with real
# keys, applied only when the signer holds a waiver_approvers role, the run's
# initiator did not sign it, it has not expired (the boundary to the second)
# and it matches the finding; a waived finding stays in every output and no
# longer counts; every reason a waiver does not apply; forged and malformed
# waivers stop the run (exit 2); audit entries, the signed report, metrics.

F=fixtures/facts
mkdir -p "$T/keys"
for k in ops sec other log; do
	"$GG" keygen --out "$T/keys/$k" >/dev/null || fail "keygen $k"
done
# the compliance officer's key made by openssl: any Ed25519 PKCS#8 key works
openssl genpkey -algorithm ed25519 -out "$T/keys/comp.key" 2>/dev/null
chmod 600 "$T/keys/comp.key"
openssl pkey -in "$T/keys/comp.key" -pubout -out "$T/keys/comp.pub"

cat > "$T/trust.yaml" <<'EOF'
apiVersion: govgate/v1
kind: Trust
metadata: {name: acme-payments}
keys:
  - {name: ops-lead, roles: [platform-admin], key: keys/ops.pub}
  - {name: sec-lead, roles: [security-admin], key: keys/sec.pub}
  - {name: compliance-lead, roles: [compliance-officer], key: keys/comp.pub}
require:
  waiver_approvers: [compliance-officer, security-admin]
EOF

# the good manifest with a one-year key rotation: one block finding
sed 's/rotation_days: .*/rotation_days: 365/' fixtures/manifests/hybrid-ok.yaml > "$T/m.yaml"
M=$T/m.yaml

# Dates relative to today (GOVGATE_NOW only moves time forward): the waiver
# expires at the end of day EXP, 30 days from now; NEXT is the day after,
# NEXT2 the one after that; TEXP is an instant 20 days from now.
EXP=$(date -u -d '+30 days' +%F)
NEXT=$(date -u -d "$EXP +1 day" +%F)
NEXT2=$(date -u -d "$EXP +2 days" +%F)
TDAY=$(date -u -d '+20 days' +%F)
TEXP=${TDAY}T12:00:00Z

# waiver NAME [RULE] [EXPIRES] [SCOPE-LINES]: $T/NAME.yaml
waiver() {
	cat > "$T/$1.yaml" <<EOF
apiVersion: govgate/v1
kind: Waiver
metadata: {name: $1}
spec:
  policy: hybrid-baseline
  rule: ${2:-enc.key-rotation}
  scope:
${4:-    deployment_id: DEP-2026-11-28-001
    path: "manifest.encryption.at_rest.rotation_days"}
  justification: Key rotation moves to the new KMS on 2026-12-20; tracked in SEC-1234.
  ticket: SEC-1234
  expires: ${3:-$EXP}
EOF
}
CHECK="check -p policies --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml --trust $T/trust.yaml"
# jq-less JSON reads: jget FILE EXPR (python3, a dependency of the test suite)
jget() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

# --- signing ------------------------------------------------------------------
waiver W-2026-014
expect_rc 0 "waiver sign" -- waiver sign --key "$T/keys/comp.key" -o "$T/w.dsse" "$T/W-2026-014.yaml"
expect_out "^wrote $T/w.dsse: the waiver signed by key $("$GG" key id "$T/keys/comp.pub")$" "says what it wrote"
expect_eq "$(jget "$T/w.dsse" "d['payloadType']")" "application/vnd.govgate.waiver+yaml" \
	"payload type"
jget "$T/w.dsse" "d['payload']" | base64 -d > "$T/payload.yaml"
TEST_NAME="the payload is the document's exact bytes"
cmp -s "$T/payload.yaml" "$T/W-2026-014.yaml" && pass || fail "payload differs"
expect_eq "$(jget "$T/w.dsse" "d['signatures'][0]['keyid']")" \
	"$("$GG" key id "$T/keys/comp.pub")" "keyid is the signer's"

# malformed waivers: located errors, exit 2, nothing written
sed 's/ticket:/ticekt:/' "$T/W-2026-014.yaml" > "$T/bad1.yaml"
expect_rc 2 "unknown key" -- waiver sign --key "$T/keys/comp.key" -o "$T/bad.dsse" "$T/bad1.yaml"
expect_err "^$T/bad1.yaml:11:3: error: unknown key 'ticekt' in a waiver's spec; did you mean 'ticket'\? \[GV-W002\]$" "unknown key at line:col"
expect_err "^$T/bad1.yaml:5:3: error: spec has no 'ticket' \[GV-W003\]$" "missing ticket"
TEST_NAME="nothing written"
[ ! -e "$T/bad.dsse" ] && pass || fail "bad.dsse written"
sed 's/expires: .*/expires: 2026-13-45/' "$T/W-2026-014.yaml" > "$T/bad2.yaml"
expect_rc 2 "bad expiry" -- waiver sign --key "$T/keys/comp.key" -o "$T/bad.dsse" "$T/bad2.yaml"
expect_err "^$T/bad2.yaml:12:12: error: 'expires' must be a date \(2026-12-31, valid through that day, UTC\) or an RFC 3339 time \(2026-12-31T12:00:00Z\), not '2026-13-45' \[GV-W005\]$" "bad expiry located"
sed 's/kind: Waiver/kind: Policy/' "$T/W-2026-014.yaml" > "$T/bad3.yaml"
expect_rc 2 "wrong kind" -- waiver sign --key "$T/keys/comp.key" -o "$T/bad.dsse" "$T/bad3.yaml"
expect_err "^$T/bad3.yaml:2:7: error: 'kind' must be Waiver, not 'Policy' \[GV-W001\]$" "wrong kind located"
sed '/justification/d' "$T/W-2026-014.yaml" > "$T/bad4.yaml"
expect_rc 2 "no justification" -- waiver sign --key "$T/keys/comp.key" -o "$T/bad.dsse" "$T/bad4.yaml"
expect_err "error: spec has no 'justification' \[GV-W003\]$" "missing justification"
printf 'apiVersion: govgate/v1\nkind: Waiver\nmetadata: {name: W}\nspec:\n  policy: [a]\n' > "$T/bad5.yaml"
expect_rc 2 "a list for a string" -- waiver sign --key "$T/keys/comp.key" -o "$T/bad.dsse" "$T/bad5.yaml"
expect_err "^$T/bad5.yaml:5:11: error: 'policy' must be a string, not a list \[GV-W004\]$" "type error located"
expect_rc 2 "a public key cannot sign" -- waiver sign --key "$T/keys/comp.pub" -o "$T/bad.dsse" "$T/W-2026-014.yaml"

# --- the finding without and with the waiver ------------------------------------
expect_rc 1 "without the waiver: blocked" -- $CHECK "$M"
expect_out "^decision: block — 1 manifest, 29 rules evaluated, 1 finding \(block 1\)$" "block"

# a date is valid through the whole UTC day, expired one second after
GOVGATE_NOW=${EXP}T23:59:59Z expect_rc 0 "valid at 23:59:59 of the day" -- $CHECK --waiver "$T/w.dsse" "$M"
expect_out "^$M:28:20: block \[medium\] enc.key-rotation: key rotation period 365 days" "the finding stays"
expect_out "^    waived: W-2026-014 \(ticket SEC-1234, signed by compliance-lead, expires $EXP\)$" "marked waived"
expect_out "^waiver W-2026-014: applied to 1 finding of hybrid-baseline/enc.key-rotation$" "waiver listed"
expect_out "^decision: allow — 1 manifest, 29 rules evaluated, 1 finding, 1 waived$" "allow"
GOVGATE_NOW=${NEXT}T00:00:00Z expect_rc 1 "expired one second after" -- $CHECK --waiver "$T/w.dsse" "$M"
expect_out "^waiver W-2026-014: not applied: expired \(hybrid-baseline/enc.key-rotation\)$" "expired"
# GOVGATE_NOW never moves time back: a waiver that expired yesterday stays
# expired with "now" set years earlier
waiver W-OLD enc.key-rotation "$(date -u -d '-1 day' +%F)"
"$GG" waiver sign --key "$T/keys/comp.key" -o "$T/wold.dsse" "$T/W-OLD.yaml" >/dev/null || fail "sign W-OLD"
GOVGATE_NOW=2020-01-01T00:00:00Z expect_rc 1 "GOVGATE_NOW in the past revives nothing" -- $CHECK --waiver "$T/wold.dsse" "$M"
expect_out "^waiver W-OLD: not applied: expired \(hybrid-baseline/enc.key-rotation\)$" "still expired"
expect_out "^decision: block — 1 manifest, 29 rules evaluated, 1 finding \(block 1\)$" "block again"
expect_no_out "waived:" "not marked waived"

# an RFC 3339 time: valid until that instant
waiver W-T enc.key-rotation $TEXP
"$GG" waiver sign --key "$T/keys/sec.key" -o "$T/wt.dsse" "$T/W-T.yaml" >/dev/null
GOVGATE_NOW=${TDAY}T11:59:59Z expect_rc 0 "time: valid a second before" -- $CHECK --waiver "$T/wt.dsse" "$M"
expect_out "signed by sec-lead, expires $TEXP" "security-admin approves too"
GOVGATE_NOW=$TEXP expect_rc 1 "time: expired at the instant" -- $CHECK --waiver "$T/wt.dsse" "$M"
expect_out "^waiver W-T: not applied: expired" "expired at the instant"
GOVGATE_NOW=yesterday expect_rc 2 "a bad GOVGATE_NOW" -- $CHECK --waiver "$T/w.dsse" "$M"
expect_err "error: \\\$GOVGATE_NOW 'yesterday' is not an RFC 3339 time \[GV-W009\]" "says why"

# --- every output ---------------------------------------------------------------
unset GOVGATE_NOW   # the clock: the waivers below are valid
expect_rc 0 "json" -- $CHECK --waiver "$T/w.dsse" -f json -o "$T/r.json" "$M"
expect_eq "$(jget "$T/r.json" "d['decision']")" allow "json: decision allow"
expect_eq "$(jget "$T/r.json" "d['manifests'][0]['decision']")" allow "json: manifest allow"
expect_eq "$(jget "$T/r.json" "d['counts']['findings'], d['counts']['waived'], d['counts']['by_enforcement']['block']")" "1 1 0" "json: counts"
expect_eq "$(jget "$T/r.json" "d['findings'][0]['rule'], d['findings'][0]['line']")" "enc.key-rotation 28" "json: the finding stays"
expect_eq "$(jget "$T/r.json" "d['findings'][0]['waiver']")" "{'name': 'W-2026-014', 'ticket': 'SEC-1234', 'signer': 'compliance-lead', 'keyid': '$("$GG" key id "$T/keys/comp.pub")', 'expires': '$EXP'}" "json: finding marked waived"
expect_eq "$(jget "$T/r.json" "d['waivers'][0]['status'], d['waivers'][0]['reason'], d['waivers'][0]['findings'], d['waivers'][0]['justification']")" "applied None 1 Key rotation moves to the new KMS on 2026-12-20; tracked in SEC-1234." "json: waiver entry"
expect_rc 0 "sarif" -- $CHECK --waiver "$T/w.dsse" -f sarif -o "$T/r.sarif" "$M"
expect_eq "$(jget "$T/r.sarif" "d['runs'][0]['results'][0]['suppressions']")" "[{'kind': 'external', 'status': 'accepted', 'justification': 'waived by W-2026-014 (ticket SEC-1234, signed by compliance-lead, expires $EXP): Key rotation moves to the new KMS on 2026-12-20; tracked in SEC-1234.'}]" "sarif: suppressions"
expect_eq "$(jget "$T/r.sarif" "d['runs'][0]['results'][0]['level']")" error "sarif: the result stays"
if command -v npm > /dev/null 2>&1 && command -v node > /dev/null 2>&1; then
	[ -d tests/sarif/node_modules/ajv-draft-04 ] ||
		(cd tests/sarif && npm ci --no-audit --no-fund > /dev/null 2>&1)
	TEST_NAME="sarif with suppressions validates against sarif-schema-2.1.0"
	node tests/sarif/validate.js "$T/r.sarif" > "$T/v" 2>&1 && pass ||
		{ fail "schema"; head -20 "$T/v" >&2; }
else
	echo "t610: npm not found; SARIF schema validation skipped"
fi
expect_rc 0 "junit" -- $CHECK --waiver "$T/w.dsse" -f junit "$M"
expect_out 'failures="0" errors="0" skipped="1"' "junit: skipped, not failed"
expect_out '<skipped message="waived by W-2026-014 \(ticket SEC-1234' "junit: why"
expect_rc 0 "github" -- $CHECK --waiver "$T/w.dsse" -f github "$M"
expect_out '^::notice file=.*m.yaml,line=28,col=20,title=enc.key-rotation::' "github: a notice"
expect_out 'waived by W-2026-014' "github: why"
expect_rc 0 "gitlab" -- $CHECK --waiver "$T/w.dsse" -f gitlab -o "$T/r.gl" "$M"
expect_eq "$(jget "$T/r.gl" "d[0]['severity']")" info "gitlab: info"

# --- fail closed: every reason ------------------------------------------------------
# reason FILE REASON DESCRIPTION [EXTRA...]: the finding stands, the waiver is listed
reason() {
	f=$1; r=$2; what=$3; shift 3
	expect_rc 1 "$what: exit 1" -- $CHECK --waiver "$f" -f json -o "$T/rr.json" "$@" "$M"
	expect_eq "$(jget "$T/rr.json" "d['decision'], d['waivers'][0]['status'], d['waivers'][0]['reason'], 'waiver' in d['findings'][0]")" "block not-applied $r False" "$what: $r"
}
"$GG" waiver sign --key "$T/keys/ops.key" -o "$T/w-ops.dsse" "$T/W-2026-014.yaml" >/dev/null
reason "$T/w-ops.dsse" role-not-held "platform-admin is no waiver approver"
expect_eq "$(jget "$T/rr.json" "d['waivers'][0]['signer']")" ops-lead "the signer is named"
"$GG" waiver sign --key "$T/keys/other.key" -o "$T/w-other.dsse" "$T/W-2026-014.yaml" >/dev/null
reason "$T/w-other.dsse" untrusted-key "a key not in the trust file"
expect_eq "$(jget "$T/rr.json" "d['waivers'][0]['signer'], d['waivers'][0]['keyid']")" "None $("$GG" key id "$T/keys/other.pub")" "untrusted: key id shown"
reason "$T/w.dsse" initiator "the run's own --sign key" --sign "$T/keys/comp.key" --report "$T/rep.dsse"
GOVGATE_NOW=${NEXT}T00:00:01Z reason "$T/w.dsse" expired "expired"
sed 's/{use: enc.key-rotation, enforcement: block, severity: medium}/{use: enc.key-rotation, enforcement: block, severity: medium, waivable: false}/' \
	policies/hybrid-baseline.yaml > "$T/unwaivable.yaml"
TEST_NAME="the unwaivable policy differs"
grep -q "waivable: false" "$T/unwaivable.yaml" && pass || fail "sed did nothing"
expect_rc 1 "unwaivable: exit 1" -- check -p "$T/unwaivable.yaml" --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml --trust "$T/trust.yaml" --waiver "$T/w.dsse" "$M"
expect_out "^waiver W-2026-014: not applied: unwaivable \(hybrid-baseline/enc.key-rotation\)$" "unwaivable"
waiver W-DEP enc.key-rotation $EXP "    deployment_id: DEP-2026-11-28-999"
"$GG" waiver sign --key "$T/keys/comp.key" -o "$T/w-dep.dsse" "$T/W-DEP.yaml" >/dev/null
reason "$T/w-dep.dsse" out-of-scope "another deployment"
waiver W-PATH enc.key-rotation $EXP "    path: manifest.encryption.in_transit"
"$GG" waiver sign --key "$T/keys/comp.key" -o "$T/w-path.dsse" "$T/W-PATH.yaml" >/dev/null
reason "$T/w-path.dsse" out-of-scope "another path"
# no scope: every finding of the rule
sed '/scope:/,/path:/d' "$T/W-2026-014.yaml" > "$T/W-ANY.yaml"
"$GG" waiver sign --key "$T/keys/comp.key" -o "$T/w-any.dsse" "$T/W-ANY.yaml" >/dev/null
expect_rc 0 "no scope: applies" -- $CHECK --waiver "$T/w-any.dsse" "$M"
# unused, beside an applied one
waiver W-UNUSED enc.at-rest
"$GG" waiver sign --key "$T/keys/comp.key" -o "$T/w-unused.dsse" "$T/W-UNUSED.yaml" >/dev/null
expect_rc 0 "an unused waiver does not fail the run" -- $CHECK --waiver "$T/w-unused.dsse" --waiver "$T/w.dsse" "$M"
expect_out "^waiver W-UNUSED: unused: it matched no finding of hybrid-baseline/enc.at-rest$" "unused listed"
expect_rc 1 "unused alone" -- $CHECK --waiver "$T/w-unused.dsse" -f json -o "$T/u.json" "$M"
expect_eq "$(jget "$T/u.json" "d['waivers'][0]['status'], d['waivers'][0]['reason'], d['waivers'][0]['findings']")" "unused None 0" "json: unused"

# --- input errors: forged, malformed, unsigned, no trust -------------------------------
python3 - "$T/w.dsse" "$T/forged.dsse" "$EXP" <<'EOF'
import base64, json, sys
e = json.load(open(sys.argv[1]))
p = base64.b64decode(e["payload"]).replace(sys.argv[3].encode(), b"2099-12-31")
e["payload"] = base64.b64encode(p).decode()
open(sys.argv[2], "w").write(json.dumps(e))
EOF
expect_rc 2 "a forged waiver stops the run" -- $CHECK --waiver "$T/forged.dsse" "$M"
expect_err "^$T/forged.dsse: error: the waiver's signature does not verify under trusted key 'compliance-lead' \($("$GG" key id "$T/keys/comp.pub")\): the waiver was altered or forged \[GV-W007\]$" "forgery named"
expect_eq "$(wc -c < "$T/out")" 0 "nothing reported"
expect_rc 2 "an unsigned waiver" -- $CHECK --waiver "$T/W-2026-014.yaml" "$M"
expect_err "^$T/W-2026-014.yaml:1:1: error: " "not an envelope"
"$GG" key sign-statement --key "$T/keys/comp.key" --statement "$T/r.json" -o "$T/stmt.dsse" >/dev/null
expect_rc 2 "another payload type" -- $CHECK --waiver "$T/stmt.dsse" "$M"
expect_err "^$T/stmt.dsse: error: not a signed waiver: the payload type is 'application/vnd.in-toto\+json', not 'application/vnd.govgate.waiver\+yaml' \(sign it with .govgate waiver sign.\) \[GV-W006\]$" "wrong payload type"
expect_rc 2 "a missing waiver file" -- $CHECK --waiver "$T/none.dsse" "$M"
expect_err "^$T/none.dsse: error: cannot read the signed waiver" "missing named"
expect_rc 2 "the same waiver twice" -- $CHECK --waiver "$T/w.dsse" --waiver "$T/w.dsse" "$M"
expect_err "error: waiver 'W-2026-014' is given twice \(also $T/w.dsse\) \[GV-W010\]$" "twice"
expect_rc 2 "--waiver needs a trust file" -- check -p policies --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml --waiver "$T/w.dsse" "$M"
expect_err "^govgate: error: --waiver and --policy-bundle need a trust file \(--trust FILE or \\\$GOVGATE_TRUST\) that says whose signatures count \[GV-T008\]$" "says why"
GOVGATE_TRUST=$T/trust.yaml expect_rc 0 "\$GOVGATE_TRUST" -- check -p policies --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml --waiver "$T/w.dsse" "$M"
sed 's/severity: medium}/severity: medium, waivable: "no"}/' policies/hybrid-baseline.yaml > "$T/badpol.yaml"
expect_rc 2 "waivable must be a boolean" -- policy lint "$T/badpol.yaml"
expect_err "error: 'waivable' must be true or false \[GV-P037\]$" "waivable type"

# --- evidence: audit entries, the signed report, metrics -------------------------------
DB=$T/a.db
expect_rc 0 "applied, recorded" -- $CHECK --waiver "$T/w.dsse" --db "$DB" --log-key "$T/keys/log.key" \
	--sign "$T/keys/ops.key" --report "$T/rep.dsse" "$M"
GOVGATE_NOW=${NEXT2}T00:00:00Z expect_rc 1 "expired, recorded" -- $CHECK --waiver "$T/w.dsse" \
	--db "$DB" --log-key "$T/keys/log.key" "$M"
"$GG" audit export --db "$DB" -o "$T/x.jsonl" >/dev/null 2>&1
expect_eq "$(grep -c '"type":"governance.waiver.applied"' "$T/x.jsonl")" 1 "one applied entry"
expect_eq "$(grep -c '"type":"governance.waiver.rejected"' "$T/x.jsonl")" 1 "one rejected entry"
grep '"governance.waiver.applied"' "$T/x.jsonl" > "$T/applied.json"
expect_eq "$(jget "$T/applied.json" "d['deployment_id'], d['payload']['waiver'], d['payload']['policy'], d['payload']['rule'], d['payload']['ticket'], d['payload']['signer'], d['payload']['expires'], d['payload']['status'], d['payload']['reason'], d['payload']['findings']")" \
	"DEP-2026-11-28-001 W-2026-014 hybrid-baseline enc.key-rotation SEC-1234 compliance-lead $EXP applied None 1" "applied entry payload"
grep '"governance.validated"' "$T/x.jsonl" | head -1 > "$T/validated.json"
expect_eq "$(jget "$T/validated.json" "d['payload']['decision'], d['payload']['violations']")" \
	"allow [{'rule': 'enc.key-rotation', 'enforcement': 'block', 'severity': 'medium', 'waiver': 'W-2026-014'}]" \
	"governance.validated: decision allow, the violation names its waiver"
grep '"governance.waiver.rejected"' "$T/x.jsonl" > "$T/rejected.json"
expect_eq "$(jget "$T/rejected.json" "d['payload']['status'], d['payload']['reason']")" "not-applied expired" "rejected entry: expired"
expect_rc 0 "the log verifies" -- audit verify --db "$DB" --key "$T/keys/log.pub"
expect_rc 0 "the signed report verifies" -- verify --key "$T/keys/ops.pub" "$T/rep.dsse"
expect_out "^decision: allow$" "signed decision allow"
jget "$T/rep.dsse" "d['payload']" | base64 -d > "$T/rep.json"
expect_eq "$(jget "$T/rep.json" "d['predicate']['waivers'][0]['name'], d['predicate']['waivers'][0]['status'], d['predicate']['findings'][0]['waiver']['signer']")" "W-2026-014 applied compliance-lead" "the signed report lists the waiver"
expect_rc 0 "metrics" -- metrics --db "$DB" --key "$T/keys/log.pub"
expect_out '^# TYPE govgate_waivers_used_total counter$' "metrics: type"
expect_out '^govgate_waivers_used_total\{policy="hybrid-baseline",rule="enc.key-rotation",state="active"\} 1$' "metrics: one active"
expect_out '^govgate_waivers_used_total\{policy="hybrid-baseline",rule="enc.key-rotation",state="expired"\} 1$' "metrics: one expired"

# --- deploy: the plan's waivers and --waiver ---------------------------------------------
cat > "$T/p.plan.yaml" <<EOF
apiVersion: govgate/v1
kind: DeploymentPlan
deployment: {deployment_id: DEP-2026-11-28-001, mode: hybrid, cloud_region: ap-south-1, on_prem: datacenter-1}
manifest: m.yaml
policies: [$ROOT/policies]
trust: trust.yaml
waivers: [w.dsse]
cloud: {facts: [$ROOT/$F/cloud.yaml], steps: [{name: up, run: [true]}]}
onprem: {facts: [$ROOT/$F/onprem.yaml], steps: [{name: up, run: [true]}]}
evidence: {db: deploy.db}
EOF
expect_rc 0 "deploy: the plan's waiver lets it complete" -- deploy --plan "$T/p.plan.yaml" --facts-dir "$T/fd"
expect_out "waived: W-2026-014" "deploy: shows the waiver"
sed '/^waivers:/d' "$T/p.plan.yaml" > "$T/p2.plan.yaml"
expect_rc 1 "deploy: without it, blocked" -- deploy --plan "$T/p2.plan.yaml" --facts-dir "$T/fd2"
expect_rc 0 "deploy: --waiver adds one" -- deploy --plan "$T/p2.plan.yaml" --facts-dir "$T/fd3" --waiver "$T/w.dsse"
expect_rc 2 "deploy: a forged waiver stops it" -- deploy --plan "$T/p2.plan.yaml" --facts-dir "$T/fd4" --waiver "$T/forged.dsse"
expect_err "GV-W007" "deploy: forgery named"
unset GOVGATE_NOW
