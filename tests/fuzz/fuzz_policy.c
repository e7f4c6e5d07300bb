/* libFuzzer entry point for policy loading and compilation (make fuzz):
 * the input is written to a file and loaded as a policy bundle. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz_common.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[128];
	gv_diags d = GV_DIAGS_INIT;
	gv_program *p = NULL;
	const char *paths[1];
	FILE *f;

	if (!path[0])
		fz_path(path, sizeof(path), "policy.yaml");
	if (!(f = fopen(path, "wb")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	paths[0] = path;
	/* `policy lint` (which also compiles unused library rules) on odd sizes */
	if ((size & 1 ? gv_program_lint : gv_program_load)(&p, paths, 1, NULL, 0, &d) == 0)
		gv_program_free(p);
	gv_diags_release(&d);
	return 0;
}
