# run-first: one of the longest files
# t600-approvals.sh: signed approvals (docs/GOVERNANCE.md) with real keys
# made here and real signatures: `approve` and `verify`; the policy's
# spec.approvals in `check` (each reason an approval does not count, a
# complete set, distinct_signers as a matching, the initiator, expiry,
# tampering, another manifest or deployment, input errors) and in `deploy`
# (halted before any step runs); who approved in the report, the
# governance.validated entry and the receipt.

GOV=$T/gov
mkdir -p "$GOV/keys"
cp "$ROOT/fixtures/governance/trust.yaml" "$GOV/trust.yaml"
for k in ops-lead sec-lead compliance-lead dual-lead outsider initiator; do
	"$GG" keygen --out "$GOV/keys/$k" >/dev/null 2>&1 ||
		{ TEST_NAME="keygen $k"; fail "keygen failed"; }
done
keyid() { "$GG" key id "$GOV/keys/$1.pub"; }
SEC_ID=$(keyid sec-lead)
COMP_ID=$(keyid compliance-lead)
DUAL_ID=$(keyid dual-lead)

M=fixtures/manifests/hybrid-ok.yaml
AP=fixtures/governance/policies/approvals.yaml
P="--rules rules -p policies -p $AP --cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"
TR="--trust $GOV/trust.yaml"
MISSING_SEC="^$AP:9:3: halt \[high\] approvals: no approval by a security-admin counts for this manifest \(policy 'hybrid-approvals' requires security-admin, compliance-officer, each by a distinct key\) \(policy hybrid-approvals\)$"
MISSING_COMP="^$AP:9:3: halt \[high\] approvals: no approval by a compliance-officer counts for this manifest \(policy 'hybrid-approvals' requires security-admin, compliance-officer, each by a distinct key\) \(policy hybrid-approvals\)$"

# approve NAME ROLE OUT [OPTIONS...] (on $M unless -m FILE comes first)
approve() {
	who=$1 role=$2 out=$3
	shift 3
	"$GG" approve --key "$GOV/keys/$who.key" --role "$role" -o "$GOV/$out" "$@" "$M" \
		>/dev/null 2>"$T/approve.err" ||
		{ TEST_NAME="approve $out"; fail "approve failed: $(cat "$T/approve.err")"; }
}

# json_approvals: "file status reason" per approval of the last JSON output
json_approvals() {
	python3 -c '
import json, sys
for a in json.load(open(sys.argv[1]))["approvals"]:
    print(a["file"].rsplit("/", 1)[-1], a["status"], a["reason"], a["name"], a["role"])
' "$T/out"
}

# --- approve and verify ---------------------------------------------------
expect_rc 0 "approve: exit 0" -- approve --key "$GOV/keys/sec-lead.key" --role security-admin \
	--deployment DEP-2026-11-28-001 --expires 1d --comment "TLS and KMS reviewed" \
	-o "$GOV/sec.json" "$M"
SHA=$(sha256sum "$M" | cut -d' ' -f1)
expect_out "^approved: $M sha256:$SHA as security-admin by key $SEC_ID -> $GOV/sec.json$" \
	"approve: says what it signed"
expect_rc 0 "verify approval: exit 0" -- verify --key "$GOV/keys/sec-lead.pub" "$GOV/sec.json"
expect_out "^valid: signed by $SEC_ID$" "verify approval: signer"
expect_out "^approval: role=security-admin deployment_id=DEP-2026-11-28-001 time=[0-9T:-]+Z expires=[0-9T:-]+Z comment=TLS and KMS reviewed$" \
	"verify approval: role, deployment, time, expiry, comment"
expect_out "^subject: $M sha256:$SHA$" "verify approval: the manifest is the subject"
expect_rc 1 "verify approval with another key: exit 1" -- \
	verify --key "$GOV/keys/compliance-lead.pub" "$GOV/sec.json"
expect_err "no signature by key $COMP_ID" "verify approval with another key: says so"
expect_rc 0 "verify approval --manifest: exit 0" -- \
	verify --key "$GOV/keys/sec-lead.pub" --manifest "$M" "$GOV/sec.json"
