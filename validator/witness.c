/*
 * witness.c: cosignature/v1 lines, checking them, and the offline witness
 * (see witness.h). Notes are parsed strictly by note.c first
 * (gv_note_signers); this file then only splits the already valid lines.
 */
#include "witness.h"
#include "alloc.h"
#include "atomic.h"
#include "base64.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"
#include "merkle.h"
#include "note.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define CODE_COSIG "GV-C001"    /* a cosignature does not verify, or too few */
#define CODE_REFUSE "GV-C002"   /* the witness refuses: fork, rollback, unknown log */
#define CODE_INPUT "GV-C003"    /* usage, malformed input, state */

static const char em_dash[] = "\xe2\x80\x94 ";
#define COSIG_LEN (4 + 8 + GV_ED25519_SIG_LEN)

uint32_t gv_cosig_key_id(const char *name, const unsigned char pub[GV_ED25519_PUB_LEN])
{
	unsigned char h[GV_SHA256_LEN];
	gv_sha256_ctx *c = gv_sha256_new();
	static const unsigned char sep[2] = { '\n', GV_COSIG_ALG };

	gv_sha256_update(c, name, strlen(name));
	gv_sha256_update(c, sep, 2);
	gv_sha256_update(c, pub, GV_ED25519_PUB_LEN);
	gv_sha256_final(c, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

char *gv_cosig_verifier_key(const char *name, const gv_key *k)
{
	unsigned char key[1 + GV_ED25519_PUB_LEN];
	gv_buf b = GV_BUF_INIT;

	key[0] = GV_COSIG_ALG;
	gv_key_raw_public(k, key + 1);
	gv_buf_printf(&b, "%s+%08" PRIx32 "+", name, gv_cosig_key_id(name, key + 1));
	gv_base64_encode(&b, key, sizeof(key));
	return gv_buf_detach(&b);
}

char *gv_cosig_message(const char *body, size_t body_len, uint64_t ts, size_t *len)
{
	gv_buf b = GV_BUF_INIT;

	gv_buf_printf(&b, GV_COSIG_HEADER "\ntime %" PRIu64 "\n", ts);
	gv_buf_add(&b, body, body_len);
	*len = b.len;
	return gv_buf_detach(&b);
}

int gv_cosig_line(char **out, const char *body, size_t body_len, const char *name,
		  const gv_key *k, uint64_t ts, gv_diags *d)
{
	unsigned char sig[COSIG_LEN], pub[GV_ED25519_PUB_LEN];
	gv_buf b = GV_BUF_INIT;
	uint32_t id;
	size_t mlen;
	char *msg;
	int i, err;

	*out = NULL;
	if (!gv_note_name_valid(name))
		return gv_error(d, CODE_INPUT, NULL, "'%s' is not a valid witness name", name),
		       GV_EPARSE;
	if (ts > INT64_MAX)
		return gv_error(d, CODE_INPUT, NULL, "timestamp out of range"), GV_EPARSE;
	gv_key_raw_public(k, pub);
	id = gv_cosig_key_id(name, pub);
	for (i = 0; i < 4; i++)
		sig[i] = (unsigned char)(id >> (24 - 8 * i));
	for (i = 0; i < 8; i++)
		sig[4 + i] = (unsigned char)(ts >> (56 - 8 * i));
	msg = gv_cosig_message(body, body_len, ts, &mlen);
	err = gv_sign(k, msg, mlen, sig + 12);
	free(msg);
	if (err < 0)
		return gv_error(d, CODE_COSIG, NULL, "cosigning failed"), GV_ESIG;
	gv_buf_puts(&b, em_dash);
	gv_buf_puts(&b, name);
	gv_buf_putc(&b, ' ');
	gv_base64_encode(&b, sig, sizeof(sig));
	gv_buf_putc(&b, '\n');
	*out = gv_buf_detach(&b);
	return GV_OK;
}

/* --- reading a note's signature lines ------------------------------------ */

/* The length of the note's body (text, final newline included), or 0. */
static size_t body_len(const char *note, size_t len)
{
	size_t i;

	for (i = len; i >= 2; i--)
		if (note[i - 1] == '\n' && note[i - 2] == '\n')
			return i - 1;
	return 0;
}

/*
 * Calls fn for each signature line of a note that gv_note_signers already
 * accepted: the line, its name and its decoded bytes.
 */
static int each_line(const char *note, size_t len, size_t blen,
		     int (*fn)(void *ctx, const char *line, size_t linelen, const char *name,
			       size_t namelen, const unsigned char *sig, long siglen),
		     void *ctx)
{
	const char *p = note + blen + 1, *end = note + len;
	int err = GV_OK;

	while (p < end && err == GV_OK) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *sp = memchr(p + 4, ' ', (size_t)(nl - p - 4));
		size_t blen64 = (size_t)(nl - sp - 1);
		unsigned char *sig = gv_xmalloc(blen64 + 1);
		long n = gv_note_b64_decode(sig, blen64, sp + 1, blen64);
		err = fn(ctx, p, (size_t)(nl - p) + 1, p + 4, (size_t)(sp - p - 4), sig, n);
		free(sig);
		p = nl + 1;
	}
	return err;
}

static int strict(const char *note, size_t len, const char *file, size_t *blen, gv_diags *d)
{
	gv_note_signer *v = NULL;
	size_t n = 0;
	int err = gv_note_signers(note, len, &v, &n, file, d);

	gv_note_signers_free(v, n);
	if (err < 0)
		return err;
	*blen = body_len(note, len);
	return GV_OK;
}

/* --- checking cosignatures ----------------------------------------------- */

int gv_witness_list_load(gv_witness_list *l, const char *const *specs, size_t n,
			 const char *min_spec, gv_diags *d)
{
	size_t i, j;
	int err;

	memset(l, 0, sizeof(*l));
	if (!n && min_spec)
		return gv_error(d, CODE_INPUT, NULL, "--min-witnesses needs at least one --witness "
				"NAME=PUB"), GV_EPARSE;
	if (n > GV_WITNESS_MAX)
		return gv_error(d, CODE_INPUT, NULL, "more than %d --witness options", GV_WITNESS_MAX),
		       GV_EPARSE;
	for (i = 0; i < n; i++) {
		const char *eq = strchr(specs[i], '=');
		char *name;
		if (!eq || eq == specs[i] || !eq[1]) {
			err = (gv_error(d, CODE_INPUT, NULL, "--witness '%s' is not NAME=PUBLIC-KEY-FILE",
					specs[i]), GV_EPARSE);
			goto fail;
		}
		name = gv_xstrndup(specs[i], (size_t)(eq - specs[i]));
		l->names[l->n] = name;
		l->keys[l->n++] = NULL;
		if (!gv_note_name_valid(name)) {
			err = (gv_error(d, CODE_INPUT, NULL, "--witness '%s': '%s' is not a valid key name",
					specs[i], name), GV_EPARSE);
			goto fail;
		}
		for (j = 0; j + 1 < l->n; j++)
			if (!strcmp(l->names[j], name)) {
				err = (gv_error(d, CODE_INPUT, NULL, "--witness names '%s' twice", name),
				       GV_EPARSE);
				goto fail;
			}
		if ((err = gv_key_load_public(&l->keys[l->n - 1], eq + 1, d)) < 0)
			goto fail;
	}
	l->min = n;
	if (min_spec) {
		char *end;
		unsigned long v;
		errno = 0;
		v = strtoul(min_spec, &end, 10);
		if (!*min_spec || *end || errno || *min_spec == '-' || *min_spec == '+' || v < 1 ||
		    v > n) {
			err = (gv_error(d, CODE_INPUT, NULL, "--min-witnesses '%s' is not a number from 1 "
					"to the %zu witness%s named", min_spec, n, n == 1 ? "" : "es"),
			       GV_EPARSE);
			goto fail;
		}
		l->min = v;
	}
	return GV_OK;
fail:
	gv_witness_list_release(l);
	return err;
}

void gv_witness_list_release(gv_witness_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->names[i]);
		gv_key_free(l->keys[i]);
	}
	memset(l, 0, sizeof(*l));
}

