/*
 * tools/embed.c: writes the shipped policy and rule files as C data for
 * validator/embedded.c (embedded.h explains the scheme).
 *
 *   embed-gen -o OUT.c FILE...
 *
 * Each FILE is loaded with gv_file_load() exactly as policy_load.c loads it
 * at run time (default limits, yaml_strict.c's checks); its tree is written
 * with indices for pointers (shared alias targets stay shared) and its
 * SHA-256. A file that does not load cleanly (any diagnostic at all) is left
 * out, so that at run time it is parsed and its messages are printed.
 * The build runs this; it is not installed.
 */
#include "alloc.h"
#include "diag.h"
#include "embedded.h"
#include "gv.h"
#include "node.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A file's tree being flattened. */
typedef struct flat {
	gv_emb_node *nodes;
	size_t nnodes, nodes_alloc;
	uint32_t *items;
	size_t nitems, items_alloc;
	uint32_t *pairs;
	size_t npairs, pairs_alloc;   /* npairs counts pairs; pairs holds 2 per pair */
	char *strs;
	size_t nstrs, strs_alloc;
	/* node address -> index, open addressing */
	const gv_node **seen;
	uint32_t *seen_idx;
	size_t seen_cap, nseen;
} flat;

static size_t hash_ptr(const void *p, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

static void seen_grow(flat *F)
{
	const gv_node **old = F->seen;
	uint32_t *old_idx = F->seen_idx;
	size_t old_cap = F->seen_cap, i, h;

	F->seen_cap = old_cap ? old_cap * 2 : 1024;
	F->seen = gv_xcalloc(F->seen_cap, sizeof(*F->seen));
	F->seen_idx = gv_xcalloc(F->seen_cap, sizeof(*F->seen_idx));
	for (i = 0; i < old_cap; i++) {
		if (!old[i])
			continue;
		for (h = hash_ptr(old[i], F->seen_cap); F->seen[h]; h = (h + 1) & (F->seen_cap - 1))
			;
		F->seen[h] = old[i];
		F->seen_idx[h] = old_idx[i];
	}
	free(old);
	free(old_idx);
}

/* The index of nd, or GV_EMB_NONE when it has none yet. */
static uint32_t seen_find(const flat *F, const gv_node *nd)
{
	size_t h;

	if (!F->seen_cap)
		return GV_EMB_NONE;
	for (h = hash_ptr(nd, F->seen_cap); F->seen[h]; h = (h + 1) & (F->seen_cap - 1))
		if (F->seen[h] == nd)
			return F->seen_idx[h];
	return GV_EMB_NONE;
}

static void seen_add(flat *F, const gv_node *nd, uint32_t idx)
{
	size_t h;

	if (2 * (F->nseen + 1) > F->seen_cap)
		seen_grow(F);
	for (h = hash_ptr(nd, F->seen_cap); F->seen[h]; h = (h + 1) & (F->seen_cap - 1))
		;
	F->seen[h] = nd;
	F->seen_idx[h] = idx;
	F->nseen++;
}

static uint32_t add_str(flat *F, const char *s, size_t n)
{
	size_t off = F->nstrs;

	GV_GROW(F->strs, F->strs_alloc, F->nstrs + n + 1);
	memcpy(F->strs + off, s, n);
	F->strs[off + n] = '\0';
	F->nstrs += n + 1;
	return (uint32_t)off;
}

/* Flattens nd (depth is bounded by the loader's nesting limit). */
static uint32_t visit(flat *F, const gv_node *nd)
{
	uint32_t idx = seen_find(F, nd), first, i;
	gv_emb_node en;

	if (idx != GV_EMB_NONE)
		return idx;
	memset(&en, 0, sizeof(en));
	en.kind = nd->kind;
	en.quoted = nd->quoted;
	en.line = nd->line;
	en.col = nd->col;
	en.n = nd->n;
	en.s = nd->s ? add_str(F, nd->s, gv_node_is_scalar(nd) ? nd->n : strlen(nd->s))
		     : GV_EMB_NONE;
	switch (nd->kind) {
	case GV_NODE_BOOL:
		en.v = nd->u.b;
		break;
	case GV_NODE_INT:
		en.v = (uint64_t)nd->u.i;
		break;
	case GV_NODE_FLOAT:
		memcpy(&en.v, &nd->u.f, sizeof(double));
		break;
	default:
		break;
	}
	idx = (uint32_t)F->nnodes;
	GV_GROW(F->nodes, F->nodes_alloc, F->nnodes + 1);
	F->nnodes++;
	seen_add(F, nd, idx);
	if (nd->kind == GV_NODE_SEQ) {
		first = (uint32_t)F->nitems;
		en.v = first;
		GV_GROW(F->items, F->items_alloc, F->nitems + nd->n);
		F->nitems += nd->n;
		for (i = 0; i < nd->n; i++) {
			uint32_t c = visit(F, nd->u.items[i]);
			F->items[first + i] = c;
		}
	} else if (nd->kind == GV_NODE_MAP) {
		first = (uint32_t)F->npairs;
		en.v = first;
		GV_GROW(F->pairs, F->pairs_alloc, 2 * (F->npairs + nd->n));
		F->npairs += nd->n;
		for (i = 0; i < nd->n; i++) {
			uint32_t k = visit(F, nd->u.pairs[i].key);
			uint32_t v = visit(F, nd->u.pairs[i].val);
			F->pairs[2 * (first + i)] = k;
			F->pairs[2 * (first + i) + 1] = v;
		}
	}
	F->nodes[idx] = en;
	return idx;
}

static void flat_release(flat *F)
{
	free(F->nodes);
	free(F->items);
	free(F->pairs);
	free(F->strs);
	free(F->seen);
	free(F->seen_idx);
}

static void put_u32s(FILE *o, const char *type, const char *name, size_t k,
		     const uint32_t *v, size_t n)
{
	size_t i;

	fprintf(o, "static const %s %s%zu[] = {", type, name, k);
	for (i = 0; i < n; i++)
		fprintf(o, "%s%u,", i % 16 ? " " : "\n\t", v[i]);
	if (!n)
		fprintf(o, "0");
	fprintf(o, "\n};\n");
}

/* One byte in a string literal: itself for letters, digits and a few safe
 * marks, an octal escape for the rest (no trigraphs, no hex digits running
 * on); returns the columns written. */
static size_t put_byte(FILE *o, unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c && strchr(" .,:;_-+/=()[]{}<>*&^%$#@!~|'`", c))) {
		fputc(c, o);
		return 1;
	}
	fprintf(o, "\\%03o", c);
	return 4;
}

