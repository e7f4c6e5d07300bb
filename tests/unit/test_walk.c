/* test_walk.c: folders walked for manifests: order, links, loops, --exclude. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "gv.h"
#include "walk.h"

static char dir[64], out_dir[96];

static void touch(const char *rel)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs("a: 1\n", f);
	fclose(f);
}

static void sub(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	ck_assert_int_eq(mkdir(p, 0777), 0);
}

static void link_to(const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	ck_assert_int_eq(symlink(target, p), 0);
}

static void setup(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/gvwalkXXXXXX", t && *t && strlen(t) < 40 ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(out_dir, sizeof(out_dir), "%s-out", dir);
	ck_assert_int_eq(mkdir(out_dir, 0777), 0);
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", dir, out_dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The paths found, relative to dir, joined by spaces. */
static void listed(char *buf, size_t n, const gv_paths *p)
{
	size_t i, len = strlen(dir) + 1;

	*buf = '\0';
	for (i = 0; i < p->n; i++) {
		ck_assert(!strncmp(p->v[i], dir, len - 1));
		snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", i ? " " : "", p->v[i] + len);
	}
}

START_TEST(byte_order_recursive_and_extensions)
{
	gv_paths p = GV_PATHS_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char got[512];

	sub("a");
	sub("a-b");
	sub("b");
	sub("b/c");
	touch("z.yaml");
	touch("a.yaml");
	touch("a/x.yml");
	touch("a-b/x.json");
	touch("b/c/deep.yaml");
	touch("notes.txt");
	touch(".yaml");
	ck_assert_int_eq(gv_walk_manifests(&p, dir, NULL, 0, &d), 5);
	listed(got, sizeof(got), &p);
	ck_assert_str_eq(got, "a-b/x.json a.yaml a/x.yml b/c/deep.yaml z.yaml");
	ck_assert_uint_eq(d.n, 0);
	gv_paths_release(&p);
}
END_TEST

START_TEST(links_out_and_loops_not_followed)
{
	gv_paths p = GV_PATHS_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char got[512], target[160];
	FILE *f;

	sub("b");
	touch("m.yaml");
	snprintf(target, sizeof(target), "%s/secret.yaml", out_dir);
	ck_assert_ptr_nonnull(f = fopen(target, "w"));
	fclose(f);
	link_to(target, "out.yaml");
	link_to(out_dir, "outdir");
	link_to(".", "b/loop");
	link_to("..", "b/up");
	link_to("self.yaml", "self.yaml");
	link_to("m.yaml", "in.yaml");
	link_to("gone.yaml", "dangling.yaml");
	ck_assert_int_eq(gv_walk_manifests(&p, dir, NULL, 0, &d), 2);
	listed(got, sizeof(got), &p);
	ck_assert_str_eq(got, "in.yaml m.yaml");
	gv_paths_release(&p);
	gv_diags_release(&d);
}
END_TEST

START_TEST(exclude_by_name_and_path)
{
	gv_paths p = GV_PATHS_INIT;
	gv_diags d = GV_DIAGS_INIT;
	const char *const ex[] = { "vendor", "a/*.json" };
	char got[512];

	sub("vendor");
	sub("a");
	touch("vendor/v.yaml");
	touch("a/k.json");
	touch("a/k.yaml");
	touch("k.json");
	ck_assert_int_eq(gv_walk_manifests(&p, dir, ex, 2, &d), 2);
	listed(got, sizeof(got), &p);
	ck_assert_str_eq(got, "a/k.yaml k.json");
	gv_paths_release(&p);
}
END_TEST

START_TEST(empty_folder_is_an_error)
{
	gv_paths p = GV_PATHS_INIT;
	gv_diags d = GV_DIAGS_INIT;
	const char *const ex[] = { "*" };

	touch("readme.txt");
	ck_assert_int_lt(gv_walk_manifests(&p, dir, NULL, 0, &d), 0);
	ck_assert_uint_eq(d.nerrors, 1);
	ck_assert_str_eq(d.v[0].code, "GV-M006");
	ck_assert_str_eq(d.v[0].loc.file, dir);
	touch("m.yaml");
	ck_assert_int_lt(gv_walk_manifests(&p, dir, ex, 1, &d), 0);
	ck_assert_uint_eq(d.nerrors, 2);
	ck_assert_uint_eq(p.n, 0);
	gv_diags_release(&d);
	gv_paths_release(&p);
}
END_TEST

START_TEST(missing_folder_is_an_error)
{
	gv_paths p = GV_PATHS_INIT;
	gv_diags d = GV_DIAGS_INIT;
	char missing[96];

	snprintf(missing, sizeof(missing), "%s/nope", dir);
	ck_assert_int_lt(gv_walk_manifests(&p, missing, NULL, 0, &d), 0);
	ck_assert_str_eq(d.v[0].code, "GV-M007");
	gv_diags_release(&d);
}
END_TEST

Suite *walk_suite(void)
{
	Suite *s = suite_create("walk");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, byte_order_recursive_and_extensions);
	tcase_add_test(tc, links_out_and_loops_not_followed);
	tcase_add_test(tc, exclude_by_name_and_path);
	tcase_add_test(tc, empty_folder_is_an_error);
	tcase_add_test(tc, missing_folder_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}
