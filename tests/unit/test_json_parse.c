/* test_json_parse.c: the strict JSON parser, its tree and every rejection. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "buf.h"
#include "gv.h"
#include "json_parse.h"
#include "node.h"

static gv_file *ok_parse(const char *text)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL;
	int err = gv_json_parse(&f, "t.json", text, strlen(text), NULL, &d);

	if (err != GV_OK)
		ck_abort_msg("parse of <%s> failed: %s", text, d.n ? d.v[0].msg : "?");
	ck_assert_int_eq(d.n, 0);
	ck_assert_uint_eq(f->ndocs, 1);
	gv_diags_release(&d);
	return f;
}

/* Parses text expecting failure `code`, with one error at line:col whose
 * message contains `msg`. */
static void bad(const char *text, size_t len, const gv_limits *lim, int code,
		uint32_t line, uint32_t col, const char *msg)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = (gv_file *)1;

	ck_assert_int_eq(gv_json_parse(&f, "bad.json", text, len, lim, &d), code);
	ck_assert_ptr_null(f);
	ck_assert_int_eq(d.n, 1);
	ck_assert_int_eq(d.nerrors, 1);
	ck_assert_str_eq(d.v[0].loc.file, "bad.json");
	ck_assert_msg(d.v[0].loc.line == line && d.v[0].loc.col == col,
		      "<%s>: at %u:%u, want %u:%u (%s)", text, d.v[0].loc.line,
		      d.v[0].loc.col, line, col, d.v[0].msg);
	ck_assert_msg(strstr(d.v[0].msg, msg), "<%s>: message '%s' lacks '%s'",
		      text, d.v[0].msg, msg);
	gv_diags_release(&d);
}

#define BAD(text, line, col, msg) bad(text, strlen(text), NULL, GV_EPARSE, line, col, msg)

START_TEST(tree_and_positions)
{
	gv_file *f = ok_parse("{\"a\": [1, -2.5, true, false, null],\n"
			      " \"\xc3\xa9t\xc3\xa9\": \"x\\n\\u00e9\\ud83d\\ude00\",\n"
			      "  \"big\": 9223372036854775807, \"bigger\": 9223372036854775808,\n"
			      "\t\"e\": 1e3, \"z\": -0, \"o\": {}, \"l\": []}");
	const gv_node *root = f->docs[0], *a, *s, *n;

	ck_assert_int_eq(root->kind, GV_NODE_MAP);
	ck_assert_uint_eq(root->n, 8);
	ck_assert_uint_eq(root->line, 1);
	ck_assert_uint_eq(root->col, 1);
	a = gv_node_get(root, "a");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->kind, GV_NODE_SEQ);
	ck_assert_uint_eq(a->n, 5);
	ck_assert_uint_eq(a->col, 7);
	ck_assert_int_eq(a->u.items[0]->kind, GV_NODE_INT);
	ck_assert_int_eq(a->u.items[0]->u.i, 1);
	ck_assert_uint_eq(a->u.items[0]->col, 8);
	ck_assert_int_eq(a->u.items[1]->kind, GV_NODE_FLOAT);
	ck_assert(a->u.items[1]->u.f == -2.5);
	ck_assert_str_eq(a->u.items[1]->s, "-2.5");
	ck_assert_int_eq(a->u.items[2]->kind, GV_NODE_BOOL);
	ck_assert(a->u.items[2]->u.b);
	ck_assert_str_eq(a->u.items[2]->s, "true");
	ck_assert(!a->u.items[3]->u.b);
	ck_assert_int_eq(a->u.items[4]->kind, GV_NODE_NULL);
	ck_assert(!a->u.items[4]->quoted);

	/* keys and values with multibyte characters: columns count characters */
	ck_assert_str_eq(root->u.pairs[1].key->s, "\xc3\xa9t\xc3\xa9");
	ck_assert(root->u.pairs[1].key->quoted);
	ck_assert_uint_eq(root->u.pairs[1].key->line, 2);
	ck_assert_uint_eq(root->u.pairs[1].key->col, 2);
	s = root->u.pairs[1].val;
	ck_assert_uint_eq(s->line, 2);
	ck_assert_uint_eq(s->col, 9);
	ck_assert_int_eq(s->kind, GV_NODE_STR);
	ck_assert_str_eq(s->s, "x\n\xc3\xa9\xf0\x9f\x98\x80");
	ck_assert_uint_eq(s->n, 8);

	n = gv_node_get(root, "big");
	ck_assert_int_eq(n->kind, GV_NODE_INT);
	ck_assert(n->u.i == INT64_MAX);
	ck_assert_uint_eq(n->line, 3);
	ck_assert_uint_eq(n->col, 10);
	n = gv_node_get(root, "bigger");
	ck_assert_int_eq(n->kind, GV_NODE_FLOAT);
	ck_assert(n->u.f == 9223372036854775808.0);
	ck_assert_str_eq(n->s, "9223372036854775808");
	n = gv_node_get(root, "e");
	ck_assert_int_eq(n->kind, GV_NODE_FLOAT);
	ck_assert(gv_node_num(n) == 1000.0);
	ck_assert_uint_eq(n->line, 4);
	ck_assert_uint_eq(n->col, 7);
	ck_assert_int_eq(gv_node_get(root, "z")->kind, GV_NODE_INT);
	ck_assert_int_eq(gv_node_get(root, "o")->kind, GV_NODE_MAP);
	ck_assert_uint_eq(gv_node_get(root, "o")->n, 0);
	ck_assert_uint_eq(gv_node_get(root, "l")->n, 0);
	ck_assert_ptr_null(gv_node_get(root, "missing"));
	ck_assert_ptr_null(gv_node_get(a, "a"));
	gv_file_free(f);
}
END_TEST

