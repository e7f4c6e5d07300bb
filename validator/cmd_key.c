/*
 * cmd_key.c: `govgate keygen` and `govgate key` (id, export, sign-statement).
 * Exit 0 on success, 2 on any error (GV_EXIT_INPUT).
 */
#include "cmd.h"
#include "cli_opts.h"
#include "atomic.h"
#include "buf.h"
#include "dsse.h"
#include "gv.h"
#include "json_parse.h"
#include "minisign.h"
#include "sign.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const gv_opt keygen_opts[] = {
	{ "out", 'o', 'o', "NAME", "base name of the two files", GV_OPT_FILES },
	{ "force", 'f', 'f', NULL, "replace existing key files", NULL },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_keygen = {
	"keygen", "create an Ed25519 key pair", "--out NAME [--force]",
	"Creates an Ed25519 key pair: NAME.key (PKCS#8 PEM, mode 0600) and NAME.pub "
	"(SubjectPublicKeyInfo PEM). Existing files are never replaced unless --force is "
	"given. Use one key for signing reports and another for log checkpoints.",
	keygen_opts, NULL, "0 written, 2 usage error or the files cannot be written.",
	"A key for reports and one for the audit log's checkpoints:\n"
	"$ mkdir -p keys\n"
	"$ govgate keygen --out keys/report\n"
	"$ govgate keygen --out keys/log",
	NULL, NULL
};

const gv_optcmd gv_optcmd_key = {
	"key", "key ids, minisign export, statement signing", "VERB [options]",
	"Works with the key pairs of govgate-keygen(1):\n"
	"\n"
	"  id              print the key id of a .pub or .key file\n"
	"  export          print the public key in minisign's format\n"
	"  sign-statement  sign a Statement JSON file as a DSSE envelope (testing,\n"
	"                  re-signing)\n"
	"  sign            write FILE.minisig, a minisign signature (testing, scripting)\n"
	"\n"
	"Run 'govgate key VERB --help' for a verb's options.",
	NULL, NULL, "0 done, 2 usage error or an unreadable key or file.", NULL, NULL, NULL
};

static const gv_opt key_help_opts[] = { GV_OPT_HELP, GV_OPT_END };

const gv_optcmd gv_optcmd_key_id = {
	"key id", "print the key id of a .pub or .key file", "FILE",
	"Prints the key id: the lowercase hex SHA-256 of the DER SubjectPublicKeyInfo.",
	key_help_opts, NULL, NULL,
	"$ govgate key id keys/report.pub", GV_OPT_FILES, NULL
};

