/* cmd_check.c: `govgate check` and `govgate policy lint`. */
#include "cmd.h"
#include "cli_opts.h"
#include "alloc.h"
#include "atomic.h"
#include "audit.h"
#include "buf.h"
#include "datadir.h"
#include "evidence.h"
#include "facts.h"
#include "gate.h"
#include "governance.h"
#include "govinputs.h"
#include "gv.h"
#include "progress.h"
#include "lint.h"
#include "pathsrc.h"
#include "report.h"
#include "report_ci.h"
#include "sign.h"
#include "spool.h"
#include "walk.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

/* check's options; the values are cmd_check's own (getopt_long returns them) */
static const gv_opt check_opts[] = {
	{ "policy", 'p', 'p', "PATH", "policy file or folder (repeatable; required)", GV_OPT_FILES },
	{ "rules", 0, 'r', "PATH", "rule library file or folder (repeatable; default: the "
	  "shipped rules/)", GV_OPT_FILES },
	{ "cloud-facts", 0, 'C', "FILE", "facts gathered on the cloud side", GV_OPT_FILES },
	{ "onprem-facts", 0, 'O', "FILE", "facts gathered on the on-prem side", GV_OPT_FILES },
	{ "max-fact-age", 0, 'A', "DUR", "facts older than DUR (900, 15m, 1h, 2d) count as "
	  "missing; default: the policies' max_fact_age", NULL },
	{ "max-clock-skew", 0, 'K', "DUR", "how far in the future facts may be dated (0, 300, "
	  "5m); later ones are refused (default: 300)", NULL },
	{ "format", 'f', 'f', "FMT", "text (default), json, sarif, junit, github or gitlab "
	  "(docs/CI.md)", "text json sarif junit github gitlab" },
	{ "output", 'o', 'o', "FILE", "write the result to FILE (atomically)", GV_OPT_FILES },
	{ "out", 0, 'W', "FMT=FILE", "also write the result as FMT to FILE (atomically; "
	  "repeatable): several formats from one run", NULL },
	{ "source-root", 0, 'Z', "DIR", "paths in sarif, github and gitlab output are "
	  "relative to DIR (default: the working directory); also --base-uri", GV_OPT_DIRS },
	{ "base-uri", 0, 'Z', "DIR", "the same as --source-root", GV_OPT_DIRS },
	{ "jobs", 'j', 'j', "N", "check manifests on N threads (default: all cores)", NULL },
	{ "regex-budget", 0, 'B', "N", "regex work allowed in the whole run, in PCRE2 steps "
	  "(1000, 50k, 200M, 2G; default: 1G); a run that needs more stops with exit 2", NULL },
	{ "files-from", 0, 'F', "FILE", "read more manifest paths from FILE, one per line",
	  GV_OPT_FILES },
	{ "exclude", 0, 'X', "GLOB", "leave out files and folders found in folders whose "
	  "name or path in the folder matches (repeatable)", NULL },
	{ "allow-empty", 0, 'E', NULL, "accept a run that checked nothing at all (its "
	  "manifests are reported as not_applicable)", NULL },
	{ "quiet", 'q', 'q', NULL, "no source excerpts under diagnostics, no progress", NULL },
	{ "progress", 0, 'P', NULL, "show progress on stderr even when it is not a terminal "
	  "(plain lines; on a terminal the run shows it anyway once it takes over a second)",
	  NULL },
	GV_OPT_HELP,
	GV_OPT_HEADING("Evidence (docs/EVIDENCE.md):"),
	{ "sign", 0, 'S', "KEY", "Ed25519 private key that signs reports and receipts",
	  GV_OPT_FILES },
	{ "report", 0, 'R', "FILE", "write a signed compliance report (DSSE, in-toto)",
	  GV_OPT_FILES },
	{ "minisign", 0, 'M', "FILE", "write the JSON report to FILE and FILE.minisig",
	  GV_OPT_FILES },
	{ "receipt", 0, 'T', "FILE", "write the signed receipt of the run's deployment",
	  GV_OPT_FILES },
	{ "db", 0, 'D', "DB", "append the run's events to this audit log, a file or a PostgreSQL connection string (default: "
	  "$GOVGATE_DB when set, else no log). A run with an input error signs, writes and "
	  "records none of these (its report still goes to standard output or -o).",
	  GV_OPT_FILES },
	{ "log-key", 0, 'L', "KEY", "sign a checkpoint of the log after the run", GV_OPT_FILES },
	{ "origin", 0, 'G', "NAME", "checkpoint origin (default: $GOVGATE_LOG_ORIGIN or "
	  "govgate.local/audit)", NULL },
	{ "actor", 0, 'U', "NAME", "who ran the check (default: $GOVGATE_ACTOR, $USER)", NULL },
	GV_OPT_HEADING("Governance (docs/GOVERNANCE.md):"),
	{ "trust", 0, 1001, "FILE", "the trust file: whose keys count, and for what (default: "
	  "$GOVGATE_TRUST)", GV_OPT_FILES },
	{ "waiver", 0, 1002, "FILE", "a signed waiver (govgate waiver sign; repeatable)",
	  GV_OPT_FILES },
	{ "policy-bundle", 0, 1003, "FILE", "a signed policy bundle (govgate policy bundle; "
	  "repeatable)", GV_OPT_FILES },
	{ "approval", 0, 1004, "FILE", "a signed approval of a manifest (govgate approve; "
	  "repeatable); the --sign key never counts as one", GV_OPT_FILES },
	GV_OPT_END
};

