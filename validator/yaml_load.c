/*
 * yaml_load.c: libyaml events -> gv_node trees, for untrusted input.
 *
 * We drive libyaml's event API ourselves instead of yaml_parser_load() so
 * that every bound is enforced while parsing, before memory is spent:
 * document size, nesting depth, nodes built, and nodes reachable through
 * aliases (an alias shares the anchored node; its expanded size counts
 * against max_alias_nodes, so a billion-laughs file fails after a few
 * thousand events). Duplicate mapping keys, which libyaml accepts silently,
 * are rejected, as are non-scalar keys. Positions become 1-based.
 *
 * Plain scalars resolve by the YAML 1.2 core schema: null (null, Null, NULL,
 * ~, empty), booleans (true/false in three casings only; `yes`, `on` stay
 * strings), integers (decimal, 0o octal, 0x hex), floats (including .inf
 * and .nan). Quoted scalars and `!!str` are strings.
 */
#include "node.h"
#include "alloc.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"
#include "yaml_strict.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define DEF_MAX_BYTES ((size_t)16 << 20)
#define DEF_MAX_DEPTH 64
#define DEF_MAX_NODES ((size_t)2000000)
#define DEF_MAX_ALIAS_NODES ((size_t)100000)
#define DEF_MAX_DOCS 10000

typedef struct frame {
	gv_node *node;
	gv_node **v;        /* items, or key,value,key,value... for maps */
	size_t n, alloc;
	size_t weight0;     /* loader weight when the collection opened */
	char *anchor;
} frame;

typedef struct anchor {
	char *name;
	gv_node *node;
	size_t weight;      /* nodes reachable from it, aliases expanded */
} anchor;

typedef struct loader {
	gv_file *file;
	gv_limits lim;
	gv_diags *d;
	const unsigned char *data;
	size_t len;
	frame *stack;
	size_t depth, stack_alloc;
	anchor *anchors;
	size_t nanchors, anchors_alloc;
	size_t nodes, alias_nodes;
	gv_node **docs;
	size_t ndocs, docs_alloc;
	gv_yaml_strict strict;  /* checks libyaml skips, hints (yaml_strict.c) */
} loader;

static gv_loc mark_loc(loader *L, yaml_mark_t m)
{
	gv_loc l = { L->file->path, (uint32_t)m.line + 1, (uint32_t)m.column + 1 };
	return l;
}

/* Position of a byte offset, counting characters (reader errors carry only
 * an offset). */
static gv_loc offset_loc(loader *L, size_t off)
{
	gv_loc l = { L->file->path, 1, 1 };
	size_t i;

	for (i = 0; i < off && i < L->len; i++) {
		if (L->data[i] == '\n') {
			l.line++;
			l.col = 1;
		} else if ((L->data[i] & 0xC0) != 0x80) {
			l.col++;
		}
	}
	return l;
}

static int parser_error(loader *L, yaml_parser_t *p)
{
	gv_loc loc;

	if (p->error == YAML_MEMORY_ERROR)
		return gv_error(L->d, "GV-Y001", L->file->path, "out of memory while parsing");
	if (p->error == YAML_READER_ERROR) {
		loc = offset_loc(L, p->problem_offset);
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y002", loc, "%s",
			   p->problem ? p->problem : "cannot read input");
		return GV_EPARSE;
	}
	loc = mark_loc(L, p->problem_mark);
	if (p->context)
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y003", loc, "%s %s (line %zu, column %zu)",
			   p->problem ? p->problem : "syntax error", p->context,
			   (size_t)p->context_mark.line + 1, (size_t)p->context_mark.column + 1);
	else
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y003", loc, "%s",
			   p->problem ? p->problem : "syntax error");
	if (!gv_yaml_strict_hint(&L->strict, p->problem_mark.line, L->d) && p->context &&
	    p->context_mark.line != p->problem_mark.line)
		gv_yaml_strict_hint(&L->strict, p->context_mark.line, L->d);
	return GV_EPARSE;
}

