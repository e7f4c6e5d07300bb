/* pathsrc.c: a check run's manifest paths, one at a time (pathsrc.h). */
#include "pathsrc.h"
#include "gv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int gv_pathsrc_open(gv_pathsrc *s, const char *const *given, size_t ngiven, const char *list,
		    const char *const *excludes, size_t nexcludes, gv_diags *late)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->given = given;
	s->ngiven = ngiven;
	s->excludes = excludes;
	s->nexcludes = nexcludes;
	s->late = late;
	s->walked = (gv_paths)GV_PATHS_INIT;
	if (!list)
		return GV_OK;
	s->list_path = list;
	if (!strcmp(list, "-")) {
		int err = gv_buf_read_file(&s->piped, "-", GV_PATHSRC_MAX_LIST);
		if (err == GV_ELIMIT)
			errno = EFBIG;
		if (err < 0) {
			gv_pathsrc_close(s);
			return err;
		}
		if (s->piped.len && !(s->list = fmemopen(s->piped.ptr, s->piped.len, "r"))) {
			gv_pathsrc_close(s);
			return GV_EIO;
		}
		return GV_OK;
	}
	if (!(s->list = fopen(list, "r")))
		return GV_EIO;
	if (fstat(fileno(s->list), &st) < 0)
		return GV_OK;   /* reading will tell */
	if (S_ISDIR(st.st_mode)) {
		gv_pathsrc_close(s);
		errno = EISDIR;
		return GV_EIO;
	}
	if (S_ISREG(st.st_mode) && (size_t)st.st_size > GV_PATHSRC_MAX_LIST) {
		gv_pathsrc_close(s);
		errno = EFBIG;
		return GV_ELIMIT;
	}
	return GV_OK;
}

/* Reads the next non-empty line of the list into s->line; false at its end. */
static bool read_line(gv_pathsrc *s)
{
	ssize_t n;

	while (s->list) {
		errno = 0;
		n = getline(&s->line, &s->cap, s->list);
		if (n < 0) {
			if (ferror(s->list))
				gv_error(s->late, "GV-M008", s->list_path,
					 "cannot read the file list any further: %s",
					 strerror(errno ? errno : EIO));
			break;
		}
		s->list_bytes += (size_t)n;
		if (s->list_bytes > GV_PATHSRC_MAX_LIST) {
			gv_error(s->late, "GV-M008", s->list_path,
				 "the file list is longer than %zu MiB: the rest is not read",
				 GV_PATHSRC_MAX_LIST >> 20);
			break;
		}
		if (n > 0 && s->line[n - 1] == '\n')
			s->line[--n] = '\0';
		if (n > 0 && s->line[n - 1] == '\r')
			s->line[--n] = '\0';
		if (s->line[0])
			return true;
	}
	if (s->list)
		fclose(s->list);
	s->list = NULL;
	return false;
}

bool gv_pathsrc_empty(gv_pathsrc *s)
{
	if (s->ngiven)
		return false;
	if (!s->pending)
		s->pending = read_line(s);
	return !s->pending;
}

const char *gv_pathsrc_next(void *src)
{
	gv_pathsrc *s = src;
	struct stat st;

	for (;;) {
		if (s->gi < s->ngiven)
			return s->given[s->gi++];
		if (s->wi < s->walked.n)
			return s->walked.v[s->wi++];
		if (!s->pending && !read_line(s))
			return NULL;
		s->pending = false;
		/* a listed folder stands for the manifests in it, as an argument does */
		if (strcmp(s->line, "-") && stat(s->line, &st) == 0 && S_ISDIR(st.st_mode)) {
			gv_paths_release(&s->walked);
			s->wi = 0;
			gv_walk_manifests(&s->walked, s->line, s->excludes, s->nexcludes, s->late);
			continue;
		}
		return s->line;
	}
}

size_t gv_pathsrc_count(const gv_pathsrc *s)
{
	gv_pathsrc c;
	gv_diags junk = GV_DIAGS_INIT;
	size_t n = s->ngiven;

	if (!s->list_path)
		return n;
	memset(&c, 0, sizeof(c));
	c.walked = (gv_paths)GV_PATHS_INIT;
	c.excludes = s->excludes;
	c.nexcludes = s->nexcludes;
	c.late = &junk;
	c.list_path = s->list_path;
	if (!strcmp(s->list_path, "-"))
		c.list = s->piped.len ? fmemopen(s->piped.ptr, s->piped.len, "r") : NULL;
	else
		c.list = fopen(s->list_path, "r");
	while (gv_pathsrc_next(&c))
		n++;
	gv_pathsrc_close(&c);
	gv_diags_release(&junk);
	return n;
}

void gv_pathsrc_close(gv_pathsrc *s)
{
	if (s->list)
		fclose(s->list);
	s->list = NULL;
	gv_buf_release(&s->piped);
	free(s->line);
	s->line = NULL;
	gv_paths_release(&s->walked);
}
