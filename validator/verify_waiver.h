/*
 * verify_waiver.h: `govgate verify` on a signed waiver (docs/EVIDENCE.md,
 * "Verifying with govgate"; the waiver itself in waiver.h).
 *
 * DSSE's order: the envelope is read and its signature verified under the
 * verifier's key first; only then is the payload parsed, with
 * gv_waiver_parse() as check and deploy parse it.
 */
#ifndef GV_VERIFY_WAIVER_H
#define GV_VERIFY_WAIVER_H

#include <stdbool.h>
#include "buf.h"
#include "diag.h"
#include "sign.h"
#include "trust.h"

/*
 * Does the envelope at path name the waiver's payload type? Only picks the
 * verifier: nothing is verified, and the type is covered by the signature
 * that gv_verify_waiver then checks. Adds nothing anywhere: any failure
 * (unreadable, not JSON) is false, and the caller's usual path reports it.
 */
bool gv_verify_is_waiver(const char *path);

/*
 * Verifies the signed waiver at path under k and appends what it proves to
 * out, one fact a line: "valid: signed by KEYID", "waiver: NAME policy=...
 * rule=... expires=... ticket=... deployment_id=... path=...", "expired:
 * ..." at now (gv_waiver_now) and, with trust (NULL: none), "trust: ...".
 * Returns GV_OK, GV_ESIG (not signed by k, or the signature does not
 * verify), GV_EPARSE (not a signed waiver, or a payload that is not a valid
 * Waiver: the located errors are in d) or GV_EIO.
 */
int gv_verify_waiver(gv_buf *out, const char *path, const gv_key *k, const gv_trust *trust,
		     gv_diags *d);

#endif
