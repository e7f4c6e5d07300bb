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
 * without error.
 *
 * A section "=== log" is a log the harness publishes itself, before the
 * other sections are written (which may replace or add files): one entry a
 * line (at most 255), each wrapped as {"seq":N,<line>,"prev":"<hex>"} with
 * the chain's prev, or taken as it is after a leading '!'; the harness
 * writes the entry bundle, the level-0 tile and the checkpoint of that
 * tree, signed with the test key under example.com/fuzz. So the checks
 * behind the hashes (the 16-bit length prefixes, the chain) see fuzzed
 * entries. Seeds: tests/fuzz/seeds/fuzz_tiles/ (make-seeds-gov.sh).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "digest.h"
#include "fuzz_common.h"
#include "fuzz_sections.h"
#include "merkle.h"
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

/* Publishes the "log" section into dir (see the top of the file). */
static void publish_log(const char *dir, const char *p, size_t len)
{
	gv_buf bundle = GV_BUF_INIT, tile = GV_BUF_INIT, e = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	gv_hash leaves[GV_TILE_WIDTH];
	unsigned char root[GV_HASH_LEN], pre[2];
	char hex[2 * GV_HASH_LEN + 1], rel[64], *text, *note = NULL;
	const char *end = p + len, *nl;
	uint64_t n = 0;

	while (p < end && n < GV_TILE_WIDTH - 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		gv_buf_clear(&e);
		if (nl > p && *p == '!') {
			gv_buf_add(&e, p + 1, (size_t)(nl - p - 1));
		} else {
			if (n)
				gv_hex(hex, leaves[n - 1], GV_HASH_LEN);
			else
				memset(hex, '0', 64), hex[64] = '\0';
			gv_buf_printf(&e, "{\"seq\":%llu,", (unsigned long long)n);
			gv_buf_add(&e, p, (size_t)(nl - p));
			gv_buf_printf(&e, ",\"prev\":\"%s\"}", hex);
		}
		if (e.len > 0xffff)
			break;
		gv_merkle_leaf_hash(leaves[n], e.ptr, e.len);
		pre[0] = (unsigned char)(e.len >> 8);
		pre[1] = (unsigned char)(e.len & 0xff);
		gv_buf_add(&bundle, pre, 2);
		gv_buf_add(&bundle, e.ptr, e.len);
		gv_buf_add(&tile, leaves[n], GV_HASH_LEN);
		n++;
		p = nl + 1;
	}
	if (n) {
		gv_merkle_array arr = { (const gv_hash *)leaves, n };
		gv_merkle_src src = gv_merkle_array_src(&arr);
		if (gv_merkle_root(root, &src, n) != GV_OK)
			abort();
		snprintf(rel, sizeof(rel), "tile/entries/000.p/%llu", (unsigned long long)n);
		put(dir, rel, bundle.ptr, bundle.len);
		snprintf(rel, sizeof(rel), "tile/0/000.p/%llu", (unsigned long long)n);
		put(dir, rel, tile.ptr, tile.len);
	} else {
		gv_sha256(root, "", 0);
	}
	text = gv_checkpoint_text("example.com/fuzz", n, root);
	if (gv_note_sign(&note, text, strlen(text), "example.com/fuzz", fz_test_key(1), &d) !=
	    GV_OK)
		abort();
	put(dir, "checkpoint", note, strlen(note));
	free(text);
	free(note);
	gv_diags_release(&d);
	gv_buf_release(&bundle);
	gv_buf_release(&tile);
	gv_buf_release(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const fz_section *log;
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
	if ((log = fz_section_get(&s, "log")))
		publish_log(dir, log->data, log->len);
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
