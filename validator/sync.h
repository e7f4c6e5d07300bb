/*
 * sync.h: synchronization between two govgate logs (cloud and on-prem) by
 * bundle files, so that it works across any link, an air gap included.
 *
 * One side exports a bundle: its entries after a size the other side holds,
 * its latest signed checkpoint and a consistency proof. The other side
 * imports it into a replica of that log, kept beside its own in the same
 * database (sync_store.h), after checking everything: the checkpoint's
 * signature by the key trusted for the bundle's origin, each entry's shape
 * and place, the prev chain, the tree root recomputed from the replica's
 * leaves plus the bundle's, and consistency with what the replica holds.
 * Nothing is written before all of it verifies. docs/EVIDENCE.md ("Sync
 * bundles") is the format's reference.
 *
 * A bundle whose signed checkpoint contradicts what the replica holds (two
 * different roots for one tree size) is a fork: it is refused, the replica
 * is left untouched, and a `sync.fork_detected` entry naming the origin,
 * the size and both roots is appended to the local log.
 *
 * Ownership: structs are filled by the functions below and emptied by their
 * *_release; char * inside them belong to the struct. gv_key pointers in a
 * gv_sync_trust are borrowed.
 * Returns: GV_OK; GV_EPARSE for a malformed bundle; GV_ESIG when the bundle
 * does not verify, is not trusted, or contradicts the replica (a fork);
 * GV_ERROR when the bundle cannot be used (it starts after the replica's
 * end) or the replica changed during the import; GV_EIO for files.
 */
#ifndef GV_SYNC_H
#define GV_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "buf.h"
#include "diag.h"
#include "merkle.h"
#include "sign.h"
#include "sync_store.h"

#define GV_SYNC_BUNDLE_HEADER "govgate.dev/sync-bundle@v1"
#define GV_SYNC_MAX_BUNDLE ((size_t)256 << 20)  /* bytes of one bundle file */
#define GV_SYNC_MAX_PROOF 128                   /* hashes in its consistency proof */
#define GV_SYNC_MAX_ORIGIN 256                  /* bytes of an origin */

/* --- the bundle format ---------------------------------------------------- */

typedef struct gv_sync_bundle {
	char *origin;
	uint64_t from, to;        /* entries [from, to); to is the checkpoint's size */
	uint64_t announced;       /* the exporter's log size (informational, unsigned) */
	unsigned char old_root[GV_HASH_LEN];  /* the exporter's root at size from */
	gv_hash *proof;           /* RFC 6962 PROOF(from, D[to]) */
	size_t proof_len;
	size_t n;                 /* to - from entries: */
	const char **entry;       /* entry[i] points into data (not NUL-terminated) */
	size_t *entry_len;
	const char *note;         /* the checkpoint note, pointing into data */
	size_t note_len;
	char *data;               /* a private copy of the bundle bytes */
} gv_sync_bundle;

/*
 * Parses a bundle strictly (exact header and field order, canonical
 * numbers and base64, bounded sizes); it checks no signature or hash.
 * Returns GV_OK or GV_EPARSE/GV_ELIMIT with one error naming file.
 */
int gv_sync_bundle_parse(gv_sync_bundle *out, const char *data, size_t len, const char *file,
			 gv_diags *d);
void gv_sync_bundle_release(gv_sync_bundle *b);
/* Appends the bundle's bytes to out (the exact inverse of the parser). */
void gv_sync_bundle_format(gv_buf *out, const gv_sync_bundle *b);

/* --- export ------------------------------------------------------------- */

typedef struct gv_sync_export_info {
	char origin[GV_SYNC_MAX_ORIGIN + 1];
	uint64_t from, to, announced, entries;
	size_t bytes;             /* size of the bundle file */
} gv_sync_export_info;

/*
 * Writes a bundle of the entries after `since` to path, atomically. With
 * log_key, first signs a checkpoint (under origin) when the latest one does
 * not cover the whole log; without it the bundle stops at the latest
 * checkpoint, and info->announced tells how many entries the log holds.
 * GV_ERROR: since is beyond the latest checkpoint; GV_ENOTFOUND: no
 * checkpoint to export.
 */
