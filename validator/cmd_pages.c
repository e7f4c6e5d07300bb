/*
 * cmd_pages.c: every command's option table in one list (cli_opts.h), and
 * what is derived from all of them at once: `govgate help COMMAND`,
 * `govgate help --man [PAGE]` (the roff source `make man` installs) and
 * `govgate completion bash|zsh`.
 */
#include "cmd.h"
#include "cli_opts.h"
#include "gv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const gv_opt help_only[] = { GV_OPT_HELP, GV_OPT_END };
const gv_optcmd gv_optcmd_version = {
	"version", "print the version", "",
	"Prints 'govgate' and the version; also 'govgate --version' or 'govgate -V'.",
	help_only, NULL, "0.", NULL, NULL, NULL
};

const gv_optcmd gv_optcmd_completion = {
	"completion", "print a bash or zsh completion script", "bash|zsh",
	"Prints the completion script for the shell: commands, verbs, every "
	"command's options, the format names of -f and file arguments. `make "
	"install` installs both; to try one without installing, run "
	"'source <(govgate completion bash)' in bash.",
	help_only, NULL, "0 printed, 2 usage error.",
	"Install the bash completion for the current user:\n"
	"$ govgate completion bash > ~/.local/share/bash-completion/completions/govgate",
	"bash zsh", NULL
};

/* In the order of `govgate help`; a group's verbs follow the group. */
static const gv_optcmd *const pages[] = {
	&gv_optcmd_check,
	&gv_optcmd_policy, &gv_optcmd_policy_lint, &gv_optcmd_policy_test,
	&gv_optcmd_policy_bundle,
	&gv_optcmd_explain,
	&gv_optcmd_verify,
	&gv_optcmd_keygen,
	&gv_optcmd_key, &gv_optcmd_key_id, &gv_optcmd_key_export,
	&gv_optcmd_key_sign_statement, &gv_optcmd_key_sign,
	&gv_optcmd_audit, &gv_optcmd_audit_verify, &gv_optcmd_audit_checkpoint,
	&gv_optcmd_audit_publish, &gv_optcmd_audit_prove, &gv_optcmd_audit_log,
	&gv_optcmd_audit_export, &gv_optcmd_audit_append, &gv_optcmd_audit_key,
	&gv_optcmd_audit_init, &gv_optcmd_audit_copy,
	&gv_optcmd_witness, &gv_optcmd_witness_cosign, &gv_optcmd_witness_key,
	&gv_optcmd_receipts,
	&gv_optcmd_probe,
	&gv_optcmd_sync, &gv_optcmd_sync_export, &gv_optcmd_sync_import,
	&gv_optcmd_sync_status,
	&gv_optcmd_metrics,
	&gv_optcmd_waiver, &gv_optcmd_waiver_sign,
	&gv_optcmd_deploy,
	&gv_optcmd_approve,
	&gv_optcmd_version,
	&gv_optcmd_completion,
};

static void optset(gv_optset *s, char *date, size_t n)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	struct tm tm;

	if (e && *e) {
		char *end;
		long long v = strtoll(e, &end, 10);
		if (!*end && v >= 0)
			t = (time_t)v;
	}
	if (!gmtime_r(&t, &tm) || !strftime(date, n, "%Y-%m-%d", &tm))
		snprintf(date, n, "1970-01-01");
	s->cmds = pages;
	s->n = sizeof(pages) / sizeof(pages[0]);
	s->version = GV_VERSION;
	s->date = date;
}

int cmd_completion(int argc, char **argv)
{
	gv_optset s;
	char date[16];

	optset(&s, date, sizeof(date));
	if (argc == 2 && !strcmp(argv[1], "bash")) {
		gv_opts_bash(stdout, &s);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "zsh")) {
		gv_opts_zsh(stdout, &s);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		gv_opts_help(stdout, &gv_optcmd_completion);
		return 0;
	}
	fprintf(stderr, "govgate: completion: give the shell, bash or zsh\n");
	gv_opts_usage(stderr, &gv_optcmd_completion);
	return GV_EXIT_INPUT;
}

/*
 * govgate help COMMAND [VERB]: that command's --help.
 * govgate help --man: the names of the man pages, one a line ("govgate",
 * "govgate-check", ...); govgate help --man PAGE: that page as roff.
 */
int gv_cmd_help(int argc, char **argv)
{
	gv_optset s;
	char date[16], name[128];
	size_t i;

	optset(&s, date, sizeof(date));
	if (argc >= 2 && !strcmp(argv[1], "--man")) {
		const char *page = argc >= 3 ? argv[2] : NULL;

		if (argc > 3)
			goto usage;
		if (!page) {
			puts("govgate");
			for (i = 0; i < s.n; i++)
				if (!strchr(pages[i]->name, ' '))
					printf("govgate-%s\n", pages[i]->name);
			return 0;
		}
		if (!strcmp(page, "govgate"))
			page = "";
		else if (!strncmp(page, "govgate-", 8))
			page += 8;
		if (gv_opts_man(stdout, &s, page) < 0) {
			fprintf(stderr, "govgate: help: no man page '%s'\n", argv[2]);
			return GV_EXIT_INPUT;
		}
		return 0;
	}
	if (argc == 2 || argc == 3) {
		/* a group's help is its verbs, as 'govgate GROUP --help' prints them */
		static const struct { const char *name; int (*fn)(int, char **); } groups[] = {
			{ "policy", cmd_policy }, { "key", cmd_key }, { "audit", cmd_audit },
			{ "witness", cmd_witness }, { "sync", cmd_sync }, { "waiver", cmd_waiver }
		};
		snprintf(name, sizeof(name), "%s%s%s", argv[1], argc == 3 ? " " : "",
			 argc == 3 ? argv[2] : "");
		for (i = 0; argc == 2 && i < sizeof(groups) / sizeof(groups[0]); i++)
			if (!strcmp(groups[i].name, name)) {
				char help[] = "--help", *args[] = { argv[1], help, NULL };
				return groups[i].fn(2, args);
			}
		for (i = 0; i < s.n; i++)
			if (!strcmp(pages[i]->name, name)) {
				gv_opts_help(stdout, pages[i]);
				return 0;
			}
		fprintf(stderr, "govgate: help: '%s' is not a command; see 'govgate help'\n", name);
		return GV_EXIT_INPUT;
	}
usage:
	fprintf(stderr, "usage: govgate help [COMMAND [VERB]]\n"
		"       govgate help --man [PAGE]\n");
	return GV_EXIT_INPUT;
}
