# govgate policy test: the shipped tests with full coverage, failing cases,
# malformed test files, JUnit XML, coverage and its minimum.

# The shipped tests of policies/hybrid-baseline.yaml: every rule seen failing
# and passing (this is what `make check` holds the pack to).
expect_rc 0 "shipped policy tests pass with full coverage" -- policy test --coverage --min-coverage 100 policies/tests/hybrid-baseline.test.yaml
expect_eq "$(cat "$T/out")" "coverage: policy hybrid-baseline: 29 rules, 29 evaluated, 29 seen failing, 29 seen passing, 29 covered (100%)
coverage: 29 of 29 rules seen both failing and passing: 100%
10 passed, 0 failed" "exact output: coverage, then the summary line"
expect_eq "$(wc -c < "$T/err")" 0 "nothing on stderr"
expect_rc 0 "a folder means its *.test.yaml files, recursively" -- policy test policies
expect_eq "$(tail -1 "$T/out")" "10 passed, 0 failed" "the same ten cases"
expect_rc 0 "-p and --rules replace the test file's policies: and rules:" -- policy test -p policies --rules rules policies/tests
expect_eq "$(tail -1 "$T/out")" "10 passed, 0 failed" "the same ten cases again"
expect_rc 0 "tests/ under a policy folder are not policies" -- policy lint --rules rules policies
expect_out '^ok: 1 policy, 29 rules$' "lint still sees one policy"

# Failing cases: one line each, what differed, located.
F="$ROOT/fixtures"
cat > "$T/fail.test.yaml" <<YAML
apiVersion: govgate/v1
kind: PolicyTest
policies: $ROOT/policies
rules: $ROOT/rules
facts: {cloud: $F/facts/cloud.yaml, onprem: $F/facts/onprem.yaml}
cases:
  - name: passes
    manifest: $F/manifests/hybrid-ok.yaml
    expect: {decision: allow, findings: none}
  - name: wrong decision
    manifest: $F/manifests/labels-warn.json
    expect:
      decision: allow
      findings:
        - {rule: gov.owner-label, at: "8:23"}
        - {policy: hybrid-baseline, rule: gov.cost-center-label, path: manifest.labels.cost-center}
  - name: wrong findings
    manifest: $F/manifests/encryption-misconfig.yaml
    expect:
      decision: block
      findings:
        - {rule: conn.tls-min-version, path: manifest.connectivity.tls.min_version, at: "20:18"}
        - {rule: conn.weak-ciphers, path: "manifest.connectivity.tls.ciphers[0]"}
        - {rule: enc.at-rest, at: "28:14"}
        - {rule: enc.kms-key, at: "27:3"}
  - name: no policy applies
    manifest: {mode: cloud-only}
    expect: {decision: allow, findings: []}
YAML
expect_rc 1 "a failing case exits 1" -- policy test "$T/fail.test.yaml"
expect_eq "$(cat "$T/out")" "FAIL $T/fail.test.yaml:10:5: wrong decision: decision: expected allow, got warn
FAIL $T/fail.test.yaml:17:5: wrong findings: missing finding: conn.weak-ciphers at manifest.connectivity.tls.ciphers[0]; unexpected finding: hybrid-baseline conn.weak-ciphers at manifest.connectivity.tls.ciphers[1] ($F/manifests/encryption-misconfig.yaml:23:9); unexpected finding: hybrid-baseline enc.key-rotation at manifest.encryption.at_rest.rotation_days ($F/manifests/encryption-misconfig.yaml:29:20)
FAIL $T/fail.test.yaml:26:5: no policy applies: decision: expected allow, got not-applicable
1 passed, 3 failed" "one line per failing case, then the summary"

# JUnit XML, written atomically; the text report still goes to stdout.
expect_rc 1 "-f junit -o FILE" -- policy test -f junit -o "$T/junit.xml" "$T/fail.test.yaml" policies/tests
expect_eq "$(tail -1 "$T/out")" "11 passed, 3 failed" "text summary on stdout"
expect_rc_sh() { want=$1; TEST_NAME=$2; shift 2; "$@" >/dev/null 2>&1; got=$?; [ "$got" -eq "$want" ] && pass || fail "exit $got, want $want ($*)"; }
expect_rc_sh 0 "the JUnit file is well-formed XML" xmllint --noout "$T/junit.xml"
expect_eq "$(xmllint --xpath 'string(/testsuites/@tests)' "$T/junit.xml")/$(xmllint --xpath 'string(/testsuites/@failures)' "$T/junit.xml")" "14/3" "14 cases, 3 failures"
expect_eq "$(xmllint --xpath 'count(/testsuites/testsuite)' "$T/junit.xml")" 2 "one suite per test file"
expect_eq "$(xmllint --xpath 'string(/testsuites/testsuite[1]/testcase[2]/failure/@message)' "$T/junit.xml")" "decision: expected allow, got warn" "the failure says what differed"
expect_eq "$(xmllint --xpath 'string(/testsuites/testsuite[1]/testcase[2]/@line)' "$T/junit.xml")" 10 "the case's line"
expect_eq "$(ls "$T" | grep -c '^\.\|tmp')" 0 "no temporary file left"
expect_rc 0 "-f junit alone prints XML" -- policy test -f junit policies/tests
expect_rc_sh 0 "... well-formed" xmllint --noout "$T/out"
expect_rc 2 "an output that cannot be written is exit 2 before any case runs" -- policy test -f junit -o "$T/no/such/dir/j.xml" policies/tests
expect_eq "$(wc -c < "$T/out")" 0 "nothing on stdout"

