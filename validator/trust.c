/*
 * trust.c: Trust documents -> gv_trust (see trust.h, docs/GOVERNANCE.md).
 *
 * Loading goes on after an error so that one run shows every problem, as
 * plan.c does; key files are loaded here, so a trust file that names a
 * missing or wrong key fails before anything is evaluated or recorded.
 */
#include "trust.h"
#include "alloc.h"
#include "gv.h"
#include "plan.h"
#include "suggest.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Codes: GV-T0xx trust file errors. */
#define CODE_NOT_TRUST "GV-T001"
#define CODE_UNKNOWN_KEY "GV-T002"
#define CODE_MISSING_KEY "GV-T003"
#define CODE_TYPE "GV-T004"
#define CODE_ROLE "GV-T005"
#define CODE_KEYFILE "GV-T006"
#define CODE_DUPLICATE "GV-T007"

#define MAX_KEYS 1024
#define MAX_NAME 128

static const char *const role_names[] = {
	"platform-admin", "security-admin", "compliance-officer", "policy-signer", NULL
};

unsigned gv_role_parse(const char *name)
{
	unsigned i;

	for (i = 0; role_names[i]; i++)
		if (!strcmp(role_names[i], name))
			return 1u << i;
	return 0;
}

const char *gv_role_name(unsigned role)
{
	unsigned i;

	for (i = 0; role_names[i]; i++)
		if (role == 1u << i)
			return role_names[i];
	return "?";
}

typedef struct tctx {
	gv_trust *t;
	const char *dir;
	gv_diags *d;
	int err;
} tctx;

static gv_loc at(tctx *c, const gv_node *n)
{
	return gv_node_loc(c->t->file, n);
}

