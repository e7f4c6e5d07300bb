/* test_base64.c: RFC 4648 section 10 vectors, both alphabets, rejections. */
#include <check.h>
#include <string.h>

#include "base64.h"
#include "gv.h"

static const char *vec[][2] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

static int dec(const char *s, gv_buf *out)
{
	gv_buf_clear(out);
	return gv_base64_decode(out, s, strlen(s));
}

START_TEST(rfc4648_vectors)
{
	gv_buf b = GV_BUF_INIT;
	size_t i;

	for (i = 0; i < GV_ARRAY_LEN(vec); i++) {
		gv_buf_clear(&b);
		gv_base64_encode(&b, vec[i][0], strlen(vec[i][0]));
		ck_assert_str_eq(b.ptr, vec[i][1]);
		ck_assert_uint_eq(b.len, gv_base64_encoded_len(strlen(vec[i][0])));
		ck_assert_int_eq(dec(vec[i][1], &b), GV_OK);
		ck_assert_str_eq(b.ptr, vec[i][0]);
	}
	/* unpadded forms */
	ck_assert_int_eq(dec("Zg", &b), GV_OK);
	ck_assert_str_eq(b.ptr, "f");
	ck_assert_int_eq(dec("Zm9vYmE", &b), GV_OK);
	ck_assert_str_eq(b.ptr, "fooba");
	gv_buf_release(&b);
}
END_TEST

START_TEST(both_alphabets)
{
	const unsigned char bytes[] = { 0xfb, 0xff, 0xbf, 0xfe };
	gv_buf b = GV_BUF_INIT;

	gv_base64_encode(&b, bytes, sizeof(bytes));
	ck_assert_str_eq(b.ptr, "+/+//g==");
	ck_assert_int_eq(dec("+/+//g==", &b), GV_OK);
	ck_assert_mem_eq(b.ptr, bytes, 4);
	ck_assert_int_eq(dec("-_-__g==", &b), GV_OK);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_mem_eq(b.ptr, bytes, 4);
	ck_assert_int_eq(dec("-_-__g", &b), GV_OK);
	ck_assert_mem_eq(b.ptr, bytes, 4);
	/* decoding appends */
	gv_buf_clear(&b);
	gv_buf_puts(&b, "x");
	ck_assert_int_eq(gv_base64_decode(&b, "Zm8=", 4), GV_OK);
	ck_assert_str_eq(b.ptr, "xfo");
	gv_buf_release(&b);
}
END_TEST

START_TEST(rejections)
{
	static const char *badv[] = {
		"Z", "Zm9vY", "Zg=", "Zg===", "Z===", "=", "==", "====", "Zm=v",
		"Zm9v\n", " Zm9v", "Zm 9v", "Zm9v!", "+/-_", "-/+_AA==",
		"Zh==", "Zm9=", "Zh", "Zm8=Zm8=", "Zm\0v",
	};
	gv_buf b = GV_BUF_INIT;
	size_t i;

	gv_buf_puts(&b, "keep");
	for (i = 0; i < GV_ARRAY_LEN(badv); i++) {
		size_t len = i == GV_ARRAY_LEN(badv) - 1 ? 4 : strlen(badv[i]);
		ck_assert_msg(gv_base64_decode(&b, badv[i], len) == GV_EPARSE,
			      "accepted '%s'", badv[i]);
		ck_assert_str_eq(b.ptr, "keep");
	}
	gv_buf_release(&b);
}
END_TEST

Suite *base64_suite(void)
{
	Suite *s = suite_create("base64");
	TCase *tc = tcase_create("base64");

	tcase_add_test(tc, rfc4648_vectors);
	tcase_add_test(tc, both_alphabets);
	tcase_add_test(tc, rejections);
	suite_add_tcase(s, tc);
	return s;
}
