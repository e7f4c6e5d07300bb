/*
 * cmd_approve.c: `govgate approve`: signs an approval of one manifest in
 * one role (approval.h, docs/GOVERNANCE.md).
 */
#include "cmd.h"
#include "cli_opts.h"
#include "approval.h"
#include "atomic.h"
#include "buf.h"
#include "digest.h"
#include "facts.h"
#include "gv.h"
#include "sign.h"
#include "trust.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_MANIFEST ((size_t)1 << 30)

static const gv_opt approve_opts[] = {
	{ "key", 'k', 'k', "KEY", "the approver's Ed25519 private key", GV_OPT_FILES },
	{ "role", 'r', 'r', "ROLE", "the role approved in: " GV_ROLE_NAMES,
	  "platform-admin security-admin compliance-officer policy-signer" },
	{ "deployment", 0, 'D', "ID", "approve only the deployment with this deployment_id",
	  NULL },
	{ "expires", 0, 'E', "DUR", "the approval stops counting DUR after now (900, 15m, 1h, "
	  "2d); default: it does not expire", NULL },
	{ "comment", 0, 'c', "TEXT", "recorded in the approval (at most 4096 bytes)", NULL },
	{ "output", 'o', 'o', "FILE", "where the approval is written (atomically)",
	  GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_approve = {
	"approve", "sign an approval of a manifest in a role",
	"--key KEY --role ROLE [--deployment ID] [--expires DUR] [--comment TEXT] -o FILE "
	"MANIFEST",
	"Signs an approval of MANIFEST (its name and the SHA-256 of its bytes) in ROLE: a "
	"DSSE envelope around an in-toto Statement with the predicate type "
	"https://govgate.dev/approval/v1 (docs/EVIDENCE.md). `check` and `deploy` count it "
	"(--approval FILE) when the trust file gives KEY's public key the role, the "
	"manifest is the one approved, it has not expired and KEY does not sign the run "
	"itself (docs/GOVERNANCE.md).",
	approve_opts, NULL, "0 written, 2 usage or input error.",
	"The security admin approves one deployment of a manifest for two days:\n"
	"$ govgate approve --key keys/sec-lead.key --role security-admin --deployment "
	"DEP-2026-11-28-001 --expires 2d -o sec.approval app.yaml",
	GV_OPT_FILES, NULL
};

int cmd_approve(int argc, char **argv)
{
	gv_approval_req req;
	gv_diags d = GV_DIAGS_INIT;
	gv_buf man = GV_BUF_INIT, env = GV_BUF_INIT;
	const char *keypath = NULL, *output = NULL;
	unsigned char sha[32];
	char hex[65], keyid[GV_KEYID_HEX_LEN + 1];
	gv_key *k = NULL;
	int c, rc = GV_EXIT_INPUT;
	gv_getopt g;

	memset(&req, 0, sizeof(req));
	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_approve);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'k': keypath = optarg; break;
		case 'r': req.role = optarg; break;
		case 'D': req.deployment_id = optarg; break;
		case 'c': req.comment = optarg; break;
		case 'o': output = optarg; break;
		case 'E':
			if (gv_duration_parse(&req.expires_in, optarg) < 0) {
				fprintf(stderr, "govgate: approve: --expires '%s' is not a duration "
					"such as 900, 15m, 1h or 2d\n", optarg);
				goto out;
			}
			break;
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_approve);
			rc = 0;
			goto out;
		default:
			gv_opts_help(stderr, &gv_optcmd_approve);
			goto out;
		}
	}
	if (!keypath || !req.role || !output || optind != argc - 1) {
		fprintf(stderr, "govgate: approve: %s\n",
			!keypath ? "--key KEY is required" : !req.role ? "--role ROLE is required" :
			!output ? "-o FILE is required" : "give exactly one MANIFEST");
		gv_opts_help(stderr, &gv_optcmd_approve);
		goto out;
	}
	if (!gv_role_parse(req.role)) {
		fprintf(stderr, "govgate: approve: --role '%s' is not one of %s\n", req.role,
			GV_ROLE_NAMES);
		goto out;
	}
	req.manifest = argv[optind];
	if (gv_atomic_check(output, &d) < 0 || gv_key_load_private(&k, keypath, &d) < 0)
		goto out;
	if (gv_buf_read_file(&man, req.manifest, MAX_MANIFEST) < 0) {
		gv_error(&d, "GV-A003", req.manifest, "cannot read manifest: %s", strerror(errno));
		goto out;
	}
	gv_sha256(sha, man.ptr, man.len);
	req.sha256 = sha;
	req.time = time(NULL);
	if (gv_approval_sign(&env, &req, k, &d) < 0 ||
	    gv_atomic_write(output, env.ptr, env.len, 0666, &d) < 0)
		goto out;
	gv_hex(hex, sha, 32);
	gv_key_id(k, keyid);
	printf("approved: %s sha256:%s as %s by key %s -> %s\n", req.manifest, hex, req.role,
	       keyid, output);
	rc = fflush(stdout) ? GV_EXIT_INPUT : 0;
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 0);
	gv_diags_release(&d);
	gv_key_free(k);
	gv_buf_release(&man);
	gv_buf_release(&env);
	return rc;
}
