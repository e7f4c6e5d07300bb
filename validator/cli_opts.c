/*
 * cli_opts.c: the option tables of cli_opts.h turned into what each one is
 * the source of: getopt_long's arrays, --help, roff man pages and the bash
 * and zsh completion scripts.
 */
#include "cli_opts.h"

#include <string.h>

#define WIDTH 79     /* --help lines */
#define OPTCOL 27    /* where an option's help starts */
#define ROFFLINE 72  /* roff source lines (words are never split) */

int gv_opts_getopt(gv_getopt *g, const gv_optcmd *c)
{
	const gv_opt *o;
	size_t n = 0, k = 0;

	memset(g, 0, sizeof(*g));
	if (c->shorts_prefix)
		for (; c->shorts_prefix[k] && k < 2; k++)
			g->shorts[k] = c->shorts_prefix[k];
	for (o = c->opts; o && o->name; o++) {
		if (!*o->name)
			continue;
		if (n == GV_OPTS_MAX)
			return -1;
		g->longs[n].name = o->name;
		g->longs[n].has_arg = o->arg ? required_argument : no_argument;
		g->longs[n].flag = NULL;
		g->longs[n].val = o->val;
		n++;
		if (o->shortopt) {
			g->shorts[k++] = (char)o->shortopt;
			if (o->arg)
				g->shorts[k++] = ':';
		}
	}
	return 0;
}

const gv_opt *gv_opts_find(const gv_optcmd *c, int val)
{
	const gv_opt *o;

	for (o = c->opts; o && o->name; o++)
		if (*o->name && o->val == val)
			return o;
	return NULL;
}

/* ---- text ---- */

/* The next paragraph of *p (up to a blank line); advances *p past it. */
static int next_para(const char **p, const char **s, size_t *len)
{
	const char *t = *p, *e;

	while (*t == '\n')
		t++;
	if (!*t)
		return 0;
	e = strstr(t, "\n\n");
	if (!e)
		e = t + strlen(t);
	*s = t;
	*len = (size_t)(e - t);
	while (*len && t[*len - 1] == '\n')
		(*len)--;
	*p = e;
	return 1;
}

/*
 * Prints the words of s[0, len) from column col, breaking lines before
 * WIDTH and indenting continuation lines by indent. Ends without '\n'.
 */
