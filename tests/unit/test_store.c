/* test_store.c: the storage interface: which backend a --db target names,
 * and the SQLite backend's typed statements and transactions through the
 * vtable (the PostgreSQL backend runs against a real server in
 * tests/cli/t370-t372 and the PostgreSQL pass). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testkeys.h"
#include "gv.h"
#include "store.h"

START_TEST(test_backend_choice)
{
	ck_assert_int_eq(gv_store_is_pg("postgresql://ci@db/govgate"), 1);
	ck_assert_int_eq(gv_store_is_pg("postgres://db/govgate?sslmode=require"), 1);
	ck_assert_int_eq(gv_store_is_pg("host=/var/run/postgresql dbname=g"), 1);
	ck_assert_int_eq(gv_store_is_pg("dbname=g"), 1);
	ck_assert_int_eq(gv_store_is_pg("service=ledger"), 1);
	ck_assert_int_eq(gv_store_is_pg("host = db dbname = g"), 1);
	/* paths, even odd ones, stay files */
	ck_assert_int_eq(gv_store_is_pg("govgate-audit.db"), 0);
	ck_assert_int_eq(gv_store_is_pg("./host=x.db"), 0);
	ck_assert_int_eq(gv_store_is_pg("hostname=x.db"), 0);
	ck_assert_int_eq(gv_store_is_pg("/tmp/postgresql://x"), 0);
	ck_assert_int_eq(gv_store_is_pg("host"), 0);
	ck_assert_int_eq(gv_store_is_pg(""), 0);
}
END_TEST

START_TEST(test_sqlite_statements)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_store *s;
	gv_stmt *st;
	char path[96];
	static const unsigned char blob[4] = { 0, 1, 0xfe, 0xff };

	tk_setup();
	tk_path(path, sizeof(path), "s.db");
	ck_assert_int_eq(gv_store_sqlite_open(&s, path, 0, &d), GV_EIO);  /* never created */
	gv_diags_release(&d);
	ck_assert_int_eq(gv_store_open(&s, path, 1, &d), GV_OK);
	ck_assert_str_eq(s->ops->name, "sqlite");
	ck_assert_str_eq(s->name, path);
	ck_assert_int_eq(s->ops->replica_tables(s), 0);
	ck_assert_int_eq(s->ops->begin_write(s), 0);
	ck_assert_int_eq(s->ops->replica_schema(s), 0);
	ck_assert_int_eq(s->ops->prepare(s, &st, "INSERT INTO replica_key (origin, pubkey, added) "
					 "VALUES (?, ?, ?3)"), 0);
	gv_stmt_bind_text(st, 1, "o");
	gv_stmt_bind_blob(st, 2, blob, sizeof(blob));
	gv_stmt_bind_text(st, 3, "t");
	ck_assert_int_eq(gv_stmt_step(st), GV_STMT_DONE);
	gv_stmt_finalize(st);
	ck_assert_int_eq(s->ops->commit(s), 0);
	ck_assert_int_eq(s->ops->replica_tables(s), 1);
	ck_assert_int_eq(s->ops->prepare(s, &st, "SELECT id, origin, pubkey FROM replica_key WHERE "
					 "origin = ?1"), 0);
	gv_stmt_bind_text(st, 1, "o");
	ck_assert_int_eq(gv_stmt_step(st), GV_STMT_ROW);
	ck_assert_int_eq(gv_stmt_type(st, 0), GV_COL_INT);
	ck_assert_int_eq(gv_stmt_int64(st, 0), 1);
	ck_assert_int_eq(gv_stmt_type(st, 1), GV_COL_TEXT);
	ck_assert_str_eq(gv_stmt_text(st, 1), "o");
	ck_assert_int_eq(gv_stmt_type(st, 2), GV_COL_BLOB);
	ck_assert_uint_eq(gv_stmt_bytes(st, 2), 4);
	ck_assert_int_eq(memcmp(gv_stmt_blob(st, 2), blob, 4), 0);
	ck_assert_int_eq(gv_stmt_step(st), GV_STMT_DONE);
	gv_stmt_finalize(st);
	/* the append-only triggers hold */
	ck_assert_int_eq(s->ops->exec(s, "DELETE FROM replica_key"), -1);
	ck_assert_ptr_nonnull(strstr(s->ops->errmsg(s), "append-only"));
	/* rollback outside a transaction is harmless */
	s->ops->rollback(s);
	ck_assert_int_eq(s->ops->prepare(s, &st, "SELECT nothing FROM nowhere"), -1);
	ck_assert_int_eq(s->ops->errclass(s), GV_STORE_EFORMAT);
	s->ops->close(s);
	gv_diags_release(&d);
	tk_teardown();
}
END_TEST

START_TEST(test_pg_refused_targets)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_store *s;

	/* a malformed connection string is an input error before any connection */
	ck_assert_int_eq(gv_store_open(&s, "postgresql://a:b@[::1", 0, &d), GV_EPARSE);
	ck_assert_int_eq(d.n, 1);
	ck_assert_ptr_null(strstr(d.v[0].msg, "a:b@"));
	ck_assert_ptr_null(strstr(d.v[0].file, "a:b@"));
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "not a PostgreSQL connection string: "));
	gv_diags_release(&d);
	ck_assert_int_eq(gv_store_open(&s, "host=/nonexistent/x dbname=g password=secret sslmode=bogus",
				       0, &d), GV_EIO);
	ck_assert_ptr_nonnull(strstr(d.v[0].file, "password=***"));
	ck_assert_ptr_null(strstr(d.v[0].file, "secret"));
	gv_diags_release(&d);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("backends");

	tcase_add_test(tc, test_backend_choice);
	tcase_add_test(tc, test_sqlite_statements);
	tcase_add_test(tc, test_pg_refused_targets);
	suite_add_tcase(s, tc);
	return s;
}
