/*
 * atomic.h: replace a file all at once (git's lockfile pattern).
 *
 * The data goes to a temporary file in the destination's directory, which
 * is flushed to disk, renamed over the destination, and the directory is
 * flushed too. Readers see the old file or the new one, never a part; a
 * crash leaves at worst a stray temporary, never a truncated destination.
 */
#ifndef GV_ATOMIC_H
#define GV_ATOMIC_H

#include <stddef.h>

#include "diag.h"

/*
 * Writes len bytes of data to path, giving the file exactly `mode` (the
 * umask is not applied). Returns GV_OK, or GV_EIO with an error naming
 * path; on failure the temporary is removed and path is left untouched.
 */
int gv_atomic_write(const char *path, const void *data, size_t len, int mode, gv_diags *d);

/* The same in pieces, for output too large to hold: begin, add..., then
 * commit (which renames) or abort (which removes the temporary). */
typedef struct gv_atomic {
	int fd;
	char *tmp, *path;
} gv_atomic;

int gv_atomic_begin(gv_atomic *a, const char *path, int mode, gv_diags *d);
int gv_atomic_add(gv_atomic *a, const void *data, size_t len, gv_diags *d);
int gv_atomic_commit(gv_atomic *a, gv_diags *d);
void gv_atomic_abort(gv_atomic *a);

#endif
