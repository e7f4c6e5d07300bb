/*
 * report_ci.c: a `check` run as CI systems read it: SARIF 2.1.0, JUnit XML,
 * GitHub Actions workflow commands, GitLab Code Quality. Beside
 * report_json.c and report_text.c; every mapping from govgate's terms to a
 * format's is in the tables and helpers at the top of this file, and
 * docs/CI.md describes them.
 */
#include "report_ci.h"
#include "alloc.h"
#include "digest.h"
#include "gv.h"
#include "policy_test.h"
#include "waiver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const format_names[] = { "text", "json", "sarif", "junit", "github", "gitlab" };

int gv_format_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(s, format_names[i]))
			return (int)i;
	return -1;
}

const char *gv_format_name(int fmt)
{
	return format_names[fmt];
}

/*
 * The mappings. An enforcement that stops the pipeline (block, halt) or
 * needs a person (escalate, exit 3) is an error: the job fails on it.
 */
static const char *sarif_level(int enf)
{
	return enf >= GV_ENF_ESCALATE ? "error" : enf == GV_ENF_WARN ? "warning" : "note";
}

static const char *github_command(int enf)
{
	return enf >= GV_ENF_ESCALATE ? "error" : enf == GV_ENF_WARN ? "warning" : "notice";
}

/* GitHub code scanning reads over 9.0 as critical, 7.0-8.9 high,
 * 4.0-6.9 medium, 0.1-3.9 low: the middle of each band. */
static const char *security_severity(int sev)
{
	switch (sev) {
	case GV_SEV_CRITICAL: return "9.5";
	case GV_SEV_HIGH: return "8.0";
	case GV_SEV_MEDIUM: return "5.5";
	default: return "2.0";
	}
}

/* GitLab Code Quality: info, minor, major, critical, blocker. */
static const char *gitlab_severity(int sev)
{
	switch (sev) {
	case GV_SEV_CRITICAL: return "critical";
	case GV_SEV_HIGH: return "major";
	case GV_SEV_MEDIUM: return "minor";
	default: return "info";
	}
}

/* Lines and columns are 1-based; 0 (unknown) becomes 1 where a format
 * needs a position. */
static unsigned pos(uint32_t n)
{
	return n ? n : 1;
}

/* Appends path's steps to the stack in b (a '/'-separated absolute path),
 * resolving "." and ".." lexically. */
static void push_steps(gv_buf *b, const char *path)
{
	const char *p = path, *e;

	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		for (e = p; *e && *e != '/'; e++)
			;
		if (e - p == 1 && p[0] == '.') {
			/* nothing */
		} else if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			while (b->len && b->ptr[b->len - 1] != '/')
				b->len--;
			if (b->len)
				b->len--;
		} else {
			gv_buf_putc(b, '/');
			gv_buf_add(b, p, (size_t)(e - p));
		}
		p = e;
	}
	gv_buf_putc(b, '\0');
	b->len--;
}

static void absolute(gv_buf *b, const char *path)
{
	char cwd[4096];

	gv_buf_clear(b);
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)))
		push_steps(b, cwd);
	push_steps(b, path);
}

char *gv_report_relpath(const char *path, const char *root)
{
	gv_buf a = GV_BUF_INIT, r = GV_BUF_INIT;
	char *out;

	if (!strcmp(path, "-"))
		return gv_xstrdup("-");
	absolute(&a, path);
	absolute(&r, root ? root : ".");
	if (!a.len)
		out = gv_xstrdup("/");
	else if (a.len == r.len && !memcmp(a.ptr, r.ptr, a.len))
		out = gv_xstrdup(".");
	else if (a.len > r.len && !memcmp(a.ptr, r.ptr, r.len) && a.ptr[r.len] == '/')
		out = gv_xstrdup(a.ptr + r.len + 1);
	else
		out = gv_xstrdup(a.ptr);
	gv_buf_release(&a);
	gv_buf_release(&r);
	return out;
}

