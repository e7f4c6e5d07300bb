#include "diag.h"
#include "alloc.h"
#include "buf.h"
#include "gv.h"

#include <stdlib.h>
#include <string.h>

void gv_diags_release(gv_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].msg);
		free(d->v[i].file);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void gv_diags_drop(gv_diags *d, const char *code)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++) {
		if (d->v[i].code && !strcmp(d->v[i].code, code)) {
			if (d->v[i].sev == GV_SEV_ERROR)
				d->nerrors--;
			free(d->v[i].msg);
			free(d->v[i].file);
			continue;
		}
		d->v[n++] = d->v[i];
	}
	d->n = n;
}

int gv_diag_vat(gv_diags *d, gv_sev sev, const char *code, gv_loc loc,
		const char *fmt, va_list ap)
{
	gv_buf msg = GV_BUF_INIT;
	gv_diag *g;

	gv_buf_vprintf(&msg, fmt, ap);
	GV_GROW(d->v, d->alloc, d->n + 1);
	g = &d->v[d->n++];
	g->sev = sev;
	g->code = code;
	g->file = loc.file ? gv_xstrdup(loc.file) : NULL;
	g->loc = loc;
	g->loc.file = g->file;
	g->msg = gv_buf_detach(&msg);
	if (sev == GV_SEV_ERROR) {
		d->nerrors++;
		return GV_ERROR;
	}
	return GV_OK;
}

int gv_diag_at(gv_diags *d, gv_sev sev, const char *code, gv_loc loc,
	       const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = gv_diag_vat(d, sev, code, loc, fmt, ap);
	va_end(ap);
	return r;
}

int gv_error(gv_diags *d, const char *code, const char *file, const char *fmt, ...)
{
	gv_loc loc = { file, 0, 0 };
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = gv_diag_vat(d, GV_SEV_ERROR, code, loc, fmt, ap);
	va_end(ap);
	return r;
}

void gv_diags_move(gv_diags *dst, gv_diags *src)
{
	size_t i;

	GV_GROW(dst->v, dst->alloc, dst->n + src->n);
	for (i = 0; i < src->n; i++)
		dst->v[dst->n++] = src->v[i];
	dst->nerrors += src->nerrors;
	free(src->v);
	memset(src, 0, sizeof(*src));
}

/* Fetches line `want` (1-based) of a file into out; 0 if unavailable. */
static int source_line(gv_buf *out, const char *path, uint32_t want)
{
	FILE *f;
	uint32_t line = 1;
	int c;

	if (!path || !strcmp(path, "-") || !want)
		return 0;
	if (!(f = fopen(path, "rb")))
		return 0;
	while (line < want && (c = getc(f)) != EOF)
		if (c == '\n')
			line++;
	while (line == want && (c = getc(f)) != EOF && c != '\n' && out->len < 400)
		gv_buf_putc(out, c == '\t' ? ' ' : (char)c);
	fclose(f);
	return line == want;
}

void gv_diags_print(const gv_diags *d, FILE *f, int color, int excerpt)
{
	static const char *names[] = { "note", "warning", "error" };
	static const char *colors[] = { "\033[1;36m", "\033[1;35m", "\033[1;31m" };
	size_t i;

	for (i = 0; i < d->n; i++) {
		const gv_diag *g = &d->v[i];
		gv_buf src = GV_BUF_INIT;

		if (color)
			fputs("\033[1m", f);
		if (g->loc.file && g->loc.line)
			fprintf(f, "%s:%u:%u: ", g->loc.file, g->loc.line, g->loc.col);
		else if (g->loc.file)
			fprintf(f, "%s: ", g->loc.file);
		else
			fputs("govgate: ", f);
		if (color)
			fprintf(f, "%s%s:\033[0m ", colors[g->sev], names[g->sev]);
		else
			fprintf(f, "%s: ", names[g->sev]);
		fputs(g->msg, f);
		if (g->code)
			fprintf(f, " [%s]", g->code);
		fputc('\n', f);
		if (excerpt && source_line(&src, g->loc.file, g->loc.line)) {
			/* the caret counts characters: skip UTF-8 continuation bytes */
			uint32_t col = 1;
			size_t k;

			fprintf(f, "%5u | %s\n      | ", g->loc.line, src.ptr);
			for (k = 0; k < src.len && col < g->loc.col; k++)
				if (((unsigned char)src.ptr[k] & 0xC0) != 0x80) {
					fputc(' ', f);
					col++;
				}
			fputs(color ? "\033[1;32m^\033[0m\n" : "^\n", f);
		}
		gv_buf_release(&src);
	}
}
