/*
 * cmd_audit.c: `govgate audit <verb>`: append, checkpoint, prove, verify,
 * log, export and key over the audit log (audit.c). Exit codes:
 *
 *   verify    0 verified: every entry lies under a checkpoint signed by --key
 *             (or the uncovered tail was accepted with --allow-unsigned-tail)
 *             and every replica verifies under its trusted key; 1 the
 *             evidence does not verify (tampered, forked, uncovered, or signed
 *             by another key; the message says which); 2 malformed or
 *             unreadable input, or a usage error
 *   others    0 done, 1 the log contradicts its checkpoints, 2 input error
 */
#include "atomic.h"
#include "audit.h"
#include "cmd.h"
#include "cmd_ledger.h"
#include "cli_opts.h"
#include "buf.h"
#include "gv.h"
#include "note.h"
#include "sign.h"
#include "sync.h"
#include "tiles.h"
#include "witness.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_DB = 1000, OPT_TYPE, OPT_DEPLOYMENT, OPT_ACTOR, OPT_PAYLOAD, OPT_LOG_KEY, OPT_ORIGIN,
	OPT_SEQ, OPT_FROM, OPT_KEY, OPT_CHECKPOINT, OPT_JSONL, OPT_SINCE, OPT_UNTIL, OPT_OUT,
	OPT_ALLOW_TAIL, OPT_TRUST, OPT_EVERY
};
/* tiles and witnesses (docs/TILES.md) */
enum { OPT_TILES = 1100, OPT_WITNESS, OPT_MIN_WITNESSES };

#define ROW_DB { "db", 0, OPT_DB, "DB", "the audit log: a file, or a PostgreSQL " \
		 "connection string (docs/LEDGER.md); default: $GOVGATE_DB, else " \
		 "govgate-audit.db in the working directory", GV_OPT_FILES }
#define ROW_OUT(what) { "output", 'o', OPT_OUT, "FILE", what, GV_OPT_FILES }
#define ROW_LOG_KEY { "log-key", 0, OPT_LOG_KEY, "KEY", "sign a checkpoint with this private " \
		      "key", GV_OPT_FILES }
#define ROW_ORIGIN { "origin", 0, OPT_ORIGIN, "NAME", "the checkpoint's origin (default: " \
		     "$GOVGATE_LOG_ORIGIN or govgate.local/audit)", NULL }
#define ROW_TYPE(what) { "type", 0, OPT_TYPE, "T", what, NULL }
#define ROW_DEPLOYMENT(what) { "deployment", 0, OPT_DEPLOYMENT, "ID", what, NULL }

static const gv_opt append_opts[] = {
	ROW_TYPE("the entry's event type (required)"),
	ROW_DB,
	ROW_DEPLOYMENT("the deployment the entry belongs to"),
	{ "actor", 0, OPT_ACTOR, "A", "who caused the event", NULL },
	{ "payload", 0, OPT_PAYLOAD, "JSON", "the entry's payload, a JSON object", NULL },
	ROW_LOG_KEY,
	ROW_ORIGIN,
	GV_OPT_HELP,
	GV_OPT_END
};
static const gv_opt checkpoint_opts[] = {
	ROW_DB, ROW_LOG_KEY, ROW_ORIGIN,
	{ "every", 0, OPT_EVERY, "DUR", "with --log-key: sign the head every DUR (N, Ns, Nm or "
	  "Nh) until SIGTERM or SIGINT (docs/LEDGER.md)", NULL },
	ROW_OUT("write the checkpoint to FILE (atomically) instead of standard output"),
	GV_OPT_HELP,
	GV_OPT_END
};
#define ROW_TILES(what) { "tiles", 0, OPT_TILES, "DIR", what, GV_OPT_DIRS }
#define ROW_WITNESS { "witness", 0, OPT_WITNESS, "NAME=PUB", "the checkpoint counts only " \
		      "with cosignatures from the named witnesses (repeatable; docs/TILES.md)", NULL }
#define ROW_MIN_WITNESSES { "min-witnesses", 0, OPT_MIN_WITNESSES, "N", "how many of " \
			    "them (default: all)", NULL }

