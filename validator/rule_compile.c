/*
 * rule_compile.c: check nodes -> gv_check trees.
 *
 * A check is a mapping with exactly one operator: a leaf operator with a
 * `path` (optionally `missing: pass` and `quantifier: any`), a combinator
 * (`all`, `any`, `none` over lists of checks, `not` over one check), or
 * `same: [PATH, PATH, ...]`, or `each: PATH` with `where`, `check`, `as`
 * and the counting keys. Operands are literals or `$params.NAME`,
 * substituted here from the rule's `with:` and then its `params:`, and are
 * type-checked against their operator, so that a rule that could never
 * work is an error when it is loaded rather than a finding on every manifest.
 */
#include "policy.h"
#include "alloc.h"
#include "gv.h"
#include "rx.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* What a check is compiled in: the rule's params and the items bound by
 * the `each` forms around it (innermost last). */
typedef struct cctx {
	gv_arena *a;
	const gv_file *f;
	const gv_node *params, *with;
	const gv_file *withf;   /* the file `with` is in (a policy's `use:`) */
	gv_diags *d;
	const char *names[GV_MAX_EACH];
	uint8_t nnames;
	uint8_t guard;          /* 1 in a rule's `when`, 2 in a `where` */
} cctx;

static int compile(gv_check **out, cctx *cx, const gv_node *n);

static const char *op_names[GV_NOPS] = {
	"equals", "not_equals", "in", "not_in", "matches", "not_matches", "exists",
	"gt", "gte", "lt", "lte", "contains", "min_length", "max_length",
	"all", "any", "none", "not", "same", "each"
};

const char *gv_op_name(int op)
{
	return op >= 0 && op < GV_NOPS ? op_names[op] : "?";
}

static gv_loc at(const gv_file *f, const gv_node *n)
{
	return gv_node_loc(f, n);
}

static int path_error(gv_diags *d, const gv_file *f, const gv_node *n, size_t off,
		      const char *what)
{
	gv_loc l = at(f, n);
	l.col += (uint32_t)off + (n->quoted ? 1 : 0);
	gv_diag_at(d, GV_SEV_ERROR, "GV-P020", l, "invalid path '%s': %s", n->s, what);
	return GV_EPARSE;
}

