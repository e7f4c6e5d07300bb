#!/bin/sh
# Runs every tests/cli/t*.sh against the given govgate binary, printing one
# line per file as it finishes (its passed and failed assertions and its
# time), then "cli: N passed, N failed". Exits non-zero if any assertion
# failed or none ran. When GV_TALLY names a file, the totals are appended
# to it as "PASSED FAILED cli" for `make check`'s closing line.
#
# GOVGATE_TEST_SMALL=1 (set by `make check-san`) asks the stress tests for
# a smaller load; each keeps every assertion.
#
# GOVGATE_TEST_PG=1 is the PostgreSQL pass: one server is started for the
# run (tests/cli/pg-lib.sh) and the audit, sync, metrics, witness and deploy
# tests (t35*, t45*, t46*, t47*, t50*) run again with every database a
# PostgreSQL one (lib.sh, pg-gg.sh); a file with a "# sqlite-only: WHY" line
# is skipped.
GG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RESULTS=$(mktemp)
export GG ROOT RESULTS
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
for t in $FILES; do
	T=$(mktemp -d)
	export T
	before_p=$(grep -c '^pass$' "$RESULTS")
	before_f=$(grep -c '^fail$' "$RESULTS")
	start=$(now)
	(cd "$ROOT" && . "$ROOT/tests/cli/lib.sh" && . "$t"; : > "$T/.finished") 2>"$T/.stderr"
	cat "$T/.stderr" >&2
	if [ ! -e "$T/.finished" ]; then
		echo "FAIL: $(basename "$t") stopped early" >&2
		echo fail >> "$RESULTS"
	fi
	# a misspelt helper is an assertion that silently did not run
	if grep -Eq '^[^ ]*: (line )?[0-9]+: .*not found$' "$T/.stderr"; then
		echo "FAIL: $(basename "$t") ran a command that does not exist" >&2
		echo fail >> "$RESULTS"
	fi
	rm -rf "$T"
	p=$(($(grep -c '^pass$' "$RESULTS") - before_p))
	f=$(($(grep -c '^fail$' "$RESULTS") - before_f))
	printf 'cli   %s: %d passed, %d failed, %s s\n' "$(basename "$t")" "$p" "$f" \
		"$(echo "$start $(now)" | awk '{ printf "%.2f", $2 - $1 }')"
done
passed=$(grep -c '^pass$' "$RESULTS")
failed=$(grep -c '^fail$' "$RESULTS")
rm -f "$RESULTS"
echo "cli: $passed passed, $failed failed"
if [ -n "${GV_TALLY:-}" ]; then
	echo "$passed $failed cli" >> "$GV_TALLY" || exit 1
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
