/*
 * governance.c: a run's trust file and approvals, and the rules that
 * decide which approvals count (governance.h). The same code serves
 * `check` and `deploy`.
 */
#include "governance.h"
#include "alloc.h"
#include "dsse.h"
#include "gv.h"
#include "json_parse.h"
#include "rfc3339.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int gv_governance_pick_trust(const char **out, const char *given, const char *plan_trust,
			     gv_diags *d)
{
	const char *env = getenv(GV_TRUST_ENV), *how = "--trust";
	char a[PATH_MAX], b[PATH_MAX];

	*out = NULL;
	if (!given && env && *env) {
		given = env;
		how = "$" GV_TRUST_ENV;
	}
	/* a plan's trust file only ever adds requirements: nothing replaces it */
	if (given && plan_trust) {
		if (!realpath(given, a) || !realpath(plan_trust, b) || strcmp(a, b))
			return gv_error(d, "GV-G002", given,
					"the deployment plan names the trust file '%s'; %s cannot "
					"replace it", plan_trust, how);
	}
	*out = given ? given : plan_trust;
	return GV_OK;
}

/* The first signature's key id of an envelope already known to be one. */
static void first_keyid(char out[GV_KEYID_HEX_LEN + 1], const char *path, const gv_buf *env)
{
	gv_diags sd = GV_DIAGS_INIT;
	gv_file *f = NULL;
	const gv_node *sigs, *kid;

	out[0] = '\0';
	if (gv_json_parse(&f, path, env->ptr, env->len, NULL, &sd) == 0 &&
	    (sigs = gv_node_get(f->docs[0], "signatures")) && sigs->kind == GV_NODE_SEQ &&
	    sigs->n && (kid = gv_node_get(sigs->u.items[0], "keyid")) &&
	    kid->kind == GV_NODE_STR && kid->n == GV_KEYID_HEX_LEN)
		memcpy(out, kid->s, GV_KEYID_HEX_LEN + 1);
	gv_file_free(f);
	gv_diags_release(&sd);
}

static int has_code(const gv_diags *d, const char *code)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].code && !strcmp(d->v[i].code, code))
			return 1;
	return 0;
}

/*
 * Opens one approval: the envelope's shape (else an input error), then the
 * trusted key it verifies under, then its Statement (a verified payload
 * that is not an approval is an input error too).
 */
static int open_approval(gv_governance *g, gv_approval *a, const char *path, gv_diags *d)
{
	gv_buf env = GV_BUF_INIT, payload = GV_BUF_INIT, where = GV_BUF_INIT;
	gv_diags sd = GV_DIAGS_INIT;
	const gv_trust_key *bad = NULL;
	char *type = NULL;
	size_t i;
	int err;

	a->file = path;
	err = gv_buf_read_file(&env, path, GV_DSSE_MAX_BYTES);
	if (err == GV_ELIMIT) {
		err = gv_error(d, "GV-G005", path, "not an approval: larger than %zu bytes",
			       GV_DSSE_MAX_BYTES);
		goto out;
	}
	if (err < 0) {
		err = gv_error(d, "GV-G005", path, "cannot read approval: %s", strerror(errno));
		goto out;
	}
	err = gv_dsse_open(NULL, &type, path, env.ptr, env.len, NULL, &sd);
	if (err == GV_EPARSE) {
		gv_diags_move(d, &sd);
		goto out;
	}
	gv_diags_release(&sd);
	first_keyid(a->keyid, path, &env);
	err = GV_ESIG;
	for (i = 0; err != GV_OK && i < g->trust->nkeys; i++) {
		const gv_trust_key *k = &g->trust->keys[i];

		gv_buf_clear(&payload);
		err = gv_dsse_open(&payload, &type, path, env.ptr, env.len, k->key, &sd);
		if (err == GV_OK)
			a->signer = k;
		else if (has_code(&sd, "GV-E005") && !bad)
			bad = k;   /* it names this key, but the signature does not verify */
		gv_diags_release(&sd);
	}
	if (!a->signer) {
		a->early = bad ? GV_APPROVAL_BAD_SIGNATURE : GV_APPROVAL_UNTRUSTED_KEY;
		if (bad)
			memcpy(a->keyid, bad->keyid, sizeof(a->keyid));
		err = GV_OK;
		goto out;
	}
	memcpy(a->keyid, a->signer->keyid, sizeof(a->keyid));
	if (strcmp(type, GV_DSSE_INTOTO_TYPE)) {
		err = gv_error(d, "GV-G004", path, "not an approval: the payload type is not '%s'",
			       GV_DSSE_INTOTO_TYPE);
		goto out;
	}
	gv_buf_printf(&where, "%s (payload)", path);
	if ((err = gv_statement_parse(&a->st, where.ptr, payload.ptr, payload.len, d)) < 0)
		goto out;
	if (a->st->kind != GV_STATEMENT_APPROVAL) {
		err = gv_error(d, "GV-G004", path, "not an approval: a signed %s ('%s')",
			       a->st->kind == GV_STATEMENT_REPORT ? "report" : "receipt",
			       a->st->predicate_type);
		goto out;
	}
	memcpy(a->st->keyid, a->keyid, sizeof(a->keyid));
	a->role = gv_role_parse(a->st->role);
	if (a->st->expires)
		gv_time_parse(&a->expires, a->st->expires);
	if (!(a->signer->roles & a->role))
		a->early = GV_APPROVAL_ROLE_NOT_HELD;
	/* counts through its expiry second, expired from the next one on */
	a->expired = a->st->expires && g->now > a->expires;
	a->initiator = g->initiator[0] && !strcmp(g->initiator, a->keyid);
	err = GV_OK;
out:
	free(type);
	gv_diags_release(&sd);
	gv_buf_release(&env);
	gv_buf_release(&payload);
	gv_buf_release(&where);
	return err;
}

