# verify: valid reports and receipts, and every way evidence can be invalid
# (exit 1) or not evidence at all (exit 2).

"$GG" keygen --out "$T/k" >/dev/null
"$GG" keygen --out "$T/other" >/dev/null
kid=$("$GG" key id "$T/k.pub")
oid=$("$GG" key id "$T/other.pub")
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n' > "$T/m1.yaml"
printf 'apiVersion: v1\nkind: Service\n' > "$T/m2.yaml"
h1=$(sha256sum "$T/m1.yaml" | cut -d' ' -f1)
h2=$(sha256sum "$T/m2.yaml" | cut -d' ' -f1)

# statement NAME PREDICATE_TYPE PREDICATE: writes $T/NAME.json
statement() {
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"m1.yaml","digest":{"sha256":"%s"}},{"name":"m2.yaml","digest":{"sha256":"%s"}}],"predicateType":"%s","predicate":%s}' \
		"$h1" "$h2" "$2" "$3" > "$T/$1.json"
}
statement st https://govgate.dev/compliance-report/v1 \
	'{"decision":"warn","findings":[{"rule":"x"}],"tool":{"name":"govgate"}}'
expect_rc 0 "sign a statement" -- key sign-statement --key "$T/k.key" --statement "$T/st.json" -o "$T/r.json"
expect_eq "$(stat -c %a "$T/r.json")" 644 "envelope is written 0644"
expect_eq "$(wc -l < "$T/r.json")" 1 "envelope is one line"

expect_rc 0 "a good report verifies" -- verify --key "$T/k.pub" "$T/r.json"
expect_eq "$(cat "$T/out")" "valid: signed by $kid
decision: warn
subject: m1.yaml sha256:$h1
subject: m2.yaml sha256:$h2" "verify prints key id, decision and subjects"
expect_rc 0 "--manifest that is a subject" -- \
	verify --key "$T/k.pub" "$T/r.json" --manifest "$T/m2.yaml" --manifest "$T/m1.yaml"

# invalid evidence: exit 1
expect_rc 1 "another key" -- verify --key "$T/other.pub" "$T/r.json"
expect_err "r.json: error: no signature by key $oid; the report is signed by: $kid" \
	"wrong key: both key ids are printed"
expect_no_out "valid" "nothing valid is printed for a wrong key"

# tamper with the payload: decode, change the decision, re-encode
payload=$(sed 's/.*"payload":"\([^"]*\)".*/\1/' "$T/r.json")
evil=$(printf '%s' "$payload" | base64 -d | sed 's/"warn"/"allow"/' | base64 -w0)
sed "s|\"payload\":\"[^\"]*\"|\"payload\":\"$evil\"|" "$T/r.json" > "$T/tampered.json"
expect_rc 1 "tampered payload" -- verify --key "$T/k.pub" "$T/tampered.json"
expect_err "tampered.json: error: bad signature by key $kid" "tampered payload is named"
sed 's|"payloadType":"application/vnd.in-toto+json"|"payloadType":"application/vnd.in-toto+jsonx"|' \
	"$T/r.json" > "$T/ptype.json"
expect_rc 1 "tampered payloadType" -- verify --key "$T/k.pub" "$T/ptype.json"
expect_err "bad signature" "tampered payloadType fails the signature"
# URL-safe, unpadded base64 of the same bytes is still valid (DSSE)
tr '+/' '-_' < "$T/r.json" | sed 's/=//g; s|"payloadType":"[^"]*"|"payloadType":"application/vnd.in-toto+json"|' > "$T/urlsafe.json"
grep -q '[-_]' "$T/urlsafe.json"
expect_eq $? 0 "the URL-safe copy uses the URL-safe alphabet"
expect_rc 0 "URL-safe unpadded base64 is accepted" -- verify --key "$T/k.pub" "$T/urlsafe.json"
# a keyid-less signature is tried
sed "s/\"keyid\":\"$kid\",//" "$T/r.json" > "$T/nokeyid.json"
expect_rc 0 "a signature without keyid is tried" -- verify --key "$T/k.pub" "$T/nokeyid.json"
# a signature by another key, listed first, does not hide ours
"$GG" key sign-statement --key "$T/other.key" --statement "$T/st.json" -o "$T/o.json"
osig=$(sed 's/.*"signatures":\[\({[^}]*}\)\].*/\1/' "$T/o.json")
sed "s|\"signatures\":\[|\"signatures\":[$osig,|" "$T/r.json" > "$T/two.json"
expect_rc 0 "two signatures, ours second" -- verify --key "$T/k.pub" "$T/two.json"
expect_out "^valid: signed by $kid$" "the matching signature is the one reported"
expect_rc 0 "two signatures, the other key" -- verify --key "$T/other.pub" "$T/two.json"
expect_rc 1 "manifest not among the subjects" -- \
	verify --key "$T/k.pub" "$T/r.json" --manifest "$T/m1.yaml" --manifest "$T/k.pub"