static const gv_opt publish_opts[] = {
	ROW_TILES("the folder to write the tiles to (required)"),
	ROW_LOG_KEY,
	ROW_DB,
	ROW_ORIGIN,
	GV_OPT_HELP,
	GV_OPT_END
};
static const gv_opt prove_opts[] = {
	{ "seq", 0, OPT_SEQ, "N", "prove that entry N is included in the latest checkpoint",
	  NULL },
	{ "from", 0, OPT_FROM, "SIZE", "prove that the latest checkpoint extends the tree of "
	  "SIZE entries", NULL },
	ROW_DB,
	ROW_TILES("prove from a folder written by 'audit publish' instead of the database"),
	ROW_OUT("write the proof to FILE (atomically) instead of standard output"),
	GV_OPT_HELP,
	GV_OPT_END
};
static const gv_opt verify_opts[] = {
	{ "key", 0, OPT_KEY, "PUB", "the log's public key (required)", GV_OPT_FILES },
	ROW_DB,
	{ "jsonl", 0, OPT_JSONL, "EXPORT", "verify an export (audit export) instead of a "
	  "database", GV_OPT_FILES },
	ROW_TILES("verify a folder written by 'audit publish' instead (docs/TILES.md)"),
	{ "checkpoint", 0, OPT_CHECKPOINT, "SAVED", "a checkpoint kept earlier: the log must "
	  "still extend it", GV_OPT_FILES },
	{ "trust", 0, OPT_TRUST, "ORIGIN=PUB", "verify the replica of ORIGIN under PUB "
	  "(repeatable)", NULL },
	{ "allow-unsigned-tail", 0, OPT_ALLOW_TAIL, NULL, "accept entries after the last "
	  "checkpoint (reported, not covered)", NULL },
	ROW_WITNESS,
	ROW_MIN_WITNESSES,
	GV_OPT_HELP,
	GV_OPT_END
};
static const gv_opt log_opts[] = {
	ROW_DB,
	ROW_DEPLOYMENT("only the entries of this deployment"),
	ROW_TYPE("only entries of this event type"),
	{ "since", 0, OPT_SINCE, "TIME", "only entries from TIME on (YYYY-MM-DD, from its "
	  "start, or YYYY-MM-DDTHH:MM:SSZ)", NULL },
	{ "until", 0, OPT_UNTIL, "TIME", "only entries up to TIME (YYYY-MM-DD, to its end, or "
	  "YYYY-MM-DDTHH:MM:SSZ)", NULL },
	GV_OPT_HELP,
	GV_OPT_END
};
static const gv_opt export_opts[] = {
	ROW_DB,
	ROW_OUT("the JSON lines file to write (required); the checkpoints go to "
		"FILE.checkpoints"),
	GV_OPT_HELP,
	GV_OPT_END
};
static const gv_opt key_opts[] = {
	{ "key", 0, OPT_KEY, "PUB", "the log's public key (required)", GV_OPT_FILES },
	ROW_ORIGIN,
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_audit = {
	"audit", "append to, prove and verify the audit log", "VERB [options]",
	"The audit log is a SQLite file or a PostgreSQL database (docs/LEDGER.md) of "
	"hash-chained entries under an RFC 6962 "
	"Merkle tree, with checkpoints signed as C2SP signed notes (docs/EVIDENCE.md). "
	"check, deploy and sync append to it; these verbs read, prove and verify it.",
	NULL, NULL,
	"verify: 0 verified, 1 the evidence does not verify (tampered, forked, uncovered, "
	"or signed by another key; the message says which), 2 malformed or unreadable "
	"input, or a usage error. The other verbs: 0 done, 1 the log contradicts its "
	"checkpoints, 2 input error.",
	NULL, NULL, NULL
};
const gv_optcmd gv_optcmd_audit_verify = {
	"audit verify", "recompute the chain, tree and checkpoint signatures",
	"--key PUB [--db DB | --jsonl EXPORT | --tiles DIR]\n"
	"                            [--checkpoint SAVED] [--trust ORIGIN=PUB]...\n"
	"                            [--allow-unsigned-tail]\n"
	"                            [--witness NAME=PUB]... [--min-witnesses N]",
	"Recomputes the chain, the tree and every checkpoint signature, checks receipts "
	"against the entries they name and every replica under the keys given with "
	"--trust (else those the signed log pinned), and says which entries a checkpoint "
	"signed by PUB covers. Entries after the last one are an unauthenticated tail: "
	"exit 1 unless --allow-unsigned-tail. --tiles DIR verifies a folder written by "
	"'audit publish' instead (see docs/TILES.md). With --witness, the checkpoint "
	"(DIR/checkpoint, or --checkpoint SAVED) counts only with --min-witnesses N "
	"(default: all) valid cosignatures from the named witnesses.",
	verify_opts, NULL,
	"0 verified; 1 tampered, uncovered, signed by another key, or a replica or receipt "
	"that does not verify; 2 unreadable or malformed input (a --checkpoint that is not "
	"a signed checkpoint is named at its line).",
	"$ govgate audit verify --key keys/log.pub --db audit.db", NULL, NULL
};
const gv_optcmd gv_optcmd_audit_checkpoint = {
	"audit checkpoint", "print the latest checkpoint (sign one with --log-key)",
	"[--db DB] [--log-key KEY [--origin O] [--every DUR]] [-o FILE]", NULL, checkpoint_opts,
	NULL,
	"0 done (with --every: stopped by SIGTERM or SIGINT); 1 the log contradicts its "
	"checkpoints; 2 input error (a database that cannot be reached included).",
	"$ govgate audit checkpoint --db audit.db --log-key keys/log.key", NULL, NULL
};
const gv_optcmd gv_optcmd_audit_publish = {
	"audit publish", "write the log as C2SP tiles to a folder (--tiles DIR)",
	"--tiles DIR --log-key KEY [--db DB] [--origin O]",
	"Signs (or reuses) the checkpoint of the log's current size and writes it with "
	"every tile and entry bundle to DIR in the C2SP tlog-tiles layout; only new files "
	"are written (docs/TILES.md).",
	publish_opts, NULL,
	"0 published; 1 the folder or the log contradicts the tree (a full tile on disk "
	"differs, a checkpoint for a larger tree); 2 input error (an entry longer than "
	"65535 bytes cannot be published).",
	"$ govgate audit publish --db audit.db --log-key keys/log.key --tiles public/",
	NULL, NULL
};
const gv_optcmd gv_optcmd_audit_prove = {
	"audit prove", "inclusion (--seq) or consistency (--from) proof",
	"(--seq N | --from SIZE) [--db DB | --tiles DIR] [-o FILE]", NULL, prove_opts, NULL, NULL,
	NULL, NULL, NULL
};
const gv_optcmd gv_optcmd_audit_log = {
	"audit log", "list entries, filtered by deployment, type or time",
	"[--db DB] [--deployment ID] [--type T] [--since TIME] [--until TIME]", NULL,
	log_opts, NULL, NULL, NULL, NULL, NULL
};
const gv_optcmd gv_optcmd_audit_export = {
	"audit export", "write the entries as JSON lines and the checkpoints",
	"[--db DB] -o OUT", NULL, export_opts, NULL, NULL, NULL, NULL, NULL
};
const gv_optcmd gv_optcmd_audit_append = {
	"audit append", "append an entry (for scripts and tests)",
	"--type T [--db DB] [--deployment ID] [--actor A] [--payload JSON]\n"
	"                            [--log-key KEY [--origin O]]", NULL, append_opts, NULL, NULL,
	NULL, NULL, NULL
};
const gv_optcmd gv_optcmd_audit_key = {
	"audit key", "print the note verifier key of a log's public key",
	"--key PUB [--origin O]", NULL, key_opts, NULL, NULL, NULL, NULL, NULL
};

/* Every verb's options: getopt_long parses the union, so an option of another
 * verb is named as not applying here rather than as unknown. */
static const gv_optcmd *const verbs[] = {
	&gv_optcmd_audit_verify, &gv_optcmd_audit_checkpoint, &gv_optcmd_audit_publish,
	&gv_optcmd_audit_prove,
	&gv_optcmd_audit_log, &gv_optcmd_audit_export, &gv_optcmd_audit_append,
	&gv_optcmd_audit_key
};

typedef struct opts {
	const char *db, *type, *deployment, *actor, *payload, *log_key, *origin, *key;
	const char *checkpoint, *jsonl, *since, *until, *out;
	const char *seq, *from, *every;
	int allow_tail;
	const char *trust[GV_SYNC_MAX_TRUST];
	size_t ntrust;
	const char *tiles, *min_witnesses;
	const char *witness[GV_WITNESS_MAX];
	size_t nwitness;
} opts;

/* The union of the verbs' options, each long name once. */
static void all_options(gv_getopt *g)
{
	gv_opt all[GV_OPTS_MAX + 1];
	gv_optcmd u = { "audit", NULL, NULL, NULL, all, NULL, NULL, NULL, NULL, NULL };
	const gv_opt *o;
	size_t i, j, n = 0;

	for (i = 0; i < GV_ARRAY_LEN(verbs); i++)
		for (o = verbs[i]->opts; o->name; o++) {
			for (j = 0; j < n && strcmp(all[j].name, o->name); j++)
				;
			if (j == n && n < GV_OPTS_MAX)
				all[n++] = *o;
		}
	all[n].name = NULL;
	gv_opts_getopt(g, &u);
}

/*
 * Parses argv against the verb's table. Returns 0, 1 when help was
 * printed, or -1 after a usage error.
 */
static int parse(opts *o, int argc, char **argv, const gv_optcmd *verb)
{
	gv_getopt g;
	int c;

	memset(o, 0, sizeof(*o));
	all_options(&g);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		const char *name = NULL;
		size_t i;

		if (c == 'h') {
			gv_opts_help(stdout, verb);
			return 1;
		}
		if (c == '?') {
			fprintf(stderr, "govgate: audit %s: unknown or incomplete option '%s'\n", argv[0],
				argv[optind - 1]);
			return -1;
		}
		if (c == 'o')
			c = OPT_OUT;
		for (i = 0; g.longs[i].name; i++)
			if (g.longs[i].val == c)
				name = g.longs[i].name;
		if (!gv_opts_find(verb, c)) {
			/* each verb accepts only its own options */
			fprintf(stderr, "govgate: audit %s: option '--%s' does not apply here\n",
				argv[0], name);
			return -1;
		}
		switch (c) {
		case OPT_DB: o->db = optarg; break;
		case OPT_EVERY: o->every = optarg; break;
		case OPT_TILES: o->tiles = optarg; break;
		case OPT_MIN_WITNESSES: o->min_witnesses = optarg; break;
		case OPT_WITNESS:
			if (o->nwitness == GV_WITNESS_MAX) {
				fprintf(stderr, "govgate: audit %s: more than %d --witness options\n",
					argv[0], GV_WITNESS_MAX);
				return -1;
			}
			o->witness[o->nwitness++] = optarg;
			break;
		case OPT_TYPE: o->type = optarg; break;
		case OPT_DEPLOYMENT: o->deployment = optarg; break;
		case OPT_ACTOR: o->actor = optarg; break;
		case OPT_PAYLOAD: o->payload = optarg; break;
		case OPT_LOG_KEY: o->log_key = optarg; break;
		case OPT_ORIGIN: o->origin = optarg; break;
		case OPT_SEQ: o->seq = optarg; break;
		case OPT_FROM: o->from = optarg; break;
		case OPT_KEY: o->key = optarg; break;
		case OPT_CHECKPOINT: o->checkpoint = optarg; break;
		case OPT_JSONL: o->jsonl = optarg; break;
		case OPT_SINCE: o->since = optarg; break;
		case OPT_UNTIL: o->until = optarg; break;
		case OPT_OUT: o->out = optarg; break;
		case OPT_ALLOW_TAIL: o->allow_tail = 1; break;
		case OPT_TRUST:
			if (o->ntrust == GV_SYNC_MAX_TRUST) {
				fprintf(stderr, "govgate: audit %s: more than %d --trust options\n",
					argv[0], GV_SYNC_MAX_TRUST);
				return -1;
			}
			o->trust[o->ntrust++] = optarg;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "govgate: audit %s: unexpected argument '%s'\n", argv[0], argv[optind]);
		return -1;
	}
	if (!o->db)
		o->db = gv_audit_default_path();
	if (!o->origin)
		o->origin = gv_audit_default_origin();
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > INT64_MAX)
		return -1;
	*out = v;
	return 0;
}