typedef struct check_ctx {
	const gv_witness_list *l;
	const char *note, *file;
	size_t blen;
	uint32_t ids[GV_WITNESS_MAX];
	int ok[GV_WITNESS_MAX];
	gv_diags *d;
} check_ctx;

static int check_line(void *ctx, const char *line, size_t linelen, const char *name,
		      size_t namelen, const unsigned char *sig, long siglen)
{
	check_ctx *c = ctx;
	gv_diags *d = c->d;
	size_t i;

	for (i = 0; i < c->l->n; i++) {
		uint64_t ts = 0;
		uint32_t id;
		size_t mlen;
		char *msg;
		int j, good;
		if (strlen(c->l->names[i]) != namelen || memcmp(c->l->names[i], name, namelen) ||
		    siglen < 4)
			continue;
		id = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 | sig[3];
		if (id != c->ids[i])
			continue;   /* the same name under another key or type: not ours */
		if (siglen != COSIG_LEN || (sig[4] & 0x80))
			return gv_error(d, CODE_COSIG, c->file, "cosignature by witness '%s' (key id "
					"%08" PRIx32 ") is not a cosignature/v1 timestamp and signature",
					c->l->names[i], id), GV_ESIG;
		for (j = 0; j < 8; j++)
			ts = ts << 8 | sig[4 + j];
		msg = gv_cosig_message(c->note, c->blen, ts, &mlen);
		good = gv_verify(c->l->keys[i], msg, mlen, sig + 12) == GV_OK;
		free(msg);
		if (!good)
			return gv_error(d, CODE_COSIG, c->file, "cosignature by witness '%s' (key id "
					"%08" PRIx32 ") does not verify", c->l->names[i], id), GV_ESIG;
		c->ok[i] = 1;
	}
	return GV_OK;
}

