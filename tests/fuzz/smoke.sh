#!/bin/sh
# The fuzz smoke of `make check`: each harness replays its seed corpus
# (tests/fuzz/seeds/NAME/, or all of tests/fuzz/seeds/ for a harness
# without a folder) and then fuzzes for SECONDS, from a
# scratch corpus that is thrown away. One line per harness; each counts as
# one test in $GV_TALLY ("PASSED FAILED fuzz").
#   sh tests/fuzz/smoke.sh SECONDS build-fuzz/fuzz_NAME...
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
secs=$1
shift
passed=0
failed=0
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
for f in "$@"; do
	n=$(basename "$f")
	seeds="$ROOT/tests/fuzz/seeds/$n"
	[ -d "$seeds" ] || seeds="$ROOT/tests/fuzz/seeds"
	mkdir -p "$W/corpus-$n" "$W/tmp-$n"
	start=$(date +%s.%N)
	if TMPDIR="$W/tmp-$n" "$f" -max_total_time="$secs" -timeout=10 -max_len=65536 \
		-rss_limit_mb=1024 -artifact_prefix="$W/" -print_final_stats=1 \
		"$W/corpus-$n" "$seeds" >"$W/log" 2>&1; then
		passed=$((passed + 1))
		r="1 passed, 0 failed"
	else
		failed=$((failed + 1))
		r="0 passed, 1 failed"
		echo "FAIL: $n found a problem or did not run:" >&2
		grep -A30 -m1 -E '^==[0-9]+==|ERROR|runtime error|deadly signal' "$W/log" >&2 ||
			tail -20 "$W/log" >&2
		for a in "$W"/crash-* "$W"/leak-* "$W"/timeout-* "$W"/oom-*; do
			[ -e "$a" ] || continue
			mkdir -p "$ROOT/build-fuzz"
			cp "$a" "$ROOT/build-fuzz/smoke-$n-$(basename "$a")"
			echo "    reproducer: build-fuzz/smoke-$n-$(basename "$a")" >&2
		done
		rm -f "$W"/crash-* "$W"/leak-* "$W"/timeout-* "$W"/oom-*
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$W/log")
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$W/log" | tail -1)
	printf 'fuzz  %s: %s, %s s (%s runs, %s)\n' "$n" "$r" \
		"$(echo "$start $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }')" "${runs:-?}" \
		"${cov:-no coverage line}"
	rm -rf "$W/tmp-$n"
done
echo "fuzz: $passed passed, $failed failed"
if [ -n "${GV_TALLY:-}" ]; then
	echo "$passed $failed fuzz" >> "$GV_TALLY" || exit 1
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
