# The run-wide regex budget: a backtracking pattern over 2,000 values used to
# take seconds (each value up to the per-match limit); now the run stops when
# the budget is used up, with GV-M005, exit 2 and nothing on stdout. The
# charge of a match is deterministic (rx.c), so the verdict is the same
# whatever -j, and a budget of exactly the run's charge passes.

cat > "$T/redos.yaml" <<'EOF'
apiVersion: govgate/v1
kind: Policy
metadata: {name: redos, version: 1.0.0}
spec:
  rules:
    - id: redos.names
      title: names are made of a
      enforcement: block
      severity: high
      check: {path: "manifest.names[*]", matches: '^(a+)+$'}
EOF
P="--rules $T/redos.yaml --policy $T/redos.yaml"
V=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab

# names FILE N: a manifest with N hostile values
names() {
	{
		echo "names:"
		i=0
		while [ $i -lt "$2" ]; do
			echo "  - \"$V\""
			i=$((i + 1))
		done
	} > "$1"
}
names "$T/m2000.yaml" 2000

budget_line() {
	echo "govgate: error: the regex budget of the run is used up: regular expressions needed more than $1 steps (--regex-budget, a plan's regex_budget); the run was stopped and nothing is reported [GV-M005]"
}

# expect_budget_error BUDGET DESCRIPTION: stderr is exactly the GV-M005
# line, stdout is empty
expect_budget_error() {
	TEST_NAME=$2
	[ "$(cat "$T/err")" = "$(budget_line "$1")" ] && pass ||
		{ fail "stderr is not the GV-M005 line"; head -5 "$T/err" >&2; }
	expect_eq "$(wc -c < "$T/out")" 0 "$2: nothing on stdout"
}

# the default budget (10^9 steps) stops 2,000 values long before the end
expect_rc 2 "2,000 hostile values exhaust the default budget" -- check $P -j 1 "$T/m2000.yaml"
expect_budget_error 1000000000 "default budget: GV-M005"
expect_rc 2 "the same with -j 2 and JSON" -- check $P -j 2 -f json "$T/m2000.yaml"
expect_budget_error 1000000000 "-j 2 json: GV-M005"

# the same values split over 4 files on 4 threads: the same verdict (a
# smaller budget, to keep the test quick)
for k in 1 2 3 4; do names "$T/part$k.yaml" 500; done
expect_rc 2 "4 files on 4 threads: the same" -- check $P -j 4 --regex-budget 50M "$T/part1.yaml" "$T/part2.yaml" "$T/part3.yaml" "$T/part4.yaml"
expect_budget_error 50000000 "4 threads: GV-M005"

# a manifest of three: each value is charged 16 + 256 + 4096 + 65536 +
# 1000000 = 1069904 steps, 3209712 in all; exactly that passes, one less not
names "$T/m3.yaml" 3
for j in 1 3; do
	expect_rc 1 "budget of exactly the run's charge (-j $j)" -- check $P -j $j --regex-budget 3209712 "$T/m3.yaml"
	expect_out '^decision: block — 1 manifest, 1 rule evaluated, 3 findings \(block 3\)$' "exact budget: every value checked (-j $j)"
	expect_out "^$T/m3.yaml:4:5: block \[high\] redos.names: manifest.names\[2\] could not be matched against /\^\(a\+\)\+\\$/ within the regex work limit; treated as a violation \(policy redos\)$" \
		"exact budget: the per-match limit's finding (-j $j)"
	expect_rc 2 "one step less (-j $j)" -- check $P -j $j --regex-budget 3209711 "$T/m3.yaml"
	expect_budget_error 3209711 "one step less: GV-M005 (-j $j)"
done
expect_rc 2 "budget with a suffix" -- check $P --regex-budget 3M "$T/m3.yaml"
expect_budget_error 3000000 "3M is 3000000 steps"

# a large enough budget checks every value (each a per-match limit finding)
names "$T/m40.yaml" 40
expect_rc 1 "a large budget checks every value" -- check $P --regex-budget 43M "$T/m40.yaml"
expect_out '^decision: block — 1 manifest, 1 rule evaluated, 40 findings \(block 40\)$' "40 findings"

# an ordinary run is far from the budget
expect_rc 0 "an ordinary run passes" -- check --rules rules --policy policies --cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml fixtures/manifests/hybrid-ok.yaml
expect_rc 0 "... also with a small budget" -- check --rules rules --policy policies --regex-budget 1000 --cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml fixtures/manifests/hybrid-ok.yaml

for bad in 0 999 abc 2T 1000001G; do
	expect_rc 2 "--regex-budget $bad is refused" -- check $P --regex-budget $bad "$T/m3.yaml"
	expect_err "^govgate: check: --regex-budget '$bad' is not a number of steps from 1000 to 1000000G, such as 50000, 200M or 2G$" "--regex-budget $bad: says why"
done
