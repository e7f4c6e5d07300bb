#include "evidence.h"
#include "alloc.h"
#include "atomic.h"
#include "base64.h"
#include "digest.h"
#include "dsse.h"
#include "facts.h"
#include "governance.h"
#include "gv.h"
#include "waiver.h"
#include "minisign.h"
#include "note.h"
#include "receipt.h"
#include "statement.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Findings listed per governance.validated entry; the rest are counted. */
#define MAX_VIOLATIONS 200

const char *gv_evidence_status(int decision)
{
	switch (decision) {
	case GV_ENF_BLOCK: return "blocked";
	case GV_ENF_HALT: return "halted";
	case GV_ENF_ESCALATE: return "escalated";
	default: return "validated";
	}
}

static void jsha(gv_buf *b, const unsigned char d[32])
{
	char hex[65];

	gv_hex(hex, d, 32);
	gv_buf_printf(b, "{\"sha256\":\"%s\"}", hex);
}

static void validated_payload(gv_buf *b, const gv_file_result *fr, const gv_result *r,
			      uint32_t doc, const gv_program *prog, const gv_governance *gov)
{
	size_t i;

	gv_buf_puts(b, "{\"file\":");
	gv_buf_json_cstr(b, fr->path);
	gv_buf_printf(b, ",\"document\":%u,\"digest\":", doc);
	jsha(b, fr->sha256);
	gv_buf_printf(b, ",\"decision\":\"%s\",\"policy_digest\":", gv_decision_name(r->decision));
	jsha(b, prog->digest);
	gv_buf_printf(b, ",\"rules_evaluated\":%u,\"findings\":%zu,\"violations\":[",
		      r->rules_evaluated, r->nfindings);
	for (i = 0; i < r->nfindings && i < MAX_VIOLATIONS; i++) {
		const gv_finding *f = &r->findings[i];
		gv_buf_puts(b, i ? ",{\"rule\":" : "{\"rule\":");
		gv_buf_json_cstr(b, f->rule);
		gv_buf_printf(b, ",\"enforcement\":\"%s\",\"severity\":\"%s\"",
			      gv_enforcement_name(f->enforcement), gv_severity_name(f->severity));
		/* a waived finding: the waiver's name (waiver.h) */
		if (f->waiver) {
			gv_buf_puts(b, ",\"waiver\":");
			gv_buf_json_cstr(b, f->waiver->name);
		}
		gv_buf_putc(b, '}');
	}
	gv_buf_printf(b, "],\"violations_truncated\":%s",
		      r->nfindings > MAX_VIOLATIONS ? "true" : "false");
	if (gov && gov->reported) {
		/* who validated governance (governance.h) */
		gv_buf_puts(b, ",\"approvals\":");
		gv_governance_used_json(b, gov, r);
	}
	gv_buf_putc(b, '}');
}

/* Signs a checkpoint and parses it back for the report and receipts. */
static int checkpoint(gv_checkpoint *cp, char **note, const gv_evidence_opts *o, gv_diags *d)
{
	const char *body;
	int err;

	*note = NULL;
	if ((err = gv_audit_checkpoint(o->db, o->origin, o->log_key, note, d)) < 0)
		return err;
	/* the signed text ends at the blank line before the signatures */
	body = strstr(*note, "\n\n");
	if ((err = gv_checkpoint_parse(cp, *note, body ? (size_t)(body - *note) + 1 : strlen(*note),
				       gv_audit_path(o->db), d)) < 0) {
		free(*note);
		*note = NULL;
	}
	return err;
}

