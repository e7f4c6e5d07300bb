/* test_waiver.c: waiver.c: documents checked key by key, the expiry
 * boundary, signing and verifying under a trust file (a forgery is an
 * error), and how a run applies waivers to findings and decisions. */
#include <check.h>

#include "buf.h"
#include "diag.h"
#include "eval.h"
#include "gv.h"
#include "policy.h"
#include "rfc3339.h"
#include "trust.h"
#include "waiver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOC(spec) "apiVersion: govgate/v1\nkind: Waiver\nmetadata: {name: W-1}\nspec:\n" spec
#define GOOD DOC("  policy: hybrid-baseline\n  rule: enc.key-rotation\n" \
		 "  scope: {deployment_id: DEP-1, path: manifest.x}\n" \
		 "  justification: moving to the new KMS\n  ticket: SEC-1\n  expires: 2026-12-31\n")

static time_t at(const char *s)
{
	time_t t;

	ck_assert_int_eq(gv_time_parse(&t, s), 0);
	return t;
}

START_TEST(parse_valid)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL;
	gv_waiver w;

	ck_assert_int_eq(gv_waiver_parse(&w, &f, "w.yaml", GOOD, strlen(GOOD), &d), GV_OK);
	ck_assert_str_eq(w.name, "W-1");
	ck_assert_str_eq(w.policy, "hybrid-baseline");
	ck_assert_str_eq(w.rule, "enc.key-rotation");
	ck_assert_str_eq(w.deployment_id, "DEP-1");
	ck_assert_str_eq(w.path, "manifest.x");
	ck_assert_str_eq(w.ticket, "SEC-1");
	ck_assert_str_eq(w.expires, "2026-12-31");
	/* valid through the whole UTC day: the first expired second is midnight */
	ck_assert_int_eq((long long)w.end, (long long)at("2027-01-01T00:00:00Z"));
	gv_file_free(f);
	ck_assert_uint_eq(d.n, 0);
}
END_TEST

START_TEST(parse_time)
{
	static const char doc[] = DOC("  policy: p\n  rule: r\n  justification: j\n  ticket: t\n"
				      "  expires: \"2026-12-20T14:00:00+02:00\"\n");
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL;
	gv_waiver w;

	ck_assert_int_eq(gv_waiver_parse(&w, &f, "w.yaml", doc, strlen(doc), &d), GV_OK);
	ck_assert_int_eq((long long)w.end, (long long)at("2026-12-20T12:00:00Z"));
	ck_assert_ptr_null(w.deployment_id);
	ck_assert_ptr_null(w.path);
	gv_file_free(f);
}
END_TEST

static void bad(const char *doc, const char *code, uint32_t line, uint32_t col, const char *msg)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL;
	size_t i;

	ck_assert_int_eq(gv_waiver_parse(NULL, &f, "w.yaml", doc, strlen(doc), &d), GV_EPARSE);
	ck_assert_ptr_null(f);
	for (i = 0; i < d.n; i++)
		if (!strcmp(d.v[i].code, code) && d.v[i].loc.line == line && d.v[i].loc.col == col &&
		    strstr(d.v[i].msg, msg))
			break;
	ck_assert_msg(i < d.n, "no %s at %u:%u with '%s' (first: %s %u:%u %s)", code, line, col,
		      msg, d.n ? d.v[0].code : "-", d.n ? d.v[0].loc.line : 0,
		      d.n ? d.v[0].loc.col : 0, d.n ? d.v[0].msg : "-");
	gv_diags_release(&d);
}

