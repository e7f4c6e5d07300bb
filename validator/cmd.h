/*
 * cmd.h: the subcommands. Each cmd_* parses its own options, calls the core
 * (libgv) and maps the result to a documented exit code; no rule logic lives
 * in a cmd_* file. Only main.c and cmd_*.c may call exit().
 */
#ifndef GV_CMD_H
#define GV_CMD_H

#include <stddef.h>

typedef struct gv_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} gv_cmd;

/* Looks up argv[0] in a NULL-terminated table and runs it; prints help for
 * "help", "-h", "--help" or no argument. Used for nested verbs as well. */
int gv_cmd_dispatch(const gv_cmd *table, const char *prog, int argc, char **argv);

/* Whether diagnostics to stderr should use colour (a terminal, no NO_COLOR). */
int gv_cmd_color(int fd);

/* A growing list of borrowed strings (repeatable options, arguments). */
typedef struct strlist {
	const char **v;
	size_t n, alloc;
} strlist;
void gv_cmd_push(strlist *l, const char *s);

int cmd_check(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_policy_test(int argc, char **argv);   /* cmd_policy_test.c */
int cmd_keygen(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_receipts(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_deploy(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_approve(int argc, char **argv);     /* cmd_approve.c */

#endif
