# Per-item checks (each / where / as / counting), numbers that are numbers,
# operands and placeholders checked at load, and inline rule ids that belong
# to their policy (docs/POLICY-GUIDE.md sections 4a, 3, 10 and 1).

# whole-line, fixed-string matches on stdout and stderr
expect_line() {
	TEST_NAME=$2
	grep -Fxq -- "$1" "$T/out" && pass || { fail "stdout lacks the line: $1"; cat "$T/out" >&2; }
}
expect_err_line() {
	TEST_NAME=$2
	grep -Fxq -- "$1" "$T/err" && pass || { fail "stderr lacks the line: $1"; cat "$T/err" >&2; }
}

cat > "$T/each.policy.yaml" <<'YAML'
apiVersion: govgate/v1
kind: Policy
metadata: {name: workloads}
spec:
  rules:
    - id: wl.onprem-replicas
      title: On-prem workloads run at least 2 replicas
      enforcement: block
      severity: high
      check:
        each: "manifest.workloads[*]"
        where: {path: item.side, equals: onprem}
        check: {path: item.replicas, gte: 2}
      message: "{path} is {actual}; on-prem workloads run at least {expected} replicas"
    - id: wl.cloud-ports
      enforcement: warn
      severity: low
      check:
        each: "manifest.workloads[*]"
        where: {path: item.side, equals: cloud}
        check:
          each: "item.ports[*]"
          as: port
          where: {path: item.public, equals: true}
          check: {path: port.number, in: [443]}
    - id: gov.security-approvals
      title: Two different people from security or compliance approved
      enforcement: halt
      severity: high
      check:
        each: "manifest.strategy.approvals[*]"
        where: {path: item.role, in: [security-admin, compliance-officer]}
        distinct: item.by
        min_count: 2
      message: "{actual} distinct security or compliance approvers at {path}, expected {expected}"
YAML

cat > "$T/m.yaml" <<'YAML'
workloads:
  - {name: api, side: onprem, replicas: 3}
  - {name: db, side: onprem, replicas: 1}
  - {name: web, side: cloud, replicas: 1, public: true, ports: [{number: 443}, {number: 8080}]}
  - {name: batch, side: cloud, public: false, ports: [{number: 9000}]}
  - {name: queue, side: onprem}
  - {name: cache, side: onprem, replicas: "5"}
strategy:
  approvals:
    - {by: ann, role: security-admin}
    - {by: ann, role: compliance-officer}
    - {by: bob, role: developer}
YAML

expect_rc 1 "each: failing items block" -- check --rules rules -p "$T/each.policy.yaml" "$T/m.yaml"
expect_line "$T/m.yaml:3:40: block [high] wl.onprem-replicas: manifest.workloads[1].replicas is 1; on-prem workloads run at least 2 replicas (policy workloads)" \
	"an on-prem workload with 1 replica, at its value"
expect_line "$T/m.yaml:6:5: block [high] wl.onprem-replicas: manifest.workloads[4].replicas is missing [On-prem workloads run at least 2 replicas] (policy workloads)" \
	"a missing replicas, at its item"
expect_line "$T/m.yaml:7:43: block [high] wl.onprem-replicas: manifest.workloads[5].replicas is \"5\" (a string, not a number); expected it to be at least 2 [On-prem workloads run at least 2 replicas] (policy workloads)" \
	"a quoted \"5\" is not a number"
expect_no_out "workloads\[2\]\.replicas" "the cloud workload is filtered out by where"
expect_line "$T/m.yaml:4:89: warn [low] wl.cloud-ports: manifest.workloads[2].ports[1].number is 8080; expected it to be one of [443] (policy workloads)" \
	"nested each with as: the outer item in the inner where"
expect_no_out "workloads\[3\]\.ports" "a cloud workload that is not public is filtered out"
expect_line "$T/m.yaml:10:5: halt [high] gov.security-approvals: 1 distinct security or compliance approvers at manifest.strategy.approvals, expected at least 2 (policy workloads)" \
	"counting distinct approvers"
expect_out '^decision: block — 1 manifest, 3 rules evaluated, 5 findings \(block 3, halt 1, warn 1\)$' "summary"

cat > "$T/ok.yaml" <<'YAML'
workloads:
  - {name: api, side: onprem, replicas: 2}
  - {name: web, side: cloud, replicas: 1, public: true, ports: [{number: 443}]}
strategy:
  approvals:
    - {by: ann, role: security-admin}
    - {by: cho, role: compliance-officer}
