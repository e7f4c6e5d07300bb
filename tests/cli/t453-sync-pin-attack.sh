# t453: forgery path 1 of issue 7. An attacker who can write the on-prem
# database (INSERT only, triggers left in place) extends the replica of the
# cloud log with entries and a checkpoint signed by a key of their own. A
# key stored beside the data vouches for nothing: audit verify, sync status
# and the sync facts refuse the forged replica.
# sqlite-only: forges replica rows with ATTACH between SQLite files
for s in cloud onprem evil; do
	openssl genpkey -algorithm ed25519 -out "$T/$s.key" 2>/dev/null
	chmod 600 "$T/$s.key"
	openssl pkey -in "$T/$s.key" -pubout -out "$T/$s.pub"
done
C="$T/cloud.db"; O="$T/onprem.db"; E="$T/evil.db"; CO=cloud.example/audit

for i in 1 2 3; do
	"$GG" audit append --db "$C" --type hybrid.deployment.completed --payload "{\"n\":$i}" \
		--log-key "$T/cloud.key" --origin $CO >/dev/null
done
"$GG" audit append --db "$O" --type t --log-key "$T/onprem.key" >/dev/null
"$GG" sync export --db "$C" -o "$T/c.bundle" >/dev/null
expect_rc 0 "honest import, signed by the on-prem log key" -- sync import --db "$O" --log-key "$T/onprem.key" --trust $CO="$T/cloud.pub" "$T/c.bundle"
expect_rc 0 "the honest replica verifies" -- audit verify --db "$O" --key "$T/onprem.pub"
expect_out "^replica 'cloud.example/audit' intact: 3 entries, all covered by checkpoints signed by a key pinned in the log" "pinned key from the log"

# the attacker rebuilds the cloud log from the replica's rows, appends a
# forged entry and signs it with their own key under the cloud's origin
"$GG" audit append --db "$E" --type init >/dev/null
sqlite3 "$E" "DROP TRIGGER entry_no_delete; DELETE FROM entry; DELETE FROM tree_node;
	ATTACH '$O' AS o;
	INSERT INTO entry SELECT seq, bytes, hash, time, type, '', '' FROM o.replica_entry;
	INSERT INTO tree_node SELECT level, idx, hash FROM o.replica_node;"
"$GG" audit append --db "$E" --type hybrid.deployment.completed --payload '{"forged":true}' \
	--log-key "$T/evil.key" --origin $CO >/dev/null
"$GG" sync export --db "$E" --since 3 -o "$T/evil.bundle" >/dev/null
expect_eq "$(sed -n 3,4p "$T/evil.bundle" | tr '\n' ' ')" "from 3 to 4 " "the forged bundle extends the replica"

# A: the attacker runs govgate's own import with their key, without the log key
cp "$O" "$T/f1.db"
expect_rc 0 "govgate imports the forged bundle when told to trust the evil key" -- sync import --db "$T/f1.db" --rotate-key --trust $CO="$T/evil.pub" "$T/evil.bundle"
expect_rc 1 "the pin and import are an unauthenticated tail" -- audit verify --db "$T/f1.db" --key "$T/onprem.pub"
expect_rc 1 "even with the tail accepted, the evil pin is not trusted" -- audit verify --db "$T/f1.db" --key "$T/onprem.pub" --allow-unsigned-tail
expect_out "^replica 'cloud.example/audit' NOT VERIFIED: a checkpoint is not signed by any key trusted for it$" "the forged checkpoint is refused"
expect_err "the checkpoint for size 4 is signed by 'cloud.example/audit' key id [0-9a-f]{8}" "names who signed it"
expect_rc 1 "with the cloud key handed in, still refused" -- audit verify --db "$T/f1.db" --key "$T/onprem.pub" --allow-unsigned-tail --trust $CO="$T/cloud.pub"
expect_rc 1 "sync status refuses the forged replica" -- sync status --key "$T/onprem.pub" --db "$T/f1.db"
expect_err "the replica of 'cloud.example/audit' does not verify" "status says why"

# B: the attacker only INSERTs replica rows (no local log entries at all)
cp "$O" "$T/f2.db"
sqlite3 "$T/f2.db" "ATTACH '$T/f1.db' AS f;
	INSERT INTO replica_key SELECT * FROM f.replica_key WHERE id NOT IN (SELECT id FROM replica_key);
	INSERT INTO replica_entry SELECT * FROM f.replica_entry WHERE seq >= 3;
	INSERT INTO replica_node SELECT * FROM f.replica_node WHERE (origin, level, idx) NOT IN (SELECT origin, level, idx FROM replica_node);
	INSERT INTO replica_checkpoint SELECT * FROM f.replica_checkpoint WHERE size = 4;
	INSERT INTO replica_import SELECT * FROM f.replica_import WHERE id NOT IN (SELECT id FROM replica_import);"
expect_eq "$(sqlite3 "$T/f2.db" 'select count(*) from replica_entry')" 4 "the forged entry is in the replica"
expect_rc 1 "inserted replica rows fail audit verify" -- audit verify --db "$T/f2.db" --key "$T/onprem.pub"
expect_out "^audit log intact: 3 entries, all covered" "the local log itself is untouched"
expect_out "^replica 'cloud.example/audit' (NOT VERIFIED|TAMPERED)" "the replica is refused"
expect_rc 1 "sync status refuses it" -- sync status --key "$T/onprem.pub" --db "$T/f2.db"
expect_rc 1 "and with the cloud key handed in" -- sync status --trust $CO="$T/cloud.pub" --db "$T/f2.db"

# the honest database still reads
expect_rc 0 "the honest replica's status" -- sync status --key "$T/onprem.pub" --db "$O" -f json
expect_out '"entries":3,' "three honest entries"
