# t351: audit verify catches each kind of tampering, names the first bad seq
# and exits 1; hostile database files exit 2.
# sqlite-only: forges and truncates the SQLite file itself (sqlite3, cp, head -c); t372-pg-tamper.sh does the PostgreSQL equivalents with psql
openssl genpkey -algorithm ed25519 -out "$T/log.key" 2>/dev/null
chmod 600 "$T/log.key"
openssl pkey -in "$T/log.key" -pubout -out "$T/log.pub"
GOOD="$T/good.db"
i=0
while [ $i -lt 8 ]; do
	"$GG" audit append --db "$GOOD" --type hybrid.deployment.started --deployment "d$i" \
		--actor ci --payload "{\"n\":$i}" --log-key "$T/log.key" >/dev/null || fail "setup append $i"
	i=$((i + 1))
done
"$GG" audit checkpoint --db "$GOOD" -o "$T/saved.cp" || fail "setup checkpoint"

# fresh DB: a copy of the good log with the append-only triggers dropped
fresh() {
	rm -f "$T/t.db" "$T/t.db-wal" "$T/t.db-shm"
	cp "$GOOD" "$T/t.db"
	sqlite3 "$T/t.db" "DROP TRIGGER entry_no_update; DROP TRIGGER entry_no_delete;
		DROP TRIGGER checkpoint_no_delete; DROP TRIGGER tree_node_no_delete;
		DROP TRIGGER tree_node_no_update;"
}
# leafhash TEXT: hex SHA-256(0x00 || TEXT)
leafhash() {
	{ printf '\000'; printf '%s' "$1"; } | openssl dgst -sha256 -binary | od -An -tx1 | tr -d ' \n'
}
bytes_of() { sqlite3 "$T/t.db" "SELECT CAST(bytes AS TEXT) FROM entry WHERE seq = $1"; }

expect_rc 0 "the untouched copy verifies" -- audit verify --db "$GOOD" --key "$T/log.pub" --checkpoint "$T/saved.cp"

fresh
sqlite3 "$T/t.db" "UPDATE entry SET bytes = CAST(replace(CAST(bytes AS TEXT), '\"n\":3', '\"n\":9') AS BLOB) WHERE seq = 3"
expect_rc 1 "an edited row is caught" -- audit verify --db "$T/t.db" --key "$T/log.pub"
expect_err "tampered at seq 3: entry bytes do not match the stored entry hash" "edited row names seq 3"

fresh
sqlite3 "$T/t.db" "DELETE FROM entry WHERE seq = 4"
expect_rc 1 "a deleted row is caught" -- audit verify --db "$T/t.db" --key "$T/log.pub"
expect_err "tampered at seq 4: entry 4 is missing" "deleted row names seq 4"

# an inserted row that chains correctly to its predecessor, later rows renumbered
fresh
prev=$(sqlite3 "$T/t.db" "SELECT lower(hex(hash)) FROM entry WHERE seq = 2")
forged="{\"seq\":3,\"time\":\"2026-01-01T00:00:00Z\",\"type\":\"hybrid.deployment.started\",\"deployment_id\":\"x\",\"actor\":\"ci\",\"payload\":{},\"prev\":\"$prev\"}"
sqlite3 "$T/t.db" "UPDATE entry SET seq = seq + 1000 WHERE seq >= 3;
	UPDATE entry SET seq = seq - 999 WHERE seq >= 1000;
	INSERT INTO entry (seq, bytes, hash, time, type, deployment_id, actor) VALUES
	(3, CAST('$forged' AS BLOB), X'$(leafhash "$forged")', '2026-01-01T00:00:00Z', 'hybrid.deployment.started', 'x', 'ci')"
expect_rc 1 "an inserted row is caught" -- audit verify --db "$T/t.db" --key "$T/log.pub"
expect_err "tampered at seq 3:" "inserted row names seq 3"

fresh
sqlite3 "$T/t.db" "UPDATE entry SET seq = -1 WHERE seq = 5; UPDATE entry SET seq = 5 WHERE seq = 6;
	UPDATE entry SET seq = 6 WHERE seq = -1"
expect_rc 1 "reordered rows are caught" -- audit verify --db "$T/t.db" --key "$T/log.pub"
expect_err "tampered at seq 5:" "reordered rows name seq 5"

fresh
sqlite3 "$T/t.db" "DELETE FROM entry WHERE seq >= 6; DELETE FROM checkpoint WHERE size > 6;
	DELETE FROM tree_node WHERE ((idx + 1) << level) > 6"
expect_rc 0 "a truncated log alone looks intact" -- audit verify --db "$T/t.db" --key "$T/log.pub"
expect_rc 1 "a truncated tail is caught against a saved checkpoint" -- audit verify --db "$T/t.db" --key "$T/log.pub" --checkpoint "$T/saved.cp"
expect_err "tampered at seq 6: the log has 6 entries but the saved checkpoint .* was signed for 8" "truncation names seq 6"

