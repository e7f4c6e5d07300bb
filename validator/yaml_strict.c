/*
 * yaml_strict.c: checks libyaml 0.2.5 skips, and hints under its messages.
 *
 * Each check looks only at the events and the bytes around their marks, so
 * it costs next to nothing; docs/YAML.md names the yaml-test-suite cases
 * each one settles. The hints (a note after libyaml's error) look at the
 * line of the error.
 */
#include "yaml_strict.h"
#include "alloc.h"
#include "gv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* True when no byte has its high bit set, eight bytes at a time. */
static int all_ascii(const unsigned char *p, size_t n)
{
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= p[i];
	return !(acc & 0x8080808080808080ull);
}

void gv_yaml_strict_init(gv_yaml_strict *s, const char *path, const void *data, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->data = data;
	s->len = len;
	s->ascii = all_ascii(data, len);
}

void gv_yaml_strict_release(gv_yaml_strict *s)
{
	free(s->line_off);
	free(s->stack);
	memset(s, 0, sizeof(*s));
}

static void build_lines(gv_yaml_strict *s)
{
	size_t i, alloc = 0;

	if (s->line_off)
		return;
	GV_GROW(s->line_off, alloc, 1);
	s->line_off[s->nlines++] = 0;
	for (i = 0; i < s->len; i++)
		if (s->data[i] == '\n') {
			GV_GROW(s->line_off, alloc, s->nlines + 1);
			s->line_off[s->nlines++] = i + 1;
		}
}

/*
 * Byte offset of a 0-based (line, column in characters); len when beyond.
 * Marks arrive in order, so the walk goes on from the last position asked
 * for when it is on the same line: a document on one long line costs one
 * pass, not one per scalar.
 */
static size_t offset_of(gv_yaml_strict *s, size_t line, size_t col)
{
	size_t i, c;

	build_lines(s);
	if (line >= s->nlines)
		return s->len;
	if (line == s->cur_line && col >= s->cur_col && s->cur_off >= s->line_off[line]) {
		i = s->cur_off;
		c = col - s->cur_col;
	} else {
		i = s->line_off[line];
		c = col;
	}
	for (; i < s->len && c; c--) {
		i++;
		while (i < s->len && (s->data[i] & 0xC0) == 0x80)
			i++;
	}
	s->cur_line = line;
	s->cur_col = col - c;
	s->cur_off = i;
	return i;
}

static gv_loc loc_at(gv_yaml_strict *s, size_t line, size_t col)
{
	gv_loc l = { s->path, (uint32_t)line + 1, (uint32_t)col + 1 };
	return l;
}

static int fail(gv_yaml_strict *s, gv_diags *d, size_t line, size_t col, const char *msg)
{
	gv_diag_at(d, GV_SEV_ERROR, "GV-Y030", loc_at(s, line, col), "%s", msg);
	return GV_EPARSE;
}

/*
 * Byte offset of a mark. libyaml counts characters in mark.index (a CR LF
 * pair as two), so in a file of ASCII bytes only, the index is the offset
 * and neither the line table nor the walk along the line is needed.
 */
static size_t mark_offset(gv_yaml_strict *s, const yaml_mark_t *m)
{
	if (s->ascii)
		return m->index < s->len ? m->index : s->len;
	return offset_of(s, m->line, m->column);
}

/* '#' right after the node that ends at mark: a comment needs a space. */
static int comment_glued(gv_yaml_strict *s, const yaml_mark_t *m, gv_diags *d)
{
	size_t o = mark_offset(s, m);

	if (o < s->len && s->data[o] == '#')
		return fail(s, d, m->line, m->column,
			    "a comment must be separated from the value before it by a space");
	return GV_OK;
}

/* The innermost open block collection: continuation lines of flow
 * collections and quoted scalars inside it must be indented more. */
static const gv_yaml_strict_frame *enclosing_block(const gv_yaml_strict *s)
{
	size_t i;

	for (i = s->depth; i-- > 0;)
		if (!s->stack[i].flow)
			return &s->stack[i];
	return NULL;
}

