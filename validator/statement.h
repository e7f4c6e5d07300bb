/*
 * statement.h: the signed evidence govgate writes and `govgate verify`
 * checks: a DSSE envelope (dsse.h) whose payload, of type
 * application/vnd.in-toto+json, is an in-toto Statement v1:
 *
 *   {"_type":"https://in-toto.io/Statement/v1",
 *    "subject":[{"name":"<file>","digest":{"sha256":"<64 hex>"}}, ...],
 *    "predicateType":"<one of the two below>",
 *    "predicate":{...}}
 *
 * predicateType https://govgate.dev/compliance-report/v1: a `check` run;
 *   the predicate holds at least "decision" (allow, info, warn, escalate,
 *   halt or block); its other fields are the report's and free-form here.
 * predicateType https://govgate.dev/deployment-receipt/v1: a deployment
 *   receipt; the predicate holds at least "deployment_id" (a string).
 * predicateType https://govgate.dev/approval/v1: a signed approval of one
 *   manifest (approval.h); the predicate holds "role" (a role name),
 *   "time" (RFC 3339), and "deployment_id", "expires", "comment" (each a
 *   string or null).
 *
 * Ownership: a gv_statement owns the parsed payload; every pointer in it is
 * borrowed from it and lives until gv_statement_free().
 */
#ifndef GV_STATEMENT_H
#define GV_STATEMENT_H

#include <stddef.h>

#include "diag.h"
#include "node.h"
#include "sign.h"

#define GV_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define GV_PREDICATE_REPORT "https://govgate.dev/compliance-report/v1"
#define GV_PREDICATE_RECEIPT "https://govgate.dev/deployment-receipt/v1"
#define GV_PREDICATE_APPROVAL "https://govgate.dev/approval/v1"
/* a signed policy bundle (bundle.h): one subject per policy or rule file */
#define GV_PREDICATE_POLICY_BUNDLE "https://govgate.dev/policy-bundle/v1"

typedef enum { GV_STATEMENT_REPORT, GV_STATEMENT_RECEIPT, GV_STATEMENT_POLICY_BUNDLE,
	       GV_STATEMENT_APPROVAL } gv_statement_kind;

typedef struct gv_subject {
	const char *name;
	unsigned char sha256[32];
	char sha256_hex[65];
} gv_subject;

typedef struct gv_statement {
	gv_statement_kind kind;
	const char *predicate_type;
	const gv_node *predicate;   /* an object */
	const char *decision;       /* reports: always; receipts: NULL if absent */
	const char *deployment_id;  /* receipts: always; reports, approvals: NULL if absent */
	const char *role;           /* approvals: always */
	const char *time, *expires, *comment;  /* approvals: time always; others NULL if null */
	gv_subject *subjects;
	size_t nsubjects;
	char keyid[GV_KEYID_HEX_LEN + 1];  /* set by gv_statement_open() */
	char *payload;              /* gv_statement_open(): the exact signed bytes */
	size_t payload_len;
	gv_file *file;
} gv_statement;

/*
 * Parses and checks a Statement payload (path is used for messages).
 * Returns GV_OK, or GV_EPARSE with an error naming path:line:col when the
 * payload is not JSON or not a govgate Statement.
 */
int gv_statement_parse(gv_statement **out, const char *path, const void *payload,
		       size_t len, gv_diags *d);
void gv_statement_free(gv_statement *s);  /* NULL ok */

/* The subject with this SHA-256, or NULL. Borrowed. */
const gv_subject *gv_statement_find(const gv_statement *s, const unsigned char sha256[32]);

/*
 * Reads the envelope at path, verifies it with the public key k and parses
 * its Statement: the whole of `govgate verify` but the output. Returns
 *   GV_OK      valid; *out is set (keyid holds the signer's key id);
 *   GV_ESIG    not signed by k, or the signature does not verify;
 *   GV_EPARSE  not a DSSE envelope, or a validly signed payload that is
 *              not a govgate Statement (wrong payload type included);
 *   GV_EIO     the file cannot be read.
 * Every failure adds an error to d naming path.
 */
int gv_statement_open(gv_statement **out, const char *path, const gv_key *k, gv_diags *d);

#endif
