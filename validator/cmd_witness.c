/*
 * cmd_witness.c: `govgate witness cosign` (witness.c) and `witness key`.
 * Exit codes:
 *
 *   cosign    0 cosigned (the checkpoint with its cosignature line on
 *             standard output or -o FILE); 1 refused: the log's signature
 *             does not verify, the log is not trusted, or the checkpoint is
 *             smaller than or inconsistent with the one last cosigned (a
 *             fork); 2 usage error, malformed input, unreadable state
 */
#include "atomic.h"
#include "buf.h"
#include "cmd.h"
#include "cli_opts.h"
#include "gv.h"
#include "note.h"
#include "sign.h"
#include "sync.h"
#include "witness.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { OPT_KEY = 1000, OPT_NAME, OPT_TRUST, OPT_STATE, OPT_PROOF, OPT_OUT };

static const gv_opt cosign_opts[] = {
	{ "key", 0, OPT_KEY, "WKEY", "the witness's Ed25519 private key (required)",
	  GV_OPT_FILES },
	{ "name", 0, OPT_NAME, "WNAME", "the witness's name, on its cosignature lines "
	  "(required)", NULL },
	{ "trust", 0, OPT_TRUST, "ORIGIN=PUB", "a log the witness cosigns for, and its key "
	  "(repeatable; required)", NULL },
	{ "state", 0, OPT_STATE, "DIR", "the folder where the last cosigned checkpoint of "
	  "each origin is kept (required)", GV_OPT_DIRS },
	{ "proof", 0, OPT_PROOF, "FILE", "the consistency proof from the last cosigned size "
	  "('govgate audit prove --from OLD')", GV_OPT_FILES },
	{ "output", 'o', OPT_OUT, "FILE", "write the cosigned checkpoint to FILE (atomically) "
	  "instead of standard output", GV_OPT_FILES },
	GV_OPT_HELP,
	GV_OPT_END
};

const gv_optcmd gv_optcmd_witness = {
	"witness", "cosign another site's checkpoints (C2SP tlog-witness, offline)",
	"VERB [options]",
	"A witness cosigns a log's checkpoints after checking that each extends the last "
	"one it cosigned, so a log cannot show two histories to two auditors "
	"(docs/TILES.md).",
	NULL, NULL, NULL, NULL, NULL, NULL
};

const gv_optcmd gv_optcmd_witness_cosign = {
	"witness cosign", "verify a checkpoint, check it extends the last, cosign it",
	"--key WKEY --name WNAME --trust ORIGIN=PUB... --state DIR\n"
	"                              [--proof FILE] [-o FILE] CHECKPOINT",
	"Verifies the log's signature on CHECKPOINT, checks that it extends the checkpoint "
	"last cosigned for its origin (kept in DIR; --proof is the 'govgate audit prove "
	"--from OLD' output), and prints it with a cosignature/v1 line by WKEY added "
	"(c2sp.org/tlog-cosignature).",
	cosign_opts, NULL,
	"0 cosigned; 1 refused (bad or unknown log signature, a smaller or inconsistent "
	"tree: a fork); 2 usage or input error.",
	NULL, GV_OPT_FILES, NULL
};

static const gv_opt key_opts[] = { GV_OPT_HELP, GV_OPT_END };

const gv_optcmd gv_optcmd_witness_key = {
	"witness key", "print the cosigner verifier key of a witness", "NAME PUB",
	"Prints the cosigner vkey (NAME+id+base64(0x04 || key)) of a witness's public key.",
	key_opts, NULL, NULL, NULL, NULL, NULL
};

static int read_input(gv_buf *b, const char *path, size_t max, const char *what, gv_diags *d)
{
	int err = gv_buf_read_file(b, path, max);

	if (err < 0)
		gv_error(d, "GV-C003", path, "cannot read the %s: %s", what,
			 err == GV_ELIMIT ? "too large" : strerror(errno));
	return err;
}

