/*
 * lint.c: unused library rules, and check paths that resolve to nothing in
 * the sample documents (lint.h).
 *
 * The documents are walked as written: RuleSet rules (checked when some
 * policy uses them), a policy's `match`, its inline rules and the `when`
 * of its `use:` entries. Inside a check, `path`, each path of `same`, the
 * list of an `each`, and operands read from the documents (`$manifest.x`)
 * are resolved; `all`,
 * `any`, `none`, `not` and the nested checks of other forms (`check`,
 * `where`) are walked into. A path that does not start with a root
 * (manifest, cloud, onprem) is not ours to resolve and is skipped.
 */
#include "lint.h"
#include "alloc.h"
#include "buf.h"
#include "gv.h"
#include "suggest.h"

#include <stdlib.h>
#include <string.h>

typedef struct lintctx {
	const gv_program *p;
	const gv_lint_opts *o;
	gv_diags *d;
	gv_arena *arena;
	const char **used;   /* ids named by `use:` */
	size_t nused, used_alloc;
	int err;
} lintctx;

static const char *kind_of(const gv_node *doc)
{
	const char *k = gv_node_get_str(doc, "kind");
	return k ? k : "";
}

static int is_used(const lintctx *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->nused; i++)
		if (!strcmp(c->used[i], id))
			return 1;
	return 0;
}

/* How far a path gets in one sample: the segments resolved at best, and
 * where the walk stopped there (for the closest-key hint). */
typedef struct reach {
	uint32_t depth;
	const gv_node *stop;
} reach;

static int resolve(const gv_node *n, const gv_path *path, uint32_t i, reach *r)
{
	const gv_seg *g;
	uint32_t k;

	if (i > r->depth || !r->stop) {
		r->depth = i;
		r->stop = n;
	}
	if (i == path->nsegs)
		return 1;
	g = &path->segs[i];
	switch (g->kind) {
	case GV_SEG_KEY: {
		const gv_pair *pr = gv_node_get_pair(n, g->key, g->len);
		return pr && resolve(pr->val, path, i + 1, r);
	}
	case GV_SEG_INDEX: {
		int64_t idx = g->index;
		if (n->kind != GV_NODE_SEQ)
			return 0;
		if (idx < 0)
			idx += n->n;
		return idx >= 0 && idx < (int64_t)n->n && resolve(n->u.items[idx], path, i + 1, r);
	}
	default:
		if (n->kind != GV_NODE_SEQ)
			return 0;
		for (k = 0; k < n->n; k++)
			if (resolve(n->u.items[k], path, i + 1, r))
				return 1;
		return 0;
	}
}

static void seg_text(gv_buf *b, const gv_path *path, uint32_t upto)
{
	static const char *roots[GV_NROOTS] = { "manifest", "cloud", "onprem" };
	uint32_t i;

	gv_buf_puts(b, roots[path->root]);
	for (i = 0; i < upto; i++) {
		const gv_seg *g = &path->segs[i];
		if (g->kind == GV_SEG_WILD)
			gv_buf_puts(b, "[*]");
		else if (g->kind == GV_SEG_INDEX)
			gv_buf_printf(b, "[%lld]", (long long)g->index);
		else if (strcspn(g->key, ".[]\"'") == g->len)
			gv_buf_printf(b, ".%s", g->key);
		else
			gv_buf_printf(b, "[\"%s\"]", g->key);
	}
}