const gv_optcmd gv_optcmd_check = {
	"check", "evaluate deployment manifests against policies and facts",
	"[options] MANIFEST...",
	"Evaluates deployment manifests (YAML or JSON; '-' reads standard input) "
	"against policies and the live facts of both sides. A folder stands for every "
	"*.yaml, *.yml and *.json file below it, in byte order of the paths (symbolic "
	"links to folders, or to files outside it, are not followed). A bad manifest "
	"does not stop the run: every good one is reported, every bad one as an error "
	"(JSON: errors[]; text: a diagnostic on standard error), and the exit code is 2.",
	check_opts, NULL,
	"0 allowed (no violation, or only warn/info), 1 denied (a block or halt "
	"violation), 2 usage or input error (also: the regex budget used up; an input "
	"error outranks a denial), 3 escalated (an escalate violation and nothing worse).",
	"Check every manifest of a folder with the shipped policy and the facts of "
	"both sides:\n"
	"$ govgate check -p policies/ --cloud-facts cloud.json --onprem-facts onprem.json deploy/\n"
	"\n"
	"One evaluation, three outputs for CI: text on standard output, SARIF and JUnit "
	"files:\n"
	"$ govgate check -p policies/ --out sarif=govgate.sarif --out junit=govgate.xml deploy/\n"
	"\n"
	"A signed report and an entry in the audit log:\n"
	"$ govgate check -p policies/ --sign keys/report.key --report out/report.dsse.json --db audit.db app.yaml",
	GV_OPT_FILES, NULL
};

/* "50000", "50k", "200M", "2G" (powers of 1000); from 1000 to 10^15. */
static int parse_steps(uint64_t *out, const char *s)
{
	uint64_t n = 0, mult = 1;
	const char *p = s;

	if (!(*p >= '1' && *p <= '9'))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > UINT64_C(1000000000000000))
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (*p == 'k' || *p == 'K')
		mult = 1000, p++;
	else if (*p == 'M')
		mult = 1000000, p++;
	else if (*p == 'G')
		mult = 1000000000, p++;
	if (*p || n > UINT64_C(1000000000000000) / mult)
		return -1;
	n *= mult;
	if (n < 1000)
		return -1;
	*out = n;
	return 0;
}

