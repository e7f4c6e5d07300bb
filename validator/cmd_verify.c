/*
 * cmd_verify.c: `govgate verify`: checks a signed report, receipt, approval,
 * bundle or waiver (verify_waiver.c)
 * offline (no network, no database). Exit codes are the verifiers' split
 * (gv.h): 0 valid, 1 invalid evidence, 2 malformed input or usage.
 */
#include "cmd.h"
#include "cli_opts.h"
#include "alloc.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"
#include "sign.h"
#include "receipt.h"
#include "statement.h"
#include "trust.h"
#include "verify_waiver.h"
#include "note.h"
#include "witness.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const gv_opt verify_opts[] = {
	{ "key", 'k', 'k', "PUB", "public key (.pub) the report must be signed by", GV_OPT_FILES },
	{ "manifest", 'm', 'm', "FILE", "also check that FILE is one of the report's subjects "
	  "(by SHA-256; repeatable)", GV_OPT_FILES },
	{ "log-pub", 0, 'L', "LOG-PUB", "receipts: also check the receipt's log proof, that "
	  "the log signed by LOG-PUB recorded exactly this receipt", GV_OPT_FILES },
	{ "witness", 0, 'W', "NAME=PUB", "receipts, with --log-pub: the receipt's checkpoint "
	  "counts only with cosignatures from the named witnesses (repeatable; docs/TILES.md)",
	  NULL },
	{ "min-witnesses", 0, 'N', "N", "how many of them (default: all)", NULL },
	{ "cosigned", 0, 'C', "FILE", "a cosigned copy of the receipt's checkpoint (the same "
	  "text and log signature, with cosignature lines)", GV_OPT_FILES },
	{ "trust", 0, 'T', "FILE", "signed waivers: also say whether the signer holds one of "
	  "the trust file's waiver_approvers roles (role-not-held, untrusted-key)", GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_verify = {
	"verify", "verify a signed report, receipt, approval or waiver offline",
	"--key PUB REPORT [--manifest FILE]... [--log-pub LOG-PUB]\n--key PUB WAIVER [--trust FILE]",
	"Verifies a signed compliance report, deployment receipt or approval (a DSSE "
	"envelope around an in-toto Statement) with the public key PUB, offline. On success "
	"prints the signer's key id, the decision (or the receipt, or the approval's role, "
	"deployment, time, expiry and comment) and every subject. Whether an approval "
	"counts is for check and deploy to say, under a trust file (docs/GOVERNANCE.md). "
	"A signed waiver (`govgate waiver sign`) is checked as check and deploy check it; "
	"verify prints its name, policy, rule, expiry, ticket and scope, whether it has "
	"expired now and, with --trust, whether its signer holds a waiver_approvers role.",
	verify_opts, NULL,
	"0 valid, 1 invalid (not signed by PUB, bad signature, changed payload, a "
	"manifest that is not a subject, or a receipt that the log of LOG-PUB does not "
	"prove), 2 malformed or unreadable input (including a validly signed payload "
	"that is not a govgate Statement or a valid Waiver). An expired waiver, or one whose "
	"signer --trust does not make an approver, is still validly signed: 0, and a line "
	"says so.",
	"Verify a report and that it covers the manifest deployed:\n"
	"$ govgate verify --key keys/report.pub --manifest app.yaml out/report.dsse.json\n"
	"\n"
	"Verify a receipt and its proof in the audit log:\n"
	"$ govgate verify --key keys/report.pub --log-pub keys/log.pub receipt.json\n"
	"\n"
	"Verify a signed waiver and whether its signer may approve waivers:\n"
	"$ govgate verify --key keys/approver.pub --trust trust.yaml waiver.dsse.json",
	GV_OPT_FILES, NULL
};

/* Prints untrusted text on one line: control bytes become \xNN. */
static void put_clean(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '\\')
			fprintf(f, c == '\\' ? "\\\\" : "\\x%02x", c);
		else
			fputc(c, f);
	}
}

