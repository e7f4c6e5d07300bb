# t502-deploy-plan.sh: plans that are malformed or name what is not there.
# Each is exit 2 with the problem at file:line:col, before anything runs:
# the audit log gains no entry, no step leaves its marker, no facts folder
# is written.

. "$ROOT/tests/cli/deploy-lib.sh"

DB=$T/audit.db
"$GG" audit append --db "$DB" --type test.before --deployment DEP-0 >/dev/null 2>&1 ||
	{ TEST_NAME="audit append"; fail "could not seed the log"; }

# good_plan FILE: a plan that would complete (no probe, fixture facts).
good_plan() {
	{
		plan_head DEP-2026-11-28-001 hybrid-ok.yaml
		cat <<EOF
cloud:
  facts: [$ROOT/fixtures/facts/cloud.yaml]
  steps:
    - {name: one, run: [touch, $T/ran-cloud]}
onprem:
  facts: [$ROOT/fixtures/facts/onprem.yaml]
  steps:
    - {name: one, run: [touch, $T/ran-onprem]}
evidence:
  db: $DB
  facts_dir: $T/facts
EOF
	} > "$1"
}

# refused DESCRIPTION PLAN ERR-PATTERN [EXTRA-ARGS]: exit 2, the error on
# stderr, and nothing recorded, run or written.
refused() {
	expect_rc 2 "$1: exit 2" -- deploy --plan "$2" $4
	expect_err "$3" "$1: error names the place"
	expect_eq "$(entry_count "$DB")" 1 "$1: no event recorded"
	TEST_NAME="$1: nothing ran or was written"
	[ ! -e "$T/ran-cloud" ] && [ ! -e "$T/ran-onprem" ] && [ ! -e "$T/facts" ] && pass ||
		fail "a step ran or facts were written"
}

P=$T/p.plan.yaml

# the good plan itself works (in its own log), so every refusal below is the edit's
good_plan "$T/good.plan.yaml"
sed -i "s|$DB|$T/good.db|; s|$T/facts|$T/good-facts|; s|$T/ran-|$T/good-ran-|" "$T/good.plan.yaml"
expect_rc 0 "the unedited plan completes" -- deploy --plan "$T/good.plan.yaml" -q

# --- malformed plans: exact line and column -----------------------------------
good_plan "$P"
sed -i 's/^  cloud_region: ap-south-1$/  cloud_regoin: ap-south-1/' "$P"
refused "unknown key" "$P" "^$P:6:3: error: unknown key 'cloud_regoin' in deployment \[GV-D002\]$"
expect_err "^$P:4:3: error: deployment has no 'cloud_region' \[GV-D003\]$" \
	"unknown key: the missing key is reported too"

good_plan "$P"
sed -i 's/^    - {name: one, run: \[touch, \(.*\)ran-cloud\]}$/    - {name: one, run: "touch \1ran-cloud"}/' "$P"
refused "run as a string" "$P" "^$P:14:24: error: 'run' must be a list, not a string \[GV-D004\]$"

good_plan "$P"
sed -i 's/^  steps:$/  stepz:/' "$P"
refused "misspelt steps" "$P" "^$P:13:3: error: unknown key 'stepz' in the cloud side \[GV-D002\]$"

good_plan "$P"
printf 'order: [cloud, cloud]\n' >> "$P"
refused "side twice in order" "$P" "^$P:22:16: error: side 'cloud' named twice in 'order' \[GV-D007\]$"

good_plan "$P"
printf 'step_defaults: {timeout: 5 seconds}\n' >> "$P"
refused "bad duration" "$P" "^$P:22:26: error: 'timeout' is not a duration such as 30, 1.5s, 250ms, 10m or 1h \[GV-D005\]$"

good_plan "$P"
sed -i 's/^  mode: hybrid$/  mode: cloud-only/' "$P"
refused "mode not hybrid" "$P" "^$P:5:9: error: mode 'cloud-only' is not supported"

good_plan "$P"
sed -i 's/^kind: DeploymentPlan$/kind: Policy/' "$P"
refused "not a plan" "$P" "^$P:2:7: error: kind must be DeploymentPlan \(not 'Policy'\) \[GV-D001\]$"

good_plan "$P"
sed -i 's/^    - {name: one, run: \[touch, \(.*\)ran-onprem\]}$/    - {name: one, run: [touch, \1ran-onprem]/' "$P"
refused "yaml syntax error" "$P" "^$P:[0-9]+:[0-9]+: error: .*\[GV-Y003\]$"

good_plan "$P"
sed -i "s|^  steps:$|  probe:\n    endpoints: [\"127.0.0.1\"]\n  steps:|" "$P"
refused "endpoint without a port" "$P" "^$P:14:17: error: invalid endpoint '127\.0\.0\.1' \(want HOST:PORT or \[ADDR\]:PORT\) \[GV-D005\]$"

