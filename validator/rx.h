/*
 * rx.h: regular expressions (PCRE2 with JIT). The only module that includes
 * pcre2.h. A gv_rx is immutable once compiled and may be shared by threads;
 * each thread matches with its own gv_rx_scratch (match data, JIT stack and
 * the match limits that bound the work of a hostile pattern or subject).
 */
#ifndef GV_RX_H
#define GV_RX_H

#include <stddef.h>

typedef struct gv_rx gv_rx;
typedef struct gv_rx_scratch gv_rx_scratch;

#define GV_RX_MATCH_LIMIT 1000000u
#define GV_RX_DEPTH_LIMIT 10000u

/*
 * Compiles pattern (UTF-8). On failure returns GV_EPARSE and fills errbuf
 * with PCRE2's message and *erroffset with the offset in the pattern.
 */
int gv_rx_compile(gv_rx **out, const char *pattern, size_t len,
		  char *errbuf, size_t errlen, size_t *erroffset);
void gv_rx_free(gv_rx *rx);

gv_rx_scratch *gv_rx_scratch_new(void);
void gv_rx_scratch_free(gv_rx_scratch *s);

/* 1 match, 0 no match, GV_ELIMIT when the match limits were hit,
 * GV_ERROR on any other PCRE2 error. The subject must be valid UTF-8. */
int gv_rx_match(const gv_rx *rx, const char *s, size_t n, gv_rx_scratch *sc);

#endif