# Malformed test files: every problem, located; exit 2 and no summary.
cat > "$T/bad.test.yaml" <<'YAML'
apiVersion: govgate/v1
kind: PolicyTest
polices: ../hybrid-baseline.yaml
cases:
  - name: one
    manifest: {mode: hybrid}
    expect:
      decision: blocked
      findings:
        - {rule: x, pth: y}
        - {rule: x, at: "0:1"}
  - manifest: 3
    expect: {decision: allow}
YAML
expect_rc 2 "a malformed test file exits 2" -- policy test -p policies -q "$T/bad.test.yaml"
expect_eq "$(cat "$T/err")" "$T/bad.test.yaml:3:1: error: unknown key 'polices' in a PolicyTest [GV-T002]
$T/bad.test.yaml:8:17: error: decision 'blocked' is not one of allow, info, warn, escalate, halt, block, not-applicable [GV-T004]
$T/bad.test.yaml:10:21: error: unknown key 'pth' in an expected finding [GV-T002]
$T/bad.test.yaml:10:11: error: an expected finding needs path or at [GV-T003]
$T/bad.test.yaml:11:25: error: at is 'LINE:COL', the line and column of the finding [GV-T004]
$T/bad.test.yaml:12:5: error: a case needs name [GV-T003]
$T/bad.test.yaml:12:15: error: manifest is a file or a mapping [GV-T003]
$T/bad.test.yaml:13:13: error: expect needs findings ([] or none when there are none) [GV-T003]" "every error with file:line:col"
expect_eq "$(wc -c < "$T/out")" 0 "no summary for a malformed run"
printf 'apiVersion: govgate/v1\nkind: Policy\ncases: []\n' > "$T/kind.test.yaml"
expect_rc 2 "the wrong kind" -- policy test -p policies -q "$T/kind.test.yaml"
expect_err "^$T/kind.test.yaml:2:7: error: kind must be 'PolicyTest' \[GV-T001\]$" "says which kind"
printf 'apiVersion: govgate/v1\nkind: PolicyTest\ncases:\n  - {name: a, manifest: {mode: hybrid}, expect: {decision: allow, findings: none}}\n' > "$T/nopol.test.yaml"
expect_rc 2 "no policy to test" -- policy test -q "$T/nopol.test.yaml"
expect_err "^$T/nopol.test.yaml:1:1: error: no policy to test: give -p PATH or policies: in the test file \[GV-T005\]$" "says how to name one"
expect_rc 2 "a malformed policy" -- policy test -q -p fixtures/broken/policy-unknown-key.yaml "$T/nopol.test.yaml"
expect_err "^fixtures/broken/policy-unknown-key.yaml:[0-9]+:[0-9]+: error: " "the policy's error, located"
printf 'apiVersion: govgate/v1\nkind: PolicyTest\ncases:\n  - {name: a, manifest: no-such.yaml, expect: {decision: allow, findings: none}}\n' > "$T/nofile.test.yaml"
expect_rc 2 "a manifest that cannot be read" -- policy test -q -p policies "$T/nofile.test.yaml"
expect_err "$T/no-such.yaml" "names the file, relative to the test file"
printf 'apiVersion: govgate/v1\nkind: PolicyTest\ncases:\n  - {name: a, manifest: {mode: hybrid}, facts: {cloud: {side: onprem}}, expect: {decision: allow, findings: none}}\n' > "$T/side.test.yaml"
expect_rc 2 "facts for the other side" -- policy test -q -p policies "$T/side.test.yaml"
expect_err "^$T/side.test.yaml:4:63: error: facts are labelled for side 'onprem' but were given as --cloud-facts \[GV-F002\]$" "located in the test file"
expect_rc 2 "bad --min-coverage" -- policy test --min-coverage 101 policies/tests
expect_rc 2 "bad --format" -- policy test -f xml policies/tests
expect_rc 2 "no test file" -- policy test

# Coverage: never evaluated, never failed, never passed; rounded down;
# --min-coverage. Inline facts need collected_at only under a maximum age,
# and the case's clock is the test's now:.
cat > "$T/small.yaml" <<'YAML'
apiVersion: govgate/v1
kind: Policy
metadata: {name: small, version: 1.0.0}
spec:
  max_fact_age: 1h
  rules:
    - {id: small.enc, enforcement: block, check: {path: cloud.encryption.enabled, equals: true}}
    - {id: small.size, enforcement: warn, check: {path: manifest.size, lte: 10}}
    - {id: small.guarded, enforcement: info, when: {path: manifest.x, equals: 1}, check: {path: manifest.y, equals: 2}}
