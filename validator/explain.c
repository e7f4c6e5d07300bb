/*
 * explain.c: one rule on one manifest, step by step (explain.h).
 *
 * The walk below mirrors eval.c's (walk, visit, eval_same, eval_each) but
 * keeps every step as a node of a tree instead of only the failing points;
 * each leaf is decided by gv_eval_leaf() and each equality by
 * gv_eval_equal(), so the decisions are the evaluator's. The verdict is
 * checked against gv_eval_doc()'s findings for the same rule.
 */
#include "explain.h"
#include "alloc.h"
#include "gv.h"

#include <stdlib.h>
#include <string.h>

#define NSLOTS (GV_NROOTS + GV_MAX_EACH)
#define MAX_WILD 8

typedef struct xnode {
	int32_t first, last, next;  /* children, in order */
	const char *kind;           /* rule, match, when, check, where, an operator, value,
				     * operand, item, count, empty */
	char *text;                 /* malloc'd; for a value node, its path */
	char *value;                /* a value node: the value as shown, NULL when missing */
	const char *note;           /* kept, dropped, counted, ... */
	const char *file;
	uint32_t line, col;
	int8_t result;              /* 1 holds, 0 fails, -1 not a test */
	uint8_t isvalue, null;
	uint8_t vkind;              /* a value node: gv_node_kind of the value */
	uint8_t nested;             /* a check inside a combinator: kind is its operator */
} xnode;

typedef struct xctx {
	gv_evaluator *ev;
	const gv_node *roots[NSLOTS];
	const gv_file *files[NSLOTS];
	const char *stale[GV_NROOTS];
	char *items[GV_MAX_EACH];   /* the bound items' paths, by level */
	xnode *v;
	size_t n, alloc;
} xctx;

static const char *root_names[] = { "manifest", "cloud", "onprem" };

static int32_t xadd(xctx *x, int32_t parent, const char *kind, char *text)
{
	int32_t id = (int32_t)x->n;
	xnode *nd;

	GV_GROW(x->v, x->alloc, x->n + 1);
	nd = &x->v[x->n++];
	memset(nd, 0, sizeof(*nd));
	nd->first = nd->last = nd->next = -1;
	nd->kind = kind;
	nd->text = text;
	nd->result = -1;
	if (parent >= 0) {
		if (x->v[parent].last >= 0)
			x->v[x->v[parent].last].next = id;
		else
			x->v[parent].first = id;
		x->v[parent].last = id;
	}
	return id;
}

static void at(xctx *x, int32_t id, const gv_file *f, const gv_node *n)
{
	if (!f || !n)
		return;
	x->v[id].file = f->path;
	x->v[id].line = n->line;
	x->v[id].col = n->col;
}

static void head(const xctx *x, gv_buf *b, const gv_path *p)
{
	gv_buf_puts(b, p->root < GV_NROOTS ? root_names[p->root] :
		    x->items[p->root - GV_NROOTS] ? x->items[p->root - GV_NROOTS] : "item");
}

static void seg_text(gv_buf *b, const gv_seg *g, int64_t idx)
{
	if (g->kind == GV_SEG_KEY) {
		if (strpbrk(g->key, ".[]\"") || !g->len)
			gv_buf_printf(b, "[\"%s\"]", g->key);
		else
			gv_buf_printf(b, ".%s", g->key);
	} else {
		gv_buf_printf(b, "[%lld]", (long long)idx);
	}
}

/* A value node for val (NULL: missing, reported at anchor). */
static int32_t xvalue(xctx *x, int32_t parent, gv_buf *path, const gv_node *val,
		      const gv_node *anchor, const gv_file *f, int result)
{
	int32_t id = xadd(x, parent, "value", gv_xstrdup(path->ptr ? path->ptr : ""));
	gv_buf b = GV_BUF_INIT;

	x->v[id].isvalue = 1;
	x->v[id].result = (int8_t)result;
	if (val && val->kind != GV_NODE_NULL) {
		x->v[id].vkind = val->kind;
		gv_eval_render(&b, val);
		x->v[id].value = gv_buf_detach(&b);
	}
	x->v[id].null = val && val->kind == GV_NODE_NULL;
	at(x, id, f, val ? val : anchor);
	if (!val && !f && x->n)
		x->v[id].note = "no facts were given for this side, or they are stale";
	return id;
}