/* Writes text to path ("-" or NULL: standard output), atomically for files. */
static int write_out(const char *path, const char *text, gv_diags *d)
{
	if (!path || !strcmp(path, "-")) {
		fputs(text, stdout);
		return fflush(stdout) ? GV_EIO : GV_OK;
	}
	return gv_atomic_write(path, text, strlen(text), 0666, d);
}

static int audit_append(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	gv_key *k = NULL;
	char *note = NULL;
	uint64_t seq;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, &gv_optcmd_audit_append)))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!o.type)
		return gv_cmd_usage_error("audit", "append", "--type is required");
	if (!o.actor)
		o.actor = getenv("USER") ? getenv("USER") : "";
	/* load the key first: a bad key appends nothing */
	if (o.log_key && (err = gv_key_load_private(&k, o.log_key, &d)) < 0)
		goto out;
	if ((err = gv_audit_open(&a, o.db, &d)) < 0)
		goto out;
	if ((err = gv_audit_append(a, o.type, o.deployment, o.actor, o.payload, &seq, &d)) < 0)
		goto out;
	printf("%" PRIu64 "\n", seq);
	if (k)
		err = gv_audit_checkpoint(a, o.origin, k, &note, &d);
out:
	free(note);
	gv_key_free(k);
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

static int audit_checkpoint(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	gv_key *k = NULL;
	char *note = NULL;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, &gv_optcmd_audit_checkpoint)))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (o.every)
		return cmd_audit_checkpoint_every(o.db, o.origin, o.log_key, o.every);
	if (o.log_key && (err = gv_key_load_private(&k, o.log_key, &d)) < 0)
		goto out;
	if ((err = k ? gv_audit_open(&a, o.db, &d) : gv_audit_open_existing(&a, o.db, &d)) < 0)
		goto out;
	if (k)
		err = gv_audit_checkpoint(a, o.origin, k, &note, &d);
	else if ((err = gv_audit_latest_checkpoint(a, &note, NULL, &d)) == GV_ENOTFOUND)
		gv_error(&d, "GV-A003", o.db, "the log has no checkpoint yet; sign one with "
			 "'govgate audit checkpoint --log-key KEY'");
	if (err == GV_OK)
		err = write_out(o.out, note, &d);
