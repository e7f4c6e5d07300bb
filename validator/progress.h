/*
 * progress.h: a run's progress on standard error, for a person watching.
 *
 * Two ways to show it. On a terminal, one line overwritten in place with
 * '\r' and cleared when the run ends, so nothing of it is left behind:
 *
 *   govgate: checked 120 of 1000 files (95 files/s)
 *
 * Elsewhere (a pipe, a CI log), only when asked for (`check --progress`):
 * the same text as plain lines, at most one per interval, and the last
 * count when the run ends if the last line did not show it.
 *
 * Nothing is shown before the run has taken GV_PROGRESS_DELAY_MS (1000 ms,
 * or $GOVGATE_PROGRESS_DELAY_MS), so a quick run prints nothing; the same
 * value is the interval between plain lines, and on a terminal the line is
 * redrawn at most every 100 ms (or that delay, if smaller). The line is
 * cleared with "ESC[K", or with spaces when NO_COLOR is set or TERM is dumb.
 *
 * Not thread safe: the caller serialises gv_progress_update (gate.c calls
 * its emitter under its lock).
 */
#ifndef GV_PROGRESS_H
#define GV_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GV_PROGRESS_DELAY_MS 1000
#define GV_PROGRESS_DELAY_ENV "GOVGATE_PROGRESS_DELAY_MS"

typedef enum { GV_PROGRESS_OFF, GV_PROGRESS_TTY, GV_PROGRESS_LINES } gv_progress_mode;

typedef struct gv_progress {
	gv_progress_mode mode;
	FILE *f;
	int ansi;              /* clear with ESC[K rather than spaces */
	size_t total, done;    /* files in the run; files finished */
	size_t shown;          /* the count last shown (0: nothing shown yet) */
	size_t width;          /* characters on the terminal line now */
	int64_t start_us, last_us; /* monotonic clock, microseconds */
	int64_t delay_ms, every_ms;
} gv_progress;

/*
 * The mode for a run: `asked` is --progress (plain lines, or the terminal
 * line when fd is a terminal); otherwise the terminal line only when fd is
 * a terminal, `quiet` (-q) is not set and $CI is not set (a CI job that
 * gives a job a terminal still keeps its log clean).
 */
gv_progress_mode gv_progress_choose(int asked, int quiet, int fd);

/* Starts the clock for a run over `total` files, shown on f. */
void gv_progress_start(gv_progress *p, gv_progress_mode mode, size_t total, FILE *f);
/* `done` files of the total are finished. */
void gv_progress_update(gv_progress *p, size_t done);
/* The run is over: clears the terminal line (plain lines: the last count). */
void gv_progress_end(gv_progress *p);

#endif
