/*
 * policy_load.c: RuleSet and Policy documents -> gv_program.
 *
 * Files are gathered (folders recursively, *.yaml, *.yml, *.json, in byte
 * order of their paths), loaded with the same bounded loader as manifests,
 * and checked key by key: an unknown key, a duplicate rule id in one RuleSet
 * or one policy, a `use:` that could mean two rules, a `use:` of
 * an unknown rule or a bad enforcement is an error at its line and column.
 * Loading continues after an error so that every problem is reported.
 */
#include "policy.h"
#include "alloc.h"
#include "buf.h"
#include "datadir.h"
#include "digest.h"
#include "embedded.h"
#include "facts.h"
#include "gv.h"
#include "rx.h"
#include "suggest.h"
#include "trust.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *enf_names[] = { "allow", "info", "warn", "escalate", "halt", "block" };
static const char *sev_names[] = { "none", "low", "medium", "high", "critical" };

const char *gv_enforcement_name(int e)
{
	return e >= 0 && e <= GV_ENF_BLOCK ? enf_names[e] : "?";
}

const char *gv_severity_name(int s)
{
	return s >= 0 && s <= GV_SEV_CRITICAL ? sev_names[s] : "?";
}

typedef struct strvec {
	char **v;
	size_t n, alloc;
} strvec;

