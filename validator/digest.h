/*
 * digest.h: SHA-256 (OpenSSL underneath; no OpenSSL type leaks out).
 */
#ifndef GV_DIGEST_H
#define GV_DIGEST_H

#include <stddef.h>

#define GV_SHA256_LEN 32

void gv_sha256(unsigned char out[GV_SHA256_LEN], const void *data, size_t len);
/* Hash of the concatenation of two byte strings (RFC 6962 node hashing). */
void gv_sha256_2(unsigned char out[GV_SHA256_LEN], const void *a, size_t alen,
		 const void *b, size_t blen);

typedef struct gv_sha256_ctx gv_sha256_ctx;
gv_sha256_ctx *gv_sha256_new(void);
void gv_sha256_update(gv_sha256_ctx *c, const void *data, size_t len);
void gv_sha256_final(gv_sha256_ctx *c, unsigned char out[GV_SHA256_LEN]); /* frees c */

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void gv_hex(char *out, const unsigned char *data, size_t n);
/* Parses exactly 2n hex digits; returns 0 or -1. */
int gv_unhex(unsigned char *out, size_t n, const char *hex, size_t hexlen);

#endif
