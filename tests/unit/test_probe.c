/* test_probe.c: probe.c's backoff schedule, endpoint parsing, the facts
 * writer, and probes of loopback sockets that refuse or never answer. */
#include <check.h>

#include "buf.h"
#include "diag.h"
#include "gv.h"
#include "probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/*
 * Extra time allowed on upper timing bounds: none normally, a lot under
 * valgrind (detected through its preload), where OpenSSL's start-up alone
 * takes seconds before any deadline starts.
 */
static long slack_ms(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload") ? 15000 : 0;
}

/* A listening socket on 127.0.0.1; its port in *port. */
static int listen_loopback(unsigned *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* --- backoff ------------------------------------------------------------- */

START_TEST(backoff_seeded_schedule_is_fixed)
{
	static const unsigned want[] = { 63, 163, 233, 504, 1509, 1592, 1205, 1090 };
	uint64_t rng = 42;
	unsigned i;

	for (i = 0; i < GV_ARRAY_LEN(want); i++)
		ck_assert_uint_eq(gv_probe_backoff_ms(i + 1, 100, 2000, &rng), want[i]);
}
END_TEST

START_TEST(backoff_same_seed_same_waits)
{
	uint64_t a = 7, b = 7, c = 8;
	unsigned i, differ = 0;

	for (i = 1; i <= 20; i++) {
		unsigned x = gv_probe_backoff_ms(i, 100, 2000, &a);

		ck_assert_uint_eq(x, gv_probe_backoff_ms(i, 100, 2000, &b));
		differ += x != gv_probe_backoff_ms(i, 100, 2000, &c);
	}
	ck_assert_uint_gt(differ, 10);   /* another seed, another jitter */
}
END_TEST

START_TEST(backoff_within_equal_jitter_bounds)
{
	uint64_t rng = 12345;
	unsigned retry, k;

	for (retry = 1; retry <= 40; retry++) {
		unsigned long d = 100;
		unsigned j;

		for (j = 1; j < retry && d < 2000; j++)
			d *= 2;
		if (d > 2000)
			d = 2000;
		for (k = 0; k < 200; k++) {
			unsigned w = gv_probe_backoff_ms(retry, 100, 2000, &rng);

			ck_assert_uint_ge(w, d / 2);
			ck_assert_uint_le(w, d);
		}
	}
	ck_assert_uint_eq(gv_probe_backoff_ms(0, 100, 2000, &rng), 0);
	/* huge retry counts neither overflow nor pass the cap */
	ck_assert_uint_le(gv_probe_backoff_ms(100000, 100, 2000, &rng), 2000);
	ck_assert_uint_ge(gv_probe_backoff_ms(100000, 100, 2000, &rng), 1000);
}
END_TEST

/* --- endpoints and sides --------------------------------------------------- */

START_TEST(parse_endpoint_forms)
{
	char *host;
	unsigned port;

	ck_assert_int_eq(gv_probe_parse_endpoint(&host, &port, "127.0.0.1:8443"), GV_OK);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_uint_eq(port, 8443);
	free(host);
	ck_assert_int_eq(gv_probe_parse_endpoint(&host, &port, "db.example:65535"), GV_OK);
	ck_assert_str_eq(host, "db.example");
	ck_assert_uint_eq(port, 65535);
	free(host);
	ck_assert_int_eq(gv_probe_parse_endpoint(&host, &port, "[::1]:443"), GV_OK);
	ck_assert_str_eq(host, "::1");
	ck_assert_uint_eq(port, 443);
	free(host);
}
END_TEST

START_TEST(parse_endpoint_rejects)
{
	static const char *bad[] = {
		"", "localhost", "localhost:", ":443", "localhost:0", "localhost:65536",
		"localhost:123456", "localhost:44a", "localhost:-1", "::1:443", "[::1]443",
		"[::1:443", "bad host:443", "h\x01:443", "caf\xc3\xa9:443"
	};
	size_t i;

	for (i = 0; i < GV_ARRAY_LEN(bad); i++) {
		char *host = (char *)"untouched";
		unsigned port = 0;

		ck_assert_msg(gv_probe_parse_endpoint(&host, &port, bad[i]) == GV_EPARSE,
			      "accepted '%s'", bad[i]);
		ck_assert_ptr_null(host);
	}
}
END_TEST

START_TEST(side_names)
{
	gv_probe_side s;

	ck_assert_int_eq(gv_probe_side_parse(&s, "onprem"), GV_OK);
	ck_assert_int_eq(s, GV_PROBE_SIDE_ONPREM);
	ck_assert_str_eq(gv_probe_side_name(s), "onprem");
	ck_assert_int_eq(gv_probe_side_parse(&s, "cloud"), GV_OK);
	ck_assert_str_eq(gv_probe_side_name(s), "cloud");
	ck_assert_int_eq(gv_probe_side_parse(&s, "Cloud"), GV_EPARSE);
}
END_TEST

/* --- the writer ------------------------------------------------------------ */

/* Two endpoints: one with TLS facts, one refused (strings needing escapes). */
static void sample(gv_probe_result *r, gv_probe_endpoint ep[2])
{
	memset(r, 0, sizeof(*r));
	memset(ep, 0, 2 * sizeof(*ep));
	r->side = GV_PROBE_SIDE_CLOUD;
	r->collected_at = 1795867200;   /* 2026-11-28T12:00:00Z */
	r->reachable = false;
	r->endpoints = ep;
	r->n = 2;
	ep[0].endpoint = (char *)"127.0.0.1:8443";
	ep[0].server_name = (char *)"localhost";
	ep[0].reachable = true;
	ep[0].connect_ms = 0.4;
	ep[0].attempts = 1;
	ep[0].has_tls = true;
	ep[0].tls.version = (char *)"1.2";
	ep[0].tls.cipher = (char *)"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
	ep[0].tls.verified = false;
	ep[0].tls.verify_error = (char *)"certificate has expired";
	ep[0].tls.name_matched = true;
	ep[0].tls.has_days = true;
	ep[0].tls.cert_days_left = -3;
	ep[0].tls.mutual = true;
	ep[1].endpoint = (char *)"db\"1\":5432";
	ep[1].server_name = (char *)"null";
	ep[1].attempts = 3;
	ep[1].error = (char *)"connection refused";
}

START_TEST(write_yaml_exact)
{
	static const char want[] =
		"apiVersion: govgate/v1\n"
		"kind: Facts\n"
		"side: cloud\n"
		"collected_at: \"2026-11-28T12:00:00Z\"\n"
		"collector: \"govgate-probe 0.1.0\"\n"
		"connectivity:\n"
		"  reachable: false\n"
		"  endpoints:\n"
		"    - endpoint: \"127.0.0.1:8443\"\n"
		"      server_name: \"localhost\"\n"
		"      reachable: true\n"
		"      connect_ms: 0.400\n"
		"      attempts: 1\n"
		"      error: null\n"
		"      tls:\n"
		"        version: \"1.2\"\n"
		"        cipher: \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"\n"
		"        verified: false\n"
		"        verify_error: \"certificate has expired\"\n"
		"        name_matched: true\n"
		"        cert_days_left: -3\n"
		"        mutual: true\n"
		"    - endpoint: \"db\\\"1\\\":5432\"\n"
		"      server_name: \"null\"\n"
		"      reachable: false\n"
		"      connect_ms: null\n"
		"      attempts: 3\n"
		"      error: \"connection refused\"\n"
		"      tls: null\n";
	gv_probe_result r;
	gv_probe_endpoint ep[2];
	gv_buf b = GV_BUF_INIT;

	sample(&r, ep);
	gv_probe_write(&b, &r, GV_PROBE_YAML);
	ck_assert_str_eq(b.ptr, want);
	gv_buf_release(&b);
}
END_TEST

START_TEST(write_json_exact)
{
	static const char want[] =
		"{\n"
		"  \"apiVersion\": \"govgate/v1\",\n"
		"  \"kind\": \"Facts\",\n"
		"  \"side\": \"onprem\",\n"
		"  \"collected_at\": \"2026-11-28T12:00:00Z\",\n"
		"  \"collector\": \"govgate-probe 0.1.0\",\n"
		"  \"connectivity\": {\n"
		"    \"reachable\": false,\n"
		"    \"endpoints\": [\n"
		"      {\n"
		"        \"endpoint\": \"127.0.0.1:8443\",\n"
		"        \"server_name\": \"localhost\",\n"
		"        \"reachable\": true,\n"
		"        \"connect_ms\": 0.400,\n"
		"        \"attempts\": 1,\n"
		"        \"error\": null,\n"
		"        \"tls\": {\n"
		"          \"version\": \"1.2\",\n"
		"          \"cipher\": \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\n"
		"          \"verified\": false,\n"
		"          \"verify_error\": \"certificate has expired\",\n"
		"          \"name_matched\": true,\n"
		"          \"cert_days_left\": -3,\n"
		"          \"mutual\": true\n"
		"        }\n"
		"      },\n"
		"      {\n"
		"        \"endpoint\": \"db\\\"1\\\":5432\",\n"
		"        \"server_name\": \"null\",\n"
		"        \"reachable\": false,\n"
		"        \"connect_ms\": null,\n"
		"        \"attempts\": 3,\n"
		"        \"error\": \"connection refused\",\n"
		"        \"tls\": null\n"
		"      }\n"
		"    ]\n"
		"  }\n"
		"}\n";
	gv_probe_result r;
	gv_probe_endpoint ep[2];
	gv_buf b = GV_BUF_INIT;

	sample(&r, ep);
	r.side = GV_PROBE_SIDE_ONPREM;
	gv_probe_write(&b, &r, GV_PROBE_JSON);
	ck_assert_str_eq(b.ptr, want);
	gv_buf_release(&b);
}
END_TEST

START_TEST(write_no_days_and_no_endpoints)
{
	gv_probe_result r;
	gv_probe_endpoint ep[2];
	gv_buf b = GV_BUF_INIT;

	sample(&r, ep);
	ep[0].tls.has_days = false;
	ep[0].tls.verify_error = (char *)"no certificate presented by the peer";
	gv_probe_write(&b, &r, GV_PROBE_YAML);
	ck_assert_ptr_nonnull(strstr(b.ptr, "        cert_days_left: null\n"));
	gv_buf_clear(&b);
	r.n = 0;
	gv_probe_write(&b, &r, GV_PROBE_JSON);
	ck_assert_ptr_nonnull(strstr(b.ptr, "    \"endpoints\": []\n"));
	gv_buf_clear(&b);
	gv_probe_write(&b, &r, GV_PROBE_YAML);
	ck_assert_ptr_nonnull(strstr(b.ptr, "  endpoints: []\n"));
	gv_buf_release(&b);
}
END_TEST

/* --- live probes of loopback sockets --------------------------------------- */

START_TEST(run_refused_retries_then_records)
{
	gv_probe_opts o = GV_PROBE_OPTS_INIT;
	gv_probe_result r = GV_PROBE_RESULT_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char ep[32];
	const char *eps[1] = { ep };
	unsigned port;
	long t0, took;
	int fd = listen_loopback(&port);

	close(fd);   /* nothing listens there now: connection refused */
	snprintf(ep, sizeof(ep), "127.0.0.1:%u", port);
	o.endpoints = eps;
	o.n_endpoints = 1;
	o.attempts = 3;
	o.seed = 42;   /* waits 63 + 163 ms */
	t0 = now_ms();
	ck_assert_int_eq(gv_probe_run(&r, &o, &d), GV_OK);
	took = now_ms() - t0;
	ck_assert_uint_eq(r.n, 1);
	ck_assert(!r.reachable);
	ck_assert(!r.endpoints[0].reachable);
	ck_assert_uint_eq(r.endpoints[0].attempts, 3);
	ck_assert_str_eq(r.endpoints[0].error, "connection refused");
	ck_assert_str_eq(r.endpoints[0].server_name, "127.0.0.1");
	ck_assert(!r.endpoints[0].has_tls);
	ck_assert_int_ge(took, 150);
	ck_assert_int_lt(took, 2000 + slack_ms());
	gv_probe_result_release(&r);
	gv_diags_release(&d);
}
END_TEST

START_TEST(run_silent_server_times_out)
{
	gv_probe_opts o = GV_PROBE_OPTS_INIT;
	gv_probe_result r = GV_PROBE_RESULT_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char ep[32];
	const char *eps[2] = { ep, ep };
	unsigned port;
	long t0, took;
	int fd = listen_loopback(&port);   /* accepts TCP, never speaks TLS */

	snprintf(ep, sizeof(ep), "127.0.0.1:%u", port);
	o.endpoints = eps;
	o.n_endpoints = 2;   /* probed concurrently: the bound holds for both */
	o.attempts = 10;     /* unbounded, these would take over 4 s */
	o.timeout_ms = 200;
	o.max_time_ms = 300;
	o.server_name = "localhost";
	t0 = now_ms();
	ck_assert_int_eq(gv_probe_run(&r, &o, &d), GV_OK);
	took = now_ms() - t0;
	ck_assert(r.reachable);
	ck_assert(r.endpoints[0].reachable);
	/* a retry, if any, only gets what is left of the 300 ms */
	ck_assert_uint_ge(r.endpoints[0].attempts, 1);
	ck_assert_uint_le(r.endpoints[0].attempts, 2);
	ck_assert_str_eq(r.endpoints[0].error, "tls handshake timed out");
	ck_assert_str_eq(r.endpoints[1].server_name, "localhost");
	/* 300 ms, plus start-up (the system trust store; slow under ASan) */
	ck_assert_int_ge(took, 190);
	ck_assert_int_lt(took, 1500 + slack_ms());
	close(fd);
	gv_probe_result_release(&r);
	gv_diags_release(&d);
}
END_TEST

START_TEST(run_bad_files_and_endpoints_fail_early)
{
	gv_probe_opts o = GV_PROBE_OPTS_INIT;
	gv_probe_result r = GV_PROBE_RESULT_INIT;
	gv_diags d = GV_DIAGS_INIT;
	const char *eps[2] = { "127.0.0.1:1", "nope" };

	o.endpoints = eps;
	o.n_endpoints = 2;
	ck_assert_int_eq(gv_probe_run(&r, &o, &d), GV_ERROR);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_str_eq(d.v[0].msg, "invalid endpoint 'nope' (want HOST:PORT or [ADDR]:PORT)");
	ck_assert_uint_eq(r.n, 0);
	gv_probe_result_release(&r);
	gv_diags_release(&d);

	o.n_endpoints = 1;
	o.ca_file = "no/such/ca.pem";
	ck_assert_int_eq(gv_probe_run(&r, &o, &d), GV_ERROR);
	ck_assert_str_eq(d.v[0].loc.file, "no/such/ca.pem");
	ck_assert_str_eq(d.v[0].msg, "cannot read CA file: No such file or directory");
	gv_probe_result_release(&r);
	gv_diags_release(&d);

	o.ca_file = NULL;
	o.cert_file = "client.crt";
	ck_assert_int_eq(gv_probe_run(&r, &o, &d), GV_ERROR);   /* no key */
	gv_probe_result_release(&r);
	gv_diags_release(&d);

	o.cert_file = NULL;
	o.n_endpoints = 0;
	ck_assert_int_eq(gv_probe_run(&r, &o, &d), GV_ERROR);
	gv_probe_result_release(&r);
	gv_probe_result_release(NULL);
	gv_diags_release(&d);
}
END_TEST

Suite *probe_suite(void)
{
	Suite *s = suite_create("probe");
	TCase *tc;

	tc = tcase_create("backoff");
	tcase_add_test(tc, backoff_seeded_schedule_is_fixed);
	tcase_add_test(tc, backoff_same_seed_same_waits);
	tcase_add_test(tc, backoff_within_equal_jitter_bounds);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, parse_endpoint_forms);
	tcase_add_test(tc, parse_endpoint_rejects);
	tcase_add_test(tc, side_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_test(tc, write_yaml_exact);
	tcase_add_test(tc, write_json_exact);
	tcase_add_test(tc, write_no_days_and_no_endpoints);
	suite_add_tcase(s, tc);

	tc = tcase_create("run");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, run_refused_retries_then_records);
	tcase_add_test(tc, run_silent_server_times_out);
	tcase_add_test(tc, run_bad_files_and_endpoints_fail_early);
	suite_add_tcase(s, tc);
	return s;
}
