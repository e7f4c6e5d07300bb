# check -f sarif, junit, github, gitlab (report_ci.c, docs/CI.md) and
# --out FMT=FILE: the SARIF validated against the official 2.1.0 schema,
# the JUnit read by an XML parser, every format compared with the JSON
# findings of the same run.
P="--rules rules --policy policies"
F="--cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml"
M=fixtures/manifests
set -- $M/encryption-misconfig.yaml $M/labels-warn.json $M/multi.yaml $M/hybrid-ok.yaml

expect_rc 1 "json reference run" -- check $P $F -f json "$@"
cp "$T/out" "$T/ref.json"
for fmt in sarif junit github gitlab text; do
	expect_rc 1 "-f $fmt" -- check $P $F -f $fmt "$@"
	cp "$T/out" "$T/ref.$fmt"
done

# SARIF: the official schema, with a real validator (npm: @microsoft/jest-sarif
# ships the schema; ajv + ajv-draft-04 + ajv-formats check it)
if command -v npm > /dev/null 2>&1 && command -v node > /dev/null 2>&1; then
	[ -d tests/sarif/node_modules/ajv-draft-04 ] ||
		(cd tests/sarif && npm ci --no-audit --no-fund > /dev/null 2>&1)
	TEST_NAME="sarif validates against sarif-schema-2.1.0"
	node tests/sarif/validate.js "$T/ref.sarif" > "$T/v" 2>&1 && pass ||
		{ fail "schema"; head -20 "$T/v" >&2; }
	# and the validator refuses what the schema refuses
	printf '{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}\n' > "$T/bad.sarif"
	TEST_NAME="validator refuses a driver without name"
	node tests/sarif/validate.js "$T/bad.sarif" > "$T/v" 2>&1 && fail "accepted" ||
		{ grep -q "must have required property 'name'" "$T/v" && pass || fail "$(cat "$T/v")"; }
else
	echo "t190: npm not found; SARIF schema validation skipped"
fi

# every format against the JSON findings, field by field
TEST_NAME="formats agree with the JSON findings"
python3 - "$T" > "$T/py" 2>&1 <<'PY' && pass || { fail "mismatch"; cat "$T/py" >&2; }
import json, sys, xml.etree.ElementTree as ET
t = sys.argv[1]
ref = json.load(open(t + "/ref.json"))
finds = ref["findings"]
assert len(finds) == ref["counts"]["findings"] > 0
level = {"block": "error", "halt": "error", "escalate": "error", "warn": "warning", "info": "note"}
secsev = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}

sarif = json.load(open(t + "/ref.sarif"))
assert sarif["version"] == "2.1.0"
run = sarif["runs"][0]
rules = run["tool"]["driver"]["rules"]
ids = [r["id"] for r in rules]
assert len(ids) == len(set(ids)), "rule ids unique"
for r in rules:
    assert r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"]
    assert "security" in r["properties"]["tags"]
    assert r["properties"]["security-severity"] in secsev.values()
assert run["invocations"][0]["executionSuccessful"] is True
assert run["invocations"][0]["toolExecutionNotifications"] == []
res = run["results"]
assert len(res) == len(finds), (len(res), len(finds))
fps = set()
for r, f in zip(res, finds):
    assert r["ruleId"] == f["rule"] and ids[r["ruleIndex"]] == f["rule"]
    assert r["level"] == level[f["enforcement"]], (r["level"], f["enforcement"])
    assert r["message"]["text"] == f["message"]
    assert len(r["locations"]) == 1
    pl = r["locations"][0]["physicalLocation"]
    assert pl["artifactLocation"]["uri"] == f["file"]
    assert pl["region"] == {"startLine": f["line"], "startColumn": f["column"],
                            "endLine": f["line"], "endColumn": f["column"] + 1}
    fp = r["partialFingerprints"]["primaryLocationLineHash"]
    assert len(fp) == 64 and fp not in fps
    fps.add(fp)
    rule = rules[r["ruleIndex"]]
    assert rule["properties"]["security-severity"] >= secsev[f["severity"]]
    assert r["properties"]["policy"] == f["policy"]

