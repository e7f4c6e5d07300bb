#include "receipt.h"
#include "audit.h"
#include "digest.h"
#include "dsse.h"
#include "gv.h"
#include "json_parse.h"
#include "merkle.h"
#include "note.h"
#include "statement.h"
#include "sync_store.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void field(gv_buf *b, const char *k, const char *v, int first)
{
	if (!first)
		gv_buf_putc(b, ',');
	gv_buf_json_str(b, k, strlen(k));
	gv_buf_putc(b, ':');
	if (v)
		gv_buf_json_str(b, v, strlen(v));
	else
		gv_buf_puts(b, "null");
}

static void sha(gv_buf *b, const unsigned char *d)
{
	char hex[65];

	gv_hex(hex, d, 32);
	gv_buf_json_str(b, hex, 64);
}

void gv_receipt_json(gv_buf *b, const gv_receipt *r)
{
	size_t i;

	gv_buf_putc(b, '{');
	field(b, "deployment_id", r->deployment_id, 1);
	field(b, "mode", r->mode, 0);
	field(b, "cloud_region", r->cloud_region, 0);
	field(b, "on_prem", r->on_prem, 0);
	field(b, "status", r->status, 0);
	field(b, "decision", r->decision, 0);
	field(b, "started_at", r->started_at, 0);
	field(b, "ended_at", r->ended_at, 0);
	if (r->log_seq >= 0)
		gv_buf_printf(b, ",\"log_seq\":%lld", (long long)r->log_seq);
	else
		gv_buf_puts(b, ",\"log_seq\":null");
	gv_buf_puts(b, ",\"manifest\":");
	if (r->manifest_file) {
		gv_buf_putc(b, '{');
		field(b, "file", r->manifest_file, 1);
		gv_buf_printf(b, ",\"document\":%u,\"sha256\":", r->document);
		if (r->manifest_sha256)
			sha(b, r->manifest_sha256);
		else
			gv_buf_puts(b, "null");
		gv_buf_putc(b, '}');
	} else {
		gv_buf_puts(b, "null");
	}
	gv_buf_puts(b, ",\"report\":");
	if (r->report_sha256) {
		gv_buf_putc(b, '{');
		field(b, "file", r->report_file, 1);
		gv_buf_puts(b, ",\"sha256\":");
		sha(b, r->report_sha256);
		gv_buf_putc(b, '}');
	} else {
		gv_buf_puts(b, "null");
	}
	gv_buf_puts(b, ",\"checkpoint\":");
	if (r->origin) {
		gv_buf_putc(b, '{');
		field(b, "origin", r->origin, 1);
		gv_buf_printf(b, ",\"size\":%llu", (unsigned long long)r->checkpoint_size);
		field(b, "root", r->checkpoint_root, 0);
		gv_buf_putc(b, '}');
	} else {
		gv_buf_puts(b, "null");
	}
	if (r->approvals) {
		gv_buf_puts(b, ",\"approvals\":");
		gv_buf_puts(b, r->approvals);
	}
	gv_buf_puts(b, ",\"steps_run\":");
	if (r->steps_run) {
		gv_buf_putc(b, '[');
		for (i = 0; i < r->nsteps; i++) {
			if (i)
				gv_buf_putc(b, ',');
			gv_buf_json_str(b, r->steps_run[i], strlen(r->steps_run[i]));
		}
		gv_buf_putc(b, ']');
	} else {
		gv_buf_puts(b, "null");
	}
	gv_buf_putc(b, '}');
}

/* The Statement of a receipt predicate (bytes as given) about one manifest. */
static void receipt_statement(gv_buf *st, const char *json, size_t len, const char *subject,
			      const unsigned char subject_sha256[32])
{
	gv_buf_puts(st, "{\"_type\":\"" GV_STATEMENT_TYPE "\",\"subject\":[{\"name\":");
	gv_buf_json_str(st, subject, strlen(subject));
	gv_buf_puts(st, ",\"digest\":{\"sha256\":");
	sha(st, subject_sha256);
	gv_buf_puts(st, "}}],\"predicateType\":\"" GV_PREDICATE_RECEIPT "\",\"predicate\":");
	gv_buf_add(st, json, len);
	gv_buf_putc(st, '}');
}

/* The receipt JSON with "log_proof" appended inside its object. */
static void with_proof(gv_buf *out, const char *json, size_t len, const char *proof)
{
	gv_buf_add(out, json, len - 1);  /* without the closing brace */
	gv_buf_puts(out, ",\"log_proof\":");
	gv_buf_json_str(out, proof, strlen(proof));
	gv_buf_putc(out, '}');
}