/* resolve_one() of eval.c, with the path's text */
static const gv_node *xresolve(xctx *x, const gv_path *p, const gv_node **anchor,
			       const gv_file **f, gv_buf *text)
{
	uint32_t i;

	*f = x->files[p->root];
	gv_buf_clear(text);
	head(x, text, p);
	for (i = 0; i < p->nsegs; i++)
		seg_text(text, &p->segs[i], p->segs[i].index);
	return gv_eval_walk(x->roots[p->root], p, anchor);
}

static char *check_text(const xctx *x, const gv_check *c)
{
	gv_buf b = GV_BUF_INIT;
	uint32_t i;

	switch (c->op) {
	case GV_OP_ALL:
	case GV_OP_ANY:
	case GV_OP_NONE:
	case GV_OP_NOT:
		gv_buf_puts(&b, gv_op_name(c->op));
		break;
	case GV_OP_SAME:
		gv_buf_puts(&b, "same [");
		for (i = 0; i < c->npaths; i++)
			gv_buf_printf(&b, "%s%s", i ? ", " : "", c->paths[i].text);
		gv_buf_putc(&b, ']');
		break;
	case GV_OP_EACH:
		gv_buf_printf(&b, "each %s as %s", c->path.text, c->each->name);
		if (c->each->counting) {
			if (c->each->min_count)
				gv_buf_printf(&b, ", min_count %u", c->each->min_count);
			if (c->each->max_count != UINT32_MAX)
				gv_buf_printf(&b, ", max_count %u", c->each->max_count);
			if (c->each->distinct)
				gv_buf_printf(&b, ", distinct %s", c->each->distinct->text);
		}
		break;
	default:
		gv_buf_printf(&b, "%s %s ", c->path.text, gv_op_name(c->op));
		if (c->oppath)
			gv_buf_printf(&b, "$%s", c->oppath->text);
		else if (c->op == GV_OP_MATCHES || c->op == GV_OP_NOT_MATCHES)
			gv_buf_printf(&b, "/%s/", c->operand->s);
		else
			gv_eval_render(&b, c->operand);
		if (c->any)
			gv_buf_puts(&b, ", quantifier: any");
	}
	if (c->missing_pass)
		gv_buf_puts(&b, ", missing: pass");
	(void)x;
	return gv_buf_detach(&b);
}

static int xeval(xctx *x, const gv_check *c, int32_t parent, const char *kind);

/* ---- leaves ---- */

typedef struct xleaf {
	const gv_check *c;
	const gv_node *operand;
	const gv_file *f;
	uint32_t seen, held;
	int32_t node;
} xleaf;

static void xvisit(xctx *x, xleaf *ls, gv_buf *path, const gv_node *val, const gv_node *anchor)
{
	const gv_check *c = ls->c;
	const char *note = NULL;
	int h;
	int32_t id;

	ls->seen++;
	if (!val || val->kind == GV_NODE_NULL)
		h = c->op == GV_OP_EXISTS ? !c->operand->u.b : c->missing_pass;
	else if (!ls->operand)
		h = 0;
	else if ((h = gv_eval_leaf(x->ev, c, ls->operand, val)) < 0)
		note = h == GV_EBUDGET ? "the run's regex budget is used up" :
		       "the regex work limit was hit", h = 0;
	ls->held += (uint32_t)h;
	id = xvalue(x, ls->node, path, val, anchor, ls->f, h);
	x->v[id].note = note;
}

