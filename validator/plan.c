/*
 * plan.c: DeploymentPlan documents -> gv_plan (see plan.h, docs/DEPLOY.md).
 *
 * Every key is checked against the list of keys its mapping may hold, as
 * policy_load.c does for policies; every value's type and range too. Files
 * are checked for reading, commands are looked up as exec.c will run them,
 * so that a plan that names something missing fails here, before the
 * deployment records or runs anything. Loading goes on after an error so
 * that one run shows every problem.
 */
#include "plan.h"
#include "store.h"
#include "alloc.h"
#include "buf.h"
#include "exec.h"
#include "facts.h"
#include "gv.h"
#include "note.h"
#include "probe.h"
#include "rx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Codes: GV-D0xx plan errors (deploy.c uses GV-D1xx for the flow). */
#define CODE_NOT_PLAN "GV-D001"
#define CODE_UNKNOWN_KEY "GV-D002"
#define CODE_MISSING_KEY "GV-D003"
#define CODE_TYPE "GV-D004"
#define CODE_VALUE "GV-D005"
#define CODE_FILE "GV-D006"
#define CODE_DUPLICATE "GV-D007"
#define CODE_COMMAND "GV-D009"

typedef struct pctx {
	gv_plan *p;
	gv_file *f;
	gv_diags *d;
	int err;
} pctx;

const char *gv_plan_side_name(int side)
{
	return side == GV_PLAN_ONPREM ? "onprem" : "cloud";
}

static gv_loc at(pctx *c, const gv_node *n)
{
	return gv_node_loc(c->f, n);
}

static void bad(pctx *c, const char *code, const gv_node *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void bad(pctx *c, const char *code, const gv_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gv_diag_vat(c->d, GV_SEV_ERROR, code, at(c, n), fmt, ap);
	va_end(ap);
	c->err = GV_EPARSE;
}

static const char *astrdup(pctx *c, const char *s)
{
	return gv_arena_strndup(c->p->arena, s, strlen(s));
}

static void check_keys(pctx *c, const gv_node *map, const char *const *allowed, const char *what)
{
	uint32_t i;

	for (i = 0; i < map->n; i++) {
		const gv_node *k = map->u.pairs[i].key;
		const char *const *a;
		for (a = allowed; *a; a++)
			if (!strcmp(*a, k->s))
				break;
		if (!*a)
			bad(c, CODE_UNKNOWN_KEY, k, "unknown key '%s' in %s", k->s, what);
	}
}

/* The value of key in map; reports a missing required key at the map. */
static const gv_node *get(pctx *c, const gv_node *map, const char *key, int required,
			  const char *what)
{
	const gv_node *v = gv_node_get(map, key);

	if (!v && required)
		bad(c, CODE_MISSING_KEY, map, "%s has no '%s'", what, key);
	return v;
}

static int want_kind(pctx *c, const gv_node *v, int kind, const char *key)
{
	if (v->kind == kind)
		return 1;
	bad(c, CODE_TYPE, v, "'%s' must be %s, not %s", key, gv_node_kind_a(kind),
	    gv_node_kind_a(v->kind));
	return 0;
}

/* A scalar's text (any scalar but null), copied into the arena. */
static const char *text_of(pctx *c, const gv_node *v, const char *key)
{
	if (!gv_node_is_scalar(v) || v->kind == GV_NODE_NULL) {
		bad(c, CODE_TYPE, v, "'%s' must be a string, not %s", key,
		    gv_node_kind_a(v->kind));
		return NULL;
	}
	if (strlen(v->s) != v->n) {
		bad(c, CODE_VALUE, v, "'%s' contains a NUL character", key);
		return NULL;
	}
	return gv_arena_strndup(c->p->arena, v->s, v->n);
}

static const char *str_at(pctx *c, const gv_node *map, const char *key, int required,
			  const char *what)
{
	const gv_node *v = get(c, map, key, required, what);
	return v ? text_of(c, v, key) : NULL;
}

/* Printable text without control characters, at most max bytes. */
static int printable(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (!n || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

char *gv_plan_resolve(const char *dir, const char *path)
{
	gv_buf joined = GV_BUF_INIT, out = GV_BUF_INIT;
	char *copy, *tok, *save = NULL, **parts = NULL;
	size_t n = 0, alloc = 0, i;
	int absolute;

	if (path[0] == '/' || !dir || !*dir || !strcmp(dir, "."))
		gv_buf_puts(&joined, path);
	else
		gv_buf_printf(&joined, "%s/%s", dir, path);
	absolute = joined.ptr[0] == '/';
	copy = gv_buf_detach(&joined);
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, ".") || (!strcmp(tok, "..") && absolute && !n))
			continue;   /* "/.." is "/" */
		if (!strcmp(tok, "..") && n && strcmp(parts[n - 1], "..")) {
			/* drop "name/.." only when name is not a symbolic link */
			struct stat st;
			gv_buf prefix = GV_BUF_INIT;
			for (i = 0; i < n; i++)
				gv_buf_printf(&prefix, "%s%s", i || absolute ? "/" : "", parts[i]);
			if (lstat(prefix.ptr, &st) < 0 || !S_ISLNK(st.st_mode)) {
				gv_buf_release(&prefix);
				n--;
				continue;
			}
			gv_buf_release(&prefix);
		}
		GV_GROW(parts, alloc, n + 1);
		parts[n++] = tok;
	}
	for (i = 0; i < n; i++)
		gv_buf_printf(&out, "%s%s", i || absolute ? "/" : "", parts[i]);
	if (!out.len)
		gv_buf_puts(&out, absolute ? "/" : ".");
	free(parts);
	free(copy);
	return gv_buf_detach(&out);
}

