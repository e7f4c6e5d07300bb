/*
 * fuzz_trust.c: libFuzzer entry point for what `govgate sync import
 * --trust ORIGIN=PUB` takes from its user: the origin, checked as a note
 * key name (gv_note_name_valid), and a public key file (gv_key_load_public).
 *
 * The input is ORIGIN "=" FILE-BYTES, split at the first '='; the origin
 * stops at a NUL, as an argument would. The whole spec ORIGIN=PATH also goes
 * through gv_sync_trust_load, the parser `--trust` uses (sync import, audit
 * verify, sync status, metrics). Round trips:
 *
 *   - an origin gv_note_name_valid accepts can sign a note that opens
 *     under that name (a name we accept is one we can use);
 *   - a key that loads is Ed25519 and its raw public half gives back the
 *     same key id.
 *
 * `make fuzz` builds it with every libgv source; seeds:
 * tests/fuzz/seeds/fuzz_trust/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "fuzz_common.h"
#include "gv.h"
#include "note.h"
#include "sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void check_origin(const char *origin)
{
	static const char text[] = "fuzz.example/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
	gv_diags d = GV_DIAGS_INIT;
	char *note = NULL, *opened = NULL;

	if (!gv_note_name_valid(origin))
		return;
	if (strlen(origin) > GV_NOTE_MAX / 2)
		return;  /* valid, but a signature line that long makes the note too large */
	if (gv_note_sign(&note, text, strlen(text), origin, fz_test_key(1), &d) != GV_OK)
		abort();
	if (gv_note_open(&opened, note, strlen(note), origin, fz_test_key(0), "fuzz", &d) != GV_OK)
		abort();
	if (strcmp(opened, text))
		abort();
	free(note);
	free(opened);
	gv_diags_release(&d);
}

static int check_key(const char *path, const void *bytes, size_t len)
{
	int ok = 0;

	char id[GV_KEYID_HEX_LEN + 1], id2[GV_KEYID_HEX_LEN + 1];
	unsigned char raw[GV_ED25519_PUB_LEN];
	gv_diags d = GV_DIAGS_INIT;
	gv_key *k = NULL, *k2 = NULL;

	fz_write(path, bytes, len, 0644);
	if (gv_key_load_public(&k, path, &d) == GV_OK) {
		if (gv_key_is_private(k))
			abort();
		gv_key_id(k, id);
		gv_key_raw_public(k, raw);
		if (gv_key_from_raw_public(&k2, raw) != GV_OK)
			abort();
		gv_key_id(k2, id2);
		if (strcmp(id, id2))
			abort();
		gv_key_free(k2);
		gv_key_free(k);
		ok = 1;
	} else if (k || !d.n) {
		abort();  /* a failure leaves no key and says why */
	}
	gv_diags_release(&d);
	return ok;
}

/* The --trust parser: it loads exactly when the origin is valid and the key loads. */
static void check_spec(const char *origin, const char *path, int key_ok)
{
	gv_sync_trust_list l = GV_SYNC_TRUST_LIST_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char *spec = malloc(strlen(origin) + strlen(path) + 2);
	const char *specs[2];
	int err, want;

	sprintf(spec, "%s=%s", origin, path);
	specs[0] = specs[1] = spec;
	want = key_ok && *origin && !strchr(origin, '=') && strlen(origin) <= GV_SYNC_MAX_ORIGIN &&
	       gv_note_name_valid(origin);
	err = gv_sync_trust_load(&l, specs, 1, 1, &d);
	if ((err == GV_OK) != want || (err == GV_OK && (l.n != 1 || strcmp(l.v[0].origin, origin))))
		abort();
	if (err != GV_OK && (l.n || !d.n))
		abort();  /* a refusal keeps nothing and says why */
	gv_sync_trust_list_release(&l);
	/* the same origin twice: refused where one key per origin is the rule */
	if (want && gv_sync_trust_load(&l, specs, 2, 1, &d) != GV_EPARSE)
		abort();
	gv_sync_trust_list_release(&l);
	free(spec);
	gv_diags_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char path[128];
	const char *eq = memchr(data, '=', len);
	size_t olen = eq ? (size_t)(eq - (const char *)data) : len;
	char *origin;

	if (!path[0])
		fz_path(path, sizeof(path), "trust.pub");
	origin = gv_xstrndup((const char *)data, olen);  /* stops at a NUL */
	check_origin(origin);
	if (eq)
		check_spec(origin, path, check_key(path, eq + 1, len - olen - 1));
	free(origin);
	return 0;
}
