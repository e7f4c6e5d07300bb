/*
 * embedded.h: the shipped rule library and policies (the .yaml files of rules/
 * and policies/) as node trees compiled into the binary, so that loading
 * them costs no YAML parsing when the files are unchanged.
 *
 * At build time tools/embed.c loads each shipped file with gv_file_load()
 * (default limits, the same yaml_strict checks) and writes its tree as
 * static data, keyed by the SHA-256 of the file's bytes
 * ($(BUILD)/gen/embedded_data.c). At run time gv_file_load_known() still
 * reads the file: when the bytes' SHA-256 equals an embedded file's, the
 * tree is built from that data, which is the tree gv_file_load() would have
 * built from those very bytes (parsing is a function of the bytes and the
 * limits); any other bytes, an edited rule included, are parsed as usual.
 * The digest, not the path, decides, so an attacker who can edit the files
 * gets exactly what parsing the edit gives.
 *
 * Ownership: the built gv_file is an ordinary one (its own arena holds the
 * path, nodes, pairs and item arrays, freed by gv_file_free()); only the
 * scalar texts point into the static, read-only string pool, which nothing
 * frees or writes.
 */
#ifndef GV_EMBEDDED_H
#define GV_EMBEDDED_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "node.h"

#define GV_EMB_NONE UINT32_MAX

/* One node: indices instead of pointers, so the data needs no relocation. */
typedef struct gv_emb_node {
	uint8_t kind, quoted;
	uint32_t line, col, n;
	uint32_t s;      /* offset of the text in the file's pool; GV_EMB_NONE for NULL */
	uint64_t v;      /* BOOL 0/1, INT the bits of int64_t, FLOAT the bits of the
			  * double, SEQ first item, MAP first pair (key index, value index) */
} gv_emb_node;

typedef struct gv_emb_file {
	const char *name;              /* the file it was made from, relative to the source tree */
	unsigned char sha256[32];
	uint32_t ndocs, nnodes, nitems, npairs;
	const uint32_t *docs;          /* node index of each document's root */
	const gv_emb_node *nodes;
	const uint32_t *items;         /* node indices */
	const uint32_t *pairs;         /* key index, value index, ... */
	const char *strs;              /* texts, each NUL-terminated */
} gv_emb_file;

/* The generated table (tools/embed.c). */
extern const gv_emb_file gv_embedded_files[];
extern const size_t gv_embedded_nfiles;

/* The embedded file whose bytes have this SHA-256, or NULL. */
const gv_emb_file *gv_embedded_find(const unsigned char sha256[32]);
/* A gv_file holding e's tree, named path (for messages), with e's digest. */
gv_file *gv_embedded_file(const gv_emb_file *e, const char *path);

/*
 * gv_file_load(path, default limits) for the policy and rule files: the
 * same errors and the same tree, taken from the embedded data when the
 * bytes read are those of a shipped file.
 */
int gv_file_load_known(gv_file **out, const char *path, gv_diags *d);
/* The same for bytes already in memory. */
int gv_file_load_known_mem(gv_file **out, const char *path, const void *data, size_t len,
			   gv_diags *d);

#endif
