/* test_spool.c: a spool hands back exactly what was written, in memory
 * below GV_SPOOL_MEM_MAX and through a temporary file above it. */
#include <check.h>
#include <string.h>

#include "buf.h"
#include "gv.h"
#include "spool.h"

static int collect(void *arg, const void *p, size_t n)
{
	gv_buf_add(arg, p, n);
	return GV_OK;
}

static int refuse(void *arg, const void *p, size_t n)
{
	(void)arg, (void)p, (void)n;
	return GV_EIO;
}

START_TEST(small_stays_in_memory)
{
	gv_spool s = GV_SPOOL_INIT;
	gv_buf out = GV_BUF_INIT;
	int unreadable = 1;

	ck_assert_int_eq(gv_spool_write(&s, "abc", 3), 0);
	ck_assert_int_eq(gv_spool_write(&s, "", 0), 0);
	ck_assert_int_eq(gv_spool_write(&s, "def", 3), 0);
	ck_assert_ptr_null(s.f);
	ck_assert_int_eq(gv_spool_copy(&s, collect, &out, &unreadable), GV_OK);
	ck_assert_int_eq(unreadable, 0);
	ck_assert_uint_eq(out.len, 6);
	ck_assert_int_eq(memcmp(out.ptr, "abcdef", 6), 0);
	ck_assert_int_eq(gv_spool_copy(&s, refuse, NULL, &unreadable), GV_EIO);
	ck_assert_int_eq(unreadable, 0);
	gv_spool_release(&s);
	gv_buf_release(&out);
}
END_TEST

START_TEST(large_goes_to_a_file_in_order)
{
	gv_spool s = GV_SPOOL_INIT;
	gv_buf in = GV_BUF_INIT, out = GV_BUF_INIT;
	char chunk[1000];
	size_t i, k;
	int unreadable = 1;

	/* 300 chunks of 1,000 bytes: past the limit after 65 of them */
	for (i = 0; i < 300; i++) {
		for (k = 0; k < sizeof(chunk); k++)
			chunk[k] = (char)('a' + (i + k) % 26);
		gv_buf_add(&in, chunk, sizeof(chunk));
		ck_assert_int_eq(gv_spool_write(&s, chunk, sizeof(chunk)), 0);
		if (in.len <= GV_SPOOL_MEM_MAX)
			ck_assert_ptr_null(s.f);
		else
			ck_assert_ptr_nonnull(s.f);
	}
	ck_assert_uint_eq(s.mem.len, 0);
	ck_assert_int_eq(gv_spool_copy(&s, collect, &out, &unreadable), GV_OK);
	ck_assert_int_eq(unreadable, 0);
	ck_assert_uint_eq(out.len, in.len);
	ck_assert_int_eq(memcmp(out.ptr, in.ptr, in.len), 0);
	gv_spool_release(&s);
	gv_buf_release(&in);
	gv_buf_release(&out);
}
END_TEST

Suite *spool_suite(void)
{
	Suite *s = suite_create("spool");
	TCase *t = tcase_create("spool");

	tcase_add_test(t, small_stays_in_memory);
	tcase_add_test(t, large_goes_to_a_file_in_order);
	suite_add_tcase(s, t);
	return s;
}
