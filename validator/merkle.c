/*
 * merkle.c: RFC 6962 tree heads, inclusion and consistency proofs, and their
 * verification by the RFC 9162 algorithms. See merkle.h for the contract.
 */
#include "merkle.h"
#include "alloc.h"
#include "digest.h"
#include "gv.h"

#include <stdlib.h>
#include <string.h>

/* A proof never holds more than one hash per tree level, plus one. */
#define MAX_PROOF 66

void gv_merkle_leaf_hash(unsigned char out[GV_HASH_LEN], const void *data, size_t len)
{
	static const unsigned char zero = 0x00;
	gv_sha256_2(out, &zero, 1, data, len);
}

void gv_merkle_node_hash(unsigned char out[GV_HASH_LEN], const unsigned char left[GV_HASH_LEN],
			 const unsigned char right[GV_HASH_LEN])
{
	unsigned char buf[1 + 2 * GV_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, left, GV_HASH_LEN);
	memcpy(buf + 1 + GV_HASH_LEN, right, GV_HASH_LEN);
	gv_sha256(out, buf, sizeof(buf));
}

/* The largest power of two strictly smaller than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static int is_pow2(uint64_t n)
{
	return n && !(n & (n - 1));
}

static unsigned log2u(uint64_t n)
{
	unsigned l = 0;

	while (n >>= 1)
		l++;
	return l;
}

int gv_merkle_range_hash(unsigned char out[GV_HASH_LEN], const gv_merkle_src *src,
			 uint64_t lo, uint64_t hi)
{
	unsigned char l[GV_HASH_LEN], r[GV_HASH_LEN];
	uint64_t n = hi - lo, k;
	int err;

	if (hi <= lo)
		return GV_ERROR;
	if (n == 1)
		return src->leaf(src->payload, lo, out);
	if (src->subtree && is_pow2(n) && lo % n == 0) {
		unsigned level = log2u(n);
		if ((err = src->subtree(src->payload, level, lo >> level, out)) != 0)
			return err < 0 ? err : GV_OK;
	}
	k = split_point(n);
	if ((err = gv_merkle_range_hash(l, src, lo, lo + k)) < 0 ||
	    (err = gv_merkle_range_hash(r, src, lo + k, hi)) < 0)
		return err;
	gv_merkle_node_hash(out, l, r);
	return GV_OK;
}

int gv_merkle_root(unsigned char out[GV_HASH_LEN], const gv_merkle_src *src, uint64_t n)
{
	if (n == 0) {
		gv_sha256(out, "", 0);
		return GV_OK;
	}
	return gv_merkle_range_hash(out, src, 0, n);
}

typedef struct proof {
	gv_hash v[MAX_PROOF];
	size_t n;
} proof;

static int push_range(proof *p, const gv_merkle_src *src, uint64_t lo, uint64_t hi)
{
	if (p->n >= MAX_PROOF)
		GV_BUG("merkle proof too long");
	return gv_merkle_range_hash(p->v[p->n++], src, lo, hi);
}

/* PATH(m, D[lo:hi]), appended leaf-first (RFC 6962 section 2.1.1). */
static int path(proof *p, const gv_merkle_src *src, uint64_t m, uint64_t lo, uint64_t hi)
{
	uint64_t k;
	int err;

	if (hi - lo <= 1)
		return GV_OK;
	k = split_point(hi - lo);
	if (m < k) {
		if ((err = path(p, src, m, lo, lo + k)) < 0)
			return err;
		return push_range(p, src, lo + k, hi);
	}
	if ((err = path(p, src, m - k, lo + k, hi)) < 0)
		return err;
	return push_range(p, src, lo, lo + k);
}

/* SUBPROOF(m, D[lo:hi], b) of RFC 6962 section 2.1.2. */
static int subproof(proof *p, const gv_merkle_src *src, uint64_t m, uint64_t lo, uint64_t hi,
		    int b)
{
	uint64_t n = hi - lo, k;
	int err;

	if (m == n)
		return b ? GV_OK : push_range(p, src, lo, hi);
	k = split_point(n);
	if (m <= k) {
		if ((err = subproof(p, src, m, lo, lo + k, b)) < 0)
			return err;
		return push_range(p, src, lo + k, hi);
	}
	if ((err = subproof(p, src, m - k, lo + k, hi, 0)) < 0)
		return err;
	return push_range(p, src, lo, lo + k);
}