void gv_report_fingerprint(char out[65], const gv_finding *f, const char *relfile)
{
	unsigned char h[32];
	gv_sha256_ctx *c = gv_sha256_new();
	char doc[16];

	snprintf(doc, sizeof(doc), "%u", f->doc);
	gv_sha256_update(c, f->rule, strlen(f->rule) + 1);
	gv_sha256_update(c, relfile, strlen(relfile) + 1);
	gv_sha256_update(c, doc, strlen(doc) + 1);
	gv_sha256_update(c, f->path ? f->path : "", f->path ? strlen(f->path) : 0);
	gv_sha256_final(c, h);
	gv_hex(out, h, 32);
}

/* A relative path as a URI reference (RFC 3986): unreserved characters,
 * sub-delims, ':', '@' and '/' as they are, other bytes %-encoded; an
 * absolute path (outside the source root) as a file:// URI. */
static void uri(gv_buf *b, const char *rel)
{
	const unsigned char *p = (const unsigned char *)rel;

	if (*p == '/')
		gv_buf_puts(b, "file://");
	for (; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/!$&'()*+,;=:@", *p))
			gv_buf_putc(b, (char)*p);
		else
			gv_buf_printf(b, "%%%02X", *p);
	}
}

/* Calls fn for each finding of file i, in report order; st->n counts the
 * findings over the files, for commas. */
typedef void (*finding_fn)(gv_buf *b, gv_report_ci_state *st, const gv_finding *f,
			   const char *rel);

static void each_finding(gv_buf *b, gv_report_ci_state *st, const gv_run *run, size_t i,
			 const gv_report_ci *o, finding_fn fn)
{
	const gv_file_result *fr = gv_run_file(run, i);
	uint32_t k, j;

	for (k = 0; k < fr->ndocs; k++) {
		const gv_result *r = &fr->docs[k].r;
		for (j = 0; j < r->nfindings; j++) {
			char *rel = gv_report_relpath(r->findings[j].file, o->source_root);
			fn(b, st, &r->findings[j], rel);
			st->n++;
			free(rel);
		}
	}
}

/* The k-th rule of the program, counting policy by policy. */
static const gv_rule *rule_at(const gv_program *p, uint32_t k, const gv_policy **pol)
{
	uint32_t i;

	for (i = 0; i < p->npolicies; k -= p->policies[i++].nrules)
		if (k < p->policies[i].nrules) {
			*pol = &p->policies[i];
			return &p->policies[i].rules[k];
		}
	return NULL;
}

static size_t nerrors(const gv_report_ci *o)
{
	size_t i, n = 0;

	for (i = 0; o->errors && i < o->errors->n; i++)
		n += o->errors->v[i].sev == GV_SEV_ERROR;
	return n;
}

/* --- SARIF 2.1.0 ------------------------------------------------------ */

/* rules[] holds each rule id once (a library rule may be used by several
 * policies): the first use describes it, the highest severity counts. */
struct gv_report_ci_rule {
	const gv_rule *r;
	int severity;
};

static void sarif_table(gv_report_ci_state *s, const gv_program *p)
{
	uint32_t i, j;
	size_t k;

	if (s->rules)
		return;
	s->rules = gv_xcalloc(p->nrules ? p->nrules : 1, sizeof(*s->rules));
	for (i = 0; i < p->npolicies; i++)
		for (j = 0; j < p->policies[i].nrules; j++) {
			const gv_rule *r = &p->policies[i].rules[j];
			for (k = 0; k < s->nrules && strcmp(s->rules[k].r->id, r->id); k++)
				;
			if (k == s->nrules)
				s->rules[s->nrules++].r = r;
			if (r->severity > s->rules[k].severity)
				s->rules[k].severity = r->severity;
		}
}

static size_t sarif_rule_index(const gv_report_ci_state *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->nrules; i++)
		if (!strcmp(s->rules[i].r->id, id))
			return i;
	return 0;
}

static void jkey(gv_buf *b, const char *k, const char *s)
{
	gv_buf_printf(b, "\"%s\":", k);
	gv_buf_json_cstr(b, s);
}

