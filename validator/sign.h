/*
 * sign.h: Ed25519 keys and signatures (OpenSSL 3 underneath; no OpenSSL type
 * appears here). sign.c and digest.c are the only users of openssl/evp.h for
 * signing; probe.c uses openssl/ssl.h for TLS.
 *
 * Key files: NAME.key is PKCS#8 PEM (mode 0600), NAME.pub is
 * SubjectPublicKeyInfo PEM. A key id is the lowercase hex SHA-256 of the DER
 * SubjectPublicKeyInfo. Private key bytes are wiped after use.
 */
#ifndef GV_SIGN_H
#define GV_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define GV_ED25519_SIG_LEN 64
#define GV_ED25519_PUB_LEN 32
#define GV_KEYID_HEX_LEN 64

typedef struct gv_key gv_key;

/* Writes base.key and base.pub; refuses to overwrite unless force. */
int gv_key_generate(const char *base, bool force, gv_diags *d);
/* Refuses a private key file that group or others can read (GV_ERROR). */
int gv_key_load_private(gv_key **out, const char *path, gv_diags *d);
int gv_key_load_public(gv_key **out, const char *path, gv_diags *d);
/* A public key from its 32 raw bytes. */
int gv_key_from_raw_public(gv_key **out, const unsigned char raw[GV_ED25519_PUB_LEN]);
void gv_key_free(gv_key *k);  /* NULL ok */
bool gv_key_is_private(const gv_key *k);
/* Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo (65 bytes with NUL). */
void gv_key_id(const gv_key *k, char out[GV_KEYID_HEX_LEN + 1]);
void gv_key_raw_public(const gv_key *k, unsigned char out[GV_ED25519_PUB_LEN]);
int gv_sign(const gv_key *k, const void *msg, size_t len, unsigned char sig[GV_ED25519_SIG_LEN]);
/* GV_OK when sig is a valid signature of msg by k, GV_ESIG otherwise. */
int gv_verify(const gv_key *k, const void *msg, size_t len,
	      const unsigned char sig[GV_ED25519_SIG_LEN]);

#endif
