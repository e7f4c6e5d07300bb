/*
 * merkle.h: RFC 6962 Merkle hash trees over SHA-256 (RFC 9162 section 2.1).
 *
 *   leaf hash  SHA-256(0x00 || entry)
 *   node hash  SHA-256(0x01 || left || right)
 *   MTH({})    SHA-256("")
 *   MTH(D[n])  node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
 *
 * Trees are never held in memory here: callers hand in a gv_merkle_src that
 * returns the hash of leaf i and, optionally, a cached hash of a complete
 * aligned subtree, so a log of any size can be proved from its store.
 *
 * Ownership: proofs are returned as malloc'd arrays of hashes that the caller
 * frees with free(). Nothing else is allocated.
 *
 * Returns: GV_OK, or whatever negative code the source callback returned
 * (its detail goes wherever the callback put it); GV_ERROR for an index or
 * size out of range. Verifiers return GV_OK or GV_ESIG.
 */
#ifndef GV_MERKLE_H
#define GV_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define GV_HASH_LEN 32

typedef unsigned char gv_hash[GV_HASH_LEN];

typedef struct gv_merkle_src {
	/* Writes the leaf hash of entry `index` to out; GV_OK or a negative code. */
	int (*leaf)(void *payload, uint64_t index, unsigned char out[GV_HASH_LEN]);
	/*
	 * Optional: the hash of the complete subtree of 2^level leaves starting
	 * at leaf index << level. Returns 1 when found, 0 when not cached (the
	 * tree then recurses into it), or a negative code.
	 */
	int (*subtree)(void *payload, unsigned level, uint64_t index,
		       unsigned char out[GV_HASH_LEN]);
	void *payload;
} gv_merkle_src;

void gv_merkle_leaf_hash(unsigned char out[GV_HASH_LEN], const void *data, size_t len);
void gv_merkle_node_hash(unsigned char out[GV_HASH_LEN], const unsigned char left[GV_HASH_LEN],
			 const unsigned char right[GV_HASH_LEN]);

/* MTH of leaves [lo, hi) (hi > lo), or of the first n leaves (any n). */
int gv_merkle_range_hash(unsigned char out[GV_HASH_LEN], const gv_merkle_src *src,
			 uint64_t lo, uint64_t hi);
int gv_merkle_root(unsigned char out[GV_HASH_LEN], const gv_merkle_src *src, uint64_t n);

/*
 * Inclusion proof PATH(index, D[n]) for index < n, from the leaf's sibling
 * up to the root's child. *out is NULL when the proof is empty (n == 1).
 */
int gv_merkle_prove_inclusion(gv_hash **out, size_t *out_len, const gv_merkle_src *src,
			      uint64_t index, uint64_t n);
/* Consistency proof PROOF(m, D[n]) for 0 < m <= n (empty when m == n). */
int gv_merkle_prove_consistency(gv_hash **out, size_t *out_len, const gv_merkle_src *src,
				uint64_t m, uint64_t n);

/* RFC 9162 section 2.1.3.2: GV_OK when leaf is at index in the tree of root. */
int gv_merkle_verify_inclusion(uint64_t index, uint64_t n, const unsigned char leaf[GV_HASH_LEN],
			       const gv_hash *proof, size_t proof_len,
			       const unsigned char root[GV_HASH_LEN]);
/*
 * RFC 9162 section 2.1.4.2: GV_OK when the tree of size m and root old_root
 * is a prefix of the tree of size n and root new_root. m == n requires an
 * empty proof and equal roots; m == 0 is refused.
 */
int gv_merkle_verify_consistency(uint64_t m, uint64_t n, const gv_hash *proof, size_t proof_len,
				 const unsigned char old_root[GV_HASH_LEN],
				 const unsigned char new_root[GV_HASH_LEN]);

/* A source over an array of leaf hashes held by the caller. */
typedef struct gv_merkle_array {
	const gv_hash *leaves;
	uint64_t n;
} gv_merkle_array;
gv_merkle_src gv_merkle_array_src(gv_merkle_array *a);

#endif
