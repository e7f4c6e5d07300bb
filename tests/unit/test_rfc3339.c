/* test_rfc3339.c: times written by hand (no strftime) read back the same. */
#include <check.h>
#include <string.h>

#include "gv.h"
#include "rfc3339.h"

START_TEST(format_writes_utc_and_reads_back)
{
	static const struct {
		time_t t;
		const char *s;
	} v[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 951782400, "2000-02-29T00:00:00Z" },
		{ 1795956000, "2026-11-29T12:40:00Z" },
		{ 1798761599, "2026-12-31T23:59:59Z" },
		{ 253402300799, "9999-12-31T23:59:59Z" },
	};
	char out[GV_TIME_LEN + 1];
	time_t back;
	size_t i;

	for (i = 0; i < GV_ARRAY_LEN(v); i++) {
		memset(out, 'x', sizeof(out));
		gv_time_format(out, v[i].t);
		ck_assert_str_eq(out, v[i].s);
		ck_assert_int_eq(gv_time_parse(&back, out), 0);
		ck_assert_int_eq((long long)back, (long long)v[i].t);
	}
}
END_TEST

Suite *rfc3339_suite(void)
{
	Suite *s = suite_create("rfc3339");
	TCase *t = tcase_create("rfc3339");

	tcase_add_test(t, format_writes_utc_and_reads_back);
	suite_add_tcase(s, t);
	return s;
}