static int witness_cosign(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_sync_trust_list trust = GV_SYNC_TRUST_LIST_INIT;
	gv_buf note = GV_BUF_INIT, proof = GV_BUF_INIT;
	gv_witness_result res;
	const char *key = NULL, *name = NULL, *state = NULL, *proof_file = NULL, *out = NULL;
	const char *tr[GV_SYNC_MAX_TRUST];
	size_t ntr = 0;
	gv_key *k = NULL;
	char *cosigned = NULL;
	struct stat sb;
	int c, err;
	gv_getopt g;

	optind = 1;
	opterr = 0;
	gv_opts_getopt(&g, &gv_optcmd_witness_cosign);
	while ((c = getopt_long(argc, argv, g.shorts, g.longs, NULL)) != -1) {
		switch (c) {
		case 'h':
			gv_opts_help(stdout, &gv_optcmd_witness_cosign);
			return 0;
		case OPT_KEY: key = optarg; break;
		case OPT_NAME: name = optarg; break;
		case OPT_STATE: state = optarg; break;
		case OPT_PROOF: proof_file = optarg; break;
		case 'o':
		case OPT_OUT: out = optarg; break;
		case OPT_TRUST:
			if (ntr == GV_SYNC_MAX_TRUST)
				return gv_cmd_usage_error("witness", "cosign", "too many --trust options");
			tr[ntr++] = optarg;
			break;
		default:
			fprintf(stderr, "govgate: witness cosign: unknown or incomplete option '%s'\n",
				argv[optind - 1]);
			return GV_EXIT_INPUT;
		}
	}
	if (optind != argc - 1)
		return gv_cmd_usage_error("witness", "cosign", "give exactly one CHECKPOINT file");
	if (!key || !name || !state || !ntr)
		return gv_cmd_usage_error("witness", "cosign", "--key, --name, --trust and --state are required");
	if (!gv_note_name_valid(name))
		return gv_cmd_usage_error("witness", "cosign", "--name must be non-empty, without spaces or '+'");
	if (stat(state, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return gv_cmd_usage_error("witness", "cosign", "--state must name an existing folder");
	if ((err = gv_key_load_private(&k, key, &d)) < 0 ||
	    (err = gv_sync_trust_load(&trust, tr, ntr, 1, &d)) < 0 ||
	    (err = read_input(&note, argv[optind], GV_NOTE_MAX, "checkpoint", &d)) < 0 ||
	    (proof_file && (err = read_input(&proof, proof_file, GV_NOTE_MAX + 128 * 46, "proof",
					     &d)) < 0))
		goto out;
	if (out && strcmp(out, "-") && (err = gv_atomic_check(out, &d)) < 0)
		goto out;
	err = gv_witness_cosign(&cosigned, note.ptr, note.len, argv[optind], trust.v, trust.n,
				proof_file ? proof.ptr : NULL, proof.len, proof_file, state, name, k,
				(uint64_t)time(NULL), &res, &d);
	if (err < 0)
		goto out;
	if (!out || !strcmp(out, "-")) {
		fputs(cosigned, stdout);
		err = fflush(stdout) ? GV_EIO : GV_OK;
	} else {
		err = gv_atomic_write(out, cosigned, strlen(cosigned), 0666, &d);
	}
	if (err == GV_OK)
		fprintf(stderr, "govgate: witness %s cosigned size %" PRIu64 " (last cosigned: %" PRIu64
			")\n", name, res.size, res.old_size);
out:
	free(cosigned);
	gv_buf_release(&note);
	gv_buf_release(&proof);
	gv_sync_trust_list_release(&trust);
	gv_key_free(k);
	return gv_cmd_finish(&d, err);
}

static int witness_key(int argc, char **argv)
{
	gv_diags d = GV_DIAGS_INIT;
	gv_key *k = NULL;
	char *vk;
	int err;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		gv_opts_help(stdout, &gv_optcmd_witness_key);
		return 0;
	}
	if (argc != 3)
		return gv_cmd_usage_error("witness", "key", "give NAME and PUB");
	if (!gv_note_name_valid(argv[1]))
		return gv_cmd_usage_error("witness", "key", "NAME must be non-empty, without spaces or '+'");
	if ((err = gv_key_load_public(&k, argv[2], &d)) < 0)
		return gv_cmd_finish(&d, err);
	vk = gv_cosig_verifier_key(argv[1], k);
	printf("%s\n", vk);
	free(vk);
	gv_key_free(k);
	return gv_cmd_finish(&d, GV_OK);
}

static const gv_cmd witness_cmds[] = {
	{ "cosign", witness_cosign, "verify a checkpoint, check it extends the last, cosign it" },
	{ "key", witness_key, "print the cosigner verifier key of a witness" },
	{ NULL, NULL, NULL }
};

int cmd_witness(int argc, char **argv)
{
	return gv_cmd_dispatch(witness_cmds, "govgate witness", argc - 1, argv + 1);
}