static const char *path_of(pctx *c, const gv_node *v, const char *key)
{
	const char *s = text_of(c, v, key);
	char *r;
	const char *a;

	if (!s)
		return NULL;
	if (!*s) {
		bad(c, CODE_VALUE, v, "'%s' is an empty path", key);
		return NULL;
	}
	if (gv_store_is_pg(s))  /* a PostgreSQL database (store.h), not a path */
		return astrdup(c, s);
	r = gv_plan_resolve(c->p->dir, s);
	a = astrdup(c, r);
	free(r);
	return a;
}

/* A file (or, with dir_ok, a folder) that must exist and be readable. */
static void check_read(pctx *c, const gv_node *v, const char *path, const char *what, int dir_ok)
{
	struct stat st;

	if (!path)
		return;
	if (stat(path, &st) < 0 || access(path, R_OK) < 0) {
		bad(c, CODE_FILE, v, "cannot read %s '%s': %s", what, path, strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode) && !dir_ok)
		bad(c, CODE_FILE, v, "%s '%s' is a folder", what, path);
}

/* A PEM file for the probe: readable and with a BEGIN line at least. */
static void check_pem(pctx *c, const gv_node *v, const char *path, const char *what)
{
	gv_buf b = GV_BUF_INIT;

	if (!path)
		return;
	if (gv_buf_read_file(&b, path, (size_t)1 << 20) < 0)
		bad(c, CODE_FILE, v, "cannot read %s '%s': %s", what, path, strerror(errno));
	else if (!strstr(b.ptr, "-----BEGIN "))
		bad(c, CODE_FILE, v, "%s '%s' is not PEM (no -----BEGIN line)", what, path);
	gv_buf_release(&b);
}

static const char *pem_at(pctx *c, const gv_node *map, const char *key, const char *what)
{
	const gv_node *v = gv_node_get(map, key);
	const char *p = v ? path_of(c, v, key) : NULL;

	check_pem(c, v, p, what);
	return p;
}

/* A string or a list of strings, as paths; at least one. */
static const char **paths_of(pctx *c, const gv_node *v, const char *key, size_t *n,
			     gv_loc **locs, const char *what, int dir_ok)
{
	const char **out;
	uint32_t i, count = v->kind == GV_NODE_SEQ ? v->n : 1;

	*n = 0;
	if (v->kind == GV_NODE_SEQ && !v->n) {
		bad(c, CODE_VALUE, v, "'%s' is an empty list", key);
		return NULL;
	}
	out = gv_arena_alloc(c->p->arena, (count + 1) * sizeof(*out));
	if (locs)
		*locs = gv_arena_alloc(c->p->arena, count * sizeof(**locs));
	for (i = 0; i < count; i++) {
		const gv_node *it = v->kind == GV_NODE_SEQ ? v->u.items[i] : v;
		const char *p = path_of(c, it, key);
		check_read(c, it, p, what, dir_ok);
		if (!p)
			continue;
		if (locs)
			(*locs)[*n] = at(c, it);
		out[(*n)++] = p;
	}
	return out;
}

static int duration_at(pctx *c, const gv_node *map, const char *key, unsigned lo_ms,
		       unsigned hi_ms, unsigned *out)
{
	const gv_node *v = gv_node_get(map, key);
	uint64_t ms;

	if (!v)
		return 0;
	if (gv_plan_duration_ms(&ms, v) < 0) {
		bad(c, CODE_VALUE, v, "'%s' is not a duration such as 30, 1.5s, 250ms, 10m or 1h",
		    key);
		return 0;
	}
	if (ms < lo_ms || ms > hi_ms) {
		bad(c, CODE_VALUE, v, "'%s' must be from %ums to %ums", key, lo_ms, hi_ms);
		return 0;
	}
	*out = (unsigned)ms;
	return 1;
}

