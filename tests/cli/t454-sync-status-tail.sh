# t454: sync status --key counts an import only once a checkpoint signed by
# that key covers its sync.imported entry: an import recorded in the local
# log's unsigned tail (imported without --log-key) is left out of the
# import count, the last import, the announced size and the latencies
# until `audit checkpoint` covers it.
for s in cloud onprem; do
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

# the first import is signed (--log-key): the local log's entries 3..4
expect_rc 0 "export 0..5" -- sync export --db "$C" --since 0 -o "$T/c1.bundle"
expect_rc 0 "signed import" -- sync import --db "$O" --log-key "$T/onprem.key" --origin $OO --trust $CO="$T/cloud.pub" "$T/c1.bundle"
expect_out "recorded as seq 4 \(sync.imported\), key pinned \(sync.key_pinned\)$" "the first import is seq 4"
T1=$("$GG" audit log --db "$O" --type sync.imported | sed -n 's/.*"time":"\([^"]*\)".*/\1/p')
expect_eq "$(printf %s "$T1" | wc -c)" 20 "the first import's time"

# the cloud grows by 3 signed entries; this import is not signed: seq 5
for i in 6 7 8; do
	"$GG" audit append --db "$C" --type hybrid.deployment.completed --deployment "c-$i" \
		--log-key "$T/cloud.key" --origin $CO >/dev/null
done
expect_rc 0 "export 5..8" -- sync export --db "$C" --since 5 -o "$T/c2.bundle"
expect_rc 0 "unsigned import" -- sync import --db "$O" --trust $CO="$T/cloud.pub" "$T/c2.bundle"
expect_out "^imported 3 entries of 'cloud.example/audit' \(replica 5 -> 8 entries\), checkpoint for size 8 verified under key [0-9a-f]{64}; recorded as seq 5 \(sync.imported\)$" "the second import is seq 5"
expect_rc 1 "audit verify names the unsigned tail" -- audit verify --db "$O" --key "$T/onprem.pub"
expect_out "^audit log NOT VERIFIED: entries 5-5 \(1 of 6\) are an unauthenticated tail; entries 0-4 are covered by checkpoints signed by key [0-9a-f]{64}$" "verify names the tail: the import at seq 5"

# status under the local key: the import at seq 5 is not counted yet
expect_rc 0 "status with the import in the unsigned tail" -- sync status --key "$T/onprem.pub" --db "$O"
expect_out "^  entries:      8$" "the replica holds 8 verified entries"
expect_out "^  checkpoint:   size 8, imported \(not yet under a signed checkpoint\)$" "the import that brought checkpoint 8 is not signed yet"
expect_out "^  last import:  $T1 \(1 imports\)$" "only the signed import counts"
expect_out "^  announced:    5 entries \(unsigned claim of the exporter\)$" "the signed import's announced size"
expect_rc 0 "status as JSON with the import in the unsigned tail" -- sync status --key "$T/onprem.pub" --db "$O" -f json
expect_out "^\{\"replicas\":\[\{\"origin\":\"cloud.example/audit\",\"entries\":8,\"checkpoint_size\":8,\"checkpoint_imported\":null,\"last_import\":\"$T1\",\"imports\":1,\"announced\":5,\"lag_checkpoint\":0,\"lag_entries\":0," "JSON: 1 import, announced 5"
# the latencies are those of the 5 entries the signed import brought
L5=$(db_sql "$O" "select latency from replica_entry where seq = 4")
expect_out "\"sync_latency_last_seconds\":$L5," "JSON: the last latency is entry 4's"

# once a checkpoint covers seq 5 the import counts
expect_rc 0 "checkpoint the local log" -- audit checkpoint --db "$O" --log-key "$T/onprem.key" --origin $OO
T2=$("$GG" audit log --db "$O" --type sync.imported | sed -n '2s/.*"time":"\([^"]*\)".*/\1/p')
expect_rc 0 "status once the import is covered" -- sync status --key "$T/onprem.pub" --db "$O"
expect_out "^  checkpoint:   size 8, imported $T2$" "checkpoint 8 came with the second import"
expect_out "^  last import:  $T2 \(2 imports\)$" "both imports count"
expect_out "^  announced:    8 entries \(unsigned claim of the exporter\)$" "the second import's announced size"
expect_rc 0 "status as JSON once covered" -- sync status --key "$T/onprem.pub" --db "$O" -f json
expect_out "\"checkpoint_imported\":\"$T2\",\"last_import\":\"$T2\",\"imports\":2,\"announced\":8," "JSON: 2 imports, announced 8"
L8=$(db_sql "$O" "select latency from replica_entry where seq = 7")
expect_out "\"sync_latency_last_seconds\":$L8," "JSON: the last latency is entry 7's"

# with --trust only, the status shows the replica's import rows as before
expect_rc 0 "status under --trust" -- sync status --trust $CO="$T/cloud.pub" --db "$O"
expect_out "^  last import:  $T2 \(2 imports\)$" "--trust: both import rows"
