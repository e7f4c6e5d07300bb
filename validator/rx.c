#include "rx.h"
#include "alloc.h"
#include "gv.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/*
 * The run's budget, and how a match is charged.
 *
 * PCRE2 says how much work a match did only when it hit its limit: a match
 * that ends (match or no match) reports nothing. So a match is first tried
 * with a small limit (GV_RX_FIRST_LIMIT steps) and, each time it hits it,
 * again from the start with sixteen times more, up to the per-match limit
 * (16, 256, 4096, 65536, then 1000000). The run is charged the limit of
 * every attempt. That is:
 *
 * - an upper bound on the work done: an attempt that hit its limit did
 *   exactly that much, one that ended did no more;
 * - close enough: a match that needs more than 16 steps is charged at most
 *   sixteen times what it needed, plus a fifteenth for the earlier
 *   attempts, and ordinary patterns end within the first 16 steps (PCRE2
 *   does not count the scan for a literal or a first character);
 * - deterministic: it depends only on the pattern and the subject, never on
 *   threads, timing or the machine. Whether a run goes over its budget is
 *   then decided by its inputs alone, whatever -j: every match is charged
 *   the same in any order, and once the sum is over the budget it stays
 *   over.
 *
 * A CPU-time budget (CLOCK_THREAD_CPUTIME_ID summed over the threads)
 * measures time more directly, but the same inputs could pass on one run or
 * machine and fail on the next, which a gate must not do; and reading the
 * clock around every match would cost more than most matches.
 *
 * The retries make a match that hits the per-match limit do 7% more work
 * than one attempt at the full limit (1069904 steps instead of 1000000);
 * a ratio of four between attempts would charge closer to the work but
 * cost 35% more there.
 */
struct gv_rx_budget {
	_Atomic uint64_t used;
	uint64_t limit;
};

/*
 * The JIT compiles a pattern when it is first matched, not when the policy
 * is loaded: a run over one manifest matches a few of the policies'
 * patterns, and JIT compiling all of them was a sixth of its work. Every
 * match still runs the JIT code when the JIT is available (the first one
 * waits for it), so what a match is charged never depends on which thread
 * or match came first.
 */
enum { RX_JIT_UNTRIED, RX_JIT_ON, RX_JIT_OFF };

struct gv_rx {
	pcre2_code *code;
	_Atomic int jit;        /* RX_JIT_*: set once, under jit_lock */
};

static pthread_mutex_t jit_lock = PTHREAD_MUTEX_INITIALIZER;

static int rx_jit(const gv_rx *crx)
{
	gv_rx *rx = (gv_rx *)crx;   /* only the JIT state changes, once */
	int st = atomic_load_explicit(&rx->jit, memory_order_acquire);

	if (st != RX_JIT_UNTRIED)
		return st == RX_JIT_ON;
	pthread_mutex_lock(&jit_lock);
	st = atomic_load_explicit(&rx->jit, memory_order_relaxed);
	if (st == RX_JIT_UNTRIED) {
		st = pcre2_jit_compile(rx->code, PCRE2_JIT_COMPLETE) == 0 ? RX_JIT_ON : RX_JIT_OFF;
		atomic_store_explicit(&rx->jit, st, memory_order_release);
	}
	pthread_mutex_unlock(&jit_lock);
	return st == RX_JIT_ON;
}

struct gv_rx_scratch {
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
	gv_rx_budget *budget;   /* NULL: none */
};

gv_rx_budget *gv_rx_budget_new(uint64_t steps)
{
	gv_rx_budget *b = gv_xcalloc(1, sizeof(*b));

	atomic_init(&b->used, 0);
	b->limit = steps;
	return b;
}

void gv_rx_budget_free(gv_rx_budget *b)
{
	free(b);
}

uint64_t gv_rx_budget_used(const gv_rx_budget *b)
{
	return atomic_load(&b->used);
}

uint64_t gv_rx_budget_limit(const gv_rx_budget *b)
{
	return b->limit;
}

int gv_rx_budget_exhausted(const gv_rx_budget *b)
{
	return gv_rx_budget_used(b) > b->limit;
}

int gv_rx_compile(gv_rx **out, const char *pattern, size_t len,
		  char *errbuf, size_t errlen, size_t *erroffset)
{
	int errcode = 0;
	PCRE2_SIZE off = 0;
	pcre2_code *code;
	gv_rx *rx;

	*out = NULL;
	code = pcre2_compile((PCRE2_SPTR)pattern, len, PCRE2_UTF, &errcode, &off, NULL);
	if (!code) {
		pcre2_get_error_message(errcode, (PCRE2_UCHAR *)errbuf, errlen);
		*erroffset = off;
		return GV_EPARSE;
	}
	rx = gv_xcalloc(1, sizeof(*rx));
	rx->code = code;
	atomic_init(&rx->jit, RX_JIT_UNTRIED);
	*out = rx;
	return GV_OK;
}

void gv_rx_free(gv_rx *rx)
{
	if (!rx)
		return;
	pcre2_code_free(rx->code);
	free(rx);
}

gv_rx_scratch *gv_rx_scratch_new(gv_rx_budget *budget)
{
	gv_rx_scratch *s = gv_xcalloc(1, sizeof(*s));

	s->budget = budget;
	s->md = pcre2_match_data_create(1, NULL);
	s->mc = pcre2_match_context_create(NULL);
	s->js = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
	if (!s->md || !s->mc)
		GV_BUG("pcre2 allocation failed");
	pcre2_set_match_limit(s->mc, GV_RX_MATCH_LIMIT);
	pcre2_set_depth_limit(s->mc, GV_RX_DEPTH_LIMIT);
	if (s->js)
		pcre2_jit_stack_assign(s->mc, NULL, s->js);
	return s;
}

void gv_rx_scratch_free(gv_rx_scratch *s)
{
	if (!s)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mc);
	pcre2_jit_stack_free(s->js);
	free(s);
}

int gv_rx_match(const gv_rx *rx, const char *s, size_t n, gv_rx_scratch *sc)
{
	uint32_t lim = GV_RX_FIRST_LIMIT;
	int rc;

	int jit;

	if (sc->budget && gv_rx_budget_exhausted(sc->budget))
		return GV_EBUDGET;
	jit = rx_jit(rx);
	for (;;) {
		pcre2_set_match_limit(sc->mc, lim);
		if (jit)
			rc = pcre2_jit_match(rx->code, (PCRE2_SPTR)s, n, 0, 0, sc->md, sc->mc);
		else
			rc = pcre2_match(rx->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK,
					 sc->md, sc->mc);
		/* charged whatever the result: see the top of this file */
		if (sc->budget &&
		    atomic_fetch_add(&sc->budget->used, lim) + lim > sc->budget->limit)
			return GV_EBUDGET;
		if (rc != PCRE2_ERROR_MATCHLIMIT || lim == GV_RX_MATCH_LIMIT)
			break;
		lim = lim > GV_RX_MATCH_LIMIT / 16 ? GV_RX_MATCH_LIMIT : lim * 16;
	}
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return GV_ELIMIT;
	return GV_ERROR;
}
