/*
 * eval.c: gv_check trees against documents.
 *
 * eval(c, inv) returns the truth T of check c and appends to the points
 * vector the places that explain T == inv: with inv = 0 the places where a
 * failing check fails, with inv = 1 (under `not` and `none`) the places
 * where it holds. When T != inv the points it added are dropped. A rule
 * whose check is false becomes one finding per point.
 *
 * Comparison rules (docs/POLICY-GUIDE.md): two numbers compare as numbers,
 * two booleans as booleans, null equals only null; otherwise scalars
 * compare by their text as written, so 1.2 equals "1.2". Collections are
 * equal when their items (or pairs, in any order) are. Ordering compares
 * numbers only: a string is never a number, however it is spelt. A null
 * value counts as not set: it fails like a missing one, unless `missing: pass`.
 *
 * `each` binds items: while an item's `where` and `check` run, the root of
 * its level (GV_NROOTS + level) is the item, and a binding records which
 * item it is (the indices of the `each` path's wildcards) so that a
 * finding inside it names its full path. Bindings live until the rule's
 * findings are made.
 */
#include "eval.h"
#include "alloc.h"
#include "buf.h"
#include "gv.h"
#include "rx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WILD 8

typedef struct point {
	const gv_check *c;
	const gv_path *path;
	const gv_node *val;      /* NULL: missing */
	const gv_node *anchor;   /* where a missing value is reported */
	const gv_file *file;
	const gv_node *expected; /* for `same`: the value it should equal */
	const gv_node *operand;  /* the operand the value was compared with */
	uint8_t inv, rxlimit, empty;   /* rxlimit: 1 the match's limit, 2 the run's budget */
	uint8_t nidx;
	uint32_t idx[MAX_WILD];
	int32_t bind;            /* the innermost item binding, -1 none */
	uint32_t count;          /* counting `each`: the count */
} point;

typedef struct binding {
	int32_t parent;          /* the enclosing item's binding, -1 none */
	uint8_t level;
	uint8_t nidx;
	const gv_path *path;     /* the `each` path */
	uint32_t idx[MAX_WILD];
} binding;

#define NSLOTS (GV_NROOTS + GV_MAX_EACH)

struct gv_evaluator {
	const gv_program *prog;
	const gv_node *roots[NSLOTS];
	const gv_file *files[NSLOTS];
	const char *stale[GV_NROOTS];
	const gv_node *docroot;
	gv_rx_scratch *rx;
	point *pts;
	size_t npts, apts;
	uint32_t idx[MAX_WILD];
	uint8_t nidx;
	binding *binds;
	size_t nbinds, abinds;
	int32_t curbind;
	gv_buf tmp;
	uint8_t *trace;          /* gv_evaluator_trace; NULL: none */
};

gv_evaluator *gv_evaluator_new(const gv_program *prog, const gv_facts *cloud,
			       const gv_facts *onprem, gv_rx_budget *budget)
{
	gv_evaluator *ev = gv_xcalloc(1, sizeof(*ev));

	ev->prog = prog;
	ev->rx = gv_rx_scratch_new(budget);
	ev->curbind = -1;
	gv_buf_init(&ev->tmp);
	if (cloud && cloud->file) {
		ev->files[GV_ROOT_CLOUD] = cloud->file;
		ev->roots[GV_ROOT_CLOUD] = cloud->stale ? NULL : cloud->root;
		ev->stale[GV_ROOT_CLOUD] = cloud->stale;
	}
	if (onprem && onprem->file) {
		ev->files[GV_ROOT_ONPREM] = onprem->file;
		ev->roots[GV_ROOT_ONPREM] = onprem->stale ? NULL : onprem->root;
		ev->stale[GV_ROOT_ONPREM] = onprem->stale;
	}
	return ev;
}

void gv_evaluator_trace(gv_evaluator *ev, uint8_t *marks)
{
	ev->trace = marks;
}

void gv_evaluator_free(gv_evaluator *ev)
{
	if (!ev)
		return;
	gv_rx_scratch_free(ev->rx);
	free(ev->pts);
	free(ev->binds);
	gv_buf_release(&ev->tmp);
	free(ev);
}

void gv_result_release(gv_result *r)
{
	free(r->findings);
	gv_arena_free(r->arena);
	memset(r, 0, sizeof(*r));
}

/* ---- comparisons ---- */

static int is_num(const gv_node *n)
{
	return n->kind == GV_NODE_INT || n->kind == GV_NODE_FLOAT;
}

static int node_equal(const gv_node *a, const gv_node *b, int depth)
{
	uint32_t i;

	if (depth > 128)
		return 0;
	if (a == b)
		return 1;
	if (gv_node_is_scalar(a) && gv_node_is_scalar(b)) {
		if (a->kind == GV_NODE_NULL || b->kind == GV_NODE_NULL)
			return a->kind == b->kind;
		if (is_num(a) && is_num(b)) {
			if (a->kind == GV_NODE_INT && b->kind == GV_NODE_INT)
				return a->u.i == b->u.i;
			return gv_node_num(a) == gv_node_num(b);
		}
		if (a->kind == GV_NODE_BOOL && b->kind == GV_NODE_BOOL)
			return a->u.b == b->u.b;
		return a->n == b->n && !memcmp(a->s, b->s, a->n);
	}
	if (a->kind != b->kind || a->n != b->n)
		return 0;
	if (a->kind == GV_NODE_SEQ) {
		for (i = 0; i < a->n; i++)
			if (!node_equal(a->u.items[i], b->u.items[i], depth + 1))
				return 0;
		return 1;
	}
	for (i = 0; i < a->n; i++) {
		const gv_node *k = a->u.pairs[i].key;
		const gv_pair *p = gv_node_get_pair(b, k->s, k->n);
		if (!p || !node_equal(a->u.pairs[i].val, p->val, depth + 1))
			return 0;
	}
	return 1;
}

