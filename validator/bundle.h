/*
 * bundle.h: signed policy bundles (docs/GOVERNANCE.md, "Signed policy
 * bundles"; the format in docs/EVIDENCE.md).
 *
 * A bundle is a DSSE envelope around an in-toto Statement whose
 * predicateType is GV_PREDICATE_POLICY_BUNDLE, with one subject per policy
 * or rule file: named by its path relative to the -p/--rules folder it was
 * found under (its file name when the file itself was given), with its
 * SHA-256. The files are gathered and loaded exactly as `check` loads them
 * (policy_load.c), so a bundle covers what a run would load.
 *
 * A run checks its bundles against the trust file: a bundle that is not a
 * bundle, has a subject name twice, or is signed by no key of the trust
 * file is an input error. When the trust file requires signed policies,
 * every loaded file must be a subject, with the same digest, of a bundle
 * signed by a key holding the policy-signer role; otherwise the run stops
 * before anything is evaluated (GV-B010 unsigned, GV-B011 altered, GV-B012
 * signer without the role).
 */
#ifndef GV_BUNDLE_H
#define GV_BUNDLE_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "policy.h"
#include "sign.h"
#include "statement.h"
#include "trust.h"

#define GV_BUNDLE_MAX 64           /* bundles per run */
#define GV_BUNDLE_MAX_SUBJECTS 10000  /* files per bundle */

/*
 * Loads the files as `check` would (rules first, then policies; the caller
 * passes the shipped library when no --rules is given) and appends the
 * signed bundle to out; *nfiles is the number of files. Two files with the
 * same subject name are an error.
 */
int gv_bundle_create(gv_buf *out, size_t *nfiles, const char *const *policy_paths,
		     size_t npolicy, const char *const *rule_paths, size_t nrules,
		     const gv_key *k, const char *created_at, gv_diags *d);

/* A file's subject name: relative to the first of rule_paths, then
 * policy_paths, it was found under; its base name when given itself. */
const char *gv_bundle_subject_name(const char *path, const char *const *policy_paths,
				   size_t npolicy, const char *const *rule_paths, size_t nrules);

typedef struct gv_bundle {
	const char *path;           /* as given */
	char sha256[65];            /* of the envelope file */
	const gv_trust_key *signer; /* the trust file's entry for the signing key */
	gv_statement *st;
	size_t admitted;            /* loaded files it admitted */
} gv_bundle;

typedef struct gv_bundles {
	gv_bundle *v;
	size_t n, alloc;
	int required;               /* the trust file's require.signed_policies */
} gv_bundles;

#define GV_BUNDLES_INIT { NULL, 0, 0, 0 }

/* Reads and verifies a bundle under the trust file's keys and adds it. */
int gv_bundles_add(gv_bundles *b, const char *path, const gv_trust *t, gv_diags *d);

/*
 * Checks every file of prog (loaded from these paths) against the bundles:
 * each admitted file is counted on the first bundle admitting it. With
 * b->required, a file no policy-signer bundle admits is an error (every such
 * file is reported); returns GV_ESIG then.
 */
int gv_bundles_check(gv_bundles *b, const gv_program *prog, const char *const *policy_paths,
		     size_t npolicy, const char *const *rule_paths, size_t nrules,
		     gv_diags *d);
void gv_bundles_release(gv_bundles *b);

/* The report's "policy_bundles" array. */
void gv_bundles_json(gv_buf *out, const gv_bundles *b);

#endif