static void wrap(FILE *f, const char *s, size_t len, int col, int indent)
{
	const char *e = s + len;
	int first = 1;

	while (s < e) {
		const char *w;
		int n;

		while (s < e && (*s == ' ' || *s == '\n'))
			s++;
		if (s == e)
			break;
		for (w = s; s < e && *s != ' ' && *s != '\n'; s++)
			;
		n = (int)(s - w);
		if (!first && col + 1 + n > WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(w, 1, (size_t)n, f);
		col += n;
		first = 0;
	}
}

static void text_paras(FILE *f, const char *text, const char *lead)
{
	const char *p = text, *s;
	size_t len;
	int col;

	while (next_para(&p, &s, &len)) {
		fputc('\n', f);
		if (*s == ' ') {
			fwrite(s, 1, len, f);
		} else {
			col = 0;
			if (lead) {
				fputs(lead, f);
				col = (int)strlen(lead);
				lead = NULL;
			}
			wrap(f, s, len, col, 0);
		}
		fputc('\n', f);
	}
}

void gv_opts_usage(FILE *f, const gv_optcmd *c)
{
	const char *u = c->usage ? c->usage : "", *nl;
	const char *lead = "usage:";

	do {
		int n;

		nl = strchr(u, '\n');
		n = (int)(nl ? nl - u : (long)strlen(u));
		if (*u == ' ')   /* a form continued on the next line */
			fprintf(f, "%.*s\n", n, u);
		else
			fprintf(f, "%s govgate %s%s%.*s\n", lead, c->name, *u ? " " : "", n, u);
		lead = "      ";
		u = nl ? nl + 1 : u;
	} while (nl);
}

void gv_opts_help(FILE *f, const gv_optcmd *c)
{
	const gv_opt *o;
	int any = 0;

	gv_opts_usage(f, c);
	if (c->desc)
		text_paras(f, c->desc, NULL);
	for (o = c->opts; o && o->name; o++) {
		int n;

		if (!*o->name) {
			fputc('\n', f);
			wrap(f, o->help, strlen(o->help), 0, 0);
			fputc('\n', f);
			continue;
		}
		if (!any++)
			fputc('\n', f);
		if (o->shortopt)
			n = fprintf(f, "  -%c, --%s", o->shortopt, o->name);
		else
			n = fprintf(f, "      --%s", o->name);
		if (o->arg)
			n += fprintf(f, " %s", o->arg);
		if (n < OPTCOL - 1) {
			fprintf(f, "%*s", OPTCOL - n, "");
		} else if (n == OPTCOL - 1) {
			fputc(' ', f);
		} else {
			fprintf(f, "\n%*s", OPTCOL, "");
		}
		wrap(f, o->help, strlen(o->help), OPTCOL, OPTCOL);
		fputc('\n', f);
	}
	if (c->after)
		text_paras(f, c->after, NULL);
	if (c->exits)
		text_paras(f, c->exits, "Exit codes: ");
}

/* ---- roff ---- */

typedef struct roff {
	FILE *f;
	int col;   /* column in the current output line; 0 at a line start */
} roff;

/* One character of text; escapes what roff would take as a request. */
static void roff_ch(roff *r, char ch, char prev)
{
	if (r->col == 0 && (ch == '.' || ch == '\''))
		fputs("\\&", r->f), r->col += 2;
	if (ch == '\\')
		fputs("\\e", r->f), r->col += 2;
	else if (ch == '-' && (prev == ' ' || prev == '-' || prev == '\0' ||
			       prev == '(' || prev == '[' || prev == '|' || prev == '\n' ||
			       prev == '\''))
		fputs("\\-", r->f), r->col += 2;   /* an option, not a hyphen */
	else
		fputc(ch, r->f), r->col++;
}

static void roff_str(roff *r, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		roff_ch(r, s[i], i ? s[i - 1] : '\0');
}

static void roff_nl(roff *r)
{
	if (r->col)
		fputc('\n', r->f);
	r->col = 0;
}

static void roff_req(roff *r, const char *req)
{
	roff_nl(r);
	fputs(req, r->f);
	fputc('\n', r->f);
}

/* Filled text: words, new source lines near ROFFLINE. */
static void roff_fill(roff *r, const char *s, size_t len)
{
	const char *e = s + len;

	while (s < e) {
		const char *w;

		while (s < e && (*s == ' ' || *s == '\n'))
			s++;
		if (s == e)
			break;
		for (w = s; s < e && *s != ' ' && *s != '\n'; s++)
			;
		if (r->col && r->col + 1 + (s - w) > ROFFLINE)
			roff_nl(r);
		else if (r->col)
			fputc(' ', r->f), r->col++;
		roff_str(r, w, (size_t)(s - w));
	}
	roff_nl(r);
}

/* Lines as written (no fill); leading spaces kept. */
static void roff_verbatim(roff *r, const char *s, size_t len)
{
	const char *e = s + len, *nl;

	roff_req(r, ".nf");
	for (; s < e; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(e - s));
		if (!nl)
			nl = e;
		if (nl > s)
			roff_str(r, s, (size_t)(nl - s));
		else
			fputs("\\&", r->f), r->col = 2;   /* no blank line in roff */
		roff_nl(r);
	}
	roff_req(r, ".fi");
}

/*
 * Paragraphs of text; *first says whether one was written since the last
 * section heading (a .PP straight after .SH or .SS is a lint warning).
 */
static void roff_paras(roff *r, const char *text, int *first, const char *lead)
{
	const char *p = text, *s;
	size_t len;

	while (next_para(&p, &s, &len)) {
		if (!*first)
			roff_req(r, ".PP");
		*first = 0;
		if (*s == ' ') {
			roff_verbatim(r, s, len);
			continue;
		}
		if (lead) {
			fputs(lead, r->f);
			r->col = (int)strlen(lead);
			lead = NULL;
		}
		roff_fill(r, s, len);
	}
}