out:
	free(note);
	gv_key_free(k);
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

static int audit_prove(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	char *proof = NULL;
	uint64_t n;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, &gv_optcmd_audit_prove)))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!!o.seq == !!o.from)
		return gv_cmd_usage_error("audit", "prove", "give exactly one of --seq N and --from SIZE");
	if (parse_u64(o.seq ? o.seq : o.from, &n) < 0)
		return gv_cmd_usage_error("audit", "prove", "--seq and --from take a non-negative integer");
	if (o.tiles) {
		err = o.seq ? gv_tiles_prove_inclusion(o.tiles, n, &proof, &d) :
			      gv_tiles_prove_consistency(o.tiles, n, &proof, &d);
		goto done;
	}
	if ((err = gv_audit_open_existing(&a, o.db, &d)) < 0)
		goto out;
	err = o.seq ? gv_audit_prove_inclusion(a, n, &proof, &d) :
		      gv_audit_prove_consistency(a, n, &proof, &d);
done:
	if (err == GV_OK)
		err = write_out(o.out, proof, &d);
out:
	free(proof);
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

/*
 * Reads the auditor's saved checkpoint and checks that it is a well-formed
 * signed checkpoint (exit 2 with file:line when not); its signature is
 * checked later, with the log.
 */
static int read_saved(gv_buf *saved, const char *path, gv_diags *d)
{
	gv_note_signer *v = NULL;
	gv_checkpoint c;
	size_t n = 0, textlen;
	const char *p;
	int err;

	if ((err = gv_buf_read_file(saved, path, GV_NOTE_MAX)) < 0)
		return gv_error(d, "GV-A003", path, "cannot read the saved checkpoint: %s",
				err == GV_ELIMIT ? "too large" : strerror(errno)), err;
	if ((err = gv_note_signers(saved->ptr, saved->len, &v, &n, path, d)) < 0)
		return err;
	gv_note_signers_free(v, n);
	/* the signed text ends at the last blank line */
	for (p = saved->ptr + saved->len - 2; p > saved->ptr && !(p[0] == '\n' && p[-1] == '\n'); p--)
		;
	textlen = (size_t)(p - saved->ptr);
	if ((err = gv_checkpoint_parse(&c, saved->ptr, textlen, path, d)) < 0)
		return err;
	gv_checkpoint_release(&c);
	return GV_OK;
}