/* Resolves one path node against the samples of its root. */
static void check_path(lintctx *c, const gv_file *f, const gv_node *pn, size_t skip,
		       int missing_pass)
{
	const gv_node **samples;
	size_t ns = 0, i, j, total = 2;
	gv_diags scratch = GV_DIAGS_INIT;
	gv_node tmp;
	gv_path path;
	reach best = { 0, NULL };
	gv_buf msg = GV_BUF_INIT;

	if (pn->kind != GV_NODE_STR)
		return;
	tmp = *pn;
	tmp.s = pn->s + skip;
	tmp.n = pn->n - (uint32_t)skip;
	if (gv_path_parse(&path, c->arena, f, &tmp, &scratch) < 0) {
		gv_diags_release(&scratch);
		return;
	}
	gv_diags_release(&scratch);
	for (i = 0; i < c->o->nmanifests; i++)
		total += c->o->manifests[i]->ndocs;
	samples = gv_xcalloc(total, sizeof(*samples));
	if (path.root == GV_ROOT_MANIFEST) {
		for (i = 0; i < c->o->nmanifests; i++)
			for (j = 0; j < c->o->manifests[i]->ndocs; j++)
				samples[ns++] = c->o->manifests[i]->docs[j];
	} else if (path.root == GV_ROOT_CLOUD && c->o->cloud) {
		samples[ns++] = c->o->cloud;
	} else if (path.root == GV_ROOT_ONPREM && c->o->onprem) {
		samples[ns++] = c->o->onprem;
	}
	for (i = 0; i < ns; i++) {
		reach r = { 0, NULL };
		if (resolve(samples[i], &path, 0, &r))
			break;
		if (!best.stop || r.depth > best.depth)
			best = r;
	}
	free(samples);
	if (!ns || i < ns)
		return;
	gv_buf_printf(&msg, "path '%s' resolves to nothing in any sample", pn->s + skip);
	if (best.depth < path.nsegs) {
		const gv_seg *g = &path.segs[best.depth];
		gv_buf pre = GV_BUF_INIT;
		seg_text(&pre, &path, best.depth);
		if (g->kind == GV_SEG_KEY && best.stop->kind == GV_NODE_MAP) {
			const char **keys = gv_xcalloc(best.stop->n + 1, sizeof(char *));
			const char *s;
			for (i = 0; i < best.stop->n; i++)
				keys[i] = best.stop->u.pairs[i].key->s;
			gv_buf_printf(&msg, ": '%s' has no key '%s'", pre.ptr, g->key);
			if ((s = gv_suggest(g->key, keys, best.stop->n)))
				gv_buf_printf(&msg, "; did you mean '%s%s%s'?", pre.ptr,
					      strcspn(s, ".[]\"'") == strlen(s) ? "." : "", s);
			free(keys);
		} else if (g->kind == GV_SEG_KEY) {
			gv_buf_printf(&msg, ": '%s' is a %s, not a mapping", pre.ptr,
				      gv_node_kind_name(best.stop->kind));
		} else if (best.stop->kind == GV_NODE_SEQ) {
			gv_buf_printf(&msg, ": '%s' has %u item%s", pre.ptr, best.stop->n,
				      best.stop->n == 1 ? "" : "s");
		} else {
			gv_buf_printf(&msg, ": '%s' is a %s, not a list", pre.ptr,
				      gv_node_kind_name(best.stop->kind));
		}
		gv_buf_release(&pre);
	}
	if (missing_pass) {
		gv_diag_at(c->d, GV_SEV_ERROR, "GV-L003", gv_node_loc(f, pn),
			   "%s; with 'missing: pass' this check can never fail", msg.ptr);
		c->err = GV_EPARSE;
	} else {
		gv_diag_at(c->d, GV_SEV_WARNING, "GV-L002", gv_node_loc(f, pn), "%s", msg.ptr);
	}
	gv_buf_release(&msg);
}

static int is_doc_operand(const gv_node *v)
{
	return v->kind == GV_NODE_STR && !v->quoted &&
	       (!strncmp(v->s, "$manifest.", 10) || !strncmp(v->s, "$cloud.", 7) ||
		!strncmp(v->s, "$onprem.", 8) || !strncmp(v->s, "$manifest[", 10) ||
		!strncmp(v->s, "$cloud[", 7) || !strncmp(v->s, "$onprem[", 8));
}

