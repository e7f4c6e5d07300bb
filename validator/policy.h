/*
 * policy.h: a compiled policy bundle (gv_program) and what it is made of.
 *
 * policy_load.c reads RuleSet and Policy documents and resolves `use:`;
 * rule_compile.c turns each check into a gv_check tree (paths parsed,
 * $params substituted, regexes compiled with JIT). The program owns every
 * loaded file (checks point into their nodes for literals and locations)
 * and an arena; nothing in it changes after gv_program_load() returns, so
 * any number of threads may evaluate with one program.
 */
#ifndef GV_POLICY_H
#define GV_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "node.h"

/* Enforcement, ordered by how bad a violation is; 0 is "allow". */
typedef enum {
	GV_ENF_ALLOW = 0, GV_ENF_INFO, GV_ENF_WARN, GV_ENF_ESCALATE, GV_ENF_HALT, GV_ENF_BLOCK
} gv_enforcement;
typedef enum { GV_SEV_LOW = 1, GV_SEV_MEDIUM, GV_SEV_HIGH, GV_SEV_CRITICAL } gv_severity;

const char *gv_enforcement_name(int e);   /* "allow", "info", ... "block" */
const char *gv_severity_name(int s);

typedef enum { GV_ROOT_MANIFEST, GV_ROOT_CLOUD, GV_ROOT_ONPREM, GV_NROOTS } gv_root;
/* Inside `each`, a path may start at a bound item: its root is
 * GV_NROOTS + the nesting level of the `each` that binds it (0 outermost). */
#define GV_MAX_EACH 8

typedef enum { GV_SEG_KEY, GV_SEG_INDEX, GV_SEG_WILD } gv_seg_kind;
typedef struct gv_seg {
	uint8_t kind;
	uint32_t len;       /* key length */
	const char *key;
	int64_t index;      /* negative counts from the end */
} gv_seg;

typedef struct gv_path {
	uint8_t root;       /* gv_root, or GV_NROOTS + level for a bound item */
	uint8_t wild;       /* has a [*] segment */
	uint32_t nsegs;
	gv_seg *segs;
	const char *text;   /* as written */
} gv_path;

typedef enum {
	GV_OP_EQUALS, GV_OP_NOT_EQUALS, GV_OP_IN, GV_OP_NOT_IN, GV_OP_MATCHES,
	GV_OP_NOT_MATCHES, GV_OP_EXISTS, GV_OP_GT, GV_OP_GTE, GV_OP_LT, GV_OP_LTE,
	GV_OP_CONTAINS, GV_OP_MIN_LENGTH, GV_OP_MAX_LENGTH,
	GV_OP_ALL, GV_OP_ANY, GV_OP_NONE, GV_OP_NOT, GV_OP_SAME, GV_OP_EACH,
	GV_NOPS
} gv_op;

const char *gv_op_name(int op);

typedef struct gv_rx gv_rx;  /* rx.h */

typedef struct gv_check gv_check;
struct gv_check {
	uint8_t op;
	uint8_t missing_pass;   /* `missing: pass` */
	uint8_t any;            /* `quantifier: any` */
	gv_path path;           /* leaf operators */
	const gv_node *operand; /* literal, after $params substitution */
	gv_path *oppath;        /* operand read from the documents ($manifest.x ...) */
	gv_rx *rx;              /* matches / not_matches */
	gv_check **kids;        /* all / any / none / not */
	uint32_t nkids;
	gv_path *paths;         /* same */
	uint32_t npaths;
	uint32_t line, col;     /* of the check in its policy file */
	struct gv_each *each;   /* each (path holds the items' path) */
};

/* `each: PATH` binds every item PATH resolves to (at level `level`), keeps
 * those where `where` holds, and requires `check` of each of them; with
 * min_count/max_count it counts them instead (optionally the distinct
 * values of `distinct` among them). */
typedef struct gv_each {
	gv_check *where;        /* NULL: every item */
	gv_check *check;        /* NULL only when counting */
	gv_path prefix;         /* PATH up to its first [*]: where a count is reported */
	gv_path *distinct;      /* NULL: count items */
	const char *name;       /* "item" or the `as:` name */
	uint8_t level;
	uint8_t counting;
	uint32_t min_count, max_count;   /* max_count UINT32_MAX: no upper bound */
} gv_each;

