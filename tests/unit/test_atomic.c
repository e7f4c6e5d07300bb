/* test_atomic.c: atomic replacement, and failures that leave no cruft. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

static unsigned mode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	return (unsigned)(st.st_mode & 07777);
}

START_TEST(writes_and_replaces)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf b = GV_BUF_INIT;
	char path[128];
	mode_t old = umask(022);

	snprintf(path, sizeof(path), "%s/report.json", dir);
	ck_assert_int_eq(gv_atomic_write(path, "first\n", 6, 0640, &d), GV_OK);
	slurp(path, &b);
	ck_assert_str_eq(b.ptr, "first\n");
	ck_assert_uint_eq(mode_of(path), 0640);
	/* a replaced file keeps its mode, whatever the caller asks for */
	ck_assert_int_eq(gv_atomic_write(path, "second", 6, 0666, &d), GV_OK);
	slurp(path, &b);
	ck_assert_str_eq(b.ptr, "second");
	ck_assert_uint_eq(mode_of(path), 0640);
	ck_assert_int_eq(gv_atomic_write(path, "", 0, 0600, &d), GV_OK);
	slurp(path, &b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(mode_of(path), 0640);
	ck_assert_int_eq(entries(dir), 1);
	ck_assert_int_eq(d.n, 0);
	umask(old);
	gv_buf_release(&b);
}
END_TEST

START_TEST(new_files_honour_the_umask)
{
	gv_diags d = GV_DIAGS_INIT;
	char a[128], b[128], c[128];
	mode_t old = umask(077);

	snprintf(a, sizeof(a), "%s/a.json", dir);
	snprintf(b, sizeof(b), "%s/b.json", dir);
	snprintf(c, sizeof(c), "%s/c.json", dir);
	ck_assert_int_eq(gv_atomic_write(a, "a", 1, 0666, &d), GV_OK);
	ck_assert_uint_eq(mode_of(a), 0600);
	umask(022);
	ck_assert_int_eq(gv_atomic_write(b, "b", 1, 0666, &d), GV_OK);
	ck_assert_uint_eq(mode_of(b), 0644);
	umask(002);
	ck_assert_int_eq(gv_atomic_write(c, "c", 1, 0600, &d), GV_OK);
	ck_assert_uint_eq(mode_of(c), 0600);
	/* an existing file keeps its mode under any umask */
	ck_assert_int_eq(chmod(b, 0604), 0);
	umask(077);
	ck_assert_int_eq(gv_atomic_write(b, "B", 1, 0666, &d), GV_OK);
	ck_assert_uint_eq(mode_of(b), 0604);
	ck_assert_int_eq(entries(dir), 3);
	ck_assert_int_eq(d.n, 0);
	umask(old);
}
END_TEST

