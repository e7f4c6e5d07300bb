/* walk.c: the manifests in a folder, recursively, in byte order (walk.h). */
#include "walk.h"
#include "alloc.h"
#include "buf.h"
#include "gv.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct walker {
	gv_paths *out;
	const char *top;          /* dir as given, for messages */
	char *root;               /* realpath of dir */
	size_t rootlen;
	const char *const *exclude;
	size_t nexclude;
	gv_diags *d;
	int failed;
} walker;

static void add(gv_paths *p, char *s)
{
	GV_GROW(p->v, p->alloc, p->n + 1);
	p->v[p->n++] = s;
}

static int is_manifest_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml")) ||
	       (n > 5 && !strcmp(name + n - 5, ".json"));
}

static int excluded(const walker *w, const char *rel, const char *name)
{
	size_t i;

	for (i = 0; i < w->nexclude; i++)
		if (!fnmatch(w->exclude[i], rel, 0) || !fnmatch(w->exclude[i], name, 0))
			return 1;
	return 0;
}

/* A symbolic link counts only when it resolves to a regular file inside the folder. */
static int link_inside(const walker *w, const char *path)
{
	char *real = realpath(path, NULL);
	struct stat st;
	int ok;

	if (!real)
		return 0;   /* dangling, or a loop of links */
	ok = !strncmp(real, w->root, w->rootlen) &&
	     (real[w->rootlen] == '/' || w->rootlen == 1) &&
	     stat(real, &st) == 0 && S_ISREG(st.st_mode);
	free(real);
	return ok;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(walker *w, const char *dir, const char *rel, unsigned depth)
{
	DIR *dp;
	struct dirent *e;
	gv_buf path = GV_BUF_INIT, sub = GV_BUF_INIT;
	struct stat st;

	if (depth > 256) {
		gv_error(w->d, "GV-M007", dir, "folder nested too deeply (more than 256 levels)");
		w->failed = 1;
		return;
	}
	if (!(dp = opendir(dir))) {
		gv_error(w->d, "GV-M007", dir, "cannot read folder: %s", strerror(errno));
		w->failed = 1;
		return;
	}
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		gv_buf_clear(&path);
		gv_buf_clear(&sub);
		gv_buf_puts(&path, dir);
		if (path.len && path.ptr[path.len - 1] != '/')
			gv_buf_putc(&path, '/');
		gv_buf_puts(&path, e->d_name);
		if (*rel)
			gv_buf_printf(&sub, "%s/%s", rel, e->d_name);
		else
			gv_buf_puts(&sub, e->d_name);
		if (excluded(w, sub.ptr, e->d_name) || lstat(path.ptr, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(w, path.ptr, sub.ptr, depth + 1);
		else if (is_manifest_name(e->d_name) &&
			 (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) && link_inside(w, path.ptr))))
			add(w->out, gv_xstrdup(path.ptr));
	}
	closedir(dp);
	gv_buf_release(&path);
	gv_buf_release(&sub);
}

int gv_walk_manifests(gv_paths *out, const char *dir, const char *const *exclude,
		      size_t nexclude, gv_diags *d)
{
	walker w;
	size_t first = out->n;

	memset(&w, 0, sizeof(w));
	w.out = out;
	w.top = dir;
	w.exclude = exclude;
	w.nexclude = nexclude;
	w.d = d;
	if (!(w.root = realpath(dir, NULL)))
		return gv_error(d, "GV-M007", dir, "cannot read folder: %s", strerror(errno));
	w.rootlen = strlen(w.root);
	walk(&w, dir, "", 0);
	free(w.root);
	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof(char *), cmp_path);
	if (out->n == first && !w.failed)
		return gv_error(d, "GV-M006", dir,
				"folder holds no manifest (*.yaml, *.yml or *.json)");
	return w.failed ? GV_ERROR : (int)(out->n - first);
}

void gv_paths_release(gv_paths *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}
