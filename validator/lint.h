/*
 * lint.h: what `govgate policy lint` reports beyond loading and compiling
 * (policy_load.c already reports every error, with "did you mean" hints).
 *
 *   GV-L001 warning  a library rule that no loaded policy uses
 *   GV-L002 warning  a check path that resolves to nothing in any sample
 *                    document given (a likely typo), with the closest key
 *   GV-L003 error    the same on a check with `missing: pass`: the check
 *                    can then never fail
 *
 * Lint reads the policy and rule documents as written (the program's
 * loaded files), so every message points at the id or path in its file.
 */
#ifndef GV_LINT_H
#define GV_LINT_H

#include <stddef.h>

#include "diag.h"
#include "node.h"
#include "policy.h"

typedef struct gv_lint_opts {
	/* rule files under this folder (the shipped library, when it was
	 * loaded by default) are not reported as unused; NULL: none */
	const char *quiet_rules;
	/* sample documents each root's paths are resolved in; a root without
	 * samples is not checked. Every document of every manifest counts. */
	const gv_file *const *manifests;
	size_t nmanifests;
	const gv_node *cloud, *onprem;   /* facts roots, or NULL */
} gv_lint_opts;

/* Adds the diagnostics above to d. Returns GV_OK, or GV_EPARSE when it
 * reported an error. */
int gv_lint(const gv_program *p, const gv_lint_opts *o, gv_diags *d);

#endif
