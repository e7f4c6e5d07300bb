#include "facts.h"
#include "alloc.h"
#include "gv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gv_duration_parse(int64_t *out, const char *s)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || n <= 0 || end == s || n > 100LL * 365 * 86400)
		return -1;
	if (!*end || !strcmp(end, "s"))
		*out = n;
	else if (!strcmp(end, "m"))
		*out = n * 60;
	else if (!strcmp(end, "h"))
		*out = n * 3600;
	else if (!strcmp(end, "d"))
		*out = n * 86400;
	else
		return -1;
	return 0;
}

int gv_duration_parse0(int64_t *out, const char *s)
{
	if (s[0] == '0' && (!s[1] || (!s[2] && strchr("smhd", s[1])))) {
		*out = 0;
		return 0;
	}
	return gv_duration_parse(out, s);
}

static void human_age(char *buf, size_t n, int64_t s)
{
	if (s >= 2 * 86400)
		snprintf(buf, n, "%lldd", (long long)(s / 86400));
	else if (s >= 2 * 3600)
		snprintf(buf, n, "%lldh", (long long)(s / 3600));
	else if (s >= 120)
		snprintf(buf, n, "%lldm", (long long)(s / 60));
	else
		snprintf(buf, n, "%llds", (long long)s);
}

int gv_facts_check_future(const gv_file *f, const gv_node *root, int64_t max_skew, time_t now,
			  gv_diags *d)
{
	const gv_node *at = gv_node_get(root, "collected_at");
	time_t t;

	if (!at || at->kind != GV_NODE_STR || gv_time_parse(&t, at->s) < 0)
		return GV_OK;
	if ((int64_t)t - (int64_t)now <= max_skew)
		return GV_OK;
	gv_diag_at(d, GV_SEV_ERROR, "GV-F003", gv_node_loc(f, at),
		   "facts are dated %lld s in the future (collected_at %s); the allowed clock "
		   "skew is %lld s", (long long)((int64_t)t - (int64_t)now), at->s,
		   (long long)max_skew);
	return GV_EPARSE;
}

int gv_facts_from_node(gv_facts *out, const gv_file *f, const gv_node *root, const char *side,
		       int64_t max_age, int64_t max_skew, time_t now, gv_diags *d)
{
	const gv_node *s, *at;

	memset(out, 0, sizeof(*out));
	if (root->kind != GV_NODE_MAP) {
		gv_diag_at(d, GV_SEV_ERROR, "GV-F001", gv_node_loc(f, root),
			   "facts must be one mapping document");
		return GV_EPARSE;
	}
	s = gv_node_get(root, "side");
	if (s && (s->kind != GV_NODE_STR || strcmp(s->s, side))) {
		gv_diag_at(d, GV_SEV_ERROR, "GV-F002", gv_node_loc(f, s),
			   "facts are labelled for side '%s' but were given as --%s-facts",
			   s->s ? s->s : "?", side);
		return GV_EPARSE;
	}
	if (gv_facts_check_future(f, root, max_skew, now, d) < 0)
		return GV_EPARSE;
	out->file = f;
	out->root = root;
	at = gv_node_get(root, "collected_at");
	if (max_age > 0) {
		time_t t;
		int64_t age_s;
		char age[32], lim_s[32], *why;
		if (!at || at->kind != GV_NODE_STR || gv_time_parse(&t, at->s) < 0) {
			out->stale = gv_arena_strndup(f->arena, "no valid collected_at time",
						      strlen("no valid collected_at time"));
		} else if ((age_s = (int64_t)now - (int64_t)t) > max_age) {
			/* a negative age (a future time within the skew allowance,
			 * checked above) is never stale: it counts as age 0 */
			human_age(age, sizeof(age), age_s);
			human_age(lim_s, sizeof(lim_s), max_age);
			if (asprintf(&why, "collected %s ago, at %s; the maximum age is %s",
				     age, at->s, lim_s) < 0)
				GV_BUG("asprintf failed");
			out->stale = gv_arena_strndup(f->arena, why, strlen(why));
			free(why);
		}
		/* said once per side, here; each finding then only says "stale" */
		if (out->stale)
			gv_diag_at(d, GV_SEV_WARNING, "GV-F004",
				   at ? gv_node_loc(f, at) : gv_node_loc(f, root),
				   "%s facts in '%s' are stale (%s): every rule that reads "
				   "them fails, as if they were missing", side, f->path, out->stale);
	}
	return GV_OK;
}

int gv_facts_load(gv_facts *out, gv_file **file_out, const char *path, const char *side,
		  int64_t max_age, int64_t max_skew, time_t now, const gv_limits *lim,
		  gv_diags *d)
{
	gv_file *f = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	*file_out = NULL;
	if ((err = gv_file_load(&f, path, lim, d)) < 0)
		return err;
	if (f->ndocs != 1) {
		gv_diag_at(d, GV_SEV_ERROR, "GV-F001",
			   f->ndocs ? gv_node_loc(f, f->docs[0]) : (gv_loc){ f->path, 0, 0 },
			   "facts must be one mapping document");
		gv_file_free(f);
		return GV_EPARSE;
	}
	err = gv_facts_from_node(out, f, f->docs[0], side, max_age, max_skew, now, d);
	if (err < 0) {
		gv_file_free(f);
		return err;
	}
	*file_out = f;
	return GV_OK;
}
