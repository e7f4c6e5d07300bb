# run-first: one of the longest files
# The command line's option tables and what comes from them: every
# command's --help lists exactly the options getopt accepts (found by
# trying every option name the sources and docs mention), the man pages
# pass groff's and mandoc's checks and list the same options, `make
# install` puts pages and completions where man and the shells find them,
# and the bash completion offers the exact candidates.

# Options a command rejects say so in one of these ways (getopt's own
# messages, or the commands' when they print their own).
UNKNOWN='unrecognized option|invalid option|unknown option|unknown or incomplete option|does not apply here'

# The commands and verbs, as `govgate help` and each group's help list them.
"$GG" help > "$T/help"
cmds=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' "$T/help")
all=""
for c in $cmds; do
	"$GG" "$c" --help > "$T/h" 2>&1
	if grep -Eq "^usage: govgate $c (<command>|VERB)" "$T/h"; then
		verbs=$(sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' "$T/h")
		[ -n "$verbs" ] || fail "$c --help lists no verb"
		for v in $verbs; do all="$all $c:$v"; done
	else
		all="$all $c"
	fi
done
expect_eq "$(echo $all)" "check policy:lint policy:test policy:bundle explain verify keygen key:id key:export key:sign-statement key:sign audit:verify audit:checkpoint audit:publish audit:prove audit:log audit:export audit:append audit:key audit:init audit:copy witness:cosign witness:key receipts probe sync:export sync:import sync:status metrics waiver:sign deploy approve version completion" \
	"every command and verb found from the help"

# Every option name mentioned anywhere: the candidates to try.
cat "$ROOT"/validator/*.c "$ROOT"/README.md "$ROOT"/docs/*.md |
	grep -Eo -- '--[a-z][a-z0-9]*(-[a-z0-9]+)*' | sort -u > "$T/candidates"
ncand=$(wc -l < "$T/candidates")
[ "$ncand" -gt 50 ] && pass || fail "only $ncand candidate option names"

# listed CMD...: the long options a --help lists, sorted.
listed() {
	"$GG" "$@" --help | sed -n 's/^  \(-[a-zA-Z], \|    \)--\([a-z0-9-]*\).*/--\2/p' | sort
}

# accepted CMD...: the candidates the command does not reject. A candidate
# that abbreviates a listed option is left out (getopt_long takes it).
accepted() {
	listed "$@" > "$T/listed"
	while read -r o; do
		grep -q -- "^$o" "$T/listed" && ! grep -qx -- "$o" "$T/listed" && continue
		(cd "$T/scratch" && "$GG" "$@" "$o" @@ </dev/null >/dev/null 2>"$T/perr")
		grep -Eq -- "$UNKNOWN" "$T/perr" || echo "$o"
	done < "$T/candidates"
}

mkdir -p "$T/scratch"
# Every candidate on every command starts thousands of processes: under the
# sanitizers (GOVGATE_TEST_SMALL) three commands stand for the rest; the
# normal build tries them all.
acc_all=$all
[ -n "${GOVGATE_TEST_SMALL:-}" ] && acc_all="check audit:verify sync:import"
for cv in $acc_all; do
	cmd=$(echo "$cv" | tr ':' ' ')
	case $cv in
	# no getopt: these take no option but --help
	version|key:id|witness:key|completion)
		expect_eq "$(listed $cmd | tr '\n' ' ')" "--help " "$cmd --help lists only --help"
		continue;;
	esac
	accepted $cmd > "$T/acc"
	listed $cmd > "$T/lst"
	TEST_NAME="$cmd --help lists exactly the options getopt accepts"
	if diff -u "$T/lst" "$T/acc" > "$T/d"; then pass; else fail "listed (-) vs accepted (+):"; cat "$T/d" >&2; fi
	# each short option the help shows is accepted too
	for s in $("$GG" $cmd --help | sed -n 's/^  \(-[a-zA-Z]\), --.*/\1/p'); do
		(cd "$T/scratch" && "$GG" $cmd "$s" @@ </dev/null >/dev/null 2>"$T/perr")
		TEST_NAME="$cmd accepts $s"
		grep -Eq -- "$UNKNOWN" "$T/perr" && fail "rejected: $(head -1 "$T/perr")" || pass
	done
done

# a short option no table has is rejected, as before
expect_rc 2 "check -Z" -- check -Z
expect_err "invalid option -- 'Z'" "check -Z: getopt's message"
expect_rc 2 "audit verify --output: another verb's option" -- audit verify --output x
expect_err "^govgate: audit verify: option '--output' does not apply here$" \
	"audit verify --output does not apply"

