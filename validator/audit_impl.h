/*
 * audit_impl.h: what audit.c (entries, chain, tree, checkpoints, proofs,
 * export, verification) shares with replica.c (the replica store of
 * sync_store.h). Internal to those two files; everything else uses
 * audit.h and sync_store.h. Both speak to the database only through
 * store.h.
 */
#ifndef GV_AUDIT_IMPL_H
#define GV_AUDIT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "buf.h"
#include "merkle.h"
#include "sign.h"
#include "store.h"

#define CODE_DB "GV-A001"
#define CODE_TAMPER "GV-A002"
#define CODE_INPUT "GV-A003"

struct gv_audit {
	gv_store *db;
	char *path;
};

typedef struct gva_dbsrc {
	gv_audit *a;
	gv_diags *d;
} gva_dbsrc;

typedef struct gva_vstate {
	const char *file;
	gv_diags *d;
	gv_hash *leaves;
	size_t n, alloc;
	gv_hash **levels;        /* levels[k][i]: hash of leaves [i<<k, (i+1)<<k) */
	unsigned nlevels;
	int chain_bad;
	uint64_t chain_seq, chain_alt;  /* blamed seq; chain_alt: for a broken link */
	int chain_link;
	gv_buf chain_msg;
	int tree_bad;
	uint64_t good;           /* largest size whose checkpoint matched, with all before it */
	uint64_t tree_size;      /* smallest mismatching checkpoint */
	gv_buf tree_msg;
	int node_bad;            /* a cached subtree hash differs from the entries */
	uint64_t node_lo, node_hi;
	int cp_bad;              /* a checkpoint itself is bad (signature, row) */
	gv_buf cp_msg;
	uint64_t checkpoints;
	uint64_t foreign;        /* checkpoints with no signature line by the key */
	gv_buf foreign_msg;      /* who signed the first of them */
	gv_hash *claims;         /* claims[i]: what validated entry i says (receipt.h) */
	unsigned char *has_claim;
	size_t claims_alloc, flags_alloc;
	int check_claims;        /* the local log (replicas are the other side's to check) */
	int rc_bad;              /* a receipt contradicts the entry it names */
	uint64_t rc_seq;
	gv_buf rc_msg;
} gva_vstate;

/* transactions and statements over the store, errors located at the log */
int gva_db_error(gv_audit *a, gv_diags *d, const char *what);
int gva_begin_read(gv_audit *a, gv_diags *d);
int gva_begin_write(gv_audit *a, gv_diags *d);
int gva_commit(gv_audit *a, gv_diags *d);
int gva_rollback(gv_audit *a);
int gva_prepare(gv_audit *a, gv_stmt **st, const char *sql, gv_diags *d);
int gva_step_done(gv_audit *a, gv_stmt *st, gv_diags *d, const char *what);
/* a 32-byte hash column: 0, or -1 when it is anything else */
int gva_column_hash(gv_stmt *st, int col, unsigned char out[GV_HASH_LEN]);

/* entries: checks, the append inside the caller's write transaction */
int gva_type_valid(const char *t);
const char *gva_entry_shape(const char *bytes, size_t len, uint64_t seq,
			    unsigned char prev[GV_HASH_LEN]);
int gva_event_valid(const char *type, const char *deployment_id, const char *actor,
		    const char *payload_json, gv_diags *d);
int gva_append_locked(gv_audit *a, const char *type, const char *deployment_id,
		      const char *actor, const char *payload_json, uint64_t *seq_out,
		      gv_diags *d);
int gva_db_size(gv_audit *a, uint64_t *n, gv_diags *d);
int gva_latest_row(gv_audit *a, uint64_t *size, unsigned char root[GV_HASH_LEN], char **note,
		   gv_diags *d);

/* the tree over the log's leaves and cached subtrees */
gv_merkle_src gva_db_src(gva_dbsrc *s);

/* the verifier (audit.c's verification section; replica.c verifies replicas with it) */
void gva_vs_init(gva_vstate *vs, const char *file, gv_diags *d);
void gva_vs_release(gva_vstate *vs);
void gva_chain_fail(gva_vstate *vs, uint64_t seq, int link, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void gva_vs_entry(gva_vstate *vs, uint64_t pos, const char *bytes, size_t len,
		  const unsigned char *stored_hash, const gv_buf *head);
void gva_vs_build(gva_vstate *vs);
void gva_vs_checkpoint(gva_vstate *vs, const char *note, size_t len, const gv_key *key,
		       const char *where, const uint64_t *row_size, const unsigned char *row_root);
int gva_vs_finish(gva_vstate *vs, gv_audit_result *res);

#endif
