/*
 * tiles.c: the audit log as C2SP tlog-tiles (see tiles.h). The log is read
 * only through audit.h; the folder only through files, so a verifier needs
 * nothing but a copy of it.
 */
#include "tiles.h"
#include "alloc.h"
#include "atomic.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"
#include "note.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CODE_TILE "GV-H001"    /* the folder contradicts the tree or the checkpoint */
#define CODE_INPUT "GV-H002"   /* unusable input: too large, unreadable */

#define TILE_BYTES (GV_TILE_WIDTH * GV_HASH_LEN)
#define MAX_BUNDLE ((size_t)GV_TILE_WIDTH * (2 + GV_TILE_MAX_ENTRY))

char *gv_tile_path(int level, uint64_t n, unsigned w)
{
	gv_buf b = GV_BUF_INIT;
	char groups[8][4];
	int ng = 0;

	do {
		snprintf(groups[ng++], sizeof(groups[0]), "%03u", (unsigned)(n % 1000));
		n /= 1000;
	} while (n && ng < 8);
	if (level == GV_TILE_ENTRIES)
		gv_buf_puts(&b, "tile/entries/");
	else
		gv_buf_printf(&b, "tile/%d/", level);
	while (ng-- > 0)
		gv_buf_printf(&b, "%s%s%s", ng ? "x" : "", groups[ng], ng ? "/" : "");
	if (w < GV_TILE_WIDTH)
		gv_buf_printf(&b, ".p/%u", w);
	return gv_buf_detach(&b);
}

void gv_tile_reduce(unsigned char out[GV_HASH_LEN], const gv_hash in[GV_TILE_WIDTH])
{
	gv_hash t[GV_TILE_WIDTH];
	size_t w, i;

	memcpy(t, in, sizeof(t));
	for (w = GV_TILE_WIDTH; w > 1; w /= 2)
		for (i = 0; i < w / 2; i++)
			gv_merkle_node_hash(t[i], t[2 * i], t[2 * i + 1]);
	memcpy(out, t[0], GV_HASH_LEN);
}

static char *join(const char *dir, const char *rel)
{
	gv_buf b = GV_BUF_INIT;

	gv_buf_printf(&b, "%s/%s", dir, rel);
	return gv_buf_detach(&b);
}

/* Creates the folders of dir/rel up to its last '/' (mkdir -p). */
static int mkdirs(const char *dir, const char *rel, gv_diags *d)
{
	char *p = join(dir, rel), *s;
	int err = GV_OK;

	for (s = p + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			err = (gv_error(d, CODE_INPUT, p, "cannot create the folder: %s", strerror(errno)),
			       GV_EIO);
			break;
		}
		*s = '/';
	}
	free(p);
	return err;
}