static void bad(tctx *c, const char *code, const gv_node *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void bad(tctx *c, const char *code, const gv_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gv_diag_vat(c->d, GV_SEV_ERROR, code, at(c, n), fmt, ap);
	va_end(ap);
	c->err = GV_EPARSE;
}

static void check_keys(tctx *c, const gv_node *map, const char *const *allowed, const char *what)
{
	if (gv_check_keys(c->d, CODE_UNKNOWN_KEY, c->t->file, map, allowed, what))
		c->err = GV_EPARSE;
}

static int want(tctx *c, const gv_node *v, int kind, const char *key)
{
	if (v->kind == kind)
		return 1;
	bad(c, CODE_TYPE, v, "'%s' must be %s, not %s", key, gv_node_kind_a(kind),
	    gv_node_kind_a(v->kind));
	return 0;
}

/* A non-empty printable name of at most MAX_NAME bytes, or NULL. */
static const char *name_at(tctx *c, const gv_node *map, const char *key, const char *what)
{
	const gv_node *v = gv_node_get(map, key);
	size_t i;

	if (!v) {
		bad(c, CODE_MISSING_KEY, map, "%s has no '%s'", what, key);
		return NULL;
	}
	if (!want(c, v, GV_NODE_STR, key))
		return NULL;
	if (!v->n || v->n > MAX_NAME || strlen(v->s) != v->n) {
		bad(c, CODE_TYPE, v, "'%s' must be 1 to %d characters", key, MAX_NAME);
		return NULL;
	}
	for (i = 0; i < v->n; i++)
		if ((unsigned char)v->s[i] < 0x20 || v->s[i] == 0x7f) {
			bad(c, CODE_TYPE, v, "'%s' contains a control character", key);
			return NULL;
		}
	return gv_arena_strndup(c->t->arena, v->s, v->n);
}

/* A list of role names -> mask; reports unknown and repeated roles. */
static unsigned roles_at(tctx *c, const gv_node *v, const char *key, int need_one)
{
	unsigned mask = 0, r;
	uint32_t i;

	if (!want(c, v, GV_NODE_SEQ, key))
		return 0;
	if (need_one && !v->n)
		bad(c, CODE_ROLE, v, "'%s' must name at least one role", key);
	for (i = 0; i < v->n; i++) {
		const gv_node *e = v->u.items[i];
		if (!want(c, e, GV_NODE_STR, key))
			continue;
		if (!(r = gv_role_parse(e->s))) {
			const char *near = gv_suggest(e->s, role_names, 0);
			bad(c, CODE_ROLE, e, "unknown role '%s'%s%s%s; roles are " GV_ROLE_NAMES, e->s,
			    near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
			continue;
		}
		if (mask & r)
			bad(c, CODE_DUPLICATE, e, "role '%s' is listed twice", e->s);
		mask |= r;
	}
	return mask;
}

static void load_key(tctx *c, gv_trust_key *k, const gv_node *e)
{
	static const char *const keys[] = { "name", "roles", "key", NULL };
	const gv_node *v;
	gv_diags kd = GV_DIAGS_INIT;
	char *resolved;
	size_t i;

	k->loc = at(c, e);
	if (!want(c, e, GV_NODE_MAP, "keys[]"))
		return;
	check_keys(c, e, keys, "a trusted key");
	k->name = name_at(c, e, "name", "a trusted key");
	if (!(v = gv_node_get(e, "roles")))
		bad(c, CODE_MISSING_KEY, e, "a trusted key has no 'roles'");
	else
		k->roles = roles_at(c, v, "roles", 1);
	if (!(v = gv_node_get(e, "key"))) {
		bad(c, CODE_MISSING_KEY, e, "a trusted key has no 'key'");
		return;
	}
	if (!want(c, v, GV_NODE_STR, "key"))
		return;
	if (!v->n || strlen(v->s) != v->n) {
		bad(c, CODE_KEYFILE, v, "'key' must be a path to a public key file");
		return;
	}
	resolved = gv_plan_resolve(c->dir, v->s);
	k->key_path = gv_arena_strndup(c->t->arena, resolved, strlen(resolved));
	free(resolved);
	if (gv_key_load_public(&k->key, k->key_path, &kd) < 0) {
		const char *why = kd.n ? kd.v[kd.n - 1].msg : "not an Ed25519 public key";
		bad(c, CODE_KEYFILE, v, "cannot use key '%s': %s", k->key_path, why);
		gv_diags_release(&kd);
		return;
	}
	gv_diags_release(&kd);
	gv_key_id(k->key, k->keyid);
	for (i = 0; k->name && &c->t->keys[i] != k; i++) {
		const gv_trust_key *o = &c->t->keys[i];
		if (o->name && !strcmp(o->name, k->name))
			bad(c, CODE_DUPLICATE, gv_node_get(e, "name"),
			    "key name '%s' is already used at line %u", k->name, o->loc.line);
	}
	for (i = 0; &c->t->keys[i] != k; i++) {
		const gv_trust_key *o = &c->t->keys[i];
		if (o->key && !strcmp(o->keyid, k->keyid))
			bad(c, CODE_DUPLICATE, v,
			    "key '%s' is already listed as '%s' at line %u; give one entry all "
			    "its roles", k->key_path, o->name ? o->name : "?", o->loc.line);
	}
}

static void load_require(tctx *c, const gv_node *req)
{
	static const char *const keys[] = { "signed_policies", "waiver_approvers", NULL };
	const gv_node *v;

	if (!want(c, req, GV_NODE_MAP, "require"))
		return;
	check_keys(c, req, keys, "require");
	if ((v = gv_node_get(req, "signed_policies")) && want(c, v, GV_NODE_BOOL, "signed_policies"))
		c->t->signed_policies = v->u.b;
	if ((v = gv_node_get(req, "waiver_approvers")))
		c->t->waiver_approvers = roles_at(c, v, "waiver_approvers", 0);
}

static void load_root(tctx *c, const gv_node *root)
{
	static const char *const keys[] = { "apiVersion", "kind", "metadata", "keys", "require",
					    NULL };
	static const char *const meta_keys[] = { "name", NULL };
	const gv_node *v;
	uint32_t i;

	check_keys(c, root, keys, "a Trust document");
	if (!(v = gv_node_get(root, "metadata")))
		bad(c, CODE_MISSING_KEY, root, "a Trust document has no 'metadata'");
	else if (want(c, v, GV_NODE_MAP, "metadata")) {
		check_keys(c, v, meta_keys, "metadata");
		c->t->name = name_at(c, v, "name", "metadata");
	}
	if (!(v = gv_node_get(root, "keys")))
		bad(c, CODE_MISSING_KEY, root, "a Trust document has no 'keys'");
	else if (want(c, v, GV_NODE_SEQ, "keys")) {
		if (!v->n)
			bad(c, CODE_MISSING_KEY, v, "'keys' lists no key");
		if (v->n > MAX_KEYS)
			bad(c, CODE_TYPE, v, "'keys' lists %u keys; at most %d", v->n, MAX_KEYS);
		else {
			c->t->keys = gv_arena_alloc(c->t->arena, (v->n ? v->n : 1) * sizeof(gv_trust_key));
			for (i = 0; i < v->n; i++) {
				c->t->nkeys = i + 1;
				load_key(c, &c->t->keys[i], v->u.items[i]);
			}
		}
	}
	if ((v = gv_node_get(root, "require")))
		load_require(c, v);
}

static void free_keys(void *p)
{
	gv_trust *t = p;
	size_t i;

	for (i = 0; i < t->nkeys; i++)
		gv_key_free(t->keys[i].key);
}

int gv_trust_load(gv_trust **out, const char *path, gv_diags *d)
{
	gv_trust *t;
	tctx c;
	const gv_node *root, *v;
	const char *slash;
	int err;

	*out = NULL;
	t = gv_xcalloc(1, sizeof(*t));
	t->arena = gv_arena_new();
	gv_arena_on_free(t->arena, free_keys, t);
	t->path = gv_arena_strndup(t->arena, path, strlen(path));
	slash = strrchr(path, '/');
	c.t = t;
	c.d = d;
	c.err = GV_OK;
	c.dir = slash ? gv_arena_strndup(t->arena, path, slash == path ? 1 : (size_t)(slash - path))
		      : ".";
	if ((err = gv_file_load(&t->file, path, NULL, d)) < 0)
		goto fail;
	if (t->file->ndocs != 1 || t->file->docs[0]->kind != GV_NODE_MAP) {
		gv_diag_at(d, GV_SEV_ERROR, CODE_NOT_TRUST,
			   t->file->ndocs ? at(&c, t->file->docs[0]) : (gv_loc){ t->path, 0, 0 },
			   "a trust file is one mapping document (kind: Trust)");
		err = GV_EPARSE;
		goto fail;
	}
	root = t->file->docs[0];
	v = gv_node_get(root, "apiVersion");
	if (!v || v->kind != GV_NODE_STR || strcmp(v->s, "govgate/v1")) {
		bad(&c, CODE_NOT_TRUST, v ? v : root, "apiVersion must be govgate/v1");
		err = GV_EPARSE;
		goto fail;
	}
	v = gv_node_get(root, "kind");
	if (!v || v->kind != GV_NODE_STR || strcmp(v->s, GV_TRUST_KIND)) {
		bad(&c, CODE_NOT_TRUST, v ? v : root, "kind must be " GV_TRUST_KIND "%s%s%s",
		    v && v->s ? " (not '" : "", v && v->s ? v->s : "", v && v->s ? "')" : "");
		err = GV_EPARSE;
		goto fail;
	}
	load_root(&c, root);
	if ((err = c.err) < 0)
		goto fail;
	*out = t;
	return GV_OK;
fail:
	gv_trust_free(t);
	return err < 0 ? err : GV_EPARSE;
}

void gv_trust_free(gv_trust *t)
{
	if (!t)
		return;
	gv_arena_free(t->arena);  /* frees the keys first (gv_arena_on_free) */
	gv_file_free(t->file);
	free(t);
}

const gv_trust_key *gv_trust_find(const gv_trust *t, const char *keyid)
{
	size_t i;

	for (i = 0; t && i < t->nkeys; i++)
		if (t->keys[i].key && !strcmp(t->keys[i].keyid, keyid))
			return &t->keys[i];
	return NULL;
}
