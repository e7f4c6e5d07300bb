# Where the binary finds the shipped rules/ and policies/ without flags, and
# what it says when it cannot: one "rule library not found" error listing
# every place it looked, never one "unknown rule" error per use.
C=fixtures/facts/cloud.yaml
O=fixtures/facts/onprem.yaml
M=fixtures/manifests
SAVED_GG=$GG
unset GOVGATE_RULES

# a lone binary: no rules/ beside it, and a data directory that does not
# exist (GOVGATE_DATADIR replaces the compiled-in one, so what is installed
# on this machine does not matter)
mkdir -p "$T/lone/bin"
cp "$SAVED_GG" "$T/lone/bin/govgate"
GG=$T/lone/bin/govgate
export GOVGATE_DATADIR="$T/nodata"
LONE=$(cd "$T/lone/bin" && pwd -P)
expect_rc 2 "a lone binary: the rule library is not found" -- check -p policies --cloud-facts $C --onprem-facts $O $M/hybrid-ok.yaml
expect_eq "$(grep -c ': error: ' "$T/err")" 1 "said once"
expect_eq "$(grep -c 'unknown rule' "$T/err")" 0 "no 'unknown rule' errors"
expect_err "^policies/hybrid-baseline.yaml:14:13: error: rule library not found; looked in --rules \(not given\), \\\$GOVGATE_RULES \(not set\), $LONE/../rules, $LONE/../share/govgate/rules, $T/nodata/rules \(give --rules PATH or set GOVGATE_RULES\); 'use' of 'conn.tls-min-version' needs it \[GV-P036\]$" "located, with every place looked in"
expect_eq "$(wc -c < "$T/out")" 0 "nothing on stdout"
expect_rc 2 "explain says it the same way" -- explain -p policies --rule conn.tls-min-version $M/hybrid-ok.yaml
expect_eq "$(grep -c ': error: ' "$T/err")" 1 "explain: said once"
expect_err "error: rule library not found; looked in .*\[GV-P036\]$" "explain: GV-P036"
expect_rc 2 "policy lint says it the same way" -- policy lint policies
expect_eq "$(grep -c ': error: ' "$T/err")" 1 "lint: said once"
expect_err "error: rule library not found; looked in .*\[GV-P036\]$" "lint: GV-P036"

# a policy that uses no library rule does not need the library
cat > "$T/inline.yaml" <<'YAML'
apiVersion: govgate/v1
kind: Policy
metadata: {name: inline-only, version: 1.0.0}
spec:
  match: {path: manifest.mode, equals: hybrid}
  rules:
    - id: mode.hybrid
      title: The manifest is a hybrid deployment
      enforcement: block
      check: {path: manifest.mode, equals: hybrid}
YAML
expect_rc 0 "a lone binary checks an inline-only policy" -- check -p "$T/inline.yaml" $M/hybrid-ok.yaml
expect_out '^decision: allow — 1 manifest, 1 rule evaluated, 0 findings$' "inline-only decision"

# --rules, $GOVGATE_RULES and $GOVGATE_DATADIR each give it the library
expect_rc 0 "--rules" -- check --rules rules -p policies --cloud-facts $C --onprem-facts $O $M/hybrid-ok.yaml
GOVGATE_RULES=rules expect_rc 0 "\$GOVGATE_RULES" -- check -p policies --cloud-facts $C --onprem-facts $O $M/hybrid-ok.yaml
GOVGATE_RULES=$T/none expect_rc 2 "a \$GOVGATE_RULES that does not exist is an error" -- check -p policies --cloud-facts $C --onprem-facts $O $M/hybrid-ok.yaml
expect_err "$T/none" "the error names it"
mkdir -p "$T/data"
cp -R rules policies "$T/data/"
GOVGATE_DATADIR=$T/data expect_rc 0 "\$GOVGATE_DATADIR/rules" -- check -p policies --cloud-facts $C --onprem-facts $O $M/hybrid-ok.yaml
expect_out '^decision: allow — 1 manifest, 29 rules evaluated, 0 findings$' "the shipped rules, from the data directory"

# check needs -p: a gate says which policy it enforces; the message names
# the shipped pack when there is one
GOVGATE_DATADIR=$T/data expect_rc 2 "check without -p" -- check $M/hybrid-ok.yaml
expect_err "^govgate: check: no policy given \(use --policy PATH; the shipped policy pack is $T/data/policies\)$" "names the shipped pack"
expect_rc 2 "check without -p, no pack anywhere" -- check $M/hybrid-ok.yaml
expect_err "^govgate: check: no policy given \(use --policy PATH\)$" "no pack to name"
unset GOVGATE_DATADIR

# an install (the layout `make install` writes): rules found beside the
# binary, the policy pack named with -p
mkdir -p "$T/inst/bin" "$T/inst/share/govgate"
cp "$SAVED_GG" "$T/inst/bin/govgate"
cp -R rules policies "$T/inst/share/govgate/"
GG=$T/inst/bin/govgate
INST=$(cd "$T/inst/share/govgate" && pwd -P)
expect_rc 0 "an install finds its rules" -- check -p "$T/inst/share/govgate/policies" --cloud-facts $C --onprem-facts $O $M/hybrid-ok.yaml
expect_rc 2 "an install: check without -p" -- check $M/hybrid-ok.yaml
expect_err "^govgate: check: no policy given \(use --policy PATH; the shipped policy pack is $INST/policies\)$" "an install names its pack"
GG=$SAVED_GG
