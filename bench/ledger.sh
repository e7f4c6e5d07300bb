#!/bin/sh
# bench/ledger.sh GOVGATE BENCH_LEDGER: `make bench-ledger`. Starts a
# PostgreSQL server (tests/cli/pg-lib.sh: Debian's postgresql, a unix socket
# in a temporary folder, fsync on) and measures, in one run:
#
#   appends/s on SQLite and PostgreSQL with 1 and 8 concurrent writers,
#     through the CLI (one `govgate audit append` process per append, as a
#     CI job does) and through the library in one process (bench/ledger.c,
#     one connection per writer thread); commits are durable
#     (synchronous_commit on; PRAGMA synchronous=FULL for SQLite)
#   `govgate audit verify` of a log of LEDGER_N entries on both backends
#     (written on PostgreSQL through the library by 8 writers, copied to
#     SQLite with `audit copy`, one checkpoint over all of it)
#
# and writes the table to stdout and bench/out/ledger.md. Knobs: LEDGER_N
# (100000), LEDGER_CLI (appends per CLI run, 200), LEDGER_LIB (appends per
# library run, 2000).
set -eu

GV=${1:?usage: bench/ledger.sh GOVGATE BENCH_LEDGER}
BL=${2:?usage: bench/ledger.sh GOVGATE BENCH_LEDGER}
case $GV in /*) ;; *) GV=$(pwd)/$GV ;; esac
case $BL in /*) ;; *) BL=$(pwd)/$BL ;; esac
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${LEDGER_N:-100000}
CLI=${LEDGER_CLI:-200}
LIB=${LEDGER_LIB:-2000}
OUT=bench/out
mkdir -p "$OUT"
W=$(mktemp -d)
. "$ROOT/tests/cli/pg-lib.sh"
trap 'pg_stop; rm -rf "$W"' EXIT
trap 'pg_stop; rm -rf "$W"; exit 1' INT TERM HUP
pg_start "$W/pg"
now() { date +%s.%N; }
rate() { echo "$1 $2 $3" | awk '{ printf "%.0f", $1 / ($3 - $2) }'; }
db_of() {  # db_of BACKEND NAME
	if [ "$1" = sqlite ]; then echo "$W/$2.db"; else pg_uri "$2"; fi
}

# cli BACKEND WRITERS: LEDGER_CLI appends, one process each, WRITERS at a time
cli() {
	db=$(db_of "$1" "cli$2")
	"$GV" audit append --db "$db" --type bench.first >/dev/null
	each=$((CLI / $2))
	t0=$(now)
	i=0
	while [ $i -lt "$2" ]; do
		( k=0; while [ $k -lt $each ]; do
			"$GV" audit append --db "$db" --type bench.cli --deployment "w$i" >/dev/null || exit 1
			k=$((k + 1)); done ) &
		i=$((i + 1))
	done
	wait
	rate $((each * $2)) "$t0" "$(now)"
}

# lib BACKEND WRITERS: LEDGER_LIB appends through the library, WRITERS threads
lib() {
	db=$(db_of "$1" "lib$2")
	"$GV" audit append --db "$db" --type bench.first >/dev/null
	"$BL" "$db" "$2" $((LIB / $2)) | awk '{ print $3 }'
}

echo "bench-ledger: appends (CLI $CLI, library $LIB per run) and verify of $N entries" >&2
for b in sqlite postgresql; do
	for w in 1 8; do
		eval "cli_${b}_$w=\$(cli $b $w)"
		eval "lib_${b}_$w=\$(lib $b $w)"
		eval "echo \"  $b, $w writer(s): CLI \$cli_${b}_$w/s, library \$lib_${b}_$w/s\"" >&2
	done
done

# verify of N entries: written on PostgreSQL, copied to SQLite
openssl genpkey -algorithm ed25519 -out "$W/log.key" 2>/dev/null
openssl pkey -in "$W/log.key" -pubout -out "$W/log.pub"
BIG=$(pg_uri big)
t0=$(now)
"$BL" "$BIG" 8 $((N / 8)) >/dev/null
fill=$(rate $(((N / 8) * 8)) "$t0" "$(now)")
"$GV" audit checkpoint --db "$BIG" --log-key "$W/log.key" >/dev/null
"$GV" audit copy --from "$BIG" --to "$W/big.db" >/dev/null
best() {  # best DB: the fastest of 3 verify runs, in seconds
	for r in 1 2 3; do
		t0=$(now)
		"$GV" audit verify --db "$1" --key "$W/log.pub" >/dev/null
		echo "$t0 $(now)" | awk '{ printf "%.2f\n", $2 - $1 }'
	done | sort -n | head -1
}
ver_pg=$(best "$BIG")
ver_sq=$(best "$W/big.db")
n=$((N / 8 * 8))

{
	echo "| appends/s (durable commits) | SQLite | PostgreSQL |"
	echo "|---|---:|---:|"
	echo "| CLI, 1 writer (a process per append) | $cli_sqlite_1 | $cli_postgresql_1 |"
	echo "| CLI, 8 concurrent writers | $cli_sqlite_8 | $cli_postgresql_8 |"
	echo "| library, 1 writer | $lib_sqlite_1 | $lib_postgresql_1 |"
	echo "| library, 8 writer threads in one process | $lib_sqlite_8 | $lib_postgresql_8 |"
	echo "| \`audit verify\` of $n entries (s, best of 3) | $ver_sq | $ver_pg |"
	echo
	echo "($n entries written on PostgreSQL by 8 library writers at $fill appends/s;"
	echo "copied to SQLite with \`audit copy\`; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg).)"
} | tee "$OUT/ledger.md"
