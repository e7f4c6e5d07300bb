/* Unit tests for yaml_strict.c: invalid YAML libyaml accepts is refused at
 * the right place; hints under libyaml's errors. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "gv.h"
#include "node.h"

/* Loads text; checks the first diagnostic (code, line, col, message part)
 * or, with code NULL, that it loads. */
static void expect(const char *text, const char *code, unsigned line, unsigned col,
		   const char *needle)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL;
	int err = gv_file_load_mem(&f, "t.yaml", text, strlen(text), NULL, &d);

	if (!code) {
		ck_assert_msg(err == GV_OK, "'%s' does not load: %s", text, d.n ? d.v[0].msg : "");
	} else {
		ck_assert_msg(err == GV_EPARSE, "'%s' loads", text);
		ck_assert_str_eq(d.v[0].code, code);
		ck_assert_uint_eq(d.v[0].loc.line, line);
		ck_assert_uint_eq(d.v[0].loc.col, col);
		ck_assert_msg(strstr(d.v[0].msg, needle), "'%s' lacks '%s'", d.v[0].msg, needle);
	}
	gv_file_free(f);
	gv_diags_release(&d);
}

START_TEST(comments_need_a_space)
{
	expect("key: \"value\"# no\n", "GV-Y030", 1, 13, "separated from the value");
	expect("a: [x, y]#no\n", "GV-Y030", 1, 10, "separated from the value");
	expect("block: ># no\n  text\n", "GV-Y030", 1, 9, "block scalar indicator");
	expect("%YAML 1.1#no\n---\na: 1\n", "GV-Y030", 1, 10, "directive");
	expect("key: \"value\" # yes\na: [x, y] # yes\nb: |+ # yes\n  t\n", NULL, 0, 0, NULL);
	expect("url: http://x#frag\n", NULL, 0, 0, NULL);   /* a '#' inside a plain value */
}
END_TEST

/* An ASCII file finds the '#' from the mark's index, any other by walking
 * the line's characters: both must land on the same byte. */
START_TEST(comments_are_found_in_ascii_crlf_and_multibyte_files)
{
	expect("\xc3\xa9: \"value\"# no\n", "GV-Y030", 1, 11, "separated from the value");
	expect("a: \xc3\xa9\xc3\xa9\nkey: \"value\"# no\n", "GV-Y030", 2, 13, "separated from the value");
	expect("a: 1\r\nkey: \"value\"# no\r\n", "GV-Y030", 2, 13, "separated from the value");
	expect("a: 1\r\nb: [x, y]#no\r\n", "GV-Y030", 2, 10, "separated from the value");
	expect("a: 1\r\nblock: ># no\r\n  text\r\n", "GV-Y030", 2, 9, "block scalar indicator");
	expect("\xc3\xa9: 1\nblock: ># no\n  text\n", "GV-Y030", 2, 9, "block scalar indicator");
	expect("\xc3\xa9: \"val\xc3\xa9\" # yes\r\nb: [\xc3\xa9] # yes\r\n", NULL, 0, 0, NULL);
}
END_TEST

START_TEST(directives_after_a_document_need_an_end_marker)
{
	expect("a: 1\n%YAML 1.2\n---\nb: 2\n", "GV-Y030", 2, 1, "must follow '...'");
	expect("a: 1\n...\n%YAML 1.2\n---\nb: 2\n", NULL, 0, 0, NULL);
	expect("%YAML 1.2\n---\na: 1\n", NULL, 0, 0, NULL);
}
END_TEST

START_TEST(a_plain_dash_in_flow_is_refused)
{
	expect("[-]\n", "GV-Y030", 1, 2, "quote it");
	expect("a: [x, -]\n", "GV-Y030", 1, 8, "quote it");
	expect("a: [x, '-', -1, a-b]\n", NULL, 0, 0, NULL);
}
END_TEST