python3 - "$GOV/sec.json" > "$T/payload.json" <<'EOF'
import base64, json, sys
print(base64.b64decode(json.load(open(sys.argv[1]))["payload"]).decode())
EOF
TEST_NAME="approval predicate: the documented fields"
python3 - "$T/payload.json" <<'EOF' && pass || fail "predicate fields"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["_type"] == "https://in-toto.io/Statement/v1"
assert s["predicateType"] == "https://govgate.dev/approval/v1"
assert len(s["subject"]) == 1 and s["subject"][0]["name"] == "fixtures/manifests/hybrid-ok.yaml"
p = s["predicate"]
assert p["role"] == "security-admin" and p["deployment_id"] == "DEP-2026-11-28-001"
assert p["comment"] == "TLS and KMS reviewed" and p["expires"] > p["time"]
assert sorted(p) == ["comment", "deployment_id", "expires", "role", "time", "tool"]
EOF

expect_rc 2 "approve: unknown role: exit 2" -- approve --key "$GOV/keys/sec-lead.key" \
	--role auditor -o "$GOV/x.json" "$M"
expect_err "^govgate: approve: --role 'auditor' is not one of platform-admin, security-admin, compliance-officer, policy-signer$" \
	"approve: unknown role named"
expect_rc 2 "approve: bad duration: exit 2" -- approve --key "$GOV/keys/sec-lead.key" \
	--role security-admin --expires soon -o "$GOV/x.json" "$M"
expect_rc 2 "approve: public key: exit 2" -- approve --key "$GOV/keys/sec-lead.pub" \
	--role security-admin -o "$GOV/x.json" "$M"
TEST_NAME="approve: nothing written on error"
[ ! -e "$GOV/x.json" ] && pass || fail "x.json written"

# --- the policy without approvals ----------------------------------------
expect_rc 2 "approvals required, no trust file: exit 2" -- check $P "$M"
expect_err "^$AP:9:3: error: policy 'hybrid-approvals' requires approvals, but no trust file says whose keys count: give --trust FILE, set \\\$GOVGATE_TRUST or name one in the deployment plan \[GV-G001\]$" \
	"approvals required, no trust file: located at the approvals key"
expect_rc 2 "--approval without a trust file: exit 2" -- check --rules rules -p policies \
	--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml \
	--approval "$GOV/sec.json" "$M"
expect_err "GV-G003" "--approval without a trust file: GV-G003"
expect_rc 1 "no approval: halt, exit 1" -- check $P $TR "$M"
expect_out "$MISSING_SEC" "no approval: security-admin missing, at the policy's approvals key"
expect_out "$MISSING_COMP" "no approval: compliance-officer missing"
expect_out "^decision: halt — 1 manifest, 30 rules evaluated, 2 findings \(halt 2\)$" \
	"no approval: decision halt"
export GOVGATE_TRUST="$GOV/trust.yaml"
expect_rc 1 "\$GOVGATE_TRUST is the trust file: exit 1" -- check $P "$M"
unset GOVGATE_TRUST

# --- a complete set -------------------------------------------------------
approve compliance-lead compliance-officer comp.json --comment "residency checked"
expect_rc 0 "complete set: allow, exit 0" -- check $P $TR --approval "$GOV/sec.json" \
	--approval "$GOV/comp.json" "$M"
expect_out "^approval $GOV/sec.json: counted, role security-admin, signed by sec-lead, key $(echo "$SEC_ID" | cut -c1-16)$" \
	"complete set: sec counted (text)"
expect_out "^approval $GOV/comp.json: counted, role compliance-officer, signed by compliance-lead, key $(echo "$COMP_ID" | cut -c1-16)$" \
	"complete set: comp counted (text)"
expect_out "^decision: allow — 1 manifest, 30 rules evaluated, 0 findings$" "complete set: allow"
expect_rc 0 "complete set, JSON: exit 0" -- check $P $TR -f json --approval "$GOV/sec.json" \
	--approval "$GOV/comp.json" "$M"
expect_eq "$(json_approvals | tr '\n' ';')" \
	"sec.json counted None sec-lead security-admin;comp.json counted None compliance-lead compliance-officer;" \
	"complete set, JSON: both counted"
# order does not matter
expect_rc 0 "complete set, other order: exit 0" -- check $P $TR --approval "$GOV/comp.json" \
	--approval "$GOV/sec.json" "$M"

# --- each reason ----------------------------------------------------------
# untrusted-key: a key the trust file does not list
approve outsider security-admin outsider.json
expect_rc 1 "untrusted-key: exit 1" -- check $P $TR -f json --approval "$GOV/outsider.json" \
	--approval "$GOV/comp.json" "$M"
expect_eq "$(json_approvals | sed -n 1p)" "outsider.json rejected untrusted-key None None" \
	"untrusted-key: reason"