# JUnit: one testsuite per manifest document, one testcase per evaluated rule
root = ET.parse(t + "/ref.junit").getroot()
assert root.tag == "testsuites"
suites = root.findall("testsuite")
assert len(suites) == len(ref["manifests"]) == ref["counts"]["manifests"]
assert sum(int(s.get("tests")) for s in suites) == ref["counts"]["rules_evaluated"]
assert int(root.get("tests")) == ref["counts"]["rules_evaluated"]
cases = root.findall("testsuite/testcase")
assert len(cases) == ref["counts"]["rules_evaluated"]
fails = root.findall("testsuite/testcase/failure")
assert len(fails) == len(finds)
assert int(root.get("failures")) == len([c for c in cases if c.find("failure") is not None])
for s, m in zip(suites, ref["manifests"]):
    assert int(s.get("tests")) == m["rules_evaluated"]
    assert len(s.findall("testcase/failure")) == m["findings"]
got = [(c.get("classname"), c.get("name"), x.get("message"), x.get("type"), x.text.split(": ")[0])
       for c in cases for x in c.findall("failure")]
want = [(f["policy"], f["rule"], "%s:%d:%d: %s" % (f["file"], f["line"], f["column"], f["message"]), f["enforcement"],
         "%s:%d:%d" % (f["file"], f["line"], f["column"])) for f in finds]
assert sorted(got) == sorted(want), (got, want)

# GitHub workflow commands
cmd = {"block": "error", "halt": "error", "escalate": "error", "warn": "warning", "info": "notice"}
def esc(s, prop):
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return s.replace(":", "%3A").replace(",", "%2C") if prop else s
lines = open(t + "/ref.github").read().splitlines()
assert len(lines) == len(finds)
for l, f in zip(lines, finds):
    msg = "%s (%s, %s; policy %s)" % (f["message"], f["enforcement"], f["severity"], f["policy"])
    if f["remediation"]:
        msg += "\nremediation: " + f["remediation"]
    want = "::%s file=%s,line=%d,col=%d,title=%s::%s" % (cmd[f["enforcement"]], esc(f["file"], 1),
            f["line"], f["column"], esc(f["rule"], 1), esc(msg, 0))
    assert l == want, (l, want)

# GitLab Code Quality
sev = {"critical": "critical", "high": "major", "medium": "minor", "low": "info"}
cq = json.load(open(t + "/ref.gitlab"))
assert len(cq) == len(finds)
for c, f, r in zip(cq, finds, res):
    assert c["description"] == f["message"] and c["check_name"] == f["rule"]
    assert c["severity"] == sev[f["severity"]]
    assert c["location"] == {"path": f["file"], "lines": {"begin": f["line"]}}
    assert c["fingerprint"] == r["partialFingerprints"]["primaryLocationLineHash"]
print("ok")
PY

# the JUnit read by a JUnit library (Debian's python3-junitparser), as CI
# servers read it: suites, cases and failures against the JSON report
JPY=python3
$JPY -c 'import junitparser' 2>/dev/null || JPY=/usr/bin/python3
if $JPY -c 'import junitparser' 2>/dev/null; then
	TEST_NAME="junitparser reads the JUnit: counts agree with the JSON"
	$JPY - "$T" > "$T/py" 2>&1 <<'PY' && pass || { fail "junitparser"; cat "$T/py" >&2; }
import json, sys
from junitparser import JUnitXml, Failure, Error
t = sys.argv[1]
ref = json.load(open(t + "/ref.json"))
xml = JUnitXml.fromfile(t + "/ref.junit")
suites = list(xml)
assert len(suites) == len(ref["manifests"]), (len(suites), len(ref["manifests"]))
failures = []
cases = 0
for s in suites:
    for c in s:
        cases += 1
        failures += [(s.name, c.classname, c.name, r.message) for r in c.result if isinstance(r, Failure)]
        assert not any(isinstance(r, Error) for r in c.result)
assert cases == ref["counts"]["rules_evaluated"], (cases, ref["counts"])
assert len(failures) == len(ref["findings"]), (len(failures), len(ref["findings"]))
for (suite, cls, name, msg), f in zip(failures, ref["findings"]):
    # a suite per document: "FILE", or "FILE (document N)" in a multi-document file
    assert suite.split(" (document ")[0] == f["file"], (suite, f)
    assert cls == f["policy"] and name == f["rule"], (suite, cls, name, f)
    assert msg.startswith("%s:%d:%d: " % (f["file"], f["line"], f["column"])), (msg, f)
print("ok")
PY
else
	echo "t190: python3-junitparser not found; the JUnit library check skipped"
