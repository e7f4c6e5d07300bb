/*
 * tests/pg/stream.c: build/pg-stream-check CONNINFO, run by
 * tests/cli/t373-pg-verify-rss.sh against a real server. Drives store.h's
 * statements on PostgreSQL the ways a streamed result can be left
 * mid-way, and prints one line per check ("ok NAME" or "FAIL NAME: why");
 * exit 0 when every check passed, 1 otherwise, 2 when the database cannot
 * be opened.
 *
 *   a statement read to the end, row by row, with binary int8 and bytea
 *   another statement run while the first is mid-stream (the first is
 *     parked and goes on where it was)
 *   exec and commit while a statement is mid-stream
 *   a statement finalized or reset before its last row (the connection
 *     stays usable; a reset statement runs again from the start)
 *   the same text run again (prepared on the server) with typed params
 *   an error after some rows (the step fails, the connection recovers
 *     after rollback)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gv.h"
#include "store.h"

#define ROWS 5000

static int failed;

static void check(int ok, const char *name, const char *why)
{
	if (ok)
		printf("ok %s\n", name);
	else
		printf("FAIL %s: %s\n", name, why);
	failed |= !ok;
}

/* Reads st to its end from row `from`; 1 when rows from..ROWS-1 came in order. */
static int read_rest(gv_stmt *st, int64_t from)
{
	int64_t want = from;
	int rc;

	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		unsigned char b[2];
		if (gv_stmt_type(st, 0) != GV_COL_INT || gv_stmt_int64(st, 0) != want ||
		    gv_stmt_type(st, 1) != GV_COL_BLOB || gv_stmt_bytes(st, 1) != 2)
			return 0;
		memcpy(b, gv_stmt_blob(st, 1), 2);
		if (b[0] != (unsigned char)(want >> 8) || b[1] != (unsigned char)want)
			return 0;
		want++;
	}
	return rc == GV_STMT_DONE && want == ROWS;
}

static int64_t scalar(gv_store *s, const char *sql, int64_t bind)
{
	gv_stmt *st;
	int64_t v = -1;

	if (s->ops->prepare(s, &st, sql) < 0)
		return -2;
	gv_stmt_bind_int64(st, 1, bind);
	if (gv_stmt_step(st) == GV_STMT_ROW && gv_stmt_type(st, 0) == GV_COL_INT)
		v = gv_stmt_int64(st, 0);
	if (gv_stmt_step(st) != GV_STMT_DONE)
		v = -3;
	gv_stmt_finalize(st);
	return v;
}

int main(int argc, char **argv)
{
	static const char *const sel = "SELECT n, b FROM stream_check WHERE n >= ? ORDER BY n";
	gv_diags d = GV_DIAGS_INIT;
	gv_store *s;
	gv_stmt *a, *b;
	int i, rc, ok;

	if (argc != 2) {
		fprintf(stderr, "usage: pg-stream-check CONNINFO\n");
		return 2;
	}
	if (gv_store_open(&s, argv[1], 1, &d) < 0 || strcmp(s->ops->name, "postgresql")) {
		gv_diags_print(&d, stderr, 0, 0);
		return 2;
	}
	if (s->ops->exec(s, "CREATE TABLE stream_check (n int8 PRIMARY KEY, b bytea NOT NULL); "
			 "INSERT INTO stream_check SELECT g, decode(lpad(to_hex(g), 4, '0'), 'hex') "
			 "FROM generate_series(0, 4999) g") < 0) {
		fprintf(stderr, "pg-stream-check: %s\n", s->ops->errmsg(s));
		return 2;
	}

	/* read to the end, twice: the second run is a server-side prepared statement */
	for (i = 0; i < 2; i++) {
		if (s->ops->begin_read(s) < 0 || s->ops->prepare(s, &a, sel) < 0)
			return 2;
		gv_stmt_bind_int64(a, 1, 0);
		ok = read_rest(a, 0);
		gv_stmt_finalize(a);
		s->ops->rollback(s);
		check(ok, i ? "read to the end, prepared" : "read to the end", "rows missing or wrong");
	}

	/* another statement while the first is mid-stream, then the first goes on */
	s->ops->begin_read(s);
	s->ops->prepare(s, &a, sel);
	gv_stmt_bind_int64(a, 1, 0);
	for (i = 0, ok = 1; i < 10; i++)
		ok &= gv_stmt_step(a) == GV_STMT_ROW && gv_stmt_int64(a, 0) == i;
	ok &= scalar(s, "SELECT count(*) FROM stream_check WHERE n >= ?", 100) == ROWS - 100;
	ok &= read_rest(a, 10);
	check(ok, "interleaved statement", "the parked statement lost rows or the other failed");
	gv_stmt_finalize(a);

	/* exec (a savepoint) mid-stream, finalize mid-stream, then a new statement */
	s->ops->prepare(s, &a, sel);
	gv_stmt_bind_int64(a, 1, 0);
	for (i = 0, ok = 1; i < 3; i++)
		ok &= gv_stmt_step(a) == GV_STMT_ROW;
	ok &= s->ops->exec(s, "SAVEPOINT p") == 0;
	ok &= gv_stmt_step(a) == GV_STMT_ROW && gv_stmt_int64(a, 0) == 3;
	gv_stmt_finalize(a);
	ok &= scalar(s, "SELECT ?::int8 + 1", 41) == 42;
	check(ok, "exec and finalize mid-stream", "the connection was left busy");

	/* reset mid-stream: runs again from the start with new bindings */
	s->ops->prepare(s, &a, sel);
	gv_stmt_bind_int64(a, 1, 0);
	ok = gv_stmt_step(a) == GV_STMT_ROW && gv_stmt_int64(a, 0) == 0;
	gv_stmt_reset(a);
	gv_stmt_bind_int64(a, 1, 4990);
	ok &= read_rest(a, 4990);
	check(ok, "reset mid-stream", "the reset statement did not start over");
	gv_stmt_finalize(a);

	/* commit while a statement is mid-stream: the rest was parked */
	s->ops->prepare(s, &a, sel);
	gv_stmt_bind_int64(a, 1, 4000);
	ok = gv_stmt_step(a) == GV_STMT_ROW && gv_stmt_int64(a, 0) == 4000;
	ok &= s->ops->commit(s) == 0;
	ok &= read_rest(a, 4001);
	gv_stmt_finalize(a);
	check(ok, "commit mid-stream", "the parked rows were lost or the commit failed");

	/* an error after rows: the step fails; after rollback the connection works */
	s->ops->begin_read(s);
	s->ops->prepare(s, &b, "SELECT 1 / (n - 4000) FROM stream_check ORDER BY n");
	for (i = 0; (rc = gv_stmt_step(b)) == GV_STMT_ROW; i++)
		;
	ok = rc == GV_STMT_ERROR && strstr(s->ops->errmsg(s), "division by zero") != NULL;
	ok &= gv_stmt_step(b) == GV_STMT_ERROR;
	gv_stmt_finalize(b);
	s->ops->rollback(s);
	ok &= scalar(s, "SELECT count(*) FROM stream_check WHERE n >= ?", 0) == ROWS;
	check(ok, "error mid-stream", "the error was not reported or the connection stayed broken");

	s->ops->exec(s, "DROP TABLE stream_check");
	s->ops->close(s);
	gv_diags_release(&d);
	return failed ? 1 : 0;
}
