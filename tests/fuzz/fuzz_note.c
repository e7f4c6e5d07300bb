/*
 * fuzz_note.c: libFuzzer entry point for signed notes, checkpoints and
 * tlog-proofs (note.h), the formats an auditor reads from files someone
 * else wrote. Besides "no crash, no leak, no UB" it checks round trips:
 *
 *   - a checkpoint text that parses starts with exactly what
 *     gv_checkpoint_text() makes of it, and, when its origin is a valid key
 *     name, signing it with the test key and opening the note gives back
 *     the same origin, size and root;
 *   - a note that opens yields a text that is a prefix of the note, and
 *     gv_note_signers lists its signer (same name and key id);
 *   - a proof that parses formats back to exactly its bytes.
 *
 * The same input is tried as a note under the test key for the default
 * origin (its signature lines listed too), as a checkpoint under any origin
 * and under the default one, as a checkpoint text and as a proof. `make
 * fuzz` builds it with every libgv source; seeds: tests/fuzz/seeds/fuzz_note/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "fuzz_common.h"
#include "gv.h"
#include "note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void check_checkpoint_text(const char *s, size_t len, const gv_key *priv,
				  const gv_key *pub)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_checkpoint c, again;
	char *text, *note = NULL;

	if (gv_checkpoint_parse(&c, s, len, "fuzz", &d) != GV_OK) {
		gv_diags_release(&d);
		return;
	}
	text = gv_checkpoint_text(c.origin, c.size, c.root);
	if (strlen(text) > len || memcmp(text, s, strlen(text)))
		abort();  /* the first three lines are canonical */
	/* gv_note_sign takes texts up to half a note; the signature line repeats
	 * the origin */
	if (gv_note_name_valid(c.origin) && len <= GV_NOTE_MAX / 2 &&
	    len + strlen(c.origin) + 128 <= GV_NOTE_MAX) {
		if (gv_note_sign(&note, s, len, c.origin, priv, &d) != GV_OK)
			abort();  /* a valid checkpoint text must be signable */
		if (gv_checkpoint_open(&again, note, strlen(note), c.origin, pub, "fuzz", &d) != GV_OK)
			abort();
		if (strcmp(again.origin, c.origin) || again.size != c.size ||
		    memcmp(again.root, c.root, GV_HASH_LEN))
			abort();
		gv_checkpoint_release(&again);
		free(note);
	}
	free(text);
	gv_checkpoint_release(&c);
	gv_diags_release(&d);
}

static void check_note(const char *s, size_t len, const gv_key *pub)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_checkpoint c;
	char *text = NULL;

	unsigned char raw[GV_ED25519_PUB_LEN];
	gv_note_signer *v = NULL;
	size_t n = 0, i;
	int listed = gv_note_signers(s, len, &v, &n, "fuzz", &d) == GV_OK, found = 0;

	gv_key_raw_public(pub, raw);
	for (i = 0; i < n; i++)
		found |= !strcmp(v[i].name, GV_AUDIT_DEFAULT_ORIGIN) &&
			 v[i].id == gv_note_key_id(GV_AUDIT_DEFAULT_ORIGIN, raw);
	gv_note_signers_free(v, n);
	if (gv_note_open(&text, s, len, GV_AUDIT_DEFAULT_ORIGIN, pub, "fuzz", &d) == GV_OK) {
		if (strlen(text) >= len || memcmp(text, s, strlen(text)))
			abort();
		/* a note that opens lists its signer, parsed as strictly */
		if (!listed || !found)
			abort();
		free(text);
	}
	if (gv_checkpoint_open(&c, s, len, NULL, pub, "fuzz", &d) == GV_OK)
		gv_checkpoint_release(&c);
	if (gv_checkpoint_open(&c, s, len, GV_AUDIT_DEFAULT_ORIGIN, pub, "fuzz", &d) == GV_OK)
		gv_checkpoint_release(&c);
	gv_diags_release(&d);
}

static void check_proof(const char *s, size_t len, const gv_key *pub)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_tlog_proof p;
	gv_checkpoint c;
	char *again;

	if (gv_tlog_proof_parse(&p, s, len, "fuzz", &d) == GV_OK) {
		again = gv_tlog_proof_format(&p);
		if (strlen(again) != len || memcmp(again, s, len))
			abort();
		free(again);
		/* the note it carries is what an auditor opens next */
		if (gv_checkpoint_open(&c, p.note, p.note_len, NULL, pub, "fuzz", &d) == GV_OK)
			gv_checkpoint_release(&c);
		gv_tlog_proof_release(&p);
	}
	gv_diags_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const gv_key *priv = fz_test_key(1), *pub = fz_test_key(0);
	const char *s = (const char *)data;

	check_checkpoint_text(s, len, priv, pub);
	check_note(s, len, pub);
	check_proof(s, len, pub);
	return 0;
}
