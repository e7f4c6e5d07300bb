/*
 * gate.h: a whole `check` run: manifests loaded and evaluated in parallel
 * (one worker per job, each with its own evaluator), results handed to the
 * caller in input order, and the run's decision. Each manifest file is freed
 * as soon as it has been evaluated, and with `release` its results too once
 * handed over, so memory is bounded by the documents in flight, not by the
 * number of files.
 */
#ifndef GV_GATE_H
#define GV_GATE_H

#include <stdbool.h>

#include "eval.h"

typedef struct gv_run gv_run;

typedef struct gv_gate_opts {
	const char *const *manifests;  /* paths ("-" is standard input); must outlive the run */
	size_t nmanifests;
	int jobs;                      /* 0: one per online core */
	gv_limits limits;
	bool allow_empty;              /* a run that checked nothing is not an error */
	size_t prior_errors;           /* input errors found before the run (folders),
					* already in d; counted in input_errors */
	uint64_t regex_budget;         /* the run's regex work in PCRE2 steps (rx.h);
					* 0: GV_RX_BUDGET_DEFAULT */
	/*
	 * Called for each file, in input order, as soon as it and every file
	 * before it are done (serialised; counts in run are up to date). With
	 * release, the file's results are freed right after, so memory stays
	 * bounded by the documents in flight, not by the number of files.
	 */
	void (*emit)(void *arg, const gv_run *run, size_t index);
	void *emit_arg;
	bool release;
	struct gv_waivers *waivers;    /* applied to each result before it is counted
					* (waiver.h); NULL: none */
	const struct gv_bundles *bundles;  /* the policy bundles that admitted the
					* policies (bundle.h), for the report; NULL: none */
	/*
	 * Optional: where the paths come from instead of manifests, one per
	 * call, NULL at the end; called one at a time, in order, while the run
	 * is on. The run keeps its own copy of each path. With release, the run
	 * then keeps no per-file memory at all: only a window of
	 * GV_GATE_WINDOW files in flight. Diagnostics the source adds to
	 * late_errors (folders in a long list) count as prior errors and are
	 * reported before those of the files.
	 */
	const char *(*next)(void *arg);
	void *next_arg;
	gv_diags *late_errors;
	/* approvals judged per file before it is counted (governance.h); NULL: none */
	struct gv_governance *gov;
} gv_gate_opts;

/* Files in flight at most when results are released (bounds the memory). */
#define GV_GATE_WINDOW 1024

typedef struct gv_doc_result {
	uint32_t file;                 /* index into gv_run.files */
	uint32_t doc;
	gv_result r;
} gv_doc_result;

typedef struct gv_file_result {
	const char *path;              /* borrowed from gv_gate_opts.manifests */
	unsigned char sha256[32];
	bool ok;                       /* loaded and evaluated (even if no policy applied) */
	gv_doc_result *docs;
	uint32_t ndocs;
	uint32_t nfindings;            /* over its documents; kept after release */
	gv_diags diags;
} gv_file_result;

struct gv_run {
	gv_file_result *files;         /* nslots of them: see gv_run_file() */
	size_t nfiles;
	size_t nslots;                 /* nfiles, or a window when results are released */
	bool own_paths;                /* the files' paths are copies (gv_gate_opts.next) */
	size_t ndocs, nfindings, rules_evaluated;
	size_t not_applicable;         /* documents no policy applies to */
	size_t by_enf[GV_ENF_BLOCK + 1];   /* findings per enforcement */
	uint8_t decision;
	size_t input_errors;
	uint64_t regex_steps;          /* charged to the regex budget (rx.c) */
	bool regex_budget_exhausted;   /* then an input error: GV-M005 */
	size_t nwaived;                /* findings a waiver covers (not in by_enf) */
	const struct gv_waivers *waivers;     /* gv_gate_opts' */
	const struct gv_bundles *bundles;
	const struct gv_governance *gov;   /* gv_gate_opts.gov, for the reports */
};

/*
 * Evaluates every manifest. Input problems (unreadable or malformed
 * manifests, a manifest no policy applies to, no rule evaluated, a run whose
 * regular expressions used up the regex budget) are reported to d in input
 * order and counted in run->input_errors (files with an error); the caller
 * turns them into exit code 2. A bad file does not stop the run: the others
 * are evaluated and handed over as usual. A document no policy applies to
 * is handed over with policies_applied 0 (reported as not_applicable) and is
 * an error, unless allow_empty is set and no rule was evaluated in the whole
 * run.
 *
 * The regex budget is shared by every worker. Once it is used up, no
 * further file is evaluated and the run ends with GV-M005: which values
 * were left unchecked would depend on the threads, the verdict does not
 * (see rx.c), so the run reports no partial result.
 */
void gv_gate_run(gv_run *run, const gv_program *prog, const gv_facts *cloud,
		 const gv_facts *onprem, const gv_gate_opts *o, gv_diags *d);
void gv_run_release(gv_run *run);

/* File i's results. When results are released, the run holds only a window
 * of files: file i is valid while it is being handed over (emit). */
static inline const gv_file_result *gv_run_file(const gv_run *run, size_t i)
{
	return &run->files[run->nslots ? i % run->nslots : i];
}

struct gv_rx_budget;
/* Reports GV-M005 (the run's regex budget is used up) to d; GV_EBUDGET. */
int gv_gate_budget_error(gv_diags *d, const struct gv_rx_budget *b);

/* The exit code of a decision: 0 allow/info/warn, 1 block/halt, 3 escalate. */
int gv_decision_exit(int decision);

#endif