int gv_governance_load(gv_governance **out, const gv_governance_opts *o, gv_diags *d)
{
	gv_governance *g = gv_xcalloc(1, sizeof(*g));
	const char *path;
	size_t i;
	int err;

	*out = NULL;
	g->now = o->now;
	if (o->initiator)
		gv_key_id(o->initiator, g->initiator);
	if (o->loaded) {
		g->trust = o->loaded;
		g->trust_path = o->loaded->path;
	} else {
		if ((err = gv_governance_pick_trust(&path, o->trust, o->plan_trust, d)) < 0)
			goto fail;
		if (path && (err = gv_trust_load(&g->trust, path, d)) < 0)
			goto fail;
		g->own_trust = true;
		g->trust_path = path;
	}
	if (o->napprovals && !g->trust) {
		err = gv_error(d, "GV-G003", o->approvals[0],
			       "an approval needs a trust file that says whose keys count: give "
			       "--trust FILE, set $%s or name one in the deployment plan",
			       GV_TRUST_ENV);
		goto fail;
	}
	if (o->napprovals > GV_GOVERNANCE_MAX_APPROVALS) {
		err = gv_error(d, "GV-G006", NULL, "%zu approvals given; at most %d", o->napprovals,
			       GV_GOVERNANCE_MAX_APPROVALS);
		goto fail;
	}
	g->approvals = gv_xcalloc(o->napprovals ? o->napprovals : 1, sizeof(*g->approvals));
	g->napprovals = o->napprovals;
	err = GV_OK;
	for (i = 0; i < o->napprovals; i++)
		if (open_approval(g, &g->approvals[i], o->approvals[i], d) < 0)
			err = GV_EPARSE;
	if (err < 0)
		goto fail;
	*out = g;
	return GV_OK;
fail:
	gv_governance_free(g);
	return GV_EPARSE;   /* every failure here is an input error */
}

void gv_governance_free(gv_governance *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->napprovals; i++)
		gv_statement_free(g->approvals[i].st);
	free(g->approvals);
	if (g->own_trust)
		gv_trust_free(g->trust);
	free(g);
}

int gv_governance_check_program(gv_governance *g, const gv_program *p, gv_diags *d)
{
	uint32_t i;
	int err = GV_OK;

	g->reported = g->napprovals || p->napproval_policies;
	if (g->trust)
		return GV_OK;
	for (i = 0; i < p->npolicies; i++)
		if (p->policies[i].approvals)
			err = gv_diag_at(d, GV_SEV_ERROR, "GV-G001", p->policies[i].approvals->loc,
					 "policy '%s' requires approvals, but no trust file says whose "
					 "keys count: give --trust FILE, set $%s or name one in the "
					 "deployment plan", p->policies[i].name, GV_TRUST_ENV);
	return err;
}