static void xwalk(xctx *x, xleaf *ls, const gv_path *p, uint32_t i, const gv_node *cur,
		  const gv_node *anchor, gv_buf *path, int nwild)
{
	size_t len = path->len;
	const gv_seg *g;

	if (i == p->nsegs) {
		xvisit(x, ls, path, cur, anchor);
		return;
	}
	g = &p->segs[i];
	seg_text(path, g, g->index);
	if (g->kind == GV_SEG_KEY) {
		const gv_pair *pr = gv_node_get_pair(cur, g->key, g->len);
		if (!pr)
			xvisit(x, ls, path, NULL, anchor);
		else
			xwalk(x, ls, p, i + 1, pr->val, pr->key, path, nwild);
	} else if (g->kind == GV_SEG_INDEX) {
		int64_t k = g->index;
		if (cur->kind == GV_NODE_SEQ && k < 0)
			k += cur->n;
		if (cur->kind != GV_NODE_SEQ || k < 0 || k >= cur->n)
			xvisit(x, ls, path, NULL, anchor);
		else
			xwalk(x, ls, p, i + 1, cur->u.items[k], cur->u.items[k], path, nwild);
	} else {
		uint32_t j;
		path->len = len;
		if ((cur->kind != GV_NODE_SEQ && cur->kind != GV_NODE_MAP) || nwild == MAX_WILD) {
			gv_buf_puts(path, "[*]");
			xvisit(x, ls, path, NULL, anchor);
		} else if (!cur->n) {
			int32_t id;
			gv_buf_puts(path, "[*]");
			id = xadd(x, ls->node, "empty", gv_xstrdup(path->ptr));
			at(x, id, ls->f, cur);
		}
		for (j = 0; j < cur->n && (cur->kind == GV_NODE_SEQ || cur->kind == GV_NODE_MAP) &&
			    nwild < MAX_WILD; j++) {
			const gv_node *el = cur->kind == GV_NODE_SEQ ? cur->u.items[j] :
					    cur->u.pairs[j].val;
			path->len = len;
			gv_buf_printf(path, "[%u]", j);
			xwalk(x, ls, p, i + 1, el, cur->kind == GV_NODE_SEQ ? el : cur->u.pairs[j].key,
			      path, nwild + 1);
		}
	}
	path->len = len;
	if (path->ptr)
		path->ptr[len] = '\0';
}

static int xleaf_eval(xctx *x, const gv_check *c, int32_t node)
{
	xleaf ls = { c, c->operand, NULL, 0, 0, node };
	gv_buf path = GV_BUF_INIT;
	const gv_node *root = x->roots[c->path.root];

	ls.f = x->files[c->path.root];
	if (c->oppath) {
		const gv_node *anchor;
		const gv_file *of;
		int32_t id;
		ls.operand = xresolve(x, c->oppath, &anchor, &of, &path);
		id = xvalue(x, node, &path, ls.operand, anchor, of, -1);
		x->v[id].kind = "operand";
		if (ls.operand && ls.operand->kind == GV_NODE_NULL)
			ls.operand = NULL;
	}
	gv_buf_clear(&path);
	head(x, &path, &c->path);
	if (!root) {
		size_t i;
		for (i = 0; i < c->path.nsegs; i++)
			seg_text(&path, &c->path.segs[i], c->path.segs[i].index);
		xvisit(x, &ls, &path, NULL, NULL);
		if (c->path.root < GV_NROOTS)
			x->v[x->n - 1].note = x->stale[c->path.root] ? x->stale[c->path.root] :
					      "no facts were given for this side";
	} else {
		xwalk(x, &ls, &c->path, 0, root, root, &path, 0);
	}
	gv_buf_release(&path);
	return c->any ? ls.held > 0 : ls.held == ls.seen;
}

/* ---- same ---- */

static int xsame(xctx *x, const gv_check *c, int32_t node)
{
	const gv_node *first, *v, *anchor;
	const gv_file *f;
	gv_buf path = GV_BUF_INIT;
	uint32_t i;
	int ok = 1, h;

	first = xresolve(x, &c->paths[0], &anchor, &f, &path);
	if (first && first->kind == GV_NODE_NULL)
		first = NULL;
	xvalue(x, node, &path, first, anchor, f, first ? 1 : c->missing_pass);
	if (!first) {
		gv_buf_release(&path);
		return c->missing_pass;
	}
	for (i = 1; i < c->npaths; i++) {
		v = xresolve(x, &c->paths[i], &anchor, &f, &path);
		if ((!v || v->kind == GV_NODE_NULL) && c->missing_pass)
			h = 1;
		else
			h = v && gv_eval_equal(first, v);
		ok &= h;
		xvalue(x, node, &path, v, anchor, f, h);
	}
	gv_buf_release(&path);
	return ok;
}

/* ---- each ---- */

typedef struct xeachst {
	const gv_check *c;
	const gv_file *f;
	uint32_t seen, held, missing, count;
	const gv_node **vals;
	size_t nvals, avals;
	int32_t node;
} xeachst;

