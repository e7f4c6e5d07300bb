/*
 * policy_test.c: policy tests (kind: PolicyTest) read, checked key by key,
 * and run through policy_load.c, eval.c and facts.c exactly as `check` runs
 * them; see policy_test.h and docs/POLICY-GUIDE.md "Testing policies".
 *
 * An inline manifest or inline facts are nodes of the test file itself, so
 * findings on them are located in the test file.
 */
#include "policy_test.h"
#include "alloc.h"
#include "eval.h"
#include "facts.h"
#include "gate.h"
#include "gv.h"
#include "rfc3339.h"
#include "rx.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DECISION_NA 255          /* no policy applies to the manifest */

typedef struct xfinding {
	const gv_node *node;     /* the entry, for nothing but its place */
	const char *policy, *rule, *path;   /* NULL: not compared */
	uint32_t line, col;      /* 0: not compared */
} xfinding;

typedef struct tcase {
	const gv_node *node, *name, *manifest, *facts[2], *now;
	int decision;            /* gv_enforcement or DECISION_NA */
	xfinding *findings;
	size_t nfindings;
} tcase;

typedef struct tfile {
	const gv_file *f;
	char *dir;               /* folder of the test file, "" for the current one */
	char **policies, **rules;
	size_t npolicies, nrules;
	const gv_node *facts[2], *now;
	tcase *cases;
	size_t ncases, acases;
	gv_diags *d;
} tfile;

static const char *const sides[2] = { "cloud", "onprem" };

static gv_loc at(const tfile *tf, const gv_node *n)
{
	return gv_node_loc(tf->f, n);
}