# role-not-held: ops-lead is a platform-admin only
approve ops-lead security-admin ops-as-sec.json
expect_rc 1 "role-not-held: exit 1" -- check $P $TR -f json --approval "$GOV/ops-as-sec.json" \
	--approval "$GOV/comp.json" "$M"
expect_eq "$(json_approvals | sed -n 1p)" "ops-as-sec.json rejected role-not-held ops-lead security-admin" \
	"role-not-held: reason"
# other-manifest: an approval of other bytes
"$GG" approve --key "$GOV/keys/sec-lead.key" --role security-admin -o "$GOV/other.json" \
	fixtures/manifests/encryption-misconfig.yaml >/dev/null
expect_rc 1 "other-manifest: exit 1" -- check $P $TR -f json --approval "$GOV/other.json" \
	--approval "$GOV/comp.json" "$M"
expect_eq "$(json_approvals | sed -n 1p)" "other.json rejected other-manifest sec-lead security-admin" \
	"other-manifest: reason"
# a manifest changed after it was approved (one byte) is another manifest
cp "$M" "$T/changed.yaml"
"$GG" approve --key "$GOV/keys/sec-lead.key" --role security-admin -o "$GOV/before.json" \
	"$T/changed.yaml" >/dev/null
"$GG" approve --key "$GOV/keys/compliance-lead.key" --role compliance-officer \
	-o "$GOV/before-comp.json" "$T/changed.yaml" >/dev/null
expect_rc 0 "approved copy: exit 0" -- check $P $TR --approval "$GOV/before.json" \
	--approval "$GOV/before-comp.json" "$T/changed.yaml"
sed -i 's/owner: team-payments/owner: team-paymentz/' "$T/changed.yaml"
expect_rc 1 "changed after approval: exit 1" -- check $P $TR -f json \
	--approval "$GOV/before.json" --approval "$GOV/before-comp.json" "$T/changed.yaml"
expect_eq "$(json_approvals | cut -d' ' -f1-3 | tr '\n' ';')" \
	"before.json rejected other-manifest;before-comp.json rejected other-manifest;" \
	"changed after approval: both other-manifest"
# other-deployment
approve sec-lead security-admin otherdep.json --deployment DEP-2026-12-01-999
expect_rc 1 "other-deployment: exit 1" -- check $P $TR -f json --approval "$GOV/otherdep.json" \
	--approval "$GOV/comp.json" "$M"
expect_eq "$(json_approvals | sed -n 1p)" "otherdep.json rejected other-deployment sec-lead security-admin" \
	"other-deployment: reason"
# expired: crafted with the approval's own format, signed for real
python3 - "$T/payload.json" "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)" \
	"$(date -u -d '-1 second' +%Y-%m-%dT%H:%M:%SZ)" > "$T/expired.st" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["predicate"]["time"] = sys.argv[2]
s["predicate"]["expires"] = sys.argv[3]
sys.stdout.write(json.dumps(s, separators=(",", ":")))
EOF
"$GG" key sign-statement --key "$GOV/keys/sec-lead.key" --statement "$T/expired.st" \
	-o "$GOV/expired.json" >/dev/null
expect_rc 1 "expired: exit 1" -- check $P $TR -f json --approval "$GOV/expired.json" \
	--approval "$GOV/comp.json" "$M"
expect_eq "$(json_approvals | sed -n 1p)" "expired.json rejected expired sec-lead security-admin" \
	"expired: reason"
# one that expires in an hour counts
python3 - "$T/payload.json" "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)" > "$T/later.st" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["predicate"]["expires"] = sys.argv[2]
sys.stdout.write(json.dumps(s, separators=(",", ":")))
EOF
"$GG" key sign-statement --key "$GOV/keys/sec-lead.key" --statement "$T/later.st" \
	-o "$GOV/later.json" >/dev/null
expect_rc 0 "not yet expired: exit 0" -- check $P $TR --approval "$GOV/later.json" \
	--approval "$GOV/comp.json" "$M"
# approvals expire by the waivers' clock: GOVGATE_NOW two hours ahead expires
# the one-hour approval; set in the past it revives nothing
GOVGATE_NOW=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ) expect_rc 1 "GOVGATE_NOW ahead: exit 1" -- \
	check $P $TR -f json --approval "$GOV/later.json" --approval "$GOV/comp.json" "$M"
expect_eq "$(json_approvals | sed -n 1p)" "later.json rejected expired sec-lead security-admin" \
	"GOVGATE_NOW ahead: expired"
GOVGATE_NOW=2020-01-01T00:00:00Z expect_rc 1 "GOVGATE_NOW behind: still expired" -- \
	check $P $TR -f json --approval "$GOV/expired.json" --approval "$GOV/comp.json" "$M"
