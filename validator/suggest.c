/* suggest.c: the closest known word to a misspelt one (suggest.h). */
#include "suggest.h"
#include "alloc.h"
#include "buf.h"
#include "gv.h"
#include "policy.h"

#include <stdlib.h>
#include <string.h>

size_t gv_edit_distance(const char *a, const char *b, size_t max)
{
	size_t n = strlen(a), m = strlen(b), i, j, r;
	size_t *mem, *prev2, *prev, *cur;

	if ((n > m ? n - m : m - n) > max)
		return max + 1;
	prev2 = mem = gv_xcalloc(3 * (m + 1), sizeof(size_t));
	prev = prev2 + m + 1;
	cur = prev + m + 1;
	for (j = 0; j <= m; j++)
		prev[j] = j;
	for (i = 1; i <= n; i++) {
		size_t *t, lo = (size_t)-1;
		cur[0] = i;
		for (j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1], v = prev[j - 1] + cost;
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < lo)
				lo = v;
		}
		if (lo > max && cur[0] > max) {
			free(mem);
			return max + 1;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	r = prev[m];
	free(mem);
	return r > max ? max + 1 : r;
}

/* Whether b is a, shortened or lengthened at its end by 1 to 3 characters
 * (kms_key for kms_key_id). */
static int extends(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	size_t lo = n < m ? n : m, diff = n > m ? n - m : m - n;

	return diff >= 1 && diff <= 3 && !strncmp(a, b, lo);
}

const char *gv_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t len = strlen(word), max = len <= 4 ? 1 : len <= 8 ? 2 : 3, best = max + 1, i;
	const char *pick = NULL;

	for (i = 0; n ? i < n : cands[i] != NULL; i++) {
		size_t dist;
		if (!strcmp(word, cands[i]))
			return NULL;
		dist = gv_edit_distance(word, cands[i], best - 1 < max ? best - 1 : max);
		if (dist > max && len >= 4 && extends(cands[i], word))
			dist = max;
		if (dist < best && dist <= max && dist < strlen(cands[i])) {
			best = dist;
			pick = cands[i];
		}
	}
	return pick;
}

/* The word quoted right after `lead` in msg, copied into buf. */
static int quoted_after(char *buf, size_t n, const char *msg, const char *lead)
{
	const char *p = strstr(msg, lead), *e;

	if (!p)
		return 0;
	p += strlen(lead);
	if (!(e = strchr(p, '\'')) || (size_t)(e - p) >= n)
		return 0;
	memcpy(buf, p, (size_t)(e - p));
	buf[e - p] = '\0';
	return 1;
}

static void append(gv_diag *g, const char *s)
{
	gv_buf b = GV_BUF_INIT;

	gv_buf_printf(&b, "%s; did you mean '%s'?", g->msg, s);
	free(g->msg);
	g->msg = gv_buf_detach(&b);
}

void gv_suggest_diags(gv_diags *d, size_t from, const char *const *rule_ids, size_t nids)
{
	static const char *const check_keys[] = { "path", "missing", "quantifier", "each" };
	static const char *const each_keys[] = {
		"each", "as", "where", "check", "min_count", "max_count", "distinct", "missing"
	};
	const char *ops[GV_NOPS + GV_ARRAY_LEN(check_keys)];
	char word[256];
	const char *s;
	size_t i;

	for (i = 0; i < GV_NOPS; i++)
		ops[i] = gv_op_name((int)i);
	for (i = 0; i < GV_ARRAY_LEN(check_keys); i++)
		ops[GV_NOPS + i] = check_keys[i];
	for (i = from; i < d->n; i++) {
		gv_diag *g = &d->v[i];
		if (!g->code || strstr(g->msg, "did you mean"))
			continue;
		if (!strcmp(g->code, "GV-P016") && nids &&
		    quoted_after(word, sizeof(word), g->msg, "unknown rule '") &&
		    (s = gv_suggest(word, rule_ids, nids)))
			append(g, s);
		else if (!strcmp(g->code, "GV-P012") &&
			 quoted_after(word, sizeof(word), g->msg, "operator or key '") &&
			 (s = gv_suggest(word, ops, GV_ARRAY_LEN(ops))))
			append(g, s);
		else if (!strcmp(g->code, "GV-P012") && strstr(g->msg, "in an each check") &&
			 quoted_after(word, sizeof(word), g->msg, "unknown key '") &&
			 (s = gv_suggest(word, each_keys, GV_ARRAY_LEN(each_keys))))
			append(g, s);
	}
}

size_t gv_check_keys(gv_diags *d, const char *code, const gv_file *f, const gv_node *map,
		     const char *const *allowed, const char *what)
{
	size_t bad = 0;
	uint32_t i;

	for (i = 0; i < map->n; i++) {
		const gv_node *k = map->u.pairs[i].key;
		const char *const *a;
		const char *near;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, k->s))
				break;
		if (*a)
			continue;
		near = gv_suggest(k->s, allowed, 0);
		gv_diag_at(d, GV_SEV_ERROR, code, gv_node_loc(f, k), "unknown key '%s' in %s%s%s%s",
			   k->s, what, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
		bad++;
	}
	return bad;
}
