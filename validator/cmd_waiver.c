/* cmd_waiver.c: `govgate waiver sign` and `govgate policy bundle`: the
 * signed governance inputs (waiver.h, bundle.h; docs/GOVERNANCE.md). */
#include "cmd.h"
#include "cli_opts.h"
#include "atomic.h"
#include "bundle.h"
#include "gv.h"
#include "rfc3339.h"
#include "sign.h"
#include "waiver.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const gv_opt sign_opts[] = {
	{ "key", 'k', 'k', "KEY", "the approver's Ed25519 private key", GV_OPT_FILES },
	{ "output", 'o', 'o', "FILE", "the signed waiver (written atomically)", GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_waiver = {
	"waiver", "sign a waiver (an expiring, approved exception)", "sign [options] WAIVER.yaml",
	"A waiver is an expiring, approved exception to a rule: a Waiver document signed "
	"by an approver whom the trust file names (docs/GOVERNANCE.md).",
	NULL, NULL, NULL, NULL, NULL, NULL
};

const gv_optcmd gv_optcmd_waiver_sign = {
	"waiver sign", "check a waiver and write it signed", "--key KEY -o FILE WAIVER.yaml",
	"Checks a Waiver document key by key and writes it signed: a DSSE envelope whose "
	"payload is the document's exact bytes (payload type " GV_WAIVER_PAYLOAD_TYPE "; "
	"docs/EVIDENCE.md). `check` and `deploy` take the signed file with --waiver; it "
	"applies only when the signer holds one of the trust file's waiver_approvers roles "
	"(docs/GOVERNANCE.md).",
	sign_opts, NULL, "0 signed, 2 usage or input error (the waiver is invalid).",
	"$ govgate waiver sign --key keys/approver.key -o waiver.dsse.json waiver.yaml",
	GV_OPT_FILES, NULL
};

static int cmd_waiver_sign(int argc, char **argv)
{
	const char *key_path = NULL, *out_path = NULL;
	gv_diags d = GV_DIAGS_INIT;
	gv_buf env = GV_BUF_INIT;
	gv_key *k = NULL;
	char keyid[GV_KEYID_HEX_LEN + 1];
	int c, rc = GV_EXIT_INPUT;
	gv_getopt g;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_waiver_sign);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		if (c == 'k') {
			key_path = optarg;
		} else if (c == 'o') {
			out_path = optarg;
		} else if (c == 'h') {
			gv_opts_help(stdout, &gv_optcmd_waiver_sign);
			return 0;
		} else {
			gv_opts_help(stderr, &gv_optcmd_waiver_sign);
			return GV_EXIT_INPUT;
		}
	}
	if (!key_path || !out_path || optind != argc - 1) {
		gv_opts_help(stderr, &gv_optcmd_waiver_sign);
		return GV_EXIT_INPUT;
	}
	if (gv_atomic_check(out_path, &d) < 0 || gv_key_load_private(&k, key_path, &d) < 0 ||
	    gv_waiver_sign(&env, argv[optind], k, &d) < 0 ||
	    gv_atomic_write(out_path, env.ptr, env.len, 0666, &d) < 0)
		goto out;
	gv_key_id(k, keyid);
	printf("wrote %s: the waiver signed by key %s\n", out_path, keyid);
	rc = 0;
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 1);
	gv_diags_release(&d);
	gv_buf_release(&env);
	gv_key_free(k);
	return rc;
}

int cmd_waiver(int argc, char **argv)
{
	static const gv_cmd verbs[] = {
		{ "sign", cmd_waiver_sign, "check a waiver and write it signed" },
		{ NULL, NULL, NULL }
	};
	return gv_cmd_dispatch(verbs, "govgate waiver", argc - 1, argv + 1);
}

static const gv_opt bundle_opts[] = {
	{ "key", 'k', 'k', "KEY", "the policy signer's Ed25519 private key", GV_OPT_FILES },
	{ "output", 'o', 'o', "BUNDLE", "the signed bundle (written atomically)", GV_OPT_FILES },
	{ "policy", 'p', 'p', "PATH", "policy file or folder (repeatable; required)",
	  GV_OPT_FILES },
	{ "rules", 0, 'r', "PATH", "rule library file or folder (repeatable)", GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_policy_bundle = {
	"policy bundle", "sign policy and rule files as a bundle",
	"--key KEY -o BUNDLE [--rules PATH]... -p PATH...",
	"Signs a set of policy and rule files, gathered and loaded as `check` loads them "
	"(folders recursively; the shipped rules/ when no --rules is given): an in-toto "
	"Statement (predicate " GV_PREDICATE_POLICY_BUNDLE ") with one subject per file, "
	"named by its path relative to the -p or --rules folder it was found under (its "
	"file name when the file itself was given), with its SHA-256, in a DSSE envelope. "
	"When the trust file requires signed policies, `check --policy-bundle` and `deploy` "
	"admit only files listed, with the same digest, in a bundle signed by a "
	"policy-signer.",
	bundle_opts, NULL,
	"0 signed, 2 usage or input error (a policy that does not load, two files with the "
	"same subject name).",
	"$ govgate policy bundle --key keys/policy.key -o policies.bundle -p policies/",
	NULL, NULL
};

int cmd_policy_bundle(int argc, char **argv)
{
	const char *key_path = NULL, *out_path = NULL;
	strlist policies = { 0 }, rules = { 0 };
	char *rules_default = NULL, now[GV_TIME_LEN + 1];
	gv_diags d = GV_DIAGS_INIT;
	gv_buf env = GV_BUF_INIT;
	gv_key *k = NULL;
	char keyid[GV_KEYID_HEX_LEN + 1];
	size_t nfiles = 0;
	int c, rc = GV_EXIT_INPUT;
	gv_getopt g;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_policy_bundle);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'k': key_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'p': gv_cmd_push(&policies, optarg); break;
		case 'r': gv_cmd_push(&rules, optarg); break;
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_policy_bundle);
			rc = 0;
			goto out;
		default:
			gv_opts_help(stderr, &gv_optcmd_policy_bundle);
			goto out;
		}
	}
	if (!key_path || !out_path || !policies.n || optind != argc) {
		gv_opts_help(stderr, &gv_optcmd_policy_bundle);
		goto out;
	}
	if (!rules.n && (rules_default = gv_default_rules_path()))
		gv_cmd_push(&rules, rules_default);
	gv_time_format(now, time(NULL));
	if (gv_atomic_check(out_path, &d) < 0 || gv_key_load_private(&k, key_path, &d) < 0 ||
	    gv_bundle_create(&env, &nfiles, policies.v, policies.n, rules.v, rules.n, k, now,
			     &d) < 0 ||
	    gv_atomic_write(out_path, env.ptr, env.len, 0666, &d) < 0)
		goto out;
	gv_key_id(k, keyid);
	printf("wrote %s: %zu policy and rule file%s signed by key %s\n", out_path, nfiles,
	       nfiles == 1 ? "" : "s", keyid);
	rc = 0;
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 1);
	gv_diags_release(&d);
	gv_buf_release(&env);
	gv_key_free(k);
	free(policies.v);
	free(rules.v);
	free(rules_default);
	return rc;
}