START_TEST(parse_errors)
{
	bad(DOC("  policy: p\n  rule: r\n  justification: j\n  ticket: t\n  expires: 2026-12-31\n"
		"  owner: me\n"), "GV-W002", 10, 3, "unknown key 'owner' in a waiver's spec");
	bad(DOC("  policy: p\n  rule: r\n  justification: j\n  ticket: t\n"), "GV-W003", 5, 3,
	    "spec has no 'expires'");
	bad(DOC("  policy: p\n  rule: r\n  justification: j\n  ticket: t\n  expires: 2026-02-30x\n"),
	    "GV-W005", 9, 12, "'expires' must be a date");
	bad(DOC("  policy: p\n  rule: r\n  justification: j\n  ticket: t\n  expires: 2026-12-31\n"
		"  scope: {}\n"), "GV-W003", 10, 10, "'scope' is empty");
	bad(DOC("  policy: p\n  rule: r\n  justification: j\n  ticket: t\n  expires: 2026-12-31\n"
		"  scope: {deployment: x}\n"), "GV-W002", 10, 11, "unknown key 'deployment' in a "
	    "waiver's scope; did you mean 'deployment_id'?");
	bad(DOC("  policy: \"\"\n  rule: r\n  justification: j\n  ticket: t\n  expires: 2026-12-31\n"),
	    "GV-W008", 5, 11, "'policy' must be 1 to 256 characters");
	bad("apiVersion: govgate/v2\nkind: Waiver\n", "GV-W001", 1, 13,
	    "'apiVersion' must be govgate/v1");
	bad("- a\n", "GV-W001", 0, 0, "a waiver is one mapping document");
	bad(DOC("  policy: p\n  rule: \"a\\tb\"\n  justification: j\n  ticket: t\n  expires: 2026-12-31\n"),
	    "GV-W004", 6, 9, "'rule' contains a control character");
}
END_TEST

/* a program of one policy "pol" with rules "a" (waivable) and "b" (not) */
static gv_program *program(void)
{
	static gv_rule rules[2];
	static gv_policy pol;
	static gv_program prog;

	memset(rules, 0, sizeof(rules));
	rules[0].id = "a";
	rules[1].id = "b";
	rules[1].unwaivable = 1;
	pol.name = "pol";
	pol.rules = rules;
	pol.nrules = 2;
	prog.policies = &pol;
	prog.npolicies = 1;
	return &prog;
}

static gv_waiver mk(const char *rule, const char *dep, const char *path, int blocked)
{
	gv_waiver w;

	memset(&w, 0, sizeof(w));
	w.name = "W";
	w.policy = "pol";
	w.rule = rule;
	w.deployment_id = dep;
	w.path = path;
	w.blocked = blocked;
	return w;
}

static void result(gv_result *r, gv_finding *f, size_t n)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->findings = f;
	r->nfindings = n;
	r->deployment_id = "DEP-1";
	for (i = 0; i < n; i++)
		if (f[i].enforcement > r->decision)
			r->decision = f[i].enforcement;
}

START_TEST(apply_rules)
{
	gv_waiver v[6];
	gv_waivers ws = GV_WAIVERS_INIT;
	gv_finding f[3];
	gv_result r;

	memset(f, 0, sizeof(f));
	f[0].policy = "pol", f[0].rule = "a", f[0].path = "manifest.x", f[0].enforcement = GV_ENF_BLOCK;
	f[1].policy = "pol", f[1].rule = "b", f[1].path = "manifest.y", f[1].enforcement = GV_ENF_HALT;
	f[2].policy = "pol", f[2].rule = "a", f[2].path = "manifest.z", f[2].enforcement = GV_ENF_WARN;
	v[0] = mk("a", "DEP-1", "manifest.x", 0);                   /* applies to f[0] */
	v[1] = mk("b", NULL, NULL, 0);                               /* unwaivable */
	v[2] = mk("a", "DEP-2", NULL, 0);                            /* out of scope */
	v[3] = mk("a", NULL, "manifest.z", GV_WAIVER_EXPIRED);       /* expired */
	v[4] = mk("c", NULL, NULL, 0);                               /* unused */
	v[5] = mk("a", NULL, "manifest.z", GV_WAIVER_ROLE_NOT_HELD);
	ws.v = v;
	ws.n = 6;
	ws.prog = program();
	result(&r, f, 3);
	ck_assert_int_eq(r.decision, GV_ENF_BLOCK);
	gv_waivers_apply(&ws, &r);
	ck_assert_ptr_eq(f[0].waiver, &v[0]);
	ck_assert_ptr_null(f[1].waiver);
	ck_assert_ptr_null(f[2].waiver);
	/* the decision counts what no waiver covers: the halt of rule b */
	ck_assert_int_eq(r.decision, GV_ENF_HALT);
	ck_assert_int_eq(gv_waiver_outcome(&v[0]), GV_WAIVER_APPLIED);
	ck_assert_int_eq(gv_waiver_outcome(&v[1]), GV_WAIVER_UNWAIVABLE);
	ck_assert_int_eq(gv_waiver_outcome(&v[2]), GV_WAIVER_OUT_OF_SCOPE);
	ck_assert_int_eq(gv_waiver_outcome(&v[3]), GV_WAIVER_EXPIRED);
	ck_assert_int_eq(gv_waiver_outcome(&v[4]), GV_WAIVER_UNUSED);
	ck_assert_int_eq(gv_waiver_outcome(&v[5]), GV_WAIVER_ROLE_NOT_HELD);
	ck_assert_str_eq(gv_waiver_status_name(GV_WAIVER_UNTRUSTED_KEY), "untrusted-key");
	ck_assert_str_eq(gv_waiver_status_name(GV_WAIVER_INITIATOR), "initiator");
	ck_assert_str_eq(gv_waiver_status_name(GV_WAIVER_OUT_OF_SCOPE), "out-of-scope");
	ck_assert_str_eq(gv_waiver_status_name(99), "?");
	/* no waivers: nothing changes */
	gv_waivers_apply(NULL, &r);
	ck_assert_int_eq(r.decision, GV_ENF_HALT);
}
END_TEST

