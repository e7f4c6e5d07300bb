/* test_plan.c: plan.c, deployment plans: a valid plan and its defaults,
 * paths resolved against the plan's folder, durations, and every kind of
 * error at its exact line and column. */
#include <check.h>

#include "buf.h"
#include "diag.h"
#include "gv.h"
#include "plan.h"
#include "rx.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char root[PATH_MAX];   /* the repository, for fixtures */

static void setup(void)
{
	/* the unit tests run in tests/unit */
	snprintf(dir, sizeof(dir), "/tmp/gv-plan-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_ptr_nonnull(realpath("../..", root));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/*
 * A plan whose first ten lines are always the same, so that the errors
 * below have fixed lines; `rest` starts at line 11.
 *
 *   1 apiVersion   2 kind   3 deployment   4-7 its fields   8 manifest
 *   9 policies    10 onprem
 */
static void write_plan(const char *rest)
{
	gv_buf text = GV_BUF_INIT;

	gv_buf_printf(&text,
		 "apiVersion: govgate/v1\n"
		 "kind: DeploymentPlan\n"
		 "deployment:\n"
		 "  deployment_id: DEP-1\n"
		 "  mode: hybrid\n"
		 "  cloud_region: ap-south-1\n"
		 "  on_prem: datacenter-1\n"
		 "manifest: %s/fixtures/manifests/hybrid-ok.yaml\n"
		 "policies: %s/policies\n"
		 "onprem: {facts: onprem.yaml}\n"
		 "%s", root, root, rest);
	write_file("plan.yaml", text.ptr);
	gv_buf_release(&text);
	write_file("onprem.yaml", "side: onprem\n");
	write_file("cloud.yaml", "side: cloud\n");
}

static int load(gv_plan **p, gv_diags *d)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/plan.yaml", dir);
	return gv_plan_load(p, path, d);
}

/* The plan fails with (at least) this error at line:col. */
static void expect_error(unsigned line, unsigned col, const char *code, const char *msg)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_plan *p = NULL;
	size_t i;
	int found = 0;

	ck_assert_int_lt(load(&p, &d), 0);
	ck_assert_ptr_null(p);
	for (i = 0; i < d.n; i++)
		if (d.v[i].loc.line == line && d.v[i].loc.col == col && !strcmp(d.v[i].code, code) &&
		    strstr(d.v[i].msg, msg))
			found = 1;
	if (!found)
		for (i = 0; i < d.n; i++)
			fprintf(stderr, "  got %u:%u %s %s\n", d.v[i].loc.line, d.v[i].loc.col,
				d.v[i].code, d.v[i].msg);
	ck_assert_msg(found, "no error %u:%u [%s] '%s'", line, col, code, msg);
	gv_diags_release(&d);
}

START_TEST(valid_plan_and_defaults)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_plan *p = NULL;
	char want[256];

	write_plan("cloud:\n"
		   "  probe:\n"
		   "    endpoints:\n"
		   "      - \"127.0.0.1:8443\"\n"
		   "      - {endpoint: \"[::1]:443\", server_name: localhost}\n"
		   "    attempts: 2\n"
		   "    timeout: 250ms\n"
		   "    max_time: 1.5s\n"
		   "  facts: [cloud.yaml, sub/../cloud.yaml]\n"
		   "  steps:\n"
		   "    - {name: migrate, run: [true]}\n"
		   "    - run: [sh, -c, 'exit 0', 5]\n"
		   "      timeout: 2m\n");
	ck_assert_int_eq(load(&p, &d), GV_OK);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(p->deployment_id, "DEP-1");
	ck_assert_str_eq(p->dir, dir);
	ck_assert_int_eq(p->order[0], GV_PLAN_CLOUD);
	ck_assert_int_eq(p->order[1], GV_PLAN_ONPREM);
	ck_assert(!p->recheck_between_sides);
	ck_assert_uint_eq(p->output_limit, GV_PLAN_DEFAULT_OUTPUT_LIMIT);
	ck_assert_uint_eq(p->alert_timeout_ms, GV_PLAN_DEFAULT_ALERT_TIMEOUT_MS);
	ck_assert_ptr_null(p->alert_argv);
	ck_assert_int_eq(p->max_clock_skew, 300);
	ck_assert_uint_eq(p->regex_budget, GV_RX_BUDGET_DEFAULT);
	ck_assert_uint_eq(p->nrules, 0);
	ck_assert_uint_eq(p->sides[0].nendpoints, 2);
	ck_assert_str_eq(p->sides[0].endpoints[1].endpoint, "[::1]:443");
	ck_assert_str_eq(p->sides[0].endpoints[1].server_name, "localhost");
	ck_assert_ptr_null(p->sides[0].endpoints[0].server_name);
	ck_assert_uint_eq(p->sides[0].attempts, 2);
	ck_assert_uint_eq(p->sides[0].timeout_ms, 250);
	ck_assert_uint_eq(p->sides[0].max_time_ms, 1500);
	/* relative paths resolve against the plan's folder, cleaned */
	ck_assert_uint_eq(p->sides[0].nfacts, 2);
	snprintf(want, sizeof(want), "%s/cloud.yaml", dir);
	ck_assert_str_eq(p->sides[0].facts[0], want);
	ck_assert_str_eq(p->sides[0].facts[1], want);
	ck_assert_uint_eq(p->sides[1].nfacts, 1);
	ck_assert_uint_eq(p->sides[0].nsteps, 2);
	ck_assert_str_eq(p->sides[0].steps[0].name, "migrate");
	ck_assert_uint_eq(p->sides[0].steps[0].timeout_ms, GV_PLAN_DEFAULT_STEP_TIMEOUT_MS);
	ck_assert_str_eq(p->sides[0].steps[1].name, "step-2");
	ck_assert_uint_eq(p->sides[0].steps[1].argc, 4);
	ck_assert_str_eq(p->sides[0].steps[1].argv[3], "5");   /* a number, as written */
	ck_assert_ptr_null(p->sides[0].steps[1].argv[4]);
	ck_assert_uint_eq(p->sides[0].steps[1].timeout_ms, 120000);
	ck_assert_uint_eq(p->sides[0].steps[1].loc.line, 22);
	gv_plan_free(p);
	gv_diags_release(&d);
}
END_TEST