START_TEST(temporary_is_never_more_open_than_the_result)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_atomic a;
	char path[128];
	struct stat st;
	mode_t old = umask(022);

	snprintf(path, sizeof(path), "%s/secret.json", dir);
	ck_assert_int_eq(gv_atomic_write(path, "x", 1, 0600, &d), GV_OK);
	ck_assert_int_eq(gv_atomic_begin(&a, path, 0666, &d), GV_OK);
	ck_assert_ptr_nonnull(strstr(a.tmp, "/secret.json.tmp-"));
	ck_assert_uint_eq(strlen(strstr(a.tmp, ".tmp-") + 5), 6);
	ck_assert_int_eq(fstat(a.fd, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(gv_atomic_add(&a, "new", 3, &d), GV_OK);
	ck_assert_int_eq(entries(dir), 2);
	gv_atomic_abort(&a);
	/* abort leaves the old file and no temporary */
	ck_assert_int_eq(entries(dir), 1);
	ck_assert_uint_eq(mode_of(path), 0600);
	ck_assert_int_eq(d.n, 0);
	umask(old);
}
END_TEST

START_TEST(symbolic_links_are_not_followed)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf b = GV_BUF_INIT;
	char path[128], tmp[160], target[128], target2[128];

	snprintf(path, sizeof(path), "%s/out.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(target, sizeof(target), "%s/victim", dir);
	snprintf(target2, sizeof(target2), "%s/victim2", dir);
	ck_assert_int_eq(gv_atomic_write(target, "keep", 4, 0600, &d), GV_OK);
	ck_assert_int_eq(gv_atomic_write(target2, "keep2", 5, 0600, &d), GV_OK);
	/* the name older versions used for the temporary, planted */
	ck_assert_int_eq(symlink(target, tmp), 0);
	/* the destination itself a link: the link is replaced, not its target */
	ck_assert_int_eq(symlink(target2, path), 0);
	ck_assert_int_eq(gv_atomic_write(path, "new", 3, 0666, &d), GV_OK);
	slurp(path, &b);
	ck_assert_str_eq(b.ptr, "new");
	ck_assert_uint_eq(mode_of(path) & 0600, 0600);
	slurp(target, &b);
	ck_assert_str_eq(b.ptr, "keep");
	slurp(target2, &b);
	ck_assert_str_eq(b.ptr, "keep2");
	ck_assert_uint_eq(mode_of(target), 0600);
	ck_assert_uint_eq(mode_of(target2), 0600);
	ck_assert_int_eq(entries(dir), 4);   /* victim, victim2, out.json.tmp, out.json */
	ck_assert_int_eq(d.n, 0);
	gv_buf_release(&b);
}
END_TEST

START_TEST(check_names_the_problem)
{
	gv_diags d = GV_DIAGS_INIT;
	char ok[128], nodir[128], isdir[128], slash[128], notdir[160], file[128];

	snprintf(ok, sizeof(ok), "%s/r.dsse", dir);
	snprintf(nodir, sizeof(nodir), "%s/missing/r.dsse", dir);
	snprintf(isdir, sizeof(isdir), "%s/sub", dir);
	snprintf(slash, sizeof(slash), "%s/sub/", dir);
	snprintf(file, sizeof(file), "%s/plain", dir);
	snprintf(notdir, sizeof(notdir), "%s/plain/r.dsse", dir);
	ck_assert_int_eq(mkdir(isdir, 0755), 0);
	ck_assert_int_eq(gv_atomic_write(file, "x", 1, 0666, &d), GV_OK);
	ck_assert_int_eq(gv_atomic_check(ok, &d), GV_OK);
	ck_assert_int_eq(d.n, 0);
	ck_assert_int_eq(gv_atomic_check(nodir, &d), GV_EIO);
	ck_assert_int_eq(gv_atomic_check(isdir, &d), GV_EIO);
	ck_assert_int_eq(gv_atomic_check(slash, &d), GV_EIO);
	ck_assert_int_eq(gv_atomic_check(notdir, &d), GV_EIO);
	ck_assert_int_eq(gv_atomic_check("", &d), GV_EIO);
	ck_assert_int_eq(d.n, 5);
	ck_assert_str_eq(d.v[0].code, "GV-O004");
	ck_assert_str_eq(d.v[0].loc.file, nodir);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "/missing' does not exist"));
	ck_assert_str_eq(d.v[1].msg, "cannot write here: it is a folder");
	ck_assert_str_eq(d.v[2].msg, "cannot write here: the path names a folder");
	ck_assert_ptr_nonnull(strstr(d.v[3].msg, "/plain' is not a folder"));
	ck_assert_str_eq(d.v[4].msg, "cannot write here: the path is empty");
	/* nothing was written */
	ck_assert_int_eq(entries(dir), 2);
	gv_diags_release(&d);
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

/* Streams are written in place: /dev/null stays a device (a run as root
 * once replaced it with a regular file), a FIFO gets the bytes, and
 * nothing is ever created under /dev/. */
START_TEST(streams_written_in_place)
{
	gv_diags d = GV_DIAGS_INIT;
	char fifo[128], got[16] = { 0 };
	struct stat st;
	FILE *r;
	pid_t pid;
	int status;

	ck_assert_int_eq(gv_atomic_check("/dev/null", &d), GV_OK);
	ck_assert_int_eq(gv_atomic_write("/dev/null", "x\n", 2, 0666, &d), GV_OK);
	ck_assert_int_eq(lstat("/dev/null", &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_uint_eq(d.nerrors, 0);

	ck_assert_int_eq(gv_atomic_write("/dev/gv-no-such-device", "x", 1, 0666, &d), GV_EIO);
	ck_assert_int_eq(lstat("/dev/gv-no-such-device", &st), -1);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_str_eq(d.v[0].code, "GV-O002");

	snprintf(fifo, sizeof(fifo), "%s/pipe", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		gv_diags cd = GV_DIAGS_INIT;
		_exit(gv_atomic_write(fifo, "streamed", 8, 0666, &cd) == GV_OK ? 0 : 1);
	}
	r = fopen(fifo, "r");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(fread(got, 1, sizeof(got) - 1, r), 8);
	fclose(r);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_str_eq(got, "streamed");
	ck_assert_int_eq(lstat(fifo, &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	ck_assert_int_eq(entries(dir), 1);
	gv_diags_release(&d);
}
END_TEST

Suite *atomic_suite(void)
{
	Suite *s = suite_create("atomic");
	TCase *tc = tcase_create("atomic");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, writes_and_replaces);
	tcase_add_test(tc, new_files_honour_the_umask);
	tcase_add_test(tc, temporary_is_never_more_open_than_the_result);
	tcase_add_test(tc, symbolic_links_are_not_followed);
	tcase_add_test(tc, check_names_the_problem);
	tcase_add_test(tc, missing_directory_leaves_no_cruft);
	tcase_add_test(tc, directory_destination_untouched);
	tcase_add_test(tc, streams_written_in_place);
	suite_add_tcase(s, tc);
	return s;
}