int gv_receipt_sign(gv_buf *out, const char *json, size_t len, const char *subject,
		    const unsigned char subject_sha256[32], const gv_key *k)
{
	gv_buf st = GV_BUF_INIT;
	int err;

	receipt_statement(&st, json, len, subject, subject_sha256);
	err = gv_dsse_sign(out, GV_DSSE_INTOTO_TYPE, st.ptr, st.len, k);
	gv_buf_release(&st);
	return err;
}

int gv_receipt_sign_proved(gv_buf *out, const char *json, size_t len, const char *proof,
			   const char *subject, const unsigned char subject_sha256[32],
			   const gv_key *k)
{
	gv_buf pj = GV_BUF_INIT;
	int err;

	if (len < 2 || json[len - 1] != '}')
		return GV_EPARSE;
	with_proof(&pj, json, len, proof);
	err = gv_receipt_sign(out, pj.ptr, pj.len, subject, subject_sha256, k);
	gv_buf_release(&pj);
	return err;
}

int gv_receipt_entry_payload(const char *entry, size_t len, const char **payload, size_t *plen)
{
	static const char key[] = ",\"payload\":";
	const size_t tail = sizeof(",\"prev\":\"\"}") - 1 + 64;
	const char *p;

	/* strings before the payload escape every quote, so the first match is the key */
	p = len > tail ? memmem(entry, len - tail, key, sizeof(key) - 1) : NULL;
	if (!p || memcmp(entry + len - tail, ",\"prev\":\"", 9))
		return -1;
	*payload = p + sizeof(key) - 1;
	*plen = (size_t)(entry + len - tail - *payload);
	return *plen >= 2 ? 0 : -1;
}

/* Parses a log entry line; its payload (NULL when it is not a JSON entry). */
static const gv_node *entry_payload(const char *entry, size_t len, gv_file **f)
{
	gv_diags d = GV_DIAGS_INIT;
	const gv_node *p = NULL;

	if (gv_json_parse(f, "entry", entry, len, NULL, &d) == 0 && (*f)->ndocs)
		p = gv_node_get((*f)->docs[0], "payload");
	gv_diags_release(&d);
	return p;
}

static void claim_hash(unsigned char out[32], const char *dep, const char *decision,
		       const char *sha256, uint64_t document)
{
	gv_buf b = GV_BUF_INIT;

	gv_buf_printf(&b, "%s%c%s%c%s%c%" PRIu64, dep, 0, decision, 0, sha256, 0, document);
	gv_sha256(out, b.ptr, b.len);
	gv_buf_release(&b);
}

const char *gv_receipt_validated_claim(const char *entry, size_t len, unsigned char out[32])
{
	gv_file *f = NULL;
	const gv_node *p;
	const char *dep, *decision, *sha, *why = NULL;
	uint64_t doc;

	if (!(p = entry_payload(entry, len, &f))) {
		why = "the governance.validated entry is not JSON";
		goto out;
	}
	dep = gv_node_get_str(f->docs[0], "deployment_id");
	decision = gv_node_get_str(p, "decision");
	sha = gv_node_get_str(gv_node_get(p, "digest"), "sha256");
	if (!dep || !decision || !sha || gv_node_get_u64(p, "document", &doc) < 0)
		why = "the governance.validated entry lacks its deployment, decision, digest or "
		      "document";
	else
		claim_hash(out, dep, decision, sha, doc);
out:
	gv_file_free(f);
	return why;
}

/* Whether a receipt status can follow a decision. */
static int status_fits(const char *status, const char *decision)
{
	static const char *const stopped[][2] = {
		{ "blocked", "block" }, { "halted", "halt" }, { "escalated", "escalate" }
	};
	size_t i;

	if (!strcmp(status, "dry-run"))
		return 1;
	for (i = 0; i < sizeof(stopped) / sizeof(stopped[0]); i++)
		if (!strcmp(status, stopped[i][0]))
			return !strcmp(decision, stopped[i][1]);
	if (!strcmp(status, "validated") || !strcmp(status, "completed") ||
	    !strcmp(status, "failed"))
		return !strcmp(decision, "allow") || !strcmp(decision, "info") ||
		       !strcmp(decision, "warn");
	return 0;
}