/*
 * The verdict, which says exactly what was proved: which entries lie under
 * a checkpoint signed by the key, which do not, and who signed what.
 */
static int verdict(const gv_audit_result *res, const gv_key *k, int allow_tail, gv_diags *d,
		   const char *file)
{
	char kid[GV_KEYID_HEX_LEN + 1];

	gv_key_id(k, kid);
	if (res->foreign) {
		printf("audit log NOT VERIFIED: %" PRIu64 " checkpoint%s not signed by key %s\n",
		       res->foreign, res->foreign == 1 ? " is" : "s are", kid);
		gv_error(d, "GV-A004", file, "%s", res->foreign_msg);
		return GV_ESIG;
	}
	if (res->entries && !res->checkpoints) {
		printf("audit log NOT VERIFIED: no checkpoint signed by key %s; its %" PRIu64
		       " entries are unauthenticated\n", kid, res->entries);
		gv_error(d, "GV-A004", file, "the log has no checkpoint signed by key %s: nothing in it "
			 "is proved; sign one with 'govgate audit checkpoint --log-key KEY'", kid);
		return GV_ESIG;
	}
	if (res->covered < res->entries) {
		uint64_t lo = res->covered, hi = res->entries - 1;
		if (!allow_tail) {
			printf("audit log NOT VERIFIED: entries %" PRIu64 "-%" PRIu64 " (%" PRIu64 " of %"
			       PRIu64 ") are an unauthenticated tail; entries 0-%" PRIu64 " are covered by "
			       "checkpoints signed by key %s\n", lo, hi, hi - lo + 1, res->entries,
			       lo ? lo - 1 : 0, kid);
			gv_error(d, "GV-A005", file, "no checkpoint signed by key %s covers entries %" PRIu64
				 "-%" PRIu64 "; anyone who can write the log could have appended them "
				 "(accept that with --allow-unsigned-tail)", kid, lo, hi);
			return GV_ESIG;
		}
		printf("audit log intact: %" PRIu64 " entries, 0-%" PRIu64 " covered by checkpoints "
		       "signed by key %s (%" PRIu64 " checkpoint signatures verified); entries %" PRIu64
		       "-%" PRIu64 " are an unauthenticated tail, accepted with --allow-unsigned-tail\n",
		       res->entries, lo ? lo - 1 : 0, kid, res->checkpoints, lo, hi);
		return GV_OK;
	}
	printf("audit log intact: %" PRIu64 " entries, all covered by checkpoints signed by key %s "
	       "(%" PRIu64 " checkpoint signatures verified)\n", res->entries, kid, res->checkpoints);
	return GV_OK;
}

