#!/bin/sh
# Runs every tests/cli/t*.sh against the given govgate binary, printing one
# line per file as it finishes (its passed and failed assertions and its
# time), then "cli: N passed, N failed". Exits non-zero if any assertion
# failed or none ran. When GV_TALLY names a file, the totals are appended
# to it as "PASSED FAILED cli" for `make check`'s closing line.
#
# Files run GV_TEST_JOBS at a time (default: the number of cores, at most
# 4): each has its own scratch folder, its own servers on free ports or
# sockets in that folder, and nothing of the repository is written. A file
# with a line "# run-alone" (it measures time bounds, which other work running
# beside it would upset) runs afterwards, by itself; a file with a line "# run-first" (one
# of the longest) starts before the others.
#
# GOVGATE_TEST_SMALL=1 (set by `make check-san`) asks the stress tests for
# a smaller load; each keeps every assertion.
#
# GOVGATE_TEST_PG=1 is the PostgreSQL pass: one server is started for the
# run (tests/cli/pg-lib.sh) and the audit, sync, metrics, witness and deploy
# tests (t35*, t45*, t46*, t47*, t50*) run again with every database a
# PostgreSQL one (lib.sh, pg-gg.sh; each test's databases are named after
# its own scratch paths); a file with a "# sqlite-only: WHY" line is skipped.
GG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export GG ROOT
now() { date +%s.%N; }
FILES=$(ls "$ROOT"/tests/cli/t[0-9]*.sh)
if [ -n "${GOVGATE_TEST_PG:-}" ]; then
	. "$ROOT/tests/cli/pg-lib.sh"
	PGTMP=$(mktemp -d)
	trap 'pg_stop; rm -rf "$PGTMP"' EXIT
	pg_start "$PGTMP" || exit 1
	GOVGATE_TEST_PGHOST=$PGSOCK
	# the stress tests' smaller load: each append runs through pg-gg.sh here,
	# and t370 runs 16 writers x 500 appends on PostgreSQL in the first pass
	GOVGATE_TEST_SMALL=1
	export GOVGATE_TEST_PG GOVGATE_TEST_PGHOST GOVGATE_TEST_SMALL
	# t470 (tiles) is left out for time: its 560 appends are one process
	# each here (37 s, 91 of 91 passed when run on PostgreSQL); tiles.c reads
	# the log only through audit.h, which this pass covers
	FILES=$(ls "$ROOT"/tests/cli/t3[5]*.sh "$ROOT"/tests/cli/t4[567]*.sh "$ROOT"/tests/cli/t50*.sh |
		grep -v '/t470-tiles\.sh$' |
		while read -r f; do grep -q '^# sqlite-only:' "$f" || echo "$f"; done)
fi
JOBS=${GV_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$JOBS" -ge 1 ] 2>/dev/null || JOBS=1
[ "$JOBS" -gt 4 ] && JOBS=4
Q=$(mktemp -d)     # a claimed file is a folder here; totals in $Q/totals
: > "$Q/totals"

# run_one FILE: runs one test file, prints its stderr and its line, adds its
# counts to the totals.
run_one() {
	t=$1
	T=$(mktemp -d)
	RESULTS=$T.results
	: > "$RESULTS"
	export T RESULTS
	start=$(now)
	(cd "$ROOT" && . "$ROOT/tests/cli/lib.sh" && . "$t"; : > "$T/.finished") 2>"$T/.stderr"
	if [ ! -e "$T/.finished" ]; then
		echo "FAIL: $(basename "$t") stopped early" >> "$T/.stderr"
		echo fail >> "$RESULTS"
	fi
	# a misspelt helper is an assertion that silently did not run
	if grep -Eq '^[^ ]*: (line )?[0-9]+: .*not found$' "$T/.stderr"; then
		echo "FAIL: $(basename "$t") ran a command that does not exist" >> "$T/.stderr"
		echo fail >> "$RESULTS"
	fi
	p=$(grep -c '^pass$' "$RESULTS")
	f=$(grep -c '^fail$' "$RESULTS")
	cat "$T/.stderr" >&2
	printf 'cli   %s: %d passed, %d failed, %s s\n' "$(basename "$t")" "$p" "$f" \
		"$(echo "$start $(now)" | awk '{ printf "%.2f", $2 - $1 }')"
	echo "$p $f" >> "$Q/totals"
	rm -rf "$T" "$RESULTS"
}

# worker FILE...: takes each file no other worker has claimed (mkdir is atomic)
worker() {
	for t in "$@"; do
		mkdir "$Q/$(basename "$t")" 2>/dev/null && run_one "$t"
	done
}

# the longest files (a "# run-first" line) start first, so that no long one
# is left running by itself at the end
first=""
together=""
alone=""
for t in $FILES; do
	if grep -q '^# run-alone' "$t"; then alone="$alone $t"
	elif grep -q '^# run-first' "$t"; then first="$first $t"
	else together="$together $t"; fi
done
together="$first $together"
pids=""
w=0
while [ $w -lt "$JOBS" ]; do
	# shellcheck disable=SC2086
	worker $together &
	pids="$pids $!"
	w=$((w + 1))
done
for p in $pids; do wait "$p"; done
# shellcheck disable=SC2086
worker $alone

passed=$(awk '{ s += $1 } END { print s + 0 }' "$Q/totals")
failed=$(awk '{ s += $2 } END { print s + 0 }' "$Q/totals")
rm -rf "$Q"
echo "cli: $passed passed, $failed failed"
if [ -n "${GV_TALLY:-}" ]; then
	echo "$passed $failed cli" >> "$GV_TALLY" || exit 1
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