static void strvec_push(strvec *s, char *p)
{
	GV_GROW(s->v, s->alloc, s->n + 1);
	s->v[s->n++] = p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static int has_ext(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml")) ||
	       (n > 5 && !strcmp(name + n - 5, ".json"));
}

static int gather(strvec *out, const char *path, int depth, gv_diags *d)
{
	struct stat st;
	DIR *dir;
	struct dirent *e;
	strvec here = { 0 };
	size_t i;

	if (stat(path, &st) < 0)
		return gv_error(d, "GV-P001", path, "cannot read policy path: %s", strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		strvec_push(out, gv_xstrdup(path));
		return GV_OK;
	}
	if (depth > 16)
		return gv_error(d, "GV-P001", path, "folders nested too deep");
	if (!(dir = opendir(path)))
		return gv_error(d, "GV-P001", path, "cannot open folder: %s", strerror(errno));
	while ((e = readdir(dir))) {
		gv_buf p = GV_BUF_INIT;
		if (e->d_name[0] == '.')
			continue;
		gv_buf_printf(&p, "%s%s%s", path,
			      path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
		strvec_push(&here, gv_buf_detach(&p));
	}
	closedir(dir);
	if (here.n)
		qsort(here.v, here.n, sizeof(char *), cmp_str);
	for (i = 0; i < here.n; i++) {
		/* a tests/ folder holds policy tests and their fixtures
		 * (`policy test`), not policies */
		if (stat(here.v[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (strcmp(strrchr(here.v[i], '/') + 1, "tests"))
				gather(out, here.v[i], depth + 1, d);
		} else if (has_ext(here.v[i])) {
			strvec_push(out, gv_xstrdup(here.v[i]));
		}
		free(here.v[i]);
	}
	free(here.v);
	return GV_OK;
}

/* A rule definition from a RuleSet. */
typedef struct ruledef {
	const char *id;
	const gv_node *node;
	const gv_file *file;
	const gv_node *doc;     /* the RuleSet document that defines it */
	int used;               /* a policy's `use:` compiled it */
} ruledef;

typedef struct loadctx {
	gv_program *prog;
	gv_diags *d;
	ruledef *defs;
	size_t ndefs, defs_alloc;
	int no_library;         /* no rule path given: the library was not found */
	int library_said;       /* ... and that was said, once */
} loadctx;

static gv_loc at(const gv_file *f, const gv_node *n)
{
	return gv_node_loc(f, n);
}

/* Reports keys of map that are not in allowed (NULL-terminated). */
static int check_keys(loadctx *L, const gv_file *f, const gv_node *map,
		      const char *const *allowed, const char *what)
{
	return gv_check_keys(L->d, "GV-P010", f, map, allowed, what) ? GV_ERROR : GV_OK;
}

static const char *get_str(loadctx *L, const gv_file *f, const gv_node *map,
			   const char *key, int required, const char *what)
{
	const gv_node *v = gv_node_get(map, key);

	if (!v) {
		if (required)
			gv_diag_at(L->d, GV_SEV_ERROR, "GV-P011", at(f, map),
				   "%s has no '%s'", what, key);
		return NULL;
	}
	if (!gv_node_is_scalar(v) || v->kind == GV_NODE_NULL) {
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-P013", at(f, v),
			   "'%s' must be a string, not %s", key, gv_node_kind_a(v->kind));
		return NULL;
	}
	return v->s;
}

/* The definition `use: id` names: NULL when there is none, *n set to how
 * many RuleSet documents define it (more than one: ambiguous). */
static ruledef *find_def(loadctx *L, const char *id, size_t *n)
{
	ruledef *first = NULL;
	size_t i;

	*n = 0;
	for (i = 0; i < L->ndefs; i++)
		if (!strcmp(L->defs[i].id, id)) {
			if (!first)
				first = &L->defs[i];
			++*n;
		}
	return first;
}

static const gv_node *rule_id_node(loadctx *L, const gv_file *f, const gv_node *rule)
{
	const gv_node *idn = gv_node_get(rule, "id");

	if (!idn || idn->kind != GV_NODE_STR || !idn->n) {
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-P011", at(f, rule), "rule has no 'id' string");
		return NULL;
	}
	return idn;
}

/*
 * Library ids: a RuleSet document may not define one twice; two documents
 * (a newer library beside an older one, say) may, and only a `use:` of such
 * an id is an error, since only there could it mean two rules.
 */
static int add_def(loadctx *L, const gv_file *f, const gv_node *doc, const gv_node *rule)
{
	const gv_node *idn = rule_id_node(L, f, rule);
	size_t i;

	if (!idn)
		return GV_EPARSE;
	for (i = 0; i < L->ndefs; i++)
		if (L->defs[i].doc == doc && !strcmp(L->defs[i].id, idn->s)) {
			const gv_node *pid = gv_node_get(L->defs[i].node, "id");
			return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P014", at(f, idn),
					  "duplicate rule id '%s' (first defined at %s:%u:%u)", idn->s,
					  L->defs[i].file->path, pid->line, pid->col);
		}
	GV_GROW(L->defs, L->defs_alloc, L->ndefs + 1);
	L->defs[L->ndefs].id = idn->s;
	L->defs[L->ndefs].node = rule;
	L->defs[L->ndefs].file = f;
	L->defs[L->ndefs].doc = doc;
	L->defs[L->ndefs].used = 0;
	L->ndefs++;
	return GV_OK;
}

static const char *const rule_keys[] = {
	"id", "title", "description", "params", "check", "when", "message",
	"remediation", "enforcement", "severity", "tags", "waivable", NULL
};
static const char *const use_keys[] = {
	"use", "with", "title", "description", "message", "remediation",
	"enforcement", "severity", "tags", "when", "waivable", NULL
};

static int parse_enum(loadctx *L, const gv_file *f, const gv_node *v, const char *const *names,
		      int lo, int hi, const char *what, uint8_t *out)
{
	int i;

	if (v && v->kind == GV_NODE_STR)
		for (i = lo; i <= hi; i++)
			if (!strcmp(v->s, names[i])) {
				*out = (uint8_t)i;
				return GV_OK;
			}
	if (!v)
		return GV_OK;
	gv_buf list = GV_BUF_INIT;
	for (i = hi; i >= lo; i--)
		gv_buf_printf(&list, "%s%s", names[i], i > lo ? ", " : "");
	gv_diag_at(L->d, GV_SEV_ERROR, "GV-P015", at(f, v), "%s '%s' is not one of %s",
		   what, v->s ? v->s : gv_node_kind_name(v->kind), list.ptr);
	gv_buf_release(&list);
	return GV_EPARSE;
}

/*
 * A message's placeholders: {actual}, {expected} and {path}. Anything else
 * written like one ({actul}, {Path}) would be printed as it stands in every
 * finding, so it is an error. Braces around other text ("{by, role}") are
 * just text.
 */
static int check_placeholders(loadctx *L, const gv_file *f, const gv_node *msg)
{
	static const char *const known[] = { "actual", "expected", "path" };
	const char *p, *q;
	int err = GV_OK;
	size_t i;

	for (p = msg->s; (p = strchr(p, '{')); p = q) {
		for (q = p + 1; (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
				(*q >= '0' && *q <= '9') || *q == '_' || *q == '.' || *q == '-'; q++)
			;
		if (*q != '}' || q == p + 1)
			continue;
		for (i = 0; i < GV_ARRAY_LEN(known); i++)
			if ((size_t)(q - p - 1) == strlen(known[i]) && !strncmp(p + 1, known[i], strlen(known[i])))
				break;
		if (i == GV_ARRAY_LEN(known)) {
			gv_loc l = at(f, msg);
			/* the column of the placeholder when the message is on one line */
			if (!memchr(msg->s, '\n', (size_t)(p - msg->s)) && msg->line)
				l.col += (uint32_t)(p - msg->s) + (msg->quoted ? 1 : 0);
			err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P034", l,
					 "unknown placeholder '%.*s' in the message; the placeholders "
					 "are {actual}, {expected} and {path}", (int)(q - p + 1), p);
		}
	}
	return err;
}

/*
 * Builds rule r of policy pol from entry (a `use:` or an inline rule) in f.
 */
static int build_rule(loadctx *L, gv_rule *r, const char *polname, const gv_file *f,
		      const gv_node *entry)
{
	gv_arena *a = L->prog->arena;
	const gv_node *use = gv_node_get(entry, "use");
	const gv_node *def = entry, *with = NULL, *params, *v;
	const gv_file *deff = f;
	int err = GV_OK, def_seen = 0;

	r->policy = polname;
	r->loc = at(f, entry);
	if (use) {
		ruledef *rd;
		if (check_keys(L, f, entry, use_keys, "a rule use") < 0)
			err = GV_EPARSE;
		if (use->kind != GV_NODE_STR)
			return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P016", at(f, use),
					  "'use' names a rule id"), GV_EPARSE;
		size_t ndefs, i;
		if (!(rd = find_def(L, use->s, &ndefs)) && L->no_library) {
			/* one error for the whole load, not one per use: */
			if (!L->library_said) {
				gv_buf where = GV_BUF_INIT;
				gv_datadir_looked_in(&where, "rules");
				gv_diag_at(L->d, GV_SEV_ERROR, "GV-P036", at(f, use),
					   "rule library not found; looked in %s (give --rules PATH "
					   "or set GOVGATE_RULES); 'use' of '%s' needs it",
					   where.ptr, use->s);
				gv_buf_release(&where);
				L->library_said = 1;
			}
			return GV_EPARSE;
		}
		if (!rd)
			return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P016", at(f, use),
					  "'use' of unknown rule '%s'", use->s), GV_EPARSE;
		if (ndefs > 1) {
			gv_buf where = GV_BUF_INIT;
			for (i = 0; i < L->ndefs; i++)
				if (!strcmp(L->defs[i].id, use->s)) {
					const gv_node *pid = gv_node_get(L->defs[i].node, "id");
					gv_buf_printf(&where, "%s%s:%u:%u", where.len ? " and " : "",
						      L->defs[i].file->path, pid->line, pid->col);
				}
			gv_diag_at(L->d, GV_SEV_ERROR, "GV-P014", at(f, use),
				   "'use' of '%s' is ambiguous: it is defined at %s", use->s,
				   where.ptr);
			gv_buf_release(&where);
			return GV_EPARSE;
		}
		def_seen = rd->used;
		rd->used = 1;
		def = rd->node;
		deff = rd->file;
		with = gv_node_get(entry, "with");
		if (with && with->kind != GV_NODE_MAP)
			return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P017", at(f, with),
					  "'with' must be a mapping of params"), GV_EPARSE;
		if (with) {
			const gv_node *dp = gv_node_get(def, "params");
			uint32_t k;
			for (k = 0; k < with->n; k++)
				if (!gv_node_get(dp, with->u.pairs[k].key->s))
					err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P017",
							 at(f, with->u.pairs[k].key),
							 "rule '%s' has no param '%s'", use->s,
							 with->u.pairs[k].key->s);
		}
	}
	r->id = gv_node_get(def, "id")->s;
	/* entry fields override the definition's */
