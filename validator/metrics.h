/*
 * metrics.h: Prometheus metrics derived from the audit log (the source of
 * truth) and the replicas kept by sync (sync_store.h), in the text
 * exposition format, version 0.0.4. docs/METRICS.md lists every metric.
 *
 * Nothing is counted anywhere else: each render reads the log again, so the
 * numbers are what an auditor would count from the entries themselves.
 *
 * Returns: GV_OK, GV_ESIG when the log or a replica does not verify, or a
 * negative GV_E* code from reading the database (with detail in the
 * diags); `out` then holds nothing useful.
 */
#ifndef GV_METRICS_H
#define GV_METRICS_H

#include "audit.h"
#include "buf.h"
#include "diag.h"
#include "sync.h"

#define GV_METRICS_TEXTFILE "govgate.prom"  /* the file --textfile DIR writes */
#define GV_METRICS_MAX_VIOLATION_SERIES 256 /* distinct {enforcement,severity} pairs */

/* The sync_latency_seconds buckets (upper bounds, seconds); +Inf follows. */
extern const double gv_metrics_latency_buckets[];
extern const size_t gv_metrics_latency_nbuckets;

/*
 * Appends the whole exposition to out. The log is verified first under
 * keys->log_pub (required): GV_ESIG when it is tampered or has no checkpoint
 * signed by that key; then only the entries its checkpoints cover are
 * counted (the rest are reported as govgate_audit_unverified_entries), and
 * replicas count only once they verify under keys (gv_sync_keys).
 */
int gv_metrics_render(gv_buf *out, gv_audit *a, const gv_sync_keys *keys, gv_diags *d);

#endif
