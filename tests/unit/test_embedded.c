/*
 * Unit tests for embedded.c: every shipped file compiled into the binary
 * gives the tree gv_file_load() gives for the file itself (kind, text,
 * line, column, values, structure, shared alias targets), and bytes that
 * differ by one byte are parsed, not taken from the binary.
 */
#include <check.h>
#include <glob.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "digest.h"
#include "embedded.h"
#include "gv.h"
#include "node.h"

/* The tests run in tests/unit; the generator was given paths relative to
 * the top of the source tree. */
#define TOP "../../"

static void same_tree(const gv_node *a, const gv_node *b, const gv_node *a0, const gv_node *b0,
		      const char *name)
{
	uint32_t i;

	ck_assert_msg(a && b, "%s: a node is missing", name);
	ck_assert_msg(a->kind == b->kind, "%s:%u:%u: kind %d against %d", name, a->line, a->col,
		      a->kind, b->kind);
	ck_assert_msg(a->line == b->line && a->col == b->col, "%s: position %u:%u against %u:%u",
		      name, a->line, a->col, b->line, b->col);
	ck_assert_msg(a->quoted == b->quoted, "%s:%u:%u: quoted", name, a->line, a->col);
	ck_assert_msg(a->n == b->n, "%s:%u:%u: n %u against %u", name, a->line, a->col, a->n, b->n);
	ck_assert_msg(!a->s == !b->s, "%s:%u:%u: text present in one only", name, a->line, a->col);
	if (a->s) {
		size_t n = gv_node_is_scalar(a) ? a->n : strlen(a->s);
		ck_assert_msg(!memcmp(a->s, b->s, n + 1), "%s:%u:%u: text '%s' against '%s'", name,
			      a->line, a->col, a->s, b->s);
	}
	/* sharing: a node that is one tree's root is the other's root too */
	ck_assert_msg((a == a0) == (b == b0), "%s:%u:%u: sharing differs", name, a->line, a->col);
	switch (a->kind) {
	case GV_NODE_BOOL:
		ck_assert(a->u.b == b->u.b);
		break;
	case GV_NODE_INT:
		ck_assert(a->u.i == b->u.i);
		break;
	case GV_NODE_FLOAT:
		ck_assert(!memcmp(&a->u.f, &b->u.f, sizeof(double)));
		break;
	case GV_NODE_SEQ:
		for (i = 0; i < a->n; i++)
			same_tree(a->u.items[i], b->u.items[i], a0, b0, name);
		break;
	case GV_NODE_MAP:
		for (i = 0; i < a->n; i++) {
			same_tree(a->u.pairs[i].key, b->u.pairs[i].key, a0, b0, name);
			same_tree(a->u.pairs[i].val, b->u.pairs[i].val, a0, b0, name);
		}
		break;
	default:
		break;
	}
}

static size_t count_nodes(const gv_node *n)
{
	size_t c = 1;
	uint32_t i;

	if (n->kind == GV_NODE_SEQ)
		for (i = 0; i < n->n; i++)
			c += count_nodes(n->u.items[i]);
	else if (n->kind == GV_NODE_MAP)
		for (i = 0; i < n->n; i++)
			c += count_nodes(n->u.pairs[i].key) + count_nodes(n->u.pairs[i].val);
	return c;
}

