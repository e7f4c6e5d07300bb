/*
 * exec.h: running a command given as an argument list, never through a
 * shell, with a deadline. Used by `deploy` for its steps and its alert
 * command.
 *
 * The command is looked up in the parent (a name without '/' along the
 * absolute entries of $PATH; a relative name against the working
 * directory given), then started with fork and execve in a process group
 * of its own, standard input from the data given (or /dev/null), standard
 * output and standard error together into one pipe. The output is kept up
 * to a bound and counted beyond it. When the deadline passes, the whole
 * process group gets SIGTERM, then SIGKILL after a grace period. When the
 * command (the group's leader) exits on its own and processes it started
 * in its group (`cmd &`) still run GV_EXEC_DRAIN_MS later, the group gets
 * the same: SIGTERM, then SIGKILL after the grace period, and the result
 * says so. Either way, nothing the command started in its group outlives
 * it (a process that leaves the group with setsid or setpgid is out of
 * reach). Output is read meanwhile, never waited for beyond that: a stray
 * that holds the pipe open cannot hang the caller.
 *
 * The environment is govgate's plus the entries given, or with clean_env
 * only the variables named in inherit (when set) plus the entries given.
 *
 * Only async-signal-safe calls happen between fork and execve, so this is
 * safe in a process with threads (the probe's name lookups may still run).
 *
 * Ownership: a gv_exec_result owns its output and error text; release it
 * with gv_exec_result_release(). The options borrow everything.
 */
#ifndef GV_EXEC_H
#define GV_EXEC_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define GV_EXEC_KILL_GRACE_MS 1000u     /* SIGTERM, then SIGKILL after this */
#define GV_EXEC_DRAIN_MS 200u           /* output read, and the group's end awaited,
					   after the command exits */
#define GV_EXEC_KILL_WAIT_MS 1000u      /* waited after SIGKILL for the group to go */

typedef struct gv_exec_opts {
	const char *const *argv;       /* NULL-terminated; argv[0] is the command */
	const char *cwd;               /* working directory; NULL: the current one */
	const char *const *env;        /* extra "NAME=VALUE" entries (NULL-terminated) or NULL;
					  they replace variables of the same name */
	bool clean_env;                /* not govgate's environment: only inherit + env */
	const char *const *inherit;    /* with clean_env: names of govgate's variables kept
					  (when set); "PREFIX*" keeps every name that
					  starts with PREFIX; NULL-terminated or NULL */
	const void *input;             /* written to standard input; NULL: /dev/null */
	size_t input_len;
	unsigned timeout_ms;           /* 0: no deadline (not used by deploy) */
	unsigned kill_grace_ms;        /* 0: GV_EXEC_KILL_GRACE_MS */
	size_t output_limit;           /* bytes of output kept */
	volatile sig_atomic_t *stop;   /* when it becomes non-zero, stop as on timeout */
} gv_exec_opts;

typedef struct gv_exec_result {
	bool started;        /* the command was found and execve succeeded */
	char *error;         /* why it did not start (NULL when it started) */
	int exit_code;       /* exit status; 128 + signal when killed by one; 127 when
				not started */
	int term_signal;     /* the signal that ended it, 0 when it exited */
	bool timed_out;      /* the deadline passed and the group was killed */
	bool stopped;        /* *stop was set and the group was killed */
	bool strays_killed;  /* the leader exited on its own, its group still had
				running processes, and they were ended */
	int64_t duration_ms; /* from the fork to the end of the leader */
	gv_buf output;       /* at most output_limit bytes of stdout + stderr */
	uint64_t output_total;  /* bytes the command wrote in all */
	bool truncated;      /* output_total > output.len */
} gv_exec_result;

/*
 * Runs the command and waits for it (at most timeout plus the grace
 * period plus GV_EXEC_DRAIN_MS, plus the grace period and
 * GV_EXEC_KILL_WAIT_MS when strays are ended). Returns GV_OK when the command ran to an
 * end of any kind (see the result), GV_ERROR when it could not be started
 * (result->error says why: not found, not executable, no such folder, or
 * a system limit).
 */
int gv_exec_run(gv_exec_result *out, const gv_exec_opts *o);
void gv_exec_result_release(gv_exec_result *r);

/*
 * Resolves a command as gv_exec_run will: a name with '/' relative to cwd
 * (NULL: the current directory), else along the absolute entries of $PATH.
 * Returns a malloc'd path, or NULL with errno set (ENOENT, EACCES).
 */
char *gv_exec_resolve(const char *cmd, const char *cwd);

/* Appends the n bytes at s to b, replacing every byte that is not part of
 * valid UTF-8, and every NUL, with U+FFFD, so the text is safe in JSON. */
void gv_utf8_sanitize(gv_buf *b, const char *s, size_t n);

#endif
