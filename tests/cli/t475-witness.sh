# t475: witnesses between the sites (docs/TILES.md): `witness cosign` as an
# offline C2SP tlog-witness (trust on first use, consistency, refusals that
# say fork), cosignature/v1 lines checked by Python and by Go's sumdb/note,
# and --witness/--min-witnesses on `audit verify` (--db --checkpoint and
# --tiles).
for s in log other w1 w2 w3; do
	openssl genpkey -algorithm ed25519 -out "$T/$s.key" 2>/dev/null
	chmod 600 "$T/$s.key"
	openssl pkey -in "$T/$s.key" -pubout -out "$T/$s.pub"
done
A="$T/a.db"; B="$T/b.db"; O=site-a.example/audit
W1=site-b.example/witness; W2=site-c.example/witness; W3=site-d.example/witness
append() {
	i=$2; end=$(($2 + $3))
	while [ $i -lt $end ]; do
		"$GG" audit append --db "$1" --type governance.validated --deployment "$4$i" --actor ci >/dev/null || fail "append $i"
		i=$((i + 1))
	done
}
append "$A" 0 5 a
"$GG" audit checkpoint --db "$A" --log-key "$T/log.key" --origin $O -o "$T/a5.cp"
append "$A" 5 5 a
"$GG" audit checkpoint --db "$A" --log-key "$T/log.key" --origin $O -o "$T/a10.cp"
"$GG" audit prove --db "$A" --from 5 -o "$T/a5-10.proof"
mkdir "$T/st1" "$T/st2"
cosign1() { expect_rc "$1" "$2" -- witness cosign --key "$T/w1.key" --name $W1 --trust $O="$T/log.pub" --state "$T/st1" "$3" ${4:+--proof "$4"}; }

expect_rc 2 "cosign needs --state" -- witness cosign --key "$T/w1.key" --name $W1 --trust $O="$T/log.pub" "$T/a5.cp"
expect_err "witness cosign: --key, --name, --trust and --state are required" "usage message"
expect_rc 2 "cosign with a state folder that does not exist" -- witness cosign --key "$T/w1.key" --name $W1 --trust $O="$T/log.pub" --state "$T/nope" "$T/a5.cp"
expect_err "--state must name an existing folder" "state folder message"

cosign1 0 "the first checkpoint is cosigned (trust on first use)" "$T/a5.cp"
cp "$T/out" "$T/a5.w1"
expect_err "^govgate: witness $W1 cosigned size 5 \(last cosigned: 0\)$" "cosign summary"
expect_eq "$(head -c "$(wc -c < "$T/a5.cp")" "$T/a5.w1" | cmp -s - "$T/a5.cp"; echo $?)" 0 "the output starts with the log's checkpoint, unchanged"
expect_eq "$(tail -n 1 "$T/a5.w1" | sed 's/ .*//;s/^\xe2\x80\x94/DASH/')" "DASH" "one signature line added"
expect_eq "$(tail -n 1 "$T/a5.w1" | cut -d' ' -f2)" "$W1" "it is the witness's"
expect_eq "$(wc -l < "$T/a5.w1")" "$(($(wc -l < "$T/a5.cp") + 1))" "exactly one line added"
state="$T/st1/$(printf %s $O | sha256sum | cut -c1-64)"
cmp -s "$state" "$T/a5.cp"; expect_eq $? 0 "the state keeps the cosigned checkpoint under SHA-256(origin)"

# the cosignature, checked independently (C2SP tlog-cosignature v1.0.1)
python3 - "$T/a5.w1" "$T/w1.pub" "$W1" > "$T/py" 2>&1 <<'PY'
import base64, hashlib, struct, sys
from cryptography.hazmat.primitives import serialization
note, pub, name = open(sys.argv[1], "rb").read(), sys.argv[2], sys.argv[3]
k = serialization.load_pem_public_key(open(pub, "rb").read())
raw = k.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
body, sigs = note.rsplit(b"\n\n", 1)
body += b"\n"
line = [l for l in sigs.decode().splitlines() if l.split(" ")[1] == name][0]
sig = base64.b64decode(line.split(" ")[2])
assert len(sig) == 4 + 8 + 64, len(sig)
assert sig[:4] == hashlib.sha256(name.encode() + b"\n\x04" + raw).digest()[:4], "key id"
ts = struct.unpack(">Q", sig[4:12])[0]
k.verify(sig[12:], b"cosignature/v1\ntime %d\n" % ts + body)
print("ok", ts)
PY
expect_out_py=$(cut -d' ' -f1 "$T/py")
expect_eq "$expect_out_py" "ok" "Python's cryptography verifies the cosignature/v1 line"
ts=$(cut -d' ' -f2 "$T/py"); now=$(date +%s)
[ "$ts" -le "$now" ] && [ "$ts" -ge $((now - 600)) ]; expect_eq $? 0 "its timestamp is the time of cosigning"