/* Example paragraphs: prose, and "$ " lines shown as commands. */
static void roff_examples(roff *r, const char *text)
{
	const char *p = text, *s;
	size_t len;
	int first = 1;

	while (next_para(&p, &s, &len)) {
		const char *e = s + len, *cmd = s;

		while (cmd < e && !(cmd[0] == '$' && cmd[1] == ' ' && (cmd == s || cmd[-1] == '\n')))
			cmd++;
		if (!first)
			roff_req(r, ".PP");
		first = 0;
		if (cmd > s)
			roff_fill(r, s, (size_t)(cmd - s));
		if (cmd < e) {
			roff_req(r, ".RS 4");
			roff_verbatim(r, cmd, (size_t)(e - cmd));
			roff_req(r, ".RE");
		}
	}
}

static void roff_opts(roff *r, const gv_opt *opts)
{
	const gv_opt *o;

	for (o = opts; o && o->name; o++) {
		if (!*o->name) {
			roff_req(r, ".PP");
			roff_fill(r, o->help, strlen(o->help));
			continue;
		}
		roff_req(r, ".TP");
		if (o->shortopt)
			fprintf(r->f, "\\fB\\-%c\\fR, ", o->shortopt);
		fputs("\\fB\\-\\-", r->f);
		r->col = 1;
		roff_str(r, o->name, strlen(o->name));
		fputs("\\fR", r->f);
		if (o->arg) {
			fputs(" \\fI", r->f);
			roff_str(r, o->arg, strlen(o->arg));
			fputs("\\fR", r->f);
		}
		roff_nl(r);
		roff_fill(r, o->help, strlen(o->help));
	}
}

static int in_page(const gv_optcmd *c, const char *page)
{
	size_t n = strlen(page);

	return !strncmp(c->name, page, n) && (c->name[n] == '\0' || c->name[n] == ' ');
}

static void roff_upper(roff *r, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s, r->f);
}

static void roff_synopsis(roff *r, const gv_optcmd *c)
{
	const char *u = c->usage ? c->usage : "", *nl;

	do {
		nl = strchr(u, '\n');
		if (*u == ' ') {   /* a form continued on the next line */
			const char *t = u;

			while (*t == ' ')
				t++;
			fputs("        ", r->f);
			r->col = 8;
			roff_str(r, t, nl ? (size_t)(nl - t) : strlen(t));
			roff_nl(r);
			u = nl ? nl + 1 : u;
			continue;
		}
		fputs("\\fBgovgate ", r->f);
		r->col = 1;
		roff_str(r, c->name, strlen(c->name));
		fputs("\\fR", r->f);
		if (*u)
			fputc(' ', r->f);
		roff_str(r, u, nl ? (size_t)(nl - u) : strlen(u));
		roff_nl(r);
		u = nl ? nl + 1 : u;
	} while (nl);
}

static void roff_head(roff *r, const gv_optset *s, const char *title, const char *summary)
{
	fputs(".\\\" generated by govgate from its option tables (validator/cli_opts.h);"
	      " do not edit\n", r->f);
	fputs(".TH ", r->f);
	roff_upper(r, title);
	fprintf(r->f, " 1 %s \"govgate %s\" \"govgate manual\"\n", s->date, s->version);
	roff_req(r, ".SH NAME");
	fputs(title, r->f);
	r->col = 1;
	fputs(" \\-", r->f);
	roff_fill(r, summary, strlen(summary));
}

