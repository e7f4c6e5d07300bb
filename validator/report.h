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

/* Appends the run as one compact JSON object and "\n" (errors[] empty). */
void gv_report_json(gv_buf *out, const gv_run *run, const gv_report_meta *m);

/*
 * The same in parts, for streaming: the head (up to the opening of the
 * manifests array), then, per file in input order, its manifest entries and
 * its finding entries (nman and nfind count what was written, for commas),
 * then GV_REPORT_JSON_MIDDLE, the findings, the errors (gv_report_json_errors)
 * and GV_REPORT_JSON_END.
 */
#define GV_REPORT_JSON_MIDDLE "],\"findings\":["
#define GV_REPORT_JSON_ERRORS "],\"errors\":["
#define GV_REPORT_JSON_END "]}\n"
void gv_report_json_head(gv_buf *out, const gv_run *run, const gv_report_meta *m);
void gv_report_json_file(gv_buf *manifests, gv_buf *findings, const gv_run *run, size_t i,
			 size_t *nman, size_t *nfind);
/* GV_REPORT_JSON_ERRORS and one entry per error of d (NULL: none). */
void gv_report_json_errors(gv_buf *out, const gv_diags *d);
/* Text: the finding lines of file i, and the closing summary. */
void gv_report_text_file(gv_buf *out, const gv_run *run, size_t i, int color);
void gv_report_text_summary(gv_buf *out, const gv_run *run, int color);
/* Appends the findings as FILE:LINE:COL: lines and a summary. */
void gv_report_text(gv_buf *out, const gv_run *run, int color);

const char *gv_decision_name(int decision);

#endif
