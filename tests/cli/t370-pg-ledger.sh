# run-first: one of the longest files (its load is correctness, not timing)
# t370: the audit log on a real PostgreSQL server (tests/cli/pg-lib.sh):
# audit init and its roles, as PostgreSQL enforces them; 16 writer
# processes appending at once; writers killed with SIGKILL mid-append; the
# server stopped and restarted under load; audit checkpoint --every.
# Under the sanitizers (GOVGATE_TEST_SMALL) this load test is left to the
# normal build, which runs it in full; t371 and t372 run store_pg.c there.
if [ -n "${GOVGATE_TEST_SMALL:-}" ]; then
	echo "t370: left to the normal build (GOVGATE_TEST_SMALL)" >&2
	return 0
fi
. "$ROOT/tests/cli/pg-lib.sh"
pg_trap
pg_start "$T/pg" || { fail "the PostgreSQL server starts"; return; }
BENCH=$(dirname "$GG")/bench-ledger
openssl genpkey -algorithm ed25519 -out "$T/log.key" 2>/dev/null
openssl pkey -in "$T/log.key" -pubout -out "$T/log.pub"
KID=$(openssl pkey -pubin -in "$T/log.pub" -outform DER | sha256sum | cut -c1-64)
psql_as() { "$PGBIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -h "$PGSOCK" -U "$1" -d "$2" -c "$3"; }

# --- audit init: schema and roles, idempotent, roles shared by the cluster
L=$(pg_uri ledger)
psql_as postgres postgres "CREATE DATABASE ledger" || fail "create the database"
expect_rc 0 "audit init" -- audit init --db "$L"
expect_out "^audit log ready at host=.* dbname=ledger user=postgres: schema version 1, roles govgate_writer, govgate_checkpointer, govgate_auditor$" "init says what it made"
expect_rc 0 "audit init again changes nothing" -- audit init --db "$L"
expect_eq "$(psql_as postgres ledger "SELECT count(*) FROM govgate_meta")" 1 "one schema row after two inits"
psql_as postgres postgres "CREATE DATABASE ledger2" || fail "create a second database"
expect_rc 0 "audit init in a second database reuses the roles" -- audit init --db "$(pg_uri ledger2)"
expect_eq "$(psql_as postgres postgres "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'govgate\_%'")" 3 "three roles in the cluster"
psql_as postgres ledger "CREATE ROLE ci LOGIN IN ROLE govgate_writer; CREATE ROLE signer LOGIN IN ROLE govgate_checkpointer; CREATE ROLE auditor LOGIN IN ROLE govgate_auditor" ||
	fail "login roles"
W="host=$PGSOCK dbname=ledger user=ci"
C="host=$PGSOCK dbname=ledger user=signer"
A="host=$PGSOCK dbname=ledger user=auditor"

# the writer appends without any key; the checkpointer signs; the auditor reads
for i in 0 1 2; do
	expect_rc 0 "the writer appends $i" -- audit append --db "$W" --type ci.job --payload "{\"n\":$i}"
	expect_out "^$i\$" "seq $i"
done
expect_rc 2 "the writer cannot sign a checkpoint" -- audit checkpoint --db "$W" --log-key "$T/log.key"
expect_err "dbname=ledger user=ci: error: cannot store the checkpoint: ERROR: +permission denied for table checkpoint \[GV-A001\]" "PostgreSQL refuses the writer's checkpoint"
expect_rc 0 "the checkpointer signs the head" -- audit checkpoint --db "$C" --log-key "$T/log.key" -o "$T/cp3"
expect_eq "$(sed -n 2p "$T/cp3")" 3 "the checkpoint covers 3 entries"
expect_rc 2 "the checkpointer cannot append" -- audit append --db "$C" --type t
expect_err "permission denied for table entry" "PostgreSQL refuses the checkpointer's append"
expect_rc 2 "the auditor cannot append" -- audit append --db "$A" --type t
expect_err "dbname=ledger user=auditor: error: cannot append to the log: ERROR: +permission denied for table entry \[GV-A001\]" "PostgreSQL refuses the auditor's append"
expect_rc 0 "the auditor verifies" -- audit verify --db "$A" --key "$T/log.pub"
expect_out "^audit log intact: 3 entries, all covered by checkpoints signed by key $KID \(1 checkpoint signatures verified\)$" "verified as the auditor"

# PostgreSQL itself refuses changes, whatever client the role uses
for sql in "UPDATE entry SET actor = 'x'" "DELETE FROM entry" "TRUNCATE entry" "UPDATE checkpoint SET note = ''" \
	"DELETE FROM tree_node" "TRUNCATE checkpoint" "CREATE TABLE x (a int)" "DROP TRIGGER entry_no_update ON entry" \
	"ALTER TABLE entry DISABLE TRIGGER USER"; do
	psql_as ci ledger "$sql" 2>"$T/perr"
	expect_eq $? 1 "writer: $sql is refused"
	grep -Eq "ERROR: +(permission denied|must be owner)" "$T/perr"; expect_eq $? 0 "writer: $sql: permission error"
done
for sql in "INSERT INTO entry VALUES (3, '\\x00', '\\x00', '', '', '', '')" "INSERT INTO checkpoint VALUES (9, '\\x00', 'o', 'n', 'c')" \
	"INSERT INTO tree_node VALUES (1, 9, '\\x00')" "DELETE FROM checkpoint" "UPDATE entry SET seq = 7" "TRUNCATE replica_entry"; do
	psql_as auditor ledger "$sql" 2>"$T/perr"
	expect_eq $? 1 "auditor: $sql is refused"
	grep -Eq "ERROR: +permission denied" "$T/perr"; expect_eq $? 0 "auditor: $sql: permission denied"
done
# even the owner meets the triggers
psql_as postgres ledger "DELETE FROM entry WHERE seq = 2" 2>"$T/perr"
expect_eq $? 1 "the owner's DELETE meets the trigger"
grep -q "govgate: entry rows are append-only" "$T/perr"; expect_eq $? 0 "the trigger says why"
psql_as postgres ledger "TRUNCATE entry" 2>/dev/null
expect_eq $? 1 "the owner's TRUNCATE meets the trigger"

# --- 16 writer processes x 500 appends (the library, one connection each)
WRITERS=16
EACH=500
[ -n "${GOVGATE_TEST_SMALL:-}" ] && EACH=50
M=$(pg_uri many)
pids=""
start=$(date +%s.%N)
i=0
while [ $i -lt $WRITERS ]; do
	"$BENCH" "$M" 1 $EACH "p$i" > "$T/w$i.out" 2> "$T/w$i.err" &
	pids="$pids $!"
	i=$((i + 1))
done
bad=0
for p in $pids; do wait $p || bad=$((bad + 1)); done
echo "    $((WRITERS * EACH)) appends by $WRITERS processes in $(echo "$start $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }') s" >&2
expect_eq "$bad" 0 "no writer failed"
expect_eq "$(psql_as postgres many "SELECT count(*), min(seq), max(seq), count(DISTINCT seq) FROM entry")" \
	"$((WRITERS * EACH))|0|$((WRITERS * EACH - 1))|$((WRITERS * EACH))" "exactly every entry, dense seq numbers"