/* Manifest arguments in order, each folder replaced by the manifests in it. */
static void expand(strlist *out, gv_paths *walked, const strlist *args,
		   const strlist *excludes, gv_diags *d)
{
	struct stat st;
	size_t i, j, first;

	for (i = 0; i < args->n; i++) {
		if (strcmp(args->v[i], "-") && stat(args->v[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			first = walked->n;
			gv_walk_manifests(walked, args->v[i], excludes->v, excludes->n, d);
			for (j = first; j < walked->n; j++)
				gv_cmd_push(out, walked->v[j]);
		} else {
			gv_cmd_push(out, args->v[i]);
		}
	}
}

/* Where streamed results go while the run is on (see cmd_check). */
typedef struct sink {
	int json, color;
	gv_spool man, find;    /* manifest entries and findings (text: finding lines;
				* a CI format: its part of each file) */
	gv_buf b1, b2;
	size_t nman, nfind;
	int failed;
	int fmt;               /* a CI format (report_ci.h), or text or json */
	gv_report_ci_state st;
	gv_report_meta meta;
	const gv_report_ci *ci;
	const char *path;      /* --out FILE */
	struct sink *next;     /* the next output (--out) */
	gv_progress *progress; /* the main sink's: files done, on stderr */
} sink;

static void emit(void *arg, const gv_run *run, size_t i)
{
	sink *s;

	for (s = arg; s; s = s->next) {
		gv_buf_clear(&s->b1);
		gv_buf_clear(&s->b2);
		if (s->fmt > GV_FMT_JSON)
			gv_report_ci_file(&s->b2, &s->st, s->fmt, run, i, &s->meta, s->ci);
		else if (s->json)
			gv_report_json_file(&s->b1, &s->b2, run, i, &s->nman, &s->nfind);
		else
			gv_report_text_file(&s->b2, run, i, s->color);
		if (gv_spool_write(&s->man, s->b1.ptr, s->b1.len) < 0 ||
		    gv_spool_write(&s->find, s->b2.ptr, s->b2.len) < 0)
			s->failed = 1;
	}
	if (((sink *)arg)->progress)
		gv_progress_update(((sink *)arg)->progress, i + 1);
}

static void sink_release(sink *s)
{
	gv_spool_release(&s->man);
	gv_spool_release(&s->find);
	gv_buf_release(&s->b1);
	gv_buf_release(&s->b2);
	gv_report_ci_state_release(&s->st);
}

/* Sends bytes to a buffer, an atomic file, or standard output. */
static int put(gv_buf *buf, gv_atomic *at, const void *p, size_t n, gv_diags *d)
{
	if (buf) {
		gv_buf_add(buf, p, n);
		return GV_OK;
	}
	if (at)
		return gv_atomic_add(at, p, n, d);
	if (fwrite(p, 1, n, stdout) != n)
		return gv_error(d, "GV-O001", NULL, "cannot write to standard output"), GV_EIO;
	return GV_OK;
}

typedef struct put_arg {
	gv_buf *buf;
	gv_atomic *at;
	gv_diags *d;
} put_arg;

static int put_spooled(void *arg, const void *p, size_t n)
{
	put_arg *a = arg;
	return put(a->buf, a->at, p, n, a->d);
}

static int copy(gv_buf *buf, gv_atomic *at, gv_spool *from, gv_diags *d)
{
	put_arg a = { buf, at, d };
	int unreadable, err = gv_spool_copy(from, put_spooled, &a, &unreadable);

	if (unreadable)
		err = gv_error(d, "GV-O003", NULL, "cannot read back a temporary file");
	return err;
}

/* Puts the streamed report together: head, entries, tail. */
static int assemble(gv_buf *buf, gv_atomic *at, sink *s, const gv_run *run,
		    const gv_report_meta *m, gv_diags *d)
{
	gv_buf head = GV_BUF_INIT, errs = GV_BUF_INIT;
	int err;

	if (s->fmt > GV_FMT_JSON) {
		gv_report_ci_head(&head, &s->st, s->fmt, run, m, s->ci);
		err = put(buf, at, head.ptr, head.len, d);
		if (!err)
			err = copy(buf, at, &s->find, d);
		gv_buf_clear(&head);
		gv_report_ci_tail(&head, &s->st, s->fmt, run, m, s->ci);
		if (!err)
			err = put(buf, at, head.ptr, head.len, d);
	} else if (s->json) {
		gv_report_json_head(&head, run, m);
		err = put(buf, at, head.ptr, head.len, d);
		if (!err)
			err = copy(buf, at, &s->man, d);
		if (!err)
			err = put(buf, at, GV_REPORT_JSON_MIDDLE, strlen(GV_REPORT_JSON_MIDDLE), d);
		if (!err)
			err = copy(buf, at, &s->find, d);
		/* the input errors so far: d holds nothing else at this point */
		gv_report_json_errors(&errs, d);
		if (!err)
			err = put(buf, at, errs.ptr, errs.len, d);
		if (!err)
			err = put(buf, at, GV_REPORT_JSON_END, strlen(GV_REPORT_JSON_END), d);
	} else {
		err = copy(buf, at, &s->find, d);
		gv_report_text_summary(&head, run, s->color);
		if (!err)
			err = put(buf, at, head.ptr, head.len, d);
	}
	if (!err && !buf && !at && fflush(stdout))
		err = gv_error(d, "GV-O001", NULL, "cannot write to standard output");
	gv_buf_release(&head);
	gv_buf_release(&errs);
	return err;
}

/* "FMT=FILE" (--out): the format, and in *path the file; -1 if malformed */
static int out_format(const char *arg, const char **path)
{
	const char *eq = strchr(arg, '=');
	char name[16];

	if (!eq || !eq[1] || (size_t)(eq - arg) >= sizeof(name))
		return -1;
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	if (path)
		*path = eq + 1;
	return gv_format_parse(name);
}

/* Each --out FMT=FILE, streamed like the main output and put together
 * atomically; *failed names the file that could not be written. */
static int write_outs(sink *s, const gv_run *run, const gv_report_meta *m,
		      const char **failed, gv_diags *d)
{
	gv_atomic at;

	for (; s; s = s->next) {
		if (gv_atomic_begin(&at, s->path, 0666, d) < 0)
			goto fail;
		if (assemble(NULL, &at, s, run, m, d) < 0) {
			gv_atomic_abort(&at);
			goto fail;
		}
		if (gv_atomic_commit(&at, d) < 0)
			goto fail;
	}
	return GV_OK;
fail:
	*failed = s->path;
	return GV_EIO;
}

int cmd_check(int argc, char **argv)
{
	strlist waivers = { 0 }, bundles = { 0 };
	const char *trust_path = NULL;
	gv_govinputs gi;
	strlist approvals = { 0 };
	gv_governance_opts gvo = { 0 };
	gv_governance *gov = NULL;
	strlist policies = { 0 }, rules = { 0 }, manifests = { 0 }, args = { 0 }, excludes = { 0 };
	gv_paths walked = GV_PATHS_INIT;
	gv_diags wd = GV_DIAGS_INIT;   /* folder errors, reported with the run's */
	strlist outs = { 0 };
	gv_report_ci ci = { NULL, NULL };
	int fmt;
	const char *cloud_path = NULL, *onprem_path = NULL, *format = "text", *output = NULL;
	const char *files_from = NULL;
	const char *sign_path = NULL, *log_key_path = NULL, *db_path = NULL;
	gv_evidence_opts eo;
	gv_evidence_out eout;
	gv_key *sign_key = NULL, *log_key = NULL;
	gv_audit *db = NULL;
	char started[GV_TIME_LEN + 1];
	char *rules_default = NULL;
	gv_buf out = GV_BUF_INIT;
	gv_pathsrc src = { 0 };
	gv_diags late = GV_DIAGS_INIT;   /* folders named in the --files-from list */
	gv_diags d = GV_DIAGS_INIT;
	gv_program *prog = NULL;
	gv_file *cloud_file = NULL, *onprem_file = NULL;
	gv_facts cloud = { 0 }, onprem = { 0 };
	gv_gate_opts go;
	gv_run run;
	int64_t max_age = 0, max_skew = GV_FACTS_MAX_SKEW;
	sink sk = { 0, 0, GV_SPOOL_INIT, GV_SPOOL_INIT, GV_BUF_INIT, GV_BUF_INIT, 0, 0, 0, GV_FMT_TEXT,
		    GV_REPORT_CI_STATE_INIT, { NULL, NULL, NULL }, NULL, NULL, NULL, NULL };
	sink *osk = NULL;      /* one per --out */
	gv_progress progress;
	gv_progress_mode pmode;
	int progress_asked = 0;
	int c, jobs = 0, quiet = 0, rc = GV_EXIT_INPUT, json, evidence, unwritable;
	uint32_t i;
	gv_getopt g;

	memset(&go, 0, sizeof(go));
	memset(&run, 0, sizeof(run));
	memset(&eo, 0, sizeof(eo));
	memset(&gi, 0, sizeof(gi));
	gv_time_format(started, time(NULL));
	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_check);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'p': gv_cmd_push(&policies, optarg); break;
		case 'r': gv_cmd_push(&rules, optarg); break;
		case 'C': cloud_path = optarg; break;
		case 'O': onprem_path = optarg; break;
		case 'A':
			if (gv_duration_parse(&max_age, optarg) < 0) {
				fprintf(stderr, "govgate: check: --max-fact-age '%s' is not a duration "
					"such as 900, 15m, 1h or 2d\n", optarg);
				goto out;
			}
			break;
		case 'K':
			if (gv_duration_parse0(&max_skew, optarg) < 0 || max_skew > 86400) {
				fprintf(stderr, "govgate: check: --max-clock-skew '%s' is not a "
					"duration from 0 to 1d such as 0, 300 or 5m\n", optarg);
				goto out;
			}
			break;
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'j':
			jobs = atoi(optarg);
			if (jobs < 1 || jobs > 256) {
				fprintf(stderr, "govgate: check: --jobs takes a number from 1 to 256\n");
				goto out;
			}
			break;
		case 'B':
			if (parse_steps(&go.regex_budget, optarg) < 0) {
				fprintf(stderr, "govgate: check: --regex-budget '%s' is not a "
					"number of steps from 1000 to 1000000G, such as 50000, "
					"200M or 2G\n", optarg);
				goto out;
			}
			break;
		case 'F': files_from = optarg; break;
		case 'E': go.allow_empty = true; break;
		case 'X': gv_cmd_push(&excludes, optarg); break;
		case 'q': quiet = 1; break;
		case 'P': progress_asked = 1; break;
		case 'S': sign_path = optarg; break;
		case 'R': eo.report_path = optarg; break;
		case 'M': eo.minisign_path = optarg; break;
		case 'T': eo.receipt_path = optarg; break;
		case 'D': db_path = optarg; break;
		case 'L': log_key_path = optarg; break;
		case 'G': eo.origin = optarg; break;
		case 'U': eo.actor = optarg; break;
		case 'W': gv_cmd_push(&outs, optarg); break;
		case 'Z': ci.source_root = optarg; break;
		case 1001: trust_path = optarg; break;
		case 1002: gv_cmd_push(&waivers, optarg); break;
		case 1003: gv_cmd_push(&bundles, optarg); break;
		case 1004: gv_cmd_push(&approvals, optarg); break;
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_check);
			rc = 0;
			goto out;
		default:
			gv_opts_help(stderr, &gv_optcmd_check);
			goto out;
		}
	}
	if ((fmt = gv_format_parse(format)) < 0) {
		fprintf(stderr, "govgate: check: --format is %s, not '%s'\n", GV_FORMAT_NAMES,
			format);
		goto out;
	}
	for (i = 0; i < outs.n; i++)
		if (out_format(outs.v[i], NULL) < 0) {
			fprintf(stderr, "govgate: check: --out takes FMT=FILE, FMT one of %s, "
				"not '%s'\n", GV_FORMAT_NAMES, outs.v[i]);
			goto out;
		}
	for (; optind < argc; optind++)
		gv_cmd_push(&args, argv[optind]);
	expand(&manifests, &walked, &args, &excludes, &wd);
	/* the --files-from list is read as the run goes (pathsrc.h) */
	if (gv_pathsrc_open(&src, manifests.v, manifests.n, files_from, excludes.v, excludes.n,
			    &late) < 0) {
		fprintf(stderr, "govgate: %s: cannot read file list: %s\n", files_from,
			strerror(errno));
		goto out;
	}
	if (!policies.n) {
		/* no default policy: a gate says which policy it enforces */
		char *pack = gv_datadir_find("policies");
		fprintf(stderr, "govgate: check: no policy given (use --policy PATH%s%s)\n",
			pack ? "; the shipped policy pack is " : "", pack ? pack : "");
		gv_opts_help(stderr, &gv_optcmd_check);
		free(pack);
		goto out;
	}
	if (!args.n && gv_pathsrc_empty(&src)) {
		fprintf(stderr, "govgate: check: no manifest given\n");
		gv_opts_help(stderr, &gv_optcmd_check);
		goto out;
	}
	if (!rules.n && (rules_default = gv_default_rules_path()))
		gv_cmd_push(&rules, rules_default);
	if (!db_path && getenv(GV_AUDIT_DB_ENV) && *getenv(GV_AUDIT_DB_ENV))
		db_path = getenv(GV_AUDIT_DB_ENV);
	if ((eo.report_path || eo.minisign_path || eo.receipt_path) && !sign_path) {
		fprintf(stderr, "govgate: check: --report, --minisign and --receipt need --sign KEY\n");
		goto out;
	}
	if (sign_path && !eo.report_path && !eo.minisign_path && !eo.receipt_path) {
		fprintf(stderr, "govgate: check: --sign needs --report, --minisign or --receipt\n");
		goto out;
	}
	if (log_key_path && !db_path) {
		fprintf(stderr, "govgate: check: --log-key needs --db DB (or $%s)\n",
			GV_AUDIT_DB_ENV);
		goto out;
	}
	/* keys and the log are opened before anything is evaluated or written */
	if (sign_path && gv_key_load_private(&sign_key, sign_path, &d) < 0)
		goto out;
	if (log_key_path && gv_key_load_private(&log_key, log_key_path, &d) < 0)
		goto out;
	/* so are the outputs: a run that could not write one records nothing */
	unwritable = gv_evidence_check_outputs(&eo, &d) < 0;
	for (i = 0; i < outs.n; i++) {
		const char *path;
		out_format(outs.v[i], &path);
		unwritable |= gv_atomic_check(path, &d) < 0;
	}
	if ((output && gv_atomic_check(output, &d) < 0) || unwritable)
		goto out;
	/* trust, waivers and policy bundles (govinputs.h) */
	if (gv_govinputs_load(&gi, trust_path, waivers.v, waivers.n, bundles.v, bundles.n,
			      sign_key, &d) < 0)
		goto out;
	if (db_path && gv_audit_open(&db, db_path, &d) < 0)
		goto out;

	if (gv_program_load(&prog, policies.v, policies.n, rules.v, rules.n, &d) < 0 ||
	    gv_govinputs_check_program(&gi, prog, policies.v, policies.n, rules.v, rules.n,
				       &d) < 0)
		goto out;
	go.waivers = gi.have_waivers ? &gi.waivers : NULL;
	go.bundles = gi.have_bundles ? &gi.bundles : NULL;
	if (!prog->npolicies && !go.allow_empty) {
		gv_error(&d, "GV-P007", NULL,
			 "no policy found in the given paths (use --allow-empty to accept)");
		goto out;
	}
	/* the approvals, under the trust file govinputs loaded (governance.h) */
	gvo.loaded = gi.trust;
	gvo.approvals = approvals.v;
	gvo.napprovals = approvals.n;
	gvo.initiator = sign_key;
	/* approvals expire by the same clock as waivers ($GOVGATE_NOW moves it
	 * forward only) */
	if ((gvo.now = approvals.n ? gv_waiver_now(&d) : time(NULL)) == (time_t)-1)
		goto out;
	if (gv_governance_setup(&gov, &gvo, prog, &d) < 0)
		goto out;
	if (!max_age)
		max_age = gv_program_max_fact_age(prog);
	if (cloud_path && gv_facts_load(&cloud, &cloud_file, cloud_path, "cloud", max_age,
					max_skew, time(NULL), NULL, &d) < 0)
		goto out;
	if (onprem_path && gv_facts_load(&onprem, &onprem_file, onprem_path, "onprem", max_age,
					 max_skew, time(NULL), NULL, &d) < 0)
		goto out;
	/* stale facts are said once per side, up front (GV-F004) */
	gv_diags_print(&d, stderr, gv_cmd_color(2), !quiet);
	gv_diags_release(&d);

	/* results stream, in input order, into two temporary files (manifest
	 * entries and findings) and are freed as they go, unless evidence needs
	 * them; the output is put together once the run has succeeded */
	json = fmt == GV_FMT_JSON;
	evidence = sign_key || db;
	sk.json = json || evidence;
	/* a CI format streams too, unless the evidence needs the JSON */
	sk.fmt = evidence ? GV_FMT_JSON : fmt;
	sk.meta.prog = prog;
	sk.meta.cloud = cloud_file;
	sk.meta.onprem = onprem_file;
	sk.ci = &ci;
	sk.color = !output && !sk.json && gv_cmd_color(1);
	osk = gv_xcalloc(outs.n ? outs.n : 1, sizeof(*osk));
	for (i = 0; i < outs.n; i++) {
		sink *o = &osk[i];

		o->fmt = out_format(outs.v[i], &o->path);
		o->json = o->fmt == GV_FMT_JSON;
		o->b1 = (gv_buf)GV_BUF_INIT;
		o->b2 = (gv_buf)GV_BUF_INIT;
		o->meta = sk.meta;
		o->ci = &ci;
		if (i + 1 < outs.n)
			o->next = &osk[i + 1];
		o->man = (gv_spool)GV_SPOOL_INIT;
		o->find = (gv_spool)GV_SPOOL_INIT;
	}
	if (outs.n)
		sk.next = osk;
	go.manifests = manifests.v;
	go.nmanifests = manifests.n;
	if (files_from) {
		go.next = gv_pathsrc_next;
		go.next_arg = &src;
		go.late_errors = &late;
	}
	go.jobs = jobs;
	go.emit = emit;
	go.emit_arg = &sk;
	go.release = !evidence;
	go.prior_errors = wd.nerrors;
	go.gov = gov;
	gv_diags_move(&d, &wd);
	pmode = gv_progress_choose(progress_asked, quiet, 2);
	gv_progress_start(&progress, pmode, pmode == GV_PROGRESS_OFF ? manifests.n :
			  gv_pathsrc_count(&src), stderr);
	sk.progress = &progress;
	gv_gate_run(&run, prog, &cloud, &onprem, &go, &d);
	gv_progress_end(&progress);   /* the line is gone before anything else */
	/* a used-up regex budget leaves results that depend on the threads:
	 * no partial report (gate.h) */
	if (run.regex_budget_exhausted)
		goto out;
	/* input errors go into the CI formats too (SARIF notifications, JUnit errors) */
	ci.errors = &d;
	for (i = 0; i < outs.n; i++)
		sk.failed |= osk[i].failed;
	if (sk.failed) {
		gv_error(&d, "GV-O003", NULL, "cannot write a temporary file: %s", strerror(errno));
		goto out;
	}
	{
		gv_report_meta m = { prog, cloud_file, onprem_file };
		const char *failed_out = NULL;

		if (run.input_errors && evidence) {
			/* nothing is signed or recorded for a run with input errors;
			 * its results and errors are still reported */
			gv_buf_clear(&out);
			if (json) {
				if (assemble(&out, NULL, &sk, &run, &m, &d) < 0)
					goto out;
			} else if (fmt == GV_FMT_TEXT) {
				gv_report_text(&out, &run, !output && gv_cmd_color(1));
			} else {
				gv_report_format(&out, fmt, &run, &m, &ci);
			}
			if (output ? gv_atomic_write(output, out.ptr, out.len, 0666, &d) < 0 :
			    fwrite(out.ptr, 1, out.len, stdout) != out.len || fflush(stdout)) {
				if (!output)
					gv_error(&d, "GV-O001", NULL, "cannot write to standard output");
				goto out;
			}
			if (write_outs(sk.next, &run, &m, &failed_out, &d) < 0)
				goto out;
			gv_error(&d, "GV-O010", NULL, "the run had input errors: no signed report, "
				 "minisign file or receipt was written and nothing was recorded in the "
				 "audit log");
		} else if (evidence) {
			/* the signed bytes must be in memory: the whole JSON report */
			if (assemble(&out, NULL, &sk, &run, &m, &d) < 0)
				goto out;
			eo.sign_key = sign_key;
			eo.db = db;
			eo.log_key = log_key;
			if (!eo.origin)
				eo.origin = gv_audit_default_origin();
			if (!eo.actor)
				eo.actor = getenv("GOVGATE_ACTOR") ? getenv("GOVGATE_ACTOR") :
					   getenv("USER") ? getenv("USER") : "unknown";
			eo.started_at = started;
			if (gv_evidence_write(&eout, &run, &m, &out, &eo, &d) < 0)
				goto out;
			if (fmt == GV_FMT_TEXT) {
				gv_buf_clear(&out);
				gv_report_text(&out, &run, !output && gv_cmd_color(1));
			} else if (!json) {
				gv_buf_clear(&out);
				gv_report_format(&out, fmt, &run, &m, &ci);
			}
			/* the events are in: a failure now is recorded as one */
			if (output) {
				if (gv_atomic_write(output, out.ptr, out.len, 0666, &d) < 0) {
					gv_evidence_record_failure(&run, &eo, &eout, "output", output,
								   &d);
					goto out;
				}
			} else if (fwrite(out.ptr, 1, out.len, stdout) != out.len || fflush(stdout)) {
				gv_error(&d, "GV-O001", NULL, "cannot write to standard output");
				gv_evidence_record_failure(&run, &eo, &eout, "output", "-", &d);
				goto out;
			}
			if (write_outs(sk.next, &run, &m, &failed_out, &d) < 0) {
				gv_evidence_record_failure(&run, &eo, &eout, "output", failed_out,
							   &d);
				goto out;
			}
		} else if (output) {
			gv_atomic at;
			if (gv_atomic_begin(&at, output, 0666, &d) < 0 ||
			    assemble(NULL, &at, &sk, &run, &m, &d) < 0 ||
			    gv_atomic_commit(&at, &d) < 0)
				goto out;
		} else if (assemble(NULL, NULL, &sk, &run, &m, &d) < 0) {
			goto out;
		}
		if (!evidence && write_outs(sk.next, &run, &m, &failed_out, &d) < 0)
			goto out;
	}
	rc = run.input_errors ? GV_EXIT_INPUT : gv_decision_exit(run.decision);
