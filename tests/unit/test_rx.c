/* test_rx.c: rx.c's run-wide regex budget: what each match is charged,
 * what happens when the budget is used up, and gate.c's verdict on it,
 * which must not depend on the number of threads. */
#include <check.h>

#include "eval.h"
#include "gate.h"
#include "gv.h"
#include "policy.h"
#include "rx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The charge of a match that hits the per-match limit: every attempt's
 * limit, 16, 256, 4096, 65536, then 1000000. */
#define FULL_CHARGE (16u + 256u + 4096u + 65536u + GV_RX_MATCH_LIMIT)
#define HOSTILE "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"

static gv_rx *compile(const char *pattern)
{
	char err[256];
	size_t off;
	gv_rx *rx = NULL;

	ck_assert_int_eq(gv_rx_compile(&rx, pattern, strlen(pattern), err, sizeof(err), &off),
			 GV_OK);
	return rx;
}

static int match(const gv_rx *rx, const char *s, gv_rx_scratch *sc)
{
	return gv_rx_match(rx, s, strlen(s), sc);
}

START_TEST(charges_are_exact)
{
	gv_rx *simple = compile("@sha256:[0-9a-f]{64}$"), *bad = compile("^(a+)+$");
	gv_rx_budget *b = gv_rx_budget_new(UINT64_C(1) << 40);
	gv_rx_scratch *sc = gv_rx_scratch_new(b);

	ck_assert_uint_eq(gv_rx_budget_limit(b), UINT64_C(1) << 40);
	/* an ordinary match ends within the first attempt: 16 */
	ck_assert_int_eq(match(simple, "registry.example/app:1.2", sc), 0);
	ck_assert_uint_eq(gv_rx_budget_used(b), 16);
	/* 1022 steps: attempts of 16, 256 and 4096 */
	ck_assert_int_eq(match(bad, "aaaaaaaaab", sc), 0);
	ck_assert_uint_eq(gv_rx_budget_used(b), 16 + 16 + 256 + 4096);
	ck_assert_int_eq(match(bad, "aaaaaaaaaa", sc), 1);
	/* the per-match limit: every attempt, and the value is not decided */
	gv_rx_scratch_free(sc);
	gv_rx_budget_free(b);
	b = gv_rx_budget_new(UINT64_C(1) << 40);
	sc = gv_rx_scratch_new(b);
	ck_assert_int_eq(match(bad, HOSTILE, sc), GV_ELIMIT);
	ck_assert_uint_eq(gv_rx_budget_used(b), FULL_CHARGE);
	ck_assert(!gv_rx_budget_exhausted(b));
	gv_rx_scratch_free(sc);
	gv_rx_budget_free(b);
	/* no budget: bounded per match only */
	sc = gv_rx_scratch_new(NULL);
	ck_assert_int_eq(match(bad, HOSTILE, sc), GV_ELIMIT);
	ck_assert_int_eq(match(simple, "x@sha256:00000000000000000000000000000000"
			       "00000000000000000000000000000000", sc), 1);
	gv_rx_scratch_free(sc);
	gv_rx_free(simple);
	gv_rx_free(bad);
}
END_TEST

