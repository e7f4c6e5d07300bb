/*
 * rule_compile.c: check nodes -> gv_check trees.
 *
 * A check is a mapping with exactly one operator: a leaf operator with a
 * `path` (optionally `missing: pass` and `quantifier: any`), a combinator
 * (`all`, `any`, `none` over lists of checks, `not` over one check), or
 * `same: [PATH, PATH, ...]`. Operands are literals or `$params.NAME`,
 * substituted here from the rule's `with:` and then its `params:`.
 */
#include "policy.h"
#include "alloc.h"
#include "gv.h"
#include "rx.h"

#include <string.h>

static const char *op_names[GV_NOPS] = {
	"equals", "not_equals", "in", "not_in", "matches", "not_matches", "exists",
	"gt", "gte", "lt", "lte", "contains", "min_length", "max_length",
	"all", "any", "none", "not", "same"
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

int gv_path_parse(gv_path *out, gv_arena *a, const gv_file *f, const gv_node *n, gv_diags *d)
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
				  "a path must be a string, not a %s", gv_node_kind_name(n->kind)),
		       GV_EPARSE;
	s = n->s;
	end = s + n->n;
	rl = strcspn(s, ".[");
	for (r = 0; r < GV_NROOTS; r++)
		if (strlen(roots[r]) == rl && !strncmp(s, roots[r], rl))
			break;
	if (r == GV_NROOTS)
		return path_error(d, f, n, 0, "it must start with manifest, cloud or onprem");
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

/* "$manifest.a.b", "$cloud.x", "$onprem.y": an operand read at run time. */
static int is_path_operand(const gv_node *v)
{
	static const char *const roots[] = { "$manifest", "$cloud", "$onprem" };
	size_t i, n;

	if (v->kind != GV_NODE_STR)
		return 0;
	for (i = 0; i < GV_ARRAY_LEN(roots); i++) {
		n = strlen(roots[i]);
		if (!strncmp(v->s, roots[i], n) && (v->s[n] == '.' || v->s[n] == '['))
			return 1;
	}
	return 0;
}