static void xeach_item(xctx *x, xeachst *es, const gv_node *item, gv_buf *path)
{
	const gv_each *e = es->c->each;
	const unsigned slot = GV_NROOTS + e->level;
	const gv_node *saved_root = x->roots[slot];
	const gv_file *saved_file = x->files[slot];
	char *saved_name = x->items[e->level];
	int32_t id = xadd(x, es->node, "item", gv_xstrdup(path->ptr));
	int sel, ok;

	at(x, id, es->f, item);
	x->roots[slot] = item;
	x->files[slot] = es->f;
	x->items[e->level] = x->v[id].text;
	sel = !e->where || xeval(x, e->where, id, "where");
	x->v[id].note = sel ? "kept" : "dropped by where";
	if (sel && e->counting) {
		ok = !e->check || xeval(x, e->check, id, "check");
		if (!ok) {
			x->v[id].note = "kept, not counted: its check fails";
		} else if (!e->distinct) {
			es->count++;
			x->v[id].note = "kept, counted";
		} else {
			const gv_node *v, *anchor;
			const gv_file *f;
			gv_buf t = GV_BUF_INIT;
			size_t i;
			v = xresolve(x, e->distinct, &anchor, &f, &t);
			xvalue(x, id, &t, v, anchor, f, -1);
			gv_buf_release(&t);
			if (!v || v->kind == GV_NODE_NULL) {
				x->v[id].note = "kept, not counted: no value to count";
			} else {
				for (i = 0; i < es->nvals && !gv_eval_equal(es->vals[i], v); i++)
					;
				if (i < es->nvals) {
					x->v[id].note = "kept, not counted: its value was counted already";
				} else {
					GV_GROW(es->vals, es->avals, es->nvals + 1);
					es->vals[es->nvals++] = v;
					es->count++;
					x->v[id].note = "kept, counted";
				}
			}
		}
	} else if (sel) {
		es->seen++;
		ok = xeval(x, e->check, id, "check");
		es->held += (uint32_t)ok;
		x->v[id].result = (int8_t)ok;
	}
	x->roots[slot] = saved_root;
	x->files[slot] = saved_file;
	x->items[e->level] = saved_name;
}

static void xeach_missing(xctx *x, xeachst *es, gv_buf *path, const gv_node *anchor)
{
	const gv_check *c = es->c;
	int32_t id = xvalue(x, es->node, path, NULL, anchor, es->f, -1);

	if (c->missing_pass || c->each->counting) {
		x->v[id].note = c->missing_pass ? "missing: pass" : "adds nothing to the count";
		return;
	}
	x->v[id].result = 0;
	es->missing++;
}

static void xwalk_each(xctx *x, xeachst *es, const gv_path *p, uint32_t i, const gv_node *cur,
		       const gv_node *anchor, gv_buf *path, int nwild)
{
	size_t len = path->len;
	const gv_seg *g;

	if (i == p->nsegs) {
		xeach_item(x, es, cur, path);
		return;
	}
	g = &p->segs[i];
	if (g->kind == GV_SEG_KEY) {
		const gv_pair *pr = gv_node_get_pair(cur, g->key, g->len);
		seg_text(path, g, 0);
		if (!pr || pr->val->kind == GV_NODE_NULL)
			xeach_missing(x, es, path, pr ? pr->val : anchor);
		else
			xwalk_each(x, es, p, i + 1, pr->val, pr->key, path, nwild);
	} else if (g->kind == GV_SEG_INDEX) {
		int64_t k = g->index;
		seg_text(path, g, g->index);
		if (cur->kind == GV_NODE_SEQ && k < 0)
			k += cur->n;
		if (cur->kind != GV_NODE_SEQ || k < 0 || k >= cur->n)
			xeach_missing(x, es, path, anchor);
		else
			xwalk_each(x, es, p, i + 1, cur->u.items[k], cur->u.items[k], path, nwild);
	} else {
		uint32_t j;
		if ((cur->kind != GV_NODE_SEQ && cur->kind != GV_NODE_MAP) || nwild == MAX_WILD) {
			gv_buf_puts(path, "[*]");
			xeach_missing(x, es, path, anchor);
		}
		for (j = 0; j < cur->n && (cur->kind == GV_NODE_SEQ || cur->kind == GV_NODE_MAP) &&
			    nwild < MAX_WILD; j++) {
			const gv_node *el = cur->kind == GV_NODE_SEQ ? cur->u.items[j] :
					    cur->u.pairs[j].val;
			path->len = len;
			gv_buf_printf(path, "[%u]", j);
			xwalk_each(x, es, p, i + 1, el,
				   cur->kind == GV_NODE_SEQ ? el : cur->u.pairs[j].key, path, nwild + 1);
		}
	}
	path->len = len;
	if (path->ptr)
		path->ptr[len] = '\0';
}

