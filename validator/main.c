/* main.c: govgate's entry point and command table. */
#include "cmd.h"
#include "cli_opts.h"
#include "alloc.h"
#include "gv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmd_version(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		gv_opts_help(stdout, &gv_optcmd_version);
		return 0;
	}
	printf("govgate %s\n", GV_VERSION);
	return 0;
}

static const gv_cmd commands[] = {
	{ "check", cmd_check, "evaluate deployment manifests against policies and facts" },
	{ "policy", cmd_policy, "lint, test or sign policy packs" },
	{ "explain", cmd_explain, "show how one rule evaluates on one manifest, step by step" },
	{ "verify", cmd_verify, "verify a signed report, receipt, approval or waiver offline" },
	{ "keygen", cmd_keygen, "create an Ed25519 key pair" },
	{ "key", cmd_key, "key ids, minisign export, statement signing" },
	{ "audit", cmd_audit, "append to, prove and verify the audit log" },
	{ "witness", cmd_witness, "cosign another site's checkpoints (C2SP tlog-witness, offline)" },
	{ "receipts", cmd_receipts, "list deployment receipts or write one signed" },
	{ "probe", cmd_probe, "probe endpoints and print connectivity facts" },
	{ "sync", cmd_sync, "export and import sync bundles between two logs" },
	{ "metrics", cmd_metrics, "print Prometheus metrics derived from the audit log" },
	{ "waiver", cmd_waiver, "sign a waiver (an expiring, approved exception)" },
	{ "deploy", cmd_deploy, "run a hybrid deployment plan through the governed flow" },
	{ "approve", cmd_approve, "sign an approval of a manifest in a role" },
	{ "version", cmd_version, "print the version" },
	{ "completion", cmd_completion, "print a bash or zsh completion script" },
	{ NULL, NULL, NULL }
};

int gv_cmd_color(int fd)
{
	const char *nc = getenv("NO_COLOR");
	return isatty(fd) && !(nc && *nc);
}

int gv_cmd_finish(gv_diags *d, int err)
{
	gv_diags_print(d, stderr, gv_cmd_color(2), 0);
	gv_diags_release(d);
	if (err == GV_OK)
		return 0;
	return err == GV_ESIG ? GV_EXIT_INVALID : GV_EXIT_INPUT;
}

int gv_cmd_usage_error(const char *cmd, const char *verb, const char *msg)
{
	fprintf(stderr, "govgate: %s %s: %s; see 'govgate %s %s --help'\n", cmd, verb, msg, cmd, verb);
	return GV_EXIT_INPUT;
}

void gv_cmd_push(strlist *l, const char *s)
{
	GV_GROW(l->v, l->alloc, l->n + 1);
	l->v[l->n++] = s;
}

int gv_cmd_dispatch(const gv_cmd *table, const char *prog, int argc, char **argv)
{
	const gv_cmd *c;

	if (argc >= 1 && (!strcmp(argv[0], "--version") || !strcmp(argv[0], "-V")))
		return cmd_version(argc, argv);
	if (argc < 1 || !strcmp(argv[0], "help") || !strcmp(argv[0], "-h") ||
	    !strcmp(argv[0], "--help")) {
		FILE *f = argc < 1 ? stderr : stdout;
		fprintf(f, "usage: %s <command> [options]\n\ncommands:\n", prog);
		for (c = table; c->name; c++)
			fprintf(f, "  %-10s %s\n", c->name, c->help);
		fprintf(f, "\nRun '%s <command> --help' for a command's options.\n", prog);
		return argc < 1 ? 2 : 0;
	}
	for (c = table; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			return c->fn(argc, argv);
	fprintf(stderr, "%s: '%s' is not a command; see '%s help'\n", prog, argv[0], prog);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "help"))
		return gv_cmd_help(argc - 1, argv + 1);
	return gv_cmd_dispatch(commands, "govgate", argc - 1, argv + 1);
}
