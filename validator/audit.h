/*
 * audit.h: the tamper-evident audit log, in a SQLite file or a PostgreSQL
 * database (store.h; no database type appears here: path arguments are a
 * file path or a PostgreSQL connection string, see docs/LEDGER.md).
 *
 * Each entry is one line of compact JSON, stored as exact bytes:
 *
 *   {"seq":0,"time":"2026-11-28T12:00:00Z","type":"...","deployment_id":"...",
 *    "actor":"...","payload":{...},"prev":"<64 hex>"}
 *
 * seq is the entry's index in the tree, prev the hex leaf hash of the entry
 * before (64 zeros for the first). An entry's hash is the RFC 6962 leaf hash
 * SHA-256(0x00 || bytes) of the stored bytes, and the same hashes form an
 * RFC 6962 Merkle tree whose heads are signed as C2SP checkpoints (note.h).
 * docs/EVIDENCE.md ("Audit log") is the format's reference.
 *
 * Many processes may append at once: every write is one transaction that
 * holds the backend's append lock (SQLite: BEGIN IMMEDIATE in WAL mode with
 * a busy timeout; PostgreSQL: a transaction-scoped advisory lock), so the
 * chain never forks and no entry is lost; a killed writer leaves the
 * previous state.
 *
 * Ownership: a gv_audit is closed with gv_audit_close (NULL ok); every
 * char * handed out is malloc'd and belongs to the caller.
 * Returns: GV_OK or a negative GV_E* code with the detail in the diags;
 * GV_ESIG means the log contradicts itself or its signed checkpoints.
 */
#ifndef GV_AUDIT_H
#define GV_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "sign.h"

#define GV_AUDIT_DEFAULT_DB "govgate-audit.db"        /* in the working directory */
#define GV_AUDIT_DB_ENV "GOVGATE_DB"
#define GV_AUDIT_DEFAULT_ORIGIN "govgate.local/audit"
#define GV_AUDIT_ORIGIN_ENV "GOVGATE_LOG_ORIGIN"
#define GV_AUDIT_MAX_ENTRY (1024 * 1024)              /* bytes of one entry line */
#define GV_AUDIT_MAX_FIELD 256                        /* type, deployment id, actor */

typedef struct gv_audit gv_audit;

/* $GOVGATE_DB when set and non-empty, else GV_AUDIT_DEFAULT_DB (borrowed). */
const char *gv_audit_default_path(void);
/* $GOVGATE_LOG_ORIGIN when set and non-empty, else GV_AUDIT_DEFAULT_ORIGIN. */
const char *gv_audit_default_origin(void);

/* Opens the log at path for appending, creating it when it does not exist. */
int gv_audit_open(gv_audit **out, const char *path, gv_diags *d);
/* Opens an existing log; never creates one. */
int gv_audit_open_existing(gv_audit **out, const char *path, gv_diags *d);
void gv_audit_close(gv_audit *a);
const char *gv_audit_path(const gv_audit *a);

/*
 * Appends one entry. type: 1-128 characters of [A-Za-z0-9._-];
 * deployment_id and actor: printable UTF-8 of at most GV_AUDIT_MAX_FIELD
 * bytes ("" when NULL); payload_json: one compact JSON object ("{}" when
 * NULL). The time is now, RFC 3339 UTC. *seq_out (if not NULL) is the seq.
 */
int gv_audit_append(gv_audit *a, const char *type, const char *deployment_id, const char *actor,
		    const char *payload_json, uint64_t *seq_out, gv_diags *d);

/* The number of entries. */
int gv_audit_size(gv_audit *a, uint64_t *out, gv_diags *d);

/*
 * Signs a checkpoint for the current size with log_key under origin, unless
 * one exists for that size (then that one is returned). Before signing it
 * checks that the log still extends its latest checkpoint and that the new
 * entries chain, so it never signs two roots for one size or a forked tree.
 * Every checkpoint is kept.
 */
