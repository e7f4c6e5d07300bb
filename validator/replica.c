/*
 * replica.c: the replica store of sync_store.h: snapshots of the local log
 * for export, and replicas of other logs (their entries, tree cache,
 * checkpoints, keys and imports), written in one transaction per import
 * and verified as the local log is. Over store.h, like audit.c; the
 * replica tables are the backend's (store_sqlite.c creates them on the
 * first import, validator/sql/pg_schema.sql with the rest).
 */
#include "audit_impl.h"
#include "sync_store.h"
#include "alloc.h"
#include "gv.h"
#include "note.h"
#include "rfc3339.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *gv_audit_entry_fields(const char *bytes, size_t len, uint64_t seq,
				  char time_out[GV_TIME_LEN + 1], char type_out[129],
				  unsigned char prev_out[GV_HASH_LEN])
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	const char *why, *p, *end = bytes + len, *q;
	int hl;
	size_t i;
	char head[48];

	if ((why = gva_entry_shape(bytes, len, seq, prev_out)))
		return why;
	hl = snprintf(head, sizeof(head), "{\"seq\":%" PRIu64 ",\"time\":\"", seq);
	p = bytes + hl;
	if ((size_t)(end - p) < GV_TIME_LEN + 10 || memcmp(bytes, head, (size_t)hl))
		return "entry's second field is not its time";
	for (i = 0; i < GV_TIME_LEN; i++)
		if (pat[i] == 'd' ? (p[i] < '0' || p[i] > '9') : p[i] != pat[i])
			return "entry's time is not RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ)";
	memcpy(time_out, p, GV_TIME_LEN);
	time_out[GV_TIME_LEN] = '\0';
	p += GV_TIME_LEN;
	if (memcmp(p, "\",\"type\":\"", 10))
		return "entry's third field is not its type";
	p += 10;
	q = memchr(p, '"', (size_t)(end - p));
	if (!q || q == p || q - p > 128)
		return "entry's type is empty or too long";
	memcpy(type_out, p, (size_t)(q - p));
	type_out[q - p] = '\0';
	if (!gva_type_valid(type_out))
		return "entry's type has characters outside A-Z a-z 0-9 . _ -";
	return NULL;
}

void gv_sync_snapshot_release(gv_sync_snapshot *s)
{
	free(s->note);
	free(s->proof);
	gv_buf_release(&s->entries);
	memset(s, 0, sizeof(*s));
	gv_buf_init(&s->entries);
}

int gv_sync_store_snapshot(gv_audit *a, uint64_t from, gv_sync_snapshot *out, gv_diags *d)
{
	unsigned char check[GV_HASH_LEN];
	gva_dbsrc ds = { a, d };
	gv_merkle_src src = gva_db_src(&ds);
	gv_stmt *st = NULL;
	uint64_t want;
	int err, rc;

	memset(out, 0, sizeof(*out));
	gv_buf_init(&out->entries);
	out->from = from;
	if ((err = gva_begin_read(a, d)) < 0)
		return err;
	if ((err = gva_db_size(a, &out->log_size, d)) < 0)
		goto out;
	if ((err = gva_latest_row(a, &out->size, out->root, &out->note, d)) < 0) {
		if (err == GV_ENOTFOUND)
			gv_error(d, CODE_INPUT, a->path, "the log has no checkpoint yet; sign one with "
				 "--log-key KEY");
		goto out;
	}
	if (from > out->size) {
		err = (gv_error(d, CODE_INPUT, a->path, "--since %" PRIu64 " is beyond the latest "
			       "checkpoint (size %" PRIu64 ")", from, out->size), GV_ERROR);
		goto out;
	}
	if (out->size > out->log_size) {
		err = (gv_error(d, CODE_TAMPER, a->path, "the log has %" PRIu64 " entries but a "
			       "checkpoint for %" PRIu64 "; run 'govgate audit verify'", out->log_size,
			       out->size), GV_ESIG);
		goto out;
	}
	/* never export what does not match its own signed root */
	if ((err = gv_merkle_root(check, &src, out->size)) < 0 ||
	    (err = gv_merkle_root(out->old_root, &src, from)) < 0)
		goto out;
	if (memcmp(check, out->root, GV_HASH_LEN)) {
		err = (gv_error(d, CODE_TAMPER, a->path, "the log no longer matches its latest "
			       "checkpoint; run 'govgate audit verify'"), GV_ESIG);
		goto out;
	}
	if (from > 0 && from < out->size) {
		if ((err = gv_merkle_prove_consistency(&out->proof, &out->proof_len, &src, from,
						       out->size)) < 0)
			goto out;
		if (gv_merkle_verify_consistency(from, out->size, out->proof, out->proof_len,
						 out->old_root, out->root) != GV_OK) {
			err = (gv_error(d, CODE_TAMPER, a->path, "the tree does not match the latest "
				       "checkpoint; run 'govgate audit verify'"), GV_ESIG);
			goto out;
		}
	}
	if ((err = gva_prepare(a, &st, "SELECT seq, bytes FROM entry WHERE seq >= ? AND seq < ? "
			   "ORDER BY seq", d)) < 0)
		goto out;
	gv_stmt_bind_int64(st, 1, (int64_t)from);
	gv_stmt_bind_int64(st, 2, (int64_t)out->size);
	want = from;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *b = gv_stmt_blob(st, 1);
		if ((uint64_t)gv_stmt_int64(st, 0) != want++) {
			err = (gv_error(d, CODE_TAMPER, a->path, "entry %" PRIu64 " is missing",
				       want - 1), GV_ESIG);
			goto out;
		}
		gv_buf_add(&out->entries, b ? b : "", (size_t)gv_stmt_bytes(st, 1));
		gv_buf_putc(&out->entries, '\n');
	}
	if (rc != GV_STMT_DONE) {
		err = gva_db_error(a, d, "cannot read the log");
		goto out;
	}
	if (want != out->size)
		err = (gv_error(d, CODE_TAMPER, a->path, "entry %" PRIu64 " is missing", want), GV_ESIG);
