/* test_audit.c: the audit log through its API: appends, checkpoints,
 * proofs checked with merkle.c, verification, and refused inputs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testkeys.h"
#include "audit.h"
#include "gv.h"
#include "merkle.h"
#include "note.h"
#include "sign.h"

static char db[96];
static gv_key *priv, *pub;

static void setup(void)
{
	tk_setup();
	tk_path(db, sizeof(db), "a.db");
	tk_generate("log", &priv, &pub);
}

static void teardown(void)
{
	gv_key_free(priv);
	gv_key_free(pub);
	tk_teardown();
}

START_TEST(test_append_checkpoint_verify)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a;
	gv_audit_result res;
	char *note, *note2, *proof;
	uint64_t seq, size, i;
	gv_tlog_proof p;
	gv_checkpoint c;
	unsigned char leaf[GV_HASH_LEN];

	ck_assert_int_eq(gv_audit_open(&a, db, &d), GV_OK);
	ck_assert_int_eq(gv_audit_latest_checkpoint(a, &note, &size, &d), GV_ENOTFOUND);
	for (i = 0; i < 21; i++) {
		ck_assert_int_eq(gv_audit_append(a, "hybrid.deployment.started", "dep-1", "tester",
						 "{\"k\":[1,2.5e3,true,null,\"\\u00e9\"]}", &seq, &d),
				 GV_OK);
		ck_assert_uint_eq(seq, i);
		if (i == 6) {
			ck_assert_int_eq(gv_audit_checkpoint(a, "example.com/t", priv, &note, &d), GV_OK);
			free(note);
		}
	}
	ck_assert_int_eq(gv_audit_checkpoint(a, "example.com/t", priv, &note, &d), GV_OK);
	/* one checkpoint per size */
	ck_assert_int_eq(gv_audit_checkpoint(a, "example.com/t", priv, &note2, &d), GV_OK);
	ck_assert_str_eq(note, note2);
	free(note2);
	ck_assert_int_eq(gv_audit_checkpoint(a, "other.example/t", priv, &note2, &d), GV_ERROR);
	ck_assert_int_eq(gv_checkpoint_open(&c, note, strlen(note), "example.com/t", pub, "cp", &d),
			 GV_OK);
	ck_assert_uint_eq(c.size, 21);

	/* every inclusion proof verifies against the checkpoint root */
	for (i = 0; i < 21; i++) {
		ck_assert_int_eq(gv_audit_prove_inclusion(a, i, &proof, &d), GV_OK);
		ck_assert_int_eq(gv_tlog_proof_parse(&p, proof, strlen(proof), "proof", &d), GV_OK);
		ck_assert_str_eq(p.note, note);
		gv_merkle_leaf_hash(leaf, p.extra, p.extra_len);
		ck_assert_int_eq(gv_merkle_verify_inclusion(i, 21, leaf, p.path, p.n, c.root), GV_OK);
		gv_tlog_proof_release(&p);
		free(proof);
	}
	ck_assert_int_eq(gv_audit_prove_inclusion(a, 21, &proof, &d), GV_ENOTFOUND);
	ck_assert_int_eq(gv_audit_prove_consistency(a, 7, &proof, &d), GV_OK);
	ck_assert_int_eq(gv_tlog_proof_parse(&p, proof, strlen(proof), "proof", &d), GV_OK);
	ck_assert_int_eq(p.consistency, 1);
	ck_assert_uint_eq(p.index, 7);
	gv_tlog_proof_release(&p);
	free(proof);
	ck_assert_int_eq(gv_audit_prove_consistency(a, 0, &proof, &d), GV_ENOTFOUND);

	ck_assert_int_eq(gv_audit_verify(a, pub, note, strlen(note), "saved", &res, &d), GV_OK);
	ck_assert_uint_eq(res.entries, 21);
	ck_assert_uint_eq(res.checkpoints, 3);
	ck_assert_uint_eq(res.covered, 21);
	ck_assert_uint_eq(res.foreign, 0);
	ck_assert_int_eq(gv_audit_verify(a, priv, NULL, 0, NULL, &res, &d), GV_OK);
	gv_checkpoint_release(&c);
	free(note);
	gv_audit_close(a);
	gv_diags_release(&d);
}
END_TEST

