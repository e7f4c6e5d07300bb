# keygen and key id: file modes, refusal to overwrite, refusal of readable
# private keys, and key ids that match OpenSSL's own DER encoding.

expect_rc 0 "keygen writes a pair" -- keygen --out "$T/k"
expect_out "wrote $T/k.key and $T/k.pub" "keygen names both files"
expect_eq "$(stat -c %a "$T/k.key")" 600 "private key is created 0600"
expect_eq "$(head -1 "$T/k.key")" "-----BEGIN PRIVATE KEY-----" "private key is PKCS#8 PEM"
expect_eq "$(head -1 "$T/k.pub")" "-----BEGIN PUBLIC KEY-----" "public key is SPKI PEM"
expect_eq "$(openssl pkey -in "$T/k.key" -noout -text 2>/dev/null | head -1)" \
	"ED25519 Private-Key:" "openssl reads the private key as Ed25519"

cp "$T/k.key" "$T/k.key.orig"
cp "$T/k.pub" "$T/k.pub.orig"
expect_rc 2 "keygen refuses to overwrite" -- keygen --out "$T/k"
expect_err "k.key: error: key file already exists; use --force" "refusal names the file"
cmp -s "$T/k.key" "$T/k.key.orig" && cmp -s "$T/k.pub" "$T/k.pub.orig"
expect_eq $? 0 "refused keygen leaves both files untouched"
rm "$T/k.key"
expect_rc 2 "keygen refuses when only the .pub exists" -- keygen --out "$T/k"
expect_err "k.pub: error: key file already exists" "refusal names the .pub"
[ -e "$T/k.key" ]
expect_eq $? 1 "no .key is created beside an existing .pub"
cp "$T/k.key.orig" "$T/k.key"
chmod 600 "$T/k.key"

chmod 644 "$T/k.key"
expect_rc 0 "keygen --force replaces the pair" -- keygen --out "$T/k" --force
expect_eq "$(stat -c %a "$T/k.key")" 600 "forced key is 0600 again"
cmp -s "$T/k.pub" "$T/k.pub.orig"
expect_eq $? 1 "forced keygen makes a new key"

spki_id=$(openssl pkey -pubin -in "$T/k.pub" -outform DER | sha256sum | cut -d' ' -f1)
expect_rc 0 "key id of a .pub" -- key id "$T/k.pub"
expect_eq "$(cat "$T/out")" "$spki_id" "key id = sha256 of the DER public key (openssl)"
expect_rc 0 "key id of a .key" -- key id "$T/k.key"
expect_eq "$(cat "$T/out")" "$spki_id" "the private key has the same key id"

chmod 644 "$T/k.key"
expect_rc 2 "a 0644 private key is refused" -- key id "$T/k.key"
expect_err "k.key: error: private key file is accessible by group or others \(mode 0644\)" \
	"the refusal names the file and mode"
echo '{}' > "$T/st.json"
expect_rc 2 "signing with a 0644 key is refused" -- \
	key sign-statement --key "$T/k.key" --statement "$T/st.json" -o "$T/env.json"
[ -e "$T/env.json" ]
expect_eq $? 1 "nothing is written with a refused key"
chmod 640 "$T/k.key"
expect_rc 2 "a 0640 private key is refused" -- key id "$T/k.key"
chmod 600 "$T/k.key"

expect_rc 2 "keygen without --out" -- keygen
expect_err "--out NAME is required" "keygen says what is missing"
expect_rc 2 "keygen into a missing folder" -- keygen --out "$T/nodir/k"
expect_err "nodir/k.key: error: cannot create key file: folder '$T/nodir' does not exist \(create it first\) \[GV-K001\]$" \
	"the failure names the file and the missing folder"
expect_rc 2 "key id of a missing file" -- key id "$T/missing.pub"
expect_err "missing.pub: error: cannot open key file" "missing key file is named"
echo "not a key" > "$T/junk.pub"
expect_rc 2 "key id of a non-key" -- key id "$T/junk.pub"
expect_err "junk.pub: error: not a SubjectPublicKeyInfo public key PEM file" "non-key is named"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/ec.key" 2>/dev/null
openssl pkey -in "$T/ec.key" -pubout -out "$T/ec.pub" 2>/dev/null
expect_rc 2 "a P-256 key is refused" -- key id "$T/ec.pub"
expect_err "ec.pub: error: key is not an Ed25519 key" "the wrong algorithm is named"
expect_rc 0 "key --help" -- key --help
expect_out "sign-statement" "key --help documents sign-statement"
expect_rc 2 "unknown key verb" -- key frobnicate
