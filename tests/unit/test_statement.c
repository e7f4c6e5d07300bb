/* test_statement.c: in-toto Statement checks and gv_statement_open. */
#include "testkeys.h"

#include "dsse.h"
#include "statement.h"

#define H0 "0000000000000000000000000000000000000000000000000000000000000000"
#define H1 "00000000000000000000000000000000000000000000000000000000000000ff"
#define SUBJ "[{\"name\":\"a.yaml\",\"digest\":{\"sha256\":\"" H0 "\"}}," \
	     "{\"name\":\"b.yaml\",\"digest\":{\"sha1\":\"x\",\"sha256\":\"" H1 "\"}}]"
#define STMT(pt, pred) "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":" SUBJ \
	",\"predicateType\":\"" pt "\",\"predicate\":" pred "}"
#define REPORT(pred) STMT("https://govgate.dev/compliance-report/v1", pred)
#define RECEIPT(pred) STMT("https://govgate.dev/deployment-receipt/v1", pred)
#define APPROVAL(pred) "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":" \
	"[{\"name\":\"a.yaml\",\"digest\":{\"sha256\":\"" H0 "\"}}]," \
	"\"predicateType\":\"https://govgate.dev/approval/v1\",\"predicate\":" pred "}"

static void bad(const char *json, const char *msg, uint32_t col)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_statement *s = (gv_statement *)1;

	ck_assert_int_eq(gv_statement_parse(&s, "p", json, strlen(json), &d), GV_EPARSE);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(d.n, 1);
	ck_assert_msg(strstr(d.v[0].msg, msg), "'%s' lacks '%s'", d.v[0].msg, msg);
	ck_assert_msg(d.v[0].loc.col == col, "%s: col %u, want %u", d.v[0].msg, d.v[0].loc.col, col);
	gv_diags_release(&d);
}

START_TEST(report_and_receipt)
{
	const char *r = REPORT("{\"decision\":\"halt\",\"deployment_id\":\"d1\",\"x\":[1]}");
	gv_diags d = GV_DIAGS_INIT;
	gv_statement *s = NULL;
	unsigned char h[32] = { 0 };

	ck_assert_int_eq(gv_statement_parse(&s, "p", r, strlen(r), &d), GV_OK);
	ck_assert_int_eq(s->kind, GV_STATEMENT_REPORT);
	ck_assert_str_eq(s->decision, "halt");
	ck_assert_str_eq(s->deployment_id, "d1");
	ck_assert_uint_eq(s->nsubjects, 2);
	ck_assert_str_eq(s->subjects[1].name, "b.yaml");
	ck_assert_str_eq(s->subjects[1].sha256_hex, H1);
	ck_assert_ptr_eq(gv_statement_find(s, h), &s->subjects[0]);
	h[31] = 0xff;
	ck_assert_ptr_eq(gv_statement_find(s, h), &s->subjects[1]);
	h[0] = 1;
	ck_assert_ptr_null(gv_statement_find(s, h));
	gv_statement_free(s);

	r = RECEIPT("{\"deployment_id\":\"dep-1\",\"status\":\"completed\"}");
	ck_assert_int_eq(gv_statement_parse(&s, "p", r, strlen(r), &d), GV_OK);
	ck_assert_int_eq(s->kind, GV_STATEMENT_RECEIPT);
	ck_assert_ptr_null(s->decision);
	ck_assert_str_eq(s->deployment_id, "dep-1");
	gv_statement_free(s);
	gv_statement_free(NULL);
	ck_assert_int_eq(d.n, 0);
}
END_TEST

START_TEST(rejections)
{
	bad("[]", "the payload must be a JSON object", 1);
	bad("{\"_type\":\"https://in-toto.io/Statement/v0.1\"}", "'_type' must be", 10);
	bad("{}", "'_type' is missing", 1);
	bad(STMT("https://example.com/x", "{}"), "unknown predicateType", 293);
	bad(REPORT("{}"), "'decision' is missing", 348);
	bad(REPORT("{\"decision\":1}"), "'decision' must be a string", 360);
	bad(REPORT("{\"decision\":\"ALLOW\"}"), "unknown decision", 360);
	bad(REPORT("[]"), "'predicate' must be an object", 348);
	bad(RECEIPT("{}"), "'deployment_id' is missing", 349);
	bad(RECEIPT("{\"deployment_id\":\"d\",\"decision\":\"nope\"}"), "unknown decision", 381);
	bad("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[],"
	    "\"predicateType\":\"https://govgate.dev/compliance-report/v1\",\"predicate\":{}}",
	    "'subject' is empty", 54);
	bad("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\",\"digest\":{}}],"
	    "\"predicateType\":\"https://govgate.dev/compliance-report/v1\",\"predicate\":{}}",
	    "'sha256' is missing", 76);
	bad("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"a\",\"digest\":{\"sha256\":\"" H0 "0\"}}],"
	    "\"predicateType\":\"https://govgate.dev/compliance-report/v1\",\"predicate\":{}}",
	    "64 lowercase hex digits", 86);
	bad("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[7],"
	    "\"predicateType\":\"https://govgate.dev/compliance-report/v1\",\"predicate\":{}}",
	    "each subject must be an object", 55);
	bad("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"digest\":{}}],"
	    "\"predicateType\":\"https://govgate.dev/compliance-report/v1\",\"predicate\":{}}",
	    "'name' is missing", 55);
	bad("not json", "expected a value", 1);
}
END_TEST

