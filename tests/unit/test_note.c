/* test_note.c: signed notes against the vectors of Go's sumdb/note tests,
 * checkpoints, tlog-proofs, and hostile inputs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gv.h"
#include "note.h"
#include "sign.h"

/* golang.org/x/mod/sumdb/note's test key "PeterNeumann" (seed, public key). */
static const char peter_skey_b64[] = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char peter_vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char enoch_vkey_b64[] = "ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
static const char text[] = "If you think cryptography is the answer to your problem,\n"
			   "then you don't know what your problem is.\n";
static const char peter_sig[] = "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
static const char enoch_sig[] = "\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

static gv_key *raw_pub(const char *b64)
{
	unsigned char k[33];
	gv_key *key = NULL;

	ck_assert_int_eq(gv_note_b64_decode(k, sizeof(k), b64, strlen(b64)), 33);
	ck_assert_int_eq(k[0], 1);
	ck_assert_int_eq(gv_key_from_raw_public(&key, k + 1), GV_OK);
	return key;
}

/* Wraps a 32-byte Ed25519 seed in PKCS#8 PEM and loads it. */
static gv_key *peter_private(void)
{
	static const unsigned char prefix[16] = { 0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
						  0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };
	unsigned char der[48], seed[33];
	char path[] = "/tmp/gv-note-test-XXXXXX";
	char *b64;
	gv_diags d = GV_DIAGS_INIT;
	gv_key *k = NULL;
	FILE *f;
	int fd;

	ck_assert_int_eq(gv_note_b64_decode(seed, 33, peter_skey_b64, strlen(peter_skey_b64)), 33);
	memcpy(der, prefix, 16);
	memcpy(der + 16, seed + 1, 32);
	gv_note_b64_encode(&b64, der, sizeof(der));
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fchmod(fd, 0600);
	f = fdopen(fd, "w");
	fprintf(f, "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n", b64);
	fclose(f);
	free(b64);
	ck_assert_int_eq(gv_key_load_private(&k, path, &d), GV_OK);
	unlink(path);
	gv_diags_release(&d);
	return k;
}

static char *cat(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);

	snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

static int open_with(const char *msg, const gv_key *k, const char *name)
{
	gv_diags d = GV_DIAGS_INIT;
	char *t = NULL;
	int r = gv_note_open(&t, msg, strlen(msg), name, k, "note", &d);

	if (r == GV_OK)
		ck_assert_str_eq(t, text);
	else
		ck_assert_int_ge(d.nerrors, 1);
	free(t);
	gv_diags_release(&d);
	return r;
}

START_TEST(test_go_vectors)
{
	gv_key *priv = peter_private(), *pub = raw_pub(peter_vkey + 22), *enoch = raw_pub(enoch_vkey_b64);
	gv_diags d = GV_DIAGS_INIT;
	char *vk, *msg, *want;

	vk = gv_note_verifier_key("PeterNeumann", pub);
	ck_assert_str_eq(vk, peter_vkey);
	free(vk);
	vk = gv_note_verifier_key("EnochRoot", enoch);
	ck_assert_str_eq(vk, "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop");
	free(vk);

	/* Ed25519 is deterministic: the signature is Go's, byte for byte */
	ck_assert_int_eq(gv_note_sign(&msg, text, strlen(text), "PeterNeumann", priv, &d), GV_OK);
	want = cat(text, "\n", peter_sig);
	ck_assert_str_eq(msg, want);
	free(msg);

	ck_assert_int_eq(open_with(want, pub, "PeterNeumann"), GV_OK);
	free(want);
	/* another key's signature is ignored, in either order */
	want = cat(text, "\n", enoch_sig);
	ck_assert_int_eq(open_with(want, pub, "PeterNeumann"), GV_ESIG);  /* none by peter */
	ck_assert_int_eq(open_with(want, enoch, "EnochRoot"), GV_OK);
	free(want);
	msg = cat(peter_sig, enoch_sig, "");
	want = cat(text, "\n", msg);
	ck_assert_int_eq(open_with(want, pub, "PeterNeumann"), GV_OK);
	ck_assert_int_eq(open_with(want, enoch, "EnochRoot"), GV_OK);
	free(want);
	free(msg);
	/* the wrong name for the key: its id differs, so nothing verifies */
	want = cat(text, "\n", peter_sig);
	ck_assert_int_eq(open_with(want, pub, "CarmenSandiego"), GV_ESIG);
	free(want);
	gv_key_free(priv);
	gv_key_free(pub);
	gv_key_free(enoch);
	gv_diags_release(&d);
}
END_TEST