static int uint_at(pctx *c, const gv_node *map, const char *key, int64_t lo, int64_t hi,
		   int64_t *out)
{
	const gv_node *v = gv_node_get(map, key);

	if (!v)
		return 0;
	if (v->kind != GV_NODE_INT) {
		bad(c, CODE_TYPE, v, "'%s' must be an integer, not %s", key,
		    gv_node_kind_a(v->kind));
		return 0;
	}
	if (v->u.i < lo || v->u.i > hi) {
		bad(c, CODE_VALUE, v, "'%s' must be from %lld to %lld", key, (long long)lo,
		    (long long)hi);
		return 0;
	}
	*out = v->u.i;
	return 1;
}

int gv_plan_duration_ms(uint64_t *out, const gv_node *n)
{
	const char *s = n->s, *unit;
	char *end;
	double v, mult = 1000;

	if (n->kind == GV_NODE_INT) {
		if (n->u.i < 0 || n->u.i > 100LL * 365 * 86400)
			return GV_EPARSE;
		*out = (uint64_t)n->u.i * 1000;
		return GV_OK;
	}
	if (n->kind != GV_NODE_FLOAT && n->kind != GV_NODE_STR)
		return GV_EPARSE;
	if (!s || !(*s >= '0' && *s <= '9'))
		return GV_EPARSE;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return GV_EPARSE;
	unit = end;
	if (!strcmp(unit, "ms"))
		mult = 1;
	else if (!*unit || !strcmp(unit, "s"))
		mult = 1000;
	else if (!strcmp(unit, "m"))
		mult = 60000;
	else if (!strcmp(unit, "h"))
		mult = 3600000;
	else
		return GV_EPARSE;
	if (!(v >= 0) || v * mult > 100.0 * 365 * 86400 * 1000)
		return GV_EPARSE;
	*out = (uint64_t)(v * mult + 0.5);
	return GV_OK;
}

/* An argument list: a non-empty list of scalars; the command must be runnable. */
static const char **argv_of(pctx *c, const gv_node *v, const char *key, size_t *argc)
{
	const char **argv;
	uint32_t i;
	char *found;

	*argc = 0;
	if (!want_kind(c, v, GV_NODE_SEQ, key))
		return NULL;
	if (!v->n || v->n > GV_PLAN_MAX_ARGS) {
		bad(c, CODE_VALUE, v, "'%s' must list the command and its arguments (1 to %d "
		    "items)", key, GV_PLAN_MAX_ARGS);
		return NULL;
	}
	argv = gv_arena_alloc(c->p->arena, (v->n + 1) * sizeof(*argv));
	for (i = 0; i < v->n; i++) {
		const gv_node *it = v->u.items[i];
		const char *s = text_of(c, it, key);
		if (!s)
			return NULL;
		if (strlen(s) > GV_PLAN_MAX_ARG_BYTES) {
			bad(c, CODE_VALUE, it, "argument longer than %d bytes", GV_PLAN_MAX_ARG_BYTES);
			return NULL;
		}
		argv[i] = s;
	}
	argv[v->n] = NULL;
	if (!*argv[0]) {
		bad(c, CODE_VALUE, v->u.items[0], "the command is an empty string");
		return NULL;
	}
	/* steps run in the plan's folder, so a relative command is looked up there */
	if (!(found = gv_exec_resolve(argv[0], c->p->dir))) {
		bad(c, CODE_COMMAND, v->u.items[0], errno == EACCES ?
		    "command '%s' is not executable" : "command '%s' not found%s", argv[0],
		    strchr(argv[0], '/') ? "" : " in $PATH");
		return NULL;
	}
	free(found);
	*argc = v->n;
	return argv;
}

/* The variables govgate sets for steps and the alert command. */
static const char *const reserved_env[] = {
	"GOVGATE_DEPLOYMENT_ID", "GOVGATE_SIDE", "GOVGATE_STEP", "GOVGATE_DRY_RUN",
	"GOVGATE_STATUS", NULL
};

static int env_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > GV_PLAN_MAX_ENV_NAME || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", s[i]))
			return 0;
	return 1;
}

/* A variable name a plan may set or inherit; reports what is wrong at n. */
static int env_name_at(pctx *c, const gv_node *n, const char *name, const char *key)
{
	const char *const *r;

	if (!env_name_ok(name)) {
		bad(c, CODE_VALUE, n, "'%s': variable name '%s' must be 1 to %d of A-Z a-z 0-9 _, "
		    "not starting with a digit", key, name, GV_PLAN_MAX_ENV_NAME);
		return 0;
	}
	for (r = reserved_env; *r; r++)
		if (!strcmp(*r, name)) {
			bad(c, CODE_VALUE, n, "'%s': variable '%s' is set by govgate", key, name);
			return 0;
		}
	return 1;
}

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Whether "NAME=VALUE" list v has an entry for name (nlen bytes). */
static int env_listed(const char *const *v, const char *name, size_t nlen)
{
	for (; v && *v; v++)
		if (!strncmp(*v, name, nlen) && (*v)[nlen] == '=')
			return 1;
	return 0;
}