START_TEST(used_up_budget_fails_every_later_match)
{
	gv_rx *simple = compile("^x"), *bad = compile("^(a+)+$");
	gv_rx_budget *b = gv_rx_budget_new(2 * FULL_CHARGE);
	gv_rx_scratch *sc = gv_rx_scratch_new(b), *other = gv_rx_scratch_new(b);

	ck_assert_int_eq(match(bad, HOSTILE, sc), GV_ELIMIT);
	ck_assert_int_eq(match(bad, HOSTILE, other), GV_ELIMIT);
	/* exactly the budget is allowed */
	ck_assert_uint_eq(gv_rx_budget_used(b), 2 * FULL_CHARGE);
	ck_assert(!gv_rx_budget_exhausted(b));
	/* one step more is not: this match's result is not used */
	ck_assert_int_eq(match(simple, "x", sc), GV_EBUDGET);
	ck_assert(gv_rx_budget_exhausted(b));
	ck_assert_uint_eq(gv_rx_budget_used(b), 2 * FULL_CHARGE + 16);
	/* nor is any later one, on any scratch of the run, and nothing more is charged */
	ck_assert_int_eq(match(simple, "x", other), GV_EBUDGET);
	ck_assert_int_eq(match(bad, HOSTILE, sc), GV_EBUDGET);
	ck_assert_uint_eq(gv_rx_budget_used(b), 2 * FULL_CHARGE + 16);
	gv_rx_scratch_free(sc);
	gv_rx_scratch_free(other);
	gv_rx_budget_free(b);
	gv_rx_free(simple);
	gv_rx_free(bad);
}
END_TEST

/* ---- gate: the run's verdict ---- */

