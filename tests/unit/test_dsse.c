/* test_dsse.c: PAE (the DSSE specification's example), envelopes, hostile input. */
#include "testkeys.h"

#include "dsse.h"

#define STMT "{\"_type\":\"https://in-toto.io/Statement/v1\"}"
/* DSSE testvectors (secure-systems-lab/dsse): key A over STMT */
#define SIG_A_STMT "2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA=="

static gv_key *key_a, *pub_a, *key_b;

static void setup(void)
{
	tk_setup();
	key_a = tk_key(TK_SECRET_A);
	pub_a = tk_public(key_a);
	key_b = tk_key(TK_SECRET_B);
}

static void teardown(void)
{
	gv_key_free(key_a);
	gv_key_free(pub_a);
	gv_key_free(key_b);
	tk_teardown();
}

/* Opens env with k; returns the code, leaving the payload in *payload. */
static int open_env(const char *env, size_t len, const gv_key *k, gv_buf *payload,
		    char **type, gv_diags *d)
{
	gv_buf_clear(payload);
	return gv_dsse_open(payload, type, "r.json", env, len, k, d);
}

static void expect_fail(const char *env, int code, const char *msg, uint32_t line, uint32_t col)
{
	gv_buf p = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char *type = (char *)"x";

	ck_assert_int_eq(open_env(env, strlen(env), pub_a, &p, &type, &d), code);
	ck_assert_ptr_null(type);
	ck_assert_uint_eq(p.len, 0);
	ck_assert_int_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].loc.file, "r.json");
	ck_assert_msg(strstr(d.v[0].msg, msg), "message '%s' lacks '%s'", d.v[0].msg, msg);
	ck_assert_msg(d.v[0].loc.line == line && d.v[0].loc.col == col, "%s at %u:%u",
		      d.v[0].msg, d.v[0].loc.line, d.v[0].loc.col);
	gv_diags_release(&d);
	gv_buf_release(&p);
}

START_TEST(pae_spec_example)
{
	gv_buf b = GV_BUF_INIT;

	gv_dsse_pae(&b, "http://example.com/HelloWorld", 29, "hello world", 11);
	ck_assert_str_eq(b.ptr, "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
	gv_buf_clear(&b);
	gv_dsse_pae(&b, GV_DSSE_INTOTO_TYPE, strlen(GV_DSSE_INTOTO_TYPE), "", 0);
	ck_assert_str_eq(b.ptr, "DSSEv1 28 application/vnd.in-toto+json 0 ");
	gv_buf_release(&b);
}
END_TEST

START_TEST(sign_exact_envelope)
{
	gv_buf env = GV_BUF_INIT, want = GV_BUF_INIT, p = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char id[65], *type = NULL;

	ck_assert_int_eq(gv_report_sign_envelope(&env, STMT, strlen(STMT), key_a), GV_OK);
	gv_key_id(key_a, id);
	gv_buf_printf(&want, "{\"payloadType\":\"application/vnd.in-toto+json\","
		      "\"payload\":\"eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==\","
		      "\"signatures\":[{\"keyid\":\"%s\",\"sig\":\"%s\"}]}\n", id, SIG_A_STMT);
	ck_assert_str_eq(env.ptr, want.ptr);

	ck_assert_int_eq(open_env(env.ptr, env.len, pub_a, &p, &type, &d), GV_OK);
	ck_assert_str_eq(p.ptr, STMT);
	ck_assert_str_eq(type, GV_DSSE_INTOTO_TYPE);
	free(type);
	ck_assert_int_eq(d.n, 0);
	/* a public key cannot sign */
	ck_assert_int_eq(gv_dsse_sign(&env, "t", "x", 1, pub_a), GV_ERROR);
	gv_buf_release(&env);
	gv_buf_release(&want);
	gv_buf_release(&p);
}
END_TEST

START_TEST(spec_vectors)
{
	gv_buf p = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char *type = NULL;
	const char *env;

	/* URL-safe base64 in payload and signature; no keyid */
	env = "{\"payload\": \"-_-_Pj8=\", \"payloadType\": \"application/vnd.in-toto+json\","
	      " \"signatures\": [{\"sig\": \"P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==\"}]}";
	ck_assert_int_eq(open_env(env, strlen(env), pub_a, &p, &type, &d), GV_OK);
	ck_assert_uint_eq(p.len, 5);
	ck_assert_mem_eq(p.ptr, "\xfb\xff\xbf\x3e\x3f", 5);
	free(type);
	/* LEN(type) counts bytes: 29 for a 28-character type */
	env = "{\"payload\": \"eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==\","
	      " \"payloadType\": \"application/vnd.ex\xc3\xa4mple+json\", \"signatures\": [{\"sig\":"
	      " \"xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==\"}]}";
	ck_assert_int_eq(open_env(env, strlen(env), pub_a, &p, &type, &d), GV_OK);
	ck_assert_str_eq(type, "application/vnd.ex\xc3\xa4mple+json");
	free(type);
	/* an empty payload is signed as "... 0 " */
	env = "{\"payload\": \"\", \"payloadType\": \"application/vnd.in-toto+json\", \"signatures\":"
	      " [{\"sig\": \"gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==\"}]}";
	ck_assert_int_eq(open_env(env, strlen(env), pub_a, &p, &type, &d), GV_OK);
	ck_assert_uint_eq(p.len, 0);
	free(type);
	ck_assert_int_eq(d.n, 0);
	gv_buf_release(&p);
	/* the payload type is authenticated */
	expect_fail("{\"payload\": \"eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==\","
		    " \"payloadType\": \"application/vnd.example.other+json\", \"signatures\":"
		    " [{\"sig\": \"" SIG_A_STMT "\"}]}", GV_ESIG, "bad signature by key", 0, 0);
}
END_TEST

START_TEST(wrong_key_and_tampering)
{
	gv_buf env = GV_BUF_INIT, p = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char ida[65], idb[65], *type = NULL, *at;

	gv_key_id(key_a, ida);
	gv_key_id(key_b, idb);
	ck_assert_int_eq(gv_report_sign_envelope(&env, STMT, strlen(STMT), key_b), GV_OK);
	ck_assert_int_eq(open_env(env.ptr, env.len, pub_a, &p, &type, &d), GV_ESIG);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, ida));
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, idb));
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "no signature by key"));
	gv_diags_release(&d);

	/* flip one payload character (still valid base64) */
	gv_buf_clear(&env);
	ck_assert_int_eq(gv_report_sign_envelope(&env, STMT, strlen(STMT), key_a), GV_OK);
	at = strstr(env.ptr, "\"payload\":\"") + 11;
	*at = *at == 'e' ? 'f' : 'e';
	ck_assert_int_eq(open_env(env.ptr, env.len, pub_a, &p, &type, &d), GV_ESIG);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "bad signature"));
	ck_assert_ptr_null(type);
	gv_diags_release(&d);
	gv_buf_release(&env);
	gv_buf_release(&p);
}
END_TEST

