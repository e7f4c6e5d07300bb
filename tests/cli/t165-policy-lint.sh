# policy lint: did-you-mean hints, unused library rules, check paths resolved
# against sample documents, and hints under YAML errors. Exact lines.
B=fixtures/broken
L=fixtures/lint
M=fixtures/manifests/hybrid-ok.yaml

# a misspelt key, operator or rule id names the closest known one
lint_error() {
	expect_rc 2 "$1 fails lint" -- policy lint --rules rules $B/$1
	expect_err "^$B/$1:$2: error: $3$" "$1: did you mean"
}
lint_error policy-unknown-key.yaml 9:7 \
	"unknown key 'severty' in a rule; did you mean 'severity'\? \[GV-P010\]"
lint_error policy-unknown-operator.yaml 10:44 \
	"unknown operator or key 'matchs' in a check; did you mean 'matches'\? \[GV-P012\]"
lint_error policy-unknown-rule.yaml 6:12 \
	"'use' of unknown rule 'conn.tls-min-versoin'; did you mean 'conn.tls-min-version'\? \[GV-P016\]"
cat > "$T/far.yaml" <<'X'
apiVersion: govgate/v1
kind: Policy
metadata: {name: far}
spec:
  rules:
    - {use: nothing.like.it, enforcement: block}
X
expect_rc 2 "a far-off id" -- policy lint --rules rules "$T/far.yaml"
expect_err "^$T/far.yaml:6:13: error: 'use' of unknown rule 'nothing.like.it' \[GV-P016\]$" \
	"no suggestion for a far-off id"

# the shipped policy and library are clean, also against the fixtures
expect_rc 0 "shipped policy lints clean" -- policy lint --rules rules \
	--manifest $M --manifest fixtures/manifests/encryption-misconfig.yaml \
	--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml policies
expect_eq "$(cat "$T/out")" "ok: 1 policy, 29 rules" "shipped: ok line"
expect_eq "$(grep -c 'warning:' "$T/err")" 0 "shipped: no warning"

# unused rule and path typos: warnings, exit 0
expect_rc 0 "warnings do not fail lint" -- policy lint --rules $L/team-rules.yaml \
	--manifest $M --cloud-facts fixtures/facts/cloud.yaml $L/team-policy.yaml
expect_eq "$(cat "$T/out")" "ok: 1 policy, 2 rules" "team: ok line"
expect_eq "$(grep -E ': (warning|error):' "$T/err")" \
"$L/team-rules.yaml:10:19: warning: path 'manifest.encryption.at_rest.kms_key' resolves to nothing in any sample: 'manifest.encryption.at_rest' has no key 'kms_key'; did you mean 'manifest.encryption.at_rest.kms_key_id'? [GV-L002]
$L/team-rules.yaml:13:19: warning: path 'cloud.sync.lag_entrys' resolves to nothing in any sample: 'cloud.sync' has no key 'lag_entrys'; did you mean 'cloud.sync.lag_entries'? [GV-L002]
$L/team-rules.yaml:14:9: warning: rule 'team.spare' is not used by any loaded policy [GV-L001]" \
	"team: every warning, in order"

# without samples only the unused rule is reported; facts paths need facts
expect_rc 0 "no samples" -- policy lint --rules $L/team-rules.yaml $L/team-policy.yaml
expect_eq "$(grep -E ': (warning|error):' "$T/err")" \
"$L/team-rules.yaml:14:9: warning: rule 'team.spare' is not used by any loaded policy [GV-L001]" \
	"no samples: unused rule only"
expect_rc 0 "manifest sample only" -- policy lint --rules $L/team-rules.yaml --manifest $M \
	$L/team-policy.yaml
expect_eq "$(grep -c 'cloud.sync' "$T/err")" 0 "cloud paths need a cloud sample"

# the shipped library, loaded by default, is not listed as unused
expect_rc 2 "missing: pass on a path no sample has is an error" -- \
	policy lint --manifest $M $L/never-fails.yaml
expect_eq "$(grep -E ': (warning|error):' "$T/err")" \
"$L/never-fails.yaml:11:21: error: path 'manifest.connectivity.vpn.kind' resolves to nothing in any sample: 'manifest.connectivity.vpn' has no key 'kind'; with 'missing: pass' this check can never fail [GV-L003]" \
	"never fails: the error alone (no unused shipped rules)"
