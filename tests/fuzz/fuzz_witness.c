/*
 * fuzz_witness.c: libFuzzer entry point for the witness (witness.h):
 * cosigned checkpoints and their cosignature lines, the witness state
 * file, and the consistency proof given with --proof.
 *
 * The input is in sections (fuzz_sections.h): "note" the checkpoint to
 * cosign, "state" the witness's state file for the note's origin (absent:
 * no state, the first checkpoint), "proof" the --proof file (absent: none),
 * "cosigned" a cosigned checkpoint; ".sign" after a name has the harness
 * sign that body with the test key (its first line is the origin). Then:
 *   - gv_witness_check of "cosigned" (else "note") against the witness
 *     w.example (the test key), one cosignature required;
 *   - gv_witness_same_checkpoint("note", "cosigned");
 *   - gv_witness_cosign of "note" as w.example, the note's origin trusted
 *     under the test key: a cosigned note it hands out passes
 *     gv_witness_check with one cosignature, and is the same checkpoint
 *     (gv_witness_same_checkpoint) unless the note carried a line of
 *     w.example already, which the witness replaces.
 * Every refusal says why. Seeds: tests/fuzz/seeds/fuzz_witness/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "fuzz_common.h"
#include "fuzz_sections.h"
#include "witness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#define FZ_WITNESS "w.example"

static const gv_witness_list *witnesses(void)
{
	static gv_witness_list l = GV_WITNESS_LIST_INIT;
	static int loaded;
	gv_diags d = GV_DIAGS_INIT;
	char spec[160], path[128];
	const char *specs[1] = { spec };

	if (!loaded) {
		fz_test_key(0);
		fz_path(path, sizeof(path), "test.pub");
		snprintf(spec, sizeof(spec), FZ_WITNESS "=%s", path);
		if (gv_witness_list_load(&l, specs, 1, NULL, &d) != GV_OK)
			abort();
		gv_diags_release(&d);
		loaded = 1;
	}
	return &l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char dir[128];
	fz_sections s;
	const fz_section *note, *state, *proof, *cos, *chk;
	gv_diags d = GV_DIAGS_INIT;
	gv_witness_result res;
	gv_sync_trust trust[2];
	unsigned char h[GV_SHA256_LEN];
	char hex[2 * GV_SHA256_LEN + 1], sp[256];
	char *origin = NULL, *out = NULL;
	const char *nl;
	size_t count = 0, ntrust = 1;
	int err;

	if (!dir[0]) {
		fz_path(dir, sizeof(dir), "state");
		if (mkdir(dir, 0700) != 0)
			abort();
	}
	fz_sections_split(&s, (const char *)data, len);
	note = fz_section_get(&s, "note");
	state = fz_section_get(&s, "state");
	proof = fz_section_get(&s, "proof");
	cos = fz_section_get(&s, "cosigned");

	chk = cos ? cos : note;
	if (chk) {
		err = gv_witness_check(witnesses(), chk->data, chk->len, "cosigned.note", &count,
				       &d);
		if ((err != GV_OK && !d.n) || (err == GV_OK && count < 1))
			abort();
		gv_diags_release(&d);
	}
	if (note && cos) {
		if (gv_witness_same_checkpoint(note->data, note->len, cos->data, cos->len,
					       "cosigned.note", &d) != GV_OK && !d.n)
			abort();
		gv_diags_release(&d);
	}
	if (!note)
		goto out;

	trust[0].origin = "example.com/fuzz";
	trust[0].key = fz_test_key(0);
	nl = memchr(note->data, '\n', note->len);
	origin = gv_xstrndup(note->data, nl ? (size_t)(nl - note->data) : note->len);
	if (strcmp(origin, trust[0].origin)) {
		trust[1].origin = origin;
		trust[1].key = fz_test_key(0);
		ntrust = 2;
	}
	gv_sha256(h, origin, strlen(origin));
	gv_hex(hex, h, sizeof(h));
	snprintf(sp, sizeof(sp), "%s/%s", dir, hex);
	if (state)
		fz_write(sp, state->data, state->len, 0600);
	else
		unlink(sp);
	err = gv_witness_cosign(&out, note->data, note->len, "checkpoint.note", trust, ntrust,
				proof ? proof->data : NULL, proof ? proof->len : 0, "checkpoint.proof",
				dir, FZ_WITNESS, fz_test_key(1), 1764547200, &res, &d);
	if (err != GV_OK && (out || !d.n))
		abort();
	gv_diags_release(&d);
	if (err == GV_OK) {
		count = 0;
		if (!out || gv_witness_check(witnesses(), out, strlen(out), "out", &count, &d) !=
		    GV_OK || count != 1)
			abort();  /* what we cosigned carries our cosignature */
		/* the same checkpoint, unless the witness replaced an older line of its own */
		if (!memmem(note->data, note->len, "\n\xe2\x80\x94 " FZ_WITNESS " ",
			    strlen(FZ_WITNESS) + 6) &&
		    gv_witness_same_checkpoint(note->data, note->len, out, strlen(out), "out", &d) !=
		    GV_OK)
			abort();
		gv_diags_release(&d);
	}
out:
	free(out);
	free(origin);
	fz_sections_release(&s);
	return 0;
}
