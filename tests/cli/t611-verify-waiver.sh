# t611: `govgate verify` on a signed waiver (docs/EVIDENCE.md, "Verifying
# with govgate"): real keys (govgate keygen and openssl); valid, wrong key,
# tampered payload and payload type, envelopes of other payload types and
# malformed waivers signed with openssl by hand (DSSE's PAE), expiry at the
# second, and --trust's approver, role-not-held and untrusted-key.

mkdir -p "$T/keys"
for k in ops other; do
	"$GG" keygen --out "$T/keys/$k" >/dev/null || fail "keygen $k"
done
openssl genpkey -algorithm ed25519 -out "$T/keys/comp.key" 2>/dev/null
chmod 600 "$T/keys/comp.key"
openssl pkey -in "$T/keys/comp.key" -pubout -out "$T/keys/comp.pub"
CID=$("$GG" key id "$T/keys/comp.pub")
OID=$("$GG" key id "$T/keys/ops.pub")
XID=$("$GG" key id "$T/keys/other.pub")

cat > "$T/trust.yaml" <<'EOF'
apiVersion: govgate/v1
kind: Trust
metadata: {name: acme-payments}
keys:
  - {name: ops-lead, roles: [platform-admin], key: keys/ops.pub}
  - {name: compliance-lead, roles: [compliance-officer, policy-signer], key: keys/comp.pub}
require:
  waiver_approvers: [compliance-officer, security-admin]
EOF

EXP=$(date -u -d '+30 days' +%F)
NEXT=$(date -u -d "$EXP +1 day" +%F)
PAST=$(date -u -d '-1 day' +%F)
TODAY=$(date -u +%F)

# waiver NAME EXPIRES [SCOPE-LINES]: $T/NAME.yaml
waiver() {
	cat > "$T/$1.yaml" <<EOF
apiVersion: govgate/v1
kind: Waiver
metadata: {name: $1}
spec:
  policy: hybrid-baseline
  rule: enc.key-rotation
${3-  scope:
    deployment_id: DEP-2026-11-28-001
    path: "manifest.encryption.at_rest.rotation_days"}
  justification: Key rotation moves to the new KMS; tracked in SEC-1234.
  ticket: SEC-1234
  expires: $2
EOF
}

# dsse TYPE PAYLOAD-FILE OUT: a DSSE envelope signed by comp.key with
# openssl over DSSE's PAE, whatever the payload and its type
dsse() {
	python3 - "$1" "$2" "$T/pae" <<'EOF'
import sys
t = sys.argv[1].encode(); p = open(sys.argv[2], "rb").read()
open(sys.argv[3], "wb").write(b"DSSEv1 %d %s %d %s" % (len(t), t, len(p), p))
EOF
	openssl pkeyutl -sign -inkey "$T/keys/comp.key" -rawin -in "$T/pae" -out "$T/sig" || fail "openssl sign"
	python3 - "$1" "$2" "$T/sig" "$CID" "$3" <<'EOF'
import base64, json, sys
b = lambda f: base64.b64encode(open(f, "rb").read()).decode()
json.dump({"payload": b(sys.argv[2]), "payloadType": sys.argv[1],
           "signatures": [{"keyid": sys.argv[4], "sig": b(sys.argv[3])}]}, open(sys.argv[5], "w"))
EOF
}

W=application/vnd.govgate.waiver+yaml

# --- a valid waiver -------------------------------------------------------------
waiver W-2026-014 "$EXP"
"$GG" waiver sign --key "$T/keys/comp.key" -o "$T/w.dsse" "$T/W-2026-014.yaml" >/dev/null || fail "waiver sign"
expect_rc 0 "a signed waiver verifies" -- verify --key "$T/keys/comp.pub" "$T/w.dsse"
expect_eq "$(cat "$T/out")" "valid: signed by $CID
waiver: W-2026-014 policy=hybrid-baseline rule=enc.key-rotation expires=$EXP ticket=SEC-1234 deployment_id=DEP-2026-11-28-001 path=manifest.encryption.at_rest.rotation_days
expired: no (until ${NEXT}T00:00:00Z)" "what a waiver proves, one fact a line"
expect_eq "$(wc -c < "$T/err")" 0 "nothing on stderr"

# the envelope made by hand with openssl is the same evidence
dsse "$W" "$T/W-2026-014.yaml" "$T/hand.dsse"
expect_rc 0 "an envelope signed with openssl verifies" -- verify --key "$T/keys/comp.pub" "$T/hand.dsse"
expect_out "^waiver: W-2026-014 policy=hybrid-baseline " "openssl envelope: the waiver line"