cosign1 0 "the same checkpoint again" "$T/a5.cp"
cosign1 0 "the cosigned checkpoint itself (its old cosignature is replaced)" "$T/a5.w1"
expect_eq "$(grep -c "$W1" "$T/out")" "1" "one cosignature per witness"
cosign1 2 "a larger tree without a proof" "$T/a10.cp"
expect_err "'$O' grew from size 5 \(last cosigned\) to 10: give --proof with a consistency proof from 5 \('govgate audit prove --from 5'\) \[GV-C003\]" "proof needed message"
"$GG" audit prove --db "$A" --seq 2 -o "$T/incl.proof"
cosign1 2 "an inclusion proof is not a consistency proof" "$T/a10.cp" "$T/incl.proof"
expect_err "incl.proof: error: not a consistency proof from size 5 \(the size last cosigned for '$O'\) \[GV-C003\]" "wrong proof kind message"
"$GG" audit prove --db "$A" --from 6 -o "$T/a6.proof"
cosign1 2 "a consistency proof from another size" "$T/a10.cp" "$T/a6.proof"
expect_err "a6.proof: error: not a consistency proof from size 5" "wrong old size message"
cosign1 0 "a larger tree with its consistency proof" "$T/a10.cp" "$T/a5-10.proof"
cp "$T/out" "$T/a10.w1"
expect_err "cosigned size 10 \(last cosigned: 5\)" "cosign summary after growth"
cosign1 1 "a smaller tree is refused" "$T/a5.cp"
expect_err "a5.cp: error: fork or rollback: '$O' at size 5 is smaller than size 10, which this witness already cosigned; refusing to cosign \[GV-C002\]" "rollback message"

# a fork: the same key and origin sign another tree
append "$B" 0 10 b
"$GG" audit checkpoint --db "$B" --log-key "$T/log.key" --origin $O -o "$T/b10.cp"
cosign1 1 "a fork of the same size is refused" "$T/b10.cp"
expect_err "b10.cp: error: fork: '$O' at size 10 has another root than the checkpoint this witness cosigned at that size; refusing to cosign \[GV-C002\]" "same-size fork message"
append "$B" 10 2 b
"$GG" audit checkpoint --db "$B" --log-key "$T/log.key" --origin $O -o "$T/b12.cp"
"$GG" audit prove --db "$B" --from 10 -o "$T/b10-12.proof"
cosign1 1 "a fork that grew, with its own consistency proof, is refused" "$T/b12.cp" "$T/b10-12.proof"
expect_err "b10-12.proof: error: fork: '$O' at size 12 is not an extension of the tree it cosigned at size 10 \(the consistency proof does not verify\); refusing to cosign \[GV-C002\]" "grown fork message"
cmp -s "$state" "$T/a10.cp"; expect_eq $? 0 "refusals leave the state as it was"
# the other witness never saw site A: it cosigns the fork, which is exactly
# what a client requiring both witnesses catches
expect_rc 0 "a fresh witness cosigns the fork" -- witness cosign --key "$T/w2.key" --name $W2 --trust $O="$T/log.pub" --state "$T/st2" "$T/b12.cp"
cp "$T/out" "$T/b12.w2"

"$GG" audit checkpoint --db "$T/c.db" --log-key "$T/other.key" --origin other.example/log -o "$T/other.cp" 2>/dev/null ||
	{ append "$T/c.db" 0 1 c; "$GG" audit checkpoint --db "$T/c.db" --log-key "$T/other.key" --origin other.example/log -o "$T/other.cp"; }
cosign1 1 "a log the witness does not know" "$T/other.cp"
expect_err "other.cp: error: no --trust key for the log 'other.example/log'; refusing to cosign a log this witness does not know \[GV-C002\]" "unknown log message"
append "$T/d.db" 0 3 d
"$GG" audit checkpoint --db "$T/d.db" --log-key "$T/other.key" --origin $O -o "$T/forged.cp"
cosign1 1 "a checkpoint not signed by the log's key" "$T/forged.cp"
expect_err "forged.cp: error: note has no signature by '$O'" "bad log signature message"
printf 'not a note\n' > "$T/junk.cp"
cosign1 2 "a file that is not a note" "$T/junk.cp"
expect_err "junk.cp:1:1: error: note has no signature block" "malformed checkpoint message"