static int path_parse(gv_path *out, gv_arena *a, const gv_file *f, const gv_node *n,
		      const char *const *names, unsigned nnames, gv_diags *d)
{
	static const char *roots[GV_NROOTS] = { "manifest", "cloud", "onprem" };
	const char *s, *p, *end;
	gv_seg segs[128];
	uint32_t nsegs = 0;
	size_t rl;
	int r;

	memset(out, 0, sizeof(*out));
	if (n->kind != GV_NODE_STR)
		return gv_diag_at(d, GV_SEV_ERROR, "GV-P020", at(f, n),
				  "a path must be a string, not %s", gv_node_kind_a(n->kind)),
		       GV_EPARSE;
	s = n->s;
	end = s + n->n;
	rl = strcspn(s, ".[");
	for (r = 0; r < GV_NROOTS; r++)
		if (strlen(roots[r]) == rl && !strncmp(s, roots[r], rl))
			break;
	if (r == GV_NROOTS) {
		unsigned i = nnames;
		while (i > 0 && !(strlen(names[i - 1]) == rl && !strncmp(s, names[i - 1], rl)))
			i--;
		if (i > 0) {
			r = GV_NROOTS + (int)(i - 1);
		} else if (!nnames) {
			return path_error(d, f, n, 0, "it must start with manifest, cloud or onprem");
		} else {
			char what[200];
			size_t w;
			w = (size_t)snprintf(what, sizeof(what),
					     "it must start with manifest, cloud, onprem or a bound item (");
			for (i = nnames; i > 0 && w < sizeof(what); i--)
				w += (size_t)snprintf(what + w, sizeof(what) - w, "%s%s",
						      names[i - 1], i > 1 ? ", " : ")");
			return path_error(d, f, n, 0, what);
		}
	}
	out->root = (uint8_t)r;
	p = s + rl;
	while (p < end) {
		gv_seg *g;

		if (nsegs == GV_ARRAY_LEN(segs))
			return path_error(d, f, n, (size_t)(p - s), "too many segments");
		g = &segs[nsegs];
		memset(g, 0, sizeof(*g));
		if (*p == '.') {
			size_t kl = strcspn(p + 1, ".[");
			if (!kl)
				return path_error(d, f, n, (size_t)(p - s) + 1, "empty key");
			g->kind = GV_SEG_KEY;
			g->key = gv_arena_strndup(a, p + 1, kl);
			g->len = (uint32_t)kl;
			p += 1 + kl;
		} else if (*p == '[') {
			const char *q = p + 1;
			if (*q == '*' && q[1] == ']') {
				g->kind = GV_SEG_WILD;
				out->wild = 1;
				p = q + 2;
			} else if (*q == '"' || *q == '\'') {
				const char *close = strchr(q + 1, *q);
				if (!close || close[1] != ']')
					return path_error(d, f, n, (size_t)(q - s), "unterminated quoted key");
				g->kind = GV_SEG_KEY;
				g->key = gv_arena_strndup(a, q + 1, (size_t)(close - q - 1));
				g->len = (uint32_t)(close - q - 1);
				p = close + 2;
			} else {
				int neg = 0;
				int64_t v = 0;
				if (*q == '-')
					neg = 1, q++;
				if (!(*q >= '0' && *q <= '9'))
					return path_error(d, f, n, (size_t)(q - s),
							  "expected an index, [*] or a quoted key");
				while (*q >= '0' && *q <= '9') {
					if (v > 100000000)
						return path_error(d, f, n, (size_t)(q - s), "index too large");
					v = v * 10 + (*q++ - '0');
				}
				if (*q != ']')
					return path_error(d, f, n, (size_t)(q - s), "expected ']'");
				g->kind = GV_SEG_INDEX;
				g->index = neg ? -v : v;
				p = q + 1;
			}
		} else {
			return path_error(d, f, n, (size_t)(p - s), "expected '.' or '['");
		}
		nsegs++;
	}
	out->nsegs = nsegs;
	out->segs = gv_arena_alloc(a, nsegs * sizeof(gv_seg));
	memcpy(out->segs, segs, nsegs * sizeof(gv_seg));
	out->text = gv_arena_strndup(a, s, n->n);
	return GV_OK;
}

int gv_path_parse(gv_path *out, gv_arena *a, const gv_file *f, const gv_node *n, gv_diags *d)
{
	return path_parse(out, a, f, n, NULL, 0, d);
}

/* Substitutes `$params.NAME`; *out is the operand to use. */
static int resolve_operand(const gv_node **out, const gv_file *f, const gv_node *v,
			   const gv_node *params, const gv_node *with, gv_diags *d)
{
	const gv_node *r;
	const char *name;

	*out = v;
	if (v->kind != GV_NODE_STR || v->quoted == 2 || strncmp(v->s, "$params.", 8))
		return GV_OK;
	name = v->s + 8;
	if ((r = gv_node_get(with, name)) || (r = gv_node_get(params, name))) {
		*out = r;
		return GV_OK;
	}
	gv_diag_at(d, GV_SEV_ERROR, "GV-P030", at(f, v),
		   "'$params.%s' is not defined by the rule's params or with", name);
	return GV_EPARSE;
}

/* "$manifest.a.b", "$cloud.x", "$onprem.y", "$item.z": an operand read at
 * run time. */