out:
	gv_diags_print(&wd, stderr, gv_cmd_color(2), !quiet);
	gv_diags_print(&d, stderr, gv_cmd_color(2), !quiet);
	gv_diags_release(&wd);
	gv_paths_release(&walked);
	free(args.v);
	free(excludes.v);
	gv_run_release(&run);
	sink_release(&sk);
	for (i = 0; osk && i < outs.n; i++)
		sink_release(&osk[i]);
	free(osk);
	gv_key_free(sign_key);
	gv_key_free(log_key);
	gv_audit_close(db);
	gv_file_free(cloud_file);
	gv_file_free(onprem_file);
	gv_program_free(prog);
	gv_governance_free(gov);
	free(approvals.v);
	gv_diags_release(&d);
	gv_buf_release(&out);
	gv_pathsrc_close(&src);
	gv_diags_release(&late);
	free(outs.v);
	free(policies.v);
	free(rules.v);
	free(manifests.v);
	free(rules_default);
	gv_govinputs_release(&gi);
	free(waivers.v);
	free(bundles.v);
	return rc;
}

static const gv_opt lint_opts[] = {
	{ "rules", 0, 'r', "PATH", "rule library file or folder (repeatable; default: the "
	  "shipped rules/)", GV_OPT_FILES },
	{ "manifest", 0, 'm', "SAMPLE", "a sample manifest (repeatable), for paths on "
	  "manifest", GV_OPT_FILES },
	{ "cloud-facts", 0, 'C', "FILE", "a sample of cloud facts, for paths on cloud",
	  GV_OPT_FILES },
	{ "onprem-facts", 0, 'O', "FILE", "a sample of on-prem facts, for paths on onprem",
	  GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_policy_lint = {
	"policy lint", "check policy and rule files for errors",
	"[--rules PATH]... [--manifest SAMPLE]...\n"
	"                           [--cloud-facts FILE] [--onprem-facts FILE] PATH...",
	"Loads and compiles policy and rule files, reporting every problem with "
	"file:line:col. Exit 0 when all are valid, 2 otherwise. `check` loads policies "
	"the same way and refuses the same problems; lint also checks the library rules "
	"that no policy uses, so `policy lint rules/` checks a library.\n"
	"\n"
	"Besides unknown keys and operators, bad paths and regexes, it reports:\n"
	"\n"
	"  GV-P022  an operand of the wrong type for its operator (gt: \"ten\",\n"
	"           min_length: -1, in: a-string), $params values included\n"
	"  GV-P033  a rule's when (or an each's where) on a [*] path: use each,\n"
	"           or write quantifier: any / all\n"
	"  GV-P034  a message placeholder other than {actual}, {expected}, {path}\n"
	"  GV-P035  a malformed each (no [*], no check or count, a bad 'as')\n"
	"  GV-P014  a rule id twice in one RuleSet or one policy, or a use: that\n"
	"           two loaded libraries define\n"
	"\n"
	"See docs/POLICY-GUIDE.md.\n"
	"\n"
	"An unknown key, operator or rule id names the closest known one. Warnings "
	"(exit 0): a library rule no loaded policy uses (not for the shipped library "
	"when it is loaded by default), and, with samples, a check path that resolves "
	"to nothing in any of them (a likely typo); that is an error on a check with "
	"'missing: pass', which could then never fail.",
	lint_opts, NULL,
	"0 every file is valid (warnings allowed), 2 an error or a usage error.",
	"Lint the shipped library and policies, checking paths against a sample:\n"
	"$ govgate policy lint --manifest fixtures/manifests/hybrid-ok.yaml rules/ policies/",
	GV_OPT_FILES, NULL
};

const gv_optcmd gv_optcmd_policy = {
	"policy", "lint, test or sign policy packs", "lint|test|bundle [options] PATH...",
	"Policy packs are checked before they gate anything: 'lint' loads and compiles "
	"them and reports every problem with file:line:col; 'test' runs their PolicyTest "
	"cases with coverage; 'bundle' signs them, for a trust file that requires signed "
	"policies (docs/GOVERNANCE.md).",
	NULL, NULL, NULL, NULL, NULL, NULL
};

/* A facts sample: the root mapping of a one-document file. */
static int load_sample_facts(gv_file **out, const char *path, gv_diags *d)
{
	if (gv_file_load(out, path, NULL, d) < 0)
		return -1;
	if ((*out)->ndocs != 1 || (*out)->docs[0]->kind != GV_NODE_MAP) {
		gv_error(d, "GV-F001", path, "facts must be one mapping document");
		return -1;
	}
	return 0;
}

static int cmd_policy_lint(int argc, char **argv)
{
	strlist rules = { 0 }, samples = { 0 };
	gv_diags d = GV_DIAGS_INIT;
	gv_program *prog = NULL;
	gv_file **man = NULL, *cloud = NULL, *onprem = NULL;
	const char *cloud_path = NULL, *onprem_path = NULL;
	char *rules_default = NULL;
	gv_lint_opts lo = { 0 };
	size_t i, nman = 0;
	int c, rc = GV_EXIT_INPUT;
	gv_getopt g;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_policy_lint);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		if (c == 'r') {
			gv_cmd_push(&rules, optarg);
		} else if (c == 'm') {
			gv_cmd_push(&samples, optarg);
		} else if (c == 'C') {
			cloud_path = optarg;
		} else if (c == 'O') {
			onprem_path = optarg;
		} else if (c == 'h') {
			gv_opts_help(stdout, &gv_optcmd_policy_lint);
			rc = 0;
			goto out;
		} else {
			gv_opts_help(stderr, &gv_optcmd_policy_lint);
			goto out;
		}
	}
	if (optind >= argc) {
		gv_opts_help(stderr, &gv_optcmd_policy_lint);
		goto out;
	}
	if (!rules.n && (rules_default = gv_default_rules_path()))
		gv_cmd_push(&rules, rules_default);
	man = gv_xcalloc(samples.n + 1, sizeof(*man));
	for (i = 0; i < samples.n; i++)
		if (gv_file_load(&man[nman], samples.v[i], NULL, &d) == 0)
			nman++;
	if ((cloud_path && load_sample_facts(&cloud, cloud_path, &d) < 0) ||
	    (onprem_path && load_sample_facts(&onprem, onprem_path, &d) < 0) ||
	    nman < samples.n)
		goto out;
	if (gv_program_lint(&prog, (const char *const *)argv + optind, (size_t)(argc - optind),
			    rules.v, rules.n, &d) == 0) {
		lo.quiet_rules = rules_default;
		lo.manifests = (const gv_file *const *)man;
		lo.nmanifests = nman;
		lo.cloud = cloud ? cloud->docs[0] : NULL;
		lo.onprem = onprem ? onprem->docs[0] : NULL;
		if (gv_lint(prog, &lo, &d) < 0)
			goto out;
		printf("ok: %u polic%s, %u rule%s\n", prog->npolicies,
		       prog->npolicies == 1 ? "y" : "ies", prog->nrules,
		       prog->nrules == 1 ? "" : "s");
		rc = 0;
	}
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 1);
	gv_program_free(prog);
	gv_diags_release(&d);
	for (i = 0; i < nman; i++)
		gv_file_free(man[i]);
	free(man);
	gv_file_free(cloud);
	gv_file_free(onprem);
	free(rules.v);
	free(samples.v);
	free(rules_default);
	return rc;
}

int cmd_policy(int argc, char **argv)
{
	static const gv_cmd verbs[] = {
		{ "lint", cmd_policy_lint, "check policy and rule files for errors" },
		{ "test", cmd_policy_test, "run policy tests, with their coverage" },
		{ "bundle", cmd_policy_bundle, "sign policy and rule files as a bundle" },
		{ NULL, NULL, NULL }
	};
	return gv_cmd_dispatch(verbs, "govgate policy", argc - 1, argv + 1);
}
