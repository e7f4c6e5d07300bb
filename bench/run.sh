#!/bin/sh
# bench/run.sh GOVGATE: `make bench`. Builds the benchmark's helpers, writes a
# deterministic corpus and measures, in one run, wall time and peak RSS of:
#   (a) the floor: libyaml parsing every manifest into a document tree
#   (b) govgate check -j 1 and (c) -j 2 with bench/policy
#   (d) Stoplight Spectral with the same checks, on a sample, scaled
#   (e) govgate's peak RSS on 1,000 manifests against the whole corpus, and
#       time and peak RSS of the floor and govgate -j 1 on BENCH_BIG_N files
#   (f) one pre-deploy check (one manifest, both facts files, the shipped
#       policies/hybrid-baseline.yaml with rules/) against the floor program
#       on the same manifest, process start included in both, mean of many
#       runs; and the same two counted in instructions with callgrind
# then prints a table and writes it to bench/out/results.md.
#
# Knobs (environment): BENCH_N corpus size (10000), BENCH_BIG_N the large
# point (100000; 0 skips it), BENCH_SPECTRAL_N Spectral sample (1000, 0 skips
# Spectral), BENCH_REPEAT rounds of (a)-(c), best kept (5), BENCH_ONE_RUNS runs
# of (f) (200), BENCH_CALLGRIND (1; 0 skips the instruction counts), CC (cc).

# File lists are split into arguments on purpose (the paths have no spaces).
# shellcheck disable=SC2046,SC2086
set -eu

GV=${1:?usage: bench/run.sh path/to/govgate}
case $GV in /*) ;; *) GV=$(pwd)/$GV ;; esac
cd "$(dirname "$0")/.."

N=${BENCH_N:-10000}
NBIG=${BENCH_BIG_N:-100000}
CALLGRIND=${BENCH_CALLGRIND:-1}
SN=${BENCH_SPECTRAL_N:-1000}
REPEAT=${BENCH_REPEAT:-5}
ONE_RUNS=${BENCH_ONE_RUNS:-200}
CC=${CC:-cc}
OUT=bench/out
CORPUS=bench/corpus
POLICY=bench/policy
SPECTRAL=bench/node_modules/.bin/spectral
SPECTRAL_VERSION=$(sed -n 's/.*"@stoplight\/spectral-cli": *"\([^"]*\)".*/\1/p' bench/package.json)

T0=$(date +%s)
LOAD0=$(cut -d' ' -f1 /proc/loadavg 2> /dev/null || echo "?")
say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ -x "$GV" ] || die "'$GV' is not an executable; run 'make bench'"
mkdir -p "$OUT"

# --- helpers -----------------------------------------------------------------
YAML_CFLAGS=$(pkg-config --cflags yaml-0.1) || die "libyaml not found (pkg-config yaml-0.1)"
YAML_LIBS=$(pkg-config --libs yaml-0.1)
CFL="-std=c11 -O2 -Wall -Wextra"
$CC $CFL -o $OUT/gen bench/gen.c
$CC $CFL -o $OUT/measure bench/measure.c
# shellcheck disable=SC2086
$CC $CFL $YAML_CFLAGS -o $OUT/floor bench/floor.c $YAML_LIBS

# --- corpus --------------------------------------------------------------------
# One corpus of max(N, BENCH_BIG_N) manifests (manifest k does not depend on
# the count): the first N are the main corpus, all of them the large point.
# Regenerated only when its size or the generator changed; the stamp says which.
NG=$N
[ "$NBIG" -gt "$NG" ] && NG=$NBIG
stamp="$NG $(cksum < bench/gen.c)"
if [ ! -f $CORPUS/.stamp ] || [ "$(cat $CORPUS/.stamp)" != "$stamp" ]; then
	say "generating $NG manifests in $CORPUS"
	rm -rf $CORPUS
	$OUT/gen -n "$NG" -f $OUT/facts $CORPUS > $OUT/gen.txt
	printf '%s\n' "$stamp" > $CORPUS/.stamp
