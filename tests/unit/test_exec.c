/* test_exec.c: exec.c, the runner of deploy steps and alert commands: exit
 * codes, output capture and its bound, standard input, no shell, the
 * timeout that kills the whole process group, strays ended when the leader
 * exits, the clean environment, and UTF-8 sanitising. */
#include <check.h>

#include "buf.h"
#include "exec.h"
#include "gv.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Extra time on upper bounds under valgrind (seen through its preload). */
static long slack_ms(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload") ? 10000 : 500;
}

static int run(gv_exec_result *r, const char *const *argv, unsigned timeout_ms, size_t limit)
{
	gv_exec_opts o;

	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.timeout_ms = timeout_ms;
	o.output_limit = limit;
	return gv_exec_run(r, &o);
}

/* Whether pid still runs (a zombie waiting for init to reap it does not). */
static int alive(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

START_TEST(exit_code_and_output)
{
	static const char *const argv[] = { "sh", "-c", "printf out; printf err >&2; exit 7", NULL };
	gv_exec_result r;

	ck_assert_int_eq(run(&r, argv, 10000, 1024), GV_OK);
	ck_assert(r.started);
	ck_assert_int_eq(r.exit_code, 7);
	ck_assert_int_eq(r.term_signal, 0);
	ck_assert(!r.timed_out);
	ck_assert_str_eq(r.output.ptr, "outerr");
	ck_assert_uint_eq(r.output_total, 6);
	ck_assert(!r.truncated);
	ck_assert(!r.strays_killed);
	ck_assert_int_ge(r.duration_ms, 0);
	gv_exec_result_release(&r);
}
END_TEST

START_TEST(output_is_truncated_and_counted)
{
	static const char *const argv[] = { "head", "-c", "300000", "/dev/zero", NULL };
	gv_exec_result r;

	ck_assert_int_eq(run(&r, argv, 10000, 1000), GV_OK);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_uint_eq(r.output.len, 1000);
	ck_assert_uint_eq(r.output_total, 300000);
	ck_assert(r.truncated);
	gv_exec_result_release(&r);
}
END_TEST

START_TEST(standard_input_and_environment)
{
	static const char *const argv[] = { "sh", "-c", "cat; echo \" $GV_TEST_X $HOME\"", NULL };
	static const char *const env[] = { "GV_TEST_X=extra", "HOME=/nowhere", NULL };
	gv_exec_result r;
	gv_exec_opts o;

	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.env = env;
	o.input = "{\"alert\":true}";
	o.input_len = strlen(o.input);
	o.timeout_ms = 10000;
	o.output_limit = 1024;
	ck_assert_int_eq(gv_exec_run(&r, &o), GV_OK);
	ck_assert_str_eq(r.output.ptr, "{\"alert\":true} extra /nowhere\n");
	gv_exec_result_release(&r);

	/* without input, standard input is /dev/null: cat ends at once */
	o.input = NULL;
	o.input_len = 0;
	o.env = NULL;
	ck_assert_int_eq(gv_exec_run(&r, &o), GV_OK);
	ck_assert_int_eq(r.exit_code, 0);
	gv_exec_result_release(&r);
}
END_TEST

START_TEST(working_directory)
{
	static const char *const argv[] = { "pwd", NULL };
	gv_exec_result r;
	gv_exec_opts o;

	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.cwd = "/";
	o.timeout_ms = 10000;
	o.output_limit = 64;
	ck_assert_int_eq(gv_exec_run(&r, &o), GV_OK);
	ck_assert_str_eq(r.output.ptr, "/\n");
	gv_exec_result_release(&r);

	o.cwd = "/no/such/folder/govgate";
	ck_assert_int_eq(gv_exec_run(&r, &o), GV_ERROR);
	ck_assert(!r.started);
	ck_assert_str_eq(r.error, "cannot enter folder '/no/such/folder/govgate': "
			 "No such file or directory");
	gv_exec_result_release(&r);
}
END_TEST

START_TEST(not_found_and_no_shell)
{
	static const char *const missing[] = { "no-such-command-govgate", NULL };
	const char *script[2];
	char dir[] = "/tmp/gv-exec-XXXXXX", path[64], marker[80];
	gv_exec_result r;
	FILE *f;

	ck_assert_int_eq(run(&r, missing, 1000, 64), GV_ERROR);
	ck_assert(!r.started);
	ck_assert_int_eq(r.exit_code, 127);
	ck_assert_str_eq(r.error, "command 'no-such-command-govgate' not found");
	gv_exec_result_release(&r);

	/* an executable file without #! is not handed to /bin/sh */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/script", dir);
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "touch %s\n", marker);
	fclose(f);
	chmod(path, 0755);
	script[0] = path;
	script[1] = NULL;
	ck_assert_int_eq(run(&r, script, 1000, 64), GV_ERROR);
	ck_assert(!r.started);
	ck_assert_ptr_nonnull(strstr(r.error, "Exec format error"));
	ck_assert_int_ne(access(marker, F_OK), 0);
	gv_exec_result_release(&r);

	/* not executable */
	chmod(path, 0644);
	ck_assert_int_eq(run(&r, script, 1000, 64), GV_ERROR);
	ck_assert_ptr_nonnull(strstr(r.error, "is not executable"));
	gv_exec_result_release(&r);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(resolve_commands)
{
	char *p = gv_exec_resolve("sh", NULL);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(p[0], '/');
	free(p);
	p = gv_exec_resolve("bin/sh", "/");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "//bin/sh");
	free(p);
	errno = 0;
	ck_assert_ptr_null(gv_exec_resolve("./no-such-govgate", "/"));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(gv_exec_resolve("", NULL));
}
END_TEST

