# Broken and hostile input: exit 2 with the exact location, never a crash.
P="--rules rules --policy policies"
C=fixtures/facts/cloud.yaml
O=fixtures/facts/onprem.yaml
B=fixtures/broken

bad_manifest() {
	expect_rc 2 "$1 is an input error" -- check $P --cloud-facts $C --onprem-facts $O $B/$1
	expect_err "^$B/$1:$2: error: $3" "$1 diagnostic"
	expect_eq "$(cat "$T/out")" "decision: allow — 0 manifests, 0 rules evaluated, 0 findings, 1 input error" "$1 reported as an input error, no result"
}
bad_manifest bad-syntax.yaml 4:7 "did not find expected ',' or '\}' while parsing a flow mapping"
bad_manifest duplicate-key.yaml 6:5 "duplicate key 'enabled' \(first defined at line 5, column 5\)"
bad_manifest billion-laughs.yaml '5:[0-9]+' "aliases expand to more than 100000 nodes"
bad_manifest deep-nesting.yaml 1:70 "nesting deeper than 64 levels"
bad_manifest invalid-utf8.yaml 1:17 "invalid leading UTF-8 octet"
bad_manifest non-scalar-key.yaml 1:3 "mapping key is a list; only scalar keys are allowed"
expect_rc 2 "empty manifest" -- check $P $B/empty.yaml
expect_err "^$B/empty.yaml: error: manifest is empty \[GV-M001\]" "empty says so"
printf -- '---\n' > "$T/null.yaml"
expect_rc 2 "empty document" -- check $P "$T/null.yaml"
expect_err "manifest document 1 is empty" "empty document says so"
expect_rc 2 "unreadable manifest" -- check $P "$T/nope.yaml"
expect_err "^$T/nope.yaml: error: cannot read file: No such file or directory" "unreadable says so"

bad_policy() {
	expect_rc 2 "$1 is a policy error" -- check --rules rules -p $B/$1 --cloud-facts $C --onprem-facts $O fixtures/manifests/hybrid-ok.yaml
	expect_err "^$B/$1:$2: error: $3" "$1 diagnostic"
}
bad_policy policy-unknown-operator.yaml 10:44 "unknown operator or key 'matchs' in a check"
bad_policy policy-bad-regex.yaml 10:53 "regex '\(unclosed' does not compile: missing closing parenthesis at offset 9"
bad_policy policy-unknown-rule.yaml 6:12 "'use' of unknown rule 'conn.tls-min-versoin'"
bad_policy policy-duplicate-id.yaml 11:11 "duplicate rule id 'broken.owner'"
bad_policy policy-undefined-param.yaml 10:69 "'\\\$params.max_days' is not defined"
bad_policy policy-unknown-key.yaml 9:7 "unknown key 'severty' in a rule"
bad_policy policy-bad-enforcement.yaml 8:20 "enforcement 'deny' is not one of block, halt, escalate, warn, info"

# the source line is echoed with a caret under the column
run check --rules rules -p $B/policy-unknown-operator.yaml fixtures/manifests/hybrid-ok.yaml
grep -q '^   10 | ' "$T/err" && pass || fail "no excerpt"

# empty policy folder, no policy, facts for the wrong side
mkdir "$T/nopol"
expect_rc 2 "empty policy folder" -- check --rules rules -p "$T/nopol" fixtures/manifests/hybrid-ok.yaml
expect_err "no policy found in the given paths" "says no policy"
expect_rc 2 "no --policy" -- check fixtures/manifests/hybrid-ok.yaml
expect_rc 2 "facts of the other side" -- check $P --cloud-facts $O fixtures/manifests/hybrid-ok.yaml
expect_err "^$O:[0-9]+:[0-9]+: error: facts are labelled for side 'onprem' but were given as --cloud-facts" "refused"
expect_rc 2 "bad --format" -- check $P -f xml fixtures/manifests/hybrid-ok.yaml
expect_rc 2 "bad --jobs" -- check $P -j 0 fixtures/manifests/hybrid-ok.yaml