/* Reads dir/rel into b (at most max bytes): GV_OK, GV_ENOTFOUND, or an error. */
static int read_rel(gv_buf *b, const char *dir, const char *rel, size_t max, gv_diags *d)
{
	char *p = join(dir, rel);
	struct stat sb;
	int err;

	gv_buf_clear(b);
	/* a FIFO or a device in a downloaded folder must not hang or flood the reader */
	if (stat(p, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		gv_error(d, CODE_TILE, p, "is not a regular file");
		free(p);
		return GV_ESIG;
	}
	err = gv_buf_read_file(b, p, max);
	if (err == GV_EIO && errno == ENOENT)
		err = GV_ENOTFOUND;
	else if (err == GV_ELIMIT)
		gv_error(d, CODE_TILE, p, "is larger than %zu bytes", max), err = GV_ESIG;
	else if (err < 0)
		gv_error(d, CODE_INPUT, p, "cannot read: %s", strerror(errno));
	free(p);
	return err;
}

/* The checkpoint text of a note (up to its last blank line), parsed. */
static int note_checkpoint(gv_checkpoint *c, const char *note, size_t len, const char *file,
			   gv_diags *d)
{
	size_t i;

	for (i = len; i >= 2; i--)
		if (note[i - 1] == '\n' && note[i - 2] == '\n')
			return gv_checkpoint_parse(c, note, i - 1, file, d);
	memset(c, 0, sizeof(*c));
	return gv_error(d, CODE_TILE, file, "not a signed checkpoint (no signature block)"),
	       GV_EPARSE;
}

/* --- publishing ---------------------------------------------------------- */

typedef struct pub {
	gv_audit *a;
	const char *dir;
	gv_hash *leaves;
	uint64_t n, size;
	gv_buf bundle;
	gv_tiles_stats *st;
	gv_diags *d;
} pub;

static int collect_leaf(void *payload, uint64_t seq, const char *bytes, size_t len)
{
	pub *p = payload;
	gv_diags *d = p->d;

	if (seq != p->n || seq >= p->size)
		return gv_error(d, CODE_TILE, gv_audit_path(p->a), "the log has entry %" PRIu64
				" where %" PRIu64 " was expected; run 'govgate audit verify'", seq, p->n),
		       GV_ESIG;
	if (len > GV_TILE_MAX_ENTRY)
		return gv_error(d, CODE_INPUT, gv_audit_path(p->a), "entry %" PRIu64 " is %zu bytes; "
				"a tile entry bundle holds entries of at most %d bytes (16-bit length), "
				"so this log cannot be published as tiles", seq, len, GV_TILE_MAX_ENTRY),
		       GV_ELIMIT;
	gv_merkle_leaf_hash(p->leaves[p->n++], bytes, len);
	return 0;
}

/*
 * Puts data at dir/rel unless the same bytes are there. A full tile or
 * bundle (full) that is there with other bytes is never rewritten.
 */
static int put(pub *p, const char *rel, const void *data, size_t len, int full)
{
	gv_buf old = GV_BUF_INIT;
	gv_diags *d = p->d;
	char *path;
	int err = read_rel(&old, p->dir, rel, len + 1, d);

	if (err == GV_ESIG) {   /* longer than ours: it differs */
		gv_diags_drop(d, CODE_TILE);
		err = full ? GV_ESIG : GV_ENOTFOUND;
	}
	if (err == GV_OK && old.len == len && !memcmp(old.ptr, data, len)) {
		p->st->unchanged++;
		goto out;
	}
	if ((err == GV_OK || err == GV_ESIG) && full) {
		path = join(p->dir, rel);
		gv_error(d, CODE_TILE, path, "a full tile on disk differs from the log; refusing to "
			 "rewrite it (is this folder another log's?)");
		free(path);
		err = GV_ESIG;
		goto out;
	}
	if (err < 0 && err != GV_ENOTFOUND)
		goto out;
	if ((err = mkdirs(p->dir, rel, d)) < 0)
		goto out;
	path = join(p->dir, rel);
	err = gv_atomic_write(path, data, len, 0666, d);
	free(path);
	if (err == GV_OK)
		p->st->written++;
out:
	gv_buf_release(&old);
	return err;
}

static int bundle_entry(void *payload, uint64_t seq, const char *bytes, size_t len)
{
	pub *p = payload;
	unsigned char hdr[2] = { (unsigned char)(len >> 8), (unsigned char)len };
	uint64_t k = seq / GV_TILE_WIDTH;
	unsigned w;
	char *rel;
	int err;

	gv_buf_add(&p->bundle, hdr, 2);
	gv_buf_add(&p->bundle, bytes, len);
	if (seq % GV_TILE_WIDTH != GV_TILE_WIDTH - 1 && seq != p->size - 1)
		return 0;
	w = (unsigned)(seq - k * GV_TILE_WIDTH + 1);
	rel = gv_tile_path(GV_TILE_ENTRIES, k, w);
	err = put(p, rel, p->bundle.ptr, p->bundle.len, w == GV_TILE_WIDTH);
	free(rel);
	gv_buf_clear(&p->bundle);
	return err;
}

/* Writes the tiles of every level above the leaf hashes in p->leaves. */
static int put_tiles(pub *p)
{
	gv_hash *h = p->leaves, *next = NULL;
	uint64_t cnt = p->size, k, i;
	int level, err = GV_OK;

	for (level = 0; cnt && err == GV_OK; level++) {
		for (k = 0; k * GV_TILE_WIDTH < cnt && err == GV_OK; k++) {
			uint64_t w = cnt - k * GV_TILE_WIDTH;
			char *rel;
			if (w > GV_TILE_WIDTH)
				w = GV_TILE_WIDTH;
			rel = gv_tile_path(level, k, (unsigned)w);
			err = put(p, rel, h + k * GV_TILE_WIDTH, (size_t)w * GV_HASH_LEN,
				  w == GV_TILE_WIDTH);
			free(rel);
		}
		cnt /= GV_TILE_WIDTH;
		next = cnt ? gv_xmalloc((size_t)cnt * sizeof(gv_hash)) : NULL;
		for (i = 0; i < cnt; i++)
			gv_tile_reduce(next[i], h + i * GV_TILE_WIDTH);
		if (h != p->leaves)
			free(h);
		h = next;
	}
	if (h != p->leaves)
		free(h);
	return err;
}

int gv_tiles_publish(gv_audit *a, const char *dir, const char *origin, const gv_key *log_key,
		     gv_tiles_stats *st, gv_diags *d)
{
	pub p = { a, dir, NULL, 0, 0, GV_BUF_INIT, st, d };
	gv_audit_filter f = { 0 };
	gv_checkpoint c = { 0 }, old = { 0 };
	gv_buf cur = GV_BUF_INIT;
	char *note = NULL, *cppath = join(dir, "checkpoint");
	int keep = 0, err;
	struct stat sb;

	memset(st, 0, sizeof(*st));
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		err = (gv_error(d, CODE_INPUT, dir, "--tiles must name an existing folder"), GV_EIO);
		goto out;
	}
	if ((err = gv_audit_checkpoint(a, origin, log_key, &note, d)) < 0 ||
	    (err = note_checkpoint(&c, note, strlen(note), gv_audit_path(a), d)) < 0)
		goto out;
	p.size = st->size = c.size;
	if (c.size > GV_TILES_MAX_SIZE) {
		err = (gv_error(d, CODE_INPUT, gv_audit_path(a), "the log has more than %" PRIu64
				" entries", GV_TILES_MAX_SIZE), GV_ELIMIT);
		goto out;
	}
	/* a checkpoint already there must be for this tree or an older one */
	if ((err = read_rel(&cur, dir, "checkpoint", GV_NOTE_MAX, d)) == GV_OK) {
		if ((err = note_checkpoint(&old, cur.ptr, cur.len, cppath, d)) < 0)
			goto out;
		if (strcmp(old.origin, c.origin) || old.size > c.size ||
		    (old.size == c.size && memcmp(old.root, c.root, GV_HASH_LEN))) {
			err = (gv_error(d, CODE_TILE, cppath, "the folder holds a checkpoint of '%s' "
					"at size %" PRIu64 " that the log (size %" PRIu64 ") cannot "
					"extend; refusing to publish over another tree",
					old.origin, old.size, c.size), GV_ESIG);
			goto out;
		}
		keep = old.size == c.size;
	} else if (err != GV_ENOTFOUND) {
		goto out;
	}
	p.leaves = gv_xmalloc((size_t)(c.size ? c.size : 1) * sizeof(gv_hash));
	f.bounded = 1;
	f.below = c.size;
	/* every entry is checked before anything is written */
	if ((err = gv_audit_each(a, &f, collect_leaf, &p, d)) < 0)
		goto out;
	if (p.n != c.size) {
		err = (gv_error(d, CODE_TILE, gv_audit_path(a), "the log has %" PRIu64 " entries "
				"under a checkpoint of size %" PRIu64, p.n, c.size), GV_ESIG);
		goto out;
	}
	{
		unsigned char root[GV_HASH_LEN];
		gv_merkle_array arr = { (const gv_hash *)p.leaves, p.n };
		gv_merkle_src src = gv_merkle_array_src(&arr);
		if ((err = gv_merkle_root(root, &src, p.n)) < 0)
			goto out;
		if (memcmp(root, c.root, GV_HASH_LEN)) {
			err = (gv_error(d, CODE_TILE, gv_audit_path(a), "the entries do not hash to the "
					"checkpoint's root; run 'govgate audit verify'"), GV_ESIG);
			goto out;
		}
	}
	if ((err = gv_audit_each(a, &f, bundle_entry, &p, d)) < 0 || (err = put_tiles(&p)) < 0)
		goto out;
	if (keep) {
		st->unchanged++;
	} else if ((err = gv_atomic_write(cppath, note, strlen(note), 0666, d)) == GV_OK) {
		st->written++;
	}
out:
	gv_checkpoint_release(&c);
	gv_checkpoint_release(&old);
	gv_buf_release(&cur);
	gv_buf_release(&p.bundle);
	free(p.leaves);
	free(note);
	free(cppath);
	return err;
}

