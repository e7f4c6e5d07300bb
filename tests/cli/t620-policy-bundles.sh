# t620: signed policy bundles (docs/GOVERNANCE.md, "Signed policy bundles"),
# tested as an attacker: with require.signed_policies every policy and rule
# file loaded must be listed, with its digest, in a bundle signed by a
# policy-signer, or the run stops before evaluating anything (exit 2, the
# file and why): an altered file, a file added after signing, a trusted
# signer without the role, a bundle for other files, a replayed older
# bundle, duplicate subject names, a bundle no trusted key signed.

F=fixtures/facts
mkdir -p "$T/keys" "$T/pol" "$T/rules"
for k in ops rel other log; do
	"$GG" keygen --out "$T/keys/$k" >/dev/null || fail "keygen $k"
done
# the release key made by openssl: any Ed25519 PKCS#8 key works
openssl genpkey -algorithm ed25519 -out "$T/keys/rel2.key" 2>/dev/null
chmod 600 "$T/keys/rel2.key"
openssl pkey -in "$T/keys/rel2.key" -pubout -out "$T/keys/rel2.pub"
cat > "$T/trust.yaml" <<'EOF'
apiVersion: govgate/v1
kind: Trust
metadata: {name: acme-payments}
keys:
  - {name: ops-lead, roles: [platform-admin], key: keys/ops.pub}
  - {name: release-bot, roles: [policy-signer], key: keys/rel.pub}
  - {name: release-bot-2, roles: [policy-signer, security-admin], key: keys/rel2.pub}
require:
  signed_policies: true