expect_eq "$(json_approvals | sed -n 1p)" "expired.json rejected expired sec-lead security-admin" \
	"GOVGATE_NOW behind revives nothing"
# --expires DUR: expires is time + DUR to the second (the boundary itself is
# test_governance.c's, judged at a given time), and it counts at once
approve sec-lead security-admin short.json --expires 15m
TEST_NAME="--expires 15m: expires is time + 900 s"
python3 - "$GOV/short.json" <<'PYEOF' && pass || fail "expires is not time + 900"
import base64, calendar, json, sys, time
p = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))["predicate"]
t = lambda s: calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))
assert t(p["expires"]) - t(p["time"]) == 900, p
PYEOF
expect_rc 0 "--expires 15m, at once: exit 0" -- check $P $TR --approval "$GOV/short.json" \
	--approval "$GOV/comp.json" "$M"
# initiator: the key that signs the run's report cannot approve it
expect_rc 1 "initiator: exit 1" -- check $P $TR -f json --sign "$GOV/keys/sec-lead.key" \
	--report "$T/init-report.json" --approval "$GOV/sec.json" --approval "$GOV/comp.json" "$M"
expect_eq "$(json_approvals | sed -n 1p)" "sec.json rejected initiator sec-lead security-admin" \
	"initiator: reason"
# bad-signature: the payload changed under its signature
python3 - "$GOV/sec.json" > "$GOV/tampered.json" <<'EOF'
import base64, json, sys
e = json.load(open(sys.argv[1]))
p = base64.b64decode(e["payload"]).replace(b"security-admin", b"compliance-officer")
e["payload"] = base64.b64encode(p).decode()
print(json.dumps(e, separators=(",", ":")))
EOF
expect_rc 1 "bad-signature: exit 1" -- check $P $TR -f json --approval "$GOV/tampered.json" \
	--approval "$GOV/sec.json" "$M"
expect_eq "$(json_approvals | sed -n 1p)" "tampered.json rejected bad-signature None None" \
	"bad-signature: reason"
expect_out "\"keyid\":\"$SEC_ID\",\"status\":\"rejected\",\"reason\":\"bad-signature\"" \
	"bad-signature: names the key it claims"
expect_rc 1 "tampered: verify exit 1" -- verify --key "$GOV/keys/sec-lead.pub" "$GOV/tampered.json"

# --- distinct_signers: a matching, not first come first served -------------
approve dual-lead security-admin dual-sec.json
approve dual-lead compliance-officer dual-comp.json
expect_rc 1 "one key, two roles: exit 1" -- check $P $TR -f json --approval "$GOV/dual-sec.json" \
	--approval "$GOV/dual-comp.json" "$M"
expect_eq "$(json_approvals | tr '\n' ';')" \
	"dual-sec.json counted None dual-lead security-admin;dual-comp.json rejected same-signer dual-lead compliance-officer;" \
	"one key, two roles: the second is same-signer"
expect_rc 1 "one key, two roles: text exit 1" -- check $P $TR --approval "$GOV/dual-sec.json" \
	--approval "$GOV/dual-comp.json" "$M"
expect_out "$MISSING_COMP" "one key, two roles: compliance-officer still missing"
expect_no_out "$MISSING_SEC" "one key, two roles: security-admin filled"
# dual-lead's security approval comes first, but only sec-lead can fill
# security-admin: a matching moves dual-lead to compliance-officer
expect_rc 0 "matching: exit 0" -- check $P $TR -f json --approval "$GOV/dual-sec.json" \
	--approval "$GOV/dual-comp.json" --approval "$GOV/sec.json" "$M"
expect_eq "$(json_approvals | tr '\n' ';')" \
	"dual-sec.json rejected same-signer dual-lead security-admin;dual-comp.json counted None dual-lead compliance-officer;sec.json counted None sec-lead security-admin;" \
	"matching: dual-lead fills compliance-officer, sec-lead security-admin"
# without distinct_signers one key may fill both
sed 's/distinct_signers: true/distinct_signers: false/' "$AP" > "$T/lenient.yaml"
expect_rc 0 "distinct_signers false: one key, two roles: exit 0" -- check --rules rules \
	-p policies -p "$T/lenient.yaml" --cloud-facts fixtures/facts/cloud.yaml \
	--onprem-facts fixtures/facts/onprem.yaml $TR --approval "$GOV/dual-sec.json" \
	--approval "$GOV/dual-comp.json" "$M"