static void roff_top(roff *r, const gv_optset *s)
{
	size_t i;
	int first = 1;

	roff_head(r, s, "govgate", "policy-as-code governance gate for hybrid deployments");
	roff_req(r, ".SH SYNOPSIS");
	fputs("\\fBgovgate\\fR \\fICOMMAND\\fR [\\fIoptions\\fR]\n"
	      ".br\n\\fBgovgate\\fR \\fBhelp\\fR [\\fICOMMAND\\fR]\n"
	      ".br\n\\fBgovgate\\fR \\fB\\-\\-version\\fR\n", r->f);
	roff_req(r, ".SH DESCRIPTION");
	roff_paras(r, "govgate evaluates deployment manifests against policy packs and the "
		   "live facts of a cloud and an on-prem side, and records signed, "
		   "verifiable evidence of every decision: signed reports, receipts and an "
		   "append-only audit log with signed checkpoints.\n\n"
		   "Each command has its own page, listed below, and prints its options "
		   "with --help. Completions for bash and zsh come from "
		   "'govgate completion bash' and 'govgate completion zsh'.", &first, NULL);
	roff_req(r, ".SH COMMANDS");
	for (i = 0; i < s->n; i++) {
		const gv_optcmd *c = s->cmds[i];

		if (strchr(c->name, ' '))
			continue;
		roff_req(r, ".TP");
		fputs("\\fBgovgate\\-", r->f);
		r->col = 1;
		roff_str(r, c->name, strlen(c->name));
		fputs("\\fR(1)", r->f);
		roff_nl(r);
		roff_fill(r, c->summary, strlen(c->summary));
	}
	roff_req(r, ".SH EXIT STATUS");
	first = 1;
	roff_paras(r, "0 success (allowed, verified); 1 denied or not verified; 2 a usage "
		   "or input error; 3 escalated. Each page gives its command's codes.",
		   &first, NULL);
	roff_req(r, ".SH FILES");
	first = 1;
	roff_paras(r, "The shipped rule library, policies and schemas are installed under "
		   "share/govgate of the installation prefix; the commands use that rule "
		   "library when no --rules is given.", &first, NULL);
	roff_req(r, ".SH ENVIRONMENT");
	roff_req(r, ".TP");
	fputs("\\fBNO_COLOR\\fR\n", r->f);
	roff_fill(r, "when set and not empty, diagnostics are never coloured", 54);
	roff_req(r, ".TP");
	fputs("\\fBGOVGATE_DB\\fR, \\fBGOVGATE_LOG_ORIGIN\\fR, \\fBGOVGATE_ACTOR\\fR\n", r->f);
	{
		static const char t[] = "defaults of --db, --origin and --actor (govgate-check(1))";
		roff_fill(r, t, sizeof(t) - 1);
	}
}

int gv_opts_man(FILE *f, const gv_optset *s, const char *page)
{
	roff r = { f, 0 };
	const gv_optcmd *group = NULL, *only = NULL;
	char title[128];
	size_t i, nverbs = 0;
	int first;

	if (!page || !*page) {
		roff_top(&r, s);
		return 0;
	}
	for (i = 0; i < s->n; i++) {
		if (!in_page(s->cmds[i], page))
			continue;
		if (!strcmp(s->cmds[i]->name, page))
			group = s->cmds[i];
		else
			nverbs++;
	}
	if (!group || strlen(page) > 100)
		return -1;
	if (!nverbs)
		only = group;
	snprintf(title, sizeof(title), "govgate-%s", page);
	roff_head(&r, s, title, group->summary);

	roff_req(&r, ".SH SYNOPSIS");
	roff_req(&r, ".nf");
	for (i = 0; i < s->n; i++)
		if (in_page(s->cmds[i], page) && (only || s->cmds[i] != group))
			roff_synopsis(&r, s->cmds[i]);
	roff_req(&r, ".fi");

	if (group->desc || !only) {
		roff_req(&r, ".SH DESCRIPTION");
		first = 1;
		roff_paras(&r, group->desc ? group->desc : group->summary, &first, NULL);
	}
	if (only) {
		if (only->opts && only->opts->name) {
			roff_req(&r, ".SH OPTIONS");
			roff_opts(&r, only->opts);
		}
		if (only->after) {
			first = 0;
			roff_paras(&r, only->after, &first, NULL);
		}
	} else {
		roff_req(&r, ".SH COMMANDS");
		for (i = 0; i < s->n; i++) {
			const gv_optcmd *c = s->cmds[i];

			if (!in_page(c, page) || c == group)
				continue;
			fprintf(f, ".SS \"govgate %s\"\n", c->name);
			first = 1;
			roff_paras(&r, c->summary, &first, NULL);
			if (c->desc)
				roff_paras(&r, c->desc, &first, NULL);
			if (c->opts && c->opts->name) {
				roff_req(&r, ".PP");
				fputs("Options:\n", f);
				roff_req(&r, ".RS 4");
				roff_opts(&r, c->opts);
				roff_req(&r, ".RE");
			}
			if (c->after)
				roff_paras(&r, c->after, &first, NULL);
			if (c->exits)
				roff_paras(&r, c->exits, &first, "Exit codes:");
		}
	}
	if (group->exits) {
		roff_req(&r, ".SH EXIT STATUS");
		first = 1;
		roff_paras(&r, group->exits, &first, NULL);
	}
	for (i = 0; i < s->n; i++)
		if (in_page(s->cmds[i], page) && s->cmds[i]->examples)
			break;
	if (i < s->n) {
		roff_req(&r, ".SH EXAMPLES");
		for (first = 1; i < s->n; i++)
			if (in_page(s->cmds[i], page) && s->cmds[i]->examples) {
				if (!first)
					roff_req(&r, ".PP");
				first = 0;
				roff_examples(&r, s->cmds[i]->examples);
			}
	}
	roff_req(&r, ".SH SEE ALSO");
	fputs("\\fBgovgate\\fR(1)\n", f);
	return 0;
}

