# t450: sync bundles between two logs, both ways: export, import into a
# verified replica, repeated imports, status and lag, audit verify of
# replicas, key pinning and rotation.
for s in cloud onprem other; do
	openssl genpkey -algorithm ed25519 -out "$T/$s.key" 2>/dev/null
	chmod 600 "$T/$s.key"
	openssl pkey -in "$T/$s.key" -pubout -out "$T/$s.pub"
done
C="$T/cloud.db"; O="$T/onprem.db"
CO=cloud.example/audit; OO=onprem.example/audit

for i in 1 2 3 4 5; do
	"$GG" audit append --db "$C" --type hybrid.deployment.completed --deployment "c-$i" \
		--log-key "$T/cloud.key" --origin $CO >/dev/null
done
for i in 1 2 3; do
	"$GG" audit append --db "$O" --type governance.validated --deployment "o-$i" \
		--log-key "$T/onprem.key" --origin $OO >/dev/null
done

expect_rc 0 "export the cloud log from 0" -- sync export --db "$C" --since 0 -o "$T/c1.bundle"
expect_out "^exported entries 0 to 5 \(5 entries, [0-9]+ bytes\) of 'cloud.example/audit'" "export says what it wrote"
expect_eq "$(sed -n 1p "$T/c1.bundle")" "govgate.dev/sync-bundle@v1" "bundle header"
expect_eq "$(sed -n 2,5p "$T/c1.bundle" | tr '\n' ' ')" "origin $CO from 0 to 5 announced 5 " "bundle sizes"
[ ! -e "$T/c1.bundle.tmp" ] && ! ls "$T"/c1.bundle.tmp-* >/dev/null 2>&1; expect_eq $? 0 "export leaves no temporary file"

expect_rc 0 "import the cloud bundle on-prem" -- sync import --db "$O" --log-key "$T/onprem.key" --origin $OO --trust $CO="$T/cloud.pub" "$T/c1.bundle"
expect_out "^imported 5 entries of 'cloud.example/audit' \(replica 0 -> 5 entries\), checkpoint for size 5 verified under key $(openssl pkey -pubin -in "$T/cloud.pub" -outform DER | sha256sum | cut -c1-64); recorded as seq 4 \(sync.imported\), key pinned \(sync.key_pinned\)$" "import summary"
expect_rc 0 "the local log records the pin" -- audit log --db "$O" --type sync.key_pinned
expect_out '"payload":\{"origin":"cloud.example/audit","key":"[A-Za-z0-9+/=]{44}","keyid":"[0-9a-f]{64}","replaces":null\}' "sync.key_pinned payload"
expect_rc 0 "the local log records the import" -- audit log --db "$O" --type sync.imported
expect_out '"payload":\{"origin":"cloud.example/audit","from":0,"to":5,"entries":5,"time":"[0-9T:Z-]{20}","announced":5\}' "sync.imported payload"
expect_eq "$(db_sql "$O" 'select count(*) from replica_entry')" 5 "five replica entries"
expect_eq "$(db_sql "$O" "select group_concat(type) from (select type from replica_entry order by seq) t")" \
	"hybrid.deployment.completed,hybrid.deployment.completed,hybrid.deployment.completed,hybrid.deployment.completed,hybrid.deployment.completed" "replica keeps each entry's type"
expect_eq "$(db_sql "$C" 'select group_concat(hex(bytes)) from (select bytes from entry order by seq) t')" \
	"$(db_sql "$O" 'select group_concat(hex(bytes)) from (select bytes from replica_entry order by seq) t')" "replica holds the exact stored bytes"