START_TEST(order_recheck_alert_evidence)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_plan *p = NULL;
	char want[256];

	write_plan("cloud: {facts: cloud.yaml}\n"
		   "order: [onprem, cloud]\n"
		   "recheck_between_sides: true\n"
		   "step_defaults: {timeout: 30, output_limit: 100}\n"
		   "alert: {command: [cat], timeout: 3s}\n"
		   "max_fact_age: 15m\n"
		   "max_clock_skew: 0\n"
		   "regex_budget: 5000\n"
		   "evidence: {db: out/audit.db, report: /abs/report.json, origin: o.example/log}\n");
	ck_assert_int_eq(load(&p, &d), GV_OK);
	ck_assert_int_eq(p->order[0], GV_PLAN_ONPREM);
	ck_assert(p->recheck_between_sides);
	ck_assert_uint_eq(p->output_limit, 100);
	ck_assert_uint_eq(p->alert_argc, 1);
	ck_assert_str_eq(p->alert_argv[0], "cat");
	ck_assert_uint_eq(p->alert_timeout_ms, 3000);
	ck_assert_int_eq(p->max_fact_age, 900);
	ck_assert_int_eq(p->max_clock_skew, 0);
	ck_assert_uint_eq(p->regex_budget, 5000);
	snprintf(want, sizeof(want), "%s/out/audit.db", dir);
	ck_assert_str_eq(p->evidence.db, want);
	ck_assert_str_eq(p->evidence.report, "/abs/report.json");
	ck_assert_str_eq(p->evidence.origin, "o.example/log");
	ck_assert_ptr_null(p->evidence.facts_dir);
	gv_plan_free(p);
	gv_diags_release(&d);
}
END_TEST

START_TEST(error_clock_skew)
{
	write_plan("cloud: {facts: cloud.yaml}\nmax_clock_skew: 1.5s\n");
	expect_error(12, 17, "GV-D005", "'max_clock_skew' is not a duration of whole seconds "
		     "from 0 to 1d, such as 0, 300 or 5m");
	write_plan("cloud: {facts: cloud.yaml}\nmax_clock_skew: 2d\n");
	expect_error(12, 17, "GV-D005", "'max_clock_skew' is not a duration of whole seconds "
		     "from 0 to 1d, such as 0, 300 or 5m");
	write_plan("cloud: {facts: cloud.yaml}\nregex_budget: 999\n");
	expect_error(12, 15, "GV-D005", "'regex_budget' must be from 1000 to 1000000000000000");
	write_plan("cloud: {facts: cloud.yaml}\nregex_budget: 1G\n");
	expect_error(12, 15, "GV-D004", "'regex_budget' must be an integer, not a string");
}
END_TEST

