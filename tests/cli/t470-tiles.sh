# run-first: one of the longest files
# t470: the audit log published as C2SP tiles (docs/TILES.md): the layout,
# incremental publishing, offline verification from the folder alone,
# proofs byte-identical to the database's, and every refusal.
for s in log other; do
	openssl genpkey -algorithm ed25519 -out "$T/$s.key" 2>/dev/null
	chmod 600 "$T/$s.key"
	openssl pkey -in "$T/$s.key" -pubout -out "$T/$s.pub"
done
KID=$(openssl pkey -pubin -in "$T/log.pub" -outform DER | sha256sum | cut -c1-64)
DB="$T/a.db"; D="$T/tiles"; O=example.com/tiles-test
append() {  # append N entries to DB $1 starting at index $2
	i=$2; end=$(($2 + $3))
	while [ $i -lt $end ]; do
		"$GG" audit append --db "$1" --type report.signed --deployment "d$i" --actor ci \
			--payload "{\"i\":$i}" >/dev/null || fail "append $i"
		i=$((i + 1))
	done
}
append "$DB" 0 300
mkdir "$D"

expect_rc 2 "publish needs --tiles and --log-key" -- audit publish --db "$DB" --log-key "$T/log.key"
expect_err "audit publish: --tiles DIR and --log-key KEY are required" "publish usage message"
expect_rc 2 "publish into a folder that does not exist" -- audit publish --db "$DB" --tiles "$T/nope" --log-key "$T/log.key" --origin $O
expect_err "nope: error: --tiles must name an existing folder \[GV-H002\]" "missing folder message"

expect_rc 0 "publish 300 entries" -- audit publish --db "$DB" --tiles "$D" --log-key "$T/log.key" --origin $O
expect_out "^published 300 entries to $D: 6 files written, 0 unchanged$" "publish summary"
expect_eq "$(cd "$D" && find . -type f | sort | tr '\n' ' ')" \
	"./checkpoint ./tile/0/000 ./tile/0/001.p/44 ./tile/1/000.p/1 ./tile/entries/000 ./tile/entries/001.p/44 " \
	"the C2SP layout: full and partial tiles, level 1, entry bundles"
expect_eq "$(sed -n 1,2p "$D/checkpoint" | tr '\n' ' ')" "$O 300 " "the checkpoint's origin and size"
"$GG" audit checkpoint --db "$DB" > "$T/latest.cp"
cmp -s "$T/latest.cp" "$D/checkpoint"; expect_eq $? 0 "DIR/checkpoint is the log's latest signed checkpoint"

