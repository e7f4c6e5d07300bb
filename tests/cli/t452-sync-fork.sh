# t452: a fork. The cloud's log is rebuilt from scratch with different
# entries to the same size and signed with the same key; every bundle of it
# is refused with an ALERT and a sync.fork_detected entry in the local log,
# and the replica is left untouched.
for s in cloud onprem; do
	openssl genpkey -algorithm ed25519 -out "$T/$s.key" 2>/dev/null
	chmod 600 "$T/$s.key"
	openssl pkey -in "$T/$s.key" -pubout -out "$T/$s.pub"
done
C="$T/cloud.db"; C2="$T/cloud2.db"; O="$T/onprem.db"; CO=cloud.example/audit
TR="--log-key $T/onprem.key --trust $CO=$T/cloud.pub"

for i in 1 2 3 4 5 6 7; do
	"$GG" audit append --db "$C" --type hybrid.deployment.completed --payload "{\"n\":$i}" >/dev/null
done
"$GG" audit checkpoint --db "$C" --log-key "$T/cloud.key" --origin $CO >/dev/null
"$GG" audit append --db "$O" --type t --log-key "$T/onprem.key" >/dev/null
"$GG" sync export --db "$C" -o "$T/good.bundle" >/dev/null
expect_rc 0 "the honest log imports" -- sync import --db "$O" $TR "$T/good.bundle"

# the rebuilt log: other entries, the same size, the same key
for i in 1 2 3 4 5 6 7; do
	"$GG" audit append --db "$C2" --type hybrid.deployment.completed --payload "{\"n\":-$i}" >/dev/null
done
"$GG" audit checkpoint --db "$C2" --log-key "$T/cloud.key" --origin $CO >/dev/null
"$GG" sync export --db "$C2" --since 0 -o "$T/fork-all.bundle" >/dev/null
"$GG" sync export --db "$C2" --since 7 -o "$T/fork-head.bundle" >/dev/null
held_root=$(grep -A2 "^$CO\$" "$T/good.bundle" | sed -n 3p)
fork_root=$(grep -A2 "^$CO\$" "$T/fork-all.bundle" | sed -n 3p)
[ "$held_root" != "$fork_root" ]; expect_eq $? 0 "the two logs really have different roots for size 7"

db_sql "$O" 'select * from replica_entry; select * from replica_checkpoint; select * from replica_node; select * from replica_import; select * from replica_key' > "$T/replica-before"
n0=$(db_sql "$O" 'select count(*) from entry')

expect_rc 1 "a fork (the whole rebuilt log) is refused" -- sync import --db "$O" $TR "$T/fork-all.bundle"
expect_err "^ALERT: sync fork detected: 'cloud.example/audit' signed two different roots for tree size 7 \(held $(printf '%s' "$held_root" | sed 's/[+/]/./g'), bundle $(printf '%s' "$fork_root" | sed 's/[+/]/./g')\); the replica was left untouched; recorded as seq $n0 \(sync.fork_detected\)" "ALERT names origin, size and both roots"
expect_err "fork-all.bundle: error: fork detected" "the error names the bundle"
expect_rc 0 "the fork is in the local log" -- audit log --db "$O" --type sync.fork_detected
expect_eq "$(wc -l < "$T/out")" 1 "one fork entry"
expect_out "\"payload\":\\{\"origin\":\"cloud.example/audit\",\"size\":7,\"held_root\":\"$(printf '%s' "$held_root" | sed 's/[+/]/./g')\",\"bundle_root\":\"$(printf '%s' "$fork_root" | sed 's/[+/]/./g')\"\\}" "fork payload"

expect_rc 1 "a fork with no entries (only its checkpoint) is refused" -- sync import --db "$O" $TR "$T/fork-head.bundle"
expect_err "^ALERT: sync fork detected: 'cloud.example/audit' signed two different roots for tree size 7" "checkpoint-only fork"

# the rebuilt log grows; a bundle from 7 carries a proof from its own root
for i in 8 9 10; do "$GG" audit append --db "$C2" --type t >/dev/null; done
"$GG" audit checkpoint --db "$C2" --log-key "$T/cloud.key" --origin $CO >/dev/null
"$GG" sync export --db "$C2" --since 7 -o "$T/fork-grow.bundle" >/dev/null
expect_rc 1 "a fork proved by a consistency proof is refused" -- sync import --db "$O" $TR "$T/fork-grow.bundle"
expect_err "^ALERT: sync fork detected: 'cloud.example/audit' signed two different roots for tree size 7" "fork below the bundle"
"$GG" sync export --db "$C2" --since 4 -o "$T/fork-mid.bundle" >/dev/null
expect_rc 1 "a fork that overlaps the replica is refused" -- sync import --db "$O" $TR "$T/fork-mid.bundle"
expect_err "^ALERT: sync fork detected: 'cloud.example/audit' signed two different roots for tree size 4" "fork inside the replica"

db_sql "$O" 'select * from replica_entry; select * from replica_checkpoint; select * from replica_node; select * from replica_import; select * from replica_key' > "$T/replica-after"
cmp -s "$T/replica-before" "$T/replica-after"; expect_eq $? 0 "the replica is untouched"
expect_eq "$(db_sql "$O" 'select count(*) from entry')" $((n0 + 4)) "only the four fork entries were appended"
expect_eq "$(db_sql "$O" "select count(*) from entry where type = 'sync.fork_detected'")" 4 "each refused fork is recorded"
expect_rc 0 "the on-prem log and replica still verify" -- audit verify --db "$O" --key "$T/onprem.pub"
expect_out "^replica 'cloud.example/audit' intact: 7 entries" "replica intact"

# the honest log keeps syncing
"$GG" audit append --db "$C" --type t --log-key "$T/cloud.key" --origin $CO >/dev/null
"$GG" sync export --db "$C" --since 7 -o "$T/good2.bundle" >/dev/null
expect_rc 0 "the honest log's next bundle imports" -- sync import --db "$O" $TR "$T/good2.bundle"
expect_out "replica 7 -> 8 entries" "honest import after the forks"
