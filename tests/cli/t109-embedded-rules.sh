# The shipped rules/ and policies/ are compiled into the binary as node
# trees (validator/embedded.h), used only when a file's bytes are exactly a
# shipped file's: a copy with one byte edited is parsed, so the edit is
# what is enforced and reported, and a broken edit is a located error.
C=fixtures/facts/cloud.yaml
O=fixtures/facts/onprem.yaml
M=fixtures/manifests/encryption-misconfig.yaml
P=policies/hybrid-baseline.yaml
AT_REST="$M:28:14: block [critical] enc.at-rest:"

expect_rc 1 "shipped rules: blocked" -- check --rules rules -p $P --cloud-facts $C --onprem-facts $O $M
expect_eq "$(grep -c '' "$T/out")" 11 "shipped rules: five findings, their remediations and the decision"
expect_eq "$(grep -F "$AT_REST" "$T/out")" "$AT_REST encryption at rest is off: manifest.encryption.at_rest.enabled is false, expected true (policy hybrid-baseline)" "shipped rules: the shipped message"
cp "$T/out" "$T/shipped.txt"

# an unchanged copy elsewhere: the same digest, the same report
cp -R rules "$T/same"
expect_rc 1 "an unchanged copy: blocked" -- check --rules "$T/same" -p $P --cloud-facts $C --onprem-facts $O $M
expect_eq "$(cmp "$T/out" "$T/shipped.txt" && echo same)" same "an unchanged copy: the same report, byte for byte"

# one byte of one rule's message changed ('e' -> 'E')
cp -R rules "$T/edited"
sed 's/message: "encryption at rest is off/message: "Encryption at rest is off/' rules/encryption.yaml > "$T/edited/encryption.yaml"
expect_eq "$(cmp -l rules/encryption.yaml "$T/edited/encryption.yaml" | wc -l | tr -d ' ')" 1 "the copy differs by one byte"
expect_rc 1 "one byte edited: blocked" -- check --rules "$T/edited" -p $P --cloud-facts $C --onprem-facts $O $M
expect_eq "$(grep -F "$AT_REST" "$T/out")" "$AT_REST Encryption at rest is off: manifest.encryption.at_rest.enabled is false, expected true (policy hybrid-baseline)" "one byte edited: the edited message is reported"
expect_eq "$(grep -vF "$AT_REST" "$T/out")" "$(grep -vF "$AT_REST" "$T/shipped.txt")" "one byte edited: every other line unchanged"

# a comment changed: parsed, and parsing gives what the binary holds
cp -R rules "$T/comment"
sed '1s/^# Encryption/# encryption/' rules/encryption.yaml > "$T/comment/encryption.yaml"
expect_rc 1 "a comment edited: blocked" -- check --rules "$T/comment" -p $P --cloud-facts $C --onprem-facts $O $M
expect_eq "$(cmp "$T/out" "$T/shipped.txt" && echo same)" same "a comment edited: the same report as the shipped rules"

# the edited policy is parsed too: its enforcement changed from block to warn
mkdir "$T/pol"
sed 's/{use: enc.at-rest, enforcement: block,/{use: enc.at-rest, enforcement: warn,/' $P > "$T/pol/hybrid-baseline.yaml"
expect_rc 1 "an edited policy: still blocked by the other rules" -- check --rules rules -p "$T/pol/hybrid-baseline.yaml" --cloud-facts $C --onprem-facts $O $M
expect_eq "$(grep -F "$M:28:14:" "$T/out")" "$M:28:14: warn [critical] enc.at-rest: encryption at rest is off: manifest.encryption.at_rest.enabled is false, expected true (policy hybrid-baseline)" "an edited policy: the edited enforcement"

# a broken edit: the parser's located error, exit 2, no report
cp -R rules "$T/broken"
sed 's/^metadata: {name: encryption}$/metadata: {name: encryption/' rules/encryption.yaml > "$T/broken/encryption.yaml"
expect_rc 2 "a broken edit: an input error" -- check --rules "$T/broken" -p $P --cloud-facts $C --onprem-facts $O $M
expect_err "^$T/broken/encryption.yaml:6:6: error: did not find expected ',' or '}' while parsing a flow mapping \(line 5, column 11\) \[GV-Y003\]$" "a broken edit: file:line:col of the parse error"
expect_eq "$(wc -c < "$T/out" | tr -d ' ')" 0 "a broken edit: nothing on stdout"

# the policy digest covers each file's SHA-256 and path (sha256sum lines,
# rules first), whether its tree came from the binary or the parser
digest() {
	sed -n 's/.*"policy_digest":{"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/out"
}
want() {
	sha256sum "$1"/*.yaml $P | sha256sum | cut -c1-64
}
for r in rules "$T/same" "$T/edited"; do
	expect_rc 1 "json, rules from $r" -- check --rules "$r" -p $P --cloud-facts $C --onprem-facts $O -f json $M
	expect_eq "$(digest)" "$(want "$r")" "json, rules from $r: the policy digest of the bytes read"
done
