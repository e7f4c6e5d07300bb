/*
 * cmd_sync.c: `govgate sync <verb>`: export, import and status of sync
 * bundles between two logs (sync.c). Exit codes:
 *
 *   export   0 written; 1 the log contradicts its own checkpoints;
 *            2 usage or input error (no checkpoint, --since too large, ...)
 *   import   0 imported, or already up to date; 1 the bundle was rejected
 *            (or its checkpoint has too few cosignatures for --witness):
 *            it does not verify, is not signed by the key trusted for its
 *            origin, or contradicts the replica (a fork: an ALERT line on
 *            standard error and a sync.fork_detected entry in the local
 *            log); 2 unreadable or malformed bundle, usage or database error,
 *            or a bundle that starts after the replica's end
 *   status   0 printed; 2 usage or database error
 */
#include "cmd.h"
#include "cli_opts.h"
#include "alloc.h"
#include "audit.h"
#include "buf.h"
#include "gv.h"
#include "note.h"
#include "sign.h"
#include "sync.h"
#include "witness.h"
#include "atomic.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > INT64_MAX)
		return -1;
	*out = v;
	return 0;
}

enum { OPT_DB = 1000, OPT_SINCE, OPT_LOG_KEY, OPT_ORIGIN, OPT_TRUST, OPT_ROTATE, OPT_FORMAT,
       OPT_KEY, OPT_COSIGNED, OPT_WITNESS, OPT_MIN_WITNESSES };

/*
 * Replaces the checkpoint of the bundle at path with a cosigned copy of it
 * (docs/TILES.md): the bundle then carries the cosignatures it has.
 */
static int attach_cosigned(const char *path, const gv_buf *cos, const char *cos_path,
			   gv_diags *d)
{
	gv_buf raw = GV_BUF_INIT, out = GV_BUF_INIT;
	gv_sync_bundle b;
	int err;

	if ((err = gv_buf_read_file(&raw, path, GV_SYNC_MAX_BUNDLE)) < 0) {
		gv_error(d, "GV-S001", path, "cannot read the bundle back: %s", strerror(errno));
		goto out;
	}
	if ((err = gv_sync_bundle_parse(&b, raw.ptr, raw.len, path, d)) < 0)
		goto out;
	if ((err = gv_witness_same_checkpoint(b.note, b.note_len, cos->ptr, cos->len, cos_path,
					      d)) == GV_OK) {
		b.note = cos->ptr;
		b.note_len = cos->len;
		gv_sync_bundle_format(&out, &b);
		err = gv_atomic_write(path, out.ptr, out.len, 0666, d);
	}
	gv_sync_bundle_release(&b);
out:
	gv_buf_release(&raw);
	gv_buf_release(&out);
	return err;
}

#define ROW_DB { "db", 0, OPT_DB, "DB", "the local audit log, a file or a PostgreSQL connection string (default: $GOVGATE_DB, " \
		 "else govgate-audit.db)", GV_OPT_FILES }

