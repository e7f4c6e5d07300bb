/*
 * exec.c: commands as argument lists, with a deadline and bounded output
 * (see exec.h). No shell is involved anywhere: the command is resolved
 * here and started with execve, so a script without a #! line is refused
 * (ENOEXEC) instead of being handed to /bin/sh as execvp would.
 */
#include "exec.h"
#include "alloc.h"
#include "gv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int executable_file(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

char *gv_exec_resolve(const char *cmd, const char *cwd)
{
	const char *path, *p, *e;
	char *cand;
	int denied = 0;

	if (!cmd || !*cmd) {
		errno = ENOENT;
		return NULL;
	}
	if (strchr(cmd, '/')) {
		if (cmd[0] == '/' || !cwd)
			cand = gv_xstrdup(cmd);
		else if (asprintf(&cand, "%s/%s", cwd, cmd) < 0)
			GV_BUG("out of memory");
		if (executable_file(cand) == 0)
			return cand;
		free(cand);
		return NULL;
	}
	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p = e + 1) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		/* relative entries ("", ".") would depend on the folder: skipped */
		if (e > p && *p == '/') {
			if (asprintf(&cand, "%.*s/%s", (int)(e - p), p, cmd) < 0)
				GV_BUG("out of memory");
			if (executable_file(cand) == 0)
				return cand;
			if (errno == EACCES)
				denied = 1;
			free(cand);
		}
		if (!*e)
			break;
	}
	errno = denied ? EACCES : ENOENT;
	return NULL;
}

/* Whether the NAME=VALUE entry e is for name (len bytes). */
static int env_is(const char *e, const char *name, size_t len)
{
	return !strncmp(e, name, len) && e[len] == '=';
}

static int env_has(const char *const *list, const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t len = eq ? (size_t)(eq - entry) : strlen(entry);

	for (; list && *list; list++)
		if (env_is(*list, entry, len))
			return 1;
	return 0;
}

/*
 * The command's environment: govgate's (or, with clean_env, only its
 * variables named in inherit), then the extra NAME=VALUE entries, which
 * replace those of the same name. The strings are borrowed.
 */
static char **make_env(const gv_exec_opts *o)
{
	size_t n = 0, k = 0, i, j;
	char **env;

	while (environ && environ[n])
		n++;
	for (i = 0; o->env && o->env[i]; i++)
		k++;
	env = gv_xcalloc(n + k + 1, sizeof(*env));
	k = 0;
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t len = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		int keep = !o->clean_env;

		for (j = 0; !keep && eq && o->inherit && o->inherit[j]; j++) {
			size_t nl = strlen(o->inherit[j]);
			if (nl && o->inherit[j][nl - 1] == '*')
				keep = nl - 1 <= len && !strncmp(o->inherit[j], environ[i], nl - 1);
			else
				keep = nl == len && !strncmp(o->inherit[j], environ[i], len);
		}
		if (keep && !env_has(o->env, environ[i]))
			env[k++] = environ[i];
	}
	for (j = 0; o->env && o->env[j]; j++)
		env[k++] = (char *)o->env[j];
	env[k] = NULL;
	return env;
}

/* A file descriptor positioned at the start of data, for standard input. */
static int input_fd(const void *data, size_t len)
{
	int fd = memfd_create("govgate-input", MFD_CLOEXEC);
	const char *p = data;

	if (fd < 0) {
		FILE *f = tmpfile();
		if (!f)
			return -1;
		fd = fcntl(fileno(f), F_DUPFD_CLOEXEC, 0);
		fclose(f);
		if (fd < 0)
			return -1;
	}
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

enum { STAGE_CHDIR = 1, STAGE_EXEC = 2, STAGE_SETUP = 3 };

/* In the child: only async-signal-safe calls until execve. */
static void child(const char *path, char *const argv[], char *const envp[], const char *cwd,
		  int in, int out, int report)
{
	struct sigaction sa;
	sigset_t none;
	int msg[2];
	int s;

	setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (cwd && chdir(cwd) < 0) {
		msg[0] = STAGE_CHDIR;
		goto fail;
	}
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) {
		msg[0] = STAGE_SETUP;
		goto fail;
	}
	execve(path, argv, envp);
	msg[0] = STAGE_EXEC;
fail:
	msg[1] = errno;
	if (write(report, msg, sizeof(msg)) < 0) {
		/* nothing more can be done; the exit status tells */
	}
	_exit(127);
}

static void kill_group(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0)
		kill(pid, sig);   /* setpgid may not have happened yet */
}

