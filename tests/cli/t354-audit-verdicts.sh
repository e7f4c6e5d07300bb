# t354: forgery path 3 of issue 7 and the verdict wording: "intact" only
# when a checkpoint signed by the given key covers every entry; an
# unauthenticated tail, a log with no checkpoint by the key, or checkpoints
# by another key are exit 1 and say so; a malformed --checkpoint is exit 2
# at its file:line.
for s in log other; do
	openssl genpkey -algorithm ed25519 -out "$T/$s.key" 2>/dev/null
	chmod 600 "$T/$s.key"
	openssl pkey -in "$T/$s.key" -pubout -out "$T/$s.pub"
done
KID=$(openssl pkey -pubin -in "$T/log.pub" -outform DER | sha256sum | cut -c1-64)
DB="$T/a.db"

# a log with no checkpoint at all: nothing is proved
for i in 0 1 2; do "$GG" audit append --db "$DB" --type t --payload "{\"n\":$i}" >/dev/null; done
expect_rc 1 "no checkpoint: not verified" -- audit verify --db "$DB" --key "$T/log.pub"
expect_out "^audit log NOT VERIFIED: no checkpoint signed by key $KID; its 3 entries are unauthenticated$" "says nothing is proved"
expect_no_out "intact" "never 'intact' over an unsigned log"
expect_rc 1 "no checkpoint, even with the tail accepted" -- audit verify --db "$DB" --key "$T/log.pub" --allow-unsigned-tail
"$GG" audit export --db "$DB" -o "$T/a.jsonl" 2>/dev/null
expect_rc 1 "no checkpoint in an export" -- audit verify --jsonl "$T/a.jsonl" --key "$T/log.pub"
expect_out "no checkpoint signed by key $KID" "export: same verdict"

# the tail after the last checkpoint
"$GG" audit checkpoint --db "$DB" --log-key "$T/log.key" >/dev/null
for i in 3 4; do "$GG" audit append --db "$DB" --type t --payload "{\"n\":$i}" >/dev/null; done
expect_rc 1 "an unauthenticated tail is exit 1" -- audit verify --db "$DB" --key "$T/log.pub"
expect_out "^audit log NOT VERIFIED: entries 3-4 \(2 of 5\) are an unauthenticated tail; entries 0-2 are covered by checkpoints signed by key $KID$" "names the range"
expect_err "no checkpoint signed by key $KID covers entries 3-4.*--allow-unsigned-tail" "names the flag"
expect_rc 0 "the tail accepted explicitly" -- audit verify --db "$DB" --key "$T/log.pub" --allow-unsigned-tail
expect_out "^audit log intact: 5 entries, 0-2 covered by checkpoints signed by key $KID \(1 checkpoint signatures verified\); entries 3-4 are an unauthenticated tail, accepted with --allow-unsigned-tail$" "the accepted tail is still named"

# later checkpoints removed (database, triggers dropped; and export)
"$GG" audit checkpoint --db "$DB" --log-key "$T/log.key" >/dev/null
expect_rc 0 "fully covered" -- audit verify --db "$DB" --key "$T/log.pub"
expect_out "^audit log intact: 5 entries, all covered by checkpoints signed by key $KID \(2 checkpoint signatures verified\)$" "all covered"
"$GG" audit export --db "$DB" -o "$T/b.jsonl" 2>/dev/null
db_copy "$DB" "$T/cut.db"
db_tamper "$T/cut.db" "DROP TRIGGER checkpoint_no_delete; DELETE FROM checkpoint WHERE size = 5" \
	"DROP TRIGGER checkpoint_no_delete ON checkpoint; DELETE FROM checkpoint WHERE size = 5"
expect_rc 1 "the last checkpoint deleted: the tail shows" -- audit verify --db "$T/cut.db" --key "$T/log.pub"
expect_out "entries 3-4 \(2 of 5\) are an unauthenticated tail" "database: range named"
# keep only the first note of the export's checkpoints (a note ends after its signature lines)
awk '{ print } /^\xe2\x80\x94 / { exit }' "$T/b.jsonl.checkpoints" > "$T/first.cp"
cp "$T/b.jsonl" "$T/c.jsonl"; cp "$T/first.cp" "$T/c.jsonl.checkpoints"
expect_rc 1 "export with its later checkpoint removed" -- audit verify --jsonl "$T/c.jsonl" --key "$T/log.pub"
expect_out "entries 3-4 \(2 of 5\) are an unauthenticated tail" "export: range named"
: > "$T/c.jsonl.checkpoints"
expect_rc 1 "export with every checkpoint removed" -- audit verify --jsonl "$T/c.jsonl" --key "$T/log.pub"
expect_out "no checkpoint signed by key $KID" "export: nothing proved"

