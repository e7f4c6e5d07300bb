#!/bin/sh
# The fuzz smoke of `make check`: each harness replays its seed corpus
# (tests/fuzz/seeds/NAME/, or all of tests/fuzz/seeds/ for a harness
# without a folder) and then fuzzes for SECONDS, from a
# scratch corpus that is thrown away. One line per harness; each counts as
# one test in $GV_TALLY ("PASSED FAILED fuzz"). Harnesses run one per core
# (at most 4 at a time); the lines come in the order given.
#   sh tests/fuzz/smoke.sh SECONDS build-fuzz/fuzz_NAME...
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
secs=$1
shift
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
JOBS=$(nproc 2>/dev/null || echo 1)
[ "$JOBS" -gt 4 ] && JOBS=4

# one HARNESS: fuzzes it; leaves its line in $W/line-NAME, its verdict in
# $W/ok-NAME or $W/bad-NAME, what went wrong in $W/err-NAME
one() {
	f=$1
	n=$(basename "$f")
	seeds="$ROOT/tests/fuzz/seeds/$n"
	[ -d "$seeds" ] || seeds="$ROOT/tests/fuzz/seeds"
	A="$W/art-$n"
	mkdir -p "$W/corpus-$n" "$W/tmp-$n" "$A"
	start=$(date +%s.%N)
	if TMPDIR="$W/tmp-$n" "$f" -max_total_time="$secs" -timeout=10 -max_len=65536 \
		-rss_limit_mb=1024 -artifact_prefix="$A/" -print_final_stats=1 \
		"$W/corpus-$n" "$seeds" >"$W/log-$n" 2>&1; then
		: > "$W/ok-$n"
		r="1 passed, 0 failed"
	else
		: > "$W/bad-$n"
		r="0 passed, 1 failed"
		{
			echo "FAIL: $n found a problem or did not run:"
			grep -A30 -m1 -E '^==[0-9]+==|ERROR|runtime error|deadly signal' "$W/log-$n" ||
				tail -20 "$W/log-$n"
			for a in "$A"/crash-* "$A"/leak-* "$A"/timeout-* "$A"/oom-*; do
				[ -e "$a" ] || continue
				mkdir -p "$ROOT/build-fuzz"
				cp "$a" "$ROOT/build-fuzz/smoke-$n-$(basename "$a")"
				echo "    reproducer: build-fuzz/smoke-$n-$(basename "$a")"
			done
		} > "$W/err-$n"
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$W/log-$n")
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$W/log-$n" | tail -1)
	printf 'fuzz  %s: %s, %s s (%s runs, %s)\n' "$n" "$r" \
		"$(echo "$start $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }')" "${runs:-?}" \
		"${cov:-no coverage line}" > "$W/line-$n"
	rm -rf "$W/tmp-$n" "$W/corpus-$n"
}

i=0
for f in "$@"; do
	one "$f" &
	i=$((i + 1))
	[ $((i % JOBS)) -eq 0 ] && wait
done
wait
passed=0
failed=0
for f in "$@"; do
	n=$(basename "$f")
	[ -e "$W/err-$n" ] && cat "$W/err-$n" >&2
	cat "$W/line-$n" 2>/dev/null || echo "fuzz  $n: 0 passed, 1 failed (no result)"
	if [ -e "$W/ok-$n" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $passed passed, $failed failed"
if [ -n "${GV_TALLY:-}" ]; then
	echo "$passed $failed fuzz" >> "$GV_TALLY" || exit 1
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
