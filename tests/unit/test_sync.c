/* test_sync.c: sync bundles through the API: the parser on hostile input
 * (a table of malformed bundles, every truncation, every one-bit flip of a
 * real bundle), format/parse round trips, import speed, status and facts. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testkeys.h"
#include "audit.h"
#include "buf.h"
#include "gv.h"
#include "sign.h"
#include "sync.h"

#define ORIGIN "cloud.example/audit"

static char src[96], dst[96], bundle_path[96];
static gv_key *priv, *pub;

static void setup(void)
{
	tk_setup();
	tk_path(src, sizeof(src), "src.db");
	tk_path(dst, sizeof(dst), "dst.db");
	tk_path(bundle_path, sizeof(bundle_path), "b.bundle");
	tk_generate("log", &priv, &pub);
}

static void teardown(void)
{
	gv_key_free(priv);
	gv_key_free(pub);
	tk_teardown();
}

/* Appends n entries to the source log and exports a bundle from `since`. */
static void make_bundle(unsigned n, uint64_t since, gv_buf *out)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_sync_export_info info;
	gv_audit *a;
	unsigned i;

	ck_assert_int_eq(gv_audit_open(&a, src, &d), GV_OK);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(gv_audit_append(a, "hybrid.deployment.completed", "dep", "t",
						 "{\"x\":\"\\u00e9\"}", NULL, &d), GV_OK);
	ck_assert_int_eq(gv_sync_export(a, since, ORIGIN, priv, bundle_path, &info, &d), GV_OK);
	gv_audit_close(a);
	gv_buf_clear(out);
	ck_assert_int_eq(gv_buf_read_file(out, bundle_path, GV_SYNC_MAX_BUNDLE), GV_OK);
	ck_assert_uint_eq(info.bytes, out->len);
	gv_diags_release(&d);
}

static int import_into(gv_audit *a, const char *data, size_t len, gv_sync_import_result *res)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_sync_trust t = { ORIGIN, pub };
	int err;

	err = gv_sync_import(a, &t, 1, false, data, len, "b", "tester", res, &d);
	/* every refusal says why */
	if (err < 0)
		ck_assert_uint_gt(d.nerrors, 0);
	gv_diags_release(&d);
	return err;
}

static int import(const char *data, size_t len, gv_sync_import_result *res)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a;
	int err;

	ck_assert_int_eq(gv_audit_open(&a, dst, &d), GV_OK);
	err = import_into(a, data, len, res);
	gv_audit_close(a);
	gv_diags_release(&d);
	return err;
}

START_TEST(test_format_round_trip)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf b = GV_BUF_INIT, again = GV_BUF_INIT;
	gv_sync_bundle p;
	uint64_t since;

	make_bundle(13, 0, &b);
	for (since = 0; since <= 13; since++) {
		make_bundle(0, since, &b);
		ck_assert_int_eq(gv_sync_bundle_parse(&p, b.ptr, b.len, "b", &d), GV_OK);
		ck_assert_str_eq(p.origin, ORIGIN);
		ck_assert_uint_eq(p.from, since);
		ck_assert_uint_eq(p.to, 13);
		ck_assert_uint_eq(p.n, 13 - since);
		ck_assert_uint_eq(p.proof_len > 0, since > 0 && since < 13);
		gv_buf_clear(&again);
		gv_sync_bundle_format(&again, &p);
		ck_assert_uint_eq(again.len, b.len);
		ck_assert(!memcmp(again.ptr, b.ptr, b.len));
		gv_sync_bundle_release(&p);
	}
	gv_buf_release(&b);
	gv_buf_release(&again);
	gv_diags_release(&d);
}
END_TEST