/* --- reading ------------------------------------------------------------- */

/* Appends tile (level, k) of width w to *h (n hashes so far). */
static int load_tile(const char *dir, int level, uint64_t k, unsigned w, gv_hash **h,
		     uint64_t *n, uint64_t total, gv_diags *d)
{
	gv_buf b = GV_BUF_INIT;
	char *rel = gv_tile_path(level, k, w), *path = join(dir, rel);
	int err = read_rel(&b, dir, rel, TILE_BYTES, d);

	if (err == GV_ENOTFOUND)
		err = (gv_error(d, CODE_TILE, path, "missing: the checkpoint's tree of %" PRIu64
				" entries needs this tile", total), GV_ESIG);
	else if (err == GV_OK && b.len != (size_t)w * GV_HASH_LEN)
		err = (gv_error(d, CODE_TILE, path, "is %zu bytes, a tile of %u hashes is %u",
				b.len, w, w * GV_HASH_LEN), GV_ESIG);
	if (err == GV_OK) {
		*h = gv_xrealloc(*h, (size_t)(*n + w) * sizeof(gv_hash));
		memcpy(*h + *n, b.ptr, b.len);
		*n += w;
	}
	gv_buf_release(&b);
	free(rel);
	free(path);
	return err;
}

/* The cnt hashes of one level, from its tiles. */
static int load_level(const char *dir, int level, uint64_t cnt, uint64_t total, gv_hash **out,
		      uint64_t *ntiles, gv_diags *d)
{
	uint64_t n = 0, k;
	int err = GV_OK;

	*out = NULL;
	for (k = 0; k * GV_TILE_WIDTH < cnt && err == GV_OK; k++) {
		uint64_t w = cnt - k * GV_TILE_WIDTH;
		err = load_tile(dir, level, k, (unsigned)(w > GV_TILE_WIDTH ? GV_TILE_WIDTH : w), out,
				&n, total, d);
		(*ntiles)++;
	}
	if (err < 0) {
		free(*out);
		*out = NULL;
	}
	return err;
}