/* "waived by W-1 (ticket T, signed by S, expires E): justification" */
static void waived_text(gv_buf *t, const gv_waiver *x)
{
	gv_buf_printf(t, "waived by %s (ticket %s, signed by %s, expires %s): %s", x->name,
		      x->ticket, x->signer, x->expires, x->justification);
}

static void sarif_result(gv_buf *b, gv_report_ci_state *s, const gv_finding *f,
			 const char *rel)
{
	char fp[65];

	gv_report_fingerprint(fp, f, rel);
	gv_buf_puts(b, s->n ? ",{" : "{");
	jkey(b, "ruleId", f->rule);
	gv_buf_printf(b, ",\"ruleIndex\":%zu,\"level\":\"%s\",\"message\":{",
		      sarif_rule_index(s, f->rule), sarif_level(f->enforcement));
	jkey(b, "text", f->message);
	gv_buf_puts(b, "},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"");
	uri(b, rel);
	gv_buf_printf(b, "\"},\"region\":{\"startLine\":%u,\"startColumn\":%u,\"endLine\":%u,"
		      "\"endColumn\":%u}}}],\"partialFingerprints\":{"
		      "\"primaryLocationLineHash\":\"%s\"},\"properties\":{",
		      pos(f->line), pos(f->col), pos(f->line), pos(f->col) + 1, fp);
	jkey(b, "policy", f->policy);
	gv_buf_printf(b, ",\"enforcement\":\"%s\",\"severity\":\"%s\",",
		      gv_enforcement_name(f->enforcement), gv_severity_name(f->severity));
	jkey(b, "path", f->path);
	gv_buf_printf(b, ",\"document\":%u}", f->doc);
	/* a waived finding stays, suppressed externally (SARIF 2.1.0 3.35) */
	if (f->waiver) {
		gv_buf t = GV_BUF_INIT;

		waived_text(&t, f->waiver);
		gv_buf_puts(b, ",\"suppressions\":[{\"kind\":\"external\",\"status\":\"accepted\",");
		jkey(b, "justification", t.ptr);
		gv_buf_puts(b, "}]");
		gv_buf_release(&t);
	}
	gv_buf_putc(b, '}');
}

static void sarif_rules(gv_buf *b, gv_report_ci_state *s)
{
	size_t k;

	for (k = 0; k < s->nrules; k++) {
		const gv_rule *r = s->rules[k].r;
		const char *title = r->title ? r->title : r->id;

		gv_buf_puts(b, k ? ",{" : "{");
		jkey(b, "id", r->id);
		gv_buf_puts(b, ",\"name\":");
		gv_buf_json_cstr(b, r->id);
		gv_buf_puts(b, ",\"shortDescription\":{");
		jkey(b, "text", title);
		gv_buf_puts(b, "},\"fullDescription\":{\"text\":");
		{
			gv_buf t = GV_BUF_INIT;
			gv_buf_printf(&t, "%s (%s, severity %s; policy %s)", title,
				      gv_enforcement_name(r->enforcement),
				      gv_severity_name(s->rules[k].severity), r->policy);
			gv_buf_json_str(b, t.ptr, t.len);
			gv_buf_release(&t);
		}
		gv_buf_puts(b, "},\"help\":{");
		jkey(b, "text", r->remediation ? r->remediation : title);
		gv_buf_printf(b, "},\"defaultConfiguration\":{\"level\":\"%s\"},"
			      "\"properties\":{\"tags\":[\"security\",\"governance\",\"%s\"],"
			      "\"security-severity\":\"%s\",\"precision\":\"very-high\"}}",
			      sarif_level(r->enforcement), gv_severity_name(s->rules[k].severity),
			      security_severity(s->rules[k].severity));
	}
}

static void sarif_head(gv_buf *b, gv_report_ci_state *s, const gv_report_meta *m,
		       const gv_report_ci *o)
{
	size_t i, n = 0;

	gv_buf_printf(b, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
		      "\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{"
		      "\"name\":\"%s\",\"version\":\"%s\",\"semanticVersion\":\"%s\",\"rules\":[",
		      GV_TOOL_NAME, GV_VERSION, GV_VERSION);
	sarif_table(s, m->prog);
	sarif_rules(b, s);
	gv_buf_printf(b, "]}},\"invocations\":[{\"executionSuccessful\":%s,"
		      "\"toolExecutionNotifications\":[", nerrors(o) ? "false" : "true");
	for (i = 0; o->errors && i < o->errors->n; i++) {
		const gv_diag *dg = &o->errors->v[i];
		if (dg->sev != GV_SEV_ERROR)
			continue;
		gv_buf_puts(b, n++ ? ",{" : "{");
		gv_buf_puts(b, "\"level\":\"error\",\"descriptor\":{");
		jkey(b, "id", dg->code ? dg->code : "GV-ERROR");
		gv_buf_puts(b, "},\"message\":{");
		jkey(b, "text", dg->msg);
		gv_buf_putc(b, '}');
		if (dg->file) {
			char *rel = gv_report_relpath(dg->file, o->source_root);
			gv_buf_puts(b, ",\"locations\":[{\"physicalLocation\":{"
				    "\"artifactLocation\":{\"uri\":\"");
			uri(b, rel);
			gv_buf_puts(b, "\"}");
			if (dg->loc.line)
				gv_buf_printf(b, ",\"region\":{\"startLine\":%u,\"startColumn\":%u}",
					      dg->loc.line, pos(dg->loc.col));
			gv_buf_puts(b, "}}]");
			free(rel);
		}
		gv_buf_putc(b, '}');
	}
	gv_buf_puts(b, "]}],\"columnKind\":\"unicodeCodePoints\",\"results\":[");
}

/* --- JUnit XML -------------------------------------------------------- */

static void junit_failure(gv_buf *b, const gv_finding *f)
{
	gv_buf t = GV_BUF_INIT;

	/* the message attribute is what Jenkins and GitLab show first: where, then what */
	gv_buf_printf(&t, "%s:%u:%u: %s", f->file, f->line, f->col, f->message);
	gv_buf_puts(b, "      <failure message=\"");
	gv_xml_text(b, t.ptr);
	gv_buf_clear(&t);
	gv_buf_printf(b, "\" type=\"%s\">", gv_enforcement_name(f->enforcement));
	gv_buf_printf(&t, "%s:%u:%u: %s: %s [%s, %s]", f->file, f->line, f->col,
		      gv_enforcement_name(f->enforcement), f->message, f->rule,
		      gv_severity_name(f->severity));
	if (f->remediation)
		gv_buf_printf(&t, "\nremediation: %s", f->remediation);
	if (f->waiver) {
		gv_buf_putc(&t, '\n');
		waived_text(&t, f->waiver);
	}
	gv_xml_text(b, t.ptr);
	gv_buf_puts(b, "</failure>\n");
	gv_buf_release(&t);
}

/* Whether every finding of the rule of finding j (they are adjacent) is waived. */
static int all_waived(const gv_result *r, uint32_t j)
{
	uint32_t i;

	for (i = j; i < r->nfindings && !strcmp(r->findings[i].rule, r->findings[j].rule) &&
	     !strcmp(r->findings[i].policy, r->findings[j].policy); i++)
		if (!r->findings[i].waiver)
			return 0;
	return 1;
}

/* The totals: tests are the rules evaluated, failures the testcases with
 * findings (st->failures, counted by junit_file). */
static void junit_head(gv_buf *b, gv_report_ci_state *st, const gv_run *run,
		       const gv_report_ci *o)
{
	size_t nerr = nerrors(o);

	gv_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	gv_buf_printf(b, "<testsuites name=\"govgate check\" tests=\"%zu\" failures=\"%zu\" "
		      "errors=\"%zu\">\n", run->rules_evaluated + nerr, st->failures, nerr);
}

static void junit_file(gv_buf *b, gv_report_ci_state *st, const gv_run *run, size_t i,
		       const gv_report_meta *m)
{
	const gv_file_result *fr = gv_run_file(run, i);
	uint32_t k, e, j, nf, ns;

	for (k = 0; k < fr->ndocs; k++) {
		const gv_result *r = &fr->docs[k].r;
		gv_buf name = GV_BUF_INIT;

		/* a rule whose findings are all waived is skipped, not failed */
		for (j = 0, nf = 0, ns = 0; j < r->nfindings; j++)
			if (!j || strcmp(r->findings[j].rule, r->findings[j - 1].rule) ||
			    strcmp(r->findings[j].policy, r->findings[j - 1].policy)) {
				if (all_waived(r, j))
					ns++;
				else
					nf++;
			}
		st->failures += nf;
		gv_buf_puts(&name, fr->path);
		if (fr->ndocs > 1)
			gv_buf_printf(&name, " (document %u)", k);
		gv_buf_puts(b, "  <testsuite name=\"");
		gv_xml_text(b, name.ptr);
		gv_buf_printf(b, "\" tests=\"%u\" failures=\"%u\" errors=\"0\" "
			      "skipped=\"%u\">\n", r->rules_evaluated, nf, ns);
		gv_buf_release(&name);
		/* findings come in the order their rules were evaluated */
		for (e = 0, j = 0; e < r->rules_evaluated; e++) {
			const gv_policy *pol = NULL;
			const gv_rule *rule = rule_at(m->prog, r->evaluated[e], &pol);
			int failed = j < r->nfindings && !strcmp(r->findings[j].rule, rule->id) &&
				     !strcmp(r->findings[j].policy, pol->name);

			gv_buf_puts(b, "    <testcase classname=\"");
			gv_xml_text(b, pol->name);
			gv_buf_puts(b, "\" name=\"");
			gv_xml_text(b, rule->id);
			gv_buf_puts(b, "\" file=\"");
			gv_xml_text(b, fr->path);
			gv_buf_puts(b, failed ? "\">\n" : "\"/>\n");
			if (!failed)
				continue;
			if (all_waived(r, j)) {
				gv_buf t = GV_BUF_INIT;

				waived_text(&t, r->findings[j].waiver);
				gv_buf_puts(b, "      <skipped message=\"");
				gv_xml_text(b, t.ptr);
				gv_buf_puts(b, "\"/>\n");
				gv_buf_release(&t);
				for (; j < r->nfindings && !strcmp(r->findings[j].rule, rule->id) &&
				       !strcmp(r->findings[j].policy, pol->name); j++)
					;
				gv_buf_puts(b, "    </testcase>\n");
				continue;
			}
			for (; j < r->nfindings && !strcmp(r->findings[j].rule, rule->id) &&
			       !strcmp(r->findings[j].policy, pol->name); j++)
				junit_failure(b, &r->findings[j]);
			gv_buf_puts(b, "    </testcase>\n");
		}
		gv_buf_puts(b, "  </testsuite>\n");
	}
}

static void junit_tail(gv_buf *b, const gv_report_ci *o)
{
	size_t i, nerr = nerrors(o);

	if (nerr) {
		gv_buf_printf(b, "  <testsuite name=\"input errors\" tests=\"%zu\" failures=\"0\" "
			      "errors=\"%zu\" skipped=\"0\">\n", nerr, nerr);
		for (i = 0; i < o->errors->n; i++) {
			const gv_diag *dg = &o->errors->v[i];
			gv_buf t = GV_BUF_INIT;
			if (dg->sev != GV_SEV_ERROR)
				continue;
			gv_buf_printf(&t, "%s:%u:%u: error: %s [%s]", dg->file ? dg->file : "govgate",
				      dg->loc.line, dg->loc.col, dg->msg, dg->code ? dg->code : "");
			gv_buf_puts(b, "    <testcase classname=\"input\" name=\"");
			gv_xml_text(b, dg->file ? dg->file : "govgate");
			gv_buf_puts(b, "\">\n      <error message=\"");
			gv_xml_text(b, dg->msg);
			gv_buf_puts(b, "\" type=\"");
			gv_xml_text(b, dg->code ? dg->code : "error");
			gv_buf_puts(b, "\">");
			gv_xml_text(b, t.ptr);
			gv_buf_puts(b, "</error>\n    </testcase>\n");
			gv_buf_release(&t);
		}
		gv_buf_puts(b, "  </testsuite>\n");
	}
	gv_buf_puts(b, "</testsuites>\n");
}

/* --- GitHub Actions workflow commands --------------------------------- */

/* As @actions/core escapes them: the message's '%', CR and LF; a
 * property's also ':' and ','. */
static void gh_escape(gv_buf *b, const char *s, int property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%': gv_buf_puts(b, "%25"); break;
		case '\r': gv_buf_puts(b, "%0D"); break;
		case '\n': gv_buf_puts(b, "%0A"); break;
		case ':':
			gv_buf_puts(b, property ? "%3A" : ":");
			break;
		case ',':
			gv_buf_puts(b, property ? "%2C" : ",");
			break;
		default: gv_buf_putc(b, *s);
		}
	}
}

