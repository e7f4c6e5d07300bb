/*
 * sync.c: sync bundles: the format, export, verified import into a replica,
 * fork detection, status and facts. The database side is sync_store.h (in
 * audit.c); this file never sees SQL. See sync.h and docs/EVIDENCE.md.
 */
#include "sync.h"
#include "alloc.h"
#include "atomic.h"
#include "base64.h"
#include "json_parse.h"
#include "digest.h"
#include "gv.h"
#include "note.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CODE_MALFORMED "GV-S001"  /* the bundle cannot be parsed */
#define CODE_INVALID "GV-S002"    /* it does not verify */
#define CODE_FORK "GV-S003"       /* it contradicts the replica */
#define CODE_USE "GV-S004"        /* it cannot be used here */

/* --- the bundle format ---------------------------------------------------- */

void gv_sync_bundle_release(gv_sync_bundle *b)
{
	free(b->origin);
	free(b->proof);
	free(b->entry);
	free(b->entry_len);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

typedef struct lines {
	const char *p, *end;
	size_t lineno;
	const char *file;
	gv_diags *d;
} lines;

static int malformed(lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int malformed(lines *l, const char *fmt, ...)
{
	gv_loc loc = { l->file, (uint32_t)(l->lineno > UINT32_MAX ? 0 : l->lineno), 0 };
	gv_buf b = GV_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	gv_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	gv_diag_at(l->d, GV_SEV_ERROR, CODE_MALFORMED, loc, "malformed sync bundle: %s", b.ptr);
	gv_buf_release(&b);
	return GV_EPARSE;
}

/* The next "\n"-terminated line (without its newline); -1 at the end or without one. */
static int next_line(lines *l, const char **s, size_t *n)
{
	const char *nl;

	if (l->p >= l->end || !(nl = memchr(l->p, '\n', (size_t)(l->end - l->p))))
		return -1;
	*s = l->p;
	*n = (size_t)(nl - l->p);
	l->p = nl + 1;
	l->lineno++;
	return 0;
}

/* Decimal without sign or leading zeros, at most 2^63 - 1. */
static int parse_u63(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (!n || n > 19 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > INT64_MAX)
		return -1;
	*out = v;
	return 0;
}

/* A "KEY VALUE" line; *val points at VALUE. */
static int keyed(lines *l, const char *key, const char **val, size_t *vlen)
{
	const char *s;
	size_t n, k = strlen(key);

	if (next_line(l, &s, &n) < 0)
		return malformed(l, "truncated before the '%s' line", key);
	if (n < k + 2 || memcmp(s, key, k) || s[k] != ' ')
		return malformed(l, "expected a '%s' line", key);
	*val = s + k + 1;
	*vlen = n - k - 1;
	return GV_OK;
}

static int keyed_u63(lines *l, const char *key, uint64_t *out)
{
	const char *v;
	size_t n;
	int err;

	if ((err = keyed(l, key, &v, &n)) < 0)
		return err;
	if (parse_u63(v, n, out) < 0)
		return malformed(l, "'%s' is not a decimal number below 2^63 without leading zeros",
				 key);
	return GV_OK;
}

static int hash_line(lines *l, const char *s, size_t n, unsigned char out[GV_HASH_LEN])
{
	unsigned char tmp[GV_HASH_LEN + 3];

	if (n != 44 || gv_note_b64_decode(tmp, sizeof(tmp), s, n) != GV_HASH_LEN)
		return malformed(l, "not the canonical base64 of a 32-byte hash");
	memcpy(out, tmp, GV_HASH_LEN);
	return GV_OK;
}

int gv_sync_bundle_parse(gv_sync_bundle *out, const char *data, size_t len, const char *file,
			 gv_diags *d)
{
	lines l;
	const char *s;
	size_t n, i, alloc = 0, alloc2 = 0;
	uint64_t nproof;
	int err;

	memset(out, 0, sizeof(*out));
	if (len > GV_SYNC_MAX_BUNDLE)
		return gv_error(d, CODE_MALFORMED, file, "sync bundle is larger than %zu bytes",
				GV_SYNC_MAX_BUNDLE), GV_ELIMIT;
	out->data = gv_xmalloc(len + 1);
	memcpy(out->data, data, len);
	out->data[len] = '\0';
	l.p = out->data;
	l.end = out->data + len;
	l.lineno = 0;
	l.file = file;
	l.d = d;

	if (next_line(&l, &s, &n) < 0 || n != strlen(GV_SYNC_BUNDLE_HEADER) ||
	    memcmp(s, GV_SYNC_BUNDLE_HEADER, n)) {
		l.lineno = 1;
		err = malformed(&l, "the first line is not '%s'", GV_SYNC_BUNDLE_HEADER);
		goto out;
	}
	if ((err = keyed(&l, "origin", &s, &n)) < 0)
		goto out;
	out->origin = gv_xstrndup(s, n);
	if (n > GV_SYNC_MAX_ORIGIN || strlen(out->origin) != n || !gv_note_name_valid(out->origin)) {
		err = malformed(&l, "the origin is not a valid log origin of at most %d bytes",
				GV_SYNC_MAX_ORIGIN);
		goto out;
	}
	if ((err = keyed_u63(&l, "from", &out->from)) < 0 ||
	    (err = keyed_u63(&l, "to", &out->to)) < 0)
		goto out;
	if (out->to < out->from) {
		err = malformed(&l, "'to' %" PRIu64 " is smaller than 'from' %" PRIu64, out->to,
				out->from);
		goto out;
	}
	if ((err = keyed_u63(&l, "announced", &out->announced)) < 0)
		goto out;
	if (out->announced < out->to) {
		err = malformed(&l, "'announced' %" PRIu64 " is smaller than 'to' %" PRIu64,
				out->announced, out->to);
		goto out;
	}
	if ((err = keyed(&l, "old-root", &s, &n)) < 0 ||
	    (err = hash_line(&l, s, n, out->old_root)) < 0)
		goto out;
	if ((err = keyed_u63(&l, "proof", &nproof)) < 0)
		goto out;
	if (nproof > GV_SYNC_MAX_PROOF) {
		err = malformed(&l, "the proof has more than %d hashes", GV_SYNC_MAX_PROOF);
		goto out;
	}
	out->proof_len = (size_t)nproof;
	out->proof = gv_xcalloc(out->proof_len ? out->proof_len : 1, sizeof(gv_hash));
	for (i = 0; i < out->proof_len; i++) {
		if (next_line(&l, &s, &n) < 0) {
			err = malformed(&l, "truncated in the proof");
			goto out;
		}
		if ((err = hash_line(&l, s, n, out->proof[i])) < 0)
			goto out;
	}
	/* exactly to - from entry lines; never trust the count for an allocation */
	for (i = 0; (uint64_t)i < out->to - out->from; i++) {
		if (next_line(&l, &s, &n) < 0) {
			err = malformed(&l, "truncated after %zu of %" PRIu64 " entries", i,
					out->to - out->from);
			goto out;
		}
		if (n == 0 || s[0] != '{') {
			err = malformed(&l, "entry %" PRIu64 " is not a JSON object line", out->from + i);
			goto out;
		}
		if (n > GV_AUDIT_MAX_ENTRY) {
			err = malformed(&l, "entry %" PRIu64 " is larger than %d bytes", out->from + i,
					GV_AUDIT_MAX_ENTRY);
			goto out;
		}
		GV_GROW(out->entry, alloc, i + 1);
		GV_GROW(out->entry_len, alloc2, i + 1);
		out->entry[i] = s;
		out->entry_len[i] = n;
	}
	out->n = i;
	if (next_line(&l, &s, &n) < 0 || n != 0) {
		err = malformed(&l, "expected an empty line after the %zu entries", out->n);
		goto out;
	}
	out->note = l.p;
	out->note_len = (size_t)(l.end - l.p);
	if (out->note_len == 0) {
		err = malformed(&l, "the checkpoint note is missing");
		goto out;
	}
	if (out->note_len > GV_NOTE_MAX) {
		err = malformed(&l, "the checkpoint note is larger than %d bytes", GV_NOTE_MAX);
		goto out;
	}
	if (memchr(out->note, '\0', out->note_len)) {
		err = malformed(&l, "the checkpoint note holds a NUL byte");
		goto out;
	}
	err = GV_OK;
out:
	if (err < 0)
		gv_sync_bundle_release(out);
	return err;
}

static void b64_hash(gv_buf *out, const unsigned char h[GV_HASH_LEN])
{
	char *s;

	gv_note_b64_encode(&s, h, GV_HASH_LEN);
	gv_buf_puts(out, s);
	free(s);
}

void gv_sync_bundle_format(gv_buf *out, const gv_sync_bundle *b)
{
	size_t i;

	gv_buf_printf(out, "%s\norigin %s\nfrom %" PRIu64 "\nto %" PRIu64 "\nannounced %" PRIu64
		      "\nold-root ", GV_SYNC_BUNDLE_HEADER, b->origin, b->from, b->to, b->announced);
	b64_hash(out, b->old_root);
	gv_buf_printf(out, "\nproof %zu\n", b->proof_len);
	for (i = 0; i < b->proof_len; i++) {
		b64_hash(out, b->proof[i]);
		gv_buf_putc(out, '\n');
	}
	for (i = 0; i < b->n; i++) {
		gv_buf_add(out, b->entry[i], b->entry_len[i]);
		gv_buf_putc(out, '\n');
	}
	gv_buf_putc(out, '\n');
	gv_buf_add(out, b->note, b->note_len);
}

/* --- export --------------------------------------------------------------- */

int gv_sync_export(gv_audit *a, uint64_t since, const char *origin, const gv_key *log_key,
		   const char *path, gv_sync_export_info *info, gv_diags *d)
{
	gv_sync_snapshot snap;
	gv_sync_bundle b;
	gv_buf out = GV_BUF_INIT;
	const char *p, *nl;
	char *signed_note = NULL;
	size_t i;
	int err;

	memset(info, 0, sizeof(*info));
	memset(&b, 0, sizeof(b));
	if (log_key && (err = gv_audit_checkpoint(a, origin, log_key, &signed_note, d)) < 0)
		return err;
	free(signed_note);
	if ((err = gv_sync_store_snapshot(a, since, &snap, d)) < 0)
		return err;
	nl = memchr(snap.note, '\n', strlen(snap.note));
	if (!nl || (size_t)(nl - snap.note) > GV_SYNC_MAX_ORIGIN) {
		err = (gv_error(d, CODE_MALFORMED, gv_audit_path(a), "the latest checkpoint has no "
				"valid origin line"), GV_EPARSE);
		goto out;
	}
	b.origin = gv_xstrndup(snap.note, (size_t)(nl - snap.note));
	b.from = snap.from;
	b.to = snap.size;
	b.announced = snap.log_size;
	memcpy(b.old_root, snap.old_root, GV_HASH_LEN);
	b.proof = snap.proof;
	b.proof_len = snap.proof_len;
	b.n = (size_t)(snap.size - snap.from);
	b.entry = gv_xcalloc(b.n ? b.n : 1, sizeof(*b.entry));
	b.entry_len = gv_xcalloc(b.n ? b.n : 1, sizeof(*b.entry_len));
	for (i = 0, p = snap.entries.ptr; i < b.n; i++) {
		nl = memchr(p, '\n', (size_t)(snap.entries.ptr + snap.entries.len - p));
		b.entry[i] = p;
		b.entry_len[i] = (size_t)(nl - p);
		p = nl + 1;
	}
	b.note = snap.note;
	b.note_len = strlen(snap.note);
	gv_sync_bundle_format(&out, &b);
	if ((err = gv_atomic_write(path, out.ptr, out.len, 0666, d)) < 0)
		goto out;
	snprintf(info->origin, sizeof(info->origin), "%s", b.origin);
	info->from = b.from;
	info->to = b.to;
	info->announced = b.announced;
	info->entries = b.n;
	info->bytes = out.len;
out:
	b.proof = NULL;  /* owned by the snapshot */
	free(b.origin);
	free(b.entry);
	free(b.entry_len);
	gv_buf_release(&out);
	gv_sync_snapshot_release(&snap);
	return err;
}

/* --- import --------------------------------------------------------------- */

/* The tree of the replica's first `from` leaves followed by the bundle's. */
typedef struct combined {
	gv_merkle_src replica;
	uint64_t from;
	const gv_hash *leaves;
	uint64_t n;
} combined;

static int comb_leaf(void *payload, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	combined *c = payload;

	if (index < c->from)
		return c->replica.leaf(c->replica.payload, index, out);
	if (index - c->from >= c->n)
		return GV_ERROR;
	memcpy(out, c->leaves[index - c->from], GV_HASH_LEN);
	return GV_OK;
}

static int comb_subtree(void *payload, unsigned level, uint64_t index,
			unsigned char out[GV_HASH_LEN])
{
	combined *c = payload;

	/* the replica's cache answers for subtrees that lie wholly below from */
	if (level < 63 && ((index + 1) << level) <= c->from)
		return c->replica.subtree(c->replica.payload, level, index, out);
	return 0;
}

/* The key id `govgate key id` prints for a raw public key. */
static void key_id_of(const unsigned char pub[GV_ED25519_PUB_LEN], char out[GV_KEYID_HEX_LEN + 1])
{
	gv_key *k = NULL;

	if (gv_key_from_raw_public(&k, pub) < 0)
		snprintf(out, GV_KEYID_HEX_LEN + 1, "%s", "(invalid key)");
	else
		gv_key_id(k, out);
	gv_key_free(k);
}

/* Appends sync.fork_detected and fills the result; returns GV_ESIG. */
static int fork_found(gv_audit *a, const char *origin, uint64_t size,
		      const unsigned char held[GV_HASH_LEN], const unsigned char theirs[GV_HASH_LEN],
		      const char *file, const char *actor, gv_sync_import_result *res, gv_diags *d)
{
	gv_buf payload = GV_BUF_INIT, hb = GV_BUF_INIT, bb = GV_BUF_INIT;
	int err;

	res->status = GV_SYNC_FORK;
	res->fork_size = size;
	memcpy(res->held_root, held, GV_HASH_LEN);
	memcpy(res->bundle_root, theirs, GV_HASH_LEN);
	b64_hash(&hb, held);
	b64_hash(&bb, theirs);
	gv_buf_puts(&payload, "{\"origin\":");
	gv_buf_json_str(&payload, origin, strlen(origin));
	gv_buf_printf(&payload, ",\"size\":%" PRIu64 ",\"held_root\":\"%s\",\"bundle_root\":\"%s\"}",
		      size, hb.ptr, bb.ptr);
	gv_error(d, CODE_FORK, file, "fork detected: '%s' signed two different roots for tree size "
		 "%" PRIu64 " (held %s, bundle %s); the replica is unchanged", origin, size, hb.ptr,
		 bb.ptr);
	if ((err = gv_audit_append(a, "sync.fork_detected", "", actor, payload.ptr, &res->log_seq,
				   d)) == GV_OK)
		res->log_recorded = true;
	else
		gv_error(d, CODE_FORK, gv_audit_path(a), "the fork could not be recorded in the local "
			 "log");
	gv_buf_release(&payload);
	gv_buf_release(&hb);
	gv_buf_release(&bb);
	return GV_ESIG;
}

static int invalid(gv_diags *d, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int invalid(gv_diags *d, const char *file, const char *fmt, ...)
{
	gv_buf b = GV_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	gv_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	gv_error(d, CODE_INVALID, file, "sync bundle rejected: %s", b.ptr);
	gv_buf_release(&b);
	return GV_ESIG;
}

int gv_sync_import(gv_audit *a, const gv_sync_trust *trust, size_t ntrust, bool rotate_key,
		   const char *data, size_t len, const char *file, const char *actor,
		   gv_sync_import_result *res, gv_diags *d)
{
	static const unsigned char zero[GV_HASH_LEN];
	unsigned char pub[GV_ED25519_PUB_LEN], empty[GV_HASH_LEN], ours[GV_HASH_LEN],
		theirs[GV_HASH_LEN];
	gv_sync_bundle b;
	gv_checkpoint cp;
	gv_replica_state st;
	gv_replica_src_ctx rctx = { a, NULL, d };
	gv_merkle_src rsrc;
	combined comb;
	gv_merkle_src csrc = { comb_leaf, comb_subtree, &comb };
	gv_replica_entry *ents = NULL;
	gv_hash *leaves = NULL, *prevs = NULL;
	gv_replica_write w;
	const gv_key *key = NULL;
	gv_buf payload = GV_BUF_INIT, pinp = GV_BUF_INIT;
	char now[GV_TIME_LEN + 1];
	int64_t now_epoch;
	uint64_t r;
	int err, exists;
	size_t k;

	memset(res, 0, sizeof(*res));
	memset(&cp, 0, sizeof(cp));
	if ((err = gv_sync_bundle_parse(&b, data, len, file, d)) < 0)
		return err;
	snprintf(res->origin, sizeof(res->origin), "%s", b.origin);
	rctx.origin = b.origin;
	rsrc = gv_replica_src(&rctx);

	/* 1. the key trusted for this origin, and the key pinned for it */
	for (k = 0; k < ntrust; k++)
		if (!strcmp(trust[k].origin, b.origin))
			key = trust[k].key;
	if (!key) {
		err = invalid(d, file, "its origin '%s' is not trusted (give --trust %s=PUB)", b.origin,
			      b.origin);
		goto out;
	}
	gv_key_raw_public(key, pub);
	err = gv_replica_get(a, b.origin, &st, d);
	if (err < 0 && err != GV_ENOTFOUND)
		goto out;
	exists = err == GV_OK;
	if (exists && memcmp(st.pub, pub, GV_ED25519_PUB_LEN) && !rotate_key) {
		char was[GV_KEYID_HEX_LEN + 1], given[GV_KEYID_HEX_LEN + 1];
		key_id_of(st.pub, was);
		key_id_of(pub, given);
		err = invalid(d, file, "origin '%s' is pinned to key id %s since its first import, "
			      "but the key given is %s; pass --rotate-key to replace it", b.origin, was,
			      given);
		goto out;
	}
	/* 2. the checkpoint, signed by that key under that origin */
	if ((err = gv_checkpoint_open(&cp, b.note, b.note_len, b.origin, key, file, d)) < 0) {
		if (err == GV_ESIG) {
			char kid[GV_KEYID_HEX_LEN + 1];
			key_id_of(pub, kid);
			invalid(d, file, "its checkpoint is not signed by the key trusted for '%s' "
				"(key id %s)", b.origin, kid);
		}
		goto out;
	}
	if (cp.size != b.to) {
		err = invalid(d, file, "it runs to size %" PRIu64 " but its checkpoint is for size %"
			      PRIu64, b.to, cp.size);
		goto out;
	}
	r = exists ? st.size : 0;
	if (b.from > r) {
		err = (gv_error(d, CODE_USE, file, "the bundle starts at %" PRIu64 " but the replica of "
				"'%s' holds %" PRIu64 " entries; ask for a bundle made with --since %"
				PRIu64, b.from, b.origin, r, r), GV_ERROR);
		goto out;
	}
	/* 3. each entry in its place */
	leaves = gv_xcalloc(b.n ? b.n : 1, sizeof(gv_hash));
	prevs = gv_xcalloc(b.n ? b.n : 1, sizeof(gv_hash));
	ents = gv_xcalloc(b.n ? b.n : 1, sizeof(*ents));
	now_epoch = (int64_t)time(NULL);
	gv_time_format(now, (time_t)now_epoch);
	for (k = 0; k < b.n; k++) {
		const char *why = gv_audit_entry_fields(b.entry[k], b.entry_len[k], b.from + k,
							ents[k].time, ents[k].type, prevs[k]);
		time_t t;
		if (why || gv_time_parse(&t, ents[k].time) < 0) {
			err = invalid(d, file, "entry %" PRIu64 ": %s", b.from + k,
				      why ? why : "its time is not a valid date");
			goto out;
		}
		gv_merkle_leaf_hash(leaves[k], b.entry[k], b.entry_len[k]);
		ents[k].bytes = b.entry[k];
		ents[k].len = b.entry_len[k];
		memcpy(ents[k].hash, leaves[k], GV_HASH_LEN);
		ents[k].latency = now_epoch - t;
	}
	/* 4. the exporter's root at `from`, proved consistent with the signed one */
	if (b.from == 0) {
		gv_sha256(empty, "", 0);
		if (memcmp(b.old_root, empty, GV_HASH_LEN) || b.proof_len) {
			err = invalid(d, file, "a bundle from size 0 must have the empty tree's root and no "
				      "proof");
			goto out;
		}
	} else if (gv_merkle_verify_consistency(b.from, b.to, b.proof, b.proof_len, b.old_root,
						cp.root) != GV_OK) {
		err = invalid(d, file, "its consistency proof from size %" PRIu64 " to %" PRIu64 " does "
			      "not verify against the signed checkpoint", b.from, b.to);
		goto out;
	}
	/* 5. a fork below `from`: our root there is not the one they proved */
	if (exists && b.from > 0) {
		if ((err = gv_merkle_root(ours, &rsrc, b.from)) < 0)
			goto out;
		if (memcmp(ours, b.old_root, GV_HASH_LEN)) {
			err = fork_found(a, b.origin, b.from, ours, b.old_root, file, actor, res, d);
			goto out;
		}
	}
	/* 6. our first `from` leaves and the bundle's make the signed tree */
	comb.replica = rsrc;
	comb.from = b.from;
	comb.leaves = leaves;
	comb.n = b.n;
	if ((err = gv_merkle_root(theirs, &csrc, b.to)) < 0)
		goto out;
	if (memcmp(theirs, cp.root, GV_HASH_LEN)) {
		err = invalid(d, file, "its entries do not make the signed root of size %" PRIu64
			      " (an entry was changed, added or removed)", b.to);
		goto out;
	}
	/* 7. a fork above `from`: the signed tree and ours differ where both exist */
	if (exists && r > b.from) {
		uint64_t m = r < b.to ? r : b.to;
		if ((err = gv_merkle_root(ours, &rsrc, m)) < 0 ||
		    (err = gv_merkle_root(theirs, &csrc, m)) < 0)
			goto out;
		if (memcmp(ours, theirs, GV_HASH_LEN)) {
			err = fork_found(a, b.origin, m, ours, theirs, file, actor, res, d);
			goto out;
		}
	}
	/* 8. the chain: each prev is the hash of the entry before */
	for (k = 0; k < b.n; k++) {
		unsigned char want[GV_HASH_LEN];
		if (k > 0)
			memcpy(want, leaves[k - 1], GV_HASH_LEN);
		else if (b.from == 0)
			memcpy(want, zero, GV_HASH_LEN);
		else if ((err = rsrc.leaf(rsrc.payload, b.from - 1, want)) < 0)
			goto out;
		if (memcmp(prevs[k], want, GV_HASH_LEN)) {
			err = invalid(d, file, "entry %" PRIu64 "'s prev is not the hash of entry %" PRIu64
				      " (the signed log does not chain)", b.from + k, b.from + k - 1);
			goto out;
		}
	}
	if (exists && b.to <= r) {
		res->status = GV_SYNC_UP_TO_DATE;
		res->from = res->to = r;
		err = GV_OK;
		goto out;
	}
	/* 9. verified: write the new entries, the checkpoint and the import */
	memset(&w, 0, sizeof(w));
	w.origin = b.origin;
	memcpy(w.pub, pub, GV_ED25519_PUB_LEN);
	w.pin_key = !exists || memcmp(st.pub, pub, GV_ED25519_PUB_LEN);
	w.exists = exists;
	w.expect_size = r;
	w.entries = ents + (r - b.from);
	w.n = (size_t)(b.to - r);
	w.cp_size = cp.size;
	memcpy(w.cp_root, cp.root, GV_HASH_LEN);
	w.cp_note = b.note;  /* NUL-terminated: the note ends the private copy */
	w.announced = b.announced;
	w.now = now;
	w.actor = actor;
	if (w.pin_key) {
		char kid[GV_KEYID_HEX_LEN + 1], was[GV_KEYID_HEX_LEN + 1];
		gv_buf_puts(&pinp, "{\"origin\":");
		gv_buf_json_str(&pinp, b.origin, strlen(b.origin));
		gv_buf_puts(&pinp, ",\"key\":\"");
		gv_base64_encode(&pinp, pub, GV_ED25519_PUB_LEN);
		key_id_of(pub, kid);
		gv_buf_printf(&pinp, "\",\"keyid\":\"%s\",\"replaces\":", kid);
		if (exists) {
			key_id_of(st.pub, was);
			gv_buf_printf(&pinp, "\"%s\"}", was);
		} else {
			gv_buf_puts(&pinp, "null}");
		}
		w.pin_payload = pinp.ptr;
	}
	gv_buf_puts(&payload, "{\"origin\":");
	gv_buf_json_str(&payload, b.origin, strlen(b.origin));
	gv_buf_printf(&payload, ",\"from\":%" PRIu64 ",\"to\":%" PRIu64 ",\"entries\":%zu,"
		      "\"time\":\"%s\",\"announced\":%" PRIu64 "}", r, b.to, w.n, now, b.announced);
	w.import_payload = payload.ptr;
	if ((err = gv_replica_apply(a, &w, d)) < 0)
		goto out;
	res->status = GV_SYNC_IMPORTED;
	res->from = r;
	res->to = b.to;
	res->entries = w.n;
	res->log_seq = w.import_seq;
	res->log_recorded = true;
	res->pinned = w.pin_key;
out:
	gv_buf_release(&payload);
	gv_buf_release(&pinp);
	gv_checkpoint_release(&cp);
	free(leaves);
	free(prevs);
	free(ents);
	gv_sync_bundle_release(&b);
	return err;
}

/* --- trust and verification --------------------------------------------- */

void gv_sync_trust_list_release(gv_sync_trust_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->origins[i]);
		gv_key_free(l->keys[i]);
	}
	memset(l, 0, sizeof(*l));
}

int gv_sync_trust_load(gv_sync_trust_list *out, const char *const *specs, size_t n, int unique,
		       gv_diags *d)
{
	size_t i, j;
	int err;

	memset(out, 0, sizeof(*out));
	if (n > GV_SYNC_MAX_TRUST)
		return gv_error(d, CODE_USE, NULL, "more than %d --trust options", GV_SYNC_MAX_TRUST),
		       GV_ELIMIT;
	for (i = 0; i < n; i++) {
		const char *eq = strchr(specs[i], '=');
		char *origin;
		if (!eq || eq == specs[i] || !eq[1] || (size_t)(eq - specs[i]) > GV_SYNC_MAX_ORIGIN) {
			err = (gv_error(d, CODE_USE, NULL, "--trust '%s' is not ORIGIN=PUBLIC-KEY-FILE",
					specs[i]), GV_EPARSE);
			goto fail;
		}
		origin = gv_xstrndup(specs[i], (size_t)(eq - specs[i]));
		if (!gv_note_name_valid(origin)) {
			gv_error(d, CODE_USE, NULL, "--trust '%s': '%s' is not a valid log origin",
				 specs[i], origin);
			free(origin);
			err = GV_EPARSE;
			goto fail;
		}
		for (j = 0; unique && j < out->n; j++)
			if (!strcmp(out->origins[j], origin)) {
				gv_error(d, CODE_USE, NULL, "--trust names origin '%s' twice", origin);
				free(origin);
				err = GV_EPARSE;
				goto fail;
			}
		out->origins[out->n] = origin;
		out->keys[out->n] = NULL;
		out->n++;
		if ((err = gv_key_load_public(&out->keys[out->n - 1], eq + 1, d)) < 0)
			goto fail;
		out->v[out->n - 1].origin = origin;
		out->v[out->n - 1].key = out->keys[out->n - 1];
	}
	return GV_OK;
fail:
	gv_sync_trust_list_release(out);
	return err;
}

/* What the local log records about one origin's replica. */
typedef struct log_record {
	const char *origin;
	uint64_t trusted_upto;    /* pins at seq >= this are not trusted keys */
	unsigned char (*pins)[GV_ED25519_PUB_LEN];
	size_t npins, apins;
	gv_key **pinned_keys;     /* the pins below trusted_upto */
	size_t nkeys, akeys;
	gv_replica_import *imports;
	size_t nimports, aimports;
	int bad;                  /* an entry could not be read */
	uint64_t bad_seq;
	gv_diags *d;
} log_record;

static void log_record_release(log_record *r)
{
	size_t i;

	free(r->pins);
	for (i = 0; i < r->nkeys; i++)
		gv_key_free(r->pinned_keys[i]);
	free(r->pinned_keys);
	free(r->imports);
}

/* One sync.key_pinned or sync.imported entry of the local log. */
static int record_entry(void *payload, uint64_t seq, const char *bytes, size_t len)
{
	log_record *r = payload;
	gv_diags tmp = GV_DIAGS_INIT;
	gv_file *f = NULL;
	const gv_node *root, *p, *type;
	const char *origin, *str;
	int ok = 0;

	if (gv_json_parse(&f, "entry", bytes, len, NULL, &tmp) < 0 || !f->ndocs)
		goto out;
	root = f->docs[0];
	p = gv_node_get(root, "payload");
	type = gv_node_get(root, "type");
	if (!p || !type || !type->s || !(origin = gv_node_get_str(p, "origin")))
		goto out;
	if (strcmp(origin, r->origin)) {
		ok = 1;
		goto out;
	}
	if (!strcmp(type->s, "sync.key_pinned")) {
		unsigned char pub[GV_ED25519_PUB_LEN + 3];
		if (!(str = gv_node_get_str(p, "key")) ||
		    gv_note_b64_decode(pub, sizeof(pub), str, strlen(str)) != GV_ED25519_PUB_LEN)
			goto out;
		GV_GROW(r->pins, r->apins, r->npins + 1);
		memcpy(r->pins[r->npins++], pub, GV_ED25519_PUB_LEN);
		if (seq < r->trusted_upto) {
			gv_key *k = NULL;
			if (gv_key_from_raw_public(&k, pub) < 0)
				goto out;
			GV_GROW(r->pinned_keys, r->akeys, r->nkeys + 1);
			r->pinned_keys[r->nkeys++] = k;
		}
		ok = 1;
	} else if (!strcmp(type->s, "sync.imported")) {
		gv_replica_import im;
		memset(&im, 0, sizeof(im));
		im.seq = seq;
		if (gv_node_get_u64(p, "from", &im.from) < 0 || gv_node_get_u64(p, "to", &im.to) < 0 ||
		    gv_node_get_u64(p, "entries", &im.entries) < 0 ||
		    gv_node_get_u64(p, "announced", &im.announced) < 0 ||
		    !(str = gv_node_get_str(p, "time")) ||
		    strlen(str) != GV_TIME_LEN)
			goto out;
		memcpy(im.time, str, GV_TIME_LEN + 1);
		GV_GROW(r->imports, r->aimports, r->nimports + 1);
		r->imports[r->nimports++] = im;
		ok = 1;
	}
out:
	gv_file_free(f);
	gv_diags_release(&tmp);
	if (!ok && !r->bad) {
		r->bad = 1;
		r->bad_seq = seq;
	}
	return 0;
}

/* Reads the pins and imports of origin from the local log. */
static int read_log_record(gv_audit *a, const char *origin, uint64_t trusted_upto,
			   log_record *r, gv_diags *d)
{
	static const char *const types[] = { "sync.key_pinned", "sync.imported" };
	gv_audit_filter f;
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	r->origin = origin;
	r->trusted_upto = trusted_upto;
	r->d = d;
	for (i = 0; i < 2; i++) {
		memset(&f, 0, sizeof(f));
		f.type = types[i];
		if ((err = gv_audit_each(a, &f, record_entry, r, d)) < 0)
			return err;
	}
	if (r->bad)
		return gv_error(d, CODE_INVALID, gv_audit_path(a), "entry %" PRIu64 " of the log is "
				"not a well-formed sync record", r->bad_seq), GV_ESIG;
	return GV_OK;
}

/*
 * Verifies the replica of origin under the keys given for it in trust, or
 * else the keys the local log pinned in entries below trusted_upto.
 * *verified: 1 when every entry lies under a checkpoint by such a key.
 */
static int verify_replica(gv_audit *a, const char *origin, const gv_sync_trust_list *trust,
			  uint64_t trusted_upto, gv_audit_result *res, const char **why,
			  log_record *keep, gv_diags *d)
{
	const gv_key *keys[GV_SYNC_MAX_TRUST];
	gv_replica_expect ex;
	log_record r;
	size_t nkeys = 0, i;
	int err;

	memset(res, 0, sizeof(*res));
	*why = NULL;
	if ((err = read_log_record(a, origin, trusted_upto, &r, d)) < 0)
		goto out;
	for (i = 0; trust && i < trust->n; i++)
		if (!strcmp(trust->v[i].origin, origin))
			keys[nkeys++] = trust->v[i].key;
	memset(&ex, 0, sizeof(ex));
	ex.keys = nkeys ? keys : (const gv_key *const *)r.pinned_keys;
	ex.nkeys = nkeys ? nkeys : r.nkeys;
	ex.pins = (const unsigned char(*)[GV_ED25519_PUB_LEN])r.pins;
	ex.npins = r.npins;
	ex.imports = r.imports;
	ex.nimports = r.nimports;
	if (!ex.nkeys) {
		*why = "no key is trusted for it: give --trust ORIGIN=PUB, or the local log's key "
		       "with a signed checkpoint covering its sync.key_pinned entry";
		err = GV_ESIG;
		goto out;
	}
	err = gv_replica_verify(a, origin, &ex, res, d);
	if (err == GV_OK && res->foreign) {
		gv_error(d, CODE_INVALID, gv_audit_path(a), "replica '%s': %s", origin,
			 res->foreign_msg);
		*why = "a checkpoint is not signed by any key trusted for it";
		err = GV_ESIG;
	} else if (err == GV_OK && res->covered < res->entries) {
		*why = "some entries lie under no checkpoint signed by a key trusted for it";
		err = GV_ESIG;
	}
out:
	if (keep && err == GV_OK)
		*keep = r;
	else
		log_record_release(&r);
	return err;
}

typedef struct origin_set {
	char **v;
	size_t n, alloc;
} origin_set;

static void origin_add(origin_set *o, const char *origin)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (!strcmp(o->v[i], origin))
			return;
	GV_GROW(o->v, o->alloc, o->n + 1);
	o->v[o->n++] = gv_xstrdup(origin);
}

