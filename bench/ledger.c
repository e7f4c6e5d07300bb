/*
 * bench/ledger.c: appends through the library, in one process:
 *
 *   ledger DB WRITERS EACH [NAME]
 *
 * WRITERS threads, each with its own connection (gv_audit_open), append
 * EACH entries apiece with durable commits (synchronous_commit on for
 * PostgreSQL, synchronous=FULL for SQLite, as govgate always sets them),
 * then the log is checked for at least WRITERS * EACH new entries (other
 * processes may append too). Entries name their writer NAME-<thread>
 * (deployment id; NAME defaults to "w"). Prints
 * "APPENDS SECONDS APPENDS_PER_SECOND". Exit 1 when an append failed.
 */
#include "audit.h"
#include "gv.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct job {
	const char *db, *name;
	int id, each, failed;
} job;

static void *writer(void *arg)
{
	job *j = arg;
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	char dep[32], payload[64];
	int i;

	snprintf(dep, sizeof(dep), "%.16s-%d", j->name, j->id);
	if (gv_audit_open(&a, j->db, &d) < 0) {
		gv_diags_print(&d, stderr, 0, 0);
		j->failed = 1;
	}
	for (i = 0; a && i < j->each; i++) {
		snprintf(payload, sizeof(payload), "{\"writer\":%d,\"n\":%d}", j->id, i);
		if (gv_audit_append(a, "bench.append", dep, "bench", payload, NULL, &d) < 0) {
			gv_diags_print(&d, stderr, 0, 0);
			j->failed = 1;
			break;
		}
	}
	gv_audit_close(a);
	gv_diags_release(&d);
	return NULL;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	uint64_t before = 0, after = 0;
	pthread_t *t;
	job *jobs;
	double t0, t1;
	int n, each, i, failed = 0;

	if ((argc != 4 && argc != 5) || (n = atoi(argv[2])) < 1 || n > 256 || (each = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: ledger DB WRITERS EACH [NAME]\n");
		return 2;
	}
	if (gv_audit_open(&a, argv[1], &d) < 0 || gv_audit_size(a, &before, &d) < 0) {
		gv_diags_print(&d, stderr, 0, 0);
		return 2;
	}
	gv_audit_close(a);
	t = calloc((size_t)n, sizeof(*t));
	jobs = calloc((size_t)n, sizeof(*jobs));
	if (!t || !jobs)
		return 2;
	t0 = now();
	for (i = 0; i < n; i++) {
		jobs[i].db = argv[1];
		jobs[i].name = argc == 5 ? argv[4] : "w";
		jobs[i].id = i;
		jobs[i].each = each;
		pthread_create(&t[i], NULL, writer, &jobs[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		failed |= jobs[i].failed;
	}
	t1 = now();
	if (gv_audit_open_existing(&a, argv[1], &d) < 0 || gv_audit_size(a, &after, &d) < 0) {
		gv_diags_print(&d, stderr, 0, 0);
		return 2;
	}
	gv_audit_close(a);
	if (after - before < (uint64_t)n * (uint64_t)each) {
		fprintf(stderr, "ledger: %" PRIu64 " new entries, want %d\n", after - before, n * each);
		failed = 1;
	}
	printf("%d %.3f %.0f\n", n * each, t1 - t0, (double)(n * each) / (t1 - t0));
	free(t);
	free(jobs);
	return failed;
}
