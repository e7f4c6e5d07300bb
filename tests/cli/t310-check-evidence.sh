# check --sign/--report/--minisign/--receipt/--db/--log-key: the evidence a
# run leaves, verified with govgate and with openssl and minisign.
P="--rules rules --policy policies"
F="--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"
M=fixtures/manifests/encryption-misconfig.yaml
K=$T/keys
mkdir -p "$K"
expect_rc 0 "report key" -- keygen --out "$K/rep"
expect_rc 0 "log key" -- keygen --out "$K/log"
EV="--sign $K/rep.key --report $T/r.dsse --minisign $T/r.json --receipt $T/rc.dsse --db $T/a.db --log-key $K/log.key --origin example.com/govgate-test --actor ci"

expect_rc 1 "a blocked run with evidence still exits 1" -- check $P $F $EV $M
expect_out '^decision: block' "text result on stdout"

# the signed report verifies, names the manifest, and is bound to it
expect_rc 0 "report verifies" -- verify --key "$K/rep.pub" "$T/r.dsse"
expect_out '^decision: block$' "verify prints the decision"
expect_out "^subject: $M sha256:$(sha256sum $M | cut -c1-64)$" "subject digest is the file's"
expect_rc 0 "--manifest matches a subject" -- verify --key "$K/rep.pub" --manifest $M "$T/r.dsse"
expect_rc 1 "--manifest of another file does not" -- verify --key "$K/rep.pub" --manifest fixtures/manifests/hybrid-ok.yaml "$T/r.dsse"
expect_rc 1 "the log key did not sign the report" -- verify --key "$K/log.pub" "$T/r.dsse"

# the predicate: decision, findings, digests, time, deployment, checkpoint
payload=$(sed 's/.*"payload":"\([^"]*\)".*/\1/' "$T/r.dsse" | base64 -d)
printf "%s\n" "$payload" > "$T/payload.json"
grep -q '"predicateType":"https://govgate.dev/compliance-report/v1"' "$T/payload.json" && pass || fail "predicate type"
grep -q '"decision":"block","policy_digest":{"sha256":"[0-9a-f]\{64\}"}' "$T/payload.json" && pass || fail "decision and policy digest"
grep -q '"rule":"conn.tls-min-version"' "$T/payload.json" && pass || fail "findings in the predicate"
grep -q "\"cloud\":{\"file\":\"fixtures/facts/cloud.yaml\",\"digest\":{\"sha256\":\"$(sha256sum fixtures/facts/cloud.yaml | cut -c1-64)\"}}" "$T/payload.json" && pass || fail "cloud facts digest"
grep -q '"time":"20[0-9-]*T[0-9:]*Z","deployment_id":"DEP-2026-11-28-002"' "$T/payload.json" && pass || fail "time and deployment id"
grep -q '"checkpoint":{"origin":"example.com/govgate-test","size":1,"root":"' "$T/payload.json" && pass || fail "checkpoint the run ended at"

# the plain report is exactly what -f json prints, and minisign accepts it
run check $P $F -f json $M
cmp -s "$T/out" "$T/r.json" && pass || fail "minisign report differs from -f json"
run key export --minisign "$K/rep.pub"
cp "$T/out" "$T/minisign.pub"
if command -v minisign >/dev/null 2>&1; then
	minisign -Vm "$T/r.json" -p "$T/minisign.pub" >"$T/ms.out" 2>&1 && pass || fail "minisign rejects our report"
	grep -q 'decision:block' "$T/ms.out" && pass || fail "trusted comment carries the decision"
	cp "$T/r.json" "$T/r2.json"; echo ' ' >> "$T/r2.json"; cp "$T/r.json.minisig" "$T/r2.json.minisig"
	minisign -Vm "$T/r2.json" -p "$T/minisign.pub" >/dev/null 2>&1 && fail "minisign accepts a changed report" || pass
else
	echo "skip: minisign is not installed" >&2
fi

# the DSSE signature checks with openssl alone (docs/EVIDENCE.md recipe)
sed 's/.*"sig":"\([^"]*\)".*/\1/' "$T/r.dsse" | base64 -d > "$T/sig.bin"
printf 'DSSEv1 %d %s %d ' 28 application/vnd.in-toto+json "$(wc -c < "$T/payload.json" | awk '{print $1-1}')" > "$T/pae.bin"
head -c -1 "$T/payload.json" >> "$T/pae.bin"
openssl pkeyutl -verify -pubin -inkey "$K/rep.pub" -rawin -in "$T/pae.bin" -sigfile "$T/sig.bin" >/dev/null 2>&1 && pass || fail "openssl rejects the report signature"