static int bad(tfile *tf, const char *code, const gv_node *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(tfile *tf, const char *code, const gv_node *n, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = gv_diag_vat(tf->d, GV_SEV_ERROR, code, at(tf, n), fmt, ap);
	va_end(ap);
	return err;
}

/* Reports keys of map that are not in allowed (NULL-terminated). */
static int check_keys(tfile *tf, const gv_node *map, const char *const *allowed,
		      const char *what)
{
	uint32_t i;
	size_t k;
	int err = GV_OK;

	for (i = 0; i < map->n; i++) {
		const gv_node *key = map->u.pairs[i].key;
		for (k = 0; allowed[k] && strcmp(allowed[k], key->s); k++)
			;
		if (!allowed[k])
			err = gv_diag_at(tf->d, GV_SEV_ERROR, "GV-T002", at(tf, key),
					 "unknown key '%s' in %s", key->s, what);
	}
	return err;
}

static int want_kind(tfile *tf, const gv_node *n, int kind, const char *what)
{
	if (n->kind == kind && (kind != GV_NODE_STR || n->n))
		return GV_OK;
	return bad(tf, "GV-T003", n, "%s", what);
}

/* A path in the test file, relative to its folder unless absolute. */
static char *resolve(const tfile *tf, const char *p)
{
	gv_buf b = GV_BUF_INIT;

	gv_buf_printf(&b, "%s%s", p[0] == '/' ? "" : tf->dir, p);
	return gv_buf_detach(&b);
}

/* `policies:` or `rules:`: a path or a list of paths, added to *out. */
static int path_list(tfile *tf, const gv_node *n, char ***out, size_t *nout, const char *key)
{
	size_t alloc = *nout;
	uint32_t i;
	int err = GV_OK;

	if (n->kind == GV_NODE_STR && n->n) {
		GV_GROW(*out, alloc, *nout + 1);
		(*out)[(*nout)++] = resolve(tf, n->s);
		return GV_OK;
	}
	if (n->kind != GV_NODE_SEQ || !n->n)
		return bad(tf, "GV-T003", n, "%s is a path or a list of paths", key);
	for (i = 0; i < n->n; i++) {
		const gv_node *p = n->u.items[i];
		if (p->kind != GV_NODE_STR || !p->n) {
			err = bad(tf, "GV-T003", p, "%s is a path or a list of paths", key);
			continue;
		}
		GV_GROW(*out, alloc, *nout + 1);
		(*out)[(*nout)++] = resolve(tf, p->s);
	}
	return err;
}

static int check_now(tfile *tf, const gv_node *n)
{
	time_t t;

	if (n->kind != GV_NODE_STR || gv_time_parse(&t, n->s) < 0)
		return bad(tf, "GV-T004", n, "now is an RFC 3339 time such as "
			   "'%s'", "2026-11-30T12:00:00Z");
	return GV_OK;
}

/* `facts: {cloud: FILE | {...} | null, onprem: ...}` into out[2]. */
static int read_facts(tfile *tf, const gv_node *n, const gv_node *out[2])
{
	static const char *const keys[] = { "cloud", "onprem", NULL };
	int s, err;

	if (n->kind != GV_NODE_MAP)
		return bad(tf, "GV-T003", n, "%s", "facts is a mapping with cloud and onprem");
	err = check_keys(tf, n, keys, "facts");
	for (s = 0; s < 2; s++) {
		const gv_node *v = gv_node_get(n, sides[s]);
		if (!v)
			continue;
		if (v->kind != GV_NODE_NULL && v->kind != GV_NODE_MAP &&
		    !(v->kind == GV_NODE_STR && v->n))
			err = gv_diag_at(tf->d, GV_SEV_ERROR, "GV-T003", at(tf, v),
					 "%s facts are a file, a mapping, or null for none",
					 sides[s]);
		out[s] = v;
	}
	return err;
}

/* "LINE:COL", both from 1. */
static int parse_at(const char *s, uint32_t *line, uint32_t *col)
{
	char *e;
	unsigned long l, c;

	if (*s < '1' || *s > '9')
		return -1;
	l = strtoul(s, &e, 10);
	if (*e != ':' || e[1] < '1' || e[1] > '9')
		return -1;
	c = strtoul(e + 1, &e, 10);
	if (*e || l > UINT32_MAX || c > UINT32_MAX)
		return -1;
	*line = (uint32_t)l;
	*col = (uint32_t)c;
	return 0;
}

static int read_finding(tfile *tf, const gv_node *n, xfinding *x)
{
	static const char *const keys[] = { "policy", "rule", "path", "at", NULL };
	const gv_node *v;
	int err;

	memset(x, 0, sizeof(*x));
	x->node = n;
	if (n->kind != GV_NODE_MAP)
		return bad(tf, "GV-T003", n, "%s", "an expected finding is a mapping with "
			   "rule, and path or at (policy is optional)");
	err = check_keys(tf, n, keys, "an expected finding");
	if ((v = gv_node_get(n, "policy")) && want_kind(tf, v, GV_NODE_STR, "policy is a "
							"policy name") == GV_OK)
		x->policy = v->s;
	if (!(v = gv_node_get(n, "rule")))
		err = bad(tf, "GV-T003", n, "%s", "an expected finding needs rule");
	else if (want_kind(tf, v, GV_NODE_STR, "rule is a rule id") == GV_OK)
		x->rule = v->s;
	if ((v = gv_node_get(n, "path")) && want_kind(tf, v, GV_NODE_STR, "path is the "
						      "finding's path, as reported") == GV_OK)
		x->path = v->s;
	if ((v = gv_node_get(n, "at")) && (v->kind != GV_NODE_STR ||
					   parse_at(v->s, &x->line, &x->col) < 0))
		err = bad(tf, "GV-T004", v, "at is '%s', the line and column of the finding",
			  "LINE:COL");
	if (!gv_node_get(n, "path") && !gv_node_get(n, "at"))
		err = bad(tf, "GV-T003", n, "%s", "an expected finding needs path or at");
	return err;
}

static int read_expect(tfile *tf, const gv_node *n, tcase *c)
{
	static const char *const keys[] = { "decision", "findings", NULL };
	const gv_node *dn, *fs;
	uint32_t i;
	int e, err;

	if (n->kind != GV_NODE_MAP)
		return bad(tf, "GV-T003", n, "%s", "expect is a mapping with decision and "
			   "findings");
	err = check_keys(tf, n, keys, "expect");
	if (!(dn = gv_node_get(n, "decision"))) {
		err = bad(tf, "GV-T003", n, "%s", "expect needs decision");
	} else {
		c->decision = -1;
		for (e = GV_ENF_ALLOW; e <= GV_ENF_BLOCK; e++)
			if (dn->kind == GV_NODE_STR && !strcmp(dn->s, gv_enforcement_name(e)))
				c->decision = e;
		if (dn->kind == GV_NODE_STR && !strcmp(dn->s, "not-applicable"))
			c->decision = DECISION_NA;
		if (c->decision < 0 && dn->kind == GV_NODE_STR)
			err = bad(tf, "GV-T004", dn, "decision '%s' is not one of allow, info, "
				  "warn, escalate, halt, block, not-applicable", dn->s);
		else if (c->decision < 0)
			err = bad(tf, "GV-T004", dn, "%s", "decision is one of allow, info, warn, "
				  "escalate, halt, block, not-applicable");
	}
	if (!(fs = gv_node_get(n, "findings")))
		return bad(tf, "GV-T003", n, "%s", "expect needs findings ([] or none when "
			   "there are none)");
	if (fs->kind == GV_NODE_STR && !strcmp(fs->s, "none"))
		return err;
	if (fs->kind != GV_NODE_SEQ)
		return bad(tf, "GV-T003", fs, "%s", "findings is a list, or none");
	c->findings = gv_xcalloc(fs->n ? fs->n : 1, sizeof(xfinding));
	for (i = 0; i < fs->n; i++)
		if (read_finding(tf, fs->u.items[i], &c->findings[c->nfindings++]) < 0)
			err = GV_EPARSE;
	return err;
}

static int read_case(tfile *tf, const gv_node *n)
{
	static const char *const keys[] = {
		"name", "description", "manifest", "facts", "now", "expect", NULL
	};
	const gv_node *v;
	tcase *c;
	int err;

	if (n->kind != GV_NODE_MAP)
		return bad(tf, "GV-T003", n, "%s", "a case is a mapping with name, manifest "
			   "and expect");
	GV_GROW(tf->cases, tf->acases, tf->ncases + 1);
	c = &tf->cases[tf->ncases++];
	memset(c, 0, sizeof(*c));
	c->node = n;
	err = check_keys(tf, n, keys, "a case");
	if (!(c->name = gv_node_get(n, "name")))
		err = bad(tf, "GV-T003", n, "%s", "a case needs name");
	else if (!gv_node_is_scalar(c->name) || c->name->kind == GV_NODE_NULL || !c->name->n)
		err = bad(tf, "GV-T003", c->name, "%s", "name is a string");
	if ((v = gv_node_get(n, "description")) && want_kind(tf, v, GV_NODE_STR,
							     "description is a string") < 0)
		err = GV_EPARSE;
	if (!(c->manifest = gv_node_get(n, "manifest")))
		err = bad(tf, "GV-T003", n, "%s", "a case needs manifest (a file or a mapping)");
	else if (c->manifest->kind != GV_NODE_MAP &&
		 !(c->manifest->kind == GV_NODE_STR && c->manifest->n))
		err = bad(tf, "GV-T003", c->manifest, "%s", "manifest is a file or a mapping");
	if ((v = gv_node_get(n, "facts")) && read_facts(tf, v, c->facts) < 0)
		err = GV_EPARSE;
	if ((c->now = gv_node_get(n, "now")) && check_now(tf, c->now) < 0)
		err = GV_EPARSE;
	if (!(v = gv_node_get(n, "expect")))
		err = bad(tf, "GV-T003", n, "%s", "a case needs expect");
	else if (read_expect(tf, v, c) < 0)
		err = GV_EPARSE;
	return err;
}

static int read_doc(tfile *tf, const gv_node *doc)
{
	static const char *const keys[] = {
		"apiVersion", "kind", "metadata", "policies", "rules", "now", "facts", "cases",
		NULL
	};
	static const char *const meta_keys[] = { "name", "description", NULL };
	const gv_node *api, *kind, *v;
	uint32_t i;
	int err;

	if (doc->kind != GV_NODE_MAP)
		return bad(tf, "GV-T001", doc, "%s", "a policy test is a mapping with apiVersion "
			   "and kind");
	api = gv_node_get(doc, "apiVersion");
	kind = gv_node_get(doc, "kind");
	if (!api || api->kind != GV_NODE_STR || strcmp(api->s, "govgate/v1"))
		return bad(tf, "GV-T001", api ? api : doc, "%s", "apiVersion must be 'govgate/v1'");
	if (!kind || kind->kind != GV_NODE_STR || strcmp(kind->s, "PolicyTest"))
		return bad(tf, "GV-T001", kind ? kind : doc, "%s", "kind must be 'PolicyTest'");
	err = check_keys(tf, doc, keys, "a PolicyTest");
	if ((v = gv_node_get(doc, "metadata"))) {
		if (v->kind != GV_NODE_MAP)
			err = bad(tf, "GV-T003", v, "%s", "metadata is a mapping");
		else if (check_keys(tf, v, meta_keys, "metadata") < 0)
			err = GV_EPARSE;
	}
	/* the policies and rules of every document are loaded together */
	if ((v = gv_node_get(doc, "policies")) &&
	    path_list(tf, v, &tf->policies, &tf->npolicies, "policies") < 0)
		err = GV_EPARSE;
	if ((v = gv_node_get(doc, "rules")) &&
	    path_list(tf, v, &tf->rules, &tf->nrules, "rules") < 0)
		err = GV_EPARSE;
	tf->now = NULL;
	tf->facts[0] = tf->facts[1] = NULL;
	if ((v = gv_node_get(doc, "now")) && check_now(tf, v) == GV_OK)
		tf->now = v;
	else if (v)
		err = GV_EPARSE;
	if ((v = gv_node_get(doc, "facts")) && read_facts(tf, v, tf->facts) < 0)
		err = GV_EPARSE;
	if (!(v = gv_node_get(doc, "cases")))
		return bad(tf, "GV-T003", doc, "%s", "a PolicyTest needs cases");
	if (v->kind != GV_NODE_SEQ || !v->n)
		return bad(tf, "GV-T003", v, "%s", "cases is a list of at least one case");
	for (i = 0; i < v->n; i++) {
		size_t before = tf->ncases;
		if (read_case(tf, v->u.items[i]) < 0)
			err = GV_EPARSE;
		/* a case takes the document's defaults where it says nothing */
		if (tf->ncases > before) {
			tcase *c = &tf->cases[tf->ncases - 1];
			int s;
			for (s = 0; s < 2; s++)
				if (!c->facts[s])
					c->facts[s] = tf->facts[s];
			if (!c->now)
				c->now = tf->now;
		}
	}
	return err;
}

/* ---- running ---- */

typedef struct got {
	gv_result *res;
	size_t nres;
	int decision;
	uint8_t *used;           /* per finding, over every result: matched */
} got;

static const gv_finding *got_at(const got *g, size_t k, size_t *flat)
{
	size_t i, base = 0;

	for (i = 0; i < g->nres; i++) {
		if (k < base + g->res[i].nfindings) {
			*flat = k;
			return &g->res[i].findings[k - base];
		}
		base += g->res[i].nfindings;
	}
	return NULL;
}

static int matches(const xfinding *x, const gv_finding *f)
{
	return (!x->policy || !strcmp(x->policy, f->policy)) && !strcmp(x->rule, f->rule) &&
	       (!x->path || !strcmp(x->path, f->path)) &&
	       (!x->line || (x->line == f->line && x->col == f->col));
}

static void sep(gv_buf *b)
{
	if (b->len)
		gv_buf_puts(b, "; ");
}

static const char *decision_text(int d)
{
	return d == DECISION_NA ? "not-applicable" : gv_enforcement_name(d);
}

/* What differs between the case's expectation and what it got; "" if nothing. */
static void compare(gv_buf *b, const tcase *c, got *g)
{
	size_t i, k, flat, total = 0;
	const gv_finding *f;

	if (g->decision != c->decision) {
		gv_buf_printf(b, "decision: expected %s, got %s", decision_text(c->decision),
			      decision_text(g->decision));
	}
	for (i = 0; i < g->nres; i++)
		total += g->res[i].nfindings;
	g->used = gv_xcalloc(total ? total : 1, 1);
	for (i = 0; i < c->nfindings; i++) {
		const xfinding *x = &c->findings[i];
		for (k = 0; k < total; k++)
			if (!g->used[k] && (f = got_at(g, k, &flat)) && matches(x, f))
				break;
		if (k < total) {
			g->used[k] = 1;
			continue;
		}
		sep(b);
		gv_buf_printf(b, "missing finding: %s%s%s", x->policy ? x->policy : "",
			      x->policy ? " " : "", x->rule);
		if (x->path)
			gv_buf_printf(b, " at %s", x->path);
		if (x->line)
			gv_buf_printf(b, " at %u:%u", x->line, x->col);
	}
	for (k = 0; k < total; k++) {
		if (g->used[k] || !(f = got_at(g, k, &flat)))
			continue;
		sep(b);
		gv_buf_printf(b, "unexpected finding: %s %s at %s (%s:%u:%u)", f->policy, f->rule,
			      f->path, f->file, f->line, f->col);
	}
}

/* Loads one side's facts for a case: a file, a mapping of the test file, or none. */
static int case_facts(tfile *tf, const gv_node *n, int side, int64_t max_age, time_t now,
		      gv_facts *out, gv_file **file, gv_diags *d)
{
	gv_diags local = GV_DIAGS_INIT;
	size_t i;
	int err = GV_OK;

	memset(out, 0, sizeof(*out));
	*file = NULL;
	if (!n || n->kind == GV_NODE_NULL)
		return GV_OK;
	if (n->kind == GV_NODE_STR) {
		char *p = resolve(tf, n->s);
		err = gv_facts_load(out, file, p, sides[side], max_age, GV_FACTS_MAX_SKEW, now,
				    NULL, &local);
		free(p);
	} else {
		err = gv_facts_from_node(out, tf->f, n, sides[side], max_age, GV_FACTS_MAX_SKEW,
					 now, &local);
	}
	/* errors only: a case that tests stale facts sees them in its findings */
	for (i = 0; i < local.n; i++)
		if (local.v[i].sev == GV_SEV_ERROR)
			gv_diag_at(d, GV_SEV_ERROR, local.v[i].code, local.v[i].loc, "%s",
				   local.v[i].msg);
	gv_diags_release(&local);
	return err;
}

static int run_case(gv_ptest *t, tfile *tf, const tcase *c, const gv_program *prog,
		    uint8_t *marks, int64_t max_age, gv_diags *d)
{
	gv_facts facts[2];
	gv_file *ffile[2] = { NULL, NULL }, *mfile = NULL, inline_mf;
	gv_node *inline_doc;
	const gv_file *mf;
	gv_evaluator *ev = NULL;
	gv_rx_budget *budget = NULL;
	gv_buf diff = GV_BUF_INIT;
	got g;
	time_t now = time(NULL);
	size_t i;
	int s, err = GV_OK;

	memset(&g, 0, sizeof(g));
	if (c->now)
		gv_time_parse(&now, c->now->s);
	for (s = 0; s < 2; s++)
		if ((err = case_facts(tf, c->facts[s], s, max_age, now, &facts[s], &ffile[s],
				      d)) < 0)
			goto out;
	if (c->manifest->kind == GV_NODE_STR) {
		char *p = resolve(tf, c->manifest->s);
		err = gv_file_load(&mfile, p, NULL, d);
		free(p);
		if (err < 0)
			goto out;
		if (!mfile->ndocs) {
			err = gv_error(d, "GV-M001", mfile->path, "manifest is empty");
			goto out;
		}
		for (i = 0; i < mfile->ndocs; i++)
			if (mfile->docs[i]->kind != GV_NODE_MAP) {
				err = gv_diag_at(d, GV_SEV_ERROR, "GV-M002",
						 gv_node_loc(mfile, mfile->docs[i]),
						 "manifest document %zu is not a mapping", i + 1);
				goto out;
			}
		mf = mfile;
	} else {
		/* the mapping in the test file is the manifest, located there */
		inline_mf = *tf->f;
		inline_doc = (gv_node *)c->manifest;
		inline_mf.docs = &inline_doc;
		inline_mf.ndocs = 1;
		mf = &inline_mf;
	}
	budget = gv_rx_budget_new(GV_RX_BUDGET_DEFAULT);
	ev = gv_evaluator_new(prog, &facts[0], &facts[1], budget);
	gv_evaluator_trace(ev, marks);
	g.res = gv_xcalloc(mf->ndocs, sizeof(gv_result));
	g.decision = DECISION_NA;
	for (i = 0; i < mf->ndocs; i++) {
		gv_eval_doc(ev, &g.res[i], mf, (uint32_t)i);
		g.nres++;
		if (g.res[i].policies_applied &&
		    (g.decision == DECISION_NA || g.res[i].decision > g.decision))
			g.decision = g.res[i].decision;
	}
	if (gv_rx_budget_exhausted(budget)) {
		err = gv_gate_budget_error(d, budget);
		goto out;
	}
	compare(&diff, c, &g);
	GV_GROW(t->cases, t->acases, t->ncases + 1);
	{
		gv_ptest_case *pc = &t->cases[t->ncases++];
		pc->file = gv_xstrdup(tf->f->path);
		pc->line = c->node->line;
		pc->col = c->node->col;
		pc->name = gv_xstrdup(c->name->s);
		pc->diff = diff.len ? gv_buf_detach(&diff) : NULL;
		if (pc->diff)
			t->nfailed++;
		else
			t->npassed++;
	}
out:
	gv_evaluator_free(ev);
	gv_rx_budget_free(budget);
	for (i = 0; i < g.nres; i++)
		gv_result_release(&g.res[i]);
	free(g.res);
	free(g.used);
	gv_buf_release(&diff);
	gv_file_free(mfile);
	gv_file_free(ffile[0]);
	gv_file_free(ffile[1]);
	return err;
}

/* Adds the program's rules to t's coverage (once per policy and rule id)
 * with the marks this file's cases left on them. */
static void add_coverage(gv_ptest *t, const gv_program *prog, const uint8_t *marks)
{
	uint32_t i, j, k = 0;
	size_t r;

	for (i = 0; i < prog->npolicies; i++)
		for (j = 0; j < prog->policies[i].nrules; j++, k++) {
			const gv_policy *pol = &prog->policies[i];
			for (r = 0; r < t->nrules; r++)
				if (!strcmp(t->rules[r].policy, pol->name) &&
				    !strcmp(t->rules[r].rule, pol->rules[j].id))
					break;
			if (r == t->nrules) {
				GV_GROW(t->rules, t->arules, t->nrules + 1);
				t->rules[r].policy = gv_xstrdup(pol->name);
				t->rules[r].rule = gv_xstrdup(pol->rules[j].id);
				t->rules[r].marks = 0;
				t->nrules++;
			}
			t->rules[r].marks |= marks[k];
		}
}

int gv_ptest_run_file(gv_ptest *t, const char *path, const gv_ptest_opts *o, gv_diags *d)
{
	gv_file *f = NULL;
	gv_program *prog = NULL;
	tfile tf;
	uint8_t *marks = NULL;
	const char *const *pp, *const *rp;
	size_t np, nr, i, first = t->ncases, passed = t->npassed, failed = t->nfailed;
	const char *slash;
	int64_t max_age = 0;
	int err;

	memset(&tf, 0, sizeof(tf));
	tf.d = d;
	if ((err = gv_file_load(&f, path, NULL, d)) < 0)
		return err;
	tf.f = f;
	slash = strrchr(f->path, '/');
	tf.dir = gv_xstrndup(f->path, slash ? (size_t)(slash - f->path) + 1 : 0);
	if (!f->ndocs)
		err = gv_error(d, "GV-T001", f->path, "policy test file is empty");
	for (i = 0; i < f->ndocs; i++)
		if (read_doc(&tf, f->docs[i]) < 0)
			err = GV_EPARSE;
	if (err < 0)
		goto out;

	pp = o->npolicies ? o->policies : (const char *const *)tf.policies;
	np = o->npolicies ? o->npolicies : tf.npolicies;
	rp = o->nrules ? o->rules : tf.nrules ? (const char *const *)tf.rules : &o->default_rules;
	nr = o->nrules ? o->nrules : tf.nrules ? tf.nrules : o->default_rules ? 1 : 0;
	if (!np) {
		err = gv_diag_at(d, GV_SEV_ERROR, "GV-T005", gv_node_loc(f, f->docs[0]),
				 "no policy to test: give -p PATH or policies: in the test file");
		goto out;
	}
	if ((err = gv_program_load(&prog, pp, np, rp, nr, d)) < 0)
		goto out;
	max_age = gv_program_max_fact_age(prog);
	marks = gv_xcalloc(prog->nrules ? prog->nrules : 1, 1);
	for (i = 0; i < tf.ncases; i++)
		if ((err = run_case(t, &tf, &tf.cases[i], prog, marks, max_age, d)) < 0)
			break;
	if (err < 0) {
		/* a file that could not run adds no case */
		while (t->ncases > first) {
			gv_ptest_case *c = &t->cases[--t->ncases];
			free(c->file);
			free(c->name);
			free(c->diff);
		}
		t->npassed = passed;
		t->nfailed = failed;
		goto out;
	}
	add_coverage(t, prog, marks);
out:
	for (i = 0; i < tf.ncases; i++)
		free(tf.cases[i].findings);
	free(tf.cases);
	for (i = 0; i < tf.npolicies; i++)
		free(tf.policies[i]);
	for (i = 0; i < tf.nrules; i++)
		free(tf.rules[i]);
	free(tf.policies);
	free(tf.rules);
	free(tf.dir);
	free(marks);
	gv_program_free(prog);
	gv_file_free(f);
	return err;
}

void gv_ptest_release(gv_ptest *t)
{
	size_t i;

	for (i = 0; i < t->ncases; i++) {
		free(t->cases[i].file);
		free(t->cases[i].name);
		free(t->cases[i].diff);
	}
	for (i = 0; i < t->nrules; i++) {
		free(t->rules[i].policy);
		free(t->rules[i].rule);
	}
	free(t->cases);
	free(t->rules);
	memset(t, 0, sizeof(*t));
}

int gv_ptest_rule_covered(const gv_ptest_rule *r)
{
	return (r->marks & GV_TRACE_PASSED) && (r->marks & GV_TRACE_FAILED);
}

unsigned gv_ptest_coverage(const gv_ptest *t, size_t *covered)
{
	size_t i, n = 0;

	for (i = 0; i < t->nrules; i++)
		n += (size_t)gv_ptest_rule_covered(&t->rules[i]);
	*covered = n;
	return t->nrules ? (unsigned)(n * 1000 / t->nrules) : 1000;
}
