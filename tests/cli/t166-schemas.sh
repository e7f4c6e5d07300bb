# JSON Schemas (schemas/): every shipped policy, rule file, plan, facts
# fixture and policy test is valid under them, checked with a real validator
# (python3-jsonschema); known-bad files are rejected with the expected
# message; the shipped files name their schema in a modeline; make install
# ships the schemas beside the rules and policies.
# Debian's python3 with python3-jsonschema and python3-yaml (tests/deps.sh);
# another python3 first on PATH is used when it has both modules
PY=python3
$PY -c 'import jsonschema, yaml' 2>/dev/null || PY=/usr/bin/python3
V="$PY tests/schemas/validate.py"

TEST_NAME="schemas are Draft 7"
$PY -c "
import json, sys, jsonschema
for p in sys.argv[1:]:
    jsonschema.Draft7Validator.check_schema(json.load(open(p)))
" schemas/*.schema.json && pass || fail "a schema is not a valid Draft 7 schema"
expect_eq "$(ls schemas/*.schema.json | wc -l)" 4 "four schemas"

# every shipped file, and the good samples
files=$(find rules policies fixtures/facts fixtures/plans fixtures/lint tests/schemas/good \
	-name '*.yaml' -o -name '*.yml' | sort)
n=$(echo "$files" | wc -l)
$V $files > "$T/v.out" 2>&1; st=$?
expect_eq "$st" 0 "shipped files: validator exit"
expect_eq "$(grep -c '^ok ' "$T/v.out")" "$n" "shipped files: all $n ok"
grep -v '^ok ' "$T/v.out" >&2
TEST_NAME="shipped files: count"
[ "$n" -ge 18 ] && pass || fail "only $n files validated"

# the shipped examples carry a modeline (it is a comment: govgate ignores it)
TEST_NAME="modelines"
for f in $(find rules policies fixtures/facts fixtures/plans fixtures/lint -name '*.yaml' | sort); do
	grep -q '^# yaml-language-server: \$schema=' "$f" && pass || fail "$f has no modeline"
done
expect_rc 0 "modelines are harmless" -- policy lint --rules rules policies

# known-bad files: rejected, with the message written in their first line
# (one validator run for all of them: python starts slowly)
$V tests/schemas/bad/*.yaml > "$T/bad.out" 2>&1; st=$?
expect_eq "$st" 1 "bad files: validator exit"
for f in tests/schemas/bad/*.yaml; do
	want=$(sed -n '1s/^# expect: //p' "$f")
	TEST_NAME="$(basename "$f"): rejected"
	line=$(grep -F "invalid $f: " "$T/bad.out")
	case "$line" in
	*"$want"*) pass ;;
	*) fail "'$line' lacks '$want'" ;;
	esac
done
expect_eq "$(ls tests/schemas/bad/*.yaml | wc -l)" 17 "seventeen bad files"

# the validator reads YAML as govgate does: `yes` is a string, not true
printf 'apiVersion: govgate/v1\nkind: Facts\nside: cloud\nconnectivity: {reachable: yes}\n' > "$T/yes.yaml"
expect_eq "$($V "$T/yes.yaml" | sed "s|$T/||")" \
	"invalid yes.yaml: connectivity/reachable: 'yes' is not of type 'boolean'" "yes is a string"

# make install ships the schemas where the installed files' modelines point
B=$(basename "$(dirname "$GG")")
TEST_NAME="make install"
# (-o: install the binary under test as it is, never rebuild it here)
make --no-print-directory -s -o "$B/govgate" install BUILD="$B" PREFIX=/opt/gv DESTDIR="$T/inst" \
	>"$T/make.out" 2>&1 \
	&& pass || { fail "make install"; cat "$T/make.out" >&2; }
D="$T/inst/opt/gv/share/govgate"
TEST_NAME="schemas installed"
for s in schemas/*.schema.json; do
	cmp -s "$s" "$D/$s" && pass || fail "$s not installed"
done
$V --schemas "$D/schemas" "$D"/rules/*.yaml "$D"/policies/*.yaml > "$T/vi.out" 2>&1
expect_eq "$(grep -vc '^ok ' "$T/vi.out")" 0 "installed files valid, modelines resolve"