/*
 * A mapping's `env` (NAME: value) and `inherit_env` ([NAME, ...]), merged
 * over the defaults given: the mapping's entries win, names are not
 * repeated. The results are NULL-terminated arrays in the arena.
 */
static void load_env(pctx *c, const gv_node *map, const char *const *def_env,
		     const char *const *def_inherit, const char ***env_out,
		     const char ***inherit_out)
{
	const gv_node *e = gv_node_get(map, "env"), *in = gv_node_get(map, "inherit_env");
	size_t nd = count(def_env), ni = count(def_inherit), n = 0, k = 0, i, j;
	const char **env, **inherit;
	uint32_t m;

	if (e && (!want_kind(c, e, GV_NODE_MAP, "env") || e->n > GV_PLAN_MAX_ENV)) {
		if (e->kind == GV_NODE_MAP)
			bad(c, CODE_VALUE, e, "'env' sets more than %d variables", GV_PLAN_MAX_ENV);
		e = NULL;
	}
	if (in && (!want_kind(c, in, GV_NODE_SEQ, "inherit_env") || in->n > GV_PLAN_MAX_ENV)) {
		if (in->kind == GV_NODE_SEQ)
			bad(c, CODE_VALUE, in, "'inherit_env' names more than %d variables",
			    GV_PLAN_MAX_ENV);
		in = NULL;
	}
	env = gv_arena_alloc(c->p->arena, (nd + (e ? e->n : 0) + 1) * sizeof(*env));
	inherit = gv_arena_alloc(c->p->arena, (ni + (in ? in->n : 0) + 1) * sizeof(*inherit));
	for (m = 0; e && m < e->n; m++) {
		const gv_node *key = e->u.pairs[m].key, *val = e->u.pairs[m].val;
		const char *v;
		gv_buf b = GV_BUF_INIT;

		if (!env_name_at(c, key, key->s, "env") || !(v = text_of(c, val, key->s)))
			continue;
		if (strlen(v) > GV_PLAN_MAX_ARG_BYTES) {
			bad(c, CODE_VALUE, val, "'%s' is longer than %d bytes", key->s,
			    GV_PLAN_MAX_ARG_BYTES);
			continue;
		}
		gv_buf_printf(&b, "%s=%s", key->s, v);
		env[n++] = astrdup(c, b.ptr);
		gv_buf_release(&b);
	}
	env[n] = NULL;
	/* the defaults' entries the mapping does not replace come first */
	for (i = 0, j = 0; i < nd; i++) {
		size_t nlen = (size_t)(strchr(def_env[i], '=') - def_env[i]);
		if (!env_listed(env, def_env[i], nlen))
			j++;
	}
	if (j) {
		memmove(env + j, env, (n + 1) * sizeof(*env));
		for (i = 0, k = 0; i < nd; i++) {
			size_t nlen = (size_t)(strchr(def_env[i], '=') - def_env[i]);
			if (!env_listed(env + j, def_env[i], nlen))
				env[k++] = def_env[i];
		}
		n += j;
	}
	for (k = 0; k < ni; k++)
		inherit[k] = def_inherit[k];
	for (m = 0; in && m < in->n; m++) {
		const gv_node *it = in->u.items[m];
		const char *name = text_of(c, it, "inherit_env");

		if (!name || !env_name_at(c, it, name, "inherit_env"))
			continue;
		for (i = 0; i < k && strcmp(inherit[i], name); i++)
			;
		if (i < k) {
			if (i >= ni)
				bad(c, CODE_DUPLICATE, it, "'inherit_env' names '%s' twice", name);
			continue;
		}
		if (e && gv_node_get(e, name)) {
			bad(c, CODE_DUPLICATE, it, "'%s' is both set in 'env' and named in "
			    "'inherit_env'", name);
			continue;
		}
		inherit[k++] = name;
	}
	inherit[k] = NULL;
	*env_out = env;
	*inherit_out = inherit;
}

static const char *const endpoint_keys[] = { "endpoint", "server_name", "ca", "cert", "key", NULL };
static const char *const probe_keys[] = {
	"endpoints", "ca", "cert", "key", "server_name", "timeout", "attempts", "max_time", NULL
};
static const char *const step_keys[] = { "name", "run", "timeout", "env", "inherit_env", NULL };
static const char *const side_keys[] = { "probe", "facts", "steps", "sync", NULL };
static const char *const sync_keys[] = { "origin", "db", "key", NULL };

static int valid_name(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]))
			return 0;
	return 1;
}

static void server_name_ok(pctx *c, const gv_node *map, const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (!s)
		return;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			break;
	if (!n || n > 253 || i < n)
		bad(c, CODE_VALUE, gv_node_get(map, "server_name"),
		    "server name '%s' must be printable ASCII without spaces", s);
}

