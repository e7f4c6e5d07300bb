# t460: govgate metrics: Prometheus text exposition derived from the audit
# log and the replicas, checked with promtool and for exact values.
promcheck() {
	# promcheck DESCRIPTION FILE
	if command -v promtool >/dev/null 2>&1; then
		promtool check metrics < "$2" > "$T/promtool.out" 2>&1
		prc=$?
		expect_eq $prc 0 "$1: promtool check metrics"
		[ $prc -eq 0 ] || sed 's/^/    promtool: /' "$T/promtool.out" >&2
	else
		echo "t460: skipping 'promtool check metrics' ($1): promtool is not installed (Debian package prometheus; tests/deps.sh installs it)" >&2
	fi
}
# value NAME{LABELS}: the sample's value in the last stdout
value() {
	K="$1" awk '$1 == ENVIRON["K"] { print $2 }' "$T/out"
}

openssl genpkey -algorithm ed25519 -out "$T/cloud.key" 2>/dev/null
chmod 600 "$T/cloud.key"
openssl pkey -in "$T/cloud.key" -pubout -out "$T/cloud.pub"
D="$T/m.db"

expect_rc 2 "metrics of a missing database" -- metrics --key "$T/cloud.pub" --db "$T/none.db"
expect_err "none.db: error: cannot open the audit log" "missing database named"

"$GG" audit append --db "$D" --type t >/dev/null
expect_rc 2 "metrics need the log's key" -- metrics --db "$D"
expect_err "--key LOG-PUB \(the log's public key\) is required" "says why"
expect_rc 1 "a log without a checkpoint by the key counts nothing" -- metrics --db "$D" --key "$T/cloud.pub"
expect_err "no checkpoint signed by the given key" "says why"
"$GG" audit checkpoint --db "$D" --log-key "$T/cloud.key" >/dev/null
expect_rc 0 "metrics of a log with no deployment" -- metrics --db "$D" --key "$T/cloud.pub"
cp "$T/out" "$T/empty.prom"
promcheck "no deployments" "$T/empty.prom"
expect_out "^# No deployment has finished yet: 0/0 is NaN, as in PromQL.$" "the NaN is explained"
expect_eq "$(value hybrid_deploy_success_rate)" NaN "success rate NaN"
expect_eq "$(value govgate_audit_checkpoint_size)" 1 "checkpoint at 1"
expect_eq "$(value govgate_audit_unverified_entries)" 0 "nothing unverified"

for s in completed completed blocked completed halted failed; do
	"$GG" audit append --db "$D" --type hybrid.deployment.$s --deployment d >/dev/null
done
"$GG" audit append --db "$D" --type governance.validated --payload \
	'{"decision":"block","violations":[{"rule":"tls-min","enforcement":"block","severity":"critical"},{"rule":"tags","enforcement":"warn","severity":"low"}]}' >/dev/null
"$GG" audit append --db "$D" --type governance.validated --payload \
	'{"violations":[{"rule":"kms","enforcement":"block","severity":"critical"}]}' >/dev/null
"$GG" audit append --db "$D" --type governance.validated --payload '{"violations":[]}' >/dev/null
"$GG" audit append --db "$D" --type governance.validated --payload \
	'{"violations":[{"rule":"odd","enforcement":"a\"b\\c","severity":7},"not an object"]}' >/dev/null
"$GG" audit append --db "$D" --type governance.validated --payload \
	'{"findings":5,"violations":[{"rule":"a","enforcement":"warn","severity":"low"},{"rule":"b","enforcement":"block","severity":"critical"}],"violations_truncated":true}' >/dev/null
"$GG" audit append --db "$D" --type hybrid.deployment.started --log-key "$T/cloud.key" >/dev/null

# a replica, so that the sync metrics have values
"$GG" audit append --db "$T/c.db" --type t --log-key "$T/cloud.key" --origin cloud.example/audit >/dev/null
"$GG" audit append --db "$T/c.db" --type t --log-key "$T/cloud.key" --origin cloud.example/audit >/dev/null
"$GG" audit append --db "$T/c.db" --type t >/dev/null
"$GG" sync export --db "$T/c.db" -o "$T/c.bundle" >/dev/null 2>&1
"$GG" sync import --db "$D" --log-key "$T/cloud.key" --trust cloud.example/audit="$T/cloud.pub" "$T/c.bundle" >/dev/null