typedef struct gv_rule {
	const char *id, *title, *message, *remediation;
	const char *policy;     /* name of the policy that applies it */
	uint8_t enforcement, severity;
	uint8_t inline_id;      /* defined inline in its policy, not a `use:` */
	uint8_t unwaivable;     /* `waivable: false`: no waiver applies to it */
	gv_check *check;
	gv_check *when;         /* NULL: always applies */
	gv_loc loc;             /* the rule's entry in the policy */
} gv_rule;

/* `spec.approvals`: the signed approvals a manifest needs (governance.h). */
#define GV_APPROVALS_MAX_REQUIRE 16
/* The rule id of a missing approval's finding; a policy with spec.approvals
 * may not use it for a rule, and no waiver waives it. */
#define GV_APPROVALS_RULE "approvals"
typedef struct gv_policy_approvals {
	uint8_t enforcement;    /* of a missing approval; default halt */
	uint8_t distinct_signers;  /* one key cannot fill two required roles */
	uint32_t nrequire;
	unsigned require[GV_APPROVALS_MAX_REQUIRE];  /* a role bit (trust.h) per entry */
	gv_loc loc;             /* the `approvals` key in the policy file */
} gv_policy_approvals;

typedef struct gv_policy {
	const char *name, *version, *file;
	gv_policy_approvals *approvals;  /* NULL: none required */
	gv_check *match;        /* NULL: applies to every manifest */
	gv_rule *rules;
	uint32_t nrules;
	int64_t max_fact_age;   /* seconds; 0: not set */
} gv_policy;

typedef struct gv_program gv_program;
struct gv_program {
	gv_policy *policies;
	uint32_t npolicies;
	uint32_t nrules;        /* over all policies */
	uint32_t napproval_policies;  /* policies with spec.approvals */
	unsigned char digest[32];  /* policy bundle digest, see docs/EVIDENCE.md */
	char **files;           /* loaded files in digest order */
	size_t nfiles;
	gv_file **loaded;
	size_t nloaded;
	gv_arena *arena;
};

/*
 * Loads every policy and rule file (a path may be a file or a folder,
 * searched recursively for *.yaml, *.yml and *.json, in name order) and
 * compiles them. Rules are looked up in rule_paths and policy_paths alike.
 * Every problem is reported to d (loading goes on after an error so that
 * lint shows all of them); *out is set only when there were none.
 */
int gv_program_load(gv_program **out, const char *const *policy_paths, size_t npolicy,
		    const char *const *rule_paths, size_t nrules, gv_diags *d);
/* The same for `policy lint`: library rules that no policy uses are
 * compiled and checked too (with their own params). */
int gv_program_lint(gv_program **out, const char *const *policy_paths, size_t npolicy,
		    const char *const *rule_paths, size_t nrules, gv_diags *d);
void gv_program_free(gv_program *p);
/* The smallest max_fact_age of the program's policies (seconds); 0 when none sets one. */
int64_t gv_program_max_fact_age(const gv_program *p);

/*
 * The shipped rule library: $GOVGATE_RULES when set, else rules/ next to
 * the binary (a build tree or an install), else the compiled-in data
 * directory. A malloc'd path the caller frees, or NULL when none exists.
 */
char *gv_default_rules_path(void);

/* Used by policy_load.c: compiles one check node (with the rule's params,
 * and the `with:` of a `use:` in file withf).
 * GV_COMPILE_WHEN: n is a rule's `when`, where a [*] path needs `each` or an
 * explicit quantifier. */
#define GV_COMPILE_WHEN 1
int gv_check_compile(gv_check **out, gv_arena *a, const gv_file *f, const gv_node *n,
		     const gv_node *params, const gv_node *with, const gv_file *withf,
		     int flags, gv_diags *d);
int gv_path_parse(gv_path *out, gv_arena *a, const gv_file *f, const gv_node *n, gv_diags *d);

#endif
