# run-alone: it measures time bounds
# t500-deploy.sh: `govgate deploy` carrying a compliant hybrid deployment
# through the whole flow against live TLS endpoints (openssl s_server on
# 127.0.0.1, certificates made here): the steps run in order, the receipt
# verifies and lists them, the audit log verifies and holds exactly the
# expected events; then a dry run (nothing runs), the order reversed, and a
# re-check between the sides.

. "$ROOT/tests/cli/deploy-lib.sh"

make_pki
start_server GOOD -cert "$PKI/server.crt" -key "$PKI/server.key" ||
	fail "server did not start"
"$GG" keygen --out "$T/sign" >/dev/null 2>&1 && "$GG" keygen --out "$T/log" >/dev/null 2>&1 ||
	{ TEST_NAME="keygen"; fail "keygen failed"; }

# write_ok_plan FILE [EXTRA-YAML]: both sides probed live, fixture facts
# underneath, steps that leave markers and their order.
write_ok_plan() {
	{
		plan_head DEP-2026-11-28-001 hybrid-ok.yaml
		cat <<EOF
cloud:
  probe:
    endpoints: ["127.0.0.1:$GOOD"]
    ca: $PKI/ca.crt
    server_name: localhost
    timeout: 2s
    attempts: 2
    max_time: 5s
  facts: [$ROOT/fixtures/facts/cloud.yaml]
  steps:
    - name: migrate
      run: [touch, $T/ran-cloud-1]
    - name: rollout
      run: [sh, -c, 'echo "\$GOVGATE_SIDE/\$GOVGATE_STEP \$GOVGATE_DEPLOYMENT_ID" >> "\$0"; echo rolled out', $T/order]
      timeout: 30s
onprem:
  probe:
    endpoints:
      - {endpoint: "localhost:$GOOD", ca: $PKI/ca.crt}
  facts: $ROOT/fixtures/facts/onprem.yaml
  steps:
    - name: ledger
      run: [sh, -c, 'echo "\$GOVGATE_SIDE/\$GOVGATE_STEP \$GOVGATE_DEPLOYMENT_ID" >> "\$0"', $T/order]
    - name: mark
      run: [touch, $T/ran-onprem-2]
alert:
  command: [sh, -c, 'cat > "\$0"', $T/alert.json]
evidence:
  db: $T/audit.db
  log_key: $T/log.key
  sign_key: $T/sign.key
  report: $T/report.json
  receipt: $T/receipt.json
  facts_dir: $T/facts
  origin: deploy.test/audit
EOF
		[ -n "${2:-}" ] && printf '%s\n' "$2"
	} > "$1"
}

# --- completed -------------------------------------------------------------
write_ok_plan "$T/ok.plan.yaml"
t0=$(now_ms)
expect_rc 0 "completed deployment exits 0" -- deploy --plan "$T/ok.plan.yaml" --actor ci
elapsed=$(( $(now_ms) - t0 ))
echo "t500: completed deployment (2 live endpoints, 4 steps): $elapsed ms" >&2
expect_out '^completed: 4 steps ran; receipt ' "completed: summary line"
expect_out '^step cloud/migrate: exit 0 in [0-9]+ ms$' "completed: step progress"
expect_out '^decision: allow ' "completed: decision allow"
expect_present "$T/ran-cloud-1" "completed: first cloud step ran"
expect_present "$T/ran-onprem-2" "completed: last on-prem step ran"
expect_eq "$(cat "$T/order" 2>/dev/null | tr '\n' ' ')" \
	"cloud/rollout DEP-2026-11-28-001 onprem/ledger DEP-2026-11-28-001 " \
	"completed: steps ran in order, with their environment"
expect_missing "$T/alert.json" "completed: no alert"
expect_types "$T/audit.db" "completed: exactly the expected events in order" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated report.signed \
	hybrid.deployment.step hybrid.deployment.step hybrid.deployment.step \
	hybrid.deployment.step deployment.receipt hybrid.deployment.completed
entries "$T/audit.db" hybrid.deployment.step > "$T/out"
expect_out '"side":"cloud","name":"rollout","argv":\["sh","-c",.*"exit_code":0,"duration_ms":[0-9]+,"timed_out":false,"output":"rolled out\\n","output_bytes":11,"output_truncated":false,"dry_run":false' \
	"completed: step event payload"
