/* atomic.c: write a unique temporary, fsync, rename, fsync the directory (atomic.h). */
#include "atomic.h"
#include "alloc.h"
#include "buf.h"
#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
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

/*
 * Appends the six characters that make a temporary's name unique. They come
 * from getrandom(), or from the clock, the pid and a counter when it cannot
 * answer; O_EXCL, not the name, is what makes the file ours.
 */
static void tmp_suffix(gv_buf *b)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned counter;
	unsigned char r[6];
	size_t i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
		    ((uint64_t)getpid() << 16) ^ ++counter;
		for (i = 0; i < sizeof(r); i++, x >>= 8)
			r[i] = (unsigned char)(x ^ (x >> 29));
	}
	for (i = 0; i < sizeof(r); i++)
		gv_buf_putc(b, set[r[i] % (sizeof(set) - 1)]);
}

/* Whether path is a stream, written in place (see atomic.h). */
static int in_place(const char *path)
{
	struct stat st;

	if (!strncmp(path, "/dev/", 5) || !strncmp(path, "/proc/self/fd/", 14))
		return 1;
	return lstat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode));
}

int gv_atomic_begin(gv_atomic *a, const char *path, int mode, gv_diags *d)
{
	gv_buf tmp = GV_BUF_INIT;
	struct stat old;
	int saved, tries, replace;

	a->fd = -1;
	a->tmp = a->path = NULL;
	if (in_place(path)) {
		a->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (a->fd < 0)
			return gv_error(d, "GV-O002", path, "cannot write: %s", strerror(errno)),
			       GV_EIO;
		a->path = gv_xstrdup(path);
		return GV_OK;
	}
	/* a regular file being replaced keeps its mode; a new file gets mode
	 * less the umask, which open() applies */
	replace = lstat(path, &old) == 0 && S_ISREG(old.st_mode);
	for (tries = 0; tries < 100; tries++) {
		gv_buf_clear(&tmp);
		gv_buf_printf(&tmp, "%s.tmp-", path);
		tmp_suffix(&tmp);
		a->fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     replace ? (mode_t)0600 : (mode_t)mode & 0777);
		if (a->fd >= 0 || errno != EEXIST)
			break;
	}
	if (a->fd < 0) {
		saved = errno;
		gv_buf_release(&tmp);
		return gv_error(d, "GV-O002", path, "cannot create a temporary file beside it: %s",
				strerror(saved)), GV_EIO;
	}
	a->tmp = gv_buf_detach(&tmp);
	a->path = gv_xstrdup(path);
	/* set before the first byte is written, so the data is never more exposed
	 * than the file it replaces (set-id bits are not carried over) */
	if (replace && fchmod(a->fd, old.st_mode & 0777) < 0) {
		saved = errno;
		gv_atomic_abort(a);
		return gv_error(d, "GV-O002", path, "cannot write: %s", strerror(saved)), GV_EIO;
	}
	return GV_OK;
}

int gv_atomic_check(const char *path, gv_diags *d)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	struct stat st;
	long max;
	int err = GV_OK;

	if (*path && in_place(path)) {
		if (access(path, W_OK) < 0)
			return gv_error(d, "GV-O004", path, "cannot write here: %s",
					strerror(errno)), GV_EIO;
		return GV_OK;
	}
	if (!*path || (slash && !slash[1]))
		return gv_error(d, "GV-O004", path, "cannot write here: %s",
				*path ? "the path names a folder" : "the path is empty"), GV_EIO;
	dir = slash ? gv_xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
		    : gv_xstrdup(".");
	if (stat(dir, &st) < 0)
		err = gv_error(d, "GV-O004", path, "cannot write here: folder '%s' %s", dir,
			       errno == ENOENT ? "does not exist" : strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		err = gv_error(d, "GV-O004", path, "cannot write here: '%s' is not a folder", dir);
	else if (access(dir, W_OK | X_OK) < 0)
		err = gv_error(d, "GV-O004", path, "cannot write here: folder '%s' is not writable",
			       dir);
	else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		err = gv_error(d, "GV-O004", path, "cannot write here: it is a folder");
	else if ((max = pathconf(dir, _PC_NAME_MAX)) > 0 &&
		 strlen(slash ? slash + 1 : path) + strlen(".tmp-XXXXXX") > (size_t)max)
		err = gv_error(d, "GV-O004", path, "cannot write here: the name is too long for "
			       "a temporary file beside it (at most %ld bytes)",
			       max - (long)strlen(".tmp-XXXXXX"));
	free(dir);
	return err < 0 ? GV_EIO : GV_OK;
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
		unlink(a->tmp);   /* a stream (no tmp) keeps what was written */
	free(a->tmp);
	free(a->path);
	a->fd = -1;
	a->tmp = a->path = NULL;
}

int gv_atomic_commit(gv_atomic *a, gv_diags *d)
{
	const char *what = "cannot write";
	int saved, fd = a->fd;

	if (!a->path)
		return GV_EIO;   /* an earlier add failed and reported it */
	a->fd = -1;
	if (!a->tmp) {       /* a stream: nothing to rename or flush */
		if (close(fd) < 0)
			goto fail;
		free(a->path);
		a->path = NULL;
		return GV_OK;
	}
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
