# The README's walk-throughs, verbatim, as a new user types them: every
# block marked `<!-- walkthrough -->` (tests/cli/readme-walk.py) runs in
# order in a scratch folder holding what the README works from (the
# repository's fixtures/, policies/, rules/), with `govgate` on PATH being
# the binary under test. Each command must exit as the README says (0, or
# the `# exit N` after it); a `console` block's output must match exactly.
W=$T/walk
mkdir -p "$W" "$T/bin"
cp -R fixtures policies rules "$W/"
# govgate on PATH: the binary under test (under valgrind when the suite is)
cat > "$T/bin/govgate" <<WRAP
#!/bin/sh
if [ -n "\${GOVGATE_VALGRIND:-}" ]; then
	exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$GG" "\$@"
fi
exec "$GG" "\$@"
WRAP
chmod +x "$T/bin/govgate"

python3 tests/cli/readme-walk.py README.md > "$T/walk.sh" 2> "$T/walk.err"
expect_eq "$?" 0 "every walkthrough marker is followed by a runnable block"
expect_eq "$(wc -c < "$T/walk.err")" 0 "the extractor had nothing to say"
n=$(sed -n 's/^# \([0-9]*\) commands from README.md$/\1/p' "$T/walk.sh")
expect_eq "$n" 48 "48 commands in the README's walk-throughs"
expect_eq "$(grep -c '<!-- walkthrough -->' README.md)" "$(grep -cE '^ *<!-- walkthrough -->$' README.md)" "markers are whole lines"
expect_eq "$(grep -c '<!-- walkthrough -->' README.md)" 9 "nine walk-through blocks"

: > "$T/walk.res"
(cd "$W" && env -u GOVGATE_DB -u GOVGATE_RULES -u GOVGATE_DATADIR -u CI -u GOVGATE_LOG_ORIGIN \
	PATH="$T/bin:$PATH" WALK_LOG="$T/walk.res" WALK_DIR="$W" sh "$T/walk.sh") > "$T/walk.out" 2>&1
expect_eq "$(wc -l < "$T/walk.res")" "$n" "every command ran"
while read -r line got want same; do
	what="README.md:$line: $(sed -n "${line}p" README.md | sed 's/^ *\$* *//')"
	expect_eq "$got" "$want" "$what"
	expect_eq "$same" 1 "$what (output as shown)"
done < "$T/walk.res"

# what the walk-throughs left behind is what the README says they leave
for f in out.json keys/report.key keys/report.pub keys/log.key keys/log.pub \
	out/report.dsse out/report.json out/report.json.minisig out/receipt.dsse audit.db \
	policies.bundle payments-sec.approval payments-comp.approval W-2026-014.waiver out/payments.receipt; do
	[ -s "$W/$f" ] && pass || fail "the walk-through did not leave $f"
done
expect_eq "$(stat -c %a "$W/keys/report.key")" 600 "the private key is 0600"
expect_eq "$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["decision"], len(r["manifests"]), r["counts"]["findings"])' "$W/out.json")" \
	"warn 2 2" "out.json: two manifests, warn"
# the personas' walk-through: the one error is the edited policy's refusal
expect_eq "$(grep -c ': error: ' "$T/walk.out")" 1 "one error in the walk-through's output"
expect_eq "$(grep ': error: ' "$T/walk.out" | sed 's/[0-9a-f]\{64\}/HEX/g')" \
	"edited/hybrid-baseline.yaml: error: policy file 'hybrid-baseline.yaml' is altered: its SHA-256 is HEX, but policy bundle policies.bundle (signed by 'release-bot') lists HEX for it [GV-B011]" \
	"the edited policy is refused under signed_policies"
expect_eq "$(grep -c '^completed: 3 steps ran; receipt out/payments.receipt$' "$T/walk.out")" 1 "the approved deployment completed"
expect_eq "$(grep -c '^halted: 1 halt violation before any step; 0 steps ran$' "$T/walk.out")" 1 "the deployment without the compliance approval halted"
expect_eq "$(grep -c '^blocked: 1 block violation before any step; 0 steps ran$' "$T/walk.out")" 1 "the deployment with the expired waiver was blocked"
expect_eq "$(grep -c '^waiver W-2026-014: not applied: expired (hybrid-baseline/enc.key-rotation)$' "$T/walk.out")" 1 "the expired waiver is reported"
expect_eq "$(grep '^approved: [a-z-]* role=' "$T/walk.out" | sed 's/key=[0-9a-f]\{64\}$/key=K/' | tr '\n' ';')" \
	"approved: sec-lead role=security-admin key=K;approved: compliance-lead role=compliance-officer key=K;" \
	"the receipt names both approvers"
if grep -q 'FAIL' "$T/walk.out"; then
	fail "errors in the walk-through's output"; cat "$T/walk.out" >&2
else
	pass
fi

# without the README's mkdir: keygen says which folder is missing, writes nothing
mkdir -p "$T/nokeys"
(cd "$T/nokeys" && "$GG" keygen --out keys/report) > "$T/out" 2> "$T/err"
expect_eq "$?" 2 "keygen into a missing folder: exit 2"
expect_eq "$(cat "$T/err")" "keys/report.key: error: cannot create key file: folder 'keys' does not exist (create it first) [GV-K001]" "keygen names the missing folder"
expect_eq "$(ls -A "$T/nokeys")" "" "keygen created nothing"