static void github_finding(gv_buf *b, gv_report_ci_state *st, const gv_finding *f,
			   const char *rel)
{
	gv_buf t = GV_BUF_INIT;

	gv_buf_printf(b, "::%s file=", f->waiver ? "notice" : github_command(f->enforcement));
	gh_escape(b, rel, 1);
	gv_buf_printf(b, ",line=%u,col=%u,title=", pos(f->line), pos(f->col));
	gh_escape(b, f->rule, 1);
	gv_buf_puts(b, "::");
	gv_buf_printf(&t, "%s (%s, %s; policy %s)", f->message,
		      gv_enforcement_name(f->enforcement), gv_severity_name(f->severity),
		      f->policy);
	if (f->remediation)
		gv_buf_printf(&t, "\nremediation: %s", f->remediation);
	if (f->waiver) {
		gv_buf_putc(&t, '\n');
		waived_text(&t, f->waiver);
	}
	gh_escape(b, t.ptr, 0);
	gv_buf_putc(b, '\n');
	gv_buf_release(&t);
}

/* Input errors first. */
static void github_head(gv_buf *b, const gv_report_ci *o)
{
	size_t i;

	for (i = 0; o->errors && i < o->errors->n; i++) {
		const gv_diag *dg = &o->errors->v[i];
		if (dg->sev != GV_SEV_ERROR)
			continue;
		gv_buf_puts(b, "::error ");
		if (dg->file) {
			char *rel = gv_report_relpath(dg->file, o->source_root);
			gv_buf_puts(b, "file=");
			gh_escape(b, rel, 1);
			if (dg->loc.line)
				gv_buf_printf(b, ",line=%u,col=%u", dg->loc.line, pos(dg->loc.col));
			gv_buf_putc(b, ',');
			free(rel);
		}
		gv_buf_puts(b, "title=");
		gh_escape(b, dg->code ? dg->code : "error", 1);
		gv_buf_puts(b, "::");
		gh_escape(b, dg->msg, 0);
		gv_buf_putc(b, '\n');
	}
}