/*
 * The witnesses' part of a verdict, checked before the log's own verdict is
 * printed: with too few cosignatures the one verdict line is NOT VERIFIED
 * (GV_ESIG), never "intact" followed by a refusal. *n: cosignatures counted.
 */
static int witness_check(const gv_witness_list *wl, const char *note, size_t len,
			 const char *file, size_t *n, gv_diags *d)
{
	int err;

	*n = 0;
	if (!wl->n)
		return GV_OK;
	err = gv_witness_check(wl, note, len, file, n, d);
	if (err == GV_ESIG)
		printf("audit log NOT VERIFIED: the checkpoint has %zu valid cosignature%s from the "
		       "named witnesses, %zu required\n", *n, *n == 1 ? "" : "s", wl->min);
	return err;
}

static void witness_line(const gv_witness_list *wl, size_t n)
{
	if (wl->n)
		printf("witnesses: %zu of %zu named witnesses cosigned the checkpoint (%zu required)\n",
		       n, wl->n, wl->min);
}

/* `audit verify --tiles DIR`: the published folder alone (tiles.c). */
static int tiles_verdict(const char *dir, const gv_key *k, const gv_witness_list *wl,
			 gv_diags *d)
{
	char kid[GV_KEYID_HEX_LEN + 1];
	gv_tiles_result res;
	size_t n;
	int err = gv_tiles_verify(dir, k, &res, d);

	gv_key_id(k, kid);
	if (err == GV_ESIG) {
		printf("audit log TAMPERED\n");
		return err;
	}
	if (err < 0)
		return err;
	if ((err = witness_check(wl, res.note, res.note_len, dir, &n, d)) == GV_OK) {
		printf("audit log intact: %" PRIu64 " entries in the tiles, all covered by the "
		       "checkpoint signed by key %s (%" PRIu64 " tile%s and %" PRIu64 " entry "
		       "bundle%s verified)\n", res.size, kid, res.tiles, res.tiles == 1 ? "" : "s",
		       res.bundles, res.bundles == 1 ? "" : "s");
		witness_line(wl, n);
	}
	free(res.note);
	return err;
}

