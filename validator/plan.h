/*
 * plan.h: a deployment plan (`kind: DeploymentPlan`), the input of
 * `govgate deploy`. docs/DEPLOY.md describes the format.
 *
 * gv_plan_load() reads the plan with the bounded YAML loader, checks every
 * key (an unknown key, a wrong type or a value out of range is an error at
 * its line and column), resolves relative paths against the plan file's
 * folder, and checks that every file the plan names can be read and every
 * command can be run. It reports all problems, not only the first, and
 * nothing is run or written while loading.
 *
 * Ownership: a gv_plan owns its arena, which holds every string and array
 * below, and the loaded plan file (locations point into it). Free it with
 * gv_plan_free(). The pointers are const so that they can also be set to
 * strings the caller owns (command-line overrides), which must then
 * outlive the plan.
 */
#ifndef GV_PLAN_H
#define GV_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "node.h"

#define GV_PLAN_KIND "DeploymentPlan"
#define GV_PLAN_MAX_ENDPOINTS 64        /* per side */
#define GV_PLAN_MAX_STEPS 256           /* per side */
#define GV_PLAN_MAX_ARGS 256            /* per command */
#define GV_PLAN_MAX_ARG_BYTES 4096      /* per argument */
#define GV_PLAN_MAX_FACTS 32            /* facts files per side */
#define GV_PLAN_DEFAULT_STEP_TIMEOUT_MS (10u * 60 * 1000)
#define GV_PLAN_MAX_STEP_TIMEOUT_MS (24u * 3600 * 1000)
#define GV_PLAN_DEFAULT_ALERT_TIMEOUT_MS (10u * 1000)
#define GV_PLAN_MAX_ALERT_TIMEOUT_MS (5u * 60 * 1000)
#define GV_PLAN_DEFAULT_OUTPUT_LIMIT 16384u
#define GV_PLAN_MAX_OUTPUT_LIMIT 131072u  /* keeps a step's audit entry under 1 MiB */
#define GV_PLAN_MAX_ENV 128             /* env entries, inherit_env names, each */
#define GV_PLAN_MAX_ENV_NAME 128        /* bytes of a variable's name */

enum { GV_PLAN_CLOUD = 0, GV_PLAN_ONPREM = 1 };  /* gv_probe_side's values */

typedef struct gv_plan_endpoint {
	const char *endpoint;      /* HOST:PORT or [V6]:PORT */
	const char *server_name;   /* NULL: the side's, else the host */
	const char *ca, *cert, *key;   /* NULL: the side's */
	gv_loc loc;
} gv_plan_endpoint;

typedef struct gv_plan_step {
	const char *name;          /* unique within its side */
	const char **argv;         /* NULL-terminated, argc entries */
	size_t argc;
	unsigned timeout_ms;
	const char **env;          /* "NAME=VALUE" the plan sets (step_defaults' and the
				      step's, the step's winning); NULL-terminated */
	const char **inherit_env;  /* names taken from govgate's environment when set
				      (step_defaults' and the step's); NULL-terminated */
	gv_loc loc;
} gv_plan_step;

typedef struct gv_plan_side {
	gv_plan_endpoint *endpoints;
	size_t nendpoints;
	const char *ca, *cert, *key, *server_name;  /* probe defaults; NULL: none */
	unsigned timeout_ms, attempts, max_time_ms; /* 0: the probe's defaults */
	const char **facts;        /* facts files, merged in this order */
	gv_loc *facts_loc;
	size_t nfacts;
	gv_plan_step *steps;
	size_t nsteps;
	const char *sync_origin;   /* read this side's sync facts from the replica of
				      this origin (the other side's log); NULL: from
				      the facts files only */
	const char *sync_db;       /* the database holding that replica; NULL: the
				      evidence db */
	const char *sync_key;      /* the public key of the origin's log, which the
				      replica must verify under; NULL: the key the
				      evidence log pinned under its own signed
				      checkpoints (needs log_key) */
	gv_loc sync_loc;
} gv_plan_side;

typedef struct gv_plan_evidence {
	const char *db;            /* NULL: $GOVGATE_DB, else ./govgate-audit.db */
	const char *log_key;       /* signs checkpoints; NULL: none */
	const char *origin;        /* NULL: $GOVGATE_LOG_ORIGIN or the default */
	const char *sign_key;      /* signs the report and the receipt; NULL: none */
	const char *report;        /* signed compliance report; NULL: none */
	const char *receipt;       /* signed deployment receipt; NULL: none */
	const char *facts_dir;     /* merged facts; NULL: ./govgate-facts/<deployment id> */
	const char *actor;         /* NULL: $GOVGATE_ACTOR, $USER */
} gv_plan_evidence;

typedef struct gv_plan {
	const char *path;          /* as given */
	const char *dir;           /* the folder relative paths resolve against */
	const char *deployment_id, *mode, *cloud_region, *on_prem;
	gv_loc deployment_loc;     /* the plan's deployment_id */
	const char *manifest;
	const char **policies, **rules;
	size_t npolicies, nrules;  /* nrules 0: the shipped rules */
	int64_t max_fact_age;      /* seconds; 0: the policies' */
	int64_t max_clock_skew;    /* seconds facts may be dated ahead (GV_FACTS_MAX_SKEW) */
	uint64_t regex_budget;     /* each evaluation's regex budget (GV_RX_BUDGET_DEFAULT) */
	gv_plan_side sides[2];     /* GV_PLAN_CLOUD, GV_PLAN_ONPREM */
	int order[2];              /* the side that runs first, then second */
	bool recheck_between_sides;
	const char **alert_argv;   /* NULL: no alert command */
	size_t alert_argc;
	const char **alert_env, **alert_inherit_env;   /* as a step's; NULL-terminated */
	unsigned alert_timeout_ms;
	size_t output_limit;       /* bytes of a step's output kept */
	gv_plan_evidence evidence;
	/* governance inputs (docs/GOVERNANCE.md); NULL / 0: none */
	const char *trust;         /* the trust file */
	const char **approvals, **waivers, **policy_bundles;
	size_t napprovals, nwaivers, npolicy_bundles;
	gv_file *file;
	struct gv_arena *arena;
} gv_plan;

/*
 * Loads and checks the plan at path. Returns GV_OK with *out set, or a
 * negative code with every problem reported to d (file:line:col).
 */
int gv_plan_load(gv_plan **out, const char *path, gv_diags *d);
void gv_plan_free(gv_plan *p);

/* "cloud" or "onprem". */
const char *gv_plan_side_name(int side);

/*
 * Joins a plan-relative path to dir and removes "." and "name/.."
 * components where that cannot change which file is meant (no symbolic
 * link is skipped). Returns a malloc'd path.
 */
char *gv_plan_resolve(const char *dir, const char *path);

/*
 * Parses a duration: a number of seconds (integer or decimal), or a
 * string "250ms", "3s", "1.5s", "2m", "1h". Returns GV_OK and the
 * milliseconds, or GV_EPARSE.
 */
int gv_plan_duration_ms(uint64_t *out, const gv_node *n);

#endif