fi
[ -f $OUT/gen.txt ] || $OUT/gen -n "$NG" -f $OUT/facts $OUT/gen-check > $OUT/gen.txt
cat $OUT/gen.txt >&2
LIST=$OUT/files-$N.txt
head -n "$N" $CORPUS/files.txt > $LIST
BIG=$OUT/files-$NBIG.txt
[ "$NBIG" -gt 0 ] && head -n "$NBIG" $CORPUS/files.txt > $BIG
MIB=$(xargs cat < $LIST | wc -c | awk '{ printf "%.1f", $1 / 1048576 }')
NBAD=$(head -n "$N" $CORPUS/expected.txt | awk 'NF > 1' | wc -l)

if [ -f fixtures/facts/cloud.yaml ] && [ -f fixtures/facts/onprem.yaml ]; then
	CLOUD=fixtures/facts/cloud.yaml ONPREM=fixtures/facts/onprem.yaml
else
	[ -f $OUT/facts/cloud.yaml ] || $OUT/gen -n 1 -f $OUT/facts $OUT/gen-facts > /dev/null
	CLOUD=$OUT/facts/cloud.yaml ONPREM=$OUT/facts/onprem.yaml
fi

# --- how govgate gets its file list -------------------------------------------
# Prefer --files-from; otherwise positional arguments, in xargs chunks when the
# list would not fit in one command line (times and peaks then cover all
# chunks: xargs waits for each, and wait4 reports the largest child).
HELP=$("$GV" check --help 2>&1 || true)
if printf '%s' "$HELP" | grep -q -- '--files-from'; then
	FEED="files-from"
elif [ "$(wc -c < $LIST)" -lt 1000000 ]; then
	FEED="args"
else
	FEED="xargs"
	say "govgate has no --files-from: passing files in xargs chunks of 5000"
fi

# run_gv LIST JOBS [extra args]: govgate check over LIST; measure sends its
# standard output to /dev/null (not `-o /dev/null`: govgate writes -o files
# atomically, and run as root it would replace the device with a file)
run_gv() {
	l=$1 j=$2
	shift 2
	case $FEED in
	files-from) $OUT/measure -- "$GV" check -j "$j" --policy $POLICY -f json "$@" --files-from "$l" ;;
	args) $OUT/measure -- "$GV" check -j "$j" --policy $POLICY -f json "$@" $(cat "$l") ;;
	xargs) $OUT/measure -- xargs -n 5000 "$GV" check -j "$j" --policy $POLICY -f json "$@" < "$l" ;;
	esac
}

# best RESULT...: keeps the line with the smallest wall time
best() { sort -n | head -n 1; }

# A timed run only counts if the tool did its job: govgate exits 0, 1 or 3
# (2 is an error); Spectral exits 0 or 1; xargs says 123 when a chunk exits 1.
ok_status() {
	case $1 in 0 | 1 | 3) return 0 ;; 123) [ "$FEED" = xargs ] ;; *) return 1 ;; esac
}

# --- correctness first: a fast wrong answer is no result ------------------------
head -n 1000 $LIST > $OUT/sample-1000.txt
head -n 1000 $CORPUS/expected.txt | awk 'NF > 1 { print $1 }' | sort > $OUT/expected-flagged.txt
GV_OK=yes
set +e
"$GV" check -j 2 --policy $POLICY -f json -o $OUT/govgate-sample.json $(cat $OUT/sample-1000.txt) 2> $OUT/govgate-sample.err
st=$?
set -e
if [ $st -ne 0 ] && [ $st -ne 1 ] && [ $st -ne 3 ]; then
	say "govgate check failed on the sample (exit $st); its numbers are left out:"
	head -n 5 $OUT/govgate-sample.err >&2
	GV_OK=no
else
	# Only findings carry a "manifest" key; the corpus only breaks block/halt rules.
	grep -o '"manifest": *"[^"]*"' $OUT/govgate-sample.json | grep -o 'bench/corpus/m[0-9]*\.yaml' |
		sort -u > $OUT/govgate-flagged.txt || true
	if cmp -s $OUT/govgate-flagged.txt $OUT/expected-flagged.txt; then
		say "govgate flags exactly the $(wc -l < $OUT/expected-flagged.txt) violating manifests of the first 1000"
	else
		say "WARNING: govgate flags $(wc -l < $OUT/govgate-flagged.txt) manifests of the first 1000, the generator violated $(wc -l < $OUT/expected-flagged.txt)"
	fi
fi