const char *gv_receipt_claim(const char *entry, size_t len, uint64_t *log_seq,
			     unsigned char out[32])
{
	gv_file *f = NULL;
	const gv_node *p, *m;
	const char *dep, *rdep, *decision, *status, *sha, *why = NULL;
	uint64_t doc;

	if (!(p = entry_payload(entry, len, &f))) {
		why = "the receipt entry is not JSON";
		goto out;
	}
	m = gv_node_get(p, "manifest");
	dep = gv_node_get_str(f->docs[0], "deployment_id");
	rdep = gv_node_get_str(p, "deployment_id");
	decision = gv_node_get_str(p, "decision");
	status = gv_node_get_str(p, "status");
	sha = gv_node_get_str(m, "sha256");
	if (!dep || !rdep || !decision || !status || !sha || gv_node_get_u64(m, "document", &doc) < 0 ||
	    gv_node_get_u64(p, "log_seq", log_seq) < 0)
		why = "the receipt lacks its deployment, status, decision, manifest or log_seq";
	else if (strcmp(dep, rdep))
		why = "the receipt's deployment_id is not its entry's";
	else if (!status_fits(status, decision))
		why = "the receipt's status does not follow from its decision";
	else
		claim_hash(out, dep, decision, sha, doc);
out:
	gv_file_free(f);
	return why;
}

int gv_receipt_check_proof(const char *payload, size_t len, const char *proof,
			   const char *subject, const unsigned char subject_sha256[32],
			   const gv_key *log_pub, gv_receipt_proof *out, const char *file,
			   gv_diags *d)
{
	unsigned char leaf[GV_HASH_LEN], prev[GV_HASH_LEN];
	char time[GV_TIME_LEN + 1], type[129];
	gv_tlog_proof tp;
	gv_checkpoint cp;
	gv_buf pj = GV_BUF_INIT, st = GV_BUF_INIT;
	const char *rj, *why;
	size_t rlen;
	int err;

	memset(out, 0, sizeof(*out));
	memset(&cp, 0, sizeof(cp));
	if ((err = gv_tlog_proof_parse(&tp, proof, strlen(proof), file, d)) < 0)
		return err;
	if (tp.consistency || !tp.extra) {
		err = (gv_error(d, "GV-E008", file, "the receipt's log proof is not an inclusion "
				"proof of its entry"), GV_EPARSE);
		goto out;
	}
	if ((err = gv_checkpoint_open(&cp, tp.note, tp.note_len, NULL, log_pub, file, d)) < 0) {
		if (err == GV_ESIG)
			gv_error(d, "GV-E008", file, "the receipt's log proof is not against a "
				 "checkpoint signed by the given log key");
		goto out;
	}
	gv_merkle_leaf_hash(leaf, tp.extra, tp.extra_len);
	if (tp.index >= cp.size ||
	    gv_merkle_verify_inclusion(tp.index, cp.size, leaf, tp.path, tp.n, cp.root) != GV_OK) {
		err = (gv_error(d, "GV-E008", file, "the receipt's entry is not included in the "
				"signed checkpoint (seq %" PRIu64 ", size %" PRIu64 ")", tp.index,
				cp.size), GV_ESIG);
		goto out;
	}
	if ((why = gv_audit_entry_fields((const char *)tp.extra, tp.extra_len, tp.index, time,
					 type, prev)) || strcmp(type, GV_RECEIPT_EVENT) ||
	    gv_receipt_entry_payload((const char *)tp.extra, tp.extra_len, &rj, &rlen) < 0) {
		err = (gv_error(d, "GV-E008", file, "the proved log entry is not a receipt%s%s",
				why ? ": " : "", why ? why : ""), GV_ESIG);
		goto out;
	}
	/* the signed Statement must be exactly the one made from the logged receipt */
	with_proof(&pj, rj, rlen, proof);
	receipt_statement(&st, pj.ptr, pj.len, subject, subject_sha256);
	if (st.len != len || memcmp(st.ptr, payload, len)) {
		err = (gv_error(d, "GV-E008", file, "the signed receipt differs from the receipt the "
				"log recorded at seq %" PRIu64, tp.index), GV_ESIG);
		goto out;
	}
	out->seq = tp.index;
	out->size = cp.size;
	snprintf(out->origin, sizeof(out->origin), "%s", cp.origin);
	err = GV_OK;
out:
	gv_checkpoint_release(&cp);
	gv_tlog_proof_release(&tp);
	gv_buf_release(&pj);
	gv_buf_release(&st);
	return err;
}