/*
 * Whether process group pgid still has a member that is not a zombie. A
 * zombie answers kill(-pgid, 0) until it is reaped, and an orphan's zombie
 * may never be where init does not reap (some containers), so /proc tells
 * when it is there; without it, any member counts.
 */
static bool group_alive(pid_t pgid)
{
	struct dirent *e;
	bool alive = false;
	DIR *dp;

	if (kill(-pgid, 0) < 0 && errno == ESRCH)
		return false;
	if (!(dp = opendir("/proc")))
		return true;
	while (!alive && (e = readdir(dp))) {
		char path[300], buf[512], state, *p;
		long pgrp;
		ssize_t n;
		int fd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "pid (comm) state ppid pgrp ...": comm may hold anything, so
		 * the fields are read from its last ')' */
		if ((p = strrchr(buf, ')')) && sscanf(p + 1, " %c %*d %ld", &state, &pgrp) == 2 &&
		    pgrp == (long)pgid && state != 'Z' && state != 'X')
			alive = true;
	}
	closedir(dp);
	return alive;
}

/* Reads what the pipe holds now; *eof once every writer has closed it. */
static void read_output(gv_exec_result *out, int fd, size_t limit, bool *eof)
{
	char chunk[4096];
	ssize_t r;

	while ((r = read(fd, chunk, sizeof(chunk))) > 0) {
		size_t keep = 0;
		if (out->output.len < limit)
			keep = limit - out->output.len;
		if (keep > (size_t)r)
			keep = (size_t)r;
		gv_buf_add(&out->output, chunk, keep);
		out->output_total += (uint64_t)r;
	}
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
		*eof = true;
}

/*
 * The leader has exited on its own and GV_EXEC_DRAIN_MS have passed (or
 * its group is empty): whatever it left running in its process group (a
 * `cmd &`) is ended too, SIGTERM, then SIGKILL after the grace period.
 * Output is read meanwhile, but never waited for: a stray may hold the
 * pipe open until it dies.
 */
static void end_strays(gv_exec_result *out, pid_t pgid, int fd, size_t limit, unsigned grace,
		       bool *eof)
{
	int64_t now = mono_ms(), kill_at = now + grace, give_up = kill_at + GV_EXEC_KILL_WAIT_MS;
	bool killed = false;

	if (!group_alive(pgid))
		return;
	out->strays_killed = true;
	kill(-pgid, SIGTERM);
	while ((now = mono_ms()) < give_up && group_alive(pgid)) {
		struct pollfd pf = { fd, POLLIN, 0 };

		if (!killed && now >= kill_at) {
			kill(-pgid, SIGKILL);
			killed = true;
		}
		if (*eof)
			poll(NULL, 0, 10);
		else if (poll(&pf, 1, 10) > 0)
			read_output(out, fd, limit, eof);
	}
	if (!killed && group_alive(pgid))
		kill(-pgid, SIGKILL);
}

