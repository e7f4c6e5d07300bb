/*
 * fuzz_tiles.c: libFuzzer entry point for reading a published tile folder
 * (tiles.h): the checkpoint, hash tiles (full and partial, every level),
 * entry bundles with their 16-bit length prefixes, and the proofs made from
 * the tiles.
 *
 * The input is a folder in sections (fuzz_sections.h): "=== PATH\n" then
 * the file's bytes, PATH relative to the folder (checkpoint,
 * tile/0/000.p/5, tile/entries/000, ...); "=== checkpoint.sign" is a
 * checkpoint body the harness signs with the test key. Paths are kept to
 * [a-z0-9./], no "..", no leading '/'. The folder is laid out afresh in the
 * process's scratch folder each run, verified with the test key
 * (gv_tiles_verify) and asked for an inclusion proof of the last entry and
 * a consistency proof from size 1. A verified folder's proofs are made
 * without error. Seeds: tests/fuzz/seeds/fuzz_tiles/ (make-seeds.sh).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "fuzz_sections.h"
#include "tiles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(p);
}

static int path_ok(const char *p)
{
	const char *c;

	if (!*p || *p == '/' || strstr(p, "..") || strstr(p, "//"))
		return 0;
	for (c = p; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' ||
		      *c == '/'))
			return 0;
	return p[strlen(p) - 1] != '/';
}

/* Writes dir/rel, making its folders; skipped when a folder is in the way. */
static void put(const char *dir, const char *rel, const char *data, size_t len)
{
	char path[256];
	char *s;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	if (!(f = fopen(path, "wb")))
		return;
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char dir[128];
	fz_sections s;
	gv_tiles_result r;
	gv_diags d = GV_DIAGS_INIT;
	char *proof = NULL;
	size_t i;
	int err;

	if (!dir[0])
		fz_path(dir, sizeof(dir), "tiles");
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (mkdir(dir, 0755) != 0)
		abort();
	fz_sections_split(&s, (const char *)data, len);
	for (i = 0; i < s.n; i++)
		if (path_ok(s.v[i].name))
			put(dir, s.v[i].name, s.v[i].data, s.v[i].len);
	fz_sections_release(&s);

	memset(&r, 0, sizeof(r));
	err = gv_tiles_verify(dir, fz_test_key(0), &r, &d);
	if (err != GV_OK && !d.n)
		abort();
	free(r.note);
	gv_diags_release(&d);
	if (gv_tiles_prove_inclusion(dir, r.size ? r.size - 1 : 0, &proof, &d) == GV_OK) {
		if (!proof)
			abort();
	} else if (err == GV_OK && r.size) {
		abort();  /* what verifies can prove */
	} else if (!d.n) {
		abort();
	}
	free(proof);
	proof = NULL;
	gv_diags_release(&d);
	if (gv_tiles_prove_consistency(dir, 1, &proof, &d) != GV_OK && !d.n)
		abort();
	free(proof);
	gv_diags_release(&d);
	return 0;
}