/* The Statement: the JSON report plus time, deployment id and checkpoint. */
static void statement(gv_buf *b, const gv_run *run, const gv_buf *report_json,
		      const char *now, const gv_checkpoint *cp, const char *note)
{
	const char *dep = NULL;
	size_t i, n = report_json->len;
	uint32_t k;
	int many = 0;

	gv_buf_puts(b, "{\"_type\":\"" GV_STATEMENT_TYPE "\",\"subject\":[");
	for (i = 0; i < run->nfiles; i++) {
		if (i)
			gv_buf_putc(b, ',');
		gv_buf_puts(b, "{\"name\":");
		gv_buf_json_cstr(b, run->files[i].path);
		gv_buf_puts(b, ",\"digest\":");
		jsha(b, run->files[i].sha256);
		gv_buf_putc(b, '}');
		for (k = 0; k < run->files[i].ndocs; k++) {
			const char *id = run->files[i].docs[k].r.deployment_id;
			if (id && dep && strcmp(id, dep))
				many = 1;
			if (id && !dep)
				dep = id;
		}
	}
	gv_buf_puts(b, "],\"predicateType\":\"" GV_PREDICATE_REPORT "\",\"predicate\":");
	/* the report object without its closing brace and newline */
	while (n && (report_json->ptr[n - 1] == '\n' || report_json->ptr[n - 1] == '}'))
		if (report_json->ptr[--n] == '}')
			break;
	gv_buf_add(b, report_json->ptr, n);
	gv_buf_printf(b, ",\"time\":\"%s\",\"deployment_id\":", now);
	gv_buf_json_cstr(b, many ? NULL : dep);
	gv_buf_puts(b, ",\"deployment_ids\":[");
	many = 0;
	for (i = 0; i < run->nfiles; i++)
		for (k = 0; k < run->files[i].ndocs; k++) {
			const char *id = run->files[i].docs[k].r.deployment_id;
			if (!id)
				continue;
			if (many++)
				gv_buf_putc(b, ',');
			gv_buf_json_cstr(b, id);
		}
	gv_buf_puts(b, "],\"checkpoint\":");
	if (cp && cp->origin) {
		gv_buf_puts(b, "{\"origin\":");
		gv_buf_json_cstr(b, cp->origin);
		gv_buf_printf(b, ",\"size\":%llu,\"root\":\"", (unsigned long long)cp->size);
		gv_base64_encode(b, cp->root, sizeof(cp->root));
		gv_buf_puts(b, "\",\"note\":");
		gv_buf_json_cstr(b, note);
		gv_buf_putc(b, '}');
	} else {
		gv_buf_puts(b, "null");
	}
	gv_buf_puts(b, "}}");
}

static int write_minisign(const gv_evidence_opts *o, const gv_buf *report_json, const char *now,
			  int decision, gv_diags *d)
{
	gv_buf sig = GV_BUF_INIT, comment = GV_BUF_INIT;
	const char *base = strrchr(o->minisign_path, '/');
	int err;

	base = base ? base + 1 : o->minisign_path;
	gv_buf_printf(&comment, "timestamp:%lld\tfile:%s\ttool:govgate %s\tdecision:%s\ttime:%s",
		      (long long)time(NULL), base, GV_VERSION, gv_decision_name(decision), now);
	gv_buf_printf(&sig, "%s.minisig", o->minisign_path);
	err = gv_atomic_write(o->minisign_path, report_json->ptr, report_json->len, 0666, d);
	if (!err && (err = gv_minisign_write(sig.ptr, report_json->ptr, report_json->len,
					     comment.ptr, o->sign_key, d)) < 0)
		unlink(o->minisign_path);   /* never a report without its signature */
	gv_buf_release(&sig);
	gv_buf_release(&comment);
	return err;
}

int gv_evidence_sign_receipt(gv_audit *db, const gv_key *log_key, const char *origin,
			    uint64_t seq, const char *json, size_t len, const char *manifest,
			    const unsigned char manifest_sha256[32], const gv_key *sign_key,
			    const char *path, gv_buf *env, gv_diags *d)
{
	char *note = NULL, *proof = NULL;
	int err;

	gv_buf_clear(env);
	if (db && log_key) {
		/* a checkpoint that covers the receipt's entry, and the proof against it */
		if ((err = gv_audit_checkpoint(db, origin, log_key, &note, d)) < 0 ||
		    (err = gv_audit_prove_inclusion(db, seq, &proof, d)) < 0)
			goto out;
		err = gv_receipt_sign_proved(env, json, len, proof, manifest, manifest_sha256,
					     sign_key);
	} else {
		err = gv_receipt_sign(env, json, len, manifest, manifest_sha256, sign_key);
	}
	if (err == GV_OK)
		err = gv_atomic_write(path, env->ptr, env->len, 0666, d);
out:
	free(note);
	free(proof);
	return err;
}

int gv_evidence_check_outputs(const gv_evidence_opts *o, gv_diags *d)
{
	gv_buf sig = GV_BUF_INIT;
	int err = GV_OK;

	if (o->report_path && gv_atomic_check(o->report_path, d) < 0)
		err = GV_EIO;
	if (o->minisign_path) {
		gv_buf_printf(&sig, "%s.minisig", o->minisign_path);
		if (gv_atomic_check(o->minisign_path, d) < 0 || gv_atomic_check(sig.ptr, d) < 0)
			err = GV_EIO;
	}
	if (o->receipt_path && gv_atomic_check(o->receipt_path, d) < 0)
		err = GV_EIO;
	gv_buf_release(&sig);
	return err;
}

/* The run's deployment id when all its documents that have one agree. */
static const char *run_deployment(const gv_run *run)
{
	const char *dep = NULL;
	size_t i;
	uint32_t k;

	for (i = 0; i < run->nfiles; i++)
		for (k = 0; k < run->files[i].ndocs; k++) {
			const char *id = run->files[i].docs[k].r.deployment_id;
			if (id && dep && strcmp(id, dep))
				return "";
			if (id)
				dep = id;
		}
	return dep ? dep : "";
}

