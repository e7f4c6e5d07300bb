/*
 * minisign.c: the minisign file formats (see minisign.h). OpenSSL is used
 * here only for BLAKE2b-512, the prehash minisign's "ED" algorithm needs.
 */
#include "minisign.h"
#include "atomic.h"
#include "base64.h"
#include "digest.h"
#include "gv.h"

#include <string.h>

#include <openssl/evp.h>

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define BLAKE2B_LEN 64
#define SIG_BLOB_LEN (2 + GV_MINISIGN_KEYNUM_LEN + GV_ED25519_SIG_LEN)

static void blake2b512(unsigned char out[BLAKE2B_LEN], const void *data, size_t len)
{
	unsigned int n = 0;

	if (!EVP_Digest(data, len, out, &n, EVP_blake2b512(), NULL) || n != BLAKE2B_LEN)
		GV_BUG("BLAKE2b-512 unavailable");
}

void gv_minisign_keynum(const gv_key *k, unsigned char out[GV_MINISIGN_KEYNUM_LEN])
{
	unsigned char pub[GV_ED25519_PUB_LEN], h[GV_SHA256_LEN];

	gv_key_raw_public(k, pub);
	gv_sha256(h, pub, sizeof(pub));
	memcpy(out, h, GV_MINISIGN_KEYNUM_LEN);
}

void gv_minisign_keynum_hex(const gv_key *k, char out[2 * GV_MINISIGN_KEYNUM_LEN + 1])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char kn[GV_MINISIGN_KEYNUM_LEN];
	int i;

	gv_minisign_keynum(k, kn);
	for (i = 0; i < GV_MINISIGN_KEYNUM_LEN; i++) {
		unsigned char b = kn[GV_MINISIGN_KEYNUM_LEN - 1 - i];
		out[2 * i] = hex[b >> 4];
		out[2 * i + 1] = hex[b & 15];
	}
	out[2 * GV_MINISIGN_KEYNUM_LEN] = '\0';
}

void gv_minisign_pubkey(gv_buf *out, const gv_key *k)
{
	unsigned char blob[2 + GV_MINISIGN_KEYNUM_LEN + GV_ED25519_PUB_LEN];
	char hex[2 * GV_MINISIGN_KEYNUM_LEN + 1];

	memcpy(blob, "Ed", 2);
	gv_minisign_keynum(k, blob + 2);
	gv_key_raw_public(k, blob + 2 + GV_MINISIGN_KEYNUM_LEN);
	gv_minisign_keynum_hex(k, hex);
	gv_buf_printf(out, UNTRUSTED_PREFIX "minisign public key %s\n", hex);
	gv_base64_encode(out, blob, sizeof(blob));
	gv_buf_putc(out, '\n');
}

int gv_minisign_sign(gv_buf *out, const void *data, size_t len, const char *trusted_comment,
		     const gv_key *k, gv_diags *d)
{
	unsigned char blob[SIG_BLOB_LEN], hash[BLAKE2B_LEN], global[GV_ED25519_SIG_LEN];
	size_t clen = strlen(trusted_comment);
	char hex[2 * GV_MINISIGN_KEYNUM_LEN + 1];
	gv_buf signed_part = GV_BUF_INIT;
	int err;

	if (clen > GV_MINISIGN_COMMENT_MAX || strpbrk(trusted_comment, "\r\n"))
		return gv_error(d, "GV-S001", NULL,
				"a trusted comment must be one line of at most %d bytes",
				GV_MINISIGN_COMMENT_MAX);
	memcpy(blob, "ED", 2);
	gv_minisign_keynum(k, blob + 2);
	blake2b512(hash, data, len);
	if (gv_sign(k, hash, sizeof(hash), blob + 2 + GV_MINISIGN_KEYNUM_LEN) < 0)
		return gv_error(d, "GV-S002", NULL, "cannot sign: not a private key");
	gv_buf_add(&signed_part, blob + 2 + GV_MINISIGN_KEYNUM_LEN, GV_ED25519_SIG_LEN);
	gv_buf_add(&signed_part, trusted_comment, clen);
	err = gv_sign(k, signed_part.ptr, signed_part.len, global);
	gv_buf_release(&signed_part);
	if (err < 0)
		return gv_error(d, "GV-S002", NULL, "cannot sign: not a private key");
	gv_minisign_keynum_hex(k, hex);
	gv_buf_printf(out, UNTRUSTED_PREFIX "signature from govgate key %s\n", hex);
	gv_base64_encode(out, blob, sizeof(blob));
	gv_buf_puts(out, "\n" TRUSTED_PREFIX);
	gv_buf_add(out, trusted_comment, clen);
	gv_buf_putc(out, '\n');
	gv_base64_encode(out, global, sizeof(global));
	gv_buf_putc(out, '\n');
	return GV_OK;
}

