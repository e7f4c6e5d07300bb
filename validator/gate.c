#include "gate.h"
#include "alloc.h"
#include "governance.h"
#include "gv.h"
#include "rx.h"
#include "waiver.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int gv_decision_exit(int decision)
{
	switch (decision) {
	case GV_ENF_BLOCK:
	case GV_ENF_HALT:
		return GV_EXIT_DENY;
	case GV_ENF_ESCALATE:
		return GV_EXIT_ESCALATE;
	default:
		return GV_EXIT_ALLOW;
	}
}

typedef struct shared {
	const gv_program *prog;
	const gv_facts *cloud, *onprem;
	const gv_gate_opts *o;
	gv_run *run;
	gv_rx_budget *budget;        /* the run's, shared by the workers */
	atomic_size_t next;
	pthread_mutex_t lock;        /* guards done, next_emit and run's counts */
	unsigned char *done;
	size_t next_emit;
} shared;

static void release_docs(gv_file_result *fr)
{
	uint32_t k;

	for (k = 0; k < fr->ndocs; k++)
		gv_result_release(&fr->docs[k].r);
	free(fr->docs);
	fr->docs = NULL;
	fr->ndocs = 0;
}

/* Adds file i to the run's counts, then hands it to the emitter. */
static void account(shared *sh, size_t i)
{
	gv_run *run = sh->run;
	gv_file_result *fr = &run->files[i];
	uint32_t k, m;

	if (fr->diags.nerrors)
		run->input_errors++;
	if (sh->o->gov)
		gv_governance_apply(sh->o->gov, sh->prog, fr);
	for (k = 0; k < fr->ndocs; k++) {
		gv_result *r = &fr->docs[k].r;
		fr->docs[k].file = (uint32_t)i;
		gv_waivers_apply(sh->o->waivers, r);
		run->ndocs++;
		if (!r->policies_applied)
			run->not_applicable++;
		run->rules_evaluated += r->rules_evaluated;
		run->nfindings += r->nfindings;
		fr->nfindings += (uint32_t)r->nfindings;
		for (m = 0; m < r->nfindings; m++)
			if (r->findings[m].waiver)
				run->nwaived++;
			else
				run->by_enf[r->findings[m].enforcement]++;
		if (r->decision > run->decision)
			run->decision = r->decision;
	}
	if (sh->o->emit)
		sh->o->emit(sh->o->emit_arg, run, i);
	if (sh->o->release)
		release_docs(fr);
}

static void finished(shared *sh, size_t i)
{
	pthread_mutex_lock(&sh->lock);
	sh->done[i] = 1;
	while (sh->next_emit < sh->run->nfiles && sh->done[sh->next_emit])
		account(sh, sh->next_emit++);
	pthread_mutex_unlock(&sh->lock);
}

static void check_file(gv_evaluator *ev, const shared *sh, gv_file_result *fr)
{
	gv_file *f = NULL;
	uint32_t i;

	if (gv_file_load(&f, fr->path, &sh->o->limits, &fr->diags) < 0)
		return;
	memcpy(fr->sha256, f->sha256, 32);
	if (!f->ndocs) {
		gv_error(&fr->diags, "GV-M001", f->path, "manifest is empty");
		goto out;
	}
	for (i = 0; i < f->ndocs; i++) {
		const gv_node *root = f->docs[i];
		if (root->kind != GV_NODE_MAP) {
			gv_diag_at(&fr->diags, GV_SEV_ERROR, "GV-M002", gv_node_loc(f, root),
				   root->kind == GV_NODE_NULL ? "manifest document %u is empty" :
				   "manifest document %u is %s, not a mapping", i + 1,
				   gv_node_kind_a(root->kind));
			goto out;
		}
	}
	fr->docs = gv_xcalloc(f->ndocs, sizeof(gv_doc_result));
	fr->ndocs = (uint32_t)f->ndocs;
	for (i = 0; i < f->ndocs; i++) {
		gv_doc_result *dr = &fr->docs[i];
		dr->doc = i;
		gv_eval_doc(ev, &dr->r, f, i);
		/* an input error, unless the whole run evaluated nothing and
		 * --allow-empty accepts that (decided in gv_gate_run) */
		if (!dr->r.policies_applied)
			gv_diag_at(&fr->diags, GV_SEV_ERROR, "GV-M003", gv_node_loc(f, f->docs[i]),
				   "no policy applies to this manifest");
	}
	fr->ok = true;
out:
	gv_file_free(f);
}

