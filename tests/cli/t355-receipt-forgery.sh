# t355: forgery path 2 of issue 7. A receipt is an entry of the log: it
# cannot be rewritten without audit verify failing, it must agree with the
# governance.validated entry it names, `receipts --sign` signs only what a
# checkpoint signed by the log key covers, and `verify --log-pub` checks
# that the signed receipt is exactly the logged one.
# sqlite-only: rewrites entries with SQLite blob functions and an old-version table; t372-pg-tamper.sh covers rewritten entries on PostgreSQL
P="--rules rules --policy policies"
F="--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"
M=fixtures/manifests/governance-failure.yaml
K=$T/keys
mkdir -p "$K"
"$GG" keygen --out "$K/rep" >/dev/null 2>&1
"$GG" keygen --out "$K/log" >/dev/null 2>&1
DB="$T/a.db"
expect_rc 1 "a halted run with a receipt" -- check $P $F --sign "$K/rep.key" --receipt "$T/rc.dsse" --db "$DB" --log-key "$K/log.key" --actor ci $M
expect_rc 0 "the log verifies" -- audit verify --db "$DB" --key "$K/log.pub"
run receipts --db "$DB" -f json
dep=$(sed 's/.*"deployment_id":"\([^"]*\)".*/\1/' "$T/out" | head -1)
expect_out '"status":"halted","decision":"halt"' "the receipt says halted"
rseq=$(sqlite3 "$DB" "select seq from entry where type = 'deployment.receipt'")

# 1. the receipt's entry rewritten to completed/allow (triggers dropped)
cp "$DB" "$T/edit.db"
sqlite3 "$T/edit.db" "DROP TRIGGER entry_no_update; UPDATE entry SET bytes = CAST(replace(replace(CAST(bytes AS TEXT), '\"status\":\"halted\"', '\"status\":\"completed\"'), '\"decision\":\"halt\"', '\"decision\":\"allow\"') AS BLOB) WHERE type = 'deployment.receipt'"
expect_rc 1 "a rewritten receipt fails audit verify" -- audit verify --db "$T/edit.db" --key "$K/log.pub"
expect_out "^audit log TAMPERED$" "tampered"
expect_err "tampered at seq $rseq" "names the receipt's seq"
expect_rc 1 "receipts --sign refuses the rewritten receipt" -- receipts --db "$T/edit.db" --deployment "$dep" --sign "$K/rep.key" --log-pub "$K/log.pub" -o "$T/forged.dsse"
expect_err "the log does not verify under key [0-9a-f]{64}; no receipt from it is signed" "says why"
[ ! -e "$T/forged.dsse" ] && pass || fail "a forged receipt was signed"

# 2. an appender without the log key adds a receipt that says completed/allow
cp "$DB" "$T/app.db"
forged=$(sqlite3 "$DB" "select CAST(bytes AS TEXT) from entry where type = 'deployment.receipt'" |
	sed 's/.*"payload":\(.*\),"prev":"[0-9a-f]*"}$/\1/; s/"status":"halted"/"status":"completed"/; s/"decision":"halt"/"decision":"allow"/')
copy=$(sqlite3 "$DB" "select CAST(bytes AS TEXT) from entry where type = 'deployment.receipt'" |
	sed 's/.*"payload":\(.*\),"prev":"[0-9a-f]*"}$/\1/')
