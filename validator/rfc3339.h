/*
 * rfc3339.h: the one way govgate writes and reads times: RFC 3339, UTC,
 * whole seconds ("2026-11-28T12:00:00Z"), as in audit entries, facts and
 * receipts.
 */
#ifndef GV_RFC3339_H
#define GV_RFC3339_H

#include <time.h>

#define GV_TIME_LEN 20  /* "YYYY-MM-DDTHH:MM:SSZ" */

/* Parses RFC 3339 ("Z" or a numeric offset; fractions ignored); -1 if
 * malformed. */
int gv_time_parse(time_t *out, const char *s);
/* Formats t as RFC 3339 UTC. */
void gv_time_format(char out[GV_TIME_LEN + 1], time_t t);

#endif
