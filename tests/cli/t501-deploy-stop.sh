# run-alone: it measures time bounds
# t501-deploy-stop.sh: deployments that must not (or not fully) happen.
# Blocked (encryption at rest off in the facts), halted (on-prem policy
# drift) and escalated (a closed port, retried, within the time bound) run
# no step at all; a failing step and a step that times out stop the rest,
# so exactly the steps before them ran; the alert command gets the alert
# as JSON on its standard input, and its own failure changes nothing.

. "$ROOT/tests/cli/deploy-lib.sh"

make_pki
closed_port CLOSED || fail "no closed port"
"$GG" keygen --out "$T/sign" >/dev/null 2>&1 ||
	{ TEST_NAME="keygen"; fail "keygen failed"; }

# write_plan FILE DEP MANIFEST CLOUD-FACTS ONPREM-FACTS [EXTRA-YAML]
# Every plan: steps on both sides that leave markers; an alert command that
# keeps what it reads; its own log and receipt.
write_plan() {
	f=$1
	name=$(basename "$1" .plan.yaml)
	{
		plan_head "$2" "$3"
		cat <<EOF
cloud:
  facts: [$4]
  steps:
    - {name: one, run: [touch, $T/$name-cloud-1]}
    - {name: two, run: [touch, $T/$name-cloud-2]}
onprem:
  facts: [$5]
  steps:
    - {name: one, run: [touch, $T/$name-onprem-1]}
alert:
  command: [sh, -c, 'cat > "\$0"', $T/$name-alert.json]
  timeout: 5s
evidence:
  db: $T/$name.db
  sign_key: $T/sign.key
  receipt: $T/$name-receipt.json
  facts_dir: $T/$name-facts
EOF
		[ -n "${6:-}" ] && printf '%s\n' "$6"
	} > "$f"
}

no_markers() {
	TEST_NAME="$1: no step ran"
	n=$(ls "$T" | grep -c "^$1-\(cloud\|onprem\)-")
	[ "$n" -eq 0 ] && pass || fail "$n markers left by steps"
}

F=$ROOT/fixtures/facts

# --- blocked: encryption at rest off in the cloud's store facts -------------
printf 'side: cloud\nencryption:\n  at_rest: {enabled: false}\n' > "$T/enc-off.yaml"
write_plan "$T/blocked.plan.yaml" DEP-2026-11-28-001 hybrid-ok.yaml \
	"$F/cloud.yaml, $T/enc-off.yaml" "$F/onprem.yaml"
expect_rc 1 "blocked: exit 1" -- deploy --plan "$T/blocked.plan.yaml"
no_markers blocked
expect_out "^$T/blocked-facts/cloud\.facts\.yaml:[0-9]+:14: block \[critical\] enc\.at-rest: encryption at rest is off: cloud\.encryption\.at_rest\.enabled is false" \
	"blocked: finding points into the merged facts"
expect_err '^ALERT: critical: DEP-2026-11-28-001: blocked: 1 block violation before any step \(enc\.at-rest\)$' \
	"blocked: ALERT line on stderr"
expect_types "$T/blocked.db" "blocked: events" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated deployment.receipt alert \
	hybrid.deployment.blocked
expect_file_has "$T/blocked-alert.json" \
	'^\{"level":"critical","status":"blocked","reason":"1 block violation before any step","deployment_id":"DEP-2026-11-28-001","decision":"block","rules":\["enc\.at-rest"\],"rules_truncated":false,"step":null,"plan":".*blocked\.plan\.yaml","time":"[0-9T:Z-]+","dry_run":false\}$' \
	"blocked: alert command got the alert JSON"
entries "$T/blocked.db" alert > "$T/out"
expect_out '"payload":\{"level":"critical",.*"command":\{"started":true,"exit_code":0,"timed_out":false,' \
	"blocked: alert event records the command"
expect_rc 0 "blocked: receipt verifies" -- verify --key "$T/sign.pub" "$T/blocked-receipt.json"
expect_out 'status=blocked decision=block' "blocked: receipt status"
receipt_payload "$T/blocked-receipt.json" > "$T/out"
expect_out '"steps_run":\[\]' "blocked: receipt says no step ran"
grep -n 'enabled: false' "$T/blocked-facts/cloud.facts.yaml" > "$T/out"
expect_out '^[0-9]+:    enabled: false$' "blocked: the overlay won the merge"

