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

static int finish(gv_diags *d, int err)
{
	gv_diags_print(d, stderr, gv_cmd_color(2), 0);
	gv_diags_release(d);
	if (err == GV_OK)
		return 0;
	return err == GV_ESIG ? GV_EXIT_INVALID : GV_EXIT_INPUT;
}

int cmd_audit_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	const char *db = NULL;
	int c, err;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: govgate audit init [--db DB]\n");
			return 0;
		}
		if (c != 'd') {
			fprintf(stderr, "govgate: audit init: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return GV_EXIT_INPUT;
		}
		db = optarg;
	}
	if (optind < argc) {
		fprintf(stderr, "govgate: audit init: unexpected argument '%s'\n", argv[optind]);
		return GV_EXIT_INPUT;
	}
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
	return finish(&d, err);
}

int cmd_audit_copy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *from = NULL, *to = NULL;
	gv_ledger_copied n;
	const char *src = NULL, *dst = NULL;
	int c, err;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: govgate audit copy --from DB --to DB\n");
			return 0;
		}
		if (c == 'f')
			src = optarg;
		else if (c == 't')
			dst = optarg;
		else {
			fprintf(stderr, "govgate: audit copy: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return GV_EXIT_INPUT;
		}
	}
	if (optind < argc || !src || !dst) {
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
	return finish(&d, err);
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
		return finish(&d, err);
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
