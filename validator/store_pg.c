/*
 * store_pg.c: the PostgreSQL backend of store.h (the only file that
 * includes libpq-fe.h).
 *
 * Appends serialise on a transaction-scoped advisory lock
 * (pg_advisory_xact_lock) taken first in every write transaction: the
 * writer role needs no UPDATE privilege (SELECT ... FOR UPDATE on a head
 * row would), the lock is released by COMMIT or ROLLBACK and by the server
 * when a writer's connection dies (a SIGKILL'd writer leaves its
 * transaction rolled back and the lock free), and the transaction stays
 * READ COMMITTED, so the statements after the lock see every entry
 * committed before it. The lock is per database: one ledger per database.
 * Commits are durable (synchronous_commit = on, set on every connection).
 *
 * Reads run in REPEATABLE READ transactions: one snapshot, as SQLite's.
 * Statements use the extended protocol (PQsendQueryParams) with typed
 * parameters and binary results; `?N` placeholders become `$k`, numbered
 * densely in the order of N, so an unused N needs no type.
 *
 * Results stream: a statement runs in libpq's single-row mode and each step
 * takes one row off the connection (PQgetResult), so `audit verify` over a
 * million entries holds one row at a time, as SQLite does. One statement at
 * a time can stream on a connection: when another command needs it while a
 * statement is mid-stream, the rest of that statement's rows are read into
 * its own queue first ("parked"), so interleaved statements still work,
 * holding in memory only what was parked. A statement reset or finalized
 * before its last row reads and drops the rest, which leaves the connection
 * ready for the next command.
 *
 * libpq is loaded with dlopen the first time a PostgreSQL target is opened:
 * linked in, it would load Kerberos, LDAP and shared OpenSSL into every
 * govgate process, and a one-manifest check would start four times slower.
 *
 * Connecting is retried for $GOVGATE_DB_RETRY_SECONDS (30 by default) while
 * the server is down or recovering: nothing has been sent then, so a retry
 * is always safe. A connection lost inside a transaction is not retried:
 * the statement fails and the command exits 2 (docs/LEDGER.md).
 */
#include "store.h"
#include "alloc.h"
#include "buf.h"
#include "gv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <poll.h>

#include <dlfcn.h>
#include <pthread.h>

#include <libpq-fe.h>  /* types and prototypes: libpq itself is opened at run time */

#include "pg_sql.h"  /* generated from validator/sql/ by the Makefile */

#define CODE_DB "GV-A001"
#define APPLICATION_ID 1196836673
#define SCHEMA_VERSION 1
#define APPEND_LOCK "1196836673"  /* "GVGA", the advisory lock key */
#define MAX_PARAMS 16
#define MAX_PREPARED 64           /* server-side prepared statements kept */
#define RETRY_ENV "GOVGATE_DB_RETRY_SECONDS"  /* how long to retry connecting */
#define RETRY_DEFAULT 30          /* seconds: a restart, a crash recovery */

#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_VARCHAR 1043

/* --- libpq, opened at run time ------------------------------------------- */

#define PQ_FUNCS(X) X(PQclear) X(PQconnectStartParams) X(PQconnectPoll) X(PQsocket) \
	X(PQconnectionNeedsPassword) X(PQconninfoFree) X(PQconninfoParse) X(PQerrorMessage) \
	X(PQescapeIdentifier) X(PQexec) X(PQexecParams) X(PQexecPrepared) X(PQfinish) \
	X(PQfreemem) X(PQftype) X(PQgetisnull) X(PQgetlength) X(PQgetvalue) X(PQnfields) \
	X(PQntuples) X(PQprepare) X(PQresultErrorField) X(PQresultErrorMessage) \
	X(PQresultStatus) X(PQsetNoticeProcessor) X(PQstatus) X(PQtransactionStatus) \
	X(PQsendQueryParams) X(PQsendQueryPrepared) X(PQsetSingleRowMode) X(PQgetResult)

static struct {
#define PQ_FIELD(f) __typeof__(f) *f;
	PQ_FUNCS(PQ_FIELD)
#undef PQ_FIELD
} pq;
static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static char pq_error[256];  /* why libpq could not be loaded; "" when it was */