# the same bundle again changes nothing
"$GG" audit export --db "$O" -o "$T/o-before.jsonl" 2>/dev/null
db_dump "$O" > "$T/o-before.sql"
expect_rc 0 "importing the same bundle again" -- sync import --db "$O" --log-key "$T/onprem.key" --origin $OO --trust $CO="$T/cloud.pub" "$T/c1.bundle"
expect_out "^already up to date: the replica of 'cloud.example/audit' holds 5 entries$" "says already up to date"
db_dump "$O" > "$T/o-after.sql"
cmp -s "$T/o-before.sql" "$T/o-after.sql"; expect_eq $? 0 "repeated import leaves the database as it was"
"$GG" audit export --db "$O" -o "$T/o-after.jsonl" 2>/dev/null
expect_eq "$(cat "$T/o-before.jsonl" "$T/o-before.jsonl.checkpoints" | sha256sum)" \
	"$(cat "$T/o-after.jsonl" "$T/o-after.jsonl.checkpoints" | sha256sum)" "export checksums are unchanged"
expect_eq "$(db_sql "$O" 'select count(*) from replica_import')" 1 "one import recorded"

# the other way: on-prem to cloud
expect_rc 0 "export on-prem" -- sync export --db "$O" -o "$T/o1.bundle" --log-key "$T/onprem.key" --origin $OO
expect_out "exported entries 0 to 5 \(5 entries" "on-prem's import entries are signed"
expect_rc 0 "import on-prem into the cloud" -- sync import --db "$C" --log-key "$T/cloud.key" --origin $CO --trust $OO="$T/onprem.pub" "$T/o1.bundle"
expect_out "imported 5 entries of 'onprem.example/audit' \(replica 0 -> 5 entries\)" "cloud imports on-prem"

# incremental: the cloud grows, the bundle starts where the replica ends
for i in 6 7 8; do
	"$GG" audit append --db "$C" --type hybrid.deployment.blocked --log-key "$T/cloud.key" --origin $CO >/dev/null
done
expect_rc 0 "incremental export" -- sync export --db "$C" --since 5 -o "$T/c2.bundle"
expect_eq "$(sed -n 3,4p "$T/c2.bundle" | tr '\n' ' ')" "from 5 to 10 " "incremental range (3 appends + the pin and import entries)"
expect_rc 0 "incremental import" -- sync import --db "$O" --log-key "$T/onprem.key" --origin $OO --trust $CO="$T/cloud.pub" "$T/c2.bundle"
expect_out "imported 5 entries of 'cloud.example/audit' \(replica 5 -> 10 entries\)" "incremental summary"
expect_rc 0 "an older bundle after a newer one" -- sync import --db "$O" --log-key "$T/onprem.key" --origin $OO --trust $CO="$T/cloud.pub" "$T/c1.bundle"
expect_out "already up to date" "older bundle changes nothing"
expect_rc 2 "a bundle that starts after the replica's end" -- sync import --db "$T/fresh.db" --trust $CO="$T/cloud.pub" "$T/c2.bundle"
expect_err "c2.bundle: error: the bundle starts at 5 but the replica of 'cloud.example/audit' holds 0 entries; ask for a bundle made with --since 0" "gap is explained"