START_TEST(scalars_at_top_and_bom)
{
	gv_file *f = ok_parse("  \"just a string\"  \n");
	ck_assert_int_eq(f->docs[0]->kind, GV_NODE_STR);
	ck_assert_uint_eq(f->docs[0]->col, 3);
	gv_file_free(f);
	f = ok_parse("\xEF\xBB\xBF[1]");
	ck_assert_uint_eq(f->docs[0]->col, 1);
	gv_file_free(f);
	f = ok_parse("-1234567890123");
	ck_assert(f->docs[0]->u.i == -1234567890123LL);
	gv_file_free(f);
	f = ok_parse("\"\\\"\\\\\\/\\b\\f\\r\\t\"");
	ck_assert_str_eq(f->docs[0]->s, "\"\\/\b\f\r\t");
	gv_file_free(f);
	gv_file_free(NULL);
}
END_TEST

START_TEST(duplicate_keys)
{
	gv_buf big = GV_BUF_INIT;
	int i;

	BAD("{\"a\": 1,\n \"b\": 2, \"a\": 3}", 2, 10, "duplicate key \"a\" (first at 1:2)");
	/* keys compare decoded: \u0061 is "a" */
	BAD("{\"a\": 1, \"\\u0061\": 2}", 1, 10, "duplicate key \"a\"");
	BAD("[{}, {\"x\": {\"y\": 1, \"y\": 1}}]", 1, 21, "duplicate key \"y\" (first at 1:13)");
	/* a large object takes the sorting path; the earliest duplicate wins */
	gv_buf_putc(&big, '{');
	for (i = 0; i < 40; i++)
		gv_buf_printf(&big, "\"k%02d\":%d,", i, i);
	gv_buf_puts(&big, "\"k30\":0,\"k07\":0}");
	bad(big.ptr, big.len, NULL, GV_EPARSE, 1, (uint32_t)big.len - 15,
	    "duplicate key \"k30\" (first at 1:");
	gv_buf_release(&big);
}
END_TEST

START_TEST(invalid_utf8)
{
	BAD("[\"ok\", \"\xc0\x80\"]", 1, 9, "invalid UTF-8");           /* overlong */
	BAD("\"\xed\xa0\x80\"", 1, 2, "invalid UTF-8");                 /* surrogate */
	BAD("\"\xf4\x90\x80\x80\"", 1, 2, "invalid UTF-8");             /* > U+10FFFF */
	BAD("\"\xe2\x82\"", 1, 2, "invalid UTF-8");                     /* truncated */
	BAD("\"\xff\"", 1, 2, "invalid UTF-8");
	BAD("\n  \"\xc3\xa9\x80\"", 2, 5, "invalid UTF-8");             /* stray continuation */
	BAD("[\xc3\xa9]", 1, 2, "expected a value, found byte 0xc3");
	BAD("[\xc3]", 1, 2, "invalid UTF-8");
}
END_TEST