/* ---- completions ---- */

/* Top-level command names in table order, each once. */
static int is_top(const gv_optcmd *c)
{
	return !strchr(c->name, ' ');
}

static int has_verbs(const gv_optset *s, const gv_optcmd *top)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->cmds[i] != top && in_page(s->cmds[i], top->name))
			return 1;
	return 0;
}

/* Completion of an argument, for bash: a compgen call writing COMPREPLY. */
static void bash_values(FILE *f, const char *values)
{
	if (!values)
		fputs("return 0", f);
	else if (!strcmp(values, GV_OPT_FILES))
		fputs("_govgate_files -f", f);
	else if (!strcmp(values, GV_OPT_DIRS))
		fputs("_govgate_files -d", f);
	else
		fprintf(f, "_govgate_words '%s'", values);
}

void gv_opts_bash(FILE *f, const gv_optset *s)
{
	size_t i, j, k;
	const gv_opt *o;

	fputs("# bash completion for govgate: generated by 'govgate completion bash'\n"
	      "# from the option tables (validator/cli_opts.h); do not edit.\n\n"
	      "_govgate_words() {\n"
	      "\tmapfile -t COMPREPLY < <(compgen -W \"$1\" -- \"$cur\")\n"
	      "}\n\n"
	      "_govgate_files() {\n"
	      "\tcompopt -o filenames 2>/dev/null\n"
	      "\tmapfile -t COMPREPLY < <(compgen \"$1\" -- \"$cur\")\n"
	      "}\n\n"
	      "_govgate() {\n"
	      "\tlocal cur prev cmd opts operands\n"
	      "\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	      "\tprev=\n"
	      "\t[ \"$COMP_CWORD\" -ge 1 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\t# --opt=value: COMP_WORDBREAKS splits it into --opt, = and value\n"
	      "\tif [ \"$cur\" = \"=\" ]; then\n"
	      "\t\tcur=\n"
	      "\telif [ \"$prev\" = \"=\" ] && [ \"$COMP_CWORD\" -ge 2 ]; then\n"
	      "\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n"
	      "\tfi\n"
	      "\tCOMPREPLY=()\n"
	      "\tif [ \"$COMP_CWORD\" -le 1 ]; then\n"
	      "\t\t_govgate_words '", f);
	for (i = j = 0; i < s->n; i++)
		if (is_top(s->cmds[i]))
			fprintf(f, "%s%s", j++ ? " " : "", s->cmds[i]->name);
	fputs(" help'\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\tcmd=${COMP_WORDS[1]}\n"
	      "\tcase $cmd in\n", f);
	for (i = 0; i < s->n; i++) {
		const gv_optcmd *c = s->cmds[i];

		if (!is_top(c) || !has_verbs(s, c))
			continue;
		fprintf(f, "\t%s)\n"
			"\t\tif [ \"$COMP_CWORD\" -eq 2 ]; then\n"
			"\t\t\t_govgate_words '", c->name);
		for (j = 0, k = 0; j < s->n; j++)
			if (s->cmds[j] != c && in_page(s->cmds[j], c->name))
				fprintf(f, "%s%s", k++ ? " " : "",
					s->cmds[j]->name + strlen(c->name) + 1);
		fputs("'\n"
		      "\t\t\treturn 0\n"
		      "\t\tfi\n"
		      "\t\tcmd=\"$cmd ${COMP_WORDS[2]}\";;\n", f);
	}
	fputs("\thelp)\n\t\t[ \"$COMP_CWORD\" -eq 2 ] && _govgate_words '", f);
	for (i = j = 0; i < s->n; i++)
		if (is_top(s->cmds[i]))
			fprintf(f, "%s%s", j++ ? " " : "", s->cmds[i]->name);
	fputs("'\n\t\treturn 0;;\n"
	      "\tesac\n"
	      "\tcase $cmd in\n", f);
	for (i = 0; i < s->n; i++) {
		const gv_optcmd *c = s->cmds[i];

		if (!c->opts)
			continue;
		fprintf(f, "\t'%s')\n\t\tcase $prev in\n", c->name);
		for (o = c->opts; o->name; o++) {
			if (!*o->name || !o->arg)
				continue;
			fputs("\t\t", f);
			if (o->shortopt)
				fprintf(f, "-%c|", o->shortopt);
			fprintf(f, "--%s) ", o->name);
			bash_values(f, o->values);
			fputs("; return 0;;\n", f);
		}
		fputs("\t\tesac\n\t\topts='", f);
		for (o = c->opts, j = 0; o->name; o++) {
			if (!*o->name)
				continue;
			fprintf(f, "%s--%s", j++ ? " " : "", o->name);
			if (o->shortopt)
				fprintf(f, " -%c", o->shortopt);
		}
		fprintf(f, "'\n\t\toperands='%s';;\n", c->operands ? c->operands : "");
	}
	fputs("\t*) return 0;;\n"
	      "\tesac\n"
	      "\tcase $cur in\n"
	      "\t-*) _govgate_words \"$opts\";;\n"
	      "\t*)\n"
	      "\t\tcase $operands in\n"
	      "\t\t'') ;;\n"
	      "\t\t'" GV_OPT_FILES "') _govgate_files -f;;\n"
	      "\t\t'" GV_OPT_DIRS "') _govgate_files -d;;\n"
	      "\t\t*) _govgate_words \"$operands\";;\n"
	      "\t\tesac;;\n"
	      "\tesac\n"
	      "\treturn 0\n"
	      "}\n\n"
	      "complete -F _govgate govgate\n", f);
}