static const gv_opt key_export_opts[] = {
	{ "minisign", 0, 'm', "FILE", "the .pub or .key file to print in minisign's format",
	  GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_key_export = {
	"key export", "print the public key in minisign's format", "--minisign FILE",
	"Prints the public key in minisign's format, for 'minisign -V -p FILE' on "
	"reports signed with --minisign.",
	key_export_opts, NULL, NULL,
	"$ govgate key export --minisign keys/report.pub > report.minisign.pub", NULL, NULL
};

static const gv_opt key_sign_statement_opts[] = {
	{ "key", 'k', 'k', "KEY", "the private key that signs", GV_OPT_FILES },
	{ "statement", 's', 's', "FILE", "the Statement (JSON) to sign", GV_OPT_FILES },
	{ "output", 'o', 'o', "OUT", "write the envelope to OUT (atomically) instead of "
	  "standard output", GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_key_sign_statement = {
	"key sign-statement", "sign a Statement JSON file as a DSSE envelope (testing, "
	"re-signing)", "--key KEY --statement FILE [-o OUT]",
	"For testing and scripting: signs an in-toto Statement (any JSON file, signed "
	"byte for byte) as a DSSE envelope, the form 'govgate verify' checks; useful to "
	"re-sign evidence with a new key.",
	key_sign_statement_opts, NULL, NULL, NULL, NULL, NULL
};

static const gv_opt key_sign_opts[] = {
	{ "key", 'k', 'k', "KEY", "the private key that signs", GV_OPT_FILES },
	{ "comment", 'c', 'c', "TEXT", "the trusted comment (default: "
	  "'timestamp:<now>\\tfile:<name>')", NULL },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_key_sign = {
	"key sign", "write FILE.minisig, a minisign signature (testing, scripting)",
	"--key KEY [--comment TEXT] FILE",
	"For testing and scripting: writes FILE.minisig, a minisign signature "
	"(prehashed, with the trusted comment TEXT) that 'minisign -Vm FILE -p <export of "
	"the key>' accepts.",
	key_sign_opts, NULL, NULL, NULL, GV_OPT_FILES, NULL
};

/* Prints and releases d; returns the exit code for an error. */
static int fail(gv_diags *d)
{
	gv_diags_print(d, stderr, gv_cmd_color(2), 0);
	gv_diags_release(d);
	return GV_EXIT_INPUT;
}

int cmd_keygen(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	const char *out = NULL;
	bool force = false;
	int c;
	gv_getopt g;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_keygen);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'f': force = true; break;
		case 'h': gv_opts_help(stdout, &gv_optcmd_keygen); return 0;
		default: gv_opts_help(stderr, &gv_optcmd_keygen); return GV_EXIT_INPUT;
		}
	}
	if (!out || !*out || optind < argc) {
		fprintf(stderr, "govgate: keygen: %s\n",
			optind < argc ? "unexpected argument" : "--out NAME is required");
		gv_opts_help(stderr, &gv_optcmd_keygen);
		return GV_EXIT_INPUT;
	}
	if (gv_key_generate(out, force, &d) < 0)
		return fail(&d);
	printf("wrote %s.key and %s.pub\n", out, out);
	return 0;
}

/*
 * Loads a .pub or a .key file, telling them apart by their PEM label; a
 * private key still goes through the mode check.
 */
static int load_any(gv_key **out, const char *path, gv_diags *d)
{
	gv_buf head = GV_BUF_INIT;
	int priv, err;

	err = gv_buf_read_file(&head, path, 1 << 16);
	priv = strstr(head.ptr, "-----BEGIN PRIVATE KEY-----") != NULL;
	gv_buf_release(&head);  /* a private key is re-read and wiped by sign.c */
	if (err == GV_EIO)
		return gv_error(d, "GV-K004", path, "cannot open key file: %s", strerror(errno));
	return priv ? gv_key_load_private(out, path, d) : gv_key_load_public(out, path, d);
}

static int key_id(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	char id[GV_KEYID_HEX_LEN + 1];
	gv_key *k = NULL;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		gv_opts_help(stdout, &gv_optcmd_key_id);
		return 0;
	}
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
		gv_opts_usage(stderr, &gv_optcmd_key_id);
		return GV_EXIT_INPUT;
	}
	if (load_any(&k, argv[1], &d) < 0)
		return fail(&d);
	gv_key_id(k, id);
	printf("%s\n", id);
	gv_key_free(k);
	return 0;
}

static int key_export(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf out = GV_BUF_INIT;
	const char *path = NULL;
	gv_key *k = NULL;
	int c;
	gv_getopt g;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_key_export);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'm': path = optarg; break;
		case 'h': gv_opts_help(stdout, &gv_optcmd_key_export); return 0;
		default: gv_opts_help(stderr, &gv_optcmd_key_export); return GV_EXIT_INPUT;
		}
	}
	if (!path || optind < argc) {
		fprintf(stderr, "govgate: key export: give the public key with --minisign FILE\n");
		return GV_EXIT_INPUT;
	}
	if (load_any(&k, path, &d) < 0)
		return fail(&d);
	gv_minisign_pubkey(&out, k);
	fputs(out.ptr, stdout);
	gv_buf_release(&out);
	gv_key_free(k);
	return 0;
}

