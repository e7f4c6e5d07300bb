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

int gv_atomic_write(const char *path, const void *data, size_t len, int mode, gv_diags *d)
{
	gv_buf tmp = GV_BUF_INIT;
	const char *p = data;
	int fd, saved, err = GV_EIO;
	const char *what = "cannot write";

	gv_buf_printf(&tmp, "%s.tmp-XXXXXX", path);
	fd = mkostemp(tmp.ptr, O_CLOEXEC);
	if (fd < 0) {
		saved = errno;
		gv_error(d, "GV-F001", path, "cannot create a temporary file beside it: %s",
			 strerror(saved));
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) < 0)
		goto fail;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.ptr, path) < 0) {
		what = "cannot replace";
		goto fail;
	}
	if (sync_dir(path) < 0) {
		gv_error(d, "GV-F001", path, "written, but cannot flush its directory: %s",
			 strerror(errno));
		goto out;
	}
	err = GV_OK;
	goto out;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp.ptr);
	gv_error(d, "GV-F001", path, "%s: %s", what, strerror(saved));
out:
	gv_buf_release(&tmp);
	return err;
}