expect_eq "$(psql_as postgres many "SELECT count(DISTINCT deployment_id) FROM entry")" "$WRITERS" "every writer's entries are there"
expect_rc 0 "checkpoint the many writers' log" -- audit checkpoint --db "$M" --log-key "$T/log.key"
expect_rc 0 "the log of 16 writers verifies" -- audit verify --db "$M" --key "$T/log.pub"
expect_out "^audit log intact: $((WRITERS * EACH)) entries, all covered" "every entry verified"

# --- writers killed with SIGKILL in the middle of their appends
K=$(pg_uri killed)
"$GG" audit append --db "$K" --type t --log-key "$T/log.key" >/dev/null || fail "first entry"
r=0
ROUNDS=8
[ -n "${GOVGATE_TEST_SMALL:-}" ] && ROUNDS=3
while [ $r -lt $ROUNDS ]; do
	kp=""
	for w in 1 2 3 4; do
		"$BENCH" "$K" 1 100000 >/dev/null 2>&1 &
		kp="$kp $!"
	done
	sleep 0.$((3 + r % 5))
	for p in $kp; do kill -KILL $p 2>/dev/null; done
	for p in $kp; do wait $p 2>/dev/null; done
	r=$((r + 1))
done
n=$(psql_as postgres killed "SELECT count(*) FROM entry")
expect_eq "$(psql_as postgres killed "SELECT count(*) = max(seq) + 1 AND count(*) > 1 FROM entry")" t "killed writers left no gap ($n entries)"
expect_eq "$(psql_as postgres killed "SELECT count(*) FROM entry e LEFT JOIN tree_node t ON t.level = 1 AND t.idx = e.seq / 2 WHERE e.seq % 2 = 1 AND t.hash IS NULL")" 0 \
	"no entry without its tree nodes"