YAML
expect_rc 0 "each: a manifest that holds is allowed" -- check --rules rules -p "$T/each.policy.yaml" "$T/ok.yaml"
expect_out '^decision: allow — 1 manifest, 3 rules evaluated, 0 findings$' "allowed summary"

expect_rc 1 "each: json output" -- check --rules rules -p "$T/each.policy.yaml" -f json "$T/m.yaml"
expect_out '"rule":"gov.security-approvals"[^}]*"path":"manifest.strategy.approvals","file":"[^"]*","line":10,"column":5,[^}]*"actual":"1","expected":"at least 2"' \
	"a count's actual and expected in JSON"

# gt/gte/lt/lte compare numbers; every spelling strtod accepts is a string when quoted
cat > "$T/num.policy.yaml" <<'YAML'
apiVersion: govgate/v1
kind: Policy
metadata: {name: num}
spec:
  rules:
    - id: num.gt
      enforcement: block
      check: {each: "manifest.values[*]", check: {path: item.v, gt: 15}}
YAML
cat > "$T/num.yaml" <<'YAML'
values:
  - {v: "5"}
  - {v: " 5"}
  - {v: "0x10"}
  - {v: "infinity"}
  - {v: "1e3"}
  - {v: 0x10}
  - {v: 1e3}
  - {v: .inf}
YAML
expect_rc 1 "quoted numbers are strings" -- check --rules rules -p "$T/num.policy.yaml" "$T/num.yaml"
expect_line "$T/num.yaml:2:9: block [medium] num.gt: manifest.values[0].v is \"5\" (a string, not a number); expected it to be greater than 15 (policy num)" '"5"'
expect_line "$T/num.yaml:3:9: block [medium] num.gt: manifest.values[1].v is \" 5\" (a string, not a number); expected it to be greater than 15 (policy num)" '" 5"'
expect_line "$T/num.yaml:4:9: block [medium] num.gt: manifest.values[2].v is \"0x10\" (a string, not a number); expected it to be greater than 15 (policy num)" '"0x10" does not pass gt: 15'
expect_line "$T/num.yaml:5:9: block [medium] num.gt: manifest.values[3].v is \"infinity\" (a string, not a number); expected it to be greater than 15 (policy num)" '"infinity"'
expect_line "$T/num.yaml:6:9: block [medium] num.gt: manifest.values[4].v is \"1e3\" (a string, not a number); expected it to be greater than 15 (policy num)" '"1e3"'
expect_out '^decision: block — 1 manifest, 1 rule evaluated, 5 findings \(block 5\)$' "unquoted 0x10, 1e3 and .inf are numbers and pass"
printf '{"values": [{"v": "16"}, {"v": 16}, {"v": 1.6e1}]}\n' > "$T/num.json"
expect_rc 1 "json: a string is a string, a number a number" -- check --rules rules -p "$T/num.policy.yaml" "$T/num.json"
expect_out "^$T/num.json:1:19: block \[medium\] num.gt: manifest.values\[0\].v is \"16\" \(a string, not a number\)" "json string located"
expect_out '^decision: block — 1 manifest, 1 rule evaluated, 1 finding \(block 1\)$' "json numbers pass"

# operands that can never work, unknown placeholders, guards on [*]: load errors
cat > "$T/bad.policy.yaml" <<'YAML'
apiVersion: govgate/v1
kind: Policy
metadata: {name: bad}
spec:
  rules:
    - id: bad.gt
      enforcement: warn
      check: {path: manifest.replicas, gt: "ten"}
    - id: bad.length
      enforcement: warn
      check: {path: manifest.approvals, min_length: -1}
    - id: bad.in
      enforcement: warn
      check: {path: manifest.region, in: eu-west-1}
    - id: bad.placeholder
      enforcement: warn
      check: {path: manifest.region, equals: eu-west-1}
      message: "region {actul} is not {expected}"
    - id: bad.when
      enforcement: warn
      when: {path: "manifest.workloads[*].side", equals: onprem}
      check: {path: manifest.region, equals: eu-west-1}
    - use: conn.cloud-cert-validity
      with: {min_days: "30"}
      enforcement: warn
