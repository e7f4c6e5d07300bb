/* test_governance.c: governance.c and approval.c: approvals signed with real
 * keys and judged at a given time (the expiry boundary to the second), the
 * reasons an approval does not count, and required roles filled by a
 * matching whatever the order of the approvals. */
#include <check.h>

#include "alloc.h"
#include "approval.h"
#include "buf.h"
#include "diag.h"
#include "digest.h"
#include "governance.h"
#include "gv.h"
#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static unsigned char man_sha[32];
static const time_t T0 = 1764547200;   /* 2025-12-01T00:00:00Z */

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	path_of(p, sizeof(p), name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static const char manifest[] = "deployment_id: DEP-1\nmode: hybrid\n";

static void setup(void)
{
	static const char *const keys[] = { "sec", "comp", "dual", "ops", "out" };
	char base[128];
	gv_diags d = GV_DIAGS_INIT;
	size_t i;
	const char *t = getenv("TMPDIR");

	/* a scratch folder of its own, under $TMPDIR when it is short enough */
	snprintf(dir, sizeof(dir), "%s/gv-gov-XXXXXX", t && *t && strlen(t) < 40 ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; i < GV_ARRAY_LEN(keys); i++) {
		path_of(base, sizeof(base), keys[i]);
		ck_assert_int_eq(gv_key_generate(base, false, &d), GV_OK);
	}
	write_file("trust.yaml",
		   "apiVersion: govgate/v1\nkind: Trust\nmetadata: {name: t}\nkeys:\n"
		   "- {name: sec-lead, roles: [security-admin], key: sec.pub}\n"
		   "- {name: compliance-lead, roles: [compliance-officer], key: comp.pub}\n"
		   "- {name: dual-lead, roles: [security-admin, compliance-officer], key: dual.pub}\n"
		   "- {name: ops-lead, roles: [platform-admin], key: ops.pub}\n");
	write_file("m.yaml", manifest);
	gv_sha256(man_sha, manifest, strlen(manifest));
	gv_diags_release(&d);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Signs an approval by key `who` as `role` into file `name`. */
static void sign(const char *name, const char *who, const char *role, const char *dep,
		 int64_t expires_in)
{
	char p[128];
	gv_approval_req r;
	gv_buf env = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	gv_key *k = NULL;
	FILE *f;

	memset(&r, 0, sizeof(r));
	r.manifest = "m.yaml";
	r.sha256 = man_sha;
	r.role = role;
	r.deployment_id = dep;
	r.time = T0;
	r.expires_in = expires_in;
	snprintf(p, sizeof(p), "%s/%s.key", dir, who);
	ck_assert_int_eq(gv_key_load_private(&k, p, &d), GV_OK);
	ck_assert_int_eq(gv_approval_sign(&env, &r, k, &d), GV_OK);
	path_of(p, sizeof(p), name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fwrite(env.ptr, 1, env.len, f);
	fclose(f);
	gv_key_free(k);
	gv_buf_release(&env);
	gv_diags_release(&d);
}

/* Loads the governance of approvals names[] judged at `now`. */
static gv_governance *load(const char *const *names, size_t n, time_t now, const gv_key *init)
{
	static char paths[8][128];
	const char *v[8];
	char trust[128];
	gv_governance_opts o;
	gv_governance *g = NULL;
	gv_diags d = GV_DIAGS_INIT;
	size_t i;

	ck_assert_uint_le(n, 8);
	for (i = 0; i < n; i++) {
		path_of(paths[i], sizeof(paths[i]), names[i]);
		v[i] = paths[i];
	}
	path_of(trust, sizeof(trust), "trust.yaml");
	memset(&o, 0, sizeof(o));
	o.trust = trust;
	o.approvals = v;
	o.napprovals = n;
	o.now = now;
	o.initiator = init;
	ck_assert_int_eq(gv_governance_load(&g, &o, &d), GV_OK);
	ck_assert_uint_eq(d.nerrors, 0);
	gv_diags_release(&d);
	return g;
}

/* A program of one policy requiring roles[] and a one-document file
 * result for the manifest, then gv_governance_apply. Returns the number of
 * findings (missing roles). */
static size_t apply(gv_governance *g, const unsigned *roles, uint32_t nroles, bool distinct,
		    const char *dep)
{
	gv_policy_approvals pa;
	gv_policy pol;
	gv_program prog;
	gv_doc_result dr;
	gv_file_result fr;
	uint32_t applied = 0;
	size_t n;

	memset(&pa, 0, sizeof(pa));
	pa.enforcement = GV_ENF_HALT;
	pa.distinct_signers = distinct;
	pa.nrequire = nroles;
	memcpy(pa.require, roles, nroles * sizeof(*roles));
	pa.loc.file = "p.yaml";
	pa.loc.line = 7;
	pa.loc.col = 3;
	memset(&pol, 0, sizeof(pol));
	pol.name = "p";
	pol.approvals = &pa;
	memset(&prog, 0, sizeof(prog));
	prog.policies = &pol;
	prog.npolicies = 1;
	prog.napproval_policies = 1;
	memset(&dr, 0, sizeof(dr));
	dr.r.applied = &applied;
	dr.r.policies_applied = 1;
	dr.r.deployment_id = dep;
	memset(&fr, 0, sizeof(fr));
	memcpy(fr.sha256, man_sha, 32);
	fr.docs = &dr;
	fr.ndocs = 1;
	gv_governance_apply(g, &prog, &fr);
	n = dr.r.nfindings;
	if (n) {
		ck_assert_str_eq(dr.r.findings[0].rule, "approvals");
		ck_assert_str_eq(dr.r.findings[0].file, "p.yaml");
		ck_assert_uint_eq(dr.r.findings[0].line, 7);
		ck_assert_uint_eq(dr.r.findings[0].col, 3);
		ck_assert_uint_eq(dr.r.decision, GV_ENF_HALT);
	}
	dr.r.applied = NULL;
	dr.r.deployment_id = NULL;
	gv_result_release(&dr.r);
	return n;
}

static const char *reason(const gv_governance *g, size_t i)
{
	const char *r = gv_approval_reason(&g->approvals[i]);
	return r ? r : gv_approval_status(&g->approvals[i]);
}

START_TEST(expiry_boundary)
{
	static const char *const one[] = { "a.json" };
	const unsigned sec[] = { GV_ROLE_SECURITY_ADMIN };
	gv_governance *g;

	sign("a.json", "sec", "security-admin", NULL, 3600);
	/* valid through its expiry second */
	g = load(one, 1, T0 + 3600, NULL);
	ck_assert_uint_eq(apply(g, sec, 1, false, "DEP-1"), 0);
	ck_assert_str_eq(reason(g, 0), "counted");
	gv_governance_free(g);
	/* expired one second after it */
	g = load(one, 1, T0 + 3601, NULL);
	ck_assert_uint_eq(apply(g, sec, 1, false, "DEP-1"), 1);
	ck_assert_str_eq(reason(g, 0), "expired");
	gv_governance_free(g);
	/* no expiry: counts years later */
	sign("a.json", "sec", "security-admin", NULL, 0);
	g = load(one, 1, T0 + 10 * 365 * 86400, NULL);
	ck_assert_uint_eq(apply(g, sec, 1, false, "DEP-1"), 0);
	gv_governance_free(g);
}
END_TEST

START_TEST(reasons)
{
	static const char *const all[] = { "out.json", "ops.json", "dep.json", "sec.json",
					   "unused.json" };
	const unsigned sec[] = { GV_ROLE_SECURITY_ADMIN };
	gv_governance *g;
	gv_key *init = NULL;
	gv_diags d = GV_DIAGS_INIT;
	char p[128];

	sign("out.json", "out", "security-admin", NULL, 0);
	sign("ops.json", "ops", "security-admin", NULL, 0);
	sign("dep.json", "sec", "security-admin", "DEP-2", 0);
	sign("sec.json", "sec", "security-admin", "DEP-1", 0);
	sign("unused.json", "comp", "compliance-officer", NULL, 0);
	g = load(all, 5, T0, NULL);
	ck_assert_uint_eq(apply(g, sec, 1, true, "DEP-1"), 0);
	ck_assert_str_eq(reason(g, 0), "untrusted-key");
	ck_assert_str_eq(reason(g, 1), "role-not-held");
	ck_assert_str_eq(reason(g, 2), "other-deployment");
	ck_assert_str_eq(reason(g, 3), "counted");
	ck_assert_str_eq(reason(g, 4), "unused");
	gv_governance_free(g);
	/* the initiator's key never counts */
	path_of(p, sizeof(p), "sec.key");
	ck_assert_int_eq(gv_key_load_private(&init, p, &d), GV_OK);
	g = load(all + 3, 1, T0, init);
	ck_assert_uint_eq(apply(g, sec, 1, true, "DEP-1"), 1);
	ck_assert_str_eq(reason(g, 0), "initiator");
	gv_governance_free(g);
	gv_key_free(init);
	/* a manifest no approval is about */
	g = load(all + 3, 1, T0, NULL);
	man_sha[0] ^= 1;
	ck_assert_uint_eq(apply(g, sec, 1, true, "DEP-1"), 1);
	man_sha[0] ^= 1;
	ck_assert_str_eq(reason(g, 0), "other-manifest");
	gv_governance_free(g);
	gv_diags_release(&d);
}
END_TEST

START_TEST(matching)
{
	static const char *const orders[][3] = {
		{ "dual-sec.json", "dual-comp.json", "sec.json" },
		{ "sec.json", "dual-sec.json", "dual-comp.json" },
		{ "dual-comp.json", "sec.json", "dual-sec.json" },
	};
	const unsigned two[] = { GV_ROLE_SECURITY_ADMIN, GV_ROLE_COMPLIANCE_OFFICER };
	gv_governance *g;
	size_t i, j, counted;

	sign("dual-sec.json", "dual", "security-admin", NULL, 0);
	sign("dual-comp.json", "dual", "compliance-officer", NULL, 0);
	sign("sec.json", "sec", "security-admin", NULL, 0);
	/* in every order both roles are filled: dual-lead takes compliance */
	for (i = 0; i < GV_ARRAY_LEN(orders); i++) {
		g = load(orders[i], 3, T0, NULL);
		ck_assert_uint_eq(apply(g, two, 2, true, NULL), 0);
		for (j = 0, counted = 0; j < 3; j++) {
			if (!strcmp(g->approvals[j].file + strlen(dir) + 1, "dual-sec.json"))
				ck_assert_str_eq(reason(g, j), "same-signer");
			else
				counted += !strcmp(reason(g, j), "counted");
		}
		ck_assert_uint_eq(counted, 2);
		gv_governance_free(g);
	}
	/* one key alone fills one of two roles */
	g = load(orders[0], 2, T0, NULL);
	ck_assert_uint_eq(apply(g, two, 2, true, NULL), 1);
	ck_assert_str_eq(reason(g, 0), "counted");
	ck_assert_str_eq(reason(g, 1), "same-signer");
	gv_governance_free(g);
	/* without distinct_signers it fills both */
	g = load(orders[0], 2, T0, NULL);
	ck_assert_uint_eq(apply(g, two, 2, false, NULL), 0);
	ck_assert_str_eq(reason(g, 0), "counted");
	ck_assert_str_eq(reason(g, 1), "counted");
	gv_governance_free(g);
	/* two slots of one role need two approvals */
	{
		const unsigned twice[] = { GV_ROLE_SECURITY_ADMIN, GV_ROLE_SECURITY_ADMIN };
		g = load(orders[1], 2, T0, NULL);
		ck_assert_uint_eq(apply(g, twice, 2, true, NULL), 0);
		gv_governance_free(g);
		g = load(orders[1], 1, T0, NULL);
		ck_assert_uint_eq(apply(g, twice, 2, true, NULL), 1);
		gv_governance_free(g);
		/* a copy of one approval is still one key in one role */
		{
			static const char *const copies[] = { "sec.json", "sec.json" };
			g = load(copies, 2, T0, NULL);
			ck_assert_uint_eq(apply(g, twice, 2, false, NULL), 1);
			ck_assert_str_eq(reason(g, 0), "counted");
			ck_assert_str_eq(reason(g, 1), "unused");
			gv_governance_free(g);
		}
	}
}
END_TEST

START_TEST(input_errors)
{
	static const char *const bad[] = { "m.yaml" };
	const char *v[1];
	char p[128], trust[128];
	gv_governance_opts o;
	gv_governance *g = NULL;
	gv_diags d = GV_DIAGS_INIT;

	path_of(p, sizeof(p), bad[0]);
	path_of(trust, sizeof(trust), "trust.yaml");
	v[0] = p;
	memset(&o, 0, sizeof(o));
	o.approvals = v;
	o.napprovals = 1;
	/* approvals need a trust file */
	unsetenv(GV_TRUST_ENV);
	ck_assert_int_eq(gv_governance_load(&g, &o, &d), GV_EPARSE);
	ck_assert_ptr_null(g);
	ck_assert_str_eq(d.v[0].code, "GV-G003");
	gv_diags_release(&d);
	/* not an envelope */
	o.trust = trust;
	ck_assert_int_lt(gv_governance_load(&g, &o, &d), 0);
	ck_assert_ptr_null(g);
	ck_assert_uint_eq(d.nerrors, 1);
	gv_diags_release(&d);
	/* a plan's trust file cannot be replaced */
	o.napprovals = 0;
	o.plan_trust = p;
	ck_assert_int_lt(gv_governance_load(&g, &o, &d), 0);
	ck_assert_str_eq(d.v[0].code, "GV-G002");
	gv_diags_release(&d);
	/* the same file is fine */
	o.plan_trust = trust;
	ck_assert_int_eq(gv_governance_load(&g, &o, &d), GV_OK);
	ck_assert_ptr_nonnull(g->trust);
	gv_governance_free(g);
	gv_diags_release(&d);
}
END_TEST

Suite *governance_suite(void)
{
	Suite *s = suite_create("governance");
	TCase *tc = tcase_create("approvals");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, expiry_boundary);
	tcase_add_test(tc, reasons);
	tcase_add_test(tc, matching);
	tcase_add_test(tc, input_errors);
	suite_add_tcase(s, tc);
	return s;
}