# --- input errors ---------------------------------------------------------
expect_rc 2 "not an envelope: exit 2" -- check $P $TR --approval "$GOV/trust.yaml" \
	--approval "$GOV/comp.json" "$M"
expect_err "^$GOV/trust.yaml:1:1: error: " "not an envelope: located"
printf '{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":{}}' \
	> "$GOV/shape.json"
expect_rc 2 "signatures not a list: exit 2" -- check $P $TR --approval "$GOV/shape.json" "$M"
expect_err "^$GOV/shape.json:1:[0-9]+: error: not a DSSE envelope: 'signatures' must be an array, not an object \[GV-E002\]$" \
	"signatures not a list: said"
expect_rc 2 "missing approval file: exit 2" -- check $P $TR --approval "$GOV/nope.json" "$M"
expect_err "^$GOV/nope.json: error: cannot read approval: No such file or directory \[GV-G005\]$" \
	"missing approval file: said"
# a signed report is evidence, but not an approval
"$GG" check $P $TR --sign "$GOV/keys/sec-lead.key" --report "$GOV/report.json" \
	--approval "$GOV/comp.json" "$M" >/dev/null 2>&1
expect_rc 2 "a report as an approval: exit 2" -- check $P $TR --approval "$GOV/report.json" "$M"
expect_err "^$GOV/report.json: error: not an approval: a signed report \('https://govgate.dev/compliance-report/v1'\) \[GV-G004\]$" \
	"a report as an approval: said"

# --- the policy's spec.approvals, key by key -----------------------------
cat > "$T/badpol.yaml" <<'EOF'
apiVersion: govgate/v1
kind: Policy
metadata: {name: bad-approvals}
spec:
  approvals:
    enforcment: halt
    require:
      - {role: auditor}
      - {role: security-admin, by: me}
      - security-admin
    distinct_signers: yes
  rules:
    - {id: r, check: {path: manifest.mode, exists: true}, enforcement: warn, severity: low}
EOF
expect_rc 2 "bad spec.approvals: exit 2" -- policy lint --rules rules "$T/badpol.yaml"
expect_err "^$T/badpol.yaml:6:5: error: unknown key 'enforcment' in approvals; did you mean 'enforcement'\? \[GV-P010\]$" \
	"bad spec.approvals: unknown key"
expect_err "^$T/badpol.yaml:8:16: error: unknown role 'auditor' \(expected one of platform-admin, security-admin, compliance-officer, policy-signer\) \[GV-P041\]$" \
	"bad spec.approvals: unknown role"
expect_err "^$T/badpol.yaml:9:32: error: unknown key 'by' in a required approval" \
	"bad spec.approvals: unknown key in require"
expect_err "^$T/badpol.yaml:10:9: error: each required approval is a mapping \{role: ROLE\} \[GV-P040\]$" \
	"bad spec.approvals: entry not a mapping"
expect_err "^$T/badpol.yaml:11:23: error: 'distinct_signers' must be true or false, not a string \[GV-P040\]$" \
	"bad spec.approvals: distinct_signers"
printf 'apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  approvals: {require: []}\n  rules:\n    - {id: r, check: {path: manifest.mode, exists: true}, enforcement: warn, severity: low}\n' \
	> "$T/emptyreq.yaml"
expect_rc 2 "empty require: exit 2" -- policy lint --rules rules "$T/emptyreq.yaml"
expect_err "^$T/emptyreq.yaml:5:24: error: 'approvals' needs a non-empty 'require' list of \{role: ROLE\} \[GV-P040\]$" \
	"empty require: said"
printf 'apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  match: {path: manifest.mode, equals: hybrid}\n  approvals: {enforcement: warn, require: [{role: platform-admin}]}\n  rules:\n    - {id: r, check: {path: manifest.mode, exists: true}, enforcement: warn, severity: low}\n' \
	> "$T/warnpol.yaml"
expect_rc 0 "enforcement warn: a missing approval warns, exit 0" -- check --rules rules \
	-p "$T/warnpol.yaml" $TR "$M"
expect_out "^$T/warnpol.yaml:6:3: warn \[high\] approvals: no approval by a platform-admin counts" \
	"enforcement warn: the finding"

# --- a missing approval is never waived; its rule id is reserved ----------
cp "$GOV/trust.yaml" "$GOV/trust-w.yaml"
printf 'require:\n  waiver_approvers: [compliance-officer]\n' >> "$GOV/trust-w.yaml"
cat > "$T/wa.yaml" <<EOF
apiVersion: govgate/v1
kind: Waiver
metadata: {name: W-APPROVALS}
spec:
  policy: hybrid-approvals
  rule: approvals
  justification: The security admin is away; compliance waives the approval.
  ticket: SEC-9
  expires: $(date -u -d '+30 days' +%Y-%m-%d)
