/*
 * bundle.c: signed policy bundles, made and checked (see bundle.h).
 *
 * Written as an attacker would read it: a file is admitted only by a
 * subject of the same name AND the same digest in a bundle whose signature
 * verifies under a trusted key that holds the policy-signer role. The
 * digest compared is the one of the bytes the loader parsed (gv_file), not
 * of a second read, so a file changed between the check and the load
 * cannot slip through.
 */
#include "bundle.h"
#include "alloc.h"
#include "digest.h"
#include "dsse.h"
#include "gv.h"

#include <stdlib.h>
#include <string.h>

/* Codes: GV-B0xx policy bundle errors. */
#define CODE_CREATE "GV-B001"
#define CODE_READ "GV-B002"
#define CODE_NOT_BUNDLE "GV-B003"
#define CODE_UNTRUSTED "GV-B004"
#define CODE_DUPLICATE "GV-B005"
#define CODE_LIMIT "GV-B006"
#define CODE_UNSIGNED "GV-B010"
#define CODE_ALTERED "GV-B011"
#define CODE_ROLE "GV-B012"

/* path relative to root when it was found under it, else NULL */
static const char *under(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (!n)
		return NULL;
	if (!strcmp(path, root)) {
		const char *slash = strrchr(path, '/');
		return slash ? slash + 1 : path;
	}
	if (strncmp(path, root, n))
		return NULL;
	if (root[n - 1] == '/')
		return path[n] ? path + n : NULL;
	return path[n] == '/' && path[n + 1] ? path + n + 1 : NULL;
}

const char *gv_bundle_subject_name(const char *path, const char *const *policy_paths,
				   size_t npolicy, const char *const *rule_paths, size_t nrules)
{
	const char *r, *slash;
	size_t i;

	for (i = 0; i < nrules; i++)
		if ((r = under(path, rule_paths[i])))
			return r;
	for (i = 0; i < npolicy; i++)
		if ((r = under(path, policy_paths[i])))
			return r;
	slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int gv_bundle_create(gv_buf *out, size_t *nfiles, const char *const *policy_paths,
		     size_t npolicy, const char *const *rule_paths, size_t nrules,
		     const gv_key *k, const char *created_at, gv_diags *d)
{
	gv_program *prog = NULL;
	gv_buf st = GV_BUF_INIT;
	const char **names = NULL;
	size_t i, j;
	int err;

	if ((err = gv_program_load(&prog, policy_paths, npolicy, rule_paths, nrules, d)) < 0)
		return err;
	if (!prog->nloaded) {
		err = gv_error(d, CODE_CREATE, NULL, "no policy or rule file found to sign");
		goto out;
	}
	if (prog->nloaded > GV_BUNDLE_MAX_SUBJECTS) {
		err = gv_error(d, CODE_LIMIT, NULL, "more than %d files to sign in one bundle",
			       GV_BUNDLE_MAX_SUBJECTS);
		goto out;
	}
	names = gv_xcalloc(prog->nloaded, sizeof(*names));
	for (i = 0; i < prog->nloaded; i++) {
		names[i] = gv_bundle_subject_name(prog->loaded[i]->path, policy_paths, npolicy,
						  rule_paths, nrules);
		for (j = 0; j < i; j++)
			if (!strcmp(names[i], names[j]))
				err = gv_error(d, CODE_DUPLICATE, prog->loaded[i]->path,
					       "two files would have the subject name '%s' (also "
					       "%s): give them in separate bundles",
					       names[i], prog->loaded[j]->path);
	}
	if (err < 0)
		goto out;
	gv_buf_puts(&st, "{\"_type\":\"" GV_STATEMENT_TYPE "\",\"subject\":[");
	for (i = 0; i < prog->nloaded; i++) {
		gv_buf_puts(&st, i ? ",{\"name\":" : "{\"name\":");
		gv_buf_json_cstr(&st, names[i]);
		gv_buf_puts(&st, ",\"digest\":{\"sha256\":\"");
		gv_buf_hex(&st, prog->loaded[i]->sha256, 32);
		gv_buf_puts(&st, "\"}}");
	}
	gv_buf_printf(&st, "],\"predicateType\":\"" GV_PREDICATE_POLICY_BUNDLE "\","
		      "\"predicate\":{\"created_at\":\"%s\",\"files\":%zu,\"policies\":%u,"
		      "\"policy_digest\":{\"sha256\":\"", created_at, prog->nloaded,
		      prog->npolicies);
	gv_buf_hex(&st, prog->digest, 32);
	gv_buf_puts(&st, "\"}}}");
	if (gv_report_sign_envelope(out, st.ptr, st.len, k) < 0)
		err = gv_error(d, CODE_CREATE, NULL, "the key cannot sign (a public key?)");
	*nfiles = prog->nloaded;
out:
	free(names);
	gv_buf_release(&st);
	gv_program_free(prog);
	return err;
}

int gv_bundles_add(gv_bundles *b, const char *path, const gv_trust *t, gv_diags *d)
{
	gv_statement *st = NULL;
	gv_buf env = GV_BUF_INIT;
	unsigned char sha[32];
	gv_bundle x;
	size_t i, j;
	int err = GV_OK;

	if (b->n >= GV_BUNDLE_MAX)
		return gv_error(d, CODE_LIMIT, path, "more than %d policy bundles", GV_BUNDLE_MAX);
	memset(&x, 0, sizeof(x));
	if (gv_buf_read_file(&env, path, GV_DSSE_MAX_BYTES) < 0) {
		err = gv_error(d, CODE_READ, path, "cannot read the policy bundle (or it is larger "
			       "than 16 MiB)");
		goto out;
	}
	gv_sha256(sha, env.ptr, env.len);
	gv_hex(x.sha256, sha, 32);
	for (i = 0; t && i < t->nkeys && !x.signer; i++) {
		gv_diags sd = GV_DIAGS_INIT;
		int r = gv_statement_open(&st, path, t->keys[i].key, &sd);

		if (r == GV_OK) {
			x.signer = &t->keys[i];
		} else if (r != GV_ESIG) {
			/* not an envelope, not a Statement, unreadable */
			gv_diags_move(d, &sd);
			err = r;
			goto out;
		}
		gv_diags_release(&sd);
	}
	if (!x.signer) {
		err = gv_error(d, CODE_UNTRUSTED, path, "the policy bundle is not signed by any "
			       "key of the trust file%s%s", t ? " " : "", t ? t->path : "");
		err = GV_ESIG;
		goto out;
	}
	if (st->kind != GV_STATEMENT_POLICY_BUNDLE) {
		err = gv_error(d, CODE_NOT_BUNDLE, path, "not a policy bundle: its predicateType is "
			       "'%s', not '%s'", st->predicate_type, GV_PREDICATE_POLICY_BUNDLE);
		goto out;
	}
	if (st->nsubjects > GV_BUNDLE_MAX_SUBJECTS) {
		err = gv_error(d, CODE_LIMIT, path, "the policy bundle lists more than %d files",
			       GV_BUNDLE_MAX_SUBJECTS);
		goto out;
	}
	/* a name twice could hide which digest counts: refuse the bundle */
	for (i = 0; i < st->nsubjects; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(st->subjects[i].name, st->subjects[j].name)) {
				err = gv_error(d, CODE_DUPLICATE, path, "the policy bundle names "
					       "'%s' twice (subjects %zu and %zu)",
					       st->subjects[i].name, j + 1, i + 1);
				goto out;
			}
	x.path = path;
	x.st = st;
	st = NULL;
	GV_GROW(b->v, b->alloc, b->n + 1);
	b->v[b->n++] = x;
	if (t && t->signed_policies)
		b->required = 1;
out:
	gv_statement_free(st);
	gv_buf_release(&env);
	return err;
}

static const gv_subject *find_name(const gv_statement *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nsubjects; i++)
		if (!strcmp(st->subjects[i].name, name))
			return &st->subjects[i];
	return NULL;
}

