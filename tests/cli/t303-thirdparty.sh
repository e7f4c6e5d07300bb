# Third-party verification: the openssl command line checks our DSSE
# signatures (the recipe in docs/EVIDENCE.md) and Debian's minisign checks
# our minisign signatures; both reject a tampered copy.

"$GG" keygen --out "$T/k" >/dev/null
printf 'kind: Pod\n' > "$T/m.yaml"
h=$(sha256sum "$T/m.yaml" | cut -d' ' -f1)
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"m.yaml","digest":{"sha256":"%s"}}],"predicateType":"https://govgate.dev/compliance-report/v1","predicate":{"decision":"block"}}' "$h" > "$T/st.json"
"$GG" key sign-statement --key "$T/k.key" --statement "$T/st.json" -o "$T/r.json"

# openssl_check ENVELOPE: the documented recipe; prints openssl's status
openssl_check() {
	type=$(sed 's/.*"payloadType":"\([^"]*\)".*/\1/' "$1")
	sed 's/.*"payload":"\([^"]*\)".*/\1/' "$1" | base64 -d > "$T/body.bin"
	printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(wc -c < "$T/body.bin")" > "$T/pae.bin"
	cat "$T/body.bin" >> "$T/pae.bin"
	sed 's/.*"sig":"\([^"]*\)".*/\1/' "$1" | base64 -d > "$T/sig.bin"
	openssl pkeyutl -verify -pubin -inkey "$T/k.pub" -rawin -in "$T/pae.bin" \
		-sigfile "$T/sig.bin" >/dev/null 2>&1
	echo $?
}
expect_eq "$(openssl_check "$T/r.json")" 0 "openssl verifies the DSSE signature"
cmp -s "$T/body.bin" "$T/st.json"
expect_eq $? 0 "the payload is the statement, byte for byte"
payload=$(sed 's/.*"payload":"\([^"]*\)".*/\1/' "$T/r.json")
evil=$(printf '%s' "$payload" | base64 -d | sed 's/"block"/"allow"/' | base64 -w0)
sed "s|\"payload\":\"[^\"]*\"|\"payload\":\"$evil\"|" "$T/r.json" > "$T/tampered.json"
expect_eq "$(openssl_check "$T/tampered.json")" 1 "openssl rejects a tampered payload"
sed 's|"payloadType":"application/vnd.in-toto+json"|"payloadType":"application/json"|' \
	"$T/r.json" > "$T/ptype.json"
expect_eq "$(openssl_check "$T/ptype.json")" 1 "openssl rejects a swapped payload type"

# minisign
expect_rc 0 "export the public key for minisign" -- key export --minisign "$T/k.pub"
cp "$T/out" "$T/k.minisign.pub"
expect_out "^untrusted comment: minisign public key [0-9A-F]{16}$" "minisign public key comment"
expect_rc 0 "sign a file minisign-style" -- key sign --key "$T/k.key" --comment "file:m.yaml" "$T/m.yaml"
minisign -Vm "$T/m.yaml" -p "$T/k.minisign.pub" > "$T/ms.out" 2>&1
expect_eq $? 0 "minisign -V accepts our signature"
grep -q "^Trusted comment: file:m.yaml$" "$T/ms.out"
expect_eq $? 0 "minisign shows our trusted comment"
cp "$T/m.yaml" "$T/m2.yaml"
cp "$T/m.yaml.minisig" "$T/m2.yaml.minisig"
printf 'x' >> "$T/m2.yaml"
minisign -Vm "$T/m2.yaml" -p "$T/k.minisign.pub" >/dev/null 2>&1
expect_eq $? 1 "minisign rejects a tampered file"
sed 's/^trusted comment: file:m.yaml$/trusted comment: file:evil.yaml/' "$T/m.yaml.minisig" \
	> "$T/m3.minisig"
minisign -Vm "$T/m.yaml" -x "$T/m3.minisig" -p "$T/k.minisign.pub" >/dev/null 2>&1
expect_eq $? 1 "minisign rejects a swapped trusted comment"
"$GG" keygen --out "$T/o" >/dev/null
"$GG" key export --minisign "$T/o.pub" > "$T/o.minisign.pub"
minisign -Vm "$T/m.yaml" -p "$T/o.minisign.pub" >/dev/null 2>&1
expect_eq $? 1 "minisign rejects another key"
