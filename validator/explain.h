/*
 * explain.h: `govgate explain`, the evaluation of one rule on one manifest
 * shown step by step: every path with the values it resolved to and where
 * they are, every `each` item kept or dropped by its `where`, every
 * operator's result, the policy's `match` and the rule's `when`.
 *
 * explain.c walks a compiled check itself, deciding each leaf with
 * gv_eval_leaf() so that its steps are the evaluator's; the findings it
 * lists are gv_eval_doc()'s own, and a walk that disagrees with them is a
 * bug (GV_BUG), so the tree can never tell a different story from `check`.
 * Nothing here is on the path of `check`.
 */
#ifndef GV_EXPLAIN_H
#define GV_EXPLAIN_H

#include "buf.h"
#include "eval.h"

/*
 * Explains rule `rule_id` in every policy that applies it, on every
 * document of mf, into out (text, or one JSON object when json is set).
 * GV_EPARSE with GV-X001 in d when no loaded policy has such a rule;
 * *nexplained is the number of (policy, document) pairs shown and
 * *nviolated how many of them violate the rule.
 */
int gv_explain_rule(gv_buf *out, size_t *nexplained, size_t *nviolated, const gv_program *prog,
		    const char *rule_id, const gv_file *mf, const gv_facts *cloud,
		    const gv_facts *onprem, int json, gv_diags *d);

#endif
