/* libFuzzer entry point for the YAML/JSON loader (make fuzz). */
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_limits lim = { .max_bytes = 1 << 20, .max_nodes = 100000 };
	gv_file *f = NULL;

	if (gv_file_load_mem(&f, "fuzz.yaml", data, size, &lim, &d) == 0)
		gv_file_free(f);
	gv_diags_release(&d);
	return 0;
}
