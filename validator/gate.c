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

/*
 * The files of a run go through slots: file i in slot i % nslots. Without
 * release there is one slot per file and every result stays; with release
 * a window of GV_GATE_WINDOW slots is reused, a worker taking a file that
 * would overtake the oldest one not yet handed over waits for room, and
 * nothing is kept per file (the input errors are collected as files are
 * handed over), so memory does not grow with the number of files.
 */
typedef struct shared {
	const gv_program *prog;
	const gv_facts *cloud, *onprem;
	const gv_gate_opts *o;
	gv_run *run;
	gv_rx_budget *budget;        /* the run's, shared by the workers */
	pthread_mutex_t lock;        /* guards everything below and run's counts */
	pthread_cond_t room;         /* a slot was freed, or the paths ran out */
	size_t fetched;              /* files handed to workers */
	bool eof;                    /* no more paths */
	unsigned char *done;         /* per slot */
	size_t next_emit;
	gv_diags errs;               /* the files' diagnostics, in input order */
	size_t other_errors;         /* files with an error other than GV-M003 */
} shared;

static gv_file_result *slot(const gv_run *run, size_t i)
{
	return &run->files[i % run->nslots];
}

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
	gv_file_result *fr = slot(run, i);
	uint32_t k, m;
	size_t e;

	if (fr->diags.nerrors)
		run->input_errors++;
	for (e = 0; e < fr->diags.n; e++)
		if (fr->diags.v[e].sev == GV_SEV_ERROR && strcmp(fr->diags.v[e].code, "GV-M003")) {
			sh->other_errors++;
			break;
		}
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
	gv_diags_move(&sh->errs, &fr->diags);
	if (sh->o->release)
		release_docs(fr);
}

static void finished(shared *sh, size_t i)
{
	size_t before;

	pthread_mutex_lock(&sh->lock);
	sh->done[i % sh->run->nslots] = 1;
	before = sh->next_emit;
	while (sh->next_emit < sh->fetched && sh->done[sh->next_emit % sh->run->nslots]) {
		sh->done[sh->next_emit % sh->run->nslots] = 0;
		account(sh, sh->next_emit++);
	}
	if (sh->next_emit != before)
		pthread_cond_broadcast(&sh->room);
	pthread_mutex_unlock(&sh->lock);
}

static const char *source(const shared *sh, size_t i)
{
	if (sh->o->next)
		return sh->o->next(sh->o->next_arg);
	return i < sh->o->nmanifests ? sh->o->manifests[i] : NULL;
}

/* The next file for a worker, in a fresh slot; false when there is none. */
static bool fetch(shared *sh, size_t *out)
{
	gv_run *run = sh->run;
	gv_file_result *fr;
	const char *path = NULL;

	pthread_mutex_lock(&sh->lock);
	while (!sh->eof && sh->fetched >= sh->next_emit + run->nslots)
		pthread_cond_wait(&sh->room, &sh->lock);
	if (!sh->eof && !(path = source(sh, sh->fetched))) {
		sh->eof = true;
		pthread_cond_broadcast(&sh->room);
	}
	if (sh->eof) {
		pthread_mutex_unlock(&sh->lock);
		return false;
	}
	*out = sh->fetched++;
	run->nfiles = sh->fetched;
	fr = slot(run, *out);
	if (sh->o->next)   /* a source's path is copied: the slot owns it */
		free((char *)fr->path);
	memset(fr, 0, sizeof(*fr));
	fr->path = sh->o->next ? gv_xstrdup(path) : path;
	pthread_mutex_unlock(&sh->lock);
	return true;
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

	while (fetch(sh, &i)) {
		/* with the budget used up the run fails: evaluate no more */
		if (!gv_rx_budget_exhausted(sh->budget))
			check_file(ev, sh, slot(sh->run, i));
		finished(sh, i);
	}
	gv_evaluator_free(ev);
	return NULL;
}

/* Without release every result is kept: a source's paths are all taken
 * first, one slot each. */