# --trust: the signer holds a waiver_approvers role
expect_rc 0 "--trust: an approver" -- verify --key "$T/keys/comp.pub" --trust "$T/trust.yaml" "$T/w.dsse"
expect_eq "$(sed -n 4p "$T/out")" "trust: approver: 'compliance-lead' holds compliance-officer, a waiver_approvers role" \
	"--trust: approver line"
expect_eq "$(wc -l < "$T/out")" 4 "--trust: four lines"

# signed by a trusted key without the role: still valid, but it would not apply
"$GG" waiver sign --key "$T/keys/ops.key" -o "$T/wops.dsse" "$T/W-2026-014.yaml" >/dev/null || fail "sign ops"
expect_rc 0 "role-not-held: still validly signed" -- verify --key "$T/keys/ops.pub" --trust "$T/trust.yaml" "$T/wops.dsse"
expect_eq "$(sed -n 1p "$T/out")" "valid: signed by $OID" "role-not-held: the signer"
expect_eq "$(sed -n 4p "$T/out")" "trust: role-not-held: 'ops-lead' holds platform-admin, no waiver_approvers role (security-admin, compliance-officer): the waiver would not apply" \
	"role-not-held line"
# a key the trust file does not list
"$GG" waiver sign --key "$T/keys/other.key" -o "$T/wx.dsse" "$T/W-2026-014.yaml" >/dev/null || fail "sign other"
expect_rc 0 "untrusted-key: still validly signed" -- verify --key "$T/keys/other.pub" --trust "$T/trust.yaml" "$T/wx.dsse"
expect_eq "$(sed -n 4p "$T/out")" "trust: untrusted-key: key $XID is not in the trust file 'acme-payments': the waiver would not apply" \
	"untrusted-key line"
expect_rc 0 "without --trust no trust line" -- verify --key "$T/keys/other.pub" "$T/wx.dsse"
expect_no_out "^trust:" "no trust line without --trust"
# a trust file that names no waiver approvers
sed '/require:/,$d' "$T/trust.yaml" > "$T/trust2.yaml"
expect_rc 0 "--trust without waiver_approvers" -- verify --key "$T/keys/comp.pub" --trust "$T/trust2.yaml" "$T/w.dsse"
expect_eq "$(sed -n 4p "$T/out")" "trust: role-not-held: 'compliance-lead' holds compliance-officer, policy-signer; the trust file names no waiver_approvers: the waiver would not apply" \
	"no waiver_approvers: role-not-held"
# a bad trust file is an input error, located
sed 's/compliance-officer, policy-signer/compliance-oficer/' "$T/trust.yaml" > "$T/trust3.yaml"
expect_rc 2 "a bad trust file" -- verify --key "$T/keys/comp.pub" --trust "$T/trust3.yaml" "$T/w.dsse"
expect_err "^$T/trust3.yaml:6:[0-9]+: error: .*compliance-oficer" "bad trust file: located"
expect_eq "$(wc -c < "$T/out")" 0 "bad trust file: nothing valid printed"
expect_rc 2 "a missing trust file" -- verify --key "$T/keys/comp.pub" --trust "$T/none.yaml" "$T/w.dsse"
expect_err "none.yaml" "missing trust file named"

# --- invalid evidence: exit 1, the messages of every other kind ---------------------
expect_rc 1 "another key" -- verify --key "$T/keys/ops.pub" "$T/w.dsse"
expect_err "^$T/w.dsse: error: no signature by key $OID; the report is signed by: $CID \[GV-E004\]$" \
	"wrong key: both key ids"
expect_eq "$(wc -c < "$T/out")" 0 "wrong key: nothing printed"
expect_rc 1 "another key, with --trust" -- verify --key "$T/keys/ops.pub" --trust "$T/trust.yaml" "$T/w.dsse"
python3 - "$T/w.dsse" "$T/forged.dsse" "$EXP" <<'EOF'
import base64, json, sys
e = json.load(open(sys.argv[1]))
p = base64.b64decode(e["payload"]).replace(sys.argv[3].encode(), b"2099-12-31")
e["payload"] = base64.b64encode(p).decode()
open(sys.argv[2], "w").write(json.dumps(e))
EOF
expect_rc 1 "a tampered payload" -- verify --key "$T/keys/comp.pub" "$T/forged.dsse"
expect_err "^$T/forged.dsse: error: bad signature by key $CID: the payload or its type was changed, or the signature is forged \[GV-E005\]$" \
	"tampered payload: the message"
