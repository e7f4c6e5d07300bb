/* Unit tests for yaml_load.c: positions, scalar resolution, bounds. */
#include <check.h>
#include <string.h>

#include "diag.h"
#include "gv.h"
#include "node.h"

static gv_file *load(const char *text, gv_diags *d, const gv_limits *lim, int *err)
{
	gv_file *f = NULL;
	*err = gv_file_load_mem(&f, "t.yaml", text, strlen(text), lim, d);
	return f;
}

START_TEST(positions_are_one_based_and_quotes_start_values)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("a: 1\nb:\n  c: \"x\"\n  d: [p, 'q']\n", &d, NULL, &err);
	const gv_node *b, *c, *dd;

	ck_assert_int_eq(err, GV_OK);
	ck_assert_uint_eq(f->ndocs, 1);
	b = gv_node_get(f->docs[0], "b");
	c = gv_node_get(b, "c");
	ck_assert_uint_eq(c->line, 3);
	ck_assert_uint_eq(c->col, 6);
	ck_assert_int_eq(c->kind, GV_NODE_STR);
	dd = gv_node_get(b, "d");
	ck_assert_uint_eq(dd->u.items[1]->line, 4);
	ck_assert_uint_eq(dd->u.items[1]->col, 10);
	gv_file_free(f);
	gv_diags_release(&d);
}
END_TEST

START_TEST(columns_count_characters_not_bytes)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("k: {\"é\": 1, b: 2}\n", &d, NULL, &err);
	const gv_node *m = gv_node_get(f->docs[0], "k");

	ck_assert_int_eq(err, GV_OK);
	ck_assert_uint_eq(gv_node_get(m, "b")->col, 16);  /* 17 in bytes */
	gv_file_free(f);
	gv_diags_release(&d);
}
END_TEST

START_TEST(multi_document_lines_count_from_file_start)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("a: 1\n---\nb: 2\n---\nc: 3\n", &d, NULL, &err);

	ck_assert_int_eq(err, GV_OK);
	ck_assert_uint_eq(f->ndocs, 3);
	ck_assert_uint_eq(gv_node_get(f->docs[2], "c")->line, 5);
	gv_file_free(f);
	gv_diags_release(&d);
}
END_TEST

START_TEST(core_schema_scalars)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("t: true\nT: TRUE\ny: yes\non: on\nn: ~\ne:\ni: -42\no: 0o17\nx: 0x1F\n"
			  "fl: 1.5e3\nv: 1.2\nq: \"12\"\ns: !!str 12\ninf: -.inf\nbig: 99999999999999999999\n",
			  &d, NULL, &err);
	const gv_node *r;

	ck_assert_int_eq(err, GV_OK);
	r = f->docs[0];
	ck_assert_int_eq(gv_node_get(r, "t")->kind, GV_NODE_BOOL);
	ck_assert(gv_node_get(r, "T")->u.b);
	ck_assert_int_eq(gv_node_get(r, "y")->kind, GV_NODE_STR);
	ck_assert_int_eq(gv_node_get(r, "on")->kind, GV_NODE_STR);
	ck_assert_int_eq(gv_node_get(r, "n")->kind, GV_NODE_NULL);
	ck_assert_int_eq(gv_node_get(r, "e")->kind, GV_NODE_NULL);
	ck_assert_int_eq(gv_node_get(r, "i")->u.i, -42);
	ck_assert_int_eq(gv_node_get(r, "o")->u.i, 15);
	ck_assert_int_eq(gv_node_get(r, "x")->u.i, 31);
	ck_assert_double_eq(gv_node_get(r, "fl")->u.f, 1500.0);
	ck_assert_int_eq(gv_node_get(r, "v")->kind, GV_NODE_FLOAT);
	ck_assert_str_eq(gv_node_get(r, "v")->s, "1.2");
	ck_assert_int_eq(gv_node_get(r, "q")->kind, GV_NODE_STR);
	ck_assert_int_eq(gv_node_get(r, "s")->kind, GV_NODE_STR);
	ck_assert_int_eq(gv_node_get(r, "inf")->kind, GV_NODE_FLOAT);
	ck_assert(gv_node_get(r, "inf")->u.f < 0);
	ck_assert_int_eq(gv_node_get(r, "big")->kind, GV_NODE_FLOAT);
	gv_file_free(f);
	gv_diags_release(&d);
}
END_TEST

START_TEST(json_is_accepted)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("{\"a\":1,\"b\":[true,null,\"x\"]}", &d, NULL, &err);

	ck_assert_int_eq(err, GV_OK);
	ck_assert_int_eq(gv_node_get(f->docs[0], "a")->u.i, 1);
	ck_assert_uint_eq(gv_node_get(f->docs[0], "b")->n, 3);
	gv_file_free(f);
	gv_diags_release(&d);
}
END_TEST

START_TEST(duplicate_key_is_rejected_at_second_key)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("enc:\n  enabled: true\n  enabled: false\n", &d, NULL, &err);

	ck_assert_ptr_null(f);
	ck_assert_int_eq(err, GV_EPARSE);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.v[0].code, "GV-Y021");
	ck_assert_uint_eq(d.v[0].loc.line, 3);
	ck_assert_uint_eq(d.v[0].loc.col, 3);
	ck_assert_str_eq(d.v[0].msg, "duplicate key 'enabled' (first defined at line 2, column 3)");
	gv_diags_release(&d);
}
END_TEST