static int all_digits(const char *s, size_t n, int base)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (base == 10 && !(c >= '0' && c <= '9'))
			return 0;
		if (base == 8 && !(c >= '0' && c <= '7'))
			return 0;
		if (base == 16 && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				    (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

static int is_core_float(const char *s, size_t n)
{
	size_t i = 0, digits = 0;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (!digits)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = 0;
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, e++;
		if (!e)
			return 0;
	}
	return i == n;
}

/* YAML 1.2 core schema resolution of a plain scalar. */
static void resolve_plain(gv_node *nd)
{
	const char *s = nd->s;
	size_t n = nd->n;
	const char *digits = s;
	size_t dn = n;

	/* most plain scalars are words: only these can start anything else */
	if (n && !strchr("~nNtTfF0123456789+-.", s[0])) {
		nd->kind = GV_NODE_STR;
		return;
	}
	if (!n || (n == 1 && s[0] == '~') || !strcmp(s, "null") || !strcmp(s, "Null") ||
	    !strcmp(s, "NULL")) {
		nd->kind = GV_NODE_NULL;
		return;
	}
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
		nd->kind = GV_NODE_BOOL;
		nd->u.b = true;
		return;
	}
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
		nd->kind = GV_NODE_BOOL;
		nd->u.b = false;
		return;
	}
	if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		int base = s[1] == 'o' ? 8 : 16;
		if (all_digits(s + 2, n - 2, base)) {
			errno = 0;
			unsigned long long v = strtoull(s + 2, NULL, base);
			if (!errno && v <= INT64_MAX) {
				nd->kind = GV_NODE_INT;
				nd->u.i = (int64_t)v;
				return;
			}
		}
	}
	if (dn && (s[0] == '-' || s[0] == '+')) {
		digits++;
		dn--;
	}
	if (all_digits(digits, dn, 10)) {
		errno = 0;
		long long v = strtoll(s, NULL, 10);
		if (!errno) {
			nd->kind = GV_NODE_INT;
			nd->u.i = v;
			return;
		}
		nd->kind = GV_NODE_FLOAT;   /* beyond int64: keep magnitude */
		nd->u.f = strtod(s, NULL);
		return;
	}
	if (is_core_float(s, n)) {
		nd->kind = GV_NODE_FLOAT;
		nd->u.f = strtod(s, NULL);
		return;
	}
	if (!strcmp(digits, ".inf") || !strcmp(digits, ".Inf") || !strcmp(digits, ".INF")) {
		nd->kind = GV_NODE_FLOAT;
		nd->u.f = s[0] == '-' ? -INFINITY : INFINITY;
		return;
	}
	if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN")) {
		nd->kind = GV_NODE_FLOAT;
		nd->u.f = NAN;
		return;
	}
	nd->kind = GV_NODE_STR;
}

static const char *TAG_STR = "tag:yaml.org,2002:str";

static int count_node(loader *L, yaml_mark_t m)
{
	if (++L->nodes > L->lim.max_nodes) {
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y010", mark_loc(L, m),
			   "document has more than %zu nodes", L->lim.max_nodes);
		return GV_ELIMIT;
	}
	return GV_OK;
}

static int add_anchor(loader *L, const char *name, gv_node *node, size_t weight)
{
	size_t i;

	/* a redefined anchor shadows the earlier one from here on */
	for (i = 0; i < L->nanchors; i++)
		if (!strcmp(L->anchors[i].name, name)) {
			L->anchors[i].node = node;
			L->anchors[i].weight = weight;
			return GV_OK;
		}
	GV_GROW(L->anchors, L->anchors_alloc, L->nanchors + 1);
	L->anchors[L->nanchors].name = gv_xstrdup(name);
	L->anchors[L->nanchors].node = node;
	L->anchors[L->nanchors].weight = weight;
	L->nanchors++;
	return GV_OK;
}

