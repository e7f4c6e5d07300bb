/*
 * Runs every Check suite (the list comes from tests/unit/test_*.c names),
 * one suite at a time: a line per suite as it finishes, with its counts and
 * time, each failure with its place and message, then the total. CK_RUN_SUITE and
 * CK_RUN_CASE select as usual; suites that run nothing are not listed.
 * When GV_TALLY names a file, the total is appended to it as
 * "PASSED FAILED unit" for `make check`'s closing line.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SUITE(fn) Suite *fn(void);
#include "suites.h"
#undef SUITE

static const struct {
	const char *name;
	Suite *(*make)(void);
} suites[] = {
#define SUITE(fn) { #fn, fn },
#include "suites.h"
#undef SUITE
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
	const char *tally = getenv("GV_TALLY");
	int passed = 0, failed = 0;
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		SRunner *sr = srunner_create(suites[i].make());
		size_t n = strlen(suites[i].name) - strlen("_suite");
		TestResult **fails;
		double t0 = now();
		int run, bad, j;

		srunner_run_all(sr, CK_SILENT);
		run = srunner_ntests_run(sr);
		bad = srunner_ntests_failed(sr);
		fails = srunner_failures(sr);
		for (j = 0; j < bad; j++)
			printf("FAIL: %s:%d: %s%s: %s\n", tr_lfile(fails[j]), tr_lno(fails[j]),
			       tr_tcname(fails[j]), tr_rtype(fails[j]) == CK_ERROR ? " (error)" : "",
			       tr_msg(fails[j]));
		free(fails);
		srunner_free(sr);
		if (!run)
			continue;
		printf("unit  test_%.*s.c: %d passed, %d failed, %.2f s\n", (int)n, suites[i].name,
		       run - bad, bad, now() - t0);
		fflush(stdout);
		passed += run - bad;
		failed += bad;
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	if (tally && *tally) {
		FILE *f = fopen(tally, "a");
		if (!f || fprintf(f, "%d %d unit\n", passed, failed) < 0 || fclose(f) != 0) {
			fprintf(stderr, "unit: cannot write %s\n", tally);
			return EXIT_FAILURE;
		}
	}
	return failed || !passed ? EXIT_FAILURE : EXIT_SUCCESS;
}
