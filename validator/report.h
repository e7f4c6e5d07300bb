/*
 * report.h: a run's results rendered for people (text) and machines (JSON).
 * The JSON schema is documented in the README ("JSON output"); the signed
 * report's predicate embeds the same object.
 */
#ifndef GV_REPORT_H
#define GV_REPORT_H

#include "buf.h"
#include "gate.h"

typedef struct gv_report_meta {
	const gv_program *prog;
	const gv_file *cloud, *onprem;   /* NULL when not given */
} gv_report_meta;

/* Appends the run as one JSON object (compact unless pretty) and "\n". */
void gv_report_json(gv_buf *out, const gv_run *run, const gv_report_meta *m, int pretty);
/* Appends the findings as FILE:LINE:COL: lines and a summary. */
void gv_report_text(gv_buf *out, const gv_run *run, int color);

const char *gv_decision_name(int decision);

#endif
