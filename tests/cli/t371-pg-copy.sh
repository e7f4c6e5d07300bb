# t371: audit copy moves a log between backends, both ways: the copy holds
# the same bytes, verifies against the same checkpoints (a checkpoint saved
# from the original too) and exports byte for byte the same; replicas move
# with it; a copy never lands on a log that holds anything.
. "$ROOT/tests/cli/pg-lib.sh"
pg_trap
pg_start "$T/pg" || { fail "the PostgreSQL server starts"; return; }
openssl genpkey -algorithm ed25519 -out "$T/log.key" 2>/dev/null
openssl pkey -in "$T/log.key" -pubout -out "$T/log.pub"
"$GG" keygen --out "$T/cloud" >/dev/null 2>&1 || fail "keygen"

# a SQLite log with checkpoints, a receipt-shaped entry and a replica
S="$T/src.db"
for i in 0 1 2 3 4; do
	"$GG" audit append --db "$S" --type governance.validated --deployment "d$i" --actor "ci runner $i" \
		--payload "{\"n\":$i,\"s\":\"caf\\u00e9 \\\"q\\\"\"}" --log-key "$T/log.key" >/dev/null || fail "append $i"
done
"$GG" audit append --db "$S" --type t --payload '{"tail":true}' >/dev/null || fail "unsigned tail"
"$GG" audit checkpoint --db "$S" -o "$T/saved.cp" >/dev/null || fail "saved checkpoint"
C="$T/cloud.db"
for i in 0 1 2; do "$GG" audit append --db "$C" --type hybrid.deployment.completed --payload "{\"n\":$i}" >/dev/null; done
"$GG" audit checkpoint --db "$C" --log-key "$T/cloud.key" --origin cloud.example/audit >/dev/null || fail "cloud checkpoint"
"$GG" sync export --db "$C" -o "$T/b1" >/dev/null 2>&1 || fail "sync export"
expect_rc 0 "the source imports a replica" -- sync import --db "$S" --trust cloud.example/audit="$T/cloud.pub" "$T/b1"
"$GG" audit checkpoint --db "$S" --log-key "$T/log.key" >/dev/null || fail "checkpoint after import"
expect_rc 0 "the source verifies" -- audit verify --db "$S" --key "$T/log.pub" --trust cloud.example/audit="$T/cloud.pub"
cp "$T/out" "$T/verify.src"
"$GG" audit export --db "$S" -o "$T/src.jsonl" 2>/dev/null || fail "export source"
n=$(wc -l < "$T/src.jsonl")

# SQLite -> PostgreSQL
P=$(pg_uri copy1)
expect_rc 0 "copy SQLite to PostgreSQL" -- audit copy --from "$S" --to "$P"
expect_out "^copied $n entries, [0-9]+ tree nodes, 6 checkpoints and [0-9]+ replica rows from $S to host=.* dbname=copy1 user=postgres$" "the copy says what it moved"
expect_rc 0 "the PostgreSQL copy verifies" -- audit verify --db "$P" --key "$T/log.pub" --trust cloud.example/audit="$T/cloud.pub"
expect_eq "$(cat "$T/out")" "$(cat "$T/verify.src")" "the same verdict as the original"
expect_rc 0 "the copy verifies against the checkpoint saved from the original" -- \
	audit verify --db "$P" --key "$T/log.pub" --checkpoint "$T/saved.cp" --trust cloud.example/audit="$T/cloud.pub"
"$GG" audit export --db "$P" -o "$T/pg.jsonl" 2>/dev/null || fail "export the copy"
cmp -s "$T/src.jsonl" "$T/pg.jsonl"; expect_eq $? 0 "byte-identical entries"
# the same database named by a URI (libpq's postgresql:// form, the socket
# folder percent-encoded in host=), and through $GOVGATE_DB
U="postgresql:///copy1?host=$(printf %s "$PGSOCK" | sed 's|/|%2F|g')&user=postgres"
expect_rc 0 "a postgresql:// URI names the same log" -- audit verify --db "$U" --key "$T/log.pub" --trust cloud.example/audit="$T/cloud.pub"
expect_eq "$(cat "$T/out")" "$(cat "$T/verify.src")" "the URI: the same verdict"
GOVGATE_DB=$U expect_rc 0 "\$GOVGATE_DB holds the URI" -- audit log --deployment d3
expect_out '"deployment_id":"d3"' "\$GOVGATE_DB: the entry"
cmp -s "$T/src.jsonl.checkpoints" "$T/pg.jsonl.checkpoints"; expect_eq $? 0 "byte-identical checkpoints"
expect_eq "$("$PGBIN/psql" -X -t -A -h "$PGSOCK" -U postgres -d copy1 -c "SELECT encode(hash, 'hex') FROM entry WHERE seq = 3")" \
	"$(sqlite3 "$S" "SELECT lower(hex(hash)) FROM entry WHERE seq = 3")" "the same leaf hash in both databases"
