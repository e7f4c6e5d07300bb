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
 *             (a database that cannot be reached included; docs/LEDGER.md)
 *   init, copy, checkpoint --every: cmd_ledger.c
 */
#include "atomic.h"
#include "audit.h"
#include "cmd.h"
#include "cmd_ledger.h"
#include "buf.h"
#include "gv.h"
#include "note.h"
#include "sign.h"
#include "sync.h"

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

static const struct option all_opts[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "deployment", required_argument, NULL, OPT_DEPLOYMENT },
	{ "actor", required_argument, NULL, OPT_ACTOR },
	{ "payload", required_argument, NULL, OPT_PAYLOAD },
	{ "log-key", required_argument, NULL, OPT_LOG_KEY },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "seq", required_argument, NULL, OPT_SEQ },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
	{ "jsonl", required_argument, NULL, OPT_JSONL },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "output", required_argument, NULL, OPT_OUT },
	{ "allow-unsigned-tail", no_argument, NULL, OPT_ALLOW_TAIL },
	{ "trust", required_argument, NULL, OPT_TRUST },
	{ "every", required_argument, NULL, OPT_EVERY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

typedef struct opts {
	const char *db, *type, *deployment, *actor, *payload, *log_key, *origin, *key;
	const char *checkpoint, *jsonl, *since, *until, *out;
	const char *seq, *from, *every;
	int allow_tail;
	const char *trust[GV_SYNC_MAX_TRUST];
	size_t ntrust;
} opts;

static int usage_error(const char *verb, const char *msg)
{
	fprintf(stderr, "govgate: audit %s: %s; see 'govgate audit %s --help'\n", verb, msg, verb);
	return GV_EXIT_INPUT;
}

/*
 * Parses argv against `allowed` (option names, space separated). Returns 0,
 * 1 when help was printed, or -1 after a usage error.
 */
static int parse(opts *o, int argc, char **argv, const char *allowed, const char *usage)
{
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", all_opts, NULL)) != -1) {
		const char *name = NULL;
		size_t i;

		if (c == 'h') {
			printf("usage: govgate audit %s %s\n", argv[0], usage);
			return 1;
		}
		if (c == '?') {
			fprintf(stderr, "govgate: audit %s: unknown or incomplete option '%s'\n", argv[0],
				argv[optind - 1]);
			return -1;
		}
		if (c == 'o')
			c = OPT_OUT;
		for (i = 0; all_opts[i].name; i++)
			if (all_opts[i].val == c)
				name = all_opts[i].name;
		{
			/* each verb accepts only its own options */
			const char *p = strstr(allowed, name);
			size_t n = strlen(name);
			if (!p || (p != allowed && p[-1] != ' ') || (p[n] && p[n] != ' ')) {
				fprintf(stderr, "govgate: audit %s: option '--%s' does not apply here\n",
					argv[0], name);
				return -1;
			}
		}
		switch (c) {
		case OPT_DB: o->db = optarg; break;
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
		case OPT_EVERY: o->every = optarg; break;
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

/* Prints the diags and maps an error to an exit code (ESIG is evidence). */
static int finish(gv_diags *d, int err)
{
	gv_diags_print(d, stderr, gv_cmd_color(2), 0);
	gv_diags_release(d);
	if (err == GV_OK)
		return 0;
	return err == GV_ESIG ? GV_EXIT_INVALID : GV_EXIT_INPUT;
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

	if ((r = parse(&o, argc, argv, "db type deployment actor payload log-key origin",
		       "--type T [--db FILE] [--deployment ID] [--actor A] [--payload JSON] "
		       "[--log-key KEY [--origin O]]")))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!o.type)
		return usage_error("append", "--type is required");
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
	return finish(&d, err);
}

static int audit_checkpoint(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	gv_key *k = NULL;
	char *note = NULL;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, "db log-key origin output every",
		       "[--db DB] [--log-key KEY [--origin O] [--every DUR]] [-o FILE]")))
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
	return finish(&d, err);
}