static int audit_publish(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_tiles_stats st;
	gv_audit *a = NULL;
	gv_key *k = NULL;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, &gv_optcmd_audit_publish)))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!o.tiles || !o.log_key)
		return gv_cmd_usage_error("audit", "publish", "--tiles DIR and --log-key KEY are required");
	if (!gv_note_name_valid(o.origin))
		return gv_cmd_usage_error("audit", "publish", "the origin must be non-empty, without spaces or '+'");
	if ((err = gv_key_load_private(&k, o.log_key, &d)) < 0)
		goto out;
	if ((err = gv_audit_open_existing(&a, o.db, &d)) < 0)
		goto out;
	if ((err = gv_tiles_publish(a, o.tiles, o.origin, k, &st, &d)) == GV_OK)
		printf("published %" PRIu64 " entries to %s: %" PRIu64 " files written, %" PRIu64
		       " unchanged\n", st.size, o.tiles, st.written, st.unchanged);
out:
	gv_key_free(k);
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

static int audit_verify(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit_result res;
	gv_audit *a = NULL;
	gv_key *k = NULL;
	gv_buf saved = GV_BUF_INIT;
	gv_sync_trust_list trust = GV_SYNC_TRUST_LIST_INIT;
	gv_witness_list wl = GV_WITNESS_LIST_INIT;
	size_t nw = 0;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, &gv_optcmd_audit_verify)))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!o.key)
		return gv_cmd_usage_error("audit", "verify", "--key PUB (the log's public key) is required");
	if (o.tiles && (o.jsonl || o.checkpoint || o.ntrust || o.allow_tail))
		return gv_cmd_usage_error("audit", "verify", "--tiles DIR verifies the folder alone: no --jsonl, "
				   "--checkpoint, --trust or --allow-unsigned-tail");
	if (o.nwitness && !o.tiles && !o.checkpoint)
		return gv_cmd_usage_error("audit", "verify", "--witness needs the cosigned checkpoint: --checkpoint "
				   "FILE (or --tiles DIR)");
	if ((err = gv_key_load_public(&k, o.key, &d)) < 0)
		goto out;
	if ((err = gv_witness_list_load(&wl, o.witness, o.nwitness, o.min_witnesses, &d)) < 0)
		goto out;
	if (o.tiles) {
		err = tiles_verdict(o.tiles, k, &wl, &d);
		goto out;
	}
	if (o.ntrust && (err = gv_sync_trust_load(&trust, o.trust, o.ntrust, 0, &d)) < 0)
		goto out;
	if (o.checkpoint && (err = read_saved(&saved, o.checkpoint, &d)) < 0)
		goto out;
	if (o.jsonl) {
		err = gv_audit_verify_jsonl(o.jsonl, k, o.checkpoint ? saved.ptr : NULL, saved.len,
					    o.checkpoint, &res, &d);
	} else {
		if ((err = gv_audit_open_existing(&a, o.db, &d)) < 0)
			goto out;
		err = gv_audit_verify(a, k, o.checkpoint ? saved.ptr : NULL, saved.len, o.checkpoint,
				      &res, &d);
	}
	if (err == GV_OK) {
		/* the witnesses first: too few is the one verdict line, NOT VERIFIED */
		if ((err = witness_check(&wl, saved.ptr, saved.len, o.checkpoint, &nw, &d)) == GV_OK &&
		    (err = verdict(&res, k, o.allow_tail, &d, o.jsonl ? o.jsonl : o.db)) == GV_OK)
			witness_line(&wl, nw);
	} else if (err == GV_ESIG) {
		printf("audit log TAMPERED\n");
	}
	if (a && (err == GV_OK || err == GV_ESIG)) {
		/*
		 * every replica of another log, under the keys the auditor gives,
		 * else those pinned by entries the checkpoints above cover
		 */
		gv_buf rep = GV_BUF_INIT;
		int rerr = gv_sync_verify_replicas(a, &trust, res.covered, &rep, &d);
		fputs(rep.ptr, stdout);
		gv_buf_release(&rep);
		if (err == GV_OK)
			err = rerr;
	}