START_TEST(timeout_kills_the_process_group)
{
	/* the shell starts a background sleep in its group, prints its pid, waits */
	static const char *const argv[] = { "sh", "-c", "sleep 30 & echo $!; wait", NULL };
	gv_exec_result r;
	gv_exec_opts o;
	long t0 = now_ms(), took;
	pid_t bg;
	int i;

	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.timeout_ms = 300;
	o.kill_grace_ms = 200;
	o.output_limit = 64;
	ck_assert_int_eq(gv_exec_run(&r, &o), GV_OK);
	took = now_ms() - t0;
	ck_assert(r.started);
	ck_assert(r.timed_out);
	ck_assert_int_eq(r.term_signal, SIGTERM);
	ck_assert_int_eq(r.exit_code, 128 + SIGTERM);
	ck_assert_int_ge(took, 300);
	ck_assert_int_le(took, 300 + 200 + GV_EXEC_DRAIN_MS + slack_ms());
	bg = (pid_t)atoi(r.output.ptr);
	ck_assert_int_gt(bg, 0);
	for (i = 0; i < 100 && alive(bg); i++)
		usleep(10000);
	ck_assert_msg(!alive(bg), "background process %d outlived the timeout", (int)bg);
	gv_exec_result_release(&r);
}
END_TEST

START_TEST(timeout_escalates_to_sigkill)
{
	/* SIGTERM ignored (and inherited as ignored by sleep): SIGKILL after the grace */
	static const char *const argv[] = { "sh", "-c", "trap '' TERM; sleep 30", NULL };
	gv_exec_result r;
	gv_exec_opts o;
	long t0 = now_ms(), took;

	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.timeout_ms = 200;
	o.kill_grace_ms = 300;
	o.output_limit = 64;
	ck_assert_int_eq(gv_exec_run(&r, &o), GV_OK);
	took = now_ms() - t0;
	ck_assert(r.timed_out);
	ck_assert_int_eq(r.term_signal, SIGKILL);
	ck_assert_int_eq(r.exit_code, 128 + SIGKILL);
	ck_assert_int_ge(took, 500);
	ck_assert_int_le(took, 500 + GV_EXEC_DRAIN_MS + slack_ms());
	gv_exec_result_release(&r);
}
END_TEST