# the attacker edits row 2 and recomputes every later hash, prev and stored hash
rewrite_from_2() {
	s=2
	ph=$(sqlite3 "$T/t.db" "SELECT lower(hex(hash)) FROM entry WHERE seq = 1")
	while [ $s -lt 8 ]; do
		b=$(bytes_of $s | sed "s/\"n\":2}/\"n\":7}/; s/\"prev\":\"[0-9a-f]*\"}\$/\"prev\":\"$ph\"}/")
		ph=$(leafhash "$b")
		sqlite3 "$T/t.db" "UPDATE entry SET bytes = CAST('$b' AS BLOB), hash = X'$ph' WHERE seq = $s"
		s=$((s + 1))
	done
}
fresh
rewrite_from_2
expect_rc 1 "recomputed hashes are caught by the checkpoints (stale tree cache)" -- audit verify --db "$T/t.db" --key "$T/log.pub"
expect_err "tampered at seq 2: the first 3 entries do not match the root signed in the checkpoint for size 3" "recompute attack names seq 2"
fresh
rewrite_from_2
sqlite3 "$T/t.db" "DELETE FROM tree_node"
expect_rc 1 "recomputed hashes are caught by the checkpoints (no tree cache)" -- audit verify --db "$T/t.db" --key "$T/log.pub"
expect_err "tampered at seq 2:" "recompute attack without cache names seq 2"
expect_rc 0 "a rewritten log still exports" -- audit export --db "$T/t.db" -o "$T/t.jsonl"
expect_rc 1 "the rewritten export is caught without SQLite" -- audit verify --jsonl "$T/t.jsonl" --key "$T/log.pub"
expect_err "tampered at seq 2:" "jsonl names seq 2"

# a forged checkpoint row
fresh
sqlite3 "$T/t.db" "DELETE FROM checkpoint WHERE size = 8"
sqlite3 "$T/t.db" "INSERT INTO checkpoint SELECT 8, root, origin, replace(note, substr(note, instr(note, '— ') + 26, 4), 'AAAA'), created FROM checkpoint WHERE size = 7"
expect_rc 1 "a forged checkpoint is caught" -- audit verify --db "$T/t.db" --key "$T/log.pub"

# exports: an edited line, a deleted line
"$GG" audit export --db "$GOOD" -o "$T/x.jsonl" 2>/dev/null
sed '4s/"n":3/"n":9/' "$T/x.jsonl" > "$T/e.jsonl"; cp "$T/x.jsonl.checkpoints" "$T/e.jsonl.checkpoints"
expect_rc 1 "an edited export line is caught" -- audit verify --jsonl "$T/e.jsonl" --key "$T/log.pub"
expect_err "tampered at seq 3:" "edited export line names seq 3"
sed '5d' "$T/x.jsonl" > "$T/e.jsonl"
expect_rc 1 "a deleted export line is caught" -- audit verify --jsonl "$T/e.jsonl" --key "$T/log.pub"
expect_err "tampered at seq 4:" "deleted export line names seq 4"
expect_rc 2 "an export without checkpoints is unreadable" -- audit verify --jsonl "$T/nothere.jsonl" --key "$T/log.pub"

# hostile database files
head -c 5000 /dev/urandom > "$T/garbage.db"
expect_rc 2 "a garbage file is unreadable" -- audit verify --db "$T/garbage.db" --key "$T/log.pub"
expect_err "garbage.db: error: .*(not a database|not a govgate audit log)" "garbage is named"
sqlite3 "$T/other.db" "CREATE TABLE t (x); INSERT INTO t VALUES (1)"
expect_rc 2 "another SQLite database is refused" -- audit verify --db "$T/other.db" --key "$T/log.pub"
expect_err "not a govgate audit log" "wrong schema message"
expect_rc 2 "appending to another database is refused" -- audit append --db "$T/other.db" --type t
fresh
sqlite3 "$T/t.db" "ALTER TABLE entry RENAME TO old_entry"
expect_rc 2 "a missing table is refused" -- audit verify --db "$T/t.db" --key "$T/log.pub"
fresh
sqlite3 "$T/t.db" "INSERT INTO entry (seq, bytes, hash, time, type, deployment_id, actor) VALUES (8, zeroblob(3000000), zeroblob(32), '', '', '', '')"
expect_rc 2 "a huge row is refused" -- audit verify --db "$T/t.db" --key "$T/log.pub"
fresh
sqlite3 "$T/t.db" "PRAGMA user_version = 7"
expect_rc 2 "an unknown schema version is refused" -- audit verify --db "$T/t.db" --key "$T/log.pub"
expect_err "schema version 7 is not supported" "schema version message"
head -c 8192 "$GOOD" > "$T/cut.db"
run audit verify --db "$T/cut.db" --key "$T/log.pub"
[ "$rc" -eq 1 ] || [ "$rc" -eq 2 ]; expect_eq $? 0 "a cut database file never crashes (exit $rc)"