static int xeach(xctx *x, const gv_check *c, int32_t node)
{
	const gv_each *e = c->each;
	xeachst es;
	const gv_node *root, *list, *anchor;
	const gv_file *lf;
	gv_buf path = GV_BUF_INIT;
	int t;

	memset(&es, 0, sizeof(es));
	es.c = c;
	es.node = node;
	if (e->counting) {
		list = xresolve(x, &e->prefix, &anchor, &lf, &path);
		if (!list || list->kind == GV_NODE_NULL) {
			int32_t id = xvalue(x, node, &path, list, anchor, lf, c->missing_pass);
			if (c->missing_pass)
				x->v[id].note = "missing: pass";
			gv_buf_release(&path);
			return c->missing_pass;
		}
	}
	root = x->roots[c->path.root];
	es.f = x->files[c->path.root];
	gv_buf_clear(&path);
	head(x, &path, &c->path);
	if (!root)
		xeach_missing(x, &es, &path, NULL);
	else
		xwalk_each(x, &es, &c->path, 0, root, root, &path, 0);
	if (!e->counting) {
		t = es.held == es.seen && !es.missing;
	} else {
		gv_buf b = GV_BUF_INIT;
		int32_t id;
		t = es.count >= e->min_count && es.count <= e->max_count && !es.missing;
		gv_buf_printf(&b, "%u", es.count);
		id = xadd(x, node, "count", gv_buf_detach(&b));
		x->v[id].result = (int8_t)t;
	}
	free(es.vals);
	gv_buf_release(&path);
	return t;
}

static int xeval(xctx *x, const gv_check *c, int32_t parent, const char *kind)
{
	int32_t id = xadd(x, parent, kind ? kind : gv_op_name(c->op), check_text(x, c));
	uint32_t i;
	int t;

	x->v[id].nested = !kind;
	switch (c->op) {
	case GV_OP_ALL:
		t = 1;
		for (i = 0; i < c->nkids; i++)
			t &= xeval(x, c->kids[i], id, NULL);
		break;
	case GV_OP_ANY:
		t = 0;
		for (i = 0; i < c->nkids; i++)
			t |= xeval(x, c->kids[i], id, NULL);
		break;
	case GV_OP_NONE:
		t = 1;
		for (i = 0; i < c->nkids; i++)
			t &= !xeval(x, c->kids[i], id, NULL);
		break;
	case GV_OP_NOT:
		t = !xeval(x, c->kids[0], id, NULL);
		break;
	case GV_OP_SAME:
		t = xsame(x, c, id);
		break;
	case GV_OP_EACH:
		t = xeach(x, c, id);
		break;
	default:
		t = xleaf_eval(x, c, id);
	}
	x->v[id].result = (int8_t)t;
	return t;
}

/* ---- output ---- */

static void emit_text(gv_buf *o, const xctx *x, int32_t id, int depth)
{
	const xnode *nd = &x->v[id];
	int32_t k;

	gv_buf_printf(o, "%*s", depth * 2, "");
	if (nd->isvalue) {
		if (nd->kind[0] == 'o')
			gv_buf_puts(o, "operand ");
		if (nd->value)   /* strings quoted, so that "5" is visibly not 5 */
			gv_buf_printf(o, nd->vkind == GV_NODE_STR ? "%s = \"%s\"" : "%s = %s",
				      nd->text, nd->value);
		else
			gv_buf_printf(o, "%s %s", nd->text, nd->null ? "is null (not set)" : "is missing");
	} else if (nd->nested) {
		gv_buf_puts(o, nd->text);
	} else {
		gv_buf_printf(o, "%s: %s", nd->kind, nd->text);
	}
	if (nd->file)
		gv_buf_printf(o, " (%s%s:%u:%u)", nd->isvalue && !nd->value && !nd->null ?
			      "nearest: " : "", nd->file, nd->line, nd->col);
	if (nd->note)
		gv_buf_printf(o, ": %s", nd->note);
	if (nd->result >= 0)
		gv_buf_printf(o, "%s%s", nd->note ? ", " : ": ", nd->result ? "holds" : "fails");
	gv_buf_putc(o, '\n');
	for (k = nd->first; k >= 0; k = x->v[k].next)
		emit_text(o, x, k, depth + 1);
}