# lag: the cloud appends without signing; the bundle stops at the checkpoint
for i in 1 2 3; do "$GG" audit append --db "$C" --type t >/dev/null; done
expect_rc 0 "export without a key stops at the checkpoint" -- sync export --db "$C" --since 10 -o "$T/c3.bundle"
expect_err "note: 3 newer entries are not covered by a checkpoint" "export says what it left out"
expect_eq "$(sed -n 3,5p "$T/c3.bundle" | tr '\n' ' ')" "from 10 to 10 announced 13 " "empty bundle announces 13"
expect_rc 0 "import of an empty bundle" -- sync import --db "$O" --log-key "$T/onprem.key" --origin $OO --trust $CO="$T/cloud.pub" "$T/c3.bundle"
expect_out "already up to date" "nothing new in it"
"$GG" audit checkpoint --db "$C" --log-key "$T/cloud.key" --origin $CO >/dev/null
"$GG" audit append --db "$C" --type t >/dev/null
"$GG" audit append --db "$C" --type t >/dev/null
expect_rc 0 "export 10..13, announcing 15" -- sync export --db "$C" --since 10 -o "$T/c4.bundle"
expect_rc 0 "import 10..13" -- sync import --db "$O" --log-key "$T/onprem.key" --origin $OO --trust $CO="$T/cloud.pub" "$T/c4.bundle"
expect_rc 0 "sync status" -- sync status --key "$T/onprem.pub" --db "$O"
expect_out "^replica cloud.example/audit$" "status names the replica"
expect_out "^  entries:      13$" "status: replica size"
expect_out "^  checkpoint:   size 13, imported 20[0-9-]+T[0-9:]+Z$" "status: checkpoint size and time"
expect_out "^  last import:  20[0-9-]+T[0-9:]+Z \(3 imports\)$" "status: last import"
expect_out "^  announced:    15 entries \(unsigned claim of the exporter\)$" "status: announced size, marked unsigned"
expect_out "^  lag:          0 signed entries not held$" "status: lag from signed data only"
expect_out "^  since import: [0-9]+ s$" "status: time since the last import"
expect_out "^  newest entry: 20[0-9-]+T[0-9:]+Z \([0-9]+ s old\)$" "status: age of the newest replicated entry"
expect_out "^  sync latency: last [0-9]+ s, p95 [0-9]+ s$" "status: latency"
expect_rc 0 "sync status as JSON" -- sync status --key "$T/onprem.pub" --db "$O" -f json
expect_out '^\{"replicas":\[\{"origin":"cloud.example/audit","entries":13,"checkpoint_size":13,"checkpoint_imported":"[0-9TZ:-]+","last_import":"[0-9TZ:-]+","imports":3,"announced":15,"lag_checkpoint":0,"lag_entries":0,"since_last_import_seconds":[0-9]+,"newest_entry":"[0-9TZ:-]+","newest_entry_age_seconds":[0-9]+,"sync_latency_last_seconds":[0-9]+,"sync_latency_p95_seconds":[0-9]+\}\]\}$' "status JSON"
lat=$(db_sql "$O" 'select case when min(latency) >= 0 and max(latency) < 120 then 1 else 0 end from replica_entry')
expect_eq "$lat" 1 "sync latencies are stored per entry, in seconds"
expect_rc 0 "status of one origin" -- sync status --key "$T/onprem.pub" --db "$O" --origin $CO
expect_rc 2 "status of an unknown origin" -- sync status --key "$T/onprem.pub" --db "$O" --origin nope
expect_err "no replica of 'nope'" "unknown origin named"
expect_rc 0 "status of the cloud's replica, under the cloud's key" -- sync status --key "$T/cloud.pub" --db "$T/cloud.db" --origin $OO
expect_rc 2 "status of a missing database" -- sync status --key "$T/onprem.pub" --db "$T/missing.db"
expect_err "missing.db: error: cannot open the audit log" "missing database named"
expect_rc 2 "status of replicas without a key to verify them" -- sync status --db "$O"
expect_err "a replica is shown only once it verifies: give --key" "says which key is missing"

# audit verify checks the local log and every replica
expect_rc 0 "audit verify on-prem with its replica" -- audit verify --db "$O" --key "$T/onprem.pub"
expect_out "^replica 'cloud.example/audit' intact: 13 entries, all covered by checkpoints signed by a key pinned in the log \(3 checkpoint signatures verified\)$" "replica verified under the pinned key"
expect_rc 1 "the cloud's unsigned appends are an unauthenticated tail" -- audit verify --db "$C" --key "$T/cloud.pub"
expect_out "^audit log NOT VERIFIED: entries 13-14 \(2 of 15\) are an unauthenticated tail" "tail named"
"$GG" audit checkpoint --db "$C" --log-key "$T/cloud.key" --origin $CO >/dev/null
expect_rc 0 "audit verify the cloud with its replica" -- audit verify --db "$C" --key "$T/cloud.pub"
expect_out "^replica 'onprem.example/audit' intact: 5 entries" "cloud's replica verified"

