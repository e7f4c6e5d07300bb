/*
 * datadir.h: where the shipped files are found: the rule library (rules/)
 * and the policy pack (policies/), without flags.
 *
 * The places, in order: $GOVGATE_RULES (rules only), beside the binary
 * (BIN/../rules, a build tree or a checkout; BIN/../share/govgate/rules, an
 * install), then the data directory: $GOVGATE_DATADIR when set, else the
 * one compiled in (GV_DATADIR, `make install`'s $(PREFIX)/share/govgate).
 * The first folder that exists wins.
 *
 * Ownership: every char * returned is malloc'd; the caller frees it.
 */
#ifndef GV_DATADIR_H
#define GV_DATADIR_H

#include <stddef.h>

#include "buf.h"

/* The folder NAME ("rules" or "policies") of the first place that has it,
 * or NULL when none does. $GOVGATE_RULES is taken as given (NAME "rules"),
 * existing or not: a path the user named must fail loudly if it is wrong. */
char *gv_datadir_find(const char *name);

/* Appends to b the places gv_datadir_find(name) looks in, comma-separated,
 * for a message ("rule library not found; looked in ..."). */
void gv_datadir_looked_in(gv_buf *b, const char *name);

#endif