expect_out '"actor":"ci"' "completed: actor recorded"
entries "$T/audit.db" hybrid.connectivity.probed > "$T/out"
expect_out "\"side\":\"cloud\",\"recheck\":false,\"probed\":true,\"reachable\":true,\"endpoints\":\[\{\"endpoint\":\"127.0.0.1:$GOOD\",\"reachable\":true,\"attempts\":1,\"error\":null,\"tls_version\":\"1.3\"\}\],\"facts_file\":\"$T/facts/cloud.facts.yaml\"" \
	"completed: probed event for the cloud"
entries "$T/audit.db" hybrid.sync.checked > "$T/out"
expect_out '"side":"cloud","source":"facts","enabled":true,"sync_latency_seconds":2.5,"lag_entries":0,' \
	"completed: cloud sync latency recorded"
expect_out '"side":"onprem","source":"facts","enabled":true,"sync_latency_seconds":4.1,"lag_entries":3,' \
	"completed: on-prem sync latency recorded"
entries "$T/audit.db" hybrid.deployment.completed > "$T/out"
expect_out '"steps_run":\["cloud/migrate","cloud/rollout","onprem/ledger","onprem/mark"\],"receipt":\{"file":' \
	"completed: event lists the steps and the receipt"

# merged facts: the live probe's connectivity over the fixture's
expect_file_has "$T/facts/cloud.facts.yaml" '^side: cloud$' "merged facts: side"
expect_file_has "$T/facts/cloud.facts.yaml" "^    - endpoint: \"127.0.0.1:$GOOD\"\$" \
	"merged facts: live endpoint replaces the fixture's"
expect_file_has "$T/facts/cloud.facts.yaml" '^  policy_version: "2026.11.1"$' \
	"merged facts: store facts from the facts file"
TEST_NAME="merged facts: fixture endpoints gone"
grep -q 'vpn-gw.cloud.example' "$T/facts/cloud.facts.yaml" && fail "fixture endpoint kept" || pass
expect_rc 0 "merged facts load in check" -- check -p policies --cloud-facts \
	"$T/facts/cloud.facts.yaml" --onprem-facts "$T/facts/onprem.facts.yaml" \
	fixtures/manifests/hybrid-ok.yaml

expect_rc 0 "receipt verifies" -- verify --key "$T/sign.pub" "$T/receipt.json" \
	--manifest fixtures/manifests/hybrid-ok.yaml
expect_out '^receipt: deployment_id=DEP-2026-11-28-001 .*status=completed ' "receipt: status completed"
receipt_payload "$T/receipt.json" > "$T/out"
expect_out '"steps_run":\["cloud/migrate","cloud/rollout","onprem/ledger","onprem/mark"\]' \
	"receipt: lists every step that ran"
expect_out '"checkpoint":\{"origin":"deploy.test/audit","size":11,' \
	"receipt: names the checkpoint covering the steps"
expect_rc 0 "report verifies" -- verify --key "$T/sign.pub" "$T/report.json"
expect_out '^decision: allow$' "report: decision allow"
expect_rc 0 "audit log verifies" -- audit verify --db "$T/audit.db" --key "$T/log.pub"
expect_rc 0 "receipts lists the deployment" -- receipts --db "$T/audit.db" \
	--deployment DEP-2026-11-28-001
expect_out 'DEP-2026-11-28-001  completed' "receipts: completed receipt listed"

# --- dry run: probes and evaluates, runs nothing ---------------------------
rm -f "$T"/ran-* "$T/order"
write_ok_plan "$T/dry.plan.yaml"
sed -i "s|$T/audit.db|$T/dry.db|" "$T/dry.plan.yaml"
expect_rc 0 "dry run exits 0" -- deploy --plan "$T/dry.plan.yaml" --dry-run
expect_out '^dry run: allowed; 4 steps would run, none ran$' "dry run: summary"
expect_missing "$T/ran-cloud-1" "dry run: no cloud step ran"
expect_missing "$T/ran-onprem-2" "dry run: no on-prem step ran"
expect_missing "$T/order" "dry run: nothing ran at all"
expect_types "$T/dry.db" "dry run: events" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated deployment.receipt hybrid.deployment.dry_run
entries "$T/dry.db" hybrid.deployment.dry_run > "$T/out"
expect_out '"outcome":"completed",.*"steps_would_run":\["cloud/migrate","cloud/rollout","onprem/ledger","onprem/mark"\],"dry_run":true' \
	"dry run: names the steps it would run"
