/* test_tiles.c: tile paths (c2sp.org/tlog-tiles), tile hashing against the
 * RFC 6962 tree, and cosignature/v1 lines against a vector computed
 * independently (Python's cryptography, Go's sumdb/note test key
 * "PeterNeumann" as the witness key) and the C2SP example's layout. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gv.h"
#include "merkle.h"
#include "note.h"
#include "sign.h"
#include "tiles.h"
#include "witness.h"

START_TEST(test_paths)
{
	static const struct { int level; uint64_t n; unsigned w; const char *want; } v[] = {
		{ 0, 0, 256, "tile/0/000" },
		{ 0, 5, 256, "tile/0/005" },
		{ 0, 999, 256, "tile/0/999" },
		{ 0, 1000, 256, "tile/0/x001/000" },
		{ 1, 1234067, 256, "tile/1/x001/x234/067" },
		{ 2, 1234067, 17, "tile/2/x001/x234/067.p/17" },
		{ GV_TILE_ENTRIES, 1234067, 256, "tile/entries/x001/x234/067" },
		{ GV_TILE_ENTRIES, 0, 1, "tile/entries/000.p/1" },
		{ 0, UINT64_C(18446744073709551615), 255,
		  "tile/0/x018/x446/x744/x073/x709/x551/615.p/255" },
	};
	size_t i;

	for (i = 0; i < GV_ARRAY_LEN(v); i++) {
		char *p = gv_tile_path(v[i].level, v[i].n, v[i].w);
		ck_assert_str_eq(p, v[i].want);
		free(p);
	}
}
END_TEST

START_TEST(test_reduce)
{
	gv_hash *leaves = malloc(GV_TILE_WIDTH * GV_TILE_WIDTH * sizeof(gv_hash));
	gv_hash level1[GV_TILE_WIDTH];
	unsigned char want[GV_HASH_LEN], got[GV_HASH_LEN];
	gv_merkle_array arr = { (const gv_hash *)leaves, GV_TILE_WIDTH };
	gv_merkle_src src;
	unsigned i;

	for (i = 0; i < GV_TILE_WIDTH * GV_TILE_WIDTH; i++) {
		char e[16];
		snprintf(e, sizeof(e), "e%u", i);
		gv_merkle_leaf_hash(leaves[i], e, strlen(e));
	}
	/* a level-1 hash is the root of its 256 leaves */
	src = gv_merkle_array_src(&arr);
	ck_assert_int_eq(gv_merkle_root(want, &src, GV_TILE_WIDTH), GV_OK);
	gv_tile_reduce(got, (const gv_hash *)leaves);
	ck_assert_mem_eq(got, want, GV_HASH_LEN);
	/* and a level-2 hash the root of 65536 leaves, from the level-1 hashes */
	for (i = 0; i < GV_TILE_WIDTH; i++)
		gv_tile_reduce(level1[i], (const gv_hash *)leaves + i * GV_TILE_WIDTH);
	arr.n = GV_TILE_WIDTH * GV_TILE_WIDTH;
	src = gv_merkle_array_src(&arr);
	ck_assert_int_eq(gv_merkle_root(want, &src, arr.n), GV_OK);
	gv_tile_reduce(got, (const gv_hash *)level1);
	ck_assert_mem_eq(got, want, GV_HASH_LEN);
	free(leaves);
}
END_TEST

