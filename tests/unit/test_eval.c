/* Unit tests for policy_load.c, rule_compile.c and eval.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval.h"
#include "gv.h"
#include "policy.h"

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/gv-policy-XXXXXX.yaml");
	int fd = mkstemps(path, 5);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const char *HDR = "apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  rules:\n";

/* Loads a policy whose rules section is `rules`; returns the program or NULL. */
static gv_program *compile(const char *rules, gv_diags *d)
{
	char text[8192];
	const char *paths[1];
	gv_program *p = NULL;
	char *path;

	snprintf(text, sizeof(text), "%s%s", HDR, rules);
	path = write_tmp(text);
	paths[0] = path;
	gv_program_load(&p, paths, 1, NULL, 0, d);
	unlink(path);
	free(path);
	return p;
}

typedef struct outcome {
	gv_result r;
	gv_file *m;
} outcome;

static void run(outcome *o, gv_program *p, const char *manifest, const char *cloud,
		const char *onprem)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_file *cf = NULL, *of = NULL;
	gv_facts c = { 0 }, op = { 0 };
	gv_evaluator *ev;

	ck_assert_int_eq(gv_file_load_mem(&o->m, "m.yaml", manifest, strlen(manifest), NULL, &d), 0);
	if (cloud) {
		ck_assert_int_eq(gv_file_load_mem(&cf, "c.yaml", cloud, strlen(cloud), NULL, &d), 0);
		c.file = cf;
		c.root = cf->docs[0];
	}
	if (onprem) {
		ck_assert_int_eq(gv_file_load_mem(&of, "o.yaml", onprem, strlen(onprem), NULL, &d), 0);
		op.file = of;
		op.root = of->docs[0];
	}
	ev = gv_evaluator_new(p, &c, &op, NULL);
	gv_eval_doc(ev, &o->r, o->m, 0);
	gv_evaluator_free(ev);
	gv_file_free(cf);
	gv_file_free(of);
	gv_diags_release(&d);
}

static void done(outcome *o, gv_program *p)
{
	gv_result_release(&o->r);
	gv_file_free(o->m);
	gv_program_free(p);
}

/* Runs one rule (`check` text) against a manifest; returns the number of
 * findings, leaving them in *o. */
static size_t one(outcome *o, gv_program **pp, const char *check, const char *manifest)
{
	char rules[2048];
	gv_diags d = GV_DIAGS_INIT;

	snprintf(rules, sizeof(rules), "    - id: r\n      enforcement: block\n      check: %s\n", check);
	*pp = compile(rules, &d);
	if (!*pp)
		gv_diags_print(&d, stderr, 0, 0);
	ck_assert_ptr_nonnull(*pp);
	gv_diags_release(&d);
	run(o, *pp, manifest, NULL, NULL);
	return o->r.nfindings;
}

#define EXPECT(check, manifest, n) do { \
	outcome o_; gv_program *p_; \
	ck_assert_uint_eq(one(&o_, &p_, check, manifest), n); \
	done(&o_, p_); } while (0)

START_TEST(leaf_operators)
{
	const char *m = "v: \"1.2\"\nn: 5\nf: 1.2\ns: hello world\nl: [a, b]\nz: null\nb: true\n";

	EXPECT("{path: manifest.v, equals: \"1.2\"}", m, 0);
	EXPECT("{path: manifest.f, equals: \"1.2\"}", m, 0);   /* text as written */
	EXPECT("{path: manifest.v, equals: 1.2}", m, 0);
	EXPECT("{path: manifest.v, not_equals: \"1.2\"}", m, 1);
	EXPECT("{path: manifest.v, in: [\"1.2\", \"1.3\"]}", m, 0);
	EXPECT("{path: manifest.v, in: [\"1.3\"]}", m, 1);
	EXPECT("{path: manifest.v, not_in: [\"1.0\"]}", m, 0);
	EXPECT("{path: manifest.s, matches: \"^hel+o\"}", m, 0);
	EXPECT("{path: manifest.s, not_matches: \"world\"}", m, 1);
	EXPECT("{path: manifest.n, gt: 4}", m, 0);
	EXPECT("{path: manifest.n, gt: 5}", m, 1);
	EXPECT("{path: manifest.n, gte: 5}", m, 0);
	EXPECT("{path: manifest.n, lt: 5}", m, 1);
	EXPECT("{path: manifest.n, lte: 5}", m, 0);
	EXPECT("{path: manifest.s, gt: 3}", m, 1);                 /* not comparable */
	EXPECT("{path: manifest.l, contains: b}", m, 0);
	EXPECT("{path: manifest.s, contains: \"lo w\"}", m, 0);
	EXPECT("{path: manifest.l, contains: c}", m, 1);
	EXPECT("{path: manifest.s, min_length: 11}", m, 0);
	EXPECT("{path: manifest.s, max_length: 10}", m, 1);
	EXPECT("{path: manifest.l, max_length: 2}", m, 0);
	EXPECT("{path: manifest.z, exists: true}", m, 1);           /* null is not set */
	EXPECT("{path: manifest.gone, exists: false}", m, 0);
	EXPECT("{path: manifest.b, equals: true}", m, 0);
	EXPECT("{path: manifest.b, equals: \"true\"}", m, 0);
	EXPECT("{path: manifest.z, equals: \"null\"}", m, 1);       /* null equals only null */
}
END_TEST

START_TEST(missing_fails_unless_missing_pass)
{
	EXPECT("{path: manifest.a.b, equals: 1}", "a: {c: 1}\n", 1);
	EXPECT("{path: manifest.a.b, equals: 1, missing: pass}", "a: {c: 1}\n", 0);
	EXPECT("{path: manifest.a.b, equals: 1, missing: pass}", "a: {b: null}\n", 0);
	EXPECT("{path: manifest.a.b, equals: 1}", "a: {b: ~}\n", 1);
	EXPECT("{path: manifest.a.b.c, equals: 1, missing: pass}", "a: {b: ~}\n", 0);
}
END_TEST

