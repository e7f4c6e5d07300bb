# govgate check over the shipped fixtures: exact exit codes, decisions,
# rule ids and locations (fixtures/README.md lists them).
P="--rules rules --policy policies"
C=fixtures/facts/cloud.yaml
O=fixtures/facts/onprem.yaml
M=fixtures/manifests

expect_rc 0 "hybrid-ok is allowed" -- check $P --cloud-facts $C --onprem-facts $O $M/hybrid-ok.yaml
expect_out '^decision: allow — 1 manifest, 29 rules evaluated, 0 findings$' "hybrid-ok summary"

expect_rc 1 "encryption misconfiguration blocks" -- check $P --cloud-facts $C --onprem-facts $O $M/encryption-misconfig.yaml
expect_out "^$M/encryption-misconfig.yaml:20:18: block \[critical\] conn.tls-min-version: TLS minimum version 1.0 is not one of \[1.2, 1.3\]" "tls finding located"
expect_out "^$M/encryption-misconfig.yaml:23:9: block \[high\] conn.weak-ciphers:" "weak cipher located at element"
expect_out "^$M/encryption-misconfig.yaml:28:14: block \[critical\] enc.at-rest:" "at-rest located"
expect_out "^$M/encryption-misconfig.yaml:27:3: block \[high\] enc.kms-key: manifest.encryption.at_rest.kms_key_id is missing" "missing kms at parent key"
expect_out "^$M/encryption-misconfig.yaml:29:20: block \[medium\] enc.key-rotation:" "rotation located"
expect_out '^decision: block — 1 manifest, 29 rules evaluated, 5 findings \(block 5\)$' "block summary"

expect_rc 1 "governance failure halts" -- check $P --cloud-facts $C --onprem-facts fixtures/facts/onprem-policy-drift.yaml $M/governance-failure.yaml
expect_out "^$M/governance-failure.yaml:16:13: halt \[high\] gov.strategy-approved:" "strategy finding"
expect_out "^$M/governance-failure.yaml:17:14: halt \[high\] gov.approvals-present:" "approvals finding"
expect_out "^fixtures/facts/onprem-policy-drift.yaml:21:30: halt \[high\] gov.policy-version-consistent:" "drift located in the facts file"
expect_out '^decision: halt — 1 manifest, 29 rules evaluated, 3 findings \(halt 3\)$' "halt summary"

expect_rc 3 "connectivity error escalates" -- check $P --cloud-facts fixtures/facts/cloud-unreachable.yaml --onprem-facts $O $M/connectivity-error.yaml
expect_out "^fixtures/facts/cloud-unreachable.yaml:20:18: escalate \[high\] conn.endpoints-reachable:" "unreachable endpoint located"
expect_out '^decision: escalate — 1 manifest, 26 rules evaluated, 1 finding \(escalate 1\)$' "escalate summary"

expect_rc 1 "multi-document file is two manifests" -- check $P --cloud-facts $C --onprem-facts $O $M/multi.yaml
expect_out "^$M/multi.yaml:41:41: halt \[high\] gov.images-pinned:" "second document located from file start"
expect_out '^decision: halt — 2 manifests' "two manifests counted"

expect_rc 0 "warn and info only is allowed" -- check $P --cloud-facts $C --onprem-facts $O $M/labels-warn.json
expect_out "^$M/labels-warn.json:8:23: warn \[low\] gov.owner-label:" "json manifest located"
expect_out "^$M/labels-warn.json:8:3: info \[low\] gov.cost-center-label:" "missing key in json"

expect_rc 2 "no policy applies" -- check $P --cloud-facts $C --onprem-facts $O $M/no-policy-applies.yaml
expect_err "^$M/no-policy-applies.yaml:[0-9]+:[0-9]+: error: no policy applies to this manifest" "says so"
expect_eq "$(cat "$T/out")" "decision: allow — 1 manifest, 0 rules evaluated, 0 findings, 1 not applicable, 1 input error" "the run is still reported, the manifest as not applicable"
expect_rc 0 "--allow-empty accepts it" -- check $P --allow-empty $M/no-policy-applies.yaml