out:
	gv_stmt_finalize(st);
	gva_rollback(a);
	if (err < 0)
		gv_sync_snapshot_release(out);
	return err;
}

/* Whether the replica tables exist (1), not (0), or an error. */
static int replica_tables(gv_audit *a, gv_diags *d)
{
	int r = a->db->ops->replica_tables(a->db);

	return r < 0 ? gva_db_error(a, d, "cannot read the database") : r;
}

/* Runs a one-row query with origin bound to ?1; GV_OK with a row, 0 rows: GV_ENOTFOUND. */
static int replica_row(gv_audit *a, gv_stmt **st, const char *sql, const char *origin,
		       gv_diags *d)
{
	int err, rc;

	if ((err = gva_prepare(a, st, sql, d)) < 0)
		return err;
	gv_stmt_bind_text(*st, 1, origin);
	rc = gv_stmt_step(*st);
	if (rc == GV_STMT_ROW)
		return GV_OK;
	if (rc == GV_STMT_DONE)
		return GV_ENOTFOUND;
	return gva_db_error(a, d, "cannot read the replica");
}

static void column_time(gv_stmt *st, int col, char out[GV_TIME_LEN + 1])
{
	const char *t = gv_stmt_text(st, col);

	snprintf(out, GV_TIME_LEN + 1, "%s", t ? (const char *)t : "");
}

