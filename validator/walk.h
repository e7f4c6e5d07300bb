/*
 * walk.h: a folder given to `check` becomes the manifests in it: every
 * *.yaml, *.yml and *.json file below it, recursively, in byte order of the
 * paths. Symbolic links to files are followed only when their target lies
 * inside the folder; symbolic links to folders are never followed (a target
 * inside the folder is walked anyway, one outside is not ours to read), so
 * a walk cannot loop or leave the folder.
 *
 * Ownership: the paths in a gv_paths are owned by it (gv_paths_release).
 */
#ifndef GV_WALK_H
#define GV_WALK_H

#include <stddef.h>

#include "diag.h"

typedef struct gv_paths {
	char **v;
	size_t n, alloc;
} gv_paths;

#define GV_PATHS_INIT { NULL, 0, 0 }

/*
 * Appends the manifests under the folder dir to out, sorted. A file or
 * folder whose path relative to dir, or whose name, matches one of the
 * exclude globs (fnmatch(3), '*' also matching '/') is left out. A folder
 * that cannot be read (GV-M007) or holds no manifest (GV-M006) is an error
 * in d. Returns the number of paths added, or GV_ERROR.
 */
int gv_walk_manifests(gv_paths *out, const char *dir, const char *const *exclude,
		      size_t nexclude, gv_diags *d);
void gv_paths_release(gv_paths *p);

#endif
