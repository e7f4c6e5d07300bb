#include "buf.h"
#include "alloc.h"
#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

char gv_buf__empty[1];

void gv_buf_init(gv_buf *b)
{
	b->ptr = gv_buf__empty;
	b->len = b->alloc = 0;
}

void gv_buf_release(gv_buf *b)
{
	if (b->alloc)
		free(b->ptr);
	gv_buf_init(b);
}

void gv_buf_clear(gv_buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->ptr[0] = '\0';
}

void gv_buf_grow(gv_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t n;

	if (need < b->len)
		GV_BUG("buffer size overflow");
	if (need <= b->alloc)
		return;
	n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n * 2 > n ? n * 2 : need;
	if (!b->alloc) {
		b->ptr = gv_xmalloc(n);
		b->ptr[0] = '\0';
	} else {
		b->ptr = gv_xrealloc(b->ptr, n);
	}
	b->alloc = n;
}

void gv_buf_add(gv_buf *b, const void *data, size_t n)
{
	if (!n)
		return;
	gv_buf_grow(b, n);
	memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void gv_buf_puts(gv_buf *b, const char *s)
{
	gv_buf_add(b, s, strlen(s));
}

void gv_buf_putc(gv_buf *b, char c)
{
	gv_buf_grow(b, 1);
	b->ptr[b->len++] = c;
	b->ptr[b->len] = '\0';
}

void gv_buf_vprintf(gv_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->alloc ? b->ptr + b->len : NULL,
		      b->alloc ? b->alloc - b->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		GV_BUG("vsnprintf failed");
	if (!b->alloc || (size_t)n >= b->alloc - b->len) {
		gv_buf_grow(b, (size_t)n);
		n = vsnprintf(b->ptr + b->len, b->alloc - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void gv_buf_printf(gv_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gv_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *gv_buf_detach(gv_buf *b)
{
	char *p = b->alloc ? b->ptr : gv_xstrdup("");
	gv_buf_init(b);
	return p;
}

void gv_buf_json_str(gv_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	gv_buf_grow(b, n + 2);
	gv_buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
				u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = '\0';
				esc = u;
			}
		}
		if (esc) {
			gv_buf_add(b, s + i - run, run);
			run = 0;
			gv_buf_puts(b, esc);
		} else {
			run++;
		}
	}
	gv_buf_add(b, s + n - run, run);
	gv_buf_putc(b, '"');
}

void gv_buf_json_cstr(gv_buf *b, const char *s)
{
	if (s)
		gv_buf_json_str(b, s, strlen(s));
	else
		gv_buf_puts(b, "null");
}

void gv_buf_hex(gv_buf *b, const unsigned char *data, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	gv_buf_grow(b, 2 * n);
	for (i = 0; i < n; i++) {
		b->ptr[b->len++] = hex[data[i] >> 4];
		b->ptr[b->len++] = hex[data[i] & 15];
	}
	b->ptr[b->len] = '\0';
}

/* A named file is read with read(2) straight into the buffer, sized from
 * fstat: one read, and one into a small buffer to see the end (the buffer
 * is not grown for it); no stdio buffer. Standard input goes through stdio,
 * which other readers of it share. */
static int read_fd(gv_buf *b, int fd, size_t max)
{
	struct stat st;
	char tmp[4096];
	ssize_t r;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		gv_buf_grow(b, (size_t)st.st_size < max ? (size_t)st.st_size : max + 1);
	for (;;) {
		size_t room = b->alloc > b->len + 1 ? b->alloc - b->len - 1 : 0;
		char *dst = room ? b->ptr + b->len : tmp;

		r = read(fd, dst, room ? room : sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return GV_EIO;
		if (r == 0)
			return GV_OK;
		if (dst == tmp) {
			gv_buf_add(b, tmp, (size_t)r);
		} else {
			b->len += (size_t)r;
			b->ptr[b->len] = '\0';
		}
		if (b->len > max)
			return GV_ELIMIT;
	}
}

int gv_buf_read_file(gv_buf *b, const char *path, size_t max)
{
	FILE *f = stdin;
	char tmp[65536];
	size_t n;
	int err = GV_OK, saved, fd;

	if (strcmp(path, "-")) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return GV_EIO;
		err = read_fd(b, fd, max);
		saved = errno;
		close(fd);
		errno = saved;
		return err;
	}
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (b->len + n > max) {
			err = GV_ELIMIT;
			break;
		}
		gv_buf_add(b, tmp, n);
	}
	if (!err && ferror(f))
		err = GV_EIO;
	return err;
}