YAML
for cmd in "policy lint --rules rules" "check --rules rules -p"; do
	expect_rc 2 "$cmd: operand and message errors" -- $cmd "$T/bad.policy.yaml" fixtures/manifests/hybrid-ok.yaml
	expect_err_line "$T/bad.policy.yaml:8:44: error: 'gt' takes a number, not a string (\"ten\") [GV-P022]" "$cmd: gt: \"ten\""
	expect_err_line "$T/bad.policy.yaml:11:53: error: 'min_length' takes a non-negative integer, not -1 [GV-P022]" "$cmd: min_length: -1"
	expect_err_line "$T/bad.policy.yaml:14:42: error: 'in' takes a list, not a string (\"eu-west-1\") [GV-P022]" "$cmd: in: a string"
	expect_err_line "$T/bad.policy.yaml:18:24: error: unknown placeholder '{actul}' in the message; the placeholders are {actual}, {expected} and {path} [GV-P034]" "$cmd: {actul}"
	expect_err_line "$T/bad.policy.yaml:21:20: error: a rule's 'when' on a [*] path does not say which items it means; use the each form (check: {each: ..., where: ..., check: ...}), or write quantifier: any or quantifier: all [GV-P033]" "$cmd: when on [*]"
	expect_err_line "$T/bad.policy.yaml:24:24: error: 'gt' takes a number, but \$params.min_days is a string (\"30\") (used at rules/connectivity.yaml:91:77) [GV-P022]" "$cmd: with: a string for a number"
done
expect_eq "$(wc -c < "$T/out")" 0 "a policy error prints no result"

# the shipped rules never guard on [*]
expect_rc 0 "shipped policies lint clean" -- policy lint --rules rules policies
expect_out '^ok: 1 policy, 29 rules$' "lint summary"

# an inline rule whose id the library also uses belongs to its policy
cat > "$T/inline.policy.yaml" <<'YAML'
apiVersion: govgate/v1
kind: Policy
metadata: {name: local}
spec:
  rules:
    - id: gov.owner-label
      title: The owner label is set
      enforcement: info
      severity: low
      check: {path: manifest.labels.owner, exists: true}
YAML
expect_rc 0 "inline id shared with the library loads" -- policy lint --rules rules "$T/inline.policy.yaml" policies
expect_out '^ok: 2 policies, 30 rules$' "both policies, both rules"
expect_rc 0 "both rules run, each under its policy" -- check --rules rules -p "$T/inline.policy.yaml" -p policies \
	--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml fixtures/manifests/labels-warn.json
expect_out "^fixtures/manifests/labels-warn.json:8:23: warn \[low\] gov.owner-label: owner label payments does not name a team \(team-<name>, lowercase\) \(policy hybrid-baseline\)$" \
	"the library rule under the baseline"
expect_out '^decision: warn — 1 manifest, 30 rules evaluated, 2 findings \(warn 1, info 1\)$' "the inline rule holds"

# two libraries with one id: only a use: of it is an error
mkdir "$T/lib2"
sed -n '1,12p' rules/governance.yaml > "$T/lib2/governance-next.yaml"
expect_rc 2 "an ambiguous use: is an error" -- policy lint --rules rules --rules "$T/lib2" policies
expect_err_line "policies/hybrid-baseline.yaml:32:13: error: 'use' of 'gov.strategy-approved' is ambiguous: it is defined at rules/governance.yaml:7:9 and $T/lib2/governance-next.yaml:7:9 [GV-P014]" \
	"names both definitions"
expect_rc 0 "the same libraries without that use: load" -- policy lint --rules rules --rules "$T/lib2" "$T/inline.policy.yaml"

# policy lint checks a library on its own, including rules no policy uses;
# check does not compile them, so a newer library's unused rule cannot stop it
cat > "$T/lib.yaml" <<'YAML'
apiVersion: govgate/v1
kind: RuleSet
metadata: {name: lib}
rules:
  - id: lib.replicas
    params: {min: ten}
    check: {path: manifest.replicas, gte: $params.min}
    message: "{actul} replicas"
YAML
expect_rc 2 "lint of a library alone" -- policy lint "$T/lib.yaml"
expect_err_line "$T/lib.yaml:6:19: error: 'gte' takes a number, but \$params.min is a string (\"ten\") (used at $T/lib.yaml:7:43) [GV-P022]" "an unused rule's operand"
expect_err_line "$T/lib.yaml:8:15: error: unknown placeholder '{actul}' in the message; the placeholders are {actual}, {expected} and {path} [GV-P034]" "an unused rule's message"
expect_rc 0 "the shipped library lints clean on its own" -- policy lint rules
expect_rc 0 "check ignores the unused rule" -- check --rules "$T/lib.yaml" -p "$T/inline.policy.yaml" fixtures/manifests/hybrid-ok.yaml