int gv_governance_setup(gv_governance **out, const gv_governance_opts *o, const gv_program *p,
			gv_diags *d)
{
	gv_governance *g = NULL;
	int err;

	*out = NULL;
	if ((err = gv_governance_load(&g, o, d)) < 0)
		return err;
	if ((err = gv_governance_check_program(g, p, d)) < 0) {
		gv_governance_free(g);
		return err;
	}
	*out = g;
	return GV_OK;
}

/* ---- matching required roles to approvals ---- */

typedef struct matcher {
	size_t nunits, nslots;
	unsigned char can[GV_GOVERNANCE_MAX_APPROVALS][GV_APPROVALS_MAX_REQUIRE];
	int unit_of_slot[GV_APPROVALS_MAX_REQUIRE];
	int slot_of_unit[GV_GOVERNANCE_MAX_APPROVALS];
	unsigned char seen[GV_GOVERNANCE_MAX_APPROVALS];
} matcher;

/* Kuhn's augmenting path from slot s. */
static int augment(matcher *m, size_t s)
{
	size_t u;

	for (u = 0; u < m->nunits; u++) {
		if (!m->can[u][s] || m->seen[u])
			continue;
		m->seen[u] = 1;
		if (m->slot_of_unit[u] < 0 || augment(m, (size_t)m->slot_of_unit[u])) {
			m->slot_of_unit[u] = (int)s;
			m->unit_of_slot[s] = (int)u;
			return 1;
		}
	}
	return 0;
}

static void add_missing(gv_result *r, const gv_policy *pol, uint32_t doc, unsigned role,
			uint32_t slot)
{
	const gv_policy_approvals *pa = pol->approvals;
	gv_buf b = GV_BUF_INIT;
	gv_finding *f;
	uint32_t i;

	if (!r->arena)
		r->arena = gv_arena_new();
	GV_GROW(r->findings, r->alloc, r->nfindings + 1);
	f = &r->findings[r->nfindings++];
	memset(f, 0, sizeof(*f));
	f->policy = pol->name;
	f->rule = GV_APPROVALS_RULE;
	f->title = "Required approval";
	f->remediation = "Have a key that holds the role in the trust file sign the manifest "
			 "(govgate approve --role ROLE) and pass it with --approval FILE";
	f->enforcement = pa->enforcement;
	f->severity = GV_SEV_HIGH;
	f->missing = 1;
	f->doc = doc;
	gv_buf_printf(&b, "no approval by a %s counts for this manifest (policy '%s' requires ",
		      gv_role_name(role), pol->name);
	for (i = 0; i < pa->nrequire; i++)
		gv_buf_printf(&b, "%s%s", i ? ", " : "", gv_role_name(pa->require[i]));
	gv_buf_printf(&b, "%s)", pa->distinct_signers ? ", each by a distinct key" : "");
	f->message = gv_arena_strndup(r->arena, b.ptr, b.len);
	gv_buf_clear(&b);
	gv_buf_printf(&b, "spec.approvals.require[%u]", slot);
	f->path = gv_arena_strndup(r->arena, b.ptr, b.len);
	f->file = gv_arena_strndup(r->arena, pa->loc.file, strlen(pa->loc.file));
	f->line = pa->loc.line;
	f->col = pa->loc.col;
	f->actual = gv_arena_strndup(r->arena, "null", 4);
	gv_buf_clear(&b);
	gv_buf_printf(&b, "an approval by a %s", gv_role_name(role));
	f->expected = gv_arena_strndup(r->arena, b.ptr, b.len);
	gv_buf_release(&b);
	if (pa->enforcement > r->decision)
		r->decision = pa->enforcement;
}

/* Whether approval a may count for document r of a file with this digest. */
static int candidate(const gv_approval *a, const unsigned char sha[32], const gv_result *r)
{
	if (!a->st || a->early || a->expired || a->initiator)
		return 0;
	if (memcmp(a->st->subjects[0].sha256, sha, 32))
		return 0;
	return !a->st->deployment_id ||
	       (r->deployment_id && !strcmp(r->deployment_id, a->st->deployment_id));
}

