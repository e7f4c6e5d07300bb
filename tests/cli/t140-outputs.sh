# t140: every output goes through one atomic writer: a unique temporary
# that never follows a symbolic link, the umask honoured for new files, an
# existing file's mode kept, no temporary left behind on failure.
P="--rules rules --policy policies"
F="--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"
M=fixtures/manifests/hybrid-ok.yaml
DB="$T/a.db"
expect_rc 0 "log key" -- keygen --out "$T/log"
for i in 0 1 2; do
	expect_rc 0 "append $i" -- audit append --db "$DB" --type t140.test --payload "{\"n\":$i}" --log-key "$T/log.key"
done
echo "do not touch" > "$T/victim"
chmod 0600 "$T/victim"

# audit checkpoint -o and audit prove -o used to write FILE.tmp with fopen
ln -s "$T/victim" "$T/cp.tmp"
expect_rc 0 "checkpoint -o beside a planted FILE.tmp link" -- audit checkpoint --db "$DB" -o "$T/cp"
expect_eq "$(sed -n 2p "$T/cp")" 3 "checkpoint written"
expect_eq "$(cat "$T/victim")" "do not touch" "checkpoint -o: the link's target is untouched"
expect_eq "$(readlink "$T/cp.tmp")" "$T/victim" "checkpoint -o: the planted link itself is left alone"
ln -s "$T/victim" "$T/proof.tmp"
expect_rc 0 "prove -o beside a planted FILE.tmp link" -- audit prove --db "$DB" --seq 1 -o "$T/proof"
expect_eq "$(sed -n 1p "$T/proof")" "c2sp.org/tlog-proof@v1" "proof written"
expect_eq "$(cat "$T/victim")" "do not touch" "prove -o: the link's target is untouched"
expect_eq "$(stat -c %a "$T/victim")" 600 "the target's mode is untouched"

# a destination that is itself a link is replaced, not written through
ln -s "$T/victim" "$T/link.json"
expect_rc 0 "check -o onto a symbolic link" -- check $P $F -f json -o "$T/link.json" $M
[ -f "$T/link.json" ] && [ ! -L "$T/link.json" ]; expect_eq $? 0 "the link became a regular file"
expect_eq "$(cat "$T/victim")" "do not touch" "check -o: the link's target is untouched"

# new files: the requested mode less the umask
(umask 022; expect_rc 0 "check -o under umask 022" -- check $P $F -o "$T/r022.txt" $M)
expect_eq "$(stat -c %a "$T/r022.txt")" 644 "check -o under umask 022 is 0644"
(umask 077; expect_rc 0 "check -o under umask 077" -- check $P $F -o "$T/r077.txt" $M)
expect_eq "$(stat -c %a "$T/r077.txt")" 600 "check -o under umask 077 is 0600"
(umask 077; expect_rc 0 "audit export under umask 077" -- audit export --db "$DB" -o "$T/x.jsonl")
expect_eq "$(stat -c %a "$T/x.jsonl")" 600 "audit export under umask 077 is 0600"
expect_eq "$(stat -c %a "$T/x.jsonl.checkpoints")" 600 "its checkpoints file too"
(umask 002; expect_rc 0 "audit checkpoint -o under umask 002" -- audit checkpoint --db "$DB" -o "$T/cp002")
expect_eq "$(stat -c %a "$T/cp002")" 664 "umask 002 gives 0664"

# replacing an existing file keeps its mode, under any umask
echo old > "$T/keep.json"
chmod 0640 "$T/keep.json"
(umask 022; expect_rc 0 "check -o over a 0640 file" -- check $P $F -f json -o "$T/keep.json" $M)
expect_eq "$(stat -c %a "$T/keep.json")" 640 "the replaced file is still 0640"
grep -q '"decision":"allow"' "$T/keep.json"; expect_eq $? 0 "and holds the new report"
chmod 0644 "$T/x.jsonl"
(umask 077; expect_rc 0 "audit export over a 0644 file" -- audit export --db "$DB" -o "$T/x.jsonl")
expect_eq "$(stat -c %a "$T/x.jsonl")" 644 "the replaced export is still 0644"

# a write that fails leaves no temporary behind
mkdir -p "$T/full/dir.jsonl"; echo x > "$T/full/dir.jsonl/keep"
expect_rc 2 "audit export onto a folder fails" -- audit export --db "$DB" -o "$T/full/dir.jsonl"
expect_err "dir.jsonl: error: cannot replace: " "the failure names the output"
expect_eq "$(ls -A "$T/full" | tr '\n' ' ')" "dir.jsonl " "no temporary left in the folder"
expect_eq "$(ls -A "$T/full/dir.jsonl")" keep "the folder is untouched"
expect_rc 2 "checkpoint -o into a missing folder" -- audit checkpoint --db "$DB" -o "$T/none/cp"
expect_err "none/cp: error: cannot create a temporary file beside it: No such file or directory" "names the missing folder"
expect_eq "$(ls "$T" | grep -c '\.tmp-')" 0 "no temporary left anywhere"