int gv_audit_checkpoint(gv_audit *a, const char *origin, const gv_key *log_key, char **note_out,
			gv_diags *d);
/* The latest checkpoint note and its size; GV_ENOTFOUND when there is none. */
int gv_audit_latest_checkpoint(gv_audit *a, char **note_out, uint64_t *size_out, gv_diags *d);

/*
 * An inclusion proof of seq (c2sp.org/tlog-proof, with the entry bytes as
 * its extra data) against the latest checkpoint, or a consistency proof from
 * tree size `from` to the latest checkpoint (see docs/EVIDENCE.md). Each is
 * checked against the checkpoint before it is returned.
 */
int gv_audit_prove_inclusion(gv_audit *a, uint64_t seq, char **out, gv_diags *d);
int gv_audit_prove_consistency(gv_audit *a, uint64_t from, char **out, gv_diags *d);

typedef struct gv_audit_filter {
	const char *deployment_id, *type;  /* exact match; NULL for any */
	const char *since, *until;         /* RFC 3339 UTC or YYYY-MM-DD, inclusive; NULL */
	int bounded;                       /* only entries with seq < below (the verified ones) */
	uint64_t below;
} gv_audit_filter;
/* Calls fn for each matching entry in seq order; stops when fn returns < 0. */
int gv_audit_each(gv_audit *a, const gv_audit_filter *f,
		  int (*fn)(void *payload, uint64_t seq, const char *bytes, size_t len),
		  void *payload, gv_diags *d);

/*
 * Writes every entry to path, one per line (the stored bytes and "\n"), and
 * every checkpoint note, oldest first, to path.checkpoints; both atomically.
 */
int gv_audit_export(gv_audit *a, const char *path, uint64_t *count_out, gv_diags *d);

typedef struct gv_audit_result {
	uint64_t entries;      /* entries read */
	uint64_t checkpoints;  /* checkpoint signatures verified under the key */
	uint64_t covered;      /* entries [0, covered) lie under a checkpoint that verified */
	uint64_t foreign;      /* checkpoints that carry no signature by the key at all */
	char foreign_msg[512]; /* who signed the first of them */
	int tampered;
	uint64_t bad_lo, bad_hi;  /* when tampered: the first bad seq lies in [bad_lo, bad_hi] */
	int bad_seq_known;        /* 0 when only a checkpoint is bad, not an entry */
} gv_audit_result;

/*
 * Recomputes the chain, every entry hash, the tree and every checkpoint
 * signature (by key; each checkpoint's key name is its origin). With
 * `saved` (a checkpoint note kept by an auditor) it also proves the log
 * extends it. GV_OK: intact. GV_ESIG: tampered, res says where, the diags
 * say what. Other codes: the log could not be read.
 */
int gv_audit_verify(gv_audit *a, const gv_key *key, const char *saved, size_t saved_len,
		    const char *saved_file, gv_audit_result *res, gv_diags *d);
/* The same for an export (path and path.checkpoints), without SQLite. */
int gv_audit_verify_jsonl(const char *path, const gv_key *key, const char *saved,
			  size_t saved_len, const char *saved_file, gv_audit_result *res,
			  gv_diags *d);

/* Whether s is one compact JSON value (no whitespace outside strings). */
int gv_audit_json_compact(const char *s, size_t len, int want_object);

/*
 * Deployment receipts (receipt.h makes the JSON) are entries of the log:
 * type deployment.receipt, the receipt JSON as payload. receipt_put appends
 * one (*seq_out its seq); receipts_each lists them oldest first, all or
 * those of one deployment id, handing over each one's seq and JSON. fn may
 * stop the walk by returning < 0.
 */
int gv_audit_receipt_put(gv_audit *a, const char *deployment_id, const char *actor,
			 const char *json, size_t len, uint64_t *seq_out, gv_diags *d);
int gv_audit_receipts_each(gv_audit *a, const char *deployment_id,
			   int (*fn)(void *payload, uint64_t seq, const char *json, size_t len),
			   void *payload, gv_diags *d);

#endif