static int is_path_operand(const cctx *cx, const gv_node *v)
{
	static const char *const roots[] = { "manifest", "cloud", "onprem" };
	size_t i, n;

	if (v->kind != GV_NODE_STR || v->s[0] != '$')
		return 0;
	for (i = 0; i < GV_ARRAY_LEN(roots) + cx->nnames; i++) {
		const char *r = i < GV_ARRAY_LEN(roots) ? roots[i] :
				cx->names[i - GV_ARRAY_LEN(roots)];
		n = strlen(r);
		if (!strncmp(v->s + 1, r, n) && (v->s[n + 1] == '.' || v->s[n + 1] == '['))
			return 1;
	}
	return 0;
}

static int compile_path_operand(gv_check *c, cctx *cx, const gv_node *v)
{
	gv_node tmp = *v;

	switch (c->op) {
	case GV_OP_EQUALS:
	case GV_OP_NOT_EQUALS:
	case GV_OP_IN:
	case GV_OP_NOT_IN:
	case GV_OP_GT:
	case GV_OP_GTE:
	case GV_OP_LT:
	case GV_OP_LTE:
	case GV_OP_CONTAINS:
		break;
	default:
		return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P032", at(cx->f, v),
				  "'%s' takes a literal operand, not a path '%s'",
				  gv_op_name(c->op), v->s), GV_EPARSE;
	}
	tmp.s = v->s + 1;
	tmp.n = v->n - 1;
	tmp.col += v->quoted ? 2 : 1;
	tmp.quoted = 0;
	c->oppath = gv_arena_alloc(cx->a, sizeof(gv_path));
	if (path_parse(c->oppath, cx->a, cx->f, &tmp, cx->names, cx->nnames, cx->d) < 0)
		return GV_EPARSE;
	if (c->oppath->wild)
		return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P032", at(cx->f, v),
				  "an operand path names one value; '[*]' is not allowed"),
		       GV_EPARSE;
	return GV_OK;
}

static int find_op(const char *k)
{
	int i;

	for (i = 0; i < GV_NOPS; i++)
		if (!strcmp(op_names[i], k))
			return i;
	return -1;
}

static int compile_list(gv_check *c, cctx *cx, const gv_node *v)
{
	uint32_t i;
	int err = GV_OK;

	if (v->kind != GV_NODE_SEQ || !v->n)
		return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P021", at(cx->f, v),
				  "'%s' takes a non-empty list of checks", gv_op_name(c->op)),
		       GV_EPARSE;
	c->nkids = v->n;
	c->kids = gv_arena_alloc(cx->a, v->n * sizeof(gv_check *));
	for (i = 0; i < v->n; i++)
		if (compile(&c->kids[i], cx, v->u.items[i]) < 0)
			err = GV_EPARSE;
	return err;
}

static void rx_free(void *rx)
{
	gv_rx_free(rx);
}

/* "'gt' takes a number, not a string": what an operand should have been,
 * naming the $params value when the operand came from one. */
static int type_error(cctx *cx, const gv_check *c, const gv_node *raw, const char *want,
		      const char *got)
{
	const gv_node *v = c->operand;

	/* a $params value is reported where it is written: the rule's params,
	 * or the with: of the policy that uses the rule */
	if (raw != v && raw->kind == GV_NODE_STR)
		return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P022",
				  at(gv_node_get(cx->with, raw->s + 8) == v ? cx->withf : cx->f, v),
				  "'%s' takes %s, but %s is %s (used at %s:%u:%u)", gv_op_name(c->op),
				  want, raw->s, got, cx->f->path, raw->line, raw->col);
	return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P022", at(cx->f, raw), "'%s' takes %s, not %s",
			  gv_op_name(c->op), want, got);
}

/* What an operand is, for a message: worked out only when one is needed. */
static const char *got_of(const gv_node *v, char got[96])
{
	snprintf(got, 96, "%s", gv_node_kind_a(v->kind));
	if (v->kind == GV_NODE_STR && v->n <= 40)
		snprintf(got, 96, "a string (\"%s\")", v->s);
	else if ((v->kind == GV_NODE_INT || v->kind == GV_NODE_FLOAT) && v->n <= 40)
		snprintf(got, 96, "%s (%s)", gv_node_kind_a(v->kind), v->s);
	return got;
}