START_TEST(missing_value_is_located_at_nearest_parent_key)
{
	outcome o;
	gv_program *p;

	ck_assert_uint_eq(one(&o, &p, "{path: manifest.enc.at_rest.kms, exists: true}",
			      "x: 1\nenc:\n  at_rest:\n    enabled: true\n"), 1);
	ck_assert_uint_eq(o.r.findings[0].line, 3);
	ck_assert_uint_eq(o.r.findings[0].col, 3);
	ck_assert(o.r.findings[0].missing);
	ck_assert_str_eq(o.r.findings[0].message, "manifest.enc.at_rest.kms is missing");
	ck_assert_str_eq(o.r.findings[0].path, "manifest.enc.at_rest.kms");
	done(&o, p);
	ck_assert_uint_eq(one(&o, &p, "{path: manifest.enc.kms, min_length: 1}",
			      "enc:\n  kms: null\n"), 1);
	ck_assert_uint_eq(o.r.findings[0].line, 2);
	ck_assert_uint_eq(o.r.findings[0].col, 8);
	ck_assert(o.r.findings[0].missing);
	ck_assert_str_eq(o.r.findings[0].message, "manifest.enc.kms is null (not set)");
	done(&o, p);
}
END_TEST

START_TEST(wildcard_reports_each_offending_element)
{
	outcome o;
	gv_program *p;
	const char *m = "w:\n  - {i: \"a@sha256:1\"}\n  - {i: b}\n  - {i: c}\n";

	ck_assert_uint_eq(one(&o, &p, "{path: \"manifest.w[*].i\", matches: \"@sha256:\"}", m), 2);
	ck_assert_str_eq(o.r.findings[0].path, "manifest.w[1].i");
	ck_assert_uint_eq(o.r.findings[0].line, 3);
	ck_assert_uint_eq(o.r.findings[0].col, 9);
	ck_assert_str_eq(o.r.findings[1].path, "manifest.w[2].i");
	ck_assert_uint_eq(o.r.findings[1].line, 4);
	done(&o, p);
	EXPECT("{path: \"manifest.w[*].i\", matches: \"@sha256:\", quantifier: any}", m, 0);
	EXPECT("{path: \"manifest.w[*].i\", equals: z, quantifier: any}", m, 3);
	EXPECT("{path: \"manifest.e[*]\", equals: z}", "e: []\n", 0);
	EXPECT("{path: \"manifest.e[*]\", equals: z, quantifier: any}", "e: []\n", 1);
	EXPECT("{path: \"manifest.w[-1].i\", equals: c}", m, 0);
	EXPECT("{path: \"manifest.w[7].i\", equals: c}", m, 1);
	EXPECT("{path: \"manifest.l[\\\"a.b\\\"]\", equals: 1}", "l: {a.b: 1}\n", 0);
}
END_TEST

START_TEST(operands_read_from_the_documents)
{
	const char *m = "region: eu-west-1\nallowed: [ap-south-1, eu-west-1]\nmax: 30\nlat: 45\n";
	outcome o;
	gv_program *p;

	EXPECT("{path: manifest.region, in: $manifest.allowed}", m, 0);
	EXPECT("{path: manifest.lat, lte: $manifest.max}", m, 1);
	EXPECT("{path: manifest.max, lte: \"$manifest.lat\"}", m, 0);
	ck_assert_uint_eq(one(&o, &p, "{path: manifest.region, in: $manifest.nope}", m), 1);
	ck_assert_str_eq(o.r.findings[0].expected, "the value at manifest.nope, which is missing");
	done(&o, p);
	ck_assert_uint_eq(one(&o, &p, "{path: manifest.lat, lte: $manifest.max}", m), 1);
	ck_assert_str_eq(o.r.findings[0].expected, "30");
	ck_assert_str_eq(o.r.findings[0].actual, "45");
	done(&o, p);
}
END_TEST

START_TEST(combinators)
{
	const char *m = "a: 1\nb: 2\n";

	EXPECT("{all: [{path: manifest.a, equals: 1}, {path: manifest.b, equals: 2}]}", m, 0);
	EXPECT("{all: [{path: manifest.a, equals: 9}, {path: manifest.b, equals: 9}]}", m, 2);
	EXPECT("{any: [{path: manifest.a, equals: 9}, {path: manifest.b, equals: 2}]}", m, 0);
	EXPECT("{any: [{path: manifest.a, equals: 9}, {path: manifest.b, equals: 9}]}", m, 2);
	EXPECT("{none: [{path: manifest.a, equals: 9}, {path: manifest.b, equals: 9}]}", m, 0);
	EXPECT("{none: [{path: manifest.a, equals: 1}, {path: manifest.b, equals: 9}]}", m, 1);
	EXPECT("{not: {path: manifest.a, equals: 1}}", m, 1);
	EXPECT("{not: {not: {path: manifest.a, equals: 1}}}", m, 0);
}
END_TEST

START_TEST(not_reports_where_the_inner_check_held)
{
	outcome o;
	gv_program *p;

	ck_assert_uint_eq(one(&o, &p, "{not: {path: manifest.mode, equals: legacy}}",
			      "x: 0\nmode: legacy\n"), 1);
	ck_assert_uint_eq(o.r.findings[0].line, 2);
	ck_assert_uint_eq(o.r.findings[0].col, 7);
	ck_assert_str_eq(o.r.findings[0].message,
			 "manifest.mode is legacy; expected it to not equal legacy");
	done(&o, p);
}
END_TEST

