/* datadir.c: the shipped rules/ and policies/ (datadir.h). */
#include "datadir.h"
#include "alloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef GV_DATADIR
#define GV_DATADIR "/usr/local/share/govgate"
#endif

#define NPLACES 3

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The candidate folders for name, in order; each malloc'd, NULL when it
 * does not apply (no /proc/self/exe). Returns how many slots were filled. */
static size_t places(char *cand[NPLACES], const char *name)
{
	char exe[PATH_MAX], *slash;
	const char *dd = getenv("GOVGATE_DATADIR");
	ssize_t n;

	memset(cand, 0, NPLACES * sizeof(*cand));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')))
			*slash = '\0';
		if (asprintf(&cand[0], "%s/../%s", exe, name) < 0)
			cand[0] = NULL;
		if (asprintf(&cand[1], "%s/../share/govgate/%s", exe, name) < 0)
			cand[1] = NULL;
	}
	if (asprintf(&cand[2], "%s/%s", dd && *dd ? dd : GV_DATADIR, name) < 0)
		cand[2] = NULL;
	return NPLACES;
}

char *gv_datadir_find(const char *name)
{
	const char *env = getenv("GOVGATE_RULES");
	char *cand[NPLACES], *r = NULL;
	size_t i, n;

	if (!strcmp(name, "rules") && env && *env)
		return gv_xstrdup(env);
	n = places(cand, name);
	for (i = 0; i < n; i++) {
		if (!r && cand[i] && is_dir(cand[i]))
			r = i < 2 ? realpath(cand[i], NULL) : gv_xstrdup(cand[i]);
		free(cand[i]);
	}
	return r;
}

void gv_datadir_looked_in(gv_buf *b, const char *name)
{
	const char *env = getenv("GOVGATE_RULES");
	char *cand[NPLACES];
	size_t i, n;

	if (!strcmp(name, "rules"))
		gv_buf_printf(b, "--rules (not given), $GOVGATE_RULES (%s)",
			      env && *env ? env : "not set");
	n = places(cand, name);
	for (i = 0; i < n; i++) {
		if (cand[i])
			gv_buf_printf(b, "%s%s", b->len ? ", " : "", cand[i]);
		free(cand[i]);
	}
}
