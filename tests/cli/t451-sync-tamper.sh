# t451: tampered, unsigned and malformed bundles are rejected and leave the
# database exactly as it was; a tampered replica fails audit verify.
for s in cloud onprem; do
	openssl genpkey -algorithm ed25519 -out "$T/$s.key" 2>/dev/null
	chmod 600 "$T/$s.key"
	openssl pkey -in "$T/$s.key" -pubout -out "$T/$s.pub"
done
C="$T/cloud.db"; O="$T/onprem.db"; CO=cloud.example/audit
TR="--log-key $T/onprem.key --trust $CO=$T/cloud.pub"

for i in 1 2 3 4 5 6; do
	"$GG" audit append --db "$C" --type hybrid.deployment.completed --payload "{\"n\":$i}" \
		--log-key "$T/cloud.key" --origin $CO >/dev/null
done
"$GG" audit append --db "$O" --type t --log-key "$T/onprem.key" >/dev/null
"$GG" sync export --db "$C" --since 0 -o "$T/b0" >/dev/null
expect_rc 0 "first import" -- sync import --db "$O" $TR "$T/b0"
for i in 7 8 9 10 11; do
	"$GG" audit append --db "$C" --type t --payload "{\"n\":$i}" --log-key "$T/cloud.key" --origin $CO >/dev/null
done
expect_rc 0 "export 6..11" -- sync export --db "$C" --since 6 -o "$T/b"
expect_eq "$(sed -n 7p "$T/b")" "proof 4" "the bundle carries a 4-hash proof"

db_dump "$O" > "$T/before.sql"
unchanged() {
	db_dump "$O" > "$T/after.sql"
	cmp -s "$T/before.sql" "$T/after.sql"; expect_eq $? 0 "$1: database unchanged"
}

# changes one base64 character in the middle of line N (a hash line)
flip() {
	awk -v n="$1" 'NR == n { c = substr($0, 12, 1); r = c == "A" ? "B" : "A";
		$0 = substr($0, 1, 11) r substr($0, 13) } { print }' "$T/b"
}

# 1. one byte of an entry changed
sed '/^{"seq":7,/s/"n":8/"n":9/' "$T/b" > "$T/t-entry"
cmp -s "$T/b" "$T/t-entry"; expect_eq $? 1 "the entry really changed"
expect_rc 1 "a changed entry is rejected" -- sync import --db "$O" $TR "$T/t-entry"
expect_err "t-entry: error: sync bundle rejected: its entries do not make the signed root of size 11" "changed entry reason"
unchanged "changed entry"

# 2. an entry that no longer parses as an entry (its seq)
sed 's/^{"seq":8,/{"seq":7,/' "$T/b" > "$T/t-seq"
expect_rc 1 "an entry out of place is rejected" -- sync import --db "$O" $TR "$T/t-seq"
expect_err "entry 8: entry's seq field does not match its position" "seq reason"
unchanged "entry out of place"

# 3. a changed checkpoint root
root_line=$(grep -n "^$CO\$" "$T/b" | cut -d: -f1); root_line=$((root_line + 2))
flip $root_line > "$T/t-root"
[ "$(sed -n ${root_line}p "$T/b")" != "$(sed -n ${root_line}p "$T/t-root")" ]; expect_eq $? 0 "the root really changed"
expect_rc 1 "a changed checkpoint root is rejected" -- sync import --db "$O" $TR "$T/t-root"
expect_err "its checkpoint is not signed by the key trusted for 'cloud.example/audit'" "root reason"
unchanged "changed root"

# 4. a proof hash flipped
flip 8 > "$T/t-proof"
[ "$(sed -n 8p "$T/b")" != "$(sed -n 8p "$T/t-proof")" ]; expect_eq $? 0 "the proof hash really changed"
expect_rc 1 "a flipped proof hash is rejected" -- sync import --db "$O" $TR "$T/t-proof"
expect_err "its consistency proof from size 6 to 11 does not verify against the signed checkpoint" "proof reason"
unchanged "flipped proof hash"

