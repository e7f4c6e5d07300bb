/*
 * govinputs.h: the waivers and policy bundles of one `check` or `deploy`
 * run, loaded and checked against its trust file (waiver.h, bundle.h;
 * docs/GOVERNANCE.md). The commands only gather the paths.
 */
#ifndef GV_GOVINPUTS_H
#define GV_GOVINPUTS_H

#include "bundle.h"
#include "trust.h"
#include "waiver.h"

typedef struct gv_govinputs {
	gv_trust *trust;            /* NULL: no trust file */
	gv_waivers waivers;
	gv_bundles bundles;
	int have_waivers, have_bundles;
} gv_govinputs;

/*
 * Loads the trust file (trust_path, else $GOVGATE_TRUST when set and
 * non-empty; none is fine unless waivers or bundles are given), the signed
 * waivers (initiator: the run's signing key, NULL for none) and the policy
 * bundles. Every problem goes to d; GV_OK or a negative code (exit 2).
 */
int gv_govinputs_load(gv_govinputs *g, const char *trust_path,
		      const char *const *waivers, size_t nwaivers,
		      const char *const *bundles, size_t nbundles,
		      const gv_key *initiator, gv_diags *d);

/* After the program is loaded, before anything is evaluated: the policy
 * files against the bundles (bundle.h). */
int gv_govinputs_check_program(gv_govinputs *g, const gv_program *prog,
			       const char *const *policy_paths, size_t npolicy,
			       const char *const *rule_paths, size_t nrules, gv_diags *d);

void gv_govinputs_release(gv_govinputs *g);

#endif