START_TEST(test_hostile_table)
{
	static const char *bad[] = {
		"",
		"govgate.dev/sync-bundle@v1",
		"govgate.dev/sync-bundle@v1\n",
		"govgate.dev/sync-bundle@v1\r\norigin o\n",
		"govgate.dev/sync-bundle@v2\norigin o\nfrom 0\nto 0\nannounced 0\n",
		"govgate.dev/sync-bundle@v1\norigin \nfrom 0\n",
		"govgate.dev/sync-bundle@v1\norigin a b\nfrom 0\n",
		"govgate.dev/sync-bundle@v1\norigin a+b\nfrom 0\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom -1\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom +1\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 01\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 9223372036854775808\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 99999999999999999999\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 1\nto 0\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 2\nannounced 1\n",
		"govgate.dev/sync-bundle@v1\norigin o\nto 0\nfrom 0\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 0\nannounced 0\nold-root AAAA\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 0\nannounced 0\n"
		"old-root 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\nproof 0\n\nx\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 0\nannounced 0\n"
		"old-root 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nproof 129\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 0\nannounced 0\n"
		"old-root 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nproof 2\n"
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 9223372036854775807\nannounced "
		"9223372036854775807\nold-root 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nproof 0\n"
		"{}\n{}\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 1\nannounced 1\n"
		"old-root 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nproof 0\n\n\nnote\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 1\nannounced 1\n"
		"old-root 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nproof 0\n[]\n\nnote\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 1\nannounced 1\n"
		"old-root 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nproof 0\n{}\nnote\n",
		"govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 0\nannounced 0\n"
		"old-root 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nproof 0\n\n",
	};
	gv_diags d = GV_DIAGS_INIT;
	gv_sync_bundle p;
	gv_sync_import_result res;
	size_t i;

	for (i = 0; i < GV_ARRAY_LEN(bad); i++) {
		int err = gv_sync_bundle_parse(&p, bad[i], strlen(bad[i]), "b", &d);
		ck_assert_msg(err == GV_EPARSE, "bad bundle %zu: %d", i, err);
		ck_assert_int_eq(import(bad[i], strlen(bad[i]), &res), GV_EPARSE);
	}
	/* a NUL in the note, an oversized entry line */
	{
		static const char head[] = "govgate.dev/sync-bundle@v1\norigin o\nfrom 0\nto 1\n"
			"announced 1\nold-root 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nproof 0\n";
		gv_buf b = GV_BUF_INIT;
		gv_buf_puts(&b, head);
		gv_buf_puts(&b, "{}\n\nno");
		gv_buf_putc(&b, '\0');
		gv_buf_puts(&b, "te\n");
		ck_assert_int_eq(gv_sync_bundle_parse(&p, b.ptr, b.len, "b", &d), GV_EPARSE);
		gv_buf_clear(&b);
		gv_buf_puts(&b, head);
		gv_buf_putc(&b, '{');
		for (i = 0; i < GV_AUDIT_MAX_ENTRY; i++)
			gv_buf_putc(&b, 'x');
		gv_buf_puts(&b, "\n\nnote\n");
		ck_assert_int_eq(gv_sync_bundle_parse(&p, b.ptr, b.len, "b", &d), GV_EPARSE);
		gv_buf_release(&b);
	}
	ck_assert_uint_gt(d.nerrors, GV_ARRAY_LEN(bad));
	/* every message names the file */
	for (i = 0; i < d.n; i++)
		ck_assert_str_eq(d.v[i].loc.file, "b");
	gv_diags_release(&d);
}
END_TEST

/* The line of the bundle that holds offset off (0-based line number). */
static size_t line_of(const gv_buf *b, size_t off)
{
	size_t i, n = 0;

	for (i = 0; i < off; i++)
		n += b->ptr[i] == '\n';
	return n;
}

