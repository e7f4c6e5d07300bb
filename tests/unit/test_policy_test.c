/* test_policy_test.c: policy_test.c and junit.c (`policy test`), and the
 * evaluator's trace they rely on (eval.c, gv_evaluator_trace). */
#include <check.h>

#include "eval.h"
#include "gv.h"
#include "policy.h"
#include "policy_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];
static char pol_path[128], test_path[128];

static const char POLICY[] =
"apiVersion: govgate/v1\n"
"kind: Policy\n"
"metadata: {name: p}\n"
"spec:\n"
"  rules:\n"
"    - {id: p.on, enforcement: block, check: {path: manifest.on, equals: true}}\n"
"    - {id: p.cloud, enforcement: warn, check: {path: cloud.ok, equals: true}}\n"
"    - {id: p.guarded, enforcement: info, when: {path: manifest.x, exists: true},\n"
"       check: {path: manifest.x, lte: 3}}\n";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gv-ptest-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pol_path, sizeof(pol_path), "%s/p.yaml", dir);
	snprintf(test_path, sizeof(test_path), "%s/p.test.yaml", dir);
	write_file(pol_path, POLICY);
}

static void teardown(void)
{
	unlink(pol_path);
	unlink(test_path);
	rmdir(dir);
}

START_TEST(trace_marks_evaluated_rules)
{
	const char *paths[1] = { pol_path };
	gv_diags d = GV_DIAGS_INIT;
	gv_program *prog = NULL;
	gv_file *m = NULL;
	gv_facts none = { 0 };
	gv_evaluator *ev;
	gv_result r;
	uint8_t marks[3] = { 0, 0, 0 };
	static const char man1[] = "on: true\n", man2[] = "on: false\nx: 1\n";

	ck_assert_int_eq(gv_program_load(&prog, paths, 1, NULL, 0, &d), GV_OK);
	ck_assert_uint_eq(prog->nrules, 3);
	ev = gv_evaluator_new(prog, &none, &none, NULL);
	gv_evaluator_trace(ev, marks);
	ck_assert_int_eq(gv_file_load_mem(&m, "m.yaml", man1, strlen(man1), NULL, &d), GV_OK);
	gv_eval_doc(ev, &r, m, 0);
	gv_result_release(&r);
	gv_file_free(m);
	/* p.on passed, p.cloud failed (no facts), p.guarded not evaluated */
	ck_assert_uint_eq(marks[0], GV_TRACE_PASSED);
	ck_assert_uint_eq(marks[1], GV_TRACE_FAILED);
	ck_assert_uint_eq(marks[2], 0);
	ck_assert_int_eq(gv_file_load_mem(&m, "m.yaml", man2, strlen(man2), NULL, &d), GV_OK);
	gv_eval_doc(ev, &r, m, 0);
	gv_result_release(&r);
	gv_file_free(m);
	ck_assert_uint_eq(marks[0], GV_TRACE_PASSED | GV_TRACE_FAILED);
	ck_assert_uint_eq(marks[2], GV_TRACE_PASSED);
	/* without a trace nothing is marked */
	gv_evaluator_trace(ev, NULL);
	ck_assert_int_eq(gv_file_load_mem(&m, "m.yaml", man1, strlen(man1), NULL, &d), GV_OK);
	gv_eval_doc(ev, &r, m, 0);
	gv_result_release(&r);
	gv_file_free(m);
	ck_assert_uint_eq(marks[2], GV_TRACE_PASSED);
	gv_evaluator_free(ev);
	gv_program_free(prog);
	ck_assert_uint_eq(d.n, 0);
	gv_diags_release(&d);
}
END_TEST

START_TEST(cases_pass_fail_and_coverage)
{
	gv_ptest t = GV_PTEST_INIT;
	gv_ptest_opts o;
	gv_diags d = GV_DIAGS_INIT;
	size_t covered;
	char want[512];

	write_file(test_path,
		   "apiVersion: govgate/v1\n"
		   "kind: PolicyTest\n"
		   "policies: p.yaml\n"
		   "facts: {cloud: {ok: true}}\n"
		   "cases:\n"
		   "  - name: passes\n"
		   "    manifest: {on: true}\n"
		   "    expect: {decision: allow, findings: none}\n"
		   "  - name: blocks\n"
		   "    manifest: {on: false}\n"
		   "    facts: {cloud: null}\n"
		   "    expect:\n"
		   "      decision: block\n"
		   "      findings:\n"
		   "        - {rule: p.on, path: manifest.on, at: \"10:20\"}\n"
		   "        - {policy: p, rule: p.cloud, path: cloud.ok}\n"
		   "  - name: wrong\n"
		   "    manifest: {on: false}\n"
		   "    expect: {decision: warn, findings: [{rule: p.on, at: \"1:1\"}]}\n");
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(gv_ptest_run_file(&t, test_path, &o, &d), GV_OK);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(t.ncases, 3);
	ck_assert_uint_eq(t.npassed, 2);
	ck_assert_uint_eq(t.nfailed, 1);
	ck_assert_ptr_null(t.cases[0].diff);
	ck_assert_ptr_null(t.cases[1].diff);
	ck_assert_str_eq(t.cases[2].name, "wrong");
	ck_assert_uint_eq(t.cases[2].line, 17);
	ck_assert_uint_eq(t.cases[2].col, 5);
	snprintf(want, sizeof(want), "decision: expected warn, got block; missing finding: p.on "
		 "at 1:1; unexpected finding: p p.on at manifest.on (%s:18:20)", test_path);
	ck_assert_str_eq(t.cases[2].diff, want);
	/* p.on passed and failed, p.cloud failed and passed, p.guarded never ran */
	ck_assert_uint_eq(t.nrules, 3);
	ck_assert_str_eq(t.rules[2].rule, "p.guarded");
	ck_assert_uint_eq(t.rules[2].marks, 0);
	ck_assert_uint_eq(gv_ptest_coverage(&t, &covered), 666);
	ck_assert_uint_eq(covered, 2);
	gv_ptest_release(&t);
	gv_diags_release(&d);
}
END_TEST

