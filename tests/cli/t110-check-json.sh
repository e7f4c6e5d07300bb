# The JSON output: schema fields, stable order with --jobs, stdin, -o.
P="--rules rules --policy policies"
C=fixtures/facts/cloud.yaml
O=fixtures/facts/onprem.yaml
M=fixtures/manifests

expect_rc 1 "json run" -- check $P --cloud-facts $C --onprem-facts $O -f json $M/encryption-misconfig.yaml
expect_out '^\{"tool":\{"name":"govgate","version":"[0-9.]+"\},"decision":"block","policy_digest":\{"sha256":"[0-9a-f]{64}"\}' "json head"
expect_out '"rule":"conn.tls-min-version","title":"[^"]*","enforcement":"block","severity":"critical","message":"TLS minimum version 1.0 is not one of \[1.2, 1.3\]","path":"manifest.connectivity.tls.min_version","file":"fixtures/manifests/encryption-misconfig.yaml","line":20,"column":18' "finding fields"
expect_out '"path":"manifest.encryption.at_rest.kms_key_id","file":"fixtures/manifests/encryption-misconfig.yaml","line":27,"column":3,"manifest":"fixtures/manifests/encryption-misconfig.yaml","document":0,"actual":null,"expected":"1","missing":true' "missing finding"
expect_out '"counts":\{"files":1,"manifests":1,"policies":1,"rules_evaluated":29,"findings":5,"by_enforcement":\{"block":5,"halt":0,"escalate":0,"warn":0,"info":0\}\}' "counts"
cp "$T/out" "$T/one.json"

# same result from standard input, apart from the file name
run check $P --cloud-facts $C --onprem-facts $O -f json - < $M/encryption-misconfig.yaml
expect_eq "$rc" 1 "stdin exit code"
expect_out '"file":"-","line":20,"column":18' "stdin locations"

# stable order whatever the number of jobs
set -- $M/hybrid-ok.yaml $M/encryption-misconfig.yaml $M/multi.yaml $M/labels-warn.json $M/hybrid-ok.yaml
run check $P --cloud-facts $C --onprem-facts $O -f json -j 1 "$@"; cp "$T/out" "$T/j1"
run check $P --cloud-facts $C --onprem-facts $O -f json -j 4 "$@"; cp "$T/out" "$T/j4"
expect_eq "$rc" 1 "five manifests, worst is block"
cmp -s "$T/j1" "$T/j4" && pass || fail "-j 1 and -j 4 differ"

# -o writes the same bytes atomically; stdout stays empty
expect_rc 1 "-o output" -- check $P --cloud-facts $C --onprem-facts $O -f json -o "$T/o.json" $M/encryption-misconfig.yaml
cmp -s "$T/o.json" "$T/one.json" && pass || fail "-o differs from stdout"
expect_eq "$(wc -c < "$T/out")" 0 "stdout empty with -o"
expect_eq "$(ls "$T" | grep -c '\.tmp')" 0 "no temporary file left"
expect_rc 2 "unwritable -o is an input error" -- check $P --cloud-facts $C --onprem-facts $O -o "$T/missing/dir/o.json" $M/hybrid-ok.yaml
expect_err "missing/dir/o.json: error: cannot write here: folder '$T/missing/dir' does not exist \\[GV-O004\\]" "names the file, checked before the run"
[ ! -e "$T/missing" ] && pass || fail "cruft left"

# --files-from
printf '%s\n' $M/hybrid-ok.yaml $M/labels-warn.json > "$T/list"
expect_rc 0 "--files-from" -- check $P --cloud-facts $C --onprem-facts $O --files-from "$T/list"
expect_out '^decision: warn — 2 manifests' "both read"
