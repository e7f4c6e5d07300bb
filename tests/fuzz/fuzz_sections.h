/*
 * fuzz_sections.h: one fuzz input as several named files, for the
 * harnesses whose parsers read more than one (fuzz_tiles, fuzz_witness).
 *
 * The input is a sequence of sections, each a header line "=== NAME\n"
 * followed by the bytes up to the next "\n=== " (that newline is the
 * separator's) or the end. Bytes before the first header are ignored. A
 * section whose NAME ends in ".sign" is a checkpoint body: the harness
 * signs it as a note with the test key (fuzz_common.h) under its first line
 * as the key name, so the parsers past the signature see fuzzed bytes; when
 * that line is no valid key name, or the note is too large, the bytes are
 * used as they are.
 */
#ifndef GV_FUZZ_SECTIONS_H
#define GV_FUZZ_SECTIONS_H

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "fuzz_common.h"
#include "note.h"

#define FZ_MAX_SECTIONS 64

typedef struct fz_section {
	char name[64];          /* NUL-terminated, as written (cut at 63 bytes) */
	const char *data;       /* into the input, or owned when signed */
	size_t len;
	char *owned;
} fz_section;

typedef struct fz_sections {
	fz_section v[FZ_MAX_SECTIONS];
	size_t n;
} fz_sections;

static inline const char *fz_find(const char *p, size_t len, const char *pat, size_t plen)
{
	return (const char *)memmem(p, len, pat, plen);
}

static inline void fz_sign_section(fz_section *s)
{
	gv_diags d = GV_DIAGS_INIT;
	const char *nl = memchr(s->data, '\n', s->len);
	char *name, *note = NULL, *body;

	if (!nl || memchr(s->data, '\0', s->len))
		return;
	name = gv_xstrndup(s->data, (size_t)(nl - s->data));
	body = gv_xstrndup(s->data, s->len);
	if (gv_note_name_valid(name) && strlen(name) < 256 &&
	    gv_note_sign(&note, body, s->len, name, fz_test_key(1), &d) == GV_OK) {
		s->owned = note;
		s->data = note;
		s->len = strlen(note);
	}
	free(name);
	free(body);
	gv_diags_release(&d);
}

/* Splits data into s (at most FZ_MAX_SECTIONS; the rest is dropped). */
static inline void fz_sections_split(fz_sections *s, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *h, *nl, *next;
	size_t nlen;

	s->n = 0;
	if (len >= 4 && !memcmp(data, "=== ", 4))
		h = data;
	else if ((h = fz_find(data, len, "\n=== ", 5)))
		h++;
	while (h && s->n < FZ_MAX_SECTIONS) {
		fz_section *x = &s->v[s->n];

		p = h + 4;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		nlen = (size_t)(nl - p);
		if (nlen >= sizeof(x->name))
			nlen = sizeof(x->name) - 1;
		memcpy(x->name, p, nlen);
		x->name[nlen] = '\0';
		p = nl + 1;
		next = fz_find(p, (size_t)(end - p), "\n=== ", 5);
		x->data = p;
		x->len = next ? (size_t)(next - p) : (size_t)(end - p);
		x->owned = NULL;
		nlen = strlen(x->name);
		if (nlen > 5 && !strcmp(x->name + nlen - 5, ".sign")) {
			x->name[nlen - 5] = '\0';
			fz_sign_section(x);
		}
		s->n++;
		h = next ? next + 1 : NULL;
	}
}

static inline void fz_sections_release(fz_sections *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].owned);
	s->n = 0;
}

/* The first section named name, or NULL. */
static inline const fz_section *fz_section_get(const fz_sections *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return &s->v[i];
	return NULL;
}

#endif
