/*
 * facts.h: loading the live facts of one side (`--cloud-facts`,
 * `--onprem-facts`): the file must be a mapping; a `side:` that names the
 * other side is refused; facts whose `collected_at` is older than the
 * maximum age count as missing (gv_facts.stale says why), so stale facts
 * fail closed. Facts dated further in the future than the clock-skew
 * allowance are refused (GV-F003): a negative age would pass every maximum
 * age, so a clock that runs ahead, or a forged date, must not make facts
 * look fresh forever. Within the allowance the age counts as 0.
 */
#ifndef GV_FACTS_H
#define GV_FACTS_H

#include <time.h>

#include "eval.h"
#include "rfc3339.h"

/* How far in the future `collected_at` may be, by default (seconds). */
#define GV_FACTS_MAX_SKEW 300

/*
 * side is "cloud" or "onprem"; max_age 0 disables the age check; max_skew
 * is the clock-skew allowance in seconds (0: none). Returns GV_EPARSE with
 * a located diagnostic for a file that is not one mapping (GV-F001), is
 * labelled for the other side (GV-F002) or is dated more than max_skew
 * seconds after now (GV-F003); the future check applies whatever max_age.
 */
int gv_facts_load(gv_facts *out, gv_file **file_out, const char *path, const char *side,
		  int64_t max_age, int64_t max_skew, time_t now, const gv_limits *lim,
		  gv_diags *d);
/*
 * The same for facts already loaded: root, a node of file f (which must
 * outlive out; the reason facts are stale is kept in its arena). Stale facts
 * are also said once, as a GV-F004 warning in d naming the file, the age and
 * the limit; the findings they cause then only say the fact is stale.
 */
int gv_facts_from_node(gv_facts *out, const gv_file *f, const gv_node *root, const char *side,
		       int64_t max_age, int64_t max_skew, time_t now, gv_diags *d);
/*
 * The future check alone, for facts documents read another way (deploy's
 * sources): GV_EPARSE and GV-F003 at the `collected_at` value when root's
 * collected_at is more than max_skew seconds after now, else GV_OK (also
 * when there is no valid collected_at).
 */
int gv_facts_check_future(const gv_file *f, const gv_node *root, int64_t max_skew, time_t now,
			  gv_diags *d);
/* Parses "900", "15m", "1h", "2d" into seconds; -1 if malformed. */
int gv_duration_parse(int64_t *out, const char *s);
/* The same, where "0" (or "0s", "0m", ...) is allowed too. */
int gv_duration_parse0(int64_t *out, const char *s);

#endif