# the log: one validated entry, report.signed, the receipt, three checkpoints; it verifies
expect_rc 0 "audit log verifies" -- audit verify --db "$T/a.db" --key "$K/log.pub"
expect_out "intact: 3 entries, all covered by checkpoints signed by key [0-9a-f]{64} \(3 checkpoint signatures verified\)" "three entries, all covered"
run audit log --db "$T/a.db"
expect_out '^\{"seq":0,"time":"[^"]*","type":"governance.validated","deployment_id":"DEP-2026-11-28-002","actor":"ci","payload":\{"file":"fixtures/manifests/encryption-misconfig.yaml","document":0' "validated entry"
expect_out '"violations":\[\{"rule":"conn.tls-min-version","enforcement":"block","severity":"critical"\}' "violations listed"
expect_out '^\{"seq":1,[^}]*"type":"report.signed"' "report.signed entry"

expect_out '^\{"seq":2,[^}]*"type":"deployment.receipt","deployment_id":"DEP-2026-11-28-002","actor":"ci","payload":\{"deployment_id":"DEP-2026-11-28-002",' "the receipt is a log entry"

# receipts: logged, listed, signed with the proof of their entry, verified
expect_rc 0 "receipt verifies" -- verify --key "$K/rep.pub" "$T/rc.dsse"
expect_out '^receipt: deployment_id=DEP-2026-11-28-002 mode=hybrid status=blocked decision=block cloud_region=ap-south-1 on_prem=datacenter-1 started_at=[0-9T:Z-]+ ended_at=[0-9T:Z-]+ log_seq=0$' "receipt fields"
expect_out '^log: proof present, not checked \(give --log-pub PUB\)$' "without the log key the proof is not claimed"
expect_rc 0 "receipt verifies against the log key" -- verify --key "$K/rep.pub" --log-pub "$K/log.pub" "$T/rc.dsse"
expect_out "^log: entry 2 of 'example.com/govgate-test' included in the checkpoint for size 3 signed by key $(openssl pkey -pubin -in "$K/log.pub" -outform DER | sha256sum | cut -c1-64)$" "what the log proof proved"
expect_rc 1 "another log key does not prove it" -- verify --key "$K/rep.pub" --log-pub "$K/rep.pub" "$T/rc.dsse"
expect_err "not against a checkpoint signed by the given log key" "says why"
expect_rc 0 "receipts list" -- receipts --db "$T/a.db"
expect_out '^DEP-2026-11-28-002  blocked    block ' "listed"
expect_rc 2 "signing a receipt needs the log's key" -- receipts --db "$T/a.db" --deployment DEP-2026-11-28-002 --sign "$K/rep.key" -o "$T/rc2.dsse"
expect_err "--sign needs --log-pub PUB" "says why"
expect_rc 0 "receipt re-signed from the log" -- receipts --db "$T/a.db" --deployment DEP-2026-11-28-002 --sign "$K/rep.key" --log-pub "$K/log.pub" -o "$T/rc2.dsse"
expect_out "proved under key [0-9a-f]{64}$" "says it was proved"
expect_rc 0 "re-signed receipt verifies with its proof" -- verify --key "$K/rep.pub" --log-pub "$K/log.pub" "$T/rc2.dsse"
expect_out "^log: entry 2 of 'example.com/govgate-test' included in the checkpoint for size 3" "re-signed: proved"
expect_rc 1 "no receipt for an unknown deployment" -- receipts --db "$T/a.db" --deployment NOPE

# failures leave nothing half-done
chmod 0644 "$K/rep.key"
expect_rc 2 "a readable private key is refused" -- check $P $F --sign "$K/rep.key" --report "$T/x.dsse" --db "$T/a.db" $M
expect_err "rep.key" "names the key file"
[ ! -e "$T/x.dsse" ] && pass || fail "report written with a refused key"
chmod 0600 "$K/rep.key"
run audit verify --db "$T/a.db" --key "$K/log.pub"
expect_out "intact: 3 entries" "nothing appended by the refused run"
expect_rc 2 "report into a missing folder" -- check $P $F --sign "$K/rep.key" --report "$T/nodir/r.dsse" --db "$T/a.db" $M
[ ! -e "$T/nodir" ] && pass || fail "cruft left"
expect_rc 0 "the log is still a valid chain" -- audit verify --db "$T/a.db" --key "$K/log.pub"
expect_rc 2 "--report without --sign" -- check $P $F --report "$T/y.dsse" $M
expect_rc 2 "--log-key without --db" -- check $P $F --log-key "$K/log.key" $M
expect_rc 2 "--receipt with two deployments" -- check $P $F --sign "$K/rep.key" --receipt "$T/z.dsse" $M fixtures/manifests/hybrid-ok.yaml
expect_err "needs exactly one manifest with a deployment_id; this run has 2" "says why"
[ ! -e "$T/z.dsse" ] && pass || fail "receipt written anyway"
