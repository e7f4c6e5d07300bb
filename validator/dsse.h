/*
 * dsse.h: DSSE v1 envelopes (secure-systems-lab/dsse), signed with Ed25519.
 *
 * The signature covers the pre-authentication encoding
 *
 *   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 *
 * where LEN is the byte length in ASCII decimal without leading zeros. The
 * envelope is one line of JSON with the fields in this order:
 *
 *   {"payloadType":"...","payload":"<base64>",
 *    "signatures":[{"keyid":"<64 hex>","sig":"<base64>"}]}
 *
 * base64 is the standard alphabet with padding when we write; both
 * alphabets, padded or not, are accepted when we read. The key id is
 * gv_key_id() (SHA-256 of the DER public key). The payload is signed as the
 * exact bytes given; it is never parsed or re-serialised here.
 */
#ifndef GV_DSSE_H
#define GV_DSSE_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "sign.h"

#define GV_DSSE_INTOTO_TYPE "application/vnd.in-toto+json"
/* Envelopes larger than this are refused before parsing. */
#define GV_DSSE_MAX_BYTES ((size_t)16 << 20)

/* Appends PAE(type, body) to out. */
void gv_dsse_pae(gv_buf *out, const char *type, size_t typelen, const void *body, size_t len);

/*
 * Appends the envelope for payload, signed by the private key k, followed
 * by a newline. Returns GV_OK, or GV_ERROR when k cannot sign (a public
 * key); out is unchanged on failure.
 */
int gv_dsse_sign(gv_buf *out, const char *payload_type, const void *payload, size_t len,
		 const gv_key *k);

/*
 * gv_dsse_sign with the in-toto payload type: what `check --sign` writes
 * around a Statement (statement_json is signed byte for byte).
 */
int gv_report_sign_envelope(gv_buf *out, const void *statement_json, size_t len,
			    const gv_key *k);

/*
 * Opens an envelope read from `path` (used for messages only): parses it
 * strictly, picks the signatures whose keyid is k's key id or empty, and
 * verifies them over PAE. When one verifies, appends the payload bytes to
 * out_payload, sets *out_type to a malloc'd copy of the payload type and
 * returns GV_OK. Otherwise nothing is returned and:
 *   GV_EPARSE  the input is not a DSSE envelope (not JSON, wrong types,
 *              duplicate keys, bad base64, over GV_DSSE_MAX_BYTES, ...);
 *   GV_ESIG    no signature by k (the message lists the key ids present),
 *              or the signature does not verify.
 * Every failure adds one error to d naming path (and line:col if known).
 * With k NULL only the envelope's shape is checked (GV_OK or GV_EPARSE;
 * an envelope without signatures is GV_ESIG) and nothing is returned: the
 * payload is not verified, so it is not handed out.
 */
int gv_dsse_open(gv_buf *out_payload, char **out_type, const char *path,
		 const void *envelope, size_t len, const gv_key *k, gv_diags *d);

#endif