EOF
"$GG" waiver sign --key "$GOV/keys/compliance-lead.key" -o "$GOV/wa.dsse" "$T/wa.yaml" \
	>/dev/null 2>&1 || { TEST_NAME="waiver sign"; fail "waiver sign failed"; }
expect_rc 1 "a waiver for a missing approval: still halted, exit 1" -- check $P \
	--trust "$GOV/trust-w.yaml" --waiver "$GOV/wa.dsse" --approval "$GOV/comp.json" "$M"
expect_out "$MISSING_SEC" "a waiver for a missing approval: the finding stands"
expect_out "^waiver W-APPROVALS: not applied: unwaivable \(hybrid-approvals/approvals\)$" \
	"a waiver for a missing approval: unwaivable"
sed 's/id: approvals.deployment-id/id: approvals/' "$AP" > "$T/reserved.yaml"
expect_rc 2 "rule id 'approvals' in a policy with spec.approvals: exit 2" -- policy lint \
	--rules rules "$T/reserved.yaml"
expect_err "^$T/reserved.yaml:16:7: error: rule id 'approvals' is the id of the policy's missing approvals \(spec.approvals\); give the rule another id \[GV-P040\]$" \
	"rule id 'approvals' in a policy with spec.approvals: said"

# --- evidence: who approved, in the log, the report and the receipt ------
"$GG" keygen --out "$T/log" >/dev/null 2>&1
expect_rc 0 "evidence: exit 0" -- check $P $TR --sign "$GOV/keys/initiator.key" \
	--report "$T/report.json" --receipt "$T/receipt.json" --db "$T/audit.db" \
	--log-key "$T/log.key" --approval "$GOV/sec.json" --approval "$GOV/comp.json" "$M"
TEST_NAME="evidence: governance.validated names the approvers"
"$GG" audit log --db "$T/audit.db" --type governance.validated > "$T/validated.txt"
grep -q "\"approvals\":\[{\"name\":\"sec-lead\",\"role\":\"security-admin\",\"keyid\":\"$SEC_ID\"},{\"name\":\"compliance-lead\",\"role\":\"compliance-officer\",\"keyid\":\"$COMP_ID\"}\]" \
	"$T/validated.txt" && pass || { fail "no approvals in the entry"; head -c 600 "$T/validated.txt" >&2; }
expect_rc 0 "evidence: report verifies" -- verify --key "$GOV/keys/initiator.pub" "$T/report.json"
expect_rc 0 "evidence: the log verifies, receipts and all" -- audit verify --db "$T/audit.db" \
	--key "$T/log.pub"
expect_rc 0 "evidence: the receipt verifies with its log proof" -- verify \
	--key "$GOV/keys/initiator.pub" --log-pub "$T/log.pub" "$T/receipt.json"
TEST_NAME="evidence: the signed report and receipt list the approvals"
python3 - "$T/report.json" "$T/receipt.json" "$SEC_ID" "$COMP_ID" <<'EOF' && pass || fail "report/receipt"
import base64, json, sys
rep = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))["predicate"]
a = rep["approvals"]
assert [(x["name"], x["role"], x["keyid"], x["status"], x["reason"]) for x in a] == [
    ("sec-lead", "security-admin", sys.argv[3], "counted", None),
    ("compliance-lead", "compliance-officer", sys.argv[4], "counted", None)], a
rc = json.loads(base64.b64decode(json.load(open(sys.argv[2]))["payload"]))["predicate"]
assert rc["approvals"] == [
    {"name": "sec-lead", "role": "security-admin", "keyid": sys.argv[3]},
    {"name": "compliance-lead", "role": "compliance-officer", "keyid": sys.argv[4]}], rc
EOF

