/*
 * atomic.h: replace a file all at once (git's lockfile pattern).
 *
 * The data goes to a temporary file in the destination's directory, which
 * is flushed to disk, renamed over the destination, and the directory is
 * flushed too. Readers see the old file or the new one, never a part; a
 * crash leaves at worst a stray temporary, never a truncated destination.
 *
 * The temporary is PATH.tmp-XXXXXX, six random characters, created with
 * O_CREAT | O_EXCL | O_NOFOLLOW: an existing file or a planted symbolic
 * link at that name is never opened or followed (another name is tried),
 * and the rename replaces a symbolic link at PATH itself, never its target.
 *
 * Modes: a new file gets `mode` less the process umask, as open(2) and
 * shell redirection do, so pass 0666 for ordinary output and 0600 for
 * anything secret (under `umask 077` both give 0600). When PATH is already
 * a regular file, the new one keeps that file's permission bits instead
 * (not its set-id bits), whatever `mode` says: replacing a 0640 report
 * leaves a 0640 report. The temporary is never more open than the result.
 *
 * Streams are written in place, never replaced: a character device or a
 * FIFO at PATH itself (-o /dev/null, a named pipe), and anything under
 * /dev/ or /proc/self/fd/ (/dev/stdout, /dev/fd/3, whatever they lead to).
 * Renaming over them would put a regular file where the device or the
 * link was. Nothing is created there: a missing one is an error. A
 * symbolic link elsewhere is still replaced, not followed, so a link
 * planted in an output folder never leads to a device. A stream cannot be
 * taken back: abort after a partial write leaves what was written.
 */
#ifndef GV_ATOMIC_H
#define GV_ATOMIC_H

#include <stddef.h>

#include "diag.h"

/*
 * Writes len bytes of data to path, with the mode rule above. Returns
 * GV_OK, or GV_EIO with an error naming path; on failure the temporary is
 * removed and path is left untouched.
 */
int gv_atomic_write(const char *path, const void *data, size_t len, int mode, gv_diags *d);

/* The same in pieces, for output too large to hold: begin, add..., then
 * commit (which renames) or abort (which removes the temporary). */
typedef struct gv_atomic {
	int fd;
	char *tmp, *path;   /* tmp is NULL when writing a stream in place */
} gv_atomic;

int gv_atomic_begin(gv_atomic *a, const char *path, int mode, gv_diags *d);
int gv_atomic_add(gv_atomic *a, const void *data, size_t len, gv_diags *d);
int gv_atomic_commit(gv_atomic *a, gv_diags *d);
void gv_atomic_abort(gv_atomic *a);

/*
 * Checks, without writing anything, that an atomic write to path can be
 * attempted: its folder exists, is a folder we may write to, path is not
 * itself a folder, and its name leaves room for the temporary's suffix.
 * Commands call it for every output before their first lasting effect (an
 * audit log entry), so that a run whose output
 * cannot be written records nothing. Returns GV_OK, or GV_EIO with a
 * GV-O004 error naming path.
 */
int gv_atomic_check(const char *path, gv_diags *d);

#endif