static int key_sign_statement(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf stmt = GV_BUF_INIT, env = GV_BUF_INIT;
	const char *keypath = NULL, *stpath = NULL, *outpath = NULL;
	gv_file *f = NULL;
	gv_key *k = NULL;
	int c, rc = GV_EXIT_INPUT, err;
	gv_getopt g;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_key_sign_statement);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'k': keypath = optarg; break;
		case 's': stpath = optarg; break;
		case 'o': outpath = optarg; break;
		case 'h': gv_opts_help(stdout, &gv_optcmd_key_sign_statement); return 0;
		default: gv_opts_help(stderr, &gv_optcmd_key_sign_statement); return GV_EXIT_INPUT;
		}
	}
	if (!keypath || !stpath || optind < argc) {
		fprintf(stderr, "govgate: key sign-statement: --key KEY and --statement FILE "
			"are required\n");
		return GV_EXIT_INPUT;
	}
	/* the key first: a readable private key is refused before anything is written */
	if (gv_key_load_private(&k, keypath, &d) < 0)
		goto out;
	err = gv_buf_read_file(&stmt, stpath, GV_DSSE_MAX_BYTES);
	if (err == GV_ELIMIT) {
		gv_error(&d, "GV-E001", stpath, "larger than %zu bytes", GV_DSSE_MAX_BYTES);
		goto out;
	} else if (err < 0) {
		gv_error(&d, "GV-E001", stpath, "cannot read: %s", strerror(errno));
		goto out;
	}
	/* signed as-is, but it must at least be JSON */
	if (gv_json_parse(&f, stpath, stmt.ptr, stmt.len, NULL, &d) < 0)
		goto out;
	if (gv_report_sign_envelope(&env, stmt.ptr, stmt.len, k) < 0) {
		gv_error(&d, "GV-K008", keypath, "cannot sign with this key");
		goto out;
	}
	if (outpath && strcmp(outpath, "-")) {
		if (gv_atomic_write(outpath, env.ptr, env.len, 0666, &d) < 0)
			goto out;
	} else if (fwrite(env.ptr, 1, env.len, stdout) != env.len || fflush(stdout)) {
		gv_error(&d, "GV-O001", NULL, "cannot write to standard output");
		goto out;
	}
	rc = 0;
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 1);
	gv_diags_release(&d);
	gv_file_free(f);
	gv_key_free(k);
	gv_buf_release(&stmt);
	gv_buf_release(&env);
	return rc;
}

static int key_sign(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_buf data = GV_BUF_INIT, sigpath = GV_BUF_INIT, comment = GV_BUF_INIT;
	const char *keypath = NULL, *text = NULL, *path, *base;
	gv_key *k = NULL;
	int c, rc = GV_EXIT_INPUT, err;
	gv_getopt g;

	optind = 1;
	gv_opts_getopt(&g, &gv_optcmd_key_sign);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'k': keypath = optarg; break;
		case 'c': text = optarg; break;
		case 'h': gv_opts_help(stdout, &gv_optcmd_key_sign); return 0;
		default: gv_opts_help(stderr, &gv_optcmd_key_sign); return GV_EXIT_INPUT;
		}
	}
	if (!keypath || optind != argc - 1) {
		fprintf(stderr, "govgate: key sign: --key KEY and one FILE are required\n");
		return GV_EXIT_INPUT;
	}
	path = argv[optind];
	if (gv_key_load_private(&k, keypath, &d) < 0)
		goto out;
	err = gv_buf_read_file(&data, path, (size_t)1 << 30);
	if (err == GV_ELIMIT) {
		gv_error(&d, "GV-E001", path, "larger than 1 GiB");
		goto out;
	} else if (err < 0) {
		gv_error(&d, "GV-E001", path, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (text) {
		gv_buf_puts(&comment, text);
	} else {
		base = strrchr(path, '/');
		gv_buf_printf(&comment, "timestamp:%lld\tfile:%s", (long long)time(NULL),
			      base ? base + 1 : path);
	}
	gv_buf_printf(&sigpath, "%s.minisig", path);
	if (gv_minisign_write(sigpath.ptr, data.ptr, data.len, comment.ptr, k, &d) < 0)
		goto out;
	rc = 0;
out:
	gv_diags_print(&d, stderr, gv_cmd_color(2), 0);
	gv_diags_release(&d);
	gv_key_free(k);
	gv_buf_release(&data);
	gv_buf_release(&sigpath);
	gv_buf_release(&comment);
	return rc;
}

int cmd_key(int argc, char **argv)
{
	static const gv_cmd verbs[] = {
		{ "id", key_id, "print the key id of a .pub or .key file" },
		{ "export", key_export, "print the public key in minisign's format" },
		{ "sign-statement", key_sign_statement,
		  "sign a Statement JSON file as a DSSE envelope (testing, re-signing)" },
		{ "sign", key_sign, "write FILE.minisig, a minisign signature (testing, scripting)" },
		{ NULL, NULL, NULL }
	};

	if (argc < 2) {
		gv_opts_help(stderr, &gv_optcmd_key);
		return GV_EXIT_INPUT;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		gv_opts_help(stdout, &gv_optcmd_key);
		return 0;
	}
	return gv_cmd_dispatch(verbs, "govgate key", argc - 1, argv + 1);
}
