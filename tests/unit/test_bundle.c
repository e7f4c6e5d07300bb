/* test_bundle.c: bundle.c: subject names relative to the folder a file was
 * found under, or its file name. */
#include <check.h>

#include "bundle.h"

START_TEST(subject_names)
{
	const char *pol[] = { "policies", "/srv/pol/" };
	const char *rules[] = { "/usr/share/govgate/rules" };

	ck_assert_str_eq(gv_bundle_subject_name("policies/a/b.yaml", pol, 2, rules, 1), "a/b.yaml");
	ck_assert_str_eq(gv_bundle_subject_name("/srv/pol/x.yaml", pol, 2, rules, 1), "x.yaml");
	ck_assert_str_eq(gv_bundle_subject_name("/usr/share/govgate/rules/sync.yaml", pol, 2,
						rules, 1), "sync.yaml");
	/* a folder whose name only starts like a given one is not under it */
	ck_assert_str_eq(gv_bundle_subject_name("policies-old/c.yaml", pol, 2, rules, 1),
			 "c.yaml");
	/* a file given itself: its file name */
	pol[0] = "some/dir/p.yaml";
	ck_assert_str_eq(gv_bundle_subject_name("some/dir/p.yaml", pol, 1, NULL, 0), "p.yaml");
	pol[0] = "p.yaml";
	ck_assert_str_eq(gv_bundle_subject_name("p.yaml", pol, 1, NULL, 0), "p.yaml");
	/* rules first, as the loader gathers them */
	pol[0] = "/usr/share/govgate";
	ck_assert_str_eq(gv_bundle_subject_name("/usr/share/govgate/rules/sync.yaml", pol, 1,
						rules, 1), "sync.yaml");
}
END_TEST

Suite *bundle_suite(void)
{
	Suite *s = suite_create("bundle");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, subject_names);
	suite_add_tcase(s, tc);
	return s;
}