fi

# fingerprints: the same across runs and when lines shift; paths relative
# to --source-root
mkdir -p "$T/repo/deploy"
cp $M/encryption-misconfig.yaml "$T/repo/deploy/m.yaml"
expect_rc 1 "--source-root" -- check $P $F -f sarif --source-root "$T/repo" "$T/repo/deploy/m.yaml"
cp "$T/out" "$T/s1"
{ printf '# a comment\n# and another\n'; cat $M/encryption-misconfig.yaml; } > "$T/repo/deploy/m.yaml"
expect_rc 1 "--base-uri, lines shifted by 2" -- check $P $F -f sarif --base-uri "$T/repo/" "$T/repo/deploy/m.yaml"
cp "$T/out" "$T/s2"
TEST_NAME="fingerprints survive a line shift, uri relative"
python3 - "$T/s1" "$T/s2" > "$T/py" 2>&1 <<'PY' && pass || { fail "fingerprints"; cat "$T/py" >&2; }
import json, sys
a, b = (json.load(open(p))["runs"][0]["results"] for p in sys.argv[1:])
assert len(a) == len(b) == 5
for x, y in zip(a, b):
    assert x["partialFingerprints"] == y["partialFingerprints"]
    ra, rb = (z["locations"][0]["physicalLocation"] for z in (x, y))
    assert ra["artifactLocation"]["uri"] == rb["artifactLocation"]["uri"] == "deploy/m.yaml"
    assert rb["region"]["startLine"] == ra["region"]["startLine"] + 2
PY
expect_rc 1 "gitlab with --source-root" -- check $P $F -f gitlab --source-root "$T/repo" "$T/repo/deploy/m.yaml"
expect_out '"location":\{"path":"deploy/m.yaml","lines":\{"begin":22\}\}' "gitlab path relative, line shifted"

# GitHub escaping of properties: ',' ':' '%' in a file name
cp $M/labels-warn.json "$T/repo/a,b:c%d.json"
expect_rc 0 "github, odd file name" -- check $P $F -f github --source-root "$T/repo" "$T/repo/a,b:c%d.json"
expect_out '^::warning file=a%2Cb%3Ac%25d.json,line=8,col=23,title=gov.owner-label::owner label payments does not name a team \(team-<name>, lowercase\) \(warn, low; policy hybrid-baseline\)%0Aremediation: Set labels.owner to the owning team, for example team-payments.$' "warning escaped"
expect_out '^::notice file=a%2Cb%3Ac%25d.json,line=8,col=3,title=gov.cost-center-label::' "info is a notice"
expect_rc 0 "sarif, odd file name" -- check $P $F -f sarif --source-root "$T/repo" "$T/repo/a,b:c%d.json"
expect_out '"artifactLocation":\{"uri":"a,b:c%25d.json"\}' "uri percent-encodes %"

# --out: several formats from one run, each the bytes -f alone prints
expect_rc 1 "--out several formats" -- check $P $F -f json --out sarif="$T/o.sarif" --out junit="$T/o.junit" --out github="$T/o.github" --out gitlab="$T/o.gitlab" --out text="$T/o.text" --out json="$T/o.json" "$@"
cmp -s "$T/out" "$T/ref.json" && pass || fail "stdout differs from -f json alone"
for fmt in sarif junit github gitlab text json; do
	TEST_NAME="--out $fmt= equals -f $fmt"
	cmp -s "$T/o.$fmt" "$T/ref.$fmt" && pass || fail "differs"
done
expect_rc 1 "-f sarif -o and --out" -- check $P $F -f sarif -o "$T/o2.sarif" --out gitlab="$T/o2.gitlab" "$@"
cmp -s "$T/o2.sarif" "$T/ref.sarif" && cmp -s "$T/o2.gitlab" "$T/ref.gitlab" && pass || fail "-o/--out differ"
expect_eq "$(wc -c < "$T/out")" 0 "stdout empty with -o"
expect_eq "$(ls "$T" | grep -c '\.tmp')" 0 "no temporary file left"