/* -2 when the two are not comparable: ordering is between numbers only
 * (a quoted "5", " 5", "0x10", "1e3" or "infinity" is a string) */
static int node_order(const gv_node *a, const gv_node *b)
{
	double x, y;

	if (!is_num(a) || !is_num(b))
		return -2;
	if (a->kind == GV_NODE_INT && b->kind == GV_NODE_INT)
		return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
	x = gv_node_num(a);
	y = gv_node_num(b);
	if (isnan(x) || isnan(y))
		return -2;
	return x < y ? -1 : x > y;
}

static size_t utf8_len(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* 1 holds, 0 does not, GV_ELIMIT the match's regex work limit was hit,
 * GV_EBUDGET the run's regex budget is used up */
static int leaf_holds(gv_evaluator *ev, const gv_check *c, const gv_node *o,
		      const gv_node *v)
{
	uint32_t i;
	int r;

	switch (c->op) {
	case GV_OP_EQUALS:
		return node_equal(v, o, 0);
	case GV_OP_NOT_EQUALS:
		return !node_equal(v, o, 0);
	case GV_OP_IN:
	case GV_OP_NOT_IN:
		if (o->kind != GV_NODE_SEQ)
			return 0;
		for (i = 0; i < o->n; i++)
			if (node_equal(v, o->u.items[i], 0))
				return c->op == GV_OP_IN;
		return c->op == GV_OP_NOT_IN;
	case GV_OP_MATCHES:
	case GV_OP_NOT_MATCHES:
		if (!gv_node_is_scalar(v) || v->kind == GV_NODE_NULL)
			return 0;
		r = gv_rx_match(c->rx, v->s, v->n, ev->rx);
		if (r < 0)
			return r == GV_EBUDGET ? GV_EBUDGET : GV_ELIMIT;
		return c->op == GV_OP_MATCHES ? r : !r;
	case GV_OP_EXISTS:
		return o->u.b ? v->kind != GV_NODE_NULL : v->kind == GV_NODE_NULL;
	case GV_OP_GT:
		return (r = node_order(v, o)) != -2 && r > 0;
	case GV_OP_GTE:
		return (r = node_order(v, o)) != -2 && r >= 0;
	case GV_OP_LT:
		return (r = node_order(v, o)) != -2 && r < 0;
	case GV_OP_LTE:
		return (r = node_order(v, o)) != -2 && r <= 0;
	case GV_OP_CONTAINS:
		if (v->kind == GV_NODE_SEQ) {
			for (i = 0; i < v->n; i++)
				if (node_equal(v->u.items[i], o, 0))
					return 1;
			return 0;
		}
		if (v->kind == GV_NODE_STR && gv_node_is_scalar(o) && o->kind != GV_NODE_NULL)
			return o->n <= v->n && memmem(v->s, v->n, o->s, o->n) != NULL;
		return 0;
	case GV_OP_MIN_LENGTH:
	case GV_OP_MAX_LENGTH: {
		size_t len;
		if (v->kind == GV_NODE_STR)
			len = utf8_len(v->s, v->n);
		else if (v->kind == GV_NODE_SEQ || v->kind == GV_NODE_MAP)
			len = v->n;
		else
			return 0;
		return c->op == GV_OP_MIN_LENGTH ? len >= (size_t)o->u.i : len <= (size_t)o->u.i;
	}
	default:
		return 0;
	}
}

/* ---- path walking ---- */

static void add_point(gv_evaluator *ev, const gv_check *c, const gv_path *p,
		      const gv_node *val, const gv_node *anchor, const gv_file *f,
		      int inv, int rxlimit, int empty)
{
	point *pt;

	GV_GROW(ev->pts, ev->apts, ev->npts + 1);
	pt = &ev->pts[ev->npts++];
	memset(pt, 0, sizeof(*pt));
	pt->c = c;
	pt->path = p;
	pt->val = val;
	pt->anchor = anchor;
	pt->file = f;
	pt->inv = (uint8_t)inv;
	pt->rxlimit = (uint8_t)rxlimit;
	pt->empty = (uint8_t)empty;
	pt->nidx = ev->nidx;
	pt->bind = ev->curbind;
	pt->operand = c ? c->operand : NULL;
	memcpy(pt->idx, ev->idx, ev->nidx * sizeof(uint32_t));
}

typedef struct leafstate {
	const gv_check *c;
	const gv_node *operand;  /* NULL: an operand path found nothing */
	const gv_file *f;
	int inv;
	uint32_t seen, held;
} leafstate;

static void visit(gv_evaluator *ev, leafstate *ls, const gv_node *val, const gv_node *anchor)
{
	const gv_check *c = ls->c;
	int h, lim = 0;

	ls->seen++;
	if (!val || val->kind == GV_NODE_NULL)   /* null counts as not set */
		h = c->op == GV_OP_EXISTS ? !c->operand->u.b : c->missing_pass;
	else if (!ls->operand)
		h = 0;
	else if ((h = leaf_holds(ev, c, ls->operand, val)) < 0)
		lim = h == GV_EBUDGET ? 2 : 1, h = 0;
	ls->held += (uint32_t)h;
	/* all: explain failures (or, inverted, the holds); any: the holds when
	 * inverted, every element when it fails */
	if (c->any ? (ls->inv ? h : 1) : h == ls->inv) {
		add_point(ev, c, &c->path, val, anchor, ls->f, ls->inv, lim, 0);
		ev->pts[ev->npts - 1].operand = ls->operand;
	}
}

/*
 * Walks path p from node cur at segment i. anchor is the node where a
 * missing value is reported: the key of the nearest present parent.
 */
static void walk(gv_evaluator *ev, leafstate *ls, const gv_path *p, uint32_t i,
		 const gv_node *cur, const gv_node *anchor)
{
	const gv_seg *g;

	if (i == p->nsegs) {
		visit(ev, ls, cur, anchor);
		return;
	}
	g = &p->segs[i];
	if (g->kind == GV_SEG_KEY) {
		const gv_pair *pr = gv_node_get_pair(cur, g->key, g->len);
		if (!pr) {
			visit(ev, ls, NULL, anchor);
			return;
		}
		walk(ev, ls, p, i + 1, pr->val, pr->key);
	} else if (g->kind == GV_SEG_INDEX) {
		int64_t k = g->index;
		if (cur->kind != GV_NODE_SEQ) {
			visit(ev, ls, NULL, anchor);
			return;
		}
		if (k < 0)
			k += cur->n;
		if (k < 0 || k >= cur->n) {
			visit(ev, ls, NULL, anchor);
			return;
		}
		walk(ev, ls, p, i + 1, cur->u.items[k], cur->u.items[k]);
	} else {
		uint32_t j, n = cur->kind == GV_NODE_SEQ ? cur->n :
				cur->kind == GV_NODE_MAP ? cur->n : 0;
		if (cur->kind != GV_NODE_SEQ && cur->kind != GV_NODE_MAP) {
			visit(ev, ls, NULL, anchor);
			return;
		}
		if (ev->nidx == MAX_WILD) {
			visit(ev, ls, NULL, anchor);
			return;
		}
		ev->nidx++;
		for (j = 0; j < n; j++) {
			const gv_node *el = cur->kind == GV_NODE_SEQ ? cur->u.items[j] :
					    cur->u.pairs[j].val;
			ev->idx[ev->nidx - 1] = j;
			walk(ev, ls, p, i + 1, el,
			     cur->kind == GV_NODE_SEQ ? el : cur->u.pairs[j].key);
		}
		ev->nidx--;
		if (!n && ls->c->any != ls->inv)
			add_point(ev, ls->c, &ls->c->path, cur, anchor, ls->f, ls->inv, 0, 1);
	}
}

/* The node a path starts at, or NULL (missing facts). */
static const gv_node *root_of(gv_evaluator *ev, const gv_path *p, const gv_file **f)
{
	*f = ev->files[p->root];
	return ev->roots[p->root];
}

static int eval(gv_evaluator *ev, const gv_check *c, int inv);

static const gv_node *resolve_one(gv_evaluator *ev, const gv_path *p, const gv_node **anchor,
				  const gv_file **f);

static int eval_leaf(gv_evaluator *ev, const gv_check *c, int inv)
{
	leafstate ls = { c, c->operand, NULL, inv, 0, 0 };
	const gv_node *root = root_of(ev, &c->path, &ls.f);

	if (c->oppath) {
		const gv_node *anchor;
		const gv_file *of;
		ls.operand = resolve_one(ev, c->oppath, &anchor, &of);
		if (ls.operand && ls.operand->kind == GV_NODE_NULL)
			ls.operand = NULL;
	}

	if (!root) {
		/* facts not given (or stale): the whole side is missing */
		visit(ev, &ls, NULL, NULL);
	} else {
		walk(ev, &ls, &c->path, 0, root, root);
	}
	if (c->any)
		return ls.held > 0;
	return ls.held == ls.seen;
}

const gv_node *gv_eval_walk(const gv_node *cur, const gv_path *p, const gv_node **anchor)
{
	uint32_t i;

	*anchor = cur;
	for (i = 0; cur && i < p->nsegs; i++) {
		const gv_seg *g = &p->segs[i];
		if (g->kind == GV_SEG_KEY) {
			const gv_pair *pr = gv_node_get_pair(cur, g->key, g->len);
			if (!pr)
				return NULL;
			*anchor = pr->key;
			cur = pr->val;
		} else {
			int64_t k = g->index;
			if (cur->kind != GV_NODE_SEQ)
				return NULL;
			if (k < 0)
				k += cur->n;
			if (k < 0 || k >= cur->n)
				return NULL;
			cur = cur->u.items[k];
			*anchor = cur;
		}
	}
	return cur;
}

static const gv_node *resolve_one(gv_evaluator *ev, const gv_path *p, const gv_node **anchor,
				  const gv_file **f)
{
	return gv_eval_walk(root_of(ev, p, f), p, anchor);
}

static int eval_same(gv_evaluator *ev, const gv_check *c, int inv)
{
	const gv_node *first, *anchor0, *anchor;
	const gv_file *f0, *f;
	int ok = 1;
	uint32_t i;

	ev->nidx = 0;
	first = resolve_one(ev, &c->paths[0], &anchor0, &f0);
	if (first && first->kind == GV_NODE_NULL)
		first = NULL;
	if (!first) {
		if (c->missing_pass)
			return 1;
		if (!inv)
			add_point(ev, c, &c->paths[0], NULL, anchor0, f0, inv, 0, 0);
		return 0;
	}
	for (i = 1; i < c->npaths; i++) {
		const gv_node *v = resolve_one(ev, &c->paths[i], &anchor, &f);
		if ((!v || v->kind == GV_NODE_NULL) && c->missing_pass)
			continue;
		if (!v || !node_equal(first, v, 0)) {
			ok = 0;
			if (!inv) {
				add_point(ev, c, &c->paths[i], v, anchor, f, inv, 0, 0);
				ev->pts[ev->npts - 1].expected = first;
			}
		}
	}
	if (ok && inv) {
		const gv_node *v = resolve_one(ev, &c->paths[c->npaths - 1], &anchor, &f);
		add_point(ev, c, &c->paths[c->npaths - 1], v, anchor, f, inv, 0, 0);
		ev->pts[ev->npts - 1].expected = first;
	}
	return ok;
}


/* ---- each: items bound one at a time ---- */

typedef struct eachstate {
	const gv_check *c;
	const gv_file *f;
	int inv;
	uint32_t seen, held, missing, count;
	const gv_node **vals;    /* distinct values seen, for `distinct` */
	size_t nvals, avals;
} eachstate;

static void count_item(gv_evaluator *ev, eachstate *es)
{
	const gv_each *e = es->c->each;
	const gv_node *v, *anchor;
	const gv_file *f;
	size_t i;

	if (!e->distinct) {
		es->count++;
		return;
	}
	v = resolve_one(ev, e->distinct, &anchor, &f);
	if (!v || v->kind == GV_NODE_NULL)
		return;   /* no value: not counted */
	for (i = 0; i < es->nvals; i++)
		if (node_equal(es->vals[i], v, 0))
			return;
	GV_GROW(es->vals, es->avals, es->nvals + 1);
	es->vals[es->nvals++] = v;
	es->count++;
}

static void each_item(gv_evaluator *ev, eachstate *es, const gv_node *item)
{
	const gv_check *c = es->c;
	const gv_each *e = c->each;
	const unsigned slot = GV_NROOTS + e->level;
	const gv_node *saved_root = ev->roots[slot];
	const gv_file *saved_file = ev->files[slot];
	uint32_t saved_idx[MAX_WILD];
	uint8_t saved_nidx = ev->nidx;
	int32_t saved_bind = ev->curbind;
	size_t mark = ev->npts, bmark = ev->nbinds;
	binding *b;
	int sel;

	memcpy(saved_idx, ev->idx, sizeof(saved_idx));
	GV_GROW(ev->binds, ev->abinds, ev->nbinds + 1);
	b = &ev->binds[ev->nbinds];
	b->parent = ev->curbind;
	b->level = e->level;
	b->nidx = ev->nidx;
	b->path = &c->path;
	memcpy(b->idx, ev->idx, sizeof(b->idx));
	ev->curbind = (int32_t)ev->nbinds++;
	ev->roots[slot] = item;
	ev->files[slot] = es->f;
	ev->nidx = 0;

	sel = !e->where || eval(ev, e->where, 0);
	ev->npts = mark;   /* a filter explains nothing */
	if (sel && e->counting) {
		if (!e->check || eval(ev, e->check, 0))
			count_item(ev, es);
		ev->npts = mark;
	} else if (sel) {
		es->seen++;
		es->held += (uint32_t)eval(ev, e->check, es->inv);
	}

	ev->roots[slot] = saved_root;
	ev->files[slot] = saved_file;
	ev->curbind = saved_bind;
	ev->nidx = saved_nidx;
	memcpy(ev->idx, saved_idx, sizeof(saved_idx));
	if (ev->npts == mark)
		ev->nbinds = bmark;   /* nothing refers to this item */
}

static void each_missing(gv_evaluator *ev, eachstate *es, const gv_node *anchor)
{
	const gv_check *c = es->c;

	if (c->missing_pass || c->each->counting)
		return;   /* a count counts what is there; the list itself is checked first */
	es->missing++;
	if (!es->inv && !c->each->counting)
		add_point(ev, c, &c->path, NULL, anchor, es->f, 0, 0, 0);
}

/* walk() for the items of an `each` path */
static void walk_each(gv_evaluator *ev, eachstate *es, const gv_path *p, uint32_t i,
		      const gv_node *cur, const gv_node *anchor)
{
	const gv_seg *g;

	if (i == p->nsegs) {
		each_item(ev, es, cur);
		return;
	}
	g = &p->segs[i];
	if (g->kind == GV_SEG_KEY) {
		const gv_pair *pr = gv_node_get_pair(cur, g->key, g->len);
		if (!pr || pr->val->kind == GV_NODE_NULL) {
			each_missing(ev, es, pr ? pr->val : anchor);
			return;
		}
		walk_each(ev, es, p, i + 1, pr->val, pr->key);
	} else if (g->kind == GV_SEG_INDEX) {
		int64_t k = g->index;
		if (cur->kind != GV_NODE_SEQ) {
			each_missing(ev, es, anchor);
			return;
		}
		if (k < 0)
			k += cur->n;
		if (k < 0 || k >= cur->n) {
			each_missing(ev, es, anchor);
			return;
		}
		walk_each(ev, es, p, i + 1, cur->u.items[k], cur->u.items[k]);
	} else {
		uint32_t j;
		if ((cur->kind != GV_NODE_SEQ && cur->kind != GV_NODE_MAP) || ev->nidx == MAX_WILD) {
			each_missing(ev, es, anchor);
			return;
		}
		ev->nidx++;
		for (j = 0; j < cur->n; j++) {
			const gv_node *el = cur->kind == GV_NODE_SEQ ? cur->u.items[j] :
					    cur->u.pairs[j].val;
			ev->idx[ev->nidx - 1] = j;
			walk_each(ev, es, p, i + 1, el,
				  cur->kind == GV_NODE_SEQ ? el : cur->u.pairs[j].key);
		}
		ev->nidx--;
	}
}

/*
 * Without counting: holds when `check` holds for every item `where`
 * selects (an empty list holds); each failing item explains itself with
 * its own points. Counting: holds when the count is within the bounds,
 * explained by one point at the list (the path up to its first [*]).
 */
static int eval_each(gv_evaluator *ev, const gv_check *c, int inv)
{
	const gv_each *e = c->each;
	eachstate es;
	const gv_node *root, *list = NULL, *anchor = NULL;
	const gv_file *lf = NULL;
	int t;

	memset(&es, 0, sizeof(es));
	es.c = c;
	es.inv = inv;
	if (e->counting) {
		list = resolve_one(ev, &e->prefix, &anchor, &lf);
		if (!list || list->kind == GV_NODE_NULL) {
			if (c->missing_pass)
				return 1;
			if (!inv)
				add_point(ev, c, &e->prefix, list, anchor, lf, 0, 0, 0);
			return 0;
		}
	}
	root = root_of(ev, &c->path, &es.f);
	if (!root)
		each_missing(ev, &es, NULL);
	else
		walk_each(ev, &es, &c->path, 0, root, root);
	if (!e->counting) {
		t = es.held == es.seen && !es.missing;
	} else {
		t = es.count >= e->min_count && es.count <= e->max_count && !es.missing;
		if (t == inv) {
			add_point(ev, c, &e->prefix, list, anchor, lf, inv, 0, 0);
			ev->pts[ev->npts - 1].count = es.count;
		}
	}
	free(es.vals);
	return t;
}

static int eval(gv_evaluator *ev, const gv_check *c, int inv)
{
	size_t mark = ev->npts;
	uint32_t i;
	int t;

	switch (c->op) {
	case GV_OP_ALL:
		t = 1;
		for (i = 0; i < c->nkids; i++)
			t &= eval(ev, c->kids[i], inv);
		break;
	case GV_OP_ANY:
		t = 0;
		for (i = 0; i < c->nkids; i++)
			t |= eval(ev, c->kids[i], inv);
		break;
	case GV_OP_NONE:
		/* none = all of not(kid) */
		t = 1;
		for (i = 0; i < c->nkids; i++)
			t &= !eval(ev, c->kids[i], !inv);
		break;
	case GV_OP_NOT:
		t = !eval(ev, c->kids[0], !inv);
		break;
	case GV_OP_SAME:
		t = eval_same(ev, c, inv);
		break;
	case GV_OP_EACH:
		t = eval_each(ev, c, inv);
		break;
	default:
		t = eval_leaf(ev, c, inv);
	}
	if (t != inv)
		ev->npts = mark;
	return t;
}

/* ---- findings ---- */

static void render(gv_buf *b, const gv_node *n, int depth)
{
	uint32_t i;

	if (!n) {
		gv_buf_puts(b, "missing");
		return;
	}
	if (b->len > 200) {
		gv_buf_puts(b, "...");
		return;
	}
	switch (n->kind) {
	case GV_NODE_NULL:
		gv_buf_puts(b, "null");
		break;
	case GV_NODE_SEQ:
		if (depth > 3) {
			gv_buf_puts(b, "[...]");
			break;
		}
		gv_buf_putc(b, '[');
		for (i = 0; i < n->n && b->len <= 200; i++) {
			if (i)
				gv_buf_puts(b, ", ");
			render(b, n->u.items[i], depth + 1);
		}
		gv_buf_puts(b, i < n->n ? ", ...]" : "]");
		break;
	case GV_NODE_MAP:
		if (depth > 3) {
			gv_buf_puts(b, "{...}");
			break;
		}
		gv_buf_putc(b, '{');
		for (i = 0; i < n->n && b->len <= 200; i++) {
			if (i)
				gv_buf_puts(b, ", ");
			gv_buf_add(b, n->u.pairs[i].key->s, n->u.pairs[i].key->n);
			gv_buf_puts(b, ": ");
			render(b, n->u.pairs[i].val, depth + 1);
		}
		gv_buf_puts(b, i < n->n ? ", ...}" : "}");
		break;
	default:
		gv_buf_add(b, n->s, n->n > 200 ? 200 : n->n);
		if (n->n > 200)
			gv_buf_puts(b, "...");
	}
}

static const char *arena_buf(gv_arena *a, gv_buf *b)
{
	return gv_arena_strndup(a, b->ptr, b->len);
}

/* A path with its wildcards resolved to idx; a bound item's root is
 * replaced by the path of the item it is bound to. */
static void path_render(const gv_evaluator *ev, gv_buf *b, const gv_path *p, uint8_t nidx,
			const uint32_t *idx, int empty, int32_t bind)
{
	static const char *roots[] = { "manifest", "cloud", "onprem" };
	uint32_t i, w = 0;

	if (p->root >= GV_NROOTS) {
		int32_t k = bind;
		while (k >= 0 && ev->binds[k].level != p->root - GV_NROOTS)
			k = ev->binds[k].parent;
		if (k >= 0) {
			const binding *bd = &ev->binds[k];
			path_render(ev, b, bd->path, bd->nidx, bd->idx, 0, bd->parent);
		} else {
			gv_buf_puts(b, "item");
		}
	} else {
		gv_buf_puts(b, roots[p->root]);
	}
	for (i = 0; i < p->nsegs; i++) {
		const gv_seg *g = &p->segs[i];
		if (g->kind == GV_SEG_KEY) {
			if (strpbrk(g->key, ".[]\"") || !g->len)
				gv_buf_printf(b, "[\"%s\"]", g->key);
			else
				gv_buf_printf(b, ".%s", g->key);
		} else if (g->kind == GV_SEG_INDEX) {
			gv_buf_printf(b, "[%lld]", (long long)g->index);
		} else if (w < nidx && !empty) {
			gv_buf_printf(b, "[%u]", idx[w++]);
		} else {
			gv_buf_puts(b, "[*]");
		}
	}
}

static void path_text(const gv_evaluator *ev, gv_buf *b, const point *pt)
{
	path_render(ev, b, pt->path, pt->nidx, pt->idx, pt->empty, pt->bind);
}

/* A value for a message about its type: strings quoted, so that "5" is
 * visibly not 5. */
static void render_typed(gv_buf *b, const gv_node *n)
{
	if (n->kind == GV_NODE_STR) {
		gv_buf_putc(b, '"');
		render(b, n, 0);
		gv_buf_putc(b, '"');
	} else {
		render(b, n, 0);
	}
	gv_buf_printf(b, " (%s", gv_node_kind_a(n->kind));
}

static int has_length(const gv_node *n)
{
	return n->kind == GV_NODE_STR || n->kind == GV_NODE_SEQ || n->kind == GV_NODE_MAP;
}

static int is_order_op(int op)
{
	return op == GV_OP_GT || op == GV_OP_GTE || op == GV_OP_LT || op == GV_OP_LTE;
}

static const char *op_phrase(int op, int inv)
{
	static const char *pos[GV_NOPS] = {
		"equal", "differ from", "be one of", "not be one of", "match",
		"not match", "exist", "be greater than", "be at least", "be less than",
		"be at most", "contain", "have a length of at least",
		"have a length of at most", "", "", "", "", "equal", ""
	};
	static const char *neg[GV_NOPS] = {
		"not equal", "equal", "not be one of", "be one of", "not match",
		"match", "not exist", "not be greater than", "be less than",
		"not be less than", "be greater than", "not contain",
		"have a length under", "have a length over", "", "", "", "", "differ from", ""
	};
	return inv ? neg[op] : pos[op];
}

/* Fills {actual}, {expected}, {path} in a message template. */
static void expand(gv_buf *out, const char *tmpl, const char *actual, const char *expected,
		   const char *path)
{
	const char *p = tmpl;

	while (*p) {
		if (*p == '{') {
			if (!strncmp(p, "{actual}", 8)) {
				gv_buf_puts(out, actual);
				p += 8;
				continue;
			}
			if (!strncmp(p, "{expected}", 10)) {
				gv_buf_puts(out, expected);
				p += 10;
				continue;
			}
			if (!strncmp(p, "{path}", 6)) {
				gv_buf_puts(out, path);
				p += 6;
				continue;
			}
		}
		gv_buf_putc(out, *p++);
	}
}

static const char *const stale_fix[] = {
	"Collect the cloud facts again (govgate probe, the side's export) and run again.",
	"Collect the on-prem facts again (govgate probe, the side's export) and run again.",
};
/* "at least 2", "at most 3", "between 2 and 5", "exactly 2" */
static void count_bounds(gv_buf *b, const gv_each *e)
{
	if (e->max_count == UINT32_MAX)
		gv_buf_printf(b, "at least %u", e->min_count);
	else if (!e->min_count)
		gv_buf_printf(b, "at most %u", e->max_count);
	else if (e->min_count == e->max_count)
		gv_buf_printf(b, "exactly %u", e->min_count);
	else
		gv_buf_printf(b, "between %u and %u", e->min_count, e->max_count);
}

/* The message of a value whose type its operator cannot work with (the
 * template, if any, would read as if the comparison had been made). 0 when
 * the types are fine. */
static int type_message(gv_buf *b, const point *pt, const char *path, const char *expected)
{
	const gv_check *c = pt->c;
	const gv_node *v = pt->val, *o = pt->operand;
	int op = c->op;

	if (is_order_op(op) && !is_num(v)) {
		gv_buf_printf(b, "%s is ", path);
		render_typed(b, v);
		gv_buf_printf(b, ", not a number); expected it to %s %s", op_phrase(op, pt->inv),
			      expected);
		return 1;
	}
	if (is_order_op(op) && o && !is_num(o)) {
		gv_buf_printf(b, "%s cannot be compared with the value at %s, which is ", path,
			      c->oppath->text);
		render_typed(b, o);
		gv_buf_puts(b, ", not a number)");
		return 1;
	}
	if ((op == GV_OP_IN || op == GV_OP_NOT_IN) && o && o->kind != GV_NODE_SEQ) {
		gv_buf_printf(b, "%s cannot be looked up in the value at %s, which is ", path,
			      c->oppath ? c->oppath->text : "?");
		render_typed(b, o);
		gv_buf_puts(b, ", not a list)");
		return 1;
	}
	if ((op == GV_OP_MIN_LENGTH || op == GV_OP_MAX_LENGTH) && !has_length(v)) {
		gv_buf_printf(b, "%s is ", path);
		render_typed(b, v);
		gv_buf_printf(b, ", which has no length); expected it to %s %s",
			      op_phrase(op, pt->inv), expected);
		return 1;
	}
	return 0;
}

static void add_finding(gv_evaluator *ev, gv_result *res, const gv_rule *r, const point *pt,
			const gv_file *mf, uint32_t doc)
{
	gv_buf *b = &ev->tmp;
	gv_finding *fd;
	const gv_check *c = pt->c;
	const gv_node *locnode;
	const char *path, *actual, *expected;
	int op = c ? c->op : 0;
	int lenop = op == GV_OP_MIN_LENGTH || op == GV_OP_MAX_LENGTH;
	size_t len = 0;

	if (!res->arena)
		res->arena = gv_arena_new();
	GV_GROW(res->findings, res->alloc, res->nfindings + 1);
	fd = &res->findings[res->nfindings++];
	memset(fd, 0, sizeof(*fd));
	fd->policy = r->policy;
	fd->rule = r->id;
	fd->title = r->title;
	fd->remediation = r->remediation;
	fd->enforcement = r->enforcement;
	fd->severity = r->severity;
	fd->doc = doc;
	fd->missing = !pt->val || pt->val->kind == GV_NODE_NULL;

	gv_buf_clear(b);
	path_text(ev, b, pt);
	path = fd->path = arena_buf(res->arena, b);
	gv_buf_clear(b);
	if (pt->empty) {
		gv_buf_puts(b, "[]");
	} else if (op == GV_OP_EACH && !fd->missing) {
		gv_buf_printf(b, "%u", pt->count);   /* a count */
	} else if (lenop && !fd->missing && has_length(pt->val)) {
		/* a length check is about the length, not the whole list */
		len = pt->val->kind == GV_NODE_STR ? utf8_len(pt->val->s, pt->val->n) : pt->val->n;
		gv_buf_printf(b, "%zu", len);
	} else {
		render(b, pt->val, 0);
	}
	actual = fd->actual = arena_buf(res->arena, b);
	gv_buf_clear(b);
	if (op == GV_OP_SAME)
		render(b, pt->expected, 0);
	else if (op == GV_OP_EACH)
		count_bounds(b, c->each);
	else if (op == GV_OP_MATCHES || op == GV_OP_NOT_MATCHES)
		gv_buf_printf(b, "/%s/", c->operand->s);
	else if (c && c->oppath && !pt->operand)
		gv_buf_printf(b, "the value at %s, which is missing", c->oppath->text);
	else if (pt->operand)
		render(b, pt->operand, 0);
	expected = fd->expected = arena_buf(res->arena, b);

	/* location: the value, else the nearest present parent's key, else the
	 * start of the manifest document */
	locnode = pt->val && !pt->empty ? pt->val : pt->anchor;
	if (locnode && pt->file) {
		fd->file = pt->file->path;
		fd->line = locnode->line;
		fd->col = locnode->col;
	} else {
		fd->file = mf->path;
		fd->line = ev->docroot->line;
		fd->col = ev->docroot->col;
	}
	fd->file = gv_arena_strndup(res->arena, fd->file, strlen(fd->file));

	gv_buf_clear(b);
	if (pt->rxlimit == 2) {
		gv_buf_printf(b, "%s was not checked against /%s/: the regex budget of the run "
			      "is used up; treated as a violation", path, c->operand->s);
	} else if (pt->rxlimit) {
		gv_buf_printf(b, "%s could not be matched against /%s/ within the regex "
			      "work limit; treated as a violation", path, c->operand->s);
	} else if (!pt->val && pt->path->root < GV_NROOTS && pt->path->root != GV_ROOT_MANIFEST &&
		   !ev->roots[pt->path->root]) {
		const char *side = pt->path->root == GV_ROOT_CLOUD ? "cloud" : "onprem";
		/* the age and the limit were said once, when the facts were loaded
		 * (GV-F004); the rule's remediation would point at the wrong fix */
		if (ev->stale[pt->path->root]) {
			gv_buf_printf(b, "%s: fact unavailable (stale)", path);
			fd->remediation = pt->path->root == GV_ROOT_CLOUD ? stale_fix[0] : stale_fix[1];
		} else {
			gv_buf_printf(b, "%s is missing: no %s facts were given (--%s-facts)",
				      path, side, side);
		}
		if (r->title)
			gv_buf_printf(b, " [%s]", r->title);
	} else if (fd->missing && !(op == GV_OP_EXISTS && pt->inv == c->operand->u.b)) {
		gv_buf_printf(b, pt->val ? "%s is null (not set)" : "%s is missing", path);
		if (r->title)
			gv_buf_printf(b, " [%s]", r->title);
	} else if (!pt->inv && op != GV_OP_EACH && type_message(b, pt, path, expected)) {
		if (r->title)
			gv_buf_printf(b, " [%s]", r->title);
	} else if (r->message && !pt->inv) {
		expand(b, r->message, actual, expected, path);
	} else if (op == GV_OP_EXISTS) {
		gv_buf_printf(b, "%s %s", path,
			      (c->operand->u.b != pt->inv) ? "must be set" : "must not be set");
	} else if (op == GV_OP_EACH) {
		const gv_each *e = c->each;
		gv_buf_printf(b, "%s has %u ", path, pt->count);
		if (e->distinct) {
			gv_buf_printf(b, "distinct value%s of %s among the ", pt->count == 1 ? "" : "s",
				      e->distinct->text);
			gv_buf_puts(b, e->where || e->check ? "matching items" : "items");
		} else {
			gv_buf_printf(b, "%sitem%s", e->where || e->check ? "matching " : "",
				      pt->count == 1 ? "" : "s");
		}
		gv_buf_printf(b, "; expected %s%s", pt->inv ? "not " : "", expected);
	} else if (lenop) {
		if (pt->val->kind == GV_NODE_STR) {
			gv_buf_printf(b, "%s is ", path);
			render(b, pt->val, 0);
			gv_buf_printf(b, " (%zu character%s); expected it to %s %s", len,
				      len == 1 ? "" : "s", op_phrase(op, pt->inv), expected);
		} else {
			gv_buf_printf(b, "%s has %zu %s; expected it to %s %s", path, len,
				      pt->val->kind == GV_NODE_MAP ? (len == 1 ? "key" : "keys") :
				      (len == 1 ? "item" : "items"), op_phrase(op, pt->inv), expected);
		}
	} else if ((op == GV_OP_MATCHES || op == GV_OP_NOT_MATCHES) && r->title && !pt->inv) {
		/* the value and the rule's intent, not the whole pattern */
		gv_buf_printf(b, op == GV_OP_MATCHES ?
			      "%s is %s, which does not have the form the rule requires [%s]" :
			      "%s is %s, a form the rule forbids [%s]", path, actual, r->title);
	} else {
		gv_buf_printf(b, "%s is %s; expected it to %s %s", path, actual,
			      op_phrase(op, pt->inv), expected);
	}
	fd->message = arena_buf(res->arena, b);
}

int gv_eval_leaf(gv_evaluator *ev, const gv_check *c, const gv_node *o, const gv_node *v)
{
	return leaf_holds(ev, c, o, v);
}

int gv_eval_equal(const gv_node *a, const gv_node *b)
{
	return node_equal(a, b, 0);
}

void gv_eval_render(gv_buf *b, const gv_node *n)
{
	render(b, n, 0);
}

static const char *identity(gv_result *res, const gv_node *root, const char *key)
{
	const gv_node *v = gv_node_get(root, key);

	if (!v || !gv_node_is_scalar(v) || v->kind == GV_NODE_NULL)
		return NULL;
	return gv_arena_strndup(res->arena, v->s, v->n);
}

void gv_eval_doc(gv_evaluator *ev, gv_result *res, const gv_file *mf, uint32_t doc)
{
	const gv_program *p = ev->prog;
	const gv_node *id;
	uint32_t i, j, base, *evaluated = NULL;
	size_t k;

	memset(res, 0, sizeof(*res));
	ev->roots[GV_ROOT_MANIFEST] = mf->docs[doc];
	ev->files[GV_ROOT_MANIFEST] = mf;
	ev->docroot = mf->docs[doc];
	id = gv_node_get(mf->docs[doc], "deployment_id");
	if (id && gv_node_is_scalar(id) && id->kind != GV_NODE_NULL) {
		res->arena = gv_arena_new();
		res->deployment_id = gv_arena_strndup(res->arena, id->s, id->n);
		res->mode = identity(res, mf->docs[doc], "mode");
		res->cloud_region = identity(res, mf->docs[doc], "cloud_region");
		res->on_prem = identity(res, mf->docs[doc], "on_prem");
		res->status = identity(res, mf->docs[doc], "status");
	}
	for (i = 0, base = 0; i < p->npolicies; base += p->policies[i++].nrules) {
		const gv_policy *pol = &p->policies[i];

		ev->npts = 0;
		ev->nidx = 0;
		if (pol->match && !eval(ev, pol->match, 0))
			continue;
		if (p->napproval_policies) {
			/* governance.c needs to know which policies applied */
			if (!res->applied) {
				if (!res->arena)
					res->arena = gv_arena_new();
				res->applied = gv_arena_alloc(res->arena,
							      sizeof(*res->applied) * p->npolicies);
			}
			((uint32_t *)res->applied)[res->policies_applied] = i;
		}
		res->policies_applied++;
		for (j = 0; j < pol->nrules; j++) {
			const gv_rule *r = &pol->rules[j];

			ev->npts = 0;
			ev->nidx = 0;
			ev->nbinds = 0;
			if (r->when && !eval(ev, r->when, 0))
				continue;
			if (!evaluated) {
				if (!res->arena)
					res->arena = gv_arena_new();
				evaluated = gv_arena_alloc(res->arena,
							   sizeof(*evaluated) * p->nrules);
				res->evaluated = evaluated;
			}
			evaluated[res->rules_evaluated++] = base + j;
			ev->npts = 0;
			if (eval(ev, r->check, 0)) {
				if (ev->trace)
					ev->trace[base + j] |= GV_TRACE_PASSED;
				continue;
			}
			if (ev->trace)
				ev->trace[base + j] |= GV_TRACE_FAILED;
			if (!ev->npts) {
				point pt;
				memset(&pt, 0, sizeof(pt));
				pt.bind = -1;
				pt.c = r->check;
				pt.path = &r->check->path;
				add_finding(ev, res, r, &pt, mf, doc);
			}
			for (k = 0; k < ev->npts; k++)
				add_finding(ev, res, r, &ev->pts[k], mf, doc);
			if (r->enforcement > res->decision)
				res->decision = r->enforcement;
		}
	}
	ev->roots[GV_ROOT_MANIFEST] = NULL;
	ev->files[GV_ROOT_MANIFEST] = NULL;
}