START_TEST(stop_flag_stops_the_command)
{
	static const char *const argv[] = { "sleep", "30", NULL };
	volatile sig_atomic_t stop = 1;
	gv_exec_result r;
	gv_exec_opts o;
	long t0 = now_ms();

	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.timeout_ms = 30000;
	o.output_limit = 64;
	o.stop = &stop;
	ck_assert_int_eq(gv_exec_run(&r, &o), GV_OK);
	ck_assert(r.stopped);
	ck_assert(!r.timed_out);
	ck_assert_int_eq(r.exit_code, 128 + SIGTERM);
	ck_assert_int_le(now_ms() - t0, 1000 + slack_ms());
	gv_exec_result_release(&r);
}
END_TEST

/* Runs argv (which prints a background process's pid) and checks that
 * the process was ended after the leader exited, within bound ms. */
static void check_strays_ended(const char *const *argv, unsigned grace, long least, long bound)
{
	gv_exec_result r;
	gv_exec_opts o;
	long t0 = now_ms(), took;
	pid_t bg;

	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.timeout_ms = 30000;
	o.kill_grace_ms = grace;
	o.output_limit = 64;
	ck_assert_int_eq(gv_exec_run(&r, &o), GV_OK);
	took = now_ms() - t0;
	ck_assert(r.started);
	ck_assert(!r.timed_out);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert(r.strays_killed);
	bg = (pid_t)atoi(r.output.ptr);
	ck_assert_int_gt(bg, 0);
	ck_assert_msg(!alive(bg), "background process %d outlived its step", (int)bg);
	ck_assert_int_ge(took, least);
	ck_assert_int_le(took, bound + slack_ms());
	gv_exec_result_release(&r);
}

START_TEST(strays_are_ended_with_the_leader)
{
	/* holding the output pipe: read for GV_EXEC_DRAIN_MS, then SIGTERM */
	static const char *const holds[] = { "sh", "-c", "sleep 30 & echo $!", NULL };
	/* not holding it: the same */
	static const char *const quiet[] = { "sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!",
					     NULL };
	/* ignoring SIGTERM: SIGKILL after the grace period */
	static const char *const stubborn[] = {
		"sh", "-c", "trap '' TERM; sleep 30 >/dev/null 2>&1 & echo $!", NULL
	};

	check_strays_ended(holds, 5000, GV_EXEC_DRAIN_MS, GV_EXEC_DRAIN_MS + 300);
	check_strays_ended(quiet, 5000, GV_EXEC_DRAIN_MS, GV_EXEC_DRAIN_MS + 300);
	check_strays_ended(stubborn, 300, GV_EXEC_DRAIN_MS + 300, GV_EXEC_DRAIN_MS + 300 + 300);
}
END_TEST

START_TEST(no_strays_no_kill)
{
	/* a child that ends on its own before the drain is over is not a
	 * stray, whether or not it holds the output pipe */
	static const char *const holds[] = { "sh", "-c", "sleep 0.02 & echo ok", NULL };
	static const char *const quiet[] = { "sh", "-c", "sleep 0.02 >/dev/null & echo ok", NULL };
	gv_exec_result r;
	long t0 = now_ms();

	ck_assert_int_eq(run(&r, holds, 10000, 64), GV_OK);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_str_eq(r.output.ptr, "ok\n");
	ck_assert(!r.strays_killed);
	gv_exec_result_release(&r);
	ck_assert_int_eq(run(&r, quiet, 10000, 64), GV_OK);
	ck_assert_str_eq(r.output.ptr, "ok\n");
	ck_assert(!r.strays_killed);
	gv_exec_result_release(&r);
	/* neither waited for the whole drain (not measured under valgrind) */
	if (slack_ms() < 1000)
		ck_assert_int_lt(now_ms() - t0, 2 * GV_EXEC_DRAIN_MS);
}
END_TEST

