/*
 * The official yaml-test-suite (tests/yaml-suite/data, MIT, see its
 * LICENSE) run through govgate's loader (yaml_load.c).
 *
 * Every case ends in one outcome:
 *   ok               invalid input rejected, or valid input loaded (and, when
 *                    the case has an in.json, with the same values)
 *   accepts-invalid  the case is invalid YAML and govgate loaded it
 *   rejects-valid    the case is valid YAML and govgate refused it
 *   wrong-value      loaded, but the values differ from the case's in.json
 * tests/yaml-suite/known.txt records the cases whose outcome is not ok
 * (docs/YAML.md explains each kind). The test fails on a case whose outcome
 * is not ok and is not recorded there with that outcome; a recorded case
 * that now passes is only reported. A crash fails the unit run, and the
 * sanitizer pass runs this test too.
 *
 * GV_YAML_SUITE_RECORD=FILE writes every case's outcome (and the first
 * diagnostic of a refused one) to FILE, to refresh known.txt and the docs.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "buf.h"
#include "diag.h"
#include "gv.h"
#include "json_parse.h"
#include "node.h"

#define SUITE_DIR "../yaml-suite/data"
#define KNOWN_FILE "../yaml-suite/known.txt"

enum { OK, ACCEPTS_INVALID, REJECTS_VALID, WRONG_VALUE, NOUTCOMES };
static const char *const outcome_names[NOUTCOMES] = {
	"ok", "accepts-invalid", "rejects-valid", "wrong-value"
};

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Case ids: "229Q", or "MUS6/03" for numbered sub-cases, in byte order. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_cases(char ***out, size_t *n)
{
	DIR *top = opendir(SUITE_DIR), *sub;
	struct dirent *e, *s;
	size_t alloc = 0;
	char path[600];

	*out = NULL;
	*n = 0;
	ck_assert_msg(top != NULL, "cannot open " SUITE_DIR);
	while ((e = readdir(top))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SUITE_DIR "/%s/in.yaml", e->d_name);
		if (exists(path)) {
			GV_GROW(*out, alloc, *n + 1);
			(*out)[(*n)++] = strdup(e->d_name);
			continue;
		}
		snprintf(path, sizeof(path), SUITE_DIR "/%s", e->d_name);
		if (!(sub = opendir(path)))
			continue;
		while ((s = readdir(sub))) {
			char id[600];
			if (s->d_name[0] == '.')
				continue;
			snprintf(id, sizeof(id), "%s/%s", e->d_name, s->d_name);
			GV_GROW(*out, alloc, *n + 1);
			(*out)[(*n)++] = strdup(id);
		}
		closedir(sub);
	}
	closedir(top);
	qsort(*out, *n, sizeof(char *), cmp_str);
}

/* in.json holds one JSON value per document, one after the other: the
 * length of the value that starts at p (after whitespace), 0 at the end. */
static size_t next_value(const char *p, size_t n, size_t *skip)
{
	size_t i = 0, depth = 0;
	int in_str = 0;

	while (i < n && strchr(" \t\r\n", p[i]))
		i++;
	*skip = i;
	if (i == n)
		return 0;
	for (; i < n; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			if (!in_str && !depth)
				return i + 1 - *skip;
			continue;
		}
		if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (!--depth)
				return i + 1 - *skip;
		} else if (!depth && strchr(" \t\r\n", c)) {
			return i - *skip;
		}
	}
	return i - *skip;
}

/* Whether a YAML node holds the same data as a JSON node. */
static int same(const gv_node *y, const gv_node *j)
{
	uint32_t i, k;

	switch (j->kind) {
	case GV_NODE_NULL:
	case GV_NODE_BOOL:
		return y->kind == j->kind && (j->kind == GV_NODE_NULL || y->u.b == j->u.b);
	case GV_NODE_INT:
	case GV_NODE_FLOAT:
		return (y->kind == GV_NODE_INT || y->kind == GV_NODE_FLOAT) &&
		       gv_node_num(y) == gv_node_num(j);
	case GV_NODE_STR:
		return y->kind == GV_NODE_STR && y->n == j->n && !memcmp(y->s, j->s, j->n);
	case GV_NODE_SEQ:
		if (y->kind != GV_NODE_SEQ || y->n != j->n)
			return 0;
		for (i = 0; i < j->n; i++)
			if (!same(y->u.items[i], j->u.items[i]))
				return 0;
		return 1;
	default:
		if (y->kind != GV_NODE_MAP || y->n != j->n)
			return 0;
		for (i = 0; i < j->n; i++) {
			const gv_node *jk = j->u.pairs[i].key;
			for (k = 0; k < y->n; k++) {
				const gv_node *yk = y->u.pairs[k].key;
				if (yk->n == jk->n && !memcmp(yk->s, jk->s, jk->n))
					break;
			}
			if (k == y->n || !same(y->u.pairs[k].val, j->u.pairs[i].val))
				return 0;
		}
		return 1;
	}
}