static const gv_opt export_opts[] = {
	ROW_DB,
	{ "since", 0, OPT_SINCE, "SIZE", "only the entries after the first SIZE (default: 0, "
	  "all of them)", NULL },
	{ "output", 'o', 'o', "BUNDLE", "the bundle file to write (required)", GV_OPT_FILES },
	{ "log-key", 0, OPT_LOG_KEY, "KEY", "first sign a checkpoint of the whole log when the "
	  "latest does not cover it (without it the bundle stops at the latest checkpoint)",
	  GV_OPT_FILES },
	{ "origin", 0, OPT_ORIGIN, "O", "the origin of that checkpoint", NULL },
	{ "cosigned", 0, OPT_COSIGNED, "CHECKPOINT", "a cosigned copy of the bundle's own "
	  "checkpoint, put in its place at the end of the bundle (docs/TILES.md)",
	  GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};
static const gv_opt import_opts[] = {
	ROW_DB,
	{ "trust", 0, OPT_TRUST, "ORIGIN=PUB", "the key the log of ORIGIN signs with "
	  "(repeatable; required)", NULL },
	{ "rotate-key", 0, OPT_ROTATE, NULL, "accept a key other than the one the origin's "
	  "first import pinned, and pin it", NULL },
	{ "log-key", 0, OPT_LOG_KEY, "KEY", "sign a checkpoint of the local log after the "
	  "import", GV_OPT_FILES },
	{ "origin", 0, OPT_ORIGIN, "O", "the origin of that checkpoint", NULL },
	{ "witness", 0, OPT_WITNESS, "NAME=PUB", "the bundle's checkpoint counts only with "
	  "cosignatures from the named witnesses, checked before anything else (repeatable; "
	  "docs/TILES.md)", NULL },
	{ "min-witnesses", 0, OPT_MIN_WITNESSES, "N", "how many of them (default: all)", NULL },
	GV_OPT_HELP,
	GV_OPT_END
};
static const gv_opt status_opts[] = {
	{ "key", 0, OPT_KEY, "LOG-PUB", "the local log's public key: the log is verified "
	  "first, and replicas under the keys it pinned under checkpoints signed by LOG-PUB",
	  GV_OPT_FILES },
	{ "trust", 0, OPT_TRUST, "ORIGIN=PUB", "verify the replica of ORIGIN under PUB "
	  "(repeatable)", NULL },
	ROW_DB,
	{ "origin", 0, OPT_ORIGIN, "O", "only the replica of this origin", NULL },
	{ "format", 'f', 'f', "FMT", "text (default) or json", "text json" },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_sync = {
	"sync", "export and import sync bundles between two logs", "VERB [options]",
	"Two sites keep each other's audit log: 'export' writes the entries after a tree "
	"size as a bundle with a signed checkpoint and a consistency proof; 'import' "
	"verifies a bundle against the key trusted for its origin and adds it to the "
	"replica, detecting forks; 'status' shows each verified replica's size and lag "
	"(docs/EVIDENCE.md).",
	NULL, NULL, NULL, NULL, NULL, NULL
};
const gv_optcmd gv_optcmd_sync_export = {
	"sync export", "write a bundle of the entries after a size, with proof",
	"[--db DB] [--since SIZE] -o BUNDLE [--log-key KEY [--origin O]]\n"
	"                         [--cosigned CHECKPOINT]", NULL,
	export_opts, NULL,
	"0 written; 1 the log contradicts its own checkpoints; 2 usage or input error (no "
	"checkpoint, --since too large, ...).",
	"$ govgate sync export --db site-a.db --log-key keys/log.key -o a.bundle", NULL, NULL
};
const gv_optcmd gv_optcmd_sync_import = {
	"sync import", "verify a bundle and add it to the replica of its origin",
	"[--db DB] --trust ORIGIN=PUB... [--rotate-key] [--log-key KEY [--origin O]]\n"
	"                         [--witness NAME=PUB]... [--min-witnesses N] BUNDLE",
	NULL, import_opts, NULL,
	"0 imported, or already up to date; 1 the bundle was rejected: it does not verify, "
	"is not signed by the key trusted for its origin, or contradicts the replica (a "
	"fork: an ALERT line on standard error and a sync.fork_detected entry in the local "
	"log); 2 unreadable or malformed bundle, usage or database error, or a bundle that "
	"starts after the replica's end.",
	"$ govgate sync import --db site-b.db --trust site-a.example/audit=keys/a-log.pub a.bundle",
	GV_OPT_FILES, NULL
};
const gv_optcmd gv_optcmd_sync_status = {
	"sync status", "show each replica's size, lag and sync latency",
	"(--key LOG-PUB | --trust ORIGIN=PUB...) [--db DB] [--origin O] [-f text|json]",
	NULL, status_opts, NULL, "0 printed; 2 usage or database error.", NULL, NULL, NULL
};

static int sync_export(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf cos = GV_BUF_INIT;
	const char *cosigned = NULL;
	gv_sync_export_info info;
	gv_audit *a = NULL;
	gv_key *k = NULL;
	const char *db = NULL, *out = NULL, *log_key = NULL, *origin = NULL;
	uint64_t since = 0;
	int c, err;
	gv_getopt g;

	optind = 1;
	opterr = 0;
	gv_opts_getopt(&g, &gv_optcmd_sync_export);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_sync_export);
			return 0;
		case OPT_COSIGNED: cosigned = optarg; break;
		case OPT_DB: db = optarg; break;
		case 'o': out = optarg; break;
		case OPT_LOG_KEY: log_key = optarg; break;
		case OPT_ORIGIN: origin = optarg; break;
		case OPT_SINCE:
			if (parse_u64(optarg, &since) < 0)
				return gv_cmd_usage_error("sync", "export", "--since takes a tree size (a non-negative "
						   "integer)");
			break;
		default:
			fprintf(stderr, "govgate: sync export: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return GV_EXIT_INPUT;
		}
	}
	if (optind < argc)
		return gv_cmd_usage_error("sync", "export", "unexpected argument");
	if (!out || !strcmp(out, "-"))
		return gv_cmd_usage_error("sync", "export", "-o BUNDLE (a file) is required");
	if (origin && !log_key)
		return gv_cmd_usage_error("sync", "export", "--origin only names the origin of a checkpoint signed "
				   "with --log-key");
	db = db ? db : gv_audit_default_path();
	origin = origin ? origin : gv_audit_default_origin();
	if (log_key && (err = gv_key_load_private(&k, log_key, &d)) < 0)
		goto out;
	if (cosigned && (err = gv_buf_read_file(&cos, cosigned, GV_NOTE_MAX)) < 0) {
		gv_error(&d, "GV-S001", cosigned, "cannot read the cosigned checkpoint: %s",
			 err == GV_ELIMIT ? "too large" : strerror(errno));
		goto out;
	}
	if ((err = gv_audit_open_existing(&a, db, &d)) < 0)
		goto out;
	err = gv_sync_export(a, since, origin, k, out, &info, &d);
	if (err == GV_OK && cosigned)
		err = attach_cosigned(out, &cos, cosigned, &d);
	if (err == GV_ENOTFOUND && !k)
		gv_error(&d, "GV-S004", db, "nothing to export without a checkpoint; pass --log-key KEY "
			 "to sign one");
	if (err == GV_OK) {
		printf("exported entries %" PRIu64 " to %" PRIu64 " (%" PRIu64 " entries, %zu bytes) of "
		       "'%s' to %s\n", info.from, info.to, info.entries, info.bytes, info.origin, out);
		if (info.announced > info.to)
			fprintf(stderr, "govgate: note: %" PRIu64 " newer entries are not covered by a "
				"checkpoint and were left out; sign one with --log-key\n",
				info.announced - info.to);
	}
out:
	gv_buf_release(&cos);
	gv_key_free(k);
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

static int sync_import(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_witness_list wl = GV_WITNESS_LIST_INIT;
	const char *wspecs[GV_WITNESS_MAX], *min_w = NULL;
	size_t nw = 0;
	gv_sync_trust_list trust = GV_SYNC_TRUST_LIST_INIT;
	const char *specs[GV_SYNC_MAX_TRUST];
	gv_sync_import_result res;
	gv_buf bundle = GV_BUF_INIT;
	gv_audit *a = NULL;
	gv_key *lk = NULL;
	const char *db = NULL, *path, *actor, *log_key = NULL, *origin = NULL;
	char *note = NULL;
	size_t ntrust = 0;
	bool rotate = false;
	int c, err = GV_OK;
	gv_getopt g;

	memset(&res, 0, sizeof(res));
	optind = 1;
	opterr = 0;
	gv_opts_getopt(&g, &gv_optcmd_sync_import);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_sync_import);
			return 0;
		case OPT_MIN_WITNESSES: min_w = optarg; break;
		case OPT_WITNESS:
			if (nw == GV_WITNESS_MAX)
				return gv_cmd_usage_error("sync", "import", "too many --witness options");
			wspecs[nw++] = optarg;
			break;
		case OPT_DB: db = optarg; break;
		case OPT_ROTATE: rotate = true; break;
		case OPT_LOG_KEY: log_key = optarg; break;
		case OPT_ORIGIN: origin = optarg; break;
		case OPT_TRUST:
			if (ntrust == GV_SYNC_MAX_TRUST)
				return gv_cmd_usage_error("sync", "import", "too many --trust options");
			specs[ntrust++] = optarg;
			break;
		default:
			fprintf(stderr, "govgate: sync import: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return GV_EXIT_INPUT;
		}
	}
	if (optind + 1 != argc)
		return gv_cmd_usage_error("sync", "import", "give exactly one BUNDLE file");
	if (!ntrust)
		return gv_cmd_usage_error("sync", "import", "--trust ORIGIN=PUB (the other side's log key) is "
				   "required");
	if (origin && !log_key)
		return gv_cmd_usage_error("sync", "import", "--origin names the checkpoint's origin; use it with "
				   "--log-key");
	path = argv[optind];
	db = db ? db : gv_audit_default_path();
	origin = origin ? origin : gv_audit_default_origin();
	actor = getenv("USER") ? getenv("USER") : "";
	if ((err = gv_sync_trust_load(&trust, specs, ntrust, 1, &d)) < 0)
		goto out;
	if ((err = gv_witness_list_load(&wl, wspecs, nw, min_w, &d)) < 0)
		goto out;
	if (log_key && (err = gv_key_load_private(&lk, log_key, &d)) < 0)
		goto out;
	if ((err = gv_buf_read_file(&bundle, path, GV_SYNC_MAX_BUNDLE)) < 0) {
		gv_error(&d, "GV-S001", path, "cannot read the sync bundle: %s",
			 err == GV_ELIMIT ? "larger than 256 MiB" : strerror(errno));
		goto out;
	}
	if (wl.n) {
		/* the bundle's checkpoint counts only with enough cosignatures: checked first */
		gv_sync_bundle b;
		size_t n = 0;
		if ((err = gv_sync_bundle_parse(&b, bundle.ptr, bundle.len, path, &d)) < 0)
			goto out;
		err = gv_witness_check(&wl, b.note, b.note_len, path, &n, &d);
		gv_sync_bundle_release(&b);
		if (err == GV_ESIG)
			printf("not imported: the bundle's checkpoint has %zu valid cosignature%s from the "
			       "named witnesses, %zu required\n", n, n == 1 ? "" : "s", wl.min);
		if (err < 0)
			goto out;
		printf("witnesses: %zu of %zu named witnesses cosigned the bundle's checkpoint (%zu "
		       "required)\n", n, wl.n, wl.min);
	}
	if ((err = gv_audit_open(&a, db, &d)) < 0)
		goto out;
	err = gv_sync_import(a, trust.v, trust.n, rotate, bundle.ptr, bundle.len, path, actor, &res,
			     &d);
	if (res.status == GV_SYNC_FORK) {
		char *held, *theirs;
		gv_note_b64_encode(&held, res.held_root, GV_HASH_LEN);
		gv_note_b64_encode(&theirs, res.bundle_root, GV_HASH_LEN);
		fprintf(stderr, "ALERT: sync fork detected: '%s' signed two different roots for tree "
			"size %" PRIu64 " (held %s, bundle %s); the replica was left untouched",
			res.origin, res.fork_size, held, theirs);
		if (res.log_recorded)
			fprintf(stderr, "; recorded as seq %" PRIu64 " (sync.fork_detected) in %s",
				res.log_seq, db);
		fputc('\n', stderr);
		free(held);
		free(theirs);
	} else if (err == GV_OK && res.status == GV_SYNC_UP_TO_DATE) {
		printf("already up to date: the replica of '%s' holds %" PRIu64 " entries\n",
		       res.origin, res.to);
	} else if (err == GV_OK) {
		char kid[GV_KEYID_HEX_LEN + 1];
		size_t i;
		for (i = 0; i < trust.n; i++)
			if (!strcmp(trust.v[i].origin, res.origin))
				gv_key_id(trust.v[i].key, kid);
		printf("imported %" PRIu64 " entries of '%s' (replica %" PRIu64 " -> %" PRIu64
		       " entries), checkpoint for size %" PRIu64 " verified under key %s; recorded as "
		       "seq %" PRIu64 " (sync.imported)%s\n", res.entries, res.origin, res.from,
		       res.to, res.to, kid, res.log_seq,
		       res.pinned ? ", key pinned (sync.key_pinned)" : "");
	}
	/* a writer that holds the log key leaves no unsigned tail */
	if (lk && a && res.log_recorded) {
		int cerr = gv_audit_checkpoint(a, origin, lk, &note, &d);
		if (err == GV_OK)
			err = cerr;
	}
