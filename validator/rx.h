/*
 * rx.h: regular expressions (PCRE2 with JIT). The only module that includes
 * pcre2.h. A gv_rx is immutable once compiled and may be shared by threads;
 * each thread matches with its own gv_rx_scratch (match data, JIT stack and
 * the match limits that bound the work of a hostile pattern or subject).
 *
 * Work is bounded twice: per match (GV_RX_MATCH_LIMIT steps, PCRE2's match
 * limit) and per run (a gv_rx_budget shared by every scratch of a run). The
 * unit is PCRE2's match-limit step; see rx.c for how a match is charged.
 */
#ifndef GV_RX_H
#define GV_RX_H

#include <stddef.h>
#include <stdint.h>

typedef struct gv_rx gv_rx;
typedef struct gv_rx_scratch gv_rx_scratch;
typedef struct gv_rx_budget gv_rx_budget;

#define GV_RX_MATCH_LIMIT 1000000u
#define GV_RX_DEPTH_LIMIT 10000u
/* The first attempt's match limit; each retry allows four times more. */
#define GV_RX_FIRST_LIMIT 16u
/* A run's default budget: some 930 matches that hit the per-match limit
 * (about 2 s on the development machine); `make bench`, 10,000 ordinary
 * manifests, is charged 0.23% of it (docs/POLICY-GUIDE.md, "Regex work"). */
#define GV_RX_BUDGET_DEFAULT 1000000000u

/*
 * Compiles pattern (UTF-8). On failure returns GV_EPARSE and fills errbuf
 * with PCRE2's message and *erroffset with the offset in the pattern.
 */
int gv_rx_compile(gv_rx **out, const char *pattern, size_t len,
		  char *errbuf, size_t errlen, size_t *erroffset);
void gv_rx_free(gv_rx *rx);

/* A run's budget of `steps` (more than 0). Thread-safe to charge. */
gv_rx_budget *gv_rx_budget_new(uint64_t steps);
void gv_rx_budget_free(gv_rx_budget *b);
/* Steps charged so far (may exceed the budget by the attempts in flight). */
uint64_t gv_rx_budget_used(const gv_rx_budget *b);
uint64_t gv_rx_budget_limit(const gv_rx_budget *b);
/* More was charged than the budget allows. */
int gv_rx_budget_exhausted(const gv_rx_budget *b);

/* budget: charged by every match made with this scratch; NULL for none. */
gv_rx_scratch *gv_rx_scratch_new(gv_rx_budget *budget);
void gv_rx_scratch_free(gv_rx_scratch *s);

/* 1 match, 0 no match, GV_ELIMIT when the per-match limits were hit,
 * GV_EBUDGET when the run's budget is used up (this match, or an earlier
 * one anywhere in the run, took it over; the value was not checked),
 * GV_ERROR on any other PCRE2 error. The subject must be valid UTF-8. */
int gv_rx_match(const gv_rx *rx, const char *s, size_t n, gv_rx_scratch *sc);

#endif
