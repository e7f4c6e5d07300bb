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
 * Receipts are stored in the audit database (audit.h) and can be written
 * as a signed DSSE envelope whose Statement has predicateType
 * https://govgate.dev/deployment-receipt/v1 and the manifest as subject.
 */
#ifndef GV_RECEIPT_H
#define GV_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "sign.h"

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
} gv_receipt;

#define GV_RECEIPT_INIT { .log_seq = -1 }

/* Appends the receipt as one compact JSON object (no newline). */
void gv_receipt_json(gv_buf *out, const gv_receipt *r);
/* Appends a signed envelope (and a newline) for receipt JSON json. */
int gv_receipt_sign(gv_buf *out, const char *json, size_t len, const char *subject,
		    const unsigned char subject_sha256[32], const gv_key *k);

#endif