out:
	gv_witness_list_release(&wl);
	gv_sync_trust_list_release(&trust);
	gv_buf_release(&saved);
	gv_key_free(k);
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

static int print_entry(void *payload, uint64_t seq, const char *bytes, size_t len)
{
	fwrite(bytes, 1, len, stdout);
	putchar('\n');
	return 0;
}

static int audit_log(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit_filter f;
	gv_audit *a = NULL;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, &gv_optcmd_audit_log)))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	memset(&f, 0, sizeof(f));
	f.deployment_id = o.deployment;
	f.type = o.type;
	f.since = o.since;
	f.until = o.until;
	if ((err = gv_audit_open_existing(&a, o.db, &d)) < 0)
		goto out;
	err = gv_audit_each(a, &f, print_entry, NULL, &d);
out:
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

static int audit_export(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	uint64_t n = 0;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, &gv_optcmd_audit_export)))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!o.out || !strcmp(o.out, "-"))
		return gv_cmd_usage_error("audit", "export", "-o OUT (a file) is required");
	if ((err = gv_audit_open_existing(&a, o.db, &d)) < 0)
		goto out;
	if ((err = gv_audit_export(a, o.out, &n, &d)) == GV_OK)
		fprintf(stderr, "govgate: exported %" PRIu64 " entries to %s and its checkpoints to "
			"%s.checkpoints\n", n, o.out, o.out);
out:
	gv_audit_close(a);
	return gv_cmd_finish(&d, err);
}

static int audit_key(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_key *k = NULL;
	char *vk;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, &gv_optcmd_audit_key)))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!o.key)
		return gv_cmd_usage_error("audit", "key", "--key PUB is required");
	if (!gv_note_name_valid(o.origin))
		return gv_cmd_usage_error("audit", "key", "the origin must be non-empty, without spaces or '+'");
	if ((err = gv_key_load_public(&k, o.key, &d)) < 0)
		return gv_cmd_finish(&d, err);
	vk = gv_note_verifier_key(o.origin, k);
	printf("%s\n", vk);
	free(vk);
	gv_key_free(k);
	return gv_cmd_finish(&d, GV_OK);
}

static const gv_cmd audit_cmds[] = {
	{ "verify", audit_verify, "recompute the chain, tree and checkpoint signatures" },
	{ "checkpoint", audit_checkpoint, "print the latest checkpoint (sign one with --log-key)" },
	{ "publish", audit_publish, "write the log as C2SP tiles to a folder (--tiles DIR)" },
	{ "prove", audit_prove, "inclusion (--seq) or consistency (--from) proof" },
	{ "log", audit_log, "list entries, filtered by deployment, type or time" },
	{ "export", audit_export, "write the entries as JSON lines and the checkpoints" },
	{ "append", audit_append, "append an entry (for scripts and tests)" },
	{ "key", audit_key, "print the note verifier key of a log's public key" },
	{ "init", cmd_audit_init, "create the log (PostgreSQL: its schema and roles)" },
	{ "copy", cmd_audit_copy, "copy a log into an empty database (SQLite, PostgreSQL)" },
	{ NULL, NULL, NULL }
};

int cmd_audit(int argc, char **argv)
{
	return gv_cmd_dispatch(audit_cmds, "govgate audit", argc - 1, argv + 1);
}