START_TEST(clean_environment)
{
	static const char *const argv[] = { "env", NULL };
	static const char *const inherit[] = { "GV_TEST_KEEP", "GV_TEST_UNSET", "GV_TEST_OVER",
					       "GV_PREFIX_*", NULL };
	static const char *const env[] = { "GV_TEST_SET=set", "GV_TEST_OVER=mine", NULL };
	gv_exec_result r;
	gv_exec_opts o;

	ck_assert_int_eq(setenv("GV_TEST_KEEP", "kept", 1), 0);
	ck_assert_int_eq(setenv("GV_TEST_DROP", "secret", 1), 0);
	ck_assert_int_eq(setenv("GV_TEST_OVER", "theirs", 1), 0);
	unsetenv("GV_TEST_UNSET");
	ck_assert_int_eq(setenv("GV_PREFIX_A", "a", 1), 0);
	ck_assert_int_eq(setenv("GV_PREFIXB", "no", 1), 0);
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.env = env;
	o.clean_env = true;
	o.inherit = inherit;
	o.timeout_ms = 10000;
	o.output_limit = 4096;
	ck_assert_int_eq(gv_exec_run(&r, &o), GV_OK);
	ck_assert_str_eq(r.output.ptr, "GV_TEST_KEEP=kept\nGV_PREFIX_A=a\nGV_TEST_SET=set\n"
			 "GV_TEST_OVER=mine\n");
	gv_exec_result_release(&r);

	/* without clean_env: everything, with the entries replacing */
	o.clean_env = false;
	ck_assert_int_eq(gv_exec_run(&r, &o), GV_OK);
	ck_assert_ptr_nonnull(strstr(r.output.ptr, "GV_TEST_DROP=secret\n"));
	ck_assert_ptr_nonnull(strstr(r.output.ptr, "GV_TEST_OVER=mine\n"));
	ck_assert_ptr_null(strstr(r.output.ptr, "GV_TEST_OVER=theirs"));
	gv_exec_result_release(&r);
	unsetenv("GV_TEST_KEEP");
	unsetenv("GV_TEST_DROP");
	unsetenv("GV_TEST_OVER");
	unsetenv("GV_PREFIX_A");
	unsetenv("GV_PREFIXB");
}
END_TEST

START_TEST(utf8_sanitize)
{
	gv_buf b = GV_BUF_INIT;

	gv_utf8_sanitize(&b, "plain \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 20);
	ck_assert_str_eq(b.ptr, "plain \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	gv_buf_clear(&b);
	gv_utf8_sanitize(&b, "a\xff" "b\0c", 5);
	ck_assert_str_eq(b.ptr, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c");
	gv_buf_clear(&b);
	/* overlong NUL, a UTF-16 surrogate, a cut sequence at the end */
	gv_utf8_sanitize(&b, "\xc0\x80|\xed\xa0\x80|\xe2\x82", 9);
	ck_assert_str_eq(b.ptr, "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
			 "\xef\xbf\xbd\xef\xbf\xbd");
	gv_buf_release(&b);
}
END_TEST

Suite *exec_suite(void)
{
	Suite *s = suite_create("exec");
	TCase *tc;

	tc = tcase_create("run");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, exit_code_and_output);
	tcase_add_test(tc, output_is_truncated_and_counted);
	tcase_add_test(tc, standard_input_and_environment);
	tcase_add_test(tc, working_directory);
	tcase_add_test(tc, not_found_and_no_shell);
	tcase_add_test(tc, resolve_commands);
	suite_add_tcase(s, tc);

	tc = tcase_create("timeout");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, timeout_kills_the_process_group);
	tcase_add_test(tc, timeout_escalates_to_sigkill);
	tcase_add_test(tc, stop_flag_stops_the_command);
	tcase_add_test(tc, strays_are_ended_with_the_leader);
	tcase_add_test(tc, no_strays_no_kill);
	suite_add_tcase(s, tc);

	tc = tcase_create("environment");
	tcase_add_test(tc, clean_environment);
	suite_add_tcase(s, tc);

	tc = tcase_create("utf8");
	tcase_add_test(tc, utf8_sanitize);
	suite_add_tcase(s, tc);
	return s;
}
