#include "rfc3339.h"

#include <stdlib.h>
#include <string.h>

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
	*out = timegm(&tm) - off;
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
	struct tm tm;

	/* by hand rather than strftime(), which reads the time zone files
	 * (/etc/localtime) on its first call: a file opened and parsed on
	 * every run, for a time printed in UTC */
	if (!gmtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	memcpy(out, "0000-00-00T00:00:00Z", GV_TIME_LEN + 1);
	digits(out, (long)tm.tm_year + 1900, 4);
	digits(out + 5, tm.tm_mon + 1, 2);
	digits(out + 8, tm.tm_mday, 2);
	digits(out + 11, tm.tm_hour, 2);
	digits(out + 14, tm.tm_min, 2);
	digits(out + 17, tm.tm_sec, 2);
}
