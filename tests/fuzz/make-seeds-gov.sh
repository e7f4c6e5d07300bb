#!/bin/sh
# Regenerates the seed corpora of fuzz_tiles, fuzz_witness, fuzz_waiver and
# fuzz_governance (the harnesses of the tile folder, the witness, waivers,
# approvals and policy bundles), signed by the fuzz test key
# (fuzz_common.h, the RFC 8032 TEST 1 key), in the section format of
# fuzz_sections.h.
#   sh tests/fuzz/make-seeds-gov.sh build/govgate
# Entry times differ from run to run; the seeds only need to be valid.
set -eu
GG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
S="$ROOT/tests/fuzz/seeds"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# the fuzz test key (keep in step with FZ_TEST_KEY_PEM in fuzz_common.h)
cat > "$T/test.key" <<'KEY'
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
KEY
chmod 600 "$T/test.key"
openssl pkey -in "$T/test.key" -pubout -out "$T/test.pub"
O=example.com/fuzz

# append DB FROM TO: entries FROM..TO
append() {
	i=$2
	while [ "$i" -le "$3" ]; do
		"$GG" audit append --db "$1" --type report.signed --deployment "d$i" --actor ci \
			--payload "{\"i\":$i}" >/dev/null
		i=$((i + 1))
	done
}
# publish DB DIR
publish() { mkdir -p "$2" && "$GG" audit publish --db "$1" --tiles "$2" --log-key "$T/test.key" --origin $O >/dev/null; }

append "$T/a.db" 1 3
publish "$T/a.db" "$T/three"
"$GG" audit checkpoint --db "$T/a.db" --log-key "$T/test.key" --origin $O -o "$T/c3.cp"
"$GG" witness cosign --key "$T/test.key" --name w.example --trust $O="$T/test.pub" \
	--state "$(mkdir -p "$T/st" && echo "$T/st")" "$T/c3.cp" > "$T/c3.cosigned" 2>/dev/null
append "$T/a.db" 4 9
publish "$T/a.db" "$T/grown"
append "$T/a.db" 10 20
"$GG" audit checkpoint --db "$T/a.db" --log-key "$T/test.key" --origin $O -o "$T/c20.cp"
"$GG" audit prove --db "$T/a.db" --from 3 -o "$T/p3-20.proof"
"$GG" audit prove --db "$T/a.db" --seq 2 -o "$T/incl.proof"
append "$T/b.db" 1 20
publish "$T/b.db" "$T/twenty"

# approvals and a policy bundle: their payloads are the governance seeds
cp "$ROOT/fixtures/manifests/hybrid-ok.yaml" "$T/m.yaml"
(cd "$T" && "$GG" approve -k test.key -r security-admin --deployment DEP-1 --expires 2d \
	--comment ok -o approval.dsse m.yaml >/dev/null)
(cd "$ROOT" && "$GG" policy bundle -k "$T/test.key" -o "$T/bundle.dsse" --rules rules \
	-p policies/hybrid-baseline.yaml >/dev/null)
"$GG" waiver sign -k "$T/test.key" -o "$S/fuzz_waiver/W-2026-014.dsse" \
	"$ROOT/fixtures/governance/W-2026-014.yaml" >/dev/null
cp "$ROOT/fixtures/governance/W-2026-014.yaml" "$S/fuzz_waiver/"

python3 - "$T" "$S" <<'PY'
import base64, json, os, sys
t, s = sys.argv[1], sys.argv[2]
r = lambda f: open(os.path.join(t, f), 'rb').read()
body = lambda f: r(f).split(b'\n\n')[0] + b'\n'

def mk(path, secs):
    out = b''
    for i, (n, data) in enumerate(secs):
        assert b'\n=== ' not in data
        out += b'=== ' + n + b'\n' + data + (b'\n' if i < len(secs) - 1 else b'')
    open(os.path.join(s, path), 'wb').write(out)

for d in ('three', 'twenty', 'grown'):
    for signed in (True, False):
        secs = []
        for root, _, fs in sorted(os.walk(os.path.join(t, d))):
            for f in sorted(fs):
                p = os.path.join(root, f)
                rel = os.path.relpath(p, os.path.join(t, d))
                data = open(p, 'rb').read()
                if rel == 'checkpoint' and signed:
                    secs.append((b'checkpoint.sign', data.split(b'\n\n')[0] + b'\n'))
                else:
                    secs.append((rel.encode(), data))
        mk('fuzz_tiles/%s-%s' % (d, 'signed' if signed else 'raw'), secs)

w = 'fuzz_witness/'
mk(w + 'first', [(b'note.sign', body('c3.cp'))])
mk(w + 'grown', [(b'note.sign', body('c20.cp')), (b'state', r('c3.cp')), (b'proof', r('p3-20.proof'))])
mk(w + 'grown-raw', [(b'note', r('c20.cp')), (b'state', r('c3.cp')), (b'proof', r('p3-20.proof'))])
mk(w + 'cosigned', [(b'note', r('c3.cp')), (b'cosigned', r('c3.cosigned'))])
mk(w + 'same-size', [(b'note', r('c3.cp')), (b'state', r('c3.cp'))])
mk(w + 'wrong-proof', [(b'note.sign', body('c20.cp')), (b'state', r('c3.cp')), (b'proof', r('incl.proof'))])

g = os.path.join(s, 'fuzz_governance')
for env, name in (('approval.dsse', 'approval.json'), ('bundle.dsse', 'bundle.json')):
    e = json.loads(r(env))
    open(os.path.join(g, name), 'wb').write(base64.b64decode(e['payload']))
open(os.path.join(g, 'approval.dsse'), 'wb').write(r('approval.dsse'))
PY
