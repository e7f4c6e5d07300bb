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

void gv_time_format(char out[GV_TIME_LEN + 1], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, GV_TIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