good_plan "$P"
sed -i 's/^    - {name: one, run: \[touch, \(.*\)ran-onprem\]}$/    - {name: one, run: [touch, \1ran-onprem]}\n    - {name: one, run: [true]}/' "$P"
refused "duplicate step name" "$P" "^$P:19:14: error: duplicate step name 'one' on the onprem side \(first at line 18\) \[GV-D007\]$"

expect_rc 2 "no --plan" -- deploy
expect_err 'no plan given' "no --plan: message"
expect_rc 2 "unknown option" -- deploy --plan "$P" --bogus
expect_err "^govgate: deploy: unknown option '--bogus'$" "unknown option: message"
expect_rc 0 "deploy --help" -- deploy --help
for o in --plan --dry-run --db --log-key --sign --report --receipt --facts-dir --actor; do
	expect_out "^ .*$o" "deploy --help lists $o"
done

# --- missing files and commands ------------------------------------------------
expect_rc 2 "missing plan file" -- deploy --plan "$T/nope.plan.yaml"
expect_err "nope\.plan\.yaml: error: cannot read" "missing plan file: named"

good_plan "$P"
sed -i "s|fixtures/manifests/hybrid-ok.yaml|fixtures/manifests/nope.yaml|" "$P"
refused "missing manifest" "$P" "^$P:8:11: error: cannot read manifest '.*fixtures/manifests/nope\.yaml': No such file or directory \[GV-D006\]$"

good_plan "$P"
sed -i "s|fixtures/facts/onprem.yaml|fixtures/facts/nope.yaml|" "$P"
refused "missing facts file" "$P" "^$P:16:11: error: cannot read facts file '.*fixtures/facts/nope\.yaml': No such file or directory \[GV-D006\]$"

good_plan "$P"
sed -i 's/run: \[touch, \(.*\)ran-cloud\]/run: [no-such-command-govgate, \1ran-cloud]/' "$P"
refused "missing command" "$P" "^$P:14:25: error: command 'no-such-command-govgate' not found in \\\$PATH \[GV-D009\]$"

good_plan "$P"
sed -i 's/run: \[touch, \(.*\)ran-cloud\]/run: [.\/deploy.sh]/' "$P"
refused "missing relative command" "$P" "^$P:14:25: error: command '\./deploy\.sh' not found \[GV-D009\]$"

good_plan "$P"
printf 'alert: {command: [no-such-pager-govgate]}\n' >> "$P"
refused "missing alert command" "$P" "^$P:22:19: error: command 'no-such-pager-govgate' not found"

good_plan "$P"
printf '  sign_key: %s\n' "$T/nokey.key" >> "$P"
refused "missing signing key" "$P" "^$P:22:13: error: cannot read signing key '.*nokey\.key': No such file or directory \[GV-D006\]$"

# --- inputs that are there but wrong --------------------------------------------
good_plan "$P"
sed -i "s|fixtures/manifests/hybrid-ok.yaml|fixtures/manifests/encryption-misconfig.yaml|" "$P"
refused "manifest of another deployment" "$P" \
	"fixtures/manifests/encryption-misconfig\.yaml:4:16: error: the manifest's deployment_id 'DEP-2026-11-28-002' is not the plan's 'DEP-2026-11-28-001' \($P:4:18\) \[GV-D102\]$"

good_plan "$P"
sed -i "s|fixtures/manifests/hybrid-ok.yaml|fixtures/manifests/multi.yaml|" "$P"
refused "manifest with two documents" "$P" "multi\.yaml:[0-9]+:1: error: a deployment's manifest is one mapping document \(this file has 2 documents\) \[GV-D102\]$"

good_plan "$P"
sed -i "s|fixtures/facts/onprem.yaml|fixtures/facts/cloud.yaml|" "$P"
refused "facts of the other side" "$P" \
	"fixtures/facts/cloud\.yaml:4:7: error: facts are labelled for side 'cloud' but the plan lists them for the onprem side \($P:16:11\) \[GV-F002\]$"

# a facts file dated an hour ahead: refused before anything runs (GV-F003 at
# its collected_at), even though the merged collected_at is the oldest source
t0=$(date +%s)
sed "s/^collected_at: .*/collected_at: \"$(date -u -d "@$((t0 + 3600))" +%Y-%m-%dT%H:%M:%SZ)\"/" \
	fixtures/facts/cloud.yaml > "$T/cloud-ahead.yaml"
good_plan "$P"
sed -i "s|  facts: \[$ROOT/fixtures/facts/cloud.yaml\]|  facts: [$ROOT/fixtures/facts/cloud.yaml, $T/cloud-ahead.yaml]|" "$P"
expect_rc 2 "facts an hour ahead: exit 2" -- deploy --plan "$P"
t1=$(date +%s)
TEST_NAME="facts an hour ahead: GV-F003 at collected_at, in seconds"
found=0
for s in $(seq "$t0" "$t1"); do
	grep -Fxq -- "$T/cloud-ahead.yaml:5:15: error: facts are dated $((t0 + 3600 - s)) s in the future (collected_at $(date -u -d "@$((t0 + 3600))" +%Y-%m-%dT%H:%M:%SZ)); the allowed clock skew is 300 s [GV-F003]" "$T/err" && found=1
