/*
 * waiver.h: signed waivers (docs/GOVERNANCE.md, "Waivers"; the envelope in
 * docs/EVIDENCE.md).
 *
 *   apiVersion: govgate/v1
 *   kind: Waiver
 *   metadata: {name: W-2026-014}
 *   spec:
 *     policy: hybrid-baseline
 *     rule: enc.key-rotation
 *     scope: {deployment_id: DEP-1, path: manifest.encryption.at_rest.rotation_days}
 *     justification: ...
 *     ticket: SEC-1234
 *     expires: 2026-12-31     # a date (valid through that UTC day) or an RFC 3339 time
 *
 * A waiver is checked key by key (GV-W0xx at file:line:col), signed as a
 * DSSE envelope whose payload is the document's exact bytes (payload type
 * GV_WAIVER_PAYLOAD_TYPE), and handed to `check`/`deploy` signed only.
 *
 * Loading a signed waiver (gv_waivers_add) verifies it against the trust
 * file: an envelope that is malformed, a payload that is not a valid
 * waiver, or a signature by a trusted key that does not verify is an input
 * error (GV_EPARSE / GV_ESIG: a forged waiver would hide a violation). A
 * waiver whose signatures name no trusted key and verify under none is
 * loaded but never applies (untrusted-key); so is one whose signer holds no
 * waiver_approvers role (role-not-held), the run's initiator (initiator) or
 * one that has expired (expired).
 *
 * gv_waivers_apply() is called by gate.c for each result, serialised, in
 * input order: it marks the findings a waiver covers (gv_finding.waiver)
 * and recomputes the result's decision without them.
 *
 * Ownership: a gv_waivers owns its waivers and their files; findings point
 * at waivers, so it must outlive the run's results.
 */
#ifndef GV_WAIVER_H
#define GV_WAIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "diag.h"
#include "node.h"
#include "trust.h"

#define GV_WAIVER_KIND "Waiver"
#define GV_WAIVER_PAYLOAD_TYPE "application/vnd.govgate.waiver+yaml"
/* Test-only: "now" for expiry checks, an RFC 3339 time (docs/GOVERNANCE.md). */
#define GV_WAIVER_NOW_ENV "GOVGATE_NOW"
#define GV_WAIVER_MAX 256          /* waivers per run */

/* A waiver's outcome in a run; the names are the report's. */
typedef enum {
	GV_WAIVER_APPLIED = 0,
	GV_WAIVER_UNUSED,          /* matched no finding */
	GV_WAIVER_EXPIRED,
	GV_WAIVER_ROLE_NOT_HELD,
	GV_WAIVER_UNTRUSTED_KEY,
	GV_WAIVER_INITIATOR,
	GV_WAIVER_UNWAIVABLE,
	GV_WAIVER_OUT_OF_SCOPE
} gv_waiver_status;

const char *gv_waiver_status_name(int s);   /* "applied", "unused", "expired", ... */

typedef struct gv_waiver {
	const char *file;           /* the envelope, as given */
	const char *name, *policy, *rule, *justification, *ticket;
	const char *expires;        /* as written */
	const char *deployment_id, *path;   /* scope; NULL: any */
	time_t end;                 /* first second it is expired */
	char sha256[65];            /* of the envelope file, hex */
	const char *signer;         /* the trust file's name for the key; NULL: untrusted */
	char keyid[GV_KEYID_HEX_LEN + 1];   /* "" when untrusted */
	int blocked;                /* a reason that holds for every finding, or 0 */
	/* the run */
	size_t applied;             /* findings waived */
	size_t matched;             /* findings matched (policy, rule, scope) */
	size_t out_of_scope;        /* findings of its policy and rule outside its scope */
	size_t unwaivable;          /* matched findings of an unwaivable rule */
	gv_file *doc;
} gv_waiver;

typedef struct gv_program gv_program;

typedef struct gv_waivers {
	gv_waiver *v;
	size_t n, alloc;
	const gv_program *prog;     /* for waivable: false */
} gv_waivers;

#define GV_WAIVERS_INIT { NULL, 0, 0, NULL }

/* "Now" for the expiry of waivers and approvals: the clock, or $GOVGATE_NOW (an RFC 3339 time) when set
 * and later than the clock. It only moves time forward, so whoever sets the
 * environment can expire a waiver early but never revive an expired one.
 * -1 (with an error in d) when $GOVGATE_NOW is not a valid time. */
time_t gv_waiver_now(gv_diags *d);

/*
 * Checks a waiver document (path names it in messages; data its bytes):
 * every key, located. On success *out (may be NULL) gets a waiver whose
 * strings live in *out_file. Returns GV_OK or GV_EPARSE.
 */
int gv_waiver_parse(gv_waiver *out, gv_file **out_file, const char *path, const void *data,
		    size_t len, gv_diags *d);

/* Reads a waiver document and appends its signed envelope to out. */
int gv_waiver_sign(gv_buf *out, const char *path, const gv_key *k, gv_diags *d);

/*
 * Reads a signed waiver, verifies it against trust and adds it to w with
 * its standing: untrusted-key, role-not-held, initiator (signed by
 * initiator, the run's --sign key; NULL for none), expired at now, or 0.
 */
int gv_waivers_add(gv_waivers *w, const char *path, const gv_trust *trust,
		   const gv_key *initiator, time_t now, gv_diags *d);
void gv_waivers_release(gv_waivers *w);

/* Clears the counts of a previous run (deploy evaluates more than once). */
void gv_waivers_reset(gv_waivers *w);

struct gv_result;
/* Marks r's findings that an applicable waiver covers and recomputes
 * r->decision from the others (see above). w NULL: nothing. */
void gv_waivers_apply(gv_waivers *w, struct gv_result *r);

/* A waiver's final outcome once the run is over. */
int gv_waiver_outcome(const gv_waiver *x);

/* The report's "waivers" array (JSON; "[]" when none). */
void gv_waivers_json(gv_buf *b, const gv_waivers *w);
/* The waived finding's JSON object, the value of its "waiver" key. */
void gv_waiver_finding_json(gv_buf *b, const gv_waiver *x);

struct gv_audit;
/* Appends one audit entry per waiver that matched a finding:
 * governance.waiver.applied for an applied one, governance.waiver.rejected
 * with the reason for the others (docs/EVIDENCE.md). *last_seq is set to
 * the last entry's; *appended counts them. */
int gv_waivers_record(const gv_waivers *w, struct gv_audit *db, const char *actor,
		      uint64_t *last_seq, size_t *appended, gv_diags *d);

#endif