static void load_endpoint(pctx *c, gv_plan_endpoint *e, const gv_node *v)
{
	const char *ep;
	char *host = NULL;
	unsigned port;

	e->loc = at(c, v);
	if (v->kind == GV_NODE_MAP) {
		check_keys(c, v, endpoint_keys, "an endpoint");
		ep = str_at(c, v, "endpoint", 1, "an endpoint");
		e->server_name = str_at(c, v, "server_name", 0, "an endpoint");
		server_name_ok(c, v, e->server_name);
		e->ca = pem_at(c, v, "ca", "CA file");
		e->cert = pem_at(c, v, "cert", "certificate");
		e->key = pem_at(c, v, "key", "key");
		if (!e->cert != !e->key)
			bad(c, CODE_VALUE, v, "an endpoint's 'cert' and 'key' go together");
		v = gv_node_get(v, "endpoint");
	} else {
		ep = text_of(c, v, "endpoints");
	}
	if (!ep)
		return;
	if (gv_probe_parse_endpoint(&host, &port, ep) < 0)
		bad(c, CODE_VALUE, v, "invalid endpoint '%s' (want HOST:PORT or [ADDR]:PORT)", ep);
	free(host);
	e->endpoint = ep;
}

static void load_probe(pctx *c, gv_plan_side *s, const gv_node *pr)
{
	const gv_node *eps;
	int64_t attempts;
	uint32_t i;

	if (!want_kind(c, pr, GV_NODE_MAP, "probe"))
		return;
	check_keys(c, pr, probe_keys, "a side's probe");
	s->ca = pem_at(c, pr, "ca", "CA file");
	s->cert = pem_at(c, pr, "cert", "certificate");
	s->key = pem_at(c, pr, "key", "key");
	if (!s->cert != !s->key)
		bad(c, CODE_VALUE, pr, "the probe's 'cert' and 'key' go together");
	s->server_name = str_at(c, pr, "server_name", 0, "a probe");
	server_name_ok(c, pr, s->server_name);
	duration_at(c, pr, "timeout", 1, 60000, &s->timeout_ms);
	duration_at(c, pr, "max_time", 1, 600000, &s->max_time_ms);
	if (uint_at(c, pr, "attempts", 1, 20, &attempts))
		s->attempts = (unsigned)attempts;
	if (!(eps = gv_node_get(pr, "endpoints")))
		return;
	if (!want_kind(c, eps, GV_NODE_SEQ, "endpoints"))
		return;
	if (eps->n > GV_PLAN_MAX_ENDPOINTS) {
		bad(c, CODE_VALUE, eps, "more than %d endpoints", GV_PLAN_MAX_ENDPOINTS);
		return;
	}
	s->endpoints = gv_arena_alloc(c->p->arena, (eps->n + 1) * sizeof(*s->endpoints));
	for (i = 0; i < eps->n; i++)
		load_endpoint(c, &s->endpoints[i], eps->u.items[i]);
	s->nendpoints = eps->n;
}

static void load_steps(pctx *c, gv_plan_side *s, const gv_node *steps, const char *side,
		       unsigned def_timeout, const char *const *def_env,
		       const char *const *def_inherit)
{
	uint32_t i, k;

	if (!want_kind(c, steps, GV_NODE_SEQ, "steps"))
		return;
	if (steps->n > GV_PLAN_MAX_STEPS) {
		bad(c, CODE_VALUE, steps, "more than %d steps", GV_PLAN_MAX_STEPS);
		return;
	}
	s->steps = gv_arena_alloc(c->p->arena, (steps->n + 1) * sizeof(*s->steps));
	for (i = 0; i < steps->n; i++) {
		const gv_node *st = steps->u.items[i], *run, *nm;
		gv_plan_step *p = &s->steps[i];
		char buf[32];

		p->loc = at(c, st);
		p->timeout_ms = def_timeout;
		p->env = (const char **)def_env;
		p->inherit_env = (const char **)def_inherit;
		if (!want_kind(c, st, GV_NODE_MAP, "a step"))
			continue;
		check_keys(c, st, step_keys, "a step");
		if ((nm = gv_node_get(st, "name"))) {
			p->name = text_of(c, nm, "name");
			if (p->name && !valid_name(p->name)) {
				bad(c, CODE_VALUE, nm, "step name '%s' must be 1 to 64 of "
				    "A-Z a-z 0-9 . _ -", p->name);
				p->name = NULL;
			}
			for (k = 0; p->name && k < i; k++)
				if (s->steps[k].name && !strcmp(s->steps[k].name, p->name))
					bad(c, CODE_DUPLICATE, nm, "duplicate step name '%s' on the %s "
					    "side (first at line %u)", p->name, side, s->steps[k].loc.line);
		} else {
			snprintf(buf, sizeof(buf), "step-%u", i + 1);
			p->name = astrdup(c, buf);
		}
		if ((run = get(c, st, "run", 1, "a step")))
			p->argv = argv_of(c, run, "run", &p->argc);
		duration_at(c, st, "timeout", 1, GV_PLAN_MAX_STEP_TIMEOUT_MS, &p->timeout_ms);
		load_env(c, st, def_env, def_inherit, &p->env, &p->inherit_env);
	}
	s->nsteps = steps->n;
}

