/* test_trust.c: trust.c, trust files: keys, roles and requirements, paths
 * relative to the file, and every kind of error at its line and column. */
#include <check.h>

#include "buf.h"
#include "diag.h"
#include "gv.h"
#include "trust.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void setup(void)
{
	char base[128];
	gv_diags d = GV_DIAGS_INIT;

	snprintf(dir, sizeof(dir), "/tmp/gv-trust-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(base, sizeof(base), "%s/keys", dir);
	ck_assert_int_eq(mkdir(base, 0700), 0);
	snprintf(base, sizeof(base), "%s/keys/ops", dir);
	ck_assert_int_eq(gv_key_generate(base, false, &d), GV_OK);
	snprintf(base, sizeof(base), "%s/keys/sec", dir);
	ck_assert_int_eq(gv_key_generate(base, false, &d), GV_OK);
	gv_diags_release(&d);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *write_trust(const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/trust.yaml", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

#define HEAD "apiVersion: govgate/v1\nkind: Trust\nmetadata: {name: acme}\n"

START_TEST(valid_trust)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_trust *t = NULL;
	const char *p = write_trust(HEAD
		"keys:\n"
		"  - {name: ops-lead, roles: [platform-admin], key: keys/ops.pub}\n"
		"  - {name: sec-lead, roles: [security-admin, policy-signer], key: ./keys/sec.pub}\n"
		"require:\n"
		"  signed_policies: true\n"
		"  waiver_approvers: [compliance-officer, security-admin]\n");

	ck_assert_int_eq(gv_trust_load(&t, p, &d), GV_OK);
	ck_assert_uint_eq(d.nerrors, 0);
	ck_assert_str_eq(t->name, "acme");
	ck_assert_uint_eq(t->nkeys, 2);
	ck_assert_str_eq(t->keys[0].name, "ops-lead");
	ck_assert_uint_eq(t->keys[0].roles, GV_ROLE_PLATFORM_ADMIN);
	ck_assert_uint_eq(t->keys[1].roles, GV_ROLE_SECURITY_ADMIN | GV_ROLE_POLICY_SIGNER);
	ck_assert(t->signed_policies);
	ck_assert_uint_eq(t->waiver_approvers, GV_ROLE_COMPLIANCE_OFFICER | GV_ROLE_SECURITY_ADMIN);
	ck_assert_ptr_eq(gv_trust_find(t, t->keys[1].keyid), &t->keys[1]);
	ck_assert_ptr_null(gv_trust_find(t, "00"));
	ck_assert_str_eq(t->keys[1].key_path + strlen(dir), "/keys/sec.pub");
	ck_assert_int_eq(t->keys[0].loc.line, 5);
	gv_trust_free(t);
	gv_diags_release(&d);
}
END_TEST

START_TEST(defaults_fail_closed)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_trust *t = NULL;
	const char *p = write_trust(HEAD "keys:\n  - {name: a, roles: [platform-admin], key: keys/ops.pub}\n");

	ck_assert_int_eq(gv_trust_load(&t, p, &d), GV_OK);
	ck_assert(!t->signed_policies);
	ck_assert_uint_eq(t->waiver_approvers, 0);
	gv_trust_free(t);
	gv_diags_release(&d);
}
END_TEST

/* Loads text, expects failure, and the errors in order as "line:col CODE". */
static void expect_errors(const char *text, const char *const *want, size_t n)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_trust *t = NULL;
	size_t i;
	char got[64];

	ck_assert_int_eq(gv_trust_load(&t, write_trust(text), &d), GV_EPARSE);
	ck_assert_ptr_null(t);
	for (i = 0; i < d.n; i++)
		printf("  %u:%u %s %s\n", d.v[i].loc.line, d.v[i].loc.col, d.v[i].code, d.v[i].msg);
	ck_assert_uint_eq(d.n, n);
	for (i = 0; i < n; i++) {
		snprintf(got, sizeof(got), "%u:%u %s", d.v[i].loc.line, d.v[i].loc.col, d.v[i].code);
		ck_assert_str_eq(got, want[i]);
	}
	gv_diags_release(&d);
}

START_TEST(errors_located)
{
	static const char *const want1[] = {
		"5:41 GV-T005",  /* unknown role */
		"6:15 GV-T002",  /* unknown key 'rolls' */
		"6:5 GV-T003",   /* no roles */
		"7:45 GV-T006",  /* missing key file */
		"8:12 GV-T007",   /* name used twice */
		"8:47 GV-T007",  /* key listed twice */
		"10:3 GV-T002",  /* require.signed_policy */
		"11:22 GV-T005", /* waiver_approvers: auditor */
	};
	expect_errors(HEAD "keys:\n"
		      "  - {name: ops, roles: [platform-admin, platfrom-admin], key: keys/ops.pub}\n"
		      "  - {name: x, rolls: [security-admin], key: keys/sec.pub}\n"
		      "  - {name: y, roles: [security-admin], key: keys/none.pub}\n"
		      "  - {name: ops, roles: [security-admin], key: keys/ops.pub}\n"
		      "require:\n"
		      "  signed_policy: true\n"
		      "  waiver_approvers: [auditor]\n",
		      want1, sizeof(want1) / sizeof(want1[0]));
}
END_TEST

START_TEST(errors_document)
{
	static const char *const kind[] = { "2:7 GV-T001" };
	static const char *const nokeys[] = { "4:1 GV-T002", "1:1 GV-T003" };
	static const char *const privkey[] = { "5:43 GV-T006" };
	char text[512];

	expect_errors("apiVersion: govgate/v1\nkind: Truss\nkeys: []\n", kind, 1);
	expect_errors(HEAD "extra: 1\n", nokeys, 2);
	snprintf(text, sizeof(text), HEAD "keys:\n- {name: a, roles: [platform-admin], key: keys/ops.key}\n");
	expect_errors(text, privkey, 1);
}
END_TEST

START_TEST(role_names)
{
	ck_assert_uint_eq(gv_role_parse("compliance-officer"), GV_ROLE_COMPLIANCE_OFFICER);
	ck_assert_uint_eq(gv_role_parse("auditor"), 0);
	ck_assert_str_eq(gv_role_name(GV_ROLE_POLICY_SIGNER), "policy-signer");
	ck_assert_str_eq(gv_role_name(3), "?");
}
END_TEST

Suite *trust_suite(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, valid_trust);
	tcase_add_test(tc, defaults_fail_closed);
	tcase_add_test(tc, errors_located);
	tcase_add_test(tc, errors_document);
	tcase_add_test(tc, role_names);
	suite_add_tcase(s, tc);
	return s;
}
