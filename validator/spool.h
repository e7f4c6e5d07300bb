/*
 * spool.h: bytes written once and read back once (a streamed report's
 * parts, cmd_check.c): kept in memory up to GV_SPOOL_MEM_MAX, then moved to
 * an anonymous temporary file (tmpfile(3)) and written there. A small run
 * (one pre-deploy check) then creates no file at all; a large one keeps at
 * most GV_SPOOL_MEM_MAX bytes in memory per spool.
 */
#ifndef GV_SPOOL_H
#define GV_SPOOL_H

#include <stdio.h>

#include "buf.h"

#define GV_SPOOL_MEM_MAX ((size_t)64 << 10)

typedef struct gv_spool {
	gv_buf mem;
	FILE *f;      /* NULL while the bytes fit in mem */
} gv_spool;

#define GV_SPOOL_INIT { GV_BUF_INIT, NULL }

/* Appends n bytes; -1 (errno set) when the temporary file cannot be
 * created or written. */
int gv_spool_write(gv_spool *s, const void *p, size_t n);
/* Hands the bytes back in order to put (which returns GV_OK or an error
 * that stops the copy, returned). If the temporary file cannot be read
 * back, returns GV_EIO with *unreadable set. */
int gv_spool_copy(gv_spool *s, int (*put)(void *arg, const void *p, size_t n), void *arg,
		  int *unreadable);
void gv_spool_release(gv_spool *s);

#endif
