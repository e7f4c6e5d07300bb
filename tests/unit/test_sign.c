/* test_sign.c: Ed25519 key files, key ids and RFC 8032 section 7.1 vectors. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "digest.h"
#include "gv.h"
#include "sign.h"

static const struct {
	const char *secret, *public, *msg, *sig;
} rfc8032[] = {
	{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
	  "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
	  "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
	  "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

static char dir[64];

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/gvsignXXXXXX", t && *t && strlen(t) < 40 ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void write_file(const char *path, const char *text, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(chmod(path, (mode_t)mode), 0);
}

/* PKCS#8 PEM of a raw Ed25519 secret (RFC 8410 fixed prefix). */
static void pkcs8_pem(gv_buf *out, const char *secret_hex)
{
	static const unsigned char prefix[16] = {
		0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
		0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char der[48];
	size_t i;

	memcpy(der, prefix, 16);
	ck_assert_int_eq(gv_unhex(der + 16, 32, secret_hex, 64), 0);
	gv_buf_puts(out, "-----BEGIN PRIVATE KEY-----\n");
	for (i = 0; i < 48; i += 3) {
		unsigned v = (unsigned)der[i] << 16 | (unsigned)der[i + 1] << 8 | der[i + 2];
		gv_buf_putc(out, b64[v >> 18 & 63]);
		gv_buf_putc(out, b64[v >> 12 & 63]);
		gv_buf_putc(out, b64[v >> 6 & 63]);
		gv_buf_putc(out, b64[v & 63]);
	}
	gv_buf_puts(out, "\n-----END PRIVATE KEY-----\n");
}

static gv_key *load_secret(const char *secret_hex)
{
	gv_buf pem = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char path[128];
	gv_key *k = NULL;

	path_in(path, sizeof(path), "vec.key");
	pkcs8_pem(&pem, secret_hex);
	unlink(path);
	write_file(path, pem.ptr, 0600);
	ck_assert_int_eq(gv_key_load_private(&k, path, &d), GV_OK);
	ck_assert_ptr_nonnull(k);
	ck_assert_int_eq(d.n, 0);
	gv_buf_release(&pem);
	return k;
}

START_TEST(rfc8032_vectors)
{
	const unsigned char spki_prefix[12] = {
		0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
	size_t t = (size_t)_i;
	gv_key *k = load_secret(rfc8032[t].secret), *pk = NULL;
	unsigned char pub[32], want_pub[32], sig[64], want_sig[64], msg[2], der[44];
	unsigned char digest[32];
	char id[65], want_id[65];
	size_t mlen = strlen(rfc8032[t].msg) / 2;

	ck_assert(gv_key_is_private(k));
	gv_key_raw_public(k, pub);
	ck_assert_int_eq(gv_unhex(want_pub, 32, rfc8032[t].public, 64), 0);
	ck_assert_mem_eq(pub, want_pub, 32);

	ck_assert_int_eq(gv_unhex(msg, mlen, rfc8032[t].msg, 2 * mlen), 0);
	ck_assert_int_eq(gv_sign(k, msg, mlen, sig), GV_OK);
	ck_assert_int_eq(gv_unhex(want_sig, 64, rfc8032[t].sig, 128), 0);
	ck_assert_mem_eq(sig, want_sig, 64);

	/* key id: SHA-256 of the DER SubjectPublicKeyInfo */
	memcpy(der, spki_prefix, 12);
	memcpy(der + 12, want_pub, 32);
	gv_sha256(digest, der, sizeof(der));
	gv_hex(want_id, digest, 32);
	gv_key_id(k, id);
	ck_assert_str_eq(id, want_id);

	/* the same from the raw public key, which verifies but cannot sign */
	ck_assert_int_eq(gv_key_from_raw_public(&pk, want_pub), GV_OK);
	ck_assert(!gv_key_is_private(pk));
	gv_key_id(pk, id);
	ck_assert_str_eq(id, want_id);
	ck_assert_int_eq(gv_verify(pk, msg, mlen, want_sig), GV_OK);
	ck_assert_int_eq(gv_verify(k, msg, mlen, want_sig), GV_OK);
	want_sig[5] ^= 1;
	ck_assert_int_eq(gv_verify(pk, msg, mlen, want_sig), GV_ESIG);
	want_sig[5] ^= 1;
	ck_assert_int_eq(gv_verify(pk, "x", 1, want_sig), GV_ESIG);
	ck_assert_int_ne(gv_sign(pk, msg, mlen, sig), GV_OK);
	gv_key_free(pk);
	gv_key_free(k);
}
END_TEST

START_TEST(keygen_modes_and_refusal)
{
	gv_diags d = GV_DIAGS_INIT;
	char base[128], keyp[140], pubp[140];
	char id1[65], id2[65], id3[65];
	struct stat st;
	gv_key *k = NULL, *p = NULL;
	unsigned char sig[64];

	path_in(base, sizeof(base), "k");
	snprintf(keyp, sizeof(keyp), "%s.key", base);
	snprintf(pubp, sizeof(pubp), "%s.pub", base);
	ck_assert_int_eq(gv_key_generate(base, false, &d), GV_OK);
	ck_assert_int_eq(stat(keyp, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(stat(pubp, &st), 0);
	ck_assert_int_eq(st.st_mode & 0600, 0600);

	ck_assert_int_eq(gv_key_load_private(&k, keyp, &d), GV_OK);
	ck_assert_int_eq(gv_key_load_public(&p, pubp, &d), GV_OK);
	gv_key_id(k, id1);
	gv_key_id(p, id2);
	ck_assert_str_eq(id1, id2);
	ck_assert_int_eq(gv_sign(k, "hello", 5, sig), GV_OK);
	ck_assert_int_eq(gv_verify(p, "hello", 5, sig), GV_OK);
	gv_key_free(k);
	gv_key_free(p);
	k = p = NULL;

	/* never overwritten without force */
	ck_assert_int_eq(gv_key_generate(base, false, &d), GV_ERROR);
	ck_assert_int_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].loc.file, keyp);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "already exists"));
	ck_assert_int_eq(gv_key_load_public(&p, pubp, &d), GV_OK);
	gv_key_id(p, id3);
	ck_assert_str_eq(id3, id1);
	gv_key_free(p);
	p = NULL;

	/* with force: a new key, still 0600 */
	ck_assert_int_eq(chmod(keyp, 0644), 0);
	ck_assert_int_eq(gv_key_generate(base, true, &d), GV_OK);
	ck_assert_int_eq(stat(keyp, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(gv_key_load_public(&p, pubp, &d), GV_OK);
	gv_key_id(p, id3);
	ck_assert_str_ne(id3, id1);
	gv_key_free(p);
	gv_diags_release(&d);
}
END_TEST

START_TEST(readable_private_key_refused)
{
	gv_diags d = GV_DIAGS_INIT;
	char base[128], keyp[140];
	gv_key *k = NULL;

	path_in(base, sizeof(base), "r");
	snprintf(keyp, sizeof(keyp), "%s.key", base);
	ck_assert_int_eq(gv_key_generate(base, false, &d), GV_OK);
	ck_assert_int_eq(chmod(keyp, 0640), 0);
	ck_assert_int_eq(gv_key_load_private(&k, keyp, &d), GV_ERROR);
	ck_assert_ptr_null(k);
	ck_assert_int_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].loc.file, keyp);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "mode 0640"));
	ck_assert_int_eq(chmod(keyp, 0604), 0);
	ck_assert_int_eq(gv_key_load_private(&k, keyp, &d), GV_ERROR);
	ck_assert_int_eq(chmod(keyp, 0400), 0);
	ck_assert_int_eq(gv_key_load_private(&k, keyp, &d), GV_OK);
	gv_key_free(k);
	gv_diags_release(&d);
}
END_TEST