# key pinning: another key for the same origin is refused unless rotated
"$GG" audit append --db "$T/o2.db" --type t --log-key "$T/other.key" --origin $OO >/dev/null
"$GG" sync export --db "$T/o2.db" -o "$T/o2.bundle" >/dev/null
expect_rc 1 "another key for a pinned origin" -- sync import --db "$C" --trust $OO="$T/other.pub" "$T/o2.bundle"
expect_err "pinned to key id [0-9a-f]{64} since its first import, but the key given is [0-9a-f]{64}; pass --rotate-key" "pinning explained"

# usage errors
expect_rc 2 "import needs --trust" -- sync import --db "$O" "$T/c1.bundle"
expect_rc 2 "--trust needs ORIGIN=PUB" -- sync import --db "$O" --trust "$T/cloud.pub" "$T/c1.bundle"
expect_err "--trust '.*' is not ORIGIN=PUBLIC-KEY-FILE" "bad --trust named"
expect_rc 2 "--trust with a missing key file" -- sync import --db "$O" --trust $CO="$T/none.pub" "$T/c1.bundle"
expect_err "none.pub" "missing key file named"
expect_rc 2 "export needs -o" -- sync export --db "$C"
expect_rc 2 "export --since beyond the checkpoint" -- sync export --db "$C" --since 99 -o "$T/x.bundle"
expect_err "--since 99 is beyond the latest checkpoint \(size 15\)" "since too large"
[ ! -e "$T/x.bundle" ]; expect_eq $? 0 "a failed export writes nothing"
expect_rc 2 "export of a log without checkpoints" -- sync export --db "$T/fresh2.db" -o "$T/x.bundle"
expect_rc 2 "status -f yaml is refused" -- sync status --key "$T/onprem.pub" --db "$O" -f yaml

# a real rotation: the on-prem log signs its next checkpoint with a new key
"$GG" audit append --db "$O" --type t --log-key "$T/other.key" --origin $OO >/dev/null
expect_rc 0 "export after the key change" -- sync export --db "$O" --since 4 -o "$T/o3.bundle"
expect_rc 1 "the new key is refused without --rotate-key" -- sync import --db "$C" --trust $OO="$T/other.pub" "$T/o3.bundle"
expect_rc 1 "the old key does not verify the new checkpoint" -- sync import --db "$C" --trust $OO="$T/onprem.pub" "$T/o3.bundle"
expect_err "not signed by the key trusted for 'onprem.example/audit'" "old key: signature refused"
expect_rc 0 "--rotate-key accepts the new key" -- sync import --db "$C" --trust $OO="$T/other.pub" --rotate-key "$T/o3.bundle"
expect_out "replica 5 -> [0-9]+ entries.*, key pinned \(sync.key_pinned\)$" "rotation import pins the new key"
run audit log --db "$C" --type sync.key_pinned
expect_out '"replaces":"[0-9a-f]{64}"' "the rotation names the key it replaces"
expect_rc 1 "a rotation pinned in the unsigned tail is not trusted" -- audit verify --db "$C" --key "$T/cloud.pub" --allow-unsigned-tail
expect_out "^replica 'onprem.example/audit' NOT VERIFIED: a checkpoint is not signed by any key trusted for it$" "the new key is not trusted yet"
expect_rc 0 "the auditor may hand in both keys" -- audit verify --db "$C" --key "$T/cloud.pub" --allow-unsigned-tail --trust $OO="$T/onprem.pub" --trust $OO="$T/other.pub"
expect_out "^replica 'onprem.example/audit' intact: [0-9]+ entries, all covered by checkpoints signed by a key given with --trust" "verified under the keys handed in"
"$GG" audit checkpoint --db "$C" --log-key "$T/cloud.key" --origin $CO >/dev/null
expect_eq "$(db_sql "$C" "select count(*) from replica_key where origin = '$OO'")" 2 "both keys are kept"
expect_rc 0 "replica checkpoints verify under the key of their import" -- audit verify --db "$C" --key "$T/cloud.pub"
expect_out "^replica 'onprem.example/audit' intact" "rotated replica intact"
