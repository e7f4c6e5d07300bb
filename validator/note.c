/*
 * note.c: C2SP signed notes, checkpoints and tlog-proofs (see note.h).
 * Parsing is strict and bounded: notes come from files an attacker may have
 * written.
 */
#include "note.h"
#include "base64.h"
#include "alloc.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CODE_MALFORMED "GV-N001"
#define CODE_SIG "GV-N002"
/* gv_error() returns GV_ERROR; these return the documented codes. */
#define MALFORMED(...) (gv_error(d, CODE_MALFORMED, __VA_ARGS__), GV_EPARSE)
#define BADSIG(...) (gv_error(d, CODE_SIG, __VA_ARGS__), GV_ESIG)

static const char em_dash[] = "\xe2\x80\x94 ";  /* U+2014 and a space */

void gv_note_b64_encode(char **out, const unsigned char *data, size_t len)
{
	gv_buf b = GV_BUF_INIT;

	gv_base64_encode(&b, data, len);
	*out = gv_buf_detach(&b);
}

/* Notes allow only canonical padded standard base64: base64.c's decoder
 * (which rejects stray bits) with the URL-safe alphabet and missing padding
 * refused first. */
long gv_note_b64_decode(unsigned char *out, size_t max, const char *in, size_t len)
{
	gv_buf b = GV_BUF_INIT;
	long n = -1;

	if (len % 4 || memchr(in, '-', len) || memchr(in, '_', len))
		return -1;
	if (gv_base64_decode(&b, in, len) == GV_OK && b.len <= max) {
		memcpy(out, b.ptr, b.len);
		n = (long)b.len;
	}
	gv_buf_release(&b);
	return n;
}

/*
 * Decodes one UTF-8 sequence at s (n bytes available); returns its length
 * and the code point in *cp, or 0 for an invalid, overlong or surrogate
 * sequence.
 */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, c &= 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, c &= 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Unicode White_Space, as Go's unicode.IsSpace sees it. */
static int is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	       c == 0x205F || c == 0x3000;
}

static int name_valid(const char *name, size_t len)
{
	size_t i = 0;

	if (!len)
		return 0;
	while (i < len) {
		uint32_t c;
		size_t k = utf8_next((const unsigned char *)name + i, len - i, &c);
		if (!k || is_space(c) || c == '+' || c < 0x20)
			return 0;
		i += k;
	}
	return 1;
}

int gv_note_name_valid(const char *name)
{
	return name_valid(name, strlen(name));
}

