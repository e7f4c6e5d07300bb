/*
 * fuzz_gov_common.h: a trust file for the governance harnesses
 * (fuzz_waiver, fuzz_governance): the test key of fuzz_common.h holds every
 * role and is a waiver approver, so what the harness signs with it is
 * trusted and reaches the checks after the signature.
 */
#ifndef GV_FUZZ_GOV_COMMON_H
#define GV_FUZZ_GOV_COMMON_H

#include "fuzz_common.h"
#include "trust.h"

static inline const gv_trust *fz_trust(void)
{
	static gv_trust *t;
	static const char text[] =
		"apiVersion: govgate/v1\n"
		"kind: Trust\n"
		"metadata: {name: fuzz}\n"
		"keys:\n"
		"  - {name: fuzz-lead, roles: [platform-admin, security-admin, compliance-officer,"
		" policy-signer], key: test.pub}\n"
		"require:\n"
		"  waiver_approvers: [compliance-officer]\n";
	gv_diags d = GV_DIAGS_INIT;
	char path[128];

	if (!t) {
		fz_test_key(0);  /* writes test.pub */
		fz_path(path, sizeof(path), "trust.yaml");
		fz_write(path, text, strlen(text), 0644);
		if (gv_trust_load(&t, path, &d) != GV_OK) {
			gv_diags_print(&d, stderr, 0, 0);
			abort();
		}
		gv_diags_release(&d);
	}
	return t;
}

#endif
