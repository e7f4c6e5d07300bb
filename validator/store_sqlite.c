/*
 * store_sqlite.c: the SQLite backend of store.h (the only file that
 * includes sqlite3.h): one file in WAL mode, synchronous=FULL, appends in
 * BEGIN IMMEDIATE transactions under a busy timeout, defensive settings
 * against hostile files.
 */
#include "store.h"
#include "alloc.h"
#include "gv.h"
#include "note.h"
#include "audit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#define CODE_DB "GV-A001"
#define SCHEMA_VERSION 1
#define APPLICATION_ID 0x47564741  /* "GVGA" */
#define BUSY_TIMEOUT_MS 60000

/*
 * The schema, version 1 (PRAGMA user_version = 1, application_id "GVGA"):
 *
 *   entry       one row per log entry. `bytes` is the entry line exactly as
 *               hashed and exported; `hash` its RFC 6962 leaf hash. time,
 *               type, deployment_id and actor repeat fields of `bytes` for
 *               filtering; verification checks they agree with it.
 *   tree_node   the hash of every complete subtree of 2^level leaves
 *               starting at leaf idx << level (level >= 1), written as
 *               entries arrive, so roots and proofs cost O(log n) lookups.
 *               A cache: verification recomputes it from the entries.
 *   checkpoint  every signed checkpoint, one per tree size, never replaced.
 *
 * Receipts are entries (type deployment.receipt, receipt.h), not a table of
 * their own: a `receipt` table left by an earlier version is never read.
 *
 * Triggers refuse UPDATE and DELETE: the log is append-only by construction
 * (someone with the file can drop them, which verification catches).
 * validator/sql/pg_schema.sql is the same schema for PostgreSQL.
 */
static const char schema_sql[] =
	"CREATE TABLE entry ("
	" seq INTEGER PRIMARY KEY,"
	" bytes BLOB NOT NULL,"
	" hash BLOB NOT NULL,"
	" time TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" deployment_id TEXT NOT NULL,"
	" actor TEXT NOT NULL);"
	"CREATE INDEX entry_deployment ON entry(deployment_id, seq);"
	"CREATE INDEX entry_type ON entry(type, seq);"
	"CREATE INDEX entry_time ON entry(time);"
	"CREATE TABLE tree_node ("
	" level INTEGER NOT NULL,"
	" idx INTEGER NOT NULL,"
	" hash BLOB NOT NULL,"
	" PRIMARY KEY (level, idx)) WITHOUT ROWID;"
	"CREATE TABLE checkpoint ("
	" size INTEGER PRIMARY KEY,"
	" root BLOB NOT NULL,"
	" origin TEXT NOT NULL,"
	" note TEXT NOT NULL,"
	" created TEXT NOT NULL);"
	"CREATE TRIGGER entry_no_update BEFORE UPDATE ON entry"
	" BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
	"CREATE TRIGGER entry_no_delete BEFORE DELETE ON entry"
	" BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
	"CREATE TRIGGER tree_node_no_update BEFORE UPDATE ON tree_node"
	" BEGIN SELECT RAISE(ABORT, 'audit tree nodes are append-only'); END;"
	"CREATE TRIGGER tree_node_no_delete BEFORE DELETE ON tree_node"
	" BEGIN SELECT RAISE(ABORT, 'audit tree nodes are append-only'); END;"
	"CREATE TRIGGER checkpoint_no_update BEFORE UPDATE ON checkpoint"
	" BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;"
	"CREATE TRIGGER checkpoint_no_delete BEFORE DELETE ON checkpoint"
	" BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;"
	"PRAGMA user_version = 1;"
	"PRAGMA application_id = 1196836673;";

/*
 * The replica tables (sync_store.h) are created by the first import, so a
 * log that never imports keeps exactly the version 1 schema above, and are
 * append-only like the rest:
 *
 *   replica_key         the public key pinned for an origin; a rotation
 *                       appends a row, the latest row is the current key.
 *   replica_entry       the other log's entries: bytes and hash exactly as
 *                       there, time and type from the bytes, when imported
 *                       and the sync latency (imported - time, seconds).
 *   replica_node        the subtree hash cache, as tree_node.
 *   replica_checkpoint  every checkpoint imported, with the raw key it
 *                       verified under.
 *   replica_import      one row per import that wrote something.
 */
