/*
 * eval.h: a compiled program evaluated against one manifest document and
 * the facts of both sides, producing findings.
 *
 * A gv_evaluator is per thread (it holds PCRE2 scratch space and reusable
 * vectors); the program and the facts are shared and read-only. A
 * gv_result owns its findings and their strings (one arena, made only when
 * there is a finding, an evaluated rule or a deployment id to keep);
 * locations borrow nothing, so the manifest can be freed as soon as it has
 * been evaluated.
 */
#ifndef GV_EVAL_H
#define GV_EVAL_H

#include "buf.h"
#include "node.h"
#include "policy.h"

typedef struct gv_finding {
	const char *policy, *rule, *title, *remediation;  /* borrowed from the program */
	uint8_t enforcement, severity;
	uint8_t missing;          /* the value was missing */
	const char *message, *path, *file, *actual, *expected;  /* the result's arena */
	uint32_t line, col;
	uint32_t doc;             /* document index within its file */
	struct gv_waiver *waiver; /* the waiver that covers it (waiver.h), or NULL */
} gv_finding;

/* An approval that filled a required role of a policy (governance.c). */
typedef struct gv_approval_use {
	uint32_t approval;        /* index into the run's gv_governance.approvals */
	uint32_t policy;          /* index into the program's policies */
	unsigned role;            /* the role bit it filled */
} gv_approval_use;

typedef struct gv_result {
	gv_finding *findings;
	size_t nfindings, alloc;
	uint32_t policies_applied, rules_evaluated;
	uint8_t decision;         /* gv_enforcement; worst among findings */
	/* the rules evaluated, in order, as indices into the program's rules
	 * counted policy by policy (rules_evaluated of them; the result's
	 * arena), for reports that list every rule (report_ci.c, JUnit) */
	const uint32_t *evaluated;
	/* the manifest's identity, for receipts (the result's arena; NULL if absent) */
	const char *deployment_id, *mode, *cloud_region, *on_prem, *status;
	/* the policies that applied, as indices (policies_applied of them; the
	 * result's arena), kept only when the program has a policy with
	 * spec.approvals; and the approvals that counted (governance.c) */
	const uint32_t *applied;
	const gv_approval_use *approvals;
	uint32_t napprovals;
	gv_arena *arena;
} gv_result;

void gv_result_release(gv_result *r);

/* Facts of one side; NULL file when not given. Set by the caller. */
typedef struct gv_facts {
	const gv_file *file;
	const gv_node *root;
	const char *stale;        /* non-NULL: why the facts count as missing */
} gv_facts;

typedef struct gv_evaluator gv_evaluator;
struct gv_rx_budget;
/* budget: the run's regex budget (rx.h), shared by the run's evaluators;
 * NULL for none. A value whose regex the budget did not allow is a failing
 * point of its rule; the caller turns a used-up budget into an error. */
gv_evaluator *gv_evaluator_new(const gv_program *prog, const gv_facts *cloud,
			       const gv_facts *onprem, struct gv_rx_budget *budget);
void gv_evaluator_free(gv_evaluator *ev);

/*
 * Coverage, for `policy test`: from now on gv_eval_doc ORs GV_TRACE_PASSED
 * or GV_TRACE_FAILED into marks[k] for each rule it evaluates (its policy
 * applies and its `when` holds), k counting the program's rules in order,
 * policy by policy (prog->nrules entries, owned by the caller). NULL stops.
 */
enum { GV_TRACE_PASSED = 1, GV_TRACE_FAILED = 2 };
void gv_evaluator_trace(gv_evaluator *ev, uint8_t *marks);

/* Evaluates document `doc` of file mf into res (which it initialises). */
void gv_eval_doc(gv_evaluator *ev, gv_result *res, const gv_file *mf, uint32_t doc);

/* For explain.c, which walks a check itself to show each step: the truth
 * of leaf check c for the (present, non-null) value v against operand o,
 * exactly as gv_eval_doc decides it: 1, 0, GV_ELIMIT (the value's regex
 * work limit) or GV_EBUDGET. */
int gv_eval_leaf(gv_evaluator *ev, const gv_check *c, const gv_node *o, const gv_node *v);
/* Equality as `equals` and `same` decide it. */
int gv_eval_equal(const gv_node *a, const gv_node *b);
/*
 * Follows a path without wildcards from cur, its root: the value, or NULL
 * when a step is missing; *anchor is the last node reached (the key of a
 * missing value's nearest present parent), for locating it.
 */
const gv_node *gv_eval_walk(const gv_node *cur, const gv_path *p, const gv_node **anchor);
/* A value as findings show it (collections abbreviated). */
void gv_eval_render(gv_buf *b, const gv_node *n);

#endif