/*
 * Calls fn for every partial file W in dir/<full tile path>.p/ with
 * W < avail (the tree's hashes or entries known for this index); larger
 * ones belong to a tree newer than the checkpoint and prove nothing.
 */
static int each_partial(const char *dir, int level, uint64_t k, unsigned avail,
			int (*fn)(void *ctx, const char *rel, unsigned w), void *ctx)
{
	char *rel = gv_tile_path(level, k, GV_TILE_WIDTH), *p;
	gv_buf b = GV_BUF_INIT;
	struct dirent *e;
	DIR *dd;
	int err = GV_OK;

	gv_buf_printf(&b, "%s/%s.p", dir, rel);
	p = gv_buf_detach(&b);
	dd = opendir(p);
	while (dd && err == GV_OK && (e = readdir(dd))) {
		char *end, *prel;
		unsigned long w;
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		errno = 0;
		w = strtoul(e->d_name, &end, 10);
		if (*end || errno || w >= avail || w >= GV_TILE_WIDTH)
			continue;
		prel = gv_tile_path(level, k, (unsigned)w);
		err = fn(ctx, prel, (unsigned)w);
		free(prel);
	}
	if (dd)
		closedir(dd);
	free(p);
	free(rel);
	return err;
}

typedef struct older {
	const char *dir;
	const gv_hash *want;   /* the tile's hashes (or leaf hashes for bundles) */
	uint64_t first;        /* index of want[0] */
	uint64_t checked;
	gv_diags *d;
} older;

static int check_older_tile(void *ctx, const char *rel, unsigned w)
{
	older *o = ctx;
	gv_buf b = GV_BUF_INIT;
	char *path = join(o->dir, rel);
	gv_diags *d = o->d;
	int err = read_rel(&b, o->dir, rel, TILE_BYTES, d);

	if (err == GV_OK && (b.len != (size_t)w * GV_HASH_LEN ||
			     memcmp(b.ptr, o->want, b.len)))
		err = (gv_error(d, CODE_TILE, path, "this partial tile disagrees with the tree "
				"(and with the full tile of the same index)"), GV_ESIG);
	o->checked++;
	gv_buf_release(&b);
	free(path);
	return err;
}

/* 64 hex digits of h. */
static void hex64(char out[2 * GV_HASH_LEN + 1], const unsigned char *h)
{
	gv_hex(out, h, GV_HASH_LEN);
}

