/*
 * diag.h: located diagnostics, collected in a list and rendered GNU style:
 *
 *   policies/base.yaml:14:9: error: unknown operator 'matchs' [GV-P012]
 *      14 |   check: {path: manifest.x, matchs: "a"}
 *         |          ^
 *
 * Lines and columns are 1-based and count characters (not bytes); 0 means
 * unknown. A gv_loc borrows its file name: it must outlive the diags list
 * (documents and policies keep their paths until they are freed, and the
 * list copies nothing but the message).
 */
#ifndef GV_DIAG_H
#define GV_DIAG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

typedef struct gv_loc {
	const char *file;
	uint32_t line, col;
} gv_loc;

typedef enum { GV_SEV_NOTE, GV_SEV_WARNING, GV_SEV_ERROR } gv_sev;

typedef struct gv_diag {
	gv_sev sev;
	const char *code;   /* static string such as "GV-P012" */
	gv_loc loc;
	char *file;         /* owned copy of loc.file, so diags outlive documents */
	char *msg;          /* owned */
} gv_diag;

typedef struct gv_diags {
	gv_diag *v;
	size_t n, alloc, nerrors;
} gv_diags;

#define GV_DIAGS_INIT { 0 }

void gv_diags_release(gv_diags *d);
/*
 * Adds a diagnostic. Returns GV_ERROR for GV_SEV_ERROR and GV_OK otherwise,
 * so callers can write `return gv_diag_at(...)`, as with git's error().
 */
int gv_diag_at(gv_diags *d, gv_sev sev, const char *code, gv_loc loc,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int gv_diag_vat(gv_diags *d, gv_sev sev, const char *code, gv_loc loc,
		const char *fmt, va_list ap);
/* Shorthand for an error without a location (file name only, or none). */
int gv_error(gv_diags *d, const char *code, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Removes (and frees) every diagnostic with this code. */
void gv_diags_drop(gv_diags *d, const char *code);
/* Moves every diagnostic of src to the end of dst; src is left empty. */
void gv_diags_move(gv_diags *dst, gv_diags *src);

/*
 * Prints every diagnostic to f. When `excerpt` is set, the source line is
 * echoed under the message with a caret at the column (files that cannot be
 * reopened, such as standard input, are shown without it).
 */
void gv_diags_print(const gv_diags *d, FILE *f, int color, int excerpt);

#endif
