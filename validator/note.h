/*
 * note.h: C2SP signed notes (c2sp.org/signed-note), transparency log
 * checkpoints (c2sp.org/tlog-checkpoint) and proofs (c2sp.org/tlog-proof),
 * with Ed25519 keys only (signature type 0x01).
 *
 *   note      = text ("\n"-terminated lines) "\n" signature-line+
 *   signature = "— " key-name " " base64(key-id[4] || ed25519-sig[64]) "\n"
 *   key id    = SHA-256(key-name || "\n" || 0x01 || public-key[32])[:4]
 *   verifier  = key-name "+" hex(key-id) "+" base64(0x01 || public-key)
 *
 * The verifier string is the form golang.org/x/mod/sumdb/note.NewVerifier
 * accepts, so third-party tools can check our notes.
 *
 * Everything here parses hostile input: notes are bounded (GV_NOTE_MAX
 * bytes, GV_NOTE_MAX_SIGS signature lines), must be valid UTF-8 without
 * control characters other than newline, and base64 must be canonical.
 *
 * Ownership: every char * and gv_hash * handed out is malloc'd and belongs to
 * the caller; *_release() frees the contents of a struct the caller owns.
 * Returns: GV_OK; GV_EPARSE for malformed input; GV_ESIG when no signature
 * by the given key verifies (or one by it fails); details go to the diags
 * with `file` as the location.
 */
#ifndef GV_NOTE_H
#define GV_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "merkle.h"
#include "sign.h"

#define GV_NOTE_MAX (64 * 1024)
#define GV_NOTE_MAX_SIGS 100
#define GV_TLOG_PROOF_HEADER "c2sp.org/tlog-proof@v1"
/* Our own consistency proof: the tlog-proof layout with "old SIZE" for "index". */
#define GV_CONSISTENCY_PROOF_HEADER "govgate.dev/consistency-proof@v1"

/* Whether name is a valid key name: non-empty UTF-8, no Unicode space, no '+'. */
int gv_note_name_valid(const char *name);
uint32_t gv_note_key_id(const char *name, const unsigned char pub[GV_ED25519_PUB_LEN]);
/* "name+hash+key" for the public half of k (malloc'd). */
char *gv_note_verifier_key(const char *name, const gv_key *k);

/*
 * Signs text (which must end in a newline and be a valid note text) with the
 * private key k under name; *out is the whole note, text and signature line.
 */
int gv_note_sign(char **out, const char *text, size_t len, const char *name, const gv_key *k,
		 gv_diags *d);
/*
 * Parses msg strictly and checks the signatures by (name, k): GV_OK when at
 * least one verifies and none by that key fails. Signatures by other keys are
 * ignored, as the spec requires. On success *text_out (if not NULL) is the
 * signed text.
 */
int gv_note_open(char **text_out, const char *msg, size_t len, const char *name,
		 const gv_key *k, const char *file, gv_diags *d);

/*
 * The signature lines of a note that is a whole file, parsed as strictly as
 * gv_note_open does (errors name the file's line) without verifying any:
 * who claims to have signed.
 */
typedef struct gv_note_signer {
	char *name;
	uint32_t id;          /* the 4-byte key id of the signature line */
} gv_note_signer;
int gv_note_signers(const char *msg, size_t len, gv_note_signer **out, size_t *n,
		    const char *file, gv_diags *d);
void gv_note_signers_free(gv_note_signer *v, size_t n);

typedef struct gv_checkpoint {
	char *origin;
	uint64_t size;
	unsigned char root[GV_HASH_LEN];
} gv_checkpoint;

void gv_checkpoint_release(gv_checkpoint *c);
/* The checkpoint text: origin, decimal size and base64 root, one per line. */
char *gv_checkpoint_text(const char *origin, uint64_t size, const unsigned char root[GV_HASH_LEN]);
/* Parses a checkpoint text (not a note); extension lines are accepted and ignored. */
int gv_checkpoint_parse(gv_checkpoint *out, const char *text, size_t len, const char *file,
			gv_diags *d);
/*
 * Opens a signed checkpoint: the key name is the note's origin line, which
 * must equal `origin` when that is not NULL.
 */
int gv_checkpoint_open(gv_checkpoint *out, const char *note, size_t len, const char *origin,
		       const gv_key *k, const char *file, gv_diags *d);

/*
 * A tlog-proof (inclusion; header GV_TLOG_PROOF_HEADER, "index N") or our
 * consistency proof (header GV_CONSISTENCY_PROOF_HEADER, "old N"); `note` is
 * the signed checkpoint, carried verbatim.
 */
typedef struct gv_tlog_proof {
	int consistency;       /* 0: inclusion proof of `index`; 1: from size `index` */
	uint64_t index;
	gv_hash *path;
	size_t n;
	unsigned char *extra;  /* inclusion proofs only; unauthenticated */
	size_t extra_len;
	char *note;
	size_t note_len;
} gv_tlog_proof;

char *gv_tlog_proof_format(const gv_tlog_proof *p);
int gv_tlog_proof_parse(gv_tlog_proof *out, const char *data, size_t len, const char *file,
			gv_diags *d);
void gv_tlog_proof_release(gv_tlog_proof *p);

/* Standard base64 (RFC 4648 section 4) helpers, shared with audit.c. */
void gv_note_b64_encode(char **out, const unsigned char *data, size_t len);
/* Canonical padded base64 only; returns the decoded length or -1. */
long gv_note_b64_decode(unsigned char *out, size_t max, const char *in, size_t len);

#endif
