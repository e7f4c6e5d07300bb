/*
 * json_parse.c: strict RFC 8259 JSON -> gv_file (see json_parse.h).
 *
 * A recursive-descent parser over a byte range. Positions are computed
 * incrementally: the parser remembers the line and column of the last
 * position it was asked for and scans forward from there, so the whole
 * parse stays linear. Nodes, strings and collection arrays live in the
 * file's arena; collections are gathered in malloc'd scratch vectors first.
 */
#include "json_parse.h"
#include "alloc.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_BYTES ((size_t)16 << 20)
#define DEFAULT_MAX_DEPTH 64
#define DEFAULT_MAX_NODES ((size_t)2000000)

typedef struct parser {
	const unsigned char *start, *p, *end;
	const char *path;      /* the file's own copy, lives in the arena */
	gv_arena *arena;
	gv_diags *d;
	uint32_t max_depth;
	size_t max_nodes, nodes;
	/* position cache: line/col of byte `lpos` */
	const unsigned char *lpos;
	uint32_t line, col;
	gv_buf scratch;        /* decoded string being built */
} parser;

/* Line and column (1-based, characters) of the byte at q. */
static void position(parser *pr, const unsigned char *q, uint32_t *line, uint32_t *col)
{
	const unsigned char *s;

	if (q < pr->lpos) {   /* only error paths look back; rescan */
		pr->lpos = pr->start;
		pr->line = pr->col = 1;
	}
	for (s = pr->lpos; s < q; s++) {
		if (*s == '\n') {
			pr->line++;
			pr->col = 1;
		} else if ((*s & 0xC0) != 0x80) {
			pr->col++;
		}
	}
	pr->lpos = q;
	*line = pr->line;
	*col = pr->col;
}

static int error_at(parser *pr, const unsigned char *q, int code, const char *id,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int error_at(parser *pr, const unsigned char *q, int code, const char *id,
		    const char *fmt, ...)
{
	gv_loc loc = { pr->path, 0, 0 };
	va_list ap;

	position(pr, q, &loc.line, &loc.col);
	va_start(ap, fmt);
	gv_diag_vat(pr->d, GV_SEV_ERROR, id, loc, fmt, ap);
	va_end(ap);
	return code;
}

/* Describes the byte at q for a message: 'x', end of input or byte 0xNN. */
static const char *found(const parser *pr, const unsigned char *q, char buf[16])
{
	if (q >= pr->end)
		return "end of input";
	if (*q >= 0x20 && *q < 0x7f)
		snprintf(buf, 16, "'%c'", *q);
	else
		snprintf(buf, 16, "byte 0x%02x", *q);
	return buf;
}

static int syntax(parser *pr, const char *expected)
{
	char b[16];
	return error_at(pr, pr->p, GV_EPARSE, "GV-J001", "expected %s, found %s",
			expected, found(pr, pr->p, b));
}

static void skip_ws(parser *pr)
{
	while (pr->p < pr->end &&
	       (*pr->p == ' ' || *pr->p == '\t' || *pr->p == '\n' || *pr->p == '\r'))
		pr->p++;
}

static gv_node *new_node(parser *pr, int kind, const unsigned char *at)
{
	gv_node *n;
	uint32_t line, col;

	if (++pr->nodes > pr->max_nodes) {
		error_at(pr, at, GV_ELIMIT, "GV-J004", "too many values (limit %zu)", pr->max_nodes);
		return NULL;
	}
	n = gv_arena_alloc(pr->arena, sizeof(*n));
	n->kind = (uint8_t)kind;
	position(pr, at, &line, &col);
	n->line = line;
	n->col = col;
	return n;
}

/*
 * Length of the valid UTF-8 sequence starting at p (at most end), or 0 if
 * it is not one: no overlong forms, no UTF-16 surrogates, nothing above
 * U+10FFFF.
 */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0];
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static int hex4(const unsigned char *p, const unsigned char *end, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(gv_buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp; n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12); u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18); u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
	}
	gv_buf_add(b, u, n);
}

