# Results for every file, errors for the bad ones (issue 9, sections 1 and 2):
# a bad manifest does not hide the results of the good ones, input errors
# outrank denials in the exit code, not_applicable, folders.
P="--rules rules --policy policies"
F="--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"
M=fixtures/manifests
B=fixtures/broken
NPA='{"file":"fixtures/manifests/no-policy-applies.yaml","line":4,"column":1,"code":"GV-M003","message":"no policy applies to this manifest"}'

# the issue's own example: every manifest reported, the unmatched one in errors[]
expect_rc 2 "fixtures/manifests/*.yaml: an input error outranks block" -- check $P $F -f json $M/*.yaml
expect_out '"counts":\{"files":6,"manifests":7,"policies":1,"rules_evaluated":174,"findings":8,' "every good manifest evaluated"
expect_out '"decision":"block",' "the run's decision is still the worst finding"
expect_out '"deployment_id":"DEP-2026-11-28-008","decision":"not_applicable","policies_applied":0,"rules_evaluated":0,"findings":0\}\],"findings":\[' "the unmatched manifest is not_applicable"
expect_eq "$(grep -o '"errors":.*' "$T/out")" "\"errors\":[$NPA]}" "exactly one error entry"
expect_err "^$M/no-policy-applies.yaml:4:1: error: no policy applies to this manifest \[GV-M003\]$" "diagnostic on stderr"
cp "$T/out" "$T/all.json"
expect_rc 2 "the same with -o" -- check $P $F -f json -o "$T/all-o.json" $M/*.yaml
cmp -s "$T/all.json" "$T/all-o.json" && pass || fail "-o differs from stdout"
expect_eq "$(wc -c < "$T/out")" 0 "stdout empty with -o"
run check $P $F -f json -j 1 $M/*.yaml; cp "$T/out" "$T/j1"
run check $P $F -f json -j 4 $M/*.yaml
cmp -s "$T/j1" "$T/out" && pass || fail "-j 1 and -j 4 differ"

# text: results on stdout, compiler-style diagnostics on stderr, exit 2
expect_rc 2 "text run with an input error" -- check $P $F $M/*.yaml
expect_out "^$M/encryption-misconfig.yaml:20:18: block \[critical\] conn.tls-min-version:" "findings of the good files"
expect_eq "$(tail -n 1 "$T/out")" "decision: block — 7 manifests, 174 rules evaluated, 8 findings (block 5, halt 3), 1 not applicable, 1 input error" "summary counts the error"

# 2 over 1, 2 over 3, 2 over 0; malformed and unreadable manifests in errors[]
expect_rc 1 "blocked alone" -- check $P $F $M/encryption-misconfig.yaml
expect_rc 2 "blocked plus a malformed file" -- check $P $F -f json $M/encryption-misconfig.yaml $B/bad-syntax.yaml
expect_out '"decision":"block",.*"manifests":\[\{"file":"fixtures/manifests/encryption-misconfig.yaml",' "blocked results kept"
expect_out '"errors":\[\{"file":"fixtures/broken/bad-syntax.yaml","line":[0-9]+,"column":[0-9]+,"code":"GV-Y[0-9]+","message":"[^"]+"\}\]\}$' "syntax error entry"
expect_rc 2 "allowed plus a missing file" -- check $P $F -f json $M/hybrid-ok.yaml "$T/nope.yaml"
expect_out '"decision":"allow"' "allowed result kept"
expect_eq "$(grep -o '"errors":.*' "$T/out" | sed 's/"message":"[^"]*"/"message":M/')" "\"errors\":[{\"file\":\"$T/nope.yaml\",\"line\":null,\"column\":null,\"code\":\"GV-Y018\",\"message\":M}]}" "unreadable file entry"
U="--cloud-facts fixtures/facts/cloud-unreachable.yaml --onprem-facts fixtures/facts/onprem.yaml"
expect_rc 3 "escalated alone" -- check $P $U $M/connectivity-error.yaml
expect_rc 2 "escalated plus a duplicate key: 2 over 3" -- check $P $U $M/connectivity-error.yaml $B/duplicate-key.yaml
expect_eq "$(tail -n 1 "$T/out")" "decision: escalate — 1 manifest, 26 rules evaluated, 1 finding (escalate 1), 1 input error" "escalated result kept"
expect_err "^$B/duplicate-key.yaml:[0-9]+:[0-9]+: error: .*\\[GV-Y[0-9]+\\]$" "diagnostic of the bad file"
expect_rc 2 "errors in input order" -- check $P $F -f json $B/duplicate-key.yaml $M/hybrid-ok.yaml $M/no-policy-applies.yaml $B/bad-syntax.yaml
expect_eq "$(grep -o '"errors":.*' "$T/out" | grep -o '"file":"[^"]*"' | tr '\n' ' ')" '"file":"fixtures/broken/duplicate-key.yaml" "file":"fixtures/manifests/no-policy-applies.yaml" "file":"fixtures/broken/bad-syntax.yaml" ' "one entry per bad file, input order"

# not_applicable, with and without --allow-empty
expect_rc 2 "only an unmatched manifest" -- check $P -f json $M/no-policy-applies.yaml
expect_eq "$(grep -o '"errors":.*' "$T/out")" "\"errors\":[$NPA]}" "is an error"
expect_rc 0 "--allow-empty: a run that evaluated nothing at all" -- check $P --allow-empty -f json $M/no-policy-applies.yaml
expect_out '"decision":"not_applicable","policies_applied":0' "reported as not_applicable, not allow"
expect_out '"errors":\[\]\}$' "no error"
expect_rc 0 "--allow-empty, text" -- check $P --allow-empty $M/no-policy-applies.yaml
expect_eq "$(cat "$T/out")" "decision: allow — 1 manifest, 0 rules evaluated, 0 findings, 1 not applicable" "text summary says not applicable"
expect_rc 2 "--allow-empty does not accept it beside evaluated manifests" -- check $P $F --allow-empty -f json $M/hybrid-ok.yaml $M/no-policy-applies.yaml
expect_eq "$(grep -o '"errors":.*' "$T/out")" "\"errors\":[$NPA]}" "still an error"
expect_out '"decision":"not_applicable"' "and not_applicable"

# policy and facts errors still stop the run before anything is evaluated
expect_rc 2 "policy error" -- check --rules rules -p $B/policy-unknown-operator.yaml -f json $M/hybrid-ok.yaml
expect_eq "$(wc -c < "$T/out")" 0 "policy error: nothing on stdout"
printf 'side: cloud\n: [\n' > "$T/badfacts.yaml"
expect_rc 2 "facts error" -- check $P --cloud-facts "$T/badfacts.yaml" -f json $M/hybrid-ok.yaml
expect_eq "$(wc -c < "$T/out")" 0 "facts error: nothing on stdout"

# signed reports and the log: nothing for a run with input errors
expect_rc 0 "a key" -- keygen --out "$T/rep"
expect_rc 2 "--report with an input error" -- check $P $F --sign "$T/rep.key" --report "$T/r.dsse" --minisign "$T/r.json" --receipt "$T/rc.dsse" --db "$T/a.db" -f json $M/hybrid-ok.yaml $M/no-policy-applies.yaml
[ ! -e "$T/r.dsse" ] && [ ! -e "$T/r.json" ] && [ ! -e "$T/rc.dsse" ] && pass || fail "evidence written for a run with input errors"
expect_err "error: the run had input errors: no signed report, minisign file or receipt was written and nothing was recorded in the audit log \[GV-O010\]" "says so"
expect_out '"errors":\[' "the report itself is still printed"
run audit log --db "$T/a.db"
expect_eq "$rc/$(wc -c < "$T/out")" "0/0" "the log holds no entry (no governance.validated)"

# --allow-empty with evidence: a not_applicable manifest is not validated
expect_rc 0 "--allow-empty run with --db and --report" -- check $P --allow-empty --sign "$T/rep.key" --report "$T/na.dsse" --db "$T/na.db" $M/no-policy-applies.yaml
run audit log --db "$T/na.db"
expect_eq "$(grep -c '"type":"governance.validated"' "$T/out")/$(grep -c '"type":"deployment.receipt"' "$T/out")" "0/0" "no governance.validated entry, no receipt"
expect_rc 0 "its report verifies" -- verify --key "$T/rep.pub" "$T/na.dsse"
payload=$(sed 's/.*"payload":"\([^"]*\)".*/\1/' "$T/na.dsse" | base64 -d)
case $payload in *'"decision":"not_applicable","policies_applied":0'*) pass ;; *) fail "signed report does not say not_applicable" ;; esac