expect_no_out "valid" "tampered payload: nothing valid"
python3 - "$T/w.dsse" "$T/ptype.dsse" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1])); e["payloadType"] = "application/vnd.in-toto+json"
open(sys.argv[2], "w").write(json.dumps(e))
EOF
expect_rc 1 "a changed payload type" -- verify --key "$T/keys/comp.pub" "$T/ptype.dsse"
expect_err "^$T/ptype.dsse: error: bad signature by key $CID: the payload or its type was changed" \
	"changed payload type: the message"

# --- malformed input: exit 2 --------------------------------------------------------
# validly signed, another payload type: not a waiver, not a Statement
dsse application/vnd.example+yaml "$T/W-2026-014.yaml" "$T/other.dsse"
expect_rc 2 "another payload type" -- verify --key "$T/keys/comp.pub" "$T/other.dsse"
expect_err "^$T/other.dsse: error: not a govgate Statement: payload type \"application/vnd.example\+yaml\" is not 'application/vnd.in-toto\+json' \[GV-E006\]$" \
	"another payload type: the message"
# a report is not a waiver: --trust does not apply to it
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"m","digest":{"sha256":"%s"}}],"predicateType":"https://govgate.dev/compliance-report/v1","predicate":{"decision":"allow"}}' \
	"$(printf x | sha256sum | cut -c1-64)" > "$T/st.json"
"$GG" key sign-statement --key "$T/keys/comp.key" --statement "$T/st.json" -o "$T/r.json" >/dev/null
expect_rc 0 "a report still verifies" -- verify --key "$T/keys/comp.pub" "$T/r.json"
expect_out "^decision: allow$" "a report: its decision"
expect_rc 2 "--trust with a report" -- verify --key "$T/keys/comp.pub" --trust "$T/trust.yaml" "$T/r.json"
expect_err "^govgate: verify: $T/r.json: --trust applies to signed waivers only$" "--trust with a report: the message"
expect_rc 2 "--manifest with a waiver" -- verify --key "$T/keys/comp.pub" --manifest "$T/W-2026-014.yaml" "$T/w.dsse"
expect_err "^govgate: verify: $T/w.dsse: a signed waiver has no subjects or log proof \(--manifest, --log-pub\)$" \
	"--manifest with a waiver: the message"
expect_rc 2 "an unsigned waiver document" -- verify --key "$T/keys/comp.pub" "$T/W-2026-014.yaml"
expect_err "^$T/W-2026-014.yaml:1:1: error: " "unsigned document: located"

# validly signed waivers that are not valid Waivers: located in the payload,
# with check's messages
sed 's/ticket:/ticekt:/' "$T/W-2026-014.yaml" > "$T/bad1.yaml"
dsse "$W" "$T/bad1.yaml" "$T/bad1.dsse"
expect_rc 2 "a signed waiver with an unknown key" -- verify --key "$T/keys/comp.pub" "$T/bad1.dsse"
expect_err "^$T/bad1.dsse \(payload\):11:3: error: unknown key 'ticekt' in a waiver's spec; did you mean 'ticket'\? \[GV-W002\]$" \
	"unknown key at line:col of the payload"
expect_err "^$T/bad1.dsse \(payload\):5:3: error: spec has no 'ticket' \[GV-W003\]$" "missing ticket located"
expect_eq "$(wc -c < "$T/out")" 0 "malformed waiver: nothing printed"
sed 's/expires: .*/expires: 2026-13-45/' "$T/W-2026-014.yaml" > "$T/bad2.yaml"
dsse "$W" "$T/bad2.yaml" "$T/bad2.dsse"
expect_rc 2 "a signed waiver with a bad expiry" -- verify --key "$T/keys/comp.pub" "$T/bad2.dsse"
expect_err "^$T/bad2.dsse \(payload\):12:12: error: 'expires' must be a date \(2026-12-31, valid through that day, UTC\) or an RFC 3339 time \(2026-12-31T12:00:00Z\), not '2026-13-45' \[GV-W005\]$" \
	"bad expiry located"