/*
 * The approvals that counted for the run the receipt covers, one line each:
 * "approved: NAME role=ROLE key=KEYID" (docs/GOVERNANCE.md).
 */
static void print_receipt_approvals(const gv_statement *st)
{
	static const char *const k[] = { "role", "keyid" };
	static const char *const label[] = { "role", "key" };
	const gv_node *a = gv_node_get(st->predicate, "approvals");
	uint32_t i;
	size_t j;

	if (!a || a->kind != GV_NODE_SEQ)
		return;
	for (i = 0; i < a->n; i++) {
		const gv_node *e = a->u.items[i];
		const char *name;

		if (e->kind != GV_NODE_MAP || !(name = gv_node_get_str(e, "name")))
			continue;
		fputs("approved: ", stdout);
		put_clean(stdout, name);
		for (j = 0; j < GV_ARRAY_LEN(k); j++) {
			const char *v = gv_node_get_str(e, k[j]);
			if (!v)
				continue;
			printf(" %s=", label[j]);
			put_clean(stdout, v);
		}
		fputc('\n', stdout);
	}
}

/* Prints the receipt's scalar fields on one line: "receipt: k=v k=v ...". */
static void print_receipt(const gv_statement *st)
{
	static const char *const fields[] = {
		"deployment_id", "mode", "status", "decision", "cloud_region", "on_prem",
		"started_at", "ended_at", "log_seq"
	};
	size_t i;

	fputs("receipt:", stdout);
	for (i = 0; i < GV_ARRAY_LEN(fields); i++) {
		const gv_node *v = gv_node_get(st->predicate, fields[i]);
		if (!v || !gv_node_is_scalar(v))
			continue;
		printf(" %s=", fields[i]);
		put_clean(stdout, v->s);
	}
	fputc('\n', stdout);
	print_receipt_approvals(st);
}

/* What an approval proves: this key approved the subject in this role. */
static void print_approval(const gv_statement *st)
{
	const char *const v[] = { st->role, st->deployment_id, st->time, st->expires,
				  st->comment };
	static const char *const k[] = { "role", "deployment_id", "time", "expires", "comment" };
	size_t i;

	fputs("approval:", stdout);
	for (i = 0; i < GV_ARRAY_LEN(k); i++) {
		if (!v[i])
			continue;
		printf(" %s=", k[i]);
		put_clean(stdout, v[i]);
	}
	fputc('\n', stdout);
}

/*
 * A receipt's log proof, checked under the log key the auditor gives
 * (--log-pub); the line it prints says exactly what was proved.
 */
static int check_log_proof(const gv_statement *st, const gv_key *lk, const char *file,
			   gv_buf *line, gv_diags *d)
{
	const gv_node *p = gv_node_get(st->predicate, "log_proof");
	gv_receipt_proof rp;
	char kid[GV_KEYID_HEX_LEN + 1];
	int err;

	if (st->kind != GV_STATEMENT_RECEIPT) {
		if (lk)
			return gv_error(d, "GV-E008", file, "--log-pub applies to receipts only"),
			       GV_EPARSE;
		return GV_OK;
	}
	if (!p || p->kind != GV_NODE_STR) {
		if (lk)
			return gv_error(d, "GV-E008", file, "the receipt carries no log proof, so no "
					"log proves it (it was signed without a log key)"), GV_ESIG;
		gv_buf_puts(line, "log: none (the receipt carries no log proof)\n");
		return GV_OK;
	}
	if (!lk) {
		gv_buf_puts(line, "log: proof present, not checked (give --log-pub PUB)\n");
		return GV_OK;
	}
	if ((err = gv_receipt_check_proof(st->payload, st->payload_len, p->s,
					  st->subjects[0].name, st->subjects[0].sha256, lk, &rp,
					  file, d)) < 0)
		return err;
	gv_key_id(lk, kid);
	gv_buf_printf(line, "log: entry %llu of '%s' included in the checkpoint for size %llu signed "
		      "by key %s\n", (unsigned long long)rp.seq, rp.origin,
		      (unsigned long long)rp.size, kid);
	return GV_OK;
}

