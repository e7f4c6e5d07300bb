/*
 * evidence.h: what a `check` (or `deploy`) run leaves behind for auditors:
 * events appended to the audit log (one `governance.validated` per manifest
 * document, `report.signed` when a report is signed), a signed checkpoint,
 * the signed compliance report (a DSSE envelope around an in-toto
 * Statement), the plain report with a minisign signature, and deployment
 * receipts. docs/EVIDENCE.md describes every format.
 *
 * Order matters and is fixed: events first, then the checkpoint covering
 * them, then the report that names that checkpoint, then `report.signed`
 * and a checkpoint covering it, then the receipts (deployment.receipt
 * entries) and a last checkpoint, so that a run with a log key leaves no
 * unsigned tail. Every file is written atomically; a failure
 * leaves no partial file, and the log stays a valid chain whatever happens
 * (each append is one transaction).
 *
 * A failed run records nothing that claims success: every output is
 * checked before the first event (a problem there records nothing at
 * all), and a failure after the first event appends `governance.run_failed`
 * naming what failed, with a checkpoint over it.
 */
#ifndef GV_EVIDENCE_H
#define GV_EVIDENCE_H

#include <stdint.h>

#include "audit.h"
#include "buf.h"
#include "report.h"
#include "sign.h"

typedef struct gv_evidence_opts {
	const gv_key *sign_key;      /* signs the report, the receipt, the minisign file */
	const char *report_path;     /* DSSE envelope; NULL: none */
	const char *minisign_path;   /* plain JSON report + .minisig; NULL: none */
	const char *receipt_path;    /* signed receipt of the run's one deployment */
	gv_audit *db;                /* NULL: no audit log */
	const gv_key *log_key;       /* signs checkpoints; NULL: none */
	const char *origin;          /* checkpoint origin (the note's key name) */
	const char *actor;
	const char *started_at;      /* RFC 3339 UTC */
	const char *status;          /* receipt status; NULL: from the decision */
	const char *const *steps_run;/* deploy: the steps that ran */
	size_t nsteps;
	int no_receipt;              /* the caller records the receipt itself (deploy) */
} gv_evidence_opts;

typedef struct gv_evidence_out {
	uint64_t first_seq, last_seq;  /* entries appended (when db) */
	uint64_t checkpoint_size;      /* 0: no checkpoint signed */
	unsigned char report_sha256[32];
	int report_written;
	int appended;                  /* the log got at least one entry */
} gv_evidence_out;

/*
 * Writes the evidence of a finished run. report_json is exactly what
 * `-f json` prints for it (compact, ending in "}\n").
 */
int gv_evidence_write(gv_evidence_out *out, const gv_run *run, const gv_report_meta *m,
		      const gv_buf *report_json, const gv_evidence_opts *o, gv_diags *d);

/*
 * Signs receipt JSON json, recorded in db as entry seq, to path (the
 * envelope is also left in env). With db and log_key the log is first
 * checkpointed so that the entry is covered, and the envelope carries the
 * entry's inclusion proof against that checkpoint ("log_proof"), which
 * `govgate verify --log-pub` checks offline; otherwise it is signed alone.
 */
int gv_evidence_sign_receipt(gv_audit *db, const gv_key *log_key, const char *origin,
			    uint64_t seq, const char *json, size_t len, const char *manifest,
			    const unsigned char manifest_sha256[32], const gv_key *sign_key,
			    const char *path, gv_buf *env, gv_diags *d);

/*
 * Checks, writing nothing, that every file o asks for (report, minisign
 * file and its .minisig, receipt) can be written (gv_atomic_check); reports
 * every problem. gv_evidence_write calls it before its first event;
 * commands call it sooner, before they evaluate anything.
 */
int gv_evidence_check_outputs(const gv_evidence_opts *o, gv_diags *d);

/*
 * Records that a run failed after its events were appended (out->appended):
 * one `governance.run_failed` entry and, with a log key, a checkpoint over
 * it. stage names what failed ("log", "checkpoint", "report", "minisign",
 * "receipt", or the caller's "output"), file the file (NULL: none); the
 * error is the last one in d. gv_evidence_write does this for its own
 * failures; a caller whose later output fails calls it. Does nothing when
 * nothing was appended; returns the append's result.
 */
int gv_evidence_record_failure(const gv_run *run, const gv_evidence_opts *o,
			       const gv_evidence_out *out, const char *stage, const char *file,
			       gv_diags *d);

/* The receipt status of a decision: validated, blocked, halted, escalated. */
const char *gv_evidence_status(int decision);

#endif
