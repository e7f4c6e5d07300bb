#!/bin/sh
# The counts behind `make check`'s closing line. Every runner appends
# "PASSED FAILED LABEL" lines to the file named by $GV_TALLY.
#
#   tally.sh guard LABEL CMD...  runs CMD; when it fails without having
#                                tallied a failure (a crash, a leak report at
#                                exit), tallies one failed test for LABEL
#   tally.sh sum FILE STATUS     prints "N passed, M failed" over FILE; a
#                                non-zero STATUS (a step that failed, e.g. a
#                                build) counts as one failure when none was
#                                tallied; exits 1 when M > 0 or N = 0
failed_in() { [ -s "$1" ] && awk '{ f += $2 } END { print f + 0 }' "$1" || echo 0; }

case $1 in
guard)
	label=$2
	shift 2
	if [ -z "${GV_TALLY:-}" ]; then
		"$@"
		exit
	fi
	before=$(failed_in "$GV_TALLY")
	"$@"
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$(failed_in "$GV_TALLY")" -eq "$before" ]; then
		echo "FAIL: $label exited with status $rc without reporting a failed test" >&2
		echo "0 1 $label" >> "$GV_TALLY"
	fi
	exit "$rc"
	;;
sum)
	file=$2
	status=$3
	passed=0
	failed=0
	if [ -s "$file" ]; then
		passed=$(awk '{ p += $1 } END { print p + 0 }' "$file")
		failed=$(failed_in "$file")
	fi
	if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
		echo "FAIL: a step of make check failed (see above)" >&2
		failed=1
	fi
	[ "$passed" -eq 0 ] && echo "FAIL: no test ran" >&2
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	;;
*)
	echo "usage: tally.sh guard LABEL CMD... | tally.sh sum FILE STATUS" >&2
	exit 2
	;;
esac