cp "$DB" "$T/tail.db"
expect_rc 0 "a copy of the receipt is appended without the log key" -- audit append --db "$T/tail.db" --type deployment.receipt --deployment "$dep" --actor ci --payload "$copy"
expect_rc 1 "it is an unauthenticated tail" -- audit verify --db "$T/tail.db" --key "$K/log.pub"
expect_out "^audit log NOT VERIFIED: entries $((rseq + 1))-$((rseq + 1)) " "the tail is named"
expect_rc 1 "receipts --sign refuses a receipt no checkpoint covers" -- receipts --db "$T/tail.db" --deployment "$dep" --sign "$K/rep.key" --log-pub "$K/log.pub" -o "$T/forged.dsse"
expect_err "is not covered by a checkpoint signed by key [0-9a-f]{64}, so the log does not prove it" "says why"
[ ! -e "$T/forged.dsse" ] && pass || fail "an unproved receipt was signed"
expect_rc 0 "the forged receipt is appended" -- audit append --db "$T/app.db" --type deployment.receipt --deployment "$dep" --actor ci --payload "$forged"
# an honest checkpointer signs the head: the receipt contradicts its validated entry
"$GG" audit checkpoint --db "$T/app.db" --log-key "$K/log.key" >/dev/null
expect_rc 1 "a receipt that contradicts its governance.validated entry" -- audit verify --db "$T/app.db" --key "$K/log.pub"
expect_err "receipt at seq $((rseq + 1)) contradicts the log: its deployment, decision or manifest differ from the governance.validated entry 0 it names" "names both entries"
expect_rc 1 "receipts --sign still refuses" -- receipts --db "$T/app.db" --deployment "$dep" --sign "$K/rep.key" --log-pub "$K/log.pub" -o "$T/forged.dsse"
"$GG" audit export --db "$T/app.db" -o "$T/app.jsonl" 2>/dev/null
expect_rc 1 "the export fails the same way" -- audit verify --jsonl "$T/app.jsonl" --key "$K/log.pub"
expect_err "contradicts the log" "export: receipt checked"

# 3. a receipt whose status does not follow from its decision
cp "$DB" "$T/st.db"
bad=$(echo "$forged" | sed 's/"decision":"allow"/"decision":"halt"/')
"$GG" audit append --db "$T/st.db" --type deployment.receipt --deployment "$dep" --payload "$bad" --log-key "$K/log.key" >/dev/null
expect_rc 1 "completed after a halt" -- audit verify --db "$T/st.db" --key "$K/log.pub"
expect_err "the receipt's status does not follow from its decision" "says why"

# 4. a receipt that names no validated entry
cp "$DB" "$T/ref.db"
noref=$(sqlite3 "$DB" "select CAST(bytes AS TEXT) from entry where type = 'deployment.receipt'" |
	sed 's/.*"payload":\(.*\),"prev":"[0-9a-f]*"}$/\1/; s/"log_seq":0/"log_seq":1/')
"$GG" audit append --db "$T/ref.db" --type deployment.receipt --deployment "$dep" --payload "$noref" --log-key "$K/log.key" >/dev/null
expect_rc 1 "log_seq naming another kind of entry" -- audit verify --db "$T/ref.db" --key "$K/log.pub"
expect_err "its log_seq 1 is not an earlier governance.validated entry" "says why"

# 5. a table an earlier version kept receipts in is never read
cp "$DB" "$T/old.db"
sqlite3 "$T/old.db" "CREATE TABLE receipt (id INTEGER PRIMARY KEY, deployment_id TEXT, created TEXT, json BLOB);
	INSERT INTO receipt (deployment_id, created, json) VALUES ('$dep', 'x', '{\"deployment_id\":\"$dep\",\"status\":\"completed\"}')"
expect_rc 0 "receipts lists only the log's" -- receipts --db "$T/old.db" -f json
expect_no_out '"status":"completed"' "the stray table is not read"

# 6. the signed receipt carries its proof; a statement re-signed with the
# real signing key but a changed receipt does not match the logged entry
expect_rc 0 "the run's signed receipt is proved by the log" -- verify --key "$K/rep.pub" --log-pub "$K/log.pub" "$T/rc.dsse"
expect_out "^log: entry $rseq of 'govgate.local/audit' included in the checkpoint for size $((rseq + 1)) signed by key [0-9a-f]{64}$" "entry and checkpoint named"
sed 's/.*"payload":"\([^"]*\)".*/\1/' "$T/rc.dsse" | base64 -d | sed 's/"status":"halted"/"status":"completed"/; s/"decision":"halt"/"decision":"allow"/' > "$T/crafted.json"
expect_rc 0 "the attacker re-signs a changed statement" -- key sign-statement --key "$K/rep.key" --statement "$T/crafted.json" -o "$T/crafted.dsse"
expect_rc 0 "the signature alone is valid" -- verify --key "$K/rep.pub" "$T/crafted.dsse"
expect_out "^log: proof present, not checked" "and says the log was not checked"
expect_rc 1 "but the log does not prove it" -- verify --key "$K/rep.pub" --log-pub "$K/log.pub" "$T/crafted.dsse"
expect_err "the signed receipt differs from the receipt the log recorded at seq $rseq" "says why"
