/* test_report_ci.c: report_ci.c, the CI formats: input errors in each,
 * escaping, relative paths and fingerprints. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval.h"
#include "gate.h"
#include "gv.h"
#include "policy.h"
#include "report_ci.h"

static const char POLICY[] =
	"apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: \"p<&>\"}\nspec:\n  rules:\n"
	"    - id: r.one\n      title: \"one\"\n      enforcement: warn\n      severity: high\n"
	"      remediation: \"fix it\\nnow, 100%\"\n"
	"      message: \"bad <v> & \\\"{actual}\\\"\\nsecond line\"\n"
	"      check: {path: manifest.v, equals: ok}\n"
	"    - id: r.two\n      enforcement: block\n      check: {path: manifest.w, equals: 1}\n";

typedef struct fixture {
	gv_program *prog;
	gv_file *m;
	gv_run run;
	gv_file_result fr;
	gv_doc_result dr;
	gv_diags errors;
	gv_report_meta meta;
	gv_report_ci ci;
	gv_buf b;
} fixture;

static void setup_run(fixture *f)
{
	char path[] = "/tmp/gv-ci-XXXXXX.yaml";
	const char *paths[1] = { path };
	const char *man = "v: \"no:pe\"\nw: 1\n";
	gv_diags d = GV_DIAGS_INIT;
	gv_evaluator *ev;
	int fd = mkstemps(path, 5);

	memset(f, 0, sizeof(*f));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, POLICY, strlen(POLICY)), (ssize_t)strlen(POLICY));
	close(fd);
	gv_program_load(&f->prog, paths, 1, NULL, 0, &d);
	unlink(path);
	if (!f->prog)
		gv_diags_print(&d, stderr, 0, 0);
	ck_assert_ptr_nonnull(f->prog);
	ck_assert_int_eq(gv_file_load_mem(&f->m, "deploy/m.yaml", man, strlen(man), NULL, &d), 0);
	ev = gv_evaluator_new(f->prog, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(ev);
	gv_eval_doc(ev, &f->dr.r, f->m, 0);
	gv_evaluator_free(ev);
	ck_assert_uint_eq(f->dr.r.nfindings, 1);
	ck_assert_uint_eq(f->dr.r.rules_evaluated, 2);
	f->fr.path = "deploy/m.yaml";
	f->fr.ok = true;
	f->fr.docs = &f->dr;
	f->fr.ndocs = 1;
	f->fr.nfindings = 1;
	f->run.files = &f->fr;
	f->run.nfiles = 1;
	f->run.ndocs = 1;
	f->run.nfindings = 1;
	f->run.rules_evaluated = 2;
	f->run.decision = GV_ENF_WARN;
	gv_diag_at(&f->errors, GV_SEV_ERROR, "GV-M001", (gv_loc){ "in/bad,1.yaml", 3, 5 },
		   "bad <yaml> & \"quotes\"\nsecond");
	gv_diag_at(&f->errors, GV_SEV_WARNING, "GV-F004", (gv_loc){ "facts.yaml", 0, 0 },
		   "a warning is not an input error");
	gv_error(&f->errors, "GV-M004", NULL, "no manifest given");
	f->meta.prog = f->prog;
	f->ci.errors = &f->errors;
	f->b = (gv_buf)GV_BUF_INIT;
	gv_diags_release(&d);
}

static void teardown_run(fixture *f)
{
	gv_result_release(&f->dr.r);
	gv_file_free(f->m);
	gv_program_free(f->prog);
	gv_diags_release(&f->errors);
	gv_buf_release(&f->b);
}

#define HAS(s) do { if (!strstr(f.b.ptr, (s))) \
	ck_abort_msg("output lacks %s:\n%s", (s), f.b.ptr); } while (0)

START_TEST(sarif_notifications)
{
	fixture f;

	setup_run(&f);
	gv_report_sarif(&f.b, &f.run, &f.meta, &f.ci);
	HAS("\"invocations\":[{\"executionSuccessful\":false,\"toolExecutionNotifications\":["
	    "{\"level\":\"error\",\"descriptor\":{\"id\":\"GV-M001\"},\"message\":{\"text\":"
	    "\"bad <yaml> & \\\"quotes\\\"\\nsecond\"},\"locations\":[{\"physicalLocation\":"
	    "{\"artifactLocation\":{\"uri\":\"in/bad,1.yaml\"},\"region\":{\"startLine\":3,"
	    "\"startColumn\":5}}}]},{\"level\":\"error\",\"descriptor\":{\"id\":\"GV-M004\"},"
	    "\"message\":{\"text\":\"no manifest given\"}}]}]");
	ck_assert_ptr_null(strstr(f.b.ptr, "a warning"));
	HAS("\"ruleId\":\"r.one\",\"ruleIndex\":0,\"level\":\"warning\",\"message\":{\"text\":"
	    "\"bad <v> & \\\"no:pe\\\"\\nsecond line\"}");
	HAS("{\"id\":\"r.two\",\"name\":\"r.two\",\"shortDescription\":{\"text\":\"r.two\"}");
	HAS("\"help\":{\"text\":\"fix it\\nnow, 100%\"}");
	HAS("\"security-severity\":\"8.0\"");
	teardown_run(&f);
}
END_TEST

START_TEST(junit_errors)
{
	fixture f;

	setup_run(&f);
	gv_report_junit(&f.b, &f.run, &f.meta, &f.ci);
	HAS("<testsuites name=\"govgate check\" tests=\"4\" failures=\"1\" errors=\"2\">\n"
	    "  <testsuite name=\"deploy/m.yaml\" tests=\"2\" failures=\"1\" errors=\"0\" "
	    "skipped=\"0\">\n    <testcase classname=\"p&lt;&amp;&gt;\" name=\"r.one\" "
	    "file=\"deploy/m.yaml\">\n      <failure message=\"deploy/m.yaml:1:4: bad &lt;v&gt; &amp; "
	    "&quot;no:pe&quot;&#10;second line\" type=\"warn\">deploy/m.yaml:1:4: warn: ");
	HAS("&#10;remediation: fix it&#10;now, 100%</failure>\n    </testcase>\n"
	    "    <testcase classname=\"p&lt;&amp;&gt;\" name=\"r.two\" file=\"deploy/m.yaml\"/>\n"
	    "  </testsuite>\n");
	HAS("  <testsuite name=\"input errors\" tests=\"2\" failures=\"0\" errors=\"2\" "
	    "skipped=\"0\">\n    <testcase classname=\"input\" name=\"in/bad,1.yaml\">\n"
	    "      <error message=\"bad &lt;yaml&gt; &amp; &quot;quotes&quot;&#10;second\" "
	    "type=\"GV-M001\">in/bad,1.yaml:3:5: error: bad &lt;yaml&gt; &amp; "
	    "&quot;quotes&quot;&#10;second [GV-M001]</error>\n    </testcase>\n");
	HAS("<error message=\"no manifest given\" type=\"GV-M004\">govgate:0:0: error: "
	    "no manifest given [GV-M004]</error>");
	teardown_run(&f);
}
END_TEST

START_TEST(github_escapes)
{
	fixture f;

	setup_run(&f);
	gv_report_github(&f.b, &f.run, &f.meta, &f.ci);
	ck_assert_str_eq(f.b.ptr,
		"::error file=in/bad%2C1.yaml,line=3,col=5,title=GV-M001::bad <yaml> & "
		"\"quotes\"%0Asecond\n"
		"::error title=GV-M004::no manifest given\n"
		"::warning file=deploy/m.yaml,line=1,col=4,title=r.one::bad <v> & \"no:pe\"%0A"
		"second line (warn, high; policy p<&>)%0Aremediation: fix it%0Anow, 100%25\n");
	teardown_run(&f);
}
END_TEST

START_TEST(gitlab_fields)
{
	fixture f;
	char fp[65];

	setup_run(&f);
	gv_report_gitlab(&f.b, &f.run, &f.meta, &f.ci);
	gv_report_fingerprint(fp, &f.dr.r.findings[0], "deploy/m.yaml");
	HAS("[{\"description\":\"bad <v> & \\\"no:pe\\\"\\nsecond line\",\"check_name\":"
	    "\"r.one\",\"fingerprint\":\"");
	HAS(fp);
	HAS("\",\"severity\":\"major\",\"type\":\"issue\",\"categories\":[\"Security\"],"
	    "\"location\":{\"path\":\"deploy/m.yaml\",\"lines\":{\"begin\":1}}}]\n");
	teardown_run(&f);
}
END_TEST

START_TEST(fingerprint_ignores_lines)
{
	gv_finding a, b;
	char fa[65], fb[65], fc[65];

	memset(&a, 0, sizeof(a));
	a.rule = "r";
	a.path = "manifest.x";
	a.line = 3;
	b = a;
	b.line = 40;
	b.col = 2;
	gv_report_fingerprint(fa, &a, "m.yaml");
	gv_report_fingerprint(fb, &b, "m.yaml");
	ck_assert_str_eq(fa, fb);
	b.doc = 1;
	gv_report_fingerprint(fc, &b, "m.yaml");
	ck_assert_str_ne(fa, fc);
	gv_report_fingerprint(fc, &a, "n.yaml");
	ck_assert_str_ne(fa, fc);
}
END_TEST

START_TEST(relative_paths)
{
	char *s;

#define REL(path, root, want) do { s = gv_report_relpath(path, root); \
	ck_assert_str_eq(s, want); free(s); } while (0)
	REL("/repo/a/b.yaml", "/repo", "a/b.yaml");
	REL("/repo/a/b.yaml", "/repo/", "a/b.yaml");
	REL("/repo//a/./c/../b.yaml", "/repo/x/..", "a/b.yaml");
	REL("/repox/b.yaml", "/repo", "/repox/b.yaml");
	REL("/other/b.yaml", "/repo", "/other/b.yaml");
	REL("/repo", "/repo", ".");
	REL("-", "/repo", "-");
	REL("/b.yaml", "/", "b.yaml");
#undef REL
}
END_TEST

START_TEST(format_names)
{
	ck_assert_int_eq(gv_format_parse("sarif"), GV_FMT_SARIF);
	ck_assert_int_eq(gv_format_parse("gitlab"), GV_FMT_GITLAB);
	ck_assert_int_eq(gv_format_parse("SARIF"), -1);
	ck_assert_int_eq(gv_format_parse(""), -1);
	ck_assert_str_eq(gv_format_name(GV_FMT_JUNIT), "junit");
}
END_TEST

Suite *report_ci_suite(void)
{
	Suite *s = suite_create("report_ci");
	TCase *tc = tcase_create("formats");

	tcase_add_test(tc, sarif_notifications);
	tcase_add_test(tc, junit_errors);
	tcase_add_test(tc, github_escapes);
	tcase_add_test(tc, gitlab_fields);
	suite_add_tcase(s, tc);
	tc = tcase_create("helpers");
	tcase_add_test(tc, fingerprint_ignores_lines);
	tcase_add_test(tc, relative_paths);
	tcase_add_test(tc, format_names);
	suite_add_tcase(s, tc);
	return s;
}