/* The origin of a sync record entry of the local log. */
static int add_logged_origin(void *payload, uint64_t seq, const char *bytes, size_t len)
{
	gv_diags tmp = GV_DIAGS_INIT;
	gv_file *f = NULL;
	const char *origin;

	if (gv_json_parse(&f, "entry", bytes, len, NULL, &tmp) == 0 && f->ndocs &&
	    (origin = gv_node_get_str(gv_node_get(f->docs[0], "payload"), "origin")))
		origin_add(payload, origin);
	gv_file_free(f);
	gv_diags_release(&tmp);
	return 0;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/*
 * Every origin the database holds replica rows of, or the local log says it
 * pinned or imported: a replica whose rows were deleted is still checked.
 */
static int all_origins(gv_audit *a, char ***out, size_t *n, gv_diags *d)
{
	static const char *const types[] = { "sync.key_pinned", "sync.imported" };
	origin_set o = { NULL, 0, 0 };
	gv_audit_filter f;
	char **rows = NULL;
	size_t nrows = 0, i;
	int err;

	if ((err = gv_replica_list(a, &rows, &nrows, d)) < 0)
		return err;
	for (i = 0; i < nrows; i++)
		origin_add(&o, rows[i]);
	gv_replica_list_free(rows, nrows);
	for (i = 0; i < 2; i++) {
		memset(&f, 0, sizeof(f));
		f.type = types[i];
		if ((err = gv_audit_each(a, &f, add_logged_origin, &o, d)) < 0) {
			gv_replica_list_free(o.v, o.n);
			return err;
		}
	}
	if (o.n)
		qsort(o.v, o.n, sizeof(*o.v), cmp_str);
	*out = o.v;
	*n = o.n;
	return GV_OK;
}

int gv_sync_verify_replicas(gv_audit *a, const gv_sync_trust_list *trust, uint64_t trusted_upto,
			    gv_buf *report, gv_diags *d)
{
	gv_audit_result res;
	char **origins = NULL;
	size_t n = 0, i;
	int err, worst = GV_OK;

	if ((err = all_origins(a, &origins, &n, d)) < 0)
		return err;
	for (i = 0; i < n; i++) {
		const char *why;
		size_t k, given = 0;
		for (k = 0; trust && k < trust->n; k++)
			given += !strcmp(trust->v[k].origin, origins[i]);
		err = verify_replica(a, origins[i], trust, trusted_upto, &res, &why, NULL, d);
		if (err == GV_OK)
			gv_buf_printf(report, "replica '%s' intact: %" PRIu64 " entries, all covered by "
				      "checkpoints signed by %s (%" PRIu64 " checkpoint signatures "
				      "verified)\n", origins[i], res.entries,
				      given ? "a key given with --trust" : "a key pinned in the log",
				      res.checkpoints);
		else if (err == GV_ESIG && why)
			gv_buf_printf(report, "replica '%s' NOT VERIFIED: %s\n", origins[i], why);
		else if (err == GV_ESIG)
			gv_buf_printf(report, "replica '%s' TAMPERED\n", origins[i]);
		/* tampering outranks a replica that cannot be read */
		if (err == GV_ESIG)
			worst = GV_ESIG;
		else if (err < 0 && worst == GV_OK)
			worst = err;
	}
	gv_replica_list_free(origins, n);
	return worst;
}

/* --- status and facts ----------------------------------------------------- */

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

int64_t gv_sync_percentile(int64_t *v, size_t n, double pct)
{
	size_t rank;
	double r;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_i64);
	r = pct / 100.0 * (double)n;
	rank = (size_t)r;
	if ((double)rank < r)
		rank++;
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

/*
 * The entries of the local log below which its sync.key_pinned entries are
 * trusted: those a checkpoint signed by log_pub covers (0 without a key).
 */
static int pins_trusted_upto(gv_audit *a, const gv_key *log_pub, uint64_t *upto, gv_diags *d)
{
	gv_audit_result res;
	int err;

	*upto = 0;
	if (!log_pub)
		return GV_OK;
	if ((err = gv_audit_verify(a, log_pub, NULL, 0, NULL, &res, d)) < 0)
		return err;
	*upto = res.covered;
	return GV_OK;
}

int gv_sync_status_get(gv_sync_status *out, gv_audit *a, const char *origin,
		       const gv_sync_keys *keys, gv_diags *d)
{
	gv_replica_state st;
	gv_audit_result res;
	int64_t *lat = NULL, now = (int64_t)time(NULL);
	const char *why;
	const gv_sync_trust_list *trust = keys ? keys->trust : NULL;
	const gv_key *log_pub = keys ? keys->log_pub : NULL;
	log_record r;
	uint64_t upto, held = 0;
	size_t n = 0, i;
	time_t t;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(out->origin, sizeof(out->origin), "%s", origin);
	if ((err = gv_replica_get(a, origin, &st, d)) < 0)
		return err;
	/* nothing unverified reaches a status, a metric or a fact */
	if ((err = pins_trusted_upto(a, log_pub, &upto, d)) < 0)
		return err;
	memset(&r, 0, sizeof(r));
	if ((err = verify_replica(a, origin, trust, upto, &res, &why, &r, d)) < 0) {
		if (err == GV_ESIG)
			gv_error(d, CODE_INVALID, gv_audit_path(a), "the replica of '%s' does not "
				 "verify%s%s; run 'govgate audit verify'", origin, why ? ": " : "",
				 why ? why : "");
		return err;
	}
	/*
	 * With the local log's key, the import records count only when a
	 * checkpoint signed by it covers their sync.imported entries (the
	 * replica rows were checked against those entries): an import in the
	 * unsigned tail is not counted, nor are the latencies of the entries
	 * it brought or the time it brought the latest replica checkpoint,
	 * until a checkpoint covers it.
	 */
	if (log_pub) {
		st.imports = 0;
		st.last_import[0] = '\0';
		st.announced = 0;
		st.cp_imported[0] = '\0';
		for (i = 0; i < r.nimports; i++) {
			if (r.imports[i].seq >= upto)
				continue;
			st.imports++;
			/* the import that brought the latest checkpoint */
			if (st.has_checkpoint && !st.cp_imported[0] && r.imports[i].to >= st.cp_size)
				memcpy(st.cp_imported, r.imports[i].time, sizeof(st.cp_imported));
			memcpy(st.last_import, r.imports[i].time, sizeof(st.last_import));
			st.announced = r.imports[i].announced;
			if (r.imports[i].to > held)
				held = r.imports[i].to;
		}
	}
	log_record_release(&r);
	if ((err = gv_replica_latencies(a, origin, &lat, &n, d)) < 0)
		return err;
	if (log_pub && n > held)
		n = (size_t)held;
	out->entries = st.size;
	out->has_checkpoint = st.has_checkpoint;
	out->cp_size = st.cp_size;
	memcpy(out->cp_imported, st.cp_imported, sizeof(out->cp_imported));
	memcpy(out->last_import, st.last_import, sizeof(out->last_import));
	out->imports = st.imports;
	out->announced = st.announced;
	out->lag_checkpoint = st.cp_size > st.size ? st.cp_size - st.size : 0;
	/* signed data only: the announced size is the exporter's unsigned claim */
	out->lag_entries = out->lag_checkpoint;
	if (st.last_import[0] && gv_time_parse(&t, st.last_import) == 0) {
		out->has_since_import = true;
		out->since_last_import = now - (int64_t)t;
	}
	if (st.size && (err = gv_replica_newest_time(a, origin, out->newest_entry, d)) < 0) {
		free(lat);
		return err;
	}
	if (out->newest_entry[0] && gv_time_parse(&t, out->newest_entry) == 0) {
		out->has_newest_age = true;
		out->newest_entry_age = now - (int64_t)t;
	}
	if (n) {
		out->has_latency = true;
		out->latency_last = lat[n - 1];
		out->latency_p95 = gv_sync_percentile(lat, n, 95);
	}
	free(lat);
	return GV_OK;
}

int gv_sync_facts_get(gv_sync_facts *out, gv_audit *a, const char *origin,
		      const gv_sync_keys *keys, gv_diags *d)
{
	gv_sync_status s;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(out->origin, sizeof(out->origin), "%s", origin);
	err = gv_sync_status_get(&s, a, origin, keys, d);
	if (err == GV_ENOTFOUND)
		return GV_OK;
	if (err < 0)
		return err;
	out->enabled = true;
	out->lag_entries = s.lag_entries;
	out->has_latency = s.has_latency;
	out->sync_latency_seconds = s.latency_last;
	out->sync_latency_p95_seconds = s.latency_p95;
	memcpy(out->last_import, s.last_import, sizeof(out->last_import));
	out->has_since_import = s.has_since_import;
	out->since_last_import_seconds = s.since_last_import;
	out->has_newest_age = s.has_newest_age;
	out->newest_entry_age_seconds = s.newest_entry_age;
	return GV_OK;
}

void gv_sync_facts_yaml(gv_buf *out, const gv_sync_facts *f, int indent)
{
	int in = indent < 0 ? 0 : indent > 64 ? 64 : indent;

	gv_buf_printf(out, "%*ssync:\n", in, "");
	gv_buf_printf(out, "%*s  enabled: %s\n", in, "", f->enabled ? "true" : "false");
	gv_buf_printf(out, "%*s  origin: ", in, "");
	gv_buf_json_str(out, f->origin, strlen(f->origin));
	gv_buf_printf(out, "\n%*s  lag_entries: %" PRIu64 "\n", in, "", f->lag_entries);
	if (f->has_latency)
		gv_buf_printf(out, "%*s  sync_latency_seconds: %" PRId64 "\n"
			      "%*s  sync_latency_p95_seconds: %" PRId64 "\n", in, "",
			      f->sync_latency_seconds, in, "", f->sync_latency_p95_seconds);
	else
		gv_buf_printf(out, "%*s  sync_latency_seconds: null\n"
			      "%*s  sync_latency_p95_seconds: null\n", in, "", in, "");
	if (f->last_import[0])
		gv_buf_printf(out, "%*s  last_import: \"%s\"\n", in, "", f->last_import);
	else
		gv_buf_printf(out, "%*s  last_import: null\n", in, "");
	if (f->has_since_import)
		gv_buf_printf(out, "%*s  since_last_import_seconds: %" PRId64 "\n", in, "",
			      f->since_last_import_seconds);
	else
		gv_buf_printf(out, "%*s  since_last_import_seconds: null\n", in, "");
	if (f->has_newest_age)
		gv_buf_printf(out, "%*s  newest_entry_age_seconds: %" PRId64 "\n", in, "",
			      f->newest_entry_age_seconds);
	else
		gv_buf_printf(out, "%*s  newest_entry_age_seconds: null\n", in, "");
}

