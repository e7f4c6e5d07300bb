/*
 * waiver.c: Waiver documents, their DSSE envelopes, and how a run applies
 * them (see waiver.h, docs/GOVERNANCE.md).
 *
 * Verification follows DSSE: the signature first, over the exact payload
 * bytes; a payload is parsed as a waiver whoever signed it, so that a
 * waiver by an untrusted key can still be named in the report (it never
 * applies).
 */
#include "waiver.h"
#include "alloc.h"
#include "audit.h"
#include "base64.h"
#include "digest.h"
#include "dsse.h"
#include "eval.h"
#include "gv.h"
#include "json_parse.h"
#include "policy.h"
#include "rfc3339.h"
#include "suggest.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Codes: GV-W0xx waiver errors. */
#define CODE_NOT_WAIVER "GV-W001"
#define CODE_UNKNOWN_KEY "GV-W002"
#define CODE_MISSING_KEY "GV-W003"
#define CODE_TYPE "GV-W004"
#define CODE_EXPIRES "GV-W005"
#define CODE_ENVELOPE "GV-W006"
#define CODE_SIGNATURE "GV-W007"
#define CODE_LIMIT "GV-W008"
#define CODE_NOW "GV-W009"
#define CODE_DUPLICATE "GV-W010"

#define MAX_FIELD 256
#define MAX_TEXT 4096

static const char *const status_names[] = {
	"applied", "unused", "expired", "role-not-held", "untrusted-key", "initiator",
	"unwaivable", "out-of-scope"
};

const char *gv_waiver_status_name(int s)
{
	return s >= 0 && (size_t)s < GV_ARRAY_LEN(status_names) ? status_names[s] : "?";
}

time_t gv_waiver_now(gv_diags *d)
{
	const char *s = getenv(GV_WAIVER_NOW_ENV);
	time_t t;

	if (!s || !*s)
		return time(NULL);
	if (gv_time_parse(&t, s) < 0) {
		gv_error(d, CODE_NOW, NULL, "$%s '%s' is not an RFC 3339 time", GV_WAIVER_NOW_ENV,
			 s);
		return (time_t)-1;
	}
	return t > time(NULL) ? t : time(NULL);   /* forward only */
}

/* --- the document ------------------------------------------------------------ */

typedef struct wctx {
	const gv_file *f;
	gv_diags *d;
	int err;
} wctx;

