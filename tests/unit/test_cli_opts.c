/* Unit tests for cli_opts.c: getopt arrays, --help layout, roff and the
 * completion scripts, from small tables. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opts.h"

enum { OPT_DB = 1000 };

static const gv_opt opts[] = {
	{ "policy", 'p', 'p', "PATH", "policy file or folder (repeatable; required)", GV_OPT_FILES },
	{ "db", 0, OPT_DB, "FILE", "the audit log, a file that is named here with a help text "
	  "long enough to be wrapped twice over the width of a terminal line of 79 columns",
	  GV_OPT_FILES },
	{ "format", 'f', 'f', "FMT", "text or json", "text json" },
	{ "allow-unsigned-tail", 0, 'E', NULL, "accept the tail", NULL },
	GV_OPT_HELP,
	GV_OPT_HEADING("Evidence:"),
	{ "dir", 0, 'D', "DIR", ".starts with a dot \\ and a backslash", GV_OPT_DIRS },
	GV_OPT_END
};

static const gv_optcmd cmd = {
	"check", "evaluate manifests", "[options] MANIFEST...\n"
	"                     [--more]\n"
	"--second-form",
	"First paragraph, reflowed from a string without line breaks into lines that "
	"end before column 80 of the terminal.\n"
	"\n"
	"  KEPT     as written\n"
	"           with its spaces",
	opts, "After the options.", "0 allowed, 1 denied.",
	"Check a folder:\n$ govgate check -p policies/ deploy/",
	GV_OPT_FILES, ":"
};

static const gv_optcmd group = {
	"audit", "the audit log", "VERB [options]", "About the log.", NULL, NULL, NULL, NULL,
	NULL, NULL
};
static const gv_opt verb_opts[] = { { "key", 0, 'k', "PUB", "the key", GV_OPT_FILES },
				    GV_OPT_HELP, GV_OPT_END };
static const gv_optcmd verb = {
	"audit verify", "verify the log", "--key PUB", NULL, verb_opts, NULL, "0 verified.",
	NULL, NULL, NULL
};
static const gv_optcmd *const all[] = { &cmd, &group, &verb };
static const gv_optset set = { all, 3, "9.9.9", "2025-12-01" };

/* Runs fn into a string; the caller frees it. */
#define CAPTURE(out, call) do { \
	size_t n_; FILE *f_ = open_memstream(&(out), &n_); \
	ck_assert_ptr_nonnull(f_); call; fclose(f_); } while (0)

START_TEST(getopt_arrays_come_from_the_table)
{
	gv_getopt g;

	ck_assert_int_eq(gv_opts_getopt(&g, &cmd), 0);
	ck_assert_str_eq(g.shorts, ":p:f:h");
	ck_assert_str_eq(g.longs[0].name, "policy");
	ck_assert_int_eq(g.longs[0].has_arg, required_argument);
	ck_assert_int_eq(g.longs[1].val, OPT_DB);
	ck_assert_str_eq(g.longs[3].name, "allow-unsigned-tail");
	ck_assert_int_eq(g.longs[3].has_arg, no_argument);
	ck_assert_str_eq(g.longs[5].name, "dir");   /* the heading is no option */
	ck_assert_ptr_null(g.longs[6].name);
	ck_assert_ptr_eq(gv_opts_find(&cmd, OPT_DB), &opts[1]);
	ck_assert_ptr_null(gv_opts_find(&cmd, 'x'));
	ck_assert_ptr_null(gv_opts_find(&group, 'h'));
}
END_TEST

START_TEST(a_table_too_long_is_refused)
{
	static gv_opt many[GV_OPTS_MAX + 2];
	gv_optcmd c = { "x", "x", "", NULL, many, NULL, NULL, NULL, NULL, NULL };
	gv_getopt g;
	int i;

	for (i = 0; i < GV_OPTS_MAX; i++)
		many[i] = (gv_opt){ "a", 'a', 'a', "A", "a", NULL };
	ck_assert_int_eq(gv_opts_getopt(&g, &c), 0);
	ck_assert_uint_eq(strlen(g.shorts), 2 * GV_OPTS_MAX);
	many[GV_OPTS_MAX] = (gv_opt){ "b", 0, 'b', NULL, "b", NULL };
	ck_assert_int_eq(gv_opts_getopt(&g, &c), -1);
}
END_TEST

START_TEST(help_lists_every_option_in_columns)
{
	char *s = NULL;

	CAPTURE(s, gv_opts_help(f_, &cmd));
	ck_assert_str_eq(s,
		"usage: govgate check [options] MANIFEST...\n"
		"                     [--more]\n"
		"       govgate check --second-form\n"
		"\n"
		"First paragraph, reflowed from a string without line breaks into lines that end\n"
		"before column 80 of the terminal.\n"
		"\n"
		"  KEPT     as written\n"
		"           with its spaces\n"
		"\n"
		"  -p, --policy PATH        policy file or folder (repeatable; required)\n"
		"      --db FILE            the audit log, a file that is named here with a help\n"
		"                           text long enough to be wrapped twice over the width\n"
		"                           of a terminal line of 79 columns\n"
		"  -f, --format FMT         text or json\n"
		"      --allow-unsigned-tail\n"
		"                           accept the tail\n"
		"  -h, --help               print this help and exit\n"
		"\n"
		"Evidence:\n"
		"      --dir DIR            .starts with a dot \\ and a backslash\n"
		"\n"
		"After the options.\n"
		"\n"
		"Exit codes: 0 allowed, 1 denied.\n");
	free(s);
}
END_TEST

