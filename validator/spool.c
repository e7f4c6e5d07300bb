/* spool.c: bytes in memory, then in a temporary file (spool.h). */
#include "spool.h"
#include "gv.h"

#include <errno.h>

int gv_spool_write(gv_spool *s, const void *p, size_t n)
{
	if (!n)
		return 0;
	if (!s->f && s->mem.len + n <= GV_SPOOL_MEM_MAX) {
		gv_buf_add(&s->mem, p, n);
		return 0;
	}
	if (!s->f) {
		if (!(s->f = tmpfile()))
			return -1;
		if (s->mem.len && fwrite(s->mem.ptr, 1, s->mem.len, s->f) != s->mem.len)
			return -1;
		gv_buf_release(&s->mem);
	}
	return fwrite(p, 1, n, s->f) == n ? 0 : -1;
}

int gv_spool_copy(gv_spool *s, int (*put)(void *arg, const void *p, size_t n), void *arg,
		  int *unreadable)
{
	char chunk[65536];
	size_t n;
	int err = GV_OK;

	*unreadable = 0;
	if (!s->f)
		return s->mem.len ? put(arg, s->mem.ptr, s->mem.len) : GV_OK;
	if (fflush(s->f)) {
		*unreadable = 1;
		return GV_EIO;
	}
	rewind(s->f);
	while (!err && (n = fread(chunk, 1, sizeof(chunk), s->f)) > 0)
		err = put(arg, chunk, n);
	if (!err && ferror(s->f)) {
		*unreadable = 1;
		err = GV_EIO;
	}
	return err;
}

void gv_spool_release(gv_spool *s)
{
	if (s->f)
		fclose(s->f);
	s->f = NULL;
	gv_buf_release(&s->mem);
}