START_TEST(hostile_envelopes)
{
	gv_buf big = GV_BUF_INIT, p = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char *type = NULL;

	expect_fail("", GV_EPARSE, "expected a value", 1, 1);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"", GV_EPARSE, "unterminated string", 1, 30);
	expect_fail("[1]", GV_EPARSE, "the envelope must be an object, not an array", 1, 1);
	expect_fail("{}", GV_EPARSE, "'payloadType' is missing", 1, 1);
	expect_fail("{\"payloadType\":1,\"payload\":\"\",\"signatures\":[]}", GV_EPARSE,
		    "'payloadType' must be a string, not a number", 1, 16);
	expect_fail("{\"payloadType\":\"t\",\"payload\":null,\"signatures\":[]}", GV_EPARSE,
		    "'payload' must be a string, not null", 1, 30);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"\"}", GV_EPARSE, "'signatures' is missing", 1, 1);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":{}}", GV_EPARSE,
		    "'signatures' must be an array, not an object", 1, 46);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[]}", GV_ESIG,
		    "no signatures", 1, 46);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[\"x\"]}", GV_EPARSE,
		    "each signature must be an object, not a string", 1, 47);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{}]}", GV_EPARSE,
		    "'sig' is missing", 1, 47);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"\",\"keyid\":7}]}",
		    GV_EPARSE, "'keyid' must be a string, not a number", 1, 65);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"a!==\",\"signatures\":[{\"sig\":\"\"}]}",
		    GV_EPARSE, "'payload' is not valid base64", 1, 30);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"A\"}]}",
		    GV_EPARSE, "'sig' is not valid base64", 1, 54);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"\",\"payload\":\"\",\"signatures\":[]}",
		    GV_EPARSE, "duplicate key \"payload\"", 1, 33);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"AAAA\"}]}",
		    GV_ESIG, "not a 64-byte Ed25519 signature", 0, 0);
	expect_fail("{\"payloadType\":\"t\",\"payload\":\"\",\"signatures\":[{\"sig\":\"\"}]} x",
		    GV_EPARSE, "unexpected 'x' after the JSON value", 1, 60);
	/* huge: refused before parsing */
	gv_buf_grow(&big, GV_DSSE_MAX_BYTES + 1);
	memset(big.ptr, ' ', GV_DSSE_MAX_BYTES + 1);
	big.len = GV_DSSE_MAX_BYTES + 1;
	ck_assert_int_eq(open_env(big.ptr, big.len, pub_a, &p, &type, &d), GV_EPARSE);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "over the limit"));
	gv_diags_release(&d);
	/* deep nesting */
	gv_buf_clear(&big);
	gv_buf_puts(&big, "{\"x\":");
	for (int i = 0; i < 100000; i++)
		gv_buf_putc(&big, '[');
	ck_assert_int_eq(open_env(big.ptr, big.len, pub_a, &p, &type, &d), GV_EPARSE);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "nesting deeper"));
	gv_diags_release(&d);
	gv_buf_release(&big);
	gv_buf_release(&p);
}
END_TEST

Suite *dsse_suite(void)
{
	Suite *s = suite_create("dsse");
	TCase *tc = tcase_create("dsse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pae_spec_example);
	tcase_add_test(tc, sign_exact_envelope);
	tcase_add_test(tc, spec_vectors);
	tcase_add_test(tc, wrong_key_and_tampering);
	tcase_add_test(tc, hostile_envelopes);
	suite_add_tcase(s, tc);
	return s;
}
