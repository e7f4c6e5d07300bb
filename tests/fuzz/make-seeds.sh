#!/bin/sh
# Regenerates the seed corpora of the fuzz harnesses that need real signed
# data: a small audit log signed by the fuzz test key (fuzz_common.h, the
# RFC 8032 TEST 1 key), its export, checkpoints, proofs and sync bundles.
#   sh tests/fuzz/make-seeds.sh build/govgate
# Entry times differ from run to run; the seeds only need to be valid.
set -eu
GG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
S="$ROOT/tests/fuzz/seeds"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# the fuzz test key (keep in step with FZ_TEST_KEY_PEM in fuzz_common.h)
cat > "$T/test.key" <<'EOF'
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----
EOF
chmod 600 "$T/test.key"
openssl pkey -in "$T/test.key" -pubout -out "$T/test.pub"

DB="$T/a.db"
export GOVGATE_DB="$DB"
"$GG" audit append --type deploy.started --deployment DEP-1 --actor ci \
	--payload '{"plan":"hybrid-ok"}' >/dev/null
"$GG" audit append --type governance.validated --deployment DEP-1 --actor ci \
	--payload '{"decision":"allow","n":1}' --log-key "$T/test.key" >/dev/null
"$GG" audit append --type step.finished --deployment DEP-1 --actor "$(printf 'j\303\274rgen')" \
	--payload '{"step":"rollout","ok":true,"out":"a\nb"}' >/dev/null
"$GG" audit append --type deploy.finished --deployment DEP-1 --actor ci >/dev/null
"$GG" audit checkpoint --log-key "$T/test.key" >/dev/null
"$GG" audit append --type t >/dev/null
"$GG" audit checkpoint --log-key "$T/test.key" > "$T/latest.note"
"$GG" audit export -o "$T/log.jsonl" >/dev/null 2>&1
"$GG" audit prove --seq 2 -o "$T/incl.proof" >/dev/null
"$GG" audit prove --from 2 -o "$T/cons.proof" >/dev/null
"$GG" audit verify --jsonl "$T/log.jsonl" --key "$T/test.pub" >/dev/null
"$GG" sync export -o "$T/all.bundle" >/dev/null
"$GG" sync export --since 2 -o "$T/since2.bundle" >/dev/null

# fuzz_audit_jsonl: export "%%\n" checkpoints ["%%\n" saved checkpoint]
mkdir -p "$S/fuzz_audit_jsonl" "$S/fuzz_note" "$S/fuzz_trust" "$S/fuzz_sync_bundle"
{ cat "$T/log.jsonl"; echo '%%'; cat "$T/log.jsonl.checkpoints"; } > "$S/fuzz_audit_jsonl/export"
{ cat "$T/log.jsonl"; echo '%%'; cat "$T/log.jsonl.checkpoints"; echo '%%'; cat "$T/latest.note"; } \
	> "$S/fuzz_audit_jsonl/export-saved"
head -n 2 "$T/log.jsonl" > "$S/fuzz_audit_jsonl/no-checkpoint"

# a log with a check run's governance.validated entry and its receipt
(cd "$ROOT" && "$GG" check --rules rules --policy policies \
	--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml \
	--db "$T/r.db" --log-key "$T/test.key" fixtures/manifests/governance-failure.yaml \
	>/dev/null 2>&1) || true
"$GG" audit export --db "$T/r.db" -o "$T/r.jsonl" >/dev/null 2>&1
"$GG" audit verify --jsonl "$T/r.jsonl" --key "$T/test.pub" >/dev/null
{ cat "$T/r.jsonl"; echo '%%'; cat "$T/r.jsonl.checkpoints"; } > "$S/fuzz_audit_jsonl/receipt"

# fuzz_note: checkpoints (signed and bare text), proofs
cp "$T/latest.note" "$S/fuzz_note/checkpoint.note"
sed -n '1,3p' "$T/latest.note" > "$S/fuzz_note/checkpoint.txt"
cp "$T/incl.proof" "$S/fuzz_note/inclusion.proof"
cp "$T/cons.proof" "$S/fuzz_note/consistency.proof"
# the checkpoint cosigned by another key (golang.org/x/mod/sumdb/note's test
# signature by EnochRoot), and that package's test note by two other keys
{ cat "$T/latest.note"
  printf '\342\200\224 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n'
} > "$S/fuzz_note/cosigned.note"
printf '%s\n%s\n\n\342\200\224 %s\n\342\200\224 %s\n' \
	'If you think cryptography is the answer to your problem,' \
	"then you don't know what your problem is." \
	'PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=' \
	'EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=' \
	> "$S/fuzz_note/go-vector.note"

# fuzz_sync_bundle: bundles of the whole log and of the entries after 2
cp "$T/all.bundle" "$T/since2.bundle" "$S/fuzz_sync_bundle/"

# fuzz_trust: ORIGIN=PUBLIC-KEY-FILE
{ printf 'cloud.example/audit='; cat "$T/test.pub"; } > "$S/fuzz_trust/pub"
{ printf 'govgate.local/audit='; cat "$T/test.key"; } > "$S/fuzz_trust/private"
printf 'caf\303\251.example/log=-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n' \
	> "$S/fuzz_trust/empty-pem"
echo "seeds written under $S"