/* Fills the required roles of one policy for one document. */
static void fill(gv_governance *g, const gv_program *p, uint32_t pi, const gv_file_result *fr,
		 gv_result *r, uint32_t doc, gv_approval_use *uses, uint32_t *nuses)
{
	const gv_policy *pol = &p->policies[pi];
	const gv_policy_approvals *pa = pol->approvals;
	matcher *m = gv_xcalloc(1, sizeof(*m));
	/* a unit fills at most one slot: a key in one role (so a copy of an
	 * approval never counts twice), or with distinct_signers a key */
	const gv_trust_key *unit_key[GV_GOVERNANCE_MAX_APPROVALS];
	unsigned unit_role[GV_GOVERNANCE_MAX_APPROVALS];
	int unit_of[GV_GOVERNANCE_MAX_APPROVALS];
	size_t i, u, s, first = *nuses;

	m->nslots = pa->nrequire;
	for (i = 0; i < g->napprovals; i++) {
		const gv_approval *a = &g->approvals[i];

		unit_of[i] = -1;
		if (!candidate(a, fr->sha256, r))
			continue;
		for (u = 0; u < m->nunits; u++)
			if (unit_key[u] == a->signer &&
			    (pa->distinct_signers || unit_role[u] == a->role))
				break;
		if (u == m->nunits) {
			unit_key[m->nunits] = a->signer;
			unit_role[m->nunits++] = a->role;
		}
		unit_of[i] = (int)u;
		for (s = 0; s < m->nslots; s++)
			if (pa->require[s] == a->role)
				m->can[u][s] = 1;
	}
	for (u = 0; u < m->nunits; u++)
		m->slot_of_unit[u] = -1;
	for (s = 0; s < m->nslots; s++) {
		m->unit_of_slot[s] = -1;
		memset(m->seen, 0, sizeof(m->seen));
		augment(m, s);
	}
	for (s = 0; s < m->nslots; s++) {
		if (m->unit_of_slot[s] < 0) {
			add_missing(r, pol, doc, pa->require[s], (uint32_t)s);
			continue;
		}
		/* the unit's first approval for the slot's role fills it */
		for (i = 0; i < g->napprovals; i++)
			if (unit_of[i] == m->unit_of_slot[s] && g->approvals[i].role == pa->require[s])
				break;
		g->approvals[i].used = true;
		uses[*nuses].approval = (uint32_t)i;
		uses[*nuses].policy = pi;
		uses[*nuses].role = pa->require[s];
		(*nuses)++;
	}
	/* an approval left out because its key already fills another role */
	if (pa->distinct_signers)
		for (i = 0; i < g->napprovals; i++) {
			gv_approval *a = &g->approvals[i];
			int here = 0;

			if (unit_of[i] < 0 || m->slot_of_unit[unit_of[i]] < 0)
				continue;
			for (u = first; u < *nuses; u++)
				here |= uses[u].approval == (uint32_t)i;
			for (s = 0; !here && s < m->nslots; s++)
				if (pa->require[s] == a->role) {
					a->same_signer = true;
					break;
				}
		}
	free(m);
}

void gv_governance_apply(gv_governance *g, const gv_program *p, gv_file_result *fr)
{
	gv_approval_use *uses = NULL;
	size_t alloc = 0, i;
	uint32_t k, j, nuses;

	for (k = 0; k < fr->ndocs; k++) {
		gv_result *r = &fr->docs[k].r;

		for (i = 0; i < g->napprovals; i++) {
			gv_approval *a = &g->approvals[i];
			if (!a->st || memcmp(a->st->subjects[0].sha256, fr->sha256, 32))
				continue;
			a->manifest_seen = true;
			if (!a->st->deployment_id ||
			    (r->deployment_id && !strcmp(r->deployment_id, a->st->deployment_id)))
				a->deployment_seen = true;
		}
		if (!r->applied)
			continue;
		nuses = 0;
		for (j = 0; j < r->policies_applied; j++) {
			uint32_t pi = r->applied[j];
			if (!p->policies[pi].approvals)
				continue;
			GV_GROW(uses, alloc, (size_t)nuses + GV_APPROVALS_MAX_REQUIRE);
			fill(g, p, pi, fr, r, k, uses, &nuses);
		}
		if (nuses) {
			gv_approval_use *keep;
			if (!r->arena)
				r->arena = gv_arena_new();
			keep = gv_arena_alloc(r->arena, nuses * sizeof(*keep));
			memcpy(keep, uses, nuses * sizeof(*keep));
			r->approvals = keep;
			r->napprovals = nuses;
		}
	}
	free(uses);
}