static void walk_check(lintctx *c, const gv_file *f, const gv_node *n, int depth)
{
	const gv_node *v;
	uint32_t i, k;
	int pass;

	if (!n || n->kind != GV_NODE_MAP || depth > 64)
		return;
	v = gv_node_get(n, "missing");
	pass = v && v->kind == GV_NODE_STR && !strcmp(v->s, "pass");
	if ((v = gv_node_get(n, "path")))
		check_path(c, f, v, 0, pass);
	if ((v = gv_node_get(n, "each")))   /* per-item checks: the list itself */
		check_path(c, f, v, 0, pass);
	if ((v = gv_node_get(n, "same")) && v->kind == GV_NODE_SEQ)
		for (i = 0; i < v->n; i++)
			check_path(c, f, v->u.items[i], 0, 0);
	for (i = 0; i < n->n; i++) {
		const char *key = n->u.pairs[i].key->s;
		v = n->u.pairs[i].val;
		if (!strcmp(key, "all") || !strcmp(key, "any") || !strcmp(key, "none")) {
			if (v->kind == GV_NODE_SEQ)
				for (k = 0; k < v->n; k++)
					walk_check(c, f, v->u.items[k], depth + 1);
		} else if (!strcmp(key, "not") || !strcmp(key, "check") || !strcmp(key, "where")) {
			walk_check(c, f, v, depth + 1);
		} else if (strcmp(key, "path") && strcmp(key, "each") && is_doc_operand(v)) {
			check_path(c, f, v, 1, 0);
		}
	}
}

/* A rule as written: its check and its guard. */
static void walk_rule(lintctx *c, const gv_file *f, const gv_node *rule)
{
	walk_check(c, f, gv_node_get(rule, "check"), 0);
	walk_check(c, f, gv_node_get(rule, "when"), 0);
}

static int quiet(const lintctx *c, const gv_file *f)
{
	size_t n = c->o->quiet_rules ? strlen(c->o->quiet_rules) : 0;

	return n && !strncmp(f->path, c->o->quiet_rules, n) &&
	       (f->path[n] == '/' || f->path[n] == '\0' || c->o->quiet_rules[n - 1] == '/');
}

int gv_lint(const gv_program *p, const gv_lint_opts *o, gv_diags *d)
{
	lintctx c = { p, o, d, gv_arena_new(), NULL, 0, 0, GV_OK };
	size_t i, j;
	uint32_t k;

	/* which library rules the policies use */
	for (i = 0; i < p->nloaded; i++)
		for (j = 0; j < p->loaded[i]->ndocs; j++) {
			const gv_node *doc = p->loaded[i]->docs[j];
			const gv_node *rules = gv_node_get(gv_node_get(doc, "spec"), "rules");
			if (strcmp(kind_of(doc), "Policy") || !rules || rules->kind != GV_NODE_SEQ)
				continue;
			for (k = 0; k < rules->n; k++) {
				const char *id = gv_node_get_str(rules->u.items[k], "use");
				if (id) {
					GV_GROW(c.used, c.used_alloc, c.nused + 1);
					c.used[c.nused++] = id;
				}
			}
		}
	for (i = 0; i < p->nloaded; i++) {
		const gv_file *f = p->loaded[i];
		for (j = 0; j < f->ndocs; j++) {
			const gv_node *doc = f->docs[j], *rules, *spec;
			if (!strcmp(kind_of(doc), "RuleSet")) {
				rules = gv_node_get(doc, "rules");
				for (k = 0; rules && rules->kind == GV_NODE_SEQ && k < rules->n; k++) {
					const gv_node *r = rules->u.items[k], *id = gv_node_get(r, "id");
					if (!id || id->kind != GV_NODE_STR)
						continue;
					if (is_used(&c, id->s))
						walk_rule(&c, f, r);
					else if (!quiet(&c, f))
						gv_diag_at(d, GV_SEV_WARNING, "GV-L001", gv_node_loc(f, id),
							   "rule '%s' is not used by any loaded policy",
							   id->s);
				}
			} else if (!strcmp(kind_of(doc), "Policy")) {
				spec = gv_node_get(doc, "spec");
				walk_check(&c, f, gv_node_get(spec, "match"), 0);
				rules = gv_node_get(spec, "rules");
				for (k = 0; rules && rules->kind == GV_NODE_SEQ && k < rules->n; k++)
					walk_rule(&c, f, rules->u.items[k]);
			}
		}
	}
	free(c.used);
	gv_arena_free(c.arena);
	return c.err;
}
