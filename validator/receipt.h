/*
 * receipt.h: deployment receipts. A receipt says what happened to one
 * deployment: who it is (deployment_id, mode, cloud_region, on_prem), its
 * status and decision, when it started and ended, which manifest and report
 * it rests on (with digests), where its events sit in the audit log and the
 * checkpoint covering them, and, for `deploy`, which steps ran.
 *
 * The JSON has these top-level fields, in this order (absent ones are null):
 *   deployment_id, mode, cloud_region, on_prem, status, decision,
 *   started_at, ended_at, log_seq, manifest {file, document, sha256},
 *   report {file, sha256}, checkpoint {origin, size, root}, steps_run [...]
 * A receipt is an entry of the audit log itself (type deployment.receipt,
 * the receipt JSON as its payload), so it is in the hash chain and the
 * tree like every event, and its log_seq must name the governance.validated
 * entry of the same deployment whose decision and manifest it repeats
 * (audit verify checks that). It can be written as a signed DSSE envelope
 * whose Statement has predicateType https://govgate.dev/deployment-receipt/v1
 * and the manifest as subject; signed from a log, the predicate also carries
 * "log_proof": the tlog-proof of the receipt's entry against a checkpoint,
 * which `govgate verify --log-pub` checks offline.
 */
#ifndef GV_RECEIPT_H
#define GV_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "sign.h"

#define GV_RECEIPT_EVENT "deployment.receipt"
#define GV_VALIDATED_EVENT "governance.validated"

typedef struct gv_receipt {
	const char *deployment_id, *mode, *cloud_region, *on_prem, *status, *decision;
	const char *started_at, *ended_at;
	const char *manifest_file;
	uint32_t document;
	const unsigned char *manifest_sha256;   /* 32 bytes, or NULL */
	const char *report_file;
	const unsigned char *report_sha256;     /* 32 bytes, or NULL: no report */
	int64_t log_seq;                        /* -1: not recorded */
	const char *origin;                     /* checkpoint; NULL: none */
	uint64_t checkpoint_size;
	const char *checkpoint_root;            /* base64 */
	const char *const *steps_run;           /* deploy only; NULL: field is null */
	size_t nsteps;
	const char *approvals;                  /* JSON array of the approvals that counted
						   ({name, role, keyid}); NULL: no field */
} gv_receipt;

#define GV_RECEIPT_INIT { .log_seq = -1 }

/* Appends the receipt as one compact JSON object (no newline). */
void gv_receipt_json(gv_buf *out, const gv_receipt *r);
/* Appends a signed envelope (and a newline) for receipt JSON json. */
int gv_receipt_sign(gv_buf *out, const char *json, size_t len, const char *subject,
		    const unsigned char subject_sha256[32], const gv_key *k);

/*
 * Signs receipt JSON json (one compact object) with its log proof (a
 * tlog-proof text, see note.h) appended to the predicate as "log_proof".
 */
int gv_receipt_sign_proved(gv_buf *out, const char *json, size_t len, const char *proof,
			   const char *subject, const unsigned char subject_sha256[32],
			   const gv_key *k);

/*
 * The payload of a log entry line (the bytes between "payload": and
 * ,"prev":"..."}). Returns 0, or -1 when the line has no such shape.
 */
int gv_receipt_entry_payload(const char *entry, size_t len, const char **payload, size_t *plen);

/*
 * The claim a log entry makes about one manifest document of a deployment:
 * SHA-256 over its deployment id, decision, manifest digest and document.
 * A governance.validated entry and a receipt that names it (log_seq) must
 * make the same claim. gv_receipt_validated_claim takes a validated entry;
 * gv_receipt_claim a receipt entry, and sets *log_seq. Each returns NULL,
 * or a static reason the entry cannot make a claim.
 */
const char *gv_receipt_validated_claim(const char *entry, size_t len, unsigned char out[32]);
const char *gv_receipt_claim(const char *entry, size_t len, uint64_t *log_seq,
			     unsigned char out[32]);

/* What a receipt's log proof proved (gv_receipt_check_proof). */
typedef struct gv_receipt_proof {
	uint64_t seq;             /* the receipt's entry */
	uint64_t size;            /* the checkpoint it was proved against */
	char origin[257];
} gv_receipt_proof;

/*
 * Checks the log proof of a verified receipt Statement (payload: its exact
 * bytes; subject: its subject): the checkpoint is signed by log_pub, the
 * entry is included in it, is a deployment.receipt entry, and the signed
 * Statement is exactly the one made from that entry's receipt. Returns
 * GV_OK; GV_ENOTFOUND when the receipt carries no log proof; GV_ESIG when
 * it does not prove the receipt; GV_EPARSE for a malformed proof.
 */
int gv_receipt_check_proof(const char *payload, size_t len, const char *proof,
			   const char *subject, const unsigned char subject_sha256[32],
			   const gv_key *log_pub, gv_receipt_proof *out, const char *file,
			   gv_diags *d);

#endif