# checkpoints signed by someone else are not "tampered": the verdict says who signed
expect_rc 1 "another key" -- audit verify --db "$DB" --key "$T/other.pub"
expect_out "^audit log NOT VERIFIED: 2 checkpoints are not signed by key [0-9a-f]{64}$" "not signed by the given key"
expect_no_out "TAMPERED" "not called tampered"
expect_err "is signed by 'govgate.local/audit' key id [0-9a-f]{8}; the given key is 'govgate.local/audit' key id [0-9a-f]{8}" "note key ids named"
db_copy "$DB" "$T/mixed.db"
"$GG" audit append --db "$T/mixed.db" --type t --log-key "$T/other.key" >/dev/null
expect_rc 1 "a checkpoint by another key in the log" -- audit verify --db "$T/mixed.db" --key "$T/log.pub"
expect_out "^audit log NOT VERIFIED: 1 checkpoint is not signed by key $KID$" "one foreign checkpoint"

# a forged signature line by the right key name and key id is tampering
db_copy "$DB" "$T/sig.db"
db_tamper "$T/sig.db" "DROP TRIGGER checkpoint_no_update; UPDATE checkpoint SET note = replace(note, substr(note, length(note) - 5, 4), 'AAAA') WHERE size = 5" \
	"DROP TRIGGER checkpoint_no_update ON checkpoint; UPDATE checkpoint SET note = replace(note, substr(note, length(note) - 5, 4), 'AAAA') WHERE size = 5"
expect_rc 1 "a broken signature by the log key" -- audit verify --db "$T/sig.db" --key "$T/log.pub"
expect_out "^audit log TAMPERED$" "tampered"

# malformed saved checkpoints are input errors at their line (exit 2), not tampering
"$GG" audit checkpoint --db "$DB" -o "$T/saved.cp" >/dev/null
expect_rc 0 "a good saved checkpoint" -- audit verify --db "$DB" --key "$T/log.pub" --checkpoint "$T/saved.cp"
: > "$T/empty.cp"
expect_rc 2 "an empty saved checkpoint" -- audit verify --db "$DB" --key "$T/log.pub" --checkpoint "$T/empty.cp"
expect_err "empty.cp:1:1: error: note has no signature block" "empty: file and line"
{ cat "$T/saved.cp"; echo; } > "$T/blank.cp"
expect_rc 2 "an extra blank line" -- audit verify --db "$DB" --key "$T/log.pub" --checkpoint "$T/blank.cp"
expect_err "blank.cp:6:1: error: note signature block is empty or unterminated" "blank line: file and line"
printf 'hello\nworld\n' > "$T/text.cp"
expect_rc 2 "not a signed note" -- audit verify --db "$DB" --key "$T/log.pub" --checkpoint "$T/text.cp"
expect_err "text.cp:2:1: error: note has no signature block" "not a note: file and line"
sed '5s/^— /-- /' "$T/saved.cp" > "$T/dash.cp"
expect_rc 2 "a signature line without its em dash" -- audit verify --db "$DB" --key "$T/log.pub" --checkpoint "$T/dash.cp"
expect_err "dash.cp:5:1: error: note signature line 1 does not start with an em dash" "bad line named"
sed '2s/5/five/' "$T/saved.cp" > "$T/size.cp"
expect_rc 2 "a checkpoint whose size is not a number" -- audit verify --db "$DB" --key "$T/log.pub" --checkpoint "$T/size.cp"
expect_err "size.cp: error: checkpoint tree size 'five' is not a decimal number" "bad size named"
"$GG" audit checkpoint --db "$T/mixed.db" -o "$T/foreign.cp" >/dev/null
expect_rc 1 "a saved checkpoint by another key" -- audit verify --db "$DB" --key "$T/log.pub" --checkpoint "$T/foreign.cp"
expect_out "NOT VERIFIED: 1 checkpoint is not signed by key $KID" "foreign saved checkpoint"
