/* cmd_deploy.c: `govgate deploy`: a hybrid deployment through the governed
 * flow of deploy.h, from a plan file (docs/DEPLOY.md). */
#include "cmd.h"
#include "deploy.h"
#include "governance.h"
#include "gv.h"
#include "plan.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
"usage: govgate deploy --plan PLAN.yaml [--dry-run] [options]\n"
"\n"
"Carries a hybrid deployment through the governed flow: probes both sides,\n"
"evaluates the policies over the manifest and the merged facts, then runs the\n"
"plan's steps side by side (no shell), recording every step in the audit log\n"
"and ending with a signed receipt. See docs/DEPLOY.md.\n"
"\n"
"  -p, --plan FILE        the deployment plan (required)\n"
"  -n, --dry-run          probe and evaluate, record the events, run no step\n"
"                         and no alert command\n"
"\n"
"Settings that replace the plan's evidence section (paths are relative to the\n"
"working directory):\n"
"      --db FILE          the audit log\n"
"      --log-key KEY      sign checkpoints of the log with KEY\n"
"      --origin NAME      checkpoint origin\n"
"      --sign KEY         sign the report and the receipt with KEY\n"
"      --report FILE      write the signed compliance report to FILE\n"
"      --receipt FILE     write the signed deployment receipt to FILE\n"
"      --facts-dir DIR    write the merged facts of both sides into DIR\n"
"      --actor NAME       who runs the deployment\n"
"  -q, --quiet            no progress on standard output\n"
"\n"
"Governance (docs/GOVERNANCE.md), added to the plan's trust, approvals:\n"
"      --trust FILE       the trust file (default: $GOVGATE_TRUST, then the\n"
"                         plan's; a plan's trust file cannot be replaced)\n"
"      --approval FILE    a signed approval of the manifest (repeatable); the\n"
"                         key that signs the run never counts as an approver\n"
"\n"
"Exit codes: 0 completed (a dry run: allowed), 1 blocked, halted or failed,\n"
"2 plan or input error (nothing recorded or run when found before the start),\n"
"3 escalated.\n";

enum { OPT_TRUST = 0x4101, OPT_APPROVAL };   /* long options only */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	stop_flag = sig;
}

int cmd_deploy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "plan", required_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "db", required_argument, NULL, 'D' },
		{ "log-key", required_argument, NULL, 'L' },
		{ "origin", required_argument, NULL, 'G' },
		{ "sign", required_argument, NULL, 'S' },
		{ "report", required_argument, NULL, 'R' },
		{ "receipt", required_argument, NULL, 'T' },
		{ "facts-dir", required_argument, NULL, 'F' },
		{ "actor", required_argument, NULL, 'U' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "trust", required_argument, NULL, OPT_TRUST },
		{ "approval", required_argument, NULL, OPT_APPROVAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *plan_path = NULL;
	const char *approvals[GV_GOVERNANCE_MAX_APPROVALS];
	gv_deploy_opts o;
	gv_deploy_result res;
	gv_diags d = GV_DIAGS_INIT;
	gv_plan *plan = NULL;
	struct sigaction sa, old_int, old_term, old_hup;
	int c, quiet = 0, rc = GV_EXIT_INPUT;

	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:nqh", opts, NULL)) != -1) {
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
		case OPT_TRUST: o.trust = optarg; break;
		case OPT_APPROVAL:
			if (o.napprovals == GV_GOVERNANCE_MAX_APPROVALS) {
				fprintf(stderr, "govgate: deploy: at most %d --approval files\n",
					GV_GOVERNANCE_MAX_APPROVALS);
				return GV_EXIT_INPUT;
			}
			approvals[o.napprovals++] = optarg;
			o.approvals = approvals;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			fprintf(stderr, "govgate: deploy: option '%s' needs a value\n", argv[optind - 1]);
			return GV_EXIT_INPUT;
		default:
			fprintf(stderr, "govgate: deploy: unknown option '%s'\n", argv[optind - 1]);
			fputs(usage, stderr);
			return GV_EXIT_INPUT;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "govgate: deploy: unexpected argument '%s'\n", argv[optind]);
		return GV_EXIT_INPUT;
	}
	if (!plan_path) {
		fprintf(stderr, "govgate: deploy: no plan given (use --plan PLAN.yaml)\n%s", usage);
		return GV_EXIT_INPUT;
	}
	if (gv_plan_load(&plan, plan_path, &d) < 0)
		goto out;

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
	return rc;
}