static void load_side(pctx *c, int side, const gv_node *v, unsigned def_timeout,
		      const char *const *def_env, const char *const *def_inherit)
{
	gv_plan_side *s = &c->p->sides[side];
	const gv_node *n;
	char what[32];

	if (!want_kind(c, v, GV_NODE_MAP, gv_plan_side_name(side)))
		return;
	snprintf(what, sizeof(what), "the %s side", gv_plan_side_name(side));
	check_keys(c, v, side_keys, what);
	if ((n = gv_node_get(v, "probe")))
		load_probe(c, s, n);
	if ((n = gv_node_get(v, "facts"))) {
		if (n->kind == GV_NODE_SEQ && n->n > GV_PLAN_MAX_FACTS)
			bad(c, CODE_VALUE, n, "more than %d facts files", GV_PLAN_MAX_FACTS);
		else
			s->facts = paths_of(c, n, "facts", &s->nfacts, &s->facts_loc,
					    "facts file", 0);
	}
	if ((n = gv_node_get(v, "steps")))
		load_steps(c, s, n, gv_plan_side_name(side), def_timeout, def_env, def_inherit);
	if ((n = gv_node_get(v, "sync")) && want_kind(c, n, GV_NODE_MAP, "sync")) {
		const gv_node *db;
		check_keys(c, n, sync_keys, "a side's sync");
		s->sync_loc = at(c, n);
		s->sync_origin = str_at(c, n, "origin", 1, "sync");
		if (s->sync_origin && !gv_note_name_valid(s->sync_origin))
			bad(c, CODE_VALUE, gv_node_get(n, "origin"), "origin '%s' is not a valid log "
			    "origin (no spaces or '+')", s->sync_origin);
		if ((db = gv_node_get(n, "db"))) {
			s->sync_db = path_of(c, db, "db");
			if (s->sync_db && !gv_store_is_pg(s->sync_db))
				check_read(c, db, s->sync_db, "sync database", 0);
		}
		if ((db = gv_node_get(n, "key"))) {
			s->sync_key = path_of(c, db, "key");
			check_read(c, db, s->sync_key, "sync key", 0);
		}
	}
	if (!s->nendpoints && !s->nfacts)
		bad(c, CODE_MISSING_KEY, v, "the %s side has neither probe endpoints nor facts "
		    "files: nothing would describe it", gv_plan_side_name(side));
}

static const char *const top_keys[] = {
	"apiVersion", "kind", "description", "deployment", "manifest", "policies", "rules",
	"max_fact_age", "max_clock_skew", "regex_budget", "order", "recheck_between_sides",
	"step_defaults", "cloud", "onprem",
	"alert", "evidence", "trust", "approvals", "waivers", "policy_bundles", NULL
};
static const char *const deployment_keys[] = {
	"deployment_id", "mode", "cloud_region", "on_prem", NULL
};
static const char *const defaults_keys[] = {
	"timeout", "output_limit", "env", "inherit_env", NULL
};
static const char *const alert_keys[] = { "command", "timeout", "env", "inherit_env", NULL };
static const char *const evidence_keys[] = {
	"db", "log_key", "origin", "sign_key", "report", "receipt", "facts_dir", "actor", NULL
};

static void load_deployment(pctx *c, const gv_node *dep)
{
	gv_plan *p = c->p;
	const gv_node *id;

	if (!want_kind(c, dep, GV_NODE_MAP, "deployment"))
		return;
	check_keys(c, dep, deployment_keys, "deployment");
	if ((id = get(c, dep, "deployment_id", 1, "deployment"))) {
		p->deployment_id = text_of(c, id, "deployment_id");
		p->deployment_loc = at(c, id);
		if (p->deployment_id && !printable(p->deployment_id, 256)) {
			bad(c, CODE_VALUE, id, "deployment_id must be 1 to 256 printable bytes");
			p->deployment_id = NULL;
		}
	}
	p->mode = str_at(c, dep, "mode", 1, "deployment");
	if (p->mode && strcmp(p->mode, "hybrid"))
		bad(c, CODE_VALUE, gv_node_get(dep, "mode"),
		    "mode '%s' is not supported: deploy runs hybrid deployments (mode: hybrid)",
		    p->mode);
	p->cloud_region = str_at(c, dep, "cloud_region", 1, "deployment");
	p->on_prem = str_at(c, dep, "on_prem", 1, "deployment");
}