/* Compares the loaded documents with in.json; 1 when they agree. */
static int matches_json(const gv_file *f, const char *json, size_t len)
{
	size_t off = 0, skip, vlen, ndocs = 0;
	int ok = 1;

	while (ok && (vlen = next_value(json + off, len - off, &skip))) {
		gv_file *jf = NULL;
		gv_diags d = GV_DIAGS_INIT;
		const char *v = json + off + skip;

		off += skip + vlen;
		ck_assert_msg(gv_json_parse(&jf, "in.json", v, vlen, NULL, &d) == GV_OK,
			      "in.json does not parse: %.*s", (int)vlen, v);
		ok = ndocs < f->ndocs && same(f->docs[ndocs], jf->docs[0]);
		ndocs++;
		gv_file_free(jf);
		gv_diags_release(&d);
	}
	return ok && ndocs == f->ndocs;
}

/* Runs one case: its outcome, and in why (when refused) the diagnostic. */
static int run_case(const char *id, char *why, size_t whylen)
{
	char path[600];
	gv_buf yaml = GV_BUF_INIT, json = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL;
	int invalid, loaded, outcome;

	snprintf(path, sizeof(path), SUITE_DIR "/%s/error", id);
	invalid = exists(path);
	snprintf(path, sizeof(path), SUITE_DIR "/%s/in.yaml", id);
	ck_assert_int_eq(gv_buf_read_file(&yaml, path, (size_t)1 << 20), 0);
	loaded = gv_file_load_mem(&f, path, yaml.ptr, yaml.len, NULL, &d) == GV_OK;
	why[0] = '\0';
	if (!loaded && d.n)
		snprintf(why, whylen, "%u:%u: %s [%s]", d.v[0].loc.line, d.v[0].loc.col,
			 d.v[0].msg, d.v[0].code);
	if (invalid) {
		outcome = loaded ? ACCEPTS_INVALID : OK;
	} else if (!loaded) {
		outcome = REJECTS_VALID;
	} else {
		outcome = OK;
		snprintf(path, sizeof(path), SUITE_DIR "/%s/in.json", id);
		if (exists(path)) {
			ck_assert_int_eq(gv_buf_read_file(&json, path, (size_t)1 << 20), 0);
			if (!matches_json(f, json.ptr, json.len))
				outcome = WRONG_VALUE;
		}
	}
	gv_file_free(f);
	gv_diags_release(&d);
	gv_buf_release(&yaml);
	gv_buf_release(&json);
	return outcome;
}

typedef struct known {
	char id[64];
	int outcome;
} known;

/* known.txt: "ID OUTCOME", '#' starts a comment. */
static known *load_known(size_t *n)
{
	gv_buf b = GV_BUF_INIT;
	known *k = NULL;
	size_t alloc = 0;
	char *line, *save = NULL;

	*n = 0;
	ck_assert_int_eq(gv_buf_read_file(&b, KNOWN_FILE, (size_t)1 << 20), 0);
	for (line = strtok_r(b.ptr, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char id[64], out[32];
		int o;
		if (line[0] == '#' || sscanf(line, "%63s %31s", id, out) != 2)
			continue;
		for (o = 0; o < NOUTCOMES; o++)
			if (!strcmp(out, outcome_names[o]))
				break;
		ck_assert_msg(o < NOUTCOMES && o != OK, "known.txt: bad outcome '%s' for %s",
			      out, id);
		GV_GROW(k, alloc, *n + 1);
		memcpy(k[*n].id, id, sizeof(id));
		k[*n].outcome = o;
		(*n)++;
	}
	gv_buf_release(&b);
	return k;
}

START_TEST(every_case_is_ok_or_a_known_difference)
{
	char **ids, why[512];
	size_t nids, nknown, i, j, count[NOUTCOMES] = { 0 }, unexpected = 0;
	known *kn = load_known(&nknown);
	const char *rec = getenv("GV_YAML_SUITE_RECORD");
	FILE *out = rec && *rec ? fopen(rec, "w") : NULL;

	list_cases(&ids, &nids);
	ck_assert_uint_ge(nids, 400);
	for (i = 0; i < nids; i++) {
		int o = run_case(ids[i], why, sizeof(why));
		int want = OK;

		count[o]++;
		for (j = 0; j < nknown; j++)
			if (!strcmp(kn[j].id, ids[i]))
				want = kn[j].outcome;
		if (out)
			fprintf(out, "%s %s%s%s\n", ids[i], outcome_names[o], *why ? "  # " : "", why);
		if (o != OK && o != want) {
			fprintf(stderr, "yaml-suite: %s: %s, not recorded in known.txt%s%s\n", ids[i],
				outcome_names[o], *why ? ": " : "", why);
			unexpected++;
		} else if (o == OK && want != OK) {
			fprintf(stderr, "yaml-suite: %s: now ok (known.txt says %s); "
				"remove it from known.txt\n", ids[i], outcome_names[want]);
		}
		free(ids[i]);
	}
	if (out)
		fclose(out);
	free(ids);
	free(kn);
	if (getenv("GV_YAML_SUITE_VERBOSE"))
		fprintf(stderr, "yaml-suite: %zu cases: %zu ok, %zu accepts-invalid, "
			"%zu rejects-valid, %zu wrong-value\n", nids, count[OK],
			count[ACCEPTS_INVALID], count[REJECTS_VALID], count[WRONG_VALUE]);
	ck_assert_msg(!unexpected, "%zu yaml-test-suite case(s) with a new difference",
		      unexpected);
}
END_TEST

Suite *yaml_suite_suite(void)
{
	Suite *s = suite_create("yaml_suite");
	TCase *t = tcase_create("core");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, every_case_is_ok_or_a_known_difference);
	suite_add_tcase(s, t);
	return s;
}
