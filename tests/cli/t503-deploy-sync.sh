# t503-deploy-sync.sh: a side's sync facts read from a verified replica of
# the other side's log (govgate sync export / import), recorded in
# hybrid.sync.checked and judged by the policies; a replica that does not
# exist turns sync off, which the shipped policy blocks.

. "$ROOT/tests/cli/deploy-lib.sh"

"$GG" keygen --out "$T/cloudlog" >/dev/null 2>&1 && "$GG" keygen --out "$T/local" >/dev/null 2>&1 ||
	{ TEST_NAME="keygen"; fail "keygen failed"; }
CO=cloud.deploy.test/audit
for i in 1 2 3; do
	"$GG" audit append --db "$T/cloud.db" --type hybrid.deployment.completed \
		--deployment "c-$i" --log-key "$T/cloudlog.key" --origin $CO >/dev/null 2>&1
done
# the on-prem side (where deploy runs) holds a replica of the cloud's log
expect_rc 0 "export the cloud log" -- sync export --db "$T/cloud.db" --since 0 -o "$T/c.bundle"
expect_rc 0 "import it on-prem" -- sync import --db "$T/onprem.db" --trust $CO="$T/cloudlog.pub" \
	"$T/c.bundle"

# write_plan FILE ORIGIN [DB-LINE]: the on-prem side's sync comes from the replica
write_plan() {
	{
		plan_head DEP-2026-11-28-001 hybrid-ok.yaml
		cat <<EOF
cloud:
  facts: [$ROOT/fixtures/facts/cloud.yaml]
  steps:
    - {name: one, run: [touch, $T/ran-cloud]}
onprem:
  facts: [$ROOT/fixtures/facts/onprem.yaml]
  sync:
    origin: $2
${3:-}
  steps:
    - {name: one, run: [touch, $T/ran-onprem]}
evidence:
  db: $T/onprem.db
  facts_dir: $T/facts
EOF
	} > "$1"
}

# a replica the deploy cannot verify is never used
write_plan "$T/nokey.plan.yaml" $CO
sed -i "s|$T/facts|$T/facts0|" "$T/nokey.plan.yaml"
expect_rc 2 "a replica with no key to verify it: exit 2" -- deploy --plan "$T/nokey.plan.yaml"
expect_err "the replica of 'cloud.deploy.test/audit' does not verify: no key is trusted for it" "says why"
expect_missing "$T/ran-onprem" "no key: no step ran"

write_plan "$T/sync.plan.yaml" $CO "    key: $T/cloudlog.pub"
expect_rc 0 "deploy with the replica's sync facts: completed" -- deploy --plan "$T/sync.plan.yaml"
expect_present "$T/ran-onprem" "replica sync: steps ran"
entries "$T/onprem.db" hybrid.sync.checked > "$T/out"
expect_out '"side":"onprem","source":"replica","enabled":true,"sync_latency_seconds":[0-9]+,"lag_entries":0,"origin":"cloud.deploy.test/audit",' \
	"replica sync: event from the replica"
expect_out '"side":"cloud","source":"facts","enabled":true,"sync_latency_seconds":2.5,"lag_entries":0,' \
	"replica sync: the cloud side still from its facts"
expect_file_has "$T/facts/onprem.facts.yaml" '^  origin: "cloud.deploy.test/audit"$' \
	"replica sync: merged facts carry the replica's state"
expect_file_has "$T/facts/onprem.facts.yaml" '^  direction: "bidirectional"$' \
	"replica sync: keys the replica does not know stay from the facts file"
expect_file_has "$T/facts/onprem.facts.yaml" '^  - replica: "cloud.deploy.test/audit"$' \
	"replica sync: listed as a source"

# the replica lives in another database, named by the plan
rm -f "$T"/ran-*
write_plan "$T/other.plan.yaml" $CO "    db: $T/onprem.db
    key: $T/cloudlog.pub"
sed -i "s|^  db: $T/onprem.db$|  db: $T/local.db|; s|$T/facts|$T/facts2|" "$T/other.plan.yaml"
expect_rc 0 "replica in a named database: completed" -- deploy --plan "$T/other.plan.yaml"
entries "$T/local.db" hybrid.sync.checked > "$T/out"
expect_out '"side":"onprem","source":"replica","enabled":true,' "named database: replica read"

# no replica of that origin: sync is off, and the shipped policy blocks
rm -f "$T"/ran-*
write_plan "$T/none.plan.yaml" other.deploy.test/audit
sed -i "s|$T/facts|$T/facts3|" "$T/none.plan.yaml"
expect_rc 1 "no replica: blocked" -- deploy --plan "$T/none.plan.yaml"
expect_out 'facts3/onprem\.facts\.yaml:[0-9]+:[0-9]+: block \[high\] sync\.enabled: synchronization is off: onprem\.sync\.enabled is false' \
	"no replica: sync.enabled blocks"
expect_missing "$T/ran-cloud" "no replica: nothing ran"

# a named sync database that does not exist is a plan error
write_plan "$T/bad.plan.yaml" $CO "    db: $T/nope.db"
expect_rc 2 "missing sync database: exit 2" -- deploy --plan "$T/bad.plan.yaml"
if [ -n "${GOVGATE_TEST_PG:-}" ]; then
	# a database cannot be looked for while the plan is read; opening it names it
	expect_err "nope\.db: error: cannot open the audit log: .*does not exist" \
		"missing sync database: named"
else
	expect_err "bad\.plan\.yaml:[0-9]+:9: error: cannot read sync database '.*nope\.db'" \
		"missing sync database: named at its place"
fi

deploy_stop_servers
trap - EXIT INT TERM HUP