static void detach(gv_hash **out, size_t *out_len, const proof *p)
{
	*out_len = p->n;
	if (!p->n)
		return;
	*out = gv_xmalloc(p->n * sizeof(gv_hash));
	memcpy(*out, p->v, p->n * sizeof(gv_hash));
}

int gv_merkle_prove_inclusion(gv_hash **out, size_t *out_len, const gv_merkle_src *src,
			      uint64_t index, uint64_t n)
{
	proof *p;
	int err;

	*out = NULL;
	*out_len = 0;
	if (index >= n)
		return GV_ERROR;
	p = gv_xmalloc(sizeof(*p));
	p->n = 0;
	if ((err = path(p, src, index, 0, n)) == GV_OK)
		detach(out, out_len, p);
	free(p);
	return err;
}

int gv_merkle_prove_consistency(gv_hash **out, size_t *out_len, const gv_merkle_src *src,
				uint64_t m, uint64_t n)
{
	proof *p;
	int err;

	*out = NULL;
	*out_len = 0;
	if (m == 0 || m > n)
		return GV_ERROR;
	if (m == n)
		return GV_OK;
	p = gv_xmalloc(sizeof(*p));
	p->n = 0;
	if ((err = subproof(p, src, m, 0, n, 1)) == GV_OK)
		detach(out, out_len, p);
	free(p);
	return err;
}

int gv_merkle_verify_inclusion(uint64_t index, uint64_t n, const unsigned char leaf[GV_HASH_LEN],
			       const gv_hash *proof_v, size_t proof_len,
			       const unsigned char root[GV_HASH_LEN])
{
	unsigned char r[GV_HASH_LEN];
	uint64_t fn = index, sn;
	size_t i;

	if (index >= n)
		return GV_ESIG;
	sn = n - 1;
	memcpy(r, leaf, GV_HASH_LEN);
	for (i = 0; i < proof_len; i++) {
		if (sn == 0)
			return GV_ESIG;
		if ((fn & 1) || fn == sn) {
			gv_merkle_node_hash(r, proof_v[i], r);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			gv_merkle_node_hash(r, r, proof_v[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && !memcmp(r, root, GV_HASH_LEN) ? GV_OK : GV_ESIG;
}

int gv_merkle_verify_consistency(uint64_t m, uint64_t n, const gv_hash *proof_v, size_t proof_len,
				 const unsigned char old_root[GV_HASH_LEN],
				 const unsigned char new_root[GV_HASH_LEN])
{
	unsigned char fr[GV_HASH_LEN], sr[GV_HASH_LEN];
	const unsigned char *first;
	uint64_t fn, sn;
	size_t i = 0;

	if (m == 0 || m > n)
		return GV_ESIG;
	if (m == n)
		return proof_len == 0 && !memcmp(old_root, new_root, GV_HASH_LEN) ? GV_OK : GV_ESIG;
	if (proof_len == 0)
		return GV_ESIG;
	/* step 2: when m is a power of two the old root is the first node */
	if (is_pow2(m)) {
		first = old_root;
	} else {
		first = proof_v[0];
		i = 1;
	}
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, first, GV_HASH_LEN);
	memcpy(sr, first, GV_HASH_LEN);
	for (; i < proof_len; i++) {
		if (sn == 0)
			return GV_ESIG;
		if ((fn & 1) || fn == sn) {
			gv_merkle_node_hash(fr, proof_v[i], fr);
			gv_merkle_node_hash(sr, proof_v[i], sr);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			gv_merkle_node_hash(sr, sr, proof_v[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && !memcmp(fr, old_root, GV_HASH_LEN) &&
	       !memcmp(sr, new_root, GV_HASH_LEN) ? GV_OK : GV_ESIG;
}

static int array_leaf(void *payload, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	const gv_merkle_array *a = payload;

	if (index >= a->n)
		return GV_ERROR;
	memcpy(out, a->leaves[index], GV_HASH_LEN);
	return GV_OK;
}

gv_merkle_src gv_merkle_array_src(gv_merkle_array *a)
{
	gv_merkle_src s = { array_leaf, NULL, a };
	return s;
}