START_TEST(same_compares_both_sides)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_program *p = compile("    - id: same\n      enforcement: halt\n      check: {same: "
				"[cloud.gov.v, onprem.gov.v]}\n", &d);
	outcome o;

	ck_assert_ptr_nonnull(p);
	run(&o, p, "a: 1\n", "gov: {v: \"2026.1\"}\n", "gov: {v: \"2026.1\"}\n");
	ck_assert_uint_eq(o.r.nfindings, 0);
	gv_result_release(&o.r);
	gv_file_free(o.m);
	run(&o, p, "a: 1\n", "gov: {v: \"2026.1\"}\n", "x: 0\ngov: {v: \"2025.9\"}\n");
	ck_assert_uint_eq(o.r.nfindings, 1);
	ck_assert_str_eq(o.r.findings[0].file, "o.yaml");
	ck_assert_uint_eq(o.r.findings[0].line, 2);
	ck_assert_uint_eq(o.r.findings[0].col, 10);
	ck_assert_str_eq(o.r.findings[0].actual, "2025.9");
	ck_assert_str_eq(o.r.findings[0].expected, "2026.1");
	ck_assert_int_eq(o.r.decision, GV_ENF_HALT);
	gv_result_release(&o.r);
	gv_file_free(o.m);
	/* missing: pass lets a side without the value through */
	{
		gv_program *p2 = compile("    - id: same\n      enforcement: halt\n      check: {same: "
					 "[cloud.gov.v, onprem.gov.v], missing: pass}\n", &d);
		outcome o2;
		ck_assert_ptr_nonnull(p2);
		run(&o2, p2, "a: 1\n", "gov: {v: \"2026.1\"}\n", "x: 0\n");
		ck_assert_uint_eq(o2.r.nfindings, 0);
		gv_result_release(&o2.r);
		gv_file_free(o2.m);
		run(&o2, p2, "a: 1\n", "gov: {v: \"2026.1\"}\n", "gov: {v: \"1\"}\n");
		ck_assert_uint_eq(o2.r.nfindings, 1);
		done(&o2, p2);
	}
	/* no facts: missing, located at the manifest's start */
	run(&o, p, "a: 1\n", NULL, NULL);
	ck_assert_uint_eq(o.r.nfindings, 1);
	ck_assert_str_eq(o.r.findings[0].file, "m.yaml");
	ck_assert_uint_eq(o.r.findings[0].line, 1);
	done(&o, p);
	gv_diags_release(&d);
}
END_TEST

START_TEST(when_guard_and_match)
{
	gv_diags d = GV_DIAGS_INIT;
	const char *text =
		"apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n"
		"  match: {path: manifest.mode, equals: hybrid}\n"
		"  rules:\n"
		"    - id: vpn\n      enforcement: escalate\n"
		"      when: {path: manifest.vpn.enabled, equals: true}\n"
		"      check: {path: manifest.vpn.type, in: [ipsec, wireguard]}\n";
	char *path = write_tmp(text);
	const char *paths[1] = { path };
	gv_program *p = NULL;
	outcome o;

	ck_assert_int_eq(gv_program_load(&p, paths, 1, NULL, 0, &d), 0);
	run(&o, p, "mode: hybrid\nvpn: {enabled: false, type: pptp}\n", NULL, NULL);
	ck_assert_uint_eq(o.r.policies_applied, 1);
	ck_assert_uint_eq(o.r.rules_evaluated, 0);
	gv_result_release(&o.r);
	gv_file_free(o.m);
	run(&o, p, "mode: hybrid\nvpn: {enabled: true, type: pptp}\n", NULL, NULL);
	ck_assert_uint_eq(o.r.nfindings, 1);
	ck_assert_int_eq(o.r.decision, GV_ENF_ESCALATE);
	gv_result_release(&o.r);
	gv_file_free(o.m);
	run(&o, p, "mode: cloud-only\n", NULL, NULL);
	ck_assert_uint_eq(o.r.policies_applied, 0);
	done(&o, p);
	unlink(path);
	free(path);
	gv_diags_release(&d);
}
END_TEST

START_TEST(ruleset_use_with_params_and_message)
{
	gv_diags d = GV_DIAGS_INIT;
	const char *text =
		"apiVersion: govgate/v1\nkind: RuleSet\nmetadata: {name: tls}\nrules:\n"
		"  - id: tls.min\n    params: {allowed: [\"1.2\", \"1.3\"]}\n"
		"    check: {path: manifest.tls, in: $params.allowed}\n"
		"    message: \"TLS {actual} is not one of {expected}\"\n"
		"---\n"
		"apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  rules:\n"
		"    - use: tls.min\n      with: {allowed: [\"1.3\"]}\n      enforcement: block\n"
		"      severity: critical\n";
	char *path = write_tmp(text);
	const char *paths[1] = { path };
	gv_program *p = NULL;
	outcome o;

	ck_assert_int_eq(gv_program_load(&p, paths, 1, NULL, 0, &d), 0);
	run(&o, p, "tls: \"1.2\"\n", NULL, NULL);
	ck_assert_uint_eq(o.r.nfindings, 1);
	ck_assert_str_eq(o.r.findings[0].message, "TLS 1.2 is not one of [1.3]");
	ck_assert_str_eq(o.r.findings[0].rule, "tls.min");
	ck_assert_int_eq(o.r.findings[0].severity, GV_SEV_CRITICAL);
	ck_assert_uint_eq(o.r.findings[0].col, 6);
	done(&o, p);
	unlink(path);
	free(path);
	gv_diags_release(&d);
}
END_TEST

START_TEST(catastrophic_regex_is_bounded)
{
	char m[20100];
	outcome o;
	gv_program *p;

	memcpy(m, "s: \"", 4);
	memset(m + 4, 'a', 20000);
	memcpy(m + 20004, "!\"\n", 4);
	ck_assert_uint_eq(one(&o, &p, "{path: manifest.s, matches: \"^(a+)+$\"}", m), 1);
	ck_assert_ptr_nonnull(strstr(o.r.findings[0].message, "regex work limit"));
	done(&o, p);
}
END_TEST