uint32_t gv_note_key_id(const char *name, const unsigned char pub[GV_ED25519_PUB_LEN])
{
	unsigned char h[GV_SHA256_LEN];
	gv_sha256_ctx *c = gv_sha256_new();
	static const unsigned char sep[2] = { '\n', 0x01 };

	gv_sha256_update(c, name, strlen(name));
	gv_sha256_update(c, sep, 2);
	gv_sha256_update(c, pub, GV_ED25519_PUB_LEN);
	gv_sha256_final(c, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

char *gv_note_verifier_key(const char *name, const gv_key *k)
{
	unsigned char key[1 + GV_ED25519_PUB_LEN];
	gv_buf b = GV_BUF_INIT;

	key[0] = 0x01;
	gv_key_raw_public(k, key + 1);
	gv_buf_printf(&b, "%s+%08" PRIx32 "+", name, gv_note_key_id(name, key + 1));
	gv_base64_encode(&b, key, sizeof(key));
	return gv_buf_detach(&b);
}

/* Valid UTF-8 with no control character but newline (signed-note "Format"). */
static int text_valid(const char *s, size_t len, size_t *bad)
{
	size_t i = 0;

	while (i < len) {
		uint32_t c;
		size_t k = utf8_next((const unsigned char *)s + i, len - i, &c);
		if (!k || (c < 0x20 && c != '\n')) {
			*bad = i;
			return 0;
		}
		i += k;
	}
	return 1;
}

int gv_note_sign(char **out, const char *text, size_t len, const char *name, const gv_key *k,
		 gv_diags *d)
{
	unsigned char sig[4 + GV_ED25519_SIG_LEN], pub[GV_ED25519_PUB_LEN];
	uint32_t id;
	size_t bad;
	gv_buf b = GV_BUF_INIT;
	int err;

	*out = NULL;
	if (!gv_note_name_valid(name))
		return MALFORMED(NULL, "'%s' is not a valid note key name", name);
	if (!len || text[len - 1] != '\n' || !text_valid(text, len, &bad) || len > GV_NOTE_MAX / 2 ||
	    memmem(text, len, "\n\n", 2) || text[0] == '\n')
		return MALFORMED(NULL, "refusing to sign a malformed note text");
	if (!gv_key_is_private(k))
		return BADSIG(NULL, "signing a note needs a private key");
	gv_key_raw_public(k, pub);
	id = gv_note_key_id(name, pub);
	sig[0] = (unsigned char)(id >> 24);
	sig[1] = (unsigned char)(id >> 16);
	sig[2] = (unsigned char)(id >> 8);
	sig[3] = (unsigned char)id;
	if ((err = gv_sign(k, text, len, sig + 4)) < 0)
		return BADSIG(NULL, "signing the note failed");
	gv_buf_add(&b, text, len);
	gv_buf_putc(&b, '\n');
	gv_buf_puts(&b, em_dash);
	gv_buf_puts(&b, name);
	gv_buf_putc(&b, ' ');
	gv_base64_encode(&b, sig, sizeof(sig));
	gv_buf_putc(&b, '\n');
	*out = gv_buf_detach(&b);
	return GV_OK;
}

static const char *rfind2nl(const char *s, size_t len)
{
	size_t i;

	for (i = len - 1; i > 0; i--)
		if (s[i] == '\n' && s[i - 1] == '\n')
			return s + i - 1;
	return NULL;
}

/* The 1-based line of msg that p lies on. */
static uint32_t line_of(const char *msg, const char *p)
{
	uint32_t line = 1;

	for (; msg < p; msg++)
		line += *msg == '\n';
	return line;
}

/* A note that is a whole file (lines) is located by line; one inside another file is not. */
#define MALFORMED_AT(p, ...)                                                              \
	(gv_diag_at(d, GV_SEV_ERROR, CODE_MALFORMED,                                      \
		    (gv_loc){ file, lines ? line_of(msg, (p)) : 0, lines ? 1 : 0 }, __VA_ARGS__), GV_EPARSE)

/*
 * Parses a note strictly and hands each signature line to fn (name, its
 * length, the decoded key id and signature bytes). Errors name the line.
 * fn returns < 0 to stop with that code.
 */
static int note_walk(const char *msg, size_t len, int lines, size_t *textlen, const char *file,
		     gv_diags *d,
		     int (*fn)(void *ctx, const char *name, size_t namelen, uint32_t id,
			       const unsigned char *sig, size_t siglen),
		     void *ctx)
{
	const char *split, *sigs, *end = msg + len;
	size_t bad, nsigs = 0;
	int err;

	if (len > GV_NOTE_MAX)
		return MALFORMED(file, "note is larger than %d bytes", GV_NOTE_MAX);
	if (!text_valid(msg, len, &bad))
		return MALFORMED_AT(msg + bad, "note is not valid UTF-8 text (bad byte at offset %zu)",
				    bad);
	if (len < 2 || !(split = rfind2nl(msg, len)))
		return MALFORMED_AT(len ? end - 1 : end, "note has no signature block (no blank line "
				    "before signature lines)");
	*textlen = (size_t)(split - msg) + 1;
	sigs = split + 2;
	if (sigs == end || end[-1] != '\n')
		return MALFORMED_AT(sigs == end ? split + 1 : sigs, "note signature block is empty or "
				    "unterminated");
	while (sigs < end) {
		const char *nl = memchr(sigs, '\n', (size_t)(end - sigs));
		const char *sp, *b64;
		unsigned char *sig;
		size_t namelen, linelen = (size_t)(nl - sigs);
		long siglen;
		uint32_t id;

		if (++nsigs > GV_NOTE_MAX_SIGS)
			return MALFORMED_AT(sigs, "note has more than %d signatures", GV_NOTE_MAX_SIGS);
		if (linelen < 4 || memcmp(sigs, em_dash, 4))
			return MALFORMED_AT(sigs, "note signature line %zu does not start with an em "
					    "dash", nsigs);
		sp = memchr(sigs + 4, ' ', linelen - 4);
		if (!sp)
			return MALFORMED_AT(sigs, "note signature line %zu has no signature", nsigs);
		namelen = (size_t)(sp - (sigs + 4));
		b64 = sp + 1;
		if (!name_valid(sigs + 4, namelen))
			return MALFORMED_AT(sigs, "note signature line %zu has an invalid key name",
					    nsigs);
		sig = gv_xmalloc((size_t)(nl - b64) + 1);
		siglen = gv_note_b64_decode(sig, (size_t)(nl - b64), b64, (size_t)(nl - b64));
		if (siglen < 5) {
			free(sig);
			return MALFORMED_AT(sigs, "note signature line %zu is not canonical base64 of "
					    "a signature", nsigs);
		}
		id = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 | sig[3];
		err = fn(ctx, sigs + 4, namelen, id, sig + 4, (size_t)siglen - 4);
		free(sig);
		if (err < 0)
			return err;
		sigs = nl + 1;
	}
	return GV_OK;
}

typedef struct open_ctx {
	const char *msg, *name, *file;
	size_t textlen;
	const gv_key *k;
	uint32_t want_id;
	size_t verified;
	gv_diags *d;
} open_ctx;

static int open_sig(void *ctx, const char *name, size_t namelen, uint32_t id,
		    const unsigned char *sig, size_t siglen)
{
	open_ctx *c = ctx;
	gv_diags *d = c->d;

	/* signatures by other keys are ignored, whatever their size */
	if (namelen != strlen(c->name) || memcmp(name, c->name, namelen) || id != c->want_id)
		return GV_OK;
	if (siglen != GV_ED25519_SIG_LEN || gv_verify(c->k, c->msg, c->textlen, sig) != GV_OK)
		return BADSIG(c->file, "signature by '%s' (key id %08" PRIx32 ") does not verify",
			      c->name, c->want_id);
	c->verified++;
	return GV_OK;
}

int gv_note_open(char **text_out, const char *msg, size_t len, const char *name,
		 const gv_key *k, const char *file, gv_diags *d)
{
	unsigned char pub[GV_ED25519_PUB_LEN];
	open_ctx c = { msg, name, file, 0, k, 0, 0, d };
	int err;

	if (text_out)
		*text_out = NULL;
	gv_key_raw_public(k, pub);
	c.want_id = gv_note_key_id(name, pub);
	/* the text length is known before the first signature line is handed over */
	if ((err = note_walk(msg, len, 0, &c.textlen, file, d, open_sig, &c)) < 0)
		return err;
	if (!c.verified)
		return BADSIG(file, "note has no signature by '%s' (key id %08" PRIx32 ")",
				name, c.want_id);
	if (text_out)
		*text_out = gv_xstrndup(msg, c.textlen);
	return GV_OK;
}

typedef struct signers_ctx {
	gv_note_signer *v;
	size_t n, alloc;
} signers_ctx;

static int add_signer(void *ctx, const char *name, size_t namelen, uint32_t id,
		      const unsigned char *sig, size_t siglen)
{
	signers_ctx *c = ctx;

	GV_GROW(c->v, c->alloc, c->n + 1);
	c->v[c->n].name = gv_xstrndup(name, namelen);
	c->v[c->n].id = id;
	c->n++;
	return GV_OK;
}

int gv_note_signers(const char *msg, size_t len, gv_note_signer **out, size_t *n,
		    const char *file, gv_diags *d)
{
	signers_ctx c = { NULL, 0, 0 };
	size_t textlen;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = note_walk(msg, len, 1, &textlen, file, d, add_signer, &c)) < 0) {
		gv_note_signers_free(c.v, c.n);
		return err;
	}
	*out = c.v;
	*n = c.n;
	return GV_OK;
}