out:
	free(note);
	gv_key_free(lk);
	gv_witness_list_release(&wl);
	gv_sync_trust_list_release(&trust);
	gv_buf_release(&bundle);
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

static void json_time(gv_buf *b, const char *key, const char *t)
{
	gv_buf_printf(b, ",\"%s\":", key);
	if (*t)
		gv_buf_printf(b, "\"%s\"", t);
	else
		gv_buf_puts(b, "null");
}

static void status_json(gv_buf *b, const gv_sync_status *s)
{
	gv_buf_puts(b, "{\"origin\":");
	gv_buf_json_str(b, s->origin, strlen(s->origin));
	gv_buf_printf(b, ",\"entries\":%" PRIu64, s->entries);
	if (s->has_checkpoint)
		gv_buf_printf(b, ",\"checkpoint_size\":%" PRIu64, s->cp_size);
	else
		gv_buf_puts(b, ",\"checkpoint_size\":null");
	json_time(b, "checkpoint_imported", s->cp_imported);
	json_time(b, "last_import", s->last_import);
	gv_buf_printf(b, ",\"imports\":%" PRIu64 ",\"announced\":%" PRIu64 ",\"lag_checkpoint\":%"
		      PRIu64 ",\"lag_entries\":%" PRIu64, s->imports, s->announced, s->lag_checkpoint,
		      s->lag_entries);
	if (s->has_since_import)
		gv_buf_printf(b, ",\"since_last_import_seconds\":%" PRId64, s->since_last_import);
	else
		gv_buf_puts(b, ",\"since_last_import_seconds\":null");
	json_time(b, "newest_entry", s->newest_entry);
	if (s->has_newest_age)
		gv_buf_printf(b, ",\"newest_entry_age_seconds\":%" PRId64, s->newest_entry_age);
	else
		gv_buf_puts(b, ",\"newest_entry_age_seconds\":null");
	if (s->has_latency)
		gv_buf_printf(b, ",\"sync_latency_last_seconds\":%" PRId64
			      ",\"sync_latency_p95_seconds\":%" PRId64 "}", s->latency_last,
			      s->latency_p95);
	else
		gv_buf_puts(b, ",\"sync_latency_last_seconds\":null,\"sync_latency_p95_seconds\":null}");
}