# --- (a)-(c), after one untimed floor pass to warm the page cache -----------------
$OUT/floor -l $LIST 2> /dev/null || die "the floor failed to parse the corpus"
# (a), (b) and (c) take turns, round after round, so that other work on the
# machine slows all three alike; each keeps its best round.
say "timing the floor, govgate -j 1 and -j 2 ($REPEAT rounds, best kept)"
: > $OUT/t.floor
: > $OUT/t.floorev
: > $OUT/t.gv1
: > $OUT/t.gv2
i=0
while [ $i -lt "$REPEAT" ]; do
	$OUT/measure -- $OUT/floor -l $LIST 2> /dev/null >> $OUT/t.floor
	$OUT/measure -- $OUT/floor -e -l $LIST 2> /dev/null >> $OUT/t.floorev
	if [ $GV_OK = yes ]; then
		run_gv $LIST 1 2> $OUT/govgate.err >> $OUT/t.gv1
		run_gv $LIST 2 2> $OUT/govgate.err >> $OUT/t.gv2
	fi
	i=$((i + 1))
done
FLOOR=$(best < $OUT/t.floor)
FLOOREV=$(best < $OUT/t.floorev)

GV1="" GV2="" GVS=""
if [ $GV_OK = yes ]; then
	GV1=$(best < $OUT/t.gv1)
	GV2=$(best < $OUT/t.gv2)
	# --- (e) memory on 1,000 manifests against the whole corpus ---
	GVS=$(run_gv $OUT/sample-1000.txt 1 2> /dev/null)
	for r in "$GV1" "$GV2" "$GVS"; do
		# shellcheck disable=SC2086
		set -- $r
		ok_status "$3" || { say "govgate exited $3 in a timed run:"; head -n 5 $OUT/govgate.err >&2; GV_OK=no; }
	done
fi

# --- (e) the large point: BENCH_BIG_N files, floor and govgate -j 1, once each -----
BIGF="" BIGG=""
if [ "$NBIG" -gt 0 ] && [ $GV_OK = yes ]; then
	say "timing the floor and govgate -j 1 on $NBIG manifests (once each)"
	xargs cat < $BIG > /dev/null
	BIGF=$($OUT/measure -- $OUT/floor -l $BIG 2> /dev/null)
	BIGG=$(run_gv $BIG 1 2> $OUT/govgate-big.err)
	# shellcheck disable=SC2086
	set -- $BIGG
	ok_status "$3" || { say "govgate exited $3 on $NBIG manifests:"; head -n 5 $OUT/govgate-big.err >&2; BIGG=""; }
fi

# --- (f) one pre-deploy check against the floor program on the same manifest -----
# The shipped policy and rule library, both facts files, the first manifest;
# the floor parses that manifest. ONE_RUNS single runs of each, taking turns;
# the fastest and the median run of each are kept (the fastest is the one
# other work on the machine disturbed least, for both alike).
ONE="" ONEF="" CGG="" CGF=""
ONE_M=$(head -n 1 $LIST)
ONE_ARGS="check --rules rules --policy policies/hybrid-baseline.yaml --cloud-facts $CLOUD --onprem-facts $ONPREM -f json $ONE_M"
if [ $GV_OK = yes ]; then
	say "timing one pre-deploy check and the floor on $ONE_M ($ONE_RUNS runs each, taking turns)"
	: > $OUT/t.one
	: > $OUT/t.onef
	i=0
	while [ $i -lt "$ONE_RUNS" ]; do
		# shellcheck disable=SC2086
		$OUT/measure -- "$GV" $ONE_ARGS 2> $OUT/one.err >> $OUT/t.one
		$OUT/measure -- $OUT/floor "$ONE_M" 2> /dev/null >> $OUT/t.onef
		i=$((i + 1))
	done
	ONE=$(best < $OUT/t.one)
	ONEF=$(best < $OUT/t.onef)
	median() { sort -n | sed -n "$((($(wc -l < $OUT/t.one) + 1) / 2))p" | awk '{ print $1 }'; }
	ONEMED=$(median < $OUT/t.one)
	ONEFMED=$(median < $OUT/t.onef)
	# shellcheck disable=SC2086
	set -- $ONE
	ok_status "$3" || { say "govgate exited $3 on one manifest with facts:"; head -n 5 $OUT/one.err >&2; ONE=""; }
	# instructions, which a busy machine does not change
	if [ "$CALLGRIND" != 0 ] && command -v valgrind > /dev/null 2>&1; then
		cg() {
			valgrind --tool=callgrind --callgrind-out-file=$OUT/callgrind.out "$@" 2>&1 > /dev/null |
				sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d ,
		}
		# shellcheck disable=SC2086
		CGG=$(cg "$GV" $ONE_ARGS)
		CGF=$(cg $OUT/floor "$ONE_M")
	fi