# Go's sumdb/note opens the cosigned checkpoint with the log's key, and
# verifies the cosignature with a cosignature/v1 verifier written from the spec
if command -v go >/dev/null 2>&1; then
	GOPATH_X=${GOVGATE_GOPATH:-/usr/share/gocode}
	(cd "$ROOT/tests/interop/cosigcheck" && GO111MODULE=off GOPATH="$GOPATH_X" GOFLAGS= \
		GOPROXY=off GOCACHE="$T/gocache" go build -o "$T/cosigcheck" .) 2>"$T/gobuild"
	expect_eq $? 0 "the Go cosignature checker builds offline"
	"$GG" audit key --key "$T/log.pub" --origin $O > "$T/log.vkey"
	"$GG" witness key $W1 "$T/w1.pub" > "$T/w1.vkey"
	expect_eq "$(cut -d+ -f1 "$T/w1.vkey")" "$W1" "witness key prints NAME+id+key"
	"$T/cosigcheck" "$T/log.vkey" "$T/w1.vkey" "$T/a10.w1" > "$T/go" 2>&1
	expect_eq $? 0 "Go opens the cosigned checkpoint"
	expect_eq "$(sed 's/ at [0-9]* / at T /' "$T/go")" "ok: $O opens with the log key (1 other signature line(s) ignored); cosignature/v1 by $W1 at T verifies" "Go's summary"
	sed '$s/^\(.\{30\}\)./\1A/' "$T/a10.w1" > "$T/bad.w1"
	cmp -s "$T/bad.w1" "$T/a10.w1" && sed '$s/^\(.\{30\}\)./\1B/' "$T/a10.w1" > "$T/bad.w1"
	"$T/cosigcheck" "$T/log.vkey" "$T/w1.vkey" "$T/bad.w1" > "$T/go" 2>&1
	expect_eq $? 1 "Go rejects a changed cosignature"
else
	echo "    skip: t475's Go check needs 'go' (Debian golang-go)" >&2
fi

# auditors: --witness NAME=PUB and --min-witnesses N
WA="--witness $W1=$T/w1.pub"; WB="--witness $W2=$T/w2.pub"
KID=$(openssl pkey -pubin -in "$T/log.pub" -outform DER | sha256sum | cut -c1-64)
expect_rc 0 "audit verify --db with a cosigned --checkpoint" -- audit verify --db "$A" --key "$T/log.pub" --checkpoint "$T/a10.w1" $WA
expect_out "^audit log intact: 10 entries, all covered by checkpoints signed by key $KID" "log verdict"
expect_out "^witnesses: 1 of 1 named witnesses cosigned the checkpoint \(1 required\)$" "witness verdict"
expect_rc 1 "two witnesses required, one cosigned" -- audit verify --db "$A" --key "$T/log.pub" --checkpoint "$T/a10.w1" $WA $WB
expect_out "^audit log NOT VERIFIED: the checkpoint has 1 valid cosignature from the named witnesses, 2 required$" "too few verdict"
expect_no_out "intact" "too few: one verdict line, never intact"
expect_err "a10.w1: error: the checkpoint has 1 valid cosignature from the named witnesses, 2 required \(--min-witnesses\); none from '$W2' \[GV-C001\]" "too few message"
expect_rc 0 "--min-witnesses 1 of two" -- audit verify --db "$A" --key "$T/log.pub" --checkpoint "$T/a10.w1" $WA $WB --min-witnesses 1
expect_out "^witnesses: 1 of 2 named witnesses cosigned the checkpoint \(1 required\)$" "quorum verdict"
sed '$s/^\(.\{40\}\)./\1A/' "$T/a10.w1" > "$T/bad.w1"
cmp -s "$T/bad.w1" "$T/a10.w1" && sed '$s/^\(.\{40\}\)./\1B/' "$T/a10.w1" > "$T/bad.w1"
expect_rc 1 "a tampered cosignature" -- audit verify --db "$A" --key "$T/log.pub" --checkpoint "$T/bad.w1" $WA
expect_err "bad.w1: error: cosignature by witness '$W1' \(key id [0-9a-f]{8}\) does not verify \[GV-C001\]" "tampered cosignature message"
expect_rc 1 "a cosignature under another witness key" -- audit verify --db "$A" --key "$T/log.pub" --checkpoint "$T/a10.w1" --witness $W1="$T/w3.pub"
expect_err "0 valid cosignatures from the named witnesses, 1 required" "wrong witness key message"
expect_rc 1 "the fork cosigned by the fresh witness does not pass both" -- audit verify --db "$B" --key "$T/log.pub" --checkpoint "$T/b12.w2" $WA $WB
expect_err "none from '$W1'" "the witness that saw site A is missing"
expect_rc 2 "--witness needs a checkpoint with --db" -- audit verify --db "$A" --key "$T/log.pub" $WA
expect_err "--witness needs the cosigned checkpoint: --checkpoint FILE \(or --tiles DIR\)" "usage message"
expect_rc 2 "--min-witnesses above the witnesses named" -- audit verify --db "$A" --key "$T/log.pub" --checkpoint "$T/a10.w1" $WA --min-witnesses 2
expect_err "--min-witnesses '2' is not a number from 1 to the 1 witness named \[GV-C003\]" "min-witnesses message"
expect_rc 2 "--min-witnesses without --witness" -- audit verify --db "$A" --key "$T/log.pub" --checkpoint "$T/a10.w1" --min-witnesses 1
expect_err "--min-witnesses needs at least one --witness NAME=PUB" "min without witness message"
expect_rc 2 "a --witness that is not NAME=PUB" -- audit verify --db "$A" --key "$T/log.pub" --checkpoint "$T/a10.w1" --witness "$W1"
expect_err "--witness '$W1' is not NAME=PUBLIC-KEY-FILE" "witness spec message"

