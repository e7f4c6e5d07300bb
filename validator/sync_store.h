/*
 * sync_store.h: the database side of synchronization: replicas of other
 * logs kept beside the local one, and snapshots of the local log for export.
 * Implemented in replica.c over store.h (SQLite or PostgreSQL); sync.c
 * builds on it and never sees SQL.
 *
 * A replica is a verified copy of another govgate log, keyed by its origin:
 * its entries (exact bytes, hash, time, type, import time, sync latency),
 * a cache of its subtree hashes, every checkpoint imported (with the raw
 * public key it verified under), every import, and the origin's pinned key.
 * The tables are created by the first import; all are append-only
 * (triggers refuse UPDATE and DELETE). docs/EVIDENCE.md ("Sync bundles")
 * describes them.
 *
 * Nothing here checks signatures or proofs: gv_replica_apply writes what
 * sync.c has verified, in one transaction, after checking that the replica
 * has not changed since it was read.
 *
 * Ownership: char * and arrays handed out are malloc'd and belong to the
 * caller; structs are emptied with their *_release function.
 * Returns: GV_OK or a negative GV_E* code with detail in the diags;
 * GV_ENOTFOUND when there is no such replica (or no checkpoint).
 */
#ifndef GV_SYNC_STORE_H
#define GV_SYNC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "buf.h"
#include "merkle.h"
#include "rfc3339.h"
#include "sign.h"


/*
 * Checks the shape of one entry line as audit.c stores it: compact JSON,
 * {"seq":<seq>,"time":"<RFC 3339>","type":"<type>",... ,"prev":"<hex>"}.
 * On success copies the time (21 bytes with NUL), the type (129 bytes) and
 * the prev hash out and returns NULL; otherwise returns a static reason.
 */
const char *gv_audit_entry_fields(const char *bytes, size_t len, uint64_t seq,
				  char time_out[GV_TIME_LEN + 1], char type_out[129],
				  unsigned char prev_out[GV_HASH_LEN]);

/* --- export: one consistent snapshot of the local log -------------------- */

typedef struct gv_sync_snapshot {
	uint64_t log_size;        /* entries in the log when read ("announced") */
	uint64_t from, size;      /* entries [from, size); size is the checkpoint's */
	char *note;               /* the latest checkpoint note, verbatim */
	unsigned char root[GV_HASH_LEN];      /* its root */
	unsigned char old_root[GV_HASH_LEN];  /* MTH of the first `from` entries */
	gv_hash *proof;           /* RFC 6962 PROOF(from, D[size]); NULL when empty */
	size_t proof_len;
	gv_buf entries;           /* the entry lines, each followed by "\n" */
} gv_sync_snapshot;

/*
 * Reads, in one read transaction, the latest checkpoint, the entries from
 * `from` up to its size, the root at `from` and the consistency proof (checked
 * before it is returned). GV_ENOTFOUND: the log has no checkpoint;
 * GV_ERROR: from is beyond the latest checkpoint.
 */
int gv_sync_store_snapshot(gv_audit *a, uint64_t from, gv_sync_snapshot *out, gv_diags *d);
void gv_sync_snapshot_release(gv_sync_snapshot *s);

/* --- replicas ------------------------------------------------------------ */

typedef struct gv_replica_state {
	uint64_t size;            /* entries held */
	int has_checkpoint;
	uint64_t cp_size;         /* the latest checkpoint imported */
	unsigned char cp_root[GV_HASH_LEN];
	char cp_imported[GV_TIME_LEN + 1];   /* when that checkpoint was imported */
	unsigned char pub[GV_ED25519_PUB_LEN];  /* the pinned key */
	char last_import[GV_TIME_LEN + 1];   /* "" before the first import */
	uint64_t announced;       /* the log size the other side last announced */
	uint64_t imports;
} gv_replica_state;

/* The state of the replica of origin; GV_ENOTFOUND when there is none. */
int gv_replica_get(gv_audit *a, const char *origin, gv_replica_state *out, gv_diags *d);

