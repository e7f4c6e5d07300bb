/*
 * node_stub.c: TEMPORARY weak definitions of the node.h accessors, so that
 * json_parse.c links and is tested before node.c lands on main. node.c's
 * strong definitions win at link time; delete this file once node.c is
 * merged.
 *
 * Layout assumed (node.h): the gv_file struct is malloc'd; its path, docs
 * array and every node live in f->arena.
 */
#include "alloc.h"
#include "node.h"

#include <stdlib.h>
#include <string.h>

#define WEAK __attribute__((weak))

WEAK void gv_file_free(gv_file *f)
{
	if (!f)
		return;
	gv_arena_free(f->arena);
	free(f);
}

WEAK const gv_pair *gv_node_get_pair(const gv_node *map, const char *key, size_t keylen)
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

WEAK const gv_node *gv_node_get(const gv_node *map, const char *key)
{
	const gv_pair *p = gv_node_get_pair(map, key, strlen(key));
	return p ? p->val : NULL;
}

WEAK const char *gv_node_kind_name(int kind)
{
	static const char *names[] = { "null", "boolean", "integer", "number", "string",
				       "sequence", "mapping" };
	return kind >= 0 && kind < (int)(sizeof(names) / sizeof(names[0])) ? names[kind] : "?";
}

WEAK double gv_node_num(const gv_node *n)
{
	return n->kind == GV_NODE_INT ? (double)n->u.i : n->kind == GV_NODE_FLOAT ? n->u.f : 0;
}

WEAK gv_loc gv_node_loc(const gv_file *f, const gv_node *n)
{
	gv_loc loc = { f->path, n->line, n->col };
	return loc;
}