/* Text for a zsh spec: its first clause (up to a ';', about 72 columns),
 * without what zsh's specs or the single quotes around them take as syntax. */
static void zsh_text(FILE *f, const char *s, int colon)
{
	char out[160];
	size_t n = 0;
	int depth = 0;

	for (; *s && n < sizeof(out) - 4; s++) {
		if (depth == 0 && (*s == ';' || (n > 72 && (*s == ' ' || *s == ','))))
			break;
		if (*s == '(')
			depth++;
		else if (*s == ')' && depth)
			depth--;
		if (*s == '\'' || *s == '[' || *s == ']' || *s == '\\' || *s == '`')
			out[n++] = '"';
		else if (*s == '\n')
			out[n++] = ' ';
		else if (*s == ':' && colon)
			out[n++] = '\\', out[n++] = ':';
		else
			out[n++] = *s;
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == ','))
		n--;
	while (depth-- > 0 && n < sizeof(out) - 1)
		out[n++] = ')';
	fwrite(out, 1, n, f);
}

static void zsh_action(FILE *f, const char *values)
{
	if (!values)
		fputs(" ", f);
	else if (!strcmp(values, GV_OPT_FILES))
		fputs("_files", f);
	else if (!strcmp(values, GV_OPT_DIRS))
		fputs("_files -/", f);
	else
		fprintf(f, "(%s)", values);
}

