/* Unit tests for suggest.c: the distance, the pick, and the hints added to diagnostics. */
#include <check.h>
#include <string.h>

#include "diag.h"
#include "gv.h"
#include "suggest.h"

START_TEST(distance_counts_swaps_as_one)
{
	ck_assert_uint_eq(gv_edit_distance("versoin", "version", 5), 1);
	ck_assert_uint_eq(gv_edit_distance("severty", "severity", 5), 1);
	ck_assert_uint_eq(gv_edit_distance("abc", "abc", 5), 0);
	ck_assert_uint_eq(gv_edit_distance("", "abc", 5), 3);
	ck_assert_uint_eq(gv_edit_distance("kitten", "sitting", 5), 3);
	/* over the bound: bound + 1 */
	ck_assert_uint_eq(gv_edit_distance("kitten", "sitting", 2), 3);
	ck_assert_uint_eq(gv_edit_distance("a", "abcdefgh", 3), 4);
}
END_TEST

START_TEST(suggests_only_close_words)
{
	static const char *const keys[] = { "id", "title", "check", "when", "severity",
					    "enforcement", "remediation", NULL };
	static const char *const ids[] = { "enc.kms-key", "enc.at-rest", "conn.tls-min-version" };

	ck_assert_str_eq(gv_suggest("severty", keys, 0), "severity");
	ck_assert_str_eq(gv_suggest("enforcment", keys, 0), "enforcement");
	ck_assert_str_eq(gv_suggest("chek", keys, 0), "check");
	ck_assert_ptr_null(gv_suggest("frobnicate", keys, 0));
	ck_assert_ptr_null(gv_suggest("check", keys, 0));    /* known: nothing to suggest */
	ck_assert_str_eq(gv_suggest("ix", keys, 0), "id");
	ck_assert_ptr_null(gv_suggest("zz", keys, 0));       /* 2 edits: all of it */
	ck_assert_str_eq(gv_suggest("enc.kms_key", ids, 3), "enc.kms-key");
	ck_assert_str_eq(gv_suggest("enc.kms-keys", ids, 3), "enc.kms-key");
	ck_assert_str_eq(gv_suggest("conn.tls-min-versoin", ids, 3), "conn.tls-min-version");
	ck_assert_ptr_null(gv_suggest("gov.owner", ids, 3));
}
END_TEST

START_TEST(a_word_with_a_longer_or_shorter_end_is_suggested)
{
	static const char *const keys[] = { "kms_key_id", "rotation_days", "enabled", NULL };

	ck_assert_str_eq(gv_suggest("kms_key", keys, 0), "kms_key_id");
	ck_assert_str_eq(gv_suggest("enabled_", keys, 0), "enabled");
	ck_assert_ptr_null(gv_suggest("rotation", keys, 0));   /* 5 characters short */
}
END_TEST

START_TEST(diagnostics_gain_the_closest_rule_or_operator)
{
	static const char *const ids[] = { "enc.kms-key", "enc.at-rest" };
	gv_diags d = GV_DIAGS_INIT;
	gv_loc l = { "p.yaml", 3, 4 };

	gv_diag_at(&d, GV_SEV_ERROR, "GV-P016", l, "'use' of unknown rule '%s'", "enc.kms-kye");
	gv_diag_at(&d, GV_SEV_ERROR, "GV-P012", l, "unknown operator or key '%s' in a check",
		   "matchs");
	gv_diag_at(&d, GV_SEV_ERROR, "GV-P012", l, "unknown operator or key '%s' in a check",
		   "zzzzzz");
	gv_diag_at(&d, GV_SEV_ERROR, "GV-P016", l, "'use' of unknown rule '%s'", "enc.at-rest");
	gv_suggest_diags(&d, 1, ids, 2);
	ck_assert_str_eq(d.v[0].msg, "'use' of unknown rule 'enc.kms-kye'");   /* before `from` */
	ck_assert_str_eq(d.v[1].msg, "unknown operator or key 'matchs' in a check; "
			 "did you mean 'matches'?");
	ck_assert_str_eq(d.v[2].msg, "unknown operator or key 'zzzzzz' in a check");
	ck_assert_str_eq(d.v[3].msg, "'use' of unknown rule 'enc.at-rest'");
	gv_suggest_diags(&d, 0, ids, 2);
	ck_assert_str_eq(d.v[0].msg, "'use' of unknown rule 'enc.kms-kye'; "
			 "did you mean 'enc.kms-key'?");
	ck_assert_str_eq(d.v[1].msg, "unknown operator or key 'matchs' in a check; "
			 "did you mean 'matches'?");   /* not twice */
	gv_diags_release(&d);
}
END_TEST

Suite *suggest_suite(void)
{
	Suite *s = suite_create("suggest");
	TCase *t = tcase_create("core");

	tcase_add_test(t, distance_counts_swaps_as_one);
	tcase_add_test(t, suggests_only_close_words);
	tcase_add_test(t, a_word_with_a_longer_or_shorter_end_is_suggested);
	tcase_add_test(t, diagnostics_gain_the_closest_rule_or_operator);
	suite_add_tcase(s, t);
	return s;
}