START_TEST(man_page_is_escaped_roff)
{
	char *s = NULL;

	CAPTURE(s, ck_assert_int_eq(gv_opts_man(f_, &set, "check"), 0));
	ck_assert_ptr_nonnull(strstr(s, ".TH GOVGATE-CHECK 1 2025-12-01 \"govgate 9.9.9\" "
				     "\"govgate manual\"\n.SH NAME\ngovgate-check \\- evaluate "
				     "manifests\n.SH SYNOPSIS\n.nf\n\\fBgovgate check\\fR [options] "
				     "MANIFEST...\n        [\\-\\-more]\n\\fBgovgate check\\fR "
				     "\\-\\-second-form\n.fi\n"));
	ck_assert_ptr_nonnull(strstr(s, ".TP\n\\fB\\-p\\fR, \\fB\\-\\-policy\\fR \\fIPATH\\fR\n"
				     "policy file or folder (repeatable; required)\n"));
	/* a line that would start with a dot, and a backslash */
	ck_assert_ptr_nonnull(strstr(s, "\n\\&.starts with a dot \\e and a backslash\n"));
	ck_assert_ptr_nonnull(strstr(s, ".nf\n  KEPT     as written\n           with its spaces\n.fi\n"));
	ck_assert_ptr_nonnull(strstr(s, ".SH EXIT STATUS\n0 allowed, 1 denied.\n"));
	ck_assert_ptr_nonnull(strstr(s, ".SH EXAMPLES\nCheck a folder:\n.RS 4\n.nf\n"
				     "$ govgate check \\-p policies/ deploy/\n.fi\n.RE\n"));
	ck_assert_ptr_null(strstr(s, "\n\n"));   /* no blank line in roff */
	free(s);
	CAPTURE(s, ck_assert_int_eq(gv_opts_man(f_, &set, "audit"), 0));
	ck_assert_ptr_nonnull(strstr(s, ".SH COMMANDS\n.SS \"govgate audit verify\"\n"
				     "verify the log\n.PP\nOptions:\n.RS 4\n.TP\n"));
	ck_assert_ptr_nonnull(strstr(s, ".PP\nExit codes: 0 verified.\n"));
	free(s);
	CAPTURE(s, ck_assert_int_eq(gv_opts_man(f_, &set, "nosuch"), -1));
	free(s);
	CAPTURE(s, ck_assert_int_eq(gv_opts_man(f_, &set, "audit verify x"), -1));
	free(s);
}
END_TEST

START_TEST(completions_offer_options_and_values)
{
	char *s = NULL;

	CAPTURE(s, gv_opts_bash(f_, &set));
	ck_assert_ptr_nonnull(strstr(s, "_govgate_words 'check audit help'"));
	ck_assert_ptr_nonnull(strstr(s, "\taudit)\n\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n"
				     "\t\t\t_govgate_words 'verify'\n"));
	ck_assert_ptr_nonnull(strstr(s, "\t\t-f|--format) _govgate_words 'text json'; return 0;;\n"));
	ck_assert_ptr_nonnull(strstr(s, "\t\t--dir) _govgate_files -d; return 0;;\n"));
	ck_assert_ptr_nonnull(strstr(s, "\t\topts='--policy -p --db --format -f "
				     "--allow-unsigned-tail --help -h --dir'\n"));
	ck_assert_ptr_nonnull(strstr(s, "complete -F _govgate govgate\n"));
	free(s);
	CAPTURE(s, gv_opts_zsh(f_, &set));
	ck_assert_ptr_nonnull(strstr(s, "#compdef govgate\n"));
	ck_assert_ptr_nonnull(strstr(s, "'*'{-f,--format=}'[text or json]:FMT:(text json)'"));
	ck_assert_ptr_nonnull(strstr(s, "'*--allow-unsigned-tail[accept the tail]'"));
	/* a backslash and quotes are no syntax in a spec */
	ck_assert_ptr_nonnull(strstr(s, "'*--dir=[.starts with a dot \" and a backslash]:DIR:_files -/'"));
	free(s);
}
END_TEST

Suite *cli_opts_suite(void)
{
	Suite *s = suite_create("cli_opts");
	TCase *t = tcase_create("core");

	tcase_add_test(t, getopt_arrays_come_from_the_table);
	tcase_add_test(t, a_table_too_long_is_refused);
	tcase_add_test(t, help_lists_every_option_in_columns);
	tcase_add_test(t, man_page_is_escaped_roff);
	tcase_add_test(t, completions_offer_options_and_values);
	suite_add_tcase(s, t);
	return s;
}