/* Compiles `rules`, expecting one error with `code` at line:col. */
static void expect_error(const char *rules, const char *code, unsigned line, unsigned col,
			 const char *needle)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_program *p = compile(rules, &d);

	ck_assert_ptr_null(p);
	ck_assert_uint_ge(d.n, 1);
	ck_assert_str_eq(d.v[0].code, code);
	ck_assert_uint_eq(d.v[0].loc.line, line);
	ck_assert_uint_eq(d.v[0].loc.col, col);
	if (needle && !strstr(d.v[0].msg, needle))
		ck_abort_msg("message '%s' lacks '%s'", d.v[0].msg, needle);
	gv_diags_release(&d);
}

START_TEST(policy_errors_are_located)
{
	expect_error("    - id: r\n      enforcement: block\n      check: {path: manifest.a, matchs: x}\n",
		     "GV-P012", 8, 33, "unknown operator or key 'matchs'");
	expect_error("    - id: r\n      enforcement: block\n      check: {path: manifest.a, matches: \"(x\"}\n",
		     "GV-P031", 8, 42, "missing closing parenthesis at offset 2");
	/* no rule library loaded at all: that is the one error (GV-P016,
	 * an unknown rule in a loaded library, is t120's and t165's) */
	expect_error("    - use: no.such\n      enforcement: block\n",
		     "GV-P036", 6, 12, "rule library not found; looked in --rules (not given)");
	expect_error("    - id: r\n      enforcement: block\n      check: {path: manifest.a, equals: 1}\n"
		     "    - id: r\n      enforcement: block\n      check: {path: manifest.a, equals: 1}\n",
		     "GV-P014", 9, 11, "duplicate rule id 'r'");
	expect_error("    - id: r\n      enforcement: block\n      check: {path: manifest.a, in: $params.nope}\n",
		     "GV-P030", 8, 37, "'$params.nope' is not defined");
	expect_error("    - id: r\n      enforcement: stop\n      check: {path: manifest.a, equals: 1}\n",
		     "GV-P015", 7, 20, "enforcement 'stop' is not one of block, halt, escalate, warn, info");
	expect_error("    - id: r\n      enforcment: block\n      check: {path: manifest.a, equals: 1}\n",
		     "GV-P010", 7, 7, "unknown key 'enforcment'");
	expect_error("    - id: r\n      enforcement: block\n      check: {path: spec.a, equals: 1}\n",
		     "GV-P020", 8, 21, "must start with manifest, cloud or onprem");
	expect_error("    - id: r\n      enforcement: block\n      check: {path: manifest.a, matches: $manifest.b}\n",
		     "GV-P032", 8, 42, "'matches' takes a literal operand, not a path '$manifest.b'");
	/* a compiled regex in a rule that is then rejected is still freed (ASan) */
	expect_error("    - id: r\n      enforcement: stop\n      check: {path: manifest.a, matches: x}\n",
		     "GV-P015", 7, 20, "enforcement 'stop' is not one of");
	expect_error("    - id: r\n      enforcement: block\n      check: {path: manifest.a, in: 3}\n",
		     "GV-P022", 8, 37, "'in' takes a list, not an integer");
}
END_TEST

/* Asserts finding i: path, line:col and message. */
static void expect_finding(const outcome *o, size_t i, const char *path, unsigned line,
			   unsigned col, const char *msg)
{
	ck_assert_uint_gt(o->r.nfindings, i);
	ck_assert_str_eq(o->r.findings[i].path, path);
	ck_assert_uint_eq(o->r.findings[i].line, line);
	ck_assert_uint_eq(o->r.findings[i].col, col);
	ck_assert_str_eq(o->r.findings[i].message, msg);
}

START_TEST(ordering_compares_numbers_only)
{
	/* every spelling strtod accepts, quoted: strings, never numbers */
	const char *m = "a: \"5\"\nb: \" 5\"\nc: \"0x10\"\nd: \"infinity\"\ne: \"1e3\"\n"
			"n: 16\nh: 0x10\nx: 1e3\ni: .inf\nz: .nan\n";
	outcome o;
	gv_program *p;

	EXPECT("{path: manifest.a, gt: 1}", m, 1);
	EXPECT("{path: manifest.a, lte: 5}", m, 1);
	EXPECT("{path: manifest.b, gt: 1}", m, 1);
	EXPECT("{path: manifest.c, gt: 15}", m, 1);
	EXPECT("{path: manifest.d, gt: 1}", m, 1);
	EXPECT("{path: manifest.e, gt: 1}", m, 1);
	EXPECT("{path: manifest.e, lt: 1}", m, 1);
	/* real numbers compare */
	EXPECT("{path: manifest.n, gt: 15}", m, 0);
	EXPECT("{path: manifest.h, gt: 15}", m, 0);      /* YAML 1.2 hex integer: 16 */
	EXPECT("{path: manifest.x, gte: 1000}", m, 0);
	EXPECT("{path: manifest.i, gt: 1e300}", m, 0);
	EXPECT("{path: manifest.z, gt: 0}", m, 1);       /* NaN is ordered with nothing */
	EXPECT("{path: manifest.z, lte: 0}", m, 1);
	/* a JSON string is a string, a JSON number a number */
	EXPECT("{path: manifest.s, gt: 1}", "{\"s\": \"5\", \"n\": 5}", 1);
	EXPECT("{path: manifest.n, gt: 1}", "{\"s\": \"5\", \"n\": 5}", 0);

	ck_assert_uint_eq(one(&o, &p, "{path: manifest.c, gt: 15}", m), 1);
	expect_finding(&o, 0, "manifest.c", 3, 4,
		       "manifest.c is \"0x10\" (a string, not a number); expected it to be greater than 15");
	ck_assert_str_eq(o.r.findings[0].actual, "0x10");
	done(&o, p);
	ck_assert_uint_eq(one(&o, &p, "{path: manifest.lat, lte: $manifest.max}",
			      "lat: 5\nmax: \"30\"\n"), 1);
	ck_assert_str_eq(o.r.findings[0].message,
			 "manifest.lat cannot be compared with the value at manifest.max, which is "
			 "\"30\" (a string, not a number)");
	done(&o, p);
}
END_TEST