done
[ "$found" = 1 ] && pass || { fail "no GV-F003 line"; head -3 "$T/err" >&2; }
expect_eq "$(entry_count "$DB")" 1 "facts an hour ahead: no event recorded"
TEST_NAME="facts an hour ahead: nothing ran or was written"
[ ! -e "$T/ran-cloud" ] && [ ! -e "$T/ran-onprem" ] && [ ! -e "$T/facts" ] && pass ||
	fail "a step ran or facts were written"
# the plan's max_clock_skew admits them; the merged facts keep the oldest time
printf 'max_clock_skew: 2h\n' >> "$P"
sed -i "s|$DB|$T/skew.db|; s|$T/facts|$T/skew-facts|; s|$T/ran-|$T/skew-ran-|" "$P"
expect_rc 0 "max_clock_skew: 2h admits them" -- deploy --plan "$P" -q
expect_eq "$(sed -n 's/^collected_at: //p' "$T/skew-facts/cloud.facts.yaml")" '"2026-11-28T12:00:00Z"' \
	"merged collected_at is the oldest source's"
good_plan "$P"
printf 'max_clock_skew: 1.5s\n' >> "$P"
refused "max_clock_skew not whole seconds" "$P" \
	"^$P:22:17: error: 'max_clock_skew' is not a duration of whole seconds from 0 to 1d, such as 0, 300 or 5m \[GV-D005\]$"

# a policy whose regex backtracks over the deployment id, and a plan's
# regex_budget too small for it: stopped before anything runs (GV-M005)
cat > "$T/redos.yaml" <<EOF
apiVersion: govgate/v1
kind: Policy
metadata: {name: redos, version: 1.0.0}
spec:
  match: {path: manifest.mode, equals: hybrid}
  rules:
    - {id: redos.id, enforcement: block, check: {path: manifest.deployment_id, matches: '^(.+)+[xy]\$'}}
EOF
good_plan "$P"
sed -i "s|^policies: .*|policies: [$T/redos.yaml]|" "$P"
printf 'regex_budget: 1000\n' >> "$P"
refused "regex budget used up" "$P" \
	"^govgate: error: the regex budget of the run is used up: regular expressions needed more than 1000 steps \(--regex-budget, a plan's regex_budget\); the run was stopped and nothing is reported \[GV-M005\]$"
expect_eq "$(grep -c ': error: ' "$T/err")" 1 "regex budget used up: the only error"

good_plan "$P"
printf '  report: %s\n' "$T/report.json" >> "$P"
refused "report without a signing key" "$P" "^$P: error: evidence: a report or a receipt needs sign_key"

good_plan "$P"
printf '  receipt: %s\n' "$T/no/such/dir/receipt.json" >> "$P"
"$GG" keygen --out "$T/sign" >/dev/null 2>&1
refused "receipt in a missing folder" "$P" "receipt\.json: error: cannot write the receipt here: folder '.*/no/such/dir' does not exist" \
	"--sign $T/sign.key"

good_plan "$P"
mkdir -p "$T/outdir/report.json"
printf '  report: %s\n' "$T/outdir/report.json" >> "$P"
refused "report path that is a folder" "$P" "outdir/report\.json: error: cannot write here: it is a folder \[GV-O004\]$" \
	"--sign $T/sign.key"

cp "$T/sign.key" "$T/open.key"
chmod 644 "$T/open.key"
good_plan "$P"
refused "signing key others can read" "$P" "open\.key" "--sign $T/open.key"

good_plan "$P"
sed -i "s|fixtures/manifests/hybrid-ok.yaml|fixtures/manifests/no-policy-applies.yaml|; s|DEP-2026-11-28-001|DEP-2026-11-28-008|" "$P"
refused "manifest of another mode" "$P" \
	"no-policy-applies\.yaml:5:7: error: the manifest's mode 'cloud' is not the plan's 'hybrid' \($P:4:18\) \[GV-D102\]$"

cat > "$T/never.yaml" <<EOF
apiVersion: govgate/v1
kind: Policy
metadata: {name: never, version: 1.0.0}
spec:
  match: {path: manifest.mode, equals: batch}
  rules:
    - {use: enc.at-rest, enforcement: block}
EOF
good_plan "$P"
sed -i "s|^policies: .*|policies: [$T/never.yaml]|" "$P"
refused "no policy applies" "$P" "hybrid-ok\.yaml:3:1: error: no policy applies to this manifest \[GV-M003\]$"

good_plan "$P"
printf '  origin: "has space"\n  log_key: %s\n' "$T/sign.key" >> "$P"
refused "invalid log origin" "$P" "error: log origin 'has space' is not a valid note key name"

deploy_stop_servers
trap - EXIT INT TERM HUP