/* Every replica origin, sorted (*out is a malloc'd array of malloc'd strings). */
int gv_replica_list(gv_audit *a, char ***out, size_t *n, gv_diags *d);
void gv_replica_list_free(char **v, size_t n);

/*
 * The sync latencies (seconds) of the replica's entries in seq order, or of
 * every replica's entries when origin is NULL. *out is NULL when there are none.
 */
int gv_replica_latencies(gv_audit *a, const char *origin, int64_t **out, size_t *n,
			 gv_diags *d);

/* The time field of the replica's newest entry ("" when it has none). */
int gv_replica_newest_time(gv_audit *a, const char *origin, char out[GV_TIME_LEN + 1],
			   gv_diags *d);

/* A Merkle source over a replica's leaves and cached subtrees. */
typedef struct gv_replica_src_ctx {
	gv_audit *a;
	const char *origin;
	gv_diags *d;
} gv_replica_src_ctx;
gv_merkle_src gv_replica_src(gv_replica_src_ctx *c);

typedef struct gv_replica_entry {
	const char *bytes;        /* borrowed */
	size_t len;
	unsigned char hash[GV_HASH_LEN];
	char time[GV_TIME_LEN + 1];
	char type[129];
	int64_t latency;          /* import time - time, seconds */
} gv_replica_entry;

typedef struct gv_replica_write {
	const char *origin;
	unsigned char pub[GV_ED25519_PUB_LEN];
	int pin_key;              /* record pub as the origin's key (first import, rotation) */
	/*
	 * The local log's record of this import, appended in the same
	 * transaction as the replica rows, so that neither exists without the
	 * other: `sync.key_pinned` (pin_payload, when pin_key) and then
	 * `sync.imported` (import_payload), by actor.
	 */
	const char *pin_payload, *import_payload, *actor;
	uint64_t import_seq;      /* out: the seq of the sync.imported entry */
	int exists;               /* the replica existed when it was verified */
	uint64_t expect_size;     /* its size then: the first entry here has this seq */
	const gv_replica_entry *entries;
	size_t n;
	uint64_t from;            /* unused; the import record's from is expect_size */
	uint64_t cp_size;
	unsigned char cp_root[GV_HASH_LEN];
	const char *cp_note;
	uint64_t announced;
	const char *now;          /* import time, RFC 3339 UTC */
} gv_replica_write;

/*
 * Writes a verified import in one immediate transaction: the key (when
 * pin_key), the entries and their subtree hashes, the checkpoint, an
 * import record and the local log's entries for it. Refuses (GV_ERROR,
 * nothing written) when the replica's size, checkpoint or key changed since
 * it was read.
 */
int gv_replica_apply(gv_audit *a, gv_replica_write *w, gv_diags *d);

/* One `sync.imported` entry of the local log, as the verifier expects it. */
typedef struct gv_replica_import {
	uint64_t seq;             /* of the local log entry */
	uint64_t from, to, entries, announced;
	char time[GV_TIME_LEN + 1];
} gv_replica_import;

/*
 * What the local log says about a replica, and the keys its checkpoints
 * must be signed by. Nothing stored beside the replica vouches for it: a
 * key in replica_key or replica_checkpoint is only compared with these.
 */
typedef struct gv_replica_expect {
	const gv_key *const *keys;  /* trusted keys; every checkpoint must verify under one */
	size_t nkeys;
	const unsigned char (*pins)[GV_ED25519_PUB_LEN];  /* sync.key_pinned keys, in order */
	size_t npins;
	const gv_replica_import *imports;  /* sync.imported entries, in order */
	size_t nimports;
} gv_replica_expect;

/*
 * Verifies the replica of origin as gv_audit_verify does the local log:
 * entries, chain, stored hashes and columns, the tree and its cache, and
 * every checkpoint under one of the trusted keys; and that its key rows,
 * import records and import times match the local log's entries (ex).
 * res->covered: entries under a checkpoint that verified.
 */
int gv_replica_verify(gv_audit *a, const char *origin, const gv_replica_expect *ex,
		      gv_audit_result *res, gv_diags *d);

#endif
