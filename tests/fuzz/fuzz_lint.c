/* libFuzzer entry point for `policy lint`'s own checks (lint.c, and the
 * "did you mean" of suggest.c): the input is loaded as a policy bundle, then
 * linted with itself as the manifest sample and its first two documents as
 * the facts samples, so check paths resolve against arbitrary trees. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz_common.h"
#include "lint.h"
#include "node.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[128];
	gv_diags d = GV_DIAGS_INIT;
	gv_program *p = NULL;
	gv_file *sample = NULL;
	gv_lint_opts o = { 0 };
	const gv_file *samples[1];
	const char *paths[1];
	FILE *f;

	if (!path[0])
		fz_path(path, sizeof(path), "lint.yaml");
	if (!(f = fopen(path, "wb")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	paths[0] = path;
	if (gv_program_lint(&p, paths, 1, NULL, 0, &d) == 0 &&
	    gv_file_load(&sample, path, NULL, &d) == 0) {
		samples[0] = sample;
		o.manifests = samples;
		o.nmanifests = 1;
		o.cloud = sample->ndocs ? sample->docs[0] : NULL;
		o.onprem = sample->ndocs > 1 ? sample->docs[1] : NULL;
		gv_lint(p, &o, &d);
	}
	gv_file_free(sample);
	gv_program_free(p);
	gv_diags_release(&d);
	return 0;
}
