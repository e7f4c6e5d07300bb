#include "rx.h"
#include "alloc.h"
#include "gv.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

struct gv_rx {
	pcre2_code *code;
	int jit;
};

struct gv_rx_scratch {
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *js;
};

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
	rx->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
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

gv_rx_scratch *gv_rx_scratch_new(void)
{
	gv_rx_scratch *s = gv_xcalloc(1, sizeof(*s));

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
	int rc;

	if (rx->jit)
		rc = pcre2_jit_match(rx->code, (PCRE2_SPTR)s, n, 0, 0, sc->md, sc->mc);
	else
		rc = pcre2_match(rx->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK,
				 sc->md, sc->mc);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return GV_ELIMIT;
	return GV_ERROR;
}
