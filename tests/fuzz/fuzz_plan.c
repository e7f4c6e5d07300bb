/* libFuzzer entry point for deployment plans (make fuzz): the input is
 * written to a file and loaded as a plan (paths resolve against the
 * harness's scratch folder, fuzz_common.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz_common.h"
#include "plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[128];
	gv_diags d = GV_DIAGS_INIT;
	gv_plan *p = NULL;
	FILE *f;

	if (!path[0])
		fz_path(path, sizeof(path), "plan.yaml");
	if (!(f = fopen(path, "wb")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (gv_plan_load(&p, path, &d) == 0)
		gv_plan_free(p);
	gv_diags_release(&d);
	return 0;
}