START_TEST(operand_types_are_checked_when_loading)
{
#define RULE(check) "    - id: r\n      enforcement: block\n      check: " check "\n"
	expect_error(RULE("{path: manifest.a, gt: \"ten\"}"), "GV-P022", 8, 37,
		     "'gt' takes a number, not a string (\"ten\")");
	expect_error(RULE("{path: manifest.a, gte: \"5\"}"), "GV-P022", 8, 38,
		     "'gte' takes a number, not a string (\"5\")");
	expect_error(RULE("{path: manifest.a, lt: .nan}"), "GV-P022", 8, 37,
		     "'lt' takes a number, not NaN, which nothing is ordered with");
	expect_error(RULE("{path: manifest.a, lte: true}"), "GV-P022", 8, 38,
		     "'lte' takes a number, not a boolean");
	expect_error(RULE("{path: manifest.a, min_length: -1}"), "GV-P022", 8, 45,
		     "'min_length' takes a non-negative integer, not -1");
	expect_error(RULE("{path: manifest.a, max_length: \"3\"}"), "GV-P022", 8, 45,
		     "'max_length' takes a non-negative integer, not a string (\"3\")");
	expect_error(RULE("{path: manifest.a, max_length: 2.5}"), "GV-P022", 8, 45,
		     "'max_length' takes a non-negative integer, not a number (2.5)");
	expect_error(RULE("{path: manifest.a, in: ap-south-1}"), "GV-P022", 8, 37,
		     "'in' takes a list, not a string (\"ap-south-1\")");
	expect_error(RULE("{path: manifest.a, not_in: 3}"), "GV-P022", 8, 41,
		     "'not_in' takes a list, not an integer (3)");
	expect_error(RULE("{path: manifest.a, matches: 5}"), "GV-P022", 8, 42,
		     "'matches' takes a string (a PCRE2 pattern), not an integer (5)");
	expect_error(RULE("{path: manifest.a, exists: \"yes\"}"), "GV-P022", 8, 41,
		     "'exists' takes true or false, not a string (\"yes\")");
	expect_error(RULE("{path: manifest.a, contains: null}"), "GV-P022", 8, 43,
		     "'contains' takes a string, number or boolean, not null");
	expect_error(RULE("{path: manifest.a, equals: null}"), "GV-P022", 8, 41,
		     "'equals' cannot compare with null, which counts as not set; use exists: false");
	/* a $params value is reported where it is written */
	expect_error("    - id: r\n      enforcement: block\n      params: {min: ten}\n"
		     "      check: {path: manifest.a, gt: $params.min}\n", "GV-P022", 8, 21,
		     "'gt' takes a number, but $params.min is a string (\"ten\") (used at ");
#undef RULE
}
END_TEST

START_TEST(message_placeholders_are_checked_when_loading)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_program *p;

	expect_error("    - id: r\n      enforcement: block\n      check: {path: manifest.a, gt: 1}\n"
		     "      message: \"a is {actul}, not above {expected}\"\n", "GV-P034", 9, 22,
		     "unknown placeholder '{actul}' in the message; the placeholders are "
		     "{actual}, {expected} and {path}");
	/* braces around other text are text */
	p = compile("    - id: r\n      enforcement: block\n      check: {path: manifest.a, gt: 1}\n"
		    "      message: \"record it as {by, role} at {path}: {actual} {expected}\"\n", &d);
	ck_assert_ptr_nonnull(p);
	gv_program_free(p);
	gv_diags_release(&d);
}
END_TEST

START_TEST(when_on_a_wildcard_path_is_an_error)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_program *p;

	expect_error("    - id: r\n      enforcement: block\n"
		     "      when: {path: \"manifest.w[*].side\", equals: onprem}\n"
		     "      check: {path: manifest.a, gt: 1}\n", "GV-P033", 8, 20,
		     "a rule's 'when' on a [*] path does not say which items it means; use the "
		     "each form (check: {each: ..., where: ..., check: ...}), or write "
		     "quantifier: any or quantifier: all");
	expect_error("    - id: r\n      enforcement: block\n      check:\n"
		     "        each: \"manifest.w[*]\"\n"
		     "        where: {path: \"item.ports[*]\", equals: 80}\n"
		     "        check: {path: item.a, gt: 1}\n", "GV-P033", 10, 23,
		     "a 'where' on a [*] path");
	/* an explicit quantifier says which */
	p = compile("    - id: r\n      enforcement: block\n"
		    "      when: {path: \"manifest.w[*].side\", equals: onprem, quantifier: any}\n"
		    "      check: {path: manifest.a, gt: 1}\n", &d);
	ck_assert_ptr_nonnull(p);
	gv_program_free(p);
	gv_diags_release(&d);
}
END_TEST

static const char *WORKLOADS =
	"mode: hybrid\n"
	"workloads:\n"
	"  - {name: api, side: onprem, replicas: 3}\n"
	"  - {name: db, side: onprem, replicas: 1}\n"
	"  - {name: web, side: cloud, replicas: 1}\n"
	"  - {name: q, side: onprem}\n"
	"  - {name: r, side: onprem, replicas: \"5\"}\n";

