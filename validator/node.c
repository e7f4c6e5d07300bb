/* node.c: lookups on the document tree; the tree is built by yaml_load.c. */
#include "node.h"
#include "alloc.h"

#include <stdlib.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const gv_pair *gv_node_get_pair(const gv_node *map, const char *key, size_t keylen)
{
	uint32_t i;

	if (!map || map->kind != GV_NODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++) {
		const gv_node *k = map->u.pairs[i].key;
		if (k->n == keylen && !memcmp(k->s, key, keylen))
			return &map->u.pairs[i];
	}
	return NULL;
}

const gv_node *gv_node_get(const gv_node *map, const char *key)
{
	const gv_pair *p = gv_node_get_pair(map, key, strlen(key));
	return p ? p->val : NULL;
}

const char *gv_node_get_str(const gv_node *map, const char *key)
{
	const gv_node *v = gv_node_get(map, key);
	return v && v->kind == GV_NODE_STR ? v->s : NULL;
}

int gv_node_get_u64(const gv_node *map, const char *key, uint64_t *out)
{
	const gv_node *v = gv_node_get(map, key);
	unsigned long long x;
	char *end;

	if (!v || v->kind != GV_NODE_INT || !v->s || v->s[0] < '0' || v->s[0] > '9')
		return -1;
	errno = 0;
	x = strtoull(v->s, &end, 10);
	if (errno || *end)
		return -1;
	*out = x;
	return 0;
}

const char *gv_node_kind_name(int kind)
{
	static const char *names[] = { "null", "boolean", "integer", "number",
				       "string", "list", "mapping" };
	return kind >= 0 && kind < (int)(sizeof(names) / sizeof(names[0])) ?
		names[kind] : "unknown";
}

const char *gv_node_kind_a(int kind)
{
	static const char *names[] = { "null", "a boolean", "an integer", "a number",
				       "a string", "a list", "a mapping" };
	return kind >= 0 && kind < (int)(sizeof(names) / sizeof(names[0])) ?
		names[kind] : "unknown";
}

double gv_node_num(const gv_node *n)
{
	return n->kind == GV_NODE_INT ? (double)n->u.i : n->u.f;
}

gv_loc gv_node_loc(const gv_file *f, const gv_node *n)
{
	gv_loc l = { f ? f->path : NULL, n ? n->line : 0, n ? n->col : 0 };
	return l;
}

void gv_file_free(gv_file *f)
{
	if (!f)
		return;
	gv_arena_free(f->arena);
	free(f);
}