/* The pool as a string literal. */
static void put_strs(FILE *o, size_t k, const char *s, size_t n)
{
	size_t i, col = 0;

	fprintf(o, "static const char strs%zu[] =\n\t\"", k);
	for (i = 0; i < n; i++) {
		col += put_byte(o, (unsigned char)s[i]);
		if (col >= 72 && i + 1 < n) {
			fprintf(o, "\"\n\t\"");
			col = 0;
		}
	}
	fprintf(o, "\";\n");
}

static int emit(FILE *o, size_t k, const char *name, const gv_file *f)
{
	flat F;
	uint32_t *docs = gv_xcalloc(f->ndocs ? f->ndocs : 1, sizeof(uint32_t));
	size_t i;

	memset(&F, 0, sizeof(F));
	for (i = 0; i < f->ndocs; i++)
		docs[i] = visit(&F, f->docs[i]);
	if (F.nnodes >= GV_EMB_NONE || F.nstrs >= GV_EMB_NONE) {
		free(docs);
		flat_release(&F);
		return -1;
	}
	fprintf(o, "\n/* file %zu */\n", k);
	put_u32s(o, "uint32_t", "docs", k, docs, f->ndocs);
	put_u32s(o, "uint32_t", "items", k, F.items, F.nitems);
	put_u32s(o, "uint32_t", "pairs", k, F.pairs, 2 * F.npairs);
	put_strs(o, k, F.strs ? F.strs : "", F.nstrs);
	fprintf(o, "static const gv_emb_node nodes%zu[] = {\n", k);
	for (i = 0; i < F.nnodes; i++) {
		const gv_emb_node *en = &F.nodes[i];
		fprintf(o, "\t{ %u, %u, %u, %u, %u, %uu, UINT64_C(0x%llx) },\n", en->kind, en->quoted,
			en->line, en->col, en->n, en->s, (unsigned long long)en->v);
	}
	if (!F.nnodes)
		fprintf(o, "\t{ 0 },\n");
	fprintf(o, "};\n");
	fprintf(o, "#define FILE%zu { \"", k);
	for (i = 0; name[i]; i++)
		put_byte(o, (unsigned char)name[i]);
	fprintf(o, "\", {");
	for (i = 0; i < 32; i++)
		fprintf(o, "%s0x%02x", i ? "," : "", f->sha256[i]);
	fprintf(o, "}, %zu, %zu, %zu, %zu, docs%zu, nodes%zu, items%zu, pairs%zu, strs%zu }\n",
		f->ndocs, F.nnodes, F.nitems, F.npairs, k, k, k, k, k);
	free(docs);
	flat_release(&F);
	return 0;
}

int main(int argc, char **argv)
{
	const char *outpath = NULL;
	FILE *o;
	size_t nemb = 0, k;
	int i;

	if (argc < 3 || strcmp(argv[1], "-o")) {
		fprintf(stderr, "usage: embed-gen -o OUT.c FILE...\n");
		return 2;
	}
	outpath = argv[2];
	if (!(o = fopen(outpath, "w"))) {
		perror(outpath);
		return 2;
	}
	fprintf(o, "/* Generated by tools/embed.c from the shipped policy and rule files;\n"
		   " * do not edit. */\n#include \"embedded.h\"\n");
	for (i = 3; i < argc; i++) {
		gv_diags d = GV_DIAGS_INIT;
		gv_file *f = NULL;

		if (gv_file_load(&f, argv[i], NULL, &d) < 0 || d.n) {
			fprintf(stderr, "embed-gen: %s not embedded (it does not load cleanly)\n", argv[i]);
			gv_diags_print(&d, stderr, 0, 0);
		} else if (emit(o, nemb, argv[i], f) < 0) {
			fprintf(stderr, "embed-gen: %s not embedded (too large)\n", argv[i]);
		} else {
			nemb++;
		}
		gv_file_free(f);
		gv_diags_release(&d);
	}
	fprintf(o, "\nconst gv_emb_file gv_embedded_files[] = {\n");
	for (k = 0; k < nemb; k++)
		fprintf(o, "\tFILE%zu,\n", k);
	if (!nemb)
		fprintf(o, "\t{ 0 },\n");
	fprintf(o, "};\nconst size_t gv_embedded_nfiles = %zu;\n", nemb);
	if (fclose(o)) {
		perror(outpath);
		return 2;
	}
	return 0;
}
