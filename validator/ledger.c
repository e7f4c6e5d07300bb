/*
 * ledger.c: see ledger.h. Written against store.h alone: the same code
 * copies SQLite to PostgreSQL, PostgreSQL to SQLite, or either to itself.
 */
#include "ledger.h"
#include "store.h"
#include "gv.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define CODE_DB "GV-A001"

/*
 * The tables and columns copied, in order; types: i integer, b bytes, t
 * text. Replica ids are not copied: the destination numbers the rows in
 * the same order, and only their order is read.
 */
static const struct table {
	const char *name, *cols, *types, *order;
	int replica;
} tables[] = {
	{ "entry", "seq, bytes, hash, time, type, deployment_id, actor", "ibbtttt", "seq", 0 },
	{ "tree_node", "level, idx, hash", "iib", "level, idx", 0 },
	{ "checkpoint", "size, root, origin, note, created", "ibttt", "size", 0 },
	{ "replica_key", "origin, pubkey, added", "tbt", "id", 1 },
	{ "replica_entry", "origin, seq, bytes, hash, time, type, imported, latency", "tibbttti",
	  "origin, seq", 1 },
	{ "replica_node", "origin, level, idx, hash", "tiib", "origin, level, idx", 1 },
	{ "replica_checkpoint", "origin, size, root, note, pubkey, imported", "tibtbt",
	  "origin, size", 1 },
	{ "replica_import", "origin, time, from_size, to_size, entries, announced", "ttiiii", "id", 1 },
};

static int store_error(gv_store *s, gv_diags *d, const char *what)
{
	gv_error(d, CODE_DB, s->name, "%s: %s", what, s->ops->errmsg(s));
	return s->ops->errclass(s) == GV_STORE_EFORMAT ? GV_EPARSE : GV_EIO;
}

/* Rows in a table of the destination (-1 on error). */
static int64_t count_rows(gv_store *s, const char *table)
{
	char sql[96];
	gv_stmt *st;
	int64_t n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (s->ops->prepare(s, &st, sql) < 0)
		return -1;
	if (gv_stmt_step(st) == GV_STMT_ROW)
		n = gv_stmt_int64(st, 0);
	gv_stmt_finalize(st);
	return n;
}

static int copy_table(gv_store *src, gv_store *dst, const struct table *t, uint64_t *rows,
		      gv_diags *d)
{
	char sel[256], ins[320], marks[64];
	gv_stmt *r = NULL, *w = NULL;
	size_t ncols = strlen(t->types), k;
	int rc, err = GV_OK;

	marks[0] = '\0';
	for (k = 0; k < ncols; k++)
		strcat(marks, k ? ", ?" : "?");  /* at most 8 columns: 22 bytes */
	snprintf(sel, sizeof(sel), "SELECT %s FROM %s ORDER BY %s", t->cols, t->name, t->order);
	snprintf(ins, sizeof(ins), "INSERT INTO %s (%s) VALUES (%s)", t->name, t->cols, marks);
	if (src->ops->prepare(src, &r, sel) < 0)
		return store_error(src, d, "cannot read the log");
	if (dst->ops->prepare(dst, &w, ins) < 0) {
		gv_stmt_finalize(r);
		return store_error(dst, d, "cannot write the copy");
	}
	while ((rc = gv_stmt_step(r)) == GV_STMT_ROW) {
		for (k = 0; k < ncols; k++) {
			int c = (int)k;
			if (t->types[k] == 'i')
				gv_stmt_bind_int64(w, c + 1, gv_stmt_int64(r, c));
			else if (t->types[k] == 'b')
				gv_stmt_bind_blob(w, c + 1, gv_stmt_blob(r, c), gv_stmt_bytes(r, c));
			else
				gv_stmt_bind_text(w, c + 1, gv_stmt_text(r, c) ? gv_stmt_text(r, c) : "");
		}
		if (gv_stmt_step(w) != GV_STMT_DONE) {
			err = store_error(dst, d, "cannot write the copy");
			break;
		}
		gv_stmt_reset(w);
		(*rows)++;
	}
	if (!err && rc != GV_STMT_DONE)
		err = store_error(src, d, "cannot read the log");
	gv_stmt_finalize(r);
	gv_stmt_finalize(w);
	return err;
}

int gv_ledger_copy(gv_audit *from, gv_audit *to, gv_ledger_copied *n, gv_diags *d)
{
	gv_store *src = gv_audit_store(from), *dst = gv_audit_store(to);
	int has_replicas, dst_replicas, err = GV_OK;
	size_t i;

	memset(n, 0, sizeof(*n));
	if (src->ops->begin_read(src) < 0)
		return store_error(src, d, "cannot read the log");
	if ((has_replicas = src->ops->replica_tables(src)) < 0) {
		err = store_error(src, d, "cannot read the log");
		goto out;
	}
	if (dst->ops->begin_write(dst) < 0) {
		err = store_error(dst, d, "cannot write the copy");
		goto out;
	}
	if (has_replicas && dst->ops->replica_schema(dst) < 0) {
		err = store_error(dst, d, "cannot create the replica tables");
		goto out;
	}
	if ((dst_replicas = dst->ops->replica_tables(dst)) < 0) {
		err = store_error(dst, d, "cannot read the copy");
		goto out;
	}
	/* only into an empty log: a copy never merges two logs */
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		int64_t c;
		if (tables[i].replica && !dst_replicas)
			continue;
		if ((c = count_rows(dst, tables[i].name)) != 0) {
			err = c < 0 ? store_error(dst, d, "cannot read the copy") :
			      (gv_error(d, "GV-A003", dst->name, "the destination already holds a log "
					"(%" PRId64 " rows in %s); copy into an empty database", c,
					tables[i].name), GV_ERROR);
			goto out;
		}
	}
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		uint64_t *rows = i == 0 ? &n->entries : i == 1 ? &n->nodes : i == 2 ? &n->checkpoints :
				 &n->replica_rows;
		if (tables[i].replica && !has_replicas)
			continue;
		if ((err = copy_table(src, dst, &tables[i], rows, d)) < 0)
			goto out;
	}
	if (dst->ops->commit(dst) < 0)
		err = store_error(dst, d, "cannot commit the copy");
out:
	dst->ops->rollback(dst);
	src->ops->rollback(src);
	return err;
}
