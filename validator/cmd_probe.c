/* cmd_probe.c: `govgate probe`, live connectivity facts (probe.c does the work). */
#include "cmd.h"
#include "cli_opts.h"
#include "atomic.h"
#include "buf.h"
#include "diag.h"
#include "gv.h"
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_CA = 256, OPT_CERT, OPT_KEY, OPT_SERVER_NAME, OPT_TIMEOUT,
	OPT_ATTEMPTS, OPT_MAX_TIME
};

static const gv_opt probe_opts[] = {
	{ "side", 's', 's', "SIDE", "the side the facts describe: cloud or onprem (required)",
	  "cloud onprem" },
	{ "endpoint", 'e', 'e', "EP", "HOST:PORT or [IPV6]:PORT; repeatable, probed "
	  "concurrently, reported in the order given (required)", NULL },
	{ "ca", 0, OPT_CA, "FILE", "PEM CA certificates to verify the peer chain against "
	  "(default: the system trust store)", GV_OPT_FILES },
	{ "cert", 0, OPT_CERT, "FILE", "PEM client certificate (chain), sent when a server "
	  "asks", GV_OPT_FILES },
	{ "key", 0, OPT_KEY, "FILE", "PEM private key of --cert", GV_OPT_FILES },
	{ "server-name", 0, OPT_SERVER_NAME, "NAME", "name sent as SNI and matched against "
	  "the certificate (default: each endpoint's host)", NULL },
	{ "timeout", 0, OPT_TIMEOUT, "MS", "bound on each step (lookup, connect, handshake) "
	  "of an attempt, in milliseconds (default 3000)", NULL },
	{ "attempts", 0, OPT_ATTEMPTS, "N", "attempts per endpoint when connecting fails "
	  "(default 3); retries wait with exponential backoff and jitter", NULL },
	{ "max-time", 0, OPT_MAX_TIME, "S", "bound on the whole probe, in seconds (default "
	  "10; fractions allowed); endpoints are probed at once", NULL },
	{ "format", 'f', 'f', "FMT", "yaml (default) or json", "yaml json" },
	{ "output", 'o', 'o', "FILE", "write the facts to FILE (atomically) instead of stdout",
	  GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_probe = {
	"probe", "probe endpoints and print connectivity facts",
	"--side cloud|onprem --endpoint HOST:PORT [--endpoint ...]\n"
	"                     [--ca FILE] [--cert FILE --key FILE] [--server-name NAME]\n"
	"                     [--timeout MS] [--attempts N] [--max-time S]\n"
	"                     [-f yaml|json] [-o FILE]",
	"Connects to each endpoint (TCP, then TLS) and prints the facts found, in the "
	"format `govgate check` reads with --cloud-facts or --onprem-facts.",
	probe_opts,
	"An unreachable endpoint or a failed handshake is a fact, not an error.",
	"0 facts written, 2 usage error or unreadable CA/cert/key file or output.",
	"Gather the on-prem side's facts for a check:\n"
	"$ govgate probe --side onprem --endpoint db.internal:5432 -o onprem.yaml",
	NULL, ":"
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("govgate: probe: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nRun 'govgate probe --help' for the options.\n", stderr);
	return GV_EXIT_INPUT;
}

/* A whole decimal number in [min, max]. */
static int parse_uint(unsigned *out, const char *s, unsigned min, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Seconds, fractions allowed, as milliseconds in [1, 3600000]. */
static int parse_seconds_ms(unsigned *out, const char *s)
{
	char *end;
	double v;

	errno = 0;
	if ((*s < '0' || *s > '9') && *s != '.')
		return -1;
	v = strtod(s, &end);
	if (errno || *end || !(v * 1000 >= 1) || v > 3600)
		return -1;
	*out = (unsigned)(v * 1000 + 0.5);
	return 0;
}


int cmd_probe(int argc, char **argv)
{
	gv_probe_opts opts = GV_PROBE_OPTS_INIT;
	gv_probe_result res = GV_PROBE_RESULT_INIT;
	gv_probe_format fmt = GV_PROBE_YAML;
	gv_diags d = GV_DIAGS_INIT;
	gv_buf out = GV_BUF_INIT;
	const char **endpoints = NULL;
	const char *output = NULL;
	size_t n = 0;
	bool have_side = false;
	int c, rc = GV_EXIT_INPUT;
	gv_getopt g;

	optind = 0;   /* rescan from argv[1]: argv[0] is "probe" */
	opterr = 0;   /* our own messages below */
	endpoints = calloc((size_t)argc, sizeof(*endpoints));
	if (!endpoints)
		return GV_EXIT_INPUT;
	gv_opts_getopt(&g, &gv_optcmd_probe);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 's':
			if (gv_probe_side_parse(&opts.side, optarg) < 0) {
				rc = usage_error("invalid side '%s' (want cloud or onprem)", optarg);
				goto out;
			}
			have_side = true;
			break;
		case 'e':
			endpoints[n++] = optarg;
			break;
		case OPT_CA: opts.ca_file = optarg; break;
		case OPT_CERT: opts.cert_file = optarg; break;
		case OPT_KEY: opts.key_file = optarg; break;
		case OPT_SERVER_NAME: opts.server_name = optarg; break;
		case OPT_TIMEOUT:
			if (parse_uint(&opts.timeout_ms, optarg, 1, 600000) < 0) {
				rc = usage_error("invalid --timeout '%s' (want 1..600000 ms)", optarg);
				goto out;
			}
			break;
		case OPT_ATTEMPTS:
			if (parse_uint(&opts.attempts, optarg, 1, 100) < 0) {
				rc = usage_error("invalid --attempts '%s' (want 1..100)", optarg);
				goto out;
			}
			break;
		case OPT_MAX_TIME:
			if (parse_seconds_ms(&opts.max_time_ms, optarg) < 0) {
				rc = usage_error("invalid --max-time '%s' (want 0.001..3600 s)", optarg);
				goto out;
			}
			break;
		case 'f':
			if (!strcmp(optarg, "yaml"))
				fmt = GV_PROBE_YAML;
			else if (!strcmp(optarg, "json"))
				fmt = GV_PROBE_JSON;
			else {
				rc = usage_error("invalid format '%s' (want yaml or json)", optarg);
				goto out;
			}
			break;
		case 'o': output = optarg; break;
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_probe);
			rc = 0;
			goto out;
		case ':':
			rc = usage_error("option '%s' needs a value", argv[optind - 1]);
			goto out;
		default:
			rc = usage_error("unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		rc = usage_error("unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (!have_side) {
		rc = usage_error("%s", "--side is required");
		goto out;
	}
	if (n == 0) {
		rc = usage_error("%s", "at least one --endpoint is required");
		goto out;
	}
	if (!opts.cert_file != !opts.key_file) {
		rc = usage_error("%s", "--cert and --key go together");
		goto out;
	}
	opts.endpoints = endpoints;
	opts.n_endpoints = n;

	if (gv_probe_run(&res, &opts, &d) < 0) {
		gv_diags_print(&d, stderr, gv_cmd_color(2), 0);
		goto out;
	}
	gv_probe_write(&out, &res, fmt);
	if (output) {
		if (gv_atomic_write(output, out.ptr, out.len, 0666, &d) < 0) {
			gv_diags_print(&d, stderr, gv_cmd_color(2), 0);
			goto out;
		}
	} else if (fwrite(out.ptr, 1, out.len, stdout) != out.len || fflush(stdout)) {
		fprintf(stderr, "govgate: probe: cannot write the facts: %s\n",
			strerror(errno));
		goto out;
	}
	rc = 0;
out:
	gv_probe_result_release(&res);
	gv_buf_release(&out);
	gv_diags_release(&d);
	free(endpoints);
	return rc;
}
