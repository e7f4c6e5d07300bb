/*
 * fuzz_sync_bundle.c: libFuzzer entry point for hostile sync bundles: the
 * strict parser, and the format/parse round trip of whatever it accepts
 * (a bundle that parses must format back to exactly its bytes).
 * `make fuzz` builds it with every libgv source.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gv.h"
#include "sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_sync_bundle b;
	gv_buf again = GV_BUF_INIT;

	if (gv_sync_bundle_parse(&b, (const char *)data, len, "fuzz", &d) == GV_OK) {
		gv_sync_bundle_format(&again, &b);
		if (again.len != len || memcmp(again.ptr, data, len))
			abort();
		gv_sync_bundle_release(&b);
	}
	gv_buf_release(&again);
	gv_diags_release(&d);
	return 0;
}