#define FIELD(name) (gv_node_get(entry, name) ? get_str(L, f, entry, name, 0, "rule") \
					     : get_str(L, deff, def, name, 0, "rule"))
	r->title = FIELD("title");
	r->message = FIELD("message");
	r->remediation = FIELD("remediation");
#undef FIELD
	/* a library rule's own message is checked once, not at every use */
	if ((v = gv_node_get(entry, "message"))) {
		if (v->kind == GV_NODE_STR && check_placeholders(L, f, v) < 0)
			err = GV_EPARSE;
	} else if (!def_seen && (v = gv_node_get(def, "message")) && v->kind == GV_NODE_STR &&
		   check_placeholders(L, deff, v) < 0) {
		err = GV_EPARSE;
	}
	v = gv_node_get(entry, "enforcement");
	if (parse_enum(L, v ? f : deff, v ? v : gv_node_get(def, "enforcement"), enf_names,
		       GV_ENF_INFO, GV_ENF_BLOCK, "enforcement", &r->enforcement) < 0)
		err = GV_EPARSE;
	v = gv_node_get(entry, "severity");
	r->severity = GV_SEV_MEDIUM;
	if (parse_enum(L, v ? f : deff, v ? v : gv_node_get(def, "severity"), sev_names,
		       GV_SEV_LOW, GV_SEV_CRITICAL, "severity", &r->severity) < 0)
		err = GV_EPARSE;
	if (!r->enforcement && !err)
		err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P018", at(f, entry),
				 "rule '%s' has no enforcement (block, halt, escalate, warn or info)",
				 r->id);
	/* `waivable: false` (waiver.h): on the use or on the definition */
	if ((v = gv_node_get(entry, "waivable")) || (v = gv_node_get(def, "waivable"))) {
		if (v->kind != GV_NODE_BOOL)
			err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P037",
					 at(gv_node_get(entry, "waivable") ? f : deff, v),
					 "'waivable' must be true or false");
		else
			r->unwaivable = !v->u.b;
	}
	params = gv_node_get(def, "params");
	if (params && params->kind != GV_NODE_MAP)
		return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P017", at(deff, params),
				  "'params' must be a mapping"), GV_EPARSE;
	v = gv_node_get(def, "check");
	if (!v)
		return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P011", at(deff, def),
				  "rule '%s' has no 'check'", r->id), GV_EPARSE;
	if (gv_check_compile(&r->check, a, deff, v, params, with, f, 0, L->d) < 0)
		err = GV_EPARSE;
	v = gv_node_get(entry, "when");
	if (v ? 1 : !!(v = gv_node_get(def, "when"))) {
		if (gv_check_compile(&r->when, a, gv_node_get(entry, "when") ? f : deff, v,
				     params, with, f, GV_COMPILE_WHEN, L->d) < 0)
			err = GV_EPARSE;
	}
	return err;
}

