/*
 * deploy.h: the governed hybrid deployment flow behind `govgate deploy`
 * (docs/DEPLOY.md). Given a loaded plan (plan.h) it
 *
 *   1. checks everything that can be checked without running anything
 *      (policies, manifest identity, facts files, keys, output folders,
 *      the audit log), so that a bad input is exit 2 with nothing recorded;
 *   2. records hybrid.deployment.started;
 *   3. probes every endpoint of both sides at once and writes each side's
 *      merged facts (hybrid.connectivity.probed), reads the sync state
 *      (hybrid.sync.checked), evaluates the policies once over the manifest
 *      and both sides (governance.validated, the signed report);
 *   4. stops on a block, halt or escalate decision (an alert, the receipt,
 *      hybrid.deployment.blocked / .halted / .escalated), else runs the
 *      steps of the first side, re-checks when the plan asks, runs the
 *      steps of the second side (hybrid.deployment.step each); a failing
 *      step stops the rest (hybrid.deployment.failed);
 *   5. writes the final receipt and records hybrid.deployment.completed.
 *
 * Only cmd_deploy.c prints diagnostics and picks the exit code; the flow
 * writes progress to opts->out and ALERT lines to opts->err.
 */
#ifndef GV_DEPLOY_H
#define GV_DEPLOY_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "plan.h"

#define GV_DEPLOY_COLLECTOR GV_TOOL_NAME "-deploy " GV_VERSION
#define GV_DEPLOY_MAX_ALERT_RULES 50    /* rule ids named in one alert */
#define GV_DEPLOY_ALERT_OUTPUT 4096     /* bytes of the alert command's output kept */
#define GV_DEPLOY_FACTS_DIR "govgate-facts"  /* default: ./govgate-facts/<deployment id> */

typedef enum {
	GV_DEPLOY_COMPLETED,   /* every step ran and succeeded (or a dry run was allowed) */
	GV_DEPLOY_BLOCKED,     /* a block violation */
	GV_DEPLOY_HALTED,      /* a halt violation */
	GV_DEPLOY_ESCALATED,   /* an escalate violation and nothing worse */
	GV_DEPLOY_FAILED,      /* a step failed or timed out, or the run was interrupted */
	GV_DEPLOY_INPUT        /* the plan or an input is bad (exit 2) */
} gv_deploy_status;

typedef struct gv_deploy_overrides {
	/* command-line settings that replace the plan's evidence settings (NULL: keep) */
	const char *db, *log_key, *origin, *sign_key, *report, *receipt, *facts_dir, *actor;
	/* governance: the trust file (never one other than the plan's, when the
	 * plan names one); waivers and bundles are added to the plan's
	 * (docs/GOVERNANCE.md) */
	const char *trust;
	const char *const *waivers, *const *policy_bundles;
	size_t nwaivers, npolicy_bundles;
} gv_deploy_overrides;

typedef struct gv_deploy_opts {
	bool dry_run;                  /* probe and evaluate; run no step, no alert command */
	gv_deploy_overrides over;
	FILE *out;                     /* progress and findings; NULL: silent */
	FILE *err;                     /* ALERT lines and warnings; NULL: stderr */
	int color;                     /* colour in the findings on out */
	volatile sig_atomic_t *stop;   /* set asynchronously: stop the running step */
	/* --approval files, added to the plan's approvals (governance.h) */
	const char *const *approvals;
	size_t napprovals;
} gv_deploy_opts;

typedef struct gv_deploy_result {
	gv_deploy_status status;
	int decision;                  /* of the last evaluation; -1 when none ran */
	bool started;                  /* hybrid.deployment.started was recorded */
	size_t steps_run;              /* steps started, the failing one included */
	int64_t duration_ms;
} gv_deploy_result;

/*
 * Runs the flow. Returns GV_OK when it reached an outcome (see
 * out->status), or a negative code with the detail in d: before the
 * started event for bad inputs (out->started false, nothing recorded or
 * run), after it when the audit log or an output file could not be
 * written (the flow stops there; no further step runs).
 */
int gv_deploy_run(gv_deploy_result *out, const gv_plan *plan, const gv_deploy_opts *o,
		  gv_diags *d);

/* 0 completed, 1 blocked/halted/failed, 2 input error, 3 escalated. */
int gv_deploy_exit(const gv_deploy_result *r);
/* "completed", "blocked", "halted", "escalated", "failed", "error". */
const char *gv_deploy_status_name(gv_deploy_status s);

#endif