START_TEST(test_open_rejects)
{
	gv_key *pub = raw_pub(peter_vkey + 22);
	char *good = cat(text, "\n", peter_sig);
	size_t len = strlen(good), i;
	static const char *bad[] = {
		"",
		"\n",
		"no signature block\n",
		"text\n\n",
		"text\n\nnot a signature line\n",
		"text\n\n\xe2\x80\x94 PeterNeumann\n",
		"text\n\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		"text\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM\n",
		"text\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
		"text\r\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		"te\xffxt\n\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		"text\n\n\xe2\x80\x94 Peter+Neumann x08g\n",
		"text\n\n\xe2\x80\x94 PeterNeumann eA==\n",
		"text\n\n\xe2\x80\x94 EnochRoot ===\n",
	};

	for (i = 0; i < GV_ARRAY_LEN(bad); i++)
		ck_assert_msg(open_with(bad[i], pub, "PeterNeumann") < 0, "bad note %zu accepted", i);
	/* every single-byte change of a good note is refused */
	for (i = 0; i < len; i++) {
		good[i] ^= 0x01;
		ck_assert_msg(open_with(good, pub, "PeterNeumann") < 0, "flip at %zu accepted", i);
		good[i] ^= 0x01;
	}
	/* a truncated note is refused */
	for (i = 0; i < len; i++) {
		char c = good[i];
		good[i] = '\0';
		ck_assert_msg(open_with(good, pub, "PeterNeumann") < 0, "truncation at %zu accepted", i);
		good[i] = c;
	}
	ck_assert_int_eq(open_with(good, pub, "PeterNeumann"), GV_OK);
	free(good);
	gv_key_free(pub);
}
END_TEST

START_TEST(test_names_and_base64)
{
	unsigned char out[8];

	ck_assert(gv_note_name_valid("govgate.local/audit"));
	ck_assert(!gv_note_name_valid(""));
	ck_assert(!gv_note_name_valid("a b"));
	ck_assert(!gv_note_name_valid("a+b"));
	ck_assert(!gv_note_name_valid("a\xc2\xa0" "b"));     /* U+00A0 */
	ck_assert(!gv_note_name_valid("a\xe3\x80\x80" "b")); /* U+3000 */
	ck_assert(!gv_note_name_valid("a\xc0\xafz"));        /* overlong */
	ck_assert_int_eq(gv_note_b64_decode(out, 8, "Zm9v", 4), 3);
	ck_assert_int_eq(gv_note_b64_decode(out, 8, "Zm8=", 4), 2);
	ck_assert_int_eq(gv_note_b64_decode(out, 8, "Zg==", 4), 1);
	ck_assert_int_eq(gv_note_b64_decode(out, 8, "Zh==", 4), -1);  /* non-canonical */
	ck_assert_int_eq(gv_note_b64_decode(out, 8, "Zm9", 3), -1);
	ck_assert_int_eq(gv_note_b64_decode(out, 8, "Z=9v", 4), -1);
	ck_assert_int_eq(gv_note_b64_decode(out, 8, "Zm9v-_==", 8), -1);
	ck_assert_int_eq(gv_note_b64_decode(out, 2, "Zm9v", 4), -1);
}
END_TEST