START_TEST(trailing_garbage_and_syntax)
{
	BAD("{} x", 1, 4, "unexpected 'x' after the JSON value");
	BAD("{}\n{}", 2, 1, "unexpected '{' after the JSON value");
	bad("{}\0", 3, NULL, GV_EPARSE, 1, 3, "unexpected byte 0x00");
	BAD("", 1, 1, "expected a value, found end of input");
	BAD("   ", 1, 4, "expected a value, found end of input");
	BAD("{\"a\": 1", 1, 8, "expected ',' or '}' after object member, found end of input");
	BAD("{\"a\" 1}", 1, 6, "expected ':' after object key, found '1'");
	BAD("{\"a\": 1,}", 1, 9, "expected a string key after ','");
	BAD("{a: 1}", 1, 2, "expected a string key or '}'");
	BAD("[1, 2,]", 1, 7, "expected a value, found ']'");
	BAD("[1 2]", 1, 4, "expected ',' or ']' after array element");
	BAD("[tru]", 1, 2, "expected a value");
	BAD("[NaN]", 1, 2, "expected a value, found 'N'");
	BAD("\"abc", 1, 1, "unterminated string");
	BAD("\"a\tb\"", 1, 3, "control character 0x09 in string must be escaped");
	BAD("\"\\x\"", 1, 2, "invalid escape sequence '\\x'");
	BAD("\"\\u12g4\"", 1, 2, "\\u must be followed by four hex digits");
	BAD("// c\n1", 1, 1, "expected a value, found '/'");
}
END_TEST

START_TEST(numbers)
{
	BAD("01", 1, 1, "leading zeros are not allowed");
	BAD("[-01]", 1, 2, "leading zeros");
	BAD("1.", 1, 3, "expected a digit after '.'");
	BAD(".5", 1, 1, "expected a value, found '.'");
	BAD("-", 1, 2, "expected a digit, found end of input");
	BAD("1e", 1, 3, "expected a digit in the exponent");
	BAD("+1", 1, 1, "expected a value, found '+'");
	BAD("[1e400]", 1, 2, "number 1e400 is out of range");
	BAD("-1e400", 1, 1, "out of range");
	{
		gv_file *f = ok_parse("[1e-400, 0.5E+2, -9223372036854775808]");
		ck_assert_int_eq(f->docs[0]->u.items[0]->kind, GV_NODE_FLOAT);
		ck_assert(f->docs[0]->u.items[1]->u.f == 50.0);
		ck_assert_int_eq(f->docs[0]->u.items[2]->kind, GV_NODE_INT);
		ck_assert(f->docs[0]->u.items[2]->u.i == INT64_MIN);
		gv_file_free(f);
	}
}
END_TEST

START_TEST(surrogates_and_nul)
{
	BAD("\"\\ud800\"", 1, 2, "lone high surrogate \\ud800");
	BAD("[\"ab\\uDBFF\\u0041\"]", 1, 5, "lone high surrogate \\udbff");
	BAD("\"\\ud800\\ud800\"", 1, 2, "lone high surrogate");
	BAD("\"x\\udc00\"", 1, 3, "lone low surrogate \\udc00");
	BAD("\"\\u0000\"", 1, 2, "\\u0000 is not allowed");
	BAD("{\"k\\u0000\": 1}", 1, 4, "\\u0000 is not allowed");
}
END_TEST

START_TEST(limits_rejected)
{
	gv_limits lim = { 0 };
	gv_buf deep = GV_BUF_INIT;
	int i;

	lim.max_depth = 3;
	bad("[[{\"a\":[1]}]]", 13, &lim, GV_ELIMIT, 1, 8, "nesting deeper than 3 levels");
	lim.max_depth = 0;
	lim.max_bytes = 4;
	bad("[1,2]", 5, &lim, GV_ELIMIT, 0, 0, "input is 5 bytes, over the limit of 4");
	lim.max_bytes = 0;
	lim.max_nodes = 3;
	bad("[1,2,3]", 7, &lim, GV_ELIMIT, 1, 6, "too many values (limit 3)");
	/* default depth limit: 64 */
	for (i = 0; i < 65; i++)
		gv_buf_putc(&deep, '[');
	for (i = 0; i < 65; i++)
		gv_buf_putc(&deep, ']');
	bad(deep.ptr, deep.len, NULL, GV_ELIMIT, 1, 65, "nesting deeper than 64 levels");
	gv_buf_release(&deep);
}
END_TEST

Suite *json_parse_suite(void)
{
	Suite *s = suite_create("json_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, tree_and_positions);
	tcase_add_test(tc, scalars_at_top_and_bom);
	tcase_add_test(tc, duplicate_keys);
	tcase_add_test(tc, invalid_utf8);
	tcase_add_test(tc, trailing_garbage_and_syntax);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, surrogates_and_nul);
	tcase_add_test(tc, limits_rejected);
	suite_add_tcase(s, tc);
	return s;
}
