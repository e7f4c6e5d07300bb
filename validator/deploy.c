/*
 * deploy.c: the governed hybrid deployment flow (see deploy.h and
 * docs/DEPLOY.md for the events, their payloads and the exit codes).
 *
 * The flow is glue over the library: probe.c for live connectivity,
 * facts.c and gate.c for the evaluation, evidence.c for the report and the
 * evaluation's receipt, receipt.c and audit.c for the final receipt and the
 * events, exec.c for steps and the alert command. Every event is appended
 * before the flow moves on, and a failure to append stops it: nothing runs
 * that the log does not show.
 */
#include "deploy.h"
#include "store.h"
#include "alloc.h"
#include "atomic.h"
#include "audit.h"
#include "base64.h"
#include "buf.h"
#include "digest.h"
#include "evidence.h"
#include "exec.h"
#include "facts.h"
#include "gate.h"
#include "governance.h"
#include "govinputs.h"
#include "gv.h"
#include "note.h"
#include "policy.h"
#include "probe.h"
#include "receipt.h"
#include "report.h"
#include "rx.h"
#include "sign.h"
#include "sync.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Codes: GV-D1xx problems found by the flow (plan.c has GV-D0xx). */
#define CODE_SETTING "GV-D101"
#define CODE_MANIFEST "GV-D102"
#define CODE_FACTS "GV-D103"
#define CODE_OUTPUT "GV-D104"
#define CODE_PROBE "GV-D105"
#define CODE_LOG "GV-D106"

#define MAX_SOURCES (GV_PLAN_MAX_FACTS + 2)   /* the files, a sync replica, the probe */

typedef struct dctx {
	const gv_plan *p;
	const gv_deploy_opts *o;
	gv_diags *d;
	gv_deploy_result *res;
	/* settings after the command line's overrides */
	const char *db_path, *log_key_path, *origin, *sign_path, *report, *receipt;
	const char *facts_dir, *actor;
	gv_buf facts_dir_buf;
	gv_program *prog;
	gv_govinputs gi;           /* trust, waivers, policy bundles */
	char *rules_default;       /* the shipped rules, when the plan names none */
	gv_key *sign_key, *log_key;
	gv_audit *db;
	gv_governance *gov;       /* trust file and approvals */
	const char **approvals;   /* the command line's, then the plan's */
	char started_at[21];
	unsigned char plan_sha256[32];
	int64_t max_age;
	int64_t t0;
	/* the latest evaluation */
	gv_file *merged[2];
	gv_facts facts[2];
	gv_run run;
	int have_run;
	gv_evidence_out eout;
	int pass;                 /* 0: the first evaluation, 1: the re-check */
	/* steps started so far, as "side/name" */
	char **steps_run;
	size_t nsteps_run, steps_alloc;
	uint64_t last_seq;
} dctx;

const char *gv_deploy_status_name(gv_deploy_status s)
{
	static const char *names[] = { "completed", "blocked", "halted", "escalated", "failed",
				       "error" };
	return s <= GV_DEPLOY_INPUT ? names[s] : "error";
}

int gv_deploy_exit(const gv_deploy_result *r)
{
	switch (r->status) {
	case GV_DEPLOY_COMPLETED: return GV_EXIT_ALLOW;
	case GV_DEPLOY_BLOCKED:
	case GV_DEPLOY_HALTED:
	case GV_DEPLOY_FAILED: return GV_EXIT_DENY;
	case GV_DEPLOY_ESCALATED: return GV_EXIT_ESCALATE;
	default: return GV_EXIT_INPUT;
	}
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void say(dctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(dctx *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->o->out)
		return;
	va_start(ap, fmt);
	vfprintf(c->o->out, fmt, ap);
	va_end(ap);
	fflush(c->o->out);
}

static FILE *errf(dctx *c)
{
	return c->o->err ? c->o->err : stderr;
}

static void jsha(gv_buf *b, const unsigned char sha[32])
{
	char hex[65];

	gv_hex(hex, sha, 32);
	gv_buf_printf(b, "\"%s\"", hex);
}

static void jstrs(gv_buf *b, char *const *v, size_t n)
{
	size_t i;

	gv_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			gv_buf_putc(b, ',');
		gv_buf_json_cstr(b, v[i]);
	}
	gv_buf_putc(b, ']');
}

/*
 * Appends an event. payload is a JSON object without its closing brace;
 * the flow adds "dry_run" and closes it, so every deploy event says
 * whether it belongs to a dry run.
 */
static int event(dctx *c, const char *type, gv_buf *payload)
{
	int err;

	gv_buf_printf(payload, "%s\"dry_run\":%s}", payload->len > 1 ? "," : "",
		      c->o->dry_run ? "true" : "false");
	err = gv_audit_append(c->db, type, c->p->deployment_id, c->actor, payload->ptr,
			      &c->last_seq, c->d);
	gv_buf_clear(payload);
	return err;
}

static int checkpoint(dctx *c)
{
	char *note = NULL;
	int err;

	if (!c->log_key)
		return GV_OK;
	err = gv_audit_checkpoint(c->db, c->origin, c->log_key, &note, c->d);
	free(note);
	return err;
}

/* --- preparation: everything checked before the started event ---------- */

static int parent_dir_ok(dctx *c, const char *path, const char *what)
{
	char *copy = gv_xstrdup(path), *slash = strrchr(copy, '/');
	const char *dir = ".";
	struct stat st;
	int err = GV_OK;

	if (slash) {
		*slash = '\0';
		dir = slash == copy ? "/" : copy;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) < 0)
		err = gv_error(c->d, CODE_OUTPUT, path, "cannot write the %s here: folder '%s' %s",
			       what, dir, stat(dir, &st) < 0 ? "does not exist" :
			       !S_ISDIR(st.st_mode) ? "is not a folder" : "is not writable");
	free(copy);
	return err;
}

/* The manifest: one mapping document whose identity is the plan's. */
static int check_manifest(dctx *c)
{
	const gv_plan *p = c->p;
	static const char *const keys[] = { "deployment_id", "mode", "cloud_region", "on_prem" };
	const char *want[4];
	gv_file *f = NULL;
	gv_evaluator *ev;
	gv_rx_budget *budget;
	gv_facts none[2];
	gv_result r;
	const gv_node *root, *v;
	size_t i;
	int err;

	want[0] = p->deployment_id;
	want[1] = p->mode;
	want[2] = p->cloud_region;
	want[3] = p->on_prem;
	if ((err = gv_file_load(&f, p->manifest, NULL, c->d)) < 0)
		return err;
	if (f->ndocs != 1 || f->docs[0]->kind != GV_NODE_MAP) {
		err = gv_diag_at(c->d, GV_SEV_ERROR, CODE_MANIFEST,
				 f->ndocs ? gv_node_loc(f, f->docs[f->ndocs > 1]) :
				 (gv_loc){ f->path, 0, 0 },
				 "a deployment's manifest is one mapping document (this file has "
				 "%zu documents)", f->ndocs);
		goto out;
	}
	root = f->docs[0];
	for (i = 0; i < 4; i++) {
		v = gv_node_get(root, keys[i]);
		if (!v && i == 0) {
			err = gv_diag_at(c->d, GV_SEV_ERROR, CODE_MANIFEST, gv_node_loc(f, root),
					 "the manifest has no deployment_id; the plan deploys '%s' "
					 "(%s:%u:%u)", p->deployment_id, p->deployment_loc.file,
					 p->deployment_loc.line, p->deployment_loc.col);
		} else if (v && (!gv_node_is_scalar(v) || !v->s || strcmp(v->s, want[i]))) {
			err = gv_diag_at(c->d, GV_SEV_ERROR, CODE_MANIFEST, gv_node_loc(f, v),
					 "the manifest's %s '%s' is not the plan's '%s' (%s:%u:%u)",
					 keys[i], v->s ? v->s : gv_node_kind_name(v->kind), want[i],
					 p->deployment_loc.file, p->deployment_loc.line,
					 p->deployment_loc.col);
		}
	}
	if (err < 0)
		goto out;
	/* a manifest no policy applies to would evaluate nothing: refuse it now */
	memset(none, 0, sizeof(none));
	budget = gv_rx_budget_new(p->regex_budget);
	ev = gv_evaluator_new(c->prog, &none[0], &none[1], budget);
	gv_eval_doc(ev, &r, f, 0);
	if (gv_rx_budget_exhausted(budget))
		err = gv_gate_budget_error(c->d, budget);
	else if (!r.policies_applied)
		err = gv_diag_at(c->d, GV_SEV_ERROR, "GV-M003", gv_node_loc(f, root),
				 "no policy applies to this manifest");
	gv_result_release(&r);
	gv_evaluator_free(ev);
	gv_rx_budget_free(budget);
out:
	gv_file_free(f);
	return err;
}

