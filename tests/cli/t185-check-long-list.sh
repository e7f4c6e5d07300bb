# run-first: one of the longest files
# check --files-from over a list longer than the window of files the run
# keeps in flight (GV_GATE_WINDOW, 1024): the list is read as the run goes,
# yet the report is the same, byte for byte, as with the same paths given as
# arguments, whatever -j; input errors keep their order; folders named in the
# list are walked in their turn; evidence still covers every file.
P="--rules rules --policy policies"
F="--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"
M=fixtures/manifests
D=$T/m
mkdir -p "$D" "$T/dir" "$T/empty"

# 2,500 manifests: all hybrid-ok but four
awk -v dir="$D" -v ok=$M/hybrid-ok.yaml -v enc=$M/encryption-misconfig.yaml \
	-v bad=fixtures/broken/bad-syntax.yaml -v nop=$M/no-policy-applies.yaml \
	-v warn=$M/labels-warn.json 'BEGIN {
	for (i = 0; i < 2500; i++) {
		src = i == 1200 ? enc : i == 1500 ? bad : i == 2100 ? nop : i == 700 ? warn : ok
		f = sprintf("%s/m%04d.yaml", dir, i)
		while ((getline l < src) > 0)
			print l > f
		close(src)
		close(f)
	}
}'
cp $M/hybrid-ok.yaml "$T/dir/a.yaml"
cp $M/governance-failure.yaml "$T/dir/b.yaml"
expect_eq "$(ls "$D" | wc -l)" 2500 "corpus written"

# the list: an empty line, a CRLF line, two folders and a missing file
{
	i=0
	while [ $i -lt 2500 ]; do
		case $i in
		10) printf '\n%s\n' "$D/m0010.yaml" ;;
		20) printf '%s\r\n' "$D/m0020.yaml" ;;
		1800) printf '%s\n%s\n%s\n' "$T/dir" "$D/m1800.yaml" "$T/empty" ;;
		*) printf '%s\n' "$(printf '%s/m%04d.yaml' "$D" $i)" ;;
		esac
		i=$((i + 1))
	done
	printf '%s\n' "$T/missing.yaml"
} > "$T/list"
# the same paths as arguments, in the same order
tr -d '\r' < "$T/list" | grep -v '^$' > "$T/args"
expect_eq "$(wc -l < "$T/args")" 2503 "2,503 paths listed"

strip() { sed 's/"generated_at":"[^"]*"//' "$T/out"; }

