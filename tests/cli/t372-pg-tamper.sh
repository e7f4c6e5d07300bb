# run-first: one of the longest files
# t372: tampering with a PostgreSQL log as its superuser (psql), the
# counterpart of t351's SQLite edits: the triggers must be dropped first,
# and every edit is caught by audit verify at the right seq; hostile
# databases are refused with exit 2.
. "$ROOT/tests/cli/pg-lib.sh"
pg_trap
pg_start "$T/pg" || { fail "the PostgreSQL server starts"; return; }
openssl genpkey -algorithm ed25519 -out "$T/log.key" 2>/dev/null
openssl pkey -in "$T/log.key" -pubout -out "$T/log.pub"
G=$(pg_uri good)
for i in 0 1 2 3 4 5 6 7; do
	"$GG" audit append --db "$G" --type hybrid.deployment.started --deployment "d$i" \
		--payload "{\"n\":$i}" --log-key "$T/log.key" >/dev/null || fail "setup append $i"
done
"$GG" audit checkpoint --db "$G" -o "$T/saved.cp" >/dev/null || fail "setup checkpoint"
n=0
# fresh SQL: a copy of the good log as database tN, then SQL on it as superuser
fresh() {
	n=$((n + 1))
	D=t$n
	pg_psql postgres "CREATE DATABASE $D TEMPLATE good" >/dev/null || fail "copy the log"
	[ -n "$1" ] && { pg_psql $D "$1" >/dev/null || fail "tamper $D"; }
	TD=$(pg_uri $D)
}
verify() { run audit verify --db "$TD" --key "$T/log.pub"; }

expect_rc 0 "the untouched log verifies" -- audit verify --db "$G" --key "$T/log.pub" --checkpoint "$T/saved.cp"
pg_psql good "UPDATE entry SET actor = 'x' WHERE seq = 1" 2>"$T/perr"
expect_eq $? 1 "even the superuser's UPDATE meets the trigger"
grep -q "govgate: entry rows are append-only" "$T/perr"; expect_eq $? 0 "the trigger says why"

NOUP="DROP TRIGGER entry_no_update ON entry; DROP TRIGGER entry_no_delete ON entry;"
fresh "$NOUP UPDATE entry SET bytes = convert_to(replace(convert_from(bytes, 'UTF8'), '\"n\":3', '\"n\":9'), 'UTF8') WHERE seq = 3"
verify; expect_eq $rc 1 "an edited entry is caught"
expect_err "tampered at seq 3: entry bytes do not match the stored entry hash" "edited entry names seq 3"
expect_out "^audit log TAMPERED$" "the verdict"

fresh "$NOUP DELETE FROM entry WHERE seq = 4"
verify; expect_eq $rc 1 "a deleted entry is caught"
expect_err "tampered at seq 4: entry 4 is missing" "deleted entry names seq 4"

fresh "$NOUP UPDATE entry SET deployment_id = 'other' WHERE seq = 2"
verify; expect_eq $rc 1 "an edited filter column is caught"
expect_err "tampered at seq 2:" "edited column names seq 2"

fresh "$NOUP UPDATE entry SET seq = -1 WHERE seq = 5; UPDATE entry SET seq = 5 WHERE seq = 6; UPDATE entry SET seq = 6 WHERE seq = -1"
verify; expect_eq $rc 1 "reordered entries are caught"
expect_err "tampered at seq 5:" "reordered entries name seq 5"

fresh "DROP TRIGGER tree_node_no_update ON tree_node; UPDATE tree_node SET hash = sha256(hash) WHERE level = 1 AND idx = 1"
verify; expect_eq $rc 1 "a changed tree cache is caught"

fresh "DROP TRIGGER checkpoint_no_delete ON checkpoint; DELETE FROM checkpoint WHERE size = 8"
verify; expect_eq $rc 1 "a deleted checkpoint leaves an unsigned tail"
expect_out "^audit log NOT VERIFIED: entries 7-7 \(1 of 8\) are an unauthenticated tail; entries 0-6 are covered" "the tail is named"
run audit verify --db "$TD" --key "$T/log.pub" --checkpoint "$T/saved.cp"
expect_eq $rc 0 "the auditor's saved checkpoint still covers it"

fresh "DROP TRIGGER checkpoint_no_update ON checkpoint; UPDATE checkpoint SET note = replace(note, substr(note, length(note) - 5, 4), 'AAAA') WHERE size = 8"
verify; expect_eq $rc 1 "a forged signature is caught"
expect_out "^audit log TAMPERED$" "forged signature: tampered"

fresh "$NOUP DELETE FROM entry WHERE seq >= 6"
verify; expect_eq $rc 1 "a truncated log is caught"
expect_err "tampered at seq 6: the log has 6 entries but the checkpoint for size 7 was signed for 7; it was truncated \[GV-A002\]" "truncation named"
run audit append --db "$TD" --type t
expect_eq $rc 0 "appends continue after the truncation"
run audit checkpoint --db "$TD" --log-key "$T/log.key"
expect_eq $rc 1 "the checkpointer refuses to sign a log that no longer extends its checkpoint"

# hostile databases
fresh "DROP TRIGGER govgate_meta_no_update ON govgate_meta; UPDATE govgate_meta SET version = 7"
verify; expect_eq $rc 2 "an unknown schema version is refused"
expect_err "dbname=$D user=postgres: error: audit log schema version 7 is not supported \(this govgate reads 1\)" "schema version message"
fresh "DROP TRIGGER govgate_meta_no_delete ON govgate_meta; DELETE FROM govgate_meta"
verify; expect_eq $rc 2 "a database without the govgate id is refused"
expect_err "not a govgate audit log" "no id: named"
pg_psql postgres "CREATE DATABASE other" >/dev/null
pg_psql other "CREATE TABLE t (x int)" >/dev/null
run audit verify --db "$(pg_uri other)" --key "$T/log.pub"
expect_eq $rc 2 "another database is refused"
expect_err "dbname=other user=postgres: error: not a govgate audit log \(empty database; create it with 'govgate audit init --db URI'\)" "empty database message"
fresh "ALTER TABLE entry RENAME TO old_entry"
verify; expect_eq $rc 2 "a missing table is refused"
expect_err "relation \"entry\" does not exist" "the missing table is named"
fresh "INSERT INTO entry VALUES (8, convert_to(repeat('x', 3000000), 'UTF8'), '\\x00', '', '', '', '')"
verify; expect_eq $rc 2 "a huge row is refused"
expect_err "entry 8 is larger than 1048576 bytes" "huge row message"
GOVGATE_DB_RETRY_SECONDS=1 run audit verify --db "postgresql:///x?host=$PGSOCK&port=1" --key "$T/log.pub"
expect_eq $rc 2 "a server that is not there: exit 2 once the retries are over"
expect_err "^postgresql:///x\?host=.*&port=1: error: cannot open the audit log: connection to server on socket .*\.s\.PGSQL\.1\" failed: No such file or directory" "the connection error is named"
run audit verify --db "host=$PGSOCK dbname=good user=postgres sslmode=bogus" --key "$T/log.pub"
expect_eq $rc 2 "a bad connection string is refused"
expect_err "sslmode=bogus: error: cannot open the audit log: invalid sslmode value: \"bogus\" \[GV-A001\]" "the bad option is named"
run audit verify --db "host=$PGSOCK dbname=good user=postgres password=hunter2 sslmode=bogus" --key "$T/log.pub"
expect_no_out "hunter2" "no password in the output"
grep -q hunter2 "$T/err"; expect_eq $? 1 "no password in the messages"

pg_stop
trap - EXIT INT TERM HUP