/* golang.org/x/mod/sumdb/note's test key "PeterNeumann", as a witness key. */
static const char peter_skey_b64[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char body[] = "example.com/behind-the-sofa\n20852163\n"
			   "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
/* computed independently with Python's cryptography (Ed25519 is deterministic) */
static const char want_line[] = "\xe2\x80\x94 witness.example/w1 zJpwRAAAAABkGFDLJeR//pqzhnEKVvEm2wWb"
				"h2RJ6oru5+cUUfm5X9NnlaGr8aSH9QE5RVZD4QGlxl2F5UpVIIi94p178KLfqPPsAA==\n";
static const char want_vkey[] = "witness.example/w1+cc9a7044+BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

static gv_key *peter_private(void)
{
	static const unsigned char prefix[16] = { 0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
						  0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };
	unsigned char der[48], seed[33];
	char path[] = "/tmp/gv-tiles-test-XXXXXX";
	char *b64;
	gv_diags d = GV_DIAGS_INIT;
	gv_key *k = NULL;
	FILE *f;
	int fd;

	ck_assert_int_eq(gv_note_b64_decode(seed, 33, peter_skey_b64, strlen(peter_skey_b64)), 33);
	memcpy(der, prefix, 16);
	memcpy(der + 16, seed + 1, 32);
	gv_note_b64_encode(&b64, der, sizeof(der));
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fchmod(fd, 0600);
	f = fdopen(fd, "w");
	fprintf(f, "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n", b64);
	fclose(f);
	free(b64);
	ck_assert_int_eq(gv_key_load_private(&k, path, &d), GV_OK);
	unlink(path);
	gv_diags_release(&d);
	return k;
}

START_TEST(test_cosignature_vector)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_key *k = peter_private();
	char *line, *vk, *msg;
	size_t len;

	ck_assert_int_eq(gv_cosig_line(&line, body, strlen(body), "witness.example/w1", k,
				       1679315147, &d), GV_OK);
	ck_assert_str_eq(line, want_line);
	vk = gv_cosig_verifier_key("witness.example/w1", k);
	ck_assert_str_eq(vk, want_vkey);
	msg = gv_cosig_message(body, strlen(body), 1679315147, &len);
	ck_assert_str_eq(msg, "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n"
			 "20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
	free(msg);
	free(vk);
	free(line);
	gv_key_free(k);
	gv_diags_release(&d);
}
END_TEST

/* The C2SP tlog-cosignature example: key id, then the 8-byte time of its message. */
START_TEST(test_c2sp_example_layout)
{
	static const char b64[] = "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJs"
				  "X3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==";
	unsigned char sig[80];
	uint64_t ts = 0;
	int i;

	ck_assert_int_eq(gv_note_b64_decode(sig, sizeof(sig), b64, strlen(b64)), 4 + 8 + 64);
	for (i = 0; i < 8; i++)
		ts = ts << 8 | sig[4 + i];
	ck_assert_uint_eq(ts, 1679315147);   /* "time 1679315147" in the spec's message */
}
END_TEST

static char *cat3(const char *a, const char *b, const char *c)
{
	char *s = malloc(strlen(a) + strlen(b) + strlen(c) + 1);
	strcpy(s, a);
	strcat(s, b);
	strcat(s, c);
	return s;
}

START_TEST(test_witness_check)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_witness_list l = GV_WITNESS_LIST_INIT;
	gv_key *k = peter_private();
	unsigned char pub[GV_ED25519_PUB_LEN];
	char *note, *bad;
	size_t n;

	gv_key_raw_public(k, pub);
	ck_assert_int_eq(gv_key_from_raw_public(&l.keys[0], pub), GV_OK);
	l.names[0] = strdup("witness.example/w1");
	l.n = l.min = 1;
	note = cat3(body, "\n", want_line);
	ck_assert_int_eq(gv_witness_check(&l, note, strlen(note), "cp", &n, &d), GV_OK);
	ck_assert_uint_eq(n, 1);
	/* one flipped signature bit */
	bad = strdup(note);
	bad[strlen(bad) - 5] = bad[strlen(bad) - 5] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(gv_witness_check(&l, bad, strlen(bad), "cp", &n, &d), GV_ESIG);
	ck_assert_ptr_nonnull(strstr(d.v[d.n - 1].msg, "does not verify"));
	free(bad);
	/* another text under the same cosignature */
	bad = strdup(note);
	bad[30] = '3';
	ck_assert_int_eq(gv_witness_check(&l, bad, strlen(bad), "cp", &n, &d), GV_ESIG);
	free(bad);
	/* no cosignature at all */
	free(note);
	note = cat3(body, "\n", "\xe2\x80\x94 other.example/w zJpwRAAAAABkGFDLJeR//pqzhnEKVvEm2wWbh2RJ6oru5"
		    "+cUUfm5X9NnlaGr8aSH9QE5RVZD4QGlxl2F5UpVIIi94p178KLfqPPsAA==\n");
	ck_assert_int_eq(gv_witness_check(&l, note, strlen(note), "cp", &n, &d), GV_ESIG);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_nonnull(strstr(d.v[d.n - 1].msg, "0 valid cosignatures from the named "
				     "witnesses, 1 required"));
	free(note);
	gv_witness_list_release(&l);
	gv_key_free(k);
	gv_diags_release(&d);
}
END_TEST

Suite *tiles_suite(void)
{
	Suite *s = suite_create("tiles");
	TCase *tc = tcase_create("tiles");

	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_reduce);
	suite_add_tcase(s, tc);
	tc = tcase_create("cosignature");
	tcase_add_test(tc, test_cosignature_vector);
	tcase_add_test(tc, test_c2sp_example_layout);
	tcase_add_test(tc, test_witness_check);
	suite_add_tcase(s, tc);
	return s;
}
