# run-alone: it measures time bounds
# t504-deploy-steps.sh: deploy steps leave nothing behind and see only what
# they are given. A step's background processes end when the step does
# (SIGTERM, then SIGKILL after the grace period) and its event says so; a
# step's environment is the documented base, the GOVGATE_* variables, and
# what the plan sets or names in inherit_env, never govgate's whole one.

. "$ROOT/tests/cli/deploy-lib.sh"

DB=$T/audit.db
MARK=govgate-stray-marker-$$
printf 'sleep 300\n' > "$T/$MARK.sh"

# still_runs PID: the process exists and is not a zombie
still_runs() {
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}
# whatever goes wrong, end the processes this test started, by their ids
cleanup_strays() {
	for f in "$T/stray.pid" "$T/stubborn.pid"; do
		[ -s "$f" ] && still_runs "$(cat "$f")" && kill -9 "$(cat "$f")" 2>/dev/null
	done
	return 0
}

{
	plan_head DEP-2026-11-28-001 hybrid-ok.yaml
	cat <<EOF
cloud:
  facts: [$ROOT/fixtures/facts/cloud.yaml]
  steps:
    - name: background
      run: [sh, -c, "sh ./$MARK.sh & echo \$! > stray.pid; echo started"]
    - name: stubborn
      run: [sh, -c, "trap '' TERM; sh ./$MARK.sh >/dev/null 2>&1 & echo \$! > stubborn.pid"]
onprem:
  facts: [$ROOT/fixtures/facts/onprem.yaml]
  steps:
    - name: env
      run: [env]
      env: {PLAN_SET: "from the plan", PORT: 8080}
      inherit_env: [NAMED_TOKEN, NOT_SET_ANYWHERE]
    - name: quiet
      run: ["true"]
step_defaults:
  inherit_env: [DEFAULT_NAMED]
evidence:
  db: $DB
  facts_dir: $T/facts
EOF
} > "$T/steps.plan.yaml"

t0=$(now_ms)
env -i PATH="$PATH" HOME=/home/t504 LANG=C.UTF-8 SECRET_TOKEN=xyz OTHER_VAR=1 \
	NAMED_TOKEN=named DEFAULT_NAMED=dflt GOVGATE_EXTRA=g \
	"$GG" deploy --plan "$T/steps.plan.yaml" --actor ci >"$T/out" 2>"$T/err"
rc=$?
elapsed=$(( $(now_ms) - t0 ))
echo "t504: deployment with two stray-leaving steps: $elapsed ms" >&2
expect_eq "$rc" 0 "the deployment completes"
expect_out '^completed: 4 steps ran$' "all four steps ran"

# strays: ended with their step, before the deployment returned
TEST_NAME="the steps wrote their strays' pids"
[ -s "$T/stray.pid" ] && [ -s "$T/stubborn.pid" ] && pass || fail "no pid files"
still_runs "$(cat "$T/stray.pid")"; expect_eq $? 1 "the stray (sleep in the background) is gone"
still_runs "$(cat "$T/stubborn.pid")"; expect_eq $? 1 "the stray that ignores SIGTERM is gone"
expect_eq "$(pgrep -f "$MARK" | wc -l | tr -d ' ')" 0 "no process with the marker is left"
TEST_NAME="the stubborn stray cost the grace period, not its 300 s"
[ "$elapsed" -ge 1000 ] && [ "$elapsed" -lt $((2000 + SLACK)) ] && pass || fail "took $elapsed ms"
expect_out '^step cloud/background: exit 0 in [0-9]+ ms; what it left running in its process group was ended$' "progress says so"
expect_out '^    \| started$' "output written before the stray held the pipe is kept"
entries "$DB" hybrid.deployment.step > "$T/steps"
expect_eq "$(grep -c '"stray_processes_killed":true' "$T/steps")" 2 "two step events record the kill"
grep '"name":"background"' "$T/steps" > "$T/one"
grep -Eq '"exit_code":0,"duration_ms":[0-9]+,"timed_out":false,"stray_processes_killed":true,"output":"started\\n"' "$T/one"
expect_eq $? 0 "the background step's event: exit 0, strays killed, its output"
grep '"name":"quiet"' "$T/steps" | grep -q stray_processes_killed
expect_eq $? 1 "a step that leaves nothing has no such field"

# environment: the base, GOVGATE_*, what the plan sets or names
sed -n 's/^    | \([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' "$T/out" | sort | tr '\n' ' ' > "$T/names"
expect_eq "$(cat "$T/names")" "DEFAULT_NAMED GOVGATE_DEPLOYMENT_ID GOVGATE_DRY_RUN GOVGATE_EXTRA GOVGATE_SIDE GOVGATE_STEP HOME LANG NAMED_TOKEN PATH PLAN_SET PORT " \
	"the step sees exactly the documented variables"
expect_out '^    \| PLAN_SET=from the plan$' "env: the plan's value"
expect_out '^    \| PORT=8080$' "env: a number, as written"
expect_out '^    \| NAMED_TOKEN=named$' "inherit_env: named, inherited"
expect_out '^    \| GOVGATE_STEP=env$' "govgate's own variables"
expect_no_out 'SECRET_TOKEN|xyz|OTHER_VAR' "a variable the plan does not name stays out"
grep -q 'SECRET_TOKEN' "$T/steps"; expect_eq $? 1 "and out of the log"

# the alert command gets the same clean environment
{
	plan_head DEP-2026-11-28-001 hybrid-ok.yaml
	cat <<EOF
cloud:
  facts: [$ROOT/fixtures/facts/cloud.yaml]
  steps:
    - {name: fails, run: [sh, -c, "exit 3"]}
onprem:
  facts: [$ROOT/fixtures/facts/onprem.yaml]
alert:
  command: [sh, -c, "env > alert.env"]
  inherit_env: [PAGER_TOKEN]
evidence:
  db: $T/alert.db
  facts_dir: $T/facts2
EOF
} > "$T/alert.plan.yaml"
env -i PATH="$PATH" SECRET_TOKEN=xyz PAGER_TOKEN=p "$GG" deploy --plan "$T/alert.plan.yaml" >"$T/out" 2>"$T/err"
expect_eq $? 1 "a failed step: exit 1"
sed 's/=.*//' "$T/alert.env" | grep -v '^PWD$' | sort | tr '\n' ' ' > "$T/names"
expect_eq "$(cat "$T/names")" "GOVGATE_DEPLOYMENT_ID GOVGATE_STATUS PAGER_TOKEN PATH " "the alert command sees only its variables"

cleanup_strays
