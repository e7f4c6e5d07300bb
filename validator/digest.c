#include "digest.h"
#include "alloc.h"
#include "gv.h"

#include <stdlib.h>

/*
 * SHA-256 uses OpenSSL's low-level functions: they call the implementation
 * directly, while the first EVP digest fetch initialises the provider
 * machinery (about half of a one-manifest `check`). Signing still uses EVP.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

struct gv_sha256_ctx {
	SHA256_CTX c;
};

gv_sha256_ctx *gv_sha256_new(void)
{
	gv_sha256_ctx *c = gv_xmalloc(sizeof(*c));

	if (!SHA256_Init(&c->c))
		GV_BUG("SHA-256 unavailable");
	return c;
}

void gv_sha256_update(gv_sha256_ctx *c, const void *data, size_t len)
{
	if (len && !SHA256_Update(&c->c, data, len))
		GV_BUG("SHA-256 update failed");
}

void gv_sha256_final(gv_sha256_ctx *c, unsigned char out[GV_SHA256_LEN])
{
	if (!SHA256_Final(out, &c->c))
		GV_BUG("SHA-256 final failed");
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

void gv_sha256(unsigned char out[GV_SHA256_LEN], const void *data, size_t len)
{
	SHA256_CTX c;

	/* not SHA256(): in OpenSSL 3 that one goes through EVP */
	if (!SHA256_Init(&c) || !SHA256_Update(&c, data, len) || !SHA256_Final(out, &c))
		GV_BUG("SHA-256 failed");
}

void gv_sha256_2(unsigned char out[GV_SHA256_LEN], const void *a, size_t alen,
		 const void *b, size_t blen)
{
	gv_sha256_ctx *c = gv_sha256_new();
	gv_sha256_update(c, a, alen);
	gv_sha256_update(c, b, blen);
	gv_sha256_final(c, out);
}

void gv_hex(char *out, const unsigned char *data, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[data[i] >> 4];
		out[2 * i + 1] = hex[data[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int gv_unhex(unsigned char *out, size_t n, const char *hex, size_t hexlen)
{
	size_t i;

	if (hexlen != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}