int gv_minisign_write(const char *sigpath, const void *data, size_t len,
		      const char *trusted_comment, const gv_key *k, gv_diags *d)
{
	gv_buf sig = GV_BUF_INIT;
	int err;

	if ((err = gv_minisign_sign(&sig, data, len, trusted_comment, k, d)) == GV_OK)
		err = gv_atomic_write(sigpath, sig.ptr, sig.len, 0666, d);
	gv_buf_release(&sig);
	return err;
}

/* Splits the next line (without its LF, and a CR before it) off *p. */
static int next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return -1;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*len = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	*p = nl ? nl + 1 : end;
	if (*len && (*line)[*len - 1] == '\r')
		(*len)--;
	return 0;
}

int gv_minisign_verify(const char *sigpath, const char *sigtext, size_t siglen,
		       const void *data, size_t len, const gv_key *k, gv_buf *trusted_out,
		       gv_diags *d)
{
	const char *p = sigtext, *end = sigtext + siglen, *l[4];
	size_t n[4];
	gv_buf blob = GV_BUF_INIT, global = GV_BUF_INIT, signed_part = GV_BUF_INIT;
	unsigned char kn[GV_MINISIGN_KEYNUM_LEN], hash[BLAKE2B_LEN];
	size_t tp = strlen(TRUSTED_PREFIX);
	int i, err = GV_EPARSE;

	for (i = 0; i < 4; i++)
		if (next_line(&p, end, &l[i], &n[i]) < 0)
			goto malformed;
	if (n[0] < strlen(UNTRUSTED_PREFIX) || memcmp(l[0], UNTRUSTED_PREFIX, strlen(UNTRUSTED_PREFIX)) ||
	    n[2] < tp || memcmp(l[2], TRUSTED_PREFIX, tp) || n[2] - tp > GV_MINISIGN_COMMENT_MAX ||
	    gv_base64_decode(&blob, l[1], n[1]) < 0 || blob.len != SIG_BLOB_LEN ||
	    gv_base64_decode(&global, l[3], n[3]) < 0 || global.len != GV_ED25519_SIG_LEN)
		goto malformed;
	if (memcmp(blob.ptr, "ED", 2)) {
		gv_error(d, "GV-S003", sigpath, "not a prehashed (ED) minisign signature");
		goto out;
	}
	gv_minisign_keynum(k, kn);
	if (memcmp(blob.ptr + 2, kn, sizeof(kn))) {
		char want[17];
		unsigned char *got = (unsigned char *)blob.ptr + 2;

		gv_minisign_keynum_hex(k, want);
		gv_error(d, "GV-S004", sigpath,
			 "signature key id is %02X%02X%02X%02X%02X%02X%02X%02X but the key id "
			 "in the public key is %s", got[7], got[6], got[5], got[4], got[3],
			 got[2], got[1], got[0], want);
		err = GV_ESIG;
		goto out;
	}
	blake2b512(hash, data, len);
	err = GV_ESIG;
	if (gv_verify(k, hash, sizeof(hash),
		      (const unsigned char *)blob.ptr + 2 + GV_MINISIGN_KEYNUM_LEN) < 0) {
		gv_error(d, "GV-S005", sigpath, "signature verification failed");
		goto out;
	}
	gv_buf_add(&signed_part, blob.ptr + 2 + GV_MINISIGN_KEYNUM_LEN, GV_ED25519_SIG_LEN);
	gv_buf_add(&signed_part, l[2] + tp, n[2] - tp);
	if (gv_verify(k, signed_part.ptr, signed_part.len,
		      (const unsigned char *)global.ptr) < 0) {
		gv_error(d, "GV-S005", sigpath, "comment signature verification failed");
		goto out;
	}
	if (trusted_out)
		gv_buf_add(trusted_out, l[2] + tp, n[2] - tp);
	err = GV_OK;
	goto out;
malformed:
	gv_error(d, "GV-S003", sigpath, "not a minisign signature file");
out:
	gv_buf_release(&blob);
	gv_buf_release(&global);
	gv_buf_release(&signed_part);
	return err;
}
