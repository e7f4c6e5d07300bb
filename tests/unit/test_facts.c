/* test_facts.c: facts.c, the age of facts: stale facts count as missing,
 * facts dated beyond the clock-skew allowance are refused (GV-F003), a
 * future time within it is age 0. `now` is passed in, so every amount is
 * exact. */
#include <check.h>

#include "diag.h"
#include "facts.h"
#include "gv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 2026-11-30T12:00:00Z */
#define NOW ((time_t)1796040000)

static char path[64];

static void setup(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/gv-facts-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void teardown(void)
{
	unlink(path);
}

/* Writes facts collected at `when` (line 3, the value at column 15). */
static void write_facts(const char *when)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fprintf(f, "apiVersion: govgate/v1\nside: cloud\ncollected_at: \"%s\"\n"
		"connectivity: {reachable: true}\n", when);
	fclose(f);
}

/* Loads the facts; on success *stale is the reason they are stale (or "")
 * and on failure *diag the one diagnostic. */
static int load(int64_t max_age, int64_t max_skew, char *stale, gv_diag *diag)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_facts facts;
	gv_file *f = NULL;
	int err = gv_facts_load(&facts, &f, path, "cloud", max_age, max_skew, NOW, NULL, &d);

	if (err == GV_OK) {
		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_eq(facts.file, f);
		strcpy(stale, facts.stale ? facts.stale : "");
		/* stale facts are said once, as a warning naming file, age and limit */
		if (facts.stale) {
			char want[512];
			snprintf(want, sizeof(want), "cloud facts in '%s' are stale (%s): every "
				 "rule that reads them fails, as if they were missing", path,
				 facts.stale);
			ck_assert_uint_eq(d.n, 1);
			ck_assert_int_eq(d.v[0].sev, GV_SEV_WARNING);
			ck_assert_str_eq(d.v[0].code, "GV-F004");
			ck_assert_str_eq(d.v[0].msg, want);
		} else {
			ck_assert_uint_eq(d.n, 0);
		}
	} else {
		ck_assert_ptr_null(f);
		ck_assert_uint_eq(d.n, 1);
		*diag = d.v[0];
		diag->file = strdup(d.v[0].loc.file);   /* the file's own copy is freed below */
		diag->loc.file = diag->file;
		diag->msg = strdup(d.v[0].msg);
	}
	gv_file_free(f);
	gv_diags_release(&d);
	return err;
}

static void expect_future(int64_t max_age, int64_t max_skew, const char *want)
{
	gv_diag dg;
	char stale[256];

	ck_assert_int_eq(load(max_age, max_skew, stale, &dg), GV_EPARSE);
	ck_assert_int_eq(dg.sev, GV_SEV_ERROR);
	ck_assert_str_eq(dg.code, "GV-F003");
	ck_assert_str_eq(dg.loc.file, path);
	ck_assert_uint_eq(dg.loc.line, 3);
	ck_assert_uint_eq(dg.loc.col, 15);
	ck_assert_str_eq(dg.msg, want);
	free(dg.msg);
	free(dg.file);
}

START_TEST(one_hour_ahead_is_refused)
{
	write_facts("2026-11-30T13:00:00Z");
	expect_future(900, GV_FACTS_MAX_SKEW,
		      "facts are dated 3600 s in the future (collected_at 2026-11-30T13:00:00Z); "
		      "the allowed clock skew is 300 s");
	/* whatever the maximum age, also with none */
	expect_future(0, GV_FACTS_MAX_SKEW,
		      "facts are dated 3600 s in the future (collected_at 2026-11-30T13:00:00Z); "
		      "the allowed clock skew is 300 s");
	/* a numeric offset is the same instant */
	write_facts("2026-11-30T18:30:00+05:30");
	expect_future(900, GV_FACTS_MAX_SKEW,
		      "facts are dated 3600 s in the future "
		      "(collected_at 2026-11-30T18:30:00+05:30); the allowed clock skew is 300 s");
}
END_TEST