expect_rc 0 "metrics" -- metrics --db "$D" --key "$T/cloud.pub"
cp "$T/out" "$T/full.prom"
promcheck "full log" "$T/full.prom"
expect_eq "$(value hybrid_deploy_success_rate)" 0.5 "success rate 3/6"
expect_eq "$(value 'hybrid_deployments_total{status="completed"}')" 3 "completed"
expect_eq "$(value 'hybrid_deployments_total{status="blocked"}')" 1 "blocked"
expect_eq "$(value 'hybrid_deployments_total{status="halted"}')" 1 "halted"
expect_eq "$(value 'hybrid_deployments_total{status="escalated"}')" 0 "escalated (none)"
expect_eq "$(value 'hybrid_deployments_total{status="failed"}')" 1 "failed"
expect_eq "$(value 'policy_violations_total{enforcement="block",severity="critical"}')" 3 "block/critical violations"
expect_eq "$(value 'policy_violations_total{enforcement="warn",severity="low"}')" 2 "warn/low violations"
expect_eq "$(value 'policy_violations_total{enforcement="unknown",severity="unknown"}')" 3 "a truncated list counts the unlisted findings"
expect_eq "$(value 'policy_violations_total{enforcement="a\"b\\c",severity="unknown"}')" 1 "odd values are escaped, not trusted"
expect_eq "$(grep -c '^policy_violations_total' "$T/out")" 4 "four violation series"
expect_eq "$(value govgate_audit_log_entries)" 15 "15 local entries (13 + sync.key_pinned + sync.imported)"
expect_eq "$(value govgate_audit_checkpoint_size)" 15 "checkpoint at 15 (the import signs the whole log)"
expect_eq "$(value 'govgate_sync_replica_entries{origin="cloud.example/audit"}')" 2 "replica of 2 entries"
expect_eq "$(value 'govgate_sync_lag_entries{origin="cloud.example/audit"}')" 0 "no lag from signed data (the announced 3 is an unsigned claim)"
expect_eq "$(value 'sync_latency_seconds_count{origin="cloud.example/audit"}')" 2 "two latencies"
expect_eq "$(value 'sync_latency_seconds_bucket{origin="cloud.example/audit",le="+Inf"}')" 2 "+Inf bucket"
expect_eq "$(value 'sync_latency_seconds_bucket{origin="cloud.example/audit",le="3600"}')" 2 "1 h bucket"
expect_out '^govgate_sync_last_import_timestamp_seconds\{origin="cloud.example/audit"\} [0-9]{10}$' "last import timestamp"
for m in hybrid_deploy_success_rate hybrid_deployments_total policy_violations_total sync_latency_seconds \
	govgate_audit_log_entries govgate_audit_checkpoint_size govgate_sync_replica_entries; do
	expect_out "^# HELP $m " "$m has HELP"
	expect_out "^# TYPE $m (gauge|counter|histogram)$" "$m has TYPE"
done
expect_out "^# TYPE sync_latency_seconds histogram$" "latency is a histogram"

mkdir "$T/tf"
expect_rc 0 "--textfile writes DIR/govgate.prom" -- metrics --db "$D" --key "$T/cloud.pub" --textfile "$T/tf"
expect_eq "$(wc -c < "$T/out")" 0 "nothing on stdout with --textfile"
cmp -s "$T/tf/govgate.prom" "$T/full.prom"; expect_eq $? 0 "the file holds the same exposition"
expect_eq "$(ls "$T/tf")" "govgate.prom" "no temporary file left"
expect_eq "$(stat -c %a "$T/tf/govgate.prom")" 644 "readable by node_exporter"
expect_rc 2 "--textfile into a missing directory" -- metrics --db "$D" --key "$T/cloud.pub" --textfile "$T/nodir"
expect_err "nodir/govgate.prom: error: cannot create a temporary file" "the file is named"
expect_rc 2 "unknown option" -- metrics --db "$D" --bogus

# a real check run: its governance.validated entry feeds policy_violations_total
expect_rc 1 "a blocked check run recorded in a log" -- check --rules rules --policy policies \
	--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml \
	--db "$T/check.db" --log-key "$T/cloud.key" fixtures/manifests/encryption-misconfig.yaml
"$GG" audit log --db "$T/check.db" --type governance.validated > "$T/validated.jsonl"
nblock=$(grep -o '"enforcement":"block","severity":"[a-z]*"' "$T/validated.jsonl" | grep -c .)
expect_rc 0 "metrics of the check log" -- metrics --db "$T/check.db" --key "$T/cloud.pub"
cp "$T/out" "$T/check.prom"
promcheck "check log" "$T/check.prom"
got=$(grep '^policy_violations_total{enforcement="block"' "$T/out" | awk '{ s += $2 } END { print s + 0 }')
[ "$nblock" -gt 0 ]; expect_eq $? 0 "the run recorded block violations"
expect_eq "$got" "$nblock" "every recorded block violation is counted"