static void emit_json(gv_buf *o, const xctx *x, int32_t id)
{
	const xnode *nd = &x->v[id];
	int32_t k;

	gv_buf_puts(o, "{\"kind\":");
	gv_buf_json_cstr(o, nd->kind);
	gv_buf_puts(o, nd->isvalue ? ",\"path\":" : ",\"text\":");
	gv_buf_json_cstr(o, nd->text);
	if (nd->isvalue) {
		gv_buf_puts(o, ",\"value\":");
		gv_buf_json_cstr(o, nd->value);
		gv_buf_puts(o, ",\"type\":");
		gv_buf_json_cstr(o, nd->value ? gv_node_kind_name(nd->vkind) :
				 nd->null ? "null" : NULL);
		gv_buf_printf(o, ",\"missing\":%s", nd->value ? "false" : "true");
	}
	if (nd->file) {
		gv_buf_puts(o, ",\"file\":");
		gv_buf_json_cstr(o, nd->file);
		gv_buf_printf(o, ",\"line\":%u,\"column\":%u", nd->line, nd->col);
	}
	if (nd->note) {
		gv_buf_puts(o, ",\"note\":");
		gv_buf_json_cstr(o, nd->note);
	}
	gv_buf_printf(o, ",\"result\":%s", nd->result < 0 ? "null" : nd->result ? "true" : "false");
	if (nd->first >= 0) {
		gv_buf_puts(o, ",\"children\":[");
		for (k = nd->first; k >= 0; k = x->v[k].next) {
			emit_json(o, x, k);
			if (x->v[k].next >= 0)
				gv_buf_putc(o, ',');
		}
		gv_buf_putc(o, ']');
	}
	gv_buf_putc(o, '}');
}

static void xctx_release(xctx *x)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		free(x->v[i].text);
		free(x->v[i].value);
	}
	free(x->v);
	memset(x, 0, sizeof(*x));
}