/*
 * Checks one bundle: w entries, each hashing to want[i], each with its own
 * seq and, after the first, the previous leaf hash as prev.
 */
static int check_bundle(const char *dir, const char *rel, unsigned w, const gv_hash *leaves,
			uint64_t first, gv_buf *b, gv_diags *d)
{
	char *path = join(dir, rel);
	size_t off = 0;
	unsigned i;
	int err = read_rel(b, dir, rel, MAX_BUNDLE, d);

	if (err == GV_ENOTFOUND) {
		err = (gv_error(d, CODE_TILE, path, "missing: the checkpoint's tree needs this entry "
				"bundle"), GV_ESIG);
		goto out;
	}
	for (i = 0; err == GV_OK && i < w; i++) {
		uint64_t seq = first + i;
		unsigned char h[GV_HASH_LEN];
		char want[2 * GV_HASH_LEN + 1], head[32];
		size_t len, hl;
		const char *e;
		if (b->len - off < 2 || b->len - off - 2 < (len = (size_t)(unsigned char)b->ptr[off] << 8 |
							      (unsigned char)b->ptr[off + 1])) {
			err = (gv_error(d, CODE_TILE, path, "ends inside entry %" PRIu64 " (bundle of %u "
					"entries)", seq, w), GV_ESIG);
			break;
		}
		e = b->ptr + off + 2;
		off += 2 + len;
		gv_merkle_leaf_hash(h, e, len);
		if (memcmp(h, leaves[seq], GV_HASH_LEN)) {
			err = (gv_error(d, CODE_TILE, path, "entry %" PRIu64 " does not match its leaf "
					"hash in the level-0 tile", seq), GV_ESIG);
			break;
		}
		/* the chain: {"seq":N, ... ,"prev":"<hex of entry N-1's hash>"} */
		hl = (size_t)snprintf(head, sizeof(head), "{\"seq\":%" PRIu64 ",", seq);
		if (seq)
			hex64(want, leaves[seq - 1]);
		else
			memset(want, '0', 2 * GV_HASH_LEN), want[2 * GV_HASH_LEN] = 0;
		if (len < hl + 75 || memcmp(e, head, hl) || memcmp(e + len - 75, ",\"prev\":\"", 9) ||
		    memcmp(e + len - 66, want, 64) || memcmp(e + len - 2, "\"}", 2)) {
			err = (gv_error(d, CODE_TILE, path, "entry %" PRIu64 " breaks the chain (its seq "
					"or prev is not the entry before it)", seq), GV_ESIG);
			break;
		}
	}
	if (err == GV_OK && off != b->len)
		err = (gv_error(d, CODE_TILE, path, "has %zu bytes after its %u entries", b->len - off,
				w), GV_ESIG);
out:
	free(path);
	return err;
}

typedef struct older_bundle {
	const char *dir;
	const gv_hash *leaves;
	uint64_t first, checked;
	gv_buf *b;
	gv_diags *d;
} older_bundle;

static int check_older_bundle(void *ctx, const char *rel, unsigned w)
{
	older_bundle *o = ctx;

	o->checked++;
	return check_bundle(o->dir, rel, w, o->leaves, o->first, o->b, o->d);
}

/* Reads dir/checkpoint, and the leaf hashes of its tree from the level-0 tiles. */
static int load_tree(const char *dir, const gv_key *key, gv_checkpoint *c, gv_buf *note,
		     gv_hash **leaves, uint64_t *ntiles, gv_diags *d)
{
	char *path = join(dir, "checkpoint");
	unsigned char root[GV_HASH_LEN];
	int err = read_rel(note, dir, "checkpoint", GV_NOTE_MAX, d);
	uint64_t n;

	memset(c, 0, sizeof(*c));
	*leaves = NULL;
	if (err == GV_ENOTFOUND)
		err = (gv_error(d, CODE_INPUT, path, "cannot read: %s (is --tiles a published log?)",
				strerror(ENOENT)), GV_EIO);
	if (err < 0)
		goto out;
	if (key)
		err = gv_checkpoint_open(c, note->ptr, note->len, NULL, key, path, d);
	else
		err = note_checkpoint(c, note->ptr, note->len, path, d);
	if (err < 0)
		goto out;
	if (c->size > GV_TILES_MAX_SIZE) {
		err = (gv_error(d, CODE_INPUT, path, "tree size %" PRIu64 " is larger than %" PRIu64,
				c->size, GV_TILES_MAX_SIZE), GV_ELIMIT);
		goto out;
	}
	if ((err = load_level(dir, 0, c->size, c->size, leaves, ntiles, d)) < 0)
		goto out;
	{
		gv_merkle_array arr = { (const gv_hash *)*leaves, c->size };
		gv_merkle_src src = gv_merkle_array_src(&arr);
		if ((err = gv_merkle_root(root, &src, c->size)) < 0)
			goto out;
	}
	n = c->size;
	if (memcmp(root, c->root, GV_HASH_LEN))
		err = (gv_error(d, CODE_TILE, path, "the level-0 tiles (%" PRIu64 " leaf hashes) do not "
				"hash to this checkpoint's root: it is a checkpoint for another tree, or "
				"the tiles were changed", n), GV_ESIG);
out:
	if (err < 0) {
		free(*leaves);
		*leaves = NULL;
	}
	free(path);
	return err;
}