void gv_note_signers_free(gv_note_signer *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

void gv_checkpoint_release(gv_checkpoint *c)
{
	free(c->origin);
	memset(c, 0, sizeof(*c));
}

char *gv_checkpoint_text(const char *origin, uint64_t size, const unsigned char root[GV_HASH_LEN])
{
	gv_buf b = GV_BUF_INIT;

	gv_buf_printf(&b, "%s\n%" PRIu64 "\n", origin, size);
	gv_base64_encode(&b, root, GV_HASH_LEN);
	gv_buf_putc(&b, '\n');
	return gv_buf_detach(&b);
}

/* Decimal without leading zeros, at most 2^63 - 1 (Go's int64). */
static int parse_u63(uint64_t *out, const char *s, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (!len || len > 19 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_C(0x7fffffffffffffff) - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int gv_checkpoint_parse(gv_checkpoint *out, const char *text, size_t len, const char *file,
			gv_diags *d)
{
	const char *line[3], *p = text, *end = text + len;
	size_t linelen[3], i, bad;

	memset(out, 0, sizeof(*out));
	if (!len || text[len - 1] != '\n' || !text_valid(text, len, &bad))
		return MALFORMED(file, "checkpoint is not newline-terminated text");
	for (i = 0; i < 3; i++) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (!nl)
			return MALFORMED(file, "checkpoint has fewer than three lines");
		line[i] = p;
		linelen[i] = (size_t)(nl - p);
		p = nl + 1;
	}
	while (p < end) {  /* extension lines: opaque, but non-empty */
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == p)
			return MALFORMED(file, "checkpoint has an empty extension line");
		p = nl + 1;
	}
	if (!linelen[0])
		return MALFORMED(file, "checkpoint origin is empty");
	if (parse_u63(&out->size, line[1], linelen[1]) < 0)
		return MALFORMED(file, "checkpoint tree size '%.*s' is not a decimal number",
				(int)(linelen[1] > 40 ? 40 : linelen[1]), line[1]);
	if (gv_note_b64_decode(out->root, GV_HASH_LEN, line[2], linelen[2]) != GV_HASH_LEN)
		return MALFORMED(file, "checkpoint root hash is not 32 bytes of base64");
	out->origin = gv_xstrndup(line[0], linelen[0]);
	return GV_OK;
}

int gv_checkpoint_open(gv_checkpoint *out, const char *note, size_t len, const char *origin,
		       const gv_key *k, const char *file, gv_diags *d)
{
	const char *nl;
	char *name, *text = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	nl = memchr(note, '\n', len > GV_NOTE_MAX ? GV_NOTE_MAX : len);
	if (!nl || nl == note)
		return MALFORMED(file, "checkpoint has no origin line");
	name = gv_xstrndup(note, (size_t)(nl - note));
	if (origin && strcmp(name, origin)) {
		err = BADSIG(file, "checkpoint origin is '%s', expected '%s'", name,
			       origin);
		goto out;
	}
	if (!gv_note_name_valid(name)) {
		err = MALFORMED(file,
			       "checkpoint origin is not a valid note key name");
		goto out;
	}
	if ((err = gv_note_open(&text, note, len, name, k, file, d)) < 0)
		goto out;
	err = gv_checkpoint_parse(out, text, strlen(text), file, d);
out:
	free(name);
	free(text);
	return err;
}

char *gv_tlog_proof_format(const gv_tlog_proof *p)
{
	gv_buf b = GV_BUF_INIT;
	size_t i;

	gv_buf_puts(&b, p->consistency ? GV_CONSISTENCY_PROOF_HEADER : GV_TLOG_PROOF_HEADER);
	gv_buf_putc(&b, '\n');
	if (!p->consistency && p->extra_len) {
		gv_buf_puts(&b, "extra ");
		gv_base64_encode(&b, p->extra, p->extra_len);
		gv_buf_putc(&b, '\n');
	}
	gv_buf_printf(&b, "%s %" PRIu64 "\n", p->consistency ? "old" : "index", p->index);
	for (i = 0; i < p->n; i++) {
		gv_base64_encode(&b, p->path[i], GV_HASH_LEN);
		gv_buf_putc(&b, '\n');
	}
	gv_buf_putc(&b, '\n');
	gv_buf_add(&b, p->note, p->note_len);
	return gv_buf_detach(&b);
}

void gv_tlog_proof_release(gv_tlog_proof *p)
{
	free(p->path);
	free(p->extra);
	free(p->note);
	memset(p, 0, sizeof(*p));
}

/* Next line of [*p, end) without its newline; -1 when there is no newline. */
static int next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl = *p < end ? memchr(*p, '\n', (size_t)(end - *p)) : NULL;

	if (!nl)
		return -1;
	*line = *p;
	*len = (size_t)(nl - *p);
	*p = nl + 1;
	return 0;
}