# an independent reading of the layout (Python's hashlib): leaf hashes, the
# level-1 hash of the first 256 leaves, and the length-prefixed bundles
"$GG" audit export --db "$DB" -o "$T/log.jsonl" 2>/dev/null
python3 - "$T/log.jsonl" "$D" > "$T/py" 2>&1 <<'PY'
import hashlib, sys, struct
entries = [l.rstrip(b"\n") for l in open(sys.argv[1], "rb")]
d = sys.argv[2]
leaf = lambda e: hashlib.sha256(b"\0" + e).digest()
node = lambda l, r: hashlib.sha256(b"\1" + l + r).digest()
hs = [leaf(e) for e in entries]
assert open(d + "/tile/0/000", "rb").read() == b"".join(hs[:256]), "tile/0/000"
assert open(d + "/tile/0/001.p/44", "rb").read() == b"".join(hs[256:300]), "tile/0/001.p/44"
level = hs[:256]
while len(level) > 1:
    level = [node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
assert open(d + "/tile/1/000.p/1", "rb").read() == level[0], "tile/1/000.p/1"
def bundle(es):
    return b"".join(struct.pack(">H", len(e)) + e for e in es)
assert open(d + "/tile/entries/000", "rb").read() == bundle(entries[:256]), "bundle 000"
assert open(d + "/tile/entries/001.p/44", "rb").read() == bundle(entries[256:300]), "bundle 001.p/44"
print("ok")
PY
expect_eq "$(cat "$T/py")" "ok" "Python's reading of the tiles and bundles agrees"

expect_rc 0 "publish again: nothing new" -- audit publish --db "$DB" --tiles "$D" --log-key "$T/log.key" --origin $O
expect_out "^published 300 entries to $D: 0 files written, 6 unchanged$" "a re-run writes nothing"
ino=$(stat -c %i "$D/tile/0/000"); bino=$(stat -c %i "$D/tile/entries/000")
append "$DB" 300 260
expect_rc 0 "publish 560 entries" -- audit publish --db "$DB" --tiles "$D" --log-key "$T/log.key" --origin $O
expect_out "^published 560 entries to $D: 6 files written, 2 unchanged$" "only new tiles and the checkpoint are written"
expect_eq "$(stat -c %i "$D/tile/0/000") $(stat -c %i "$D/tile/entries/000")" "$ino $bino" "full tiles are never rewritten"
expect_eq "$(cd "$D" && find . -type f | sort | tr '\n' ' ')" \
	"./checkpoint ./tile/0/000 ./tile/0/001 ./tile/0/001.p/44 ./tile/0/002.p/48 ./tile/1/000.p/1 ./tile/1/000.p/2 ./tile/entries/000 ./tile/entries/001 ./tile/entries/001.p/44 ./tile/entries/002.p/48 " \
	"the older partial tiles stay beside the full ones"
ls "$D"/checkpoint.tmp-* "$D"/tile/0/*.tmp-* >/dev/null 2>&1; expect_eq $? 2 "no temporary file is left"

expect_rc 0 "verify the folder offline" -- audit verify --tiles "$D" --key "$T/log.pub"
expect_out "^audit log intact: 560 entries in the tiles, all covered by the checkpoint signed by key $KID \(6 tiles and 4 entry bundles verified\)$" "tiles verdict"

# proofs from the tiles are the database's, byte for byte
expect_rc 0 "inclusion proof from the db" -- audit prove --db "$DB" --seq 257 -o "$T/db-incl"
expect_rc 0 "inclusion proof from the tiles" -- audit prove --tiles "$D" --seq 257 -o "$T/t-incl"
cmp -s "$T/db-incl" "$T/t-incl"; expect_eq $? 0 "inclusion proofs are identical"
for s in 0 255 256 559; do
	"$GG" audit prove --db "$DB" --seq $s > "$T/a"; "$GG" audit prove --tiles "$D" --seq $s > "$T/b"
	cmp -s "$T/a" "$T/b"; expect_eq $? 0 "inclusion proof of $s identical"
done
for f in 1 256 300 559 560; do
	"$GG" audit prove --db "$DB" --from $f > "$T/a"; "$GG" audit prove --tiles "$D" --from $f > "$T/b"
	cmp -s "$T/a" "$T/b"; expect_eq $? 0 "consistency proof from $f identical"
done
expect_rc 2 "prove --tiles a seq beyond the checkpoint" -- audit prove --tiles "$D" --seq 560
expect_err "checkpoint: error: seq 560 is not in the latest checkpoint \(size 560\) \[GV-H002\]" "seq out of range message"
expect_rc 2 "prove --tiles --from 0" -- audit prove --tiles "$D" --from 0
expect_err "--from 0 must be between 1 and the latest checkpoint's size 560" "from out of range message"

# tampering, each on a fresh copy
tamper() { rm -rf "$T/t2"; cp -r "$D" "$T/t2"; }
tamper; printf 'X' | dd of="$T/t2/tile/0/001" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_rc 1 "a tampered full tile" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_out "^audit log TAMPERED$" "tampered verdict"
expect_err "t2/checkpoint: error: the level-0 tiles \(560 leaf hashes\) do not hash to this checkpoint's root: it is a checkpoint for another tree, or the tiles were changed \[GV-H001\]" "tampered tile message"
tamper; rm "$T/t2/tile/0/001"
expect_rc 1 "a missing tile" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_err "t2/tile/0/001: error: missing: the checkpoint's tree of 560 entries needs this tile \[GV-H001\]" "missing tile message"
tamper; rm "$T/t2/tile/entries/002.p/48"
expect_rc 1 "a missing entry bundle" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_err "t2/tile/entries/002.p/48: error: missing: the checkpoint's tree needs this entry bundle \[GV-H001\]" "missing bundle message"
tamper; printf 'X' | dd of="$T/t2/tile/0/001.p/44" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_rc 1 "a partial tile that disagrees with the full one" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_err "t2/tile/0/001.p/44: error: this partial tile disagrees with the tree \(and with the full tile of the same index\) \[GV-H001\]" "partial tile message"
tamper; printf 'X' | dd of="$T/t2/tile/1/000.p/1" bs=1 seek=3 conv=notrunc 2>/dev/null
expect_rc 1 "an older level-1 partial tile that disagrees" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_err "t2/tile/1/000.p/1: error: this partial tile disagrees" "level-1 partial message"
tamper; printf 'X' | dd of="$T/t2/tile/1/000.p/2" bs=1 seek=40 conv=notrunc 2>/dev/null
expect_rc 1 "a level-1 tile that disagrees with level 0" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_err "t2/tile/1/000.p/2: error: hash 1 does not match the tree recomputed from the level-0 tiles \[GV-H001\]" "level-1 tile message"
tamper; sed -i 's/"i":5}/"i":6}/' "$T/t2/tile/entries/000"
expect_rc 1 "a tampered entry bundle" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_err "t2/tile/entries/000: error: entry 5 does not match its leaf hash in the level-0 tile \[GV-H001\]" "tampered bundle message"
tamper; printf 'junk' >> "$T/t2/tile/entries/002.p/48"
expect_rc 1 "bytes after the last entry of a bundle" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_err "t2/tile/entries/002.p/48: error: has 4 bytes after its 48 entries \[GV-H001\]" "trailing bytes message"
tamper; head -c 8000 "$D/tile/0/000" > "$T/t2/tile/0/000"
expect_rc 1 "a truncated tile" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_err "t2/tile/0/000: error: is 8000 bytes, a tile of 256 hashes is 8192 \[GV-H001\]" "truncated tile message"
# a checkpoint for another tree, signed by the same key
append "$T/b.db" 0 560
"$GG" audit checkpoint --db "$T/b.db" --log-key "$T/log.key" --origin $O -o "$T/b.cp"
tamper; cp "$T/b.cp" "$T/t2/checkpoint"
expect_rc 1 "a checkpoint for another tree" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_err "t2/checkpoint: error: the level-0 tiles \(560 leaf hashes\) do not hash to this checkpoint's root: it is a checkpoint for another tree" "another tree message"
expect_rc 1 "the folder under another key" -- audit verify --tiles "$D" --key "$T/other.pub"
expect_err "tiles/checkpoint: error: note has no signature by '$O'" "another key message"
expect_rc 2 "verify a folder with no checkpoint" -- audit verify --tiles "$T/nope" --key "$T/log.pub"
expect_err "nope/checkpoint: error: cannot read: No such file or directory \(is --tiles a published log\?\) \[GV-H002\]" "no checkpoint message"
expect_rc 2 "--tiles with --checkpoint" -- audit verify --tiles "$D" --key "$T/log.pub" --checkpoint "$T/latest.cp"
expect_err "--tiles DIR verifies the folder alone: no --jsonl, --checkpoint, --trust or --allow-unsigned-tail" "--tiles is exclusive"

# publishing over another log's folder is refused, and writes nothing
tamper
expect_rc 1 "publish another tree of the same size into the folder" -- audit publish --db "$T/b.db" --tiles "$T/t2" --log-key "$T/log.key" --origin $O
expect_err "t2/checkpoint: error: the folder holds a checkpoint of '$O' at size 560 that the log \(size 560\) cannot extend; refusing to publish over another tree \[GV-H001\]" "same size, other root refusal"
append "$T/b.db" 560 40
expect_rc 1 "publish another, larger log into the folder" -- audit publish --db "$T/b.db" --tiles "$T/t2" --log-key "$T/log.key" --origin $O
expect_err "t2/tile/entries/000: error: a full tile on disk differs from the log; refusing to rewrite it \(is this folder another log's\?\) \[GV-H001\]" "full tile refusal"
cmp -s "$T/t2/checkpoint" "$D/checkpoint"; expect_eq $? 0 "the refused publish left the checkpoint"
tamper; printf 'X' | dd of="$T/t2/tile/0/000" bs=1 seek=5 conv=notrunc 2>/dev/null
expect_rc 1 "re-publish the same log over a changed full hash tile" -- audit publish --db "$DB" --tiles "$T/t2" --log-key "$T/log.key" --origin $O
expect_err "t2/tile/0/000: error: a full tile on disk differs from the log; refusing to rewrite it" "full hash tile refusal"
expect_eq "$(cmp "$T/t2/tile/0/000" "$D/tile/0/000" | cut -d" " -f3-5 | tr -d ",")" "differ: byte 6" "the changed tile was left for the operator to see"
append "$T/c.db" 0 10
tamper
expect_rc 1 "publish a smaller log into the folder" -- audit publish --db "$T/c.db" --tiles "$T/t2" --log-key "$T/log.key" --origin $O
expect_err "t2/checkpoint: error: the folder holds a checkpoint of '$O' at size 560 that the log \(size 10\) cannot extend; refusing to publish over another tree \[GV-H001\]" "larger checkpoint refusal"

# an entry longer than a bundle's 16-bit length: refused before anything is written
append "$T/big.db" 0 3
python3 -c 'print("{\"blob\":\"" + "x" * 70000 + "\"}")' > "$T/big.json"
"$GG" audit append --db "$T/big.db" --type blob --payload "$(cat "$T/big.json")" >/dev/null
mkdir "$T/bigtiles"
expect_rc 2 "publish a log with an entry over 65535 bytes" -- audit publish --db "$T/big.db" --tiles "$T/bigtiles" --log-key "$T/log.key" --origin $O
expect_err "big.db: error: entry 3 is 70[0-9]{3} bytes; a tile entry bundle holds entries of at most 65535 bytes \(16-bit length\), so this log cannot be published as tiles \[GV-H002\]" "oversized entry message"
expect_eq "$(find "$T/bigtiles" -type f | wc -l)" "0" "nothing was written"

# the origin from the environment, as elsewhere
mkdir "$T/envtiles"
append "$T/e.db" 0 10
GOVGATE_LOG_ORIGIN=env.example/log "$GG" audit publish --db "$T/e.db" --tiles "$T/envtiles" --log-key "$T/log.key" >/dev/null
expect_eq "$(sed -n 1p "$T/envtiles/checkpoint")" "env.example/log" "origin from GOVGATE_LOG_ORIGIN"
expect_rc 0 "verify it" -- audit verify --tiles "$T/envtiles" --key "$T/log.pub"
expect_out "^audit log intact: 10 entries in the tiles" "ten entries verified"

# any static server will do: fetch the folder over HTTP and verify the copy
if command -v python3 >/dev/null 2>&1; then
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	(cd "$D" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) &
	srv=$!
	mkdir "$T/fetched"
	python3 - "$port" "$T/fetched" <<'PY'
import os, sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
def get(p):
    for _ in range(50):
        try:
            return urllib.request.urlopen("http://127.0.0.1:%s/%s" % (port, p)).read()
        except OSError:
            time.sleep(0.1)
    raise SystemExit("cannot fetch " + p)
def put(p, b):
    os.makedirs(os.path.dirname(os.path.join(out, p)), exist_ok=True)
    open(os.path.join(out, p), "wb").write(b)
cp = get("checkpoint"); put("checkpoint", cp)
size = int(cp.split(b"\n")[1])
for kind in ("0", "entries"):
    for k in range((size + 255) // 256):
        w = min(256, size - 256 * k)
        p = "tile/%s/%03d" % (kind, k) + ("" if w == 256 else ".p/%d" % w)
        put(p, get(p))
put("tile/1/000.p/2", get("tile/1/000.p/2"))
PY
	kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
	expect_rc 0 "verify the copy fetched over HTTP" -- audit verify --tiles "$T/fetched" --key "$T/log.pub"
	expect_out "^audit log intact: 560 entries in the tiles, all covered by the checkpoint signed by key $KID \(4 tiles and 3 entry bundles verified\)$" "fetched copy verdict"
fi

# Go's sumdb/tlog reads the folder as tlog tiles (tests/interop/tilecheck):
# tlog.TileHashReader checks every tile it loads against the signed tree
if command -v go >/dev/null 2>&1; then
	GOPATH_X=${GOVGATE_GOPATH:-/usr/share/gocode}
	(cd "$ROOT/tests/interop/tilecheck" && GO111MODULE=off GOPATH="$GOPATH_X" GOFLAGS= \
		GOPROXY=off GOCACHE="$T/gocache" go build -o "$T/tilecheck" .) 2>"$T/gobuild"
	expect_eq $? 0 "the Go tile checker builds offline"
	"$GG" audit key --key "$T/log.pub" --origin $O > "$T/vkey"
	"$T/tilecheck" "$T/vkey" "$D" > "$T/go" 2>&1
	expect_eq $? 0 "Go's sumdb/tlog verifies the published tiles"
	expect_eq "$(cat "$T/go")" "ok: $O, 560 entries: tiles read by tlog.TileHashReader, tree hash and every entry proved" "Go's summary"
	tamper; printf 'X' | dd of="$T/t2/tile/1/000.p/2" bs=1 seek=40 conv=notrunc 2>/dev/null
	"$T/tilecheck" "$T/vkey" "$T/t2" > "$T/go" 2>&1
	expect_eq $? 1 "Go rejects a tampered level-1 tile"
	expect_out_go=$(grep -c "downloaded inconsistent tile\|ProveRecord\|TreeHash" "$T/go")
	expect_eq "$expect_out_go" "1" "Go's reason names the tile check"
	tamper; sed -i 's/"i":5}/"i":6}/' "$T/t2/tile/entries/000"
	"$T/tilecheck" "$T/vkey" "$T/t2" > "$T/go" 2>&1
	expect_eq $? 1 "Go rejects a tampered entry bundle"
	grep -q "entry 5: CheckRecord" "$T/go"; expect_eq $? 0 "Go's reason names entry 5"
else
	echo "    skip: t470's Go check needs 'go' (Debian golang-go)" >&2
fi

# the chain: a folder whose tiles, bundles and signed checkpoint all agree,
# but whose entry 3 names another prev (made and signed here with Python's
# cryptography, with the log's own key), is still refused
"$GG" audit export --db "$T/e.db" -o "$T/e.jsonl" 2>/dev/null
python3 - "$T/e.jsonl" "$T/log.key" "$T/forged" env.example/log <<'PY'
import base64, hashlib, os, struct, sys
from cryptography.hazmat.primitives import serialization
entries = [l.rstrip(b"\n") for l in open(sys.argv[1], "rb")]
key = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None)
out, origin = sys.argv[3], sys.argv[4]
e = entries[3]
entries[3] = e[:-66] + b"f" * 64 + b'"}'          # another prev, same length
leaf = lambda e: hashlib.sha256(b"\0" + e).digest()
node = lambda l, r: hashlib.sha256(b"\1" + l + r).digest()
def mth(hs):
    if len(hs) == 1:
        return hs[0]
    k = 1
    while k * 2 < len(hs):
        k *= 2
    return node(mth(hs[:k]), mth(hs[k:]))
hs = [leaf(x) for x in entries]
os.makedirs(out + "/tile/0/000.p")
os.makedirs(out + "/tile/entries/000.p")
open(out + "/tile/0/000.p/%d" % len(hs), "wb").write(b"".join(hs))
open(out + "/tile/entries/000.p/%d" % len(hs), "wb").write(
    b"".join(struct.pack(">H", len(x)) + x for x in entries))
text = b"%s\n%d\n%s\n" % (origin.encode(), len(hs), base64.b64encode(mth(hs)))
pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
kid = hashlib.sha256(origin.encode() + b"\n\x01" + pub).digest()[:4]
sig = base64.b64encode(kid + key.sign(text)).decode()
open(out + "/checkpoint", "wb").write(text + ("\n\u2014 %s %s\n" % (origin, sig)).encode())
PY
expect_rc 1 "a signed folder whose entry 3 breaks the chain" -- audit verify --tiles "$T/forged" --key "$T/log.pub"
expect_err "forged/tile/entries/000.p/10: error: entry 3 breaks the chain \(its seq or prev is not the entry before it\) \[GV-H001\]" "chain message"

# a FIFO where a tile should be is refused, not waited on
tamper; rm "$T/t2/tile/0/001"; mkfifo "$T/t2/tile/0/001"
expect_rc 1 "a FIFO in place of a tile" -- audit verify --tiles "$T/t2" --key "$T/log.pub"
expect_err "t2/tile/0/001: error: is not a regular file \[GV-H001\]" "FIFO message"