const char *gv_approval_reason(const gv_approval *a)
{
	if (a->early)
		return a->early;
	if (!a->manifest_seen)
		return GV_APPROVAL_OTHER_MANIFEST;
	if (!a->deployment_seen)
		return GV_APPROVAL_OTHER_DEPLOYMENT;
	if (a->expired)
		return GV_APPROVAL_EXPIRED;
	if (a->initiator)
		return GV_APPROVAL_INITIATOR;
	if (a->used)
		return NULL;
	if (a->same_signer)
		return GV_APPROVAL_SAME_SIGNER;
	return NULL;
}

const char *gv_approval_status(const gv_approval *a)
{
	if (gv_approval_reason(a))
		return GV_APPROVAL_REJECTED;
	return a->used ? GV_APPROVAL_COUNTED : GV_APPROVAL_UNUSED;
}

void gv_governance_json(gv_buf *b, const gv_governance *g)
{
	size_t i;

	gv_buf_puts(b, ",\"approvals\":[");
	for (i = 0; g && i < g->napprovals; i++) {
		const gv_approval *a = &g->approvals[i];

		gv_buf_puts(b, i ? ",{\"file\":" : "{\"file\":");
		gv_buf_json_cstr(b, a->file);
		gv_buf_puts(b, ",\"name\":");
		gv_buf_json_cstr(b, a->signer ? a->signer->name : NULL);
		gv_buf_puts(b, ",\"role\":");
		gv_buf_json_cstr(b, a->st ? a->st->role : NULL);
		gv_buf_puts(b, ",\"keyid\":");
		gv_buf_json_cstr(b, a->keyid[0] ? a->keyid : NULL);
		gv_buf_printf(b, ",\"status\":\"%s\",\"reason\":", gv_approval_status(a));
		gv_buf_json_cstr(b, gv_approval_reason(a));
		gv_buf_puts(b, ",\"manifest\":");
		gv_buf_json_cstr(b, a->st ? a->st->subjects[0].name : NULL);
		gv_buf_puts(b, ",\"deployment_id\":");
		gv_buf_json_cstr(b, a->st ? a->st->deployment_id : NULL);
		gv_buf_puts(b, ",\"expires\":");
		gv_buf_json_cstr(b, a->st ? a->st->expires : NULL);
		gv_buf_putc(b, '}');
	}
	gv_buf_putc(b, ']');
}

void gv_governance_used_json(gv_buf *b, const gv_governance *g, const gv_result *r)
{
	uint32_t i;

	uint32_t j, n = 0;

	gv_buf_putc(b, '[');
	for (i = 0; g && i < r->napprovals; i++) {
		const gv_approval *a = &g->approvals[r->approvals[i].approval];

		/* one entry per approval and role, however many policies it served */
		for (j = 0; j < i; j++)
			if (r->approvals[j].approval == r->approvals[i].approval &&
			    r->approvals[j].role == r->approvals[i].role)
				break;
		if (j < i)
			continue;
		gv_buf_puts(b, n++ ? ",{\"name\":" : "{\"name\":");
		gv_buf_json_cstr(b, a->signer->name);
		gv_buf_printf(b, ",\"role\":\"%s\",\"keyid\":\"%s\"}",
			      gv_role_name(r->approvals[i].role), a->keyid);
	}
	gv_buf_putc(b, ']');
}

/* Untrusted text (file names, names) on one line: control bytes as \xNN. */
static void clean(gv_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			gv_buf_printf(b, "\\x%02x", c);
		else
			gv_buf_putc(b, (char)c);
	}
}

void gv_governance_text(gv_buf *b, const gv_governance *g)
{
	size_t i;

	for (i = 0; g && i < g->napprovals; i++) {
		const gv_approval *a = &g->approvals[i];
		const char *reason = gv_approval_reason(a);

		gv_buf_puts(b, "approval ");
		clean(b, a->file);
		gv_buf_printf(b, ": %s", gv_approval_status(a));
		if (reason)
			gv_buf_printf(b, " (%s)", reason);
		if (a->st)
			gv_buf_printf(b, ", role %s", a->st->role);
		if (a->signer) {
			gv_buf_puts(b, ", signed by ");
			clean(b, a->signer->name);
		}
		if (a->keyid[0])
			gv_buf_printf(b, ", key %.16s", a->keyid);
		gv_buf_putc(b, '\n');
	}
}
