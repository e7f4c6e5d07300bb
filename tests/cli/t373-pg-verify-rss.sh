# run-first: one of the longest files
# t373: `audit verify` on PostgreSQL streams the log (store_pg.c reads one
# row at a time, libpq's single-row mode): its peak RSS over 20,000 entries
# stays within 1.3x of its peak over 2,000 (holding the whole result, as it
# once did, took about 300 bytes more per entry: 1.7x here). Both logs are
# written quickly through the library (build/bench-ledger). Also: a read
# abandoned early leaves the connection usable (audit log --limit, then
# the same process reads on).
# Under the sanitizers (GOVGATE_TEST_SMALL) RSS is the sanitizers' own.
if [ -n "${GOVGATE_TEST_SMALL:-}" ]; then
	echo "t373: left to the normal build (GOVGATE_TEST_SMALL)" >&2
	return 0
fi
. "$ROOT/tests/cli/pg-lib.sh"
pg_trap
pg_start "$T/pg" || { fail "the PostgreSQL server starts"; return; }
BENCH=$(dirname "$GG")/bench-ledger
openssl genpkey -algorithm ed25519 -out "$T/log.key" 2>/dev/null
openssl pkey -in "$T/log.key" -pubout -out "$T/log.pub"
KID=$(openssl pkey -pubin -in "$T/log.pub" -outform DER | sha256sum | cut -c1-64)

# rss N: writes a log of N entries (8 writers) and prints the lowest peak
# RSS (KB) of three runs of audit verify over it
rss() {
	db=$(pg_uri "n$1")
	"$BENCH" "$db" 8 $(($1 / 8)) >/dev/null || { fail "bench-ledger writes $1 entries"; return; }
	"$GG" audit checkpoint --db "$db" --log-key "$T/log.key" >/dev/null
	for r in 1 2 3; do
		/usr/bin/time -f %M -o "$T/rss" "$GG" audit verify --db "$db" --key "$T/log.pub" >"$T/out$1" 2>&1
		echo "$? $(cat "$T/rss")"
	done | sort -k2 -n | head -1
}
set -- $(rss 2000)
expect_eq "$1" 0 "verify of 2,000 entries passes"
expect_eq "$(cat "$T/out2000")" "audit log intact: 2000 entries, all covered by checkpoints signed by key $KID (1 checkpoint signatures verified)" "verify of 2,000 entries says so"
small=$2
set -- $(rss 20000)
expect_eq "$1" 0 "verify of 20,000 entries passes"
expect_eq "$(cat "$T/out20000")" "audit log intact: 20000 entries, all covered by checkpoints signed by key $KID (1 checkpoint signatures verified)" "verify of 20,000 entries says so"
big=$2
echo "t373: verify peak RSS: $small KB for 2,000 entries, $big KB for 20,000" >&2
expect_eq "$(echo "$small $big" | awk '{ print ($2 <= 1.3 * $1) ? "yes" : "no" }')" yes \
	"verify's peak RSS does not grow with the log ($small KB for 2,000 entries, $big KB for 20,000)"

# statements left mid-stream leave the connection usable (tests/pg/stream.c)
psql_q() { "$PGBIN/psql" -X -q -h "$PGSOCK" -U postgres -d postgres -c "$1"; }
psql_q "CREATE DATABASE streamcheck" || fail "create the database"
"$(dirname "$GG")/pg-stream-check" "$(pg_uri streamcheck)" >"$T/stream.out" 2>&1
expect_eq $? 0 "pg-stream-check passes"
expect_eq "$(cat "$T/stream.out")" "ok read to the end
ok read to the end, prepared
ok interleaved statement
ok exec and finalize mid-stream
ok reset mid-stream
ok commit mid-stream
ok error mid-stream" "every streamed statement left mid-way is handled"
