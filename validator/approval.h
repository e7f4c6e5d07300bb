/*
 * approval.h: signed approvals (`govgate approve`, docs/EVIDENCE.md): a
 * DSSE envelope around an in-toto Statement whose one subject is the
 * approved manifest (its name as given and the SHA-256 of its bytes) and
 * whose predicate, of type https://govgate.dev/approval/v1, is
 *
 *   {"role":"security-admin","deployment_id":"DEP-1"|null,
 *    "time":"<RFC 3339>","expires":"<RFC 3339>"|null,"comment":"..."|null,
 *    "tool":{"name":"govgate","version":"..."}}
 *
 * Who approved is the signing key; the trust file (trust.h) says whose key
 * it is and which roles it holds. governance.h decides when one counts.
 */
#ifndef GV_APPROVAL_H
#define GV_APPROVAL_H

#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "diag.h"
#include "sign.h"

typedef struct gv_approval_req {
	const char *manifest;          /* the subject's name */
	const unsigned char *sha256;   /* of the manifest's bytes */
	const char *role;              /* a role name (trust.h) */
	const char *deployment_id;     /* NULL: any deployment of this manifest */
	time_t time;                   /* when it was signed */
	int64_t expires_in;            /* seconds after time; 0: no expiry */
	const char *comment;           /* NULL: none */
} gv_approval_req;

/* Appends the Statement's JSON to out (what is signed). */
void gv_approval_statement(gv_buf *out, const gv_approval_req *r);

/*
 * Appends the signed envelope (one line) to out. GV_ERROR with a message
 * in d when the role is unknown, a field is too long or k cannot sign.
 */
int gv_approval_sign(gv_buf *out, const gv_approval_req *r, const gv_key *k, gv_diags *d);

#endif