# metrics --help was one usage line; now every option with its help
expect_rc 0 "metrics --help" -- metrics --help
expect_out "^      --textfile DIR +write DIR/govgate.prom atomically" "metrics --help: --textfile"
expect_out "^Exit codes: 0 done; 2 usage error" "metrics --help: exit codes"
# help COMMAND [VERB] is COMMAND [VERB] --help
expect_rc 0 "help audit verify" -- help audit verify
"$GG" audit verify --help > "$T/want"
TEST_NAME="help audit verify = audit verify --help"
cmp -s "$T/out" "$T/want" && pass || fail "outputs differ"
expect_rc 0 "help sync" -- help sync
"$GG" sync --help > "$T/want"
TEST_NAME="help sync = sync --help (the verbs)"
cmp -s "$T/out" "$T/want" && pass || fail "outputs differ"
expect_out "^  import +verify a bundle and add it to the replica of its origin$" "help sync lists import"
expect_rc 2 "help nosuch" -- help nosuch
expect_err "^govgate: help: 'nosuch' is not a command; see 'govgate help'$" "help nosuch"
expect_rc 2 "completion fish" -- completion fish
expect_err "^govgate: completion: give the shell, bash or zsh$" "completion fish"

# --help lines fit 80 columns (usage lines aside)
TEST_NAME="every --help line fits 80 columns"
long=""
for cv in $all; do
	n=$("$GG" $(echo "$cv" | tr ':' ' ') --help | grep -v '^usage: \|^       ' | awk 'length > 80' | wc -l)
	[ "$n" -eq 0 ] || long="$long $cv"
done
[ -z "$long" ] && pass || fail "lines over 80 columns in:$long"

# ---- man pages ----
pages=$("$GG" help --man)
expect_eq "$(echo $pages)" "govgate govgate-check govgate-policy govgate-explain govgate-verify govgate-keygen govgate-key govgate-audit govgate-witness govgate-receipts govgate-probe govgate-sync govgate-metrics govgate-waiver govgate-deploy govgate-approve govgate-version govgate-completion" \
	"a page for govgate and one per command"
mkdir -p "$T/man"
for p in $pages; do
	SOURCE_DATE_EPOCH=1764547200 "$GG" help --man "$p" > "$T/man/$p.1"
	TEST_NAME="$p.1: man --warnings prints nothing"
	LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$T/man/$p.1" 2>"$T/w" >"$T/man/$p.txt"
	[ -s "$T/w" ] && { fail "warnings:"; head -5 "$T/w" >&2; } || pass
	if command -v mandoc >/dev/null 2>&1; then
		TEST_NAME="$p.1: mandoc -T lint prints nothing"
		mandoc -T lint -W warning "$T/man/$p.1" > "$T/w" 2>&1
		[ -s "$T/w" ] && { fail "lint:"; head -5 "$T/w" >&2; } || pass
	fi
	expect_eq "$(sed -n 1,2p "$T/man/$p.1" | tail -1 | cut -d' ' -f3-4)" '1 2025-12-01' \
		"$p.1: section 1, dated from SOURCE_DATE_EPOCH"
done
command -v mandoc >/dev/null 2>&1 || echo "t195: mandoc not found; mandoc -T lint skipped"
# a page lists the options its command's --help lists
for cv in $all; do
	c=${cv%%:*}
	case $cv in version|completion|key:id|witness:key) continue;; esac
	# the roff source: the tag line after each .TP of the command's OPTIONS
	# section, or of its verb's .SS section
	if [ "$c" = "$cv" ]; then start='.SH OPTIONS'; else start=".SS \"govgate $c ${cv#*:}\""; fi
	awk -v start="$start" '
		$0 == start { on = 1; next }
		/^\.S[HS]/ { on = 0 }
		on && tp { gsub(/\\f[BIR]/, ""); gsub(/\\-/, "-");
			if (match($0, /--[a-z0-9-]+/)) print substr($0, RSTART, RLENGTH) }
		{ tp = on && $0 == ".TP" }' "$T/man/govgate-$c.1" | sort > "$T/manopts"
	listed $(echo "$cv" | tr ':' ' ') > "$T/lst"
	TEST_NAME="govgate-$c(1) lists the options of '$(echo "$cv" | tr ':' ' ') --help'"
	if diff -u "$T/lst" "$T/manopts" > "$T/d"; then pass; else fail "help (-) vs man (+):"; cat "$T/d" >&2; fi
done
# the one-line summaries `govgate help` and the groups' help print are the
# tables' (the man pages' NAME lines and verb headings)
for c in $cmds; do
	want=$(sed -n "s/^  $c  *//p" "$T/help")
	got=$(sed -n '/^\.SH NAME$/,/^\.SH SYNOPSIS$/p' "$T/man/govgate-$c.1" | sed '1d;$d' |
		tr '\n' ' ' | sed 's/^govgate-[a-z-]* \\- //; s/ $//')
	expect_eq "$got" "$want" "govgate-$c(1) NAME = the summary in 'govgate help'"