static size_t weight_now(loader *L)
{
	return L->nodes + L->alias_nodes;
}

/* Attaches a finished node to the open collection or the document. */
static int attach(loader *L, gv_node *nd)
{
	frame *f;

	if (!L->depth) {
		GV_GROW(L->docs, L->docs_alloc, L->ndocs + 1);
		L->docs[L->ndocs++] = nd;
		return GV_OK;
	}
	f = &L->stack[L->depth - 1];
	if (f->node->kind == GV_NODE_MAP && !(f->n & 1) && !gv_node_is_scalar(nd)) {
		gv_loc l = { L->file->path, nd->line, nd->col };
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y020", l,
			   "mapping key is %s; only scalar keys are allowed",
			   gv_node_kind_a(nd->kind));
		return GV_EPARSE;
	}
	GV_GROW(f->v, f->alloc, f->n + 1);
	f->v[f->n++] = nd;
	return GV_OK;
}

static int key_cmp(const void *a, const void *b)
{
	const gv_pair *x = *(const gv_pair * const *)a, *y = *(const gv_pair * const *)b;
	if (x->key->n != y->key->n)
		return x->key->n < y->key->n ? -1 : 1;
	int c = memcmp(x->key->s, y->key->s, x->key->n);
	if (c)
		return c;
	/* equal keys: order by position so the later one is reported */
	if (x->key->line != y->key->line)
		return x->key->line < y->key->line ? -1 : 1;
	return x->key->col < y->key->col ? -1 : x->key->col > y->key->col;
}

static int report_dup(loader *L, const gv_node *first, const gv_node *second)
{
	gv_loc l = { L->file->path, second->line, second->col };
	gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y021", l,
		   "duplicate key '%s' (first defined at line %u, column %u)",
		   second->s, first->line, first->col);
	return GV_EPARSE;
}

static int check_dups(loader *L, gv_node *map)
{
	uint32_t n = map->n, i, j;
	int err = GV_OK;

	if (n <= 16) {
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++) {
				const gv_node *a = map->u.pairs[j].key, *b = map->u.pairs[i].key;
				if (a->n == b->n && !memcmp(a->s, b->s, a->n)) {
					err = report_dup(L, a, b);
					break;
				}
			}
		return err;
	}
	gv_pair **idx = gv_xmalloc(n * sizeof(*idx));
	for (i = 0; i < n; i++)
		idx[i] = &map->u.pairs[i];
	qsort(idx, n, sizeof(*idx), key_cmp);
	for (i = 1; i < n; i++) {
		const gv_node *a = idx[i - 1]->key, *b = idx[i]->key;
		if (a->n == b->n && !memcmp(a->s, b->s, a->n)) {
			err = report_dup(L, a, b);
			break;
		}
	}
	free(idx);
	return err;
}

static int open_collection(loader *L, gv_node_kind kind, yaml_mark_t m, const char *anchor_name)
{
	gv_node *nd;
	frame *f;
	int err;

	if ((err = count_node(L, m)) < 0)
		return err;
	if (L->depth >= L->lim.max_depth) {
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y011", mark_loc(L, m),
			   "nesting deeper than %u levels", L->lim.max_depth);
		return GV_ELIMIT;
	}
	nd = gv_arena_alloc(L->file->arena, sizeof(*nd));
	nd->kind = (uint8_t)kind;
	nd->line = (uint32_t)m.line + 1;
	nd->col = (uint32_t)m.column + 1;
	GV_GROW(L->stack, L->stack_alloc, L->depth + 1);
	f = &L->stack[L->depth++];
	memset(f, 0, sizeof(*f));
	f->node = nd;
	f->weight0 = weight_now(L) - 1;
	f->anchor = anchor_name ? gv_xstrdup(anchor_name) : NULL;
	return GV_OK;
}