# the published folder: a cosigned checkpoint simply replaces DIR/checkpoint
mkdir "$T/tiles"
"$GG" audit publish --db "$A" --tiles "$T/tiles" --log-key "$T/log.key" --origin $O >/dev/null
"$GG" witness cosign --key "$T/w2.key" --name $W2 --trust $O="$T/log.pub" --state "$T/st2b" "$T/tiles/checkpoint" > /dev/null 2>&1
expect_eq $? 2 "the state folder must exist"
mkdir "$T/st2b"
"$GG" witness cosign --key "$T/w1.key" --name $W1 --trust $O="$T/log.pub" --state "$T/st1" "$T/tiles/checkpoint" -o "$T/t.w1" 2>/dev/null
"$GG" witness cosign --key "$T/w2.key" --name $W2 --trust $O="$T/log.pub" --state "$T/st2b" "$T/t.w1" -o "$T/tiles/checkpoint" 2>/dev/null
expect_rc 0 "verify the folder with both witnesses" -- audit verify --tiles "$T/tiles" --key "$T/log.pub" $WA $WB
expect_out "^audit log intact: 10 entries in the tiles" "tiles log verdict"
expect_out "^witnesses: 2 of 2 named witnesses cosigned the checkpoint \(2 required\)$" "tiles witness verdict"
expect_rc 0 "publish again: the cosigned checkpoint of the same tree is kept" -- audit publish --db "$A" --tiles "$T/tiles" --log-key "$T/log.key" --origin $O
expect_out "0 files written, 3 unchanged$" "nothing rewritten"
expect_eq "$(grep -c -e "$W1" -e "$W2" "$T/tiles/checkpoint")" "2" "the cosignatures survive a re-publish"
append "$A" 10 1 a
"$GG" audit publish --db "$A" --tiles "$T/tiles" --log-key "$T/log.key" --origin $O >/dev/null
expect_rc 1 "a new checkpoint has no cosignature yet" -- audit verify --tiles "$T/tiles" --key "$T/log.pub" $WA
expect_out "^audit log NOT VERIFIED: the checkpoint has 0 valid cosignatures from the named witnesses, 1 required$" "uncosigned verdict"
expect_no_out "intact" "uncosigned: one verdict line, never intact"

# sync bundles carry the cosignatures they have (sync export --cosigned), and
# sync import --witness imports only a checkpoint with enough of them
S="$T/sync"; mkdir "$S" "$S/st"
for i in 1 2 3; do
	"$GG" audit append --db "$S/c.db" --type hybrid.deployment.completed --deployment "c-$i" --log-key "$T/log.key" --origin $O >/dev/null
