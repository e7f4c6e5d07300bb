/*
 * store.h: the storage interface under the audit log. audit.c (the log:
 * entries, chain, tree, checkpoints, proofs, verification) and replica.c
 * (sync_store.h) speak one portable dialect of SQL through this vtable; a
 * backend supplies the connection, the transactions and their
 * serialisation point, the schema, and typed statements:
 *
 *   store_sqlite.c  a SQLite file (the only sqlite3.h user)
 *   store_pg.c      a PostgreSQL database (the only libpq-fe.h user)
 *
 * The dialect: `?` or `?N` placeholders, integers read and written as
 * int64, blobs (bytea) for bytes and hashes, text for text; no
 * backend-specific function. Transactions are the backend's: begin_write
 * takes the one lock every append holds (so seq numbers stay dense and the
 * chain linear however many processes append), begin_read a consistent
 * snapshot.
 *
 * Which backend a target names: a "postgresql://" or "postgres://" URI, or
 * a libpq key=value string (one that contains '=' and starts with a key
 * such as host=, dbname=, user=, service=), is PostgreSQL; anything else is
 * a SQLite file path (gv_store_is_pg).
 *
 * Ownership: a gv_store is closed with its close op; a gv_stmt with
 * gv_stmt_finalize (NULL ok). Column pointers are valid until the next
 * step, reset or finalize of that statement.
 */
#ifndef GV_STORE_H
#define GV_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef struct gv_store gv_store;
typedef struct gv_stmt gv_stmt;

enum { GV_STMT_ERROR = -1, GV_STMT_DONE = 0, GV_STMT_ROW = 1 };
enum { GV_COL_NULL, GV_COL_INT, GV_COL_TEXT, GV_COL_BLOB };

typedef struct gv_stmt_ops {
	void (*bind_int64)(gv_stmt *st, int i, int64_t v);
	void (*bind_text)(gv_stmt *st, int i, const char *s);   /* copied */
	void (*bind_blob)(gv_stmt *st, int i, const void *p, size_t n);  /* copied */
	int (*step)(gv_stmt *st);        /* GV_STMT_ROW, GV_STMT_DONE or GV_STMT_ERROR */
	void (*reset)(gv_stmt *st);      /* ready to run again, bindings kept */
	void (*finalize)(gv_stmt *st);
	int (*type)(gv_stmt *st, int col);
	int64_t (*int64)(gv_stmt *st, int col);
	const void *(*blob)(gv_stmt *st, int col);   /* NULL for SQL NULL */
	const char *(*text)(gv_stmt *st, int col);   /* NUL-terminated; NULL for SQL NULL */
	size_t (*bytes)(gv_stmt *st, int col);
} gv_stmt_ops;

struct gv_stmt {
	const gv_stmt_ops *ops;
};

/* What went wrong last, as the log reports it. */
typedef enum { GV_STORE_EIO, GV_STORE_EFORMAT, GV_STORE_ETOOBIG, GV_STORE_ECONN } gv_store_err;

typedef struct gv_store_ops {
	const char *name;  /* "sqlite" or "postgresql" */
	void (*close)(gv_store *s);
	/* runs one or more statements without results; 0 or -1 */
	int (*exec)(gv_store *s, const char *sql);
	/* 0 or -1 (the message is errmsg's) */
	int (*prepare)(gv_store *s, gv_stmt **out, const char *sql);
	int (*begin_read)(gv_store *s);
	int (*begin_write)(gv_store *s);   /* the serialisation point of appends */
	int (*commit)(gv_store *s);
	void (*rollback)(gv_store *s);     /* no-op outside a transaction */
	/* creates the replica tables if missing (SQLite: on the first import) */
	int (*replica_schema)(gv_store *s);
	/* whether the replica tables exist: 1, 0, or -1 */
	int (*replica_tables)(gv_store *s);
	const char *(*errmsg)(gv_store *s);
	gv_store_err (*errclass)(gv_store *s);
} gv_store_ops;

struct gv_store {
	const gv_store_ops *ops;
	char *name;  /* for messages: the path, or the URI without its password */
};

/* Whether target names a PostgreSQL database rather than a SQLite file. */
int gv_store_is_pg(const char *target);

/*
 * Opens target with the backend it names. create: make the database and
 * its schema when they do not exist (PostgreSQL: the schema, in a database
 * that must exist). Returns GV_OK or a negative GV_E* code with the detail
 * in the diags (code GV-A001, located at the target).
 */
int gv_store_open(gv_store **out, const char *target, int create, gv_diags *d);
int gv_store_sqlite_open(gv_store **out, const char *path, int create, gv_diags *d);
int gv_store_pg_open(gv_store **out, const char *conninfo, int create, gv_diags *d);

/*
 * PostgreSQL only: the schema and the three roles (govgate_writer,
 * govgate_checkpointer, govgate_auditor) with their grants, idempotently
 * (validator/sql/pg_schema.sql, pg_roles.sql). GV_EUSAGE for a SQLite target.
 */
int gv_store_pg_init(const char *conninfo, gv_diags *d);

/* The store under an open log (for ledger.c, which copies logs row by row). */
struct gv_audit;
gv_store *gv_audit_store(struct gv_audit *a);

static inline void gv_stmt_bind_int64(gv_stmt *st, int i, int64_t v) { st->ops->bind_int64(st, i, v); }
static inline void gv_stmt_bind_text(gv_stmt *st, int i, const char *s) { st->ops->bind_text(st, i, s); }
static inline void gv_stmt_bind_blob(gv_stmt *st, int i, const void *p, size_t n) { st->ops->bind_blob(st, i, p, n); }
static inline int gv_stmt_step(gv_stmt *st) { return st->ops->step(st); }
static inline void gv_stmt_reset(gv_stmt *st) { st->ops->reset(st); }
static inline void gv_stmt_finalize(gv_stmt *st) { if (st) st->ops->finalize(st); }
static inline int gv_stmt_type(gv_stmt *st, int c) { return st->ops->type(st, c); }
static inline int64_t gv_stmt_int64(gv_stmt *st, int c) { return st->ops->int64(st, c); }
static inline const void *gv_stmt_blob(gv_stmt *st, int c) { return st->ops->blob(st, c); }
static inline const char *gv_stmt_text(gv_stmt *st, int c) { return st->ops->text(st, c); }
static inline size_t gv_stmt_bytes(gv_stmt *st, int c) { return st->ops->bytes(st, c); }

#endif