static int close_collection(loader *L)
{
	frame *f = &L->stack[L->depth - 1];
	gv_node *nd = f->node;
	size_t i;
	int err = GV_OK;

	if (nd->kind == GV_NODE_SEQ) {
		nd->n = (uint32_t)f->n;
		nd->u.items = gv_arena_alloc(L->file->arena, f->n * sizeof(gv_node *));
		if (f->n)
			memcpy(nd->u.items, f->v, f->n * sizeof(gv_node *));
	} else {
		nd->n = (uint32_t)(f->n / 2);
		nd->u.pairs = gv_arena_alloc(L->file->arena, nd->n * sizeof(gv_pair));
		for (i = 0; i < nd->n; i++) {
			nd->u.pairs[i].key = f->v[2 * i];
			nd->u.pairs[i].val = f->v[2 * i + 1];
		}
		err = check_dups(L, nd);
	}
	if (!err && f->anchor)
		add_anchor(L, f->anchor, nd, weight_now(L) - f->weight0);
	free(f->v);
	free(f->anchor);
	L->depth--;
	return err ? err : attach(L, nd);
}

static int on_scalar(loader *L, yaml_event_t *ev)
{
	gv_node *nd;
	const char *tag = (const char *)ev->data.scalar.tag;
	int err;

	if ((err = count_node(L, ev->start_mark)) < 0)
		return err;
	nd = gv_arena_alloc(L->file->arena, sizeof(*nd));
	nd->line = (uint32_t)ev->start_mark.line + 1;
	nd->col = (uint32_t)ev->start_mark.column + 1;
	if (ev->data.scalar.length > UINT32_MAX)
		return gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y012", mark_loc(L, ev->start_mark),
				  "scalar too long"), GV_ELIMIT;
	nd->n = (uint32_t)ev->data.scalar.length;
	if (memchr(ev->data.scalar.value, '\0', nd->n)) {
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y013", mark_loc(L, ev->start_mark),
			   "scalar contains a NUL character");
		return GV_EPARSE;
	}
	nd->s = gv_arena_strndup(L->file->arena, (const char *)ev->data.scalar.value, nd->n);
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    (tag && (!strcmp(tag, TAG_STR) || !strcmp(tag, "!")))) {
		nd->kind = GV_NODE_STR;
		nd->quoted = 1;
	} else {
		resolve_plain(nd);
	}
	if (ev->data.scalar.anchor)
		add_anchor(L, (const char *)ev->data.scalar.anchor, nd, 1);
	return attach(L, nd);
}

static int on_alias(loader *L, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	size_t i;

	for (i = L->nanchors; i-- > 0;)
		if (!strcmp(L->anchors[i].name, name))
			break;
	if (i == (size_t)-1) {
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y014", mark_loc(L, ev->start_mark),
			   "alias '*%s' names no anchor defined before it", name);
		return GV_EPARSE;
	}
	L->alias_nodes += L->anchors[i].weight;
	if (L->alias_nodes > L->lim.max_alias_nodes) {
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y015", mark_loc(L, ev->start_mark),
			   "aliases expand to more than %zu nodes", L->lim.max_alias_nodes);
		return GV_ELIMIT;
	}
	return attach(L, L->anchors[i].node);
}

