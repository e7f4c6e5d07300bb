/* test_merkle.c: RFC 6962 vectors (the certificate-transparency test tree)
 * and exhaustive checks of every proof in every tree up to 16 leaves. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "gv.h"
#include "merkle.h"

/* The eight inputs of the CT reference tree, as hex. */
static const char *ct_inputs[] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};
/* MTH of the first n inputs, n = 0..8. */
static const char *ct_roots[] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct vec {
	uint64_t a, n;          /* leaf index (inclusion) or old size (consistency) */
	const char *proof[3];
};

static const struct vec inclusion_vecs[] = {
	{ 0, 8, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 5, 8, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 3, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
	{ 1, 5, { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
	{ 0, 1, { NULL } },
};

static const struct vec consistency_vecs[] = {
	{ 1, 1, { NULL } },
	{ 1, 8, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		  "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		  "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 6, 8, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		  "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 5, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		  "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
};

static gv_hash ct_leaves[8];

static void unhex32(unsigned char out[32], const char *hex)
{
	ck_assert_int_eq(gv_unhex(out, 32, hex, strlen(hex)), 0);
}

static void load_ct(void)
{
	size_t i;

	for (i = 0; i < 8; i++) {
		unsigned char in[16];
		size_t n = strlen(ct_inputs[i]) / 2;
		ck_assert_int_eq(gv_unhex(in, n, ct_inputs[i], 2 * n), 0);
		gv_merkle_leaf_hash(ct_leaves[i], in, n);
	}
}

static size_t vec_len(const struct vec *v)
{
	size_t n = 0;

	while (n < 3 && v->proof[n])
		n++;
	return n;
}

START_TEST(test_ct_roots)
{
	gv_merkle_array arr = { ct_leaves, 8 };
	gv_merkle_src src = gv_merkle_array_src(&arr);
	unsigned char root[32], want[32];
	uint64_t n;

	load_ct();
	for (n = 0; n <= 8; n++) {
		ck_assert_int_eq(gv_merkle_root(root, &src, n), GV_OK);
		unhex32(want, ct_roots[n]);
		ck_assert_msg(!memcmp(root, want, 32), "root of size %u", (unsigned)n);
	}
}
END_TEST

START_TEST(test_ct_inclusion)
{
	gv_merkle_array arr = { ct_leaves, 8 };
	gv_merkle_src src = gv_merkle_array_src(&arr);
	size_t i, j;

	load_ct();
	for (i = 0; i < GV_ARRAY_LEN(inclusion_vecs); i++) {
		const struct vec *v = &inclusion_vecs[i];
		gv_hash *p = NULL;
		size_t plen;
		unsigned char want[32], root[32];

		ck_assert_int_eq(gv_merkle_prove_inclusion(&p, &plen, &src, v->a, v->n), GV_OK);
		ck_assert_uint_eq(plen, vec_len(v));
		for (j = 0; j < plen; j++) {
			unhex32(want, v->proof[j]);
			ck_assert_msg(!memcmp(p[j], want, 32), "inclusion %zu element %zu", i, j);
		}
		unhex32(root, ct_roots[v->n]);
		ck_assert_int_eq(gv_merkle_verify_inclusion(v->a, v->n, ct_leaves[v->a], p, plen,
							    root), GV_OK);
		free(p);
	}
}
END_TEST

START_TEST(test_ct_consistency)
{
	gv_merkle_array arr = { ct_leaves, 8 };
	gv_merkle_src src = gv_merkle_array_src(&arr);
	size_t i, j;

	load_ct();
	for (i = 0; i < GV_ARRAY_LEN(consistency_vecs); i++) {
		const struct vec *v = &consistency_vecs[i];
		gv_hash *p = NULL;
		size_t plen;
		unsigned char want[32], r1[32], r2[32];

		ck_assert_int_eq(gv_merkle_prove_consistency(&p, &plen, &src, v->a, v->n), GV_OK);
		ck_assert_uint_eq(plen, vec_len(v));
		for (j = 0; j < plen; j++) {
			unhex32(want, v->proof[j]);
			ck_assert_msg(!memcmp(p[j], want, 32), "consistency %zu element %zu", i, j);
		}
		unhex32(r1, ct_roots[v->a]);
		unhex32(r2, ct_roots[v->n]);
		ck_assert_int_eq(gv_merkle_verify_consistency(v->a, v->n, p, plen, r1, r2), GV_OK);
		free(p);
	}
}
END_TEST

/* A source that also serves complete subtrees from a cache, as audit.c does. */
static int cached_subtree(void *payload, unsigned level, uint64_t index, unsigned char out[32])
{
	gv_merkle_array *a = payload;
	gv_merkle_src plain = gv_merkle_array_src(a);
	uint64_t lo = index << level, hi = (index + 1) << level;

	if (hi > a->n)
		return 0;
	return gv_merkle_range_hash(out, &plain, lo, hi) < 0 ? -1 : 1;
}

static void flip(unsigned char *h, unsigned bit)
{
	h[bit / 8] ^= (unsigned char)(1u << (bit % 8));
}

START_TEST(test_exhaustive_small_trees)
{
	gv_hash leaves[16], roots[17];
	gv_merkle_array arr = { leaves, 16 };
	gv_merkle_src src = gv_merkle_array_src(&arr);
	gv_merkle_src cached = src;
	uint64_t n, m;
	unsigned char b;
	size_t j;

	cached.subtree = cached_subtree;
	for (b = 0; b < 16; b++)
		gv_merkle_leaf_hash(leaves[b], &b, 1);
	for (n = 0; n <= 16; n++) {
		unsigned char r2[32];
		ck_assert_int_eq(gv_merkle_root(roots[n], &src, n), GV_OK);
		ck_assert_int_eq(gv_merkle_root(r2, &cached, n), GV_OK);
		ck_assert(!memcmp(roots[n], r2, 32));
	}
	for (n = 1; n <= 16; n++) {
		for (m = 0; m < n; m++) {
			gv_hash *p, *q;
			size_t plen, qlen;
			unsigned char leaf[32], root[32];

			/* inclusion of leaf m in the tree of size n */
			ck_assert_int_eq(gv_merkle_prove_inclusion(&p, &plen, &src, m, n), GV_OK);
			ck_assert_int_eq(gv_merkle_prove_inclusion(&q, &qlen, &cached, m, n), GV_OK);
			ck_assert_uint_eq(plen, qlen);
			ck_assert(plen == 0 || !memcmp(p, q, plen * 32));
			ck_assert_int_eq(gv_merkle_verify_inclusion(m, n, leaves[m], p, plen, roots[n]),
					 GV_OK);
			for (j = 0; j < plen; j++) {
				flip(p[j], (unsigned)(j * 37 + m) % 256);
				ck_assert_int_eq(gv_merkle_verify_inclusion(m, n, leaves[m], p, plen,
									    roots[n]), GV_ESIG);
				flip(p[j], (unsigned)(j * 37 + m) % 256);
			}
			memcpy(leaf, leaves[m], 32);
			flip(leaf, (unsigned)m);
			ck_assert_int_eq(gv_merkle_verify_inclusion(m, n, leaf, p, plen, roots[n]),
					 GV_ESIG);
			memcpy(root, roots[n], 32);
			flip(root, 255);
			ck_assert_int_eq(gv_merkle_verify_inclusion(m, n, leaves[m], p, plen, root),
					 GV_ESIG);
			/* the wrong index fails (the size is bound by the checkpoint, not the proof) */
			if (n > 1)
				ck_assert_int_eq(gv_merkle_verify_inclusion((m + 1) % n, n, leaves[m], p,
									    plen, roots[n]), GV_ESIG);
			/* a truncated or extended proof fails */
			if (plen)
				ck_assert_int_eq(gv_merkle_verify_inclusion(m, n, leaves[m], p, plen - 1,
									    roots[n]), GV_ESIG);
			free(p);
			free(q);
		}
		for (m = 1; m <= n; m++) {
			gv_hash *p, *q;
			size_t plen, qlen;
			unsigned char r1[32];

			ck_assert_int_eq(gv_merkle_prove_consistency(&p, &plen, &src, m, n), GV_OK);
			ck_assert_int_eq(gv_merkle_prove_consistency(&q, &qlen, &cached, m, n), GV_OK);
			ck_assert_uint_eq(plen, qlen);
			ck_assert(plen == 0 || !memcmp(p, q, plen * 32));
			ck_assert_msg(gv_merkle_verify_consistency(m, n, p, plen, roots[m], roots[n]) ==
				      GV_OK, "consistency %u -> %u", (unsigned)m, (unsigned)n);
			for (j = 0; j < plen; j++) {
				flip(p[j], (unsigned)(j * 11 + n) % 256);
				ck_assert_int_eq(gv_merkle_verify_consistency(m, n, p, plen, roots[m],
									      roots[n]), GV_ESIG);
				flip(p[j], (unsigned)(j * 11 + n) % 256);
			}
			memcpy(r1, roots[m], 32);
			flip(r1, (unsigned)m);
			ck_assert_int_eq(gv_merkle_verify_consistency(m, n, p, plen, r1, roots[n]),
					 GV_ESIG);
			memcpy(r1, roots[n], 32);
			flip(r1, (unsigned)n);
			ck_assert_int_eq(gv_merkle_verify_consistency(m, n, p, plen, roots[m], r1),
					 GV_ESIG);
			if (m < n) {
				/* a root of another size never passes for this one */
				if (m >= 2)
					ck_assert_int_eq(gv_merkle_verify_consistency(m, n, p, plen,
						roots[m - 1], roots[n]), GV_ESIG);
				ck_assert_int_eq(gv_merkle_verify_consistency(m, n, p, plen - 1, roots[m],
									      roots[n]), GV_ESIG);
			}
			free(p);
			free(q);
		}
	}
}
END_TEST

START_TEST(test_bad_arguments)
{
	gv_hash leaves[2];
	gv_merkle_array arr = { leaves, 2 };
	gv_merkle_src src = gv_merkle_array_src(&arr);
	gv_hash *p;
	size_t plen;
	unsigned char r[32] = { 0 };

	memset(leaves, 0, sizeof(leaves));
	ck_assert_int_eq(gv_merkle_prove_inclusion(&p, &plen, &src, 2, 2), GV_ERROR);
	ck_assert_int_eq(gv_merkle_prove_consistency(&p, &plen, &src, 0, 2), GV_ERROR);
	ck_assert_int_eq(gv_merkle_prove_consistency(&p, &plen, &src, 3, 2), GV_ERROR);
	ck_assert_int_eq(gv_merkle_verify_consistency(0, 2, NULL, 0, r, r), GV_ESIG);
	ck_assert_int_eq(gv_merkle_verify_consistency(1, 2, NULL, 0, r, r), GV_ESIG);
	ck_assert_int_eq(gv_merkle_verify_inclusion(0, 0, r, NULL, 0, r), GV_ESIG);
	/* the source's failure reaches the caller */
	ck_assert_int_lt(gv_merkle_root(r, &src, 3), 0);
}
END_TEST

Suite *merkle_suite(void)
{
	Suite *s = suite_create("merkle");
	TCase *tc = tcase_create("rfc6962");

	tcase_add_test(tc, test_ct_roots);
	tcase_add_test(tc, test_ct_inclusion);
	tcase_add_test(tc, test_ct_consistency);
	suite_add_tcase(s, tc);
	tc = tcase_create("exhaustive");
	tcase_add_test(tc, test_exhaustive_small_trees);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}