int gv_sync_export(gv_audit *a, uint64_t since, const char *origin, const gv_key *log_key,
		   const char *path, gv_sync_export_info *info, gv_diags *d);

/* --- import ------------------------------------------------------------- */

typedef struct gv_sync_trust {
	const char *origin;
	const gv_key *key;        /* borrowed */
} gv_sync_trust;

#define GV_SYNC_MAX_TRUST 16

/* Keys handed in on the command line as --trust ORIGIN=PUBLIC-KEY-FILE. */
typedef struct gv_sync_trust_list {
	gv_sync_trust v[GV_SYNC_MAX_TRUST];
	gv_key *keys[GV_SYNC_MAX_TRUST];
	char *origins[GV_SYNC_MAX_TRUST];
	size_t n;
} gv_sync_trust_list;
#define GV_SYNC_TRUST_LIST_INIT { .n = 0 }

/*
 * Parses n specs "ORIGIN=PUBLIC-KEY-FILE" (a valid log origin, a readable
 * Ed25519 public key) into out. With unique, an origin may appear once
 * (an import trusts one key per origin); an auditor may give several keys
 * for one origin (before and after a rotation). GV_EPARSE or the key
 * loader's code with an error naming the spec; out is then released.
 */
int gv_sync_trust_load(gv_sync_trust_list *out, const char *const *specs, size_t n, int unique,
		       gv_diags *d);
void gv_sync_trust_list_release(gv_sync_trust_list *l);

typedef enum {
	GV_SYNC_IMPORTED = 1,     /* new entries or a first checkpoint were written */
	GV_SYNC_UP_TO_DATE,       /* the replica already held everything */
	GV_SYNC_FORK              /* refused: the bundle contradicts the replica */
} gv_sync_status_code;

typedef struct gv_sync_import_result {
	gv_sync_status_code status;  /* 0 when the import failed otherwise */
	char origin[GV_SYNC_MAX_ORIGIN + 1];
	uint64_t from, to, entries;  /* the replica went from `from` to `to` entries */
	bool pinned;                 /* this import pinned the origin's key (first or rotated) */
	bool log_recorded;           /* the local log has an entry for this import or fork: */
	uint64_t log_seq;            /* its seq (sync.imported or sync.fork_detected) */
	/* GV_SYNC_FORK: the size with two roots */
	uint64_t fork_size;
	unsigned char held_root[GV_HASH_LEN], bundle_root[GV_HASH_LEN];
} gv_sync_import_result;

/*
 * Verifies the bundle (data, len; file names it in messages) against the
 * key trusted for its origin and the replica, then writes it. The first
 * import of an origin pins the key that verified it; a later import with
 * another key for that origin is refused (GV_ESIG) unless rotate_key.
 * A successful import that wrote something appends `sync.imported`
 * ({"origin":O,"from":N,"to":M,"entries":K}) to the local log, by actor.
 * GV_OK with res->status GV_SYNC_UP_TO_DATE writes nothing.
 * A fork returns GV_ESIG with res->status GV_SYNC_FORK after appending
 * `sync.fork_detected` ({"origin":O,"size":N,"held_root":B64,"bundle_root":B64}).
 */
int gv_sync_import(gv_audit *a, const gv_sync_trust *trust, size_t ntrust, bool rotate_key,
		   const char *data, size_t len, const char *file, const char *actor,
		   gv_sync_import_result *res, gv_diags *d);

/* --- status and facts --------------------------------------------------- */

/*
 * The keys a replica is verified under before anything is read from it:
 * keys handed in for its origin (trust) when there are any, else the keys
 * the local log pinned (sync.key_pinned) in entries that a checkpoint
 * signed by log_pub covers. With neither there is nothing to check the
 * replica against, and it is refused.
 */
typedef struct gv_sync_keys {
	const gv_sync_trust_list *trust;  /* NULL: none */
	const gv_key *log_pub;            /* the local log's public key; NULL: none */
} gv_sync_keys;