static const char **take_all(const gv_gate_opts *o, size_t *n)
{
	const char **v = NULL, *p;
	size_t alloc = 0;

	*n = 0;
	while ((p = o->next(o->next_arg))) {
		GV_GROW(v, alloc, *n + 1);
		v[(*n)++] = gv_xstrdup(p);
	}
	return v;
}

void gv_gate_run(gv_run *run, const gv_program *prog, const gv_facts *cloud,
		 const gv_facts *onprem, const gv_gate_opts *o, gv_diags *d)
{
	shared sh;
	gv_gate_opts all;
	const char **taken = NULL;
	pthread_t *th;
	long ncpu;
	size_t jobs = 1, i, started = 0, ntaken = 0, prior = o->prior_errors;

	memset(run, 0, sizeof(*run));
	if (o->next && !o->release) {
		taken = take_all(o, &ntaken);
		all = *o;
		all.manifests = taken;
		all.nmanifests = ntaken;
		all.next = NULL;
		o = &all;
	}
	/* one file needs one thread: the cores are not even counted */
	if (o->jobs > 0)
		jobs = (size_t)o->jobs;
	else if (o->next || o->nmanifests > 1)
		jobs = (size_t)((ncpu = sysconf(_SC_NPROCESSORS_ONLN)) > 0 ? ncpu : 1);
	run->gov = o->gov;
	memset(&sh, 0, sizeof(sh));
	sh.prog = prog;
	sh.cloud = cloud;
	sh.onprem = onprem;
	sh.o = o;
	sh.run = run;
	sh.budget = gv_rx_budget_new(o->regex_budget ? o->regex_budget : GV_RX_BUDGET_DEFAULT);
	pthread_mutex_init(&sh.lock, NULL);
	pthread_cond_init(&sh.room, NULL);
	run->waivers = o->waivers;
	gv_waivers_reset(o->waivers);
	run->bundles = o->bundles;
	if (o->next) {
		run->own_paths = true;
		run->nslots = GV_GATE_WINDOW;
	} else {
		run->nslots = o->nmanifests ? o->nmanifests : 1;
		if (o->release && run->nslots > GV_GATE_WINDOW)
			run->nslots = GV_GATE_WINDOW;
		if (jobs > o->nmanifests)
			jobs = o->nmanifests ? o->nmanifests : 1;
	}
	sh.done = gv_xcalloc(run->nslots, 1);
	run->files = gv_xcalloc(run->nslots, sizeof(gv_file_result));
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
	pthread_cond_destroy(&sh.room);
	pthread_mutex_destroy(&sh.lock);
	free(sh.done);
	if (taken) {
		/* one slot per path: the slots own the copies now */
		free(taken);
		run->own_paths = true;
	}
	run->regex_steps = gv_rx_budget_used(sh.budget);
	run->regex_budget_exhausted = gv_rx_budget_exhausted(sh.budget);
	/* folders found in a list while the run was on: prior errors too, and
	 * reported before the files' */
	if (o->late_errors) {
		prior += o->late_errors->nerrors;
		run->input_errors += o->late_errors->nerrors;
		if (!run->regex_budget_exhausted)
			gv_diags_move(d, o->late_errors);
	}
	/* --allow-empty accepts a run that evaluated nothing at all: its
	 * manifests no policy applies to are then not errors (still reported
	 * as not_applicable); in any other run they are */
	if (o->allow_empty && !run->rules_evaluated && !run->regex_budget_exhausted) {
		run->input_errors = prior + sh.other_errors;
		gv_diags_drop(&sh.errs, "GV-M003");
	}
	/* after the budget ran out, which files were evaluated (and so which
	 * problems were found) depends on the threads: report only that */
	if (!run->regex_budget_exhausted)
		gv_diags_move(d, &sh.errs);
	gv_diags_release(&sh.errs);
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

	for (i = 0; i < run->nslots && run->files; i++) {
		release_docs(&run->files[i]);
		gv_diags_release(&run->files[i].diags);
		if (run->own_paths)
			free((char *)run->files[i].path);
	}
	free(run->files);
	memset(run, 0, sizeof(*run));
}