START_TEST(flow_and_quoted_lines_are_indented_under_their_key)
{
	expect("flow: [a,\nb]\n", "GV-Y030", 2, 1, "indented more than the block");
	expect("quoted: \"a\nb\"\n", "GV-Y030", 2, 1, "indented more than the block");
	expect("foo: \"bar\n\tbaz\"\n", "GV-Y030", 2, 1, "indented with a tab");
	expect("- [\n\tfoo,\n foo\n ]\n", "GV-Y030", 2, 1, "indented with a tab");
	/* indented, blank lines, comments and a closing bracket at the key's column */
	expect("flow: [a,\n b,\n\n# comment\n c\n]\nq: \"a\n  b\"\n", NULL, 0, 0, NULL);
	expect("k:\n  - {a: 1,\n    b: 2}\n", NULL, 0, 0, NULL);
	/* at the top level there is no block to indent under */
	expect("[a,\nb]\n", NULL, 0, 0, NULL);
}
END_TEST

/* The note after libyaml's error, when there is one. */
static void expect_hint(const char *text, unsigned line, unsigned col, const char *needle)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL;
	size_t i;

	ck_assert_int_eq(gv_file_load_mem(&f, "t.yaml", text, strlen(text), NULL, &d), GV_EPARSE);
	for (i = 0; i < d.n && d.v[i].sev != GV_SEV_NOTE; i++)
		;
	if (!needle) {
		ck_assert_uint_eq(i, d.n);
	} else {
		ck_assert_uint_lt(i, d.n);
		ck_assert_str_eq(d.v[i].code, "GV-Y031");
		ck_assert_uint_eq(d.v[i].loc.line, line);
		ck_assert_uint_eq(d.v[i].loc.col, col);
		ck_assert_msg(strstr(d.v[i].msg, needle), "'%s' lacks '%s'", d.v[i].msg, needle);
	}
	gv_diags_release(&d);
}

START_TEST(hints_name_the_mistake)
{
	expect_hint("check: {path: manifest.w[*].image, equals: x}\n", 1, 25,
		    "quote the path, \"manifest.w[*].image\"");
	expect_hint("a:\n  - {use: x, check: {path: manifest.a[0], equals: 1}}\n", 2, 38,
		    "quote the path, \"manifest.a[0]\"");
	expect_hint("a:\n\tb: 1\n", 2, 1, "YAML forbids tabs in indentation");
	expect_hint("a:\n  b: 1\n\tc: 2\n", 3, 1, "YAML forbids tabs in indentation");
	/* a quoted path is not the mistake; no hint for other errors */
	expect_hint("check: {path: \"manifest.w[*]\", equals: [1}\n", 0, 0, NULL);
	expect_hint("a: 'unclosed\n", 0, 0, NULL);
}
END_TEST

/* The checks look at the bytes around each event: on a document of one long
 * line that must not mean a walk from the line's start per scalar. */
START_TEST(one_long_line_costs_one_pass)
{
	size_t n = 100000, len = 0, i;
	char *text = malloc(n * 12 + 16);
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL;
	struct timespec t0, t1;
	double secs;

	len += (size_t)sprintf(text, "{\"a\": [");
	for (i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "%s\"x%zu\"", i ? "," : "", i);
	len += (size_t)sprintf(text + len, "]}");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(gv_file_load_mem(&f, "long.json", text, len, NULL, &d), GV_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* about 0.05 s (1 s under the sanitizers); a walk per scalar took 45 s */
	ck_assert_msg(secs < 10, "loading took %.1f s", secs);
	ck_assert_uint_eq(gv_node_get(f->docs[0], "a")->n, n);
	gv_file_free(f);
	gv_diags_release(&d);
	free(text);
}
END_TEST

Suite *yaml_strict_suite(void)
{
	Suite *s = suite_create("yaml_strict");
	TCase *t = tcase_create("core");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, comments_need_a_space);
	tcase_add_test(t, comments_are_found_in_ascii_crlf_and_multibyte_files);
	tcase_add_test(t, directives_after_a_document_need_an_end_marker);
	tcase_add_test(t, a_plain_dash_in_flow_is_refused);
	tcase_add_test(t, flow_and_quoted_lines_are_indented_under_their_key);
	tcase_add_test(t, hints_name_the_mistake);
	tcase_add_test(t, one_long_line_costs_one_pass);
	suite_add_tcase(s, t);
	return s;
}
