# t505-deploy-failed-output.sh: a deployment whose evidence cannot be
# written after it started never ends on a success. Here a step removes the
# folder its report or receipt goes to (checked before the start), so the
# write fails later: the log ends on hybrid.deployment.failed, never
# hybrid.deployment.completed, and a re-check whose report cannot be
# written records no governance.validated.

. "$ROOT/tests/cli/deploy-lib.sh"

"$GG" keygen --out "$T/sign" >/dev/null 2>&1 || { TEST_NAME="keygen"; fail "no key"; }

# plan FILE DB OUTDIR RECHECK EVIDENCE-LINE
plan() {
	{
		plan_head DEP-2026-11-28-001 hybrid-ok.yaml
		cat <<EOF
cloud:
  facts: [$ROOT/fixtures/facts/cloud.yaml]
  steps:
    - {name: remove-out, run: [rm, -rf, $3]}
onprem:
  facts: [$ROOT/fixtures/facts/onprem.yaml]
  steps:
    - {name: after, run: [touch, $T/ran-after]}
recheck_between_sides: $4
evidence:
  db: $2
  facts_dir: $T/facts
  sign_key: $T/sign.key
  $5
EOF
	} > "$1"
}

# the receipt's folder goes away while the steps run
mkdir -p "$T/out1"
plan "$T/r.plan.yaml" "$T/r.db" "$T/out1" false "receipt: $T/out1/receipt.json"
expect_rc 2 "a receipt that cannot be written at the end: exit 2" -- deploy --plan "$T/r.plan.yaml"
expect_err "out1/receipt\.json: error: cannot create a temporary file beside it: No such file or directory \[GV-O002\]$" "the receipt's failure is named"
expect_present "$T/ran-after" "both sides' steps ran"
# the receipt entry (what the steps did) is followed by the failure to write its file
expect_types "$T/r.db" "the log ends on the failure, not on completed" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated \
	hybrid.deployment.step hybrid.deployment.step deployment.receipt hybrid.deployment.failed
entries "$T/r.db" hybrid.deployment.failed > "$T/out"
expect_out '"payload":\{"status":"failed","reason":"the final receipt could not be recorded or written","steps_run":\["cloud/remove-out","onprem/after"\],"receipt":null,"dry_run":false\}' \
	"the failed event says why and lists the steps that ran"
rm -f "$T/ran-after"

# the report's folder goes away before the re-check writes the report again
mkdir -p "$T/out2"
plan "$T/p.plan.yaml" "$T/p.db" "$T/out2" true "report: $T/out2/report.json"
expect_rc 2 "a report that cannot be written at the re-check: exit 2" -- deploy --plan "$T/p.plan.yaml"
expect_err "out2/report\.json: error: cannot write here: folder '$T/out2' does not exist \[GV-O004\]$" "the report's folder is checked again before the re-check records anything"
expect_missing "$T/ran-after" "the second side did not run"
expect_types "$T/p.db" "no validated entry for the re-check; the deployment failed" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated report.signed \
	hybrid.deployment.step hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked hybrid.deployment.failed
entries "$T/p.db" hybrid.deployment.failed > "$T/out"
expect_out '"reason":"the evaluation could not finish: an input or output error","steps_run":\["cloud/remove-out"\]' \
	"the deployment failed after the first side"