/* Durations: an integer of seconds, or a string such as "15m" (facts.h). */
static int parse_duration(int64_t *out, const gv_node *v)
{
	if (v->kind == GV_NODE_INT && v->u.i > 0) {
		*out = v->u.i;
		return GV_OK;
	}
	if (v->kind != GV_NODE_STR || gv_duration_parse(out, v->s) < 0)
		return GV_EPARSE;
	return GV_OK;
}

/*
 * spec.approvals: {enforcement, require: [{role}], distinct_signers}. Every
 * key is checked; the policy keeps the roles as bits (trust.h).
 */
static int load_approvals(loadctx *L, gv_policy *pol, const gv_file *f, const gv_node *key,
			  const gv_node *v)
{
	static const char *const keys[] = { "enforcement", "require", "distinct_signers", NULL };
	static const char *const req_keys[] = { "role", NULL };
	gv_policy_approvals *pa;
	const gv_node *e, *req;
	uint32_t i;
	int err = GV_OK;

	if (v->kind != GV_NODE_MAP)
		return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P040", at(f, v),
				  "'approvals' must be a mapping, not %s",
				  gv_node_kind_a(v->kind)), GV_EPARSE;
	if (check_keys(L, f, v, keys, "approvals") < 0)
		err = GV_EPARSE;
	pa = gv_arena_alloc(L->prog->arena, sizeof(*pa));
	memset(pa, 0, sizeof(*pa));
	pa->enforcement = GV_ENF_HALT;
	pa->loc = at(f, key);
	if ((e = gv_node_get(v, "enforcement")) &&
	    parse_enum(L, f, e, enf_names, GV_ENF_INFO, GV_ENF_BLOCK, "enforcement",
		       &pa->enforcement) < 0)
		err = GV_EPARSE;
	if ((e = gv_node_get(v, "distinct_signers"))) {
		if (e->kind != GV_NODE_BOOL)
			err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P040", at(f, e),
					 "'distinct_signers' must be true or false, not %s",
					 gv_node_kind_a(e->kind));
		else
			pa->distinct_signers = e->u.b;
	}
	req = gv_node_get(v, "require");
	if (!req || req->kind != GV_NODE_SEQ || !req->n)
		return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P040", at(f, req ? req : v),
				  "'approvals' needs a non-empty 'require' list of {role: ROLE}"),
		       GV_EPARSE;
	if (req->n > GV_APPROVALS_MAX_REQUIRE)
		return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P040", at(f, req),
				  "'require' lists %u approvals; at most %d", req->n,
				  GV_APPROVALS_MAX_REQUIRE), GV_EPARSE;
	for (i = 0; i < req->n; i++) {
		const gv_node *it = req->u.items[i], *role;
		unsigned bit;

		if (it->kind != GV_NODE_MAP) {
			err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P040", at(f, it),
					 "each required approval is a mapping {role: ROLE}");
			continue;
		}
		if (check_keys(L, f, it, req_keys, "a required approval") < 0)
			err = GV_EPARSE;
		if (!(role = gv_node_get(it, "role"))) {
			err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P011", at(f, it),
					 "a required approval has no 'role'");
			continue;
		}
		if (role->kind != GV_NODE_STR || !(bit = gv_role_parse(role->s))) {
			err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P041", at(f, role),
					 "unknown role '%s' (expected one of %s)",
					 role->s ? role->s : gv_node_kind_name(role->kind),
					 GV_ROLE_NAMES);
			continue;
		}
		pa->require[pa->nrequire++] = bit;
	}
	if (!err) {
		pol->approvals = pa;
		L->prog->napproval_policies++;
	}
	return err;
}

