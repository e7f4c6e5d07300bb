/* test_rfc3339.c: times read and written by hand (no timegm, gmtime or
 * strftime, which read the time zone file) as the C library does. */
#include <check.h>
#include <string.h>
#include <time.h>

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

/* The arithmetic agrees with the C library's timegm() and gmtime_r(),
 * negative times and rolled-over days included. */
START_TEST(agrees_with_the_c_library)
{
	static const char *const in[] = {
		"1969-12-31T23:59:59Z", "1900-03-01T00:00:00Z", "2024-02-29T12:00:00Z",
		"2026-02-31T00:00:00Z", "2026-11-28T12:00:00.250Z", "2026-11-28T12:00:00+05:30",
		"2026-11-28T12:00:00-08:00", "2100-03-01T00:00:00Z", "2000-12-31T23:59:60Z",
	};
	char out[GV_TIME_LEN + 1], want[GV_TIME_LEN + 1];
	struct tm tm;
	time_t t, u;
	long long k;
	size_t i;

	for (i = 0; i < GV_ARRAY_LEN(in); i++) {
		ck_assert_int_eq(gv_time_parse(&t, in[i]), 0);
		memset(&tm, 0, sizeof(tm));
		strptime(in[i], "%Y-%m-%dT%H:%M:%S", &tm);
		u = timegm(&tm);
		if (strchr(in[i] + 19, '+'))
			u -= 5 * 3600 + 30 * 60;
		else if (strchr(in[i] + 19, '-'))
			u += 8 * 3600;
		ck_assert_msg(t == u, "%s: %lld, timegm says %lld", in[i], (long long)t, (long long)u);
	}
	/* from 1811 to the end of 9999, the last year both write in four digits */
	for (k = -5000000000LL; k < 253402300800LL; k += 987654321LL) {
		t = (time_t)k;
		gv_time_format(out, t);
		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		ck_assert_str_eq(out, want);
	}
}
END_TEST

Suite *rfc3339_suite(void)
{
	Suite *s = suite_create("rfc3339");
	TCase *t = tcase_create("rfc3339");

	tcase_add_test(t, format_writes_utc_and_reads_back);
	tcase_add_test(t, agrees_with_the_c_library);
	suite_add_tcase(s, t);
	return s;
}