START_TEST(each_where_check_onprem_replicas)
{
	outcome o;
	gv_program *p;

	ck_assert_uint_eq(one(&o, &p, "{each: \"manifest.workloads[*]\", "
			      "where: {path: item.side, equals: onprem}, "
			      "check: {path: item.replicas, gte: 2}}", WORKLOADS), 3);
	expect_finding(&o, 0, "manifest.workloads[1].replicas", 4, 40,
		       "manifest.workloads[1].replicas is 1; expected it to be at least 2");
	/* missing: at the item */
	expect_finding(&o, 1, "manifest.workloads[3].replicas", 6, 5,
		       "manifest.workloads[3].replicas is missing");
	ck_assert(o.r.findings[1].missing);
	expect_finding(&o, 2, "manifest.workloads[4].replicas", 7, 39,
		       "manifest.workloads[4].replicas is \"5\" (a string, not a number); "
		       "expected it to be at least 2");
	done(&o, p);
	/* the cloud workload with 1 replica is filtered out; nothing selected holds */
	EXPECT("{each: \"manifest.workloads[*]\", where: {path: item.side, equals: cloud}, "
	       "check: {path: item.replicas, gte: 2}}", WORKLOADS, 1);
	EXPECT("{each: \"manifest.workloads[*]\", where: {path: item.side, equals: mars}, "
	       "check: {path: item.replicas, gte: 2}}", WORKLOADS, 0);
	/* an empty list holds; a missing one fails unless missing: pass */
	EXPECT("{each: \"manifest.w[*]\", check: {path: item.a, gte: 2}}", "w: []\n", 0);
	EXPECT("{each: \"manifest.w[*]\", check: {path: item.a, gte: 2}}", "x: 1\n", 1);
	EXPECT("{each: \"manifest.w[*]\", check: {path: item.a, gte: 2}, missing: pass}",
	       "x: 1\n", 0);
	/* each failing part of an item is reported */
	EXPECT("{each: \"manifest.w[*]\", check: {all: [{path: item.a, gte: 2}, "
	       "{path: item.b, equals: x}]}}", "w: [{a: 1, b: y}, {a: 2, b: x}]\n", 2);
	/* not: some item fails */
	EXPECT("{not: {each: \"manifest.w[*]\", check: {path: item.a, gte: 2}}}",
	       "w: [{a: 1}, {a: 2}]\n", 0);
	EXPECT("{not: {each: \"manifest.w[*]\", check: {path: item.a, gte: 2}}}",
	       "w: [{a: 3}, {a: 2}]\n", 2);
}
END_TEST

START_TEST(each_nests_and_as_names_the_inner_item)
{
	const char *m =
		"workloads:\n"
		"  - name: api\n"
		"    side: cloud\n"
		"    ports: [{number: 443}, {number: 8443}]\n"
		"  - name: db\n"
		"    side: onprem\n"
		"    ports: [{number: 5432}]\n";
	outcome o;
	gv_program *p;

	/* the inner where reads the outer item, the inner check the inner one */
	ck_assert_uint_eq(one(&o, &p, "{each: \"manifest.workloads[*]\", check: "
			      "{each: \"item.ports[*]\", as: port, "
			      "where: {path: item.side, equals: cloud}, "
			      "check: {path: port.number, lt: 1024}}}", m), 1);
	expect_finding(&o, 0, "manifest.workloads[0].ports[1].number", 4, 37,
		       "manifest.workloads[0].ports[1].number is 8443; expected it to be less than 1024");
	done(&o, p);
	/* without as, item is the inner item */
	ck_assert_uint_eq(one(&o, &p, "{each: \"manifest.workloads[*]\", check: "
			      "{each: \"item.ports[*]\", check: {path: item.number, lt: 1024}}}", m), 2);
	ck_assert_str_eq(o.r.findings[0].path, "manifest.workloads[0].ports[1].number");
	ck_assert_str_eq(o.r.findings[1].path, "manifest.workloads[1].ports[0].number");
	done(&o, p);
	/* an inner item compared with its outer item */
	EXPECT("{each: \"manifest.w[*]\", check: {each: \"item.c[*]\", as: c, "
	       "check: {path: c.v, lte: $item.max}}}",
	       "w: [{max: 3, c: [{v: 1}, {v: 4}]}, {max: 9, c: [{v: 9}]}]\n", 1);
	/* as names must be new */
	expect_error("    - id: r\n      enforcement: block\n      check:\n"
		     "        each: \"manifest.w[*]\"\n        as: w\n"
		     "        check: {each: \"w.c[*]\", as: w, check: {path: w.v, gt: 1}}\n",
		     "GV-P035", 11, 37, "'w' already names an enclosing item");
	expect_error("    - id: r\n      enforcement: block\n      check:\n"
		     "        each: \"manifest.w[*]\"\n        as: manifest\n"
		     "        check: {path: item.v, gt: 1}\n",
		     "GV-P035", 10, 13, "'as' names the item with lowercase letters");
	/* an unbound name is not a root */
	expect_error("    - id: r\n      enforcement: block\n      check:\n"
		     "        each: \"manifest.w[*]\"\n"
		     "        check: {path: port.v, gt: 1}\n",
		     "GV-P020", 10, 23, "it must start with manifest, cloud, onprem or a bound item (item)");
	expect_error("    - id: r\n      enforcement: block\n      check: {path: item.v, gt: 1}\n",
		     "GV-P020", 8, 21, "it must start with manifest, cloud or onprem");
}
END_TEST

START_TEST(each_compares_items_with_facts)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_program *p = compile("    - id: r\n      enforcement: block\n      check:\n"
				"        each: \"manifest.stores[*]\"\n"
				"        check: {path: item.region, in: $cloud.allowed}\n", &d);
	outcome o;

	ck_assert_ptr_nonnull(p);
	run(&o, p, "stores:\n  - {region: eu-west-1}\n  - {region: us-east-1}\n",
	    "allowed: [eu-west-1]\n", NULL);
	ck_assert_uint_eq(o.r.nfindings, 1);
	expect_finding(&o, 0, "manifest.stores[1].region", 3, 14,
		       "manifest.stores[1].region is us-east-1; expected it to be one of [eu-west-1]");
	ck_assert_str_eq(o.r.findings[0].file, "m.yaml");
	done(&o, p);
	gv_diags_release(&d);
}
END_TEST