sed 's/kind: Waiver/kind: Policy/' "$T/W-2026-014.yaml" > "$T/bad3.yaml"
dsse "$W" "$T/bad3.yaml" "$T/bad3.dsse"
expect_rc 2 "a signed waiver of another kind" -- verify --key "$T/keys/comp.pub" "$T/bad3.dsse"
expect_err "^$T/bad3.dsse \(payload\):2:7: error: 'kind' must be Waiver, not 'Policy' \[GV-W001\]$" "wrong kind located"
printf '[1, 2]\n' > "$T/bad4.yaml"
dsse "$W" "$T/bad4.yaml" "$T/bad4.dsse"
expect_rc 2 "a signed list" -- verify --key "$T/keys/comp.pub" "$T/bad4.dsse"
expect_err "^$T/bad4.dsse \(payload\): error: a waiver is one mapping document \[GV-W001\]$" "a list is not a waiver"
printf 'a: [\n' > "$T/bad5.yaml"
dsse "$W" "$T/bad5.yaml" "$T/bad5.dsse"
expect_rc 2 "signed, not YAML" -- verify --key "$T/keys/comp.pub" "$T/bad5.dsse"
expect_err "^$T/bad5.dsse \(payload\):[0-9]+:[0-9]+: error: " "not YAML: located"
# a wrong key is reported before the payload is looked at
expect_rc 1 "a malformed waiver under another key" -- verify --key "$T/keys/ops.pub" "$T/bad1.dsse"
expect_err "no signature by key $OID; the report is signed by: $CID \[GV-E004\]$" "signature first"

# --- expiry -------------------------------------------------------------------------
GOVGATE_NOW=${EXP}T23:59:59Z expect_rc 0 "valid at 23:59:59 of the day" -- verify --key "$T/keys/comp.pub" "$T/w.dsse"
expect_eq "$(sed -n 3p "$T/out")" "expired: no (until ${NEXT}T00:00:00Z)" "not expired at the last second"
GOVGATE_NOW=${NEXT}T00:00:00Z expect_rc 0 "expired: still validly signed" -- verify --key "$T/keys/comp.pub" "$T/w.dsse"
expect_eq "$(sed -n 3p "$T/out")" "expired: yes (since ${NEXT}T00:00:00Z)" "expired one second after"
waiver W-OLD "$PAST"
"$GG" waiver sign --key "$T/keys/comp.key" -o "$T/wold.dsse" "$T/W-OLD.yaml" >/dev/null || fail "sign W-OLD"
GOVGATE_NOW=2020-01-01T00:00:00Z expect_rc 0 "an expired waiver verifies" -- verify --key "$T/keys/comp.pub" --trust "$T/trust.yaml" "$T/wold.dsse"
expect_eq "$(sed -n 3p "$T/out")" "expired: yes (since ${TODAY}T00:00:00Z)" "expired yesterday, GOVGATE_NOW in the past revives nothing"
expect_eq "$(sed -n 4p "$T/out")" "trust: approver: 'compliance-lead' holds compliance-officer, a waiver_approvers role" \
	"expired, approver: both facts"
GOVGATE_NOW=soon expect_rc 2 "a bad GOVGATE_NOW" -- verify --key "$T/keys/comp.pub" "$T/w.dsse"
expect_err "GOVGATE_NOW 'soon' is not an RFC 3339 time \[GV-W009\]$" "bad GOVGATE_NOW: the message"
# an RFC 3339 expiry and no scope
TEXP=$(date -u -d '+20 days' +%F)T12:00:00Z
waiver W-ANY "$TEXP" ""
"$GG" waiver sign --key "$T/keys/comp.key" -o "$T/wany.dsse" "$T/W-ANY.yaml" >/dev/null || fail "sign W-ANY"
expect_rc 0 "a waiver without scope" -- verify --key "$T/keys/comp.pub" "$T/wany.dsse"
expect_eq "$(sed -n 2,3p "$T/out")" "waiver: W-ANY policy=hybrid-baseline rule=enc.key-rotation expires=$TEXP ticket=SEC-1234 scope=any
expired: no (until $TEXP)" "no scope: scope=any; an instant expires at that instant"
# a report's envelope relabelled as a waiver: the signature fails first
python3 - "$T/r.json" "$T/relabel.dsse" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1])); e["payloadType"] = "application/vnd.govgate.waiver+yaml"
open(sys.argv[2], "w").write(json.dumps(e))
EOF
expect_rc 1 "a report relabelled as a waiver" -- verify --key "$T/keys/comp.pub" --trust "$T/trust.yaml" "$T/relabel.dsse"
expect_err "^$T/relabel.dsse: error: bad signature by key $CID: the payload or its type was changed, or the signature is forged \[GV-E005\]$" \
	"relabelled: the signature fails"
