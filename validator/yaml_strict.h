/*
 * yaml_strict.h: what yaml_load.c adds to libyaml, private to it (this is
 * the one header besides yaml_load.c that sees libyaml's types).
 *
 * - Cheap checks that reject documents the YAML 1.2 spec forbids but
 *   libyaml 0.2.5 accepts (docs/YAML.md lists them with the yaml-test-suite
 *   cases they settle).
 * - Hints under libyaml's own messages for the usual mistakes: a tab in the
 *   indentation, an unquoted `[` (a path's `[*]`) inside `{...}`.
 */
#ifndef GV_YAML_STRICT_H
#define GV_YAML_STRICT_H

#include <stddef.h>
#include <yaml.h>

#include "diag.h"

typedef struct gv_yaml_strict_frame {
	unsigned char flow;   /* a flow collection */
	size_t line, col;     /* 0-based, where it starts */
	size_t index;         /* byte offset of the start */
} gv_yaml_strict_frame;

typedef struct gv_yaml_strict {
	const char *path;
	const unsigned char *data;
	size_t len;
	size_t *line_off;         /* byte offset of each line, built when first needed */
	size_t nlines;
	size_t cur_line, cur_col, cur_off;  /* the last position offset_of() found */
	int ascii;                /* every byte < 0x80: a mark's index is its byte offset */
	gv_yaml_strict_frame *stack;
	size_t depth, alloc;
	int docs;                 /* documents started */
	int last_end_implicit;    /* the last document ended without '...' */
} gv_yaml_strict;

void gv_yaml_strict_init(gv_yaml_strict *s, const char *path, const void *data, size_t len);
void gv_yaml_strict_release(gv_yaml_strict *s);

/*
 * Checks one event (called for each event libyaml returns, in order).
 * Returns GV_OK, or GV_EPARSE with an error reported to d.
 */
int gv_yaml_strict_event(gv_yaml_strict *s, const yaml_event_t *ev, gv_diags *d);

/*
 * After libyaml reported an error on a line (0-based): adds a note with a
 * hint to d when the line shows a common mistake; 1 when it did.
 */
int gv_yaml_strict_hint(gv_yaml_strict *s, size_t line, gv_diags *d);

#endif