static char dir[64];
static char *manifests[8];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gv-rx-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	size_t i;

	for (i = 0; i < GV_ARRAY_LEN(manifests); i++) {
		free(manifests[i]);
		manifests[i] = NULL;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *write_file(const char *name, const char *text)
{
	char *path;
	FILE *f;

	ck_assert_int_ge(asprintf(&path, "%s/%s", dir, name), 0);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static gv_program *load_policy(void)
{
	char *path = write_file("redos.yaml",
		"apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: redos}\nspec:\n  rules:\n"
		"    - id: redos.names\n      enforcement: block\n      severity: high\n"
		"      check: {path: \"manifest.names[*]\", matches: '^(a+)+$'}\n");
	const char *paths[1] = { path };
	gv_diags d = GV_DIAGS_INIT;
	gv_program *p = NULL;

	ck_assert_int_eq(gv_program_load(&p, paths, 1, NULL, 0, &d), GV_OK);
	gv_diags_release(&d);
	free(path);
	return p;
}

/* 8 manifests, each with 2 hostile names (and one that matches): the run
 * is charged 16 * FULL_CHARGE + 8 * 16 in all. */
#define RUN_CHARGE (16 * (uint64_t)FULL_CHARGE + 8 * 16)

static void write_manifests(void)
{
	char name[32];
	size_t i;

	for (i = 0; i < GV_ARRAY_LEN(manifests); i++) {
		snprintf(name, sizeof(name), "m%zu.yaml", i);
		manifests[i] = write_file(name, "names:\n  - \"" HOSTILE "\"\n  - \"aaaa\"\n"
					  "  - \"" HOSTILE "\"\n");
	}
}

/* Runs the 8 manifests on `jobs` threads with `budget`; returns the diags. */
static void gate(gv_run *run, gv_diags *d, const gv_program *p, int jobs, uint64_t budget)
{
	gv_facts none[2];
	gv_gate_opts o;

	memset(none, 0, sizeof(none));
	memset(&o, 0, sizeof(o));
	o.manifests = (const char *const *)manifests;
	o.nmanifests = GV_ARRAY_LEN(manifests);
	o.jobs = jobs;
	o.regex_budget = budget;
	gv_gate_run(run, p, &none[0], &none[1], &o, d);
}

START_TEST(verdict_does_not_depend_on_threads)
{
	gv_program *p = load_policy();
	char want[256];
	int jobs, round;

	write_manifests();
	snprintf(want, sizeof(want), "the regex budget of the run is used up: regular expressions "
		 "needed more than %llu steps (--regex-budget, a plan's regex_budget); the run "
		 "was stopped and nothing is reported", (unsigned long long)(RUN_CHARGE - 1));
	for (round = 0; round < 3; round++)
		for (jobs = 1; jobs <= 4; jobs++) {
			gv_diags d = GV_DIAGS_INIT;
			gv_run run;

			/* exactly enough: every value checked, 16 findings */
			gate(&run, &d, p, jobs, RUN_CHARGE);
			ck_assert_uint_eq(d.n, 0);
			ck_assert_uint_eq(run.input_errors, 0);
			ck_assert(!run.regex_budget_exhausted);
			ck_assert_uint_eq(run.regex_steps, RUN_CHARGE);
			ck_assert_uint_eq(run.nfindings, 16);
			ck_assert_int_eq(run.decision, GV_ENF_BLOCK);
			gv_run_release(&run);

			/* one step short: the run fails with GV-M005 alone */
			gate(&run, &d, p, jobs, RUN_CHARGE - 1);
			ck_assert_uint_eq(d.n, 1);
			ck_assert_str_eq(d.v[0].code, "GV-M005");
			ck_assert_int_eq(d.v[0].sev, GV_SEV_ERROR);
			ck_assert_ptr_null(d.v[0].loc.file);
			ck_assert_str_eq(d.v[0].msg, want);
			ck_assert_uint_eq(run.input_errors, 1);
			ck_assert(run.regex_budget_exhausted);
			gv_run_release(&run);
			gv_diags_release(&d);
		}
	gv_program_free(p);
}
END_TEST

/* Without the gate, each value says what happened to it. */
START_TEST(findings_say_why)
{
	static const char m[] = "names:\n  - \"" HOSTILE "\"\n  - \"" HOSTILE "\"\n";
	gv_program *p = load_policy();
	gv_rx_budget *b = gv_rx_budget_new(FULL_CHARGE);
	gv_facts none[2];
	gv_diags d = GV_DIAGS_INIT;
	gv_evaluator *ev;
	gv_file *f = NULL;
	gv_result r;

	memset(none, 0, sizeof(none));
	ck_assert_int_eq(gv_file_load_mem(&f, "m.yaml", m, strlen(m), NULL, &d), GV_OK);
	ev = gv_evaluator_new(p, &none[0], &none[1], b);
	gv_eval_doc(ev, &r, f, 0);
	ck_assert_uint_eq(r.nfindings, 2);
	ck_assert_str_eq(r.findings[0].message, "manifest.names[0] could not be matched against "
			 "/^(a+)+$/ within the regex work limit; treated as a violation");
	ck_assert_uint_eq(r.findings[0].line, 2);
	ck_assert_uint_eq(r.findings[0].col, 5);
	ck_assert_str_eq(r.findings[1].message, "manifest.names[1] was not checked against "
			 "/^(a+)+$/: the regex budget of the run is used up; treated as a "
			 "violation");
	ck_assert_uint_eq(r.findings[1].line, 3);
	ck_assert_uint_eq(r.findings[1].col, 5);
	ck_assert(gv_rx_budget_exhausted(b));
	gv_result_release(&r);
	gv_evaluator_free(ev);
	gv_file_free(f);
	gv_rx_budget_free(b);
	gv_program_free(p);
	gv_diags_release(&d);
}
END_TEST

START_TEST(default_budget)
{
	gv_program *p = load_policy();
	gv_diags d = GV_DIAGS_INIT;
	gv_run run;

	write_manifests();
	gate(&run, &d, p, 2, 0);   /* 0: GV_RX_BUDGET_DEFAULT */
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(run.regex_steps, RUN_CHARGE);
	ck_assert_uint_eq(run.nfindings, 16);
	gv_run_release(&run);
	gv_program_free(p);
	gv_diags_release(&d);
}
END_TEST

Suite *rx_suite(void)
{
	Suite *s = suite_create("rx");
	TCase *tc = tcase_create("budget");

	tcase_add_test(tc, charges_are_exact);
	tcase_add_test(tc, used_up_budget_fails_every_later_match);
	suite_add_tcase(s, tc);
	tc = tcase_create("gate");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, verdict_does_not_depend_on_threads);
	tcase_add_test(tc, findings_say_why);
	tcase_add_test(tc, default_budget);
	suite_add_tcase(s, tc);
	return s;
}
