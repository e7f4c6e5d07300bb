/* cmd_policy_test.c: `govgate policy test`, the options and the report of
 * policy_test.c's runs (text or JUnit XML) and coverage. */
#include "cmd.h"
#include "cli_opts.h"
#include "alloc.h"
#include "atomic.h"
#include "buf.h"
#include "eval.h"
#include "gv.h"
#include "policy.h"
#include "policy_test.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const gv_opt test_opts[] = {
	{ "policy", 'p', 'p', "PATH", "policy file or folder (repeatable; default: each test "
	  "file's policies:)", GV_OPT_FILES },
	{ "rules", 0, 'r', "PATH", "rule library file or folder (repeatable; default: the "
	  "test file's rules:, else the shipped rules/)", GV_OPT_FILES },
	{ "coverage", 0, 'c', NULL, "say which rules no case evaluated, saw fail or saw pass, "
	  "and the share covered (rounded down)", NULL },
	{ "min-coverage", 0, 'm', "PCT", "fail (exit 1) when less than PCT percent of the "
	  "rules were seen both failing and passing", NULL },
	{ "format", 'f', 'f', "FMT", "text (default) or junit (JUnit XML)", "text junit" },
	{ "output", 'o', 'o', "FILE", "write the report to FILE (atomically); with -f junit "
	  "the text report still goes to stdout", GV_OPT_FILES },
	{ "quiet", 'q', 'q', NULL, "no source excerpts under diagnostics", NULL },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_policy_test = {
	"policy test", "run policy tests, with their coverage", "[options] TEST...",
	"Runs policy tests (kind: PolicyTest; a folder means every *.test.yaml and "
	"*.test.yml in it, recursively) and prints one line per failing case, then "
	"'N passed, M failed'.",
	test_opts, NULL,
	"0 every case passed (and the coverage is met), 1 a case failed or the coverage "
	"is below --min-coverage, 2 usage error, or a test file, policy, manifest or facts "
	"file is malformed or cannot be read.",
	"Run a pack's tests and require every rule to be seen failing and passing:\n"
	"$ govgate policy test --min-coverage 100 policies/tests/",
	GV_OPT_FILES, NULL
};

typedef struct ownlist {
	char **v;
	size_t n, alloc;
} ownlist;

static void push(ownlist *l, const char *s)
{
	GV_GROW(l->v, l->alloc, l->n + 1);
	l->v[l->n++] = gv_xstrdup(s);
}