START_TEST(test_truncations_and_flips)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf b = GV_BUF_INIT, m = GV_BUF_INIT;
	gv_sync_bundle p;
	gv_sync_import_result res;
	gv_replica_state st;
	gv_audit *a;
	char **origins;
	size_t i, n, parsed = 0;
	int bit;

	/* the replica holds 0..5; the bundle runs from 3 to 9, with a proof */
	make_bundle(5, 0, &b);
	ck_assert_int_eq(import(b.ptr, b.len, &res), GV_OK);
	make_bundle(4, 3, &b);
	ck_assert_int_eq(gv_audit_open(&a, dst, &d), GV_OK);
	/* every truncation is refused (cut inside the note, it still parses) */
	for (i = 0; i < b.len; i++) {
		gv_buf_clear(&m);
		gv_buf_add(&m, b.ptr, i);  /* a copy of exactly i bytes, for ASan */
		ck_assert_msg(import_into(a, m.ptr, m.len, &res) < 0, "truncation to %zu bytes was "
			      "accepted", i);
	}
	ck_assert_int_eq(gv_sync_bundle_parse(&p, b.ptr, b.len, "b", &d), GV_OK);
	gv_sync_bundle_release(&p);
	/* every one-bit change is refused, except in the unsigned `announced` line */
	for (i = 0; i < b.len; i++) {
		for (bit = 0; bit < 8; bit += 7) {
			gv_buf_clear(&m);
			gv_buf_add(&m, b.ptr, b.len);
			m.ptr[i] ^= (char)(1 << bit);
			if (gv_sync_bundle_parse(&p, m.ptr, m.len, "b", &d) == GV_OK) {
				parsed++;
				gv_sync_bundle_release(&p);
			}
			if (line_of(&b, i) == 4)
				continue;
			ck_assert_msg(import_into(a, m.ptr, m.len, &res) < 0, "flip of bit %d at offset %zu "
				      "was accepted", bit, i);
		}
	}
	ck_assert_uint_gt(parsed, 0);
	/* the replica is as it was */
	ck_assert_int_eq(gv_replica_list(a, &origins, &n, &d), GV_OK);
	ck_assert_uint_eq(n, 1);
	gv_replica_list_free(origins, n);
	ck_assert_int_eq(gv_replica_get(a, ORIGIN, &st, &d), GV_OK);
	ck_assert_uint_eq(st.size, 5);
	ck_assert_uint_eq(st.imports, 1);
	/* and the untouched bundle still imports */
	ck_assert_int_eq(import_into(a, b.ptr, b.len, &res), GV_OK);
	ck_assert_uint_eq(res.to, 9);
	gv_audit_close(a);
	gv_buf_release(&b);
	gv_buf_release(&m);
	gv_diags_release(&d);
}
END_TEST

