/*
 * policy_test.h: `govgate policy test`. Policy tests (kind: PolicyTest,
 * docs/POLICY-GUIDE.md "Testing policies") are run through the same loader,
 * compiler and evaluator as `check`; each case's decision and findings are
 * compared with what it expects, and the run keeps which rules the cases
 * evaluated, saw fail and saw pass (coverage).
 *
 * The runner knows nothing of the rule language: a case names a manifest and
 * facts, and expects a decision and findings (policy, rule, path or
 * line:column), which is what any rule produces.
 *
 * Ownership: a gv_ptest owns every string in it; gv_ptest_release frees them.
 */
#ifndef GV_POLICY_TEST_H
#define GV_POLICY_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"

typedef struct gv_ptest_case {
	char *file;              /* the test file, as given */
	uint32_t line, col;      /* the case's entry in it */
	char *name;
	char *diff;              /* NULL: passed; else what differed, on one line */
} gv_ptest_case;

typedef struct gv_ptest_rule {
	char *policy, *rule;
	uint8_t marks;           /* GV_TRACE_PASSED | GV_TRACE_FAILED (eval.h) over every
				  * case; 0: never evaluated */
} gv_ptest_rule;

typedef struct gv_ptest {
	gv_ptest_case *cases;    /* in the order run: file by file, case by case */
	size_t ncases, acases, npassed, nfailed;
	gv_ptest_rule *rules;    /* every rule of the policies tested, in load order */
	size_t nrules, arules;
} gv_ptest;

#define GV_PTEST_INIT { 0 }

typedef struct gv_ptest_opts {
	const char *const *policies;  /* -p; none: each test file's `policies:` */
	size_t npolicies;
	const char *const *rules;     /* --rules; none: the test file's `rules:`, else */
	size_t nrules;
	const char *default_rules;    /* ... this (the shipped library; NULL: none) */
} gv_ptest_opts;

/*
 * Loads the test file at path, checks every key (GV-T* errors with
 * file:line:col), loads its policies and runs every case, appending the
 * cases' outcomes and the rules' coverage to t. A malformed test file, a
 * policy that does not load, or a manifest or facts file that cannot be
 * read is an error reported to d (GV_EPARSE, GV_EIO, ...); then no case of
 * that file is appended. A case that fails is not an error.
 */
int gv_ptest_run_file(gv_ptest *t, const char *path, const gv_ptest_opts *o, gv_diags *d);
void gv_ptest_release(gv_ptest *t);

/* A rule is covered when some case saw it fail and some case saw it pass. */
int gv_ptest_rule_covered(const gv_ptest_rule *r);
/* Covered rules in tenths of a percent, rounded down (1000 when there are
 * no rules), so 100.0 means every rule; *covered gets their number. */
unsigned gv_ptest_coverage(const gv_ptest *t, size_t *covered);

/*
 * The cases as JUnit XML: one <testsuite> per test file, one <testcase>
 * per case with a <failure> when it failed. coverage_failure, when not
 * NULL, adds a failing "coverage" case saying why (--min-coverage).
 */
void gv_junit_write(gv_buf *out, const gv_ptest *t, const char *coverage_failure);
/* s as XML character data or an attribute value (junit.c; report_ci.c
 * uses it too): markup characters, tab, newline and return as references,
 * other control characters as '?'. */
void gv_xml_text(gv_buf *b, const char *s);

#endif
