/*
 * ledger.h: operations on a whole log, across backends (store.h): copying
 * a log from one database to another, row for row.
 *
 * Returns: GV_OK or a negative GV_E* code with the detail in the diags.
 */
#ifndef GV_LEDGER_H
#define GV_LEDGER_H

#include <stdint.h>

#include "audit.h"

typedef struct gv_ledger_copied {
	uint64_t entries, nodes, checkpoints, replica_rows;
} gv_ledger_copied;

/*
 * Copies every row of the log `from` into the log `to` (which must hold no
 * entry, checkpoint or replica yet: GV_ERROR otherwise): entries, the tree
 * cache, checkpoints and the replica tables, in one read transaction on the
 * source and one write transaction on the destination, so the copy is all
 * or nothing. The rows are copied as stored (a copy of a tampered log is
 * just as tampered); `audit verify` on the copy checks it.
 */
int gv_ledger_copy(gv_audit *from, gv_audit *to, gv_ledger_copied *n, gv_diags *d);

#endif
