/*
 * fuzz_audit_jsonl.c: libFuzzer entry point for `govgate audit verify
 * --jsonl`: gv_audit_verify_jsonl over an export and its .checkpoints file
 * that an attacker wrote, checked against the fixed test key.
 *
 * The input is split at the first line "%%\n": before it the export (one
 * entry per line), after it the checkpoints file. A second "%%\n" line
 * splits off a saved checkpoint (the auditor's --checkpoint). Without a
 * separator the whole input is the export and the checkpoints file is
 * empty. The files are rewritten in one scratch folder per process.
 * `make fuzz` builds it with every libgv source; seeds (real exports of a
 * log signed by the test key): tests/fuzz/seeds/fuzz_audit_jsonl/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "fuzz_common.h"
#include "gv.h"

#define SEP "%%\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* The first SEP line in [s, s+len): its offset, or len when there is none. */
static size_t find_sep(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 3 <= len; i++)
		if ((i == 0 || s[i - 1] == '\n') && !memcmp(s + i, SEP, 3))
			return i;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char path[128], cpath[160];
	const gv_key *pub = fz_test_key(0);
	const char *s = (const char *)data, *cps = "", *saved = NULL;
	size_t export_len, cps_len = 0, saved_len = 0, k;
	gv_diags d = GV_DIAGS_INIT;
	gv_audit_result res;

	if (!path[0]) {
		fz_path(path, sizeof(path), "log.jsonl");
		snprintf(cpath, sizeof(cpath), "%s.checkpoints", path);
	}
	export_len = find_sep(s, len);
	if (export_len < len) {
		cps = s + export_len + 3;
		cps_len = len - export_len - 3;
		k = find_sep(cps, cps_len);
		if (k < cps_len) {
			saved = cps + k + 3;
			saved_len = cps_len - k - 3;
			cps_len = k;
		}
	}
	fz_write(path, s, export_len, 0644);
	fz_write(cpath, cps, cps_len, 0644);
	/* the verdict is consistent with itself whatever the input */
	switch (gv_audit_verify_jsonl(path, pub, saved, saved_len, "fuzz-saved", &res, &d)) {
	case GV_OK:
		if (res.tampered || res.covered > res.entries || (res.covered && !res.checkpoints))
			abort();
		break;
	case GV_ESIG:
		if (!res.tampered || !d.nerrors)
			abort();
		break;
	default:
		if (!d.nerrors)
			abort();
	}
	gv_diags_release(&d);
	return 0;
}