START_TEST(apply_all_waived)
{
	gv_waiver v = mk("a", NULL, NULL, 0);
	gv_waivers ws = GV_WAIVERS_INIT;
	gv_finding f[2];
	gv_result r;

	memset(f, 0, sizeof(f));
	f[0].policy = "pol", f[0].rule = "a", f[0].path = "p", f[0].enforcement = GV_ENF_BLOCK;
	f[1].policy = "pol", f[1].rule = "a", f[1].path = "q", f[1].enforcement = GV_ENF_BLOCK;
	ws.v = &v;
	ws.n = 1;
	ws.prog = program();
	result(&r, f, 2);
	gv_waivers_apply(&ws, &r);
	ck_assert_int_eq(r.decision, GV_ENF_ALLOW);
	ck_assert_uint_eq(v.applied, 2);
	/* a deployment id in the scope needs the manifest's */
	v = mk("a", "DEP-1", NULL, 0);
	f[0].waiver = f[1].waiver = NULL;
	result(&r, f, 2);
	r.deployment_id = NULL;
	gv_waivers_apply(&ws, &r);
	ck_assert_int_eq(r.decision, GV_ENF_BLOCK);
	ck_assert_int_eq(gv_waiver_outcome(&v), GV_WAIVER_OUT_OF_SCOPE);
}
END_TEST

static char dir[256];

#define TRUST "apiVersion: govgate/v1\nkind: Trust\nmetadata: {name: t}\nkeys:\n" \
	"  - {name: comp, roles: [compliance-officer], key: comp.pub}\n" \
	"  - {name: ops, roles: [platform-admin], key: ops.pub}\n" \
	"require: {waiver_approvers: [compliance-officer]}\n"