static int load_policy(loadctx *L, gv_policy *pol, const gv_file *f, const gv_node *doc)
{
	static const char *const spec_keys[] = { "match", "rules", "max_fact_age",
						 "description", "approvals", NULL };
	const gv_node *spec = gv_node_get(doc, "spec"), *rules, *v;
	gv_arena *a = L->prog->arena;
	const gv_node *meta = gv_node_get(doc, "metadata");
	uint32_t i, j;
	int err = GV_OK;

	pol->file = f->path;
	pol->name = meta ? get_str(L, f, meta, "name", 1, "metadata") : NULL;
	pol->version = meta ? get_str(L, f, meta, "version", 0, "metadata") : NULL;
	if (!pol->name) {
		if (!meta)
			gv_diag_at(L->d, GV_SEV_ERROR, "GV-P011", at(f, doc),
				   "policy has no 'metadata' with a 'name'");
		return GV_EPARSE;
	}
	if (!spec || spec->kind != GV_NODE_MAP)
		return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P011", at(f, spec ? spec : doc),
				  "policy '%s' needs a 'spec' mapping", pol->name), GV_EPARSE;
	if (check_keys(L, f, spec, spec_keys, "a policy spec") < 0)
		err = GV_EPARSE;
	if ((v = gv_node_get(spec, "match")) &&
	    gv_check_compile(&pol->match, a, f, v, NULL, NULL, NULL, 0, L->d) < 0)
		err = GV_EPARSE;
	if ((v = gv_node_get(spec, "max_fact_age")) && parse_duration(&pol->max_fact_age, v) < 0)
		err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P019", at(f, v),
				 "'max_fact_age' is a duration such as 900, \"15m\", \"1h\" or \"2d\"");
	for (i = 0; i < spec->n; i++)
		if (!strcmp(spec->u.pairs[i].key->s, "approvals") &&
		    load_approvals(L, pol, f, spec->u.pairs[i].key, spec->u.pairs[i].val) < 0)
			err = GV_EPARSE;
	rules = gv_node_get(spec, "rules");
	if (!rules || rules->kind != GV_NODE_SEQ || !rules->n)
		return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P011", at(f, rules ? rules : spec),
				  "policy '%s' needs a non-empty 'rules' list", pol->name), GV_EPARSE;
	pol->rules = gv_arena_alloc(a, rules->n * sizeof(gv_rule));
	for (i = 0; i < rules->n; i++) {
		const gv_node *e = rules->u.items[i], *idn = NULL;
		gv_rule *r = &pol->rules[pol->nrules];

		if (e->kind != GV_NODE_MAP) {
			err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P023", at(f, e),
					 "a rule entry must be a mapping");
			continue;
		}
		if (!gv_node_get(e, "use")) {
			if (check_keys(L, f, e, rule_keys, "a rule") < 0) {
				err = GV_EPARSE;
				continue;
			}
			/* an inline rule's id belongs to this policy: it may be a
			 * library id too, or another policy's (findings name the policy) */
			if (!(idn = rule_id_node(L, f, e))) {
				err = GV_EPARSE;
				continue;
			}
		}
		if (build_rule(L, r, pol->name, f, e) < 0) {
			err = GV_EPARSE;
			continue;
		}
		for (j = 0; j < pol->nrules; j++)
			if (!strcmp(pol->rules[j].id, r->id)) {
				if (idn && pol->rules[j].inline_id)
					err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P014", at(f, idn),
						"duplicate rule id '%s' in policy '%s' (first defined "
						"at line %u)", r->id, pol->name, pol->rules[j].loc.line);
				else
					err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P014", at(f, e),
						"rule '%s' is applied twice in policy '%s' (first at "
						"line %u)", r->id, pol->name, pol->rules[j].loc.line);
				break;
			}
		r->inline_id = idn != NULL;
		if (pol->approvals && !strcmp(r->id, GV_APPROVALS_RULE))
			err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P040", at(f, e),
					 "rule id '%s' is the id of the policy's missing approvals "
					 "(spec.approvals); give the rule another id", r->id);
		if (j == pol->nrules)
			pol->nrules++;
	}
	return err;
}

