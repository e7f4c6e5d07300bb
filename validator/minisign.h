/*
 * minisign.h: minisign-compatible signatures (jedisct1/minisign), so that a
 * plain report can be checked with the `minisign` tool alone.
 *
 * Only the prehashed form is written: algorithm "ED", an Ed25519 signature
 * over BLAKE2b-512 of the file. A .minisig file is four lines:
 *
 *   untrusted comment: <text>
 *   base64("ED" || keynum[8] || sig[64])
 *   trusted comment: <text>
 *   base64(Ed25519 over (sig[64] || trusted comment text))
 *
 * and the public key file two:
 *
 *   untrusted comment: minisign public key <KEYNUM>
 *   base64("Ed" || keynum[8] || public key[32])
 *
 * The key number is ours to choose (minisign picks random bytes): the first
 * 8 bytes of SHA-256 of the raw 32-byte public key, stored in that order.
 * minisign prints it as a little-endian 64-bit number in upper-case hex
 * (<KEYNUM> above), that is the 8 bytes in reverse order.
 */
#ifndef GV_MINISIGN_H
#define GV_MINISIGN_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "sign.h"

#define GV_MINISIGN_KEYNUM_LEN 8
/* Longest trusted comment we write or accept (minisign's limit is 8192
 * bytes for the whole line). */
#define GV_MINISIGN_COMMENT_MAX 4096

void gv_minisign_keynum(const gv_key *k, unsigned char out[GV_MINISIGN_KEYNUM_LEN]);
/* The key number as minisign prints it: 16 upper-case hex digits. */
void gv_minisign_keynum_hex(const gv_key *k, char out[2 * GV_MINISIGN_KEYNUM_LEN + 1]);
/* Appends the minisign public key file for k (works for either half). */
void gv_minisign_pubkey(gv_buf *out, const gv_key *k);

/*
 * Appends the .minisig text for data signed by the private key k, with the
 * given trusted comment (one line: no CR, LF or NUL; at most
 * GV_MINISIGN_COMMENT_MAX bytes). Returns GV_OK, or GV_ERROR with an error
 * in d for a bad comment or a key that cannot sign.
 */
int gv_minisign_sign(gv_buf *out, const void *data, size_t len, const char *trusted_comment,
		     const gv_key *k, gv_diags *d);
/* The same, written atomically to sigpath (mode 0644). */
int gv_minisign_write(const char *sigpath, const void *data, size_t len,
		      const char *trusted_comment, const gv_key *k, gv_diags *d);

/*
 * Checks .minisig text (read from sigpath, used for messages) against data
 * and the public key k, as `minisign -V` does: key number, then the
 * signature, then the global signature over the trusted comment. On
 * success, if trusted_out is not NULL, appends the trusted comment to it.
 * Returns GV_OK, GV_EPARSE (not a minisig file, or not the prehashed form)
 * or GV_ESIG (other key, or a signature that does not verify).
 */
int gv_minisign_verify(const char *sigpath, const char *sigtext, size_t siglen,
		       const void *data, size_t len, const gv_key *k, gv_buf *trusted_out,
		       gv_diags *d);

#endif