START_TEST(every_shipped_file_is_embedded_as_loaded)
{
	size_t i, j, nodes = 0;
	glob_t g;

	/* every shipped file is embedded, once */
	ck_assert_int_eq(glob(TOP "rules/*.yaml", 0, NULL, &g), 0);
	ck_assert_int_eq(glob(TOP "policies/*.yaml", GLOB_APPEND, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 5);
	ck_assert_uint_eq(gv_embedded_nfiles, g.gl_pathc);
	for (i = 0; i < g.gl_pathc; i++) {
		int found = 0;
		for (j = 0; j < gv_embedded_nfiles; j++)
			found += !strcmp(g.gl_pathv[i] + strlen(TOP), gv_embedded_files[j].name);
		ck_assert_msg(found == 1, "%s is embedded %d times", g.gl_pathv[i], found);
	}
	globfree(&g);
	for (i = 0; i < gv_embedded_nfiles; i++) {
		const gv_emb_file *e = &gv_embedded_files[i];
		char path[256];
		gv_diags d = GV_DIAGS_INIT;
		gv_file *parsed = NULL, *emb, *known = NULL;

		snprintf(path, sizeof(path), TOP "%s", e->name);
		ck_assert_int_eq(gv_file_load(&parsed, path, NULL, &d), GV_OK);
		ck_assert_uint_eq(d.n, 0);
		ck_assert_msg(!memcmp(parsed->sha256, e->sha256, 32), "%s: digest differs", e->name);
		ck_assert_ptr_eq(gv_embedded_find(parsed->sha256), e);
		emb = gv_embedded_file(e, path);
		ck_assert_str_eq(emb->path, path);
		ck_assert(!memcmp(emb->sha256, parsed->sha256, 32));
		ck_assert_uint_eq(emb->ndocs, parsed->ndocs);
		ck_assert_uint_ge(emb->ndocs, 1);
		for (j = 0; j < emb->ndocs; j++) {
			same_tree(parsed->docs[j], emb->docs[j], parsed->docs[j], emb->docs[j], e->name);
			nodes += count_nodes(parsed->docs[j]);
		}
		/* policy_load.c's entry point takes the same tree */
		ck_assert_int_eq(gv_file_load_known(&known, path, &d), GV_OK);
		ck_assert_str_eq(known->path, path);
		for (j = 0; j < known->ndocs; j++)
			same_tree(parsed->docs[j], known->docs[j], parsed->docs[j], known->docs[j], e->name);
		gv_file_free(known);
		gv_file_free(emb);
		gv_file_free(parsed);
		gv_diags_release(&d);
	}
	ck_assert_uint_gt(nodes, 500);
}
END_TEST

/* The first rule's message in rules/encryption.yaml with one byte changed:
 * the edit is what loads, and the digest matches no embedded file. */
START_TEST(one_byte_changed_is_parsed)
{
	gv_buf b = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL, *parsed = NULL;
	const gv_node *rules, *msg;
	unsigned char sha[32];
	char *p;

	ck_assert_int_eq(gv_buf_read_file(&b, TOP "rules/encryption.yaml", 1 << 20), GV_OK);
	p = memmem(b.ptr, b.len, "message: \"encryption at rest is off", 35);
	ck_assert_ptr_nonnull(p);
	p[10] = 'E';
	gv_sha256(sha, b.ptr, b.len);
	ck_assert_ptr_null(gv_embedded_find(sha));
	ck_assert_int_eq(gv_file_load_known_mem(&f, "edited.yaml", b.ptr, b.len, &d), GV_OK);
	ck_assert_uint_eq(d.n, 0);
	ck_assert(!memcmp(f->sha256, sha, 32));
	rules = gv_node_get(f->docs[0], "rules");
	msg = gv_node_get(rules->u.items[0], "message");
	ck_assert_str_eq(msg->s, "Encryption at rest is off: {path} is {actual}, expected {expected}");
	ck_assert_uint_eq(msg->line, 14);
	ck_assert_uint_eq(msg->col, 14);
	ck_assert_int_eq(gv_file_load_mem(&parsed, "edited.yaml", b.ptr, b.len, NULL, &d), GV_OK);
	same_tree(parsed->docs[0], f->docs[0], parsed->docs[0], f->docs[0], "edited.yaml");
	gv_file_free(parsed);
	gv_file_free(f);
	gv_buf_release(&b);
	gv_diags_release(&d);
}
END_TEST

/* An edit that breaks the file gives the parser's error, located. */
START_TEST(broken_edit_reports_the_parse_error)
{
	gv_buf b = GV_BUF_INIT;
	gv_diags d = GV_DIAGS_INIT;
	gv_file *f = NULL;
	char *p;

	ck_assert_int_eq(gv_buf_read_file(&b, TOP "rules/encryption.yaml", 1 << 20), GV_OK);
	p = memmem(b.ptr, b.len, "metadata: {name: encryption}", 28);
	ck_assert_ptr_nonnull(p);
	p[27] = ' ';    /* the closing brace */
	ck_assert_int_eq(gv_file_load_known_mem(&f, "edited.yaml", b.ptr, b.len, &d), GV_EPARSE);
	ck_assert_ptr_null(f);
	ck_assert_uint_ge(d.nerrors, 1);
	ck_assert_str_eq(d.v[0].loc.file, "edited.yaml");
	ck_assert_uint_eq(d.v[0].loc.line, 6);
	gv_buf_release(&b);
	gv_diags_release(&d);
}
END_TEST

Suite *embedded_suite(void)
{
	Suite *s = suite_create("embedded");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, every_shipped_file_is_embedded_as_loaded);
	tcase_add_test(tc, one_byte_changed_is_parsed);
	tcase_add_test(tc, broken_edit_reports_the_parse_error);
	suite_add_tcase(s, tc);
	return s;
}