static int run(loader *L)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int err = GV_OK, done = 0;

	if (!yaml_parser_initialize(&p))
		return gv_error(L->d, "GV-Y001", L->file->path, "out of memory");
	yaml_parser_set_input_string(&p, L->data, L->len);
	gv_yaml_strict_init(&L->strict, L->file->path, L->data, L->len);
	while (!done && !err) {
		if (!yaml_parser_parse(&p, &ev)) {
			err = parser_error(L, &p);
			break;
		}
		if ((err = gv_yaml_strict_event(&L->strict, &ev, L->d)) < 0) {
			yaml_event_delete(&ev);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (L->ndocs >= L->lim.max_docs) {
				gv_diag_at(L->d, GV_SEV_ERROR, "GV-Y016", mark_loc(L, ev.start_mark),
					   "more than %u documents in one file", L->lim.max_docs);
				err = GV_ELIMIT;
			}
			/* anchors do not cross documents */
			for (size_t i = 0; i < L->nanchors; i++)
				free(L->anchors[i].name);
			L->nanchors = 0;
			break;
		case YAML_SCALAR_EVENT:
			err = on_scalar(L, &ev);
			break;
		case YAML_ALIAS_EVENT:
			err = on_alias(L, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			err = open_collection(L, GV_NODE_SEQ, ev.start_mark,
					      (const char *)ev.data.sequence_start.anchor);
			break;
		case YAML_MAPPING_START_EVENT:
			err = open_collection(L, GV_NODE_MAP, ev.start_mark,
					      (const char *)ev.data.mapping_start.anchor);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			err = close_collection(L);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	gv_yaml_strict_release(&L->strict);
	return err;
}

int gv_file_load_mem(gv_file **out, const char *path, const void *data, size_t len,
		     const gv_limits *lim, gv_diags *d)
{
	loader L;
	gv_file *f;
	size_t i;
	int err;

	*out = NULL;
	memset(&L, 0, sizeof(L));
	if (lim)
		L.lim = *lim;
	if (!L.lim.max_bytes)
		L.lim.max_bytes = DEF_MAX_BYTES;
	if (!L.lim.max_depth)
		L.lim.max_depth = DEF_MAX_DEPTH;
	if (!L.lim.max_nodes)
		L.lim.max_nodes = DEF_MAX_NODES;
	if (!L.lim.max_alias_nodes)
		L.lim.max_alias_nodes = DEF_MAX_ALIAS_NODES;
	if (!L.lim.max_docs)
		L.lim.max_docs = DEF_MAX_DOCS;

	f = gv_xcalloc(1, sizeof(*f));
	f->arena = gv_arena_new();
	f->path = gv_arena_strndup(f->arena, path, strlen(path));
	gv_sha256(f->sha256, data, len);
	if (len > L.lim.max_bytes) {
		gv_error(d, "GV-Y017", f->path, "file is %zu bytes, over the limit of %zu",
			 len, L.lim.max_bytes);
		gv_file_free(f);
		return GV_ELIMIT;
	}
	L.file = f;
	L.d = d;
	L.data = data;
	L.len = len;
	err = run(&L);
	for (i = 0; i < L.depth; i++) {
		free(L.stack[i].v);
		free(L.stack[i].anchor);
	}
	free(L.stack);
	for (i = 0; i < L.nanchors; i++)
		free(L.anchors[i].name);
	free(L.anchors);
	if (err) {
		free(L.docs);
		gv_file_free(f);
		return err;
	}
	f->ndocs = L.ndocs;
	f->docs = gv_arena_alloc(f->arena, L.ndocs * sizeof(gv_node *));
	if (L.ndocs)
		memcpy(f->docs, L.docs, L.ndocs * sizeof(gv_node *));
	free(L.docs);
	*out = f;
	return GV_OK;
}

int gv_file_load(gv_file **out, const char *path, const gv_limits *lim, gv_diags *d)
{
	gv_buf b = GV_BUF_INIT;
	size_t max = lim && lim->max_bytes ? lim->max_bytes : DEF_MAX_BYTES;
	int err;

	*out = NULL;
	err = gv_buf_read_file(&b, path, max);
	if (err == GV_ELIMIT) {
		gv_error(d, "GV-Y017", path, "file is over the size limit of %zu bytes", max);
	} else if (err) {
		gv_error(d, "GV-Y018", path, "cannot read file: %s", strerror(errno));
	} else {
		err = gv_file_load_mem(out, path, b.ptr, b.len, lim, d);
	}
	gv_buf_release(&b);
	return err;
}