static int check_operand(gv_check *c, cctx *cx, const gv_node *raw)
{
	const gv_node *v = c->operand;
	char msg[256], got[96];
	size_t off = 0;

	switch (c->op) {
	case GV_OP_EQUALS:
	case GV_OP_NOT_EQUALS:
		if (v->kind == GV_NODE_NULL)
			return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P022", at(cx->f, raw),
					  "'%s' cannot compare with null, which counts as not set; "
					  "use exists: %s", gv_op_name(c->op),
					  c->op == GV_OP_EQUALS ? "false" : "true"), GV_EPARSE;
		return GV_OK;
	case GV_OP_IN:
	case GV_OP_NOT_IN:
		if (v->kind != GV_NODE_SEQ)
			return type_error(cx, c, raw, "a list", got_of(v, got)), GV_EPARSE;
		return GV_OK;
	case GV_OP_MATCHES:
	case GV_OP_NOT_MATCHES:
		if (v->kind != GV_NODE_STR)
			return type_error(cx, c, raw, "a string (a PCRE2 pattern)", got_of(v, got)), GV_EPARSE;
		if (gv_rx_compile(&c->rx, v->s, v->n, msg, sizeof(msg), &off) == 0) {
			/* freed with the program's arena, whatever becomes of the check */
			gv_arena_on_free(cx->a, rx_free, c->rx);
		} else {
			gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P031", at(cx->f, raw),
				   "regex '%s' does not compile: %s at offset %zu",
				   v->s, msg, off);
			return GV_EPARSE;
		}
		return GV_OK;
	case GV_OP_EXISTS:
		if (v->kind != GV_NODE_BOOL)
			return type_error(cx, c, raw, "true or false", got_of(v, got)), GV_EPARSE;
		return GV_OK;
	case GV_OP_GT:
	case GV_OP_GTE:
	case GV_OP_LT:
	case GV_OP_LTE:
		/* only a number node is a number: "5" quoted is a string */
		if (v->kind != GV_NODE_INT && v->kind != GV_NODE_FLOAT)
			return type_error(cx, c, raw, "a number", got_of(v, got)), GV_EPARSE;
		if (isnan(gv_node_num(v)))
			return type_error(cx, c, raw, "a number", "NaN, which nothing is ordered with"),
			       GV_EPARSE;
		return GV_OK;
	case GV_OP_MIN_LENGTH:
	case GV_OP_MAX_LENGTH:
		if (v->kind == GV_NODE_INT && v->u.i < 0) {
			snprintf(got, sizeof(got), "%s", v->s);
			return type_error(cx, c, raw, "a non-negative integer", got), GV_EPARSE;
		}
		if (v->kind != GV_NODE_INT)
			return type_error(cx, c, raw, "a non-negative integer", got_of(v, got)), GV_EPARSE;
		return GV_OK;
	case GV_OP_CONTAINS:
		if (!gv_node_is_scalar(v) || v->kind == GV_NODE_NULL)
			return type_error(cx, c, raw, "a string, number or boolean", got_of(v, got)), GV_EPARSE;
		return GV_OK;
	default:
		return GV_OK;
	}
}

/* A count bound: a non-negative integer, or $params.NAME naming one. */
static int count_operand(uint32_t *out, cctx *cx, const gv_node *raw, const char *key)
{
	const gv_node *v;

	if (resolve_operand(&v, cx->f, raw, cx->params, cx->with, cx->d) < 0)
		return GV_EPARSE;
	if (v->kind != GV_NODE_INT || v->u.i < 0)
		return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P022", at(cx->f, raw),
				  "'%s' takes a non-negative integer, not %s", key,
				  v->kind == GV_NODE_INT ? v->s : gv_node_kind_a(v->kind)), GV_EPARSE;
	*out = v->u.i > (int64_t)UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)v->u.i;
	return GV_OK;
}

