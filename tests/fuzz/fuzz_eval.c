/* libFuzzer entry point for evaluation (make fuzz): the input is a policy
 * bundle, a line "#manifest", then a manifest. Every document is evaluated,
 * and every rule explained: explain.c's own walk must agree with the
 * evaluator's findings (it aborts with GV_BUG when it does not). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "eval.h"
#include "explain.h"
#include "fuzz_common.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n#manifest\n";
	static char path[128];
	gv_diags d = GV_DIAGS_INIT;
	gv_program *p = NULL;
	gv_file *m = NULL;
	const char *paths[1];
	const uint8_t *cut;
	FILE *f;
	uint32_t i, j;

	cut = memmem(data, size, sep, sizeof(sep) - 1);
	if (!cut)
		return 0;
	if (!path[0])
		fz_path(path, sizeof(path), "policy.yaml");
	if (!(f = fopen(path, "wb")))
		return 0;
	fwrite(data, 1, (size_t)(cut - data), f);
	fclose(f);
	paths[0] = path;
	if (gv_program_load(&p, paths, 1, NULL, 0, &d) < 0)
		goto out;
	cut += sizeof(sep) - 1;
	if (gv_file_load_mem(&m, "m.yaml", cut, size - (size_t)(cut - data), NULL, &d) < 0)
		goto out;
	for (i = 0; i < p->npolicies && i < 4; i++)
		for (j = 0; j < p->policies[i].nrules && j < 8; j++) {
			gv_buf out = GV_BUF_INIT;
			size_t n, nv;
			gv_explain_rule(&out, &n, &nv, p, p->policies[i].rules[j].id, m, NULL, NULL,
					(int)(j & 1), &d);
			gv_buf_release(&out);
		}
out:
	gv_file_free(m);
	gv_program_free(p);
	gv_diags_release(&d);
	return 0;
}