/* Loads one facts file of a side: one mapping, not labelled for the other side. */
static int load_source(gv_file **out, dctx *c, int side, size_t i)
{
	const gv_plan_side *s = &c->p->sides[side];
	const gv_node *lab;
	gv_file *f = NULL;
	int err;

	*out = NULL;
	if ((err = gv_file_load(&f, s->facts[i], NULL, c->d)) < 0)
		return err;
	if (f->ndocs != 1 || f->docs[0]->kind != GV_NODE_MAP) {
		gv_diag_at(c->d, GV_SEV_ERROR, "GV-F001",
			   f->ndocs ? gv_node_loc(f, f->docs[0]) : (gv_loc){ f->path, 0, 0 },
			   "facts must be one mapping document");
		gv_file_free(f);
		return GV_EPARSE;
	}
	lab = gv_node_get(f->docs[0], "side");
	if (lab && (lab->kind != GV_NODE_STR || strcmp(lab->s, gv_plan_side_name(side)))) {
		gv_diag_at(c->d, GV_SEV_ERROR, "GV-F002", gv_node_loc(f, lab),
			   "facts are labelled for side '%s' but the plan lists them for the %s "
			   "side (%s:%u:%u)", lab->s ? lab->s : "?", gv_plan_side_name(side),
			   s->facts_loc[i].file, s->facts_loc[i].line, s->facts_loc[i].col);
		gv_file_free(f);
		return GV_EPARSE;
	}
	/* a source dated in the future would hide behind an older one in the
	 * merged collected_at (the oldest): refuse it here, as `check` would */
	if (gv_facts_check_future(f, f->docs[0], c->p->max_clock_skew, time(NULL), c->d) < 0) {
		gv_file_free(f);
		return GV_EPARSE;
	}
	*out = f;
	return GV_OK;
}

/* The approvals, plan's and command line's, judged under the trust file as
 * `check` judges them (governance.h); the key that signs the run (the
 * initiator) is never an approver. */
static int load_approvals(dctx *c)
{
	const gv_plan *p = c->p;
	gv_governance_opts go;
	size_t i, n = 0;

	memset(&go, 0, sizeof(go));
	c->approvals = gv_xcalloc(c->o->napprovals + p->napprovals + 1, sizeof(*c->approvals));
	for (i = 0; i < c->o->napprovals; i++)
		c->approvals[n++] = c->o->approvals[i];
	for (i = 0; i < p->napprovals; i++)
		c->approvals[n++] = p->approvals[i];
	go.loaded = c->gi.trust;
	go.approvals = c->approvals;
	go.napprovals = n;
	go.initiator = c->sign_key;
	/* approvals expire by the same clock as waivers (waiver.h) */
	if ((go.now = n ? gv_waiver_now(c->d) : time(NULL)) == (time_t)-1)
		return GV_EPARSE;
	return gv_governance_setup(&c->gov, &go, c->prog, c->d);
}

/* The trust file, waivers and policy bundles: the plan's and the command
 * line's (govinputs.h); the policy files are checked against the bundles
 * before anything is evaluated. */
static int load_governance(dctx *c, const char *const *rules, size_t nrules)
{
	const gv_plan *p = c->p;
	const gv_deploy_overrides *ov = &c->o->over;
	const char **w, **b, *trust;
	size_t nw = 0, nb = 0, i;
	int err;

	w = gv_xcalloc(p->nwaivers + ov->nwaivers + 1, sizeof(*w));
	b = gv_xcalloc(p->npolicy_bundles + ov->npolicy_bundles + 1, sizeof(*b));
	for (i = 0; i < p->nwaivers; i++)
		w[nw++] = p->waivers[i];
	for (i = 0; i < ov->nwaivers; i++)
		w[nw++] = ov->waivers[i];
	for (i = 0; i < p->npolicy_bundles; i++)
		b[nb++] = p->policy_bundles[i];
	for (i = 0; i < ov->npolicy_bundles; i++)
		b[nb++] = ov->policy_bundles[i];
	/* a plan's trust file cannot be replaced (governance.h) */
	if ((err = gv_governance_pick_trust(&trust, ov->trust, p->trust, c->d)) < 0) {
		free(w);
		free(b);
		return err;
	}
	err = gv_govinputs_load(&c->gi, trust, w, nw, b, nb, c->sign_key, c->d);
	if (!err)
		err = gv_govinputs_check_program(&c->gi, c->prog, p->policies, p->npolicies,
						 rules, nrules, c->d);
	free(w);
	free(b);
	if (!err)
		err = load_approvals(c);
	return err;
}

