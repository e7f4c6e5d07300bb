/*
 * fuzz_governance.c: libFuzzer entry point for the approval and
 * policy-bundle Statements (statement.h, governance.h, bundle.h).
 *
 * The input is a Statement payload:
 *   - parsed in memory (gv_statement_parse): report, receipt, approval
 *     and policy-bundle predicates alike;
 *   - signed with the test key into a DSSE envelope and opened as an
 *     --approval (gv_governance_load) and as a policy bundle
 *     (gv_bundles_add) under a trust file where the key holds every role,
 *     so the checks after the signature see attacker-chosen bytes;
 *   - taken as an envelope itself, unsigned, by both.
 * Every refusal says why. Seeds: tests/fuzz/seeds/fuzz_governance/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "bundle.h"
#include "dsse.h"
#include "fuzz_common.h"
#include "fuzz_gov_common.h"
#include "governance.h"
#include "statement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#define FZ_NOW ((time_t)1764547200)  /* 2025-12-01T00:00:00Z */

static void open_file(const char *path)
{
	gv_governance_opts o = { 0 };
	gv_governance *g = NULL;
	gv_bundles b = GV_BUNDLES_INIT;
	gv_diags d = GV_DIAGS_INIT;
	gv_buf js = GV_BUF_INIT;
	const char *ap[1] = { path };
	int err;

	o.loaded = (gv_trust *)fz_trust();
	o.approvals = ap;
	o.napprovals = 1;
	o.initiator = fz_test_key(0);
	o.now = FZ_NOW;
	err = gv_governance_load(&g, &o, &d);
	if (err != GV_OK && (g || !d.n))
		abort();
	if (g) {
		g->reported = true;
		gv_governance_json(&js, g);
		gv_governance_text(&js, g);
		gv_governance_free(g);
	}
	gv_diags_release(&d);

	err = gv_bundles_add(&b, path, fz_trust(), &d);
	if (err != GV_OK && !d.n)
		abort();
	gv_bundles_json(&js, &b);
	gv_bundles_release(&b);
	gv_diags_release(&d);
	gv_buf_release(&js);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char env[128];
	gv_diags d = GV_DIAGS_INIT;
	gv_statement *s = NULL;
	gv_buf out = GV_BUF_INIT;
	int err;

	if (!env[0])
		fz_path(env, sizeof(env), "statement.dsse");
	err = gv_statement_parse(&s, "statement.json", data, len, &d);
	if ((err == GV_OK) != (s != NULL) || (err != GV_OK && !d.n))
		abort();
	gv_statement_free(s);
	gv_diags_release(&d);

	if (gv_report_sign_envelope(&out, data, len, fz_test_key(1)) != GV_OK)
		abort();
	fz_write(env, out.ptr, out.len, 0644);
	gv_buf_release(&out);
	open_file(env);

	fz_write(env, data, len, 0644);
	open_file(env);
	return 0;
}