static int is_test_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 10 && !strcmp(name + n - 10, ".test.yaml")) ||
	       (n > 9 && !strcmp(name + n - 9, ".test.yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file as given; a folder as its *.test.yaml files, in name order. */
static int gather(ownlist *out, const char *path, int depth)
{
	struct stat st;
	DIR *dir;
	struct dirent *e;
	ownlist here = { 0 };
	size_t i;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		push(out, path);    /* loading it says what is wrong */
		return 0;
	}
	if (depth > 16 || !(dir = opendir(path))) {
		fprintf(stderr, "govgate: %s: cannot read folder: %s\n", path,
			depth > 16 ? "nested too deep" : strerror(errno));
		return -1;
	}
	while ((e = readdir(dir))) {
		gv_buf p = GV_BUF_INIT;
		if (e->d_name[0] == '.')
			continue;
		gv_buf_printf(&p, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
			      e->d_name);
		GV_GROW(here.v, here.alloc, here.n + 1);
		here.v[here.n++] = gv_buf_detach(&p);
	}
	closedir(dir);
	if (here.n)
		qsort(here.v, here.n, sizeof(char *), cmp_str);
	for (i = 0; i < here.n; i++) {
		if (stat(here.v[i], &st) == 0 && S_ISDIR(st.st_mode))
			gather(out, here.v[i], depth + 1);
		else if (is_test_name(here.v[i]))
			push(out, here.v[i]);
		free(here.v[i]);
	}
	free(here.v);
	return 0;
}

/* "100", "95", "92.5": tenths of a percent, from 0 to 1000; -1 if malformed. */
static int parse_pct(const char *s)
{
	int v = 0, n = 0;

	for (; *s >= '0' && *s <= '9' && n < 4; s++, n++)
		v = v * 10 + (*s - '0');
	if (!n)
		return -1;
	v *= 10;
	if (*s == '.' && s[1] >= '0' && s[1] <= '9' && !s[2])
		v += s[1] - '0';
	else if (*s)
		return -1;
	return v <= 1000 ? v : -1;
}

static void pct_text(gv_buf *b, unsigned tenths)
{
	if (tenths % 10)
		gv_buf_printf(b, "%u.%u%%", tenths / 10, tenths % 10);
	else
		gv_buf_printf(b, "%u%%", tenths / 10);
}

/* One line per rule set of a policy that lacks a mark (or, with want 0,
 * was never evaluated). */
static void rule_line(gv_buf *b, const gv_ptest *t, size_t from, size_t to,
		      const char *label, uint8_t want)
{
	size_t i, n = 0;

	for (i = from; i < to; i++) {
		uint8_t m = t->rules[i].marks;
		if (want ? (m && !(m & want)) : !m) {
			gv_buf_printf(b, "%s%s", n++ ? ", " : label, t->rules[i].rule);
		}
	}
	if (n)
		gv_buf_putc(b, '\n');
}

static void coverage_text(gv_buf *b, const gv_ptest *t)
{
	size_t i, j, k, ev, fa, pa, cov, covered;
	unsigned tenths;

	for (i = 0; i < t->nrules; i = j) {
		ev = fa = pa = cov = 0;
		for (j = i; j < t->nrules && !strcmp(t->rules[j].policy, t->rules[i].policy); j++)
			;
		for (k = i; k < j; k++) {
			uint8_t m = t->rules[k].marks;
			ev += m != 0;
			fa += (m & GV_TRACE_FAILED) != 0;
			pa += (m & GV_TRACE_PASSED) != 0;
			cov += (size_t)gv_ptest_rule_covered(&t->rules[k]);
		}
		gv_buf_printf(b, "coverage: policy %s: %zu rule%s, %zu evaluated, %zu seen failing, "
			      "%zu seen passing, %zu covered (", t->rules[i].policy, j - i,
			      j - i == 1 ? "" : "s", ev, fa, pa, cov);
		pct_text(b, (unsigned)(cov * 1000 / (j - i)));
		gv_buf_puts(b, ")\n");
		rule_line(b, t, i, j, "  never evaluated: ", 0);
		rule_line(b, t, i, j, "  never failed: ", GV_TRACE_FAILED);
		rule_line(b, t, i, j, "  never passed: ", GV_TRACE_PASSED);
	}
	tenths = gv_ptest_coverage(t, &covered);
	gv_buf_printf(b, "coverage: %zu of %zu rule%s seen both failing and passing: ", covered,
		      t->nrules, t->nrules == 1 ? "" : "s");
	pct_text(b, tenths);
	gv_buf_putc(b, '\n');
}

int cmd_policy_test(int argc, char **argv)
{
	ownlist policies = { 0 }, rules = { 0 }, tests = { 0 };
	const char *format = "text", *output = NULL;
	char *rules_default = NULL, *cov_fail = NULL;
	gv_ptest t = GV_PTEST_INIT;
	gv_ptest_opts o;
	gv_diags d = GV_DIAGS_INIT;
	gv_buf text = GV_BUF_INIT, xml = GV_BUF_INIT;
	int c, i, coverage = 0, min_cov = -1, quiet = 0, junit, input_error = 0;
	gv_getopt g;
	int rc = GV_EXIT_INPUT;
	size_t k, covered;
	unsigned tenths;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_policy_test);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'p': push(&policies, optarg); break;
		case 'r': push(&rules, optarg); break;
		case 'c': coverage = 1; break;
		case 'm':
			if ((min_cov = parse_pct(optarg)) < 0) {
				fprintf(stderr, "govgate: policy test: --min-coverage '%s' is not a "
					"percentage from 0 to 100 such as 90 or 92.5\n", optarg);
				goto out;
			}
			coverage = 1;
			break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'q': quiet = 1; break;
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_policy_test);
			rc = 0;
			goto out;
		default:
			gv_opts_help(stderr, &gv_optcmd_policy_test);
			goto out;
		}
	}
	if (strcmp(format, "text") && strcmp(format, "junit")) {
		fprintf(stderr, "govgate: policy test: --format is 'text' or 'junit', not '%s'\n",
			format);
		goto out;
	}
	junit = !strcmp(format, "junit");
	if (optind >= argc) {
		fprintf(stderr, "govgate: policy test: no test file given\n");
		gv_opts_help(stderr, &gv_optcmd_policy_test);
		goto out;
	}
	for (i = optind; i < argc; i++)
		if (gather(&tests, argv[i], 0) < 0)
			goto out;
	if (!tests.n) {
		fprintf(stderr, "govgate: policy test: no *.test.yaml file in the given folders\n");
		goto out;
	}
	if (output && gv_atomic_check(output, &d) < 0)
		goto out;
	if (!rules.n)
		rules_default = gv_default_rules_path();
	memset(&o, 0, sizeof(o));
	o.policies = (const char *const *)policies.v;
	o.npolicies = policies.n;
	o.rules = (const char *const *)rules.v;
	o.nrules = rules.n;
	o.default_rules = rules_default;
	for (k = 0; k < tests.n; k++)
		if (gv_ptest_run_file(&t, tests.v[k], &o, &d) < 0)
			input_error = 1;
	if (input_error)
		goto out;

	for (k = 0; k < t.ncases; k++)
		if (t.cases[k].diff)
			gv_buf_printf(&text, "FAIL %s:%u:%u: %s: %s\n", t.cases[k].file,
				      t.cases[k].line, t.cases[k].col, t.cases[k].name,
				      t.cases[k].diff);
	if (coverage)
		coverage_text(&text, &t);
	tenths = gv_ptest_coverage(&t, &covered);
	if (min_cov >= 0 && covered * 1000 < (size_t)min_cov * t.nrules) {
		gv_buf b = GV_BUF_INIT;
		gv_buf_puts(&b, "coverage ");
		pct_text(&b, tenths);
		gv_buf_puts(&b, " is below --min-coverage ");
		pct_text(&b, (unsigned)min_cov);
		gv_buf_printf(&b, ": %zu of %zu rules were not seen both failing and passing",
			      t.nrules - covered, t.nrules);
		cov_fail = gv_buf_detach(&b);
		gv_buf_printf(&text, "FAIL %s\n", cov_fail);
	}
	gv_buf_printf(&text, "%zu passed, %zu failed\n", t.npassed, t.nfailed);
	if (junit)
		gv_junit_write(&xml, &t, cov_fail);

	if (output) {
		const gv_buf *to_file = junit ? &xml : &text;
		if (gv_atomic_write(output, to_file->ptr, to_file->len, 0666, &d) < 0)
			goto out;
	}
	if (!output && junit)
		fwrite(xml.ptr, 1, xml.len, stdout);
	else if (!(output && !junit))
		fwrite(text.ptr, 1, text.len, stdout);
	if (fflush(stdout)) {
		gv_error(&d, "GV-O001", NULL, "cannot write to standard output");
		goto out;
	}
	rc = t.nfailed || cov_fail ? 1 : 0;
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), !quiet);
	gv_diags_release(&d);
	gv_ptest_release(&t);
	gv_buf_release(&text);
	gv_buf_release(&xml);
	for (k = 0; k < policies.n; k++)
		free(policies.v[k]);
	for (k = 0; k < rules.n; k++)
		free(rules.v[k]);
	for (k = 0; k < tests.n; k++)
		free(tests.v[k]);
	free(policies.v);
	free(rules.v);
	free(tests.v);
	free(rules_default);
	free(cov_fail);
	return rc;
}