/* The replica state, inside whatever transaction the caller holds. */
static int replica_state(gv_audit *a, const char *origin, gv_replica_state *out, gv_diags *d)
{
	gv_stmt *st = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = replica_tables(a, d)) <= 0)
		return err < 0 ? err : GV_ENOTFOUND;
	if ((err = replica_row(a, &st, "SELECT pubkey FROM replica_key WHERE origin = ?1 "
			       "ORDER BY id DESC LIMIT 1", origin, d)) < 0)
		goto out;
	if (gv_stmt_bytes(st, 0) != GV_ED25519_PUB_LEN || !gv_stmt_blob(st, 0)) {
		err = (gv_error(d, CODE_DB, a->path, "the key of replica '%s' is not 32 bytes", origin),
		       GV_EPARSE);
		goto out;
	}
	memcpy(out->pub, gv_stmt_blob(st, 0), GV_ED25519_PUB_LEN);
	gv_stmt_finalize(st);
	if ((err = replica_row(a, &st, "SELECT coalesce(max(seq) + 1, 0) FROM replica_entry "
			       "WHERE origin = ?1", origin, d)) < 0)
		goto out;
	if (gv_stmt_int64(st, 0) < 0) {
		err = (gv_error(d, CODE_DB, a->path, "replica '%s' has negative sequence numbers",
				origin), GV_EPARSE);
		goto out;
	}
	out->size = (uint64_t)gv_stmt_int64(st, 0);
	gv_stmt_finalize(st);
	err = replica_row(a, &st, "SELECT size, root, imported FROM replica_checkpoint WHERE "
			  "origin = ?1 ORDER BY size DESC LIMIT 1", origin, d);
	if (err == GV_OK) {
		if (gv_stmt_int64(st, 0) < 0 || gva_column_hash(st, 1, out->cp_root) < 0) {
			err = (gv_error(d, CODE_DB, a->path, "the latest checkpoint of replica '%s' is "
					"damaged", origin), GV_EPARSE);
			goto out;
		}
		out->has_checkpoint = 1;
		out->cp_size = (uint64_t)gv_stmt_int64(st, 0);
		column_time(st, 2, out->cp_imported);
	} else if (err != GV_ENOTFOUND) {
		goto out;
	}
	gv_stmt_finalize(st);
	err = replica_row(a, &st, "SELECT time, announced, (SELECT count(*) FROM replica_import "
			  "WHERE origin = ?1) FROM replica_import WHERE origin = ?1 ORDER BY id DESC "
			  "LIMIT 1", origin, d);
	if (err == GV_OK) {
		column_time(st, 0, out->last_import);
		out->announced = (uint64_t)(gv_stmt_int64(st, 1) < 0 ? 0 :
					    gv_stmt_int64(st, 1));
		out->imports = (uint64_t)gv_stmt_int64(st, 2);
	} else if (err != GV_ENOTFOUND) {
		goto out;
	}
	err = GV_OK;
out:
	gv_stmt_finalize(st);
	return err;
}

int gv_replica_get(gv_audit *a, const char *origin, gv_replica_state *out, gv_diags *d)
{
	int err;

	if ((err = gva_begin_read(a, d)) < 0)
		return err;
	err = replica_state(a, origin, out, d);
	gva_rollback(a);
	return err;
}

void gv_replica_list_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int gv_replica_list(gv_audit *a, char ***out, size_t *n, gv_diags *d)
{
	gv_stmt *st;
	size_t alloc = 0;
	int err, rc;

	*out = NULL;
	*n = 0;
	if ((err = replica_tables(a, d)) <= 0)
		return err;
	/* every table names its origin: deleting one table's rows hides no replica */
	if ((err = gva_prepare(a, &st, "SELECT origin FROM replica_key UNION SELECT origin FROM "
			   "replica_entry UNION SELECT origin FROM replica_checkpoint UNION SELECT "
			   "origin FROM replica_import UNION SELECT origin FROM replica_node ORDER BY 1",
			   d)) < 0)
		return err;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *t = gv_stmt_text(st, 0);
		GV_GROW(*out, alloc, *n + 1);
		(*out)[(*n)++] = gv_xstrdup(t ? (const char *)t : "");
	}
	if (rc != GV_STMT_DONE) {
		err = gva_db_error(a, d, "cannot read the replicas");
		gv_replica_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	gv_stmt_finalize(st);
	return err;
}

int gv_replica_latencies(gv_audit *a, const char *origin, int64_t **out, size_t *n, gv_diags *d)
{
	gv_stmt *st;
	size_t alloc = 0;
	int err, rc;

	*out = NULL;
	*n = 0;
	if ((err = replica_tables(a, d)) <= 0)
		return err;
	if ((err = gva_prepare(a, &st, origin ? "SELECT latency FROM replica_entry WHERE origin = ?1 "
			   "ORDER BY origin, seq" : "SELECT latency FROM replica_entry ORDER BY origin, seq",
			   d)) < 0)
		return err;
	if (origin)
		gv_stmt_bind_text(st, 1, origin);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		GV_GROW(*out, alloc, *n + 1);
		(*out)[(*n)++] = gv_stmt_int64(st, 0);
	}
	if (rc != GV_STMT_DONE) {
		err = gva_db_error(a, d, "cannot read the replicas");
		free(*out);
		*out = NULL;
		*n = 0;
	}
	gv_stmt_finalize(st);
	return err;
}