static void bad(wctx *c, const char *code, const gv_node *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void bad(wctx *c, const char *code, const gv_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gv_diag_vat(c->d, GV_SEV_ERROR, code, gv_node_loc(c->f, n), fmt, ap);
	va_end(ap);
	c->err = GV_EPARSE;
}

static void check_keys(wctx *c, const gv_node *map, const char *const *allowed,
		       const char *what)
{
	if (gv_check_keys(c->d, CODE_UNKNOWN_KEY, c->f, map, allowed, what))
		c->err = GV_EPARSE;
}

/* A mapping at key (NULL, reported, when missing or not a mapping). */
static const gv_node *map_at(wctx *c, const gv_node *map, const char *key, int required)
{
	const gv_node *v = gv_node_get(map, key);

	if (!v) {
		if (required)
			bad(c, CODE_MISSING_KEY, map, "the waiver has no '%s'", key);
		return NULL;
	}
	if (v->kind != GV_NODE_MAP) {
		bad(c, CODE_TYPE, v, "'%s' must be a mapping, not %s", key,
		    gv_node_kind_a(v->kind));
		return NULL;
	}
	return v;
}

/* A non-empty string without control characters (tabs and newlines are
 * allowed in the justification) of at most max bytes. */
static const char *str_at(wctx *c, const gv_node *map, const char *key, const char *what,
			  int required, size_t max)
{
	const gv_node *v = gv_node_get(map, key);
	size_t i;

	if (!v) {
		if (required)
			bad(c, CODE_MISSING_KEY, map, "%s has no '%s'", what, key);
		return NULL;
	}
	if (v->kind != GV_NODE_STR) {
		bad(c, CODE_TYPE, v, "'%s' must be a string, not %s", key, gv_node_kind_a(v->kind));
		return NULL;
	}
	if (!v->n || v->n > max || strlen(v->s) != v->n) {
		bad(c, CODE_LIMIT, v, "'%s' must be 1 to %zu characters", key, max);
		return NULL;
	}
	for (i = 0; i < v->n; i++) {
		unsigned char ch = (unsigned char)v->s[i];
		if ((ch < 0x20 && !(max == MAX_TEXT && (ch == '\n' || ch == '\t'))) || ch == 0x7f) {
			bad(c, CODE_TYPE, v, "'%s' contains a control character", key);
			return NULL;
		}
	}
	return v->s;
}

/* "YYYY-MM-DD" (through that day, UTC) or an RFC 3339 time: the first
 * second at which the waiver is expired. */
static int parse_expires(time_t *end, const char *s)
{
	struct tm tm;
	const char *p;

	if (strlen(s) == 10) {
		memset(&tm, 0, sizeof(tm));
		p = strptime(s, "%Y-%m-%d", &tm);
		if (!p || *p || s[4] != '-' || s[7] != '-')
			return -1;
		*end = timegm(&tm) + 86400;
		return 0;
	}
	if (gv_time_parse(end, s) < 0)
		return -1;
	return 0;
}

int gv_waiver_parse(gv_waiver *out, gv_file **out_file, const char *path, const void *data,
		    size_t len, gv_diags *d)
{
	static const char *const top_keys[] = { "apiVersion", "kind", "metadata", "spec", NULL };
	static const char *const meta_keys[] = { "name", NULL };
	static const char *const spec_keys[] = { "policy", "rule", "scope", "justification",
						 "ticket", "expires", NULL };
	static const char *const scope_keys[] = { "deployment_id", "path", NULL };
	gv_limits lim = { 0 };
	gv_file *f = NULL;
	const gv_node *root, *meta, *spec, *scope, *v;
	gv_waiver w;
	wctx c;

	*out_file = NULL;
	memset(&w, 0, sizeof(w));
	lim.max_bytes = (size_t)1 << 20;
	lim.max_depth = 16;
	lim.max_nodes = 10000;
	lim.max_docs = 2;
	if (gv_file_load_mem(&f, path, data, len, &lim, d) < 0)
		return GV_EPARSE;
	c.f = f;
	c.d = d;
	c.err = GV_OK;
	if (f->ndocs != 1 || f->docs[0]->kind != GV_NODE_MAP) {
		gv_error(d, CODE_NOT_WAIVER, path, "a waiver is one mapping document");
		gv_file_free(f);
		return GV_EPARSE;
	}
	root = f->docs[0];
	check_keys(&c, root, top_keys, "a waiver");
	v = gv_node_get(root, "apiVersion");
	if (!v)
		bad(&c, CODE_MISSING_KEY, root, "the waiver has no 'apiVersion'");
	else if (v->kind != GV_NODE_STR || strcmp(v->s, "govgate/v1"))
		bad(&c, CODE_NOT_WAIVER, v, "'apiVersion' must be govgate/v1");
	v = gv_node_get(root, "kind");
	if (!v)
		bad(&c, CODE_MISSING_KEY, root, "the waiver has no 'kind'");
	else if (v->kind != GV_NODE_STR || strcmp(v->s, GV_WAIVER_KIND))
		bad(&c, CODE_NOT_WAIVER, v, "'kind' must be %s, not '%s'", GV_WAIVER_KIND,
		    v->s ? v->s : "");
	if ((meta = map_at(&c, root, "metadata", 1))) {
		check_keys(&c, meta, meta_keys, "a waiver's metadata");
		w.name = str_at(&c, meta, "name", "metadata", 1, MAX_FIELD);
	}
	if ((spec = map_at(&c, root, "spec", 1))) {
		check_keys(&c, spec, spec_keys, "a waiver's spec");
		w.policy = str_at(&c, spec, "policy", "spec", 1, MAX_FIELD);
		w.rule = str_at(&c, spec, "rule", "spec", 1, MAX_FIELD);
		w.justification = str_at(&c, spec, "justification", "spec", 1, MAX_TEXT);
		w.ticket = str_at(&c, spec, "ticket", "spec", 1, MAX_FIELD);
		w.expires = str_at(&c, spec, "expires", "spec", 1, MAX_FIELD);
		if (w.expires && parse_expires(&w.end, w.expires) < 0)
			bad(&c, CODE_EXPIRES, gv_node_get(spec, "expires"),
			    "'expires' must be a date (2026-12-31, valid through that day, UTC) "
			    "or an RFC 3339 time (2026-12-31T12:00:00Z), not '%s'", w.expires);
		if ((scope = map_at(&c, spec, "scope", 0))) {
			check_keys(&c, scope, scope_keys, "a waiver's scope");
			w.deployment_id = str_at(&c, scope, "deployment_id", "scope", 0, MAX_FIELD);
			w.path = str_at(&c, scope, "path", "scope", 0, MAX_TEXT);
			if (!scope->n)
				bad(&c, CODE_MISSING_KEY, scope, "'scope' is empty: give deployment_id "
				    "or path, or leave scope out");
		}
	}
	if (c.err < 0) {
		gv_file_free(f);
		return GV_EPARSE;
	}
	if (out)
		*out = w;
	*out_file = f;
	return GV_OK;
}

int gv_waiver_sign(gv_buf *out, const char *path, const gv_key *k, gv_diags *d)
{
	gv_buf data = GV_BUF_INIT;
	gv_file *f = NULL;
	int err;

	if (gv_buf_read_file(&data, path, (size_t)1 << 20) < 0) {
		err = gv_error(d, CODE_NOT_WAIVER, path, "cannot read the waiver (or it is "
			       "larger than 1 MiB)");
		goto out;
	}
	if ((err = gv_waiver_parse(NULL, &f, path, data.ptr, data.len, d)) < 0)
		goto out;
	if (gv_dsse_sign(out, GV_WAIVER_PAYLOAD_TYPE, data.ptr, data.len, k) < 0)
		err = gv_error(d, CODE_SIGNATURE, path, "the key cannot sign (a public key?)");
out:
	gv_file_free(f);
	gv_buf_release(&data);
	return err;
}

/* --- signed waivers ---------------------------------------------------------- */

/* The envelope's payload and type and its first keyid, without verifying. */
static int envelope_read(gv_buf *payload, gv_buf *type, char keyid[GV_KEYID_HEX_LEN + 1],
			 const char *path, const gv_buf *env, gv_diags *d)
{
	gv_limits lim = { 0 };
	gv_file *f = NULL;
	const gv_node *root, *p, *t, *sigs, *kid;
	int err = GV_EPARSE;

	keyid[0] = '\0';
	lim.max_bytes = GV_DSSE_MAX_BYTES;
	lim.max_depth = 8;
	lim.max_nodes = 100000;
	if (gv_json_parse(&f, path, env->ptr, env->len, &lim, d) < 0)
		return GV_EPARSE;
	root = f->docs[0];
	p = gv_node_get(root, "payload");
	t = gv_node_get(root, "payloadType");
	sigs = gv_node_get(root, "signatures");
	if (root->kind != GV_NODE_MAP || !p || p->kind != GV_NODE_STR || !t ||
	    t->kind != GV_NODE_STR || !sigs || sigs->kind != GV_NODE_SEQ || !sigs->n) {
		gv_error(d, CODE_ENVELOPE, path, "not a signed waiver: not a DSSE envelope with "
			 "a payload and signatures");
		goto out;
	}
	if (gv_base64_decode(payload, p->s, p->n) < 0) {
		gv_error(d, CODE_ENVELOPE, path, "not a signed waiver: the payload is not base64");
		goto out;
	}
	gv_buf_add(type, t->s, t->n);
	gv_buf_putc(type, '\0');
	kid = sigs->u.items[0]->kind == GV_NODE_MAP ?
	      gv_node_get(sigs->u.items[0], "keyid") : NULL;
	if (kid && kid->kind == GV_NODE_STR && kid->n <= GV_KEYID_HEX_LEN)
		memcpy(keyid, kid->s, kid->n + 1);
	err = GV_OK;
out:
	gv_file_free(f);
	return err;
}

int gv_waivers_add(gv_waivers *w, const char *path, const gv_trust *trust,
		   const gv_key *initiator, time_t now, gv_diags *d)
{
	gv_buf env = GV_BUF_INIT, payload = GV_BUF_INIT, type = GV_BUF_INIT, vp = GV_BUF_INIT;
	unsigned char sha[32];
	char first_kid[GV_KEYID_HEX_LEN + 1], init_id[GV_KEYID_HEX_LEN + 1];
	const gv_trust_key *signer = NULL;
	gv_waiver x;
	gv_file *f = NULL;
	size_t i;
	int err = GV_EPARSE;

	if (w->n >= GV_WAIVER_MAX)
		return gv_error(d, CODE_LIMIT, path, "more than %d waivers in one run",
				GV_WAIVER_MAX);
	if (gv_buf_read_file(&env, path, GV_DSSE_MAX_BYTES) < 0) {
		err = gv_error(d, CODE_ENVELOPE, path, "cannot read the signed waiver (or it is "
			       "larger than 16 MiB)");
		goto out;
	}
	if (envelope_read(&payload, &type, first_kid, path, &env, d) < 0)
		goto out;
	if (strcmp(type.ptr, GV_WAIVER_PAYLOAD_TYPE)) {
		gv_error(d, CODE_ENVELOPE, path, "not a signed waiver: the payload type is '%s', "
			 "not '%s' (sign it with `govgate waiver sign`)", type.ptr,
			 GV_WAIVER_PAYLOAD_TYPE);
		goto out;
	}
	/* the signature under every trusted key; a bad signature by one of them
	 * is a forgery and stops the run */
	for (i = 0; trust && i < trust->nkeys && !signer; i++) {
		gv_diags sd = GV_DIAGS_INIT;
		char *t = NULL;
		int r;

		gv_buf_clear(&vp);
		r = gv_dsse_open(&vp, &t, path, env.ptr, env.len, trust->keys[i].key, &sd);
		free(t);
		if (r == GV_OK && vp.len == payload.len &&
		    !memcmp(vp.ptr, payload.ptr, payload.len)) {
			signer = &trust->keys[i];
		} else if (r == GV_EPARSE) {
			gv_diags_move(d, &sd);
			goto out;
		} else if (r == GV_OK || (sd.n && strcmp(sd.v[sd.n - 1].code, "GV-E004"))) {
			gv_error(d, CODE_SIGNATURE, path, "the waiver's signature does not verify "
				 "under trusted key '%s' (%s): the waiver was altered or forged",
				 trust->keys[i].name, trust->keys[i].keyid);
			gv_diags_release(&sd);
			err = GV_ESIG;
			goto out;
		}
		gv_diags_release(&sd);
	}
	if (gv_waiver_parse(&x, &f, path, payload.ptr, payload.len, d) < 0)
		goto out;
	for (i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].name, x.name)) {
			gv_error(d, CODE_DUPLICATE, path, "waiver '%s' is given twice (also %s)",
				 x.name, w->v[i].file);
			goto out;
		}
	x.file = path;
	x.doc = f;
	f = NULL;
	gv_sha256(sha, env.ptr, env.len);
	gv_hex(x.sha256, sha, 32);
	if (signer) {
		x.signer = signer->name;
		memcpy(x.keyid, signer->keyid, sizeof(x.keyid));
	} else {
		memcpy(x.keyid, first_kid, sizeof(x.keyid));
	}
	if (initiator)
		gv_key_id(initiator, init_id);
	if (!signer)
		x.blocked = GV_WAIVER_UNTRUSTED_KEY;
	else if (!(signer->roles & trust->waiver_approvers))
		x.blocked = GV_WAIVER_ROLE_NOT_HELD;
	else if (initiator && !strcmp(init_id, signer->keyid))
		x.blocked = GV_WAIVER_INITIATOR;
	else if (now >= x.end)
		x.blocked = GV_WAIVER_EXPIRED;
	GV_GROW(w->v, w->alloc, w->n + 1);
	w->v[w->n++] = x;
	err = GV_OK;
