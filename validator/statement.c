/*
 * statement.c: in-toto Statements inside DSSE envelopes (see statement.h).
 * Verification order follows DSSE: the signature first, over the exact
 * bytes; only a verified payload is parsed.
 */
#include "statement.h"
#include "alloc.h"
#include "buf.h"
#include "digest.h"
#include "dsse.h"
#include "gv.h"
#include "json_parse.h"
#include "rfc3339.h"
#include "trust.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const decisions[] = { "allow", "info", "warn", "escalate", "halt", "block" };

static int bad(gv_diags *d, const gv_file *f, const gv_node *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad(gv_diags *d, const gv_file *f, const gv_node *n, const char *fmt, ...)
{
	gv_buf msg = GV_BUF_INIT;
	va_list ap;

	gv_buf_puts(&msg, "not a govgate Statement: ");
	va_start(ap, fmt);
	gv_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	gv_diag_at(d, GV_SEV_ERROR, "GV-E006", gv_node_loc(f, n), "%s", msg.ptr);
	gv_buf_release(&msg);
	return GV_EPARSE;
}

/* Member `key` of map n with the given kind; reports a missing or mistyped one. */
static int member(const gv_node **out, gv_diags *d, const gv_file *f, const gv_node *n,
		  const char *key, int kind, const char *want)
{
	const gv_node *v = gv_node_get(n, key);

	*out = v;
	if (!v)
		return bad(d, f, n, "'%s' is missing", key);
	if (v->kind != kind)
		return bad(d, f, v, "'%s' must be %s", key, want);
	return GV_OK;
}

static int is_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* A string member that may be null (NULL then); anything else is an error. */
static int opt_str(const char **out, gv_diags *d, const gv_file *f, const gv_node *n,
		   const char *key)
{
	const gv_node *v = gv_node_get(n, key);

	*out = NULL;
	if (!v)
		return bad(d, f, n, "'%s' is missing", key);
	if (v->kind == GV_NODE_NULL)
		return GV_OK;
	if (v->kind != GV_NODE_STR)
		return bad(d, f, v, "'%s' must be a string or null", key);
	*out = v->s;
	return GV_OK;
}

/* An approval's predicate: role, time, deployment_id, expires, comment. */
static int approval_fields(gv_statement *s, gv_diags *d, const gv_file *f, const gv_node *pred)
{
	const gv_node *v;
	time_t t;

	if (member(&v, d, f, pred, "role", GV_NODE_STR, "a string") < 0)
		return GV_EPARSE;
	if (!gv_role_parse(v->s))
		return bad(d, f, v, "unknown role '%s' (expected one of %s)", v->s, GV_ROLE_NAMES);
	s->role = v->s;
	if (member(&v, d, f, pred, "time", GV_NODE_STR, "a string") < 0)
		return GV_EPARSE;
	if (gv_time_parse(&t, v->s) < 0)
		return bad(d, f, v, "'time' must be an RFC 3339 time");
	s->time = v->s;
	if (opt_str(&s->deployment_id, d, f, pred, "deployment_id") < 0 ||
	    opt_str(&s->expires, d, f, pred, "expires") < 0 ||
	    opt_str(&s->comment, d, f, pred, "comment") < 0)
		return GV_EPARSE;
	if (s->expires && gv_time_parse(&t, s->expires) < 0)
		return bad(d, f, gv_node_get(pred, "expires"), "'expires' must be an RFC 3339 time");
	if (s->nsubjects != 1)
		return bad(d, f, pred, "an approval has exactly one subject, not %zu", s->nsubjects);
	return GV_OK;
}

int gv_statement_parse(gv_statement **out, const char *path, const void *payload,
		       size_t len, gv_diags *d)
{
	gv_statement *s = NULL;
	gv_file *f = NULL;
	const gv_node *root, *v, *subj, *pred;
	uint32_t i;
	size_t k;
	int err;

	*out = NULL;
	if (gv_json_parse(&f, path, payload, len, NULL, d) < 0)
		return GV_EPARSE;
	root = f->docs[0];
	err = GV_EPARSE;
	if (root->kind != GV_NODE_MAP) {
		bad(d, f, root, "the payload must be a JSON object");
		goto fail;
	}
	if (member(&v, d, f, root, "_type", GV_NODE_STR, "a string") < 0)
		goto fail;
	if (strcmp(v->s, GV_STATEMENT_TYPE)) {
		bad(d, f, v, "'_type' must be '%s'", GV_STATEMENT_TYPE);
		goto fail;
	}
	s = gv_xcalloc(1, sizeof(*s));
	s->file = f;
	if (member(&v, d, f, root, "predicateType", GV_NODE_STR, "a string") < 0)
		goto fail;
	if (!strcmp(v->s, GV_PREDICATE_REPORT)) {
		s->kind = GV_STATEMENT_REPORT;
	} else if (!strcmp(v->s, GV_PREDICATE_RECEIPT)) {
		s->kind = GV_STATEMENT_RECEIPT;
	} else if (!strcmp(v->s, GV_PREDICATE_POLICY_BUNDLE)) {
		s->kind = GV_STATEMENT_POLICY_BUNDLE;
	} else if (!strcmp(v->s, GV_PREDICATE_APPROVAL)) {
		s->kind = GV_STATEMENT_APPROVAL;
	} else {
		bad(d, f, v, "unknown predicateType (expected '%s', '%s', '%s' or '%s')",
		    GV_PREDICATE_REPORT, GV_PREDICATE_RECEIPT, GV_PREDICATE_POLICY_BUNDLE,
		    GV_PREDICATE_APPROVAL);
		goto fail;
	}
	s->predicate_type = v->s;
	if (member(&subj, d, f, root, "subject", GV_NODE_SEQ, "an array") < 0 ||
	    member(&pred, d, f, root, "predicate", GV_NODE_MAP, "an object") < 0)
		goto fail;
	if (!subj->n) {
		bad(d, f, subj, "'subject' is empty");
		goto fail;
	}
	s->subjects = gv_arena_alloc(f->arena, subj->n * sizeof(*s->subjects));
	for (i = 0; i < subj->n; i++) {
		const gv_node *it = subj->u.items[i], *name, *dig, *sha;
		gv_subject *sj = &s->subjects[i];

		if (it->kind != GV_NODE_MAP) {
			bad(d, f, it, "each subject must be an object");
			goto fail;
		}
		if (member(&name, d, f, it, "name", GV_NODE_STR, "a string") < 0 ||
		    member(&dig, d, f, it, "digest", GV_NODE_MAP, "an object") < 0 ||
		    member(&sha, d, f, dig, "sha256", GV_NODE_STR, "a string") < 0)
			goto fail;
		if (sha->n != 64 || !is_lower_hex(sha->s, 64) ||
		    gv_unhex(sj->sha256, 32, sha->s, 64) < 0) {
			bad(d, f, sha, "a sha256 digest must be 64 lowercase hex digits");
			goto fail;
		}
		sj->name = name->s;
		memcpy(sj->sha256_hex, sha->s, 65);
	}
	s->nsubjects = subj->n;
	s->predicate = pred;
	v = gv_node_get(pred, "decision");
	if (v || s->kind == GV_STATEMENT_REPORT) {
		if (member(&v, d, f, pred, "decision", GV_NODE_STR, "a string") < 0)
			goto fail;
		for (k = 0; k < GV_ARRAY_LEN(decisions); k++)
			if (!strcmp(v->s, decisions[k]))
				break;
		if (k == GV_ARRAY_LEN(decisions)) {
			bad(d, f, v, "unknown decision (expected allow, info, warn, escalate, "
				     "halt or block)");
			goto fail;
		}
		s->decision = v->s;
	}
	if (s->kind == GV_STATEMENT_APPROVAL) {
		if (approval_fields(s, d, f, pred) < 0)
			goto fail;
		*out = s;
		return GV_OK;
	}
	v = gv_node_get(pred, "deployment_id");
	/* a report over manifests of several deployments says null (and lists
	 * them in deployment_ids); a receipt is always one deployment's */
	if (v && v->kind == GV_NODE_NULL && s->kind == GV_STATEMENT_REPORT)
		v = NULL;
	else if (v || s->kind == GV_STATEMENT_RECEIPT) {
		if (member(&v, d, f, pred, "deployment_id", GV_NODE_STR, "a string") < 0)
			goto fail;
		s->deployment_id = v->s;
	}
	*out = s;
	return GV_OK;
fail:
	if (s)
		s->file = NULL;
	free(s);
	gv_file_free(f);
	return err;
}

void gv_statement_free(gv_statement *s)
{
	if (!s)
		return;
	gv_file_free(s->file);
	free(s->payload);
	free(s);
}

const gv_subject *gv_statement_find(const gv_statement *s, const unsigned char sha256[32])
{
	size_t i;

	for (i = 0; i < s->nsubjects; i++)
		if (!memcmp(s->subjects[i].sha256, sha256, 32))
			return &s->subjects[i];
	return NULL;
}

int gv_statement_open(gv_statement **out, const char *path, const gv_key *k, gv_diags *d)
{
	gv_buf env = GV_BUF_INIT, payload = GV_BUF_INIT, where = GV_BUF_INIT;
	char *type = NULL;
	int err;

	*out = NULL;
	err = gv_buf_read_file(&env, path, GV_DSSE_MAX_BYTES);
	if (err == GV_ELIMIT) {
		gv_error(d, "GV-E001", path, "not a signed report: larger than %zu bytes",
			 GV_DSSE_MAX_BYTES);
		err = GV_EPARSE;
		goto out;
	}
	if (err < 0) {
		gv_error(d, "GV-E001", path, "cannot read: %s", strerror(errno));
		err = GV_EIO;
		goto out;
	}
	if ((err = gv_dsse_open(&payload, &type, path, env.ptr, env.len, k, d)) < 0)
		goto out;
	if (strcmp(type, GV_DSSE_INTOTO_TYPE)) {
		gv_buf json = GV_BUF_INIT;
		gv_buf_json_str(&json, type, strlen(type) > 100 ? 100 : strlen(type));
		gv_error(d, "GV-E006", path,
			 "not a govgate Statement: payload type %s is not '%s'", json.ptr,
			 GV_DSSE_INTOTO_TYPE);
		gv_buf_release(&json);
		err = GV_EPARSE;
		goto out;
	}
	/* messages about the payload point into it: "REPORT (payload):1:20" */
	gv_buf_printf(&where, "%s (payload)", path);
	if ((err = gv_statement_parse(out, where.ptr, payload.ptr, payload.len, d)) < 0)
		goto out;
	gv_key_id(k, (*out)->keyid);
	(*out)->payload = gv_xstrndup(payload.ptr, payload.len);
	(*out)->payload_len = payload.len;
out:
	free(type);
	gv_buf_release(&env);
	gv_buf_release(&payload);
	gv_buf_release(&where);
	return err;
}