int gv_tlog_proof_parse(gv_tlog_proof *out, const char *data, size_t len, const char *file,
			gv_diags *d)
{
	const char *p = data, *end = data + len, *line;
	size_t ll, alloc = 0, bad;
	const char *kw;
	int err = GV_EPARSE;

	memset(out, 0, sizeof(*out));
	if (len > GV_NOTE_MAX + 128 * 46)
		return MALFORMED(file, "proof is too large");
	if (!text_valid(data, len, &bad))
		return MALFORMED(file, "proof is not valid text (bad byte at offset %zu)",
				bad);
	if (next_line(&p, end, &line, &ll) < 0)
		goto bad;
	if (ll == strlen(GV_TLOG_PROOF_HEADER) && !memcmp(line, GV_TLOG_PROOF_HEADER, ll))
		out->consistency = 0;
	else if (ll == strlen(GV_CONSISTENCY_PROOF_HEADER) &&
		 !memcmp(line, GV_CONSISTENCY_PROOF_HEADER, ll))
		out->consistency = 1;
	else {
		gv_error(d, CODE_MALFORMED, file, "not a tlog proof (first line is not '%s')",
			 GV_TLOG_PROOF_HEADER);
		goto out;
	}
	if (next_line(&p, end, &line, &ll) < 0)
		goto bad;
	if (!out->consistency && ll > 6 && !memcmp(line, "extra ", 6)) {
		long n;
		out->extra = gv_xmalloc(ll);
		if ((n = gv_note_b64_decode(out->extra, ll, line + 6, ll - 6)) <= 0)
			goto bad;
		out->extra_len = (size_t)n;
		if (next_line(&p, end, &line, &ll) < 0)
			goto bad;
	}
	kw = out->consistency ? "old " : "index ";
	if (ll <= strlen(kw) || memcmp(line, kw, strlen(kw)) ||
	    parse_u63(&out->index, line + strlen(kw), ll - strlen(kw)) < 0)
		goto bad;
	for (;;) {
		if (next_line(&p, end, &line, &ll) < 0)
			goto bad;
		if (!ll)
			break;
		if (out->n >= 64)
			goto bad;
		GV_GROW(out->path, alloc, out->n + 1);
		if (gv_note_b64_decode(out->path[out->n], GV_HASH_LEN, line, ll) != GV_HASH_LEN)
			goto bad;
		out->n++;
	}
	if (p == end)
		goto bad;
	out->note_len = (size_t)(end - p);
	out->note = gv_xstrndup(p, out->note_len);
	return GV_OK;
bad:
	gv_error(d, CODE_MALFORMED, file, "malformed %s proof", out->consistency ? "consistency" :
		 "tlog inclusion");
out:
	gv_tlog_proof_release(out);
	return err;
}
