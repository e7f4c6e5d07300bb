# verify on hostile and malformed reports: always exit 2 with a message
# naming the file, never a crash.

"$GG" keygen --out "$T/k" >/dev/null
echo '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"}}],"predicateType":"https://govgate.dev/compliance-report/v1","predicate":{"decision":"allow"}}' > "$T/st.json"
"$GG" key sign-statement --key "$T/k.key" --statement "$T/st.json" -o "$T/r.json"

# hostile NAME MESSAGE: verify $T/NAME must exit 2 naming the file
hostile() {
	expect_rc 2 "hostile $1" -- verify --key "$T/k.pub" "$T/$1"
	expect_err "$1(:[0-9]+:[0-9]+)?: error: $2" "hostile $1 is explained"
}

head -c 17000000 /dev/zero | tr '\0' ' ' > "$T/huge.json"
hostile huge.json "not a signed report: larger than"
head -c 150 "$T/r.json" > "$T/truncated.json"
hostile truncated.json "unterminated string"
: > "$T/empty.json"
hostile empty.json "expected a value, found end of input"
echo 'hello' > "$T/text.json"
hostile text.json "expected a value, found 'h'"
sed 's/"payload":"/"payload":"!!/' "$T/r.json" > "$T/badb64.json"
hostile badb64.json "not a DSSE envelope: 'payload' is not valid base64"
sed 's/"sig":"/"sig":"@/' "$T/r.json" > "$T/badsig64.json"
hostile badsig64.json "not a DSSE envelope: 'sig' is not valid base64"
sed 's/^{/{"payload":"",/' "$T/r.json" > "$T/dup.json"
hostile dup.json "duplicate key \"payload\" \(first at 1:2\)"
sed 's/"payloadType":"[^"]*"/"payloadType":42/' "$T/r.json" > "$T/type.json"
hostile type.json "not a DSSE envelope: 'payloadType' must be a string, not a number"
sed 's/"signatures":\[/"signatures":{"x":[/; s/\]}$/]}}/' "$T/r.json" > "$T/sigobj.json"
hostile sigobj.json "not a DSSE envelope: 'signatures' must be an array, not an object"
echo '[]' > "$T/array.json"
hostile array.json "not a DSSE envelope: the envelope must be an object"
printf '{"payloadType":"t","payload":"","signatures":[{"sig":"\377"}]}' > "$T/utf8.json"
hostile utf8.json "invalid UTF-8"
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "["; }' > "$T/deep.json"
hostile deep.json "nesting deeper than"
expect_rc 2 "missing report" -- verify --key "$T/k.pub" "$T/none.json"
expect_err "none.json: error: cannot read: No such file or directory" "missing report is named"
expect_rc 2 "missing key" -- verify --key "$T/none.pub" "$T/r.json"
expect_err "none.pub: error: cannot open key file" "missing key is named"
expect_rc 2 "a private key given as --key" -- verify --key "$T/k.key" "$T/r.json"
expect_err "k.key: error: this is a private key; give the public key \(.pub\) here" \
	"a private key in place of the public one is explained"
expect_rc 2 "verify without --key" -- verify "$T/r.json"
expect_err "--key PUB is required" "verify says --key is required"
expect_rc 2 "verify with two reports" -- verify --key "$T/k.pub" "$T/r.json" "$T/r.json"
expect_rc 0 "the untouched report still verifies" -- verify --key "$T/k.pub" "$T/r.json"
