# Colour, NO_COLOR, stale facts, policy lint, install.
P="--rules rules --policy policies"
C=fixtures/facts/cloud.yaml
O=fixtures/facts/onprem.yaml
M=fixtures/manifests

run check $P --cloud-facts $C --onprem-facts $O $M/encryption-misconfig.yaml
grep -q "$(printf '\033')" "$T/out" && fail "colour in a pipe" || pass

# facts older than the maximum age count as missing, with their age
# facts older than the maximum age: still fail closed (same decision and
# exit), but the age is said once per side, up front, and each finding only
# says the fact is stale, without the rule's remediation
expect_rc 1 "stale facts fail closed" -- check $P --max-fact-age 60 --cloud-facts $C --onprem-facts $O $M/hybrid-ok.yaml
expect_eq "$(grep -c 'GV-F004' "$T/err")" 2 "one stale-facts diagnostic per side"
expect_err "^$C:5:15: warning: cloud facts in '$C' are stale \(collected [0-9]+[dhms] ago, at 2026-11-28T12:00:00Z; the maximum age is 60s\): every rule that reads them fails, as if they were missing \[GV-F004\]$" "cloud: file, age and limit"
expect_err "^$O:5:15: warning: onprem facts in '$O' are stale \(collected [0-9]+[dhms] ago, at 2026-11-28T12:00:05Z; the maximum age is 60s\)" "onprem: file, age and limit"
expect_out "^$M/hybrid-ok.yaml:3:1: block \[critical\] enc.at-rest: cloud.encryption.at_rest.enabled: fact unavailable \(stale\) \[" "finding says stale"
expect_no_out "Enable encryption at rest" "no misleading remediation"
expect_no_out "collected [0-9]+[dhms] ago" "the age is not repeated per finding"
expect_eq "$(grep -c 'fact unavailable (stale)' "$T/out")" "$(grep -c '^    remediation: Collect the [a-z-]* facts again' "$T/out")" "every stale finding says to collect the facts again"
expect_out '^decision: block — 1 manifest, 23 rules evaluated, 31 findings \(block 12, halt 5, escalate 8, warn 2, info 4\)$' "the same decision and findings as before"
expect_rc 2 "bad --max-fact-age" -- check $P --max-fact-age soon $M/hybrid-ok.yaml

expect_rc 0 "policy lint accepts the shipped pack" -- policy lint --rules rules policies
expect_out '^ok: 1 policy, 29 rules$' "lint counts"
expect_rc 2 "policy lint reports every error" -- policy lint --rules rules fixtures/broken/policy-unknown-key.yaml fixtures/broken/policy-bad-regex.yaml
expect_eq "$(grep -c ': error: ' "$T/err")" 2 "two errors reported"

# installed binary finds the shipped rules without --rules
make -s install PREFIX=/opt/gg DESTDIR="$T/stage" BUILD="$(dirname "$GG")" >/dev/null 2>&1
SAVED_GG=$GG
GG=$T/stage/opt/gg/bin/govgate
expect_rc 0 "installed binary finds rules" -- check --policy "$T/stage/opt/gg/share/govgate/policies" --cloud-facts $C --onprem-facts $O $M/hybrid-ok.yaml
GG=$SAVED_GG

# colour on a terminal, never with NO_COLOR
if command -v script >/dev/null 2>&1; then
	script -qec "$GG check $P --cloud-facts $C --onprem-facts $O $M/encryption-misconfig.yaml" /dev/null > "$T/tty.out" 2>&1
	grep -q "$(printf '\033')\[1;31mblock" "$T/tty.out" && pass || fail "no colour on a terminal"
	NO_COLOR=1 script -qec "$GG check $P --cloud-facts $C --onprem-facts $O $M/encryption-misconfig.yaml" /dev/null > "$T/tty.out" 2>&1
	grep -q "$(printf '\033')" "$T/tty.out" && fail "colour despite NO_COLOR" || pass
else
	echo "skip: script(1) is not installed, terminal colour not tested" >&2
fi
