/*
 * cli_opts.h: one option table per command (and per nested verb), the single
 * source of its getopt_long options, its --help, its man page and its shell
 * completions. cmd_*.c define the tables next to the code that reads the
 * options; cmd_pages.c gathers them into the man pages and completions.
 *
 * Text fields are plain prose: paragraphs separated by a blank line,
 * reflowed to the terminal's 79 columns for --help and into roff for the
 * man pages. A paragraph whose first line starts with a space is kept as
 * written (a list, a table of codes). All strings are static; nothing here
 * allocates.
 *
 * Adding an option to a command: one row in its gv_opt table (long name,
 * short letter or 0, the value getopt_long returns, the argument's name,
 * the help, how a shell completes the argument) and a case for that value
 * in the command's getopt loop. --help, the man page and the completions
 * follow; tests/cli/t195-cli-help-man.sh fails when an option getopt
 * accepts is missing from --help. A new command or verb also gets a
 * gv_optcmd, declared in cmd.h and listed in cmd_pages.c.
 */
#ifndef GV_CLI_OPTS_H
#define GV_CLI_OPTS_H

#include <getopt.h>
#include <stdio.h>

/* How a shell completes an option's argument (gv_opt.values). */
#define GV_OPT_FILES "<file>"   /* file names */
#define GV_OPT_DIRS "<dir>"     /* folder names */

typedef struct gv_opt {
	const char *name;     /* long name without "--"; "" for a heading; NULL ends */
	int shortopt;         /* the short option letter, or 0 for none */
	int val;              /* what getopt_long returns for the option */
	const char *arg;      /* the argument's name (FILE, N, FMT); NULL: a flag */
	const char *help;     /* what it does (a heading's text for "") */
	const char *values;   /* completion of the argument: NULL any text,
	                       * GV_OPT_FILES, GV_OPT_DIRS, or words separated by
	                       * single spaces (the -f format names) */
} gv_opt;

/* Rows every table uses. */
#define GV_OPT_HEADING(text) { "", 0, 0, NULL, text, NULL }
#define GV_OPT_HELP { "help", 'h', 'h', NULL, "print this help and exit", NULL }
#define GV_OPT_END { NULL, 0, 0, NULL, NULL, NULL }

typedef struct gv_optcmd {
	const char *name;      /* "check", "audit verify"; a group ("audit") has no opts */
	const char *summary;   /* one line, lower case, no full stop */
	const char *usage;     /* after "govgate NAME "; '\n' separates forms */
	const char *desc;      /* paragraphs before the options */
	const gv_opt *opts;    /* ends with GV_OPT_END; NULL for a group */
	const char *after;     /* paragraphs after the options, or NULL */
	const char *exits;     /* the exit codes, or NULL */
	const char *examples;  /* man page only: paragraphs; lines starting "$ " are commands */
	const char *operands;  /* completion of the non-option arguments: as gv_opt.values */
	const char *shorts_prefix;  /* put before the short options ("+", ":"), or NULL */
} gv_optcmd;

/* The most options one table may have (checked by gv_opts_getopt). */
#define GV_OPTS_MAX 64

/* The getopt_long view of a table, built on the caller's stack. */
typedef struct gv_getopt {
	struct option longs[GV_OPTS_MAX + 1];
	char shorts[3 * GV_OPTS_MAX + 4];
} gv_getopt;

/*
 * Fills g from c->opts: one struct option per named row, the short option
 * string from the rows with a short letter (with ':' when they take an
 * argument). Returns 0, or -1 when the table has more than GV_OPTS_MAX rows
 * (a programming error, which the unit tests catch).
 */
int gv_opts_getopt(gv_getopt *g, const gv_optcmd *c);

/* The row getopt_long's return value c stands for, or NULL. */
const gv_opt *gv_opts_find(const gv_optcmd *c, int val);

/* --help: usage, description, one line per option, after, exit codes. */
void gv_opts_help(FILE *f, const gv_optcmd *c);
/* Only the usage lines ("usage: govgate NAME USAGE"). */
void gv_opts_usage(FILE *f, const gv_optcmd *c);

/* A man page: the tables whose name is page or starts with "page ". */
typedef struct gv_optset {
	const gv_optcmd *const *cmds;
	size_t n;
	const char *version;  /* in the page footer */
	const char *date;     /* YYYY-MM-DD, in the page footer */
} gv_optset;

/* Writes govgate(1) (page NULL or "") or govgate-PAGE(1) as roff. Returns 0,
 * or -1 when no table belongs to page. */
int gv_opts_man(FILE *f, const gv_optset *s, const char *page);

/* The bash and zsh completion scripts for every table in s. */
void gv_opts_bash(FILE *f, const gv_optset *s);
void gv_opts_zsh(FILE *f, const gv_optset *s);

#endif