int gv_exec_run(gv_exec_result *out, const gv_exec_opts *o)
{
	char *path = NULL, **envp = NULL;
	int outp[2] = { -1, -1 }, rep[2] = { -1, -1 }, in = -1, msg[2], status = 0;
	int64_t start, deadline, kill_at = 0, drain_until = 0;
	unsigned grace = o->kill_grace_ms ? o->kill_grace_ms : GV_EXEC_KILL_GRACE_MS;
	bool leader_done = false, eof = false, killed = false;
	int pidfd = -1;
	pid_t pid;
	ssize_t r;

	memset(out, 0, sizeof(*out));
	gv_buf_init(&out->output);
	out->exit_code = 127;
	if (!o->argv || !o->argv[0]) {
		out->error = gv_xstrdup("empty command");
		return GV_ERROR;
	}
	if (!(path = gv_exec_resolve(o->argv[0], o->cwd))) {
		if (asprintf(&out->error, errno == EACCES ? "command '%s' is not executable" :
			     "command '%s' not found", o->argv[0]) < 0)
			GV_BUG("out of memory");
		return GV_ERROR;
	}
	envp = make_env(o);
	in = o->input ? input_fd(o->input, o->input_len) : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0 || pipe2(outp, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
		if (asprintf(&out->error, "cannot start '%s': %s", o->argv[0], strerror(errno)) < 0)
			GV_BUG("out of memory");
		goto fail;
	}
	start = mono_ms();
	pid = fork();
	if (pid < 0) {
		if (asprintf(&out->error, "cannot start '%s': %s", o->argv[0], strerror(errno)) < 0)
			GV_BUG("out of memory");
		goto fail;
	}
	if (pid == 0)
		child(path, (char *const *)o->argv, envp, o->cwd, in, outp[1], rep[1]);
	setpgid(pid, pid);   /* also here, so that the group exists before any kill */
	close(outp[1]);
	close(rep[1]);
	close(in);
	outp[1] = rep[1] = in = -1;

	/* the report pipe closes on a successful execve, or carries the reason */
	do
		r = read(rep[0], msg, sizeof(msg));
	while (r < 0 && errno == EINTR);
	close(rep[0]);
	rep[0] = -1;
	if (r == (ssize_t)sizeof(msg)) {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (asprintf(&out->error, msg[0] == STAGE_CHDIR ? "cannot enter folder '%s': %s" :
			     msg[0] == STAGE_EXEC ? "cannot run '%s': %s" : "cannot start '%s': %s",
			     msg[0] == STAGE_CHDIR ? o->cwd : o->argv[0], strerror(msg[1])) < 0)
			GV_BUG("out of memory");
		out->duration_ms = mono_ms() - start;
		goto fail;
	}
	out->started = true;
	fcntl(outp[0], F_SETFL, fcntl(outp[0], F_GETFL) | O_NONBLOCK);
	deadline = o->timeout_ms ? start + o->timeout_ms : INT64_MAX;

	/* a pidfd wakes the loop when the command ends; without one, poll in slices */
#ifdef SYS_pidfd_open
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	/* after the leader: its output, and its group's end (not after a kill,
	 * which ends the group), for at most GV_EXEC_DRAIN_MS */
	while (!leader_done || (mono_ms() < drain_until && (!eof || (!killed && group_alive(pid))))) {
		struct pollfd pf[2];
		int64_t now = mono_ms(), slice = pidfd >= 0 ? 100 : 10;
		nfds_t nf = 0;
		int out_ix = -1;

		if (!leader_done && !killed &&
		    (now >= deadline || (o->stop && *o->stop))) {
			if (now >= deadline)
				out->timed_out = true;
			else
				out->stopped = true;
			killed = true;
			kill_group(pid, SIGTERM);
			kill_at = now + grace;
		}
		if (killed && kill_at && now >= kill_at) {
			kill_group(pid, SIGKILL);
			kill_at = 0;
		}
		if (leader_done)
			slice = eof ? 10 : drain_until - now;
		else if (!killed && deadline - now < slice)
			slice = deadline - now;
		else if (killed && kill_at && kill_at - now < slice)
			slice = kill_at - now;
		if (slice < 0)
			slice = 0;
		if (!eof) {
			out_ix = (int)nf;
			pf[nf].fd = outp[0];
			pf[nf].events = POLLIN;
			pf[nf++].revents = 0;
		}
		if (!leader_done && pidfd >= 0) {
			pf[nf].fd = pidfd;
			pf[nf].events = POLLIN;
			pf[nf++].revents = 0;
		}
		if (poll(pf, nf, (int)slice) > 0 && out_ix >= 0 && pf[out_ix].revents)
			read_output(out, outp[0], o->output_limit, &eof);
		if (!leader_done) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid) {
				leader_done = true;
				out->duration_ms = mono_ms() - start;
				drain_until = mono_ms() + GV_EXEC_DRAIN_MS;
				/* what the group still runs after a timeout dies with it */
				if (killed)
					kill(-pid, SIGKILL);
			}
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	if (!killed) {
		end_strays(out, pid, outp[0], o->output_limit, grace, &eof);
		if (!eof)
			read_output(out, outp[0], o->output_limit, &eof);
	}
	if (WIFEXITED(status)) {
		out->exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		out->term_signal = WTERMSIG(status);
		out->exit_code = 128 + out->term_signal;
	}
	out->truncated = out->output_total > out->output.len;
	close(outp[0]);
	free(path);
	free(envp);
	return GV_OK;

fail:
	if (outp[0] >= 0)
		close(outp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
	if (rep[0] >= 0)
		close(rep[0]);
	if (rep[1] >= 0)
		close(rep[1]);
	if (in >= 0)
		close(in);
	free(path);
	free(envp);
	return GV_ERROR;
}

void gv_exec_result_release(gv_exec_result *r)
{
	if (!r)
		return;
	gv_buf_release(&r->output);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

/* Length of the valid UTF-8 sequence at s (RFC 3629), 0 if there is none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

void gv_utf8_sanitize(gv_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	while (i < n) {
		size_t k = utf8_len(p + i, n - i);
		if (k) {
			i += k;
			run += k;
			continue;
		}
		gv_buf_add(b, s + i - run, run);
		run = 0;
		gv_buf_puts(b, "\xEF\xBF\xBD");
		i++;
	}
	gv_buf_add(b, s + n - run, run);
}