int gv_replica_newest_time(gv_audit *a, const char *origin, char out[GV_TIME_LEN + 1],
			   gv_diags *d)
{
	gv_stmt *st = NULL;
	int err;

	out[0] = '\0';
	err = replica_row(a, &st, "SELECT time FROM replica_entry WHERE origin = ?1 ORDER BY seq "
			  "DESC LIMIT 1", origin, d);
	if (err == GV_OK)
		column_time(st, 0, out);
	gv_stmt_finalize(st);
	return err == GV_ENOTFOUND ? GV_OK : err;
}

/* A replica's leaf (level 0) or cached subtree hash: 1 found, 0 not, < 0 error. */
static int replica_node(gv_audit *a, const char *origin, unsigned level, uint64_t idx,
			unsigned char out[GV_HASH_LEN], gv_diags *d)
{
	gv_stmt *st;
	int err, rc;

	if ((err = gva_prepare(a, &st, level == 0 ?
			   "SELECT hash FROM replica_entry WHERE origin = ?1 AND seq = ?3" :
			   "SELECT hash FROM replica_node WHERE origin = ?1 AND level = ?2 AND idx = ?3",
			   d)) < 0)
		return err;
	gv_stmt_bind_text(st, 1, origin);
	if (level)
		gv_stmt_bind_int64(st, 2, (int64_t)level);
	gv_stmt_bind_int64(st, 3, (int64_t)idx);
	rc = gv_stmt_step(st);
	if (rc == GV_STMT_ROW)
		err = gva_column_hash(st, 0, out) == 0 ? 1 :
		      (gv_error(d, CODE_DB, a->path, "replica '%s' has a hash that is not 32 bytes",
				origin), GV_EPARSE);
	else
		err = rc == GV_STMT_DONE ? 0 : gva_db_error(a, d, "cannot read the replica");
	gv_stmt_finalize(st);
	return err;
}

static int rsrc_leaf(void *payload, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	gv_replica_src_ctx *c = payload;
	int r = replica_node(c->a, c->origin, 0, index, out, c->d);

	if (r == 0)
		return gv_error(c->d, CODE_TAMPER, c->a->path, "entry %" PRIu64 " of replica '%s' is "
				"missing", index, c->origin), GV_ESIG;
	return r < 0 ? r : GV_OK;
}

static int rsrc_subtree(void *payload, unsigned level, uint64_t index,
			unsigned char out[GV_HASH_LEN])
{
	gv_replica_src_ctx *c = payload;
	return replica_node(c->a, c->origin, level, index, out, c->d);
}

gv_merkle_src gv_replica_src(gv_replica_src_ctx *c)
{
	gv_merkle_src s = { rsrc_leaf, rsrc_subtree, c };
	return s;
}