int gv_witness_check(const gv_witness_list *l, const char *note, size_t len, const char *file,
		     size_t *count, gv_diags *d)
{
	check_ctx c = { l, note, file, 0, { 0 }, { 0 }, d };
	size_t i, n = 0;
	int err;

	if (count)
		*count = 0;
	if (!l->n)
		return GV_OK;
	if ((err = strict(note, len, file, &c.blen, d)) < 0)
		return err;
	for (i = 0; i < l->n; i++) {
		unsigned char pub[GV_ED25519_PUB_LEN];
		gv_key_raw_public(l->keys[i], pub);
		c.ids[i] = gv_cosig_key_id(l->names[i], pub);
	}
	if ((err = each_line(note, len, c.blen, check_line, &c)) < 0)
		return err;
	for (i = 0; i < l->n; i++)
		n += (size_t)c.ok[i];
	if (count)
		*count = n;
	if (n < l->min) {
		gv_buf who = GV_BUF_INIT;
		for (i = 0; i < l->n; i++)
			if (!c.ok[i])
				gv_buf_printf(&who, "%s'%s'", who.len ? ", " : "", l->names[i]);
		gv_error(d, CODE_COSIG, file, "the checkpoint has %zu valid cosignature%s from the "
			 "named witnesses, %zu required (--min-witnesses); none from %s", n,
			 n == 1 ? "" : "s", l->min, who.ptr);
		gv_buf_release(&who);
		return GV_ESIG;
	}
	return GV_OK;
}

typedef struct has_ctx {
	const char *in;
	size_t len, missing;
} has_ctx;

static int has_line(void *ctx, const char *line, size_t linelen, const char *name,
		    size_t namelen, const unsigned char *sig, long siglen)
{
	has_ctx *h = ctx;
	const char *p = h->in, *end = h->in + h->len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (n == linelen && !memcmp(p, line, n))
			return GV_OK;
		p += n;
	}
	h->missing++;
	return GV_OK;
}

int gv_witness_same_checkpoint(const char *note, size_t len, const char *cosigned, size_t clen,
			       const char *file, gv_diags *d)
{
	size_t blen, cblen;
	has_ctx h;
	int err;

	if ((err = strict(note, len, NULL, &blen, d)) < 0 ||
	    (err = strict(cosigned, clen, file, &cblen, d)) < 0)
		return err;
	if (blen != cblen || memcmp(note, cosigned, blen))
		return gv_error(d, CODE_COSIG, file, "not the same checkpoint (another text: another "
				"origin, size or root)"), GV_ESIG;
	h.in = cosigned + cblen + 1;
	h.len = clen - cblen - 1;
	h.missing = 0;
	each_line(note, len, blen, has_line, &h);
	if (h.missing)
		return gv_error(d, CODE_COSIG, file, "the same checkpoint text, but %zu of its "
				"signature lines %s missing (a witness replaces its own older line)",
				h.missing, h.missing == 1 ? "is" : "are"), GV_ESIG;
	return GV_OK;
}