static int in_flow(const gv_yaml_strict *s)
{
	return s->depth && s->stack[s->depth - 1].flow;
}

/*
 * Every line after the first of a node spanning start..end must be indented
 * by more than the block collection holding it: by spaces, as tabs never
 * indent. Blank lines and, in flow collections, comment lines and lines
 * that start with the closing bracket are let through.
 */
static int check_indent(gv_yaml_strict *s, const yaml_mark_t *start, const yaml_mark_t *end,
			int flow, gv_diags *d)
{
	const gv_yaml_strict_frame *b = enclosing_block(s);
	size_t line, need;

	if (!b || end->line == start->line)
		return GV_OK;
	need = b->col + 1;
	build_lines(s);
	for (line = start->line + 1; line <= end->line && line < s->nlines; line++) {
		size_t o = s->line_off[line], n = 0;
		while (o + n < s->len && s->data[o + n] == ' ')
			n++;
		if (n >= need)
			continue;
		{
			size_t q = o + n;
			while (q < s->len && (s->data[q] == ' ' || s->data[q] == '\t'))
				q++;
			if (q >= s->len || s->data[q] == '\n' || s->data[q] == '\r')
				continue;
			if (flow && (s->data[q] == '#' || s->data[q] == ']' || s->data[q] == '}'))
				continue;
			if (line == end->line && q - o >= end->column)
				continue;
			return fail(s, d, line, n, memchr(s->data + o, '\t', q - o) ?
				    "this line is indented with a tab: YAML forbids tabs in "
				    "indentation" :
				    "this line must be indented more than the block that holds "
				    "its value");
		}
	}
	return GV_OK;
}

static void push(gv_yaml_strict *s, int flow, const yaml_mark_t *m)
{
	GV_GROW(s->stack, s->alloc, s->depth + 1);
	s->stack[s->depth].flow = (unsigned char)flow;
	s->stack[s->depth].line = m->line;
	s->stack[s->depth].col = m->column;
	s->stack[s->depth].index = m->index;
	s->depth++;
}

/* A '#' not preceded by a space on a directive line (%YAML 1.2#x). */
static int directive_comments(gv_yaml_strict *s, const yaml_event_t *ev, gv_diags *d)
{
	size_t line;

	build_lines(s);
	for (line = ev->start_mark.line; line <= ev->end_mark.line && line < s->nlines; line++) {
		size_t o = s->line_off[line], i;
		if (o >= s->len || s->data[o] != '%')
			continue;
		for (i = o + 1; i < s->len && s->data[i] != '\n'; i++)
			if (s->data[i] == '#' && s->data[i - 1] != ' ' && s->data[i - 1] != '\t')
				return fail(s, d, line, i - o, "a comment must be separated from "
					    "the directive before it by a space");
	}
	return GV_OK;
}