/* Parses a string at pr->p (the opening quote) into a STR node. */
static int parse_string(parser *pr, gv_node **out)
{
	const unsigned char *open = pr->p, *run;
	gv_buf *b = &pr->scratch;
	gv_node *n;

	gv_buf_clear(b);
	pr->p++;
	run = pr->p;
	for (;;) {
		unsigned char c;

		if (pr->p >= pr->end)
			return error_at(pr, open, GV_EPARSE, "GV-J001", "unterminated string");
		c = *pr->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return error_at(pr, pr->p, GV_EPARSE, "GV-J005",
					"control character 0x%02x in string must be escaped", c);
		if (c >= 0x80) {
			size_t k = utf8_len(pr->p, pr->end);
			if (!k)
				return error_at(pr, pr->p, GV_EPARSE, "GV-J003", "invalid UTF-8");
			pr->p += k;
			continue;
		}
		if (c != '\\') {
			pr->p++;
			continue;
		}
		gv_buf_add(b, run, (size_t)(pr->p - run));
		if (pr->p + 1 >= pr->end)
			return error_at(pr, open, GV_EPARSE, "GV-J001", "unterminated string");
		switch (pr->p[1]) {
		case '"': gv_buf_putc(b, '"'); break;
		case '\\': gv_buf_putc(b, '\\'); break;
		case '/': gv_buf_putc(b, '/'); break;
		case 'b': gv_buf_putc(b, '\b'); break;
		case 'f': gv_buf_putc(b, '\f'); break;
		case 'n': gv_buf_putc(b, '\n'); break;
		case 'r': gv_buf_putc(b, '\r'); break;
		case 't': gv_buf_putc(b, '\t'); break;
		case 'u': {
			unsigned cp, lo;

			if (hex4(pr->p + 2, pr->end, &cp) < 0)
				return error_at(pr, pr->p, GV_EPARSE, "GV-J005",
						"\\u must be followed by four hex digits");
			if (cp == 0)
				return error_at(pr, pr->p, GV_EPARSE, "GV-J005",
						"\\u0000 is not allowed in strings");
			if (cp >= 0xDC00 && cp <= 0xDFFF)
				return error_at(pr, pr->p, GV_EPARSE, "GV-J005",
						"lone low surrogate \\u%04x", cp);
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (pr->end - pr->p < 12 || pr->p[6] != '\\' || pr->p[7] != 'u' ||
				    hex4(pr->p + 8, pr->end, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
					return error_at(pr, pr->p, GV_EPARSE, "GV-J005",
							"lone high surrogate \\u%04x", cp);
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				pr->p += 6;
			}
			put_utf8(b, cp);
			pr->p += 4;
			break;
		}
		default:
			if (pr->p[1] > 0x20 && pr->p[1] < 0x7f)
				return error_at(pr, pr->p, GV_EPARSE, "GV-J005",
						"invalid escape sequence '\\%c'", pr->p[1]);
			return error_at(pr, pr->p, GV_EPARSE, "GV-J005",
					"invalid escape sequence (byte 0x%02x after '\\')",
					pr->p[1]);
		}
		pr->p += 2;
		run = pr->p;
	}
	gv_buf_add(b, run, (size_t)(pr->p - run));
	pr->p++;  /* closing quote */
	if (b->len > UINT32_MAX)
		return error_at(pr, open, GV_ELIMIT, "GV-J004", "string too long");
	if (!(n = new_node(pr, GV_NODE_STR, open)))
		return GV_ELIMIT;
	n->quoted = 1;
	n->n = (uint32_t)b->len;
	n->s = gv_arena_strndup(pr->arena, b->ptr, b->len);
	*out = n;
	return GV_OK;
}

static int is_digit(const parser *pr, const unsigned char *q)
{
	return q < pr->end && *q >= '0' && *q <= '9';
}

static int parse_number(parser *pr, gv_node **out)
{
	const unsigned char *s = pr->p, *q = pr->p;
	int integral = 1;
	char *text, *endp;
	gv_node *n;

	if (q < pr->end && *q == '-')
		q++;
	if (!is_digit(pr, q)) {
		pr->p = q;
		return syntax(pr, "a digit");
	}
	if (*q == '0') {
		q++;
		if (is_digit(pr, q))
			return error_at(pr, s, GV_EPARSE, "GV-J006", "leading zeros are not allowed");
	} else {
		while (is_digit(pr, q))
			q++;
	}
	if (q < pr->end && *q == '.') {
		integral = 0;
		q++;
		if (!is_digit(pr, q)) {
			pr->p = q;
			return syntax(pr, "a digit after '.'");
		}
		while (is_digit(pr, q))
			q++;
	}
	if (q < pr->end && (*q == 'e' || *q == 'E')) {
		integral = 0;
		q++;
		if (q < pr->end && (*q == '+' || *q == '-'))
			q++;
		if (!is_digit(pr, q)) {
			pr->p = q;
			return syntax(pr, "a digit in the exponent");
		}
		while (is_digit(pr, q))
			q++;
	}
	pr->p = q;
	if ((size_t)(q - s) > UINT32_MAX)
		return error_at(pr, s, GV_ELIMIT, "GV-J004", "number too long");
	if (!(n = new_node(pr, GV_NODE_INT, s)))
		return GV_ELIMIT;
	text = gv_arena_strndup(pr->arena, (const char *)s, (size_t)(q - s));
	n->s = text;
	n->n = (uint32_t)(q - s);
	if (integral) {
		errno = 0;
		n->u.i = strtoll(text, &endp, 10);
		if (errno != ERANGE && *endp == '\0') {
			*out = n;
			return GV_OK;
		}
	}
	n->kind = GV_NODE_FLOAT;
	errno = 0;
	n->u.f = strtod(text, &endp);
	if (*endp != '\0')
		GV_BUG("number grammar and strtod disagree");
	if (errno == ERANGE && (n->u.f > 1.0 || n->u.f < -1.0))
		return error_at(pr, s, GV_EPARSE, "GV-J006", "number %s is out of range", text);
	*out = n;
	return GV_OK;
}

static int parse_value(parser *pr, gv_node **out, uint32_t depth);

typedef struct key_ref {
	const gv_node *key;
	size_t index;
} key_ref;

static int cmp_keys(const void *a, const void *b)
{
	const key_ref *x = a, *y = b;
	int c;

	if (x->key->n != y->key->n)
		return x->key->n < y->key->n ? -1 : 1;
	c = memcmp(x->key->s, y->key->s, x->key->n);
	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Reports the first key (in source order) that repeats an earlier one.
 * Small objects compare pairwise; larger ones sort, so that a hostile
 * object with many keys stays O(n log n).
 */
static int check_duplicates(parser *pr, const gv_pair *pairs, size_t n)
{
	size_t i, j, dup = (size_t)-1, first = 0;

	if (n < 2)
		return GV_OK;
	if (n <= 16) {
		for (j = 1; j < n && dup == (size_t)-1; j++)
			for (i = 0; i < j; i++)
				if (pairs[i].key->n == pairs[j].key->n &&
				    !memcmp(pairs[i].key->s, pairs[j].key->s, pairs[j].key->n)) {
					dup = j;
					first = i;
					break;
				}
	} else {
		key_ref *refs = gv_xmalloc(n * sizeof(*refs));

		for (i = 0; i < n; i++) {
			refs[i].key = pairs[i].key;
			refs[i].index = i;
		}
		qsort(refs, n, sizeof(*refs), cmp_keys);
		/* equal keys are adjacent, in source order: the second of each
		 * run is a duplicate; report the earliest one */
		for (i = 0; i < n; i = j) {
			for (j = i + 1; j < n && refs[j].key->n == refs[i].key->n &&
			     !memcmp(refs[j].key->s, refs[i].key->s, refs[i].key->n); j++)
				;
			if (j - i >= 2 && (dup == (size_t)-1 || refs[i + 1].index < dup)) {
				dup = refs[i + 1].index;
				first = refs[i].index;
			}
		}
		free(refs);
	}
	if (dup == (size_t)-1)
		return GV_OK;
	{
		gv_loc loc = { pr->path, pairs[dup].key->line, pairs[dup].key->col };
		gv_buf shown = GV_BUF_INIT;

		gv_buf_json_str(&shown, pairs[dup].key->s,
				pairs[dup].key->n > 60 ? 60 : pairs[dup].key->n);
		gv_diag_at(pr->d, GV_SEV_ERROR, "GV-J002", loc,
			   "duplicate key %s%s (first at %u:%u)", shown.ptr,
			   pairs[dup].key->n > 60 ? "..." : "",
			   pairs[first].key->line, pairs[first].key->col);
		gv_buf_release(&shown);
		return GV_EPARSE;
	}
}

static int parse_object(parser *pr, gv_node **out, uint32_t depth)
{
	const unsigned char *open = pr->p;
	gv_pair *v = NULL;
	size_t n = 0, alloc = 0;
	gv_node *node;
	int err;

	/* the node first, so positions are asked for in increasing order */
	if (!(node = new_node(pr, GV_NODE_MAP, open)))
		return GV_ELIMIT;
	pr->p++;
	skip_ws(pr);
	if (pr->p < pr->end && *pr->p == '}') {
		pr->p++;
		goto done;
	}
	for (;;) {
		gv_pair pair;

		skip_ws(pr);
		if (pr->p >= pr->end || *pr->p != '"') {
			err = syntax(pr, n ? "a string key after ','" : "a string key or '}'");
			goto fail;
		}
		if ((err = parse_string(pr, &pair.key)) < 0)
			goto fail;
		skip_ws(pr);
		if (pr->p >= pr->end || *pr->p != ':') {
			err = syntax(pr, "':' after object key");
			goto fail;
		}
		pr->p++;
		if ((err = parse_value(pr, &pair.val, depth)) < 0)
			goto fail;
		GV_GROW(v, alloc, n + 1);
		v[n++] = pair;
		skip_ws(pr);
		if (pr->p < pr->end && *pr->p == ',') {
			pr->p++;
			continue;
		}
		if (pr->p < pr->end && *pr->p == '}') {
			pr->p++;
			break;
		}
		err = syntax(pr, "',' or '}' after object member");
		goto fail;
	}
	if ((err = check_duplicates(pr, v, n)) < 0)
		goto fail;
done:
	if (n > UINT32_MAX) {
		err = error_at(pr, open, GV_ELIMIT, "GV-J004", "object too large");
		goto fail;
	}
	node->n = (uint32_t)n;
	if (n) {
		node->u.pairs = gv_arena_alloc(pr->arena, n * sizeof(*v));
		memcpy(node->u.pairs, v, n * sizeof(*v));
	}
	free(v);
	*out = node;
	return GV_OK;
fail:
	free(v);
	return err;
}

static int parse_array(parser *pr, gv_node **out, uint32_t depth)
{
	const unsigned char *open = pr->p;
	gv_node **v = NULL, *node;
	size_t n = 0, alloc = 0;
	int err;

	if (!(node = new_node(pr, GV_NODE_SEQ, open)))
		return GV_ELIMIT;
	pr->p++;
	skip_ws(pr);
	if (pr->p < pr->end && *pr->p == ']') {
		pr->p++;
		goto done;
	}
	for (;;) {
		gv_node *item;

		if ((err = parse_value(pr, &item, depth)) < 0)
			goto fail;
		GV_GROW(v, alloc, n + 1);
		v[n++] = item;
		skip_ws(pr);
		if (pr->p < pr->end && *pr->p == ',') {
			pr->p++;
			continue;
		}
		if (pr->p < pr->end && *pr->p == ']') {
			pr->p++;
			break;
		}
		err = syntax(pr, "',' or ']' after array element");
		goto fail;
	}
done:
	if (n > UINT32_MAX) {
		err = error_at(pr, open, GV_ELIMIT, "GV-J004", "array too large");
		goto fail;
	}
	node->n = (uint32_t)n;
	if (n) {
		node->u.items = gv_arena_alloc(pr->arena, n * sizeof(*v));
		memcpy(node->u.items, v, n * sizeof(*v));
	}
	free(v);
	*out = node;
	return GV_OK;
fail:
	free(v);
	return err;
}

static int parse_word(parser *pr, gv_node **out, const char *word, int kind, bool b)
{
	size_t len = strlen(word);
	gv_node *n;

	if ((size_t)(pr->end - pr->p) < len || memcmp(pr->p, word, len))
		return syntax(pr, "a value");
	if (!(n = new_node(pr, kind, pr->p)))
		return GV_ELIMIT;
	n->s = word;  /* static text outlives the arena */
	n->n = (uint32_t)len;
	n->u.b = b;
	pr->p += len;
	*out = n;
	return GV_OK;
}

static int parse_value(parser *pr, gv_node **out, uint32_t depth)
{
	skip_ws(pr);
	if (pr->p >= pr->end)
		return syntax(pr, "a value");
	switch (*pr->p) {
	case '{':
	case '[':
		if (depth + 1 > pr->max_depth)
			return error_at(pr, pr->p, GV_ELIMIT, "GV-J004",
					"nesting deeper than %u levels", pr->max_depth);
		return *pr->p == '{' ? parse_object(pr, out, depth + 1)
				     : parse_array(pr, out, depth + 1);
	case '"':
		return parse_string(pr, out);
	case 't':
		return parse_word(pr, out, "true", GV_NODE_BOOL, true);
	case 'f':
		return parse_word(pr, out, "false", GV_NODE_BOOL, false);
	case 'n':
		return parse_word(pr, out, "null", GV_NODE_NULL, false);
	default:
		if (*pr->p == '-' || (*pr->p >= '0' && *pr->p <= '9'))
			return parse_number(pr, out);
		if (*pr->p >= 0x80 && !utf8_len(pr->p, pr->end))
			return error_at(pr, pr->p, GV_EPARSE, "GV-J003", "invalid UTF-8");
		return syntax(pr, "a value");
	}
}

int gv_json_parse(gv_file **out, const char *path, const void *data, size_t len,
		  const gv_limits *lim, gv_diags *d)
{
	parser pr;
	gv_file *f;
	gv_node *root = NULL;
	size_t max_bytes = lim && lim->max_bytes ? lim->max_bytes : DEFAULT_MAX_BYTES;
	int err;

	*out = NULL;
	if (!path)
		path = "-";
	if (len > max_bytes) {
		gv_error(d, "GV-J004", path, "input is %zu bytes, over the limit of %zu",
			 len, max_bytes);
		return GV_ELIMIT;
	}
	f = gv_xcalloc(1, sizeof(*f));
	f->arena = gv_arena_new();
	f->path = gv_arena_strndup(f->arena, path, strlen(path));
	gv_sha256(f->sha256, data, len);

	memset(&pr, 0, sizeof(pr));
	pr.start = pr.p = pr.lpos = data;
	pr.end = pr.start + len;
	pr.line = pr.col = 1;
	pr.path = f->path;
	pr.arena = f->arena;
	pr.d = d;
	pr.max_depth = lim && lim->max_depth ? lim->max_depth : DEFAULT_MAX_DEPTH;
	pr.max_nodes = lim && lim->max_nodes ? lim->max_nodes : DEFAULT_MAX_NODES;
	gv_buf_init(&pr.scratch);

	/* a byte order mark is tolerated (RFC 8259 section 8.1) and not counted */
	if (len >= 3 && !memcmp(pr.p, "\xEF\xBB\xBF", 3))
		pr.p = pr.lpos = pr.start + 3;
	if ((err = parse_value(&pr, &root, 0)) < 0)
		goto out;
	skip_ws(&pr);
	if (pr.p < pr.end) {
		char b[16];
		err = error_at(&pr, pr.p, GV_EPARSE, "GV-J001",
			       "unexpected %s after the JSON value", found(&pr, pr.p, b));
		goto out;
	}
	f->docs = gv_arena_alloc(f->arena, sizeof(*f->docs));
	f->docs[0] = root;
	f->ndocs = 1;
	*out = f;
	f = NULL;
	err = GV_OK;
out:
	gv_buf_release(&pr.scratch);
	if (f) {
		gv_arena_free(f->arena);
		free(f);
	}
	return err;
}
