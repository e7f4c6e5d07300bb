/*
 * testkeys.h: helpers shared by the unit tests that need key files: a
 * scratch directory per test and Ed25519 keys made from fixed RFC 8032
 * secrets, so signatures are reproducible.
 */
#ifndef GV_TESTKEYS_H
#define GV_TESTKEYS_H

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"
#include "sign.h"

/* RFC 8032 section 7.1, TEST 1 and TEST 2 (the DSSE vectors' keys A and B). */
#define TK_SECRET_A "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define TK_SECRET_B "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"

static char tk_dir[64];

static inline void tk_setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tk_dir, sizeof(tk_dir), "%s/gvtestXXXXXX",
		 t && *t && strlen(t) < 40 ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tk_dir));
}

static inline void tk_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tk_dir);
	ck_assert_int_eq(system(cmd), 0);
}

static inline void tk_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tk_dir, name);
}

static inline void tk_write(const char *path, const void *data, size_t len, int mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	ck_assert_int_eq(chmod(path, (mode_t)mode), 0);
}

/* A fresh pair made by gv_key_generate in the scratch directory, loaded
 * back from its files (NAME.key and NAME.pub). */
static inline void tk_generate(const char *name, gv_key **priv, gv_key **pub)
{
	gv_diags d = GV_DIAGS_INIT;
	char base[128], path[160];

	tk_path(base, sizeof(base), name);
	ck_assert_int_eq(gv_key_generate(base, false, &d), GV_OK);
	snprintf(path, sizeof(path), "%s.key", base);
	ck_assert_int_eq(gv_key_load_private(priv, path, &d), GV_OK);
	snprintf(path, sizeof(path), "%s.pub", base);
	ck_assert_int_eq(gv_key_load_public(pub, path, &d), GV_OK);
	gv_diags_release(&d);
}

/* A private key from a raw RFC 8032 secret, via a PKCS#8 PEM file. */
static inline gv_key *tk_key(const char *secret_hex)
{
	static const unsigned char prefix[16] = {
		0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
		0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };
	unsigned char der[48];
	gv_buf pem = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char path[128];
	gv_key *k = NULL;

	memcpy(der, prefix, 16);
	ck_assert_int_eq(gv_unhex(der + 16, 32, secret_hex, 64), 0);
	gv_buf_puts(&pem, "-----BEGIN PRIVATE KEY-----\n");
	gv_base64_encode(&pem, der, sizeof(der));
	gv_buf_puts(&pem, "\n-----END PRIVATE KEY-----\n");
	tk_path(path, sizeof(path), "tk.key");
	tk_write(path, pem.ptr, pem.len, 0600);
	ck_assert_int_eq(gv_key_load_private(&k, path, &d), GV_OK);
	unlink(path);
	gv_buf_release(&pem);
	return k;
}

/* The public half of k, as a public-only key. */
static inline gv_key *tk_public(const gv_key *k)
{
	unsigned char raw[GV_ED25519_PUB_LEN];
	gv_key *p = NULL;

	gv_key_raw_public(k, raw);
	ck_assert_int_eq(gv_key_from_raw_public(&p, raw), GV_OK);
	return p;
}

#endif