int gv_evidence_record_failure(const gv_run *run, const gv_evidence_opts *o,
			       const gv_evidence_out *out, const char *stage, const char *file,
			       gv_diags *d)
{
	gv_buf b = GV_BUF_INIT;
	const char *msg = NULL;
	char *note = NULL;
	uint64_t seq;
	size_t i;
	int err;

	if (!o->db || !out->appended)
		return GV_OK;
	for (i = d->n; i > 0 && !msg; i--)
		if (d->v[i - 1].sev == GV_SEV_ERROR)
			msg = d->v[i - 1].msg;
	gv_buf_printf(&b, "{\"stage\":\"%s\",\"file\":", stage);
	gv_buf_json_cstr(&b, file);
	gv_buf_puts(&b, ",\"error\":");
	gv_buf_json_cstr(&b, msg);
	gv_buf_printf(&b, ",\"first_seq\":%llu,\"last_seq\":%llu}",
		      (unsigned long long)out->first_seq, (unsigned long long)out->last_seq);
	err = gv_audit_append(o->db, "governance.run_failed", run_deployment(run), o->actor, b.ptr,
			      &seq, d);
	if (!err && o->log_key)
		err = gv_audit_checkpoint(o->db, o->origin, o->log_key, &note, d);
	free(note);
	gv_buf_release(&b);
	return err;
}