static int prepare(dctx *c)
{
	const gv_plan *p = c->p;
	const gv_deploy_overrides *ov = &c->o->over;
	const char **rules = NULL;
	char *rules_default = NULL;
	size_t nrules = p->nrules, i;
	struct stat st;
	gv_buf plan = GV_BUF_INIT;
	int err = GV_OK, side;

#define PICK(field) (ov->field ? ov->field : p->evidence.field)
	c->db_path = PICK(db) ? PICK(db) : gv_audit_default_path();
	c->log_key_path = PICK(log_key);
	c->sign_path = PICK(sign_key);
	c->report = PICK(report);
	c->receipt = PICK(receipt);
	c->facts_dir = PICK(facts_dir);
	c->origin = PICK(origin) ? PICK(origin) : gv_audit_default_origin();
	c->actor = PICK(actor);
#undef PICK
	if (!c->actor)
		c->actor = getenv("GOVGATE_ACTOR") && *getenv("GOVGATE_ACTOR") ?
			   getenv("GOVGATE_ACTOR") : getenv("USER") ? getenv("USER") : "unknown";

	if ((c->report || c->receipt) && !c->sign_path)
		err = gv_error(c->d, CODE_SETTING, p->path, "evidence: a report or a receipt needs "
			       "sign_key (or --sign KEY)");
	if (c->log_key_path && !gv_note_name_valid(c->origin))
		err = gv_error(c->d, CODE_SETTING, p->path, "log origin '%s' is not a valid note key "
			       "name (no spaces or '+')", c->origin);
	if (strlen(c->actor) > GV_AUDIT_MAX_FIELD)
		err = gv_error(c->d, CODE_SETTING, p->path, "actor is longer than %d bytes",
			       GV_AUDIT_MAX_FIELD);
	if (err < 0)
		return err;

	/* the plan's own digest goes into the started event */
	if (gv_buf_read_file(&plan, p->path, (size_t)16 << 20) < 0)
		return gv_error(c->d, CODE_SETTING, p->path, "cannot read the plan: %s",
				strerror(errno));
	gv_sha256(c->plan_sha256, plan.ptr, plan.len);
	gv_buf_release(&plan);

	/* policies, with the shipped rules unless the plan names rules */
	if (nrules) {
		rules = p->rules;
	} else if ((rules_default = gv_default_rules_path())) {
		rules = (const char **)&rules_default;
		nrules = 1;
	}
	err = gv_program_load(&c->prog, p->policies, p->npolicies, rules, nrules, c->d);
	c->rules_default = rules_default;   /* the bundles name files relative to it */
	if (err < 0)
		return err;
	if (!c->prog->npolicies)
		return gv_error(c->d, "GV-P007", p->path, "no policy found in the plan's policies");
	c->max_age = p->max_fact_age ? p->max_fact_age : gv_program_max_fact_age(c->prog);

	if ((err = check_manifest(c)) < 0)
		return err;
	for (side = 0; side < 2; side++)
		for (i = 0; i < p->sides[side].nfacts; i++) {
			gv_file *f;
			if (load_source(&f, c, side, i) < 0)
				err = GV_EPARSE;
			gv_file_free(f);
		}
	if (err < 0)
		return err;

	if (c->sign_path && (err = gv_key_load_private(&c->sign_key, c->sign_path, c->d)) < 0)
		return err;
	if (c->log_key_path && (err = gv_key_load_private(&c->log_key, c->log_key_path, c->d)) < 0)
		return err;
	if ((err = load_governance(c, rules, rules ? nrules : 0)) < 0)
		return err;

	/* outputs as gv_atomic_write will write them (not a folder, room for the
	 * temporary's name): a deployment whose evidence cannot be written
	 * records nothing */
	if (c->report && ((err = parent_dir_ok(c, c->report, "report")) < 0 ||
			  (err = gv_atomic_check(c->report, c->d)) < 0))
		return err;
	if (c->receipt && ((err = parent_dir_ok(c, c->receipt, "receipt")) < 0 ||
			   (err = gv_atomic_check(c->receipt, c->d)) < 0))
		return err;
	for (side = 0; side < 2; side++) {
		const char *sdb = p->sides[side].sync_db;
		gv_audit *a = NULL;
		if (!sdb || !strcmp(sdb, c->db_path))
			continue;
		if ((err = gv_audit_open_existing(&a, sdb, c->d)) < 0)
			return err;
		gv_audit_close(a);
	}
	if (!gv_store_is_pg(c->db_path) && access(c->db_path, F_OK) < 0 &&
	    (err = parent_dir_ok(c, c->db_path, "audit log")) < 0)
		return err;
	/* the first writes: the facts folder, then the log (created when missing) */
	if (!c->facts_dir) {
		/* ./govgate-facts/<deployment id>, as the log defaults to ./govgate-audit.db */
		char *id = gv_xstrdup(p->deployment_id), *q;
		for (q = id; *q; q++)
			if (*q == '/' || *q == '\\' || (q == id && *q == '.'))
				*q = '_';
		if (mkdir(GV_DEPLOY_FACTS_DIR, 0755) < 0 && errno != EEXIST) {
			free(id);
			return gv_error(c->d, CODE_OUTPUT, GV_DEPLOY_FACTS_DIR,
					"cannot create the facts folder: %s", strerror(errno));
		}
		gv_buf_printf(&c->facts_dir_buf, "%s/%s", GV_DEPLOY_FACTS_DIR, id);
		free(id);
		c->facts_dir = c->facts_dir_buf.ptr;
	}
	if (stat(c->facts_dir, &st) < 0) {
		if (errno != ENOENT || mkdir(c->facts_dir, 0755) < 0)
			return gv_error(c->d, CODE_OUTPUT, c->facts_dir,
					"cannot create the facts folder: %s", strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		return gv_error(c->d, CODE_OUTPUT, c->facts_dir, "the facts folder is not a folder");
	}
	if (access(c->facts_dir, W_OK) < 0)
		return gv_error(c->d, CODE_OUTPUT, c->facts_dir, "the facts folder is not writable");
	return gv_audit_open(&c->db, c->db_path, c->d);
}

/* --- probing ------------------------------------------------------------- */

typedef struct probe_job {
	gv_probe_opts opts;
	const char *endpoint;
	gv_probe_result res;
	gv_diags d;
	int err;
} probe_job;

static void *probe_thread(void *arg)
{
	probe_job *j = arg;

	j->err = gv_probe_run(&j->res, &j->opts, &j->d);
	return NULL;
}

/*
 * Probes every endpoint of both sides at once (one gv_probe_run each, as
 * endpoints may use different certificates), then gathers each side's
 * endpoints, in plan order, into out[side]. has[side] is 0 for a side
 * without endpoints.
 */
static int probe_all(dctx *c, gv_probe_result out[2], int has[2])
{
	const gv_plan *p = c->p;
	size_t n = p->sides[0].nendpoints + p->sides[1].nendpoints, k = 0, i;
	probe_job *jobs = gv_xcalloc(n ? n : 1, sizeof(*jobs));
	pthread_t *th = gv_xcalloc(n ? n : 1, sizeof(*th));
	char *started = gv_xcalloc(n ? n : 1, 1);
	int side, err = GV_OK;

	for (side = 0; side < 2; side++) {
		const gv_plan_side *s = &p->sides[side];
		memset(&out[side], 0, sizeof(out[side]));
		has[side] = s->nendpoints > 0;
		for (i = 0; i < s->nendpoints; i++, k++) {
			const gv_plan_endpoint *e = &s->endpoints[i];
			probe_job *j = &jobs[k];
			gv_probe_opts po = GV_PROBE_OPTS_INIT;

			po.side = side == GV_PLAN_CLOUD ? GV_PROBE_SIDE_CLOUD : GV_PROBE_SIDE_ONPREM;
			j->endpoint = e->endpoint;
			po.endpoints = &j->endpoint;
			po.n_endpoints = 1;
			po.ca_file = e->ca ? e->ca : s->ca;
			po.cert_file = e->cert ? e->cert : s->cert;
			po.key_file = e->cert ? e->key : s->key;
			po.server_name = e->server_name ? e->server_name : s->server_name;
			po.timeout_ms = s->timeout_ms;
			po.attempts = s->attempts;
			po.max_time_ms = s->max_time_ms;
			j->opts = po;
		}
	}
	for (k = 0; k < n; k++)
		started[k] = pthread_create(&th[k], NULL, probe_thread, &jobs[k]) == 0;
	for (k = 0; k < n; k++) {
		if (started[k])
			pthread_join(th[k], NULL);
		else
			probe_thread(&jobs[k]);
	}
	/* gather: endpoint structs move into the side's result */
	k = 0;
	for (side = 0; side < 2; side++) {
		const gv_plan_side *s = &p->sides[side];
		if (!s->nendpoints)
			continue;
		out[side].side = side == GV_PLAN_CLOUD ? GV_PROBE_SIDE_CLOUD : GV_PROBE_SIDE_ONPREM;
		out[side].endpoints = gv_xcalloc(s->nendpoints, sizeof(gv_probe_endpoint));
		out[side].reachable = true;
		out[side].collected_at = 0;
		for (i = 0; i < s->nendpoints; i++, k++) {
			probe_job *j = &jobs[k];
			gv_diags_move(c->d, &j->d);
			if (j->err < 0 || j->res.n != 1) {
				err = GV_ERROR;
				gv_probe_result_release(&j->res);
				continue;
			}
			out[side].endpoints[out[side].n++] = j->res.endpoints[0];
			if (!j->res.endpoints[0].reachable)
				out[side].reachable = false;
			if (!out[side].collected_at || j->res.collected_at < out[side].collected_at)
				out[side].collected_at = j->res.collected_at;
			free(j->res.endpoints);
		}
	}
	free(jobs);
	free(th);
	free(started);
	return err;
}

/* --- merged facts -------------------------------------------------------- */

static void indent(gv_buf *b, int n)
{
	while (n-- > 0)
		gv_buf_putc(b, ' ');
}

static void emit_key(gv_buf *b, const char *k, size_t n)
{
	size_t i;
	int plain = n > 0;

	for (i = 0; i < n && plain; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", k[i]) &&
		    !(i && k[i] == '.'))
			plain = 0;
	if (plain && k[0] == '-')
		plain = 0;
	if (plain)
		gv_buf_add(b, k, n);
	else
		gv_buf_json_str(b, k, n);
	gv_buf_putc(b, ':');
}

/* A scalar or an empty collection, written so that it loads back the same. */
static void emit_inline(gv_buf *b, const gv_node *n)
{
	switch (n->kind) {
	case GV_NODE_NULL: gv_buf_puts(b, "null"); break;
	case GV_NODE_BOOL: gv_buf_puts(b, n->u.b ? "true" : "false"); break;
	case GV_NODE_INT:
	case GV_NODE_FLOAT: gv_buf_add(b, n->s, n->n); break;
	case GV_NODE_STR: gv_buf_json_str(b, n->s, n->n); break;
	case GV_NODE_MAP: gv_buf_puts(b, "{}"); break;
	default: gv_buf_puts(b, "[]"); break;
	}
}

static void emit_map(gv_buf *b, const gv_node **maps, size_t nmaps, int ind, int first_inline,
		     const char *const *skip);
static void emit_seq(gv_buf *b, const gv_node *seq, int ind, int first_inline);

static int maps_empty(const gv_node **maps, size_t nmaps)
{
	size_t i;

	for (i = 0; i < nmaps; i++)
		if (maps[i]->n)
			return 0;
	return 1;
}

/* After "key:": the value (maps[nmaps-1]; earlier maps merge under it). */
static void emit_value(gv_buf *b, const gv_node **vals, size_t nvals, int ind)
{
	const gv_node *v = vals[nvals - 1];

	if (v->kind == GV_NODE_MAP && !maps_empty(vals, nvals)) {
		gv_buf_putc(b, '\n');
		emit_map(b, vals, nvals, ind, 0, NULL);
	} else if (v->kind == GV_NODE_SEQ && v->n) {
		gv_buf_putc(b, '\n');
		emit_seq(b, v, ind, 0);
	} else {
		gv_buf_putc(b, ' ');
		emit_inline(b, v);
		gv_buf_putc(b, '\n');
	}
}

static int skipped(const char *const *skip, const char *k)
{
	for (; skip && *skip; skip++)
		if (!strcmp(*skip, k))
			return 1;
	return 0;
}

/*
 * Writes the deep merge of maps (later ones win): keys in order of first
 * appearance; a key's value is the last one given, and when that is a
 * mapping, the mappings given for the key just before it merge under it.
 * Lists and scalars replace.
 */
static void emit_map(gv_buf *b, const gv_node **maps, size_t nmaps, int ind, int first_inline,
		     const char *const *skip)
{
	const gv_node *vals[MAX_SOURCES];
	int first = 1;
	size_t s, t, nv;
	uint32_t i;

	for (s = 0; s < nmaps; s++)
		for (i = 0; i < maps[s]->n; i++) {
			const gv_node *k = maps[s]->u.pairs[i].key;
			size_t last = s;
			int seen = 0;

			if (skipped(skip, k->s))
				continue;
			for (t = 0; t < s && !seen; t++)
				seen = gv_node_get_pair(maps[t], k->s, k->n) != NULL;
			if (seen)
				continue;
			for (t = s + 1; t < nmaps; t++)
				if (gv_node_get_pair(maps[t], k->s, k->n))
					last = t;
			nv = 0;
			vals[nv++] = gv_node_get_pair(maps[last], k->s, k->n)->val;
			if (vals[0]->kind == GV_NODE_MAP)
				for (t = last; t-- > 0;) {
					const gv_pair *pr = gv_node_get_pair(maps[t], k->s, k->n);
					if (!pr)
						continue;
					if (pr->val->kind != GV_NODE_MAP)
						break;
					vals[nv++] = pr->val;
				}
			/* vals holds the winner first; emit_value wants it last */
			for (t = 0; t < nv / 2; t++) {
				const gv_node *x = vals[t];
				vals[t] = vals[nv - 1 - t];
				vals[nv - 1 - t] = x;
			}
			if (!(first && first_inline))
				indent(b, ind);
			first = 0;
			emit_key(b, k->s, k->n);
			emit_value(b, vals, nv, ind + 2);
		}
}

static void emit_seq(gv_buf *b, const gv_node *seq, int ind, int first_inline)
{
	uint32_t i;

	for (i = 0; i < seq->n; i++) {
		const gv_node *it = seq->u.items[i];
		if (!(i == 0 && first_inline))
			indent(b, ind);
		gv_buf_putc(b, '-');
		if (it->kind == GV_NODE_MAP && it->n) {
			gv_buf_putc(b, ' ');
			emit_map(b, &it, 1, ind + 2, 1, NULL);
		} else if (it->kind == GV_NODE_SEQ && it->n) {
			gv_buf_putc(b, '\n');
			emit_seq(b, it, ind + 2, 0);
		} else {
			gv_buf_putc(b, ' ');
			emit_inline(b, it);
			gv_buf_putc(b, '\n');
		}
	}
}

static const char *const header_keys[] = {
	"apiVersion", "kind", "side", "collected_at", "collector", "merged_from", NULL
};
static const char *const header_keys_probed[] = {
	"apiVersion", "kind", "side", "collected_at", "collector", "merged_from", "connectivity",
	NULL
};

/* A source's collected_at, or -1 when it has no valid one. */
static time_t source_time(const gv_node *root)
{
	const gv_node *at = gv_node_get(root, "collected_at");
	time_t t;

	if (!at || at->kind != GV_NODE_STR || gv_time_parse(&t, at->s) < 0)
		return (time_t)-1;
	return t;
}

/*
 * The side's sync state read from the replica of its sync origin (the other
 * side's log, imported with `govgate sync import`), as a facts source that
 * holds only `sync`: enabled (false when there is no such replica), origin,
 * lag_entries, sync_latency_seconds and its p95, last_import.
 */
static int replica_source(dctx *c, int side, gv_file **out, gv_sync_facts *sf)
{
	const gv_plan_side *s = &c->p->sides[side];
	gv_audit *a = c->db, *own = NULL;
	gv_buf y = GV_BUF_INIT;
	gv_sync_trust_list trust = GV_SYNC_TRUST_LIST_INIT;
	gv_sync_keys keys = { &trust, NULL };
	unsigned char pub[GV_ED25519_PUB_LEN];
	gv_key *log_pub = NULL;
	int err;

	*out = NULL;
	if (s->sync_db && strcmp(s->sync_db, c->db_path)) {
		if ((err = gv_audit_open_existing(&own, s->sync_db, c->d)) < 0)
			return err;
		a = own;
	}
	/*
	 * The replica verifies under the key the plan names for the origin, or
	 * else under a key the evidence log pinned below its own checkpoints.
	 */
	if (s->sync_key) {
		gv_buf spec = GV_BUF_INIT;
		const char *sp;
		gv_buf_printf(&spec, "%s=%s", s->sync_origin, s->sync_key);
		sp = spec.ptr;
		err = gv_sync_trust_load(&trust, &sp, 1, 1, c->d);
		gv_buf_release(&spec);
		if (err < 0)
			goto out;
	} else if (a == c->db && c->log_key) {
		gv_key_raw_public(c->log_key, pub);
		if ((err = gv_key_from_raw_public(&log_pub, pub)) < 0)
			goto out;
		keys.log_pub = log_pub;
	}
	if ((err = gv_sync_facts_get(sf, a, s->sync_origin, &keys, c->d)) == 0) {
		gv_sync_facts_yaml(&y, sf, 0);
		err = gv_file_load_mem(out, "sync replica", y.ptr, y.len, NULL, c->d);
	}
out:
	gv_key_free(log_pub);
	gv_sync_trust_list_release(&trust);
	gv_audit_close(own);
	gv_buf_release(&y);
	return err;
}

/*
 * Writes a side's merged facts to the facts folder and loads them back for
 * the evaluation (so that findings point into the written file). The
 * document's collected_at is the oldest of its sources', or null when a
 * source has none (then facts with a maximum age count as missing, as
 * `check` would treat that source).
 */
static int write_merged(dctx *c, int side, const gv_probe_result *pr, int probed, char **path_out)
{
	const gv_plan_side *s = &c->p->sides[side];
	gv_file *src[MAX_SOURCES], *probe_file = NULL, *sync_file = NULL;
	gv_sync_facts sf;
	const gv_node *maps[MAX_SOURCES];
	gv_buf b = GV_BUF_INIT, pj = GV_BUF_INIT;
	char when[21];
	size_t n = 0, i;
	time_t oldest = 0;
	int missing_time = 0, err = GV_OK;

	*path_out = NULL;
	memset(&sf, 0, sizeof(sf));
	for (i = 0; i < s->nfacts; i++) {
		if ((err = load_source(&src[n], c, side, i)) < 0)
			goto out;
		maps[n] = src[n]->docs[0];
		n++;
	}
	if (s->sync_origin) {
		if ((err = replica_source(c, side, &sync_file, &sf)) < 0)
			goto out;
		maps[n] = sync_file->docs[0];
		n++;
	}
	if (probed) {
		gv_probe_write(&pj, pr, GV_PROBE_JSON);
		if ((err = gv_file_load_mem(&probe_file, "probe", pj.ptr, pj.len, NULL, c->d)) < 0)
			goto out;
	}
	for (i = 0; i < s->nfacts; i++) {
		time_t t = source_time(maps[i]);
		if (t == (time_t)-1)
			missing_time = 1;
		else if (!oldest || t < oldest)
			oldest = t;
	}
	if (probed && (!oldest || pr->collected_at < oldest))
		oldest = pr->collected_at;

	gv_buf_printf(&b, "# Facts of the %s side merged by govgate deploy for %s (%s).\n"
		      "# Sources, later ones winning: the facts files in plan order%s%s.\n",
		      gv_plan_side_name(side), c->p->deployment_id,
		      c->pass ? "re-check between the sides" : "before any step",
		      s->sync_origin ? ", then the sync replica's state" : "",
		      probed ? ", then the live probe's connectivity" : "");
	gv_buf_printf(&b, "apiVersion: govgate/v1\nkind: Facts\nside: %s\ncollected_at: ",
		      gv_plan_side_name(side));
	if (missing_time) {
		gv_buf_puts(&b, "null\n");
	} else {
		gv_time_format(when, oldest);
		gv_buf_printf(&b, "\"%s\"\n", when);
	}
	gv_buf_puts(&b, "collector: \"" GV_DEPLOY_COLLECTOR "\"\nmerged_from:");
	if (!n && !probed)
		gv_buf_puts(&b, " []");
	gv_buf_putc(&b, '\n');
	for (i = 0; i < s->nfacts; i++) {
		time_t t = source_time(maps[i]);
		char hex[65];
		gv_buf_puts(&b, "  - file: ");
		gv_buf_json_cstr(&b, src[i]->path);
		gv_hex(hex, src[i]->sha256, 32);
		gv_buf_printf(&b, "\n    sha256: \"%s\"\n    collected_at: ", hex);
		if (t == (time_t)-1) {
			gv_buf_puts(&b, "null\n");
		} else {
			gv_time_format(when, t);
			gv_buf_printf(&b, "\"%s\"\n", when);
		}
	}
	if (s->sync_origin) {
		gv_buf_puts(&b, "  - replica: ");
		gv_buf_json_cstr(&b, s->sync_origin);
		gv_buf_puts(&b, "\n    db: ");
		gv_buf_json_cstr(&b, s->sync_db ? s->sync_db : c->db_path);
		gv_buf_printf(&b, "\n    found: %s\n", sf.enabled ? "true" : "false");
	}
	if (probed) {
		gv_time_format(when, pr->collected_at);
		gv_buf_printf(&b, "  - probe: \"" GV_PROBE_COLLECTOR "\"\n    endpoints: %zu\n"
			      "    collected_at: \"%s\"\n", pr->n, when);
		maps[n] = probe_file->docs[0];
		emit_map(&b, &maps[n], 1, 0, 0, (const char *const[]){ "apiVersion", "kind",
			 "side", "collected_at", "collector", NULL });
	}
	if (n)
		emit_map(&b, maps, n, 0, 0, probed ? header_keys_probed : header_keys);

	gv_buf_clear(&pj);
	gv_buf_printf(&pj, "%s/%s%s.facts.yaml", c->facts_dir, gv_plan_side_name(side),
		      c->pass ? ".recheck" : "");
	if ((err = gv_atomic_write(pj.ptr, b.ptr, b.len, 0666, c->d)) < 0)
		goto out;
	*path_out = gv_buf_detach(&pj);
out:
	for (i = 0; i < s->nfacts && i < n; i++)
		gv_file_free(src[i]);
	gv_file_free(sync_file);
	gv_file_free(probe_file);
	gv_buf_release(&b);
	gv_buf_release(&pj);
	return err;
}

static void probed_payload(gv_buf *b, int side, int recheck, const gv_probe_result *pr,
			   int probed, const gv_file *merged, const gv_node *root)
{
	const gv_node *conn = gv_node_get(root, "connectivity"), *r = gv_node_get(conn, "reachable");
	size_t i;

	gv_buf_printf(b, "{\"side\":\"%s\",\"recheck\":%s,\"probed\":%s,\"reachable\":",
		      gv_plan_side_name(side), recheck ? "true" : "false",
		      probed ? "true" : "false");
	if (probed)
		gv_buf_puts(b, pr->reachable ? "true" : "false");
	else if (r && r->kind == GV_NODE_BOOL)
		gv_buf_puts(b, r->u.b ? "true" : "false");
	else
		gv_buf_puts(b, "null");
	gv_buf_puts(b, ",\"endpoints\":[");
	for (i = 0; probed && i < pr->n; i++) {
		const gv_probe_endpoint *e = &pr->endpoints[i];
		gv_buf_puts(b, i ? ",{\"endpoint\":" : "{\"endpoint\":");
		gv_buf_json_cstr(b, e->endpoint);
		gv_buf_printf(b, ",\"reachable\":%s,\"attempts\":%u,\"error\":",
			      e->reachable ? "true" : "false", e->attempts);
		gv_buf_json_cstr(b, e->error);
		gv_buf_puts(b, ",\"tls_version\":");
		gv_buf_json_cstr(b, e->has_tls ? e->tls.version : NULL);
		gv_buf_putc(b, '}');
	}
	gv_buf_puts(b, "],\"facts_file\":");
	gv_buf_json_cstr(b, merged->path);
	gv_buf_puts(b, ",\"facts_sha256\":");
	jsha(b, merged->sha256);
}

/* A number (or null) from the merged facts' sync section, for the event. */
static void sync_number(gv_buf *b, const gv_node *sync, const char *key)
{
	const gv_node *v = gv_node_get(sync, key);

	if (v && (v->kind == GV_NODE_INT || v->kind == GV_NODE_FLOAT))
		gv_buf_add(b, v->s, v->n);
	else
		gv_buf_puts(b, "null");
}

/* --- evaluation ------------------------------------------------------------ */

static void release_eval(dctx *c)
{
	int side;

	if (c->have_run)
		gv_run_release(&c->run);
	c->have_run = 0;
	for (side = 0; side < 2; side++) {
		gv_file_free(c->merged[side]);
		c->merged[side] = NULL;
		memset(&c->facts[side], 0, sizeof(c->facts[side]));
	}
}

static const gv_result *manifest_result(const dctx *c)
{
	if (!c->have_run || !c->run.nfiles || !c->run.files[0].ndocs)
		return NULL;
	return &c->run.files[0].docs[0].r;
}

static gv_deploy_status status_of(int decision)
{
	switch (decision) {
	case GV_ENF_BLOCK: return GV_DEPLOY_BLOCKED;
	case GV_ENF_HALT: return GV_DEPLOY_HALTED;
	case GV_ENF_ESCALATE: return GV_DEPLOY_ESCALATED;
	default: return GV_DEPLOY_COMPLETED;
	}
}

/*
 * One evaluation: probe, merged facts, sync state, the policies, the
 * evidence. Returns GV_OK with *st the outcome it implies (COMPLETED:
 * go on), or a negative code (input or output failure).
 */
static int evaluate(dctx *c, gv_deploy_status *st)
{
	const gv_plan *p = c->p;
	gv_probe_result pr[2];
	int has[2], side, err;
	char *paths[2] = { NULL, NULL };
	gv_buf b = GV_BUF_INIT, json = GV_BUF_INIT;
	gv_gate_opts go;
	gv_evidence_opts eo;
	const gv_result *r;
	time_t now;

	release_eval(c);
	*st = GV_DEPLOY_INPUT;
	say(c, "%s: probing %zu cloud and %zu on-prem endpoint%s\n",
	    c->pass ? "re-check" : "connectivity", p->sides[0].nendpoints, p->sides[1].nendpoints,
	    p->sides[0].nendpoints + p->sides[1].nendpoints == 1 ? "" : "s");
	if ((err = probe_all(c, pr, has)) < 0) {
		gv_error(c->d, CODE_PROBE, p->path, "the probe could not run (see above)");
		goto out;
	}
	now = time(NULL);
	for (side = 0; side < 2; side++) {
		if ((err = write_merged(c, side, &pr[side], has[side], &paths[side])) < 0)
			goto out;
		if ((err = gv_facts_load(&c->facts[side], &c->merged[side], paths[side],
					 gv_plan_side_name(side), c->max_age, c->p->max_clock_skew,
					 now, NULL, c->d)) < 0)
			goto out;
	}
	for (side = 0; side < 2; side++) {
		probed_payload(&b, side, c->pass, &pr[side], has[side], c->merged[side],
			       c->facts[side].root);
		if ((err = event(c, "hybrid.connectivity.probed", &b)) < 0)
			goto out;
		say(c, "  %s: %s%s; facts %s\n", gv_plan_side_name(side),
		    has[side] ? (pr[side].reachable ? "every endpoint reachable" :
				 "an endpoint is unreachable") : "no endpoint probed",
		    c->facts[side].stale ? " (stale facts)" : "", paths[side]);
	}
	for (side = 0; side < 2; side++) {
		const gv_node *sync = gv_node_get(c->facts[side].root, "sync");
		const gv_node *en = gv_node_get(sync, "enabled");

		gv_buf_printf(&b, "{\"side\":\"%s\",\"source\":\"%s\",\"enabled\":%s,"
			      "\"sync_latency_seconds\":", gv_plan_side_name(side),
			      p->sides[side].sync_origin ? "replica" : "facts",
			      en && en->kind == GV_NODE_BOOL ? (en->u.b ? "true" : "false") : "null");
		sync_number(&b, sync, "sync_latency_seconds");
		gv_buf_puts(&b, ",\"lag_entries\":");
		sync_number(&b, sync, "lag_entries");
		if (p->sides[side].sync_origin) {
			gv_buf_puts(&b, ",\"origin\":");
			gv_buf_json_cstr(&b, p->sides[side].sync_origin);
		}
		gv_buf_puts(&b, ",\"facts_file\":");
		gv_buf_json_cstr(&b, paths[side]);
		say(c, "  sync %s: latency %s s, lag %s entries\n", gv_plan_side_name(side),
		    gv_node_get(sync, "sync_latency_seconds") ?
		    gv_node_get(sync, "sync_latency_seconds")->s : "unknown",
		    gv_node_get(sync, "lag_entries") ? gv_node_get(sync, "lag_entries")->s :
		    "unknown");
		if ((err = event(c, "hybrid.sync.checked", &b)) < 0)
			goto out;
	}

	memset(&go, 0, sizeof(go));
	go.manifests = &p->manifest;
	go.nmanifests = 1;
	go.jobs = 1;
	go.regex_budget = p->regex_budget;
	go.gov = c->gov;
	go.waivers = c->gi.have_waivers ? &c->gi.waivers : NULL;
	go.bundles = c->gi.have_bundles ? &c->gi.bundles : NULL;
	gv_gate_run(&c->run, c->prog, &c->facts[0], &c->facts[1], &go, c->d);
	c->have_run = 1;
	c->res->decision = c->run.decision;
	if (c->run.input_errors || !(r = manifest_result(c))) {
		err = GV_EPARSE;
		goto out;
	}
	{
		gv_report_meta m = { c->prog, c->merged[0], c->merged[1] };
		gv_buf text = GV_BUF_INIT;

		gv_report_text(&text, &c->run, c->o->color);
		say(c, "%s", text.ptr);
		gv_buf_release(&text);
		gv_report_json(&json, &c->run, &m);
		*st = status_of(c->run.decision);
		memset(&eo, 0, sizeof(eo));
		eo.db = c->db;
		eo.log_key = c->log_key;
		eo.origin = c->origin;
		eo.actor = c->actor;
		eo.started_at = c->started_at;
		if (!c->o->dry_run && c->sign_key) {
			eo.sign_key = c->sign_key;
			eo.report_path = c->report;
			if (*st != GV_DEPLOY_COMPLETED)
				eo.receipt_path = c->receipt;
		}
		eo.status = c->o->dry_run ? "dry-run" : *st != GV_DEPLOY_COMPLETED ?
			    gv_deploy_status_name(*st) : "validated";
		/* a deployment that goes on gets its receipt when it ends */
		eo.no_receipt = !c->o->dry_run && *st == GV_DEPLOY_COMPLETED;
		eo.steps_run = (const char *const *)(c->steps_run ? c->steps_run :
						     (char **)(const char *[]){ NULL });
		eo.nsteps = c->nsteps_run;
		err = gv_evidence_write(&c->eout, &c->run, &m, &json, &eo, c->d);
		if (!err) {
			uint64_t size;
			if (gv_audit_size(c->db, &size, c->d) == 0 && size)
				c->last_seq = size - 1;
		}
	}
out:
	for (side = 0; side < 2; side++) {
		gv_probe_result_release(&pr[side]);
		free(paths[side]);
	}
	gv_buf_release(&b);
	gv_buf_release(&json);
	return err;
}

/* --- commands' environment ---------------------------------------------------- */

/*
 * What a step or the alert command takes from govgate's environment
 * without being asked (docs/DEPLOY.md, "Steps"): nothing secret, so a
 * token in govgate's environment reaches a command only when the plan
 * names it in inherit_env.
 */
static const char *const base_env[] = {
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "GOVGATE_*", NULL
};

/* base_env then the plan's names; free the array (the strings are borrowed). */
static const char **inherit_list(const char *const *plan)
{
	size_t n = 0, k = 0, i;
	const char **v;

	while (plan && plan[n])
		n++;
	v = gv_xcalloc(n + sizeof(base_env) / sizeof(base_env[0]), sizeof(*v));
	for (i = 0; base_env[i]; i++)
		v[k++] = base_env[i];
	for (i = 0; i < n; i++)
		v[k++] = plan[i];
	v[k] = NULL;
	return v;
}

/* The plan's NAME=VALUE entries, then govgate's own (which it does not
 * let a plan set); free the array (the strings are borrowed). */
static const char **env_list(const char *const *plan, const char *const *ours)
{
	size_t n = 0, m = 0, k = 0, i;
	const char **v;

	while (plan && plan[n])
		n++;
	while (ours[m])
		m++;
	v = gv_xcalloc(n + m + 1, sizeof(*v));
	for (i = 0; i < n; i++)
		v[k++] = plan[i];
	for (i = 0; i < m; i++)
		v[k++] = ours[i];
	v[k] = NULL;
	return v;
}

/* --- alerts ---------------------------------------------------------------- */

/*
 * Raises an alert: a line on standard error, the alert command (not in a
 * dry run) with the alert JSON on its standard input, then an `alert`
 * event with the same JSON and what the command did. The command's
 * failure is reported and recorded, never fatal.
 */
static int alert(dctx *c, gv_deploy_status st, const char *reason, const char *step_json)
{
	const gv_result *r = manifest_result(c);
	const char *level = st == GV_DEPLOY_ESCALATED ? "escalation" : "critical";
	const char **rules = NULL;
	size_t nrules = 0, i, k, total = 0;
	gv_buf a = GV_BUF_INIT, in = GV_BUF_INIT, line = GV_BUF_INIT;
	gv_exec_result xr;
	int decision = r ? r->decision : GV_ENF_ALLOW, err, ran = 0;
	char now[GV_TIME_LEN + 1];

	if (r && st != GV_DEPLOY_FAILED) {
		rules = gv_xcalloc(r->nfindings + 1, sizeof(*rules));
		for (i = 0; i < r->nfindings; i++) {
			const gv_finding *f = &r->findings[i];
			if (f->enforcement != decision)
				continue;
			for (k = 0; k < nrules; k++)
				if (!strcmp(rules[k], f->rule))
					break;
			if (k == nrules) {
				total++;
				if (nrules < GV_DEPLOY_MAX_ALERT_RULES)
					rules[nrules++] = f->rule;
			}
		}
	}
	gv_time_format(now, time(NULL));
	gv_buf_printf(&a, "{\"level\":\"%s\",\"status\":\"%s\",\"reason\":", level,
		      gv_deploy_status_name(st));
	gv_buf_json_cstr(&a, reason);
	gv_buf_puts(&a, ",\"deployment_id\":");
	gv_buf_json_cstr(&a, c->p->deployment_id);
	gv_buf_printf(&a, ",\"decision\":\"%s\",\"rules\":[", gv_decision_name(decision));
	for (i = 0; i < nrules; i++) {
		if (i)
			gv_buf_putc(&a, ',');
		gv_buf_json_cstr(&a, rules[i]);
	}
	gv_buf_printf(&a, "],\"rules_truncated\":%s,\"step\":%s,\"plan\":",
		      total > nrules ? "true" : "false", step_json ? step_json : "null");
	gv_buf_json_cstr(&a, c->p->path);
	gv_buf_printf(&a, ",\"time\":\"%s\"", now);
	/* on the command's standard input: the alert, closed with dry_run */
	gv_buf_add(&in, a.ptr, a.len);
	gv_buf_printf(&in, ",\"dry_run\":%s}", c->o->dry_run ? "true" : "false");

	gv_buf_printf(&line, "ALERT: %s%s: %s: %s: %s", c->o->dry_run ? "(dry run) " : "", level,
		      c->p->deployment_id, gv_deploy_status_name(st), reason);
	for (i = 0; i < nrules; i++)
		gv_buf_printf(&line, "%s%s", i ? ", " : " (", rules[i]);
	if (nrules)
		gv_buf_puts(&line, total > nrules ? ", ...)" : ")");
	fprintf(errf(c), "%s\n", line.ptr);
	fflush(errf(c));

	memset(&xr, 0, sizeof(xr));
	if (c->p->alert_argv && !c->o->dry_run) {
		gv_exec_opts xo;
		gv_buf e1 = GV_BUF_INIT, e2 = GV_BUF_INIT;
		const char *ours[3], **env, **inherit;

		gv_buf_printf(&e1, "GOVGATE_DEPLOYMENT_ID=%s", c->p->deployment_id);
		gv_buf_printf(&e2, "GOVGATE_STATUS=%s", gv_deploy_status_name(st));
		ours[0] = e1.ptr;
		ours[1] = e2.ptr;
		ours[2] = NULL;
		env = env_list(c->p->alert_env, ours);
		inherit = inherit_list(c->p->alert_inherit_env);
		memset(&xo, 0, sizeof(xo));
		xo.argv = c->p->alert_argv;
		xo.cwd = c->p->dir;
		xo.env = env;
		xo.clean_env = true;
		xo.inherit = inherit;
		xo.input = in.ptr;
		xo.input_len = in.len;
		xo.timeout_ms = c->p->alert_timeout_ms;
		xo.output_limit = GV_DEPLOY_ALERT_OUTPUT;
		gv_exec_run(&xr, &xo);
		ran = 1;
		free(env);
		free(inherit);
		gv_buf_release(&e1);
		gv_buf_release(&e2);
		if (!xr.started)
			fprintf(errf(c), "govgate: deploy: alert command failed: %s\n", xr.error);
		else if (xr.timed_out)
			fprintf(errf(c), "govgate: deploy: alert command '%s' timed out after %u ms\n",
				c->p->alert_argv[0], c->p->alert_timeout_ms);
		else if (xr.exit_code)
			fprintf(errf(c), "govgate: deploy: alert command '%s' exited %d\n",
				c->p->alert_argv[0], xr.exit_code);
	}
	/* the event: the same alert plus what the command did (event() adds dry_run) */
	gv_buf_puts(&a, ",\"command\":");
	if (ran) {
		gv_buf text = GV_BUF_INIT;

		gv_buf_printf(&a, "{\"started\":%s,\"exit_code\":%d,\"timed_out\":%s,"
			      "\"duration_ms\":%lld,\"error\":", xr.started ? "true" : "false",
			      xr.exit_code, xr.timed_out ? "true" : "false",
			      (long long)xr.duration_ms);
		gv_buf_json_cstr(&a, xr.error);
		gv_utf8_sanitize(&text, xr.output.ptr, xr.output.len);
		gv_buf_puts(&a, ",\"output\":");
		gv_buf_json_str(&a, text.ptr, text.len);
		gv_buf_printf(&a, ",\"output_truncated\":%s%s}", xr.truncated ? "true" : "false",
			      xr.strays_killed ? ",\"stray_processes_killed\":true" : "");
		gv_buf_release(&text);
	} else {
		gv_buf_puts(&a, "null");
	}
	err = event(c, "alert", &a);
	gv_exec_result_release(&xr);
	gv_buf_release(&a);
	gv_buf_release(&in);
	gv_buf_release(&line);
	free(rules);
	return err;
}

/* --- receipts and the end --------------------------------------------------- */

/*
 * The final receipt of a deployment whose steps ran (completed or failed):
 * a checkpoint covering every event so far, the receipt (stored in the log
 * and, with a receipt path, signed to a file).
 */
static int final_receipt(dctx *c, gv_deploy_status st, gv_buf *payload)
{
	const gv_result *r = manifest_result(c);
	gv_receipt rc = GV_RECEIPT_INIT;
	gv_checkpoint cp;
	gv_buf json = GV_BUF_INIT, env = GV_BUF_INIT, root = GV_BUF_INIT, appr = GV_BUF_INIT;
	char *note = NULL, now[21];
	int err = GV_OK, have_cp = 0;

	memset(&cp, 0, sizeof(cp));
	gv_time_format(now, time(NULL));
	if (c->log_key) {
		const char *body;
		if ((err = gv_audit_checkpoint(c->db, c->origin, c->log_key, &note, c->d)) < 0)
			goto out;
		body = strstr(note, "\n\n");
		if ((err = gv_checkpoint_parse(&cp, note, body ? (size_t)(body - note) + 1 :
					       strlen(note), c->db_path, c->d)) < 0)
			goto out;
		have_cp = 1;
		gv_base64_encode(&root, cp.root, sizeof(cp.root));
	}
	rc.deployment_id = c->p->deployment_id;
	rc.mode = r && r->mode ? r->mode : c->p->mode;
	rc.cloud_region = r && r->cloud_region ? r->cloud_region : c->p->cloud_region;
	rc.on_prem = r && r->on_prem ? r->on_prem : c->p->on_prem;
	rc.status = gv_deploy_status_name(st);
	rc.decision = gv_decision_name(c->run.decision);
	rc.started_at = c->started_at;
	rc.ended_at = now;
	rc.manifest_file = c->run.files[0].path;
	rc.document = 0;
	rc.manifest_sha256 = c->run.files[0].sha256;
	rc.report_file = c->eout.report_written ? c->report : NULL;
	rc.report_sha256 = c->eout.report_written ? c->eout.report_sha256 : NULL;
	rc.log_seq = (int64_t)c->eout.first_seq;  /* the governance.validated entry */
	if (have_cp) {
		rc.origin = cp.origin;
		rc.checkpoint_size = cp.size;
		rc.checkpoint_root = root.ptr;
	}
	rc.steps_run = (const char *const *)(c->steps_run ? c->steps_run :
					     (char **)(const char *[]){ NULL });
	rc.nsteps = c->nsteps_run;
	if (r && c->gov && c->gov->reported) {
		gv_governance_used_json(&appr, c->gov, r);
		rc.approvals = appr.ptr;
	}
	gv_receipt_json(&json, &rc);
	if ((err = gv_audit_receipt_put(c->db, c->p->deployment_id, c->actor, json.ptr, json.len,
					&c->last_seq, c->d)) < 0)
		goto out;
	if (c->receipt && c->sign_key) {
		unsigned char sha[32];
		if ((err = gv_evidence_sign_receipt(c->db, c->log_key, c->origin, c->last_seq,
						    json.ptr, json.len, rc.manifest_file,
						    rc.manifest_sha256, c->sign_key, c->receipt, &env,
						    c->d)) < 0)
			goto out;
		gv_sha256(sha, env.ptr, env.len);
		gv_buf_puts(payload, ",\"receipt\":{\"file\":");
		gv_buf_json_cstr(payload, c->receipt);
		gv_buf_puts(payload, ",\"sha256\":");
		jsha(payload, sha);
		gv_buf_putc(payload, '}');
	} else {
		gv_buf_puts(payload, ",\"receipt\":null");
	}
out:
	gv_checkpoint_release(&cp);
	free(note);
	gv_buf_release(&json);
	gv_buf_release(&env);
	gv_buf_release(&root);
	gv_buf_release(&appr);
	return err;
}

/* The end of a deployment stopped by its evaluation (blocked, halted, escalated). */
static int stop_by_decision(dctx *c, gv_deploy_status st)
{
	const gv_result *r = manifest_result(c);
	gv_buf b = GV_BUF_INIT, reason = GV_BUF_INIT;
	size_t i, n = 0;
	int err;

	for (i = 0; r && i < r->nfindings; i++)
		n += r->findings[i].enforcement == r->decision;
	gv_buf_printf(&reason, "%zu %s violation%s %s", n,
		      gv_enforcement_name(r ? r->decision : 0), n == 1 ? "" : "s",
		      c->pass ? "at the re-check before the second side" : "before any step");
	if ((err = alert(c, st, reason.ptr, NULL)) < 0)
		goto out;
	gv_buf_printf(&b, "{\"status\":\"%s\",\"decision\":\"%s\",\"recheck\":%s,\"reason\":",
		      c->o->dry_run ? "dry-run" : gv_deploy_status_name(st),
		      gv_decision_name(c->run.decision), c->pass ? "true" : "false");
	gv_buf_json_cstr(&b, reason.ptr);
	if (c->o->dry_run)
		gv_buf_printf(&b, ",\"outcome\":\"%s\"", gv_deploy_status_name(st));
	gv_buf_puts(&b, ",\"steps_run\":");
	jstrs(&b, c->steps_run, c->nsteps_run);
	gv_buf_puts(&b, ",\"receipt\":");
	gv_buf_json_cstr(&b, !c->o->dry_run && c->sign_key ? c->receipt : NULL);
	if ((err = event(c, c->o->dry_run ? "hybrid.deployment.dry_run" :
			 st == GV_DEPLOY_BLOCKED ? "hybrid.deployment.blocked" :
			 st == GV_DEPLOY_HALTED ? "hybrid.deployment.halted" :
			 "hybrid.deployment.escalated", &b)) < 0)
		goto out;
	err = checkpoint(c);
	say(c, "%s%s: %s; %zu step%s ran\n", c->o->dry_run ? "dry run: would be " : "",
	    gv_deploy_status_name(st), reason.ptr, c->nsteps_run, c->nsteps_run == 1 ? "" : "s");
out:
	gv_buf_release(&b);
	gv_buf_release(&reason);
	return err;
}

/* --- steps ------------------------------------------------------------------ */

static void step_json(gv_buf *b, int side, const gv_plan_step *s, const gv_exec_result *x)
{
	size_t i;

	gv_buf_printf(b, "{\"side\":\"%s\",\"name\":", gv_plan_side_name(side));
	gv_buf_json_cstr(b, s->name);
	gv_buf_puts(b, ",\"argv\":[");
	for (i = 0; i < s->argc; i++) {
		if (i)
			gv_buf_putc(b, ',');
		gv_buf_json_cstr(b, s->argv[i]);
	}
	gv_buf_printf(b, "],\"exit_code\":%d,\"duration_ms\":%lld,\"timed_out\":%s",
		      x->exit_code, (long long)x->duration_ms, x->timed_out ? "true" : "false");
	if (x->term_signal)
		gv_buf_printf(b, ",\"signal\":%d", x->term_signal);
	if (x->stopped)
		gv_buf_puts(b, ",\"interrupted\":true");
	if (x->strays_killed)
		gv_buf_puts(b, ",\"stray_processes_killed\":true");
	if (!x->started) {
		gv_buf_puts(b, ",\"error\":");
		gv_buf_json_cstr(b, x->error);
	}
}

/* A step's output on the progress stream, each line indented, as kept. */
static void show_output(dctx *c, const gv_buf *text, bool truncated)
{
	const char *p = text->ptr, *e;

	if (!c->o->out || !text->len)
		return;
	while (p < text->ptr + text->len) {
		e = memchr(p, '\n', (size_t)(text->ptr + text->len - p));
		if (!e)
			e = text->ptr + text->len;
		say(c, "    | %.*s\n", (int)(e - p), p);
		p = e + 1;
	}
	if (truncated)
		say(c, "    | ... (output cut at %zu bytes; the log has the same)\n",
		    c->p->output_limit);
}

/* Runs one step and records it. *ok says whether it succeeded. */
static int run_step(dctx *c, int side, const gv_plan_step *s, int *ok)
{
	gv_exec_opts xo;
	gv_exec_result x;
	gv_buf b = GV_BUF_INIT, out = GV_BUF_INIT, e1 = GV_BUF_INIT, e2 = GV_BUF_INIT,
	       e3 = GV_BUF_INIT, id = GV_BUF_INIT;
	const char *ours[5], **env, **inherit;
	int err;

	gv_buf_printf(&e1, "GOVGATE_DEPLOYMENT_ID=%s", c->p->deployment_id);
	gv_buf_printf(&e2, "GOVGATE_SIDE=%s", gv_plan_side_name(side));
	gv_buf_printf(&e3, "GOVGATE_STEP=%s", s->name);
	ours[0] = e1.ptr;
	ours[1] = e2.ptr;
	ours[2] = e3.ptr;
	ours[3] = "GOVGATE_DRY_RUN=0";
	ours[4] = NULL;
	/* a clean environment: base_env, the plan's env and inherit_env, ours */
	env = env_list(s->env, ours);
	inherit = inherit_list(s->inherit_env);
	memset(&xo, 0, sizeof(xo));
	xo.argv = s->argv;
	xo.cwd = c->p->dir;
	xo.env = env;
	xo.clean_env = true;
	xo.inherit = inherit;
	xo.timeout_ms = s->timeout_ms;
	xo.output_limit = c->p->output_limit;
	xo.stop = c->o->stop;
	say(c, "step %s/%s: running\n", gv_plan_side_name(side), s->name);
	if (c->o->stop && *c->o->stop) {
		/* a signal came between two steps: this one does not start */
		memset(&x, 0, sizeof(x));
		gv_buf_init(&x.output);
		x.exit_code = 127;
		x.stopped = true;
		x.error = gv_xstrdup("interrupted by a signal before it started");
	} else {
		gv_exec_run(&x, &xo);
	}
	if (x.started) {
		gv_buf_printf(&id, "%s/%s", gv_plan_side_name(side), s->name);
		GV_GROW(c->steps_run, c->steps_alloc, c->nsteps_run + 2);
		c->steps_run[c->nsteps_run++] = gv_buf_detach(&id);
		c->steps_run[c->nsteps_run] = NULL;
		c->res->steps_run = c->nsteps_run;
	}
	*ok = x.started && !x.timed_out && !x.stopped && x.exit_code == 0;
	step_json(&b, side, s, &x);
	gv_utf8_sanitize(&out, x.output.ptr, x.output.len);
	gv_buf_puts(&b, ",\"output\":");
	gv_buf_json_str(&b, out.ptr, out.len);
	gv_buf_printf(&b, ",\"output_bytes\":%llu,\"output_truncated\":%s",
		      (unsigned long long)x.output_total, x.truncated ? "true" : "false");
	err = event(c, "hybrid.deployment.step", &b);
	if (!x.started)
		say(c, "step %s/%s: did not start: %s\n", gv_plan_side_name(side), s->name, x.error);
	else if (x.timed_out)
		say(c, "step %s/%s: timed out after %u ms; its process group was killed\n",
		    gv_plan_side_name(side), s->name, s->timeout_ms);
	else
		say(c, "step %s/%s: exit %d in %lld ms%s\n", gv_plan_side_name(side), s->name,
		    x.exit_code, (long long)x.duration_ms, x.strays_killed ?
		    "; what it left running in its process group was ended" : "");
	show_output(c, &out, x.truncated);
	if (!*ok) {
		/* the failed event and the alert name the step, without its output */
		gv_buf_clear(&out);
		step_json(&out, side, s, &x);
		gv_buf_putc(&out, '}');
	}
	if (!*ok && err == GV_OK) {
		gv_buf reason = GV_BUF_INIT, p = GV_BUF_INIT;

		if (!x.started)
			gv_buf_printf(&reason, "step %s/%s did not start: %s", gv_plan_side_name(side),
				      s->name, x.error);
		else if (x.timed_out)
			gv_buf_printf(&reason, "step %s/%s timed out after %u ms",
				      gv_plan_side_name(side), s->name, s->timeout_ms);
		else if (x.stopped)
			gv_buf_printf(&reason, "step %s/%s was interrupted by a signal",
				      gv_plan_side_name(side), s->name);
		else
			gv_buf_printf(&reason, "step %s/%s exited %d", gv_plan_side_name(side),
				      s->name, x.exit_code);
		if ((err = alert(c, GV_DEPLOY_FAILED, reason.ptr, out.ptr)) == 0) {
			gv_buf_printf(&p, "{\"status\":\"failed\",\"reason\":");
			gv_buf_json_cstr(&p, reason.ptr);
			gv_buf_printf(&p, ",\"step\":%s,\"steps_run\":", out.ptr);
			jstrs(&p, c->steps_run, c->nsteps_run);
			if ((err = final_receipt(c, GV_DEPLOY_FAILED, &p)) == 0 &&
			    (err = event(c, "hybrid.deployment.failed", &p)) == 0)
				err = checkpoint(c);
			say(c, "failed: %s; %zu step%s ran\n", reason.ptr, c->nsteps_run,
			    c->nsteps_run == 1 ? "" : "s");
		}
		gv_buf_release(&reason);
		gv_buf_release(&p);
	}
	gv_exec_result_release(&x);
	free(env);
	free(inherit);
	gv_buf_release(&b);
	gv_buf_release(&out);
	gv_buf_release(&e1);
	gv_buf_release(&e2);
	gv_buf_release(&e3);
	gv_buf_release(&id);
	return err;
}

/* --- the flow --------------------------------------------------------------- */

static int started_event(dctx *c)
{
	const gv_plan *p = c->p;
	gv_buf b = GV_BUF_INIT;
	int err;

	gv_buf_puts(&b, "{\"plan\":");
	gv_buf_json_cstr(&b, p->path);
	gv_buf_puts(&b, ",\"plan_sha256\":");
	jsha(&b, c->plan_sha256);
	gv_buf_puts(&b, ",\"deployment_id\":");
	gv_buf_json_cstr(&b, p->deployment_id);
	gv_buf_puts(&b, ",\"mode\":");
	gv_buf_json_cstr(&b, p->mode);
	gv_buf_puts(&b, ",\"cloud_region\":");
	gv_buf_json_cstr(&b, p->cloud_region);
	gv_buf_puts(&b, ",\"on_prem\":");
	gv_buf_json_cstr(&b, p->on_prem);
	gv_buf_puts(&b, ",\"manifest\":");
	gv_buf_json_cstr(&b, p->manifest);
	gv_buf_printf(&b, ",\"order\":[\"%s\",\"%s\"],\"steps\":{\"cloud\":%zu,\"onprem\":%zu},"
		      "\"recheck_between_sides\":%s", gv_plan_side_name(p->order[0]),
		      gv_plan_side_name(p->order[1]), p->sides[0].nsteps, p->sides[1].nsteps,
		      p->recheck_between_sides ? "true" : "false");
	err = event(c, "hybrid.deployment.started", &b);
	gv_buf_release(&b);
	return err;
}

static int flow(dctx *c)
{
	const gv_plan *p = c->p;
	gv_deploy_status st;
	gv_buf b = GV_BUF_INIT;
	const char *reason = "the evaluation could not finish: an input or output error";
	size_t i, k;
	int err, ok;

	if ((err = started_event(c)) < 0)
		return err;
	c->res->started = true;
	say(c, "deploy %s: %s%s\n", p->deployment_id, p->path, c->o->dry_run ? " (dry run)" : "");

	c->pass = 0;
	if ((err = evaluate(c, &st)) < 0)
		goto fail;
	if (st != GV_DEPLOY_COMPLETED) {
		c->res->status = st;
		return stop_by_decision(c, st);
	}
	if (c->o->dry_run) {
		gv_buf_printf(&b, "{\"status\":\"dry-run\",\"outcome\":\"completed\",\"decision\":"
			      "\"%s\",\"steps_would_run\":[", gv_decision_name(c->run.decision));
		for (i = 0, k = 0; i < 2; i++) {
			const gv_plan_side *s = &p->sides[p->order[i]];
			size_t j;
			for (j = 0; j < s->nsteps; j++, k++)
				gv_buf_printf(&b, "%s\"%s/%s\"", k ? "," : "",
					      gv_plan_side_name(p->order[i]), s->steps[j].name);
		}
		gv_buf_puts(&b, "]");
		if ((err = event(c, "hybrid.deployment.dry_run", &b)) == 0)
			err = checkpoint(c);
		gv_buf_release(&b);
		say(c, "dry run: allowed; %zu step%s would run, none ran\n", k, k == 1 ? "" : "s");
		c->res->status = GV_DEPLOY_COMPLETED;
		return err;
	}

	for (i = 0; i < 2; i++) {
		int side = p->order[i];
		const gv_plan_side *s = &p->sides[side];

		if (i == 1 && p->recheck_between_sides) {
			c->pass = 1;
			if ((err = evaluate(c, &st)) < 0)
				goto fail;
			if (st != GV_DEPLOY_COMPLETED) {
				c->res->status = st;
				return stop_by_decision(c, st);
			}
		}
		for (k = 0; k < s->nsteps; k++) {
			if ((err = run_step(c, side, &s->steps[k], &ok)) < 0)
				return err;
			if (!ok) {
				c->res->status = GV_DEPLOY_FAILED;
				return GV_OK;
			}
		}
	}

	gv_buf_puts(&b, "{\"status\":\"completed\",\"decision\":");
	gv_buf_json_cstr(&b, gv_decision_name(c->run.decision));
	gv_buf_puts(&b, ",\"steps_run\":");
	jstrs(&b, c->steps_run, c->nsteps_run);
	if ((err = final_receipt(c, GV_DEPLOY_COMPLETED, &b)) < 0) {
		/* the steps ran, but the deployment cannot claim to have completed */
		reason = "the final receipt could not be recorded or written";
		goto fail;
	}
	if ((err = event(c, "hybrid.deployment.completed", &b)) == 0)
		err = checkpoint(c);
	gv_buf_release(&b);
	if (err < 0)
		return err;
	c->res->status = GV_DEPLOY_COMPLETED;
	say(c, "completed: %zu step%s ran%s%s\n", c->nsteps_run, c->nsteps_run == 1 ? "" : "s",
	    c->receipt && c->sign_key ? "; receipt " : "", c->receipt && c->sign_key ? c->receipt : "");
	return GV_OK;

fail:
	/*
	 * The evaluation could not finish (an input that went bad after the
	 * checks, the probe's TLS material, an output file), or the final
	 * receipt could not be made: record that the deployment failed, with
	 * nothing run after it, if the log still works.
	 */
	c->res->status = GV_DEPLOY_INPUT;
	gv_buf_clear(&b);
	gv_buf_puts(&b, "{\"status\":\"failed\",\"reason\":");
	gv_buf_json_cstr(&b, reason);
	gv_buf_puts(&b, ",\"steps_run\":");
	jstrs(&b, c->steps_run, c->nsteps_run);
	gv_buf_puts(&b, ",\"receipt\":null");
	if (event(c, "hybrid.deployment.failed", &b) == 0)
		checkpoint(c);
	gv_buf_release(&b);
	return err;
}

int gv_deploy_run(gv_deploy_result *out, const gv_plan *plan, const gv_deploy_opts *o,
		  gv_diags *d)
{
	dctx c;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	out->status = GV_DEPLOY_INPUT;
	out->decision = -1;
	memset(&c, 0, sizeof(c));
	c.p = plan;
	c.o = o;
	c.d = d;
	c.res = out;
	c.t0 = mono_ms();
	gv_buf_init(&c.facts_dir_buf);
	gv_time_format(c.started_at, time(NULL));

	if ((err = prepare(&c)) == 0)
		err = flow(&c);
	if (err < 0)
		out->status = GV_DEPLOY_INPUT;
	out->duration_ms = mono_ms() - c.t0;

	release_eval(&c);
	for (i = 0; i < c.nsteps_run; i++)
		free(c.steps_run[i]);
	free(c.steps_run);
	gv_key_free(c.sign_key);
	gv_key_free(c.log_key);
	gv_audit_close(c.db);
	gv_program_free(c.prog);
	gv_governance_free(c.gov);
	free(c.approvals);
	gv_govinputs_release(&c.gi);
	free(c.rules_default);
	gv_buf_release(&c.facts_dir_buf);
	return err;
}