static void write_file(const char *name, const char *text, size_t len, char *path, size_t n)
{
	FILE *f;

	snprintf(path, n, "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

START_TEST(sign_and_verify)
{
	gv_diags d = GV_DIAGS_INIT;
	char base[320], wpath[320], epath[320], tpath[320], kpath[320];
	gv_key *comp = NULL, *ops = NULL;
	gv_trust *t = NULL;
	gv_waivers ws = GV_WAIVERS_INIT;
	gv_buf env = GV_BUF_INIT;
	char *p;

	snprintf(dir, sizeof(dir), "%s/gv-waiver-XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(base, sizeof(base), "%s/comp", dir);
	ck_assert_int_eq(gv_key_generate(base, false, &d), GV_OK);
	snprintf(base, sizeof(base), "%s/ops", dir);
	ck_assert_int_eq(gv_key_generate(base, false, &d), GV_OK);
	write_file("trust.yaml", TRUST, strlen(TRUST), tpath, sizeof(tpath));
	ck_assert_int_eq(gv_trust_load(&t, tpath, &d), GV_OK);
	write_file("w.yaml", GOOD, strlen(GOOD), wpath, sizeof(wpath));
	snprintf(kpath, sizeof(kpath), "%s/comp.key", dir);
	ck_assert_int_eq(gv_key_load_private(&comp, kpath, &d), GV_OK);
	snprintf(kpath, sizeof(kpath), "%s/ops.key", dir);
	ck_assert_int_eq(gv_key_load_private(&ops, kpath, &d), GV_OK);

	ck_assert_int_eq(gv_waiver_sign(&env, wpath, comp, &d), GV_OK);
	write_file("w.dsse", env.ptr, env.len, epath, sizeof(epath));
	/* a second before the end: valid, signed by a waiver approver */
	ck_assert_int_eq(gv_waivers_add(&ws, epath, t, NULL, at("2026-12-31T23:59:59Z"), &d), GV_OK);
	ck_assert_str_eq(ws.v[0].signer, "comp");
	ck_assert_int_eq(ws.v[0].blocked, 0);
	gv_waivers_release(&ws);
	ck_assert_int_eq(gv_waivers_add(&ws, epath, t, NULL, at("2027-01-01T00:00:00Z"), &d), GV_OK);
	ck_assert_int_eq(ws.v[0].blocked, GV_WAIVER_EXPIRED);
	gv_waivers_release(&ws);
	/* the run's initiator */
	ck_assert_int_eq(gv_waivers_add(&ws, epath, t, comp, at("2026-12-01T00:00:00Z"), &d), GV_OK);
	ck_assert_int_eq(ws.v[0].blocked, GV_WAIVER_INITIATOR);
	gv_waivers_release(&ws);
	/* no trust file: untrusted */
	ck_assert_int_eq(gv_waivers_add(&ws, epath, NULL, NULL, at("2026-12-01T00:00:00Z"), &d), GV_OK);
	ck_assert_int_eq(ws.v[0].blocked, GV_WAIVER_UNTRUSTED_KEY);
	ck_assert_ptr_null(ws.v[0].signer);
	gv_waivers_release(&ws);
	ck_assert_uint_eq(d.nerrors, 0);

	/* signed by a key without the role */
	gv_buf_clear(&env);
	ck_assert_int_eq(gv_waiver_sign(&env, wpath, ops, &d), GV_OK);
	write_file("w-ops.dsse", env.ptr, env.len, epath, sizeof(epath));
	ck_assert_int_eq(gv_waivers_add(&ws, epath, t, NULL, at("2026-12-01T00:00:00Z"), &d), GV_OK);
	ck_assert_int_eq(ws.v[0].blocked, GV_WAIVER_ROLE_NOT_HELD);
	gv_waivers_release(&ws);

	/* forged: the signature's payload changed (one base64 character) */
	p = strstr(env.ptr, "\"payload\":\"") + 11;
	*p = *p == 'Y' ? 'Z' : 'Y';
	write_file("forged.dsse", env.ptr, env.len, epath, sizeof(epath));
	ck_assert_int_eq(gv_waivers_add(&ws, epath, t, NULL, at("2026-12-01T00:00:00Z"), &d), GV_ESIG);
	ck_assert_str_eq(d.v[d.n - 1].code, "GV-W007");
	ck_assert_uint_eq(ws.n, 0);
	/* not an envelope */
	ck_assert_int_eq(gv_waivers_add(&ws, wpath, t, NULL, 0, &d), GV_EPARSE);
	ck_assert_uint_eq(ws.n, 0);

	gv_waivers_release(&ws);
	gv_trust_free(t);
	gv_key_free(comp);
	gv_key_free(ops);
	gv_buf_release(&env);
	gv_diags_release(&d);
	snprintf(base, sizeof(base), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(base), 0);
}
END_TEST

START_TEST(now_from_env)
{
	gv_diags d = GV_DIAGS_INIT;

	setenv(GV_WAIVER_NOW_ENV, "2026-12-31T23:59:59Z", 1);
	ck_assert_int_eq((long long)gv_waiver_now(&d), (long long)at("2026-12-31T23:59:59Z"));
	setenv(GV_WAIVER_NOW_ENV, "soon", 1);
	ck_assert_int_eq((long long)gv_waiver_now(&d), -1);
	ck_assert_str_eq(d.v[0].code, "GV-W009");
	unsetenv(GV_WAIVER_NOW_ENV);
	gv_diags_release(&d);
}
END_TEST

Suite *waiver_suite(void)
{
	Suite *s = suite_create("waiver");
	TCase *tc = tcase_create("waiver");

	tcase_add_test(tc, parse_valid);
	tcase_add_test(tc, parse_time);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, apply_rules);
	tcase_add_test(tc, apply_all_waived);
	tcase_add_test(tc, sign_and_verify);
	tcase_add_test(tc, now_from_env);
	suite_add_tcase(s, tc);
	return s;
}
