/*
 * facts.h: loading the live facts of one side (`--cloud-facts`,
 * `--onprem-facts`): the file must be a mapping; a `side:` that names the
 * other side is refused; facts whose `collected_at` is older than the
 * maximum age count as missing (gv_facts.stale says why), so stale facts
 * fail closed.
 */
#ifndef GV_FACTS_H
#define GV_FACTS_H

#include <time.h>

#include "eval.h"
#include "rfc3339.h"

/* side is "cloud" or "onprem"; max_age 0 disables the age check. */
int gv_facts_load(gv_facts *out, gv_file **file_out, const char *path, const char *side,
		  int64_t max_age, time_t now, const gv_limits *lim, gv_diags *d);
/* Parses "900", "15m", "1h", "2d" into seconds; -1 if malformed. */
int gv_duration_parse(int64_t *out, const char *s);

#endif