START_TEST(far_future_is_refused)
{
	write_facts("2999-01-01T00:00:00Z");
	/* 32472144000 (2999-01-01) - 1796040000 */
	expect_future(3600, GV_FACTS_MAX_SKEW,
		      "facts are dated 30676104000 s in the future "
		      "(collected_at 2999-01-01T00:00:00Z); the allowed clock skew is 300 s");
}
END_TEST

START_TEST(within_the_skew_is_age_zero)
{
	gv_diag dg;
	char stale[256];

	/* 60 s ahead: fresh under the smallest maximum age */
	write_facts("2026-11-30T12:01:00Z");
	ck_assert_int_eq(load(1, GV_FACTS_MAX_SKEW, stale, &dg), GV_OK);
	ck_assert_str_eq(stale, "");
	/* exactly the allowance is still allowed, one second more is not */
	write_facts("2026-11-30T12:05:00Z");
	ck_assert_int_eq(load(60, GV_FACTS_MAX_SKEW, stale, &dg), GV_OK);
	ck_assert_str_eq(stale, "");
	write_facts("2026-11-30T12:05:01Z");
	expect_future(60, GV_FACTS_MAX_SKEW,
		      "facts are dated 301 s in the future (collected_at 2026-11-30T12:05:01Z); "
		      "the allowed clock skew is 300 s");
	/* a skew of 0 allows now, not a second later */
	write_facts("2026-11-30T12:00:00Z");
	ck_assert_int_eq(load(60, 0, stale, &dg), GV_OK);
	write_facts("2026-11-30T12:00:01Z");
	expect_future(60, 0,
		      "facts are dated 1 s in the future (collected_at 2026-11-30T12:00:01Z); "
		      "the allowed clock skew is 0 s");
	/* a larger allowance admits an hour */
	write_facts("2026-11-30T13:00:00Z");
	ck_assert_int_eq(load(60, 3600, stale, &dg), GV_OK);
	ck_assert_str_eq(stale, "");
}
END_TEST

START_TEST(stale_and_missing_times)
{
	gv_diag dg;
	char stale[256];

	write_facts("2026-11-30T11:00:00Z");
	ck_assert_int_eq(load(3600, GV_FACTS_MAX_SKEW, stale, &dg), GV_OK);
	ck_assert_str_eq(stale, "");
	ck_assert_int_eq(load(3599, GV_FACTS_MAX_SKEW, stale, &dg), GV_OK);
	ck_assert_str_eq(stale, "collected 60m ago, at 2026-11-30T11:00:00Z; "
			 "the maximum age is 59m");
	write_facts("yesterday");
	ck_assert_int_eq(load(60, GV_FACTS_MAX_SKEW, stale, &dg), GV_OK);
	ck_assert_str_eq(stale, "no valid collected_at time");
	/* without a maximum age an unreadable time is not checked at all */
	ck_assert_int_eq(load(0, GV_FACTS_MAX_SKEW, stale, &dg), GV_OK);
	ck_assert_str_eq(stale, "");
}
END_TEST

START_TEST(durations)
{
	int64_t v = -1;

	ck_assert_int_eq(gv_duration_parse(&v, "0"), -1);
	ck_assert_int_eq(gv_duration_parse0(&v, "0"), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(gv_duration_parse0(&v, "0m"), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(gv_duration_parse0(&v, "5m"), 0);
	ck_assert_int_eq(v, 300);
	ck_assert_int_eq(gv_duration_parse0(&v, "0x"), -1);
	ck_assert_int_eq(gv_duration_parse0(&v, "00"), -1);
	ck_assert_int_eq(gv_duration_parse0(&v, "-1"), -1);
}
END_TEST

Suite *facts_suite(void)
{
	Suite *s = suite_create("facts");
	TCase *tc = tcase_create("age");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, one_hour_ahead_is_refused);
	tcase_add_test(tc, far_future_is_refused);
	tcase_add_test(tc, within_the_skew_is_age_zero);
	tcase_add_test(tc, stale_and_missing_times);
	tcase_add_test(tc, durations);
	suite_add_tcase(s, tc);
	return s;
}
