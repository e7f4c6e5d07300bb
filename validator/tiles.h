/*
 * tiles.h: the audit log published as C2SP tiles (c2sp.org/tlog-tiles,
 * version 0.1), written from and verified without the database.
 *
 *   checkpoint                      the signed checkpoint (note.h)
 *   tile/<L>/<N>[.p/<W>]            hashes, 32 bytes each, 256 in a full tile
 *   tile/entries/<N>[.p/<W>]        entry bundles: uint16be length || entry, ...
 *
 * A level-L tile holds the hashes of complete subtrees of 256^L leaves
 * (level 0: leaf hashes; level 1: subtrees of 256 leaves, and so on); tile
 * N of level L holds those hashes from index 256*N. A tile of W < 256
 * hashes is partial and lives at <N>.p/<W>. N is written in groups of
 * three digits, every group but the last prefixed with 'x':
 * 1234067 -> x001/x234/067.
 *
 * An entry longer than GV_TILE_MAX_ENTRY bytes cannot be bundled (the
 * length prefix is 16 bits): publishing refuses the whole log (GV_ELIMIT,
 * naming the seq) before it writes anything.
 *
 * Ownership: every char * handed out is malloc'd and belongs to the caller.
 * Returns: GV_OK; GV_ESIG when the folder contradicts the log, the tree or
 * the checkpoint (details in the diags, naming the tile); GV_ELIMIT,
 * GV_EPARSE, GV_EIO, GV_ENOTFOUND for unusable input.
 */
#ifndef GV_TILES_H
#define GV_TILES_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "diag.h"
#include "merkle.h"
#include "sign.h"

#define GV_TILE_WIDTH 256
#define GV_TILE_MAX_ENTRY 65535
#define GV_TILE_ENTRIES (-1)              /* the "level" of entry bundles */
#define GV_TILES_MAX_SIZE (UINT64_C(1) << 32) /* entries a verifier holds hashes for */

/* "tile/<L>/<N>" (w == 256) or "tile/<L>/<N>.p/<w>" (1 <= w < 256); level
 * GV_TILE_ENTRIES gives "tile/entries/...". */
char *gv_tile_path(int level, uint64_t n, unsigned w);

/* The root of a perfect tree of 256 hashes (a level-L hash to level L+1). */
void gv_tile_reduce(unsigned char out[GV_HASH_LEN], const gv_hash in[GV_TILE_WIDTH]);

typedef struct gv_tiles_stats {
	uint64_t size;       /* entries under the published checkpoint */
	uint64_t written;    /* files written by this run (tiles, bundles, checkpoint) */
	uint64_t unchanged;  /* files already there with the same bytes */
} gv_tiles_stats;

/*
 * Signs (or reuses) the checkpoint of the log's current size with log_key
 * under origin (gv_audit_checkpoint) and writes dir/checkpoint, every tile
 * and every entry bundle of that size, each atomically, the checkpoint last.
 * Files already there are compared, not rewritten: a full tile or bundle
 * that differs from the log, or a checkpoint for a larger tree, is GV_ESIG
 * and nothing more is written. An existing checkpoint for the same tree is
 * kept (with any cosignatures added to it).
 */
int gv_tiles_publish(gv_audit *a, const char *dir, const char *origin, const gv_key *log_key,
		     gv_tiles_stats *st, gv_diags *d);

typedef struct gv_tiles_result {
	uint64_t size;          /* the checkpoint's tree size */
	uint64_t tiles;         /* hash tiles checked, partial ones of older sizes included */
	uint64_t bundles;       /* entry bundles checked */
	char *note;             /* dir/checkpoint as read (caller frees) */
	size_t note_len;
} gv_tiles_result;

/*
 * Verifies dir offline: the checkpoint's signature by key (its key name is
 * the origin line), every hash tile against the tree whose root the
 * checkpoint signs, every partial tile of an older size against the full
 * one, every entry bundle against its leaf hashes, and the chain (each
 * entry's seq and prev). GV_OK or GV_ESIG with the first problem.
 */
int gv_tiles_verify(const char *dir, const gv_key *key, gv_tiles_result *res, gv_diags *d);

/*
 * Proofs from the tiles, in the format and bytes of gv_audit_prove_* for
 * the checkpoint in dir (whose root is recomputed from the tiles first; no
 * key is needed, as with the database).
 */
int gv_tiles_prove_inclusion(const char *dir, uint64_t seq, char **out, gv_diags *d);
int gv_tiles_prove_consistency(const char *dir, uint64_t from, char **out, gv_diags *d);

#endif
