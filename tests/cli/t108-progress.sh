# check's progress on standard error: on a terminal one line overwritten
# with \r and cleared at the end, in a pipe only with --progress (plain
# lines); -q, $CI and NO_COLOR respected; stdout untouched. No timing: the
# "about a second" before anything shows is GOVGATE_PROGRESS_DELAY_MS.
P="--rules rules --policy policies --cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"
M=fixtures/manifests
THREE="$M/hybrid-ok.yaml $M/labels-warn.json $M/encryption-misconfig.yaml"
unset CI
ESC=$(printf '\033')
CR=$(printf '\r')
RATE='[0-9]+(\.[0-9])? files/s'

# the reference: no progress asked, in a pipe
GOVGATE_PROGRESS_DELAY_MS=0 expect_rc 1 "in a pipe, no --progress" -- check $P -j 1 $THREE
cp "$T/out" "$T/ref.out"
expect_eq "$(grep -c 'checked' "$T/err")" 0 "no progress in a pipe"

# --progress in a pipe: plain lines, one per file with a zero delay
GOVGATE_PROGRESS_DELAY_MS=0 expect_rc 1 "--progress in a pipe" -- check $P --progress -j 1 $THREE
expect_eq "$(wc -l < "$T/err")" 3 "three lines on stderr"
expect_err "^govgate: checked 1 of 3 files \($RATE\)$" "line 1"
expect_err "^govgate: checked 2 of 3 files \($RATE\)$" "line 2"
expect_err "^govgate: checked 3 of 3 files \($RATE\)$" "line 3"
expect_eq "$(sed -n 3p "$T/err" | cut -d'(' -f1)" "govgate: checked 3 of 3 files " "in order"
expect_eq "$(grep -c "$ESC\|$CR" "$T/err")" 0 "no escape or carriage return in a pipe"
cmp -s "$T/out" "$T/ref.out" && pass || fail "--progress changed stdout"
GOVGATE_PROGRESS_DELAY_MS=0 expect_rc 1 "--progress -f json" -- check $P --progress -f json -j 1 $THREE
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" && pass || fail "stdout is not JSON with --progress"

# a run shorter than the delay shows nothing, even when asked
GOVGATE_PROGRESS_DELAY_MS=3600000 expect_rc 1 "a quick run" -- check $P --progress -j 1 $THREE
expect_eq "$(wc -c < "$T/err")" 0 "nothing before the delay"
# a bad delay is the default (1000 ms)
GOVGATE_PROGRESS_DELAY_MS=soon expect_rc 0 "a bad delay" -- check $P --progress -j 1 $M/hybrid-ok.yaml

# with a single file and a zero delay: "1 file"
GOVGATE_PROGRESS_DELAY_MS=0 expect_rc 0 "one file" -- check $P --progress $M/hybrid-ok.yaml
expect_err "^govgate: checked 1 of 1 file \($RATE\)$" "singular"

if command -v script >/dev/null 2>&1; then
	# a terminal on stderr only: stdout goes to a file
	tty_run() {
		script -qfec "$GG check $P -j 1 $* 2>&1 >$T/tty.stdout" /dev/null > "$T/tty.raw"
		rc=$?
		# the rate varies: make it R
		sed -E 's/\(([0-9]+(\.[0-9])?) files\/s\)/(R files\/s)/g' "$T/tty.raw" > "$T/tty.norm"
	}
	GOVGATE_PROGRESS_DELAY_MS=0 tty_run $M/hybrid-ok.yaml $M/labels-warn.json
	expect_eq "$rc" 0 "terminal: exit 0"
	printf '\rgovgate: checked 1 of 2 files (R files/s)\033[K\rgovgate: checked 2 of 2 files (R files/s)\033[K\r\033[K' > "$T/want"
	cmp -s "$T/tty.norm" "$T/want" && pass || { fail "terminal: overwritten line, then cleared"; od -c "$T/tty.raw" | head >&2; }
	run check $P -j 1 $M/hybrid-ok.yaml $M/labels-warn.json
	cmp -s "$T/tty.stdout" "$T/out" && pass || fail "terminal: stdout has the results only, as in a pipe"

	# NO_COLOR: no escape sequence, the line cleared with spaces
	NO_COLOR=1 GOVGATE_PROGRESS_DELAY_MS=0 tty_run $M/hybrid-ok.yaml $M/labels-warn.json
	L1='govgate: checked 1 of 2 files (R files/s)'
	L2='govgate: checked 2 of 2 files (R files/s)'
	grep -q "$ESC" "$T/tty.raw" && fail "NO_COLOR: an escape sequence" || pass
	# (a line shorter than the one before it is padded with spaces: rates vary)
	expect_eq "$(tr '\r' '|' < "$T/tty.norm" | sed -E 's/\| +\|$/|SPACES|/; s/\) +\|/)|/g')" "|$L1|$L2|SPACES|" "NO_COLOR: cleared with spaces"
	# the spaces cover the longest line shown (a later line can be shorter)
	tr '\r' '\n' < "$T/tty.raw" | sed 's/ *$//' | awk 'length($0) > m { m = length($0) } END { print m }' > "$T/longest"
	expect_eq "$(tr '\r' '\n' < "$T/tty.raw" | grep -E '^ +$' | awk '{ print length($0) }')" "$(cat "$T/longest")" "NO_COLOR: as many spaces as the longest line"

	# -q, $CI: nothing on a terminal; --progress overrides $CI
	GOVGATE_PROGRESS_DELAY_MS=0 tty_run -q $M/hybrid-ok.yaml $M/labels-warn.json
	expect_eq "$(wc -c < "$T/tty.raw")" 0 "-q: no progress on a terminal"
	CI=true GOVGATE_PROGRESS_DELAY_MS=0 tty_run $M/hybrid-ok.yaml $M/labels-warn.json
	expect_eq "$(wc -c < "$T/tty.raw")" 0 "\$CI: no progress on a terminal"
	CI=true GOVGATE_PROGRESS_DELAY_MS=0 tty_run --progress $M/hybrid-ok.yaml $M/labels-warn.json
	cmp -s "$T/tty.norm" "$T/want" && pass || fail "\$CI with --progress: the terminal line"
	# a run shorter than the delay shows nothing on a terminal either (an
	# hour, not the default second: a loaded machine may take a second)
	GOVGATE_PROGRESS_DELAY_MS=3600000 tty_run $M/hybrid-ok.yaml $M/labels-warn.json
	expect_eq "$(wc -c < "$T/tty.raw")" 0 "a quick run on a terminal shows nothing"

	# diagnostics after the line is cleared, in their usual order
	GOVGATE_PROGRESS_DELAY_MS=0 tty_run $M/hybrid-ok.yaml $M/no-policy-applies.yaml
	expect_eq "$rc" 2 "terminal, an input error: exit 2"
	expect_eq "$(tr -d '\r' < "$T/tty.norm" | sed "s/$ESC\[K/|/g; s/$ESC\[[0-9;]*m//g" | head -1)" \
		"govgate: checked 1 of 2 files (R files/s)|govgate: checked 2 of 2 files (R files/s)||$M/no-policy-applies.yaml:4:1: error: no policy applies to this manifest [GV-M003]" \
		"the diagnostic follows the cleared line"
else
	echo "skip: script(1) is not installed, the terminal line not tested" >&2
fi