START_TEST(step_environment)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_plan *p = NULL;
	const gv_plan_step *a, *b;

	write_plan("cloud:\n"
		   "  facts: cloud.yaml\n"
		   "  steps:\n"
		   "    - {name: a, run: [true]}\n"
		   "    - name: b\n"
		   "      run: [true]\n"
		   "      env: {REGION: eu-1, PORT: 8080, MODE: \"\"}\n"
		   "      inherit_env: [B_TOKEN, D_TOKEN]\n"
		   "step_defaults:\n"
		   "  env: {REGION: ap-south-1, COLOR: never}\n"
		   "  inherit_env: [D_TOKEN]\n"
		   "alert: {command: [cat], env: {TEAM: payments}, inherit_env: [PAGER_KEY]}\n");
	ck_assert_int_eq(load(&p, &d), GV_OK);
	ck_assert_uint_eq(d.n, 0);
	a = &p->sides[0].steps[0];
	b = &p->sides[0].steps[1];
	/* a step without its own takes step_defaults' */
	ck_assert_str_eq(a->env[0], "REGION=ap-south-1");
	ck_assert_str_eq(a->env[1], "COLOR=never");
	ck_assert_ptr_null(a->env[2]);
	ck_assert_str_eq(a->inherit_env[0], "D_TOKEN");
	ck_assert_ptr_null(a->inherit_env[1]);
	/* the step's own win; the defaults it does not replace come first */
	ck_assert_str_eq(b->env[0], "COLOR=never");
	ck_assert_str_eq(b->env[1], "REGION=eu-1");
	ck_assert_str_eq(b->env[2], "PORT=8080");
	ck_assert_str_eq(b->env[3], "MODE=");
	ck_assert_ptr_null(b->env[4]);
	ck_assert_str_eq(b->inherit_env[0], "D_TOKEN");
	ck_assert_str_eq(b->inherit_env[1], "B_TOKEN");
	ck_assert_ptr_null(b->inherit_env[2]);
	ck_assert_str_eq(p->alert_env[0], "TEAM=payments");
	ck_assert_ptr_null(p->alert_env[1]);
	ck_assert_str_eq(p->alert_inherit_env[0], "PAGER_KEY");
	ck_assert_ptr_null(p->alert_inherit_env[1]);
	gv_plan_free(p);

	/* nothing said: empty lists, never NULL */
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {name: a, run: [true]}\n");
	ck_assert_int_eq(load(&p, &d), GV_OK);
	ck_assert_ptr_nonnull(p->sides[0].steps[0].env);
	ck_assert_ptr_null(p->sides[0].steps[0].env[0]);
	ck_assert_ptr_nonnull(p->sides[0].steps[0].inherit_env);
	ck_assert_ptr_null(p->sides[0].steps[0].inherit_env[0]);
	ck_assert_ptr_null(p->alert_env[0]);
	gv_plan_free(p);
	gv_diags_release(&d);
}
END_TEST

START_TEST(error_environment)
{
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {run: [true], env: [A]}\n");
	expect_error(14, 26, "GV-D004", "'env' must be a mapping, not a list");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {run: [true], env: {1X: a}}\n");
	expect_error(14, 27, "GV-D005", "'env': variable name '1X' must be 1 to 128 of A-Z a-z 0-9 _");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {run: [true], env: {A-B: a}}\n");
	expect_error(14, 27, "GV-D005", "variable name 'A-B'");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {run: [true], env: {GOVGATE_STEP: x}}\n");
	expect_error(14, 27, "GV-D005", "'env': variable 'GOVGATE_STEP' is set by govgate");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {run: [true], env: {A: ~}}\n");
	expect_error(14, 30, "GV-D004", "'A' must be a string, not null");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n"
		   "    - {run: [true], inherit_env: [TOKEN, TOKEN]}\n");
	expect_error(14, 42, "GV-D007", "'inherit_env' names 'TOKEN' twice");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n"
		   "    - {run: [true], env: {T: x}, inherit_env: [T]}\n");
	expect_error(14, 48, "GV-D007", "'T' is both set in 'env' and named in 'inherit_env'");
	write_plan("cloud: {facts: cloud.yaml}\nstep_defaults: {inherit_env: [\"A*\"]}\n");
	expect_error(12, 31, "GV-D005", "'inherit_env': variable name 'A*'");
	write_plan("cloud: {facts: cloud.yaml}\nalert: {command: [cat], inherit_env: GOVGATE_STATUS}\n");
	expect_error(12, 38, "GV-D004", "'inherit_env' must be a list, not a string");
	write_plan("cloud: {facts: cloud.yaml}\nalert: {command: [cat], inherit_env: [GOVGATE_STATUS]}\n");
	expect_error(12, 39, "GV-D005", "'inherit_env': variable 'GOVGATE_STATUS' is set by govgate");
}
END_TEST