fi

# --- (d) Spectral on a sample, scaled ----------------------------------------------
SP=""
if [ "$SN" -gt 0 ]; then
	if [ ! -x $SPECTRAL ]; then
		if ! command -v npm > /dev/null 2>&1; then
			SUDO=""
			[ "$(id -u)" -ne 0 ] && SUDO=sudo
			say "installing npm to fetch Spectral"
			if $SUDO apt-get update -qq; then
				DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
					--no-install-recommends nodejs npm > /dev/null || true
			fi
		fi
		say "installing Spectral $SPECTRAL_VERSION into bench/node_modules"
		(cd bench && npm ci --no-audit --no-fund > /dev/null 2>&1) || say "npm ci failed; Spectral is left out"
	fi
	if [ -x $SPECTRAL ]; then
		[ "$SN" -gt "$N" ] && SN=$N
		head -n "$SN" $LIST > $OUT/sample-spectral.txt
		say "timing Spectral $SPECTRAL_VERSION on $SN manifests (slow; scaled to $N)"
		SP=$($OUT/measure -- $SPECTRAL lint --ruleset bench/spectral/.spectral.yaml -q -f json \
			-o $OUT/spectral-sample.json $(cat $OUT/sample-spectral.txt) 2> $OUT/spectral.err)
		# shellcheck disable=SC2086
		set -- $SP
		case $3 in 0 | 1) ;; *) say "Spectral exited $3:"; head -n 5 $OUT/spectral.err >&2; SP="" ;; esac
		if [ -n "$SP" ] && [ "$SN" -ge 1000 ]; then
			grep -o 'bench/corpus/m[0-9]*\.yaml' $OUT/spectral-sample.json | sort -u > $OUT/spectral-flagged.txt || true
			if cmp -s $OUT/spectral-flagged.txt $OUT/expected-flagged.txt; then
				say "Spectral flags exactly the $(wc -l < $OUT/expected-flagged.txt) violating manifests of the first 1000"
			else
				say "WARNING: Spectral flags $(wc -l < $OUT/spectral-flagged.txt) manifests of the first 1000, the generator violated $(wc -l < $OUT/expected-flagged.txt)"
			fi
		fi
	fi
fi

# --- table -----------------------------------------------------------------------
# row TOOL FILES "WALL RSS_KB STATUS" [SCALE]: wall scaled by SCALE (Spectral)
FW=$(echo "$FLOOR" | awk '{ print $1 }')
row() {
	echo "$3" | awk -v tool="$1" -v files="$2" -v fw="$FW" -v scale="${4:-1}" '{
		w = $1 * scale
		printf "| %s | %d | %.2f | %.1f | %.2fx |\n", tool, files, w, $2 / 1024, w / fw }'
}
na() { printf '| %s | %s | n/a | n/a | n/a |\n' "$1" "$2"; }