START_TEST(open_signed)
{
	const char *r = REPORT("{\"decision\":\"allow\"}");
	gv_key *k, *p, *o;
	gv_buf env = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	gv_statement *s = NULL;
	char path[128], id[65];

	tk_setup();
	k = tk_key(TK_SECRET_A);
	p = tk_public(k);
	o = tk_key(TK_SECRET_B);
	tk_path(path, sizeof(path), "r.json");
	ck_assert_int_eq(gv_report_sign_envelope(&env, r, strlen(r), k), GV_OK);
	tk_write(path, env.ptr, env.len, 0644);
	ck_assert_int_eq(gv_statement_open(&s, path, p, &d), GV_OK);
	gv_key_id(k, id);
	ck_assert_str_eq(s->keyid, id);
	ck_assert_str_eq(s->decision, "allow");
	gv_statement_free(s);
	ck_assert_int_eq(gv_statement_open(&s, path, o, &d), GV_ESIG);
	ck_assert_ptr_null(s);

	/* validly signed, wrong payload type: malformed, not invalid */
	gv_buf_clear(&env);
	ck_assert_int_eq(gv_dsse_sign(&env, "application/json", r, strlen(r), k), GV_OK);
	tk_write(path, env.ptr, env.len, 0644);
	ck_assert_int_eq(gv_statement_open(&s, path, p, &d), GV_EPARSE);
	ck_assert_ptr_nonnull(strstr(d.v[d.n - 1].msg, "payload type \"application/json\""));
	/* validly signed, not a Statement: the position is in the payload */
	gv_buf_clear(&env);
	ck_assert_int_eq(gv_report_sign_envelope(&env, "{\"a\":1}", 7, k), GV_OK);
	tk_write(path, env.ptr, env.len, 0644);
	ck_assert_int_eq(gv_statement_open(&s, path, p, &d), GV_EPARSE);
	ck_assert_ptr_nonnull(strstr(d.v[d.n - 1].loc.file, "r.json (payload)"));
	ck_assert_uint_eq(d.v[d.n - 1].loc.line, 1);
	tk_path(path, sizeof(path), "missing.json");
	ck_assert_int_eq(gv_statement_open(&s, path, p, &d), GV_EIO);
	gv_diags_release(&d);
	gv_buf_release(&env);
	gv_key_free(k);
	gv_key_free(p);
	gv_key_free(o);
	tk_teardown();
}
END_TEST

START_TEST(approval)
{
	const char *r = APPROVAL("{\"role\":\"security-admin\",\"deployment_id\":null,"
				 "\"time\":\"2026-12-01T00:00:00Z\",\"expires\":\"2026-12-02T00:00:00Z\","
				 "\"comment\":\"ok\",\"tool\":{}}");
	gv_diags d = GV_DIAGS_INIT;
	gv_statement *s = NULL;

	ck_assert_int_eq(gv_statement_parse(&s, "p", r, strlen(r), &d), GV_OK);
	ck_assert_int_eq(s->kind, GV_STATEMENT_APPROVAL);
	ck_assert_str_eq(s->role, "security-admin");
	ck_assert_ptr_null(s->deployment_id);
	ck_assert_str_eq(s->time, "2026-12-01T00:00:00Z");
	ck_assert_str_eq(s->expires, "2026-12-02T00:00:00Z");
	ck_assert_str_eq(s->comment, "ok");
	ck_assert_ptr_null(s->decision);
	gv_statement_free(s);
	ck_assert_int_eq(d.n, 0);

	bad(APPROVAL("{}"), "'role' is missing", 223);
	bad(APPROVAL("{\"role\":\"root\"}"), "unknown role 'root'", 231);
	bad(APPROVAL("{\"role\":\"security-admin\",\"time\":\"yesterday\"}"),
	    "'time' must be an RFC 3339 time", 255);
	bad(APPROVAL("{\"role\":\"security-admin\",\"time\":\"2026-12-01T00:00:00Z\"}"),
	    "'deployment_id' is missing", 223);
	bad(APPROVAL("{\"role\":\"security-admin\",\"time\":\"2026-12-01T00:00:00Z\","
		     "\"deployment_id\":7,\"expires\":null,\"comment\":null}"),
	    "'deployment_id' must be a string or null", 294);
	bad(APPROVAL("{\"role\":\"security-admin\",\"time\":\"2026-12-01T00:00:00Z\","
		     "\"deployment_id\":null,\"expires\":\"soon\",\"comment\":null}"),
	    "'expires' must be an RFC 3339 time", 309);
	bad(STMT("https://govgate.dev/approval/v1",
		 "{\"role\":\"security-admin\",\"time\":\"2026-12-01T00:00:00Z\","
		 "\"deployment_id\":null,\"expires\":null,\"comment\":null}"),
	    "an approval has exactly one subject, not 2", 339);
}
END_TEST

Suite *statement_suite(void)
{
	Suite *s = suite_create("statement");
	TCase *tc = tcase_create("statement");

	tcase_add_test(tc, report_and_receipt);
	tcase_add_test(tc, rejections);
	tcase_add_test(tc, open_signed);
	tcase_add_test(tc, approval);
	suite_add_tcase(s, tc);
	return s;
}