/* --- GitLab Code Quality ---------------------------------------------- */

static void gitlab_finding(gv_buf *b, gv_report_ci_state *st, const gv_finding *f,
			   const char *rel)
{
	char fp[65];

	gv_report_fingerprint(fp, f, rel);
	gv_buf_puts(b, st->n ? ",{" : "{");
	if (f->waiver) {
		gv_buf t = GV_BUF_INIT;

		gv_buf_printf(&t, "%s (", f->message);
		waived_text(&t, f->waiver);
		gv_buf_putc(&t, ')');
		jkey(b, "description", t.ptr);
		gv_buf_release(&t);
	} else {
		jkey(b, "description", f->message);
	}
	gv_buf_putc(b, ',');
	jkey(b, "check_name", f->rule);
	gv_buf_printf(b, ",\"fingerprint\":\"%s\",\"severity\":\"%s\",\"type\":\"issue\","
		      "\"categories\":[\"Security\"],\"location\":{", fp,
		      f->waiver ? "info" : gitlab_severity(f->severity));
	jkey(b, "path", rel);
	gv_buf_printf(b, ",\"lines\":{\"begin\":%u}}}", pos(f->line));
}

/* --- the parts, and whole runs --------------------------------------- */

void gv_report_ci_head(gv_buf *out, gv_report_ci_state *st, int fmt, const gv_run *run,
		       const gv_report_meta *m, const gv_report_ci *o)
{
	switch (fmt) {
	case GV_FMT_SARIF: sarif_head(out, st, m, o); break;
	case GV_FMT_JUNIT: junit_head(out, st, run, o); break;
	case GV_FMT_GITHUB: github_head(out, o); break;
	case GV_FMT_GITLAB: gv_buf_putc(out, '['); break;
	}
}