# --- deploy: the same rules at the governance stage -----------------------
. "$ROOT/tests/cli/deploy-lib.sh"
# dplan NAME [EXTRA-YAML]: a plan on facts files, steps that leave markers
dplan() {
	{
		plan_head DEP-2026-11-28-001 hybrid-ok.yaml | sed "s|^policies: .*|policies: [$ROOT/policies, $ROOT/$AP]|"
		cat <<EOF
cloud:
  facts: [$ROOT/fixtures/facts/cloud.yaml]
  steps:
    - {name: one, run: [touch, $T/$1-cloud-1]}
onprem:
  facts: [$ROOT/fixtures/facts/onprem.yaml]
  steps:
    - {name: one, run: [touch, $T/$1-onprem-1]}
evidence:
  db: $T/$1.db
  sign_key: $GOV/keys/initiator.key
  receipt: $T/$1-receipt.json
  facts_dir: $T/$1-facts
trust: gov/trust.yaml
EOF
		[ -n "${2:-}" ] && printf '%s\n' "$2"
	} > "$T/$1.plan.yaml"
}
dplan halted
expect_rc 1 "deploy, approvals missing: exit 1" -- deploy --plan "$T/halted.plan.yaml"
TEST_NAME="deploy, approvals missing: no step ran"
n=$(ls "$T" | grep -c '^halted-\(cloud\|onprem\)-')
[ "$n" -eq 0 ] && pass || fail "$n steps ran"
expect_out "$(echo "$MISSING_SEC" | sed "s|^\^$AP|^$ROOT/$AP|")" "deploy, approvals missing: the finding"
expect_types "$T/halted.db" "deploy, approvals missing: halted before any step" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated deployment.receipt alert \
	hybrid.deployment.halted
expect_no_out "^approval " "deploy, approvals missing: no approval listed"
# the plan's approvals (relative to the plan) and one from the command line
dplan approved "approvals: [gov/sec.json]"
expect_rc 0 "deploy, approved: exit 0" -- deploy --plan "$T/approved.plan.yaml" \
	--approval "$GOV/comp.json"
TEST_NAME="deploy, approved: the steps ran"
[ -e "$T/approved-cloud-1" ] && [ -e "$T/approved-onprem-1" ] && pass || fail "steps did not run"
TEST_NAME="deploy, approved: the receipt names the approvers"
python3 - "$T/approved-receipt.json" <<'EOF' && pass || fail "receipt approvals"
import base64, json, sys
rc = json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))["predicate"]
assert [(a["name"], a["role"]) for a in rc["approvals"]] == [
    ("sec-lead", "security-admin"), ("compliance-lead", "compliance-officer")], rc
assert rc["status"] == "completed"
EOF
# the initiator cannot approve its own deployment
dplan selfapproved "approvals: [gov/sec.json, gov/comp.json]"
sed -i "s|sign_key: .*|sign_key: $GOV/keys/sec-lead.key|" "$T/selfapproved.plan.yaml"
expect_rc 1 "deploy, the initiator's approval: exit 1" -- deploy --plan "$T/selfapproved.plan.yaml"
expect_out "approval $T/gov/sec.json: rejected \(initiator\)" "deploy, the initiator's approval: said"
# a plan's trust file cannot be swapped on the command line
sed 's/dual-lead, roles: \[security-admin, compliance-officer\]/dual-lead, roles: [platform-admin]/' \
	"$GOV/trust.yaml" > "$GOV/other-trust.yaml"
expect_rc 2 "deploy, --trust replaces the plan's: exit 2" -- deploy \
	--plan "$T/approved.plan.yaml" --trust "$GOV/other-trust.yaml"
expect_err "^$GOV/other-trust.yaml: error: the deployment plan names the trust file '$T/gov/trust.yaml'; --trust cannot replace it \[GV-G002\]$" \
	"deploy, --trust replaces the plan's: said"
export GOVGATE_TRUST="$GOV/other-trust.yaml"
expect_rc 2 "deploy, \$GOVGATE_TRUST replaces the plan's: exit 2" -- \
	deploy --plan "$T/approved.plan.yaml"
expect_err "GOVGATE_TRUST cannot replace it \[GV-G002\]$" "deploy, \$GOVGATE_TRUST replaces the plan's: said"
unset GOVGATE_TRUST

# the plan's governance files must exist, each named at its line and column
dplan missing "approvals: [gov/sec.json, gov/nope.json]
waivers: gov/none.waiver
policy_bundles: []"
expect_rc 2 "deploy, missing governance files: exit 2" -- deploy --plan "$T/missing.plan.yaml"
expect_err "^$T/missing.plan.yaml:[0-9]+:27: error: cannot read approval '$T/gov/nope.json': No such file or directory \[GV-D006\]$" \
	"deploy, missing approval file: located"
expect_err "^$T/missing.plan.yaml:[0-9]+:10: error: cannot read signed waiver '$T/gov/none.waiver': No such file or directory \[GV-D006\]$" \
	"deploy, missing waiver file: located"
