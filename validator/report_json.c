/*
 * report_json.c: the JSON report (schema in the README, "JSON output").
 *
 * The report is written in three parts so that a run over many files can
 * stream it: the head (tool, decision, digests, counts), then one entry per
 * manifest document, then one entry per finding. gv_report_json() puts the
 * parts of a whole run together; `check` streams them through temporary
 * files instead (cmd_check.c).
 */
#include "report.h"
#include "governance.h"
#include "digest.h"
#include "gv.h"
#include "bundle.h"
#include "waiver.h"

#include <string.h>

const char *gv_decision_name(int decision)
{
	return gv_enforcement_name(decision);
}

static void kstr(gv_buf *b, const char *k, const char *s)
{
	gv_buf_printf(b, ",\"%s\":", k);
	gv_buf_json_cstr(b, s);
}

static void digest(gv_buf *b, const unsigned char d[32])
{
	char hex[65];

	gv_hex(hex, d, 32);
	gv_buf_printf(b, "{\"sha256\":\"%s\"}", hex);
}

static void facts(gv_buf *b, const gv_file *f)
{
	if (!f) {
		gv_buf_puts(b, "null");
		return;
	}
	gv_buf_puts(b, "{\"file\":");
	gv_buf_json_cstr(b, f->path);
	gv_buf_puts(b, ",\"digest\":");
	digest(b, f->sha256);
	gv_buf_putc(b, '}');
}

void gv_report_json_head(gv_buf *b, const gv_run *run, const gv_report_meta *m)
{
	int e;

	gv_buf_printf(b, "{\"tool\":{\"name\":\"%s\",\"version\":\"%s\"},\"decision\":\"%s\","
		      "\"policy_digest\":", GV_TOOL_NAME, GV_VERSION,
		      gv_decision_name(run->decision));
	digest(b, m->prog->digest);
	gv_buf_puts(b, ",\"facts\":{\"cloud\":");
	facts(b, m->cloud);
	gv_buf_puts(b, ",\"onprem\":");
	facts(b, m->onprem);
	gv_buf_printf(b, "},\"counts\":{\"files\":%zu,\"manifests\":%zu,\"policies\":%u,"
		      "\"rules_evaluated\":%zu,\"findings\":%zu,\"by_enforcement\":{",
		      run->nfiles, run->ndocs, m->prog->npolicies, run->rules_evaluated,
		      run->nfindings);
	for (e = GV_ENF_BLOCK; e >= GV_ENF_INFO; e--)
		gv_buf_printf(b, "%s\"%s\":%zu", e == GV_ENF_BLOCK ? "" : ",",
			      gv_enforcement_name(e), run->by_enf[e]);
	gv_buf_putc(b, '}');
	/* governance inputs, only in a run that has them (docs/GOVERNANCE.md) */
	if (run->waivers)
		gv_buf_printf(b, ",\"waived\":%zu", run->nwaived);
	gv_buf_putc(b, '}');
	if (run->waivers) {
		gv_buf_puts(b, ",\"waivers\":");
		gv_waivers_json(b, run->waivers);
	}
	if (run->bundles) {
		gv_buf_puts(b, ",\"policy_bundles\":");
		gv_bundles_json(b, run->bundles);
	}
	/* only runs with approvals or a policy that requires them (governance.h) */
	if (run->gov && run->gov->reported)
		gv_governance_json(b, run->gov);
	gv_buf_puts(b, ",\"manifests\":[");
}

void gv_report_json_file(gv_buf *manifests, gv_buf *findings, const gv_run *run, size_t i,
			 size_t *nman, size_t *nfind)
{
	const gv_file_result *fr = gv_run_file(run, i);
	char hex[65];
	uint32_t k, j;

	gv_hex(hex, fr->sha256, 32);
	for (k = 0; k < fr->ndocs; k++) {
		const gv_result *r = &fr->docs[k].r;

		gv_buf_puts(manifests, (*nman)++ ? ",{\"file\":" : "{\"file\":");
		gv_buf_json_cstr(manifests, fr->path);
		gv_buf_printf(manifests, ",\"document\":%u,\"digest\":{\"sha256\":\"%s\"}", k, hex);
		kstr(manifests, "deployment_id", r->deployment_id);
		gv_buf_printf(manifests, ",\"decision\":\"%s\",\"policies_applied\":%u,"
			      "\"rules_evaluated\":%u,\"findings\":%zu}",
			      r->policies_applied ? gv_decision_name(r->decision) : "not_applicable",
			      r->policies_applied,
			      r->rules_evaluated, r->nfindings);
		for (j = 0; j < r->nfindings; j++) {
			const gv_finding *f = &r->findings[j];

			gv_buf_puts(findings, (*nfind)++ ? ",{\"policy\":" : "{\"policy\":");
			gv_buf_json_cstr(findings, f->policy);
			kstr(findings, "rule", f->rule);
			kstr(findings, "title", f->title);
			kstr(findings, "enforcement", gv_enforcement_name(f->enforcement));
			kstr(findings, "severity", gv_severity_name(f->severity));
			kstr(findings, "message", f->message);
			kstr(findings, "path", f->path);
			kstr(findings, "file", f->file);
			gv_buf_printf(findings, ",\"line\":%u,\"column\":%u", f->line, f->col);
			kstr(findings, "manifest", fr->path);
			gv_buf_printf(findings, ",\"document\":%u", f->doc);
			kstr(findings, "actual", f->missing ? NULL : f->actual);
			kstr(findings, "expected", f->expected);
			gv_buf_printf(findings, ",\"missing\":%s", f->missing ? "true" : "false");
			kstr(findings, "remediation", f->remediation);
			if (f->waiver) {
				gv_buf_puts(findings, ",\"waiver\":");
				gv_waiver_finding_json(findings, f->waiver);
			}
			gv_buf_putc(findings, '}');
		}
	}
}

void gv_report_json_errors(gv_buf *out, const gv_diags *d)
{
	size_t i, n = 0;

	gv_buf_puts(out, GV_REPORT_JSON_ERRORS);
	for (i = 0; d && i < d->n; i++) {
		const gv_diag *g = &d->v[i];

		if (g->sev != GV_SEV_ERROR)
			continue;
		gv_buf_puts(out, n++ ? ",{\"file\":" : "{\"file\":");
		gv_buf_json_cstr(out, g->loc.file);
		if (g->loc.line)
			gv_buf_printf(out, ",\"line\":%u,\"column\":%u", g->loc.line, g->loc.col);
		else
			gv_buf_puts(out, ",\"line\":null,\"column\":null");
		kstr(out, "code", g->code);
		kstr(out, "message", g->msg);
		gv_buf_putc(out, '}');
	}
}

void gv_report_json(gv_buf *out, const gv_run *run, const gv_report_meta *m)
{
	gv_buf findings = GV_BUF_INIT;
	size_t i, nman = 0, nfind = 0;

	gv_report_json_head(out, run, m);
	for (i = 0; i < run->nfiles; i++)
		gv_report_json_file(out, &findings, run, i, &nman, &nfind);
	gv_buf_puts(out, GV_REPORT_JSON_MIDDLE);
	gv_buf_add(out, findings.ptr, findings.len);
	gv_report_json_errors(out, NULL);
	gv_buf_puts(out, GV_REPORT_JSON_END);
	gv_buf_release(&findings);
}