START_TEST(bad_key_files)
{
	gv_diags d = GV_DIAGS_INIT;
	char p[128], base[128], pub[140];
	gv_key *k = NULL;

	path_in(p, sizeof(p), "missing.pub");
	ck_assert_int_eq(gv_key_load_public(&k, p, &d), GV_ERROR);
	ck_assert_str_eq(d.v[0].loc.file, p);
	path_in(p, sizeof(p), "junk.pub");
	write_file(p, "not a key\n", 0644);
	ck_assert_int_eq(gv_key_load_public(&k, p, &d), GV_ERROR);
	ck_assert_ptr_nonnull(strstr(d.v[1].msg, "not a SubjectPublicKeyInfo"));
	/* a private key is not a public key file, and the other way round */
	path_in(base, sizeof(base), "x");
	snprintf(pub, sizeof(pub), "%s.pub", base);
	ck_assert_int_eq(gv_key_generate(base, false, &d), GV_OK);
	ck_assert_int_eq(chmod(pub, 0600), 0);
	ck_assert_int_eq(gv_key_load_private(&k, pub, &d), GV_ERROR);
	/* a directory is not a key */
	ck_assert_int_eq(gv_key_load_public(&k, dir, &d), GV_ERROR);
	ck_assert_ptr_null(k);
	/* generation into a missing directory fails cleanly */
	path_in(base, sizeof(base), "nodir/k");
	ck_assert_int_eq(gv_key_generate(base, false, &d), GV_ERROR);
	gv_diags_release(&d);
}
END_TEST

Suite *sign_suite(void)
{
	Suite *s = suite_create("sign");
	TCase *tc = tcase_create("ed25519");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, rfc8032_vectors, 0, (int)GV_ARRAY_LEN(rfc8032));
	tcase_add_test(tc, keygen_modes_and_refusal);
	tcase_add_test(tc, readable_private_key_refused);
	tcase_add_test(tc, bad_key_files);
	suite_add_tcase(s, tc);
	return s;
}
