# t350: the audit log round trip: append, checkpoint, prove, export, verify.
openssl genpkey -algorithm ed25519 -out "$T/log.key" 2>/dev/null
chmod 600 "$T/log.key"
openssl pkey -in "$T/log.key" -pubout -out "$T/log.pub"
DB="$T/a.db"

expect_rc 2 "audit verify needs an existing database" -- audit verify --db "$T/none.db" --key "$T/log.pub"
expect_err "none.db: error: cannot open the audit log" "missing database is named"
expect_rc 2 "audit checkpoint without a log is an error" -- audit checkpoint --db "$T/none.db"
[ ! -e "$T/none.db" ]; expect_eq $? 0 "read-only verbs never create a database"

for i in 0 1 2 3 4 5; do
	expect_rc 0 "append $i" -- audit append --db "$DB" --type governance.validated \
		--deployment "dep-$((i % 2))" --actor ci --payload "{\"n\":$i}" --log-key "$T/log.key"
	expect_out "^$i\$" "append prints seq $i"
done
expect_rc 0 "intact log verifies" -- audit verify --db "$DB" --key "$T/log.pub"
expect_out "^audit log intact: 6 entries, all covered by checkpoints signed by key $(openssl pkey -pubin -in "$T/log.pub" -outform DER | sha256sum | cut -c1-64) \(6 checkpoint signatures verified\)$" "verify says what it covered, by which key id"

expect_rc 0 "checkpoint prints the latest" -- audit checkpoint --db "$DB" -o "$T/saved.cp"
expect_eq "$(sed -n 2p "$T/saved.cp")" 6 "checkpoint is for size 6"
expect_eq "$(sed -n 1p "$T/saved.cp")" govgate.local/audit "default origin"
expect_rc 0 "checkpoint again signs nothing new" -- audit checkpoint --db "$DB" --log-key "$T/log.key"
expect_eq "$(cat "$T/out")" "$(cat "$T/saved.cp")" "one checkpoint per size"

GOVGATE_DB="$DB" expect_rc 0 "GOVGATE_DB names the database" -- audit verify --key "$T/log.pub"

expect_rc 0 "log filters by deployment" -- audit log --db "$DB" --deployment dep-1
expect_eq "$(wc -l < "$T/out")" 3 "three entries for dep-1"
expect_rc 0 "log filters by type and time" -- audit log --db "$DB" --type governance.validated --since 2000-01-01 --until 2999-12-31
expect_eq "$(wc -l < "$T/out")" 6 "all six entries in range"
expect_rc 0 "log --until in the past" -- audit log --db "$DB" --until 2000-01-01
expect_eq "$(wc -c < "$T/out")" 0 "nothing before 2000"
expect_rc 2 "a malformed time is refused" -- audit log --db "$DB" --since yesterday

expect_rc 0 "inclusion proof" -- audit prove --db "$DB" --seq 3
expect_out "^c2sp.org/tlog-proof@v1$" "tlog-proof header"
expect_out "^index 3$" "tlog-proof index"
expect_rc 0 "consistency proof" -- audit prove --db "$DB" --from 2 -o "$T/cons.proof"
expect_eq "$(sed -n 2p "$T/cons.proof")" "old 2" "consistency proof from size 2"
expect_rc 2 "seq beyond the checkpoint" -- audit prove --db "$DB" --seq 6
expect_rc 2 "--seq and --from together" -- audit prove --db "$DB" --seq 1 --from 1

expect_rc 0 "export" -- audit export --db "$DB" -o "$T/x.jsonl"
expect_eq "$(wc -l < "$T/x.jsonl")" 6 "one line per entry"
expect_rc 0 "log prints the stored bytes" -- audit log --db "$DB"
cmp -s "$T/out" "$T/x.jsonl"; expect_eq $? 0 "export is exactly the stored bytes plus newlines"
[ ! -e "$T/x.jsonl.tmp" ]; expect_eq $? 0 "export leaves no temporary file"
expect_rc 0 "export verifies without SQLite" -- audit verify --jsonl "$T/x.jsonl" --key "$T/log.pub" --checkpoint "$T/saved.cp"

openssl genpkey -algorithm ed25519 -out "$T/other.key" 2>/dev/null
openssl pkey -in "$T/other.key" -pubout -out "$T/other.pub"
expect_rc 1 "another key's log does not verify" -- audit verify --db "$DB" --key "$T/other.pub"
expect_out "^audit log NOT VERIFIED: 6 checkpoints are not signed by key [0-9a-f]{64}$" "wrong key: not signed by it, not tampered"
expect_no_out "TAMPERED" "a checkpoint by another key is not called tampered"
expect_err "the checkpoint for size 1 is signed by 'govgate.local/audit' key id [0-9a-f]{8}; the given key is 'govgate.local/audit' key id [0-9a-f]{8}" "who signed it and which key was given"

expect_rc 2 "append refuses a bad payload" -- audit append --db "$DB" --type t --payload '{"a": 1}'
expect_err "payload is not one compact JSON object" "bad payload message"
expect_rc 2 "append refuses a bad type" -- audit append --db "$DB" --type 'bad type'
expect_rc 2 "append refuses an unknown option" -- audit append --db "$DB" --type t --seq 3
expect_rc 0 "nothing was appended by failures" -- audit verify --db "$DB" --key "$T/log.pub"
expect_out "intact: 6 entries" "still six entries"

GOVGATE_LOG_ORIGIN=example.com/log expect_rc 0 "origin from the environment" -- audit append --db "$T/b.db" --type t --log-key "$T/log.key"
expect_rc 0 "checkpoint of b" -- audit checkpoint --db "$T/b.db"
expect_out "^example.com/log$" "origin line"
expect_rc 0 "verifier key" -- audit key --key "$T/log.pub" --origin example.com/log
expect_out "^example.com/log\+[0-9a-f]{8}\+A" "verifier key form"
