#!/bin/sh
# Runs every tests/cli/t*.sh against the given govgate binary and prints
# "N passed, N failed". Exits non-zero if any assertion failed.
GG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RESULTS=$(mktemp)
export GG ROOT RESULTS
status=0
for t in "$ROOT"/tests/cli/t[0-9]*.sh; do
	T=$(mktemp -d)
	export T
	(cd "$ROOT" && . "$ROOT/tests/cli/lib.sh" && . "$t"; : > "$T/.finished")
	if [ ! -e "$T/.finished" ]; then
		echo "FAIL: $(basename "$t") stopped early" >&2
		echo fail >> "$RESULTS"
	fi
	rm -rf "$T"
done
passed=$(grep -c '^pass$' "$RESULTS")
failed=$(grep -c '^fail$' "$RESULTS")
rm -f "$RESULTS"
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
