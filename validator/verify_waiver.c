/*
 * verify_waiver.c: `govgate verify` on a signed waiver (verify_waiver.h).
 * The signature is checked under the verifier's key with gv_dsse_open, as
 * for every other kind of evidence (the same messages); the payload is
 * parsed with gv_waiver_parse, as check and deploy parse it.
 */
#include "verify_waiver.h"
#include "dsse.h"
#include "gv.h"
#include "json_parse.h"
#include "rfc3339.h"
#include "waiver.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Reads and opens the envelope under k: the payload and its type. */
static int open_envelope(gv_buf *payload, char **type, const char *path, const gv_key *k,
			 gv_diags *d)
{
	gv_buf env = GV_BUF_INIT;
	int err = gv_buf_read_file(&env, path, GV_DSSE_MAX_BYTES);

	if (err == GV_ELIMIT) {
		gv_error(d, "GV-E001", path, "not a signed waiver: larger than %zu bytes",
			 (size_t)GV_DSSE_MAX_BYTES);
		err = GV_EPARSE;
	} else if (err < 0) {
		gv_error(d, "GV-E001", path, "cannot read: %s", strerror(errno));
		err = GV_EIO;
	} else {
		err = gv_dsse_open(payload, type, path, env.ptr, env.len, k, d);
	}
	gv_buf_release(&env);
	return err;
}

bool gv_verify_is_waiver(const char *path)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf env = GV_BUF_INIT;
	gv_limits lim = { 0 };
	gv_file *f = NULL;
	const gv_node *t;
	bool yes = false;

	lim.max_bytes = GV_DSSE_MAX_BYTES;
	lim.max_depth = 8;
	lim.max_nodes = 100000;
	if (gv_buf_read_file(&env, path, GV_DSSE_MAX_BYTES) == GV_OK &&
	    gv_json_parse(&f, path, env.ptr, env.len, &lim, &d) == GV_OK) {
		t = f->docs[0]->kind == GV_NODE_MAP ? gv_node_get(f->docs[0], "payloadType") : NULL;
		yes = t && t->kind == GV_NODE_STR && !strcmp(t->s, GV_WAIVER_PAYLOAD_TYPE);
	}
	gv_file_free(f);
	gv_buf_release(&env);
	gv_diags_release(&d);
	return yes;
}

/* Appends untrusted text on one line: control bytes become \xNN. */
static void put_clean(gv_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\')
			gv_buf_puts(b, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			gv_buf_printf(b, "\\x%02x", c);
		else
			gv_buf_putc(b, (char)c);
	}
}

static void put_kv(gv_buf *b, const char *k, const char *v)
{
	if (!v)
		return;
	gv_buf_printf(b, " %s=", k);
	put_clean(b, v);
}

/* "compliance-officer, security-admin": the roles of a mask. */
static void put_roles(gv_buf *b, unsigned mask)
{
	unsigned bit;
	int first = 1;

	for (bit = 1; bit & GV_ROLE_ALL; bit <<= 1) {
		if (!(mask & bit))
			continue;
		gv_buf_printf(b, "%s%s", first ? "" : ", ", gv_role_name(bit));
		first = 0;
	}
}

/* Whether the signer counts as a waiver approver under the trust file, in
 * the report's words (untrusted-key, role-not-held). */
static void put_trust(gv_buf *b, const gv_trust *t, const char *keyid)
{
	const gv_trust_key *tk = gv_trust_find(t, keyid);

	gv_buf_puts(b, "trust: ");
	if (!tk) {
		gv_buf_printf(b, "untrusted-key: key %s is not in the trust file '", keyid);
		put_clean(b, t->name ? t->name : "");
		gv_buf_puts(b, "': the waiver would not apply\n");
		return;
	}
	if (!(tk->roles & t->waiver_approvers)) {
		gv_buf_puts(b, "role-not-held: '");
		put_clean(b, tk->name);
		gv_buf_puts(b, "' holds ");
		put_roles(b, tk->roles);
		if (t->waiver_approvers) {
			gv_buf_puts(b, ", no waiver_approvers role (");
			put_roles(b, t->waiver_approvers);
			gv_buf_puts(b, ")");
		} else {
			gv_buf_puts(b, "; the trust file names no waiver_approvers");
		}
		gv_buf_puts(b, ": the waiver would not apply\n");
		return;
	}
	gv_buf_puts(b, "approver: '");
	put_clean(b, tk->name);
	gv_buf_puts(b, "' holds ");
	put_roles(b, tk->roles & t->waiver_approvers);
	gv_buf_puts(b, ", a waiver_approvers role\n");
}

int gv_verify_waiver(gv_buf *out, const char *path, const gv_key *k, const gv_trust *trust,
		     gv_diags *d)
{
	gv_buf payload = GV_BUF_INIT, where = GV_BUF_INIT;
	char *type = NULL, keyid[GV_KEYID_HEX_LEN + 1], tbuf[GV_TIME_LEN + 1];
	gv_file *f = NULL;
	gv_waiver w;
	time_t now;
	int err;

	if ((err = open_envelope(&payload, &type, path, k, d)) < 0)
		goto out;
	if (strcmp(type, GV_WAIVER_PAYLOAD_TYPE)) {
		gv_buf json = GV_BUF_INIT;
		gv_buf_json_str(&json, type, strlen(type) > 100 ? 100 : strlen(type));
		err = gv_error(d, "GV-E006", path, "not a signed waiver: payload type %s is not "
			       "'%s'", json.ptr, GV_WAIVER_PAYLOAD_TYPE);
		gv_buf_release(&json);
		goto out;
	}
	/* messages about the payload point into it: "W.waiver (payload):5:3" */
	gv_buf_printf(&where, "%s (payload)", path);
	if ((err = gv_waiver_parse(&w, &f, where.ptr, payload.ptr, payload.len, d)) < 0)
		goto out;
	if ((now = gv_waiver_now(d)) == (time_t)-1) {
		err = GV_EPARSE;
		goto out;
	}
	gv_key_id(k, keyid);
	gv_buf_printf(out, "valid: signed by %s\nwaiver: ", keyid);
	put_clean(out, w.name);
	put_kv(out, "policy", w.policy);
	put_kv(out, "rule", w.rule);
	put_kv(out, "expires", w.expires);
	put_kv(out, "ticket", w.ticket);
	put_kv(out, "deployment_id", w.deployment_id);
	put_kv(out, "path", w.path);
	if (!w.deployment_id && !w.path)
		gv_buf_puts(out, " scope=any");
	gv_buf_putc(out, '\n');
	gv_time_format(tbuf, w.end);
	gv_buf_printf(out, "expired: %s (%s %s)\n", now >= w.end ? "yes" : "no",
		      now >= w.end ? "since" : "until", tbuf);
	if (trust)
		put_trust(out, trust, keyid);
	err = GV_OK;
out:
	free(type);
	gv_file_free(f);
	gv_buf_release(&payload);
	gv_buf_release(&where);
	return err;
}