START_TEST(test_import_status_facts)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf b = GV_BUF_INIT, y = GV_BUF_INIT;
	gv_sync_import_result res;
	gv_sync_status st;
	gv_sync_facts f;
	gv_sync_trust_list trust = GV_SYNC_TRUST_LIST_INIT;
	gv_sync_keys keys = { &trust, NULL }, nokeys = { NULL, NULL };
	gv_audit *a;
	int64_t v[] = { 9, 1, 5, 3, 7, 2, 8, 4, 6, 10, 20, 0, 11, 12, 13, 14, 15, 16, 17, 18 };

	ck_assert_int_eq(gv_sync_percentile(v, 20, 95), 18);
	ck_assert_int_eq(gv_sync_percentile(v, 1, 95), v[0]);
	ck_assert_int_eq(gv_sync_percentile(v, 0, 95), 0);

	make_bundle(6, 0, &b);
	ck_assert_int_eq(import(b.ptr, b.len, &res), GV_OK);
	ck_assert_int_eq(res.status, GV_SYNC_IMPORTED);
	ck_assert_uint_eq(res.entries, 6);
	ck_assert_int_eq(import(b.ptr, b.len, &res), GV_OK);
	ck_assert_int_eq(res.status, GV_SYNC_UP_TO_DATE);
	make_bundle(3, 6, &b);
	ck_assert_int_eq(import(b.ptr, b.len, &res), GV_OK);
	ck_assert_uint_eq(res.from, 6);
	ck_assert_uint_eq(res.to, 9);

	ck_assert_int_eq(gv_audit_open(&a, dst, &d), GV_OK);
	/* no key to verify the replica under: nothing is read from it */
	ck_assert_int_eq(gv_sync_status_get(&st, a, ORIGIN, &nokeys, &d), GV_ESIG);
	ck_assert_int_eq(gv_sync_facts_get(&f, a, ORIGIN, &nokeys, &d), GV_ESIG);
	/* the dst log has no checkpoint: its own key proves no pin either */
	nokeys.log_pub = pub;
	ck_assert_int_eq(gv_sync_status_get(&st, a, ORIGIN, &nokeys, &d), GV_ESIG);
	gv_diags_release(&d);
	trust.v[0].origin = ORIGIN;
	trust.v[0].key = pub;
	trust.n = 1;
	ck_assert_int_eq(gv_sync_status_get(&st, a, ORIGIN, &keys, &d), GV_OK);
	ck_assert_uint_eq(st.entries, 9);
	ck_assert_uint_eq(st.cp_size, 9);
	ck_assert_uint_eq(st.imports, 2);
	ck_assert_uint_eq(st.lag_entries, 0);
	ck_assert(st.has_latency);
	/* ages are relative to now and never negative for entries made just now */
	ck_assert(st.has_since_import);
	ck_assert_int_ge(st.since_last_import, 0);
	ck_assert_int_le(st.since_last_import, 60);
	ck_assert(st.has_newest_age);
	ck_assert_int_ge(st.newest_entry_age, 0);
	ck_assert_int_eq(gv_sync_status_get(&st, a, "nope", &keys, &d), GV_ENOTFOUND);
	ck_assert_int_eq(gv_sync_facts_get(&f, a, ORIGIN, &keys, &d), GV_OK);
	ck_assert(f.enabled);
	gv_sync_facts_yaml(&y, &f, 2);
	ck_assert_ptr_nonnull(strstr(y.ptr, "  sync:\n    enabled: true\n    origin: \"" ORIGIN
				     "\"\n    lag_entries: 0\n    sync_latency_seconds: "));
	ck_assert_int_eq(gv_sync_facts_get(&f, a, "other", &keys, &d), GV_OK);
	ck_assert(!f.enabled);
	gv_buf_clear(&y);
	gv_sync_facts_yaml(&y, &f, 0);
	ck_assert_str_eq(y.ptr, "sync:\n  enabled: false\n  origin: \"other\"\n  lag_entries: 0\n"
			 "  sync_latency_seconds: null\n  sync_latency_p95_seconds: null\n"
			 "  last_import: null\n  since_last_import_seconds: null\n"
			 "  newest_entry_age_seconds: null\n");
	gv_audit_close(a);
	gv_buf_release(&b);
	gv_buf_release(&y);
	gv_diags_release(&d);
}
END_TEST

START_TEST(test_speed)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf b = GV_BUF_INIT;
	gv_sync_import_result res;
	struct timespec t0, t1;
	const unsigned n = 2000;
	double s;

	make_bundle(n, 0, &b);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(import(b.ptr, b.len, &res), GV_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_uint_eq(res.entries, n);
	s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "sync: import of %u entries in %.3f s (%.0f entries/s); bundle %zu bytes, "
		"%.0f bytes per entry\n", n, s, n / s, b.len, (double)b.len / n);
	gv_buf_release(&b);
	gv_diags_release(&d);
}
END_TEST

Suite *sync_suite(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("bundles");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_format_round_trip);
	tcase_add_test(tc, test_hostile_table);
	tcase_add_test(tc, test_truncations_and_flips);
	tcase_add_test(tc, test_import_status_facts);
	tcase_add_test(tc, test_speed);
	suite_add_tcase(s, tc);
	return s;
}