START_TEST(duplicate_key_in_large_map_is_rejected)
{
	gv_diags d = GV_DIAGS_INIT;
	char text[4096];
	size_t n = 0;
	int err, i;
	gv_file *f;

	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "k%d: %d\n", i, i);
	snprintf(text + n, sizeof(text) - n, "k57: again\n");
	f = load(text, &d, NULL, &err);
	ck_assert_ptr_null(f);
	ck_assert_str_eq(d.v[0].code, "GV-Y021");
	ck_assert_uint_eq(d.v[0].loc.line, 101);
	gv_diags_release(&d);
}
END_TEST

START_TEST(non_scalar_key_is_rejected)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("? [a, b]\n: c\n", &d, NULL, &err);

	ck_assert_ptr_null(f);
	ck_assert_str_eq(d.v[0].code, "GV-Y020");
	ck_assert_uint_eq(d.v[0].loc.line, 1);
	ck_assert_uint_eq(d.v[0].loc.col, 3);
	gv_diags_release(&d);
}
END_TEST

START_TEST(billion_laughs_fails_fast)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	const char *bomb =
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	gv_file *f = load(bomb, &d, NULL, &err);

	ck_assert_ptr_null(f);
	ck_assert_int_eq(err, GV_ELIMIT);
	ck_assert_str_eq(d.v[0].code, "GV-Y015");
	ck_assert_uint_eq(d.v[0].loc.line, 6);
	gv_diags_release(&d);
}
END_TEST

START_TEST(small_aliases_are_shared)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("base: &b {x: 1}\nuse: *b\n", &d, NULL, &err);

	ck_assert_int_eq(err, GV_OK);
	ck_assert_ptr_eq(gv_node_get(f->docs[0], "base"), gv_node_get(f->docs[0], "use"));
	gv_file_free(f);
	gv_diags_release(&d);
}
END_TEST

START_TEST(undefined_alias_is_an_error)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("a: &x [*x]\n", &d, NULL, &err);

	ck_assert_ptr_null(f);
	ck_assert_str_eq(d.v[0].code, "GV-Y014");
	gv_diags_release(&d);
}
END_TEST

START_TEST(depth_is_bounded)
{
	gv_diags d = GV_DIAGS_INIT;
	char text[512];
	int err, i;
	gv_limits lim = { 0 };
	gv_file *f;

	for (i = 0; i < 100; i++)
		text[i] = '[';
	for (i = 0; i < 100; i++)
		text[100 + i] = ']';
	text[200] = '\0';
	f = load(text, &d, &lim, &err);
	ck_assert_ptr_null(f);
	ck_assert_int_eq(err, GV_ELIMIT);
	ck_assert_str_eq(d.v[0].code, "GV-Y011");
	ck_assert_uint_eq(d.v[0].loc.col, 65);
	gv_diags_release(&d);
}
END_TEST

START_TEST(invalid_utf8_is_located)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("a: ok\nb: \"\xff\"\n", &d, NULL, &err);

	ck_assert_ptr_null(f);
	ck_assert_int_eq(err, GV_EPARSE);
	ck_assert_str_eq(d.v[0].code, "GV-Y002");
	ck_assert_uint_eq(d.v[0].loc.line, 2);
	ck_assert_uint_eq(d.v[0].loc.col, 5);
	gv_diags_release(&d);
}
END_TEST

START_TEST(size_is_bounded)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_limits lim = { .max_bytes = 8 };
	int err;
	gv_file *f = load("a: 123456789\n", &d, &lim, &err);

	ck_assert_ptr_null(f);
	ck_assert_int_eq(err, GV_ELIMIT);
	ck_assert_str_eq(d.v[0].code, "GV-Y017");
	gv_diags_release(&d);
}
END_TEST

START_TEST(syntax_error_is_located)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("a: 1\nb: [1, 2\nc: 3\n", &d, NULL, &err);

	ck_assert_ptr_null(f);
	ck_assert_int_eq(err, GV_EPARSE);
	ck_assert_str_eq(d.v[0].code, "GV-Y003");
	ck_assert_uint_eq(d.v[0].loc.line, 3);
	gv_diags_release(&d);
}
END_TEST

START_TEST(empty_input_has_no_documents)
{
	gv_diags d = GV_DIAGS_INIT;
	int err;
	gv_file *f = load("", &d, NULL, &err);

	ck_assert_int_eq(err, GV_OK);
	ck_assert_uint_eq(f->ndocs, 0);
	gv_file_free(f);
	gv_diags_release(&d);
}
END_TEST

Suite *yaml_load_suite(void)
{
	Suite *s = suite_create("yaml_load");
	TCase *t = tcase_create("core");

	tcase_add_test(t, positions_are_one_based_and_quotes_start_values);
	tcase_add_test(t, columns_count_characters_not_bytes);
	tcase_add_test(t, multi_document_lines_count_from_file_start);
	tcase_add_test(t, core_schema_scalars);
	tcase_add_test(t, json_is_accepted);
	tcase_add_test(t, duplicate_key_is_rejected_at_second_key);
	tcase_add_test(t, duplicate_key_in_large_map_is_rejected);
	tcase_add_test(t, non_scalar_key_is_rejected);
	tcase_add_test(t, billion_laughs_fails_fast);
	tcase_add_test(t, small_aliases_are_shared);
	tcase_add_test(t, undefined_alias_is_an_error);
	tcase_add_test(t, depth_is_bounded);
	tcase_add_test(t, invalid_utf8_is_located);
	tcase_add_test(t, size_is_bounded);
	tcase_add_test(t, syntax_error_is_located);
	tcase_add_test(t, empty_input_has_no_documents);
	suite_add_tcase(s, t);
	return s;
}