static void pq_load(void)
{
	static const char *const names[] = { "libpq.so.5", "libpq.so", NULL };
	void *h = NULL;
	size_t i;

	for (i = 0; names[i] && !h; i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(pq_error, sizeof(pq_error), "PostgreSQL needs libpq (Debian: libpq5): %s",
			 dlerror());
		return;
	}
#define PQ_SYM(f)                                                                        \
	if (!pq_error[0] && !(*(void **)&pq.f = dlsym(h, #f)))                             \
		snprintf(pq_error, sizeof(pq_error), "libpq has no %s", #f);
	PQ_FUNCS(PQ_SYM)
#undef PQ_SYM
}

/* GV_OK, or GV_EIO with the reason located at the target. */
static int pq_ready(const char *name, gv_diags *d)
{
	pthread_once(&pq_once, pq_load);
	if (pq_error[0])
		return gv_error(d, CODE_DB, name, "cannot open the audit log: %s", pq_error), GV_EIO;
	return GV_OK;
}


typedef struct pgs {
	gv_store base;
	PGconn *c;
	gv_buf err;
	char state[6];  /* SQLSTATE of the last error */
	int writing;    /* inside begin_write */
	struct {
		char *sql;     /* statement "gN" of this connection */
		int prepared;  /* on the server yet */
	} seen[MAX_PREPARED];
	int nseen;
	struct pstmt *active;  /* the statement whose rows are on the wire */
} pgs;

typedef struct param {
	int set;
	unsigned oid;
	gv_buf v;
	char i8[8];
} param;

typedef struct pstmt {
	gv_stmt base;
	pgs *s;
	char *sql;        /* with $k placeholders */
	int nparams;      /* distinct $k */
	int slot[MAX_PARAMS + 1];  /* ?N -> k (1-based) or 0 */
	param p[MAX_PARAMS + 1];   /* by N */
	PGresult *res;    /* the current row's result */
	int row, nrows, ran;
	int streaming;    /* this is s->active */
	int over;         /* the last result was read: step returns final */
	int final;        /* GV_STMT_DONE or GV_STMT_ERROR */
	PGresult **q;     /* parked results, read before the connection's */
	size_t qhead, qlen, qcap;
} pstmt;

#define PS(x) ((pstmt *)(x))

static void set_err(pgs *s, const PGresult *r, const char *fallback)
{
	const char *m = r ? pq.PQresultErrorMessage(r) : NULL;
	const char *st = r ? pq.PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	size_t n;

	if (!m || !*m)
		m = pq.PQerrorMessage(s->c);
	if (!m || !*m)
		m = fallback;
	gv_buf_clear(&s->err);
	gv_buf_puts(&s->err, m);
	/* one line: libpq ends messages with a newline */
	while ((n = s->err.len) > 0 && (s->err.ptr[n - 1] == '\n' || s->err.ptr[n - 1] == ' '))
		s->err.ptr[--s->err.len] = '\0';
	for (n = 0; n < s->err.len; n++)
		if (s->err.ptr[n] == '\n' || s->err.ptr[n] == '\t')
			s->err.ptr[n] = ' ';
	snprintf(s->state, sizeof(s->state), "%s", st ? st : "");
}

/* --- statements ---------------------------------------------------------- */

static void p_bind(gv_stmt *st, int i, unsigned oid, const void *v, size_t n)
{
	param *p;

	if (i < 1 || i > MAX_PARAMS)
		return;
	p = &PS(st)->p[i];
	p->set = 1;
	p->oid = oid;
	gv_buf_clear(&p->v);
	gv_buf_add(&p->v, n ? v : "", n);
}

static void p_bind_int64(gv_stmt *st, int i, int64_t v)
{
	uint64_t u = (uint64_t)v;
	char be[8];
	int k;

	for (k = 7; k >= 0; k--, u >>= 8)
		be[k] = (char)(u & 0xff);
	p_bind(st, i, OID_INT8, be, 8);
}

static void p_bind_text(gv_stmt *st, int i, const char *s) { p_bind(st, i, OID_TEXT, s, strlen(s)); }
static void p_bind_blob(gv_stmt *st, int i, const void *v, size_t n) { p_bind(st, i, OID_BYTEA, v, n); }

/* Reads the rest of st's results off the connection into its queue. */
static void park(pstmt *st)
{
	PGresult *r;

	while ((r = pq.PQgetResult(st->s->c))) {
		if (st->qlen == st->qcap) {
			st->qcap = st->qcap ? st->qcap * 2 : 64;
			st->q = gv_xrealloc(st->q, st->qcap * sizeof(*st->q));
		}
		st->q[st->qlen++] = r;
	}
	st->streaming = 0;
	st->s->active = NULL;
}

/* Before any other command on the connection: park the streaming statement. */
static void settle(pgs *s)
{
	if (s->active)
		park(s->active);
}

/* Drops whatever st has not returned yet: its queue and its rows on the wire. */
static void drop_rest(pstmt *st)
{
	PGresult *r;

	if (st->streaming) {
		while ((r = pq.PQgetResult(st->s->c)))
			pq.PQclear(r);
		st->streaming = 0;
		st->s->active = NULL;
	}
	while (st->qhead < st->qlen)
		pq.PQclear(st->q[st->qhead++]);
	st->qhead = st->qlen = 0;
	pq.PQclear(st->res);
	st->res = NULL;
}

/*
 * Sends a statement (1 sent, 0 not: the error is set); the second time this
 * connection runs the same text it is prepared on the server (parsed and
 * planned once from then on: a library writer runs the same few statements
 * again and again, while a one-append process would only pay a round trip
 * more). At most MAX_PREPARED texts are remembered.
 */
static int send_stmt(pgs *s, const char *sql, int n, const Oid *types, const char *const *vals,
		     const int *lens, const int *fmts)
{
	char name[16];
	int i, ok;

	for (i = 0; i < s->nseen; i++)
		if (!strcmp(s->seen[i].sql, sql))
			break;
	if (i == s->nseen) {
		if (s->nseen < MAX_PREPARED) {
			s->seen[s->nseen].sql = gv_xstrdup(sql);
			s->seen[s->nseen++].prepared = 0;
		}
		ok = pq.PQsendQueryParams(s->c, sql, n, types, vals, lens, fmts, 1);
	} else {
		snprintf(name, sizeof(name), "g%d", i);
		if (!s->seen[i].prepared) {
			PGresult *r = pq.PQprepare(s->c, name, sql, n, types);
			if (!r || pq.PQresultStatus(r) != PGRES_COMMAND_OK) {
				set_err(s, r, "the database connection failed");
				pq.PQclear(r);
				return 0;
			}
			pq.PQclear(r);
			s->seen[i].prepared = 1;
		}
		ok = pq.PQsendQueryPrepared(s->c, name, n, vals, lens, fmts, 1);
	}
	if (!ok) {
		set_err(s, NULL, "the database connection failed");
		return 0;
	}
	/* if single-row mode is refused the whole result comes at once: still correct */
	(void)pq.PQsetSingleRowMode(s->c);
	return 1;
}

/* The next result of st: parked, or off the connection; NULL after the last. */
static PGresult *next_result(pstmt *st)
{
	PGresult *r = NULL;

	if (st->qhead < st->qlen) {
		r = st->q[st->qhead++];
		if (st->qhead == st->qlen)
			st->qhead = st->qlen = 0;
	} else if (st->streaming) {
		r = pq.PQgetResult(st->s->c);
		if (!r) {
			st->streaming = 0;
			st->s->active = NULL;
		}
	}
	return r;
}

static int p_step(gv_stmt *x)
{
	pstmt *st = PS(x);
	const char *vals[MAX_PARAMS];
	int lens[MAX_PARAMS], fmts[MAX_PARAMS];
	Oid types[MAX_PARAMS];
	int n, k;

	if (!st->ran) {
		for (n = 1; n <= MAX_PARAMS; n++) {
			k = st->slot[n];
			if (!k)
				continue;
			if (!st->p[n].set) {
				types[k - 1] = OID_TEXT;
				vals[k - 1] = NULL;
				lens[k - 1] = 0;
				fmts[k - 1] = 1;
				continue;
			}
			types[k - 1] = st->p[n].oid;
			vals[k - 1] = st->p[n].v.ptr ? st->p[n].v.ptr : "";
			lens[k - 1] = (int)st->p[n].v.len;
			fmts[k - 1] = 1;
		}
		settle(st->s);
		st->ran = 1;
		st->row = -1;
		st->nrows = 0;
		if (!send_stmt(st->s, st->sql, st->nparams, types, vals, lens, fmts)) {
			st->over = 1;
			st->final = GV_STMT_ERROR;
			return GV_STMT_ERROR;
		}
		st->streaming = 1;
		st->s->active = st;
	}
	if (st->res && st->row + 1 < st->nrows) {
		st->row++;
		return GV_STMT_ROW;
	}
	pq.PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
	while (!st->over) {
		PGresult *r = next_result(st);

		switch (r ? pq.PQresultStatus(r) : PGRES_COMMAND_OK) {
		case PGRES_SINGLE_TUPLE:
		case PGRES_TUPLES_OK:
			if (pq.PQntuples(r) > 0) {
				st->res = r;
				st->nrows = pq.PQntuples(r);
				st->row = 0;
				return GV_STMT_ROW;
			}
			pq.PQclear(r);
			break;
		case PGRES_COMMAND_OK:
			if (!r) {
				st->over = 1;
				st->final = GV_STMT_DONE;
			}
			pq.PQclear(r);
			break;
		default:
			set_err(st->s, r, "the database connection failed");
			pq.PQclear(r);
			drop_rest(st);
			st->over = 1;
			st->final = GV_STMT_ERROR;
			break;
		}
	}
	return st->final;
}

static void p_reset(gv_stmt *x)
{
	pstmt *st = PS(x);

	drop_rest(st);
	st->ran = 0;
	st->over = 0;
	st->final = GV_STMT_DONE;
	st->row = -1;
	st->nrows = 0;
}

static void p_finalize(gv_stmt *x)
{
	pstmt *st = PS(x);
	int i;

	drop_rest(st);
	free(st->q);
	for (i = 0; i <= MAX_PARAMS; i++)
		gv_buf_release(&st->p[i].v);
	free(st->sql);
	free(st);
}

static int in_row(pstmt *st, int c)
{
	return st->res && st->row >= 0 && st->row < st->nrows && c >= 0 && c < pq.PQnfields(st->res);
}

static int p_type(gv_stmt *x, int c)
{
	pstmt *st = PS(x);

	if (!in_row(st, c) || pq.PQgetisnull(st->res, st->row, c))
		return GV_COL_NULL;
	switch (pq.PQftype(st->res, c)) {
	case OID_BYTEA: return GV_COL_BLOB;
	case OID_INT2: case OID_INT4: case OID_INT8: return GV_COL_INT;
	default: return GV_COL_TEXT;
	}
}

static int64_t p_int64(gv_stmt *x, int c)
{
	pstmt *st = PS(x);
	const unsigned char *v;
	uint64_t u = 0;
	int n, k;

	if (p_type(x, c) != GV_COL_INT)
		return 0;
	v = (const unsigned char *)pq.PQgetvalue(st->res, st->row, c);
	n = pq.PQgetlength(st->res, st->row, c);
	if (n != 2 && n != 4 && n != 8)
		return 0;
	for (k = 0; k < n; k++)
		u = (u << 8) | v[k];
	if (n == 2)
		return (int16_t)u;
	if (n == 4)
		return (int32_t)u;
	return (int64_t)u;
}

static const void *p_blob(gv_stmt *x, int c)
{
	pstmt *st = PS(x);

	if (p_type(x, c) == GV_COL_NULL)
		return NULL;
	return pq.PQgetvalue(st->res, st->row, c);
}

static const char *p_text(gv_stmt *x, int c)
{
	pstmt *st = PS(x);
	int t = p_type(x, c);

	/* binary results: only text and bytea read as text (libpq adds the NUL) */
	if (t != GV_COL_TEXT && t != GV_COL_BLOB)
		return NULL;
	return pq.PQgetvalue(st->res, st->row, c);
}

static size_t p_bytes(gv_stmt *x, int c)
{
	pstmt *st = PS(x);

	if (p_type(x, c) == GV_COL_NULL)
		return 0;
	return (size_t)pq.PQgetlength(st->res, st->row, c);
}

static const gv_stmt_ops pstmt_ops = {
	p_bind_int64, p_bind_text, p_bind_blob, p_step, p_reset, p_finalize,
	p_type, p_int64, p_blob, p_text, p_bytes,
};

/* --- the connection ------------------------------------------------------ */

#define S(x) ((pgs *)(x))

static void s_close(gv_store *x)
{
	if (!x)
		return;
	if (S(x)->active) {  /* its rows go with the connection */
		S(x)->active->streaming = 0;
		S(x)->active = NULL;
	}
	if (S(x)->c)
		pq.PQfinish(S(x)->c);
	while (S(x)->nseen > 0)
		free(S(x)->seen[--S(x)->nseen].sql);
	gv_buf_release(&S(x)->err);
	free(x->name);
	free(x);
}

static int s_exec(gv_store *x, const char *sql)
{
	PGresult *r;
	ExecStatusType t;
	int ok;

	settle(S(x));
	r = pq.PQexec(S(x)->c, sql);
	t = r ? pq.PQresultStatus(r) : PGRES_FATAL_ERROR;
	ok = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;

	if (!ok)
		set_err(S(x), r, "the database connection failed");
	pq.PQclear(r);
	return ok ? 0 : -1;
}

/* Rewrites ? and ?N into $k, k dense in the order of N. */
static int s_prepare(gv_store *x, gv_stmt **out, const char *sql)
{
	pstmt *st;
	gv_buf b = GV_BUF_INIT;
	const char *p;
	int used[MAX_PARAMS + 1] = { 0 }, next = 0, n, k, instr = 0;

	*out = NULL;
	for (p = sql; *p; p++) {
		if (*p == '\'')
			instr = !instr;
		if (instr || *p != '?')
			continue;
		if (p[1] >= '0' && p[1] <= '9')
			n = (int)strtol(p + 1, NULL, 10);
		else
			n = ++next;
		if (n < 1 || n > MAX_PARAMS)
			goto bad;
		used[n] = 1;
	}
	st = gv_xcalloc(1, sizeof(*st));
	st->base.ops = &pstmt_ops;
	st->s = S(x);
	st->row = -1;
	for (n = 1, k = 0; n <= MAX_PARAMS; n++)
		if (used[n])
			st->slot[n] = ++k;
	st->nparams = k;
	next = 0;
	instr = 0;
	for (p = sql; *p; p++) {
		if (*p == '\'')
			instr = !instr;
		if (instr || *p != '?') {
			gv_buf_putc(&b, *p);
			continue;
		}
		if (p[1] >= '0' && p[1] <= '9') {
			char *end;
			n = (int)strtol(p + 1, &end, 10);
			p = end - 1;
		} else {
			n = ++next;
		}
		gv_buf_printf(&b, "$%d", st->slot[n]);
	}
	st->sql = gv_xstrndup(b.ptr ? b.ptr : "", b.len);
	gv_buf_release(&b);
	*out = &st->base;
	return 0;
bad:
	gv_buf_clear(&S(x)->err);
	gv_buf_puts(&S(x)->err, "a statement has more parameters than the backend supports");
	S(x)->state[0] = '\0';
	return -1;
}

static void s_rollback(gv_store *x);

static int s_begin_read(gv_store *x)
{
	return s_exec(x, "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

static int s_begin_write(gv_store *x)
{
	/* one round trip: the transaction, its commit mode and the lock */
	if (s_exec(x, "BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit = off; "
		   "SELECT pg_advisory_xact_lock(" APPEND_LOCK ")") < 0) {
		s_rollback(x);
		return -1;
	}
	S(x)->writing = 1;
	return 0;
}

/*
 * A write transaction commits without waiting for the disk, which ends it
 * and frees the append lock at once; then a one-statement transaction that
 * writes a transactional logical message (a few bytes of WAL, no table)
 * commits with synchronous_commit = on, which flushes the WAL up to its own
 * commit record, after ours. (A transaction that writes no WAL of its own
 * would commit without a flush.) So nothing returns before
 * its rows are on disk, and the flushes of concurrent writers are grouped
 * instead of each holding the lock through its own fsync. A crash between
 * the two loses at most entries no writer was told were written, and never
 * leaves a gap: the WAL is flushed in order, so a later entry that
 * survived brings every earlier one with it.
 */
static int s_commit(gv_store *x)
{
	int writing = S(x)->writing;

	S(x)->writing = 0;
	if (s_exec(x, "COMMIT") < 0)
		return -1;
	if (writing && s_exec(x, "SELECT pg_logical_emit_message(true, 'govgate', 'flush')") < 0) {
		gv_buf_puts(&S(x)->err, " (committed, but not confirmed on disk)");
		return -1;
	}
	return 0;
}

static void s_rollback(gv_store *x)
{
	PGTransactionStatusType t;

	settle(S(x));
	t = pq.PQtransactionStatus(S(x)->c);
	S(x)->writing = 0;
	if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR) {
		gv_buf keep = GV_BUF_INIT;
		/* keep the error that made the caller roll back */
		gv_buf_add(&keep, S(x)->err.ptr ? S(x)->err.ptr : "", S(x)->err.len);
		pq.PQclear(pq.PQexec(S(x)->c, "ROLLBACK"));
		gv_buf_clear(&S(x)->err);
		gv_buf_add(&S(x)->err, keep.ptr ? keep.ptr : "", keep.len);
		gv_buf_release(&keep);
	}
}

static int s_replica_schema(gv_store *x) { return 0; }  /* pg_schema.sql made them */

static int s_replica_tables(gv_store *x)
{
	PGresult *r;
	int v = -1;

	settle(S(x));
	r = pq.PQexec(S(x)->c, "SELECT to_regclass('replica_key') IS NOT NULL");

	if (r && pq.PQresultStatus(r) == PGRES_TUPLES_OK && pq.PQntuples(r) == 1)
		v = !strcmp(pq.PQgetvalue(r, 0, 0), "t");
	else
		set_err(S(x), r, "the database connection failed");
	pq.PQclear(r);
	return v;
}

static const char *s_errmsg(gv_store *x)
{
	return S(x)->err.ptr && S(x)->err.len ? S(x)->err.ptr : "unknown database error";
}

static gv_store_err s_errclass(gv_store *x)
{
	const char *st = S(x)->state;

	if (pq.PQstatus(S(x)->c) != CONNECTION_OK)
		return GV_STORE_ECONN;
	if (!strcmp(st, "54000") || !strcmp(st, "22001"))
		return GV_STORE_ETOOBIG;
	/* undefined table or column, datatype mismatch: not our schema */
	if (!strcmp(st, "42P01") || !strcmp(st, "42703") || !strcmp(st, "42804"))
		return GV_STORE_EFORMAT;
	return GV_STORE_EIO;
}

static const gv_store_ops pg_ops = {
	"postgresql", s_close, s_exec, s_prepare, s_begin_read, s_begin_write, s_commit,
	s_rollback, s_replica_schema, s_replica_tables, s_errmsg, s_errclass,
};

static void no_notices(void *arg, const char *msg) { (void)arg; (void)msg; }

/*
 * PQconnectdbParams with notices silenced from the start: a server shutting
 * down sends its backends a WARNING, which libpq would otherwise print on
 * stderr beside govgate's own one-line error if it arrived while connecting.
 * Each wait is bounded (a server that accepts and never answers).
 */
static PGconn *connect_quiet(const char *const *keys, const char *const *vals, int expand)
{
	PGconn *c = pq.PQconnectStartParams(keys, vals, expand);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	if (!c)
		return NULL;
	pq.PQsetNoticeProcessor(c, no_notices, NULL);
	if (pq.PQstatus(c) == CONNECTION_BAD)
		return c;
	while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
		struct pollfd p = { pq.PQsocket(c), 0, 0 };
		int r;
		p.events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		if (p.fd < 0)
			break;
		r = poll(&p, 1, 60000);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;   /* CONNECTION_BAD is not set: PQstatus says it is not OK */
		st = pq.PQconnectPoll(c);
	}
	return c;
}

/* The target as messages show it: the conninfo without its password. */
static char *display_name(const char *conninfo)
{
	gv_buf b = GV_BUF_INIT;
	const char *p, *at, *colon, *scheme;
	char *r;

	if (!strncmp(conninfo, "postgresql://", 13) || !strncmp(conninfo, "postgres://", 11)) {
		scheme = strstr(conninfo, "://") + 3;
		at = strchr(scheme, '@');
		colon = at ? memchr(scheme, ':', (size_t)(at - scheme)) : NULL;
		if (colon) {
			gv_buf_add(&b, conninfo, (size_t)(colon - conninfo));
			gv_buf_puts(&b, at);
		} else {
			gv_buf_puts(&b, conninfo);
		}
		/* ?password=... */
		r = gv_xstrndup(b.ptr, b.len);
		gv_buf_release(&b);
		if ((p = strstr(r, "password=")) && (p[-1] == '?' || p[-1] == '&')) {
			char *q = (char *)p + 9;
			while (*q && *q != '&')
				*q++ = '*';
		}
		return r;
	}
	for (p = conninfo; *p;) {
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if (!strncmp(p, "password=", 9)) {
			gv_buf_puts(&b, "password=***");
		} else {
			gv_buf_add(&b, p, (size_t)(end - p));
		}
		while (*end == ' ')
			gv_buf_putc(&b, *end++);
		p = end;
	}
	r = gv_xstrndup(b.ptr ? b.ptr : "", b.len);
	gv_buf_release(&b);
	return r;
}

static int pg_error(gv_store *x, gv_diags *d, const char *what)
{
	gv_error(d, CODE_DB, x->name, "%s: %s", what, s_errmsg(x));
	return s_errclass(x) == GV_STORE_EFORMAT ? GV_EPARSE : GV_EIO;
}

/*
 * CREATE DATABASE for a target that names one that does not exist (the
 * SQLite backend creates its file the same way), through the maintenance
 * database "postgres" with the same connection options. Needs CREATEDB; a
 * concurrent creator winning the race is fine.
 */
static int create_database(const char *conninfo)
{
	PQconninfoOption *o = pq.PQconninfoParse(conninfo, NULL), *i;
	const char *keys[64], *vals[64], *dbname = NULL;
	PGconn *c;
	PGresult *r;
	char *id;
	int n = 0, ok = 0;

	if (!o)
		return -1;
	for (i = o; i->keyword && n < 62; i++) {
		if (!i->val)
			continue;
		if (!strcmp(i->keyword, "dbname")) {
			dbname = i->val;
			continue;
		}
		keys[n] = i->keyword;
		vals[n++] = i->val;
	}
	if (!dbname || !strcmp(dbname, "postgres")) {
		pq.PQconninfoFree(o);
		return -1;
	}
	keys[n] = "dbname";
	vals[n++] = "postgres";
	keys[n] = NULL;
	vals[n] = NULL;
	c = connect_quiet(keys, vals, 0);
	if (c && pq.PQstatus(c) == CONNECTION_OK &&
	    (id = pq.PQescapeIdentifier(c, dbname, strlen(dbname)))) {
		gv_buf sql = GV_BUF_INIT;
		gv_buf_printf(&sql, "CREATE DATABASE %s", id);
		pq.PQfreemem(id);
		pq.PQsetNoticeProcessor(c, no_notices, NULL);
		r = pq.PQexec(c, sql.ptr);
		ok = r && (pq.PQresultStatus(r) == PGRES_COMMAND_OK ||
			   (pq.PQresultErrorField(r, PG_DIAG_SQLSTATE) &&
			    !strcmp(pq.PQresultErrorField(r, PG_DIAG_SQLSTATE), "42P04")));
		pq.PQclear(r);
		gv_buf_release(&sql);
	}
	pq.PQfinish(c);
	pq.PQconninfoFree(o);
	return ok ? 0 : -1;
}

/*
 * Connects, retrying while the server is starting or restarting (nothing
 * has been sent yet, so retrying is safe); with create, creates a database
 * that does not exist.
 */
static int connect_db(gv_store **out, const char *conninfo, int create, gv_diags *d)
{
	struct timespec pause = { 0, 250 * 1000 * 1000 };
	char *errmsg = NULL;
	PQconninfoOption *opts;
	const char *env = getenv(RETRY_ENV);
	long tries = 4L * (env && *env ? atol(env) : RETRY_DEFAULT);
	const char *one_key[] = { "dbname", NULL }, *one_val[] = { NULL, NULL };
	pgs *s;
	int i;

	*out = NULL;
	{
		char *name = display_name(conninfo);
		int err = pq_ready(name, d);
		free(name);
		if (err < 0)
			return err;
	}
	if (!(opts = pq.PQconninfoParse(conninfo, &errmsg))) {
		char *name = display_name(conninfo);
		gv_buf m = GV_BUF_INIT;
		const char *at, *from = errmsg ? errmsg : "out of memory";
		size_t n;
		/* libpq may quote the whole URI: show it without its password */
		while ((at = strstr(from, conninfo))) {
			gv_buf_add(&m, from, (size_t)(at - from));
			gv_buf_puts(&m, name);
			from = at + strlen(conninfo);
		}
		gv_buf_puts(&m, from);
		while ((n = m.len) > 0 && m.ptr[n - 1] == '\n')
			m.ptr[--m.len] = '\0';
		gv_error(d, CODE_DB, name, "not a PostgreSQL connection string: %s", m.ptr);
		gv_buf_release(&m);
		free(name);
		pq.PQfreemem(errmsg);
		return GV_EPARSE;
	}
	pq.PQconninfoFree(opts);
	s = gv_xcalloc(1, sizeof(*s));
	s->base.ops = &pg_ops;
	s->base.name = display_name(conninfo);
	one_val[0] = conninfo;
	for (i = 0;; i++) {
		const char *m;
		s->c = connect_quiet(one_key, one_val, 1);
		if (s->c && pq.PQstatus(s->c) == CONNECTION_OK)
			break;
		set_err(s, NULL, "cannot allocate a connection");
		m = s->err.ptr ? s->err.ptr : "";
		/*
		 * a missing database, with create: make it; several writers may
		 * race to (CREATE DATABASE refuses while another copies the
		 * template), so the losers wait for the winner
		 */
		if (create && strstr(m, "does not exist") && strstr(m, "database") &&
		    i + 1 < tries) {
			if (create_database(conninfo) < 0)
				nanosleep(&pause, NULL);
			pq.PQfinish(s->c);
			s->c = NULL;
			continue;
		}
		/* retried: the server is down, starting, restarting or recovering */
		if (i + 1 >= tries || !s->c || pq.PQconnectionNeedsPassword(s->c) ||
		    strstr(m, "does not exist") || strstr(m, "authentication") ||
		    strstr(m, "permission denied") || strstr(m, "invalid") ||
		    strstr(m, "password")) {
			gv_error(d, CODE_DB, s->base.name, "cannot open the audit log: %s",
				 s_errmsg(&s->base));
			s_close(&s->base);
			return GV_EIO;
		}
		pq.PQfinish(s->c);
		s->c = NULL;
		nanosleep(&pause, NULL);
	}
	pq.PQsetNoticeProcessor(s->c, no_notices, NULL);
	if (s_exec(&s->base, "SET synchronous_commit = on; SET client_min_messages = warning; "
		   "SET search_path = public") < 0) {
		int err = pg_error(&s->base, d, "cannot set up the connection");
		s_close(&s->base);
		return err;
	}
	*out = &s->base;
	return GV_OK;
}

/* Runs the embedded schema under the append lock (concurrent creators wait). */
static int run_locked(gv_store *x, const char *sql, gv_diags *d, const char *what)
{
	if (s_begin_write(x) < 0)
		return pg_error(x, d, what);
	if (s_exec(x, sql) < 0 || s_commit(x) < 0) {
		int err = pg_error(x, d, what);
		s_rollback(x);
		return err;
	}
	return GV_OK;
}

/* 1: the govgate schema is there, 0: the database has no govgate_meta. */
static int check_schema(gv_store *x, gv_diags *d)
{
	PGresult *r = pq.PQexec(S(x)->c, "SELECT to_regclass('govgate_meta') IS NOT NULL");
	int have, err = GV_OK;

	if (!r || pq.PQresultStatus(r) != PGRES_TUPLES_OK || pq.PQntuples(r) != 1) {
		set_err(S(x), r, "the database connection failed");
		pq.PQclear(r);
		return pg_error(x, d, "cannot read the database");
	}
	have = !strcmp(pq.PQgetvalue(r, 0, 0), "t");
	pq.PQclear(r);
	if (!have)
		return 0;
	r = pq.PQexec(S(x)->c, "SELECT application_id::text, version::text FROM govgate_meta");
	if (!r || pq.PQresultStatus(r) != PGRES_TUPLES_OK) {
		set_err(S(x), r, "the database connection failed");
		err = pg_error(x, d, "cannot read the database");
	} else if (pq.PQntuples(r) != 1 || atoll(pq.PQgetvalue(r, 0, 0)) != APPLICATION_ID) {
		gv_error(d, CODE_DB, x->name, "not a govgate audit log (govgate_meta holds no "
			 "govgate application id)");
		err = GV_EPARSE;
	} else if (atoll(pq.PQgetvalue(r, 0, 1)) != SCHEMA_VERSION) {
		gv_error(d, CODE_DB, x->name, "audit log schema version %s is not supported (this "
			 "govgate reads %d)", pq.PQgetvalue(r, 0, 1), SCHEMA_VERSION);
		err = GV_EPARSE;
	}
	pq.PQclear(r);
	return err < 0 ? err : 1;
}

int gv_store_pg_open(gv_store **out, const char *conninfo, int create, gv_diags *d)
{
	gv_store *x;
	int err;

	*out = NULL;
	if ((err = connect_db(&x, conninfo, create, d)) < 0)
		return err;
	if ((err = check_schema(x, d)) < 0)
		goto fail;
	if (err == 0) {
		if (!create) {
			gv_error(d, CODE_DB, x->name, "not a govgate audit log (empty database; create "
				 "it with 'govgate audit init --db URI')");
			err = GV_EPARSE;
			goto fail;
		}
		if ((err = run_locked(x, gv_pg_schema_sql, d, "cannot create the audit log")) < 0 ||
		    (err = check_schema(x, d)) < 0)
			goto fail;
	}
	*out = x;
	return GV_OK;
fail:
	s_close(x);
	return err;
}

int gv_store_pg_init(const char *conninfo, gv_diags *d)
{
	gv_store *x;
	int err;

	if ((err = connect_db(&x, conninfo, 1, d)) < 0)
		return err;
	if ((err = run_locked(x, gv_pg_schema_sql, d, "cannot create the audit log")) < 0 ||
	    (err = check_schema(x, d)) < 0 ||
	    (err = run_locked(x, gv_pg_roles_sql, d, "cannot create the roles")) < 0)
		goto out;
	err = GV_OK;
out:
	s_close(x);
	return err;
}
