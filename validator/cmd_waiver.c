/* cmd_waiver.c: `govgate waiver sign` and `govgate policy bundle`: the
 * signed governance inputs (waiver.h, bundle.h; docs/GOVERNANCE.md). */
#include "cmd.h"
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

static const char sign_usage[] =
"usage: govgate waiver sign --key KEY -o FILE WAIVER.yaml\n"
"\n"
"Checks a Waiver document key by key and writes it signed: a DSSE envelope\n"
"whose payload is the document's exact bytes (payload type\n"
GV_WAIVER_PAYLOAD_TYPE "; docs/EVIDENCE.md). `check` and `deploy` take\n"
"the signed file with --waiver; it applies only when the signer holds one of\n"
"the trust file's waiver_approvers roles (docs/GOVERNANCE.md).\n"
"\n"
"  -k, --key KEY      the approver's Ed25519 private key\n"
"  -o, --output FILE  the signed waiver (written atomically)\n"
"\n"
"Exit codes: 0 signed, 2 usage or input error (the waiver is invalid).\n";

static int cmd_waiver_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key_path = NULL, *out_path = NULL;
	gv_diags d = GV_DIAGS_INIT;
	gv_buf env = GV_BUF_INIT;
	gv_key *k = NULL;
	char keyid[GV_KEYID_HEX_LEN + 1];
	int c, rc = GV_EXIT_INPUT;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:o:h", opts, NULL)) != -1) {
		if (c == 'k') {
			key_path = optarg;
		} else if (c == 'o') {
			out_path = optarg;
		} else if (c == 'h') {
			fputs(sign_usage, stdout);
			return 0;
		} else {
			fputs(sign_usage, stderr);
			return GV_EXIT_INPUT;
		}
	}
	if (!key_path || !out_path || optind != argc - 1) {
		fputs(sign_usage, stderr);
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

static const char bundle_usage[] =
"usage: govgate policy bundle --key KEY -o BUNDLE [--rules PATH]... -p PATH...\n"
"\n"
"Signs a set of policy and rule files, gathered and loaded as `check` loads\n"
"them (folders recursively; the shipped rules/ when no --rules is given):\n"
"an in-toto Statement (predicate " GV_PREDICATE_POLICY_BUNDLE ")\n"
"with one subject per file, named by its path relative to the -p or --rules\n"
"folder it was found under (its file name when the file itself was given),\n"
"with its SHA-256, in a DSSE envelope. When the trust file requires signed\n"
"policies, `check --policy-bundle` and `deploy` admit only files listed,\n"
"with the same digest, in a bundle signed by a policy-signer.\n"
"\n"
"  -k, --key KEY        the policy signer's Ed25519 private key\n"
"  -o, --output BUNDLE  the signed bundle (written atomically)\n"
"  -p, --policy PATH    policy file or folder (repeatable; required)\n"
"      --rules PATH     rule library file or folder (repeatable)\n"
"\n"
"Exit codes: 0 signed, 2 usage or input error (a policy that does not load,\n"
"two files with the same subject name).\n";

int cmd_policy_bundle(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'o' },
		{ "policy", required_argument, NULL, 'p' },
		{ "rules", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key_path = NULL, *out_path = NULL;
	strlist policies = { 0 }, rules = { 0 };
	char *rules_default = NULL, now[GV_TIME_LEN + 1];
	gv_diags d = GV_DIAGS_INIT;
	gv_buf env = GV_BUF_INIT;
	gv_key *k = NULL;
	char keyid[GV_KEYID_HEX_LEN + 1];
	size_t nfiles = 0;
	int c, rc = GV_EXIT_INPUT;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:o:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': key_path = optarg; break;
		case 'o': out_path = optarg; break;
		case 'p': gv_cmd_push(&policies, optarg); break;
		case 'r': gv_cmd_push(&rules, optarg); break;
		case 'h':
			fputs(bundle_usage, stdout);
			rc = 0;
			goto out;
		default:
			fputs(bundle_usage, stderr);
			goto out;
		}
	}
	if (!key_path || !out_path || !policies.n || optind != argc) {
		fputs(bundle_usage, stderr);
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
