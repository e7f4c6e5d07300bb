/*
 * json_parse.h: a strict RFC 8259 JSON parser for untrusted input (signed
 * reports handed to `govgate verify`, exported logs), producing the same
 * gv_file / gv_node tree as the YAML loader (see node.h).
 *
 * Strict means: exactly one value, surrounded by optional whitespace (a
 * leading UTF-8 byte order mark is skipped); valid UTF-8 everywhere; no
 * duplicate object keys; no lone surrogates in \u escapes; no \u0000 (so
 * every decoded string is a safe C string); no NaN, Infinity, comments,
 * trailing commas or leading zeros; numbers must fit a double.
 *
 * Numbers become GV_NODE_INT when written without fraction or exponent and
 * within int64, GV_NODE_FLOAT otherwise. Every scalar keeps its text in `s`
 * (decoded for strings, as written for numbers, true, false and null).
 * Strings, keys included, have `quoted` set. Lines and columns are 1-based
 * and count characters.
 */
#ifndef GV_JSON_PARSE_H
#define GV_JSON_PARSE_H

#include <stddef.h>

#include "diag.h"
#include "node.h"

/*
 * Parses len bytes of data as one JSON document into *out (one doc in
 * (*out)->docs[0]; sha256 is of the bytes given). `path` is only used for
 * messages and copied into the file. Limits: max_bytes, max_depth and
 * max_nodes of lim (NULL or 0 fields mean the defaults of node.h).
 *
 * Returns GV_OK; GV_EPARSE for malformed input or GV_ELIMIT for input
 * over a limit, with one error diagnostic naming path:line:col. *out is
 * set only on success; free it with gv_file_free().
 */
int gv_json_parse(gv_file **out, const char *path, const void *data, size_t len,
		  const gv_limits *lim, gv_diags *d);

#endif