START_TEST(error_unknown_keys)
{
	write_plan("cloud: {facts: cloud.yaml, stepz: []}\n");
	expect_error(11, 28, "GV-D002", "unknown key 'stepz' in the cloud side");
	write_plan("cloud: {facts: cloud.yaml}\nevidence: {sign: k}\n");
	expect_error(12, 12, "GV-D002", "unknown key 'sign' in evidence");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {name: a, run: [true], tiemout: 3}\n");
	expect_error(14, 30, "GV-D002", "unknown key 'tiemout' in a step");
	write_plan("cloud: {facts: cloud.yaml}\nextra: 1\n");
	expect_error(12, 1, "GV-D002", "unknown key 'extra' in a deployment plan");
}
END_TEST

START_TEST(error_types_and_values)
{
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {name: a, run: \"touch x\"}\n");
	expect_error(14, 22, "GV-D004", "'run' must be a list, not a string");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {name: a, run: []}\n");
	expect_error(14, 22, "GV-D005", "'run' must list the command");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps: {a: 1}\n");
	expect_error(13, 10, "GV-D004", "'steps' must be a list, not a mapping");
	write_plan("cloud: {facts: cloud.yaml}\nrecheck_between_sides: yes\n");
	expect_error(12, 24, "GV-D004", "'recheck_between_sides' must be a boolean, not a string");
	write_plan("cloud:\n  probe: {endpoints: [\"h:99999\"]}\n");
	expect_error(12, 23, "GV-D005", "invalid endpoint 'h:99999'");
	write_plan("cloud:\n  probe: {endpoints: [\"h:1\"], attempts: 0}\n");
	expect_error(12, 41, "GV-D005", "'attempts' must be from 1 to 20");
	write_plan("cloud:\n  probe: {endpoints: [\"h:1\"], timeout: 2 seconds}\n");
	expect_error(12, 40, "GV-D005", "'timeout' is not a duration");
	write_plan("cloud:\n  probe: {endpoints: [\"h:1\"], cert: cloud.yaml}\n");
	expect_error(12, 37, "GV-D006", "is not PEM");
	write_plan("cloud: {facts: cloud.yaml}\norder: [cloud, moon]\n");
	expect_error(12, 16, "GV-D005", "'moon' is not a side");
	write_plan("cloud: {facts: cloud.yaml}\nstep_defaults: {output_limit: 999999999}\n");
	expect_error(12, 31, "GV-D005", "'output_limit' must be from 0 to 131072");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {name: \"a b\", run: [true]}\n");
	expect_error(14, 14, "GV-D005", "step name 'a b' must be 1 to 64 of");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {name: a, run: [true]}\n"
		   "    - {name: a, run: [true]}\n");
	expect_error(15, 14, "GV-D007", "duplicate step name 'a' on the cloud side (first at line 14)");
	write_plan("cloud: {facts: cloud.yaml, sync: {origin: \"a b\", dbs: x}}\n");
	expect_error(11, 50, "GV-D002", "unknown key 'dbs' in a side's sync");
	expect_error(11, 43, "GV-D005", "origin 'a b' is not a valid log origin");
	write_plan("cloud: {steps: []}\n");
	expect_error(11, 8, "GV-D003", "the cloud side has neither probe endpoints nor facts files");
}
END_TEST

START_TEST(error_missing_things)
{
	write_plan("");
	expect_error(1, 1, "GV-D003", "the plan has no 'cloud'");
	write_plan("cloud: {facts: [cloud.yaml, nope.yaml]}\n");
	expect_error(11, 29, "GV-D006", "cannot read facts file");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {run: [no-such-command-govgate]}\n");
	expect_error(14, 14, "GV-D009", "command 'no-such-command-govgate' not found in $PATH");
	write_plan("cloud:\n  facts: cloud.yaml\n  steps:\n    - {run: [./deploy.sh]}\n");
	expect_error(14, 14, "GV-D009", "command './deploy.sh' not found");
	write_plan("cloud: {facts: cloud.yaml}\nalert: {timeout: 3s}\n");
	expect_error(12, 8, "GV-D003", "alert has no 'command'");
	write_plan("cloud: {facts: cloud.yaml}\nevidence: {sign_key: nokey.key}\n");
	expect_error(12, 22, "GV-D006", "cannot read signing key");
}
END_TEST

