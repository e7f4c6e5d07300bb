/* cmd_explain.c: `govgate explain`, one rule on one manifest, step by step. */
#include "cmd.h"
#include "cli_opts.h"
#include "alloc.h"
#include "explain.h"
#include "facts.h"
#include "gv.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const gv_opt explain_opts[] = {
	{ "policy", 'p', 'p', "PATH", "policy file or folder (repeatable; required)", GV_OPT_FILES },
	{ "rules", 0, 'R', "PATH", "rule library file or folder (repeatable; default: the "
	  "shipped rules/)", GV_OPT_FILES },
	{ "rule", 'r', 'r', "ID", "the rule to explain (required)", NULL },
	{ "cloud-facts", 0, 'c', "FILE", "facts gathered on the cloud side", GV_OPT_FILES },
	{ "onprem-facts", 0, 'o', "FILE", "facts gathered on the on-prem side", GV_OPT_FILES },
	{ "max-fact-age", 0, 'a', "DUR", "facts older than DUR count as missing (default: the "
	  "policies' max_fact_age)", NULL },
	{ "format", 'f', 'f', "FMT", "text (default) or json", "text json" },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_explain = {
	"explain", "show how one rule evaluates on one manifest, step by step",
	"-p POLICY --rule ID [options] MANIFEST",
	"Shows how one rule evaluates on one manifest, as a tree: the policy's match and "
	"the rule's when; every check with its result (holds or fails); every path with "
	"the values it resolved to and their file:line:col (for a missing value, the "
	"nearest place that is there); every `each` item, kept or dropped by its where, "
	"counted or not; then the findings `check` reports for the rule. A rule id that "
	"several policies apply is shown for each.",
	explain_opts, NULL,
	"0 the rule holds or does not apply, 1 it is violated, 2 usage or input error "
	"(also: no loaded policy applies the rule).",
	"Why a manifest fails the encryption rule:\n"
	"$ govgate explain -p policies/ --rule enc.at-rest fixtures/manifests/encryption-misconfig.yaml",
	GV_OPT_FILES, NULL
};

int cmd_explain(int argc, char **argv)
{
	strlist policies = { 0 }, rules = { 0 };
	const char *rule = NULL, *cloud_path = NULL, *onprem_path = NULL, *format = "text";
	char *rules_default = NULL;
	gv_diags d = GV_DIAGS_INIT;
	gv_program *prog = NULL;
	gv_file *mf = NULL, *cloud_file = NULL, *onprem_file = NULL;
	gv_facts cloud = { 0 }, onprem = { 0 };
	gv_buf out = GV_BUF_INIT;
	int64_t max_age = 0;
	size_t n, nviolated;
	int c, rc = GV_EXIT_INPUT, json;
	gv_getopt g;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_explain);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'p': gv_cmd_push(&policies, optarg); break;
		case 'R': gv_cmd_push(&rules, optarg); break;
		case 'r': rule = optarg; break;
		case 'c': cloud_path = optarg; break;
		case 'o': onprem_path = optarg; break;
		case 'f': format = optarg; break;
		case 'a':
			if (gv_duration_parse(&max_age, optarg) < 0) {
				fprintf(stderr, "govgate: error: --max-fact-age '%s' is not a duration "
					"(900, 15m, 1h, 2d)\n", optarg);
				goto out;
			}
			break;
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_explain);
			rc = 0;
			goto out;
		default:
			gv_opts_help(stderr, &gv_optcmd_explain);
			goto out;
		}
	}
	if (!policies.n || !rule || optind != argc - 1 ||
	    (strcmp(format, "text") && strcmp(format, "json"))) {
		gv_opts_help(stderr, &gv_optcmd_explain);
		goto out;
	}
	json = !strcmp(format, "json");
	if (!rules.n && (rules_default = gv_default_rules_path()))
		gv_cmd_push(&rules, rules_default);
	if (gv_program_load(&prog, policies.v, policies.n, rules.v, rules.n, &d) < 0)
		goto out;
	if (!max_age)
		max_age = gv_program_max_fact_age(prog);
	if (cloud_path && gv_facts_load(&cloud, &cloud_file, cloud_path, "cloud", max_age,
					GV_FACTS_MAX_SKEW, time(NULL), NULL, &d) < 0)
		goto out;
	if (onprem_path && gv_facts_load(&onprem, &onprem_file, onprem_path, "onprem", max_age,
					 GV_FACTS_MAX_SKEW, time(NULL), NULL, &d) < 0)
		goto out;
	if (gv_file_load(&mf, argv[optind], NULL, &d) < 0)
		goto out;
	if (gv_explain_rule(&out, &n, &nviolated, prog, rule, mf, &cloud, &onprem, json, &d) < 0)
		goto out;
	if (out.len)
		fwrite(out.ptr, 1, out.len, stdout);
	rc = nviolated ? GV_EXIT_DENY : 0;
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 1);
	gv_buf_release(&out);
	gv_file_free(mf);
	gv_file_free(cloud_file);
	gv_file_free(onprem_file);
	gv_program_free(prog);
	gv_diags_release(&d);
	free(policies.v);
	free(rules.v);
	free(rules_default);
	return rc;
}