static void status_text(gv_buf *b, const gv_sync_status *s)
{
	gv_buf_printf(b, "replica %s\n", s->origin);
	gv_buf_printf(b, "  entries:      %" PRIu64 "\n", s->entries);
	if (s->has_checkpoint)
		gv_buf_printf(b, "  checkpoint:   size %" PRIu64 ", imported %s\n", s->cp_size,
			      *s->cp_imported ? s->cp_imported : "(not yet under a signed checkpoint)");
	else
		gv_buf_puts(b, "  checkpoint:   none\n");
	gv_buf_printf(b, "  last import:  %s (%" PRIu64 " imports)\n",
		      *s->last_import ? s->last_import : "never", s->imports);
	if (s->has_since_import)
		gv_buf_printf(b, "  since import: %" PRId64 " s\n", s->since_last_import);
	if (s->has_newest_age)
		gv_buf_printf(b, "  newest entry: %s (%" PRId64 " s old)\n", s->newest_entry,
			      s->newest_entry_age);
	gv_buf_printf(b, "  announced:    %" PRIu64 " entries (unsigned claim of the exporter)\n",
		      s->announced);
	gv_buf_printf(b, "  lag:          %" PRIu64 " signed entries not held\n", s->lag_entries);
	if (s->has_latency)
		gv_buf_printf(b, "  sync latency: last %" PRId64 " s, p95 %" PRId64 " s\n",
			      s->latency_last, s->latency_p95);
	else
		gv_buf_puts(b, "  sync latency: none yet\n");
}

