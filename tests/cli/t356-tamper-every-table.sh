# run-first: one of the longest files
# t356: point 4 of issue 7. The whole database is the attacker's: for every
# table the schema holds at run time (so that a table added later is covered
# too), rows are edited column by column, deleted and inserted with the
# triggers dropped. Each change must either make `audit verify` fail, or
# leave everything govgate derives from the database exactly as it was:
# the log, receipts, replica status, metrics, checkpoints, proofs, exports.
# sqlite-only: edits every column of every table of the SQLite file with SQLite SQL (312 variants)
for s in log cloud rep; do
	openssl genpkey -algorithm ed25519 -out "$T/$s.key" 2>/dev/null
	chmod 600 "$T/$s.key"
	openssl pkey -in "$T/$s.key" -pubout -out "$T/$s.pub"
done
DB="$T/base.db"; C="$T/cloud.db"; CO=cloud.example/audit
P="--rules rules --policy policies"
F="--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"

# a database with every kind of row: entries of each kind, receipts,
# checkpoints, a replica imported twice, under a rotated key
"$GG" check $P $F --sign "$T/rep.key" --receipt "$T/r1.dsse" --db "$DB" --log-key "$T/log.key" \
	fixtures/manifests/encryption-misconfig.yaml >/dev/null 2>&1
"$GG" check $P $F --db "$DB" --log-key "$T/log.key" fixtures/manifests/hybrid-ok.yaml >/dev/null 2>&1
for i in 1 2 3; do
	"$GG" audit append --db "$C" --type hybrid.deployment.completed --payload "{\"n\":$i}" \
		--log-key "$T/cloud.key" --origin $CO >/dev/null
done
"$GG" sync export --db "$C" -o "$T/b1" >/dev/null
"$GG" sync import --db "$DB" --log-key "$T/log.key" --trust $CO="$T/cloud.pub" "$T/b1" >/dev/null
for i in 4 5; do
	"$GG" audit append --db "$C" --type t --payload "{\"n\":$i}" --log-key "$T/cloud.key" --origin $CO >/dev/null
done
"$GG" sync export --db "$C" --since 3 -o "$T/b2" >/dev/null
"$GG" sync import --db "$DB" --log-key "$T/log.key" --trust $CO="$T/cloud.pub" "$T/b2" >/dev/null
expect_rc 0 "the base database verifies" -- audit verify --db "$DB" --key "$T/log.pub"
expect_out "^replica 'cloud.example/audit' intact" "with its replica"

# everything govgate derives from a database, in one file (relative ages masked)
derive() {
	db=$1
	{
		echo "== log"; "$GG" audit log --db "$db" 2>&1; echo "rc=$?"
		echo "== receipts"; "$GG" receipts --db "$db" -f json 2>&1; echo "rc=$?"
		echo "== status"; "$GG" sync status --key "$T/log.pub" --db "$db" -f json 2>&1 |
			sed 's/_seconds":[0-9]*/_seconds":N/g'; echo "rc=$?"
		echo "== metrics"; "$GG" metrics --key "$T/log.pub" --db "$db" 2>&1; echo "rc=$?"
		echo "== checkpoint"; "$GG" audit checkpoint --db "$db" 2>&1; echo "rc=$?"
		echo "== prove"; "$GG" audit prove --db "$db" --seq 1 2>&1; echo "rc=$?"
		echo "== consistency"; "$GG" audit prove --db "$db" --from 2 2>&1; echo "rc=$?"
		rm -f "$T/x.bundle"; "$GG" sync export --db "$db" --since 0 -o "$T/x.bundle" >/dev/null 2>&1
		echo "== bundle rc=$?"; cat "$T/x.bundle" 2>/dev/null
		rm -f "$T/x.jsonl" "$T/x.jsonl.checkpoints"; "$GG" audit export --db "$db" -o "$T/x.jsonl" >/dev/null 2>&1
		echo "== export rc=$?"; cat "$T/x.jsonl" 2>/dev/null
		# the latest checkpoint; earlier ones are redundant (see docs/EVIDENCE.md)
		awk '/^$/ { blank = 1; next } blank && !/^\xe2\x80\x94 / { note = ""; blank = 0 }
			{ note = note $0 "\n" } END { printf "%s", note }' "$T/x.jsonl.checkpoints" 2>/dev/null
	} | sed "s|$db|DB|g"
}
derive "$DB" > "$T/base.out"
grep -q '^rc=0$' "$T/base.out" && ! grep -q 'rc=[1-9]' "$T/base.out"; expect_eq $? 0 "every derived output works on the base database"

