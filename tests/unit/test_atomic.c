/* test_atomic.c: atomic replacement, and failures that leave no cruft. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "buf.h"
#include "gv.h"

static char dir[64];

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/gvatomXXXXXX", t && *t && strlen(t) < 40 ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int entries(const char *path)
{
	DIR *dp = opendir(path);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(dp);
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dp);
	return n;
}

static void slurp(const char *path, gv_buf *out)
{
	gv_buf_clear(out);
	ck_assert_int_eq(gv_buf_read_file(out, path, 1 << 20), GV_OK);
}

START_TEST(writes_and_replaces)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf b = GV_BUF_INIT;
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/report.json", dir);
	ck_assert_int_eq(gv_atomic_write(path, "first\n", 6, 0640, &d), GV_OK);
	slurp(path, &b);
	ck_assert_str_eq(b.ptr, "first\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	ck_assert_int_eq(gv_atomic_write(path, "second", 6, 0644, &d), GV_OK);
	slurp(path, &b);
	ck_assert_str_eq(b.ptr, "second");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(gv_atomic_write(path, "", 0, 0600, &d), GV_OK);
	slurp(path, &b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(entries(dir), 1);
	ck_assert_int_eq(d.n, 0);
	gv_buf_release(&b);
}
END_TEST

START_TEST(missing_directory_leaves_no_cruft)
{
	gv_diags d = GV_DIAGS_INIT;
	char path[128];

	snprintf(path, sizeof(path), "%s/nodir/report.json", dir);
	ck_assert_int_eq(gv_atomic_write(path, "x", 1, 0644, &d), GV_EIO);
	ck_assert_int_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].loc.file, path);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "No such file or directory"));
	ck_assert_int_eq(entries(dir), 0);
	gv_diags_release(&d);
}
END_TEST

START_TEST(directory_destination_untouched)
{
	gv_diags d = GV_DIAGS_INIT;
	char path[128], inner[160];

	/* a non-empty directory cannot be replaced by a file */
	snprintf(path, sizeof(path), "%s/out", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(inner, sizeof(inner), "%s/keep", path);
	ck_assert_int_eq(gv_atomic_write(inner, "k", 1, 0644, &d), GV_OK);
	ck_assert_int_eq(gv_atomic_write(path, "x", 1, 0644, &d), GV_EIO);
	ck_assert_int_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].loc.file, path);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "cannot replace"));
	ck_assert_int_eq(entries(dir), 1);   /* only out/ */
	ck_assert_int_eq(entries(path), 1);  /* only keep */
	gv_diags_release(&d);
}
END_TEST

Suite *atomic_suite(void)
{
	Suite *s = suite_create("atomic");
	TCase *tc = tcase_create("atomic");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, writes_and_replaces);
	tcase_add_test(tc, missing_directory_leaves_no_cruft);
	tcase_add_test(tc, directory_destination_untouched);
	suite_add_tcase(s, tc);
	return s;
}