done
for cv in $all; do
	case $cv in *:*) ;; *) continue;; esac
	c=${cv%%:*} v=${cv#*:}
	want=$("$GG" "$c" --help | awk -v v="$v" '
		found && /^           +[a-z(]/ { sub(/^ +/, ""); out = out " " $0; next }
		found { exit }
		/^  [a-z]/ && $1 == v { found = 1; sub("^  " v " +", ""); out = $0 }
		END { print out }')
	got=$(awk -v h="   govgate $c $v" '$0 == h { getline; sub(/^ */, ""); print; exit }' \
		"$T/man/govgate-$c.txt")
	expect_eq "$got" "$want" "govgate-$c(1): $v's summary = the one '$c --help' lists"
done
expect_rc 2 "help --man nosuch" -- help --man nosuch
expect_err "^govgate: help: no man page 'nosuch'$" "no such page"

# ---- make install: binary, data, pages, completions ----
bdir=${GG%/govgate}
case $bdir in
"$ROOT"/*)
	bdir=${bdir#"$ROOT"/}
	TEST_NAME="make install PREFIX"
	make -s -C "$ROOT" install BUILD="$bdir" PREFIX="$T/inst" >"$T/mk" 2>&1 && pass ||
		{ fail "make install failed"; tail -5 "$T/mk" >&2; }
	for f in bin/govgate share/govgate/rules share/govgate/policies share/man/man1/govgate.1 \
		share/man/man1/govgate-check.1 share/man/man1/govgate-audit.1 \
		share/bash-completion/completions/govgate share/zsh/site-functions/_govgate; do
		TEST_NAME="installed: $f"
		[ -e "$T/inst/$f" ] && pass || fail "missing"
	done
	expect_eq "$(ls "$T/inst/share/man/man1" | wc -l)" 18 "18 man pages installed"
	expect_eq "$(MANPATH="$T/inst/share/man" man -w govgate-check)" \
		"$T/inst/share/man/man1/govgate-check.1" "man -w govgate-check finds the installed page"
	MANPATH="$T/inst/share/man" MANWIDTH=80 man govgate-check > "$T/page" 2>"$T/w"
	TEST_NAME="man govgate-check shows --max-clock-skew"
	grep -Eq -- '^ +--max-clock-skew DUR$' "$T/page" && pass || fail "option not on the page"
	TEST_NAME="man govgate-audit shows the verify verb"
	MANPATH="$T/inst/share/man" MANWIDTH=80 man govgate-audit 2>/dev/null |
		grep -q -- '--allow-unsigned-tail' && pass || fail "verb option not on the page"
	TEST_NAME="make install DESTDIR"
	make -s -C "$ROOT" install BUILD="$bdir" PREFIX=/opt/gg DESTDIR="$T/dest" >"$T/mk" 2>&1 &&
		[ -f "$T/dest/opt/gg/share/man/man1/govgate-check.1" ] &&
		[ -f "$T/dest/opt/gg/share/bash-completion/completions/govgate" ] && pass ||
		{ fail "not under DESTDIR"; tail -5 "$T/mk" >&2; }
	# the installed completions are what the binary generates now
	"$GG" completion bash > "$T/bash"
	TEST_NAME="installed bash completion is the generated one"
	cmp -s "$T/bash" "$T/inst/share/bash-completion/completions/govgate" && pass || fail "differs"
	BASHCOMP="$T/inst/share/bash-completion/completions/govgate"
	ZSHCOMP="$T/inst/share/zsh/site-functions/_govgate";;
*)
	echo "t195: $GG is not in the repository; make install not tested"
	"$GG" completion bash > "$T/bash"
	"$GG" completion zsh > "$T/zsh"
	BASHCOMP="$T/bash"
	ZSHCOMP="$T/zsh";;
esac

# ---- bash completion: exact candidates ----
# comp WORD...: the candidates for the last word, one line, as bash's
# programmable completion would call the function
comp() {
	(cd "$T/scratch" && bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		_govgate; [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' comp "$BASHCOMP" "$@") | sort | tr '\n' ' '
}
expect_eq "$(comp govgate check --f)" "--files-from --format " "govgate check --f"
expect_eq "$(comp govgate check -f '')" "github gitlab json junit sarif text " "govgate check -f ''"
expect_eq "$(comp govgate check --format = s)" "sarif " "govgate check --format=s"
expect_eq "$(comp govgate check --out '')" "" "--out FMT=FILE: no candidates"
expect_eq "$(comp govgate probe --side '')" "cloud onprem " "probe --side"
expect_eq "$(comp govgate explain -f '')" "json text " "explain -f"
expect_eq "$(comp govgate policy test --format '')" "junit text " "policy test --format"
expect_eq "$(comp govgate audit '')" "append checkpoint copy export init key log prove publish verify " "audit verbs"
expect_eq "$(comp govgate sync s)" "status " "sync s"
expect_eq "$(comp govgate completion '')" "bash zsh " "completion shells"
expect_eq "$(comp govgate c)" "check completion " "commands starting with c"
want=$(echo $cmds help | tr ' ' '\n' | sort | tr '\n' ' ')
expect_eq "$(comp govgate '')" "$want" "every command"
# the -f candidates are the names the commands' own format errors list
# fmts WORDS...: the names in an error message, sorted, one line
fmts() { echo "$@" | sed 's/ or /, /g; s/[^a-z, ]//g' | tr ',' '\n' | tr -d ' ' | grep . | sort | tr '\n' ' '; }
for c in "check -p x x" "policy test x" "probe --side cloud -e a:1" "sync status --key x"; do
	"$GG" $c --format bogus > /dev/null 2> "$T/e"
	case $c in
	check*) names=$(sed -n "s/.*--format is \(.*\), not 'bogus'$/\1/p" "$T/e");;
	policy*) names=$(sed -n "s/.*--format is \(.*\), not 'bogus'$/\1/p" "$T/e");;
	probe*) names=$(sed -n "s/.*(want \(.*\))$/\1/p" "$T/e");;
	sync*) names=$(sed -n "s/.*-f takes \(.*\); see .*/\1/p" "$T/e");;
	esac
	TEST_NAME="$c --format bogus lists the format names"
	[ -n "$names" ] && pass || fail "none in: $(head -1 "$T/e")"
	expect_eq "$(comp govgate ${c%% -*} --format '')" "$(fmts $names)" \
		"completion of '${c%% -*} --format' = the names its error lists"
done
mkdir -p "$T/scratch/pol.d"
: > "$T/scratch/pol.yaml"
: > "$T/scratch/other.yaml"
expect_eq "$(comp govgate check -p po)" "pol.d pol.yaml " "check -p: file names"
expect_eq "$(comp govgate check --source-root po)" "pol.d " "--source-root: folders only"
expect_eq "$(comp govgate check pol.)" "pol.d pol.yaml " "check's operands: file names"
# every command's options in the completion are its --help options
for cv in $all; do
	listed $(echo "$cv" | tr ':' ' ') | tr '\n' ' ' > "$T/lst"
	expect_eq "$(comp govgate $(echo "$cv" | tr ':' ' ') --)" "$(cat "$T/lst")" \
		"completion of '$(echo "$cv" | tr ':' ' ') --' = its --help options"
done

# ---- zsh ----
if command -v zsh >/dev/null 2>&1; then
	TEST_NAME="zsh -n parses _govgate"
	zsh -n "$ZSHCOMP" 2>"$T/w" && pass || { fail "zsh:"; head -5 "$T/w" >&2; }
	TEST_NAME="_govgate declares #compdef govgate"
	[ "$(head -1 "$ZSHCOMP")" = "#compdef govgate" ] && pass || fail "first line"
	TEST_NAME="_govgate offers check's formats"
	grep -Fq "'*'{-f,--format=}'[text (default), json, sarif, junit, github or gitlab (docs/CI.md)]:FMT:(text json sarif junit github gitlab)'" \
		"$ZSHCOMP" && pass || fail "no -f spec"
	# what zsh's completion system lists, typed on a pseudo terminal
	mkdir -p "$T/zfn"
	cp "$ZSHCOMP" "$T/zfn/_govgate"
	zcomp() {
		TERM=dumb timeout 30 zsh -f "$ROOT/tests/cli/zsh-complete.zsh" "$T/zfn" "$1" |
			sort | tr '\n' ' '
	}
	expect_eq "$(zcomp 'govgate check -f ')" "github gitlab json junit sarif text " \
		"zsh: govgate check -f <tab>"
	expect_eq "$(zcomp 'govgate check --f')" "--files-from --format " "zsh: govgate check --f<tab>"
	expect_eq "$(zcomp 'govgate audit ')" "append checkpoint copy export init key log prove publish verify " \
		"zsh: govgate audit <tab>"
	expect_eq "$(zcomp 'govgate probe --side ')" "cloud onprem " "zsh: govgate probe --side <tab>"
	expect_eq "$(zcomp 'govgate sync status --')" "--db --format --help --key --origin --trust " \
		"zsh: govgate sync status --<tab>"
else
	echo "t195: zsh not found; zsh completion not parsed"
fi