static void load_order(pctx *c, const gv_node *v)
{
	uint32_t i;
	int seen[2] = { 0, 0 };

	if (!want_kind(c, v, GV_NODE_SEQ, "order"))
		return;
	if (v->n != 2) {
		bad(c, CODE_VALUE, v, "'order' must name both sides once: [cloud, onprem] or "
		    "[onprem, cloud]");
		return;
	}
	for (i = 0; i < 2; i++) {
		const gv_node *it = v->u.items[i];
		int s;
		if (it->kind == GV_NODE_STR && !strcmp(it->s, "cloud"))
			s = GV_PLAN_CLOUD;
		else if (it->kind == GV_NODE_STR && !strcmp(it->s, "onprem"))
			s = GV_PLAN_ONPREM;
		else {
			bad(c, CODE_VALUE, it, "'%s' is not a side (cloud or onprem)",
			    it->s ? it->s : gv_node_kind_name(it->kind));
			return;
		}
		if (seen[s]++) {
			bad(c, CODE_DUPLICATE, it, "side '%s' named twice in 'order'", it->s);
			return;
		}
		c->p->order[i] = s;
	}
}

static void load_evidence(pctx *c, const gv_node *ev)
{
	gv_plan_evidence *e = &c->p->evidence;
	const gv_node *v;

	if (!want_kind(c, ev, GV_NODE_MAP, "evidence"))
		return;
	check_keys(c, ev, evidence_keys, "evidence");
	if ((v = gv_node_get(ev, "db")))
		e->db = path_of(c, v, "db");
	if ((v = gv_node_get(ev, "log_key"))) {
		e->log_key = path_of(c, v, "log_key");
		check_read(c, v, e->log_key, "log key", 0);
	}
	if ((v = gv_node_get(ev, "sign_key"))) {
		e->sign_key = path_of(c, v, "sign_key");
		check_read(c, v, e->sign_key, "signing key", 0);
	}
	if ((v = gv_node_get(ev, "report")))
		e->report = path_of(c, v, "report");
	if ((v = gv_node_get(ev, "receipt")))
		e->receipt = path_of(c, v, "receipt");
	if ((v = gv_node_get(ev, "facts_dir")))
		e->facts_dir = path_of(c, v, "facts_dir");
	e->origin = str_at(c, ev, "origin", 0, "evidence");
	e->actor = str_at(c, ev, "actor", 0, "evidence");
}

static void load_root(pctx *c, const gv_node *root)
{
	gv_plan *p = c->p;
	const gv_node *v;
	unsigned def_timeout = GV_PLAN_DEFAULT_STEP_TIMEOUT_MS;
	static const char *const none[] = { NULL };
	const char **def_env = (const char **)none, **def_inherit = (const char **)none;
	int64_t lim;

	check_keys(c, root, top_keys, "a deployment plan");
	if ((v = get(c, root, "deployment", 1, "the plan")))
		load_deployment(c, v);
	if ((v = get(c, root, "manifest", 1, "the plan"))) {
		p->manifest = path_of(c, v, "manifest");
		check_read(c, v, p->manifest, "manifest", 0);
	}
	if ((v = get(c, root, "policies", 1, "the plan")))
		p->policies = paths_of(c, v, "policies", &p->npolicies, NULL, "policy path", 1);
	if ((v = gv_node_get(root, "rules")))
		p->rules = paths_of(c, v, "rules", &p->nrules, NULL, "rule path", 1);
	if ((v = gv_node_get(root, "trust"))) {
		p->trust = path_of(c, v, "trust");
		check_read(c, v, p->trust, "trust file", 0);
	}
	if ((v = gv_node_get(root, "approvals")))   /* signed approvals (governance.h) */
		p->approvals = paths_of(c, v, "approvals", &p->napprovals, NULL, "approval", 0);
	if ((v = gv_node_get(root, "waivers")))
		p->waivers = paths_of(c, v, "waivers", &p->nwaivers, NULL, "signed waiver", 0);
	if ((v = gv_node_get(root, "policy_bundles")))
		p->policy_bundles = paths_of(c, v, "policy_bundles", &p->npolicy_bundles, NULL,
					     "policy bundle", 0);
	if ((v = gv_node_get(root, "max_fact_age"))) {
		uint64_t ms;
		if (gv_plan_duration_ms(&ms, v) < 0 || ms < 1000)
			bad(c, CODE_VALUE, v, "'max_fact_age' is not a duration such as 900, 15m, "
			    "1h or 2d");
		else
			p->max_fact_age = (int64_t)(ms / 1000);
	}
	if ((v = gv_node_get(root, "max_clock_skew"))) {
		uint64_t ms;
		if (gv_plan_duration_ms(&ms, v) < 0 || ms % 1000 || ms > (uint64_t)86400 * 1000)
			bad(c, CODE_VALUE, v, "'max_clock_skew' is not a duration of whole seconds "
			    "from 0 to 1d, such as 0, 300 or 5m");
		else
			p->max_clock_skew = (int64_t)(ms / 1000);
	}
	{
		int64_t steps;
		if (uint_at(c, root, "regex_budget", 1000, INT64_C(1000000000000000), &steps))
			p->regex_budget = (uint64_t)steps;
	}
	if ((v = gv_node_get(root, "order")))
		load_order(c, v);
	if ((v = gv_node_get(root, "recheck_between_sides")) &&
	    want_kind(c, v, GV_NODE_BOOL, "recheck_between_sides"))
		p->recheck_between_sides = v->u.b;
	if ((v = gv_node_get(root, "step_defaults")) &&
	    want_kind(c, v, GV_NODE_MAP, "step_defaults")) {
		check_keys(c, v, defaults_keys, "step_defaults");
		duration_at(c, v, "timeout", 1, GV_PLAN_MAX_STEP_TIMEOUT_MS, &def_timeout);
		if (uint_at(c, v, "output_limit", 0, GV_PLAN_MAX_OUTPUT_LIMIT, &lim))
			p->output_limit = (size_t)lim;
		load_env(c, v, none, none, &def_env, &def_inherit);
	}
	if ((v = get(c, root, "cloud", 1, "the plan")))
		load_side(c, GV_PLAN_CLOUD, v, def_timeout, def_env, def_inherit);
	if ((v = get(c, root, "onprem", 1, "the plan")))
		load_side(c, GV_PLAN_ONPREM, v, def_timeout, def_env, def_inherit);
	p->alert_env = p->alert_inherit_env = (const char **)none;
	if ((v = gv_node_get(root, "alert")) && want_kind(c, v, GV_NODE_MAP, "alert")) {
		const gv_node *cmd;
		check_keys(c, v, alert_keys, "alert");
		if ((cmd = get(c, v, "command", 1, "alert")))
			p->alert_argv = argv_of(c, cmd, "command", &p->alert_argc);
		duration_at(c, v, "timeout", 1, GV_PLAN_MAX_ALERT_TIMEOUT_MS, &p->alert_timeout_ms);
		load_env(c, v, none, none, &p->alert_env, &p->alert_inherit_env);
	}
	if ((v = gv_node_get(root, "evidence")))
		load_evidence(c, v);
}

