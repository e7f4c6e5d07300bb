/*
 * cmd.h: the subcommands. Each cmd_* parses its own options, calls the core
 * (libgv) and maps the result to a documented exit code; no rule logic lives
 * in a cmd_* file. Only main.c and cmd_*.c may call exit().
 */
#ifndef GV_CMD_H
#define GV_CMD_H

#include <stddef.h>

#include "diag.h"

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

/*
 * Prints the diagnostics to stderr, releases them and maps err to an exit
 * code: 0 for GV_OK, GV_EXIT_INVALID for GV_ESIG (evidence that does not
 * verify), GV_EXIT_INPUT for anything else.
 */
int gv_cmd_finish(gv_diags *d, int err);
/* "govgate CMD VERB: MSG; see 'govgate CMD VERB --help'" on stderr; GV_EXIT_INPUT. */
int gv_cmd_usage_error(const char *cmd, const char *verb, const char *msg);

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
int cmd_witness(int argc, char **argv);       /* cmd_witness.c */
int cmd_probe(int argc, char **argv);
int cmd_receipts(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_deploy(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_completion(int argc, char **argv);    /* cmd_pages.c */
int gv_cmd_help(int argc, char **argv);       /* cmd_pages.c: help COMMAND, help --man */

/* The option tables (cli_opts.h), one per command and verb; a group
 * (policy, key, audit, witness, sync, waiver) has prose and no options. cmd_pages.c lists
 * them all for the man pages and completions. */
struct gv_optcmd;
extern const struct gv_optcmd gv_optcmd_check, gv_optcmd_policy, gv_optcmd_policy_lint,
	gv_optcmd_policy_test, gv_optcmd_explain, gv_optcmd_verify, gv_optcmd_keygen,
	gv_optcmd_key, gv_optcmd_key_id, gv_optcmd_key_export, gv_optcmd_key_sign_statement,
	gv_optcmd_key_sign, gv_optcmd_audit, gv_optcmd_audit_verify,
	gv_optcmd_audit_checkpoint, gv_optcmd_audit_publish, gv_optcmd_audit_prove,
	gv_optcmd_audit_log,
	gv_optcmd_audit_export, gv_optcmd_audit_append, gv_optcmd_audit_key,
	gv_optcmd_audit_init, gv_optcmd_audit_copy,  /* cmd_ledger.c */
	gv_optcmd_receipts, gv_optcmd_probe, gv_optcmd_sync, gv_optcmd_sync_export,
	gv_optcmd_sync_import, gv_optcmd_sync_status, gv_optcmd_metrics, gv_optcmd_deploy,
	gv_optcmd_version, gv_optcmd_completion, gv_optcmd_policy_bundle, gv_optcmd_waiver,
	gv_optcmd_waiver_sign, gv_optcmd_witness, gv_optcmd_witness_cosign,
	gv_optcmd_witness_key, gv_optcmd_approve;
int cmd_waiver(int argc, char **argv);         /* cmd_waiver.c */
int cmd_policy_bundle(int argc, char **argv);  /* cmd_waiver.c */
int cmd_approve(int argc, char **argv);     /* cmd_approve.c */

#endif
