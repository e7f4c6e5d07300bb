#include "receipt.h"
#include "digest.h"
#include "dsse.h"
#include "gv.h"
#include "statement.h"

#include <string.h>

static void field(gv_buf *b, const char *k, const char *v, int first)
{
	if (!first)
		gv_buf_putc(b, ',');
	gv_buf_json_str(b, k, strlen(k));
	gv_buf_putc(b, ':');
	if (v)
		gv_buf_json_str(b, v, strlen(v));
	else
		gv_buf_puts(b, "null");
}

static void sha(gv_buf *b, const unsigned char *d)
{
	char hex[65];

	gv_hex(hex, d, 32);
	gv_buf_json_str(b, hex, 64);
}

void gv_receipt_json(gv_buf *b, const gv_receipt *r)
{
	size_t i;

	gv_buf_putc(b, '{');
	field(b, "deployment_id", r->deployment_id, 1);
	field(b, "mode", r->mode, 0);
	field(b, "cloud_region", r->cloud_region, 0);
	field(b, "on_prem", r->on_prem, 0);
	field(b, "status", r->status, 0);
	field(b, "decision", r->decision, 0);
	field(b, "started_at", r->started_at, 0);
	field(b, "ended_at", r->ended_at, 0);
	if (r->log_seq >= 0)
		gv_buf_printf(b, ",\"log_seq\":%lld", (long long)r->log_seq);
	else
		gv_buf_puts(b, ",\"log_seq\":null");
	gv_buf_puts(b, ",\"manifest\":");
	if (r->manifest_file) {
		gv_buf_putc(b, '{');
		field(b, "file", r->manifest_file, 1);
		gv_buf_printf(b, ",\"document\":%u,\"sha256\":", r->document);
		if (r->manifest_sha256)
			sha(b, r->manifest_sha256);
		else
			gv_buf_puts(b, "null");
		gv_buf_putc(b, '}');
	} else {
		gv_buf_puts(b, "null");
	}
	gv_buf_puts(b, ",\"report\":");
	if (r->report_sha256) {
		gv_buf_putc(b, '{');
		field(b, "file", r->report_file, 1);
		gv_buf_puts(b, ",\"sha256\":");
		sha(b, r->report_sha256);
		gv_buf_putc(b, '}');
	} else {
		gv_buf_puts(b, "null");
	}
	gv_buf_puts(b, ",\"checkpoint\":");
	if (r->origin) {
		gv_buf_putc(b, '{');
		field(b, "origin", r->origin, 1);
		gv_buf_printf(b, ",\"size\":%llu", (unsigned long long)r->checkpoint_size);
		field(b, "root", r->checkpoint_root, 0);
		gv_buf_putc(b, '}');
	} else {
		gv_buf_puts(b, "null");
	}
	gv_buf_puts(b, ",\"steps_run\":");
	if (r->steps_run) {
		gv_buf_putc(b, '[');
		for (i = 0; i < r->nsteps; i++) {
			if (i)
				gv_buf_putc(b, ',');
			gv_buf_json_str(b, r->steps_run[i], strlen(r->steps_run[i]));
		}
		gv_buf_putc(b, ']');
	} else {
		gv_buf_puts(b, "null");
	}
	gv_buf_putc(b, '}');
}

int gv_receipt_sign(gv_buf *out, const char *json, size_t len, const char *subject,
		    const unsigned char subject_sha256[32], const gv_key *k)
{
	gv_buf st = GV_BUF_INIT;
	int err;

	gv_buf_puts(&st, "{\"_type\":\"" GV_STATEMENT_TYPE "\",\"subject\":[{\"name\":");
	gv_buf_json_str(&st, subject, strlen(subject));
	gv_buf_puts(&st, ",\"digest\":{\"sha256\":");
	sha(&st, subject_sha256);
	gv_buf_puts(&st, "}}],\"predicateType\":\"" GV_PREDICATE_RECEIPT "\",\"predicate\":");
	gv_buf_add(&st, json, len);
	gv_buf_putc(&st, '}');
	err = gv_dsse_sign(out, GV_DSSE_INTOTO_TYPE, st.ptr, st.len, k);
	gv_buf_release(&st);
	return err;
}