# --- halted: the on-prem side runs another policy bundle --------------------
write_plan "$T/halted.plan.yaml" DEP-2026-11-28-001 hybrid-ok.yaml "$F/cloud.yaml" \
	"$F/onprem-policy-drift.yaml"
expect_rc 1 "halted: exit 1" -- deploy --plan "$T/halted.plan.yaml"
no_markers halted
expect_out 'halt \[high\] gov\.policy-version-consistent: policy bundle "?2026\.10\.3"? at onprem\.governance\.policy_version' \
	"halted: finding"
expect_err '^ALERT: critical: DEP-2026-11-28-001: halted: 1 halt violation before any step \(gov\.policy-version-consistent\)$' \
	"halted: ALERT line"
expect_types "$T/halted.db" "halted: events" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated deployment.receipt alert \
	hybrid.deployment.halted
expect_file_has "$T/halted-alert.json" '"status":"halted",.*"decision":"halt","rules":\["gov\.policy-version-consistent"\]' \
	"halted: alert command got the alert JSON"

# --- blocked and halted at once: block wins -----------------------------------
write_plan "$T/both.plan.yaml" DEP-2026-11-28-002 encryption-misconfig.yaml "$F/cloud.yaml" \
	"$F/onprem-policy-drift.yaml"
expect_rc 1 "block and halt: exit 1" -- deploy --plan "$T/both.plan.yaml"
no_markers both
expect_types "$T/both.db" "block and halt: blocked" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated deployment.receipt alert \
	hybrid.deployment.blocked
expect_err '^ALERT: critical: DEP-2026-11-28-002: blocked: 5 block violations before any step \(conn\.tls-min-version, conn\.weak-ciphers, enc\.at-rest, enc\.kms-key, enc\.key-rotation\)$' \
	"block and halt: alert names every block rule"

# --- escalated: a closed port, retried, within the configured time ----------
write_plan "$T/escalated.plan.yaml" DEP-2026-11-28-001 hybrid-ok.yaml "$F/cloud.yaml" \
	"$F/onprem.yaml"
cat >> "$T/escalated.plan.yaml" <<EOF
EOF
sed -i "s|^cloud:|cloud:\n  probe:\n    endpoints: [\"127.0.0.1:$CLOSED\"]\n    attempts: 3\n    timeout: 500ms\n    max_time: 2s|" \
	"$T/escalated.plan.yaml"
t0=$(now_ms)
expect_rc 3 "escalated: exit 3" -- deploy --plan "$T/escalated.plan.yaml"
elapsed=$(( $(now_ms) - t0 ))
echo "t501: escalation on a closed port (3 attempts, max_time 2s): $elapsed ms" >&2
TEST_NAME="escalated: within the configured time"
[ "$elapsed" -le $((2000 + SLACK)) ] && pass || fail "took $elapsed ms, want <= $((2000 + SLACK))"
no_markers escalated
expect_out "escalated-facts/cloud\.facts\.yaml:[0-9]+:[0-9]+: escalate \[high\] conn\.endpoints-reachable" \
	"escalated: finding on the probed endpoint"
expect_err '^ALERT: escalation: DEP-2026-11-28-001: escalated: 1 escalate violation before any step \(conn\.endpoints-reachable\)$' \
	"escalated: ALERT line"
expect_file_has "$T/escalated-facts/cloud.facts.yaml" '^      attempts: 3$' \
	"escalated: the probe retried"
expect_file_has "$T/escalated-facts/cloud.facts.yaml" '^      error: "connection refused"$' \
	"escalated: the error is recorded"
expect_types "$T/escalated.db" "escalated: events" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated deployment.receipt alert \
	hybrid.deployment.escalated