for s in 0 4; do
	"$GG" audit prove --db "$S" --seq $s > "$T/p.src" 2>/dev/null
	"$GG" audit prove --db "$P" --seq $s > "$T/p.pg" 2>/dev/null
	cmp -s "$T/p.src" "$T/p.pg"; expect_eq $? 0 "the same inclusion proof for seq $s"
done
"$GG" audit prove --db "$S" --from 2 > "$T/c.src" 2>/dev/null
"$GG" audit prove --db "$P" --from 2 > "$T/c.pg" 2>/dev/null
cmp -s "$T/c.src" "$T/c.pg"; expect_eq $? 0 "the same consistency proof"
"$GG" metrics --db "$S" --key "$T/log.pub" > "$T/m.src" 2>/dev/null
"$GG" metrics --db "$P" --key "$T/log.pub" > "$T/m.pg" 2>/dev/null
expect_eq "$(grep -v '^# \|_seconds\b' "$T/m.pg" | sort | md5sum)" "$(grep -v '^# \|_seconds\b' "$T/m.src" | sort | md5sum)" "the same metrics"
expect_rc 0 "sync status reads the copied replica" -- sync status --db "$P" --trust cloud.example/audit="$T/cloud.pub"

# the copy keeps working as a log: appends chain onto the copied head
expect_rc 0 "append to the copy" -- audit append --db "$P" --type after.copy --log-key "$T/log.key"
expect_out "^$n\$" "the next seq"
expect_rc 0 "the extended copy verifies" -- audit verify --db "$P" --key "$T/log.pub" --checkpoint "$T/saved.cp" --trust cloud.example/audit="$T/cloud.pub"

# PostgreSQL -> SQLite
B="$T/back.db"
expect_rc 0 "copy PostgreSQL to SQLite" -- audit copy --from "$P" --to "$B"
expect_rc 0 "the SQLite copy verifies" -- audit verify --db "$B" --key "$T/log.pub" --checkpoint "$T/saved.cp" --trust cloud.example/audit="$T/cloud.pub"
"$GG" audit export --db "$P" -o "$T/pg2.jsonl" 2>/dev/null
"$GG" audit export --db "$B" -o "$T/back.jsonl" 2>/dev/null
cmp -s "$T/pg2.jsonl" "$T/back.jsonl"; expect_eq $? 0 "byte-identical entries back in SQLite"
cmp -s "$T/pg2.jsonl.checkpoints" "$T/back.jsonl.checkpoints"; expect_eq $? 0 "byte-identical checkpoints back in SQLite"
head -n "$n" "$T/back.jsonl" | cmp -s - "$T/src.jsonl"; expect_eq $? 0 "the round trip kept the original entries"

# refusals
expect_rc 2 "no copy onto a log that holds entries" -- audit copy --from "$S" --to "$P"
expect_err "dbname=copy1 user=postgres: error: the destination already holds a log \([0-9]+ rows in entry\); copy into an empty database \[GV-A003\]" "the refusal names the destination"
expect_rc 2 "no copy from a database that does not exist" -- audit copy --from "$T/none.db" --to "$(pg_uri copy2)"
expect_err "none.db: error: cannot open the audit log" "the missing source is named"
expect_rc 2 "copy needs --from and --to" -- audit copy --from "$S"
expect_err "^govgate: audit copy: --from DB and --to DB are required" "usage"

# a tampered source is copied as it is, and the copy is just as tampered
sqlite3 "$T/tam.db" ".restore '$S'" 2>/dev/null || cp "$S" "$T/tam.db"
sqlite3 "$T/tam.db" "DROP TRIGGER entry_no_update; UPDATE entry SET bytes = CAST(replace(CAST(bytes AS TEXT), '\"n\":2', '\"n\":7') AS BLOB) WHERE seq = 2"
expect_rc 0 "a tampered log is copied" -- audit copy --from "$T/tam.db" --to "$(pg_uri tam)"
expect_rc 1 "its copy fails verification" -- audit verify --db "$(pg_uri tam)" --key "$T/log.pub" --trust cloud.example/audit="$T/cloud.pub"
expect_err "error: audit log tampered at seq 2" "at the same seq"

pg_stop
trap - EXIT INT TERM HUP