int gv_plan_load(gv_plan **out, const char *path, gv_diags *d)
{
	gv_plan *p;
	pctx c;
	const gv_node *root, *v;
	const char *slash;
	int err;

	*out = NULL;
	p = gv_xcalloc(1, sizeof(*p));
	p->arena = gv_arena_new();
	p->order[0] = GV_PLAN_CLOUD;
	p->order[1] = GV_PLAN_ONPREM;
	p->output_limit = GV_PLAN_DEFAULT_OUTPUT_LIMIT;
	p->alert_timeout_ms = GV_PLAN_DEFAULT_ALERT_TIMEOUT_MS;
	p->max_clock_skew = GV_FACTS_MAX_SKEW;
	p->regex_budget = GV_RX_BUDGET_DEFAULT;
	c.p = p;
	c.d = d;
	c.err = GV_OK;
	p->path = gv_arena_strndup(p->arena, path, strlen(path));
	slash = strrchr(path, '/');
	p->dir = slash ? gv_arena_strndup(p->arena, path, slash == path ? 1 : (size_t)(slash - path))
		       : ".";
	if ((err = gv_file_load(&p->file, path, NULL, d)) < 0)
		goto fail;
	c.f = p->file;
	if (p->file->ndocs != 1 || p->file->docs[0]->kind != GV_NODE_MAP) {
		gv_diag_at(d, GV_SEV_ERROR, CODE_NOT_PLAN,
			   p->file->ndocs ? at(&c, p->file->docs[0]) : (gv_loc){ p->path, 0, 0 },
			   "a deployment plan is one mapping document");
		err = GV_EPARSE;
		goto fail;
	}
	root = p->file->docs[0];
	v = gv_node_get(root, "apiVersion");
	if (!v || v->kind != GV_NODE_STR || strcmp(v->s, "govgate/v1")) {
		bad(&c, CODE_NOT_PLAN, v ? v : root, "apiVersion must be govgate/v1");
		err = GV_EPARSE;
		goto fail;
	}
	v = gv_node_get(root, "kind");
	if (!v || v->kind != GV_NODE_STR || strcmp(v->s, GV_PLAN_KIND)) {
		bad(&c, CODE_NOT_PLAN, v ? v : root, "kind must be " GV_PLAN_KIND "%s%s%s",
		    v && v->s ? " (not '" : "", v && v->s ? v->s : "", v && v->s ? "')" : "");
		err = GV_EPARSE;
		goto fail;
	}
	load_root(&c, root);
	if ((err = c.err) < 0)
		goto fail;
	*out = p;
	return GV_OK;
fail:
	gv_plan_free(p);
	return err < 0 ? err : GV_EPARSE;
}

void gv_plan_free(gv_plan *p)
{
	if (!p)
		return;
	gv_file_free(p->file);
	gv_arena_free(p->arena);
	free(p);
}