int64_t gv_program_max_fact_age(const gv_program *p)
{
	int64_t age = 0;
	size_t i;

	for (i = 0; i < p->npolicies; i++)
		if (p->policies[i].max_fact_age && (!age || p->policies[i].max_fact_age < age))
			age = p->policies[i].max_fact_age;
	return age;
}

void gv_program_free(gv_program *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nloaded; i++)
		gv_file_free(p->loaded[i]);
	free(p->loaded);
	for (i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	free(p->policies);
	gv_arena_free(p->arena);
	free(p);
}

/* What a document is: 1 RuleSet, 2 Policy, 0 after an error. */
static int doc_kind(loadctx *L, const gv_file *f, const gv_node *doc)
{
	static const char *const ruleset_keys[] = { "apiVersion", "kind", "metadata", "rules", NULL };
	static const char *const policy_keys[] = { "apiVersion", "kind", "metadata", "spec", NULL };
	const gv_node *api, *kind;

	if (!doc || doc->kind != GV_NODE_MAP) {
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-P002", at(f, doc),
			   "a policy document must be a mapping with apiVersion and kind");
		return 0;
	}
	api = gv_node_get(doc, "apiVersion");
	kind = gv_node_get(doc, "kind");
	if (!api || api->kind != GV_NODE_STR || strcmp(api->s, "govgate/v1")) {
		gv_diag_at(L->d, GV_SEV_ERROR, "GV-P003", at(f, api ? api : doc),
			   "apiVersion must be 'govgate/v1'");
		return 0;
	}
	if (kind && kind->kind == GV_NODE_STR && !strcmp(kind->s, "RuleSet"))
		return check_keys(L, f, doc, ruleset_keys, "a RuleSet") < 0 ? 0 : 1;
	if (kind && kind->kind == GV_NODE_STR && !strcmp(kind->s, "Policy"))
		return check_keys(L, f, doc, policy_keys, "a Policy") < 0 ? 0 : 2;
	gv_diag_at(L->d, GV_SEV_ERROR, "GV-P004", at(f, kind ? kind : doc),
		   "kind must be 'RuleSet' or 'Policy'");
	return 0;
}

static int load_ruleset(loadctx *L, const gv_file *f, const gv_node *doc)
{
	const gv_node *rules = gv_node_get(doc, "rules");
	uint32_t i;
	int err = GV_OK;

	if (!rules || rules->kind != GV_NODE_SEQ)
		return gv_diag_at(L->d, GV_SEV_ERROR, "GV-P011", at(f, rules ? rules : doc),
				  "a RuleSet needs a 'rules' list");
	for (i = 0; i < rules->n; i++) {
		const gv_node *r = rules->u.items[i];
		if (r->kind != GV_NODE_MAP) {
			err = gv_diag_at(L->d, GV_SEV_ERROR, "GV-P023", at(f, r),
					 "a rule must be a mapping");
			continue;
		}
		if (check_keys(L, f, r, rule_keys, "a rule") < 0)
			err = GV_EPARSE;
		if (add_def(L, f, doc, r) < 0)
			err = GV_EPARSE;
	}
	return err;
}