# folders: recursion, byte order, *.yml and *.json, symlinks, --exclude
D=$T/deploys
mkdir -p "$D/a" "$D/a-b" "$D/b/c" "$T/outside"
cp $M/hybrid-ok.yaml "$D/z.yaml"
cp $M/hybrid-ok.yaml "$D/a/one.yml"
cp $M/labels-warn.json "$D/a-b/two.json"
cp $M/encryption-misconfig.yaml "$D/b/c/deep.yaml"
cp $M/hybrid-ok.yaml "$D/a.yaml"
echo 'not a manifest' > "$D/notes.txt"
cp $M/encryption-misconfig.yaml "$T/outside/secret.yaml"
ln -s "$T/outside" "$D/out-dir"
ln -s "$T/outside/secret.yaml" "$D/out-file.yaml"
ln -s . "$D/b/loop"
ln -s ../.. "$D/b/c/up"
ln -s self.yaml "$D/self.yaml"
ln -s z.yaml "$D/inside-link.yaml"
expect_rc 1 "a folder" -- check $P $F -f json "$D"
expect_eq "$(grep -o '"manifests":\[.*\],"findings"' "$T/out" | grep -o '"file":"[^"]*"' | sed "s|$T/||" | tr '\n' ' ')" \
	'"file":"deploys/a-b/two.json" "file":"deploys/a.yaml" "file":"deploys/a/one.yml" "file":"deploys/b/c/deep.yaml" "file":"deploys/inside-link.yaml" "file":"deploys/z.yaml" ' \
	"recursive, byte order, no link out of the folder or into a loop"
expect_no_out 'secret' "nothing outside the folder read"
expect_out '"errors":\[\]' "no error"
expect_rc 0 "--exclude" -- check $P $F -f json --exclude 'c' --exclude '*.json' "$D"
expect_eq "$(grep -o '"manifests":\[.*\],"findings"' "$T/out" | grep -o '"file":"[^"]*"' | sed "s|$T/||" | tr '\n' ' ')" \
	'"file":"deploys/a.yaml" "file":"deploys/a/one.yml" "file":"deploys/inside-link.yaml" "file":"deploys/z.yaml" ' \
	"excluded by folder name and by glob"
expect_rc 0 "--exclude on a relative path" -- check $P $F -f json --exclude 'b/*' --exclude 'a-b' "$D"
expect_no_out 'deep.yaml|two.json' "left out"
expect_rc 2 "folder and file mixed, in argument order" -- check $P $F -f json $M/encryption-misconfig.yaml "$D/a" $M/no-policy-applies.yaml
expect_eq "$(grep -o '"manifests":\[.*\],"findings"' "$T/out" | grep -o '"file":"[^"]*"' | sed "s|$T/||" | tr '\n' ' ')" \
	'"file":"fixtures/manifests/encryption-misconfig.yaml" "file":"deploys/a/one.yml" "file":"fixtures/manifests/no-policy-applies.yaml" ' "arguments in order"

# a folder with no manifest is an input error naming it; the others still run
mkdir -p "$T/empty" "$T/txt"
echo hi > "$T/txt/readme.txt"
expect_rc 2 "an empty folder" -- check $P $F -f json "$T/empty" $M/hybrid-ok.yaml
expect_eq "$(grep -o '"errors":.*' "$T/out")" "\"errors\":[{\"file\":\"$T/empty\",\"line\":null,\"column\":null,\"code\":\"GV-M006\",\"message\":\"folder holds no manifest (*.yaml, *.yml or *.json)\"}]}" "names the folder"
expect_out '"manifests":\[\{"file":"fixtures/manifests/hybrid-ok.yaml"' "the file beside it is reported"
expect_err "^$T/empty: error: folder holds no manifest \(\*.yaml, \*.yml or \*.json\) \[GV-M006\]$" "text diagnostic"
expect_rc 2 "only a folder of other files" -- check $P $F "$T/txt"
expect_err "^$T/txt: error: folder holds no manifest" "names it"
expect_rc 2 "a folder all excluded" -- check $P $F --exclude '*' "$D"
expect_err "^$D: error: folder holds no manifest" "names it"
expect_rc 2 "--allow-empty does not accept an empty folder" -- check $P --allow-empty "$T/empty"
expect_err "GV-M006" "still an error"
