/*
 * witness.h: witness cosignatures (c2sp.org/tlog-cosignature v1.0.1, the
 * Ed25519 "cosignature/v1" type) and an offline witness after
 * c2sp.org/tlog-witness.
 *
 *   key id     = SHA-256(name || "\n" || 0x04 || ed25519-public-key[32])[:4]
 *   line       = "— " name " " base64(key id || timestamp[8, big-endian] || sig[64])
 *   signed msg = "cosignature/v1\n" "time " decimal(timestamp) "\n" checkpoint-body
 *
 * where the body is the note's text, final newline included, without any
 * signature line. A cosigned checkpoint is still a signed note: readers
 * that do not know the witness ignore its line.
 *
 * The witness keeps, per origin, the last checkpoint it cosigned in its
 * state folder (file: lowercase hex SHA-256 of the origin), replaced
 * atomically under an exclusive lock on STATE/.lock, and cosigns a new
 * checkpoint only when the log's key signed it and it is the same tree or
 * a consistent extension of it (a consistency proof, as `audit prove
 * --from` writes it).
 *
 * Ownership: char * handed out are malloc'd and belong to the caller.
 * Returns: GV_OK; GV_ESIG for a signature that does not verify, a refusal
 * (rollback, fork, unknown log) or too few cosignatures; GV_EPARSE for
 * malformed input; GV_EIO when the state cannot be read or written.
 */
#ifndef GV_WITNESS_H
#define GV_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "sign.h"
#include "sync.h"

#define GV_WITNESS_MAX 16
#define GV_COSIG_ALG 0x04
#define GV_COSIG_HEADER "cosignature/v1"

uint32_t gv_cosig_key_id(const char *name, const unsigned char pub[GV_ED25519_PUB_LEN]);
/* "name+hash+base64(0x04 || key)": the vkey of a cosigner. */
char *gv_cosig_verifier_key(const char *name, const gv_key *k);
/* The message a cosignature at time ts signs over body (malloc'd, *len set). */
char *gv_cosig_message(const char *body, size_t body_len, uint64_t ts, size_t *len);
/* The signature line (with its newline) by private key k under name. */
int gv_cosig_line(char **out, const char *body, size_t body_len, const char *name,
		  const gv_key *k, uint64_t ts, gv_diags *d);

/* Witnesses an auditor requires: --witness NAME=PUB... and --min-witnesses N. */
typedef struct gv_witness_list {
	char *names[GV_WITNESS_MAX];
	gv_key *keys[GV_WITNESS_MAX];
	size_t n;
	size_t min;      /* cosignatures required; 0 when no witness was named */
} gv_witness_list;
#define GV_WITNESS_LIST_INIT { .n = 0 }

/*
 * Parses n specs "NAME=PUBLIC-KEY-FILE" (a valid key name, named once) and
 * min_spec (NULL: every named witness; else 1..n). GV_EPARSE with an error
 * naming the option, or the key loader's code.
 */
int gv_witness_list_load(gv_witness_list *l, const char *const *specs, size_t n,
			 const char *min_spec, gv_diags *d);
void gv_witness_list_release(gv_witness_list *l);

/*
 * Checks the cosignatures on a signed checkpoint note by the witnesses of
 * l: GV_OK when at least l->min verify (*count, if not NULL, says how many
 * did); GV_ESIG when fewer did, or when a line carrying a named witness's
 * name and key id does not verify. Errors name `file`.
 */
int gv_witness_check(const gv_witness_list *l, const char *note, size_t len, const char *file,
		     size_t *count, gv_diags *d);

/*
 * Whether cosigned is a cosigned copy of the checkpoint note: the same
 * body, and every signature line of note among its lines (as a witness's
 * output is). GV_OK, GV_EPARSE for a malformed note, GV_ESIG with an error
 * naming file otherwise.
 */
int gv_witness_same_checkpoint(const char *note, size_t len, const char *cosigned, size_t clen,
			       const char *file, gv_diags *d);

typedef struct gv_witness_result {
	uint64_t old_size, size;   /* last cosigned size (0: none), this checkpoint's */
	uint64_t time;             /* the cosignature's timestamp */
} gv_witness_result;

/*
 * Cosigns a checkpoint note as witness `name` with private key wkey, if its
 * origin is one of trust's, the origin's key signed it, and it extends the
 * checkpoint last cosigned for that origin (proof: a consistency proof from
 * that size, NULL when none was given). *out is the note with its
 * cosignature line added (replacing an older one by the same witness).
 */
int gv_witness_cosign(char **out, const char *note, size_t len, const char *file,
		      const gv_sync_trust *trust, size_t ntrust, const char *proof,
		      size_t proof_len, const char *proof_file, const char *state_dir,
		      const char *name, const gv_key *wkey, uint64_t now, gv_witness_result *res,
		      gv_diags *d);

#endif