int gv_tiles_verify(const char *dir, const gv_key *key, gv_tiles_result *res, gv_diags *d)
{
	gv_buf note = GV_BUF_INIT, b = GV_BUF_INIT;
	gv_hash *leaves = NULL, *h, *got = NULL;
	gv_checkpoint c;
	uint64_t cnt, k, i;
	int level, err;

	memset(res, 0, sizeof(*res));
	if ((err = load_tree(dir, key, &c, &note, &leaves, &res->tiles, d)) < 0)
		goto out;
	res->size = c.size;
	/* each level above 0, recomputed from the one below and compared */
	h = leaves;
	for (level = 0, cnt = c.size; cnt && err == GV_OK; level++) {
		/* older partial tiles of this level */
		for (k = 0; k * GV_TILE_WIDTH < cnt && err == GV_OK; k++) {
			uint64_t w = cnt - k * GV_TILE_WIDTH;
			older o = { dir, h + k * GV_TILE_WIDTH, 0, 0, d };
			err = each_partial(dir, level, k, (unsigned)(w > GV_TILE_WIDTH ? GV_TILE_WIDTH : w),
					   check_older_tile, &o);
			res->tiles += o.checked;
		}
		cnt /= GV_TILE_WIDTH;
		if (!cnt || err < 0)
			break;
		{
			gv_hash *next = gv_xmalloc((size_t)cnt * sizeof(gv_hash));
			for (i = 0; i < cnt; i++)
				gv_tile_reduce(next[i], h + i * GV_TILE_WIDTH);
			if (h != leaves)
				free(h);
			h = next;
			if ((err = load_level(dir, level + 1, cnt, c.size, &got, &res->tiles, d)) < 0)
				break;
			for (i = 0; i < cnt; i++)
				if (memcmp(got[i], h[i], GV_HASH_LEN)) {
					uint64_t t = i / GV_TILE_WIDTH, tw = cnt - t * GV_TILE_WIDTH;
					char *rel = gv_tile_path(level + 1, t, (unsigned)(tw > GV_TILE_WIDTH ?
										 GV_TILE_WIDTH : tw));
					char *path = join(dir, rel);
					err = (gv_error(d, CODE_TILE, path, "hash %" PRIu64 " does not match the "
							"tree recomputed from the level-%d tiles", i % GV_TILE_WIDTH,
							level), GV_ESIG);
					free(rel);
					free(path);
					break;
				}
			free(got);
			got = NULL;
		}
	}
	if (h != leaves)
		free(h);
	/* entry bundles: the entries, their leaf hashes and the chain */
	for (k = 0; err == GV_OK && k * GV_TILE_WIDTH < c.size; k++) {
		uint64_t w = c.size - k * GV_TILE_WIDTH;
		older_bundle o = { dir, leaves, k * GV_TILE_WIDTH, 0, &b, d };
		char *rel;
		if (w > GV_TILE_WIDTH)
			w = GV_TILE_WIDTH;
		rel = gv_tile_path(GV_TILE_ENTRIES, k, (unsigned)w);
		err = check_bundle(dir, rel, (unsigned)w, leaves, k * GV_TILE_WIDTH, &b, d);
		free(rel);
		res->bundles++;
		if (err == GV_OK)
			err = each_partial(dir, GV_TILE_ENTRIES, k, (unsigned)w, check_older_bundle, &o);
		res->bundles += o.checked;
	}
out:
	if (err == GV_OK) {
		res->note_len = note.len;
		res->note = gv_buf_detach(&note);
	}
	gv_checkpoint_release(&c);
	gv_buf_release(&note);
	gv_buf_release(&b);
	free(leaves);
	return err;
}

