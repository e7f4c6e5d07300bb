/* test_minisign.c: minisign key and signature files (prehashed ED form). */
#include "testkeys.h"

#include "minisign.h"

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

START_TEST(public_key_file)
{
	gv_buf b = GV_BUF_INIT;
	char hex[17];

	/* keynum = SHA-256(pk)[0..8], printed little-endian */
	gv_minisign_keynum_hex(key_a, hex);
	ck_assert_str_eq(hex, "61A254A1DF31FE21");
	gv_minisign_pubkey(&b, pub_a);
	ck_assert_str_eq(b.ptr, "untrusted comment: minisign public key 61A254A1DF31FE21\n"
				"RWQh/jHfoVSiYddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea\n");
	gv_buf_clear(&b);
	gv_minisign_pubkey(&b, key_a);
	ck_assert_str_eq(b.ptr, "untrusted comment: minisign public key 61A254A1DF31FE21\n"
				"RWQh/jHfoVSiYddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea\n");
	gv_buf_release(&b);
}
END_TEST

START_TEST(sign_and_verify)
{
	gv_buf sig = GV_BUF_INIT, tc = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	const char *data = "hello\n";
	char *line;

	ck_assert_int_eq(gv_minisign_sign(&sig, data, 6, "timestamp:0\tfile:r.json", key_a, &d),
			 GV_OK);
	{
		static const char head[] = "untrusted comment: signature from govgate key "
					   "61A254A1DF31FE21\nRUQh/jHfoVSiY";
		ck_assert(!strncmp(sig.ptr, head, sizeof(head) - 1));
	}
	ck_assert_ptr_nonnull(strstr(sig.ptr, "\ntrusted comment: timestamp:0\tfile:r.json\n"));
	ck_assert_int_eq(gv_minisign_verify("r.minisig", sig.ptr, sig.len, data, 6, pub_a, &tc, &d),
			 GV_OK);
	ck_assert_str_eq(tc.ptr, "timestamp:0\tfile:r.json");
	ck_assert_int_eq(d.n, 0);

	/* a changed file, another key */
	ck_assert_int_eq(gv_minisign_verify("r.minisig", sig.ptr, sig.len, "hello!", 6, pub_a,
					    NULL, &d), GV_ESIG);
	ck_assert_str_eq(d.v[0].msg, "signature verification failed");
	ck_assert_int_eq(gv_minisign_verify("r.minisig", sig.ptr, sig.len, data, 6, key_b, NULL, &d),
			 GV_ESIG);
	ck_assert_ptr_nonnull(strstr(d.v[1].msg, "signature key id is 61A254A1DF31FE21 but"));

	/* a swapped trusted comment */
	line = strstr(sig.ptr, "timestamp:0");
	line[10] = '9';
	ck_assert_int_eq(gv_minisign_verify("r.minisig", sig.ptr, sig.len, data, 6, pub_a, NULL, &d),
			 GV_ESIG);
	ck_assert_str_eq(d.v[2].msg, "comment signature verification failed");
	ck_assert_str_eq(d.v[2].loc.file, "r.minisig");

	/* malformed */
	ck_assert_int_eq(gv_minisign_verify("r.minisig", "x\n", 2, data, 6, pub_a, NULL, &d),
			 GV_EPARSE);
	ck_assert_str_eq(d.v[3].msg, "not a minisign signature file");
	gv_diags_release(&d);
	gv_buf_release(&sig);
	gv_buf_release(&tc);
}
END_TEST

START_TEST(bad_comments_and_keys)
{
	gv_buf sig = GV_BUF_INIT, big = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char path[128];

	ck_assert_int_eq(gv_minisign_sign(&sig, "x", 1, "two\nlines", key_a, &d), GV_ERROR);
	ck_assert_int_eq(gv_minisign_sign(&sig, "x", 1, "cr\r", key_a, &d), GV_ERROR);
	gv_buf_grow(&big, GV_MINISIGN_COMMENT_MAX + 1);
	memset(big.ptr, 'a', GV_MINISIGN_COMMENT_MAX + 1);
	big.len = GV_MINISIGN_COMMENT_MAX + 1;
	big.ptr[big.len] = '\0';
	ck_assert_int_eq(gv_minisign_sign(&sig, "x", 1, big.ptr, key_a, &d), GV_ERROR);
	ck_assert_int_eq(gv_minisign_sign(&sig, "x", 1, "c", pub_a, &d), GV_ERROR);
	ck_assert_uint_eq(sig.len, 0);
	ck_assert_int_eq(d.n, 4);
	/* written atomically beside the file */
	tk_path(path, sizeof(path), "r.json.minisig");
	ck_assert_int_eq(gv_minisign_write(path, "x", 1, "c", key_a, &d), GV_OK);
	ck_assert_int_eq(gv_buf_read_file(&sig, path, 4096), GV_OK);
	ck_assert_int_eq(gv_minisign_verify(path, sig.ptr, sig.len, "x", 1, pub_a, NULL, &d), GV_OK);
	gv_diags_release(&d);
	gv_buf_release(&sig);
	gv_buf_release(&big);
}
END_TEST

Suite *minisign_suite(void)
{
	Suite *s = suite_create("minisign");
	TCase *tc = tcase_create("minisign");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, public_key_file);
	tcase_add_test(tc, sign_and_verify);
	tcase_add_test(tc, bad_comments_and_keys);
	suite_add_tcase(s, tc);
	return s;
}