int gv_replica_apply(gv_audit *a, gv_replica_write *w, gv_diags *d)
{
	gv_replica_state now;
	gv_stmt *ins = NULL, *node = NULL, *st = NULL;
	size_t i;
	int err, found;

	if ((w->pin_key && w->pin_payload &&
	     (err = gva_event_valid("sync.key_pinned", "", w->actor ? w->actor : "", w->pin_payload,
				d)) < 0) ||
	    (w->import_payload &&
	     (err = gva_event_valid("sync.imported", "", w->actor ? w->actor : "", w->import_payload,
				d)) < 0))
		return err;
	if ((err = gva_begin_write(a, d)) < 0)
		return err;
	if ((err = (a->db->ops->replica_schema(a->db) < 0 ? gva_db_error(a, d, "cannot create the replica tables") : GV_OK)) < 0)
		goto out;
	err = replica_state(a, w->origin, &now, d);
	if (err < 0 && err != GV_ENOTFOUND)
		goto out;
	found = err == GV_OK;
	if (found != w->exists || (found && (now.size != w->expect_size ||
					     (!w->pin_key && memcmp(now.pub, w->pub, GV_ED25519_PUB_LEN)))) ||
	    (!found && w->expect_size != 0)) {
		err = (gv_error(d, CODE_INPUT, a->path, "the replica of '%s' changed during the import; "
				"nothing was written, run the import again", w->origin), GV_ERROR);
		goto out;
	}
	if (w->pin_key) {
		if ((err = gva_prepare(a, &st, "INSERT INTO replica_key (origin, pubkey, added) VALUES "
				   "(?, ?, ?)", d)) < 0)
			goto out;
		gv_stmt_bind_text(st, 1, w->origin);
		gv_stmt_bind_blob(st, 2, w->pub, GV_ED25519_PUB_LEN);
		gv_stmt_bind_text(st, 3, w->now);
		if ((err = gva_step_done(a, st, d, "cannot write the replica key")) < 0)
			goto out;
		gv_stmt_finalize(st);
		st = NULL;
	}
	if ((err = gva_prepare(a, &ins, "INSERT INTO replica_entry (origin, seq, bytes, hash, time, "
			   "type, imported, latency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", d)) < 0 ||
	    (err = gva_prepare(a, &node, "INSERT INTO replica_node (origin, level, idx, hash) VALUES "
			   "(?, ?, ?, ?)", d)) < 0)
		goto out;
	for (i = 0; i < w->n; i++) {
		const gv_replica_entry *e = &w->entries[i];
		uint64_t seq = w->expect_size + i, count = seq + 1;
		unsigned char right[GV_HASH_LEN], left[GV_HASH_LEN];
		unsigned level;

		gv_stmt_bind_text(ins, 1, w->origin);
		gv_stmt_bind_int64(ins, 2, (int64_t)seq);
		gv_stmt_bind_blob(ins, 3, e->bytes, e->len);
		gv_stmt_bind_blob(ins, 4, e->hash, GV_HASH_LEN);
		gv_stmt_bind_text(ins, 5, e->time);
		gv_stmt_bind_text(ins, 6, e->type);
		gv_stmt_bind_text(ins, 7, w->now);
		gv_stmt_bind_int64(ins, 8, e->latency);
		if ((err = gva_step_done(a, ins, d, "cannot write the replica")) < 0)
			goto out;
		/* the subtrees this leaf completes, as add_nodes does for the log */
		memcpy(right, e->hash, GV_HASH_LEN);
		for (level = 1; level < 64 && count % ((uint64_t)1 << level) == 0; level++) {
			uint64_t idx = (count >> level) - 1;
			if ((err = replica_node(a, w->origin, level - 1, 2 * idx, left, d)) <= 0) {
				if (err == 0)
					err = (gv_error(d, CODE_DB, a->path, "replica '%s' is missing a tree "
							"node; run 'govgate audit verify'", w->origin),
					       GV_EPARSE);
				goto out;
			}
			gv_merkle_node_hash(right, left, right);
			gv_stmt_bind_text(node, 1, w->origin);
			gv_stmt_bind_int64(node, 2, (int64_t)level);
			gv_stmt_bind_int64(node, 3, (int64_t)idx);
			gv_stmt_bind_blob(node, 4, right, GV_HASH_LEN);
			if ((err = gva_step_done(a, node, d, "cannot write the replica tree")) < 0)
				goto out;
		}
	}
	if (!found || !now.has_checkpoint || now.cp_size != w->cp_size) {
		if ((err = gva_prepare(a, &st, "INSERT INTO replica_checkpoint (origin, size, root, note, "
				   "pubkey, imported) VALUES (?, ?, ?, ?, ?, ?)", d)) < 0)
			goto out;
		gv_stmt_bind_text(st, 1, w->origin);
		gv_stmt_bind_int64(st, 2, (int64_t)w->cp_size);
		gv_stmt_bind_blob(st, 3, w->cp_root, GV_HASH_LEN);
		gv_stmt_bind_text(st, 4, w->cp_note);
		gv_stmt_bind_blob(st, 5, w->pub, GV_ED25519_PUB_LEN);
		gv_stmt_bind_text(st, 6, w->now);
		if ((err = gva_step_done(a, st, d, "cannot write the replica checkpoint")) < 0)
			goto out;
		gv_stmt_finalize(st);
		st = NULL;
	}
	if ((err = gva_prepare(a, &st, "INSERT INTO replica_import (origin, time, from_size, to_size, "
			   "entries, announced) VALUES (?, ?, ?, ?, ?, ?)", d)) < 0)
		goto out;
	gv_stmt_bind_text(st, 1, w->origin);
	gv_stmt_bind_text(st, 2, w->now);
	gv_stmt_bind_int64(st, 3, (int64_t)w->expect_size);
	gv_stmt_bind_int64(st, 4, (int64_t)w->cp_size);
	gv_stmt_bind_int64(st, 5, (int64_t)w->n);
	gv_stmt_bind_int64(st, 6, (int64_t)w->announced);
	if ((err = gva_step_done(a, st, d, "cannot write the import record")) < 0)
		goto out;
	/* the local log's record of the pin and the import, in the same transaction */
	if (w->pin_key && w->pin_payload &&
	    (err = gva_append_locked(a, "sync.key_pinned", "", w->actor ? w->actor : "",
				 w->pin_payload, NULL, d)) < 0)
		goto out;
	if (w->import_payload &&
	    (err = gva_append_locked(a, "sync.imported", "", w->actor ? w->actor : "",
				 w->import_payload, &w->import_seq, d)) < 0)
		goto out;
	err = gva_commit(a, d);
out:
	gv_stmt_finalize(st);
	gv_stmt_finalize(ins);
	gv_stmt_finalize(node);
	if (err < 0)
		gva_rollback(a);
	return err;
}