START_TEST(test_checkpoint)
{
	gv_key *priv = peter_private();
	gv_diags d = GV_DIAGS_INIT;
	gv_checkpoint c;
	unsigned char root[32];
	char *t, *note;
	size_t i;
	static const char *bad[] = {
		"o\n", "o\n1\n", "\n1\nAAAA\n", "o\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n-1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n9223372036854775808\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",
		"o\n1\nAAAA\n",
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n",
		"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	};

	for (i = 0; i < 32; i++)
		root[i] = (unsigned char)i;
	t = gv_checkpoint_text("example.com/log", 20852163, root);
	ck_assert_str_eq(t, "example.com/log\n20852163\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
	ck_assert_int_eq(gv_checkpoint_parse(&c, t, strlen(t), "cp", &d), GV_OK);
	ck_assert_str_eq(c.origin, "example.com/log");
	ck_assert_uint_eq(c.size, 20852163);
	ck_assert(!memcmp(c.root, root, 32));
	gv_checkpoint_release(&c);

	ck_assert_int_eq(gv_note_sign(&note, t, strlen(t), "example.com/log", priv, &d), GV_OK);
	ck_assert_int_eq(gv_checkpoint_open(&c, note, strlen(note), NULL, priv, "cp", &d), GV_OK);
	ck_assert_uint_eq(c.size, 20852163);
	gv_checkpoint_release(&c);
	ck_assert_int_eq(gv_checkpoint_open(&c, note, strlen(note), "example.com/log", priv, "cp",
					    &d), GV_OK);
	gv_checkpoint_release(&c);
	ck_assert_int_eq(gv_checkpoint_open(&c, note, strlen(note), "other.example/log", priv, "cp",
					    &d), GV_ESIG);
	gv_checkpoint_release(&c);
	free(note);
	/* a note signed under another name than the origin is not a checkpoint of it */
	ck_assert_int_eq(gv_note_sign(&note, t, strlen(t), "PeterNeumann", priv, &d), GV_OK);
	ck_assert_int_eq(gv_checkpoint_open(&c, note, strlen(note), NULL, priv, "cp", &d), GV_ESIG);
	gv_checkpoint_release(&c);
	free(note);
	free(t);
	for (i = 0; i < GV_ARRAY_LEN(bad); i++) {
		ck_assert_msg(gv_checkpoint_parse(&c, bad[i], strlen(bad[i]), "cp", &d) == GV_EPARSE,
			      "bad checkpoint %zu accepted", i);
		gv_checkpoint_release(&c);
	}
	/* extension lines are kept out of the way but allowed */
	{
		static const char ext[] = "o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n";
		ck_assert_int_eq(gv_checkpoint_parse(&c, ext, strlen(ext), "cp", &d), GV_OK);
	}
	gv_checkpoint_release(&c);
	gv_key_free(priv);
	gv_diags_release(&d);
}
END_TEST

START_TEST(test_tlog_proof)
{
	gv_hash path[2];
	gv_tlog_proof p = { 0 }, q;
	gv_diags d = GV_DIAGS_INIT;
	char *s;
	static const char note[] = "o\n3\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n\xe2\x80\x94 o AAAA\n";
	static const char want[] =
		"c2sp.org/tlog-proof@v1\n"
		"extra aGk=\n"
		"index 2\n"
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
		"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n"
		"\n"
		"o\n3\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n\xe2\x80\x94 o AAAA\n";

	memset(path[0], 0, 32);
	memset(path[1], 1, 32);
	p.index = 2;
	p.path = path;
	p.n = 2;
	p.extra = (unsigned char *)"hi";
	p.extra_len = 2;
	p.note = (char *)note;
	p.note_len = strlen(note);
	s = gv_tlog_proof_format(&p);
	ck_assert_str_eq(s, want);
	ck_assert_int_eq(gv_tlog_proof_parse(&q, s, strlen(s), "proof", &d), GV_OK);
	ck_assert_int_eq(q.consistency, 0);
	ck_assert_uint_eq(q.index, 2);
	ck_assert_uint_eq(q.n, 2);
	ck_assert(!memcmp(q.path, path, 64));
	ck_assert_uint_eq(q.extra_len, 2);
	ck_assert_str_eq(q.note, note);
	gv_tlog_proof_release(&q);
	free(s);

	p.consistency = 1;
	p.n = 0;
	s = gv_tlog_proof_format(&p);
	ck_assert_str_eq(s, "govgate.dev/consistency-proof@v1\nold 2\n\n"
			    "o\n3\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n\xe2\x80\x94 o AAAA\n");
	ck_assert_int_eq(gv_tlog_proof_parse(&q, s, strlen(s), "proof", &d), GV_OK);
	ck_assert_int_eq(q.consistency, 1);
	ck_assert_uint_eq(q.n, 0);
	gv_tlog_proof_release(&q);
	free(s);

	ck_assert_int_eq(gv_tlog_proof_parse(&q, "c2sp.org/tlog-proof@v1\nindex 01\n\nx\n", 33, "p", &d),
			 GV_EPARSE);
	ck_assert_int_eq(gv_tlog_proof_parse(&q, "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\nx\n", 35,
					     "p", &d), GV_EPARSE);
	ck_assert_int_eq(gv_tlog_proof_parse(&q, "c2sp.org/tlog-proof@v1\nindex 1\n", 31, "p", &d),
			 GV_EPARSE);
	ck_assert_int_eq(gv_tlog_proof_parse(&q, "something else\n", 15, "p", &d), GV_EPARSE);
	gv_diags_release(&d);
}
END_TEST

/* Who signed a note, without verifying: the Go vectors' key ids, and located errors. */
START_TEST(test_signers)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_note_signer *v;
	char *both = cat(text, "\n", "");
	char *msg;
	size_t n;

	msg = cat(both, peter_sig, enoch_sig);
	ck_assert_int_eq(gv_note_signers(msg, strlen(msg), &v, &n, "n", &d), GV_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].name, "PeterNeumann");
	ck_assert_uint_eq(v[0].id, 0xc74f20a3);   /* the id in peter_vkey */
	ck_assert_str_eq(v[1].name, "EnochRoot");
	gv_note_signers_free(v, n);
	free(msg);
	/* errors name the line of the file: a whole-file note */
	ck_assert_int_eq(gv_note_signers("a\nb\n", 4, &v, &n, "n", &d), GV_EPARSE);
	ck_assert_uint_eq(d.v[d.n - 1].loc.line, 2);
	ck_assert_ptr_nonnull(strstr(d.v[d.n - 1].msg, "no signature block"));
	ck_assert_int_eq(gv_note_signers("a\n\n- x\n", 7, &v, &n, "n", &d), GV_EPARSE);
	ck_assert_uint_eq(d.v[d.n - 1].loc.line, 3);
	ck_assert_ptr_nonnull(strstr(d.v[d.n - 1].msg, "does not start with an em dash"));
	msg = cat(both, peter_sig, "\n");
	ck_assert_int_eq(gv_note_signers(msg, strlen(msg), &v, &n, "n", &d), GV_EPARSE);
	ck_assert_uint_eq(d.v[d.n - 1].loc.line, 5);   /* the extra blank line */
	ck_assert_ptr_nonnull(strstr(d.v[d.n - 1].msg, "empty or unterminated"));
	free(msg);
	ck_assert_int_eq(gv_note_signers("", 0, &v, &n, "n", &d), GV_EPARSE);
	ck_assert_uint_eq(d.v[d.n - 1].loc.line, 1);
	free(both);
	gv_diags_release(&d);
}
END_TEST

Suite *note_suite(void)
{
	Suite *s = suite_create("note");
	TCase *tc = tcase_create("signed-note");

	tcase_add_test(tc, test_go_vectors);
	tcase_add_test(tc, test_open_rejects);
	tcase_add_test(tc, test_names_and_base64);
	tcase_add_test(tc, test_signers);
	suite_add_tcase(s, tc);
	tc = tcase_create("tlog");
	tcase_add_test(tc, test_checkpoint);
	tcase_add_test(tc, test_tlog_proof);
	suite_add_tcase(s, tc);
	return s;
}
