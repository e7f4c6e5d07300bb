/* progress.c: a run's progress on standard error (progress.h). */
#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GV_PROGRESS_REDRAW_MS 100

/* microseconds on the monotonic clock */
static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* $GOVGATE_PROGRESS_DELAY_MS: 0 to 3600000; anything else is the default */
static int64_t delay_ms(void)
{
	const char *s = getenv(GV_PROGRESS_DELAY_ENV);
	char *end;
	long v;

	if (!s || !*s)
		return GV_PROGRESS_DELAY_MS;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || v > 3600000)
		return GV_PROGRESS_DELAY_MS;
	return v;
}

gv_progress_mode gv_progress_choose(int asked, int quiet, int fd)
{
	const char *ci = getenv("CI");

	if (asked)
		return isatty(fd) ? GV_PROGRESS_TTY : GV_PROGRESS_LINES;
	if (quiet || !isatty(fd) || (ci && *ci))
		return GV_PROGRESS_OFF;
	return GV_PROGRESS_TTY;
}

void gv_progress_start(gv_progress *p, gv_progress_mode mode, size_t total, FILE *f)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->f = f;
	p->total = total;
	p->ansi = !(nc && *nc) && !(term && !strcmp(term, "dumb"));
	p->delay_ms = delay_ms();
	p->every_ms = mode == GV_PROGRESS_TTY && p->delay_ms > GV_PROGRESS_REDRAW_MS ?
		      GV_PROGRESS_REDRAW_MS : p->delay_ms;
	p->start_us = now_us();
}

static void show(gv_progress *p, size_t done, int64_t t)
{
	char line[160];
	double secs = (double)(t - p->start_us > 0 ? t - p->start_us : 1) / 1e6;
	double rate = (double)done / secs;
	int n;

	n = snprintf(line, sizeof(line), "govgate: checked %zu of %zu file%s (%.*f files/s)",
		     done, p->total, p->total == 1 ? "" : "s", rate < 10 ? 1 : 0, rate);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	if (p->mode == GV_PROGRESS_TTY) {
		fprintf(p->f, "\r%s", line);
		if (p->ansi)
			fputs("\033[K", p->f);
		else if (p->width > (size_t)n)
			fprintf(p->f, "%*s", (int)(p->width - (size_t)n), "");
		if (p->width < (size_t)n || p->ansi)
			p->width = (size_t)n;
	} else {
		fprintf(p->f, "%s\n", line);
	}
	fflush(p->f);
	p->shown = done;
	p->last_us = t;
}

void gv_progress_update(gv_progress *p, size_t done)
{
	int64_t t;

	if (p->mode == GV_PROGRESS_OFF)
		return;
	p->done = done;
	t = now_us();
	if (t - p->start_us < p->delay_ms * 1000)
		return;
	if (p->shown && t - p->last_us < p->every_ms * 1000)
		return;
	show(p, done, t);
}

void gv_progress_end(gv_progress *p)
{
	if (p->mode == GV_PROGRESS_OFF || !p->shown)
		return;
	if (p->mode == GV_PROGRESS_TTY) {
		if (p->ansi)
			fputs("\r\033[K", p->f);
		else
			fprintf(p->f, "\r%*s\r", (int)p->width, "");
		fflush(p->f);
	} else if (p->shown < p->done) {
		show(p, p->done, now_us());
	}
	p->mode = GV_PROGRESS_OFF;
}
