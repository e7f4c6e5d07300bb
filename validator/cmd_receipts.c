/* cmd_receipts.c: `govgate receipts`: list deployment receipts, or write
 * one as a signed envelope that `govgate verify` checks. */
#include "cmd.h"
#include "cli_opts.h"
#include "atomic.h"
#include "audit.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"
#include "json_parse.h"
#include "receipt.h"
#include "sign.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const gv_opt receipts_opts[] = {
	{ "db", 0, 'D', "DB", "the audit log, a file or a PostgreSQL connection string (default: $GOVGATE_DB, else "
	  "./govgate-audit.db)", GV_OPT_FILES },
	{ "deployment", 0, 'd', "ID", "only this deployment", NULL },
	{ "format", 'f', 'f', "FMT", "text (default): one line per receipt; json: one JSON "
	  "object per line", "text json" },
	{ "sign", 0, 'S', "KEY", "sign the latest receipt with this private key", GV_OPT_FILES },
	{ "log-pub", 0, 'L', "PUB", "the log's public key, which must prove the receipt",
	  GV_OPT_FILES },
	{ "output", 'o', 'o', "FILE", "where the signed receipt goes (atomically)",
	  GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_receipts = {
	"receipts", "list deployment receipts or write one signed",
	"[--db DB] [--deployment ID] [-f text|json]\n"
	"[--db DB] --deployment ID --sign KEY --log-pub PUB -o FILE",
	"Lists the deployment receipts recorded in the audit log (oldest first; the list "
	"is read as stored: `govgate audit verify` proves it), or writes the latest "
	"receipt of one deployment as a signed DSSE envelope. A receipt is signed only "
	"when the log proves it: the log verifies under PUB and a checkpoint signed by "
	"PUB covers the receipt's entry; the envelope carries the entry's inclusion proof "
	"(verify it with `govgate verify --key SIGN-PUB --log-pub PUB FILE`).",
	receipts_opts, NULL,
	"0 ok, 1 no receipt found, or the log does not prove it (the message says why), 2 "
	"usage or input error.",
	"$ govgate receipts --db audit.db --deployment web-42 --sign keys/report.key --log-pub keys/log.pub -o receipt.json",
	NULL, NULL
};

typedef struct listing {
	int json, quiet;
	size_t n;
	gv_buf last;
	uint64_t last_seq;
} listing;

static const char *str_of(const gv_node *root, const char *key)
{
	const gv_node *v = gv_node_get(root, key);
	return v && v->kind != GV_NODE_NULL && gv_node_is_scalar(v) ? v->s : "-";
}

static int each(void *payload, uint64_t seq, const char *json, size_t len)
{
	listing *l = payload;
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL;

	l->n++;
	l->last_seq = seq;
	gv_buf_clear(&l->last);
	gv_buf_add(&l->last, json, len);
	if (l->quiet) {
		/* only the last one is wanted */
	} else if (l->json) {
		fwrite(json, 1, len, stdout);
		putchar('\n');
	} else if (gv_json_parse(&f, "receipt", json, len, NULL, &d) == 0 && f->ndocs) {
		const gv_node *r = f->docs[0];
		printf("%s  %-10s %-8s %s .. %s  log_seq %s\n", str_of(r, "deployment_id"),
		       str_of(r, "status"), str_of(r, "decision"), str_of(r, "started_at"),
		       str_of(r, "ended_at"), str_of(r, "log_seq"));
	}
	gv_file_free(f);
	gv_diags_release(&d);
	return 0;
}

int cmd_receipts(int argc, char **argv)
{
	const char *db_path = NULL, *dep = NULL, *format = "text", *sign = NULL, *output = NULL;
	const char *log_pub = NULL;
	listing l = { 0, 0, 0, GV_BUF_INIT, 0 };
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *db = NULL;
	gv_key *key = NULL, *lpub = NULL;
	gv_audit_result vr;
	gv_file *f = NULL;
	gv_buf env = GV_BUF_INIT;
	char *proof = NULL;
	int c, rc = 2;
	gv_getopt g;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_receipts);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'D': db_path = optarg; break;
		case 'd': dep = optarg; break;
		case 'f': format = optarg; break;
		case 'S': sign = optarg; break;
		case 'o': output = optarg; break;
		case 'L': log_pub = optarg; break;
		case 'h': gv_opts_help(stdout, &gv_optcmd_receipts); return 0;
		default: gv_opts_help(stderr, &gv_optcmd_receipts); return 2;
		}
	}
	if (optind < argc || (strcmp(format, "text") && strcmp(format, "json")) ||
	    (!sign != !output) || (sign && !dep) || (!sign && log_pub)) {
		gv_opts_help(stderr, &gv_optcmd_receipts);
		return 2;
	}
	if (sign && !log_pub) {
		fprintf(stderr, "govgate: receipts: --sign needs --log-pub PUB (the log's public key): "
			"a receipt is signed only when the log proves it\n");
		return 2;
	}
	l.json = !strcmp(format, "json");
	if (sign && (gv_key_load_private(&key, sign, &d) < 0 ||
		     gv_key_load_public(&lpub, log_pub, &d) < 0))
		goto out;
	if (gv_audit_open_existing(&db, db_path ? db_path : gv_audit_default_path(), &d) < 0)
		goto out;
	l.quiet = sign != NULL;   /* signing takes the latest receipt */
	if (gv_audit_receipts_each(db, dep, each, &l, &d) < 0)
		goto out;
	if (!l.n) {
		gv_error(&d, "GV-R002", gv_audit_path(db), "no receipt%s%s", dep ? " for deployment " : "",
			 dep ? dep : "");
		rc = 1;
		goto out;
	}
	if (sign) {
		const gv_node *m, *file, *sha;
		unsigned char digest[32];
		char kid[GV_KEYID_HEX_LEN + 1];
		int err;

		/* only what the log proves is signed */
		gv_key_id(lpub, kid);
		err = gv_audit_verify(db, lpub, NULL, 0, NULL, &vr, &d);
		if (err == GV_ESIG || (err == GV_OK && vr.foreign)) {
			if (vr.foreign)
				gv_error(&d, "GV-R004", gv_audit_path(db), "%s", vr.foreign_msg);
			gv_error(&d, "GV-R004", gv_audit_path(db), "the log does not verify under key %s; "
				 "no receipt from it is signed", kid);
			rc = 1;
			goto out;
		}
		if (err < 0)
			goto out;
		if (l.last_seq >= vr.covered) {
			gv_error(&d, "GV-R004", gv_audit_path(db), "the receipt of %s (seq %llu) is not "
				 "covered by a checkpoint signed by key %s, so the log does not prove it; "
				 "sign one with 'govgate audit checkpoint --log-key KEY' first", dep,
				 (unsigned long long)l.last_seq, kid);
			rc = 1;
			goto out;
		}
		if (gv_json_parse(&f, gv_audit_path(db), l.last.ptr, l.last.len, NULL, &d) < 0)
			goto out;
		m = gv_node_get(f->docs[0], "manifest");
		file = gv_node_get(m, "file");
		sha = gv_node_get(m, "sha256");
		if (!file || file->kind != GV_NODE_STR || !sha || sha->kind != GV_NODE_STR ||
		    gv_unhex(digest, 32, sha->s, sha->n) < 0) {
			gv_error(&d, "GV-R003", gv_audit_path(db), "receipt of %s names no manifest", dep);
			goto out;
		}
		if (gv_audit_prove_inclusion(db, l.last_seq, &proof, &d) < 0 ||
		    gv_receipt_sign_proved(&env, l.last.ptr, l.last.len, proof, file->s, digest,
					   key) < 0 ||
		    gv_atomic_write(output, env.ptr, env.len, 0666, &d) < 0)
			goto out;
		printf("wrote the signed receipt of %s to %s: log entry %llu, proved under key %s\n",
		       dep, output, (unsigned long long)l.last_seq, kid);
	}
	rc = 0;
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 0);
	gv_diags_release(&d);
	gv_file_free(f);
	gv_buf_release(&env);
	gv_buf_release(&l.last);
	gv_key_free(key);
	gv_key_free(lpub);
	free(proof);
	gv_audit_close(db);
	return rc;
}