static int audit_prove(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	char *proof = NULL;
	uint64_t n;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, "db seq from output",
		       "(--seq N | --from SIZE) [--db FILE] [-o FILE]")))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!!o.seq == !!o.from)
		return usage_error("prove", "give exactly one of --seq N and --from SIZE");
	if (parse_u64(o.seq ? o.seq : o.from, &n) < 0)
		return usage_error("prove", "--seq and --from take a non-negative integer");
	if ((err = gv_audit_open_existing(&a, o.db, &d)) < 0)
		goto out;
	err = o.seq ? gv_audit_prove_inclusion(a, n, &proof, &d) :
		      gv_audit_prove_consistency(a, n, &proof, &d);
	if (err == GV_OK)
		err = write_out(o.out, proof, &d);
out:
	free(proof);
	gv_audit_close(a);
	return finish(&d, err);
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

static int audit_verify(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit_result res;
	gv_audit *a = NULL;
	gv_key *k = NULL;
	gv_buf saved = GV_BUF_INIT;
	gv_sync_trust_list trust = GV_SYNC_TRUST_LIST_INIT;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, "db jsonl key checkpoint allow-unsigned-tail trust",
		       "--key PUB [--db FILE | --jsonl EXPORT] [--checkpoint SAVED] "
		       "[--trust ORIGIN=PUB]... [--allow-unsigned-tail]"))) {
		if (r > 0)
			fputs("\nRecomputes the chain, the tree and every checkpoint signature, checks\n"
			      "receipts against the entries they name and every replica under the keys\n"
			      "given with --trust (else those the signed log pinned), and says which\n"
			      "entries a checkpoint signed by PUB covers. Entries after the last one are\n"
			      "an unauthenticated tail: exit 1 unless --allow-unsigned-tail.\n\n"
			      "Exit codes: 0 verified; 1 tampered, uncovered, signed by another key, or a\n"
			      "replica or receipt that does not verify; 2 unreadable or malformed input\n"
			      "(a --checkpoint that is not a signed checkpoint is named at its line).\n",
			      stdout);
		return r > 0 ? 0 : GV_EXIT_INPUT;
	}
	if (!o.key)
		return usage_error("verify", "--key PUB (the log's public key) is required");
	if ((err = gv_key_load_public(&k, o.key, &d)) < 0)
		goto out;
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
	if (err == GV_OK)
		err = verdict(&res, k, o.allow_tail, &d, o.jsonl ? o.jsonl : o.db);
	else if (err == GV_ESIG)
		printf("audit log TAMPERED\n");
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
	gv_sync_trust_list_release(&trust);
	gv_buf_release(&saved);
	gv_key_free(k);
	gv_audit_close(a);
	return finish(&d, err);
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

	if ((r = parse(&o, argc, argv, "db deployment type since until",
		       "[--db FILE] [--deployment ID] [--type T] [--since TIME] [--until TIME]")))
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
	return finish(&d, err);
}

static int audit_export(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	uint64_t n = 0;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, "db output", "[--db FILE] -o OUT")))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!o.out || !strcmp(o.out, "-"))
		return usage_error("export", "-o OUT (a file) is required");
	if ((err = gv_audit_open_existing(&a, o.db, &d)) < 0)
		goto out;
	if ((err = gv_audit_export(a, o.out, &n, &d)) == GV_OK)
		fprintf(stderr, "govgate: exported %" PRIu64 " entries to %s and its checkpoints to "
			"%s.checkpoints\n", n, o.out, o.out);
out:
	gv_audit_close(a);
	return finish(&d, err);
}

static int audit_key(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_key *k = NULL;
	char *vk;
	opts o;
	int r, err;

	if ((r = parse(&o, argc, argv, "key origin", "--key PUB [--origin O]")))
		return r > 0 ? 0 : GV_EXIT_INPUT;
	if (!o.key)
		return usage_error("key", "--key PUB is required");
	if (!gv_note_name_valid(o.origin))
		return usage_error("key", "the origin must be non-empty, without spaces or '+'");
	if ((err = gv_key_load_public(&k, o.key, &d)) < 0)
		return finish(&d, err);
	vk = gv_note_verifier_key(o.origin, k);
	printf("%s\n", vk);
	free(vk);
	gv_key_free(k);
	return finish(&d, GV_OK);
}

static const gv_cmd audit_cmds[] = {
	{ "verify", audit_verify, "recompute the chain, tree and checkpoint signatures" },
	{ "checkpoint", audit_checkpoint, "print the latest checkpoint (sign one with --log-key)" },
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