START_TEST(error_not_a_plan)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_plan *p = NULL;

	write_file("plan.yaml", "apiVersion: govgate/v1\nkind: Policy\n");
	expect_error(2, 7, "GV-D001", "kind must be DeploymentPlan (not 'Policy')");
	write_file("plan.yaml", "apiVersion: v2\nkind: DeploymentPlan\n");
	expect_error(1, 13, "GV-D001", "apiVersion must be govgate/v1");
	write_file("plan.yaml", "- a\n- b\n");
	expect_error(1, 1, "GV-D001", "a deployment plan is one mapping document");
	write_file("plan.yaml", "kind: DeploymentPlan\nkind: DeploymentPlan\n");
	expect_error(2, 1, "GV-Y021", "duplicate key 'kind'");
	/* a plan that is not there */
	ck_assert_int_lt(gv_plan_load(&p, "/nonexistent/govgate/plan.yaml", &d), 0);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(d.nerrors, 1);
	gv_diags_release(&d);
}
END_TEST

START_TEST(resolve_paths)
{
	char *r, link[128], real[128], want[160];

	r = gv_plan_resolve("a/b", "../c");
	ck_assert_str_eq(r, "a/c");
	free(r);
	r = gv_plan_resolve("a", "/x/./y//z");
	ck_assert_str_eq(r, "/x/y/z");
	free(r);
	r = gv_plan_resolve(".", "x");
	ck_assert_str_eq(r, "x");
	free(r);
	r = gv_plan_resolve("a/b", "../../..");
	ck_assert_str_eq(r, "..");
	free(r);
	r = gv_plan_resolve("/", "..");
	ck_assert_str_eq(r, "/");
	free(r);
	/* "link/.." is not removed when link is a symbolic link */
	snprintf(real, sizeof(real), "%s/real/sub", dir);
	snprintf(link, sizeof(link), "%s/real", dir);
	ck_assert_int_eq(mkdir(link, 0755), 0);
	ck_assert_int_eq(mkdir(real, 0755), 0);
	snprintf(link, sizeof(link), "%s/link", dir);
	ck_assert_int_eq(symlink(real, link), 0);
	r = gv_plan_resolve(link, "../x");
	snprintf(want, sizeof(want), "%s/link/../x", dir);
	ck_assert_str_eq(r, want);
	free(r);
}
END_TEST

START_TEST(durations)
{
	static const struct { const char *text; uint64_t ms; } ok[] = {
		{ "30", 30000 }, { "1.5", 1500 }, { "\"250ms\"", 250 }, { "3s", 3000 },
		{ "1.5s", 1500 }, { "2m", 120000 }, { "1h", 3600000 }, { "0", 0 },
	};
	static const char *const bad[] = { "-1", "5 seconds", "1d", "s", "\"\"", "true", "[1]", "1e999" };
	gv_diags d = GV_DIAGS_INIT;
	size_t i;

	for (i = 0; i < GV_ARRAY_LEN(ok); i++) {
		gv_file *f = NULL;
		uint64_t ms = 7;
		char text[64];
		snprintf(text, sizeof(text), "v: %s\n", ok[i].text);
		ck_assert_int_eq(gv_file_load_mem(&f, "t", text, strlen(text), NULL, &d), GV_OK);
		ck_assert_msg(gv_plan_duration_ms(&ms, gv_node_get(f->docs[0], "v")) == GV_OK,
			      "'%s' refused", ok[i].text);
		ck_assert_uint_eq(ms, ok[i].ms);
		gv_file_free(f);
	}
	for (i = 0; i < GV_ARRAY_LEN(bad); i++) {
		gv_file *f = NULL;
		uint64_t ms;
		char text[64];
		snprintf(text, sizeof(text), "v: %s\n", bad[i]);
		ck_assert_int_eq(gv_file_load_mem(&f, "t", text, strlen(text), NULL, &d), GV_OK);
		ck_assert_msg(gv_plan_duration_ms(&ms, gv_node_get(f->docs[0], "v")) == GV_EPARSE,
			      "'%s' accepted", bad[i]);
		gv_file_free(f);
	}
	gv_diags_release(&d);
}
END_TEST

Suite *plan_suite(void)
{
	Suite *s = suite_create("plan");
	TCase *tc;

	tc = tcase_create("load");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, valid_plan_and_defaults);
	tcase_add_test(tc, order_recheck_alert_evidence);
	tcase_add_test(tc, resolve_paths);
	tcase_add_test(tc, step_environment);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, error_unknown_keys);
	tcase_add_test(tc, error_clock_skew);
	tcase_add_test(tc, error_types_and_values);
	tcase_add_test(tc, error_missing_things);
	tcase_add_test(tc, error_not_a_plan);
	tcase_add_test(tc, error_environment);
	suite_add_tcase(s, tc);

	tc = tcase_create("durations");
	tcase_add_test(tc, durations);
	suite_add_tcase(s, tc);
	return s;
}