/* --- proofs -------------------------------------------------------------- */

int gv_tiles_prove_inclusion(const char *dir, uint64_t seq, char **out, gv_diags *d)
{
	gv_buf note = GV_BUF_INIT, b = GV_BUF_INIT;
	gv_tlog_proof p = { 0 };
	gv_hash *leaves = NULL;
	gv_checkpoint c;
	uint64_t ntiles = 0, k, w;
	char *rel = NULL;
	int err;

	*out = NULL;
	if ((err = load_tree(dir, NULL, &c, &note, &leaves, &ntiles, d)) < 0)
		goto out;
	if (seq >= c.size) {
		char *path = join(dir, "checkpoint");
		err = (gv_error(d, CODE_INPUT, path, "seq %" PRIu64 " is not in the latest checkpoint "
				"(size %" PRIu64 ")", seq, c.size), GV_ENOTFOUND);
		free(path);
		goto out;
	}
	k = seq / GV_TILE_WIDTH;
	w = c.size - k * GV_TILE_WIDTH;
	if (w > GV_TILE_WIDTH)
		w = GV_TILE_WIDTH;
	rel = gv_tile_path(GV_TILE_ENTRIES, k, (unsigned)w);
	/* the bundle is checked whole (hashes and chain) before one entry is taken */
	if ((err = check_bundle(dir, rel, (unsigned)w, leaves, k * GV_TILE_WIDTH, &b, d)) < 0)
		goto out;
	{
		size_t off = 0, len = 0;
		uint64_t i;
		for (i = k * GV_TILE_WIDTH;; i++) {
			len = (size_t)(unsigned char)b.ptr[off] << 8 | (unsigned char)b.ptr[off + 1];
			if (i == seq)
				break;
			off += 2 + len;
		}
		p.extra = gv_xmalloc(len + 1);
		memcpy(p.extra, b.ptr + off + 2, len);
		p.extra_len = len;
	}
	{
		gv_merkle_array arr = { (const gv_hash *)leaves, c.size };
		gv_merkle_src src = gv_merkle_array_src(&arr);
		if ((err = gv_merkle_prove_inclusion(&p.path, &p.n, &src, seq, c.size)) < 0)
			goto out;
	}
	p.index = seq;
	p.note_len = note.len;
	p.note = gv_buf_detach(&note);
	*out = gv_tlog_proof_format(&p);
out:
	free(rel);
	free(leaves);
	gv_checkpoint_release(&c);
	gv_tlog_proof_release(&p);
	gv_buf_release(&note);
	gv_buf_release(&b);
	return err;
}

int gv_tiles_prove_consistency(const char *dir, uint64_t from, char **out, gv_diags *d)
{
	gv_buf note = GV_BUF_INIT;
	gv_tlog_proof p = { 0 };
	gv_hash *leaves = NULL;
	gv_checkpoint c;
	uint64_t ntiles = 0;
	int err;

	*out = NULL;
	if ((err = load_tree(dir, NULL, &c, &note, &leaves, &ntiles, d)) < 0)
		goto out;
	if (from == 0 || from > c.size) {
		char *path = join(dir, "checkpoint");
		err = (gv_error(d, CODE_INPUT, path, "--from %" PRIu64 " must be between 1 and the "
				"latest checkpoint's size %" PRIu64, from, c.size), GV_ENOTFOUND);
		free(path);
		goto out;
	}
	{
		gv_merkle_array arr = { (const gv_hash *)leaves, c.size };
		gv_merkle_src src = gv_merkle_array_src(&arr);
		if ((err = gv_merkle_prove_consistency(&p.path, &p.n, &src, from, c.size)) < 0)
			goto out;
	}
	p.consistency = 1;
	p.index = from;
	p.note_len = note.len;
	p.note = gv_buf_detach(&note);
	*out = gv_tlog_proof_format(&p);
out:
	free(leaves);
	gv_checkpoint_release(&c);
	gv_tlog_proof_release(&p);
	gv_buf_release(&note);
	return err;
}