expect_rc 2 "a streamed list with input errors exits 2" -- check $P $F -j 1 -f json --files-from "$T/list"
strip > "$T/list-j1.json"
cp "$T/err" "$T/list-j1.err"
expect_out '"counts":\{"files":2503,"manifests":2501,"policies":1,"rules_evaluated":[0-9]+,"findings":[0-9]+,' "every file counted"
expect_eq "$(grep -o '"errors":.*' "$T/out")" "\"errors\":[{\"file\":\"$T/empty\",\"line\":null,\"column\":null,\"code\":\"GV-M006\",\"message\":\"folder holds no manifest (*.yaml, *.yml or *.json)\"},{\"file\":\"$D/m1500.yaml\",\"line\":4,\"column\":7,\"code\":\"GV-Y003\",\"message\":\"did not find expected ',' or '}' while parsing a flow mapping (line 3, column 9)\"},{\"file\":\"$D/m2100.yaml\",\"line\":4,\"column\":1,\"code\":\"GV-M003\",\"message\":\"no policy applies to this manifest\"},{\"file\":\"$T/missing.yaml\",\"line\":null,\"column\":null,\"code\":\"GV-Y018\",\"message\":\"cannot read file: No such file or directory\"}]}" "input errors in order, the listed folder's first"
expect_eq "$(grep -o "\"file\":\"$T/dir/[ab].yaml\",\"document\":0" "$T/out" | wc -l)" 2 "the listed folder's manifests are checked"
expect_eq "$(grep -o '"manifest":"[^"]*"' "$T/out" | uniq | tr '\n' ' ')" "\"manifest\":\"$D/m0700.yaml\" \"manifest\":\"$D/m1200.yaml\" \"manifest\":\"$T/dir/b.yaml\" " "findings name exactly the violating manifests"

expect_rc 2 "the same run on two threads" -- check $P $F -j 2 -f json --files-from "$T/list"
strip > "$T/list-j2.json"
cmp -s "$T/list-j1.json" "$T/list-j2.json" && pass || fail "-j 2 report differs from -j 1"
cmp -s "$T/list-j1.err" "$T/err" && pass || fail "-j 2 diagnostics differ from -j 1"

# shellcheck disable=SC2046
expect_rc 2 "the same paths as arguments" -- check $P $F -j 2 -f json $(cat "$T/args")
strip > "$T/args.json"
cmp -s "$T/list-j1.json" "$T/args.json" && pass || fail "streamed list and arguments give different reports"
cmp -s "$T/list-j1.err" "$T/err" && pass || fail "streamed list and arguments give different diagnostics"

# text output: the summary counts every file
expect_rc 2 "text output" -- check $P $F -j 2 --files-from "$T/list"
expect_out '^decision: block — 2501 manifests' "text summary"

# arguments come first, then the list; '-' in a list reads standard input
printf '%s\n-\n' "$M/hybrid-ok.yaml" > "$T/small"
run check $P $F -f json --files-from "$T/small" $M/labels-warn.json < $M/encryption-misconfig.yaml
expect_eq "$rc" 1 "stdin named in a list"
expect_eq "$(grep -o '"manifests":\[{"file":"[^"]*"' "$T/out")" "\"manifests\":[{\"file\":\"$M/labels-warn.json\"" "the argument first"
expect_out '"file":"-","line":20,"column":18' "then the list, standard input included"

# a list read from standard input
printf '%s\n' $M/hybrid-ok.yaml $M/labels-warn.json | { run check $P $F --files-from - ; echo "$rc" > "$T/rc"; }
expect_eq "$(cat "$T/rc")" 0 "--files-from -"
expect_out '^decision: warn — 2 manifests' "both read from the piped list"

# an empty list, and one that cannot be read
: > "$T/none"
printf '\n\r\n' > "$T/blank"
expect_rc 2 "an empty list" -- check $P $F --files-from "$T/none"
expect_err '^govgate: check: no manifest given$' "says so"
expect_rc 2 "a list of blank lines" -- check $P $F --files-from "$T/blank"
expect_err '^govgate: check: no manifest given$' "says so too"
expect_rc 2 "a missing list" -- check $P $F --files-from "$T/nolist"
expect_err "^govgate: $T/nolist: cannot read file list: No such file or directory$" "names it"
expect_rc 2 "a folder as the list" -- check $P $F --files-from "$T/dir"
expect_err "^govgate: $T/dir: cannot read file list: Is a directory" "names it too"

# --allow-empty: a list whose only manifest no policy applies to
printf '%s\n' $M/no-policy-applies.yaml > "$T/nop"
expect_rc 0 "--allow-empty with a list" -- check $P $F --allow-empty -f json --files-from "$T/nop"
expect_out '"errors":\[\]\}$' "no input error"
expect_rc 2 "without --allow-empty" -- check $P $F -f json --files-from "$T/nop"
expect_out '"code":"GV-M003"' "GV-M003"

# evidence keeps every result: the signed report over a listed run names
# each file with its digest (all results kept, the list still streamed)
K=$T/keys
mkdir -p "$K"
expect_rc 0 "report key" -- keygen --out "$K/rep"
printf '%s\n' $M/hybrid-ok.yaml $M/encryption-misconfig.yaml $M/labels-warn.json > "$T/three"
expect_rc 1 "signed run over a list" -- check $P $F --sign "$K/rep.key" --report "$T/r.dsse" --files-from "$T/three"
sed 's/.*"payload":"\([^"]*\)".*/\1/' "$T/r.dsse" | base64 -d > "$T/payload.json"
subjects=""
for f in $M/hybrid-ok.yaml $M/encryption-misconfig.yaml $M/labels-warn.json; do
	subjects="$subjects${subjects:+,}{\"name\":\"$f\",\"digest\":{\"sha256\":\"$(sha256sum $f | cut -c1-64)\"}}"
done
expect_eq "$(grep -o '"subject":\[[^]]*\]' "$T/payload.json")" "\"subject\":[$subjects]" "every listed file is a subject, in order"

# a list on standard input is read whole first: a '-' in it then reads an
# empty manifest, not the rest of the list
printf '%s\n-\n%s\n' $M/hybrid-ok.yaml $M/labels-warn.json | { run check $P $F -f json --files-from - ; echo "$rc" > "$T/rc"; }
expect_eq "$(cat "$T/rc")" 2 "'-' in a piped list"
expect_eq "$(grep -o '"errors":.*' "$T/out")" '"errors":[{"file":"-","line":null,"column":null,"code":"GV-M001","message":"manifest is empty"}]}' "standard input was used up by the list"
expect_out '"counts":\{"files":3,"manifests":2,' "the other two are checked"

# a progress line over a streamed list counts every file the list names,
# the listed folder's two included
GOVGATE_PROGRESS_DELAY_MS=0 expect_rc 2 "--progress over a list" -- check $P $F --progress -j 2 -f json --files-from "$T/list"
expect_eq "$(grep -c '^govgate: checked [0-9]* of 2503 files' "$T/err")" 2503 "one line per file, of 2,503"
expect_eq "$(grep '^govgate: checked' "$T/err" | tail -n 1 | cut -d'(' -f1)" "govgate: checked 2503 of 2503 files " "the last line"
strip > "$T/progress.json"
cmp -s "$T/list-j1.json" "$T/progress.json" && pass || fail "--progress changed the report"
