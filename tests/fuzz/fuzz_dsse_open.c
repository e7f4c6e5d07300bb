/*
 * fuzz_dsse_open.c: libFuzzer entry point for hostile envelopes: the strict
 * JSON parser, DSSE opening and Statement parsing (reports, receipts and
 * approvals). Built by `make fuzz` against build-fuzz/libgv.a (statement.c
 * needs rfc3339.c and trust.c's role names, so the library it is).
 */
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "dsse.h"
#include "gv.h"
#include "json_parse.h"
#include "sign.h"
#include "statement.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static gv_key *k;
	static const unsigned char pub[GV_ED25519_PUB_LEN] = { 0xd7, 0x5a, 0x98, 0x01 };
	gv_diags d = GV_DIAGS_INIT;
	gv_buf payload = GV_BUF_INIT;
	gv_statement *st = NULL;
	gv_file *f = NULL;
	char *type = NULL;

	if (!k && gv_key_from_raw_public(&k, pub) < 0)
		abort();
	if (gv_json_parse(&f, "fuzz", data, len, NULL, &d) == GV_OK)
		gv_file_free(f);
	gv_dsse_open(&payload, &type, "fuzz", data, len, k, &d);
	free(type);
	if (gv_statement_parse(&st, "fuzz", data, len, &d) == GV_OK)
		gv_statement_free(st);
	gv_buf_release(&payload);
	gv_diags_release(&d);
	return 0;
}
