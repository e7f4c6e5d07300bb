# Helpers for the end-to-end tests. Each tests/cli/t*.sh is run by run.sh
# with GG set to the govgate binary, ROOT to the repository and T to a fresh
# scratch folder. Every helper asserts an exact outcome.

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	echo fail >> "$RESULTS"
	return 1
}
pass() {
	echo pass >> "$RESULTS"
}

# run CMD...: runs govgate (under valgrind when GOVGATE_VALGRIND is set),
# keeping stdout in $T/out, stderr in $T/err and the status in $rc.
run() {
	if [ -n "${GOVGATE_VALGRIND:-}" ]; then
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite "$GG" "$@" >"$T/out" 2>"$T/err"
	else
		"$GG" "$@" >"$T/out" 2>"$T/err"
	fi
	rc=$?
}

# expect_rc N DESCRIPTION -- CMD...
expect_rc() {
	want=$1; TEST_NAME=$2; shift 3
	run "$@"
	if [ "$rc" -ne "$want" ]; then
		fail "exit $rc, want $want (govgate $*)"
		sed 's/^/    err: /' "$T/err" | head -20 >&2
		return 1
	fi
	pass
}

# expect_out PATTERN DESCRIPTION: grep -E on the last stdout
expect_out() {
	TEST_NAME=$2
	grep -Eq -- "$1" "$T/out" && pass || { fail "stdout lacks /$1/"; head -30 "$T/out" >&2; }
}
expect_err() {
	TEST_NAME=$2
	grep -Eq -- "$1" "$T/err" && pass || { fail "stderr lacks /$1/"; head -30 "$T/err" >&2; }
}
expect_no_out() {
	TEST_NAME=$2
	grep -Eq -- "$1" "$T/out" && { fail "stdout has /$1/"; return 1; } || pass
}
# expect_eq GOT WANT DESCRIPTION
expect_eq() {
	TEST_NAME=$3
	[ "$1" = "$2" ] && pass || fail "got '$1', want '$2'"
}
