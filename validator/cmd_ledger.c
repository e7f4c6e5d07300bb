/*
 * cmd_ledger.c: the audit verbs of a shared ledger (docs/LEDGER.md).
 *
 *   audit init --db DB        PostgreSQL: the schema and the roles
 *                             govgate_writer, govgate_checkpointer and
 *                             govgate_auditor (validator/sql/); SQLite: the
 *                             file. Idempotent. 0 done, 2 error.
 *   audit copy --from DB --to DB
 *                             every row of a log into an empty one, either
 *                             backend to either. 0 done, 2 error.
 *   audit checkpoint --every DUR --log-key KEY
 *                             signs the head every DUR (Ns, Nm, Nh or
 *                             seconds) until SIGTERM or SIGINT (then 0); a
 *                             database error is reported and retried at the
 *                             next tick; 1 when the log contradicts its
 *                             checkpoints; 2 a usage or key error.
 */
#include "cmd_ledger.h"
#include "audit.h"
#include "cli_opts.h"
#include "cmd.h"
#include "gv.h"
#include "ledger.h"
#include "sign.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_DB = 1, OPT_FROM, OPT_TO };

static const gv_opt init_opts[] = {
	{ "db", 0, OPT_DB, "DB", "the log: a PostgreSQL connection string (schema and roles) "
	  "or a file (default: $GOVGATE_DB, else govgate-audit.db)", GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};
static const gv_opt copy_opts[] = {
	{ "from", 0, OPT_FROM, "DB", "the log to copy: a file or a PostgreSQL connection "
	  "string (required)", GV_OPT_FILES },
	{ "to", 0, OPT_TO, "DB", "an empty database to copy it into (required)", GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};
const gv_optcmd gv_optcmd_audit_init = {
	"audit init", "create the log (PostgreSQL: its schema and roles)",
	"[--db DB]",
	"On PostgreSQL, creates the schema (validator/sql/pg_schema.sql) and the roles "
	"govgate_writer (append only), govgate_checkpointer and govgate_auditor (read-only) "
	"with their grants (validator/sql/pg_roles.sql), reusing roles another database of "
	"the cluster made; on a file, creates the SQLite log. Idempotent (docs/LEDGER.md).",
	init_opts, NULL, "0 done; 2 input error (a database that cannot be reached, a role "
	"without the rights to create the schema).",
	"$ govgate audit init --db 'host=db.example dbname=govgate user=admin'", NULL, NULL
};
const gv_optcmd gv_optcmd_audit_copy = {
	"audit copy", "copy a log into an empty database (SQLite, PostgreSQL)",
	"--from DB --to DB",
	"Copies every row (entries, tree cache, checkpoints, replicas) in one read "
	"transaction on the source and one write transaction on the destination, either "
	"backend to either; the copy verifies against the same checkpoints and exports "
	"byte for byte the same. The destination must hold no log yet.",
	copy_opts, NULL, "0 copied; 2 input error (the destination holds a log, a database "
	"cannot be read or written).",
	"$ govgate audit copy --from govgate-audit.db --to postgresql://db.example/govgate",
	NULL, NULL
};

/* Parses argv against c: 0, 1 after --help, -1 after a usage error. */
static int parse_verb(const gv_optcmd *c, int argc, char **argv, const char **a,
		      const char **b)
{
	gv_getopt g;
	int opt;

	gv_opts_getopt(&g, c);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		if (opt == 'h') {
			gv_opts_help(stdout, c);
			return 1;
		}
		if (opt == OPT_DB || opt == OPT_FROM)
			*a = optarg;
		else if (opt == OPT_TO)
			*b = optarg;
		else {
			fprintf(stderr, "govgate: %s: unknown or incomplete option '%s'\n", c->name,
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "govgate: %s: unexpected argument '%s'\n", c->name, argv[optind]);
		return -1;
	}
	return 0;
}

int cmd_audit_init(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	const char *db = NULL, *unused = NULL;
	int r, err;

	if ((r = parse_verb(&gv_optcmd_audit_init, argc, argv, &db, &unused)))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!db)
		db = gv_audit_default_path();
	if (gv_store_is_pg(db)) {
		if ((err = gv_store_pg_init(db, &d)) == GV_OK &&
		    (err = gv_audit_open_existing(&a, db, &d)) == GV_OK)
			printf("audit log ready at %s: schema version 1, roles govgate_writer, "
			       "govgate_checkpointer, govgate_auditor\n", gv_audit_path(a));
	} else if ((err = gv_audit_open(&a, db, &d)) == GV_OK) {
		printf("audit log ready at %s: schema version 1 (a SQLite file has no roles)\n",
		       gv_audit_path(a));
	}
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

int cmd_audit_copy(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *from = NULL, *to = NULL;
	gv_ledger_copied n;
	const char *src = NULL, *dst = NULL;
	int r, err;

	if ((r = parse_verb(&gv_optcmd_audit_copy, argc, argv, &src, &dst)))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!src || !dst) {
		fprintf(stderr, "govgate: audit copy: --from DB and --to DB are required; see "
			"'govgate audit copy --help'\n");
		return GV_EXIT_INPUT;
	}
	if (!strcmp(src, dst)) {
		fprintf(stderr, "govgate: audit copy: --from and --to name the same database\n");
		return GV_EXIT_INPUT;
	}
	if ((err = gv_audit_open_existing(&from, src, &d)) < 0 ||
	    (err = gv_audit_open(&to, dst, &d)) < 0)
		goto out;
	if ((err = gv_ledger_copy(from, to, &n, &d)) == GV_OK)
		printf("copied %" PRIu64 " entries, %" PRIu64 " tree nodes, %" PRIu64 " checkpoints "
		       "and %" PRIu64 " replica rows from %s to %s\n", n.entries, n.nodes,
		       n.checkpoints, n.replica_rows, gv_audit_path(from), gv_audit_path(to));
out:
	gv_audit_close(from);
	gv_audit_close(to);
	return gv_cmd_finish(&d, err);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* "90", "90s", "15m", "2h": seconds, 1 to 86400; -1 otherwise. */
static long parse_every(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v < 1 || *s == '+' || *s == '-')
		return -1;
	if (*end == 'm')
		v *= 60, end++;
	else if (*end == 'h')
		v *= 3600, end++;
	else if (*end == 's')
		end++;
	return *end || v > 86400 ? -1 : v;
}

int cmd_audit_checkpoint_every(const char *db, const char *origin, const char *log_key,
			       const char *every)
{
	struct sigaction sa;
	gv_diags d = GV_DIAGS_INIT;
	gv_key *k = NULL;
	uint64_t last = UINT64_MAX;
	long secs = parse_every(every);
	int err = GV_OK;

	if (secs < 0) {
		fprintf(stderr, "govgate: audit checkpoint: --every '%s' is not a duration (N, Ns, Nm "
			"or Nh, 1 s to 24 h)\n", every);
		return GV_EXIT_INPUT;
	}
	if (!log_key) {
		fprintf(stderr, "govgate: audit checkpoint: --every needs --log-key KEY\n");
		return GV_EXIT_INPUT;
	}
	if ((err = gv_key_load_private(&k, log_key, &d)) < 0)
		return gv_cmd_finish(&d, err);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop) {
		gv_audit *a = NULL;
		char *note = NULL;
		uint64_t size = 0;
		struct timespec left = { secs, 0 };

		/* a connection per tick: a restarted server costs one tick */
		if ((err = gv_audit_open(&a, db, &d)) == GV_OK &&
		    (err = gv_audit_checkpoint(a, origin, k, &note, &d)) == GV_OK &&
		    (free(note), note = NULL,
		     err = gv_audit_latest_checkpoint(a, &note, &size, &d)) == GV_OK && size != last) {
			fprintf(stderr, "govgate: checkpoint for size %" PRIu64 "\n", size);
			last = size;
		}
		free(note);
		gv_audit_close(a);
		gv_diags_print(&d, stderr, gv_cmd_color(2), 0);
		gv_diags_release(&d);
		memset(&d, 0, sizeof(d));
		if (err == GV_ESIG)
			break;
		while (!stop && nanosleep(&left, &left) < 0 && errno == EINTR)
			;
	}
	gv_key_free(k);
	return err == GV_ESIG ? GV_EXIT_INVALID : 0;
}
