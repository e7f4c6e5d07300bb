/*
 * buf.h: a growable byte buffer (git's strbuf, trimmed).
 *
 * Invariants: `ptr` is never NULL after gv_buf_init (it points at a shared
 * empty string until the first write) and ptr[len] is always '\0', so the
 * contents can be used as a C string when they hold no NUL byte.
 * gv_buf_detach() hands the malloc'd bytes to the caller.
 */
#ifndef GV_BUF_H
#define GV_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct gv_buf {
	char *ptr;
	size_t len, alloc;
} gv_buf;

extern char gv_buf__empty[];
#define GV_BUF_INIT { gv_buf__empty, 0, 0 }

void gv_buf_init(gv_buf *b);
void gv_buf_release(gv_buf *b);
void gv_buf_clear(gv_buf *b);          /* len = 0, keeps the memory */
void gv_buf_grow(gv_buf *b, size_t extra);
void gv_buf_add(gv_buf *b, const void *data, size_t n);
void gv_buf_puts(gv_buf *b, const char *s);
void gv_buf_putc(gv_buf *b, char c);
void gv_buf_printf(gv_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gv_buf_vprintf(gv_buf *b, const char *fmt, va_list ap);
char *gv_buf_detach(gv_buf *b);        /* caller frees; b is reset */
/* Appends s as a JSON string literal, quotes included (RFC 8259 escaping). */
void gv_buf_json_str(gv_buf *b, const char *s, size_t n);
/* The same for a C string; NULL becomes the JSON literal null. */
void gv_buf_json_cstr(gv_buf *b, const char *s);
/* Appends n bytes as lowercase hex. */
void gv_buf_hex(gv_buf *b, const unsigned char *data, size_t n);

/*
 * Reads a whole file ("-" is standard input) into b, refusing files larger
 * than max bytes. Returns GV_OK, GV_EIO (errno kept) or GV_ELIMIT.
 */
int gv_buf_read_file(gv_buf *b, const char *path, size_t max);

#endif