void gv_opts_zsh(FILE *f, const gv_optset *s)
{
	size_t i, j;
	const gv_opt *o;

	fputs("#compdef govgate\n"
	      "# zsh completion for govgate: generated by 'govgate completion zsh'\n"
	      "# from the option tables (validator/cli_opts.h); do not edit.\n\n"
	      "_govgate() {\n"
	      "\tlocal cmd\n"
	      "\tlocal -a cmds verbs\n"
	      "\tcmds=(\n", f);
	for (i = 0; i < s->n; i++)
		if (is_top(s->cmds[i])) {
			fprintf(f, "\t\t'%s:", s->cmds[i]->name);
			zsh_text(f, s->cmds[i]->summary, 1);
			fputs("'\n", f);
		}
	fputs("\t\t'help:print the commands, or a command'\"'\"'s options'\n"
	      "\t)\n"
	      "\tif (( CURRENT == 2 )); then\n"
	      "\t\t_describe -t commands 'govgate command' cmds\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\tcmd=$words[2]\n"
	      "\tcase $cmd in\n", f);
	for (i = 0; i < s->n; i++) {
		const gv_optcmd *c = s->cmds[i];

		if (!is_top(c) || !has_verbs(s, c))
			continue;
		fprintf(f, "\t(%s)\n"
			"\t\tif (( CURRENT == 3 )); then\n"
			"\t\t\tverbs=(\n", c->name);
		for (j = 0; j < s->n; j++)
			if (s->cmds[j] != c && in_page(s->cmds[j], c->name)) {
				fprintf(f, "\t\t\t\t'%s:", s->cmds[j]->name + strlen(c->name) + 1);
				zsh_text(f, s->cmds[j]->summary, 1);
				fputs("'\n", f);
			}
		fprintf(f, "\t\t\t)\n"
			"\t\t\t_describe -t commands 'govgate %s verb' verbs\n"
			"\t\t\treturn\n"
			"\t\tfi\n"
			"\t\tcmd=\"$cmd $words[3]\"\n"
			"\t\tshift words\n"
			"\t\t(( CURRENT-- ))\n"
			"\t\t;;\n", c->name);
	}
	fputs("\t(help)\n"
	      "\t\t(( CURRENT == 3 )) && _describe -t commands 'govgate command' cmds\n"
	      "\t\treturn;;\n"
	      "\tesac\n"
	      "\tshift words\n"
	      "\t(( CURRENT-- ))\n"
	      "\tcase $cmd in\n", f);
	for (i = 0; i < s->n; i++) {
		const gv_optcmd *c = s->cmds[i];

		if (!c->opts)
			continue;
		fprintf(f, "\t('%s')\n\t\t_arguments -s -S", c->name);
		for (o = c->opts; o->name; o++) {
			if (!*o->name)
				continue;
			fputs(" \\\n\t\t\t", f);
			if (o->shortopt)
				fprintf(f, "'*'{-%c,--%s%s}'[", o->shortopt, o->name, o->arg ? "=" : "");
			else
				fprintf(f, "'*--%s%s[", o->name, o->arg ? "=" : "");
			zsh_text(f, o->help, 0);
			fputc(']', f);
			if (o->arg) {
				fputc(':', f);
				zsh_text(f, o->arg, 1);
				fputc(':', f);
				zsh_action(f, o->values);
			}
			fputc('\'', f);
		}
		if (c->operands) {
			fputs(" \\\n\t\t\t'*:argument:", f);
			zsh_action(f, c->operands);
			fputc('\'', f);
		}
		fputs(";;\n", f);
	}
	fputs("\tesac\n"
	      "}\n\n"
	      "_govgate \"$@\"\n", f);
}