/* --- the witness --------------------------------------------------------- */

typedef struct keep_ctx {
	gv_buf *out;
	const char *name;
	uint32_t id;
} keep_ctx;

/* Copies every signature line but an older one by this witness. */
static int keep_line(void *ctx, const char *line, size_t linelen, const char *name,
		     size_t namelen, const unsigned char *sig, long siglen)
{
	keep_ctx *k = ctx;

	if (namelen == strlen(k->name) && !memcmp(name, k->name, namelen) && siglen >= 4 &&
	    ((uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 | sig[3]) == k->id)
		return GV_OK;
	gv_buf_add(k->out, line, linelen);
	return GV_OK;
}

static char *state_path(const char *dir, const char *origin)
{
	unsigned char h[GV_SHA256_LEN];
	char hex[2 * GV_SHA256_LEN + 1];
	gv_buf b = GV_BUF_INIT;

	gv_sha256(h, origin, strlen(origin));
	gv_hex(hex, h, sizeof(h));
	gv_buf_printf(&b, "%s/%s", dir, hex);
	return gv_buf_detach(&b);
}

/* The consistency proof from old to c, checked against both roots. */
static int check_proof(const gv_checkpoint *old, const gv_checkpoint *c, const char *proof,
		       size_t proof_len, const char *proof_file, gv_diags *d)
{
	gv_tlog_proof p;
	gv_checkpoint pc = { 0 };
	size_t blen;
	int err;

	if (!proof)
		return gv_error(d, CODE_INPUT, NULL, "'%s' grew from size %" PRIu64 " (last cosigned) "
				"to %" PRIu64 ": give --proof with a consistency proof from %" PRIu64
				" ('govgate audit prove --from %" PRIu64 "')", c->origin, old->size,
				c->size, old->size, old->size), GV_EPARSE;
	if ((err = gv_tlog_proof_parse(&p, proof, proof_len, proof_file, d)) < 0)
		return err;
	if (!p.consistency || p.index != old->size) {
		err = (gv_error(d, CODE_INPUT, proof_file, "not a consistency proof from size %" PRIu64
				" (the size last cosigned for '%s')", old->size, c->origin), GV_EPARSE);
		goto out;
	}
	blen = body_len(p.note, p.note_len);
	if (!blen || (err = gv_checkpoint_parse(&pc, p.note, blen, proof_file, d)) < 0) {
		if (!blen)
			err = (gv_error(d, CODE_INPUT, proof_file, "the proof carries no signed "
					"checkpoint"), GV_EPARSE);
		goto out;
	}
	if (pc.size != c->size || memcmp(pc.root, c->root, GV_HASH_LEN)) {
		err = (gv_error(d, CODE_INPUT, proof_file, "the proof is for a tree of size %" PRIu64
				", not the checkpoint to cosign (size %" PRIu64 ")", pc.size, c->size),
		       GV_EPARSE);
		goto out;
	}
	if (gv_merkle_verify_consistency(old->size, c->size, p.path, p.n, old->root, c->root) !=
	    GV_OK)
		err = (gv_error(d, CODE_REFUSE, proof_file, "fork: '%s' at size %" PRIu64 " is not an "
				"extension of the tree it cosigned at size %" PRIu64 " (the consistency "
				"proof does not verify); refusing to cosign", c->origin, c->size,
				old->size), GV_ESIG);
out:
	gv_checkpoint_release(&pc);
	gv_tlog_proof_release(&p);
	return err;
}

int gv_witness_cosign(char **out, const char *note, size_t len, const char *file,
		      const gv_sync_trust *trust, size_t ntrust, const char *proof,
		      size_t proof_len, const char *proof_file, const char *state_dir,
		      const char *name, const gv_key *wkey, uint64_t now, gv_witness_result *res,
		      gv_diags *d)
{
	gv_checkpoint c = { 0 }, old = { 0 };
	gv_buf prev = GV_BUF_INIT, o = GV_BUF_INIT;
	char *origin = NULL, *sp = NULL, *lockp = NULL, *line = NULL;
	const char *nl;
	size_t i, blen;
	int lockfd = -1, err;

	*out = NULL;
	memset(res, 0, sizeof(*res));
	if (!gv_note_name_valid(name))
		return gv_error(d, CODE_INPUT, NULL, "--name '%s' is not a valid key name", name),
		       GV_EPARSE;
	if ((err = strict(note, len, file, &blen, d)) < 0)
		return err;
	nl = memchr(note, '\n', len);
	origin = gv_xstrndup(note, (size_t)(nl - note));
	for (i = 0; i < ntrust; i++)
		if (!strcmp(trust[i].origin, origin))
			break;
	if (i == ntrust) {
		err = (gv_error(d, CODE_REFUSE, file, "no --trust key for the log '%s'; refusing to "
				"cosign a log this witness does not know", origin), GV_ESIG);
		goto out;
	}
	if ((err = gv_checkpoint_open(&c, note, len, origin, trust[i].key, file, d)) < 0)
		goto out;
	res->size = c.size;
	lockp = gv_xmalloc(strlen(state_dir) + 8);
	sprintf(lockp, "%s/.lock", state_dir);
	if ((lockfd = open(lockp, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    flock(lockfd, LOCK_EX) < 0) {
		err = (gv_error(d, CODE_INPUT, lockp, "cannot lock the witness state: %s",
				strerror(errno)), GV_EIO);
		goto out;
	}
	sp = state_path(state_dir, origin);
	if ((err = gv_buf_read_file(&prev, sp, GV_NOTE_MAX)) == GV_OK) {
		if ((err = gv_checkpoint_open(&old, prev.ptr, prev.len, origin, trust[i].key, sp,
					      d)) < 0)
			goto out;
		res->old_size = old.size;
		if (c.size < old.size) {
			err = (gv_error(d, CODE_REFUSE, file, "fork or rollback: '%s' at size %" PRIu64
					" is smaller than size %" PRIu64 ", which this witness already "
					"cosigned; refusing to cosign", origin, c.size, old.size), GV_ESIG);
			goto out;
		}
		if (c.size == old.size && memcmp(c.root, old.root, GV_HASH_LEN)) {
			err = (gv_error(d, CODE_REFUSE, file, "fork: '%s' at size %" PRIu64 " has another "
					"root than the checkpoint this witness cosigned at that size; "
					"refusing to cosign", origin, c.size), GV_ESIG);
			goto out;
		}
		/* every tree extends the empty one */
		if (c.size > old.size && old.size &&
		    (err = check_proof(&old, &c, proof, proof_len, proof_file, d)) < 0)
			goto out;
	} else if (err == GV_EIO && errno == ENOENT) {
		err = GV_OK;   /* the first checkpoint of this log: trusted on first use */
	} else {
		err = (gv_error(d, CODE_INPUT, sp, "cannot read the witness state: %s",
				strerror(errno)), GV_EIO);
		goto out;
	}
	res->time = now;
	if ((err = gv_cosig_line(&line, note, blen, name, wkey, now, d)) < 0)
		goto out;
	/* the state first: no cosignature leaves without its record */
	if ((err = gv_atomic_write(sp, note, len, 0600, d)) < 0)
		goto out;
	{
		unsigned char pub[GV_ED25519_PUB_LEN];
		keep_ctx k = { &o, name, 0 };
		gv_key_raw_public(wkey, pub);
		k.id = gv_cosig_key_id(name, pub);
		gv_buf_add(&o, note, blen + 1);
		each_line(note, len, blen, keep_line, &k);
		gv_buf_puts(&o, line);
	}
	*out = gv_buf_detach(&o);
out:
	if (lockfd >= 0)
		close(lockfd);
	gv_checkpoint_release(&c);
	gv_checkpoint_release(&old);
	gv_buf_release(&prev);
	gv_buf_release(&o);
	free(origin);
	free(sp);
	free(lockp);
	free(line);
	return err;
}
