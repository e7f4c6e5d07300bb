# t105: `make demo` (fixtures/demo.sh) reaches the expected decision and exit
# code in every shipped scenario, so the first README command cannot rot.
sh fixtures/demo.sh "$GG" > "$T/demo.out" 2> "$T/demo.err"
expect_eq $? 0 "the demo exits 0"
grep -Eq '^demo: [0-9]+ as expected, 0 not$' "$T/demo.out" && pass ||
	{ TEST_NAME="demo summary"; fail "$(tail -1 "$T/demo.out")"; }
expect_eq "$(grep -c ' ok$' "$T/demo.out")" "$(sed -n 's/^demo: \([0-9]*\) as expected.*/\1/p' "$T/demo.out")" "every scenario line says ok"