static int valid_name(const char *s)
{
	static const char *const reserved[] = { "manifest", "cloud", "onprem", "params" };
	size_t i;

	if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	for (i = 0; i < GV_ARRAY_LEN(reserved); i++)
		if (!strcmp(s, reserved[i]))
			return 0;
	return 1;
}

/*
 * each: PATH [as: NAME] [where: CHECK] (check: CHECK | min_count/max_count
 * [distinct: PATH]) [missing: pass]. PATH is read in the enclosing scope;
 * where, check and distinct see the new item too.
 */
static int compile_each(gv_check *c, cctx *cx, const gv_node *n)
{
	gv_each *e = gv_arena_alloc(cx->a, sizeof(*e));
	const gv_node *pathnode = NULL, *as = NULL, *where = NULL, *check = NULL;
	const gv_node *distinct = NULL, *minc = NULL, *maxc = NULL;
	uint8_t guard = cx->guard;
	uint32_t i;
	int err = GV_OK;

	c->op = GV_OP_EACH;
	c->each = e;
	e->max_count = UINT32_MAX;
	for (i = 0; i < n->n; i++) {
		const gv_node *k = n->u.pairs[i].key, *v = n->u.pairs[i].val;
		if (!strcmp(k->s, "each"))
			pathnode = v;
		else if (!strcmp(k->s, "as"))
			as = v;
		else if (!strcmp(k->s, "where"))
			where = v;
		else if (!strcmp(k->s, "check"))
			check = v;
		else if (!strcmp(k->s, "distinct"))
			distinct = v;
		else if (!strcmp(k->s, "min_count"))
			minc = v;
		else if (!strcmp(k->s, "max_count"))
			maxc = v;
		else if (!strcmp(k->s, "missing")) {
			if (v->kind != GV_NODE_STR || (strcmp(v->s, "pass") && strcmp(v->s, "fail")))
				err = gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P024", at(cx->f, v),
						 "'missing' is 'pass' or 'fail', not '%s'",
						 v->s ? v->s : gv_node_kind_name(v->kind));
			else
				c->missing_pass = !strcmp(v->s, "pass");
		} else
			err = gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P012", at(cx->f, k),
					 "unknown key '%s' in an each check (each, as, where, check, "
					 "min_count, max_count, distinct, missing)", k->s);
	}
	if (err)
		return GV_EPARSE;
	if (path_parse(&c->path, cx->a, cx->f, pathnode, cx->names, cx->nnames, cx->d) < 0)
		return GV_EPARSE;
	if (!c->path.wild)
		return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P035", at(cx->f, pathnode),
				  "'each' takes a path with [*] (each match is one item), not '%s'",
				  pathnode->s), GV_EPARSE;
	e->prefix = c->path;
	for (i = 0; i < c->path.nsegs && c->path.segs[i].kind != GV_SEG_WILD; i++)
		;
	e->prefix.nsegs = i;
	e->prefix.wild = 0;
	if (cx->nnames == GV_MAX_EACH)
		return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P035", at(cx->f, n),
				  "'each' nests at most %d deep", GV_MAX_EACH), GV_EPARSE;
	e->name = "item";
	if (as) {
		unsigned j;
		if (as->kind != GV_NODE_STR || !valid_name(as->s))
			return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P035", at(cx->f, as),
					  "'as' names the item with lowercase letters, digits and '_' "
					  "(not manifest, cloud, onprem or params)"), GV_EPARSE;
		for (j = 0; j < cx->nnames; j++)
			if (strcmp(as->s, "item") && !strcmp(cx->names[j], as->s))
				return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P035", at(cx->f, as),
						  "'%s' already names an enclosing item", as->s),
				       GV_EPARSE;
		e->name = as->s;
	}
	if (minc && count_operand(&e->min_count, cx, minc, "min_count") < 0)
		err = GV_EPARSE;
	if (maxc && count_operand(&e->max_count, cx, maxc, "max_count") < 0)
		err = GV_EPARSE;
	if (!err && minc && maxc && e->min_count > e->max_count)
		err = gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P035", at(cx->f, maxc),
				 "'max_count' %u is below 'min_count' %u, so no list passes",
				 e->max_count, e->min_count);
	e->counting = minc || maxc;
	if (!e->counting && !check)
		return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P035", at(cx->f, n),
				  "'each' needs a 'check' for every item, or 'min_count' / "
				  "'max_count' to count them"), GV_EPARSE;
	if (distinct && !e->counting)
		return gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P035", at(cx->f, distinct),
				  "'distinct' counts items, so it needs 'min_count' or 'max_count'"),
		       GV_EPARSE;
	e->level = cx->nnames;
	cx->names[cx->nnames++] = e->name;
	if (where) {
		cx->guard = 2;
		if (compile(&e->where, cx, where) < 0)
			err = GV_EPARSE;
	}
	cx->guard = 0;
	if (check && compile(&e->check, cx, check) < 0)
		err = GV_EPARSE;
	if (distinct) {
		e->distinct = gv_arena_alloc(cx->a, sizeof(gv_path));
		if (path_parse(e->distinct, cx->a, cx->f, distinct, cx->names, cx->nnames,
			       cx->d) < 0)
			err = GV_EPARSE;
		else if (e->distinct->wild)
			err = gv_diag_at(cx->d, GV_SEV_ERROR, "GV-P035", at(cx->f, distinct),
					 "'distinct' names one value of the item; '[*]' is not allowed");
	}
	cx->nnames--;
	cx->guard = guard;
	return err;
}