/*
 * The witnesses' cosignatures on the checkpoint of a receipt's log proof
 * (already checked under --log-pub), or on a cosigned copy of it.
 */
static int receipt_witnesses(const gv_statement *st, const gv_witness_list *wl,
			     const char *cosigned, const char *file, gv_buf *line, gv_diags *d)
{
	const gv_node *p = gv_node_get(st->predicate, "log_proof");
	gv_tlog_proof tp;
	gv_buf cos = GV_BUF_INIT;
	size_t n = 0;
	int err;

	if (!p || p->kind != GV_NODE_STR)
		return gv_error(d, "GV-E008", file, "--witness applies to receipts with a log proof"),
		       GV_EPARSE;
	if ((err = gv_tlog_proof_parse(&tp, p->s, strlen(p->s), file, d)) < 0)
		return err;
	if (cosigned) {
		if ((err = gv_buf_read_file(&cos, cosigned, GV_NOTE_MAX)) < 0) {
			gv_error(d, "GV-E001", cosigned, "cannot read the cosigned checkpoint: %s",
				 err == GV_ELIMIT ? "too large" : strerror(errno));
			goto out;
		}
		if ((err = gv_witness_same_checkpoint(tp.note, tp.note_len, cos.ptr, cos.len,
						      cosigned, d)) < 0)
			goto out;
		err = gv_witness_check(wl, cos.ptr, cos.len, cosigned, &n, d);
	} else {
		err = gv_witness_check(wl, tp.note, tp.note_len, file, &n, d);
	}
	if (err == GV_OK)
		gv_buf_printf(line, "witnesses: %zu of %zu named witnesses cosigned the checkpoint "
			      "(%zu required)\n", n, wl->n, wl->min);
out:
	gv_buf_release(&cos);
	gv_tlog_proof_release(&tp);
	return err;
}