START_TEST(each_counts)
{
	const char *approvals =
		"strategy:\n"
		"  approvals:\n"
		"    - {by: ann, role: security-admin}\n"
		"    - {by: ann, role: compliance-officer}\n"
		"    - {by: bob, role: developer}\n";
	const char *two = "strategy:\n  approvals:\n"
			  "    - {by: ann, role: security-admin}\n"
			  "    - {by: cho, role: compliance-officer}\n";
	const char *rule = "{each: \"manifest.strategy.approvals[*]\", "
			   "where: {path: item.role, in: [security-admin, compliance-officer]}, "
			   "distinct: item.by, min_count: 2}";
	outcome o;
	gv_program *p;

	/* two approvals from security, but from one person */
	ck_assert_uint_eq(one(&o, &p, rule, approvals), 1);
	expect_finding(&o, 0, "manifest.strategy.approvals", 3, 5,
		       "manifest.strategy.approvals has 1 distinct value of item.by among the "
		       "matching items; expected at least 2");
	ck_assert_str_eq(o.r.findings[0].actual, "1");
	ck_assert_str_eq(o.r.findings[0].expected, "at least 2");
	done(&o, p);
	EXPECT(rule, two, 0);
	/* without distinct, items are counted */
	EXPECT("{each: \"manifest.strategy.approvals[*]\", "
	       "where: {path: item.role, in: [security-admin, compliance-officer]}, min_count: 2}",
	       approvals, 0);
	ck_assert_uint_eq(one(&o, &p, "{each: \"manifest.strategy.approvals[*]\", max_count: 2}",
			      approvals), 1);
	ck_assert_str_eq(o.r.findings[0].message,
			 "manifest.strategy.approvals has 3 items; expected at most 2");
	done(&o, p);
	/* a check narrows what is counted; exactly */
	ck_assert_uint_eq(one(&o, &p, "{each: \"manifest.strategy.approvals[*]\", "
			      "check: {path: item.by, equals: ann}, min_count: 1, max_count: 1}",
			      approvals), 1);
	ck_assert_str_eq(o.r.findings[0].message,
			 "manifest.strategy.approvals has 2 matching items; expected exactly 1");
	done(&o, p);
	/* the list missing: located at its parent's key */
	ck_assert_uint_eq(one(&o, &p, rule, "strategy:\n  type: canary\n"), 1);
	expect_finding(&o, 0, "manifest.strategy.approvals", 1, 1,
		       "manifest.strategy.approvals is missing");
	done(&o, p);
	EXPECT("{each: \"manifest.strategy.approvals[*]\", min_count: 1}",
	       "strategy:\n  approvals: []\n", 1);
	/* bounds from params; bad bounds */
	expect_error("    - id: r\n      enforcement: block\n      params: {n: 2}\n"
		     "      check: {each: \"manifest.a[*]\", min_count: $params.n, max_count: 1}\n",
		     "GV-P035", 9, 71, "'max_count' 1 is below 'min_count' 2, so no list passes");
	expect_error("    - id: r\n      enforcement: block\n"
		     "      check: {each: \"manifest.a[*]\", min_count: two}\n",
		     "GV-P022", 8, 49, "'min_count' takes a non-negative integer, not a string");
	expect_error("    - id: r\n      enforcement: block\n"
		     "      check: {each: \"manifest.a[*]\", distinct: item.by, check: {path: item.x, gt: 1}}\n",
		     "GV-P035", 8, 48, "'distinct' counts items, so it needs 'min_count' or 'max_count'");
	expect_error("    - id: r\n      enforcement: block\n"
		     "      check: {each: \"manifest.a[*]\"}\n",
		     "GV-P035", 8, 14, "'each' needs a 'check' for every item, or 'min_count'");
	expect_error("    - id: r\n      enforcement: block\n"
		     "      check: {each: \"manifest.a[*]\", path: manifest.a, min_count: 1}\n",
		     "GV-P012", 8, 38, "unknown key 'path' in an each check");
}
END_TEST

START_TEST(length_and_regex_messages)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_program *p;
	outcome o;

	/* {actual} of a length check is the length */
	ck_assert_uint_eq(one(&o, &p, "{path: manifest.a, min_length: 1}", "a: []\n"), 1);
	ck_assert_str_eq(o.r.findings[0].actual, "0");
	ck_assert_str_eq(o.r.findings[0].message,
			 "manifest.a has 0 items; expected it to have a length of at least 1");
	done(&o, p);
	ck_assert_uint_eq(one(&o, &p, "{path: manifest.a, max_length: 3}", "a: Zürich\n"), 1);
	ck_assert_str_eq(o.r.findings[0].actual, "6");
	ck_assert_str_eq(o.r.findings[0].message,
			 "manifest.a is Zürich (6 characters); expected it to have a length of at most 3");
	done(&o, p);
	ck_assert_uint_eq(one(&o, &p, "{path: manifest.a, max_length: 3}", "a: 12345\n"), 1);
	ck_assert_str_eq(o.r.findings[0].message,
			 "manifest.a is 12345 (an integer, which has no length); expected it to "
			 "have a length of at most 3");
	done(&o, p);
	/* a regex finding names the value and the rule's intent, not the pattern */
	p = compile("    - id: r\n      title: Every image is pinned by digest\n"
		    "      enforcement: block\n"
		    "      check: {path: \"manifest.w[*]\", matches: '@sha256:[0-9a-f]{64}$'}\n"
		    "    - id: s\n      title: No weak cipher\n      enforcement: block\n"
		    "      check: {path: \"manifest.c[*]\", not_matches: '(?i)(RC4|NULL)'}\n"
		    "      message: \"cipher {actual} at {path} is weak ({expected})\"\n", &d);
	ck_assert_ptr_nonnull(p);
	run(&o, p, "w: [nginx:1.25]\nc: [TLS_RSA_WITH_RC4_128_SHA]\n", NULL, NULL);
	ck_assert_uint_eq(o.r.nfindings, 2);
	ck_assert_str_eq(o.r.findings[0].message,
			 "manifest.w[0] is nginx:1.25, which does not have the form the rule "
			 "requires [Every image is pinned by digest]");
	ck_assert_str_eq(o.r.findings[0].expected, "/@sha256:[0-9a-f]{64}$/");
	ck_assert_str_eq(o.r.findings[1].message,
			 "cipher TLS_RSA_WITH_RC4_128_SHA at manifest.c[0] is weak (/(?i)(RC4|NULL)/)");
	done(&o, p);
	gv_diags_release(&d);
}
END_TEST