/* One rule of one policy on document doc; appends to out. */
static int explain_one(gv_buf *out, gv_evaluator *ev, const gv_policy *pol, const gv_rule *r,
			const gv_file *mf, uint32_t doc, const gv_facts *cloud,
			const gv_facts *onprem, const gv_result *res, int json, int first)
{
	static const char *verdicts[] = { "the policy does not apply", "the rule does not apply",
					  "holds", "violation" };
	xctx x;
	gv_buf t = GV_BUF_INIT;
	int32_t top, id;
	int m = 1, w = 1, c = 1, verdict;
	size_t i, nf = 0;

	memset(&x, 0, sizeof(x));
	x.ev = ev;
	x.roots[GV_ROOT_MANIFEST] = mf->docs[doc];
	x.files[GV_ROOT_MANIFEST] = mf;
	if (cloud && cloud->file) {
		x.files[GV_ROOT_CLOUD] = cloud->file;
		x.roots[GV_ROOT_CLOUD] = cloud->stale ? NULL : cloud->root;
		x.stale[GV_ROOT_CLOUD] = cloud->stale;
	}
	if (onprem && onprem->file) {
		x.files[GV_ROOT_ONPREM] = onprem->file;
		x.roots[GV_ROOT_ONPREM] = onprem->stale ? NULL : onprem->root;
		x.stale[GV_ROOT_ONPREM] = onprem->stale;
	}
	gv_buf_printf(&t, "%s (policy %s) on %s, document %u", r->id, pol->name, mf->path, doc + 1);
	top = xadd(&x, -1, "rule", gv_buf_detach(&t));
	if (pol->match) {
		m = xeval(&x, pol->match, top, "match");
	} else {
		id = xadd(&x, top, "match", gv_xstrdup("none (the policy applies to every manifest)"));
		x.v[id].result = 1;
	}
	if (m && r->when) {
		w = xeval(&x, r->when, top, "when");
	} else if (m) {
		id = xadd(&x, top, "when", gv_xstrdup("none (the rule always applies)"));
		x.v[id].result = 1;
	}
	if (m && w)
		c = xeval(&x, r->check, top, "check");
	verdict = !m ? 0 : !w ? 1 : c ? 2 : 3;
	for (i = 0; i < res->nfindings; i++)
		if (!strcmp(res->findings[i].policy, pol->name) && !strcmp(res->findings[i].rule, r->id))
			nf++;
	if ((verdict == 3) != (nf > 0))
		GV_BUG("explain's walk and the evaluator disagree");
	x.v[top].note = verdicts[verdict];

	if (json) {
		if (!first)
			gv_buf_putc(out, ',');
		gv_buf_puts(out, "{\"policy\":");
		gv_buf_json_cstr(out, pol->name);
		gv_buf_puts(out, ",\"rule\":");
		gv_buf_json_cstr(out, r->id);
		gv_buf_puts(out, ",\"manifest\":");
		gv_buf_json_cstr(out, mf->path);
		gv_buf_printf(out, ",\"document\":%u,\"verdict\":", doc);
		gv_buf_json_cstr(out, verdicts[verdict]);
		gv_buf_puts(out, ",\"tree\":");
		emit_json(out, &x, top);
		gv_buf_puts(out, ",\"findings\":[");
	} else {
		emit_text(out, &x, top, 0);
		if (nf)
			gv_buf_puts(out, "findings:\n");
	}
	for (i = 0, nf = 0; i < res->nfindings; i++) {
		const gv_finding *fd = &res->findings[i];
		if (strcmp(fd->policy, pol->name) || strcmp(fd->rule, r->id))
			continue;
		if (json) {
			gv_buf_puts(out, nf++ ? ",{\"path\":" : "{\"path\":");
			gv_buf_json_cstr(out, fd->path);
			gv_buf_puts(out, ",\"file\":");
			gv_buf_json_cstr(out, fd->file);
			gv_buf_printf(out, ",\"line\":%u,\"column\":%u,\"message\":", fd->line, fd->col);
			gv_buf_json_cstr(out, fd->message);
			gv_buf_putc(out, '}');
		} else {
			gv_buf_printf(out, "  %s:%u:%u: %s [%s] %s\n", fd->file, fd->line, fd->col,
				      gv_enforcement_name(fd->enforcement),
				      gv_severity_name(fd->severity), fd->message);
		}
	}
	if (json)
		gv_buf_puts(out, "]}");
	xctx_release(&x);
	return verdict == 3;
}

int gv_explain_rule(gv_buf *out, size_t *nexplained, size_t *nviolated, const gv_program *prog,
		    const char *rule_id, const gv_file *mf, const gv_facts *cloud,
		    const gv_facts *onprem, int json, gv_diags *d)
{
	gv_evaluator *ev;
	uint32_t i, j, doc;
	size_t n = 0;

	*nexplained = *nviolated = 0;
	for (i = 0; i < prog->npolicies; i++)
		for (j = 0; j < prog->policies[i].nrules; j++)
			if (!strcmp(prog->policies[i].rules[j].id, rule_id))
				n++;
	if (!n)
		return gv_error(d, "GV-X001", NULL, "no loaded policy applies a rule '%s'", rule_id),
		       GV_EPARSE;
	ev = gv_evaluator_new(prog, cloud, onprem, NULL);
	if (json)
		gv_buf_puts(out, "{\"explanations\":[");
	for (doc = 0; doc < mf->ndocs; doc++) {
		gv_result res;
		if (!mf->docs[doc] || mf->docs[doc]->kind != GV_NODE_MAP)
			continue;
		gv_eval_doc(ev, &res, mf, doc);
		for (i = 0; i < prog->npolicies; i++)
			for (j = 0; j < prog->policies[i].nrules; j++)
				if (!strcmp(prog->policies[i].rules[j].id, rule_id)) {
					if (!json && *nexplained)
						gv_buf_putc(out, '\n');
					*nviolated += (size_t)explain_one(out, ev, &prog->policies[i],
						    &prog->policies[i].rules[j], mf, doc, cloud,
						    onprem, &res, json, !*nexplained);
					++*nexplained;
				}
		gv_result_release(&res);
	}
	if (json)
		gv_buf_puts(out, "]}\n");
	gv_evaluator_free(ev);
	return GV_OK;
}