int gv_yaml_strict_event(gv_yaml_strict *s, const yaml_event_t *ev, gv_diags *d)
{
	const gv_yaml_strict_frame *f;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (ev->data.document_start.version_directive ||
		    ev->data.document_start.tag_directives.start !=
		    ev->data.document_start.tag_directives.end) {
			if (s->docs && s->last_end_implicit)
				return fail(s, d, ev->start_mark.line, ev->start_mark.column,
					    "a document after directives must follow '...' when "
					    "another document precedes it");
			if (directive_comments(s, ev, d) < 0)
				return GV_EPARSE;
		}
		s->docs++;
		return GV_OK;
	case YAML_DOCUMENT_END_EVENT:
		s->last_end_implicit = ev->data.document_end.implicit;
		return GV_OK;
	case YAML_SCALAR_EVENT:
		switch (ev->data.scalar.style) {
		case YAML_PLAIN_SCALAR_STYLE:
			if (in_flow(s) && ev->data.scalar.length >= 1 && ev->data.scalar.value[0] == '-' &&
			    (ev->data.scalar.length == 1 || ev->data.scalar.value[1] == ' '))
				return fail(s, d, ev->start_mark.line, ev->start_mark.column,
					    "a plain '-' cannot start a value inside [...] or {...}: "
					    "quote it");
			return GV_OK;
		case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
			if (comment_glued(s, &ev->end_mark, d) < 0)
				return GV_EPARSE;
			return in_flow(s) ? GV_OK : check_indent(s, &ev->start_mark, &ev->end_mark, 0, d);
		case YAML_LITERAL_SCALAR_STYLE:
		case YAML_FOLDED_SCALAR_STYLE: {
			size_t o = mark_offset(s, &ev->start_mark), i;
			if (o >= s->len || (s->data[o] != '|' && s->data[o] != '>'))
				return GV_OK;
			for (i = o + 1; i < s->len && strchr("0123456789+-", s->data[i]) &&
			     s->data[i]; i++)
				;
			if (i < s->len && s->data[i] == '#')
				return fail(s, d, ev->start_mark.line, ev->start_mark.column + (i - o),
					    "a comment must be separated from the block scalar "
					    "indicator by a space");
			return GV_OK;
		}
		default:
			return GV_OK;
		}
	case YAML_SEQUENCE_START_EVENT:
		push(s, ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE, &ev->start_mark);
		return GV_OK;
	case YAML_MAPPING_START_EVENT:
		push(s, ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE, &ev->start_mark);
		return GV_OK;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (!s->depth)
			return GV_OK;
		f = &s->stack[--s->depth];
		if (!f->flow)
			return GV_OK;
		if (comment_glued(s, &ev->end_mark, d) < 0)
			return GV_EPARSE;
		if (in_flow(s))
			return GV_OK;
		{
			yaml_mark_t start = { f->index, f->line, f->col };
			return check_indent(s, &start, &ev->end_mark, 1, d);
		}
	default:
		return GV_OK;
	}
}

/* The text of a plain path around position o of a line: for the hint. */
static void path_around(const unsigned char *line, size_t n, size_t o, const char **p,
			size_t *plen)
{
	size_t a = o, b = o;

	while (a > 0 && !strchr(" \t{,:'\"", line[a - 1]))
		a--;
	while (b < n && !strchr(" \t},'\"", line[b]))
		b++;
	*p = (const char *)line + a;
	*plen = b - a;
}

int gv_yaml_strict_hint(gv_yaml_strict *s, size_t line, gv_diags *d)
{
	const unsigned char *l;
	size_t o, n, i, e;
	int quote = 0, braces = 0;

	build_lines(s);
	if (line >= s->nlines)
		return 0;
	o = s->line_off[line];
	for (e = o; e < s->len && s->data[e] != '\n'; e++)
		;
	l = s->data + o;
	n = e - o;
	for (i = 0; i < n && (l[i] == ' ' || l[i] == '\t'); i++)
		if (l[i] == '\t') {
			gv_diag_at(d, GV_SEV_NOTE, "GV-Y031", loc_at(s, line, i),
				   "this line is indented with a tab: YAML forbids tabs in "
				   "indentation; indent with spaces");
			return 1;
		}
	/* a '[' glued to a word inside {...}: an unquoted path such as a[*].b */
	for (i = 0; i < n; i++) {
		unsigned char c = l[i];
		if (quote) {
			if (c == quote)
				quote = 0;
			continue;
		}
		if (c == '\'' || c == '"')
			quote = c;
		else if (c == '{')
			braces++;
		else if (c == '#' && (!i || l[i - 1] == ' '))
			break;
		else if (c == '[' && braces && i &&
			 (l[i - 1] == '_' || l[i - 1] == '-' || (l[i - 1] >= '0' && l[i - 1] <= '9') ||
			  ((l[i - 1] | 0x20) >= 'a' && (l[i - 1] | 0x20) <= 'z'))) {
			const char *p;
			size_t plen;
			path_around(l, n, i, &p, &plen);
			gv_diag_at(d, GV_SEV_NOTE, "GV-Y031", loc_at(s, line, i),
				   "inside {...} an unquoted '[' starts a list: quote the path, "
				   "\"%.*s\"", (int)plen, p);
			return 1;
		}
	}
	return 0;
}
