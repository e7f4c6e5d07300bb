/*
 * gv.h: names shared by every govgate module.
 *
 * Return convention (libgit2's): functions return int, GV_OK (0) on success
 * and a negative GV_E* code on failure; the human-readable part of a failure
 * goes into a gv_diags list passed explicitly (see diag.h). There is no
 * global error state.
 *
 * Exit codes are the contract with users and CI; they live here and only
 * main.c and cmd_*.c turn results into them.
 */
#ifndef GV_H
#define GV_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define GV_VERSION "0.1.0"
#define GV_TOOL_NAME "govgate"

enum {
	GV_OK = 0,
	GV_ERROR = -1,   /* generic failure, detail in the diags */
	GV_ENOMEM = -2,
	GV_EIO = -3,     /* a file could not be read or written */
	GV_EPARSE = -4,  /* malformed input */
	GV_ESIG = -5,    /* a signature or digest did not verify */
	GV_ELIMIT = -6,  /* an input exceeded a configured bound */
	GV_ENOTFOUND = -7,
	GV_EBUDGET = -8  /* a run-wide budget was used up (rx.h) */
};

/* Exit codes of `govgate check` (and of `deploy`, which shares them). */
enum {
	GV_EXIT_ALLOW = 0,     /* no violation, or only warn/info */
	GV_EXIT_DENY = 1,      /* at least one block or halt violation */
	GV_EXIT_INPUT = 2,     /* usage or input error */
	GV_EXIT_ESCALATE = 3   /* at least one escalate violation, nothing worse */
};

/* Exit codes of verifiers (`verify`, `audit verify`): minisign's split. */
enum {
	GV_EXIT_VALID = 0,
	GV_EXIT_INVALID = 1,   /* the evidence is bad */
	GV_EXIT_MALFORMED = 2  /* the input could not be read or is not evidence */
};

void gv_bug_at(const char *file, int line, const char *msg) __attribute__((noreturn));
/* Only for broken invariants, never for anything a user can cause. */
#define GV_BUG(msg) gv_bug_at(__FILE__, __LINE__, (msg))

#define GV_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