void gv_report_ci_file(gv_buf *out, gv_report_ci_state *st, int fmt, const gv_run *run,
		       size_t i, const gv_report_meta *m, const gv_report_ci *o)
{
	switch (fmt) {
	case GV_FMT_SARIF:
		sarif_table(st, m->prog);
		each_finding(out, st, run, i, o, sarif_result);
		break;
	case GV_FMT_JUNIT: junit_file(out, st, run, i, m); break;
	case GV_FMT_GITHUB: each_finding(out, st, run, i, o, github_finding); break;
	case GV_FMT_GITLAB: each_finding(out, st, run, i, o, gitlab_finding); break;
	}
}

void gv_report_ci_tail(gv_buf *out, gv_report_ci_state *st, int fmt, const gv_run *run,
		       const gv_report_meta *m, const gv_report_ci *o)
{
	switch (fmt) {
	case GV_FMT_SARIF: gv_buf_puts(out, "]}]}\n"); break;
	case GV_FMT_JUNIT: junit_tail(out, o); break;
	case GV_FMT_GITLAB: gv_buf_puts(out, "]\n"); break;
	}
}

void gv_report_ci_state_release(gv_report_ci_state *st)
{
	free(st->rules);
	memset(st, 0, sizeof(*st));
}

static void whole(gv_buf *out, int fmt, const gv_run *run, const gv_report_meta *m,
		  const gv_report_ci *o)
{
	gv_report_ci_state st = GV_REPORT_CI_STATE_INIT;
	gv_buf files = GV_BUF_INIT;
	size_t i;

	for (i = 0; i < run->nfiles; i++)
		gv_report_ci_file(&files, &st, fmt, run, i, m, o);
	gv_report_ci_head(out, &st, fmt, run, m, o);
	gv_buf_add(out, files.ptr, files.len);
	gv_report_ci_tail(out, &st, fmt, run, m, o);
	gv_buf_release(&files);
	gv_report_ci_state_release(&st);
}