# usage errors, found before anything is evaluated or written
expect_rc 2 "unknown -f" -- check $P $F -f xml $M/hybrid-ok.yaml
expect_err "^govgate: check: --format is text, json, sarif, junit, github or gitlab, not 'xml'$" "names the formats"
expect_rc 2 "--out without =" -- check $P $F --out sarif $M/hybrid-ok.yaml
expect_err "^govgate: check: --out takes FMT=FILE, FMT one of text, json, sarif, junit, github or gitlab, not 'sarif'$" "says FMT=FILE"
expect_rc 2 "--out unknown format" -- check $P $F --out pdf="$T/x.pdf" $M/hybrid-ok.yaml
expect_rc 2 "--out unwritable" -- check $P $F --out sarif="$T/missing/x.sarif" --out junit="$T/j.xml" $M/hybrid-ok.yaml
expect_err "missing/x.sarif: error: cannot write here: folder '$T/missing' does not exist \\[GV-O004\\]" "names the --out file"
[ ! -e "$T/j.xml" ] && [ ! -e "$T/missing" ] && pass || fail "wrote something"

# an allowed run: empty results, exit 0
expect_rc 0 "clean sarif" -- check $P $F -f sarif $M/hybrid-ok.yaml
expect_out '"results":\[\]\}\]\}$' "no results"
expect_rc 0 "clean gitlab" -- check $P $F -f gitlab $M/hybrid-ok.yaml
expect_eq "$(cat "$T/out")" "[]" "empty code quality report"
expect_rc 0 "clean github" -- check $P $F -f github $M/hybrid-ok.yaml
expect_eq "$(wc -c < "$T/out")" 0 "no workflow command"

# with the audit log (results kept for the evidence): the same bytes
expect_rc 1 "--db, -f sarif and --out" -- check $P $F --db "$T/audit.db" -f sarif --out junit="$T/e.junit" --out json="$T/e.json" "$@"
cmp -s "$T/out" "$T/ref.sarif" && cmp -s "$T/e.junit" "$T/ref.junit" && cmp -s "$T/e.json" "$T/ref.json" &&
	pass || fail "evidence run differs"

# streamed in input order whatever the number of jobs
expect_rc 1 "-j 4, every format at once" -- check $P $F -j 4 -f sarif --out junit="$T/j4.junit" --out github="$T/j4.github" --out gitlab="$T/j4.gitlab" "$@" "$@"
cp "$T/out" "$T/j4.sarif"
expect_rc 1 "-j 1" -- check $P $F -j 1 -f sarif --out junit="$T/j1.junit" --out github="$T/j1.github" --out gitlab="$T/j1.gitlab" "$@" "$@"
cp "$T/out" "$T/j1.sarif"
TEST_NAME="-j 1 and -j 4 give the same bytes"
for fmt in sarif junit github gitlab; do cmp -s "$T/j1.$fmt" "$T/j4.$fmt" || fmt=bad; [ $fmt = bad ] && break; done
[ "$fmt" != bad ] && pass || fail "differ"
expect_eq "$(grep -c '<failure ' "$T/j1.junit")" "$(($(grep -c '<failure ' "$T/ref.junit") * 2))" "twice the files, twice the failures"

# input errors (issue 9 section 1) reach the CI formats: a run over every
# fixture manifest, one of which no policy applies to
run check -p policies --cloud-facts fixtures/facts/cloud.yaml --onprem-facts fixtures/facts/onprem.yaml \
	-f sarif --out junit="$T/all.junit.xml" fixtures/manifests/*.yaml
expect_eq "$rc" 2 "an input error: exit 2, results still reported"
cp "$T/out" "$T/all.sarif"
expect_out '"executionSuccessful":false' "SARIF: the run is not marked successful"
expect_out '"toolExecutionNotifications":\[\{"level":"error","descriptor":\{"id":"GV-M003"\},"message":\{"text":"no policy applies to this manifest"\},"locations":\[\{"physicalLocation":\{"artifactLocation":\{"uri":"fixtures/manifests/no-policy-applies.yaml"\},"region":\{"startLine":4,"startColumn":1\}\}\}\]\}\]' \
	"SARIF: the input error as a notification, located"
grep -q '<error message="[^"]*no policy applies to this manifest' "$T/all.junit.xml" && pass ||
	fail "JUnit: the input error as an error element"
if command -v node > /dev/null 2>&1 && [ -d tests/sarif/node_modules ]; then
	TEST_NAME="SARIF with notifications validates against sarif-schema-2.1.0"
	node tests/sarif/validate.js "$T/all.sarif" > "$T/v" 2>&1 && pass || { fail "invalid"; cat "$T/v" >&2; }
fi