EOF
sed 's/signed_policies: true/signed_policies: false/' "$T/trust.yaml" > "$T/trust-open.yaml"
cp policies/hybrid-baseline.yaml "$T/pol/"
cp rules/*.yaml "$T/rules/"
M=fixtures/manifests/hybrid-ok.yaml
CHECK="check -p $T/pol --rules $T/rules --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml --trust $T/trust.yaml"
jget() {
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- making and verifying a bundle ---------------------------------------------------
expect_rc 0 "policy bundle" -- policy bundle --key "$T/keys/rel.key" -o "$T/b1.dsse" --rules "$T/rules" -p "$T/pol"
expect_out "^wrote $T/b1.dsse: 5 policy and rule files signed by key $("$GG" key id "$T/keys/rel.pub")$" "says what it wrote"
expect_rc 0 "a bundle verifies like any evidence" -- verify --key "$T/keys/rel.pub" "$T/b1.dsse"
expect_out "^policy bundle: 5 files$" "five files"
expect_out "^subject: connectivity.yaml sha256:$(sha "$T/rules/connectivity.yaml")$" "rule named relative to --rules"
expect_out "^subject: hybrid-baseline.yaml sha256:$(sha "$T/pol/hybrid-baseline.yaml")$" "policy named relative to -p"
jget "$T/b1.dsse" "d['payload']" | base64 -d > "$T/b1.json"
expect_eq "$(jget "$T/b1.json" "d['predicateType'], d['predicate']['files'], d['predicate']['policies']")" \
	"https://govgate.dev/policy-bundle/v1 5 1" "predicate"
expect_rc 1 "verify under another key fails" -- verify --key "$T/keys/ops.pub" "$T/b1.dsse"
# a file given itself is named by its file name
expect_rc 0 "files given themselves" -- policy bundle --key "$T/keys/rel.key" -o "$T/bf.dsse" --rules "$T/rules/sync.yaml" --rules "$T/rules/connectivity.yaml" --rules "$T/rules/encryption.yaml" --rules "$T/rules/governance.yaml" -p "$T/pol/hybrid-baseline.yaml"
expect_rc 0 "verify" -- verify --key "$T/keys/rel.pub" "$T/bf.dsse"
expect_out "^subject: hybrid-baseline.yaml sha256:" "file name"
# two files with one subject name cannot be bundled together
mkdir -p "$T/a" "$T/b"
cp policies/hybrid-baseline.yaml "$T/a/p.yaml"
sed 's/name: hybrid-baseline,/name: other-baseline,/' policies/hybrid-baseline.yaml > "$T/b/p.yaml"
expect_rc 2 "colliding subject names" -- policy bundle --key "$T/keys/rel.key" -o "$T/bc.dsse" --rules "$T/rules" -p "$T/a" -p "$T/b"
expect_err "^$T/b/p.yaml: error: two files would have the subject name 'p.yaml' \(also $T/a/p.yaml\): give them in separate bundles \[GV-B005\]$" "collision named"
TEST_NAME="no bundle written"
[ ! -e "$T/bc.dsse" ] && pass || fail "bc.dsse written"
expect_rc 2 "a broken policy is not signed" -- policy bundle --key "$T/keys/rel.key" -o "$T/bx.dsse" -p fixtures/broken
expect_rc 2 "a public key cannot sign" -- policy bundle --key "$T/keys/rel.pub" -o "$T/bx.dsse" -p "$T/pol"

# --- admitted ----------------------------------------------------------------------------
expect_rc 0 "signed policies: the run goes on" -- $CHECK --policy-bundle "$T/b1.dsse" -f json -o "$T/r.json" "$M"
expect_eq "$(jget "$T/r.json" "d['decision']")" allow "evaluated"
expect_eq "$(jget "$T/r.json" "d['policy_bundles']")" "[{'file': '$T/b1.dsse', 'sha256': '$(sha "$T/b1.dsse")', 'signer': 'release-bot', 'keyid': '$("$GG" key id "$T/keys/rel.pub")', 'policy_signer': True, 'subjects': 5, 'admitted': 5}]" "the report records the bundle and its signer"
expect_rc 0 "an openssl key with the role" -- policy bundle --key "$T/keys/rel2.key" -o "$T/b2.dsse" --rules "$T/rules" -p "$T/pol"
expect_rc 0 "admitted by it" -- $CHECK --policy-bundle "$T/b2.dsse" "$M"
# signed, recorded: the signed report lists the bundle
expect_rc 0 "a signed report" -- $CHECK --policy-bundle "$T/b1.dsse" --sign "$T/keys/ops.key" --report "$T/rep.dsse" "$M"
jget "$T/rep.dsse" "d['payload']" | base64 -d > "$T/rep.json"
expect_eq "$(jget "$T/rep.json" "d['predicate']['policy_bundles'][0]['signer'], d['predicate']['policy_bundles'][0]['admitted']")" "release-bot 5" "the signed report records it"

# --- refused: nothing evaluated, exit 2, the file and why ---------------------------------
refused() {
	# refused DESCRIPTION STDERR-PATTERN [ARGS...]
	what=$1; pat=$2; shift 2
	expect_rc 2 "$what: exit 2" -- $CHECK "$@" "$M"
	expect_err "$pat" "$what: the file and why"
	expect_eq "$(wc -c < "$T/out")" 0 "$what: nothing evaluated or reported"
}
refused "no bundle" "^$T/pol/hybrid-baseline.yaml: error: policy file 'hybrid-baseline.yaml' is unsigned: no policy bundle signed by a policy-signer lists it, and the trust file requires signed policies \[GV-B010\]$"
expect_eq "$(grep -c 'GV-B010' "$T/err")" 5 "no bundle: every file named"
# an altered file
cp "$T/pol/hybrid-baseline.yaml" "$T/hb.orig"
sed -i 's/{use: enc.key-rotation, enforcement: block, severity: medium}/{use: enc.key-rotation, enforcement: info, severity: medium}/' "$T/pol/hybrid-baseline.yaml"
refused "an altered file" "^$T/pol/hybrid-baseline.yaml: error: policy file 'hybrid-baseline.yaml' is altered: its SHA-256 is $(sha "$T/pol/hybrid-baseline.yaml"), but policy bundle $T/b1.dsse \(signed by 'release-bot'\) lists $(sha "$T/hb.orig") for it \[GV-B011\]$" --policy-bundle "$T/b1.dsse"
# a replayed older bundle: the files were re-signed after a change, the old bundle no longer matches
expect_rc 0 "re-sign the new version" -- policy bundle --key "$T/keys/rel.key" -o "$T/b-new.dsse" --rules "$T/rules" -p "$T/pol"
expect_rc 0 "the new bundle admits it" -- $CHECK --policy-bundle "$T/b-new.dsse" "$M"
cp "$T/hb.orig" "$T/pol/hybrid-baseline.yaml"
refused "a replayed newer bundle over the old file" "policy file 'hybrid-baseline.yaml' is altered: .* \[GV-B011\]$" --policy-bundle "$T/b-new.dsse"
sed -i 's/{use: enc.key-rotation, enforcement: block, severity: medium}/{use: enc.key-rotation, enforcement: info, severity: medium}/' "$T/pol/hybrid-baseline.yaml"
refused "a replayed older bundle" "policy file 'hybrid-baseline.yaml' is altered: .*lists $(sha "$T/hb.orig") for it \[GV-B011\]$" --policy-bundle "$T/b1.dsse"
cp "$T/hb.orig" "$T/pol/hybrid-baseline.yaml"
# a file added to the folder after signing
cat > "$T/rules/extra.yaml" <<'EOF'
apiVersion: govgate/v1
kind: RuleSet
metadata: {name: extra}
rules:
  - id: extra.anything
    check: {path: manifest.mode, exists: true}
    enforcement: info
EOF
refused "a file added after signing" "^$T/rules/extra.yaml: error: policy file 'extra.yaml' is unsigned: no policy bundle signed by a policy-signer lists it, and the trust file requires signed policies \[GV-B010\]$" --policy-bundle "$T/b1.dsse"
expect_eq "$(grep -c 'error:' "$T/err")" 1 "added file: only it is named"
rm "$T/rules/extra.yaml"
# a bundle signed by a trusted key without the role
expect_rc 0 "ops signs a bundle" -- policy bundle --key "$T/keys/ops.key" -o "$T/b-ops.dsse" --rules "$T/rules" -p "$T/pol"
refused "a signer without the role" "^$T/pol/hybrid-baseline.yaml: error: policy file 'hybrid-baseline.yaml' is signed only by 'ops-lead' \(policy bundle $T/b-ops.dsse\), a signer without the policy-signer role \[GV-B012\]$" --policy-bundle "$T/b-ops.dsse"
# a bundle for other files
mkdir -p "$T/otherpol"
sed 's/name: hybrid-baseline,/name: x-baseline,/' policies/hybrid-baseline.yaml > "$T/otherpol/x.yaml"
expect_rc 0 "a bundle of other files" -- policy bundle --key "$T/keys/rel.key" -o "$T/b-other.dsse" --rules "$T/rules" -p "$T/otherpol"
refused "a bundle for other files" "policy file 'hybrid-baseline.yaml' is unsigned: .*\[GV-B010\]$" --policy-bundle "$T/b-other.dsse"
# a bundle no trusted key signed: an input error, whatever it lists
expect_rc 0 "an outsider signs" -- policy bundle --key "$T/keys/other.key" -o "$T/b-outsider.dsse" --rules "$T/rules" -p "$T/pol"
refused "an untrusted bundle" "^$T/b-outsider.dsse: error: the policy bundle is not signed by any key of the trust file $T/trust.yaml \[GV-B004\]$" --policy-bundle "$T/b-outsider.dsse"
TEST_NAME="an untrusted bundle stops even a trust file that does not require bundles"
"$GG" check -p "$T/pol" --rules "$T/rules" --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml --trust "$T/trust-open.yaml" --policy-bundle "$T/b-outsider.dsse" "$M" >/dev/null 2>&1
[ $? -eq 2 ] && pass || fail "not exit 2"
# a forged bundle: the payload changed under a trusted key's signature
python3 - "$T/b1.dsse" "$T/b-forged.dsse" "$(sha "$T/pol/hybrid-baseline.yaml")" <<'EOF'
import base64, json, sys
e = json.load(open(sys.argv[1]))
p = base64.b64decode(e["payload"]).replace(sys.argv[3].encode(), b"0" * 64)
e["payload"] = base64.b64encode(p).decode()
open(sys.argv[2], "w").write(json.dumps(e))
EOF
refused "a forged bundle" "^$T/b-forged.dsse: error: the policy bundle is not signed by any key of the trust file $T/trust.yaml \[GV-B004\]$" --policy-bundle "$T/b-forged.dsse"
# duplicate subject names in a signed Statement
python3 - "$T/b1.json" "$T/dup.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["subject"].append({"name": "hybrid-baseline.yaml", "digest": {"sha256": "0" * 64}})
open(sys.argv[2], "w").write(json.dumps(s, separators=(",", ":")))
EOF
"$GG" key sign-statement --key "$T/keys/rel.key" --statement "$T/dup.json" -o "$T/b-dup.dsse" >/dev/null
refused "duplicate subject names" "^$T/b-dup.dsse: error: the policy bundle names 'hybrid-baseline.yaml' twice \(subjects 5 and 6\) \[GV-B005\]$" --policy-bundle "$T/b-dup.dsse"
# a signed report is not a bundle
refused "a report as a bundle" "^$T/rep.dsse: error: not a policy bundle: its predicateType is 'https://govgate.dev/compliance-report/v1', not 'https://govgate.dev/policy-bundle/v1' \[GV-B003\]$" --policy-bundle "$T/rep.dsse"
refused "not an envelope" "^$T/pol/hybrid-baseline.yaml:" --policy-bundle "$T/pol/hybrid-baseline.yaml"
refused "a missing bundle" "^$T/none.dsse: error: cannot read the policy bundle" --policy-bundle "$T/none.dsse"
expect_rc 2 "--policy-bundle needs a trust file" -- check -p "$T/pol" --rules "$T/rules" --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml --policy-bundle "$T/b1.dsse" "$M"
expect_err "GV-T008" "says why"
# one good bundle beside a bad one does not help the bad one's files
refused "a good and a role-less bundle" "GV-B004" --policy-bundle "$T/b1.dsse" --policy-bundle "$T/b-outsider.dsse"

# --- the shipped library is a policy file too ---------------------------------------------
expect_rc 0 "a bundle with the shipped rules" -- policy bundle --key "$T/keys/rel.key" -o "$T/b-lib.dsse" -p "$T/pol"
expect_rc 0 "the shipped rules admitted" -- check -p "$T/pol" --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml --trust "$T/trust.yaml" --policy-bundle "$T/b-lib.dsse" "$M"
# a bundle of other versions of the library's files (same names)
mkdir -p "$T/rules2"
for f in "$T"/rules/*.yaml; do { cat "$f"; echo "# v2"; } > "$T/rules2/$(basename "$f")"; done
expect_rc 0 "a bundle of other rule versions" -- policy bundle --key "$T/keys/rel.key" -o "$T/b-v2.dsse" --rules "$T/rules2" -p "$T/pol"
expect_rc 2 "the shipped rules do not match it" -- check -p "$T/pol" --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml --trust "$T/trust.yaml" --policy-bundle "$T/b-v2.dsse" "$M"
expect_err "^$ROOT/rules/connectivity.yaml: error: policy file 'connectivity.yaml' is altered: its SHA-256 is $(sha rules/connectivity.yaml), but policy bundle $T/b-v2.dsse \(signed by 'release-bot'\) lists $(sha "$T/rules2/connectivity.yaml") for it \[GV-B011\]$" "the shipped rules named"
expect_eq "$(grep -c 'GV-B011' "$T/err")" 4 "every library file named"
# the trust file from the environment requires it too
GOVGATE_TRUST=$T/trust.yaml expect_rc 2 "\$GOVGATE_TRUST requires signed policies" -- check -p "$T/pol" --rules "$T/rules" --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml "$M"
expect_err "GV-B010" "unsigned"
# not required: a run without bundles goes on
expect_rc 0 "signed_policies false: no bundle needed" -- check -p "$T/pol" --rules "$T/rules" --cloud-facts $F/cloud.yaml --onprem-facts $F/onprem.yaml --trust "$T/trust-open.yaml" "$M"

# --- deploy: the plan's policy_bundles ----------------------------------------------------
cat > "$T/p.plan.yaml" <<EOF
apiVersion: govgate/v1
kind: DeploymentPlan
deployment: {deployment_id: DEP-2026-11-28-001, mode: hybrid, cloud_region: ap-south-1, on_prem: datacenter-1}
manifest: $ROOT/$M
policies: [pol]
rules: [rules]
trust: trust.yaml
policy_bundles: [b1.dsse]
cloud: {facts: [$ROOT/$F/cloud.yaml], steps: [{name: up, run: [true]}]}
onprem: {facts: [$ROOT/$F/onprem.yaml], steps: [{name: up, run: [true]}]}
evidence: {db: deploy.db}
EOF
expect_rc 0 "deploy: admitted by the plan's bundle" -- deploy --plan "$T/p.plan.yaml" --facts-dir "$T/fd"
sed '/^policy_bundles:/d' "$T/p.plan.yaml" > "$T/p2.plan.yaml"
expect_rc 2 "deploy: unsigned policies stop it" -- deploy --plan "$T/p2.plan.yaml" --facts-dir "$T/fd2"
expect_err "GV-B010" "deploy: unsigned named"
TEST_NAME="deploy: nothing ran, nothing recorded"
[ ! -e "$T/deploy2.db" ] && [ ! -e "$T/fd2" ] && pass || fail "something was written"
expect_rc 0 "deploy: --policy-bundle adds one" -- deploy --plan "$T/p2.plan.yaml" --facts-dir "$T/fd3" --policy-bundle "$T/b1.dsse"
