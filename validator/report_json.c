/* report_json.c: the JSON report (schema in the README, "JSON output"). */
#include "report.h"
#include "digest.h"
#include "gv.h"

#include <string.h>

const char *gv_decision_name(int decision)
{
	return gv_enforcement_name(decision);
}

typedef struct jw {
	gv_buf *b;
	int pretty, depth, first;
} jw;

static void nl(jw *w)
{
	int i;

	if (!w->pretty)
		return;
	gv_buf_putc(w->b, '\n');
	for (i = 0; i < w->depth; i++)
		gv_buf_puts(w->b, "  ");
}

static void key(jw *w, const char *k)
{
	if (!w->first)
		gv_buf_putc(w->b, ',');
	w->first = 0;
	nl(w);
	gv_buf_json_str(w->b, k, strlen(k));
	gv_buf_puts(w->b, w->pretty ? ": " : ":");
}

static void open_(jw *w, char c)
{
	gv_buf_putc(w->b, c);
	w->depth++;
	w->first = 1;
}

static void close_(jw *w, char c)
{
	w->depth--;
	if (!w->first)
		nl(w);
	gv_buf_putc(w->b, c);
	w->first = 0;
}

static void item(jw *w)
{
	if (!w->first)
		gv_buf_putc(w->b, ',');
	w->first = 0;
	nl(w);
}

static void str(jw *w, const char *s)
{
	if (s)
		gv_buf_json_str(w->b, s, strlen(s));
	else
		gv_buf_puts(w->b, "null");
}

static void kstr(jw *w, const char *k, const char *s)
{
	key(w, k);
	str(w, s);
}

static void knum(jw *w, const char *k, unsigned long long n)
{
	key(w, k);
	gv_buf_printf(w->b, "%llu", n);
}

static void kdigest(jw *w, const char *k, const unsigned char d[32])
{
	char hex[65];

	gv_hex(hex, d, 32);
	key(w, k);
	open_(w, '{');
	kstr(w, "sha256", hex);
	close_(w, '}');
}

static void facts(jw *w, const char *k, const gv_file *f)
{
	key(w, k);
	if (!f) {
		gv_buf_puts(w->b, "null");
		return;
	}
	open_(w, '{');
	kstr(w, "file", f->path);
	kdigest(w, "digest", f->sha256);
	close_(w, '}');
}

void gv_report_json(gv_buf *out, const gv_run *run, const gv_report_meta *m, int pretty)
{
	jw w = { out, pretty, 0, 1 };
	size_t i;
	uint32_t k, j;
	int e;

	open_(&w, '{');
	key(&w, "tool");
	open_(&w, '{');
	kstr(&w, "name", GV_TOOL_NAME);
	kstr(&w, "version", GV_VERSION);
	close_(&w, '}');
	kstr(&w, "decision", gv_decision_name(run->decision));
	kdigest(&w, "policy_digest", m->prog->digest);
	key(&w, "facts");
	open_(&w, '{');
	facts(&w, "cloud", m->cloud);
	facts(&w, "onprem", m->onprem);
	close_(&w, '}');
	key(&w, "counts");
	open_(&w, '{');
	knum(&w, "files", run->nfiles);
	knum(&w, "manifests", run->ndocs);
	knum(&w, "policies", m->prog->npolicies);
	knum(&w, "rules_evaluated", run->rules_evaluated);
	knum(&w, "findings", run->nfindings);
	key(&w, "by_enforcement");
	open_(&w, '{');
	for (e = GV_ENF_BLOCK; e >= GV_ENF_INFO; e--)
		knum(&w, gv_enforcement_name(e), run->by_enf[e]);
	close_(&w, '}');
	close_(&w, '}');

	key(&w, "manifests");
	open_(&w, '[');
	for (i = 0; i < run->nfiles; i++) {
		const gv_file_result *fr = &run->files[i];
		char hex[65];
		gv_hex(hex, fr->sha256, 32);
		for (k = 0; k < fr->ndocs; k++) {
			const gv_result *r = &fr->docs[k].r;
			item(&w);
			open_(&w, '{');
			kstr(&w, "file", fr->path);
			knum(&w, "document", k);
			key(&w, "digest");
			open_(&w, '{');
			kstr(&w, "sha256", hex);
			close_(&w, '}');
			kstr(&w, "deployment_id", r->deployment_id);
			kstr(&w, "decision", gv_decision_name(r->decision));
			knum(&w, "policies_applied", r->policies_applied);
			knum(&w, "rules_evaluated", r->rules_evaluated);
			knum(&w, "findings", r->nfindings);
			close_(&w, '}');
		}
	}
	close_(&w, ']');

	key(&w, "findings");
	open_(&w, '[');
	for (i = 0; i < run->nfiles; i++)
		for (k = 0; k < run->files[i].ndocs; k++) {
			const gv_result *r = &run->files[i].docs[k].r;
			for (j = 0; j < r->nfindings; j++) {
				const gv_finding *f = &r->findings[j];
				item(&w);
				open_(&w, '{');
				kstr(&w, "policy", f->policy);
				kstr(&w, "rule", f->rule);
				kstr(&w, "title", f->title);
				kstr(&w, "enforcement", gv_enforcement_name(f->enforcement));
				kstr(&w, "severity", gv_severity_name(f->severity));
				kstr(&w, "message", f->message);
				kstr(&w, "path", f->path);
				kstr(&w, "file", f->file);
				knum(&w, "line", f->line);
				knum(&w, "column", f->col);
				kstr(&w, "manifest", run->files[i].path);
				knum(&w, "document", f->doc);
				kstr(&w, "actual", f->missing ? NULL : f->actual);
				kstr(&w, "expected", f->expected);
				key(&w, "missing");
				gv_buf_puts(w.b, f->missing ? "true" : "false");
				kstr(&w, "remediation", f->remediation);
				close_(&w, '}');
			}
		}
	close_(&w, ']');
	close_(&w, '}');
	gv_buf_putc(out, '\n');
}
