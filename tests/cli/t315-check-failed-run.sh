# t315: a failed run records nothing that claims success. Every output is
# checked before the first event: a report, minisign file or receipt that
# cannot be written is exit 2 with the log unchanged (no entry, no
# checkpoint). A failure after the events were appended is recorded as
# governance.run_failed, covered by a checkpoint.
P="--rules rules --policy policies"
F="--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"
M=fixtures/manifests/hybrid-ok.yaml
K=$T/keys
mkdir -p "$K"
expect_rc 0 "report key" -- keygen --out "$K/rep"
expect_rc 0 "log key" -- keygen --out "$K/log"
DB=$T/a.db
LOG="--db $DB --log-key $K/log.key --origin example.com/t315"

# a fresh log: the failed run does not even create it
expect_rc 2 "report into a missing folder" -- check $P $F --sign "$K/rep.key" --report "$T/missing-dir/r.dsse" $LOG $M
expect_err "^$T/missing-dir/r\.dsse: error: cannot write here: folder '$T/missing-dir' does not exist \[GV-O004\]$" "the error names the report and its folder"
expect_eq "$(wc -c < "$T/out")" 0 "nothing printed"
[ ! -e "$DB" ]; expect_eq $? 0 "no audit log was created"

# a log with one run in it
expect_rc 0 "a good run" -- check $P $F $LOG $M
run audit checkpoint --db "$DB"
cp "$T/out" "$T/cp.before"
expect_eq "$(sed -n 2p "$T/cp.before")" 2 "two entries (validated, its receipt), checkpointed"

# unchanged LABEL: the log still holds exactly the two entries and checkpoint
unchanged() {
	run audit log --db "$DB"
	expect_eq "$(wc -l < "$T/out")" 2 "$1: no entry added"
	run audit checkpoint --db "$DB"
	cmp -s "$T/out" "$T/cp.before"; expect_eq $? 0 "$1: no checkpoint added"
	expect_eq "$(ls "$T" | grep -c '\.tmp-')" 0 "$1: no temporary left"
}

expect_rc 2 "report into a missing folder, existing log" -- check $P $F --sign "$K/rep.key" --report "$T/missing-dir/r.dsse" $LOG $M
expect_err "r\.dsse: error: cannot write here: folder '$T/missing-dir' does not exist \[GV-O004\]$" "report: the error names the path"
unchanged "--report"
mkdir "$T/adir"
expect_rc 2 "report path that is a folder" -- check $P $F --sign "$K/rep.key" --report "$T/adir" $LOG $M
expect_err "^$T/adir: error: cannot write here: it is a folder \[GV-O004\]$" "a folder is named as such"
unchanged "--report folder"
expect_rc 2 "minisign into a missing folder" -- check $P $F --sign "$K/rep.key" --minisign "$T/missing-dir/r.json" $LOG $M
expect_err "^$T/missing-dir/r\.json: error: cannot write here: folder '$T/missing-dir' does not exist \[GV-O004\]$" "minisign: the error names the path"
expect_eq "$(grep -c GV-O004 "$T/err")" 1 "minisign: one error for the folder, not one per file"
unchanged "--minisign"
mkdir "$T/r.json.minisig"
expect_rc 2 "minisign whose .minisig is a folder" -- check $P $F --sign "$K/rep.key" --minisign "$T/r.json" $LOG $M
expect_err "^$T/r\.json\.minisig: error: cannot write here: it is a folder \[GV-O004\]$" "the .minisig path is checked too"
[ ! -e "$T/r.json" ]; expect_eq $? 0 "minisign: the report was not written either"
unchanged "--minisign .minisig"
expect_rc 2 "receipt into a missing folder" -- check $P $F --sign "$K/rep.key" --receipt "$T/missing-dir/rc.dsse" $LOG $M
expect_err "^$T/missing-dir/rc\.dsse: error: cannot write here: folder '$T/missing-dir' does not exist \[GV-O004\]$" "receipt: the error names the path"
unchanged "--receipt"
expect_rc 2 "-o into a missing folder" -- check $P $F -o "$T/missing-dir/out.txt" $LOG $M
expect_err "^$T/missing-dir/out\.txt: error: cannot write here" "-o: the error names the path"
unchanged "-o"
long=$(printf 'x%.0s' $(seq 1 250))
expect_rc 2 "a name with no room for the temporary" -- check $P $F -o "$T/$long" $LOG $M
expect_err "error: cannot write here: the name is too long for a temporary file beside it \(at most 244 bytes\) \[GV-O004\]$" "-o: too long a name"
unchanged "-o long name"
expect_rc 2 "every unwritable output is named at once" -- check $P $F --sign "$K/rep.key" --report "$T/missing-dir/r.dsse" --receipt "$T/adir" -o "$T/nope/x" $LOG $M
expect_eq "$(grep -c 'GV-O004' "$T/err")" 3 "three outputs, three errors"
unchanged "several"
expect_rc 0 "the log is intact" -- audit verify --db "$DB" --key "$K/log.pub"
expect_out "intact: 2 entries, all covered by checkpoints signed by key [0-9a-f]{64} \(2 checkpoint signatures verified\)" "still two entries and two checkpoints"

# a failure after the events: standard output is full
"$GG" check $P $F --sign "$K/rep.key" --report "$T/r.dsse" $LOG $M > /dev/full 2>"$T/err"
expect_eq $? 2 "stdout full: exit 2"
expect_err "^govgate: error: cannot write to standard output \[GV-O001\]$" "stdout full: said so"
run audit log --db "$DB"
expect_eq "$(wc -l < "$T/out")" 6 "the good run, then validated, report.signed, the receipt, run_failed"
expect_eq "$(sed -n '$p' "$T/out" | sed 's/.*"type":"\([^"]*\)".*/\1/')" governance.run_failed "the log ends on the failure"
expect_out '"seq":5,[^}]*"type":"governance.run_failed","deployment_id":"DEP-2026-11-28-001","actor":"[^"]*","payload":\{"stage":"output","file":"-","error":"cannot write to standard output","first_seq":2,"last_seq":4\}' "the failure names the stage, the output and the run's entries"
run audit checkpoint --db "$DB"
expect_eq "$(sed -n 2p "$T/out")" 6 "a checkpoint covers the failure"
expect_rc 0 "the log verifies" -- audit verify --db "$DB" --key "$K/log.pub"