int cmd_verify(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	const char *keypath = NULL, *report = NULL, **manifests = NULL, *logpath = NULL;
	const char *trustpath = NULL;
	gv_trust *trust = NULL;
	size_t nmanifests = 0, alloc = 0, i;
	gv_statement *st = NULL;
	gv_key *k = NULL, *lk = NULL;
	gv_buf logline = GV_BUF_INIT;
	const char *wspecs[GV_WITNESS_MAX], *min_w = NULL, *cosigned = NULL;
	size_t nw = 0;
	gv_witness_list wl = GV_WITNESS_LIST_INIT;
	int c, rc = GV_EXIT_MALFORMED, err;
	gv_getopt g;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_verify);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'k': keypath = optarg; break;
		case 'L': logpath = optarg; break;
		case 'T': trustpath = optarg; break;
		case 'N': min_w = optarg; break;
		case 'C': cosigned = optarg; break;
		case 'W':
			if (nw == GV_WITNESS_MAX) {
				fprintf(stderr, "govgate: verify: more than %d --witness options\n",
					GV_WITNESS_MAX);
				goto out;
			}
			wspecs[nw++] = optarg;
			break;
		case 'm':
			GV_GROW(manifests, alloc, nmanifests + 1);
			manifests[nmanifests++] = optarg;
			break;
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_verify);
			rc = 0;
			goto out;
		default:
			gv_opts_help(stderr, &gv_optcmd_verify);
			goto out;
		}
	}
	if (!keypath || optind != argc - 1) {
		fprintf(stderr, "govgate: verify: %s\n",
			!keypath ? "--key PUB is required" : "give exactly one REPORT");
		gv_opts_help(stderr, &gv_optcmd_verify);
		goto out;
	}
	report = argv[optind];
	if ((nw || cosigned) && !logpath) {
		fprintf(stderr, "govgate: verify: --witness and --cosigned need --log-pub LOG-PUB\n");
		gv_opts_help(stderr, &gv_optcmd_verify);
		goto out;
	}
	if (gv_witness_list_load(&wl, wspecs, nw, min_w, &d) < 0)
		goto out;
	if (gv_key_load_public(&k, keypath, &d) < 0 ||
	    (logpath && gv_key_load_public(&lk, logpath, &d) < 0))
		goto out;
	if (gv_verify_is_waiver(report)) {
		/* a signed waiver: none of the report and receipt options apply */
		if (nmanifests || logpath) {
			fprintf(stderr, "govgate: verify: %s: a signed waiver has no subjects or "
				"log proof (--manifest, --log-pub)\n", report);
			goto out;
		}
		if (trustpath && gv_trust_load(&trust, trustpath, &d) < 0)
			goto out;
		if ((err = gv_verify_waiver(&logline, report, k, trust, &d)) < 0) {
			rc = err == GV_ESIG ? GV_EXIT_INVALID : GV_EXIT_MALFORMED;
			goto out;
		}
		fputs(logline.ptr, stdout);
		if (fflush(stdout)) {
			gv_error(&d, "GV-O001", NULL, "cannot write to standard output");
			goto out;
		}
		rc = GV_EXIT_VALID;
		goto out;
	}
	if (trustpath) {
		fprintf(stderr, "govgate: verify: %s: --trust applies to signed waivers only\n",
			report);
		goto out;
	}
	err = gv_statement_open(&st, report, k, &d);
	if (err == GV_ESIG) {
		rc = GV_EXIT_INVALID;
		goto out;
	}
	if (err < 0)
		goto out;
	/* the manifests: unreadable is malformed input, absent is invalid evidence */
	for (i = 0; i < nmanifests; i++) {
		gv_buf b = GV_BUF_INIT;
		unsigned char h[GV_SHA256_LEN];
		char hex[2 * GV_SHA256_LEN + 1];

		if (gv_buf_read_file(&b, manifests[i], (size_t)1 << 30) < 0) {
			gv_error(&d, "GV-E001", manifests[i], "cannot read manifest: %s",
				 strerror(errno));
			gv_buf_release(&b);
			goto out;
		}
		gv_sha256(h, b.ptr, b.len);
		gv_buf_release(&b);
		if (!gv_statement_find(st, h)) {
			gv_hex(hex, h, sizeof(h));
			gv_error(&d, "GV-E007", manifests[i],
				 "manifest (sha256:%s) is not among the report's subjects", hex);
			rc = GV_EXIT_INVALID;
			goto out;
		}
	}
	if ((err = check_log_proof(st, lk, report, &logline, &d)) < 0) {
		rc = err == GV_ESIG ? GV_EXIT_INVALID : GV_EXIT_MALFORMED;
		goto out;
	}
	if (wl.n && (err = receipt_witnesses(st, &wl, cosigned, report, &logline, &d)) < 0) {
		rc = err == GV_ESIG ? GV_EXIT_INVALID : GV_EXIT_MALFORMED;
		goto out;
	}
	printf("valid: signed by %s\n", st->keyid);
	if (st->kind == GV_STATEMENT_RECEIPT) {
		print_receipt(st);
		fputs(logline.ptr, stdout);
	} else if (st->kind == GV_STATEMENT_POLICY_BUNDLE) {
		printf("policy bundle: %zu files\n", st->nsubjects);
	} else if (st->kind == GV_STATEMENT_APPROVAL) {
		print_approval(st);
	} else
		printf("decision: %s\n", st->decision);
	for (i = 0; i < st->nsubjects; i++) {
		fputs("subject: ", stdout);
		put_clean(stdout, st->subjects[i].name);
		printf(" sha256:%s\n", st->subjects[i].sha256_hex);
	}
	if (fflush(stdout)) {
		gv_error(&d, "GV-O001", NULL, "cannot write to standard output");
		goto out;
	}
	rc = GV_EXIT_VALID;
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 0);
	gv_diags_release(&d);
	gv_statement_free(st);
	gv_key_free(k);
	gv_key_free(lk);
	gv_trust_free(trust);
	gv_buf_release(&logline);
	gv_witness_list_release(&wl);
	free(manifests);
	return rc;
}