static void *worker(void *arg)
{
	shared *sh = arg;
	gv_evaluator *ev = gv_evaluator_new(sh->prog, sh->cloud, sh->onprem, sh->budget);
	size_t i;

	while ((i = atomic_fetch_add(&sh->next, 1)) < sh->run->nfiles) {
		/* with the budget used up the run fails: evaluate no more */
		if (!gv_rx_budget_exhausted(sh->budget))
			check_file(ev, sh, &sh->run->files[i]);
		finished(sh, i);
	}
	gv_evaluator_free(ev);
	return NULL;
}

void gv_gate_run(gv_run *run, const gv_program *prog, const gv_facts *cloud,
		 const gv_facts *onprem, const gv_gate_opts *o, gv_diags *d)
{
	shared sh;
	pthread_t *th;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t jobs = o->jobs > 0 ? (size_t)o->jobs : (size_t)(ncpu > 0 ? ncpu : 1);
	size_t i, started = 0;

	memset(run, 0, sizeof(*run));
	run->gov = o->gov;
	memset(&sh, 0, sizeof(sh));
	sh.prog = prog;
	sh.cloud = cloud;
	sh.onprem = onprem;
	sh.o = o;
	sh.run = run;
	sh.budget = gv_rx_budget_new(o->regex_budget ? o->regex_budget : GV_RX_BUDGET_DEFAULT);
	atomic_init(&sh.next, 0);
	pthread_mutex_init(&sh.lock, NULL);
	run->nfiles = o->nmanifests;
	run->waivers = o->waivers;
	gv_waivers_reset(o->waivers);
	run->bundles = o->bundles;
	sh.done = gv_xcalloc(run->nfiles ? run->nfiles : 1, 1);
	run->files = gv_xcalloc(run->nfiles ? run->nfiles : 1, sizeof(gv_file_result));
	for (i = 0; i < run->nfiles; i++)
		run->files[i].path = o->manifests[i];
	if (jobs > run->nfiles)
		jobs = run->nfiles ? run->nfiles : 1;
	if (jobs <= 1) {
		worker(&sh);
	} else {
		th = gv_xcalloc(jobs, sizeof(*th));
		for (i = 0; i < jobs; i++)
			if (pthread_create(&th[i], NULL, worker, &sh) == 0)
				started++;
		if (!started)
			worker(&sh);
		for (i = 0; i < started; i++)
			pthread_join(th[i], NULL);
		free(th);
	}
	pthread_mutex_destroy(&sh.lock);
	free(sh.done);
	run->regex_steps = gv_rx_budget_used(sh.budget);
	run->regex_budget_exhausted = gv_rx_budget_exhausted(sh.budget);
	/* --allow-empty accepts a run that evaluated nothing at all: its
	 * manifests no policy applies to are then not errors (still reported
	 * as not_applicable); in any other run they are */
	if (o->allow_empty && !run->rules_evaluated && !run->regex_budget_exhausted) {
		run->input_errors = o->prior_errors;
		for (i = 0; i < run->nfiles; i++) {
			gv_diags_drop(&run->files[i].diags, "GV-M003");
			if (run->files[i].diags.nerrors)
				run->input_errors++;
		}
	}
	/* after the budget ran out, which files were evaluated (and so which
	 * problems were found) depends on the threads: report only that */
	for (i = 0; i < run->nfiles; i++)
		if (!run->regex_budget_exhausted)
			gv_diags_move(d, &run->files[i].diags);
	if (run->regex_budget_exhausted) {
		gv_gate_budget_error(d, sh.budget);
		run->input_errors = 1;   /* the only one reported */
	}
	gv_rx_budget_free(sh.budget);
	if (!run->regex_budget_exhausted && !(o->allow_empty && !run->rules_evaluated))
		run->input_errors += o->prior_errors;
	if (!run->input_errors && !run->rules_evaluated && !o->allow_empty) {
		gv_error(d, "GV-M004", NULL,
			 "no rule was evaluated: nothing was checked (use --allow-empty to accept)");
		run->input_errors++;
	}
}

int gv_gate_budget_error(gv_diags *d, const gv_rx_budget *b)
{
	gv_error(d, "GV-M005", NULL,
		 "the regex budget of the run is used up: regular expressions needed more than "
		 "%llu steps (--regex-budget, a plan's regex_budget); the run was stopped and "
		 "nothing is reported",
		 (unsigned long long)gv_rx_budget_limit(b));
	return GV_EBUDGET;
}

void gv_run_release(gv_run *run)
{
	size_t i;

	for (i = 0; i < run->nfiles; i++) {
		release_docs(&run->files[i]);
		gv_diags_release(&run->files[i].diags);
	}
	free(run->files);
	memset(run, 0, sizeof(*run));
}
