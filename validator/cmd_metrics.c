/*
 * cmd_metrics.c: `govgate metrics`: the audit log's metrics in Prometheus
 * text exposition (metrics.c), on standard output or, with --textfile DIR,
 * written atomically to DIR/govgate.prom for node_exporter's textfile
 * collector. Exit codes: 0 done; 2 usage error, or the database cannot be
 * read or the file written.
 */
#include "cmd.h"
#include "cli_opts.h"
#include "atomic.h"
#include "audit.h"
#include "buf.h"
#include "gv.h"
#include "metrics.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

enum { OPT_DB = 1000, OPT_TEXTFILE, OPT_KEY, OPT_TRUST };

static const gv_opt metrics_opts[] = {
	{ "key", 0, OPT_KEY, "LOG-PUB", "the log's public key (required): metrics count only "
	  "what its signed checkpoints prove", GV_OPT_FILES },
	{ "trust", 0, OPT_TRUST, "ORIGIN=PUB", "also report the replica of ORIGIN, verified "
	  "under PUB (repeatable)", NULL },
	{ "db", 0, OPT_DB, "DB", "the audit log, a file or a PostgreSQL connection string (default: $GOVGATE_DB, else govgate-audit.db)",
	  GV_OPT_FILES },
	{ "textfile", 0, OPT_TEXTFILE, "DIR", "write DIR/govgate.prom atomically, for "
	  "node_exporter's textfile collector, instead of standard output", GV_OPT_DIRS },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_metrics = {
	"metrics", "print Prometheus metrics derived from the audit log",
	"--key LOG-PUB [--trust ORIGIN=PUB]... [--db DB] [--textfile DIR]",
	"Prints metrics derived from the audit log in the Prometheus text exposition "
	"format (docs/METRICS.md), counting only what checkpoints signed by LOG-PUB "
	"prove, and the replicas of other logs verified under their trusted keys.",
	metrics_opts, NULL,
	"0 done; 2 usage error, or the database cannot be read or the file written.",
	"Refresh the textfile collector's file every minute from cron:\n"
	"$ govgate metrics --key keys/log.pub --db audit.db --textfile /var/lib/node_exporter",
	NULL, NULL
};

int cmd_metrics(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf out = GV_BUF_INIT, path = GV_BUF_INIT;
	gv_audit *a = NULL;
	gv_key *pub = NULL;
	gv_sync_trust_list trust = GV_SYNC_TRUST_LIST_INIT;
	gv_sync_keys keys = { &trust, NULL };
	const char *db = NULL, *dir = NULL, *key = NULL, *specs[GV_SYNC_MAX_TRUST];
	size_t ntrust = 0;
	int c, err;
	gv_getopt g;

	optind = 1;
	opterr = 0;
	gv_opts_getopt(&g, &gv_optcmd_metrics);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_metrics);
			return 0;
		case OPT_DB: db = optarg; break;
		case OPT_KEY: key = optarg; break;
		case OPT_TRUST:
			if (ntrust == GV_SYNC_MAX_TRUST) {
				fprintf(stderr, "govgate: metrics: too many --trust options\n");
				return GV_EXIT_INPUT;
			}
			specs[ntrust++] = optarg;
			break;
		case OPT_TEXTFILE: dir = optarg; break;
		default:
			fprintf(stderr, "govgate: metrics: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return GV_EXIT_INPUT;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "govgate: metrics: unexpected argument '%s'\n", argv[optind]);
		return GV_EXIT_INPUT;
	}
	if (dir && !*dir) {
		fprintf(stderr, "govgate: metrics: --textfile takes a directory\n");
		return GV_EXIT_INPUT;
	}
	if (!key) {
		fprintf(stderr, "govgate: metrics: --key LOG-PUB (the log's public key) is required: "
			"metrics count only what its checkpoints prove\n");
		return GV_EXIT_INPUT;
	}
	db = db ? db : gv_audit_default_path();
	if ((err = gv_key_load_public(&pub, key, &d)) < 0)
		goto out;
	keys.log_pub = pub;
	if (ntrust && (err = gv_sync_trust_load(&trust, specs, ntrust, 0, &d)) < 0)
		goto out;
	if ((err = gv_audit_open_existing(&a, db, &d)) < 0)
		goto out;
	if ((err = gv_metrics_render(&out, a, &keys, &d)) < 0)
		goto out;
	if (dir) {
		gv_buf_printf(&path, "%s/%s", dir, GV_METRICS_TEXTFILE);
		err = gv_atomic_write(path.ptr, out.ptr, out.len, 0666, &d);
	} else {
		fwrite(out.ptr, 1, out.len, stdout);
		err = fflush(stdout) ? GV_EIO : GV_OK;
	}
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 0);
	gv_diags_release(&d);
	gv_buf_release(&out);
	gv_buf_release(&path);
	gv_audit_close(a);
	gv_key_free(pub);
	gv_sync_trust_list_release(&trust);
	return err == GV_OK ? 0 : err == GV_ESIG ? GV_EXIT_INVALID : GV_EXIT_INPUT;
}
