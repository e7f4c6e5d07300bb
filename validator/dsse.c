/* dsse.c: DSSE v1 envelopes: PAE, signing, strict opening (see dsse.h). */
#include "dsse.h"
#include "alloc.h"
#include "base64.h"
#include "gv.h"
#include "json_parse.h"
#include "node.h"

#include <stdlib.h>
#include <string.h>

void gv_dsse_pae(gv_buf *out, const char *type, size_t typelen, const void *body, size_t len)
{
	gv_buf_printf(out, "DSSEv1 %zu ", typelen);
	gv_buf_add(out, type, typelen);
	gv_buf_printf(out, " %zu ", len);
	gv_buf_add(out, body, len);
}

int gv_dsse_sign(gv_buf *out, const char *payload_type, const void *payload, size_t len,
		 const gv_key *k)
{
	gv_buf pae = GV_BUF_INIT;
	unsigned char sig[GV_ED25519_SIG_LEN];
	char id[GV_KEYID_HEX_LEN + 1];
	int err;

	gv_dsse_pae(&pae, payload_type, strlen(payload_type), payload, len);
	err = gv_sign(k, pae.ptr, pae.len, sig);
	gv_buf_release(&pae);
	if (err < 0)
		return GV_ERROR;
	gv_key_id(k, id);
	gv_buf_puts(out, "{\"payloadType\":");
	gv_buf_json_str(out, payload_type, strlen(payload_type));
	gv_buf_puts(out, ",\"payload\":\"");
	gv_base64_encode(out, payload, len);
	gv_buf_printf(out, "\",\"signatures\":[{\"keyid\":\"%s\",\"sig\":\"", id);
	gv_base64_encode(out, sig, sizeof(sig));
	gv_buf_puts(out, "\"}]}\n");
	return GV_OK;
}

int gv_report_sign_envelope(gv_buf *out, const void *statement_json, size_t len,
			    const gv_key *k)
{
	return gv_dsse_sign(out, GV_DSSE_INTOTO_TYPE, statement_json, len, k);
}

/* JSON's own names for a value's type, for messages about envelopes. */
static const char *json_kind(const gv_node *n)
{
	switch (n->kind) {
	case GV_NODE_NULL: return "null";
	case GV_NODE_BOOL: return "a boolean";
	case GV_NODE_INT:
	case GV_NODE_FLOAT: return "a number";
	case GV_NODE_STR: return "a string";
	case GV_NODE_SEQ: return "an array";
	default: return "an object";
	}
}

static int type_error(gv_diags *d, const gv_file *f, const gv_node *n, const char *what,
		      const char *want)
{
	gv_diag_at(d, GV_SEV_ERROR, "GV-E002", gv_node_loc(f, n),
		   "not a DSSE envelope: %s must be %s, not %s", what, want,
		   json_kind(n));
	return GV_EPARSE;
}

/* Required string member `key` of map n. */
static int need_str(const gv_node **out, gv_diags *d, const gv_file *f, const gv_node *n,
		    const char *key, const char *what)
{
	const gv_node *v = gv_node_get(n, key);

	*out = NULL;
	if (!v) {
		gv_diag_at(d, GV_SEV_ERROR, "GV-E002", gv_node_loc(f, n),
			   "not a DSSE envelope: %s is missing", what);
		return GV_EPARSE;
	}
	if (v->kind != GV_NODE_STR)
		return type_error(d, f, v, what, "a string");
	*out = v;
	return GV_OK;
}

/* Appends ", <id>" (or "(none)") for the message listing the key ids seen. */
static void list_id(gv_buf *ids, const gv_node *keyid)
{
	if (ids->len)
		gv_buf_puts(ids, ", ");
	if (!keyid || !keyid->n)
		gv_buf_puts(ids, "(no keyid)");
	else if (keyid->n > 80)
		gv_buf_printf(ids, "%.80s...", keyid->s);
	else
		gv_buf_puts(ids, keyid->s);
}

