/* approval.c: writes signed approvals (approval.h); governance.c reads them. */
#include "approval.h"
#include "digest.h"
#include "dsse.h"
#include "gv.h"
#include "rfc3339.h"
#include "statement.h"
#include "trust.h"

#include <string.h>

#define MAX_COMMENT 4096
#define MAX_ID 256

void gv_approval_statement(gv_buf *b, const gv_approval_req *r)
{
	char hex[65], when[GV_TIME_LEN + 1], until[GV_TIME_LEN + 1];

	gv_hex(hex, r->sha256, 32);
	gv_time_format(when, r->time);
	gv_buf_puts(b, "{\"_type\":\"" GV_STATEMENT_TYPE "\",\"subject\":[{\"name\":");
	gv_buf_json_cstr(b, r->manifest);
	gv_buf_printf(b, ",\"digest\":{\"sha256\":\"%s\"}}],\"predicateType\":\""
		      GV_PREDICATE_APPROVAL "\",\"predicate\":{\"role\":", hex);
	gv_buf_json_cstr(b, r->role);
	gv_buf_puts(b, ",\"deployment_id\":");
	gv_buf_json_cstr(b, r->deployment_id);
	gv_buf_printf(b, ",\"time\":\"%s\",\"expires\":", when);
	if (r->expires_in > 0) {
		gv_time_format(until, r->time + (time_t)r->expires_in);
		gv_buf_printf(b, "\"%s\"", until);
	} else {
		gv_buf_puts(b, "null");
	}
	gv_buf_puts(b, ",\"comment\":");
	gv_buf_json_cstr(b, r->comment);
	gv_buf_printf(b, ",\"tool\":{\"name\":\"%s\",\"version\":\"%s\"}}}", GV_TOOL_NAME,
		      GV_VERSION);
}

int gv_approval_sign(gv_buf *out, const gv_approval_req *r, const gv_key *k, gv_diags *d)
{
	gv_buf st = GV_BUF_INIT;
	int err;

	if (!gv_role_parse(r->role))
		return gv_error(d, "GV-A001", NULL, "unknown role '%s' (expected one of %s)",
				r->role, GV_ROLE_NAMES);
	if (r->deployment_id && (!*r->deployment_id || strlen(r->deployment_id) > MAX_ID))
		return gv_error(d, "GV-A001", NULL, "a deployment id is 1 to %d bytes", MAX_ID);
	if (r->comment && strlen(r->comment) > MAX_COMMENT)
		return gv_error(d, "GV-A001", NULL, "a comment is at most %d bytes", MAX_COMMENT);
	gv_approval_statement(&st, r);
	err = gv_report_sign_envelope(out, st.ptr, st.len, k);
	gv_buf_release(&st);
	if (err < 0)
		return gv_error(d, "GV-A002", NULL, "cannot sign: the key is not a private key");
	return GV_OK;
}