expect_err "^$T/missing.plan.yaml:[0-9]+:17: error: 'policy_bundles' is an empty list \[GV-D005\]$" \
	"deploy, empty policy_bundles: located"
TEST_NAME="deploy, missing governance files: nothing recorded"
[ ! -e "$T/missing.db" ] && pass || fail "the log was created"

# --- schemas: the approvals policy and a plan with governance keys --------
PY=python3
$PY -c 'import jsonschema, yaml' 2>/dev/null || PY=/usr/bin/python3
sed 's|^# yaml-language-server: .*||' "$T/approved.plan.yaml" > "$T/schema-plan.yaml"
$PY tests/schemas/validate.py "$AP" "$T/schema-plan.yaml" > "$T/schema.out" 2>&1
expect_eq "$(grep -c '^ok ' "$T/schema.out")" 2 "schemas: the approvals policy and a governed plan are valid"

# --- hostile approvals signed by a trusted key: input errors --------------
# two subjects, an unknown role, a missing time: exit 2, each named
for case in two-subjects unknown-role no-time; do
	python3 - "$T/payload.json" "$case" > "$T/$case.st" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1]))
if sys.argv[2] == "two-subjects":
    s["subject"].append(dict(s["subject"][0], name="other.yaml"))
elif sys.argv[2] == "unknown-role":
    s["predicate"]["role"] = "root"
else:
    del s["predicate"]["time"]
sys.stdout.write(json.dumps(s, separators=(",", ":")))
PYEOF
	"$GG" key sign-statement --key "$GOV/keys/sec-lead.key" --statement "$T/$case.st" \
		-o "$GOV/$case.json" >/dev/null
	expect_rc 2 "hostile approval ($case): exit 2" -- check $P $TR \
		--approval "$GOV/$case.json" "$M"
	case $case in
	two-subjects) want="an approval has exactly one subject, not 2" ;;
	unknown-role) want="unknown role 'root' \(expected one of platform-admin, security-admin, compliance-officer, policy-signer\)" ;;
	no-time) want="'time' is missing" ;;
	esac
	expect_err "^$GOV/$case.json \(payload\):1:[0-9]+: error: not a govgate Statement: $want \[GV-E006\]$" \
		"hostile approval ($case): said"
done

# --- third party: openssl verifies an approval, and signs one that counts --
TYPE=application/vnd.in-toto+json
sed 's/.*"payload":"\([^"]*\)".*/\1/' "$GOV/comp.json" | base64 -d > "$T/body.bin"
printf 'DSSEv1 %d %s %d ' "${#TYPE}" "$TYPE" "$(wc -c < "$T/body.bin")" > "$T/pae.bin"
cat "$T/body.bin" >> "$T/pae.bin"
sed 's/.*"sig":"\([^"]*\)".*/\1/' "$GOV/comp.json" | base64 -d > "$T/sig.bin"
openssl pkeyutl -verify -pubin -inkey "$GOV/keys/compliance-lead.pub" -rawin \
	-in "$T/pae.bin" -sigfile "$T/sig.bin" >/dev/null 2>&1
expect_eq $? 0 "openssl verifies an approval's DSSE signature"
# the security admin signs with openssl alone, following docs/EVIDENCE.md
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"%s","digest":{"sha256":"%s"}}],"predicateType":"https://govgate.dev/approval/v1","predicate":{"role":"security-admin","deployment_id":null,"time":"%s","expires":null,"comment":"signed with openssl"}}' \
	"$M" "$SHA" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$T/ossl.st"
printf 'DSSEv1 %d %s %d ' "${#TYPE}" "$TYPE" "$(wc -c < "$T/ossl.st")" > "$T/ossl.pae"
cat "$T/ossl.st" >> "$T/ossl.pae"
openssl pkeyutl -sign -inkey "$GOV/keys/sec-lead.key" -rawin -in "$T/ossl.pae" \
	-out "$T/ossl.sig" 2>/dev/null
printf '{"payloadType":"%s","payload":"%s","signatures":[{"keyid":"%s","sig":"%s"}]}\n' \
	"$TYPE" "$(base64 -w0 < "$T/ossl.st")" "$SEC_ID" "$(base64 -w0 < "$T/ossl.sig")" \
	> "$GOV/ossl.json"
expect_rc 0 "an approval signed with openssl counts: exit 0" -- check $P $TR -f json \
	--approval "$GOV/ossl.json" --approval "$GOV/comp.json" "$M"
expect_eq "$(json_approvals | sed -n 1p)" "ossl.json counted None sec-lead security-admin" \
	"an approval signed with openssl: counted"
