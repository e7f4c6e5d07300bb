# govgate explain: one rule on one manifest, step by step; the findings it
# lists are check's own.

cat > "$T/p.yaml" <<'YAML'
apiVersion: govgate/v1
kind: Policy
metadata: {name: workloads}
spec:
  match: {path: manifest.mode, equals: hybrid}
  rules:
    - id: wl.onprem-replicas
      title: On-prem workloads run at least 2 replicas
      enforcement: block
      severity: high
      check:
        each: "manifest.workloads[*]"
        where: {path: item.side, equals: onprem}
        check: {path: item.replicas, gte: 2}
    - id: gov.security-approvals
      enforcement: halt
      check:
        each: "manifest.strategy.approvals[*]"
        where: {path: item.role, in: [security-admin, compliance-officer]}
        distinct: item.by
        min_count: 2
YAML
cat > "$T/m.yaml" <<'YAML'
mode: hybrid
workloads:
  - {name: db, side: onprem, replicas: 1}
  - {name: web, side: cloud, replicas: 1}
  - {name: q, side: onprem}
strategy:
  approvals:
    - {by: ann, role: security-admin}
    - {by: ann, role: compliance-officer}
YAML

expect_rc 1 "a violated rule exits 1" -- explain -p "$T/p.yaml" --rule wl.onprem-replicas "$T/m.yaml"
cat > "$T/want" <<EOF2
rule: wl.onprem-replicas (policy workloads) on $T/m.yaml, document 1: violation
  match: manifest.mode equals hybrid: holds
    manifest.mode = "hybrid" ($T/m.yaml:1:7): holds
  when: none (the rule always applies): holds
  check: each manifest.workloads[*] as item: fails
    item: manifest.workloads[0] ($T/m.yaml:3:5): kept, fails
      where: item.side equals onprem: holds
        manifest.workloads[0].side = "onprem" ($T/m.yaml:3:22): holds
      check: item.replicas gte 2: fails
        manifest.workloads[0].replicas = 1 ($T/m.yaml:3:40): fails
    item: manifest.workloads[1] ($T/m.yaml:4:5): dropped by where
      where: item.side equals onprem: fails
        manifest.workloads[1].side = "cloud" ($T/m.yaml:4:23): fails
    item: manifest.workloads[2] ($T/m.yaml:5:5): kept, fails
      where: item.side equals onprem: holds
        manifest.workloads[2].side = "onprem" ($T/m.yaml:5:21): holds
      check: item.replicas gte 2: fails
        manifest.workloads[2].replicas is missing (nearest: $T/m.yaml:5:5): fails
findings:
  $T/m.yaml:3:40: block [high] manifest.workloads[0].replicas is 1; expected it to be at least 2
  $T/m.yaml:5:5: block [high] manifest.workloads[2].replicas is missing [On-prem workloads run at least 2 replicas]
EOF2
diff -u "$T/want" "$T/out" >&2 && pass || fail "explain tree differs"

expect_rc 1 "counting, explained" -- explain -p "$T/p.yaml" --rule gov.security-approvals "$T/m.yaml"
expect_out "^    item: manifest.strategy.approvals\[1\] \($T/m.yaml:9:7\): kept, not counted: its value was counted already$" "a repeated approver is not counted"
expect_out "^      manifest.strategy.approvals\[1\].by = \"ann\" \($T/m.yaml:9:12\)$" "the distinct value shown"
expect_out "^    count: 1: fails$" "the count"

expect_rc 1 "json" -- explain -p "$T/p.yaml" --rule wl.onprem-replicas -f json "$T/m.yaml"
expect_out '^\{"explanations":\[\{"policy":"workloads","rule":"wl.onprem-replicas","manifest":"[^"]*m.yaml","document":0,"verdict":"violation","tree":\{"kind":"rule",' "json head"
expect_out '\{"kind":"value","path":"manifest.workloads\[0\].replicas","value":"1","type":"integer","missing":false,"file":"[^"]*m.yaml","line":3,"column":40,"result":false\}' "a value with its type and location"
expect_out '"note":"dropped by where","result":null' "a dropped item"
expect_out '"findings":\[\{"path":"manifest.workloads\[0\].replicas","file":"[^"]*m.yaml","line":3,"column":40,"message":"manifest.workloads\[0\].replicas is 1; expected it to be at least 2"\},' "findings in json"

# a rule that holds, a rule whose policy does not apply
sed 's/replicas: 1}/replicas: 2}/; s/{name: q, side: onprem}/{name: q, side: cloud}/' "$T/m.yaml" > "$T/ok.yaml"
expect_rc 0 "a rule that holds exits 0" -- explain -p "$T/p.yaml" --rule wl.onprem-replicas "$T/ok.yaml"
expect_out "^rule: wl.onprem-replicas \(policy workloads\) on $T/ok.yaml, document 1: holds$" "holds"
sed 's/mode: hybrid/mode: cloud-only/' "$T/m.yaml" > "$T/cloud.yaml"
expect_rc 0 "a policy that does not apply" -- explain -p "$T/p.yaml" --rule wl.onprem-replicas "$T/cloud.yaml"
expect_out "^rule: wl.onprem-replicas \(policy workloads\) on $T/cloud.yaml, document 1: the policy does not apply$" "not applicable"
expect_no_out "^  check:" "the check is not walked"

# a shipped rule with facts: values located in the facts files
expect_rc 1 "shipped rule, facts located" -- explain --rules rules -p policies --rule gov.policy-version-consistent \
	--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem-policy-drift.yaml fixtures/manifests/hybrid-ok.yaml
expect_out '^    onprem.governance.policy_version = "2026.10.3" \(fixtures/facts/onprem-policy-drift.yaml:21:30\): fails$' "the differing fact"

expect_rc 2 "an unknown rule" -- explain -p "$T/p.yaml" --rule no.such "$T/m.yaml"
expect_err "^govgate: error: no loaded policy applies a rule 'no.such' \[GV-X001\]$" "says so"
expect_rc 2 "no --rule" -- explain -p "$T/p.yaml" "$T/m.yaml"
expect_rc 0 "--help" -- explain --help
expect_out "^usage: govgate explain -p POLICY --rule ID \[options\] MANIFEST$" "usage"