static int sync_status(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	gv_buf out = GV_BUF_INIT;
	gv_sync_trust_list trust = GV_SYNC_TRUST_LIST_INIT;
	gv_sync_keys keys = { NULL, NULL };
	gv_key *log_pub = NULL;
	char **origins = NULL;
	const char *db = NULL, *fmt = "text", *only = NULL, *key = NULL;
	const char *specs[GV_SYNC_MAX_TRUST];
	size_t n = 0, i, shown = 0, ntrust = 0;
	int c, err, json;
	gv_getopt g;

	optind = 1;
	opterr = 0;
	gv_opts_getopt(&g, &gv_optcmd_sync_status);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_sync_status);
			return 0;
		case OPT_KEY: key = optarg; break;
		case OPT_TRUST:
			if (ntrust == GV_SYNC_MAX_TRUST)
				return gv_cmd_usage_error("sync", "status", "too many --trust options");
			specs[ntrust++] = optarg;
			break;
		case OPT_DB: db = optarg; break;
		case OPT_ORIGIN: only = optarg; break;
		case 'f': fmt = optarg; break;
		default:
			fprintf(stderr, "govgate: sync status: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return GV_EXIT_INPUT;
		}
	}
	if (optind < argc)
		return gv_cmd_usage_error("sync", "status", "unexpected argument");
	if (strcmp(fmt, "text") && strcmp(fmt, "json"))
		return gv_cmd_usage_error("sync", "status", "-f takes text or json");
	json = !strcmp(fmt, "json");
	db = db ? db : gv_audit_default_path();
	if (key && (err = gv_key_load_public(&log_pub, key, &d)) < 0)
		goto out;
	if (ntrust && (err = gv_sync_trust_load(&trust, specs, ntrust, 0, &d)) < 0)
		goto out;
	keys.trust = &trust;
	keys.log_pub = log_pub;
	if ((err = gv_audit_open_existing(&a, db, &d)) < 0)
		goto out;
	if ((err = gv_replica_list(a, &origins, &n, &d)) < 0)
		goto out;
	if (n && !key && !ntrust) {
		err = (gv_error(&d, "GV-S004", db, "a replica is shown only once it verifies: give "
				"--key (the local log's public key) or --trust ORIGIN=PUB"), GV_EPARSE);
		goto out;
	}
	if (json)
		gv_buf_puts(&out, "{\"replicas\":[");
	for (i = 0; i < n; i++) {
		gv_sync_status s;
		if (only && strcmp(only, origins[i]))
			continue;
		if ((err = gv_sync_status_get(&s, a, origins[i], &keys, &d)) < 0)
			goto out;
		if (json) {
			if (shown)
				gv_buf_putc(&out, ',');
			status_json(&out, &s);
		} else {
			status_text(&out, &s);
		}
		shown++;
	}
	if (only && !shown) {
		err = (gv_error(&d, "GV-S004", db, "no replica of '%s'", only), GV_ENOTFOUND);
		goto out;
	}
	if (json)
		gv_buf_puts(&out, "]}\n");
	else if (!shown)
		gv_buf_puts(&out, "no replicas\n");
	fputs(out.ptr, stdout);
out:
	gv_key_free(log_pub);
	gv_sync_trust_list_release(&trust);
	gv_replica_list_free(origins, n);
	gv_buf_release(&out);
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

static const gv_cmd sync_cmds[] = {
	{ "export", sync_export, "write a bundle of the entries after a size, with proof" },
	{ "import", sync_import, "verify a bundle and add it to the replica of its origin" },
	{ "status", sync_status, "show each replica's size, lag and sync latency" },
	{ NULL, NULL, NULL }
};

int cmd_sync(int argc, char **argv)
{
	return gv_cmd_dispatch(sync_cmds, "govgate sync", argc - 1, argv + 1);
}
