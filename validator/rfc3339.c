#include "rfc3339.h"

#include <stdlib.h>
#include <string.h>

/*
 * Days since 1970-01-01 of a proleptic Gregorian date, and back (the civil
 * calendar algorithms of Howard Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms"). By hand rather than timegm() and gmtime_r(): glibc's read
 * the time zone file (/etc/localtime) on their first call, a file opened
 * and parsed on every run for times that are all UTC. A day out of its
 * month's range rolls over as timegm() does (the result is linear in it).
 */
static long long days_from_civil(long long y, int m, int d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mp < 10 ? (int)mp + 3 : (int)mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

int gv_time_parse(time_t *out, const char *s)
{
	struct tm tm;
	const char *p;
	int off = 0;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.') {           /* fractional seconds are ignored */
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int h = atoi(p + 1), m = atoi(p + 4);
		if (h > 23 || m > 59)
			return -1;
		off = (h * 3600 + m * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*out = (time_t)(days_from_civil((long long)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) *
			86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) - off;
	return 0;
}

/* n decimal digits of v, the last ones if it has more */
static void digits(char *p, long v, int n)
{
	if (v < 0)
		v = 0;
	while (n--) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void gv_time_format(char out[GV_TIME_LEN + 1], time_t t)
{
	long long days = (long long)t / 86400, secs = (long long)t % 86400, y;
	int m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	memcpy(out, "0000-00-00T00:00:00Z", GV_TIME_LEN + 1);
	digits(out, y, 4);
	digits(out + 5, m, 2);
	digits(out + 8, d, 2);
	digits(out + 11, secs / 3600, 2);
	digits(out + 14, secs / 60 % 60, 2);
	digits(out + 17, secs % 60, 2);
}
