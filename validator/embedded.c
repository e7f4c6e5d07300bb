/*
 * embedded.c: policy and rule files from the trees compiled into the binary
 * when their bytes are those of a shipped file (embedded.h says why that is
 * safe); otherwise parsed by yaml_load.c.
 */
#include "embedded.h"
#include "alloc.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"

#include <errno.h>
#include <string.h>

/* gv_file_load's default size limit (yaml_load.c) */
#define MAX_BYTES ((size_t)16 << 20)

const gv_emb_file *gv_embedded_find(const unsigned char sha256[32])
{
	size_t i;

	for (i = 0; i < gv_embedded_nfiles; i++)
		if (!memcmp(gv_embedded_files[i].sha256, sha256, 32))
			return &gv_embedded_files[i];
	return NULL;
}

gv_file *gv_embedded_file(const gv_emb_file *e, const char *path)
{
	gv_file *f = gv_xcalloc(1, sizeof(*f));
	gv_node *nodes, **items, **docs;
	gv_pair *pairs;
	uint32_t i;

	f->arena = gv_arena_new();
	f->path = gv_arena_strndup(f->arena, path, strlen(path));
	memcpy(f->sha256, e->sha256, 32);
	nodes = gv_arena_alloc(f->arena, (size_t)e->nnodes * sizeof(gv_node) + 1);
	items = gv_arena_alloc(f->arena, (size_t)e->nitems * sizeof(gv_node *) + 1);
	pairs = gv_arena_alloc(f->arena, (size_t)e->npairs * sizeof(gv_pair) + 1);
	docs = gv_arena_alloc(f->arena, (size_t)e->ndocs * sizeof(gv_node *) + 1);
	for (i = 0; i < e->nnodes; i++) {
		const gv_emb_node *en = &e->nodes[i];
		gv_node *nd = &nodes[i];

		nd->kind = en->kind;
		nd->quoted = en->quoted;
		nd->line = en->line;
		nd->col = en->col;
		nd->n = en->n;
		nd->s = en->s == GV_EMB_NONE ? NULL : e->strs + en->s;
		switch (en->kind) {
		case GV_NODE_BOOL:
			nd->u.b = en->v != 0;
			break;
		case GV_NODE_INT:
			nd->u.i = (int64_t)en->v;
			break;
		case GV_NODE_FLOAT:
			memcpy(&nd->u.f, &en->v, sizeof(double));
			break;
		case GV_NODE_SEQ:
			nd->u.items = en->n ? &items[en->v] : NULL;
			break;
		case GV_NODE_MAP:
			nd->u.pairs = en->n ? &pairs[en->v] : NULL;
			break;
		default:
			break;
		}
	}
	for (i = 0; i < e->nitems; i++)
		items[i] = &nodes[e->items[i]];
	for (i = 0; i < e->npairs; i++) {
		pairs[i].key = &nodes[e->pairs[2 * i]];
		pairs[i].val = &nodes[e->pairs[2 * i + 1]];
	}
	for (i = 0; i < e->ndocs; i++)
		docs[i] = &nodes[e->docs[i]];
	f->docs = docs;
	f->ndocs = e->ndocs;
	return f;
}

int gv_file_load_known_mem(gv_file **out, const char *path, const void *data, size_t len,
			   gv_diags *d)
{
	unsigned char sha[32];
	const gv_emb_file *e;

	*out = NULL;
	gv_sha256(sha, data, len);
	if ((e = gv_embedded_find(sha))) {
		*out = gv_embedded_file(e, path);
		return GV_OK;
	}
	return gv_file_load_mem(out, path, data, len, NULL, d);
}

/* The reading and its messages are gv_file_load's. */
int gv_file_load_known(gv_file **out, const char *path, gv_diags *d)
{
	gv_buf b = GV_BUF_INIT;
	int err;

	*out = NULL;
	err = gv_buf_read_file(&b, path, MAX_BYTES);
	if (err == GV_ELIMIT) {
		gv_error(d, "GV-Y017", path, "file is over the size limit of %zu bytes", MAX_BYTES);
	} else if (err) {
		gv_error(d, "GV-Y018", path, "cannot read file: %s", strerror(errno));
	} else {
		err = gv_file_load_known_mem(out, path, b.ptr, b.len, d);
	}
	gv_buf_release(&b);
	return err;
}