done
"$GG" audit checkpoint --db "$S/c.db" -o "$S/c.cp"
"$GG" witness cosign --key "$T/w1.key" --name $W1 --trust $O="$T/log.pub" --state "$S/st" "$S/c.cp" -o "$S/c.cos" 2>/dev/null
expect_rc 0 "export a plain bundle" -- sync export --db "$S/c.db" --since 0 -o "$S/plain.bundle"
expect_rc 0 "export a bundle carrying the cosigned checkpoint" -- sync export --db "$S/c.db" --since 0 -o "$S/cos.bundle" --cosigned "$S/c.cos"
expect_eq "$(tail -n 1 "$S/cos.bundle" | cut -d' ' -f2)" "$W1" "the bundle ends with the cosignature"
expect_eq "$(head -n -1 "$S/cos.bundle" | cmp -s - "$S/plain.bundle"; echo $?)" 0 "and is otherwise the plain bundle"
expect_rc 1 "import without the cosignature is refused" -- sync import --db "$S/o.db" --trust $O="$T/log.pub" $WA "$S/plain.bundle"
expect_out "^not imported: the bundle's checkpoint has 0 valid cosignatures from the named witnesses, 1 required$" "refused import verdict"
expect_err "plain.bundle: error: the checkpoint has 0 valid cosignatures from the named witnesses, 1 required \(--min-witnesses\); none from '$W1' \[GV-C001\]" "refused import message"
[ -e "$S/o.db" ]; expect_eq $? 1 "nothing was written (the check comes before the database is opened)"
expect_rc 0 "import with the cosignature" -- sync import --db "$S/o.db" --trust $O="$T/log.pub" $WA "$S/cos.bundle"
expect_out "^witnesses: 1 of 1 named witnesses cosigned the bundle's checkpoint \(1 required\)$" "import witness line"
expect_out "^imported 3 entries of '$O' \(replica 0 -> 3 entries\)" "imported"
expect_rc 0 "the replica verifies with its cosigned checkpoint" -- sync status --db "$S/o.db" --trust $O="$T/log.pub"
expect_out "^  entries:      3$" "replica holds 3"
for i in 4 5; do
	"$GG" audit append --db "$S/c.db" --type hybrid.deployment.completed --deployment "c-$i" --log-key "$T/log.key" --origin $O >/dev/null
done
expect_rc 1 "--cosigned for another checkpoint than the bundle's" -- sync export --db "$S/c.db" --since 3 -o "$S/c2.bundle" --cosigned "$S/c.cos"
expect_err "c.cos: error: not the same checkpoint \(another text: another origin, size or root\) \[GV-C001\]" "mismatched cosigned message"

# verify: the checkpoint of a receipt's log proof, or a cosigned copy of it
"$GG" keygen --out "$T/rep" >/dev/null 2>&1
R="$T/r.db"
"$GG" check --rules rules --policy policies --cloud-facts fixtures/facts/cloud.yaml \
	--onprem-facts fixtures/facts/onprem.yaml --db "$R" --log-key "$T/log.key" --origin $O \
	--sign "$T/rep.key" --receipt "$T/rc.dsse" fixtures/manifests/encryption-misconfig.yaml >/dev/null 2>&1
sed 's/.*"payload":"\([^"]*\)".*/\1/' "$T/rc.dsse" | base64 -d |
	python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["predicate"]["log_proof"])' > "$T/rc.proof"
awk 'f { print } /^$/ { f = 1 }' "$T/rc.proof" > "$T/rc.cp"
mkdir "$T/st3"
"$GG" witness cosign --key "$T/w1.key" --name $W1 --trust $O="$T/log.pub" --state "$T/st3" "$T/rc.cp" -o "$T/rc.cos" 2>/dev/null
expect_rc 1 "a receipt whose checkpoint has no cosignature" -- verify --key "$T/rep.pub" --log-pub "$T/log.pub" $WA "$T/rc.dsse"
expect_err "rc.dsse: error: the checkpoint has 0 valid cosignatures from the named witnesses, 1 required" "receipt without cosignature message"
expect_rc 0 "a receipt with a cosigned copy of its checkpoint" -- verify --key "$T/rep.pub" --log-pub "$T/log.pub" $WA --cosigned "$T/rc.cos" "$T/rc.dsse"
expect_out "^log: entry [0-9]+ of '$O' included in the checkpoint for size [0-9]+ signed by key" "receipt log line"
expect_out "^witnesses: 1 of 1 named witnesses cosigned the checkpoint \(1 required\)$" "receipt witness line"
expect_rc 1 "a cosigned checkpoint of another tree" -- verify --key "$T/rep.pub" --log-pub "$T/log.pub" $WA --cosigned "$T/a10.w1" "$T/rc.dsse"
expect_err "a10.w1: error: not the same checkpoint" "another tree for the receipt"
expect_rc 2 "--witness without --log-pub" -- verify --key "$T/rep.pub" $WA "$T/rc.dsse"
expect_err "--witness and --cosigned need --log-pub LOG-PUB" "verify usage"
