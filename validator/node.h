/*
 * node.h: the document tree every input becomes (manifests, facts, policies,
 * reports handed in for verification), with the source position of each node.
 *
 * Ownership: a gv_file owns one arena holding every node, string and the
 * path; everything reachable from it is borrowed and lives until
 * gv_file_free(). Trees never change after loading. Aliases share the
 * anchored node, so a tree may be a DAG (bounded, see gv_limits).
 *
 * Scalars keep their text in `s` (decoded, NUL-terminated, length in `n`)
 * whatever their kind, so messages can show a value as written.
 */
#ifndef GV_NODE_H
#define GV_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

typedef enum {
	GV_NODE_NULL, GV_NODE_BOOL, GV_NODE_INT, GV_NODE_FLOAT, GV_NODE_STR,
	GV_NODE_SEQ, GV_NODE_MAP
} gv_node_kind;

typedef struct gv_node gv_node;
typedef struct gv_pair { gv_node *key, *val; } gv_pair;

struct gv_node {
	uint8_t kind;        /* gv_node_kind */
	uint8_t quoted;      /* scalar was quoted (or tagged !!str) */
	uint32_t line, col;  /* 1-based, characters; where the node starts */
	uint32_t n;          /* string length, or number of items / pairs */
	const char *s;       /* scalar text; NULL for collections */
	union {
		bool b;
		int64_t i;
		double f;
		gv_node **items; /* GV_NODE_SEQ */
		gv_pair *pairs;  /* GV_NODE_MAP, in source order, keys unique */
	} u;
};

/* Bounds applied while loading untrusted input; 0 means the default. */
typedef struct gv_limits {
	size_t max_bytes;       /* file size; default 16 MiB */
	uint32_t max_depth;     /* nesting; default 64 */
	size_t max_nodes;       /* nodes built, per file; default 2,000,000 */
	size_t max_alias_nodes; /* nodes reachable through aliases; default 100,000 */
	uint32_t max_docs;      /* documents per file; default 10,000 */
} gv_limits;

typedef struct gv_arena gv_arena;

/* One input file, possibly with several YAML documents. */
typedef struct gv_file {
	char *path;            /* as given ("-" for standard input) */
	gv_node **docs;        /* roots, one per document */
	size_t ndocs;
	unsigned char sha256[32];  /* of the bytes read */
	gv_arena *arena;
} gv_file;

/*
 * Loads YAML (and so JSON) from path ("-" for standard input). Every error
 * is reported to d with file:line:col and the function returns GV_EPARSE,
 * GV_ELIMIT or GV_EIO; *out is set only on success. Rejected: invalid
 * UTF-8, duplicate mapping keys, non-scalar keys, nesting, size, node and
 * alias-expansion limits. Scalars resolve by the YAML 1.2 core schema
 * (see docs/POLICY.md).
 */
int gv_file_load(gv_file **out, const char *path, const gv_limits *lim, gv_diags *d);
/* The same from memory; `path` is only used for messages. */
int gv_file_load_mem(gv_file **out, const char *path, const void *data, size_t len,
		     const gv_limits *lim, gv_diags *d);
void gv_file_free(gv_file *f);

/* Map lookup by key text; NULL if absent or not a map. Borrowed. */
const gv_node *gv_node_get(const gv_node *map, const char *key);
/* The string at key (NULL when absent or not a string). */
const char *gv_node_get_str(const gv_node *map, const char *key);
/* The non-negative integer at key: 0, or -1 when absent, not one, or over 2^64 - 1. */
int gv_node_get_u64(const gv_node *map, const char *key, uint64_t *out);
const gv_pair *gv_node_get_pair(const gv_node *map, const char *key, size_t keylen);
static inline bool gv_node_is_scalar(const gv_node *n)
{
	return n->kind <= GV_NODE_STR;
}
const char *gv_node_kind_name(int kind);
/* The same with its article, for messages: "an integer", "a list", "null". */
const char *gv_node_kind_a(int kind);
/* Numeric value of an INT or FLOAT node. */
double gv_node_num(const gv_node *n);
gv_loc gv_node_loc(const gv_file *f, const gv_node *n);

#endif