TEST_NAME="dry run: every deploy event is marked"
n=$("$GG" audit log --db "$T/dry.db" | grep '"type":"hybrid\.' | grep -vc '"dry_run":true}')
[ "$n" -eq 0 ] && pass || fail "$n hybrid events without dry_run:true"

# --- on-prem first -----------------------------------------------------------
rm -f "$T/order"
write_ok_plan "$T/order.plan.yaml" "order: [onprem, cloud]"
sed -i "s|$T/audit.db|$T/order.db|" "$T/order.plan.yaml"
expect_rc 0 "order [onprem, cloud] exits 0" -- deploy --plan "$T/order.plan.yaml" -q
expect_eq "$(cat "$T/order" 2>/dev/null | tr '\n' ' ')" \
	"onprem/ledger DEP-2026-11-28-001 cloud/rollout DEP-2026-11-28-001 " \
	"order [onprem, cloud]: on-prem ran first"
expect_eq "$(wc -c < "$T/out" | tr -d ' ')" 0 "--quiet: nothing on stdout"

# --- re-check between the sides ----------------------------------------------
# passes: one more evaluation before the second side
rm -f "$T"/ran-*
write_ok_plan "$T/recheck.plan.yaml" "recheck_between_sides: true"
sed -i "s|$T/audit.db|$T/recheck.db|" "$T/recheck.plan.yaml"
expect_rc 0 "re-check that passes: exit 0" -- deploy --plan "$T/recheck.plan.yaml"
expect_types "$T/recheck.db" "re-check that passes: events" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated report.signed \
	hybrid.deployment.step hybrid.deployment.step \
	hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated report.signed \
	hybrid.deployment.step hybrid.deployment.step deployment.receipt hybrid.deployment.completed
expect_present "$T/facts/onprem.recheck.facts.yaml" "re-check: facts of the second pass kept apart"

# halts: the cloud step rolls an old policy bundle out on-prem (its facts change)
rm -f "$T"/ran-* "$T/alert.json"
cp fixtures/facts/onprem.yaml "$T/onprem-live.yaml"
write_ok_plan "$T/drift.plan.yaml" "recheck_between_sides: true"
sed -i "s|$T/audit.db|$T/drift.db|; s|$ROOT/fixtures/facts/onprem.yaml|$T/onprem-live.yaml|" \
	"$T/drift.plan.yaml"
sed -i "s|run: \[touch, $T/ran-cloud-1\]|run: [cp, $ROOT/fixtures/facts/onprem-policy-drift.yaml, $T/onprem-live.yaml]|" \
	"$T/drift.plan.yaml"
expect_rc 1 "re-check that finds drift: halted" -- deploy --plan "$T/drift.plan.yaml"
expect_err '^ALERT: critical: DEP-2026-11-28-001: halted: 1 halt violation at the re-check before the second side \(gov.policy-version-consistent\)$' \
	"re-check halt: ALERT line"
expect_out "onprem\.recheck\.facts\.yaml:[0-9]+:[0-9]+: halt \[high\] gov\.policy-version-consistent" \
	"re-check halt: finding in the re-check facts"
expect_missing "$T/ran-onprem-2" "re-check halt: second side never ran"
expect_types "$T/drift.db" "re-check halt: events" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated report.signed \
	hybrid.deployment.step hybrid.deployment.step \
	hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated report.signed deployment.receipt \
	alert hybrid.deployment.halted
expect_rc 0 "re-check halt: receipt verifies" -- verify --key "$T/sign.pub" "$T/receipt.json"
expect_out 'status=halted' "re-check halt: receipt status"
receipt_payload "$T/receipt.json" > "$T/out"
expect_out '"steps_run":\["cloud/migrate","cloud/rollout"\]' \
	"re-check halt: receipt lists exactly the cloud steps"
expect_file_has "$T/alert.json" '"status":"halted"' "re-check halt: alert command got the alert"

deploy_stop_servers
trap - EXIT INT TERM HUP
