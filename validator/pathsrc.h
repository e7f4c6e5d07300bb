/*
 * pathsrc.h: the manifest paths of a `check` run, handed out one at a time:
 * first the given ones (arguments, folders already expanded), then the lines
 * of a --files-from list, read as the run asks for them. A list of 100,000
 * paths is never held in memory; a folder named in the list is walked when
 * its turn comes, and its errors go to late (gv_gate_opts.late_errors).
 *
 * A list on standard input is read whole first, as before: a "-" in it
 * (a manifest on standard input) then reads nothing, rather than the rest
 * of the list.
 *
 * Ownership: the given paths are borrowed; a path returned by
 * gv_pathsrc_next() is valid until the next call.
 */
#ifndef GV_PATHSRC_H
#define GV_PATHSRC_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"
#include "diag.h"
#include "walk.h"

/* A list may hold at most this many bytes, as before it was streamed. */
#define GV_PATHSRC_MAX_LIST ((size_t)256 << 20)

typedef struct gv_pathsrc {
	const char *const *given;
	size_t ngiven, gi;
	FILE *list;                   /* the --files-from list, or NULL */
	gv_buf piped;                 /* a list on standard input, read whole */
	const char *list_path;
	size_t list_bytes;
	char *line;                   /* the line handed out or waiting */
	size_t cap;
	bool pending;                 /* line holds the next path, not yet handed out */
	gv_paths walked;              /* a listed folder's manifests */
	size_t wi;
	const char *const *excludes;
	size_t nexcludes;
	gv_diags *late;
} gv_pathsrc;

/*
 * Opens list (NULL: none; "-": standard input) after the given paths. On
 * failure returns GV_EIO with errno set, or GV_ELIMIT for a regular file
 * over GV_PATHSRC_MAX_LIST bytes.
 */
int gv_pathsrc_open(gv_pathsrc *s, const char *const *given, size_t ngiven, const char *list,
		    const char *const *excludes, size_t nexcludes, gv_diags *late);
/* Whether no path at all will come (reads ahead to the first listed one). */
bool gv_pathsrc_empty(gv_pathsrc *s);
/* How many paths will come, by a separate pass over the list (folders in
 * it walked too, their errors dropped): for a progress line's total. */
size_t gv_pathsrc_count(const gv_pathsrc *s);
/* The next path, or NULL at the end (a gv_gate_opts.next). */
const char *gv_pathsrc_next(void *src);
void gv_pathsrc_close(gv_pathsrc *s);

#endif