expect_eq "$(wc -c < "$T/out")" 0 "never fails: no ok line"

# wildcards, indexes and operands read from the documents
cat > "$T/paths.yaml" <<'X'
apiVersion: govgate/v1
kind: Policy
metadata: {name: paths}
spec:
  rules:
    - id: p.wild
      enforcement: warn
      check: {path: "manifest.workloads[*].imag", exists: true}
    - id: p.index
      enforcement: warn
      check: {path: "manifest.workloads[7].image", exists: true}
    - id: p.operand
      enforcement: warn
      check: {path: manifest.sync.max_latency_seconds, lte: $manifest.sync.max_lag}
    - id: p.ok
      enforcement: warn
      check:
        all:
          - {path: "manifest.workloads[-1].image", exists: true}
          - not: {path: manifest.mode, equals: x}
          - same: [manifest.cloud_region, manifest.cloud_regin]
X
expect_rc 0 "paths" -- policy lint --manifest $M "$T/paths.yaml"
expect_eq "$(grep -E ': (warning|error):' "$T/err")" \
"$T/paths.yaml:8:21: warning: path 'manifest.workloads[*].imag' resolves to nothing in any sample: 'manifest.workloads[*]' has no key 'imag'; did you mean 'manifest.workloads[*].image'? [GV-L002]
$T/paths.yaml:11:21: warning: path 'manifest.workloads[7].image' resolves to nothing in any sample: 'manifest.workloads' has 2 items [GV-L002]
$T/paths.yaml:14:61: warning: path 'manifest.sync.max_lag' resolves to nothing in any sample: 'manifest.sync' has no key 'max_lag' [GV-L002]
$T/paths.yaml:21:43: warning: path 'manifest.cloud_regin' resolves to nothing in any sample: 'manifest' has no key 'cloud_regin'; did you mean 'manifest.cloud_region'? [GV-L002]" \
	"paths: each typo once, at its path"

# an unreadable sample is an input error
expect_rc 2 "missing sample" -- policy lint --manifest "$T/none.yaml" policies
expect_err "^$T/none.yaml: error: cannot read file" "missing sample says so"

# hints under libyaml's messages
expect_rc 2 "unquoted path" -- policy lint $B/unquoted-path.yaml
expect_err "^$B/unquoted-path.yaml:7:37: note: inside \{\.\.\.\} an unquoted '\[' starts a list: quote the path, \"manifest.workloads\[\*\]\.image\" \[GV-Y031\]$" \
	"unquoted path: quote the path"
expect_rc 2 "tab" -- policy lint $B/tab-indent.yaml
expect_err "^$B/tab-indent.yaml:6:1: note: this line is indented with a tab: YAML forbids tabs in indentation; indent with spaces \[GV-Y031\]$" \
	"tab: YAML forbids tabs"

# per-item checks: the list of an each is resolved; its keys get suggestions
cat > "$T/each.yaml" <<'X'
apiVersion: govgate/v1
kind: Policy
metadata: {name: each}
spec:
  rules:
    - id: e.replicas
      enforcement: warn
      check:
        each: "manifest.workloadz[*]"
        where: {path: item.side, equals: onprem}
        check: {path: item.replicas, gte: 2}
X
expect_rc 0 "each list" -- policy lint --manifest $M "$T/each.yaml"
expect_eq "$(grep -E ': (warning|error):' "$T/err")" \
"$T/each.yaml:9:15: warning: path 'manifest.workloadz[*]' resolves to nothing in any sample: 'manifest' has no key 'workloadz'; did you mean 'manifest.workloads'? [GV-L002]" \
	"each: the list is resolved"
sed 's/where:/wher:/' "$T/each.yaml" > "$T/each2.yaml"
expect_rc 2 "each key" -- policy lint "$T/each2.yaml"
expect_err "^$T/each2.yaml:10:9: error: unknown key 'wher' in an each check \(each, as, where, check, min_count, max_count, distinct, missing\); did you mean 'where'\? \[GV-P012\]$" \
	"each: did you mean where"