/* What a verification proved: coverage by the key, and checkpoints by others. */
START_TEST(test_coverage)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a;
	gv_audit_result res;
	gv_key *opriv, *opub;
	char *note;
	int i;

	tk_generate("other", &opriv, &opub);
	ck_assert_int_eq(gv_audit_open(&a, db, &d), GV_OK);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(gv_audit_append(a, "t", "", "", NULL, NULL, &d), GV_OK);
	/* no checkpoint: consistent, but nothing covered */
	ck_assert_int_eq(gv_audit_verify(a, pub, NULL, 0, NULL, &res, &d), GV_OK);
	ck_assert_uint_eq(res.entries, 3);
	ck_assert_uint_eq(res.covered, 0);
	ck_assert_uint_eq(res.checkpoints, 0);
	ck_assert_int_eq(gv_audit_checkpoint(a, "example.com/t", priv, &note, &d), GV_OK);
	free(note);
	ck_assert_int_eq(gv_audit_append(a, "t", "", "", NULL, NULL, &d), GV_OK);
	/* a tail of one */
	ck_assert_int_eq(gv_audit_verify(a, pub, NULL, 0, NULL, &res, &d), GV_OK);
	ck_assert_uint_eq(res.entries, 4);
	ck_assert_uint_eq(res.covered, 3);
	ck_assert_uint_eq(res.foreign, 0);
	/* a checkpoint by another key: foreign, not tampered, and it covers nothing */
	ck_assert_int_eq(gv_audit_checkpoint(a, "example.com/t", opriv, &note, &d), GV_OK);
	free(note);
	ck_assert_int_eq(gv_audit_verify(a, pub, NULL, 0, NULL, &res, &d), GV_OK);
	ck_assert_uint_eq(res.covered, 3);
	ck_assert_uint_eq(res.foreign, 1);
	ck_assert_int_eq(res.tampered, 0);
	ck_assert_ptr_nonnull(strstr(res.foreign_msg, "the checkpoint for size 4 is signed by "
				     "'example.com/t' key id "));
	/* under the other key, the first checkpoint is the foreign one */
	ck_assert_int_eq(gv_audit_verify(a, opub, NULL, 0, NULL, &res, &d), GV_OK);
	ck_assert_uint_eq(res.covered, 4);
	ck_assert_uint_eq(res.foreign, 1);
	gv_audit_close(a);
	gv_key_free(opriv);
	gv_key_free(opub);
	gv_diags_release(&d);
}
END_TEST

/* A receipt entry must repeat the claim of the validated entry it names. */
START_TEST(test_receipt_claims)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a;
	gv_audit_result res;
	uint64_t seq;
	static const char validated[] = "{\"file\":\"m.yaml\",\"document\":0,\"digest\":{\"sha256\":"
		"\"aa\"},\"decision\":\"halt\"}";
	static const char good[] = "{\"deployment_id\":\"D1\",\"status\":\"halted\",\"decision\":"
		"\"halt\",\"log_seq\":0,\"manifest\":{\"file\":\"m.yaml\",\"document\":0,\"sha256\":\"aa\"}}";
	static const char *const bad[] = {
		/* status that does not follow from the decision */
		"{\"deployment_id\":\"D1\",\"status\":\"completed\",\"decision\":\"halt\",\"log_seq\":0,"
		"\"manifest\":{\"file\":\"m.yaml\",\"document\":0,\"sha256\":\"aa\"}}",
		/* a decision the validated entry did not make */
		"{\"deployment_id\":\"D1\",\"status\":\"completed\",\"decision\":\"allow\",\"log_seq\":0,"
		"\"manifest\":{\"file\":\"m.yaml\",\"document\":0,\"sha256\":\"aa\"}}",
		/* another manifest */
		"{\"deployment_id\":\"D1\",\"status\":\"halted\",\"decision\":\"halt\",\"log_seq\":0,"
		"\"manifest\":{\"file\":\"m.yaml\",\"document\":0,\"sha256\":\"bb\"}}",
		/* a log_seq that is not a validated entry */
		"{\"deployment_id\":\"D1\",\"status\":\"halted\",\"decision\":\"halt\",\"log_seq\":1,"
		"\"manifest\":{\"file\":\"m.yaml\",\"document\":0,\"sha256\":\"aa\"}}",
		/* no log_seq */
		"{\"deployment_id\":\"D1\",\"status\":\"halted\",\"decision\":\"halt\",\"log_seq\":null,"
		"\"manifest\":{\"file\":\"m.yaml\",\"document\":0,\"sha256\":\"aa\"}}",
	};
	size_t i;
	char path[120];

	for (i = 0; i <= GV_ARRAY_LEN(bad); i++) {
		snprintf(path, sizeof(path), "%s.%zu", db, i);
		ck_assert_int_eq(gv_audit_open(&a, path, &d), GV_OK);
		ck_assert_int_eq(gv_audit_append(a, "governance.validated", "D1", "", validated, &seq,
						 &d), GV_OK);
		ck_assert_int_eq(gv_audit_receipt_put(a, "D1", "ci", good, strlen(good), &seq, &d),
				 GV_OK);
		ck_assert_uint_eq(seq, 1);
		if (i < GV_ARRAY_LEN(bad))
			ck_assert_int_eq(gv_audit_receipt_put(a, "D1", "ci", bad[i], strlen(bad[i]),
							      &seq, &d), GV_OK);
		ck_assert_int_eq(gv_audit_verify(a, pub, NULL, 0, NULL, &res, &d),
				 i < GV_ARRAY_LEN(bad) ? GV_ESIG : GV_OK);
		if (i < GV_ARRAY_LEN(bad)) {
			ck_assert_int_eq(res.tampered, 1);
			ck_assert_uint_eq(res.bad_lo, 2);
		}
		gv_audit_close(a);
	}
	gv_diags_release(&d);
}
END_TEST

