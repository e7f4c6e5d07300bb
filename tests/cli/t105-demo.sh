# t105: `make demo` (fixtures/demo.sh) reaches the expected decision and exit
# code in every shipped scenario, so the first README command cannot rot.
before=$(git status --porcelain --ignored fixtures policies rules 2>/dev/null)
sh fixtures/demo.sh "$GG" > "$T/demo.out" 2> "$T/demo.err"
expect_eq $? 0 "the demo exits 0"
grep -Eq '^demo: [0-9]+ as expected, 0 not$' "$T/demo.out" && pass ||
	{ TEST_NAME="demo summary"; fail "$(tail -1 "$T/demo.out")"; }
expect_eq "$(grep -c ' ok$' "$T/demo.out")" "$(sed -n 's/^demo: \([0-9]*\) as expected.*/\1/p' "$T/demo.out")" "every scenario line says ok"
expect_eq "$(tail -1 "$T/demo.out")" "demo: 28 as expected, 0 not" "28 scenarios: 21 checks, 2 plans, 5 of the personas"
# the personas' scenarios (keys and signatures made by the demo, in a scratch folder)
expect_eq "$(grep '^personas/' "$T/demo.out" | tr -s ' ')" "personas/approved-deploy completed 0 ok
personas/missing-approval halted 1 ok
personas/waiver-applies allowed 0 ok
personas/expired-waiver blocked 1 ok
personas/altered-policy input error 2 ok" "personas: approved deploy completes, missing approval halts, waiver applies, expired waiver blocks, altered policy refused"
expect_eq "$(grep -c "^    edited/hybrid-baseline.yaml: error: policy file 'hybrid-baseline.yaml' is altered: its SHA-256 is [0-9a-f]\{64\}, but policy bundle policies.bundle (signed by 'release-bot') lists [0-9a-f]\{64\} for it \[GV-B011\]$" "$T/demo.out")" 1 "the altered policy is named with why"
expect_eq "$(git status --porcelain --ignored fixtures policies rules 2>/dev/null)" "$before" "the demo wrote nothing into the repository"
