/* cmd_deploy.c: `govgate deploy`: a hybrid deployment through the governed
 * flow of deploy.h, from a plan file (docs/DEPLOY.md). */
#include "cmd.h"
#include "cli_opts.h"
#include "deploy.h"
#include "governance.h"
#include "gv.h"
#include "plan.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const gv_opt deploy_opts[] = {
	{ "plan", 'p', 'p', "FILE", "the deployment plan (required)", GV_OPT_FILES },
	{ "dry-run", 'n', 'n', NULL, "probe and evaluate, record the events, run no step and "
	  "no alert command", NULL },
	{ "quiet", 'q', 'q', NULL, "no progress on standard output", NULL },
	GV_OPT_HELP,
	GV_OPT_HEADING("Settings that replace the plan's evidence section (paths are relative "
		       "to the working directory):"),
	{ "db", 0, 'D', "DB", "the audit log: a file or a PostgreSQL connection string", GV_OPT_FILES },
	{ "log-key", 0, 'L', "KEY", "sign checkpoints of the log with KEY", GV_OPT_FILES },
	{ "origin", 0, 'G', "NAME", "checkpoint origin", NULL },
	{ "sign", 0, 'S', "KEY", "sign the report and the receipt with KEY", GV_OPT_FILES },
	{ "report", 0, 'R', "FILE", "write the signed compliance report to FILE", GV_OPT_FILES },
	{ "receipt", 0, 'T', "FILE", "write the signed deployment receipt to FILE",
	  GV_OPT_FILES },
	{ "facts-dir", 0, 'F', "DIR", "write the merged facts of both sides into DIR",
	  GV_OPT_DIRS },
	{ "actor", 0, 'U', "NAME", "who runs the deployment", NULL },
	{ "trust", 0, 1001, "FILE", "the trust file (default: $GOVGATE_TRUST, then the plan's "
	  "trust; a plan's trust file cannot be replaced)", GV_OPT_FILES },
	{ "waiver", 0, 1002, "FILE", "a signed waiver, added to the plan's waivers "
	  "(repeatable)", GV_OPT_FILES },
	{ "policy-bundle", 0, 1003, "FILE", "a signed policy bundle, added to the plan's "
	  "policy_bundles (repeatable)", GV_OPT_FILES },
	{ "approval", 0, 1004, "FILE", "a signed approval of the manifest, added to the "
	  "plan's approvals (repeatable); the key that signs the run never counts as an "
	  "approver", GV_OPT_FILES },
	GV_OPT_END
};

const gv_optcmd gv_optcmd_deploy = {
	"deploy", "run a hybrid deployment plan through the governed flow",
	"--plan PLAN.yaml [--dry-run] [options]",
	"Carries a hybrid deployment through the governed flow: probes both sides, "
	"evaluates the policies over the manifest and the merged facts, then runs the "
	"plan's steps side by side (no shell), recording every step in the audit log and "
	"ending with a signed receipt. See docs/DEPLOY.md.",
	deploy_opts, NULL,
	"0 completed (a dry run: allowed), 1 blocked, halted or failed, 2 plan or input "
	"error (nothing recorded or run when found before the start), 3 escalated.",
	"Probe and evaluate without running a step:\n"
	"$ govgate deploy --plan deploy.yaml --dry-run",
	NULL, ":"
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	stop_flag = sig;
}

int cmd_deploy(int argc, char **argv)
{
	const char *plan_path = NULL;
	const char *approvals[GV_GOVERNANCE_MAX_APPROVALS];
	gv_deploy_opts o;
	gv_deploy_result res;
	gv_diags d = GV_DIAGS_INIT;
	gv_plan *plan = NULL;
	struct sigaction sa, old_int, old_term, old_hup;
	int c, quiet = 0, rc = GV_EXIT_INPUT;
	gv_getopt g;
	strlist waivers = { 0 }, bundles = { 0 };

	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	optind = 1;
	opterr = 0;
	gv_opts_getopt(&g, &gv_optcmd_deploy);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'p': plan_path = optarg; break;
		case 'n': o.dry_run = true; break;
		case 'D': o.over.db = optarg; break;
		case 'L': o.over.log_key = optarg; break;
		case 'G': o.over.origin = optarg; break;
		case 'S': o.over.sign_key = optarg; break;
		case 'R': o.over.report = optarg; break;
		case 'T': o.over.receipt = optarg; break;
		case 'F': o.over.facts_dir = optarg; break;
		case 'U': o.over.actor = optarg; break;
		case 'q': quiet = 1; break;
		case 1001: o.over.trust = optarg; break;
		case 1002: gv_cmd_push(&waivers, optarg); break;
		case 1003: gv_cmd_push(&bundles, optarg); break;
		case 1004:
			if (o.napprovals == GV_GOVERNANCE_MAX_APPROVALS) {
				fprintf(stderr, "govgate: deploy: at most %d --approval files\n",
					GV_GOVERNANCE_MAX_APPROVALS);
				return GV_EXIT_INPUT;
			}
			approvals[o.napprovals++] = optarg;
			o.approvals = approvals;
			break;
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_deploy);
			free(waivers.v), free(bundles.v);
			return 0;
		case ':':
			fprintf(stderr, "govgate: deploy: option '%s' needs a value\n", argv[optind - 1]);
			free(waivers.v), free(bundles.v);
			return GV_EXIT_INPUT;
		default:
			fprintf(stderr, "govgate: deploy: unknown option '%s'\n", argv[optind - 1]);
			gv_opts_help(stderr, &gv_optcmd_deploy);
			free(waivers.v), free(bundles.v);
			return GV_EXIT_INPUT;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "govgate: deploy: unexpected argument '%s'\n", argv[optind]);
		free(waivers.v), free(bundles.v);
		return GV_EXIT_INPUT;
	}
	if (!plan_path) {
		fprintf(stderr, "govgate: deploy: no plan given (use --plan PLAN.yaml)\n");
		gv_opts_help(stderr, &gv_optcmd_deploy);
		free(waivers.v), free(bundles.v);
		return GV_EXIT_INPUT;
	}
	if (gv_plan_load(&plan, plan_path, &d) < 0)
		goto out;
	o.over.waivers = waivers.v;
	o.over.nwaivers = waivers.n;
	o.over.policy_bundles = bundles.v;
	o.over.npolicy_bundles = bundles.n;

	/* a signal stops the running step (its process group) and the flow */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	o.out = quiet ? NULL : stdout;
	o.err = stderr;
	o.color = gv_cmd_color(1);
	o.stop = &stop_flag;
	gv_deploy_run(&res, plan, &o, &d);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	rc = gv_deploy_exit(&res);
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 1);
	gv_diags_release(&d);
	gv_plan_free(plan);
	free(waivers.v);
	free(bundles.v);
	return rc;
}