CORES=$(getconf _NPROCESSORS_ONLN 2> /dev/null || echo "?")
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2> /dev/null | head -n 1)
{
	echo "## govgate bench results"
	echo
	echo "Corpus: $N manifests, $MIB MiB, $NBAD violating; the generator's $NG: $(sed -n 's/^gen: [0-9]* files, //p' $OUT/gen.txt | head -n 1)."
	echo "Machine: $CORES cores${CPU:+, $CPU}; $(uname -sr). Wall times of (a)-(c) are the best of $REPEAT interleaved rounds."
	echo
	echo "| tool | files | wall s | peak RSS MB | ratio to floor |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	row "floor: libyaml load, parse only" "$N" "$FLOOR"
	echo "$FLOOREV $FLOOR" | awk -v n="$N" '{ printf "| floor: libyaml events only, no tree (stricter) | %d | %.2f | %.1f | %.2fx |\n", n, $1, $2 / 1024, $1 / $4 }'
	if [ -n "$GV1" ]; then
		row "govgate check -j 1" "$N" "$GV1"
		row "govgate check -j 2" "$N" "$GV2"
		echo "$GVS" | awk '{ printf "| govgate check -j 1 (memory check) | 1000 | %.2f | %.1f | - |\n", $1, $2 / 1024 }'
		if [ -n "$BIGG" ] && [ -n "$BIGF" ]; then
			echo "$BIGF" | awk -v n="$NBIG" '{ printf "| floor: libyaml load, parse only | %d | %.2f | %.1f | 1.00x |\n", n, $1, $2 / 1024 }'
			echo "$BIGG $BIGF" | awk -v n="$NBIG" '{ printf "| govgate check -j 1 | %d | %.2f | %.1f | %.2fx |\n", n, $1, $2 / 1024, $1 / $4 }'
		fi
	else
		na "govgate check -j 1" "$N"
		na "govgate check -j 2" "$N"
	fi
	if [ -n "$SP" ]; then
		row "Spectral $SPECTRAL_VERSION (timed on $SN, scaled)" "$N" "$SP" \
			"$(awk -v n="$N" -v s="$SN" 'BEGIN { print n / s }')"
	else
		na "Spectral $SPECTRAL_VERSION" "$N"
	fi
	echo
	if [ -n "$GV1" ]; then
		echo "$FLOOR $GV1 $GV2 $GVS" | awk '{
			r1 = $4 / $1; r2 = $7 / $1; m = $5 / $11
			printf "- -j 1 is %.2fx the floor (target: within 1.3x): %s\n", r1, r1 <= 1.3 ? "met" : "NOT met"
			printf "- -j 2 is %.2fx the floor (target: at or below 1.0x): %s\n", r2, r2 <= 1.0 ? "met" : "NOT met"
			printf "- peak RSS %.1f MB on all files vs %.1f MB on 1000 (%.2fx; target: flat, at most 1.25x): %s\n",
				$5 / 1024, $11 / 1024, m, m <= 1.25 ? "met" : "NOT met" }'
	fi
	if [ -n "$GV1" ]; then
		echo "$FLOOREV $GV1 $GV2" | awk '{
			printf "- against the stricter events-only floor: -j 1 is %.2fx, -j 2 is %.2fx\n", $4 / $1, $7 / $1 }'
	fi
	if [ -n "$BIGG" ] && [ -n "$BIGF" ] && [ -n "$GV1" ]; then
		echo "$GV1 $BIGG $BIGF" | awk -v n="$NBIG" -v m="$N" '{
			r = $5 / $2
			printf "- %d files: govgate -j 1 %.2f s, %.2fx the floor in the same run; peak RSS %.1f MB against %.1f MB at %d files (%.2fx; target: at most 1.5x): %s\n",
				n, $4, $4 / $7, $5 / 1024, $2 / 1024, m, r, r <= 1.5 ? "met" : "NOT met" }'
	fi
	if [ -n "$ONE" ] && [ -n "$ONEF" ]; then
		echo "$ONE $ONEF $ONEMED $ONEFMED" | awk -v runs="$ONE_RUNS" '{
			r = $1 / $4
			printf "- one pre-deploy check (one manifest, both facts files, policies/hybrid-baseline.yaml with rules/), process start included, fastest of %d runs: %.2f ms against %.2f ms for the floor on the same manifest: %.2fx (target: within 2x): %s; medians %.2f ms and %.2f ms (%.2fx); peak RSS %.1f MB\n",
				runs, $1 * 1000, $4 * 1000, r, r <= 2 ? "met" : "NOT met", $7 * 1000, $8 * 1000, $7 / $8, $2 / 1024 }'
	fi
	if [ -n "$CGG" ] && [ -n "$CGF" ]; then
		echo "$CGG $CGF" | awk '{
			printf "- the same, in instructions (callgrind, which a busy machine does not change): govgate %.2f M, the floor %.2f M: %.2fx\n",
				$1 / 1e6, $2 / 1e6, $1 / $2 }'
	fi
	if [ -n "$SP" ]; then
		echo "- Spectral was timed on the first $SN manifests and its wall time multiplied by $N/$SN; its peak RSS is the sample's."
	fi
	echo "- govgate got its files by: $FEED."
	echo "- load average $LOAD0 at the start, $(cut -d' ' -f1 /proc/loadavg 2> /dev/null || echo "?") at the end (above about 1 on this machine, other work was competing for the cores and the times are inflated)."
	echo "- the whole run took $(($(date +%s) - T0)) s."
} > $OUT/results.md
cat $OUT/results.md
