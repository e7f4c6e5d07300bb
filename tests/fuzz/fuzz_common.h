/*
 * fuzz_common.h: helpers shared by the libFuzzer harnesses: a scratch
 * folder per process (created once, removed at exit), file writing, and the
 * fixed test key (RFC 8032 section 7.1, TEST 1: the unit tests' key A), whose
 * checkpoints the seed corpora carry (tests/fuzz/make-seeds.sh).
 */
#ifndef GV_FUZZ_COMMON_H
#define GV_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "gv.h"
#include "sign.h"

/* PKCS#8 of the RFC 8032 TEST 1 secret 9d61b19d...7f60 and its public half. */
#define FZ_TEST_KEY_PEM \
	"-----BEGIN PRIVATE KEY-----\n" \
	"MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n" \
	"-----END PRIVATE KEY-----\n"
#define FZ_TEST_PUB_PEM \
	"-----BEGIN PUBLIC KEY-----\n" \
	"MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n" \
	"-----END PUBLIC KEY-----\n"

static char fz_dir[64];

static inline void fz_cleanup(void)
{
	char cmd[128];

	if (fz_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fz_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz: cannot remove %s\n", fz_dir);
	}
}

/* The process's scratch folder under $TMPDIR (or /tmp), created on first use. */
static inline const char *fz_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	if (!fz_dir[0]) {
		snprintf(fz_dir, sizeof(fz_dir), "%s/gv-fuzz-XXXXXX",
			 t && *t && strlen(t) < 40 ? t : "/tmp");
		if (!mkdtemp(fz_dir))
			abort();
		atexit(fz_cleanup);
	}
	return fz_dir;
}

/* fz_tmpdir()/name into out. */
static inline void fz_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", fz_tmpdir(), name);
}

/* Writes (overwrites) path with data; aborts when it cannot. */
static inline void fz_write(const char *path, const void *data, size_t len, int mode)
{
	FILE *f = fopen(path, "wb");

	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0 ||
	    chmod(path, (mode_t)mode) != 0)
		abort();
}

/* The test key: private when priv, else its public half (loaded once each). */
static inline const gv_key *fz_test_key(int priv)
{
	static gv_key *k[2];
	gv_diags d = GV_DIAGS_INIT;
	char path[128];

	if (!k[priv]) {
		fz_path(path, sizeof(path), priv ? "test.key" : "test.pub");
		fz_write(path, priv ? FZ_TEST_KEY_PEM : FZ_TEST_PUB_PEM,
			 strlen(priv ? FZ_TEST_KEY_PEM : FZ_TEST_PUB_PEM), priv ? 0600 : 0644);
		if ((priv ? gv_key_load_private : gv_key_load_public)(&k[priv], path, &d) != GV_OK)
			abort();
		gv_diags_release(&d);
	}
	return k[priv];
}

#endif