/*
 * Lint only: a library rule no policy uses is compiled too, with its own
 * params, so that a RuleSet is checked on its own (`policy lint rules/`).
 * `check` does not, so that a newer library's unused rule cannot stop it.
 */
static void lint_unused(loadctx *L)
{
	gv_arena *a = L->prog->arena;
	size_t i;

	for (i = 0; i < L->ndefs; i++) {
		const ruledef *rd = &L->defs[i];
		const gv_node *params = gv_node_get(rd->node, "params"), *v;
		gv_check *c;

		if (rd->used)
			continue;
		if (params && params->kind != GV_NODE_MAP) {
			gv_diag_at(L->d, GV_SEV_ERROR, "GV-P017", at(rd->file, params),
				   "'params' must be a mapping");
			continue;
		}
		if (!(v = gv_node_get(rd->node, "check")))
			gv_diag_at(L->d, GV_SEV_ERROR, "GV-P011", at(rd->file, rd->node),
				   "rule '%s' has no 'check'", rd->id);
		else
			gv_check_compile(&c, a, rd->file, v, params, NULL, NULL, 0, L->d);
		if ((v = gv_node_get(rd->node, "when")))
			gv_check_compile(&c, a, rd->file, v, params, NULL, NULL, GV_COMPILE_WHEN,
					 L->d);
		if ((v = gv_node_get(rd->node, "message")) && v->kind == GV_NODE_STR)
			check_placeholders(L, rd->file, v);
	}
}

static int program_load(gv_program **out, const char *const *policy_paths, size_t npolicy,
			const char *const *rule_paths, size_t nrules, int lint, gv_diags *d);

int gv_program_load(gv_program **out, const char *const *policy_paths, size_t npolicy,
		    const char *const *rule_paths, size_t nrules, gv_diags *d)
{
	return program_load(out, policy_paths, npolicy, rule_paths, nrules, 0, d);
}

int gv_program_lint(gv_program **out, const char *const *policy_paths, size_t npolicy,
		    const char *const *rule_paths, size_t nrules, gv_diags *d)
{
	return program_load(out, policy_paths, npolicy, rule_paths, nrules, 1, d);
}