# 5. a changed old root
flip 6 > "$T/t-old"
expect_rc 1 "a changed old root is rejected" -- sync import --db "$O" $TR "$T/t-old"
expect_err "consistency proof from size 6 to 11 does not verify" "old root reason"
unchanged "changed old root"

# 6. an entry removed (and the range shortened to match)
sed -e '4s/to 11/to 10/' -e '/^{"seq":10,/d' "$T/b" > "$T/t-drop"
expect_rc 1 "a dropped entry is rejected" -- sync import --db "$O" $TR "$T/t-drop"
expect_err "runs to size 10 but its checkpoint is for size 11" "dropped entry reason"
unchanged "dropped entry"

# 7. the wrong trusted key, an untrusted origin, no signature at all
expect_rc 1 "the wrong trusted key" -- sync import --db "$O" --trust $CO="$T/onprem.pub" --rotate-key "$T/b"
expect_err "not signed by the key trusted for 'cloud.example/audit'" "wrong key reason"
unchanged "wrong key"
expect_rc 1 "an untrusted origin" -- sync import --db "$O" --trust other.example="$T/cloud.pub" "$T/b"
expect_err "its origin 'cloud.example/audit' is not trusted \(give --trust cloud.example/audit=PUB\)" "untrusted reason"
sed '/^— /d' "$T/b" > "$T/t-unsigned"
expect_rc 2 "an unsigned checkpoint" -- sync import --db "$O" $TR "$T/t-unsigned"
expect_err "t-unsigned: error: .*signature" "unsigned reason"
unchanged "unsigned, untrusted"

# 8. malformed and hostile files: exit 2, never a crash
head -c 150 "$T/b" > "$T/t-trunc"
printf 'govgate.dev/sync-bundle@v2\n' > "$T/t-version"
sed '3s/from 6/from 06/' "$T/b" > "$T/t-zero"
sed '7s/proof 4/proof 999999999999/' "$T/b" > "$T/t-huge"
sed '4s/to 11/to 9223372036854775807/' "$T/b" > "$T/t-count"
head -c 100000 /dev/urandom > "$T/t-random"
: > "$T/t-empty"
for f in t-trunc t-version t-zero t-huge t-count t-random t-empty; do
	expect_rc 2 "malformed bundle $f" -- sync import --db "$O" $TR "$T/$f"
	expect_err "$f(:[0-9]+:[0-9]+)?: error: malformed sync bundle" "$f: reason names the file"
done
expect_rc 2 "a missing bundle" -- sync import --db "$O" $TR "$T/nope"
expect_err "nope: error: cannot read the sync bundle" "missing bundle named"
unchanged "malformed bundles"

# the real bundle still imports
expect_rc 0 "the untouched bundle imports" -- sync import --db "$O" $TR "$T/b"
expect_out "imported 5 entries" "five new entries"

# a replica changed behind govgate's back fails audit verify
expect_rc 0 "replica verifies" -- audit verify --db "$O" --key "$T/onprem.pub"
db_copy "$O" "$T/edit.db"
db_tamper "$T/edit.db" "drop trigger replica_entry_no_update; update replica_entry set bytes = replace(bytes, '\"n\":3', '\"n\":4') where seq = 2" \
	"drop trigger replica_entry_no_update on replica_entry; update replica_entry set bytes = convert_to(replace(convert_from(bytes, 'UTF8'), '\"n\":3', '\"n\":4'), 'UTF8') where seq = 2"
expect_rc 1 "an edited replica entry" -- audit verify --db "$T/edit.db" --key "$T/onprem.pub"
expect_out "^replica 'cloud.example/audit' TAMPERED$" "replica tampering reported"
expect_err "edit.db \(replica of 'cloud.example/audit'\): error: audit log tampered at seq 2" "first bad seq of the replica"
db_copy "$O" "$T/edit2.db"
db_tamper "$T/edit2.db" "drop trigger replica_entry_no_delete; delete from replica_entry where seq = 10" \
	"drop trigger replica_entry_no_delete on replica_entry; delete from replica_entry where seq = 10"
expect_rc 1 "a truncated replica" -- audit verify --db "$T/edit2.db" --key "$T/onprem.pub"
expect_err "tampered at seq 10" "truncation found"
