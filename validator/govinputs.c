/* govinputs.c: a run's trust file, waivers and policy bundles (govinputs.h). */
#include "govinputs.h"
#include "gv.h"

#include <stdlib.h>
#include <string.h>

int gv_govinputs_load(gv_govinputs *g, const char *trust_path,
		      const char *const *waivers, size_t nwaivers,
		      const char *const *bundles, size_t nbundles,
		      const gv_key *initiator, gv_diags *d)
{
	const char *env = getenv(GV_TRUST_ENV);
	size_t i;
	time_t now;
	int err = GV_OK;

	memset(g, 0, sizeof(*g));
	if (!trust_path && env && *env)
		trust_path = env;
	if (!trust_path && (nwaivers || nbundles))
		return gv_error(d, "GV-T008", NULL, "--waiver and --policy-bundle need a trust "
				"file (--trust FILE or $%s) that says whose signatures count",
				GV_TRUST_ENV);
	if (trust_path && (err = gv_trust_load(&g->trust, trust_path, d)) < 0)
		return err;
	if (g->trust)
		g->bundles.required = g->trust->signed_policies;
	g->have_bundles = nbundles || g->bundles.required;
	g->have_waivers = nwaivers > 0;
	if (nwaivers && (now = gv_waiver_now(d)) == (time_t)-1)
		return GV_EPARSE;
	for (i = 0; i < nwaivers; i++)
		if (gv_waivers_add(&g->waivers, waivers[i], g->trust, initiator, now, d) < 0)
			err = GV_EPARSE;
	for (i = 0; i < nbundles; i++)
		if (gv_bundles_add(&g->bundles, bundles[i], g->trust, d) < 0)
			err = GV_EPARSE;
	return err;
}

int gv_govinputs_check_program(gv_govinputs *g, const gv_program *prog,
			       const char *const *policy_paths, size_t npolicy,
			       const char *const *rule_paths, size_t nrules, gv_diags *d)
{
	g->waivers.prog = prog;
	if (!g->have_bundles)
		return GV_OK;
	return gv_bundles_check(&g->bundles, prog, policy_paths, npolicy, rule_paths, nrules, d);
}

void gv_govinputs_release(gv_govinputs *g)
{
	gv_waivers_release(&g->waivers);
	gv_bundles_release(&g->bundles);
	gv_trust_free(g->trust);
	memset(g, 0, sizeof(*g));
}