static int program_load(gv_program **out, const char *const *policy_paths, size_t npolicy,
			const char *const *rule_paths, size_t nrules, int lint, gv_diags *d)
{
	gv_program *p = gv_xcalloc(1, sizeof(*p));
	loadctx L = { p, d, NULL, 0, 0, nrules == 0, 0 };
	strvec files = { 0 };
	struct {
		struct stat st;
		int statted;
		char *real;
	} *seen;
	size_t i, j, n, ndocs, pol_alloc = 0;
	unsigned char *kinds;
	uint32_t k;
	size_t errors0 = d->nerrors, ndiags0 = d->n;
	gv_sha256_ctx *h;

	*out = NULL;
	p->arena = gv_arena_new();
	for (i = 0; i < nrules; i++)
		gather(&files, rule_paths[i], 0, d);
	for (i = 0; i < npolicy; i++)
		gather(&files, policy_paths[i], 0, d);
	/* the same file given twice (rules/ inside --policy) is loaded once:
	 * the same real path. Only files on the same inode can have it, so
	 * real paths are worked out for those alone (a stat is one system
	 * call, realpath one per component) */
	seen = gv_xcalloc(files.n ? files.n : 1, sizeof(*seen));
	for (i = 0; i < files.n; i++) {
		int dup = 0;
		seen[p->nfiles].statted = stat(files.v[i], &seen[p->nfiles].st) == 0;
		for (j = 0; seen[p->nfiles].statted && !dup && j < p->nfiles; j++) {
			if (!seen[j].statted || seen[j].st.st_dev != seen[p->nfiles].st.st_dev ||
			    seen[j].st.st_ino != seen[p->nfiles].st.st_ino)
				continue;
			if (!seen[j].real)
				seen[j].real = realpath(p->files[j], NULL);
			if (!seen[p->nfiles].real)
				seen[p->nfiles].real = realpath(files.v[i], NULL);
			dup = seen[j].real && seen[p->nfiles].real &&
			      !strcmp(seen[j].real, seen[p->nfiles].real);
		}
		if (dup) {
			free(seen[p->nfiles].real);
			memset(&seen[p->nfiles], 0, sizeof(*seen));
			free(files.v[i]);
			continue;
		}
		GV_GROW(p->files, pol_alloc, p->nfiles + 1);
		p->files[p->nfiles++] = files.v[i];
	}
	for (i = 0; i < p->nfiles; i++)
		free(seen[i].real);
	free(seen);
	free(files.v);
	p->loaded = gv_xcalloc(p->nfiles ? p->nfiles : 1, sizeof(gv_file *));
	for (i = 0; i < p->nfiles; i++) {
		gv_file *f;
		/* The file is read either way (its SHA-256 goes into bundle
		 * digests and report subjects); a shipped file's bytes give
		 * its tree from the binary instead of the parser, any other
		 * bytes are parsed (embedded.h). */
		if (gv_file_load_known(&f, p->files[i], d) < 0)
			continue;
		p->loaded[p->nloaded++] = f;
		if (!f->ndocs)
			gv_error(d, "GV-P005", f->path, "policy file is empty");
	}
	/* pass 1: rule libraries, and which documents are valid policies;
	 * pass 2: policies (they may use any rule) */
	for (i = 0, ndocs = 0; i < p->nloaded; i++)
		ndocs += p->loaded[i]->ndocs;
	kinds = gv_xcalloc(ndocs ? ndocs : 1, 1);
	for (i = 0, n = 0; i < p->nloaded; i++)
		for (j = 0; j < p->loaded[i]->ndocs; j++, n++) {
			const gv_file *f = p->loaded[i];
			kinds[n] = (unsigned char)doc_kind(&L, f, f->docs[j]);
			if (kinds[n] == 1)
				load_ruleset(&L, f, f->docs[j]);
			else if (kinds[n] == 2)
				p->npolicies++;
		}
	p->policies = gv_xcalloc(p->npolicies ? p->npolicies : 1, sizeof(gv_policy));
	p->npolicies = 0;
	for (i = 0, n = 0; i < p->nloaded; i++)
		for (j = 0; j < p->loaded[i]->ndocs; j++, n++) {
			const gv_file *f = p->loaded[i];
			const gv_node *doc = f->docs[j];
			if (kinds[n] != 2)
				continue;
			load_policy(&L, &p->policies[p->npolicies], f, doc);
			for (k = 0; k < p->npolicies; k++)
				if (p->policies[k].name && p->policies[p->npolicies].name &&
				    !strcmp(p->policies[k].name, p->policies[p->npolicies].name)) {
					gv_diag_at(d, GV_SEV_ERROR, "GV-P006", at(f, doc),
						   "duplicate policy name '%s' (also in %s)",
						   p->policies[k].name, p->policies[k].file);
					break;
				}
			p->nrules += p->policies[p->npolicies].nrules;
			p->npolicies++;
		}
	if (lint)
		lint_unused(&L);
	{
		/* "did you mean" for unknown rules and check keys (suggest.h) */
		const char **ids = gv_xcalloc(L.ndefs + 1, sizeof(char *));
		for (i = 0; i < L.ndefs; i++)
			ids[i] = L.defs[i].id;
		gv_suggest_diags(d, ndiags0, ids, L.ndefs);
		free(ids);
	}
	free(L.defs);
	free(kinds);
	/* bundle digest: sha256sum-style lines over the files in load order */
	h = gv_sha256_new();
	for (i = 0; i < p->nloaded; i++) {
		char hex[65];
		gv_hex(hex, p->loaded[i]->sha256, 32);
		gv_sha256_update(h, hex, 64);
		gv_sha256_update(h, "  ", 2);
		gv_sha256_update(h, p->loaded[i]->path, strlen(p->loaded[i]->path));
		gv_sha256_update(h, "\n", 1);
	}
	gv_sha256_final(h, p->digest);
	if (d->nerrors > errors0) {
		gv_program_free(p);
		return GV_EPARSE;
	}
	*out = p;
	return GV_OK;
}

/* The shipped rules/ (datadir.h). */
char *gv_default_rules_path(void)
{
	return gv_datadir_find("rules");
}
