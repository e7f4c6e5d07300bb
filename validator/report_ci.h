/*
 * report_ci.h: a `check` run in the formats CI systems read: SARIF 2.1.0
 * (GitHub code scanning), JUnit XML (GitLab, Jenkins), GitHub Actions
 * workflow commands and GitLab Code Quality JSON. Every mapping (levels,
 * security-severity, fingerprints, paths) is in report_ci.c and documented
 * in docs/CI.md.
 *
 * gv_report_sarif() and the others render a whole run (every file's
 * results still there); the parts below stream one.
 */
#ifndef GV_REPORT_CI_H
#define GV_REPORT_CI_H

#include "buf.h"
#include "diag.h"
#include "report.h"

typedef enum {
	GV_FMT_TEXT, GV_FMT_JSON, GV_FMT_SARIF, GV_FMT_JUNIT, GV_FMT_GITHUB, GV_FMT_GITLAB
} gv_format;

/* The format named s ("text", "json", "sarif", ...); -1 if none. */
int gv_format_parse(const char *s);
const char *gv_format_name(int fmt);
/* "text, json, sarif, junit, github or gitlab", for messages */
#define GV_FORMAT_NAMES "text, json, sarif, junit, github or gitlab"

typedef struct gv_report_ci {
	/* absolute folder paths are made relative to (the repository root);
	 * NULL: the working directory */
	const char *source_root;
	/* input errors of the run (diagnostics of severity error are used;
	 * NULL: none): SARIF toolExecutionNotifications, JUnit <error> */
	const gv_diags *errors;
} gv_report_ci;

void gv_report_sarif(gv_buf *out, const gv_run *run, const gv_report_meta *m,
		     const gv_report_ci *o);
void gv_report_junit(gv_buf *out, const gv_run *run, const gv_report_meta *m,
		     const gv_report_ci *o);
void gv_report_github(gv_buf *out, const gv_run *run, const gv_report_meta *m,
		      const gv_report_ci *o);
void gv_report_gitlab(gv_buf *out, const gv_run *run, const gv_report_meta *m,
		      const gv_report_ci *o);
/*
 * The same in parts, so that they can be streamed as report_json.c's are:
 * gv_report_ci_file() for each file in input order as it is done (its
 * results may be freed right after), then, once the run is over,
 * gv_report_ci_head() and gv_report_ci_tail() to put around what the files
 * gave (the head holds totals and input errors). The state carries what
 * the parts share (commas, JUnit's failing testcases, SARIF's rule table);
 * one state per output, released with gv_report_ci_state_release().
 * fmt is one of GV_FMT_SARIF .. GV_FMT_GITLAB.
 */
struct gv_report_ci_rule;
typedef struct gv_report_ci_state {
	size_t n;                  /* findings written */
	size_t failures;           /* JUnit testcases with findings */
	struct gv_report_ci_rule *rules;
	size_t nrules;
} gv_report_ci_state;
#define GV_REPORT_CI_STATE_INIT { 0, 0, NULL, 0 }
void gv_report_ci_file(gv_buf *out, gv_report_ci_state *st, int fmt, const gv_run *run,
		       size_t i, const gv_report_meta *m, const gv_report_ci *o);
void gv_report_ci_head(gv_buf *out, gv_report_ci_state *st, int fmt, const gv_run *run,
		       const gv_report_meta *m, const gv_report_ci *o);
void gv_report_ci_tail(gv_buf *out, gv_report_ci_state *st, int fmt, const gv_run *run,
		       const gv_report_meta *m, const gv_report_ci *o);
void gv_report_ci_state_release(gv_report_ci_state *st);

/* Any format, text without color. */
void gv_report_format(gv_buf *out, int fmt, const gv_run *run, const gv_report_meta *m,
		      const gv_report_ci *o);

/*
 * A file path as a path relative to root (NULL: the working directory),
 * '/'-separated, without "." or ".." steps; a path outside root stays
 * absolute. "-" (standard input) stays "-". The caller frees it.
 */
char *gv_report_relpath(const char *path, const char *root);
/* The fingerprint of a finding: hex SHA-256 of rule, relative file,
 * document index and JSON path; no line, so it survives line shifts. */
void gv_report_fingerprint(char out[65], const gv_finding *f, const char *relfile);

#endif