typedef struct gv_sync_status {
	char origin[GV_SYNC_MAX_ORIGIN + 1];
	uint64_t entries;         /* entries the replica holds */
	bool has_checkpoint;
	uint64_t cp_size;         /* its latest checkpoint */
	char cp_imported[GV_TIME_LEN + 1];  /* when that checkpoint was imported */
	char last_import[GV_TIME_LEN + 1];  /* "" when never */
	uint64_t imports;
	uint64_t announced;       /* the other side's log size in its last bundle */
	uint64_t lag_checkpoint;  /* cp_size - entries (0 for an intact replica) */
	uint64_t lag_entries;     /* signed entries not held: cp_size - entries */
	bool has_since_import;
	int64_t since_last_import;   /* now - last_import, seconds */
	char newest_entry[GV_TIME_LEN + 1];  /* time of the newest replicated entry; "" */
	bool has_newest_age;
	int64_t newest_entry_age;    /* now - newest_entry, seconds */
	bool has_latency;         /* at least one entry imported */
	int64_t latency_last;     /* sync latency of the newest entry, seconds */
	int64_t latency_p95;      /* nearest-rank 95th percentile over all entries */
} gv_sync_status;

/*
 * The status of the replica of origin; GV_ENOTFOUND when there is none.
 * The replica is verified first, under keys (gv_sync_keys): GV_ESIG when it
 * does not verify or there is no key to verify it under, so that no
 * status, metric or fact rests on unverified rows. The ages are relative
 * to now, so a dead link shows as growing ages.
 */
int gv_sync_status_get(gv_sync_status *out, gv_audit *a, const char *origin,
		       const gv_sync_keys *keys, gv_diags *d);

/*
 * What the deploy flow hands to policies as facts of a side, under `sync`:
 *
 *   sync:
 *     enabled: true                 # a replica of the origin exists
 *     origin: "cloud.example/audit"
 *     lag_entries: 0                # signed entries not held (cp size - entries)
 *     sync_latency_seconds: 1       # latency of the newest entry; null if none
 *     sync_latency_p95_seconds: 2   # null if none
 *     last_import: "2026-11-28T12:00:00Z"   # null if never
 *     since_last_import_seconds: 40 # now - last_import; null if never
 *     newest_entry_age_seconds: 45  # now - time of the newest replicated entry
 *
 * gv_sync_facts fills the struct (enabled false, and GV_OK, when there is
 * no replica of origin); gv_sync_facts_yaml appends that YAML mapping,
 * each line indented by `indent` spaces.
 */
typedef struct gv_sync_facts {
	bool enabled;
	char origin[GV_SYNC_MAX_ORIGIN + 1];
	uint64_t lag_entries;
	bool has_latency;
	int64_t sync_latency_seconds;
	int64_t sync_latency_p95_seconds;
	char last_import[GV_TIME_LEN + 1];  /* "" when never */
	bool has_since_import, has_newest_age;
	int64_t since_last_import_seconds;  /* grow while no bundle arrives */
	int64_t newest_entry_age_seconds;
} gv_sync_facts;

int gv_sync_facts_get(gv_sync_facts *out, gv_audit *a, const char *origin,
		      const gv_sync_keys *keys, gv_diags *d);
void gv_sync_facts_yaml(gv_buf *out, const gv_sync_facts *f, int indent);

/*
 * Verifies every replica in the database (gv_replica_verify), appending one
 * line per replica to report ("replica 'O' intact: ...", "... NOT VERIFIED:
 * why" or "... TAMPERED"). A replica's checkpoints must be signed by a key
 * given for its origin in trust, or else by a key the local log pinned
 * (`sync.key_pinned`) in an entry below trusted_upto: the entries that a
 * checkpoint signed by the local log's key covers. A key stored beside the
 * replica vouches for nothing. GV_OK when all verify (or there are none),
 * GV_ESIG when one does not, another code when one cannot be read.
 */
int gv_sync_verify_replicas(gv_audit *a, const gv_sync_trust_list *trust, uint64_t trusted_upto,
			    gv_buf *report, gv_diags *d);

/* Nearest-rank percentile (0 < pct <= 100) of n values; sorts v in place. */
int64_t gv_sync_percentile(int64_t *v, size_t n, double pct);

#endif