out:
	gv_file_free(f);
	gv_buf_release(&env);
	gv_buf_release(&payload);
	gv_buf_release(&type);
	gv_buf_release(&vp);
	return err;
}

void gv_waivers_release(gv_waivers *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		gv_file_free(w->v[i].doc);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

/* --- a run ------------------------------------------------------------------- */

void gv_waivers_reset(gv_waivers *w)
{
	size_t i;

	for (i = 0; w && i < w->n; i++)
		w->v[i].applied = w->v[i].matched = w->v[i].out_of_scope = w->v[i].unwaivable = 0;
}

static int rule_waivable(const gv_program *prog, const char *policy, const char *rule)
{
	uint32_t i, j;

	for (i = 0; prog && i < prog->npolicies; i++) {
		if (strcmp(prog->policies[i].name, policy))
			continue;
		/* a missing approval is fixed by the approval, never waived */
		if (prog->policies[i].approvals && !strcmp(rule, GV_APPROVALS_RULE))
			return 0;
		for (j = 0; j < prog->policies[i].nrules; j++)
			if (!strcmp(prog->policies[i].rules[j].id, rule))
				return !prog->policies[i].rules[j].unwaivable;
	}
	return 1;
}

void gv_waivers_apply(gv_waivers *w, gv_result *r)
{
	size_t i, j;

	if (!w || !w->n)
		return;
	r->decision = GV_ENF_ALLOW;
	for (j = 0; j < r->nfindings; j++) {
		gv_finding *f = &r->findings[j];

		for (i = 0; i < w->n; i++) {
			gv_waiver *x = &w->v[i];

			if (strcmp(x->policy, f->policy) || strcmp(x->rule, f->rule))
				continue;
			if ((x->deployment_id && (!r->deployment_id ||
						  strcmp(x->deployment_id, r->deployment_id))) ||
			    (x->path && strcmp(x->path, f->path))) {
				x->out_of_scope++;
				continue;
			}
			x->matched++;
			if (x->blocked)
				continue;
			if (!rule_waivable(w->prog, f->policy, f->rule)) {
				x->unwaivable++;
				continue;
			}
			if (!f->waiver) {
				f->waiver = x;
				x->applied++;
			}
		}
		if (!f->waiver && f->enforcement > r->decision)
			r->decision = f->enforcement;
	}
}

int gv_waiver_outcome(const gv_waiver *x)
{
	if (x->applied)
		return GV_WAIVER_APPLIED;
	if (x->matched)
		return x->blocked ? x->blocked : x->unwaivable ? GV_WAIVER_UNWAIVABLE :
		       GV_WAIVER_UNUSED;
	if (x->out_of_scope)
		return GV_WAIVER_OUT_OF_SCOPE;
	return GV_WAIVER_UNUSED;
}

static void kstr(gv_buf *b, const char *k, const char *s)
{
	gv_buf_printf(b, ",\"%s\":", k);
	gv_buf_json_cstr(b, s);
}

void gv_waiver_finding_json(gv_buf *b, const gv_waiver *x)
{
	gv_buf_puts(b, "{\"name\":");
	gv_buf_json_cstr(b, x->name);
	kstr(b, "ticket", x->ticket);
	kstr(b, "signer", x->signer);
	kstr(b, "keyid", x->keyid);
	kstr(b, "expires", x->expires);
	gv_buf_putc(b, '}');
}

void gv_waivers_json(gv_buf *b, const gv_waivers *w)
{
	size_t i;

	gv_buf_putc(b, '[');
	for (i = 0; w && i < w->n; i++) {
		const gv_waiver *x = &w->v[i];
		int s = gv_waiver_outcome(x);

		gv_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		gv_buf_json_cstr(b, x->name);
		kstr(b, "file", x->file);
		gv_buf_printf(b, ",\"sha256\":\"%s\"", x->sha256);
		kstr(b, "policy", x->policy);
		kstr(b, "rule", x->rule);
		gv_buf_puts(b, ",\"scope\":{\"deployment_id\":");
		gv_buf_json_cstr(b, x->deployment_id);
		kstr(b, "path", x->path);
		gv_buf_putc(b, '}');
		kstr(b, "justification", x->justification);
		kstr(b, "ticket", x->ticket);
		kstr(b, "expires", x->expires);
		kstr(b, "signer", x->signer);
		kstr(b, "keyid", x->keyid[0] ? x->keyid : NULL);
		kstr(b, "status", s == GV_WAIVER_APPLIED || s == GV_WAIVER_UNUSED ?
		     gv_waiver_status_name(s) : "not-applied");
		kstr(b, "reason", s == GV_WAIVER_APPLIED || s == GV_WAIVER_UNUSED ? NULL :
		     gv_waiver_status_name(s));
		gv_buf_printf(b, ",\"findings\":%zu}", s == GV_WAIVER_APPLIED ? x->applied : x->matched);
	}
	gv_buf_putc(b, ']');
}

int gv_waivers_record(const gv_waivers *w, gv_audit *db, const char *actor,
		      uint64_t *last_seq, size_t *appended, gv_diags *d)
{
	gv_buf b = GV_BUF_INIT;
	size_t i;
	int err = GV_OK;

	for (i = 0; w && i < w->n && !err; i++) {
		const gv_waiver *x = &w->v[i];
		int s = gv_waiver_outcome(x);

		if (s == GV_WAIVER_UNUSED || s == GV_WAIVER_OUT_OF_SCOPE)
			continue;
		gv_buf_clear(&b);
		gv_buf_puts(&b, "{\"waiver\":");
		gv_buf_json_cstr(&b, x->name);
		kstr(&b, "policy", x->policy);
		kstr(&b, "rule", x->rule);
		kstr(&b, "ticket", x->ticket);
		kstr(&b, "expires", x->expires);
		kstr(&b, "signer", x->signer);
		kstr(&b, "keyid", x->keyid[0] ? x->keyid : NULL);
		gv_buf_printf(&b, ",\"sha256\":\"%s\"", x->sha256);
		kstr(&b, "status", s == GV_WAIVER_APPLIED ? "applied" : "not-applied");
		kstr(&b, "reason", s == GV_WAIVER_APPLIED ? NULL : gv_waiver_status_name(s));
		gv_buf_printf(&b, ",\"findings\":%zu}", s == GV_WAIVER_APPLIED ? x->applied :
			      x->matched);
		err = gv_audit_append(db, s == GV_WAIVER_APPLIED ? "governance.waiver.applied" :
				      "governance.waiver.rejected",
				      x->deployment_id ? x->deployment_id : "", actor, b.ptr,
				      last_seq, d);
		if (!err)
			(*appended)++;
	}
	gv_buf_release(&b);
	return err;
}