expect_rc 1 "after the kills: the unsigned tail is named" -- audit verify --db "$K" --key "$T/log.pub"
expect_out "^audit log NOT VERIFIED: entries 1-$((n - 1)) \($((n - 1)) of $n\) are an unauthenticated tail; entries 0-0 are covered" "the tail"
expect_rc 0 "after the kills: the log verifies, tail accepted" -- audit verify --db "$K" --key "$T/log.pub" --allow-unsigned-tail
expect_rc 0 "after the kills: a checkpoint signs the head" -- audit checkpoint --db "$K" --log-key "$T/log.key"
expect_rc 0 "after the kills: fully verified" -- audit verify --db "$K" --key "$T/log.pub"

# --- the server stopped (as by a crash) and restarted under load
R=$(pg_uri restart)
"$GG" audit append --db "$R" --type t --log-key "$T/log.key" >/dev/null || fail "first entry"
for w in 1 2 3 4; do
	( i=0; while [ ! -e "$T/stop" ] && [ $i -lt 400 ]; do
		"$GG" audit append --db "$R" --type t --deployment "w$w" >>"$T/r$w.seq" 2>>"$T/r$w.err"
		echo $? >> "$T/r$w.rc"
		i=$((i + 1))
	done ) &
	eval "rp$w=\$!"
done
sleep 1
pg_restart_immediate || fail "the server restarts"
sleep 1
: > "$T/stop"
wait $rp1 $rp2 $rp3 $rp4
cat "$T"/r?.rc | sort | uniq -c | awk '{ printf "    exit %s: %s appends\n", $2, $1 }' >&2
expect_eq "$(cat "$T"/r?.rc | grep -cv '^[02]$')" 0 "every append exited 0 or 2"
expect_eq "$(cat "$T"/r?.err | grep -v '^host=[^ ]* dbname=restart user=postgres: error: .*\[GV-A00[123]\]$')" "" \
	"every failure is an error located at the database"
expect_eq "$(cat "$T"/r?.err | grep -c 'server closed the connection unexpectedly\|terminating connection\|Connection reset\|could not receive data\|could not send data')" \
	"$(grep -c 2 "$T"/r?.rc | awk -F: '{ s += $2 } END { print s }')" \
	"only appends cut off by the crash failed (the others waited for the server)"
ok=$(cat "$T"/r?.seq | wc -l)
n=$(psql_as postgres restart "SELECT count(*) FROM entry")
expect_eq "$(psql_as postgres restart "SELECT count(*) = max(seq) + 1 FROM entry")" t "no gap after the restart ($n entries, $ok acknowledged)"
missing=0
for s in $(cat "$T"/r?.seq); do [ "$s" -lt "$n" ] || missing=$((missing + 1)); done
expect_eq "$missing" 0 "every acknowledged append survived the crash"
expect_eq "$(cat "$T"/r?.seq | sort -n | uniq -d | wc -l)" 0 "no seq handed out twice"
expect_rc 0 "after the restart: checkpoint" -- audit checkpoint --db "$R" --log-key "$T/log.key"
expect_rc 0 "after the restart: the log verifies" -- audit verify --db "$R" --key "$T/log.pub"

# --- the checkpointer: --every until SIGTERM
E=$(pg_uri every)
"$GG" audit append --db "$E" --type t >/dev/null || fail "first entry"
"$GG" audit checkpoint --db "$E" --log-key "$T/log.key" --every 1s 2>"$T/every.err" &
cp=$!
sleep 1.5
for i in 1 2 3; do "$GG" audit append --db "$E" --type t >/dev/null; done
sleep 2
kill -TERM $cp
wait $cp
expect_eq $? 0 "--every stops on SIGTERM with exit 0"
expect_eq "$(head -1 "$T/every.err")" "govgate: checkpoint for size 1" "the first tick signs size 1"
expect_eq "$(tail -1 "$T/every.err")" "govgate: checkpoint for size 4" "a later tick signs size 4"
expect_rc 0 "the log checkpointed by --every verifies" -- audit verify --db "$E" --key "$T/log.pub"
expect_out "all covered" "no unsigned tail"
expect_rc 2 "--every needs a duration" -- audit checkpoint --db "$E" --log-key "$T/log.key" --every 0
expect_err "^govgate: audit checkpoint: --every '0' is not a duration" "the bad duration is named"

pg_stop
trap - EXIT INT TERM HUP