static const char replica_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS replica_key ("
	" id INTEGER PRIMARY KEY,"
	" origin TEXT NOT NULL,"
	" pubkey BLOB NOT NULL,"
	" added TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS replica_key_origin ON replica_key(origin, id);"
	"CREATE TABLE IF NOT EXISTS replica_entry ("
	" origin TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" bytes BLOB NOT NULL,"
	" hash BLOB NOT NULL,"
	" time TEXT NOT NULL,"
	" type TEXT NOT NULL,"
	" imported TEXT NOT NULL,"
	" latency INTEGER NOT NULL,"
	" PRIMARY KEY (origin, seq));"
	"CREATE TABLE IF NOT EXISTS replica_node ("
	" origin TEXT NOT NULL,"
	" level INTEGER NOT NULL,"
	" idx INTEGER NOT NULL,"
	" hash BLOB NOT NULL,"
	" PRIMARY KEY (origin, level, idx)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS replica_checkpoint ("
	" origin TEXT NOT NULL,"
	" size INTEGER NOT NULL,"
	" root BLOB NOT NULL,"
	" note TEXT NOT NULL,"
	" pubkey BLOB NOT NULL,"
	" imported TEXT NOT NULL,"
	" PRIMARY KEY (origin, size));"
	"CREATE TABLE IF NOT EXISTS replica_import ("
	" id INTEGER PRIMARY KEY,"
	" origin TEXT NOT NULL,"
	" time TEXT NOT NULL,"
	" from_size INTEGER NOT NULL,"
	" to_size INTEGER NOT NULL,"
	" entries INTEGER NOT NULL,"
	" announced INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS replica_import_origin ON replica_import(origin, id);"
#define NO_CHANGE(t)                                                                     \
	"CREATE TRIGGER IF NOT EXISTS " t "_no_update BEFORE UPDATE ON " t                   \
	" BEGIN SELECT RAISE(ABORT, 'replica rows are append-only'); END;"                   \
	"CREATE TRIGGER IF NOT EXISTS " t "_no_delete BEFORE DELETE ON " t                   \
	" BEGIN SELECT RAISE(ABORT, 'replica rows are append-only'); END;"
	NO_CHANGE("replica_key") NO_CHANGE("replica_entry") NO_CHANGE("replica_node")
	NO_CHANGE("replica_checkpoint") NO_CHANGE("replica_import");
#undef NO_CHANGE

typedef struct lite {
	gv_store base;
	sqlite3 *db;
} lite;

typedef struct lstmt {
	gv_stmt base;
	sqlite3_stmt *st;
} lstmt;

#define DB(s) (((lite *)(s))->db)
#define ST(s) (((lstmt *)(s))->st)

static void l_bind_int64(gv_stmt *s, int i, int64_t v) { sqlite3_bind_int64(ST(s), i, v); }
static void l_bind_text(gv_stmt *s, int i, const char *t)
{
	sqlite3_bind_text(ST(s), i, t, -1, SQLITE_TRANSIENT);
}
static void l_bind_blob(gv_stmt *s, int i, const void *p, size_t n)
{
	sqlite3_bind_blob(ST(s), i, n ? p : "", (int)n, SQLITE_TRANSIENT);
}
static int l_step(gv_stmt *s)
{
	int rc = sqlite3_step(ST(s));
	return rc == SQLITE_ROW ? GV_STMT_ROW : rc == SQLITE_DONE ? GV_STMT_DONE : GV_STMT_ERROR;
}
static void l_reset(gv_stmt *s) { sqlite3_reset(ST(s)); }
static void l_finalize(gv_stmt *s)
{
	sqlite3_finalize(ST(s));
	free(s);
}
static int l_type(gv_stmt *s, int c)
{
	switch (sqlite3_column_type(ST(s), c)) {
	case SQLITE_INTEGER: return GV_COL_INT;
	case SQLITE_TEXT: return GV_COL_TEXT;
	case SQLITE_BLOB: return GV_COL_BLOB;
	case SQLITE_NULL: return GV_COL_NULL;
	default: return GV_COL_TEXT;  /* a float: neither a hash nor bytes */
	}
}
static int64_t l_int64(gv_stmt *s, int c) { return sqlite3_column_int64(ST(s), c); }
static const void *l_blob(gv_stmt *s, int c) { return sqlite3_column_blob(ST(s), c); }
static const char *l_text(gv_stmt *s, int c) { return (const char *)sqlite3_column_text(ST(s), c); }
static size_t l_bytes(gv_stmt *s, int c) { return (size_t)sqlite3_column_bytes(ST(s), c); }

static const gv_stmt_ops lstmt_ops = {
	l_bind_int64, l_bind_text, l_bind_blob, l_step, l_reset, l_finalize,
	l_type, l_int64, l_blob, l_text, l_bytes,
};

static void l_close(gv_store *s)
{
	if (!s)
		return;
	sqlite3_close(DB(s));
	free(s->name);
	free(s);
}

static int l_exec(gv_store *s, const char *sql)
{
	return sqlite3_exec(DB(s), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int l_prepare(gv_store *s, gv_stmt **out, const char *sql)
{
	lstmt *st;
	sqlite3_stmt *raw;

	*out = NULL;
	if (sqlite3_prepare_v2(DB(s), sql, -1, &raw, NULL) != SQLITE_OK)
		return -1;
	st = gv_xcalloc(1, sizeof(*st));
	st->base.ops = &lstmt_ops;
	st->st = raw;
	*out = &st->base;
	return 0;
}

static int l_begin_read(gv_store *s) { return l_exec(s, "BEGIN"); }
static int l_begin_write(gv_store *s) { return l_exec(s, "BEGIN IMMEDIATE"); }
static int l_commit(gv_store *s) { return l_exec(s, "COMMIT"); }
static void l_rollback(gv_store *s)
{
	if (!sqlite3_get_autocommit(DB(s)))
		sqlite3_exec(DB(s), "ROLLBACK", NULL, NULL, NULL);
}
static int l_replica_schema(gv_store *s) { return l_exec(s, replica_schema_sql); }

static int l_count(gv_store *s, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(DB(s), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int l_replica_tables(gv_store *s)
{
	int64_t n;

	if (l_count(s, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
		    "name = 'replica_key'", &n) < 0)
		return -1;
	return n > 0;
}

static const char *l_errmsg(gv_store *s) { return sqlite3_errmsg(DB(s)); }
static gv_store_err l_errclass(gv_store *s)
{
	int rc = sqlite3_errcode(DB(s));

	if (rc == SQLITE_TOOBIG)
		return GV_STORE_ETOOBIG;
	return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT || rc == SQLITE_ERROR ?
	       GV_STORE_EFORMAT : GV_STORE_EIO;
}

static const gv_store_ops lite_ops = {
	"sqlite", l_close, l_exec, l_prepare, l_begin_read, l_begin_write, l_commit,
	l_rollback, l_replica_schema, l_replica_tables, l_errmsg, l_errclass,
};

static int db_error(gv_store *s, gv_diags *d, const char *what)
{
	gv_store_err c = l_errclass(s);

	gv_error(d, CODE_DB, s->name, "%s: %s", what, l_errmsg(s));
	return c == GV_STORE_ETOOBIG ? GV_ELIMIT : c == GV_STORE_EFORMAT ? GV_EPARSE : GV_EIO;
}

static int pragma_int(gv_store *s, const char *sql, int64_t *out, gv_diags *d)
{
	if (l_count(s, sql, out) < 0)
		return db_error(s, d, "cannot read the database");
	return GV_OK;
}

/* Checks (or, when create, writes) the schema under an immediate lock. */
static int check_schema(gv_store *s, int create, gv_diags *d)
{
	int64_t version, appid, count;
	int err = GV_OK;

	if (create && l_exec(s, "BEGIN IMMEDIATE") < 0)
		return db_error(s, d, "database error");
	if ((err = pragma_int(s, "PRAGMA user_version", &version, d)) < 0 ||
	    (err = pragma_int(s, "PRAGMA application_id", &appid, d)) < 0 ||
	    (err = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &count, d)) < 0)
		goto out;
	if (version == 0 && appid == 0 && count == 0) {
		if (!create) {
			gv_error(d, CODE_DB, s->name, "not a govgate audit log (empty database)");
			err = GV_EPARSE;
			goto out;
		}
		if (l_exec(s, schema_sql) < 0) {
			err = db_error(s, d, "database error");
			goto out;
		}
	} else if (appid != APPLICATION_ID) {
		gv_error(d, CODE_DB, s->name, "not a govgate audit log (application id %#" PRIx64 ")",
			 (uint64_t)appid);
		err = GV_EPARSE;
		goto out;
	} else if (version != SCHEMA_VERSION) {
		gv_error(d, CODE_DB, s->name,
			 "audit log schema version %" PRId64 " is not supported (this govgate reads %d)",
			 version, SCHEMA_VERSION);
		err = GV_EPARSE;
		goto out;
	}
	if (create && l_exec(s, "COMMIT") < 0)
		err = db_error(s, d, "database error");
out:
	if (err < 0)
		l_rollback(s);
	return err;
}

/*
 * Switches to WAL. When several writers create the log at once, the switch
 * can fail with SQLITE_BUSY without the busy handler being asked, so it is
 * retried here for as long as the busy timeout.
 */
static int set_wal(gv_store *s, gv_diags *d)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int i, rc = SQLITE_OK;

	for (i = 0; i * 20 < BUSY_TIMEOUT_MS; i++) {
		rc = sqlite3_exec(DB(s), "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		nanosleep(&pause, NULL);
	}
	if (rc != SQLITE_OK)
		return db_error(s, d, "cannot switch the log to WAL mode");
	return GV_OK;
}

int gv_store_sqlite_open(gv_store **out, const char *path, int create, gv_diags *d)
{
	lite *l;
	gv_store *s;
	struct stat sb;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, err;

	*out = NULL;
	if (!create && stat(path, &sb) < 0)
		return gv_error(d, CODE_DB, path, "cannot open the audit log: %s", strerror(errno)),
		       GV_EIO;
	if (!create && !S_ISREG(sb.st_mode))
		return gv_error(d, CODE_DB, path, "cannot open the audit log: not a regular file"),
		       GV_EIO;
	l = gv_xcalloc(1, sizeof(*l));
	s = &l->base;
	s->ops = &lite_ops;
	s->name = gv_xstrdup(path);
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &l->db, flags, NULL) != SQLITE_OK) {
		/* a read-only file can still be read */
		if (!create && l->db) {
			sqlite3_close(l->db);
			l->db = NULL;
			if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
				goto opened;
		}
		err = l->db ? db_error(s, d, "cannot open the audit log") :
			      (gv_error(d, CODE_DB, path, "cannot open the audit log"), GV_EIO);
		l_close(s);
		return err;
	}
opened:
	sqlite3_extended_result_codes(l->db, 0);
	sqlite3_busy_timeout(l->db, BUSY_TIMEOUT_MS);
	/* hostile files: no schema-borne code, bounded rows */
	sqlite3_db_config(l->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(l->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_limit(l->db, SQLITE_LIMIT_LENGTH, GV_AUDIT_MAX_ENTRY + GV_NOTE_MAX);
	if (create && (err = set_wal(s, d)) < 0)
		goto fail;
	if (l_exec(s, "PRAGMA synchronous=FULL") < 0) {
		err = db_error(s, d, "database error");
		goto fail;
	}
	if ((err = check_schema(s, create, d)) < 0)
		goto fail;
	*out = s;
	return GV_OK;
fail:
	l_close(s);
	return err;
}