static int compile_path_operand(gv_check *c, gv_arena *a, const gv_file *f,
				const gv_node *v, gv_diags *d)
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
		return gv_diag_at(d, GV_SEV_ERROR, "GV-P032", at(f, v),
				  "'%s' takes a literal operand, not a path '%s'",
				  gv_op_name(c->op), v->s), GV_EPARSE;
	}
	tmp.s = v->s + 1;
	tmp.n = v->n - 1;
	tmp.col += v->quoted ? 2 : 1;
	tmp.quoted = 0;
	c->oppath = gv_arena_alloc(a, sizeof(gv_path));
	if (gv_path_parse(c->oppath, a, f, &tmp, d) < 0)
		return GV_EPARSE;
	if (c->oppath->wild)
		return gv_diag_at(d, GV_SEV_ERROR, "GV-P032", at(f, v),
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

static int compile_list(gv_check *c, gv_arena *a, const gv_file *f, const gv_node *v,
			const gv_node *params, const gv_node *with, gv_diags *d)
{
	uint32_t i;
	int err = GV_OK;

	if (v->kind != GV_NODE_SEQ || !v->n)
		return gv_diag_at(d, GV_SEV_ERROR, "GV-P021", at(f, v),
				  "'%s' takes a non-empty list of checks", gv_op_name(c->op)),
		       GV_EPARSE;
	c->nkids = v->n;
	c->kids = gv_arena_alloc(a, v->n * sizeof(gv_check *));
	for (i = 0; i < v->n; i++)
		if (gv_check_compile(&c->kids[i], a, f, v->u.items[i], params, with, d) < 0)
			err = GV_EPARSE;
	return err;
}

static void rx_free(void *rx)
{
	gv_rx_free(rx);
}

static int check_operand(gv_check *c, gv_arena *a, const gv_file *f, const gv_node *raw,
			 gv_diags *d)
{
	const gv_node *v = c->operand;
	char msg[256];
	size_t off = 0;

	switch (c->op) {
	case GV_OP_IN:
	case GV_OP_NOT_IN:
		if (v->kind != GV_NODE_SEQ)
			goto type;
		return GV_OK;
	case GV_OP_MATCHES:
	case GV_OP_NOT_MATCHES:
		if (v->kind != GV_NODE_STR)
			goto type;
		if (gv_rx_compile(&c->rx, v->s, v->n, msg, sizeof(msg), &off) == 0) {
			/* freed with the program's arena, whatever becomes of the check */
			gv_arena_on_free(a, rx_free, c->rx);
		} else {
			gv_loc l = at(f, raw);
			gv_diag_at(d, GV_SEV_ERROR, "GV-P031", l,
				   "regex '%s' does not compile: %s at offset %zu",
				   v->s, msg, off);
			return GV_EPARSE;
		}
		return GV_OK;
	case GV_OP_EXISTS:
		if (v->kind != GV_NODE_BOOL)
			goto type;
		return GV_OK;
	case GV_OP_GT:
	case GV_OP_GTE:
	case GV_OP_LT:
	case GV_OP_LTE:
		if (v->kind != GV_NODE_INT && v->kind != GV_NODE_FLOAT && v->kind != GV_NODE_STR)
			goto type;
		return GV_OK;
	case GV_OP_MIN_LENGTH:
	case GV_OP_MAX_LENGTH:
		if (v->kind != GV_NODE_INT || v->u.i < 0)
			goto type;
		return GV_OK;
	case GV_OP_CONTAINS:
		if (!gv_node_is_scalar(v))
			goto type;
		return GV_OK;
	default:
		return GV_OK;
	}
type:
	{
		static const char *want[GV_NOPS] = {
			[GV_OP_IN] = "a list", [GV_OP_NOT_IN] = "a list",
			[GV_OP_MATCHES] = "a string (a PCRE2 pattern)",
			[GV_OP_NOT_MATCHES] = "a string (a PCRE2 pattern)",
			[GV_OP_EXISTS] = "true or false",
			[GV_OP_GT] = "a number or a string", [GV_OP_GTE] = "a number or a string",
			[GV_OP_LT] = "a number or a string", [GV_OP_LTE] = "a number or a string",
			[GV_OP_MIN_LENGTH] = "a non-negative integer",
			[GV_OP_MAX_LENGTH] = "a non-negative integer",
			[GV_OP_CONTAINS] = "a scalar",
		};
		gv_diag_at(d, GV_SEV_ERROR, "GV-P022", at(f, raw),
			   "'%s' takes %s, not a %s", gv_op_name(c->op), want[c->op],
			   gv_node_kind_name(v->kind));
	}
	return GV_EPARSE;
}

int gv_check_compile(gv_check **out, gv_arena *a, const gv_file *f, const gv_node *n,
		     const gv_node *params, const gv_node *with, gv_diags *d)
{
	gv_check *c;
	const gv_node *opnode = NULL, *pathnode = NULL, *raw_operand = NULL;
	const gv_node *opkey = NULL;
	uint32_t i;
	int err = GV_OK, op = -1;

	*out = c = gv_arena_alloc(a, sizeof(*c));
	c->line = n->line;
	c->col = n->col;
	if (n->kind != GV_NODE_MAP)
		return gv_diag_at(d, GV_SEV_ERROR, "GV-P023", at(f, n),
				  "a check must be a mapping, not a %s", gv_node_kind_name(n->kind)),
		       GV_EPARSE;
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
		} else if ((o = find_op(k->s)) >= 0) {
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
				  "a check needs an operator (equals, in, matches, all, same, ...)"),
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
		if (gv_path_parse(&c->path, a, f, pathnode, d) < 0)
			return GV_EPARSE;
	}
	switch (op) {
	case GV_OP_ALL:
	case GV_OP_ANY:
	case GV_OP_NONE:
		return compile_list(c, a, f, opnode, params, with, d);
	case GV_OP_NOT:
		c->nkids = 1;
		c->kids = gv_arena_alloc(a, sizeof(gv_check *));
		return gv_check_compile(&c->kids[0], a, f, opnode, params, with, d);
	case GV_OP_SAME:
		if (opnode->kind != GV_NODE_SEQ || opnode->n < 2)
			return gv_diag_at(d, GV_SEV_ERROR, "GV-P028", at(f, opnode),
					  "'same' takes a list of two or more paths"), GV_EPARSE;
		c->npaths = opnode->n;
		c->paths = gv_arena_alloc(a, opnode->n * sizeof(gv_path));
		for (i = 0; i < opnode->n; i++) {
			if (gv_path_parse(&c->paths[i], a, f, opnode->u.items[i], d) < 0) {
				err = GV_EPARSE;
			} else if (c->paths[i].wild) {
				err = gv_diag_at(d, GV_SEV_ERROR, "GV-P028", at(f, opnode->u.items[i]),
						 "'same' compares single values; '[*]' is not allowed");
			}
		}
		return err ? GV_EPARSE : GV_OK;
	default:
		raw_operand = opnode;
		if (resolve_operand(&c->operand, f, opnode, params, with, d) < 0)
			return GV_EPARSE;
		if (is_path_operand(c->operand))
			return compile_path_operand(c, a, f, c->operand, d);
		return check_operand(c, a, f, raw_operand, d);
	}
}