expect_eq "$(cat "$T/escalated-alert.json")" \
	"{\"level\":\"escalation\",\"status\":\"escalated\",\"reason\":\"1 escalate violation before any step\",\"deployment_id\":\"DEP-2026-11-28-001\",\"decision\":\"escalate\",\"rules\":[\"conn.endpoints-reachable\"],\"rules_truncated\":false,\"step\":null,\"plan\":\"$T/escalated.plan.yaml\",\"time\":\"$(sed 's/.*"time":"\([^"]*\)".*/\1/' "$T/escalated-alert.json")\",\"dry_run\":false}" \
	"escalated: alert command got exactly the alert JSON"
entries "$T/escalated.db" hybrid.connectivity.probed > "$T/out"
expect_out "\"endpoints\":\[\{\"endpoint\":\"127.0.0.1:$CLOSED\",\"reachable\":false,\"attempts\":3,\"error\":\"connection refused\",\"tls_version\":null\}\]" \
	"escalated: probed event records the attempts"

# --- a failing step stops the rest ------------------------------------------
write_plan "$T/failing.plan.yaml" DEP-2026-11-28-001 hybrid-ok.yaml "$F/cloud.yaml" \
	"$F/onprem.yaml"
sed -i "s|    - {name: two, run: \[touch, $T/failing-cloud-2\]}|    - {name: two, run: [sh, -c, 'echo cannot migrate >\&2; exit 3']}\n    - {name: three, run: [touch, $T/failing-cloud-3]}|" \
	"$T/failing.plan.yaml"
expect_rc 1 "failing step: exit 1" -- deploy --plan "$T/failing.plan.yaml"
expect_present "$T/failing-cloud-1" "failing step: the step before it ran"
expect_missing "$T/failing-cloud-3" "failing step: the step after it did not run"
expect_missing "$T/failing-onprem-1" "failing step: the other side did not run"
expect_err '^ALERT: critical: DEP-2026-11-28-001: failed: step cloud/two exited 3$' \
	"failing step: ALERT line"
expect_types "$T/failing.db" "failing step: events" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated \
	hybrid.deployment.step hybrid.deployment.step alert deployment.receipt hybrid.deployment.failed
entries "$T/failing.db" hybrid.deployment.step > "$T/out"
expect_out '"name":"two",.*"exit_code":3,.*"output":"cannot migrate\\n"' \
	"failing step: its exit code and output recorded"
expect_file_has "$T/failing-alert.json" '"status":"failed",.*"step":\{"side":"cloud","name":"two","argv":\["sh","-c","echo cannot migrate >&2; exit 3"\],"exit_code":3' \
	"failing step: alert names the step"
expect_rc 0 "failing step: receipt verifies" -- verify --key "$T/sign.pub" "$T/failing-receipt.json"
expect_out 'status=failed' "failing step: receipt status failed"
receipt_payload "$T/failing-receipt.json" > "$T/out"
expect_out '"steps_run":\["cloud/one","cloud/two"\]' \
	"failing step: receipt lists exactly the steps that ran"

# --- a step that outlives its timeout: its process group is killed -----------
write_plan "$T/timeout.plan.yaml" DEP-2026-11-28-001 hybrid-ok.yaml "$F/cloud.yaml" \
	"$F/onprem.yaml"
sed -i "s|    - {name: two, run: \[touch, $T/timeout-cloud-2\]}|    - {name: two, run: [sh, -c, 'sleep 30 \& echo \$! > \"\$0\"; wait', $T/bgpid], timeout: 1s}|" \
	"$T/timeout.plan.yaml"
t0=$(now_ms)
expect_rc 1 "step timeout: exit 1" -- deploy --plan "$T/timeout.plan.yaml"
elapsed=$(( $(now_ms) - t0 ))
echo "t501: step timeout 1s: deploy ended after $elapsed ms" >&2
TEST_NAME="step timeout: bounded"
[ "$elapsed" -ge 1000 ] && [ "$elapsed" -le $((2500 + SLACK)) ] && pass ||
	fail "took $elapsed ms, want 1000..$((2500 + SLACK))"
expect_err '^ALERT: critical: DEP-2026-11-28-001: failed: step cloud/two timed out after 1000 ms$' \
	"step timeout: ALERT line"
entries "$T/timeout.db" hybrid.deployment.step > "$T/out"
expect_out '"name":"two",.*"exit_code":143,"duration_ms":[0-9]+,"timed_out":true,"signal":15' \
	"step timeout: recorded as timed out (SIGTERM)"
expect_missing "$T/timeout-onprem-1" "step timeout: nothing after it ran"
TEST_NAME="step timeout: the step's background process died with its group"
# alive: it exists and is not a zombie (this machine's init reaps late)
alive() { st=$(ps -o stat= -p "$1" 2>/dev/null); [ -n "$st" ] && [ "${st#Z}" = "$st" ]; }
bg=$(cat "$T/bgpid" 2>/dev/null)
n=0
while [ -n "$bg" ] && alive "$bg" && [ $n -lt 20 ]; do
	sleep 0.05
	n=$((n + 1))
done
[ -n "$bg" ] && ! alive "$bg" && pass || fail "process '$bg' still runs"

# --- the alert command's own failure changes nothing ------------------------
write_plan "$T/badalert.plan.yaml" DEP-2026-11-28-001 hybrid-ok.yaml "$F/cloud.yaml" \
	"$F/onprem-policy-drift.yaml"
sed -i "s|  command: \[sh, -c, 'cat > \"\$0\"', $T/badalert-alert.json\]|  command: [sh, -c, 'cat >/dev/null; exit 7']|" \
	"$T/badalert.plan.yaml"
expect_rc 1 "failing alert command: still exit 1 (halted)" -- deploy --plan "$T/badalert.plan.yaml"
expect_err "^govgate: deploy: alert command 'sh' exited 7$" "failing alert command: reported"
entries "$T/badalert.db" alert > "$T/out"
expect_out '"command":\{"started":true,"exit_code":7,' "failing alert command: recorded"
expect_types "$T/badalert.db" "failing alert command: flow unchanged" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated deployment.receipt alert \
	hybrid.deployment.halted

# --- a dry run that would be blocked: exit 1, no alert command, nothing ran ---
write_plan "$T/dryblock.plan.yaml" DEP-2026-11-28-001 hybrid-ok.yaml \
	"$F/cloud.yaml, $T/enc-off.yaml" "$F/onprem.yaml"
expect_rc 1 "dry run blocked: exit 1" -- deploy --plan "$T/dryblock.plan.yaml" --dry-run
no_markers dryblock
expect_missing "$T/dryblock-alert.json" "dry run blocked: no alert command"
expect_missing "$T/dryblock-receipt.json" "dry run blocked: no receipt file"
expect_err '^ALERT: \(dry run\) critical: DEP-2026-11-28-001: blocked: ' "dry run blocked: ALERT line"
expect_types "$T/dryblock.db" "dry run blocked: events" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated deployment.receipt alert \
	hybrid.deployment.dry_run
entries "$T/dryblock.db" hybrid.deployment.dry_run > "$T/out"
expect_out '"status":"dry-run",.*"outcome":"blocked",.*"dry_run":true' "dry run blocked: outcome"

# --- SIGTERM to govgate stops the running step and fails the deployment -----
write_plan "$T/signal.plan.yaml" DEP-2026-11-28-001 hybrid-ok.yaml "$F/cloud.yaml" \
	"$F/onprem.yaml"
sed -i "s|    - {name: two, run: \[touch, $T/signal-cloud-2\]}|    - {name: two, run: [sh, -c, 'touch \"\$0\"; sleep 30', $T/signal-started]}|" \
	"$T/signal.plan.yaml"
"$GG" deploy --plan "$T/signal.plan.yaml" >"$T/out" 2>"$T/err" &
gg=$!
n=0
while [ ! -e "$T/signal-started" ] && [ $n -lt 200 ]; do
	sleep 0.05
	n=$((n + 1))
done
kill -TERM "$gg"
wait "$gg"
expect_eq "$?" 1 "SIGTERM: exit 1 (failed)"
expect_err '^ALERT: critical: DEP-2026-11-28-001: failed: step cloud/two was interrupted by a signal$' \
	"SIGTERM: ALERT line"
entries "$T/signal.db" hybrid.deployment.step > "$T/out"
expect_out '"name":"two",.*"signal":15,"interrupted":true' "SIGTERM: the step was stopped"
expect_missing "$T/signal-onprem-1" "SIGTERM: no further step ran"
expect_types "$T/signal.db" "SIGTERM: events" \
	hybrid.deployment.started hybrid.connectivity.probed hybrid.connectivity.probed \
	hybrid.sync.checked hybrid.sync.checked governance.validated \
	hybrid.deployment.step hybrid.deployment.step alert deployment.receipt hybrid.deployment.failed

deploy_stop_servers
trap - EXIT INT TERM HUP