YAML
cat > "$T/small.test.yaml" <<'YAML'
apiVersion: govgate/v1
kind: PolicyTest
policies: small.yaml
now: "2026-11-30T12:00:00Z"
facts: {cloud: {collected_at: "2026-11-30T11:30:00Z", encryption: {enabled: true}}}
cases:
  - name: fresh facts pass
    manifest: {size: 1}
    expect: {decision: allow, findings: none}
  - name: stale facts fail closed
    manifest: {size: 11}
    now: "2026-11-30T12:30:01Z"
    expect:
      decision: block
      findings:
        - {rule: small.enc, path: cloud.encryption.enabled, at: "11:15"}
        - {rule: small.size, path: manifest.size, at: "11:22"}
  - name: facts without collected_at are stale under a maximum age
    manifest: {size: 1}
    facts: {cloud: {encryption: {enabled: true}}}
    expect: {decision: block, findings: [{rule: small.enc, path: cloud.encryption.enabled}]}
YAML
expect_rc 0 "coverage below 100% alone is not a failure" -- policy test --coverage "$T/small.test.yaml"
expect_eq "$(cat "$T/out")" "coverage: policy small: 3 rules, 2 evaluated, 2 seen failing, 2 seen passing, 2 covered (66.6%)
  never evaluated: small.guarded
coverage: 2 of 3 rules seen both failing and passing: 66.6%
3 passed, 0 failed" "2 of 3 is 66.6%, never rounded up"
expect_rc 0 "--min-coverage 66.6 is met" -- policy test --min-coverage 66.6 "$T/small.test.yaml"
expect_rc 1 "--min-coverage 66.7 is not" -- policy test --min-coverage 66.7 "$T/small.test.yaml"
expect_eq "$(tail -2 "$T/out")" "FAIL coverage 66.6% is below --min-coverage 66.7%: 1 of 3 rules were not seen both failing and passing
3 passed, 0 failed" "says so before the summary"
cat > "$T/small2.test.yaml" <<'YAML'
apiVersion: govgate/v1
kind: PolicyTest
policies: small.yaml
now: "2026-11-30T12:00:00Z"
facts: {cloud: {collected_at: "2026-11-30T11:30:00Z", encryption: {enabled: true}}}
cases:
  - {name: guarded passes, manifest: {size: 1, x: 1, y: 2}, expect: {decision: allow, findings: none}}
YAML
expect_rc 0 "coverage adds up over test files" -- policy test --min-coverage 66 "$T/small2.test.yaml" "$T/small.test.yaml"
expect_eq "$(sed -n 1,3p "$T/out")" "coverage: policy small: 3 rules, 3 evaluated, 2 seen failing, 3 seen passing, 2 covered (66.6%)
  never failed: small.guarded
coverage: 2 of 3 rules seen both failing and passing: 66.6%" "never failed, once evaluated"
cat > "$T/small3.test.yaml" <<'YAML'
apiVersion: govgate/v1
kind: PolicyTest
policies: small.yaml
cases:
  - name: no facts at all
    manifest: {size: 11}
    expect:
      decision: block
      findings: [{rule: small.enc, path: cloud.encryption.enabled}, {rule: small.size, path: manifest.size}]
YAML
expect_rc 1 "nothing covered" -- policy test --min-coverage 1 "$T/small3.test.yaml"
expect_eq "$(cat "$T/out")" "coverage: policy small: 3 rules, 2 evaluated, 2 seen failing, 0 seen passing, 0 covered (0%)
  never evaluated: small.guarded
  never passed: small.enc, small.size
coverage: 0 of 3 rules seen both failing and passing: 0%
FAIL coverage 0% is below --min-coverage 1%: 3 of 3 rules were not seen both failing and passing
1 passed, 0 failed" "never passed, named"

# Several documents in one test file: their policies are loaded together;
# facts and now: are each document's own.
cat > "$T/two.test.yaml" <<'YAML'
apiVersion: govgate/v1
kind: PolicyTest
policies: small.yaml
facts: {cloud: {collected_at: "2026-11-30T11:30:00Z", encryption: {enabled: true}}}
now: "2026-11-30T12:00:00Z"
cases:
  - {name: fresh, manifest: {size: 1}, expect: {decision: allow, findings: none}}
---
apiVersion: govgate/v1
kind: PolicyTest
cases:
  - name: this document gives no facts
    manifest: {size: 1}
    expect: {decision: block, findings: [{rule: small.enc, path: cloud.encryption.enabled, at: "13:15"}]}
YAML
expect_rc 0 "two documents" -- policy test "$T/two.test.yaml"
expect_eq "$(cat "$T/out")" "2 passed, 0 failed" "both documents' cases ran"
