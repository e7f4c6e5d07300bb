/* report_text.c: findings as compiler-style lines, then a summary. */
#include "report.h"
#include "governance.h"
#include "gv.h"
#include "waiver.h"

static const char *enf_color(int e)
{
	switch (e) {
	case GV_ENF_BLOCK:
	case GV_ENF_HALT:
		return "\033[1;31m";
	case GV_ENF_ESCALATE:
		return "\033[1;33m";
	case GV_ENF_WARN:
		return "\033[1;35m";
	default:
		return "\033[1;36m";
	}
}

void gv_report_text_file(gv_buf *out, const gv_run *run, size_t i, int color)
{
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
	const gv_file_result *fr = gv_run_file(run, i);
	uint32_t k, j;

	for (k = 0; k < fr->ndocs; k++) {
		const gv_result *r = &fr->docs[k].r;
		for (j = 0; j < r->nfindings; j++) {
			const gv_finding *f = &r->findings[j];
			gv_buf_printf(out, "%s%s:%u:%u:%s %s%s%s [%s] %s: %s (policy %s)\n",
				      bold, f->file, f->line, f->col, reset,
				      color ? enf_color(f->enforcement) : "",
				      gv_enforcement_name(f->enforcement), reset,
				      gv_severity_name(f->severity), f->rule, f->message, f->policy);
			if (f->remediation)
				gv_buf_printf(out, "    remediation: %s\n", f->remediation);
			if (f->waiver)
				gv_buf_printf(out, "    waived: %s (ticket %s, signed by %s, expires %s)\n",
					      f->waiver->name, f->waiver->ticket, f->waiver->signer,
					      f->waiver->expires);
		}
	}
}

void gv_report_text_summary(gv_buf *out, const gv_run *run, int color)
{
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
	int e, any = 0;
	size_t i;

	if (run->gov && run->gov->reported)
		gv_governance_text(out, run->gov);
	for (i = 0; run->waivers && i < run->waivers->n; i++) {
		const gv_waiver *x = &run->waivers->v[i];
		int st = gv_waiver_outcome(x);

		if (st == GV_WAIVER_APPLIED)
			gv_buf_printf(out, "waiver %s: applied to %zu finding%s of %s/%s\n", x->name,
				      x->applied, x->applied == 1 ? "" : "s", x->policy, x->rule);
		else if (st == GV_WAIVER_UNUSED)
			gv_buf_printf(out, "waiver %s: unused: it matched no finding of %s/%s\n",
				      x->name, x->policy, x->rule);
		else
			gv_buf_printf(out, "waiver %s: not applied: %s (%s/%s)\n", x->name,
				      gv_waiver_status_name(st), x->policy, x->rule);
	}
	gv_buf_printf(out, "%sdecision: %s%s%s — %zu manifest%s, %zu rule%s evaluated, %zu finding%s",
		      bold, color ? enf_color(run->decision) : "", gv_decision_name(run->decision),
		      reset, run->ndocs, run->ndocs == 1 ? "" : "s", run->rules_evaluated,
		      run->rules_evaluated == 1 ? "" : "s", run->nfindings,
		      run->nfindings == 1 ? "" : "s");
	for (e = GV_ENF_BLOCK; e >= GV_ENF_INFO; e--)
		if (run->by_enf[e]) {
			gv_buf_printf(out, "%s%s %zu", any ? ", " : " (", gv_enforcement_name(e),
				      run->by_enf[e]);
			any = 1;
		}
	if (any)
		gv_buf_putc(out, ')');
	if (run->nwaived)
		gv_buf_printf(out, ", %zu waived", run->nwaived);
	if (run->not_applicable)
		gv_buf_printf(out, ", %zu not applicable", run->not_applicable);
	if (run->input_errors)
		gv_buf_printf(out, ", %zu input error%s", run->input_errors,
			      run->input_errors == 1 ? "" : "s");
	gv_buf_putc(out, '\n');
}

void gv_report_text(gv_buf *out, const gv_run *run, int color)
{
	size_t i;

	for (i = 0; i < run->nfiles; i++)
		gv_report_text_file(out, run, i, color);
	gv_report_text_summary(out, run, color);
}
