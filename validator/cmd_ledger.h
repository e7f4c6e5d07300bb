/*
 * cmd_ledger.h: the audit verbs for a shared ledger (cmd_ledger.c):
 * `audit init`, `audit copy`, and `audit checkpoint --every`.
 */
#ifndef GV_CMD_LEDGER_H
#define GV_CMD_LEDGER_H

int cmd_audit_init(int argc, char **argv);
int cmd_audit_copy(int argc, char **argv);
/* Signs the head of db every `every` (cmd_audit.c parsed the options). */
int cmd_audit_checkpoint_every(const char *db, const char *origin, const char *log_key,
			       const char *every);

#endif