START_TEST(malformed_adds_no_case)
{
	gv_ptest t = GV_PTEST_INIT;
	gv_ptest_opts o;
	gv_diags d = GV_DIAGS_INIT;

	write_file(test_path,
		   "apiVersion: govgate/v1\n"
		   "kind: PolicyTest\n"
		   "policies: p.yaml\n"
		   "cases:\n"
		   "  - {name: a, manifest: {on: true}, expect: {decision: allow, findings: none}}\n"
		   "  - {name: b, manifest: {on: true}, expect: {decision: allow, findngs: none}}\n");
	memset(&o, 0, sizeof(o));
	ck_assert_int_eq(gv_ptest_run_file(&t, test_path, &o, &d), GV_EPARSE);
	ck_assert_uint_eq(t.ncases, 0);
	ck_assert_uint_eq(t.nrules, 0);
	ck_assert_uint_eq(d.nerrors, 2);   /* the unknown key, and findings missing */
	ck_assert_str_eq(d.v[0].code, "GV-T002");
	ck_assert_uint_eq(d.v[0].loc.line, 6);
	ck_assert_uint_eq(d.v[0].loc.col, 63);
	ck_assert_str_eq(d.v[1].code, "GV-T003");
	gv_ptest_release(&t);
	gv_diags_release(&d);
}
END_TEST

START_TEST(coverage_rounds_down)
{
	gv_ptest t = GV_PTEST_INIT;
	gv_ptest_rule r[200];
	size_t i, covered;

	ck_assert_uint_eq(gv_ptest_coverage(&t, &covered), 1000);   /* nothing to cover */
	memset(r, 0, sizeof(r));
	for (i = 0; i < 200; i++)
		r[i].marks = GV_TRACE_PASSED | GV_TRACE_FAILED;
	r[0].marks = GV_TRACE_PASSED;
	t.rules = r;
	t.nrules = 200;
	ck_assert_uint_eq(gv_ptest_coverage(&t, &covered), 995);    /* 99.5, not 100 */
	r[1].marks = GV_TRACE_FAILED;
	r[2].marks = 0;
	t.nrules = 3;
	ck_assert_uint_eq(gv_ptest_coverage(&t, &covered), 0);
	ck_assert_uint_eq(covered, 0);
}
END_TEST

START_TEST(junit_escapes)
{
	gv_ptest t = GV_PTEST_INIT;
	gv_ptest_case c[2];
	gv_buf b = GV_BUF_INIT;
	char name[] = "a <b> & \"c\" 'd'\001", diff[] = "x < y", file[] = "t.test.yaml";

	memset(c, 0, sizeof(c));
	c[0].file = file;
	c[0].name = name;
	c[0].line = 3;
	c[1].file = file;
	c[1].name = name;
	c[1].diff = diff;
	c[1].line = 7;
	c[1].col = 5;
	t.cases = c;
	t.ncases = 2;
	t.npassed = t.nfailed = 1;
	gv_junit_write(&b, &t, "coverage 50% is below --min-coverage 100%");
	gv_buf_putc(&b, '\0');
	ck_assert_str_eq(b.ptr,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"govgate policy test\" tests=\"3\" failures=\"2\" errors=\"0\">\n"
		"  <testsuite name=\"t.test.yaml\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\">\n"
		"    <testcase classname=\"t.test.yaml\" name=\"a &lt;b&gt; &amp; &quot;c&quot; "
		"&apos;d&apos;?\" file=\"t.test.yaml\" line=\"3\"/>\n"
		"    <testcase classname=\"t.test.yaml\" name=\"a &lt;b&gt; &amp; &quot;c&quot; "
		"&apos;d&apos;?\" file=\"t.test.yaml\" line=\"7\">\n"
		"      <failure message=\"x &lt; y\" type=\"mismatch\">t.test.yaml:7:5: x &lt; y</failure>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"  <testsuite name=\"coverage\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\">\n"
		"    <testcase classname=\"coverage\" name=\"minimum coverage\">\n"
		"      <failure message=\"coverage 50% is below --min-coverage 100%\" type=\"coverage\">"
		"coverage 50% is below --min-coverage 100%</failure>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"</testsuites>\n");
	gv_buf_release(&b);
}
END_TEST

Suite *policy_test_suite(void)
{
	Suite *s = suite_create("policy_test");
	TCase *tc = tcase_create("run");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, trace_marks_evaluated_rules);
	tcase_add_test(tc, cases_pass_fail_and_coverage);
	tcase_add_test(tc, malformed_adds_no_case);
	suite_add_tcase(s, tc);
	tc = tcase_create("report");
	tcase_add_test(tc, coverage_rounds_down);
	tcase_add_test(tc, junit_escapes);
	suite_add_tcase(s, tc);
	return s;
}
