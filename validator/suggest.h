/*
 * suggest.h: "did you mean ...?" for misspelt keys, operators and rule ids.
 *
 * The distance is the optimal string alignment distance (insertions,
 * deletions, substitutions and swaps of two neighbours each count 1), so
 * `severty`, `matchs` and `versoin` are one edit away from what was meant.
 */
#ifndef GV_SUGGEST_H
#define GV_SUGGEST_H

#include <stddef.h>

#include "diag.h"
#include "node.h"

/* Edit distance between a and b, or max + 1 when it is more than max. */
size_t gv_edit_distance(const char *a, const char *b, size_t max);

/*
 * The candidate closest to word, when it is close enough to be a likely
 * typo (1 edit for words of up to 4 characters, 2 up to 8, 3 beyond; or
 * the same word with 1 to 3 characters more or fewer at its end);
 * NULL otherwise, or when word is itself a candidate. cands holds n
 * strings, or is NULL-terminated when n is 0. Borrowed from cands.
 */
const char *gv_suggest(const char *word, const char *const *cands, size_t n);

/*
 * Appends "; did you mean 'X'?" to the diagnostics of d from index `from`
 * on that report an unknown rule (GV-P016, from rule_ids) or an unknown
 * operator or key in a check (GV-P012, from the operators and check keys,
 * or the keys of an `each` check).
 */
void gv_suggest_diags(gv_diags *d, size_t from, const char *const *rule_ids, size_t nids);

/*
 * Reports each key of map (a mapping of f) that is not in allowed
 * (NULL-terminated) as an error with code at the key's line and column:
 * "unknown key 'K' in WHAT", with "; did you mean 'X'?" when one is close.
 * Returns the number of unknown keys. The one check of keys for policies,
 * trust files and waivers.
 */
size_t gv_check_keys(gv_diags *d, const char *code, const gv_file *f, const gv_node *map,
		     const char *const *allowed, const char *what);

#endif