START_TEST(test_refused_inputs)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a;
	uint64_t n;
	char big[GV_AUDIT_MAX_FIELD + 2];
	size_t i;
	static const char *bad_payloads[] = {
		"", "[]", "{", "{\"a\":1} ", "{ \"a\":1}", "{\"a\":01}", "{\"a\":\"\n\"}",
		"{\"a\":\"\\x\"}", "{\"a\":tru}", "{\"a\":1,}", "{\"a\"}", "{\"a\":\"\xff\"}",
		"{\"a\":\"\xc0\xaf\"}", "{\"a\":1}{}", "{\"a\":-}", "{\"a\":1.}",
	};

	ck_assert_int_eq(gv_audit_open(&a, db, &d), GV_OK);
	for (i = 0; i < GV_ARRAY_LEN(bad_payloads); i++)
		ck_assert_msg(gv_audit_append(a, "t", NULL, NULL, bad_payloads[i], NULL, &d) < 0,
			      "payload %zu accepted", i);
	ck_assert_int_lt(gv_audit_append(a, "", NULL, NULL, NULL, NULL, &d), 0);
	ck_assert_int_lt(gv_audit_append(a, "a b", NULL, NULL, NULL, NULL, &d), 0);
	ck_assert_int_lt(gv_audit_append(a, NULL, NULL, NULL, NULL, NULL, &d), 0);
	ck_assert_int_lt(gv_audit_append(a, "t", "dep\n1", NULL, NULL, NULL, &d), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_lt(gv_audit_append(a, "t", big, NULL, NULL, NULL, &d), 0);
	{
		char *note = NULL;
		ck_assert_int_lt(gv_audit_checkpoint(a, "bad origin", priv, &note, &d), 0);
		ck_assert_int_lt(gv_audit_checkpoint(a, "o", pub, &note, &d), 0);
		ck_assert_ptr_null(note);
	}
	ck_assert_int_eq(gv_audit_size(a, &n, &d), GV_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(gv_audit_append(a, "t", NULL, NULL, "{\"a\":[{},[],\"\"],\"b\":-1.5E+3}",
					 NULL, &d), GV_OK);
	gv_audit_close(a);
	ck_assert(gv_audit_json_compact("{}", 2, 1));
	ck_assert(!gv_audit_json_compact("1", 1, 1));
	gv_diags_release(&d);
}
END_TEST

START_TEST(test_hostile_files)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a = NULL;
	char path[128];
	FILE *f;
	int i;

	tk_path(path, sizeof(path), "garbage.db");
	f = fopen(path, "wb");
	for (i = 0; i < 4096; i++)
		fputc((i * 7919) & 0xff, f);
	fclose(f);
	ck_assert_int_eq(gv_audit_open_existing(&a, path, &d), GV_EPARSE);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(gv_audit_open(&a, path, &d), GV_EPARSE);
	tk_path(path, sizeof(path), "none.db");
	ck_assert_int_eq(gv_audit_open_existing(&a, path, &d), GV_EIO);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(gv_audit_open_existing(&a, tk_dir, &d), GV_EIO);
	ck_assert_uint_ge(d.nerrors, 4);
	gv_diags_release(&d);
}
END_TEST

START_TEST(test_speed)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_audit *a;
	gv_audit_result res;
	struct timespec t0, t1, t2;
	char *note;
	int i, n = 1000;

	ck_assert_int_eq(gv_audit_open(&a, db, &d), GV_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(gv_audit_append(a, "governance.validated", "d", "a", "{\"i\":1}", NULL,
						 &d), GV_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(gv_audit_checkpoint(a, "example.com/t", priv, &note, &d), GV_OK);
	ck_assert_int_eq(gv_audit_verify(a, pub, NULL, 0, NULL, &res, &d), GV_OK);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	fprintf(stderr, "audit: %d appends in one process: %.0f/s; checkpoint + verify: %.3f s\n", n,
		n / ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9),
		(t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) / 1e9);
	free(note);
	gv_audit_close(a);
	gv_diags_release(&d);
}
END_TEST

Suite *audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_append_checkpoint_verify);
	tcase_add_test(tc, test_coverage);
	tcase_add_test(tc, test_receipt_claims);
	tcase_add_test(tc, test_refused_inputs);
	tcase_add_test(tc, test_hostile_files);
	tcase_add_test(tc, test_speed);
	suite_add_tcase(s, tc);
	return s;
}