int gv_bundles_check(gv_bundles *b, const gv_program *prog, const char *const *policy_paths,
		     size_t npolicy, const char *const *rule_paths, size_t nrules,
		     gv_diags *d)
{
	size_t i, k;
	int err = GV_OK;

	for (i = 0; i < prog->nloaded; i++) {
		const gv_file *f = prog->loaded[i];
		const char *name = gv_bundle_subject_name(f->path, policy_paths, npolicy,
							  rule_paths, nrules);
		const gv_bundle *altered = NULL, *norole = NULL;
		const gv_subject *s;
		char hex[65];

		for (k = 0; k < b->n; k++) {
			gv_bundle *x = &b->v[k];

			if (!(s = find_name(x->st, name)))
				continue;
			if (!(x->signer->roles & GV_ROLE_POLICY_SIGNER)) {
				if (!norole)
					norole = x;
				continue;
			}
			if (memcmp(s->sha256, f->sha256, 32)) {
				if (!altered)
					altered = x;
				continue;
			}
			x->admitted++;
			break;
		}
		if (k < b->n || !b->required)
			continue;
		gv_hex(hex, f->sha256, 32);
		if (altered)
			err = gv_error(d, CODE_ALTERED, f->path, "policy file '%s' is altered: its "
				       "SHA-256 is %s, but policy bundle %s (signed by '%s') lists "
				       "%s for it", name, hex, altered->path, altered->signer->name,
				       find_name(altered->st, name)->sha256_hex);
		else if (norole)
			err = gv_error(d, CODE_ROLE, f->path, "policy file '%s' is signed only by "
				       "'%s' (policy bundle %s), a signer without the policy-signer "
				       "role", name, norole->signer->name, norole->path);
		else
			err = gv_error(d, CODE_UNSIGNED, f->path, "policy file '%s' is unsigned: "
				       "no policy bundle signed by a policy-signer lists it, and the "
				       "trust file requires signed policies", name);
	}
	return err < 0 ? GV_ESIG : GV_OK;
}

void gv_bundles_release(gv_bundles *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		gv_statement_free(b->v[i].st);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

void gv_bundles_json(gv_buf *out, const gv_bundles *b)
{
	size_t i;

	gv_buf_putc(out, '[');
	for (i = 0; i < b->n; i++) {
		const gv_bundle *x = &b->v[i];

		gv_buf_puts(out, i ? ",{\"file\":" : "{\"file\":");
		gv_buf_json_cstr(out, x->path);
		gv_buf_printf(out, ",\"sha256\":\"%s\",\"signer\":", x->sha256);
		gv_buf_json_cstr(out, x->signer->name);
		gv_buf_printf(out, ",\"keyid\":\"%s\",\"policy_signer\":%s,\"subjects\":%zu,"
			      "\"admitted\":%zu}", x->signer->keyid,
			      x->signer->roles & GV_ROLE_POLICY_SIGNER ? "true" : "false",
			      x->st->nsubjects, x->admitted);
	}
	gv_buf_putc(out, ']');
}
