/*
 * fuzz_waiver.c: libFuzzer entry point for signed waivers (waiver.h).
 *
 * The input goes three ways:
 *   - as a Waiver YAML document, in memory (gv_waiver_parse);
 *   - as that document in a file, signed with the test key
 *     (gv_waiver_sign) and read back as a signed waiver under a trust file
 *     where the key is a waiver approver (gv_waivers_add): a document that
 *     parses signs, and its envelope is added without error;
 *   - as a signed waiver envelope itself (gv_waivers_add), unsigned bytes
 *     an attacker controls.
 * A trusted waiver is then applied to a finding of its own policy, rule and
 * path (gv_waivers_apply): in its scope and not expired, it waives it.
 * Every refusal says why. Seeds: tests/fuzz/seeds/fuzz_waiver/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "eval.h"
#include "fuzz_common.h"
#include "fuzz_gov_common.h"
#include "node.h"
#include "waiver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

#define FZ_NOW ((time_t)1764547200)  /* 2025-12-01T00:00:00Z */

/* Applies w's one waiver to a finding it names, then one it does not. */
static void apply(gv_waivers *w)
{
	gv_waiver *x = &w->v[0];
	gv_finding f[2];
	gv_result r;
	gv_buf js = GV_BUF_INIT;

	memset(f, 0, sizeof(f));
	memset(&r, 0, sizeof(r));
	f[0].policy = f[1].policy = x->policy;
	f[0].rule = x->rule;
	f[1].rule = "another.rule";
	f[0].path = f[1].path = x->path ? x->path : "manifest.x";
	f[0].enforcement = f[1].enforcement = GV_ENF_BLOCK;
	r.findings = f;
	r.nfindings = 2;
	r.deployment_id = x->deployment_id;
	gv_waivers_apply(w, &r);
	if ((f[0].waiver != NULL) != (!x->blocked && x->end > FZ_NOW) || f[1].waiver ||
	    r.decision != GV_ENF_BLOCK || gv_waiver_outcome(x) < 0)
		abort();
	if (f[0].waiver)
		gv_waiver_finding_json(&js, x);
	gv_buf_release(&js);
	gv_waivers_reset(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char doc[128], env[128];
	gv_diags d = GV_DIAGS_INIT;
	gv_waivers w = GV_WAIVERS_INIT;
	gv_buf out = GV_BUF_INIT, js = GV_BUF_INIT;
	gv_waiver x;
	gv_file *f = NULL;
	int parsed, err;

	if (!doc[0]) {
		fz_path(doc, sizeof(doc), "waiver.yaml");
		fz_path(env, sizeof(env), "waiver.dsse");
	}
	parsed = gv_waiver_parse(&x, &f, "waiver.yaml", data, len, &d) == GV_OK;
	if (parsed != (f != NULL) || (!parsed && !d.n))
		abort();
	gv_file_free(f);
	gv_diags_release(&d);

	fz_write(doc, data, len, 0644);
	err = gv_waiver_sign(&out, doc, fz_test_key(1), &d);
	if ((err == GV_OK) != parsed || (err != GV_OK && !d.n))
		abort();
	gv_diags_release(&d);
	if (err == GV_OK) {
		fz_write(env, out.ptr, out.len, 0644);
		if (gv_waivers_add(&w, env, fz_trust(), NULL, FZ_NOW, &d) != GV_OK || w.n != 1 ||
		    !w.v[0].signer)
			abort();  /* what we signed with a trusted key is added */
		apply(&w);
		gv_waivers_json(&js, &w);
		gv_waivers_release(&w);
		gv_diags_release(&d);
	}
	gv_buf_release(&out);
	gv_buf_release(&js);

	/* the bytes as an envelope */
	fz_write(env, data, len, 0644);
	err = gv_waivers_add(&w, env, fz_trust(), fz_test_key(0), FZ_NOW, &d);
	if (err != GV_OK && !d.n)
		abort();
	if (err == GV_OK) {
		gv_waivers_json(&js, &w);
		gv_buf_release(&js);
	}
	gv_waivers_release(&w);
	gv_diags_release(&d);
	return 0;
}