static int compile(gv_check **out, cctx *cx, const gv_node *n)
{
	gv_check *c;
	const gv_node *opnode = NULL, *pathnode = NULL, *raw_operand = NULL;
	const gv_node *opkey = NULL, *quant = NULL;
	gv_arena *a = cx->a;
	const gv_file *f = cx->f;
	gv_diags *d = cx->d;
	uint32_t i;
	int err = GV_OK, op = -1;

	*out = c = gv_arena_alloc(a, sizeof(*c));
	c->line = n->line;
	c->col = n->col;
	if (n->kind != GV_NODE_MAP)
		return gv_diag_at(d, GV_SEV_ERROR, "GV-P023", at(f, n),
				  "a check must be a mapping, not %s", gv_node_kind_a(n->kind)),
		       GV_EPARSE;
	if (gv_node_get(n, "each"))
		return compile_each(c, cx, n);
	for (i = 0; i < n->n; i++) {
		const gv_node *k = n->u.pairs[i].key, *v = n->u.pairs[i].val;
		int o;

		if (!strcmp(k->s, "path")) {
			pathnode = v;
		} else if (!strcmp(k->s, "missing")) {
			if (v->kind != GV_NODE_STR || (strcmp(v->s, "pass") && strcmp(v->s, "fail")))
				err = gv_diag_at(d, GV_SEV_ERROR, "GV-P024", at(f, v),
						 "'missing' is 'pass' or 'fail', not '%s'",
						 v->s ? v->s : gv_node_kind_name(v->kind));
			else
				c->missing_pass = !strcmp(v->s, "pass");
		} else if (!strcmp(k->s, "quantifier")) {
			if (v->kind != GV_NODE_STR || (strcmp(v->s, "all") && strcmp(v->s, "any")))
				err = gv_diag_at(d, GV_SEV_ERROR, "GV-P024", at(f, v),
						 "'quantifier' is 'all' or 'any', not '%s'",
						 v->s ? v->s : gv_node_kind_name(v->kind));
			else
				c->any = !strcmp(v->s, "any");
			quant = v;
		} else if ((o = find_op(k->s)) >= 0 && o != GV_OP_EACH) {
			if (opkey) {
				err = gv_diag_at(d, GV_SEV_ERROR, "GV-P025", at(f, k),
						 "a check has one operator; '%s' follows '%s'",
						 k->s, opkey->s);
				continue;
			}
			opkey = k;
			opnode = v;
			op = o;
		} else {
			err = gv_diag_at(d, GV_SEV_ERROR, "GV-P012", at(f, k),
					 "unknown operator or key '%s' in a check", k->s);
		}
	}
	if (err)
		return GV_EPARSE;
	if (!opkey)
		return gv_diag_at(d, GV_SEV_ERROR, "GV-P026", at(f, n),
				  "a check needs an operator (equals, in, matches, all, same, each, ...)"),
		       GV_EPARSE;
	c->op = (uint8_t)op;
	switch (op) {
	case GV_OP_ALL:
	case GV_OP_ANY:
	case GV_OP_NONE:
	case GV_OP_NOT:
	case GV_OP_SAME:
		if (pathnode)
			return gv_diag_at(d, GV_SEV_ERROR, "GV-P027", at(f, pathnode),
					  "'%s' takes no 'path'", gv_op_name(op)), GV_EPARSE;
		break;
	default:
		if (!pathnode)
			return gv_diag_at(d, GV_SEV_ERROR, "GV-P027", at(f, opkey),
					  "'%s' needs a 'path'", gv_op_name(op)), GV_EPARSE;
		if (path_parse(&c->path, a, f, pathnode, cx->names, cx->nnames, d) < 0)
			return GV_EPARSE;
		/* a guard on [*] used to mean "every item" without saying so */
		if (cx->guard && c->path.wild && !quant)
			return gv_diag_at(d, GV_SEV_ERROR, "GV-P033", at(f, pathnode),
					  "%s on a [*] path does not say which items it means; use "
					  "the each form (check: {each: ..., where: ..., check: ...}), "
					  "or write quantifier: any or quantifier: all",
					  cx->guard == 1 ? "a rule's 'when'" : "a 'where'"), GV_EPARSE;
	}
	switch (op) {
	case GV_OP_ALL:
	case GV_OP_ANY:
	case GV_OP_NONE:
		return compile_list(c, cx, opnode);
	case GV_OP_NOT:
		c->nkids = 1;
		c->kids = gv_arena_alloc(a, sizeof(gv_check *));
		return compile(&c->kids[0], cx, opnode);
	case GV_OP_SAME:
		if (opnode->kind != GV_NODE_SEQ || opnode->n < 2)
			return gv_diag_at(d, GV_SEV_ERROR, "GV-P028", at(f, opnode),
					  "'same' takes a list of two or more paths"), GV_EPARSE;
		c->npaths = opnode->n;
		c->paths = gv_arena_alloc(a, opnode->n * sizeof(gv_path));
		for (i = 0; i < opnode->n; i++) {
			if (path_parse(&c->paths[i], a, f, opnode->u.items[i], cx->names,
				       cx->nnames, d) < 0) {
				err = GV_EPARSE;
			} else if (c->paths[i].wild) {
				err = gv_diag_at(d, GV_SEV_ERROR, "GV-P028", at(f, opnode->u.items[i]),
						 "'same' compares single values; '[*]' is not allowed");
			}
		}
		return err ? GV_EPARSE : GV_OK;
	default:
		raw_operand = opnode;
		if (resolve_operand(&c->operand, f, opnode, cx->params, cx->with, d) < 0)
			return GV_EPARSE;
		if (is_path_operand(cx, c->operand))
			return compile_path_operand(c, cx, c->operand);
		return check_operand(c, cx, raw_operand);
	}
}

int gv_check_compile(gv_check **out, gv_arena *a, const gv_file *f, const gv_node *n,
		     const gv_node *params, const gv_node *with, const gv_file *withf,
		     int flags, gv_diags *d)
{
	cctx cx;

	memset(&cx, 0, sizeof(cx));
	cx.a = a;
	cx.f = f;
	cx.params = params;
	cx.with = with;
	cx.withf = withf ? withf : f;
	cx.d = d;
	cx.guard = flags & GV_COMPILE_WHEN ? 1 : 0;
	return compile(out, &cx, n);
}