int gv_evidence_write(gv_evidence_out *out, const gv_run *run, const gv_report_meta *m,
		      const gv_buf *report_json, const gv_evidence_opts *o, gv_diags *d)
{
	gv_buf b = GV_BUF_INIT, env = GV_BUF_INIT;
	gv_checkpoint cp;
	char now[GV_TIME_LEN + 1], *note = NULL, keyid[GV_KEYID_HEX_LEN + 1];
	uint64_t seq = 0;
	size_t i;
	uint32_t k;
	int err = GV_OK, have_cp = 0;
	int64_t *seqs = NULL;
	const char *stage = "log", *sfile = NULL;   /* what is being done, for a failure */

	memset(out, 0, sizeof(*out));
	memset(&cp, 0, sizeof(cp));
	gv_time_format(now, time(NULL));
	if (o->receipt_path) {
		size_t with_id = 0;
		for (i = 0; i < run->nfiles; i++)
			for (k = 0; k < run->files[i].ndocs; k++)
				with_id += run->files[i].docs[k].r.deployment_id != NULL &&
					   run->files[i].docs[k].r.policies_applied;
		if (with_id != 1)
			return gv_error(d, "GV-R001", o->receipt_path,
					"--receipt needs exactly one manifest with a deployment_id; "
					"this run has %zu", with_id);
	}
	/* an output that cannot be written fails the run before it records anything */
	if ((err = gv_evidence_check_outputs(o, d)) < 0)
		return err;
	seqs = gv_xcalloc(run->ndocs ? run->ndocs : 1, sizeof(*seqs));

	if (o->db) {
		size_t n = 0;
		for (i = 0; i < run->nfiles; i++)
			for (k = 0; k < run->files[i].ndocs; k++, n++) {
				const gv_result *r = &run->files[i].docs[k].r;
				/* a document no policy applies to (--allow-empty) was not
				 * validated: no entry, no receipt */
				if (!r->policies_applied)
					continue;
				gv_buf_clear(&b);
				validated_payload(&b, &run->files[i], r, k, m->prog, run->gov);
				if ((err = gv_audit_append(o->db, "governance.validated",
							   r->deployment_id ? r->deployment_id : "",
							   o->actor, b.ptr, &seq, d)) < 0)
					goto out;
				seqs[n] = (int64_t)seq;
				out->appended = 1;
				if (!n)
					out->first_seq = seq;
				out->last_seq = seq;
			}
		if (run->waivers) {
			/* governance.waiver.applied / .rejected (waiver.h) */
			size_t nw = 0;
			int had = out->appended;
			err = gv_waivers_record(run->waivers, o->db, o->actor, &seq, &nw, d);
			if (nw) {
				if (!had)
					out->first_seq = seq - (nw - 1);
				out->appended = 1;
				out->last_seq = seq;
			}
			if (err < 0)
				goto out;
		}
		if (o->log_key) {
			stage = "checkpoint";
			if ((err = checkpoint(&cp, &note, o, d)) < 0)
				goto out;
			have_cp = 1;
			out->checkpoint_size = cp.size;
		}
	}

	if (o->report_path) {
		stage = "report";
		sfile = o->report_path;
		gv_buf_clear(&b);
		statement(&b, run, report_json, now, have_cp ? &cp : NULL, note);
		if ((err = gv_report_sign_envelope(&env, b.ptr, b.len, o->sign_key)) < 0 ||
		    (err = gv_atomic_write(o->report_path, env.ptr, env.len, 0666, d)) < 0)
			goto out;
		gv_sha256(out->report_sha256, env.ptr, env.len);
		out->report_written = 1;
		if (o->db) {
			char hex[65];
			gv_key_id(o->sign_key, keyid);
			gv_hex(hex, out->report_sha256, 32);
			gv_buf_clear(&b);
			gv_buf_puts(&b, "{\"report\":");
			gv_buf_json_cstr(&b, o->report_path);
			gv_buf_printf(&b, ",\"sha256\":\"%s\",\"keyid\":\"%s\",\"subjects\":%zu}",
				      hex, keyid, run->nfiles);
			if ((err = gv_audit_append(o->db, "report.signed", "", o->actor, b.ptr,
						   &seq, d)) < 0)
				goto out;
			out->last_seq = seq;
			if (o->log_key) {
				stage = "checkpoint";
				gv_checkpoint_release(&cp);
				free(note);
				if ((err = checkpoint(&cp, &note, o, d)) < 0) {
					have_cp = 0;
					goto out;
				}
				out->checkpoint_size = cp.size;
			}
		}
	}

	stage = "minisign";
	sfile = o->minisign_path;
	if (o->minisign_path && (err = write_minisign(o, report_json, now, run->decision, d)) < 0)
		goto out;
	stage = "receipt";
	sfile = o->receipt_path;

	/* receipts: one per manifest document that names a deployment */
	if (!o->no_receipt) {
		size_t n = 0;
		gv_buf root = GV_BUF_INIT, mine = GV_BUF_INIT, appr = GV_BUF_INIT;
		const gv_file_result *mine_file = NULL;
		uint64_t mine_seq = 0;

		if (have_cp)
			gv_base64_encode(&root, cp.root, sizeof(cp.root));
		for (i = 0; i < run->nfiles && err == GV_OK; i++)
			for (k = 0; k < run->files[i].ndocs; k++, n++) {
				const gv_result *r = &run->files[i].docs[k].r;
				gv_receipt rc = GV_RECEIPT_INIT;
				uint64_t rseq = 0;

				if (!r->deployment_id || !r->policies_applied)
					continue;
				rc.deployment_id = r->deployment_id;
				rc.mode = r->mode;
				rc.cloud_region = r->cloud_region;
				rc.on_prem = r->on_prem;
				rc.status = o->status ? o->status : gv_evidence_status(r->decision);
				rc.decision = gv_decision_name(r->decision);
				rc.started_at = o->started_at;
				rc.ended_at = now;
				rc.manifest_file = run->files[i].path;
				rc.document = k;
				rc.manifest_sha256 = run->files[i].sha256;
				rc.report_file = o->report_path;
				rc.report_sha256 = out->report_written ? out->report_sha256 : NULL;
				rc.log_seq = o->db ? seqs[n] : -1;
				if (have_cp) {
					rc.origin = cp.origin;
					rc.checkpoint_size = cp.size;
					rc.checkpoint_root = root.ptr;
				}
				rc.steps_run = o->steps_run;
				rc.nsteps = o->nsteps;
				gv_buf_clear(&appr);
				if (run->gov && run->gov->reported) {
					gv_governance_used_json(&appr, run->gov, r);
					rc.approvals = appr.ptr;
				}
				gv_buf_clear(&b);
				gv_receipt_json(&b, &rc);
				if (o->db && (err = gv_audit_receipt_put(o->db, r->deployment_id, o->actor,
									 b.ptr, b.len, &rseq, d)) < 0)
					break;
				if (o->db)
					out->last_seq = rseq;
				/* --receipt names the run's one deployment (checked above) */
				gv_buf_clear(&mine);
				gv_buf_add(&mine, b.ptr, b.len);
				mine_file = &run->files[i];
				mine_seq = rseq;
			}
		if (err == GV_OK && o->receipt_path && mine_file)
			err = gv_evidence_sign_receipt(o->db, o->log_key, o->origin, mine_seq, mine.ptr,
						       mine.len, mine_file->path, mine_file->sha256,
						       o->sign_key, o->receipt_path, &env, d);
		gv_buf_release(&root);
		gv_buf_release(&mine);
		gv_buf_release(&appr);
	}
	/* a writer that holds the log key leaves no unsigned tail */
	if (err == GV_OK && o->db && o->log_key && !o->no_receipt) {
		char *last = NULL;
		err = gv_audit_checkpoint(o->db, o->origin, o->log_key, &last, d);
		free(last);
	}
out:
	/* the log must not end this run on its success entries */
	if (err < 0)
		gv_evidence_record_failure(run, o, out, stage, sfile, d);
	free(seqs);
	gv_checkpoint_release(&cp);
	free(note);
	gv_buf_release(&b);
	gv_buf_release(&env);
	return err;
}