/* The import of ex that brought replica entry seq; NULL when none did. */
static const gv_replica_import *import_of(const gv_replica_expect *ex, uint64_t seq)
{
	size_t i;

	for (i = 0; i < ex->nimports; i++)
		if (ex->imports[i].from <= seq && seq < ex->imports[i].to)
			return &ex->imports[i];
	return NULL;
}

/* Flags the first disagreement between the replica's rows and the local log. */
static void replica_mismatch(gva_vstate *vs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void replica_mismatch(gva_vstate *vs, const char *fmt, ...)
{
	va_list ap;

	if (vs->cp_bad)
		return;
	vs->cp_bad = 1;
	va_start(ap, fmt);
	gv_buf_vprintf(&vs->cp_msg, fmt, ap);
	va_end(ap);
}

/* The replica's key rows and import records against the local log's entries. */
static int replica_records(gv_audit *a, const char *origin, const gv_replica_expect *ex,
			   gva_vstate *vs, gv_diags *d)
{
	gv_stmt *st = NULL;
	size_t i = 0;
	int err, rc;

	if ((err = gva_prepare(a, &st, "SELECT pubkey FROM replica_key WHERE origin = ? ORDER BY id",
			   d)) < 0)
		return err;
	gv_stmt_bind_text(st, 1, origin);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const void *pk = gv_stmt_blob(st, 0);
		if (i >= ex->npins || gv_stmt_bytes(st, 0) != GV_ED25519_PUB_LEN || !pk ||
		    memcmp(pk, ex->pins[i], GV_ED25519_PUB_LEN))
			replica_mismatch(vs, "pinned key %zu does not match the log's sync.key_pinned "
					 "entries", i + 1);
		i++;
	}
	if (rc != GV_STMT_DONE)
		goto fail;
	if (i != ex->npins)
		replica_mismatch(vs, "the replica has %zu pinned keys but the log records %zu", i,
				 ex->npins);
	gv_stmt_finalize(st);
	if ((err = gva_prepare(a, &st, "SELECT time, from_size, to_size, entries, announced FROM "
			   "replica_import WHERE origin = ? ORDER BY id", d)) < 0)
		return err;
	gv_stmt_bind_text(st, 1, origin);
	i = 0;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *t = gv_stmt_text(st, 0);
		const gv_replica_import *im = i < ex->nimports ? &ex->imports[i] : NULL;
		if (!im || !t || strcmp((const char *)t, im->time) ||
		    gv_stmt_int64(st, 1) != (int64_t)im->from ||
		    gv_stmt_int64(st, 2) != (int64_t)im->to ||
		    gv_stmt_int64(st, 3) != (int64_t)im->entries ||
		    gv_stmt_int64(st, 4) != (int64_t)im->announced)
			replica_mismatch(vs, "import record %zu does not match the log's sync.imported "
					 "entries", i + 1);
		i++;
	}
	if (rc != GV_STMT_DONE)
		goto fail;
	if (i != ex->nimports)
		replica_mismatch(vs, "the replica has %zu import records but the log records %zu "
				 "imports", i, ex->nimports);
	gv_stmt_finalize(st);
	return GV_OK;
fail:
	err = gva_db_error(a, d, "cannot read the replica");
	gv_stmt_finalize(st);
	return err;
}