expect_err "k.pub: error: manifest \(sha256:[0-9a-f]{64}\) is not among the report's subjects" \
	"the stray manifest is named"
printf ' ' >> "$T/m1.yaml"
expect_rc 1 "a changed manifest" -- verify --key "$T/k.pub" "$T/r.json" --manifest "$T/m1.yaml"
expect_rc 2 "an unreadable manifest" -- verify --key "$T/k.pub" "$T/r.json" --manifest "$T/nope.yaml"
expect_err "nope.yaml: error: cannot read manifest" "unreadable manifest is named"

# receipts verify too
statement rc https://govgate.dev/deployment-receipt/v1 \
	'{"deployment_id":"dep-42","mode":"hybrid","status":"completed","decision":"allow","on_prem":true}'
"$GG" key sign-statement --key "$T/k.key" --statement "$T/rc.json" -o "$T/receipt.json"
expect_rc 0 "a receipt verifies" -- verify --key "$T/k.pub" "$T/receipt.json"
expect_eq "$(sed -n 2p "$T/out")" "receipt: deployment_id=dep-42 mode=hybrid status=completed decision=allow on_prem=true" \
	"a receipt prints receipt: instead of decision:"
expect_no_out "^decision:" "no decision line for a receipt"

# validly signed, but not a govgate Statement: exit 2
statement bad1 https://example.com/other/v1 '{"decision":"allow"}'
statement bad2 https://govgate.dev/compliance-report/v1 '{"decision":"maybe"}'
statement bad3 https://govgate.dev/compliance-report/v1 '{"findings":[]}'
statement bad4 https://govgate.dev/deployment-receipt/v1 '{"status":"completed"}'
echo '{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://govgate.dev/compliance-report/v1","predicate":{"decision":"allow"}}' > "$T/bad5.json"
echo '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"ABC"}}],"predicateType":"https://govgate.dev/compliance-report/v1","predicate":{"decision":"allow"}}' > "$T/bad6.json"
echo '[1,2,3]' > "$T/bad7.json"
for n in 1 2 3 4 5 6 7; do
	"$GG" key sign-statement --key "$T/k.key" --statement "$T/bad$n.json" -o "$T/env$n.json"
	expect_rc 2 "signed non-Statement $n" -- verify --key "$T/k.pub" "$T/env$n.json"
	expect_err "env$n.json \(payload\):1:[0-9]+: error: not a govgate Statement" \
		"non-Statement $n is explained with a position"
	[ $n = 6 ] && expect_err "a sha256 digest must be 64 lowercase hex digits" \
		"a bad digest is explained"
done

# a report govgate signed over manifests of two deployments: deployment_id is
# null (the ids are in deployment_ids) and it verifies; a receipt's null
# deployment_id stays invalid
PP="-p policies --cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"
expect_rc 0 "check signs a report over two deployments" -- check $PP --sign "$T/k.key" \
	--report "$T/two.json" fixtures/manifests/hybrid-ok.yaml fixtures/manifests/labels-warn.json
python3 -c 'import json,base64,sys; p=json.loads(base64.b64decode(json.load(open(sys.argv[1]))["payload"]))["predicate"]; print(p["deployment_id"], len(p["deployment_ids"]))' "$T/two.json" > "$T/ids"
expect_eq "$(cat "$T/ids")" "None 2" "two deployments: deployment_id null, both ids listed"
expect_rc 0 "a report over two deployments verifies" -- verify --key "$T/k.pub" "$T/two.json"
expect_out "^decision: warn$" "two deployments: the decision"
statement nullrc https://govgate.dev/deployment-receipt/v1 '{"deployment_id":null,"status":"completed"}'
expect_rc 0 "sign a receipt with a null id" -- key sign-statement --key "$T/k.key" --statement "$T/nullrc.json" -o "$T/nullrc.env"
expect_rc 2 "a receipt's deployment_id must be a string" -- verify --key "$T/k.pub" "$T/nullrc.env"
expect_err "'deployment_id' must be a string" "null receipt id: the message"