START_TEST(inline_rule_ids_belong_to_their_policy)
{
	gv_diags d = GV_DIAGS_INIT;
	const char *lib =
		"apiVersion: govgate/v1\nkind: RuleSet\nmetadata: {name: lib}\nrules:\n"
		"  - id: gov.owner\n    check: {path: manifest.owner, exists: true}\n";
	const char *lib2 =
		"apiVersion: govgate/v1\nkind: RuleSet\nmetadata: {name: lib2}\nrules:\n"
		"  - id: gov.owner\n    check: {path: manifest.owner, matches: '^team-'}\n"
		"  - id: gov.other\n    check: {path: manifest.x, exists: true}\n";
	const char *pol =
		"apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  rules:\n"
		"    - id: gov.owner\n      enforcement: warn\n"
		"      check: {path: manifest.owner, equals: me}\n"
		"---\n"
		"apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: q}\nspec:\n  rules:\n"
		"    - id: gov.owner\n      enforcement: info\n"
		"      check: {path: manifest.owner, equals: you}\n";
	const char *uses =
		"apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: u}\nspec:\n  rules:\n"
		"    - {use: gov.other, enforcement: warn}\n"
		"    - {use: gov.owner, enforcement: warn}\n";
	char *lp = write_tmp(lib), *lp2 = write_tmp(lib2), *pp = write_tmp(pol), *up = write_tmp(uses);
	const char *rules[2] = { lp, lp2 }, *pols[1] = { pp };
	gv_program *p = NULL;
	outcome o;
	char want[512];

	/* an inline id that the library also defines, in two policies */
	ck_assert_int_eq(gv_program_load(&p, pols, 1, rules, 1, &d), 0);
	ck_assert_uint_eq(p->nrules, 2);
	run(&o, p, "owner: them\n", NULL, NULL);
	ck_assert_uint_eq(o.r.nfindings, 2);
	ck_assert_str_eq(o.r.findings[0].policy, "p");
	ck_assert_str_eq(o.r.findings[0].rule, "gov.owner");
	ck_assert_str_eq(o.r.findings[1].policy, "q");
	done(&o, p);
	/* two libraries defining one id: fine until a use: names it */
	p = NULL;
	pols[0] = up;
	ck_assert_int_eq(gv_program_load(&p, pols, 1, rules, 2, &d), GV_EPARSE);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].code, "GV-P014");
	ck_assert_uint_eq(d.v[0].loc.line, 7);
	ck_assert_uint_eq(d.v[0].loc.col, 13);
	snprintf(want, sizeof(want), "'use' of 'gov.owner' is ambiguous: it is defined at "
		 "%s:5:9 and %s:5:9", lp, lp2);
	ck_assert_str_eq(d.v[0].msg, want);
	gv_diags_release(&d);
	unlink(lp);
	unlink(lp2);
	unlink(pp);
	unlink(up);
	free(lp);
	free(lp2);
	free(pp);
	free(up);
}
END_TEST

START_TEST(rejected_policy_documents_are_not_loaded)
{
	/* found by fuzzing: a Policy document refused in the first pass (here
	 * for an unknown key) must not be loaded in the second */
	gv_diags d = GV_DIAGS_INIT;
	const char *text =
		"apiVersion: govgate/v1\nkind: Policy\nmetadata: {name: a}\nspec:\n  rules:\n"
		"    - {id: r, enforcement: warn, check: {path: manifest.x, exists: true}}\n"
		"---\n"
		"apiVersion: govgate/v1\nkind: Policy\nmetadjta: {name: b}\nspec:\n  rules: []\n";
	char *path = write_tmp(text);
	const char *paths[1] = { path };
	gv_program *p = NULL;

	ck_assert_int_eq(gv_program_load(&p, paths, 1, NULL, 0, &d), GV_EPARSE);
	ck_assert_ptr_null(p);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].code, "GV-P010");
	ck_assert_uint_eq(d.v[0].loc.line, 10);
	unlink(path);
	free(path);
	gv_diags_release(&d);
}
END_TEST

Suite *eval_suite(void)
{
	Suite *s = suite_create("eval");
	TCase *t = tcase_create("core");

	tcase_set_timeout(t, 30);
	tcase_add_test(t, leaf_operators);
	tcase_add_test(t, missing_fails_unless_missing_pass);
	tcase_add_test(t, missing_value_is_located_at_nearest_parent_key);
	tcase_add_test(t, wildcard_reports_each_offending_element);
	tcase_add_test(t, operands_read_from_the_documents);
	tcase_add_test(t, combinators);
	tcase_add_test(t, not_reports_where_the_inner_check_held);
	tcase_add_test(t, same_compares_both_sides);
	tcase_add_test(t, when_guard_and_match);
	tcase_add_test(t, ruleset_use_with_params_and_message);
	tcase_add_test(t, catastrophic_regex_is_bounded);
	tcase_add_test(t, policy_errors_are_located);
	tcase_add_test(t, rejected_policy_documents_are_not_loaded);
	tcase_add_test(t, ordering_compares_numbers_only);
	tcase_add_test(t, operand_types_are_checked_when_loading);
	tcase_add_test(t, message_placeholders_are_checked_when_loading);
	tcase_add_test(t, when_on_a_wildcard_path_is_an_error);
	tcase_add_test(t, each_where_check_onprem_replicas);
	tcase_add_test(t, each_nests_and_as_names_the_inner_item);
	tcase_add_test(t, each_compares_items_with_facts);
	tcase_add_test(t, each_counts);
	tcase_add_test(t, length_and_regex_messages);
	tcase_add_test(t, inline_rule_ids_belong_to_their_policy);
	suite_add_tcase(s, t);
	return s;
}