void gv_report_sarif(gv_buf *out, const gv_run *run, const gv_report_meta *m,
		     const gv_report_ci *o)
{
	whole(out, GV_FMT_SARIF, run, m, o);
}

void gv_report_junit(gv_buf *out, const gv_run *run, const gv_report_meta *m,
		     const gv_report_ci *o)
{
	whole(out, GV_FMT_JUNIT, run, m, o);
}

void gv_report_github(gv_buf *out, const gv_run *run, const gv_report_meta *m,
		      const gv_report_ci *o)
{
	whole(out, GV_FMT_GITHUB, run, m, o);
}

void gv_report_gitlab(gv_buf *out, const gv_run *run, const gv_report_meta *m,
		      const gv_report_ci *o)
{
	whole(out, GV_FMT_GITLAB, run, m, o);
}

void gv_report_format(gv_buf *out, int fmt, const gv_run *run, const gv_report_meta *m,
		      const gv_report_ci *o)
{
	switch (fmt) {
	case GV_FMT_TEXT: gv_report_text(out, run, 0); break;
	case GV_FMT_JSON: gv_report_json(out, run, m); break;
	case GV_FMT_SARIF: gv_report_sarif(out, run, m, o); break;
	case GV_FMT_JUNIT: gv_report_junit(out, run, m, o); break;
	case GV_FMT_GITHUB: gv_report_github(out, run, m, o); break;
	case GV_FMT_GITLAB: gv_report_gitlab(out, run, m, o); break;
	}
}