int gv_dsse_open(gv_buf *out_payload, char **out_type, const char *path,
		 const void *envelope, size_t len, const gv_key *k, gv_diags *d)
{
	gv_limits lim = { 0 };
	gv_file *f = NULL;
	const gv_node *root, *ptype, *payload, *sigs;
	gv_buf body = GV_BUF_INIT, pae = GV_BUF_INIT, sig = GV_BUF_INIT, ids = GV_BUF_INIT;
	char id[GV_KEYID_HEX_LEN + 1];
	size_t tried = 0, bad_len = 0;
	uint32_t i;
	int err;

	*out_type = NULL;
	lim.max_bytes = GV_DSSE_MAX_BYTES;
	lim.max_depth = 8;
	lim.max_nodes = 100000;
	if ((err = gv_json_parse(&f, path, envelope, len, &lim, d)) < 0) {
		err = GV_EPARSE;
		goto out;
	}
	root = f->docs[0];
	if (root->kind != GV_NODE_MAP) {
		err = type_error(d, f, root, "the envelope", "an object");
		goto out;
	}
	if ((err = need_str(&ptype, d, f, root, "payloadType", "'payloadType'")) < 0 ||
	    (err = need_str(&payload, d, f, root, "payload", "'payload'")) < 0)
		goto out;
	if (!(sigs = gv_node_get(root, "signatures"))) {
		err = GV_EPARSE;
		gv_diag_at(d, GV_SEV_ERROR, "GV-E002", gv_node_loc(f, root),
			   "not a DSSE envelope: 'signatures' is missing");
		goto out;
	}
	if (sigs->kind != GV_NODE_SEQ) {
		err = type_error(d, f, sigs, "'signatures'", "an array");
		goto out;
	}
	if (!sigs->n) {
		err = GV_ESIG;
		gv_diag_at(d, GV_SEV_ERROR, "GV-E003", gv_node_loc(f, sigs),
			   "the envelope has no signatures");
		goto out;
	}
	if (gv_base64_decode(&body, payload->s, payload->n) < 0) {
		err = GV_EPARSE;
		gv_diag_at(d, GV_SEV_ERROR, "GV-E002", gv_node_loc(f, payload),
			   "not a DSSE envelope: 'payload' is not valid base64");
		goto out;
	}
	/* check every signature's shape before trusting any of them */
	for (i = 0; i < sigs->n; i++) {
		const gv_node *s = sigs->u.items[i], *v, *kid;

		if (s->kind != GV_NODE_MAP) {
			err = type_error(d, f, s, "each signature", "an object");
			goto out;
		}
		if ((err = need_str(&v, d, f, s, "sig", "'sig'")) < 0)
			goto out;
		kid = gv_node_get(s, "keyid");
		if (kid && kid->kind != GV_NODE_STR) {
			err = type_error(d, f, kid, "'keyid'", "a string");
			goto out;
		}
		gv_buf_clear(&sig);
		if (gv_base64_decode(&sig, v->s, v->n) < 0) {
			err = GV_EPARSE;
			gv_diag_at(d, GV_SEV_ERROR, "GV-E002", gv_node_loc(f, v),
				   "not a DSSE envelope: 'sig' is not valid base64");
			goto out;
		}
	}
	if (!k) {   /* the shape only (dsse.h) */
		err = GV_OK;
		goto out;
	}
	gv_key_id(k, id);
	gv_dsse_pae(&pae, ptype->s, ptype->n, body.ptr, body.len);
	for (i = 0; i < sigs->n; i++) {
		const gv_node *s = sigs->u.items[i];
		const gv_node *v = gv_node_get(s, "sig"), *kid = gv_node_get(s, "keyid");

		list_id(&ids, kid);
		/* the keyid is only a hint to narrow the search (DSSE) */
		if (kid && kid->n && strcmp(kid->s, id))
			continue;
		tried++;
		gv_buf_clear(&sig);
		gv_base64_decode(&sig, v->s, v->n);
		if (sig.len != GV_ED25519_SIG_LEN) {
			bad_len++;
			continue;
		}
		if (gv_verify(k, pae.ptr, pae.len, (const unsigned char *)sig.ptr) == GV_OK) {
			gv_buf_add(out_payload, body.ptr, body.len);
			*out_type = gv_xstrndup(ptype->s, ptype->n);
			err = GV_OK;
			goto out;
		}
	}
	err = GV_ESIG;
	if (!tried)
		gv_error(d, "GV-E004", f->path,
			 "no signature by key %s; the report is signed by: %s", id, ids.ptr);
	else if (bad_len == tried)
		gv_error(d, "GV-E005", f->path,
			 "bad signature by key %s: not a %d-byte Ed25519 signature", id,
			 GV_ED25519_SIG_LEN);
	else
		gv_error(d, "GV-E005", f->path,
			 "bad signature by key %s: the payload or its type was changed, "
			 "or the signature is forged", id);
out:
	gv_buf_release(&body);
	gv_buf_release(&pae);
	gv_buf_release(&sig);
	gv_buf_release(&ids);
	gv_file_free(f);
	return err;
}
