/* atomic.c: write a temporary, fsync, rename, fsync the directory. */
#include "atomic.h"
#include "alloc.h"
#include "buf.h"
#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Flushes the directory holding path, so the rename itself is durable. */
static int sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? gv_xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
			  : gv_xstrdup(".");
	int fd, r = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL && errno != EBADF))
		r = -1;
	if (fd >= 0)
		close(fd);
	free(dir);
	return r;
}

int gv_atomic_begin(gv_atomic *a, const char *path, int mode, gv_diags *d)
{
	gv_buf tmp = GV_BUF_INIT;
	int saved;

	a->fd = -1;
	a->tmp = a->path = NULL;
	gv_buf_printf(&tmp, "%s.tmp-XXXXXX", path);
	a->fd = mkostemp(tmp.ptr, O_CLOEXEC);
	if (a->fd < 0) {
		saved = errno;
		gv_buf_release(&tmp);
		return gv_error(d, "GV-O002", path, "cannot create a temporary file beside it: %s",
				strerror(saved)), GV_EIO;
	}
	a->tmp = gv_buf_detach(&tmp);
	a->path = gv_xstrdup(path);
	if (fchmod(a->fd, (mode_t)mode) < 0) {
		saved = errno;
		gv_atomic_abort(a);
		return gv_error(d, "GV-O002", path, "cannot write: %s", strerror(saved)), GV_EIO;
	}
	return GV_OK;
}

int gv_atomic_add(gv_atomic *a, const void *data, size_t len, gv_diags *d)
{
	const char *p = data;
	int saved;

	while (len) {
		ssize_t w = write(a->fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			saved = errno;
			gv_error(d, "GV-O002", a->path, "cannot write: %s", strerror(saved));
			gv_atomic_abort(a);
			return GV_EIO;
		}
		p += w;
		len -= (size_t)w;
	}
	return GV_OK;
}

void gv_atomic_abort(gv_atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->tmp)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	a->fd = -1;
	a->tmp = a->path = NULL;
}

int gv_atomic_commit(gv_atomic *a, gv_diags *d)
{
	const char *what = "cannot write";
	int saved, fd = a->fd;

	if (!a->tmp)
		return GV_EIO;   /* an earlier add failed and reported it */
	a->fd = -1;
	if (fsync(fd) < 0) {
		close(fd);
		goto fail;
	}
	if (close(fd) < 0)
		goto fail;
	if (rename(a->tmp, a->path) < 0) {
		what = "cannot replace";
		goto fail;
	}
	if (sync_dir(a->path) < 0) {
		gv_error(d, "GV-O002", a->path, "written, but cannot flush its directory: %s",
			 strerror(errno));
		free(a->tmp);
		free(a->path);
		a->tmp = a->path = NULL;
		return GV_EIO;
	}
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
	return GV_OK;
fail:
	saved = errno;
	gv_error(d, "GV-O002", a->path, "%s: %s", what, strerror(saved));
	gv_atomic_abort(a);
	return GV_EIO;
}

int gv_atomic_write(const char *path, const void *data, size_t len, int mode, gv_diags *d)
{
	gv_atomic a;
	int err;

	if ((err = gv_atomic_begin(&a, path, mode, d)) < 0)
		return err;
	if ((err = gv_atomic_add(&a, data, len, d)) < 0)
		return err;
	return gv_atomic_commit(&a, d);
}