int gv_replica_verify(gv_audit *a, const char *origin, const gv_replica_expect *ex,
		      gv_audit_result *res, gv_diags *d)
{
	unsigned char stored[GV_HASH_LEN], row_root[GV_HASH_LEN], h[GV_HASH_LEN];
	gv_buf head = GV_BUF_INIT, where = GV_BUF_INIT, label = GV_BUF_INIT;
	gv_stmt *st = NULL;
	uint64_t pos = 0, max_cp = 0;
	size_t olen = strlen(origin);
	gva_vstate vs;
	int err, rc, any_cp = 0;

	memset(res, 0, sizeof(*res));
	gv_buf_printf(&label, "%s (replica of '%s')", a->path, origin);
	gva_vs_init(&vs, label.ptr, d);
	if ((err = gva_begin_read(a, d)) < 0)
		goto out;
	if ((err = replica_tables(a, d)) <= 0) {
		err = err < 0 ? err : (gv_error(d, CODE_INPUT, a->path, "no replica of '%s'", origin),
				       GV_ENOTFOUND);
		goto out;
	}
	if ((err = gva_prepare(a, &st, "SELECT seq, bytes, hash, time, type, imported, latency FROM "
			   "replica_entry WHERE origin = ? ORDER BY seq", d)) < 0)
		goto out;
	gv_stmt_bind_text(st, 1, origin);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t seq = gv_stmt_int64(st, 0);
		const char *bytes = gv_stmt_blob(st, 1);
		size_t len = (size_t)gv_stmt_bytes(st, 1);
		const char *t = gv_stmt_text(st, 3), *ty = gv_stmt_text(st, 4);
		const char *imp = gv_stmt_text(st, 5);
		const gv_replica_import *im = import_of(ex, pos);
		time_t te, ti;

		if (len > GV_AUDIT_MAX_ENTRY || gva_column_hash(st, 2, stored) < 0) {
			err = (gv_error(d, CODE_DB, label.ptr, "entry %lld is malformed (size or hash)",
					(long long)seq), GV_EPARSE);
			goto out;
		}
		if (seq < 0 || (uint64_t)seq != pos)
			gva_chain_fail(&vs, pos, 0, "entry %" PRIu64 " is missing or out of order (row seq "
				   "%lld)", pos, (long long)seq);
		/* its import time and sync latency are the local log's, not the row's */
		if (!im || !imp || strcmp((const char *)imp, im->time) || !t ||
		    gv_time_parse(&te, (const char *)t) < 0 || gv_time_parse(&ti, im->time) < 0 ||
		    gv_stmt_int64(st, 6) != (int64_t)(ti - te))
			replica_mismatch(&vs, "entry %" PRIu64 "'s import time or sync latency does not "
					 "match the log's sync.imported entries", pos);
		gv_buf_clear(&head);
		gv_buf_printf(&head, "{\"seq\":%" PRIu64 ",\"time\":", pos);
		gv_buf_json_str(&head, t ? (const char *)t : "\x01", t ? strlen((const char *)t) : 1);
		gv_buf_puts(&head, ",\"type\":");
		gv_buf_json_str(&head, ty ? (const char *)ty : "\x01", ty ? strlen((const char *)ty) : 1);
		gv_buf_puts(&head, ",\"deployment_id\":");
		gva_vs_entry(&vs, pos, bytes ? bytes : "", len, stored, &head);
		pos++;
	}
	if (rc != GV_STMT_DONE) {
		err = gva_db_error(a, d, "cannot read the replica");
		goto out;
	}
	gv_stmt_finalize(st);
	st = NULL;
	gva_vs_build(&vs);
	/* the cached subtrees */
	if ((err = gva_prepare(a, &st, "SELECT level, idx, hash FROM replica_node WHERE origin = ? "
			   "ORDER BY level, idx", d)) < 0)
		goto out;
	gv_stmt_bind_text(st, 1, origin);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t level = gv_stmt_int64(st, 0), idx = gv_stmt_int64(st, 1);
		if (level < 1 || level >= 63 || idx < 0 || gva_column_hash(st, 2, h) < 0) {
			err = (gv_error(d, CODE_DB, label.ptr, "the tree cache holds a malformed row"),
			       GV_EPARSE);
			goto out;
		}
		if ((unsigned)level >= vs.nlevels || ((uint64_t)(idx + 1) << level) > vs.n ||
		    memcmp(vs.levels[level][idx], h, GV_HASH_LEN)) {
			vs.node_bad = 1;
			vs.node_lo = (uint64_t)idx << level;
			vs.node_hi = ((uint64_t)(idx + 1) << level) - 1;
			break;
		}
	}
	if (rc != GV_STMT_ROW && rc != GV_STMT_DONE) {
		err = gva_db_error(a, d, "cannot read the replica tree");
		goto out;
	}
	gv_stmt_finalize(st);
	st = NULL;
	/* every checkpoint, under a key the auditor or the local log trusts */
	if ((err = gva_prepare(a, &st, "SELECT size, root, note, pubkey, imported FROM "
			   "replica_checkpoint WHERE origin = ? ORDER BY size", d)) < 0)
		goto out;
	gv_stmt_bind_text(st, 1, origin);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t size = gv_stmt_int64(st, 0);
		const char *note = (const char *)gv_stmt_text(st, 2);
		size_t nlen = (size_t)gv_stmt_bytes(st, 2), i;
		const void *pk = gv_stmt_blob(st, 3);
		const char *imp = gv_stmt_text(st, 4);
		uint64_t usize = (uint64_t)size;
		const gv_key *k = NULL;
		unsigned char kpub[GV_ED25519_PUB_LEN];
		int imported_ok = 0;

		gv_buf_clear(&where);
		gv_buf_printf(&where, "the checkpoint for size %lld", (long long)size);
		if (size < 0 || gva_column_hash(st, 1, row_root) < 0 || !note || !pk ||
		    gv_stmt_bytes(st, 3) != GV_ED25519_PUB_LEN) {
			replica_mismatch(&vs, "%s: malformed row", where.ptr);
			continue;
		}
		if (nlen <= olen || memcmp(note, origin, olen) || note[olen] != '\n') {
			replica_mismatch(&vs, "%s: its origin is not '%s'", where.ptr, origin);
			goto next;
		}
		/* the trusted key that opens it; else the first, to say who signed it */
		for (i = 0; i < ex->nkeys && !k; i++) {
			gv_diags tmp = GV_DIAGS_INIT;
			gv_checkpoint c;
			if (gv_checkpoint_open(&c, note, nlen, origin, ex->keys[i], label.ptr, &tmp) == 0)
				k = ex->keys[i];
			gv_checkpoint_release(&c);
			gv_diags_release(&tmp);
		}
		gva_vs_checkpoint(&vs, note, nlen, k ? k : ex->keys[0], where.ptr, &usize, row_root);
		if (k) {
			gv_key_raw_public(k, kpub);
			if (memcmp(kpub, pk, GV_ED25519_PUB_LEN))
				replica_mismatch(&vs, "%s: the key stored with it is not the key that "
						 "signed it", where.ptr);
		}
		for (i = 0; i < ex->nimports; i++)
			if (ex->imports[i].to == usize && imp &&
			    !strcmp((const char *)imp, ex->imports[i].time))
				imported_ok = 1;
		if (!imported_ok)
			replica_mismatch(&vs, "%s: no sync.imported entry of the log brought it at "
					 "its recorded time", where.ptr);
next:
		any_cp = 1;
		if (usize > max_cp)
			max_cp = usize;
	}
	if (rc != GV_STMT_DONE) {
		err = gva_db_error(a, d, "cannot read the replica checkpoints");
		goto out;
	}
	gv_stmt_finalize(st);
	st = NULL;
	if ((err = replica_records(a, origin, ex, &vs, d)) < 0)
		goto out;
	/* every replica entry was imported under a checkpoint that covers it */
	if ((err = gva_vs_finish(&vs, res)) == GV_OK && (!any_cp || max_cp < vs.n) && vs.n > 0) {
		res->tampered = 1;
		res->bad_lo = res->bad_hi = max_cp;
		res->bad_seq_known = 1;
		err = (gv_error(d, CODE_TAMPER, label.ptr, "audit log tampered at seq %" PRIu64 ": the "
				"replica holds %zu entries but no imported checkpoint covers more than %"
				PRIu64, max_cp, vs.n, max_cp), GV_ESIG);
	}
out:
	gv_stmt_finalize(st);
	gva_rollback(a);
	gva_vs_release(&vs);
	gv_buf_release(&head);
	gv_buf_release(&where);
	gv_buf_release(&label);
	return err;
}