cases=0; undetected=0
# try NAME SQL: applies SQL to a copy (triggers dropped) and checks the rule
try() {
	cases=$((cases + 1))
	cp "$DB" "$T/m.db"
	rm -f "$T/m.db-wal" "$T/m.db-shm"
	sqlite3 "$T/m.db" "$(sqlite3 "$DB" "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_schema WHERE type = 'trigger'") $2" 2>/dev/null || return 0
	if "$GG" audit verify --db "$T/m.db" --key "$T/log.pub" >/dev/null 2>&1; then
		derive "$T/m.db" > "$T/m.out"
		if ! cmp -s "$T/base.out" "$T/m.out"; then
			undetected=$((undetected + 1))
			TEST_NAME="tamper: $1"
			fail "audit verify passes but a derived output changed"
			diff "$T/base.out" "$T/m.out" | head -5 >&2
			return
		fi
	fi
	pass
}

tables=$(sqlite3 "$DB" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
expect_eq "$(echo $tables)" "checkpoint entry replica_checkpoint replica_entry replica_import replica_key replica_node tree_node" "the tables this test knows it covers (a new one is covered too)"
for t in $tables; do
	n=$(sqlite3 "$DB" "SELECT count(*) FROM $t")
	[ "$n" -gt 0 ] || { TEST_NAME="tamper: $t has rows"; fail "no rows to tamper with"; continue; }
	pk=$(sqlite3 "$DB" "SELECT group_concat(name, ', ') FROM pragma_table_info('$t') WHERE pk > 0")
	[ -n "$pk" ] || pk=rowid
	# the first, middle and last rows; under the sanitizers (GOVGATE_TEST_SMALL)
	# only the last, where appends and the log's tail live
	offs="0 $((n / 2)) $((n - 1))"
	[ -n "${GOVGATE_TEST_SMALL:-}" ] && offs=$((n - 1))
	for off in $offs; do
		where="WHERE ($pk) IN (SELECT $pk FROM $t ORDER BY $pk LIMIT 1 OFFSET $off)"
		for c in $(sqlite3 "$DB" "SELECT name FROM pragma_table_info('$t')"); do
			try "$t.$c row $off: appended" "UPDATE $t SET $c = CASE typeof($c) WHEN 'integer' THEN $c + 1 WHEN 'real' THEN $c + 1 WHEN 'text' THEN $c || 'x' WHEN 'blob' THEN $c || x'00' ELSE 'x' END $where"
			try "$t.$c row $off: same length" "UPDATE $t SET $c = CASE typeof($c) WHEN 'integer' THEN $c - 1 WHEN 'text' THEN CASE WHEN upper($c) <> $c THEN upper($c) ELSE lower($c) END WHEN 'blob' THEN CASE WHEN substr($c, 1, 1) = x'00' THEN x'01' ELSE x'00' END || substr($c, 2) ELSE $c END $where"
		done
		try "$t row $off: deleted" "DELETE FROM $t $where"
		cols=$(sqlite3 "$DB" "SELECT group_concat(CASE WHEN type LIKE '%INT%' THEN name || ' + 1000' ELSE name END, ', ') FROM pragma_table_info('$t')")
		try "$t row $off: inserted" "INSERT INTO $t SELECT $cols FROM $t $where"
	done
done
echo "    t356: $cases tampered databases, $undetected undetected" >&2
