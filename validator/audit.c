/*
 * audit.c: the backend-neutral audit log: appends, checkpoints, proofs,
 * export and verification, over the storage interface of store.h (a SQLite
 * file or a PostgreSQL database; no SQL library is seen here). See audit.h
 * for the contract and docs/EVIDENCE.md for the formats.
 */
#include "audit.h"
#include "rfc3339.h"
#include "atomic.h"
#include "alloc.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"
#include "merkle.h"
#include "note.h"
#include "receipt.h"
#include "store.h"
#include "sync_store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CODE_DB "GV-A001"
#define CODE_TAMPER "GV-A002"
#define CODE_INPUT "GV-A003"

struct gv_audit {
	gv_store *db;
	char *path;
};

const char *gv_audit_default_path(void)
{
	const char *p = getenv(GV_AUDIT_DB_ENV);
	return p && *p ? p : GV_AUDIT_DEFAULT_DB;
}

const char *gv_audit_default_origin(void)
{
	const char *p = getenv(GV_AUDIT_ORIGIN_ENV);
	return p && *p ? p : GV_AUDIT_DEFAULT_ORIGIN;
}

const char *gv_audit_path(const gv_audit *a)
{
	return a->path;
}

gv_store *gv_audit_store(gv_audit *a)
{
	return a->db;
}

/* Reports the connection's last error; GV_ELIMIT for oversized rows. */
static int db_error(gv_audit *a, gv_diags *d, const char *what)
{
	gv_store_err c = a->db->ops->errclass(a->db);

	gv_error(d, CODE_DB, a->path, "%s: %s", what, a->db->ops->errmsg(a->db));
	return c == GV_STORE_ETOOBIG ? GV_ELIMIT : c == GV_STORE_EFORMAT ? GV_EPARSE : GV_EIO;
}

/* The transactions: read (one snapshot), write (the append lock), end. */
static int begin_read(gv_audit *a, gv_diags *d)
{
	return a->db->ops->begin_read(a->db) < 0 ? db_error(a, d, "database error") : GV_OK;
}

static int begin_write(gv_audit *a, gv_diags *d)
{
	return a->db->ops->begin_write(a->db) < 0 ? db_error(a, d, "database error") : GV_OK;
}

static int commit(gv_audit *a, gv_diags *d)
{
	return a->db->ops->commit(a->db) < 0 ? db_error(a, d, "database error") : GV_OK;
}

static int prepare(gv_audit *a, gv_stmt **st, const char *sql, gv_diags *d)
{
	if (a->db->ops->prepare(a->db, st, sql) < 0) {
		*st = NULL;
		gv_error(d, CODE_DB, a->path, "not a govgate audit log (unexpected schema: %s)",
			 a->db->ops->errmsg(a->db));
		return GV_EPARSE;
	}
	return GV_OK;
}

static int pragma_int(gv_audit *a, const char *sql, int64_t *out, gv_diags *d)
{
	gv_stmt *st;
	int ok;

	*out = 0;
	if (a->db->ops->prepare(a->db, &st, sql) < 0)
		return db_error(a, d, "cannot read the database");
	ok = gv_stmt_step(st) == GV_STMT_ROW && gv_stmt_type(st, 0) == GV_COL_INT;
	if (ok)
		*out = gv_stmt_int64(st, 0);
	gv_stmt_finalize(st);
	return ok ? GV_OK : db_error(a, d, "cannot read the database");
}

static int rollback(gv_audit *a)
{
	a->db->ops->rollback(a->db);
	return 0;
}

static int audit_open(gv_audit **out, const char *path, int create, gv_diags *d)
{
	gv_audit *a;
	gv_store *s;
	int err;

	*out = NULL;
	if ((err = gv_store_open(&s, path, create, d)) < 0)
		return err;
	a = gv_xcalloc(1, sizeof(*a));
	a->db = s;
	a->path = gv_xstrdup(s->name);
	*out = a;
	return GV_OK;
}

int gv_audit_open(gv_audit **out, const char *path, gv_diags *d)
{
	return audit_open(out, path, 1, d);
}

int gv_audit_open_existing(gv_audit **out, const char *path, gv_diags *d)
{
	return audit_open(out, path, 0, d);
}

void gv_audit_close(gv_audit *a)
{
	if (!a)
		return;
	if (a->db)
		a->db->ops->close(a->db);
	free(a->path);
	free(a);
}

/* --- compact JSON ------------------------------------------------------ */

typedef struct jscan {
	const unsigned char *p, *end;
	int depth;
} jscan;

static int j_value(jscan *s);

static int j_string(jscan *s)
{
	if (s->p >= s->end || *s->p != '"')
		return -1;
	s->p++;
	while (s->p < s->end) {
		unsigned c = *s->p;
		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			s->p++;
			if (s->p >= s->end)
				return -1;
			if (*s->p == 'u') {
				int i;
				for (i = 1; i <= 4; i++)
					if (s->p + i >= s->end || !strchr("0123456789abcdefABCDEF", s->p[i]) ||
					    !s->p[i])
						return -1;
				s->p += 5;
				continue;
			}
			if (!*s->p || !strchr("\"\\/bfnrt", *s->p))
				return -1;
			s->p++;
			continue;
		}
		if (c < 0x80) {
			s->p++;
			continue;
		}
		{
			/* UTF-8: reject overlongs, surrogates and beyond U+10FFFF */
			size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
				     (c & 0xF8) == 0xF0 ? 4 : 0;
			uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
			size_t i;
			static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
			if (!len || s->p + len > s->end)
				return -1;
			for (i = 1; i < len; i++) {
				if ((s->p[i] & 0xC0) != 0x80)
					return -1;
				cp = cp << 6 | (s->p[i] & 0x3F);
			}
			if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
				return -1;
			s->p += len;
		}
	}
	return -1;
}

static int j_digits(jscan *s)
{
	const unsigned char *start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start ? 0 : -1;
}

static int j_number(jscan *s)
{
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (j_digits(s) < 0)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (j_digits(s) < 0)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (j_digits(s) < 0)
			return -1;
	}
	return 0;
}

static int j_lit(jscan *s, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n))
		return -1;
	s->p += n;
	return 0;
}

static int j_value(jscan *s)
{
	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{':
	case '[': {
		unsigned char close = *s->p == '{' ? '}' : ']';
		int obj = close == '}';
		if (++s->depth > 64)
			return -1;
		s->p++;
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return 0;
		}
		for (;;) {
			if (obj) {
				if (j_string(s) < 0 || s->p >= s->end || *s->p != ':')
					return -1;
				s->p++;
			}
			if (j_value(s) < 0 || s->p >= s->end)
				return -1;
			if (*s->p == ',') {
				s->p++;
				continue;
			}
			if (*s->p != close)
				return -1;
			s->p++;
			s->depth--;
			return 0;
		}
	}
	case '"':
		return j_string(s);
	case 't':
		return j_lit(s, "true");
	case 'f':
		return j_lit(s, "false");
	case 'n':
		return j_lit(s, "null");
	default:
		return j_number(s);
	}
}

int gv_audit_json_compact(const char *str, size_t len, int want_object)
{
	jscan s = { (const unsigned char *)str, (const unsigned char *)str + len, 0 };

	if (want_object && (!len || str[0] != '{'))
		return 0;
	return j_value(&s) == 0 && s.p == s.end;
}

/* --- entries ----------------------------------------------------------- */

static int type_valid(const char *t)
{
	size_t n = strlen(t), i;

	if (!n || n > 128)
		return 0;
	for (i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", t[i]))
			return 0;
	return 1;
}

/* Printable UTF-8 without control characters; compact JSON strings do the rest. */
static int field_valid(const char *f)
{
	size_t n = strlen(f);
	gv_buf b = GV_BUF_INIT;
	int ok;

	if (n > GV_AUDIT_MAX_FIELD)
		return 0;
	gv_buf_putc(&b, '"');
	gv_buf_add(&b, f, n);
	gv_buf_putc(&b, '"');
	ok = memchr(f, '\\', n) == NULL && gv_audit_json_compact(b.ptr, b.len, 0);
	gv_buf_release(&b);
	return ok;
}

/* The entry up to and including `"payload":`, rebuilt from its fields. */
static void entry_head(gv_buf *b, uint64_t seq, const char *time, const char *type,
		       const char *dep, const char *actor)
{
	gv_buf_printf(b, "{\"seq\":%" PRIu64 ",\"time\":", seq);
	gv_buf_json_str(b, time, strlen(time));
	gv_buf_puts(b, ",\"type\":");
	gv_buf_json_str(b, type, strlen(type));
	gv_buf_puts(b, ",\"deployment_id\":");
	gv_buf_json_str(b, dep, strlen(dep));
	gv_buf_puts(b, ",\"actor\":");
	gv_buf_json_str(b, actor, strlen(actor));
	gv_buf_puts(b, ",\"payload\":");
}

#define PREV_TAIL_LEN (9 + 64 + 2)  /* ,"prev":"<64 hex>"} */

/*
 * Checks the shape of stored entry bytes: one compact JSON object that
 * starts with {"seq":<seq>, and ends with ,"prev":"<hex>"}. Copies the prev
 * hash out. Returns a static reason on failure.
 */
static const char *entry_shape(const char *bytes, size_t len, uint64_t seq,
			       unsigned char prev[GV_HASH_LEN])
{
	char head[40];
	int hl = snprintf(head, sizeof(head), "{\"seq\":%" PRIu64 ",", seq);
	const char *tail;

	if (len > GV_AUDIT_MAX_ENTRY)
		return "entry is too large";
	if (memchr(bytes, '\n', len))
		return "entry spans more than one line";
	if (len < (size_t)hl + PREV_TAIL_LEN || memcmp(bytes, head, (size_t)hl)) {
		if (len > 7 && !memcmp(bytes, "{\"seq\":", 7))
			return "entry's seq field does not match its position";
		return "entry does not start with its seq field";
	}
	tail = bytes + len - PREV_TAIL_LEN;
	if (memcmp(tail, ",\"prev\":\"", 9) || memcmp(bytes + len - 2, "\"}", 2) ||
	    gv_unhex(prev, GV_HASH_LEN, tail + 9, 64) < 0)
		return "entry does not end with its prev field";
	if (!gv_audit_json_compact(bytes, len, 1))
		return "entry is not compact JSON";
	return NULL;
}

static int step_done(gv_audit *a, gv_stmt *st, gv_diags *d, const char *what)
{
	int rc = gv_stmt_step(st);

	gv_stmt_reset(st);
	if (rc != GV_STMT_DONE)
		return db_error(a, d, what);
	return GV_OK;
}

/* Reads a hash column; -1 when it is not a 32-byte blob. */
static int column_hash(gv_stmt *st, int col, unsigned char out[GV_HASH_LEN])
{
	const void *p;

	if (gv_stmt_type(st, col) != GV_COL_BLOB ||
	    gv_stmt_bytes(st, col) != GV_HASH_LEN || !(p = gv_stmt_blob(st, col)))
		return -1;
	memcpy(out, p, GV_HASH_LEN);
	return 0;
}

static int get_node(gv_audit *a, unsigned level, uint64_t idx, unsigned char out[GV_HASH_LEN],
		    gv_diags *d)
{
	gv_stmt *st;
	int err, rc;

	if (level == 0) {
		if ((err = prepare(a, &st, "SELECT hash FROM entry WHERE seq = ?", d)) < 0)
			return err;
	} else {
		if ((err = prepare(a, &st, "SELECT hash FROM tree_node WHERE level = ? AND idx = ?",
				   d)) < 0)
			return err;
		gv_stmt_bind_int64(st, 1, (int64_t)level);
	}
	gv_stmt_bind_int64(st, level ? 2 : 1, (int64_t)idx);
	rc = gv_stmt_step(st);
	if (rc == GV_STMT_ROW && column_hash(st, 0, out) == 0)
		err = 1;
	else if (rc == GV_STMT_ROW) {
		gv_error(d, CODE_DB, a->path, "tree hash (level %u, index %" PRIu64 ") is not 32 bytes",
			 level, idx);
		err = GV_EPARSE;
	} else if (rc == GV_STMT_DONE)
		err = 0;
	else
		err = db_error(a, d, "cannot read the tree");
	gv_stmt_finalize(st);
	return err;
}

/* Records the subtrees that leaf seq completes (tree_node rows). */
static int add_nodes(gv_audit *a, uint64_t seq, const unsigned char leaf[GV_HASH_LEN],
		     gv_diags *d)
{
	unsigned char right[GV_HASH_LEN], left[GV_HASH_LEN], node[GV_HASH_LEN];
	gv_stmt *ins;
	unsigned level;
	uint64_t count = seq + 1;
	int err = GV_OK;

	if ((err = prepare(a, &ins, "INSERT INTO tree_node (level, idx, hash) VALUES (?, ?, ?)",
			   d)) < 0)
		return err;
	memcpy(right, leaf, GV_HASH_LEN);
	for (level = 1; level < 64 && count % ((uint64_t)1 << level) == 0; level++) {
		uint64_t idx = (count >> level) - 1;
		/* the left sibling: subtree 2*idx at level-1 */
		if ((err = get_node(a, level - 1, 2 * idx, left, d)) <= 0) {
			if (err == 0)
				err = (gv_error(d, CODE_DB, a->path, "tree is missing the node at level %u, "
					       "index %" PRIu64 "; run 'govgate audit verify'",
					       level - 1, 2 * idx), GV_EPARSE);
			break;
		}
		gv_merkle_node_hash(node, left, right);
		gv_stmt_bind_int64(ins, 1, (int64_t)level);
		gv_stmt_bind_int64(ins, 2, (int64_t)idx);
		gv_stmt_bind_blob(ins, 3, node, GV_HASH_LEN);
		if ((err = step_done(a, ins, d, "cannot write the tree")) < 0)
			break;
		memcpy(right, node, GV_HASH_LEN);
	}
	gv_stmt_finalize(ins);
	return err < 0 ? err : GV_OK;
}

static int db_size(gv_audit *a, uint64_t *n, gv_diags *d)
{
	int64_t v;
	int err;

	/* seq is the rowid: max+1 is the size of an intact log */
	if ((err = pragma_int(a, "SELECT coalesce(max(seq) + 1, 0) FROM entry", &v, d)) < 0)
		return err;
	if (v < 0)
		return gv_error(d, CODE_DB, a->path, "entry table has negative sequence numbers"),
		       GV_EPARSE;
	*n = (uint64_t)v;
	return GV_OK;
}

int gv_audit_size(gv_audit *a, uint64_t *out, gv_diags *d)
{
	return db_size(a, out, d);
}

/* Checks an event's fields before anything is written. */
static int event_valid(const char *type, const char *deployment_id, const char *actor,
		       const char *payload_json, gv_diags *d)
{
	if (!type || !type_valid(type))
		return gv_error(d, CODE_INPUT, NULL,
				"event type '%s' is invalid (1-128 of A-Z a-z 0-9 . _ -)",
				type ? type : ""), GV_EPARSE;
	if (!field_valid(deployment_id))
		return gv_error(d, CODE_INPUT, NULL, "deployment id is not printable text of at most %d "
				"bytes", GV_AUDIT_MAX_FIELD), GV_EPARSE;
	if (!field_valid(actor))
		return gv_error(d, CODE_INPUT, NULL, "actor is not printable text of at most %d bytes",
				GV_AUDIT_MAX_FIELD), GV_EPARSE;
	if (strlen(payload_json) > GV_AUDIT_MAX_ENTRY - 4096)
		return gv_error(d, CODE_INPUT, NULL, "payload is larger than %d bytes",
				GV_AUDIT_MAX_ENTRY - 4096), GV_ELIMIT;
	if (!gv_audit_json_compact(payload_json, strlen(payload_json), 1))
		return gv_error(d, CODE_INPUT, NULL, "payload is not one compact JSON object"),
		       GV_EPARSE;
	return GV_OK;
}

/*
 * Appends one checked event inside the write transaction the caller holds,
 * so that it commits or rolls back with whatever else the caller writes.
 */
static int append_locked(gv_audit *a, const char *type, const char *deployment_id,
			 const char *actor, const char *payload_json, uint64_t *seq_out,
			 gv_diags *d)
{
	unsigned char prev[GV_HASH_LEN] = { 0 }, hash[GV_HASH_LEN];
	char now[GV_TIME_LEN + 1], prevhex[2 * GV_HASH_LEN + 1];
	gv_buf b = GV_BUF_INIT;
	gv_stmt *st = NULL;
	uint64_t seq = 0;
	int err, rc;

	if ((err = prepare(a, &st, "SELECT seq, hash FROM entry ORDER BY seq DESC LIMIT 1", d)) < 0)
		goto out;
	rc = gv_stmt_step(st);
	if (rc == GV_STMT_ROW) {
		int64_t last = gv_stmt_int64(st, 0);
		if (last < 0 || column_hash(st, 1, prev) < 0) {
			err = (gv_error(d, CODE_DB, a->path, "the last entry is damaged; run 'govgate "
				       "audit verify'"), GV_EPARSE);
			goto out;
		}
		seq = (uint64_t)last + 1;
	} else if (rc != GV_STMT_DONE) {
		err = db_error(a, d, "cannot read the log");
		goto out;
	}
	gv_stmt_finalize(st);
	st = NULL;

	gv_time_format(now, time(NULL));
	gv_hex(prevhex, prev, GV_HASH_LEN);
	entry_head(&b, seq, now, type, deployment_id, actor);
	gv_buf_puts(&b, payload_json);
	gv_buf_printf(&b, ",\"prev\":\"%s\"}", prevhex);
	gv_merkle_leaf_hash(hash, b.ptr, b.len);

	if ((err = prepare(a, &st, "INSERT INTO entry (seq, bytes, hash, time, type, deployment_id, "
			   "actor) VALUES (?, ?, ?, ?, ?, ?, ?)", d)) < 0)
		goto out;
	gv_stmt_bind_int64(st, 1, (int64_t)seq);
	gv_stmt_bind_blob(st, 2, b.ptr, b.len);
	gv_stmt_bind_blob(st, 3, hash, GV_HASH_LEN);
	gv_stmt_bind_text(st, 4, now);
	gv_stmt_bind_text(st, 5, type);
	gv_stmt_bind_text(st, 6, deployment_id);
	gv_stmt_bind_text(st, 7, actor);
	if ((err = step_done(a, st, d, "cannot append to the log")) < 0)
		goto out;
	if ((err = add_nodes(a, seq, hash, d)) < 0)
		goto out;
	if (seq_out)
		*seq_out = seq;
out:
	gv_stmt_finalize(st);
	gv_buf_release(&b);
	return err;
}

int gv_audit_append(gv_audit *a, const char *type, const char *deployment_id, const char *actor,
		    const char *payload_json, uint64_t *seq_out, gv_diags *d)
{
	uint64_t seq;
	int err;

	deployment_id = deployment_id ? deployment_id : "";
	actor = actor ? actor : "";
	payload_json = payload_json ? payload_json : "{}";
	if ((err = event_valid(type, deployment_id, actor, payload_json, d)) < 0)
		return err;
	if ((err = begin_write(a, d)) < 0)
		return err;
	if ((err = append_locked(a, type, deployment_id, actor, payload_json, &seq, d)) < 0 ||
	    (err = commit(a, d)) < 0) {
		rollback(a);
		return err;
	}
	if (seq_out)
		*seq_out = seq;
	return GV_OK;
}

/* --- tree over the database ---------------------------------------------- */

typedef struct dbsrc {
	gv_audit *a;
	gv_diags *d;
} dbsrc;

static int db_leaf(void *payload, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	dbsrc *s = payload;
	int r = get_node(s->a, 0, index, out, s->d);

	if (r == 0)
		return gv_error(s->d, CODE_TAMPER, s->a->path, "entry %" PRIu64 " is missing", index),
		       GV_ESIG;
	return r < 0 ? r : GV_OK;
}

static int db_subtree(void *payload, unsigned level, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	dbsrc *s = payload;
	return get_node(s->a, level, index, out, s->d);
}

static gv_merkle_src db_src(dbsrc *s)
{
	gv_merkle_src src = { db_leaf, db_subtree, s };
	return src;
}

/* The latest checkpoint row: size, root, note (malloc'd); GV_ENOTFOUND if none. */
static int latest_row(gv_audit *a, uint64_t *size, unsigned char root[GV_HASH_LEN], char **note,
		      gv_diags *d)
{
	gv_stmt *st;
	int err, rc;

	if ((err = prepare(a, &st, "SELECT size, root, note FROM checkpoint ORDER BY size DESC "
			   "LIMIT 1", d)) < 0)
		return err;
	rc = gv_stmt_step(st);
	if (rc == GV_STMT_ROW) {
		const char *t = gv_stmt_text(st, 2);
		if (gv_stmt_int64(st, 0) < 0 || column_hash(st, 1, root) < 0 || !t) {
			err = (gv_error(d, CODE_DB, a->path, "the latest checkpoint row is damaged"), GV_EPARSE);
		} else {
			*size = (uint64_t)gv_stmt_int64(st, 0);
			if (note)
				*note = gv_xstrndup((const char *)t, (size_t)gv_stmt_bytes(st, 2));
			err = GV_OK;
		}
	} else if (rc == GV_STMT_DONE) {
		err = GV_ENOTFOUND;
	} else {
		err = db_error(a, d, "cannot read the checkpoints");
	}
	gv_stmt_finalize(st);
	return err;
}

/* Rechecks entries [from, n): stored hash, seq and prev chain. */
static int check_tail(gv_audit *a, uint64_t from, uint64_t n, gv_diags *d)
{
	unsigned char prev[GV_HASH_LEN] = { 0 }, h[GV_HASH_LEN], stored[GV_HASH_LEN], p[GV_HASH_LEN];
	gv_stmt *st;
	uint64_t want = from;
	int err = GV_OK, rc;

	if (from > 0 && (err = get_node(a, 0, from - 1, prev, d)) <= 0)
		return err == 0 ? (gv_error(d, CODE_TAMPER, a->path, "entry %" PRIu64 " is missing",
					    from - 1), GV_ESIG) : err;
	if ((err = prepare(a, &st, "SELECT seq, bytes, hash FROM entry WHERE seq >= ? ORDER BY seq",
			   d)) < 0)
		return err;
	gv_stmt_bind_int64(st, 1, (int64_t)from);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *bytes = gv_stmt_blob(st, 1);
		size_t len = (size_t)gv_stmt_bytes(st, 1);
		if ((uint64_t)gv_stmt_int64(st, 0) != want || column_hash(st, 2, stored) < 0 ||
		    entry_shape(bytes ? bytes : "", len, want, p) ||
		    (gv_merkle_leaf_hash(h, bytes, len), memcmp(h, stored, GV_HASH_LEN)) ||
		    memcmp(p, prev, GV_HASH_LEN)) {
			err = (gv_error(d, CODE_TAMPER, a->path, "entry %" PRIu64 " does not verify; "
				       "refusing to sign (run 'govgate audit verify')", want), GV_ESIG);
			break;
		}
		memcpy(prev, h, GV_HASH_LEN);
		want++;
	}
	if (!err && rc != GV_STMT_DONE)
		err = db_error(a, d, "cannot read the log");
	if (!err && want != n)
		err = (gv_error(d, CODE_TAMPER, a->path, "entries are missing; refusing to sign"), GV_ESIG);
	gv_stmt_finalize(st);
	return err;
}

int gv_audit_checkpoint(gv_audit *a, const char *origin, const gv_key *log_key, char **note_out,
			gv_diags *d)
{
	unsigned char root[GV_HASH_LEN], last_root[GV_HASH_LEN], check[GV_HASH_LEN];
	char *text = NULL, *note = NULL, now[GV_TIME_LEN + 1];
	uint64_t n, last = 0;
	dbsrc ds = { a, d };
	gv_merkle_src src = db_src(&ds);
	gv_stmt *st = NULL;
	int err, have_last;

	*note_out = NULL;
	if (!gv_note_name_valid(origin))
		return gv_error(d, CODE_INPUT, NULL, "log origin '%s' is not a valid note key name "
				"(no spaces or '+')", origin), GV_EPARSE;
	if (!gv_key_is_private(log_key))
		return gv_error(d, CODE_INPUT, NULL, "signing a checkpoint needs the log's private key"),
		       GV_ERROR;
	if ((err = begin_write(a, d)) < 0)
		return err;
	if ((err = db_size(a, &n, d)) < 0)
		goto out;
	err = latest_row(a, &last, last_root, &note, d);
	if (err < 0 && err != GV_ENOTFOUND)
		goto out;
	have_last = err == GV_OK;
	if (have_last && last == n) {
		gv_checkpoint c;
		gv_diags tmp = GV_DIAGS_INIT;
		/* one checkpoint per size: hand back the one we have, if it is ours */
		err = gv_checkpoint_open(&c, note, strlen(note), origin, log_key, a->path, &tmp);
		gv_checkpoint_release(&c);
		if (err < 0) {
			gv_diags_release(&tmp);
			err = (gv_error(d, CODE_INPUT, a->path, "a checkpoint for size %" PRIu64 " exists "
				       "under another origin or key; not signing a second one", n), GV_ERROR);
			goto out;
		}
		gv_diags_release(&tmp);
		*note_out = note;
		note = NULL;
		err = commit(a, d);
		goto out;
	}
	if (have_last && last > n) {
		err = (gv_error(d, CODE_TAMPER, a->path, "the log has %" PRIu64 " entries but a "
			       "checkpoint for %" PRIu64 " exists; it was truncated", n, last), GV_ESIG);
		goto out;
	}
	/* never sign a tree that does not extend what was signed before */
	if (have_last && last > 0) {
		if ((err = gv_merkle_root(check, &src, last)) < 0)
			goto out;
		if (memcmp(check, last_root, GV_HASH_LEN)) {
			err = (gv_error(d, CODE_TAMPER, a->path, "the log no longer matches its checkpoint "
				       "for size %" PRIu64 "; refusing to sign", last), GV_ESIG);
			goto out;
		}
	}
	if ((err = check_tail(a, have_last ? last : 0, n, d)) < 0)
		goto out;
	if ((err = gv_merkle_root(root, &src, n)) < 0)
		goto out;
	text = gv_checkpoint_text(origin, n, root);
	free(note);
	note = NULL;
	if ((err = gv_note_sign(&note, text, strlen(text), origin, log_key, d)) < 0)
		goto out;
	gv_time_format(now, time(NULL));
	if ((err = prepare(a, &st, "INSERT INTO checkpoint (size, root, origin, note, created) "
			   "VALUES (?, ?, ?, ?, ?)", d)) < 0)
		goto out;
	gv_stmt_bind_int64(st, 1, (int64_t)n);
	gv_stmt_bind_blob(st, 2, root, GV_HASH_LEN);
	gv_stmt_bind_text(st, 3, origin);
	gv_stmt_bind_text(st, 4, note);
	gv_stmt_bind_text(st, 5, now);
	if ((err = step_done(a, st, d, "cannot store the checkpoint")) < 0)
		goto out;
	if ((err = commit(a, d)) < 0)
		goto out;
	*note_out = note;
	note = NULL;
out:
	gv_stmt_finalize(st);
	free(text);
	free(note);
	if (err < 0)
		rollback(a);
	return err;
}

int gv_audit_latest_checkpoint(gv_audit *a, char **note_out, uint64_t *size_out, gv_diags *d)
{
	unsigned char root[GV_HASH_LEN];
	uint64_t size = 0;
	int err;

	*note_out = NULL;
	err = latest_row(a, &size, root, note_out, d);
	if (err == GV_OK && size_out)
		*size_out = size;
	return err;
}

/* The latest checkpoint, parsed from its text (the signature is the verifier's job). */
static int latest_parsed(gv_audit *a, gv_checkpoint *c, char **note, gv_diags *d)
{
	unsigned char root[GV_HASH_LEN];
	uint64_t size;
	const char *split;
	int err;

	memset(c, 0, sizeof(*c));
	if ((err = latest_row(a, &size, root, note, d)) < 0) {
		if (err == GV_ENOTFOUND)
			gv_error(d, CODE_INPUT, a->path, "the log has no checkpoint yet; sign one with "
				 "'govgate audit checkpoint --log-key KEY'");
		return err;
	}
	split = strstr(*note, "\n\n");
	if (!split || (err = gv_checkpoint_parse(c, *note, (size_t)(split - *note) + 1, a->path, d)) < 0 ||
	    c->size != size || memcmp(c->root, root, GV_HASH_LEN)) {
		gv_checkpoint_release(c);
		free(*note);
		*note = NULL;
		return gv_error(d, CODE_TAMPER, a->path, "the latest checkpoint row is inconsistent"),
		       GV_ESIG;
	}
	return GV_OK;
}

int gv_audit_prove_inclusion(gv_audit *a, uint64_t seq, char **out, gv_diags *d)
{
	unsigned char leaf[GV_HASH_LEN];
	gv_tlog_proof p = { 0 };
	gv_checkpoint c;
	dbsrc ds = { a, d };
	gv_merkle_src src = db_src(&ds);
	gv_stmt *st = NULL;
	char *note = NULL;
	int err;

	*out = NULL;
	if ((err = begin_read(a, d)) < 0)
		return err;
	if ((err = latest_parsed(a, &c, &note, d)) < 0)
		goto out;
	if (seq >= c.size) {
		err = (gv_error(d, CODE_INPUT, a->path, "seq %" PRIu64 " is not in the latest checkpoint "
			       "(size %" PRIu64 ")", seq, c.size), GV_ENOTFOUND);
		goto out;
	}
	if ((err = prepare(a, &st, "SELECT bytes FROM entry WHERE seq = ?", d)) < 0)
		goto out;
	gv_stmt_bind_int64(st, 1, (int64_t)seq);
	if (gv_stmt_step(st) != GV_STMT_ROW) {
		err = (gv_error(d, CODE_TAMPER, a->path, "entry %" PRIu64 " is missing", seq), GV_ESIG);
		goto out;
	}
	p.extra_len = (size_t)gv_stmt_bytes(st, 0);
	p.extra = gv_xmalloc(p.extra_len + 1);
	memcpy(p.extra, gv_stmt_blob(st, 0) ? gv_stmt_blob(st, 0) : "", p.extra_len);
	gv_merkle_leaf_hash(leaf, p.extra, p.extra_len);
	if ((err = gv_merkle_prove_inclusion(&p.path, &p.n, &src, seq, c.size)) < 0)
		goto out;
	if (gv_merkle_verify_inclusion(seq, c.size, leaf, p.path, p.n, c.root) != GV_OK) {
		err = (gv_error(d, CODE_TAMPER, a->path, "entry %" PRIu64 " is not in the tree of the "
			       "latest checkpoint; run 'govgate audit verify'", seq), GV_ESIG);
		goto out;
	}
	p.index = seq;
	p.note = note;
	p.note_len = strlen(note);
	note = NULL;
	*out = gv_tlog_proof_format(&p);
	err = GV_OK;
out:
	gv_stmt_finalize(st);
	rollback(a);
	gv_checkpoint_release(&c);
	gv_tlog_proof_release(&p);
	free(note);
	return err;
}

int gv_audit_prove_consistency(gv_audit *a, uint64_t from, char **out, gv_diags *d)
{
	unsigned char old_root[GV_HASH_LEN];
	gv_tlog_proof p = { 0 };
	gv_checkpoint c;
	dbsrc ds = { a, d };
	gv_merkle_src src = db_src(&ds);
	char *note = NULL;
	int err;

	*out = NULL;
	if ((err = begin_read(a, d)) < 0)
		return err;
	if ((err = latest_parsed(a, &c, &note, d)) < 0)
		goto out;
	if (from == 0 || from > c.size) {
		err = (gv_error(d, CODE_INPUT, a->path, "--from %" PRIu64 " must be between 1 and the "
			       "latest checkpoint's size %" PRIu64, from, c.size), GV_ENOTFOUND);
		goto out;
	}
	if ((err = gv_merkle_prove_consistency(&p.path, &p.n, &src, from, c.size)) < 0 ||
	    (err = gv_merkle_root(old_root, &src, from)) < 0)
		goto out;
	if (gv_merkle_verify_consistency(from, c.size, p.path, p.n, old_root, c.root) != GV_OK) {
		err = (gv_error(d, CODE_TAMPER, a->path, "the tree does not match the latest checkpoint; "
			       "run 'govgate audit verify'"), GV_ESIG);
		goto out;
	}
	p.consistency = 1;
	p.index = from;
	p.note = note;
	p.note_len = strlen(note);
	note = NULL;
	*out = gv_tlog_proof_format(&p);
out:
	rollback(a);
	gv_checkpoint_release(&c);
	gv_tlog_proof_release(&p);
	free(note);
	return err;
}

/* --- listing and export ------------------------------------------------ */

/* Widens a date-only bound to the start or end of that day. */
static int time_bound(char out[32], const char *t, int end)
{
	size_t n = strlen(t), i;
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";

	if (n != 10 && n != 20)
		return -1;
	for (i = 0; i < n; i++)
		if (pat[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != pat[i])
			return -1;
	snprintf(out, 32, "%s%s", t, n == 20 ? "" : end ? "T23:59:59Z" : "T00:00:00Z");
	return 0;
}

int gv_audit_each(gv_audit *a, const gv_audit_filter *f,
		  int (*fn)(void *payload, uint64_t seq, const char *bytes, size_t len),
		  void *payload, gv_diags *d)
{
	char since[32], until[32];
	gv_buf sql = GV_BUF_INIT;
	gv_stmt *st;
	int err = GV_OK, rc;

	if (f->since && time_bound(since, f->since, 0) < 0)
		return gv_error(d, CODE_INPUT, NULL, "--since '%s' is not YYYY-MM-DD or "
				"YYYY-MM-DDTHH:MM:SSZ", f->since), GV_EPARSE;
	if (f->until && time_bound(until, f->until, 1) < 0)
		return gv_error(d, CODE_INPUT, NULL, "--until '%s' is not YYYY-MM-DD or "
				"YYYY-MM-DDTHH:MM:SSZ", f->until), GV_EPARSE;
	/* only the conditions asked for: each ?N is bound and typed */
	gv_buf_puts(&sql, "SELECT seq, bytes FROM entry WHERE 1 = 1");
	if (f->deployment_id)
		gv_buf_puts(&sql, " AND deployment_id = ?1");
	if (f->type)
		gv_buf_puts(&sql, " AND type = ?2");
	if (f->since)
		gv_buf_puts(&sql, " AND time >= ?3");
	if (f->until)
		gv_buf_puts(&sql, " AND time <= ?4");
	if (f->bounded)
		gv_buf_puts(&sql, " AND seq < ?5");
	gv_buf_puts(&sql, " ORDER BY seq");
	err = prepare(a, &st, sql.ptr, d);
	gv_buf_release(&sql);
	if (err < 0)
		return err;
	if (f->bounded)
		gv_stmt_bind_int64(st, 5, (int64_t)(f->below > INT64_MAX ? INT64_MAX : f->below));
	if (f->deployment_id)
		gv_stmt_bind_text(st, 1, f->deployment_id);
	if (f->type)
		gv_stmt_bind_text(st, 2, f->type);
	if (f->since)
		gv_stmt_bind_text(st, 3, since);
	if (f->until)
		gv_stmt_bind_text(st, 4, until);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *b = gv_stmt_blob(st, 1);
		if ((err = fn(payload, (uint64_t)gv_stmt_int64(st, 0), b ? b : "",
			      (size_t)gv_stmt_bytes(st, 1))) < 0)
			break;
	}
	if (err >= 0 && rc != GV_STMT_DONE)
		err = db_error(a, d, "cannot read the log");
	gv_stmt_finalize(st);
	return err < 0 ? err : GV_OK;
}

static int add_line(void *payload, uint64_t seq, const char *bytes, size_t len)
{
	gv_buf *b = payload;

	gv_buf_add(b, bytes, len);
	gv_buf_putc(b, '\n');
	return 0;
}

int gv_audit_export(gv_audit *a, const char *path, uint64_t *count_out, gv_diags *d)
{
	gv_audit_filter all = { 0 };
	gv_buf lines = GV_BUF_INIT, cps = GV_BUF_INIT, cpath = GV_BUF_INIT;
	gv_stmt *st = NULL;
	uint64_t n;
	int err, rc;

	/* one read transaction: the entries and checkpoints are one snapshot */
	if ((err = begin_read(a, d)) < 0)
		return err;
	if ((err = db_size(a, &n, d)) < 0 || (err = gv_audit_each(a, &all, add_line, &lines, d)) < 0)
		goto out;
	if ((err = prepare(a, &st, "SELECT note FROM checkpoint ORDER BY size", d)) < 0)
		goto out;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *t = gv_stmt_text(st, 0);
		if (t)
			gv_buf_add(&cps, t, (size_t)gv_stmt_bytes(st, 0));
	}
	if (rc != GV_STMT_DONE) {
		err = db_error(a, d, "cannot read the checkpoints");
		goto out;
	}
	gv_buf_printf(&cpath, "%s.checkpoints", path);
	if ((err = gv_atomic_write(path, lines.ptr, lines.len, 0666, d)) < 0 ||
	    (err = gv_atomic_write(cpath.ptr, cps.ptr, cps.len, 0666, d)) < 0)
		goto out;
	if (count_out)
		*count_out = n;
out:
	gv_stmt_finalize(st);
	rollback(a);
	gv_buf_release(&lines);
	gv_buf_release(&cps);
	gv_buf_release(&cpath);
	return err;
}

/* --- verification ------------------------------------------------------ */

/*
 * The verifier reads entries in order, then checkpoints, and keeps the
 * earliest evidence of tampering:
 *
 *   chain   the first entry that is malformed, out of place, does not match
 *           its stored hash, or whose prev does not match the entry before.
 *           A broken link between i-1 and i blames i-1 (the earliest entry
 *           that may have changed) unless a verified checkpoint covers i-1.
 *   tree    the smallest checkpoint whose root differs from the recomputed
 *           one: the first bad seq lies between the largest good checkpoint
 *           before it and its size - 1 (exact when checkpoints are dense).
 *   tail    a checkpoint larger than the log: the log was truncated.
 */
typedef struct vstate {
	const char *file;
	gv_diags *d;
	gv_hash *leaves;
	size_t n, alloc;
	gv_hash **levels;        /* levels[k][i]: hash of leaves [i<<k, (i+1)<<k) */
	unsigned nlevels;
	int chain_bad;
	uint64_t chain_seq, chain_alt;  /* blamed seq; chain_alt: for a broken link */
	int chain_link;
	gv_buf chain_msg;
	int tree_bad;
	uint64_t good;           /* largest size whose checkpoint matched, with all before it */
	uint64_t tree_size;      /* smallest mismatching checkpoint */
	gv_buf tree_msg;
	int node_bad;            /* a cached subtree hash differs from the entries */
	uint64_t node_lo, node_hi;
	int cp_bad;              /* a checkpoint itself is bad (signature, row) */
	gv_buf cp_msg;
	uint64_t checkpoints;
	uint64_t foreign;        /* checkpoints with no signature line by the key */
	gv_buf foreign_msg;      /* who signed the first of them */
	gv_hash *claims;         /* claims[i]: what validated entry i says (receipt.h) */
	unsigned char *has_claim;
	size_t claims_alloc, flags_alloc;
	int check_claims;        /* the local log (replicas are the other side's to check) */
	int rc_bad;              /* a receipt contradicts the entry it names */
	uint64_t rc_seq;
	gv_buf rc_msg;
} vstate;

static void vs_init(vstate *vs, const char *file, gv_diags *d)
{
	memset(vs, 0, sizeof(*vs));
	vs->file = file;
	vs->d = d;
	gv_buf_init(&vs->chain_msg);
	gv_buf_init(&vs->tree_msg);
	gv_buf_init(&vs->cp_msg);
	gv_buf_init(&vs->foreign_msg);
	gv_buf_init(&vs->rc_msg);
}

static void vs_release(vstate *vs)
{
	unsigned k;

	free(vs->leaves);
	for (k = 1; k < vs->nlevels; k++)
		free(vs->levels[k]);
	free(vs->levels);
	gv_buf_release(&vs->chain_msg);
	gv_buf_release(&vs->tree_msg);
	gv_buf_release(&vs->cp_msg);
	gv_buf_release(&vs->foreign_msg);
	gv_buf_release(&vs->rc_msg);
	free(vs->claims);
	free(vs->has_claim);
}

static void chain_fail(vstate *vs, uint64_t seq, int link, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void chain_fail(vstate *vs, uint64_t seq, int link, const char *fmt, ...)
{
	va_list ap;

	if (vs->chain_bad)
		return;
	vs->chain_bad = 1;
	vs->chain_link = link;
	vs->chain_seq = link ? seq - 1 : seq;
	vs->chain_alt = seq;
	va_start(ap, fmt);
	gv_buf_vprintf(&vs->chain_msg, fmt, ap);
	va_end(ap);
}

static void receipt_fail(vstate *vs, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void receipt_fail(vstate *vs, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	if (vs->rc_bad)
		return;
	vs->rc_bad = 1;
	vs->rc_seq = seq;
	va_start(ap, fmt);
	gv_buf_vprintf(&vs->rc_msg, fmt, ap);
	va_end(ap);
}

/*
 * Receipts against the log: a governance.validated entry leaves its claim
 * (deployment, decision, manifest digest, document); a deployment.receipt
 * entry must name (log_seq) an earlier validated entry with the same claim.
 */
static void vs_claims(vstate *vs, uint64_t pos, const char *bytes, size_t len)
{
	char time[GV_TIME_LEN + 1], type[129];
	unsigned char prev[GV_HASH_LEN], claim[GV_HASH_LEN];
	const char *why;
	uint64_t ref;

	if (gv_audit_entry_fields(bytes, len, pos, time, type, prev))
		return;  /* the chain check reports it */
	if (!strcmp(type, GV_VALIDATED_EVENT)) {
		GV_GROW(vs->claims, vs->claims_alloc, pos + 1);
		if (vs->flags_alloc < pos + 1) {
			size_t old = vs->flags_alloc;
			GV_GROW(vs->has_claim, vs->flags_alloc, pos + 1);
			memset(vs->has_claim + old, 0, vs->flags_alloc - old);
		}
		if (!gv_receipt_validated_claim(bytes, len, vs->claims[pos]))
			vs->has_claim[pos] = 1;
	} else if (!strcmp(type, GV_RECEIPT_EVENT)) {
		if ((why = gv_receipt_claim(bytes, len, &ref, claim)))
			receipt_fail(vs, pos, "%s", why);
		else if (ref >= pos || ref >= vs->flags_alloc || !vs->has_claim[ref])
			receipt_fail(vs, pos, "its log_seq %" PRIu64 " is not an earlier "
				     "governance.validated entry", ref);
		else if (memcmp(claim, vs->claims[ref], GV_HASH_LEN))
			receipt_fail(vs, pos, "its deployment, decision or manifest differ from the "
				     "governance.validated entry %" PRIu64 " it names", ref);
	}
}

/*
 * One entry at position pos. stored_hash and head (the entry prefix rebuilt
 * from the database's columns) are NULL for exports.
 */
static void vs_entry(vstate *vs, uint64_t pos, const char *bytes, size_t len,
		     const unsigned char *stored_hash, const gv_buf *head)
{
	unsigned char prev[GV_HASH_LEN];
	const char *why;

	GV_GROW(vs->leaves, vs->alloc, vs->n + 1);
	gv_merkle_leaf_hash(vs->leaves[vs->n], bytes, len);
	vs->n++;
	if (vs->chain_bad)
		return;
	if ((why = entry_shape(bytes, len, pos, prev))) {
		chain_fail(vs, pos, 0, "%s", why);
		return;
	}
	if (stored_hash && memcmp(stored_hash, vs->leaves[pos], GV_HASH_LEN)) {
		chain_fail(vs, pos, 0, "entry bytes do not match the stored entry hash");
		return;
	}
	if (head && (len < head->len || memcmp(bytes, head->ptr, head->len))) {
		chain_fail(vs, pos, 0, "entry's time, type, deployment id or actor differ from the "
			   "indexed columns");
		return;
	}
	if (vs->check_claims)
		vs_claims(vs, pos, bytes, len);
	if (pos == 0) {
		static const unsigned char zero[GV_HASH_LEN];
		if (memcmp(prev, zero, GV_HASH_LEN))
			chain_fail(vs, 0, 0, "the first entry's prev is not 64 zeros");
	} else if (memcmp(prev, vs->leaves[pos - 1], GV_HASH_LEN)) {
		chain_fail(vs, pos, 1, "entry %" PRIu64 "'s hash does not match the prev field of entry "
			   "%" PRIu64, pos - 1, pos);
	}
}

/* Builds every complete level of the tree once, bottom-up. */
static void vs_build(vstate *vs)
{
	unsigned k;
	size_t cnt = vs->n;

	vs->nlevels = 1;
	while (((size_t)1 << vs->nlevels) <= vs->n)
		vs->nlevels++;
	vs->levels = gv_xcalloc(vs->nlevels, sizeof(*vs->levels));
	vs->levels[0] = vs->leaves;
	for (k = 1; k < vs->nlevels; k++) {
		size_t i;
		cnt /= 2;
		vs->levels[k] = gv_xmalloc((cnt ? cnt : 1) * sizeof(gv_hash));
		for (i = 0; i < cnt; i++)
			gv_merkle_node_hash(vs->levels[k][i], vs->levels[k - 1][2 * i],
					    vs->levels[k - 1][2 * i + 1]);
	}
}

static int vs_leaf(void *payload, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	vstate *vs = payload;

	if (index >= vs->n)
		return GV_ERROR;
	memcpy(out, vs->leaves[index], GV_HASH_LEN);
	return GV_OK;
}

static int vs_subtree(void *payload, unsigned level, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	vstate *vs = payload;

	if (level >= vs->nlevels || ((index + 1) << level) > vs->n)
		return 0;
	memcpy(out, vs->levels[level][index], GV_HASH_LEN);
	return 1;
}

/*
 * Whether a note that did not open under key carries no signature line by
 * that key at all (someone else signed it: 1), rather than a signature by
 * it that fails or a malformed note (0). Records who signed it.
 */
static int foreign_note(vstate *vs, const char *note, size_t len, const gv_key *key,
			const char *where)
{
	unsigned char pub[GV_ED25519_PUB_LEN];
	gv_diags tmp = GV_DIAGS_INIT;
	gv_note_signer *v = NULL;
	const char *nl = memchr(note, '\n', len);
	char *origin;
	uint32_t want;
	size_t n = 0, i;
	int ours = 0;

	if (!nl || gv_note_signers(note, len, &v, &n, vs->file, &tmp) < 0) {
		gv_diags_release(&tmp);
		return 0;
	}
	origin = gv_xstrndup(note, (size_t)(nl - note));
	gv_key_raw_public(key, pub);
	want = gv_note_key_id(origin, pub);
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, origin) && v[i].id == want)
			ours = 1;
	if (!ours && vs->foreign++ == 0) {
		gv_buf_printf(&vs->foreign_msg, "%s is signed by ", where);
		for (i = 0; i < n; i++)
			gv_buf_printf(&vs->foreign_msg, "%s'%s' key id %08" PRIx32, i ? ", " : "",
				      v[i].name, v[i].id);
		gv_buf_printf(&vs->foreign_msg, "; the given key is '%s' key id %08" PRIx32, origin,
			      want);
	}
	free(origin);
	gv_note_signers_free(v, n);
	return !ours;
}

/*
 * One checkpoint note (from the log, an export, or the auditor); row_size and
 * row_root are the database's copy, NULL for others. Checkpoints must come
 * in increasing size order.
 */
static void vs_checkpoint(vstate *vs, const char *note, size_t len, const gv_key *key,
			  const char *where, const uint64_t *row_size, const unsigned char *row_root)
{
	gv_merkle_src src = { vs_leaf, vs_subtree, vs };
	unsigned char root[GV_HASH_LEN];
	gv_diags tmp = GV_DIAGS_INIT;
	gv_checkpoint c;
	int err;

	if ((err = gv_checkpoint_open(&c, note, len, NULL, key, vs->file, &tmp)) < 0) {
		if (err == GV_ESIG && foreign_note(vs, note, len, key, where)) {
			gv_diags_release(&tmp);
			return;
		}
		if (!vs->cp_bad) {
			vs->cp_bad = 1;
			gv_buf_printf(&vs->cp_msg, "%s: %s", where, tmp.n ? tmp.v[0].msg : "invalid");
		}
		gv_diags_release(&tmp);
		return;
	}
	gv_diags_release(&tmp);
	vs->checkpoints++;
	if (row_size && (c.size != *row_size || memcmp(c.root, row_root, GV_HASH_LEN))) {
		if (!vs->cp_bad) {
			vs->cp_bad = 1;
			gv_buf_printf(&vs->cp_msg, "%s: the stored size or root differs from the signed note",
				      where);
		}
	} else if (c.size > vs->n) {
		if (!vs->tree_bad || c.size < vs->tree_size) {
			gv_buf_clear(&vs->tree_msg);
			vs->tree_bad = 2;
			vs->tree_size = c.size;
			gv_buf_printf(&vs->tree_msg, "the log has %zu entries but %s was signed for "
				      "%" PRIu64 "; it was truncated", vs->n, where, c.size);
		}
	} else if (gv_merkle_root(root, &src, c.size) == GV_OK &&
		   !memcmp(root, c.root, GV_HASH_LEN)) {
		if ((!vs->tree_bad || c.size < vs->tree_size) && c.size > vs->good)
			vs->good = c.size;
	} else if (!vs->tree_bad || c.size < vs->tree_size) {
		gv_buf_clear(&vs->tree_msg);
		vs->tree_bad = 1;
		vs->tree_size = c.size;
		gv_buf_printf(&vs->tree_msg, "the first %" PRIu64 " entries do not match the root "
			      "signed in %s", c.size, where);
	}
	gv_checkpoint_release(&c);
}

/* Turns the evidence into the verdict and one message. */
static int vs_finish(vstate *vs, gv_audit_result *res)
{
	gv_diags *d = vs->d;

	memset(res, 0, sizeof(*res));
	res->entries = vs->n;
	res->checkpoints = vs->checkpoints;
	res->covered = vs->good;
	res->foreign = vs->foreign;
	snprintf(res->foreign_msg, sizeof(res->foreign_msg), "%s",
		 vs->foreign_msg.ptr ? vs->foreign_msg.ptr : "");
	if (vs->chain_bad) {
		uint64_t seq = vs->chain_seq;
		/* a verified checkpoint vouches for the entry before a broken link */
		if (vs->chain_link && vs->good > seq)
			seq = vs->chain_alt;
		if (!vs->tree_bad || vs->tree_bad == 2 || seq < vs->tree_size) {
			res->tampered = 1;
			res->bad_lo = res->bad_hi = seq;
			res->bad_seq_known = 1;
			gv_error(d, CODE_TAMPER, vs->file, "audit log tampered at seq %" PRIu64 ": %s",
				 seq, vs->chain_msg.ptr);
			return GV_ESIG;
		}
	}
	if (vs->tree_bad == 2) {
		res->tampered = 1;
		res->bad_lo = res->bad_hi = vs->n;
		res->bad_seq_known = 1;
		gv_error(d, CODE_TAMPER, vs->file, "audit log tampered at seq %zu: %s", vs->n,
			 vs->tree_msg.ptr);
		return GV_ESIG;
	}
	if (vs->tree_bad) {
		res->tampered = 1;
		res->bad_lo = vs->good;
		res->bad_hi = vs->tree_size - 1;
		res->bad_seq_known = 1;
		if (res->bad_lo == res->bad_hi)
			gv_error(d, CODE_TAMPER, vs->file, "audit log tampered at seq %" PRIu64 ": %s",
				 res->bad_lo, vs->tree_msg.ptr);
		else
			gv_error(d, CODE_TAMPER, vs->file, "audit log tampered between seq %" PRIu64
				 " and seq %" PRIu64 ": %s", res->bad_lo, res->bad_hi, vs->tree_msg.ptr);
		return GV_ESIG;
	}
	if (vs->node_bad) {
		res->tampered = 1;
		res->bad_lo = vs->node_lo;
		res->bad_hi = vs->node_hi;
		res->bad_seq_known = 1;
		gv_error(d, CODE_TAMPER, vs->file, "audit log tampered between seq %" PRIu64 " and seq "
			 "%" PRIu64 ": the stored tree hash of these entries does not match them",
			 vs->node_lo, vs->node_hi);
		return GV_ESIG;
	}
	if (vs->cp_bad) {
		res->tampered = 1;
		gv_error(d, CODE_TAMPER, vs->file, "audit log checkpoint tampered: %s", vs->cp_msg.ptr);
		return GV_ESIG;
	}
	if (vs->rc_bad) {
		res->tampered = 1;
		res->bad_lo = res->bad_hi = vs->rc_seq;
		res->bad_seq_known = 1;
		gv_error(d, CODE_TAMPER, vs->file, "audit log receipt at seq %" PRIu64 " contradicts the "
			 "log: %s", vs->rc_seq, vs->rc_msg.ptr);
		return GV_ESIG;
	}
	return GV_OK;
}

/* Checks the database's cached subtree hashes against the recomputed tree. */
static int vs_nodes(vstate *vs, gv_audit *a, gv_diags *d)
{
	gv_stmt *st;
	unsigned char h[GV_HASH_LEN];
	int err, rc;

	if ((err = prepare(a, &st, "SELECT level, idx, hash FROM tree_node ORDER BY level, idx",
			   d)) < 0)
		return err;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t level = gv_stmt_int64(st, 0), idx = gv_stmt_int64(st, 1);
		uint64_t lo;
		if (level < 1 || level >= 63 || idx < 0 || column_hash(st, 2, h) < 0) {
			err = (gv_error(d, CODE_DB, a->path, "the tree cache holds a malformed row"),
			       GV_EPARSE);
			break;
		}
		lo = (uint64_t)idx << level;
		if ((unsigned)level >= vs->nlevels || ((uint64_t)(idx + 1) << level) > vs->n ||
		    memcmp(vs->levels[level][idx], h, GV_HASH_LEN)) {
			vs->node_bad = 1;
			vs->node_lo = lo;
			vs->node_hi = ((uint64_t)(idx + 1) << level) - 1;
			break;
		}
	}
	if (rc != GV_STMT_ROW && rc != GV_STMT_DONE)
		err = db_error(a, d, "cannot read the tree");
	gv_stmt_finalize(st);
	return err;
}

int gv_audit_verify(gv_audit *a, const gv_key *key, const char *saved, size_t saved_len,
		    const char *saved_file, gv_audit_result *res, gv_diags *d)
{
	unsigned char stored[GV_HASH_LEN], row_root[GV_HASH_LEN];
	gv_buf head = GV_BUF_INIT, where = GV_BUF_INIT;
	gv_stmt *st = NULL;
	vstate vs;
	uint64_t pos = 0;
	int err, rc;

	memset(res, 0, sizeof(*res));
	vs_init(&vs, a->path, d);
	vs.check_claims = 1;
	if ((err = begin_read(a, d)) < 0)
		goto out;
	if ((err = prepare(a, &st, "SELECT seq, bytes, hash, time, type, deployment_id, actor "
			   "FROM entry ORDER BY seq", d)) < 0)
		goto out;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t seq = gv_stmt_int64(st, 0);
		const char *bytes = gv_stmt_blob(st, 1);
		size_t len = (size_t)gv_stmt_bytes(st, 1);
		const char *cols[4];
		int k, colsok = 1;

		if (len > GV_AUDIT_MAX_ENTRY) {
			err = (gv_error(d, CODE_DB, a->path, "entry %lld is larger than %d bytes",
				       (long long)seq, GV_AUDIT_MAX_ENTRY), GV_ELIMIT);
			goto out;
		}
		if (gv_stmt_type(st, 1) != GV_COL_BLOB && gv_stmt_type(st, 1) != GV_COL_TEXT) {
			err = (gv_error(d, CODE_DB, a->path, "entry %lld is not stored as bytes",
				       (long long)seq), GV_EPARSE);
			goto out;
		}
		if (column_hash(st, 2, stored) < 0) {
			err = (gv_error(d, CODE_DB, a->path, "entry %lld's hash is not 32 bytes",
				       (long long)seq), GV_EPARSE);
			goto out;
		}
		if (seq < 0 || (uint64_t)seq != pos) {
			if (!vs.chain_bad) {
				if (seq >= 0 && (uint64_t)seq > pos)
					chain_fail(&vs, pos, 0, "entry %" PRIu64 " is missing (the next row "
						   "is seq %lld)", pos, (long long)seq);
				else
					chain_fail(&vs, pos, 0, "row out of order (seq %lld)", (long long)seq);
			}
		}
		for (k = 0; k < 4; k++)
			if (!(cols[k] = gv_stmt_text(st, 3 + k)))
				colsok = 0;
		gv_buf_clear(&head);
		if (colsok)
			entry_head(&head, pos, (const char *)cols[0], (const char *)cols[1],
				   (const char *)cols[2], (const char *)cols[3]);
		else
			gv_buf_puts(&head, "\x01");  /* never matches */
		vs_entry(&vs, pos, bytes ? bytes : "", len, stored, &head);
		pos++;
	}
	if (rc != GV_STMT_DONE) {
		err = db_error(a, d, "cannot read the log");
		goto out;
	}
	gv_stmt_finalize(st);
	st = NULL;
	vs_build(&vs);
	if ((err = vs_nodes(&vs, a, d)) < 0)
		goto out;
	if ((err = prepare(a, &st, "SELECT size, root, note FROM checkpoint ORDER BY size", d)) < 0)
		goto out;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t size = gv_stmt_int64(st, 0);
		const char *note = gv_stmt_text(st, 2);
		uint64_t usize = (uint64_t)size;

		gv_buf_clear(&where);
		gv_buf_printf(&where, "the checkpoint for size %lld", (long long)size);
		if (size < 0 || column_hash(st, 1, row_root) < 0 || !note) {
			if (!vs.cp_bad) {
				vs.cp_bad = 1;
				gv_buf_printf(&vs.cp_msg, "%s: malformed row", where.ptr);
			}
			continue;
		}
		vs_checkpoint(&vs, (const char *)note, (size_t)gv_stmt_bytes(st, 2), key,
			      where.ptr, &usize, row_root);
	}
	if (rc != GV_STMT_DONE) {
		err = db_error(a, d, "cannot read the checkpoints");
		goto out;
	}
	if (saved) {
		gv_buf_clear(&where);
		gv_buf_printf(&where, "the saved checkpoint %s", saved_file);
		vs_checkpoint(&vs, saved, saved_len, key, where.ptr, NULL, NULL);
	}
	err = vs_finish(&vs, res);
out:
	gv_stmt_finalize(st);
	rollback(a);
	vs_release(&vs);
	gv_buf_release(&head);
	gv_buf_release(&where);
	return err;
}

/*
 * Splits an OUT.checkpoints file into notes: each note's signature lines
 * start with an em dash, and the next note starts at the first line after
 * them that does not.
 */
static int next_note(const char **p, const char *end, const char **note, size_t *len)
{
	const char *s = *p, *q = *p;
	int in_sigs = 0;

	if (s >= end)
		return 0;
	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		const char *next = nl ? nl + 1 : end;
		if (in_sigs && !((size_t)(end - q) >= 3 && !memcmp(q, "\xe2\x80\x94", 3)))
			break;
		if (q < end && *q == '\n')
			in_sigs = 1;
		q = next;
	}
	*note = s;
	*len = (size_t)(q - s);
	*p = q;
	return 1;
}

int gv_audit_verify_jsonl(const char *path, const gv_key *key, const char *saved,
			  size_t saved_len, const char *saved_file, gv_audit_result *res,
			  gv_diags *d)
{
	gv_buf cps = GV_BUF_INIT, cpath = GV_BUF_INIT, where = GV_BUF_INIT, line = GV_BUF_INIT;
	vstate vs;
	FILE *f = NULL;
	uint64_t pos = 0;
	int err = GV_OK, c;
	const char *p, *end, *note;
	size_t len, k = 0;

	memset(res, 0, sizeof(*res));
	vs_init(&vs, path, d);
	vs.check_claims = 1;
	gv_buf_printf(&cpath, "%s.checkpoints", path);
	if ((err = gv_buf_read_file(&cps, cpath.ptr, (size_t)64 << 20)) < 0) {
		gv_error(d, CODE_DB, cpath.ptr, "cannot read the checkpoints: %s",
			 err == GV_ELIMIT ? "too large" : strerror(errno));
		goto out;
	}
	if (!(f = fopen(path, "rb"))) {
		err = (gv_error(d, CODE_DB, path, "cannot read the export: %s", strerror(errno)), GV_EIO);
		goto out;
	}
	for (;;) {
		c = getc(f);
		if (c == EOF) {
			if (line.len) {
				err = (gv_error(d, CODE_DB, path, "the last line has no newline"), GV_EPARSE);
				goto out;
			}
			break;
		}
		if (c != '\n') {
			if (line.len >= GV_AUDIT_MAX_ENTRY) {
				err = (gv_error(d, CODE_DB, path, "line %" PRIu64 " is longer than %d bytes",
					       pos + 1, GV_AUDIT_MAX_ENTRY), GV_ELIMIT);
				goto out;
			}
			gv_buf_putc(&line, (char)c);
			continue;
		}
		vs_entry(&vs, pos++, line.ptr, line.len, NULL, NULL);
		gv_buf_clear(&line);
	}
	if (ferror(f)) {
		err = (gv_error(d, CODE_DB, path, "cannot read the export: %s", strerror(errno)), GV_EIO);
		goto out;
	}
	vs_build(&vs);
	p = cps.ptr;
	end = cps.ptr + cps.len;
	while (next_note(&p, end, &note, &len)) {
		gv_buf_clear(&where);
		gv_buf_printf(&where, "checkpoint %zu of %s", ++k, cpath.ptr);
		vs_checkpoint(&vs, note, len, key, where.ptr, NULL, NULL);
	}
	if (saved) {
		gv_buf_clear(&where);
		gv_buf_printf(&where, "the saved checkpoint %s", saved_file);
		vs_checkpoint(&vs, saved, saved_len, key, where.ptr, NULL, NULL);
	}
	err = vs_finish(&vs, res);
out:
	if (f)
		fclose(f);
	vs_release(&vs);
	gv_buf_release(&cps);
	gv_buf_release(&cpath);
	gv_buf_release(&where);
	gv_buf_release(&line);
	return err;
}

int gv_audit_receipt_put(gv_audit *a, const char *deployment_id, const char *actor,
			 const char *json, size_t len, uint64_t *seq_out, gv_diags *d)
{
	char *payload = gv_xstrndup(json, len);
	int err;

	err = gv_audit_append(a, GV_RECEIPT_EVENT, deployment_id, actor, payload, seq_out, d);
	free(payload);
	return err;
}

typedef struct receipt_walk {
	int (*fn)(void *payload, uint64_t seq, const char *json, size_t len);
	void *payload;
} receipt_walk;

static int receipt_entry(void *payload, uint64_t seq, const char *bytes, size_t len)
{
	receipt_walk *w = payload;
	const char *json;
	size_t n;

	if (gv_receipt_entry_payload(bytes, len, &json, &n) < 0)
		return 0;  /* audit verify reports a malformed entry */
	return w->fn(w->payload, seq, json, n);
}

int gv_audit_receipts_each(gv_audit *a, const char *deployment_id,
			   int (*fn)(void *payload, uint64_t seq, const char *json, size_t len),
			   void *payload, gv_diags *d)
{
	gv_audit_filter f;
	receipt_walk w = { fn, payload };

	memset(&f, 0, sizeof(f));
	f.type = GV_RECEIPT_EVENT;
	f.deployment_id = deployment_id;
	return gv_audit_each(a, &f, receipt_entry, &w, d);
}

/* --- sync_store: snapshots for export, replicas of other logs ------------ */


const char *gv_audit_entry_fields(const char *bytes, size_t len, uint64_t seq,
				  char time_out[GV_TIME_LEN + 1], char type_out[129],
				  unsigned char prev_out[GV_HASH_LEN])
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	const char *why, *p, *end = bytes + len, *q;
	int hl;
	size_t i;
	char head[48];

	if ((why = entry_shape(bytes, len, seq, prev_out)))
		return why;
	hl = snprintf(head, sizeof(head), "{\"seq\":%" PRIu64 ",\"time\":\"", seq);
	p = bytes + hl;
	if ((size_t)(end - p) < GV_TIME_LEN + 10 || memcmp(bytes, head, (size_t)hl))
		return "entry's second field is not its time";
	for (i = 0; i < GV_TIME_LEN; i++)
		if (pat[i] == 'd' ? (p[i] < '0' || p[i] > '9') : p[i] != pat[i])
			return "entry's time is not RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ)";
	memcpy(time_out, p, GV_TIME_LEN);
	time_out[GV_TIME_LEN] = '\0';
	p += GV_TIME_LEN;
	if (memcmp(p, "\",\"type\":\"", 10))
		return "entry's third field is not its type";
	p += 10;
	q = memchr(p, '"', (size_t)(end - p));
	if (!q || q == p || q - p > 128)
		return "entry's type is empty or too long";
	memcpy(type_out, p, (size_t)(q - p));
	type_out[q - p] = '\0';
	if (!type_valid(type_out))
		return "entry's type has characters outside A-Z a-z 0-9 . _ -";
	return NULL;
}

void gv_sync_snapshot_release(gv_sync_snapshot *s)
{
	free(s->note);
	free(s->proof);
	gv_buf_release(&s->entries);
	memset(s, 0, sizeof(*s));
	gv_buf_init(&s->entries);
}

int gv_sync_store_snapshot(gv_audit *a, uint64_t from, gv_sync_snapshot *out, gv_diags *d)
{
	unsigned char check[GV_HASH_LEN];
	dbsrc ds = { a, d };
	gv_merkle_src src = db_src(&ds);
	gv_stmt *st = NULL;
	uint64_t want;
	int err, rc;

	memset(out, 0, sizeof(*out));
	gv_buf_init(&out->entries);
	out->from = from;
	if ((err = begin_read(a, d)) < 0)
		return err;
	if ((err = db_size(a, &out->log_size, d)) < 0)
		goto out;
	if ((err = latest_row(a, &out->size, out->root, &out->note, d)) < 0) {
		if (err == GV_ENOTFOUND)
			gv_error(d, CODE_INPUT, a->path, "the log has no checkpoint yet; sign one with "
				 "--log-key KEY");
		goto out;
	}
	if (from > out->size) {
		err = (gv_error(d, CODE_INPUT, a->path, "--since %" PRIu64 " is beyond the latest "
			       "checkpoint (size %" PRIu64 ")", from, out->size), GV_ERROR);
		goto out;
	}
	if (out->size > out->log_size) {
		err = (gv_error(d, CODE_TAMPER, a->path, "the log has %" PRIu64 " entries but a "
			       "checkpoint for %" PRIu64 "; run 'govgate audit verify'", out->log_size,
			       out->size), GV_ESIG);
		goto out;
	}
	/* never export what does not match its own signed root */
	if ((err = gv_merkle_root(check, &src, out->size)) < 0 ||
	    (err = gv_merkle_root(out->old_root, &src, from)) < 0)
		goto out;
	if (memcmp(check, out->root, GV_HASH_LEN)) {
		err = (gv_error(d, CODE_TAMPER, a->path, "the log no longer matches its latest "
			       "checkpoint; run 'govgate audit verify'"), GV_ESIG);
		goto out;
	}
	if (from > 0 && from < out->size) {
		if ((err = gv_merkle_prove_consistency(&out->proof, &out->proof_len, &src, from,
						       out->size)) < 0)
			goto out;
		if (gv_merkle_verify_consistency(from, out->size, out->proof, out->proof_len,
						 out->old_root, out->root) != GV_OK) {
			err = (gv_error(d, CODE_TAMPER, a->path, "the tree does not match the latest "
				       "checkpoint; run 'govgate audit verify'"), GV_ESIG);
			goto out;
		}
	}
	if ((err = prepare(a, &st, "SELECT seq, bytes FROM entry WHERE seq >= ? AND seq < ? "
			   "ORDER BY seq", d)) < 0)
		goto out;
	gv_stmt_bind_int64(st, 1, (int64_t)from);
	gv_stmt_bind_int64(st, 2, (int64_t)out->size);
	want = from;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *b = gv_stmt_blob(st, 1);
		if ((uint64_t)gv_stmt_int64(st, 0) != want++) {
			err = (gv_error(d, CODE_TAMPER, a->path, "entry %" PRIu64 " is missing",
				       want - 1), GV_ESIG);
			goto out;
		}
		gv_buf_add(&out->entries, b ? b : "", (size_t)gv_stmt_bytes(st, 1));
		gv_buf_putc(&out->entries, '\n');
	}
	if (rc != GV_STMT_DONE) {
		err = db_error(a, d, "cannot read the log");
		goto out;
	}
	if (want != out->size)
		err = (gv_error(d, CODE_TAMPER, a->path, "entry %" PRIu64 " is missing", want), GV_ESIG);
out:
	gv_stmt_finalize(st);
	rollback(a);
	if (err < 0)
		gv_sync_snapshot_release(out);
	return err;
}

/* Whether the replica tables exist (1), not (0), or an error. */
static int replica_tables(gv_audit *a, gv_diags *d)
{
	int r = a->db->ops->replica_tables(a->db);

	return r < 0 ? db_error(a, d, "cannot read the database") : r;
}

/* Runs a one-row query with origin bound to ?1; GV_OK with a row, 0 rows: GV_ENOTFOUND. */
static int replica_row(gv_audit *a, gv_stmt **st, const char *sql, const char *origin,
		       gv_diags *d)
{
	int err, rc;

	if ((err = prepare(a, st, sql, d)) < 0)
		return err;
	gv_stmt_bind_text(*st, 1, origin);
	rc = gv_stmt_step(*st);
	if (rc == GV_STMT_ROW)
		return GV_OK;
	if (rc == GV_STMT_DONE)
		return GV_ENOTFOUND;
	return db_error(a, d, "cannot read the replica");
}

static void column_time(gv_stmt *st, int col, char out[GV_TIME_LEN + 1])
{
	const char *t = gv_stmt_text(st, col);

	snprintf(out, GV_TIME_LEN + 1, "%s", t ? (const char *)t : "");
}

/* The replica state, inside whatever transaction the caller holds. */
static int replica_state(gv_audit *a, const char *origin, gv_replica_state *out, gv_diags *d)
{
	gv_stmt *st = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = replica_tables(a, d)) <= 0)
		return err < 0 ? err : GV_ENOTFOUND;
	if ((err = replica_row(a, &st, "SELECT pubkey FROM replica_key WHERE origin = ?1 "
			       "ORDER BY id DESC LIMIT 1", origin, d)) < 0)
		goto out;
	if (gv_stmt_bytes(st, 0) != GV_ED25519_PUB_LEN || !gv_stmt_blob(st, 0)) {
		err = (gv_error(d, CODE_DB, a->path, "the key of replica '%s' is not 32 bytes", origin),
		       GV_EPARSE);
		goto out;
	}
	memcpy(out->pub, gv_stmt_blob(st, 0), GV_ED25519_PUB_LEN);
	gv_stmt_finalize(st);
	if ((err = replica_row(a, &st, "SELECT coalesce(max(seq) + 1, 0) FROM replica_entry "
			       "WHERE origin = ?1", origin, d)) < 0)
		goto out;
	if (gv_stmt_int64(st, 0) < 0) {
		err = (gv_error(d, CODE_DB, a->path, "replica '%s' has negative sequence numbers",
				origin), GV_EPARSE);
		goto out;
	}
	out->size = (uint64_t)gv_stmt_int64(st, 0);
	gv_stmt_finalize(st);
	err = replica_row(a, &st, "SELECT size, root, imported FROM replica_checkpoint WHERE "
			  "origin = ?1 ORDER BY size DESC LIMIT 1", origin, d);
	if (err == GV_OK) {
		if (gv_stmt_int64(st, 0) < 0 || column_hash(st, 1, out->cp_root) < 0) {
			err = (gv_error(d, CODE_DB, a->path, "the latest checkpoint of replica '%s' is "
					"damaged", origin), GV_EPARSE);
			goto out;
		}
		out->has_checkpoint = 1;
		out->cp_size = (uint64_t)gv_stmt_int64(st, 0);
		column_time(st, 2, out->cp_imported);
	} else if (err != GV_ENOTFOUND) {
		goto out;
	}
	gv_stmt_finalize(st);
	err = replica_row(a, &st, "SELECT time, announced, (SELECT count(*) FROM replica_import "
			  "WHERE origin = ?1) FROM replica_import WHERE origin = ?1 ORDER BY id DESC "
			  "LIMIT 1", origin, d);
	if (err == GV_OK) {
		column_time(st, 0, out->last_import);
		out->announced = (uint64_t)(gv_stmt_int64(st, 1) < 0 ? 0 :
					    gv_stmt_int64(st, 1));
		out->imports = (uint64_t)gv_stmt_int64(st, 2);
	} else if (err != GV_ENOTFOUND) {
		goto out;
	}
	err = GV_OK;
out:
	gv_stmt_finalize(st);
	return err;
}

int gv_replica_get(gv_audit *a, const char *origin, gv_replica_state *out, gv_diags *d)
{
	int err;

	if ((err = begin_read(a, d)) < 0)
		return err;
	err = replica_state(a, origin, out, d);
	rollback(a);
	return err;
}

void gv_replica_list_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int gv_replica_list(gv_audit *a, char ***out, size_t *n, gv_diags *d)
{
	gv_stmt *st;
	size_t alloc = 0;
	int err, rc;

	*out = NULL;
	*n = 0;
	if ((err = replica_tables(a, d)) <= 0)
		return err;
	/* every table names its origin: deleting one table's rows hides no replica */
	if ((err = prepare(a, &st, "SELECT origin FROM replica_key UNION SELECT origin FROM "
			   "replica_entry UNION SELECT origin FROM replica_checkpoint UNION SELECT "
			   "origin FROM replica_import UNION SELECT origin FROM replica_node ORDER BY 1",
			   d)) < 0)
		return err;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *t = gv_stmt_text(st, 0);
		GV_GROW(*out, alloc, *n + 1);
		(*out)[(*n)++] = gv_xstrdup(t ? (const char *)t : "");
	}
	if (rc != GV_STMT_DONE) {
		err = db_error(a, d, "cannot read the replicas");
		gv_replica_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	gv_stmt_finalize(st);
	return err;
}

int gv_replica_latencies(gv_audit *a, const char *origin, int64_t **out, size_t *n, gv_diags *d)
{
	gv_stmt *st;
	size_t alloc = 0;
	int err, rc;

	*out = NULL;
	*n = 0;
	if ((err = replica_tables(a, d)) <= 0)
		return err;
	if ((err = prepare(a, &st, origin ? "SELECT latency FROM replica_entry WHERE origin = ?1 "
			   "ORDER BY origin, seq" : "SELECT latency FROM replica_entry ORDER BY origin, seq",
			   d)) < 0)
		return err;
	if (origin)
		gv_stmt_bind_text(st, 1, origin);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		GV_GROW(*out, alloc, *n + 1);
		(*out)[(*n)++] = gv_stmt_int64(st, 0);
	}
	if (rc != GV_STMT_DONE) {
		err = db_error(a, d, "cannot read the replicas");
		free(*out);
		*out = NULL;
		*n = 0;
	}
	gv_stmt_finalize(st);
	return err;
}

int gv_replica_newest_time(gv_audit *a, const char *origin, char out[GV_TIME_LEN + 1],
			   gv_diags *d)
{
	gv_stmt *st = NULL;
	int err;

	out[0] = '\0';
	err = replica_row(a, &st, "SELECT time FROM replica_entry WHERE origin = ?1 ORDER BY seq "
			  "DESC LIMIT 1", origin, d);
	if (err == GV_OK)
		column_time(st, 0, out);
	gv_stmt_finalize(st);
	return err == GV_ENOTFOUND ? GV_OK : err;
}

/* A replica's leaf (level 0) or cached subtree hash: 1 found, 0 not, < 0 error. */
static int replica_node(gv_audit *a, const char *origin, unsigned level, uint64_t idx,
			unsigned char out[GV_HASH_LEN], gv_diags *d)
{
	gv_stmt *st;
	int err, rc;

	if ((err = prepare(a, &st, level == 0 ?
			   "SELECT hash FROM replica_entry WHERE origin = ?1 AND seq = ?3" :
			   "SELECT hash FROM replica_node WHERE origin = ?1 AND level = ?2 AND idx = ?3",
			   d)) < 0)
		return err;
	gv_stmt_bind_text(st, 1, origin);
	if (level)
		gv_stmt_bind_int64(st, 2, (int64_t)level);
	gv_stmt_bind_int64(st, 3, (int64_t)idx);
	rc = gv_stmt_step(st);
	if (rc == GV_STMT_ROW)
		err = column_hash(st, 0, out) == 0 ? 1 :
		      (gv_error(d, CODE_DB, a->path, "replica '%s' has a hash that is not 32 bytes",
				origin), GV_EPARSE);
	else
		err = rc == GV_STMT_DONE ? 0 : db_error(a, d, "cannot read the replica");
	gv_stmt_finalize(st);
	return err;
}

static int rsrc_leaf(void *payload, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	gv_replica_src_ctx *c = payload;
	int r = replica_node(c->a, c->origin, 0, index, out, c->d);

	if (r == 0)
		return gv_error(c->d, CODE_TAMPER, c->a->path, "entry %" PRIu64 " of replica '%s' is "
				"missing", index, c->origin), GV_ESIG;
	return r < 0 ? r : GV_OK;
}

static int rsrc_subtree(void *payload, unsigned level, uint64_t index,
			unsigned char out[GV_HASH_LEN])
{
	gv_replica_src_ctx *c = payload;
	return replica_node(c->a, c->origin, level, index, out, c->d);
}

gv_merkle_src gv_replica_src(gv_replica_src_ctx *c)
{
	gv_merkle_src s = { rsrc_leaf, rsrc_subtree, c };
	return s;
}

int gv_replica_apply(gv_audit *a, gv_replica_write *w, gv_diags *d)
{
	gv_replica_state now;
	gv_stmt *ins = NULL, *node = NULL, *st = NULL;
	size_t i;
	int err, found;

	if ((w->pin_key && w->pin_payload &&
	     (err = event_valid("sync.key_pinned", "", w->actor ? w->actor : "", w->pin_payload,
				d)) < 0) ||
	    (w->import_payload &&
	     (err = event_valid("sync.imported", "", w->actor ? w->actor : "", w->import_payload,
				d)) < 0))
		return err;
	if ((err = begin_write(a, d)) < 0)
		return err;
	if ((err = (a->db->ops->replica_schema(a->db) < 0 ? db_error(a, d, "cannot create the replica tables") : GV_OK)) < 0)
		goto out;
	err = replica_state(a, w->origin, &now, d);
	if (err < 0 && err != GV_ENOTFOUND)
		goto out;
	found = err == GV_OK;
	if (found != w->exists || (found && (now.size != w->expect_size ||
					     (!w->pin_key && memcmp(now.pub, w->pub, GV_ED25519_PUB_LEN)))) ||
	    (!found && w->expect_size != 0)) {
		err = (gv_error(d, CODE_INPUT, a->path, "the replica of '%s' changed during the import; "
				"nothing was written, run the import again", w->origin), GV_ERROR);
		goto out;
	}
	if (w->pin_key) {
		if ((err = prepare(a, &st, "INSERT INTO replica_key (origin, pubkey, added) VALUES "
				   "(?, ?, ?)", d)) < 0)
			goto out;
		gv_stmt_bind_text(st, 1, w->origin);
		gv_stmt_bind_blob(st, 2, w->pub, GV_ED25519_PUB_LEN);
		gv_stmt_bind_text(st, 3, w->now);
		if ((err = step_done(a, st, d, "cannot write the replica key")) < 0)
			goto out;
		gv_stmt_finalize(st);
		st = NULL;
	}
	if ((err = prepare(a, &ins, "INSERT INTO replica_entry (origin, seq, bytes, hash, time, "
			   "type, imported, latency) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", d)) < 0 ||
	    (err = prepare(a, &node, "INSERT INTO replica_node (origin, level, idx, hash) VALUES "
			   "(?, ?, ?, ?)", d)) < 0)
		goto out;
	for (i = 0; i < w->n; i++) {
		const gv_replica_entry *e = &w->entries[i];
		uint64_t seq = w->expect_size + i, count = seq + 1;
		unsigned char right[GV_HASH_LEN], left[GV_HASH_LEN];
		unsigned level;

		gv_stmt_bind_text(ins, 1, w->origin);
		gv_stmt_bind_int64(ins, 2, (int64_t)seq);
		gv_stmt_bind_blob(ins, 3, e->bytes, e->len);
		gv_stmt_bind_blob(ins, 4, e->hash, GV_HASH_LEN);
		gv_stmt_bind_text(ins, 5, e->time);
		gv_stmt_bind_text(ins, 6, e->type);
		gv_stmt_bind_text(ins, 7, w->now);
		gv_stmt_bind_int64(ins, 8, e->latency);
		if ((err = step_done(a, ins, d, "cannot write the replica")) < 0)
			goto out;
		/* the subtrees this leaf completes, as add_nodes does for the log */
		memcpy(right, e->hash, GV_HASH_LEN);
		for (level = 1; level < 64 && count % ((uint64_t)1 << level) == 0; level++) {
			uint64_t idx = (count >> level) - 1;
			if ((err = replica_node(a, w->origin, level - 1, 2 * idx, left, d)) <= 0) {
				if (err == 0)
					err = (gv_error(d, CODE_DB, a->path, "replica '%s' is missing a tree "
							"node; run 'govgate audit verify'", w->origin),
					       GV_EPARSE);
				goto out;
			}
			gv_merkle_node_hash(right, left, right);
			gv_stmt_bind_text(node, 1, w->origin);
			gv_stmt_bind_int64(node, 2, (int64_t)level);
			gv_stmt_bind_int64(node, 3, (int64_t)idx);
			gv_stmt_bind_blob(node, 4, right, GV_HASH_LEN);
			if ((err = step_done(a, node, d, "cannot write the replica tree")) < 0)
				goto out;
		}
	}
	if (!found || !now.has_checkpoint || now.cp_size != w->cp_size) {
		if ((err = prepare(a, &st, "INSERT INTO replica_checkpoint (origin, size, root, note, "
				   "pubkey, imported) VALUES (?, ?, ?, ?, ?, ?)", d)) < 0)
			goto out;
		gv_stmt_bind_text(st, 1, w->origin);
		gv_stmt_bind_int64(st, 2, (int64_t)w->cp_size);
		gv_stmt_bind_blob(st, 3, w->cp_root, GV_HASH_LEN);
		gv_stmt_bind_text(st, 4, w->cp_note);
		gv_stmt_bind_blob(st, 5, w->pub, GV_ED25519_PUB_LEN);
		gv_stmt_bind_text(st, 6, w->now);
		if ((err = step_done(a, st, d, "cannot write the replica checkpoint")) < 0)
			goto out;
		gv_stmt_finalize(st);
		st = NULL;
	}
	if ((err = prepare(a, &st, "INSERT INTO replica_import (origin, time, from_size, to_size, "
			   "entries, announced) VALUES (?, ?, ?, ?, ?, ?)", d)) < 0)
		goto out;
	gv_stmt_bind_text(st, 1, w->origin);
	gv_stmt_bind_text(st, 2, w->now);
	gv_stmt_bind_int64(st, 3, (int64_t)w->expect_size);
	gv_stmt_bind_int64(st, 4, (int64_t)w->cp_size);
	gv_stmt_bind_int64(st, 5, (int64_t)w->n);
	gv_stmt_bind_int64(st, 6, (int64_t)w->announced);
	if ((err = step_done(a, st, d, "cannot write the import record")) < 0)
		goto out;
	/* the local log's record of the pin and the import, in the same transaction */
	if (w->pin_key && w->pin_payload &&
	    (err = append_locked(a, "sync.key_pinned", "", w->actor ? w->actor : "",
				 w->pin_payload, NULL, d)) < 0)
		goto out;
	if (w->import_payload &&
	    (err = append_locked(a, "sync.imported", "", w->actor ? w->actor : "",
				 w->import_payload, &w->import_seq, d)) < 0)
		goto out;
	err = commit(a, d);
out:
	gv_stmt_finalize(st);
	gv_stmt_finalize(ins);
	gv_stmt_finalize(node);
	if (err < 0)
		rollback(a);
	return err;
}

/* The import of ex that brought replica entry seq; NULL when none did. */
static const gv_replica_import *import_of(const gv_replica_expect *ex, uint64_t seq)
{
	size_t i;

	for (i = 0; i < ex->nimports; i++)
		if (ex->imports[i].from <= seq && seq < ex->imports[i].to)
			return &ex->imports[i];
	return NULL;
}

/* Flags the first disagreement between the replica's rows and the local log. */
static void replica_mismatch(vstate *vs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void replica_mismatch(vstate *vs, const char *fmt, ...)
{
	va_list ap;

	if (vs->cp_bad)
		return;
	vs->cp_bad = 1;
	va_start(ap, fmt);
	gv_buf_vprintf(&vs->cp_msg, fmt, ap);
	va_end(ap);
}

/* The replica's key rows and import records against the local log's entries. */
static int replica_records(gv_audit *a, const char *origin, const gv_replica_expect *ex,
			   vstate *vs, gv_diags *d)
{
	gv_stmt *st = NULL;
	size_t i = 0;
	int err, rc;

	if ((err = prepare(a, &st, "SELECT pubkey FROM replica_key WHERE origin = ? ORDER BY id",
			   d)) < 0)
		return err;
	gv_stmt_bind_text(st, 1, origin);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const void *pk = gv_stmt_blob(st, 0);
		if (i >= ex->npins || gv_stmt_bytes(st, 0) != GV_ED25519_PUB_LEN || !pk ||
		    memcmp(pk, ex->pins[i], GV_ED25519_PUB_LEN))
			replica_mismatch(vs, "pinned key %zu does not match the log's sync.key_pinned "
					 "entries", i + 1);
		i++;
	}
	if (rc != GV_STMT_DONE)
		goto fail;
	if (i != ex->npins)
		replica_mismatch(vs, "the replica has %zu pinned keys but the log records %zu", i,
				 ex->npins);
	gv_stmt_finalize(st);
	if ((err = prepare(a, &st, "SELECT time, from_size, to_size, entries, announced FROM "
			   "replica_import WHERE origin = ? ORDER BY id", d)) < 0)
		return err;
	gv_stmt_bind_text(st, 1, origin);
	i = 0;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *t = gv_stmt_text(st, 0);
		const gv_replica_import *im = i < ex->nimports ? &ex->imports[i] : NULL;
		if (!im || !t || strcmp((const char *)t, im->time) ||
		    gv_stmt_int64(st, 1) != (int64_t)im->from ||
		    gv_stmt_int64(st, 2) != (int64_t)im->to ||
		    gv_stmt_int64(st, 3) != (int64_t)im->entries ||
		    gv_stmt_int64(st, 4) != (int64_t)im->announced)
			replica_mismatch(vs, "import record %zu does not match the log's sync.imported "
					 "entries", i + 1);
		i++;
	}
	if (rc != GV_STMT_DONE)
		goto fail;
	if (i != ex->nimports)
		replica_mismatch(vs, "the replica has %zu import records but the log records %zu "
				 "imports", i, ex->nimports);
	gv_stmt_finalize(st);
	return GV_OK;
fail:
	err = db_error(a, d, "cannot read the replica");
	gv_stmt_finalize(st);
	return err;
}

int gv_replica_verify(gv_audit *a, const char *origin, const gv_replica_expect *ex,
		      gv_audit_result *res, gv_diags *d)
{
	unsigned char stored[GV_HASH_LEN], row_root[GV_HASH_LEN], h[GV_HASH_LEN];
	gv_buf head = GV_BUF_INIT, where = GV_BUF_INIT, label = GV_BUF_INIT;
	gv_stmt *st = NULL;
	uint64_t pos = 0, max_cp = 0;
	size_t olen = strlen(origin);
	vstate vs;
	int err, rc, any_cp = 0;

	memset(res, 0, sizeof(*res));
	gv_buf_printf(&label, "%s (replica of '%s')", a->path, origin);
	vs_init(&vs, label.ptr, d);
	if ((err = begin_read(a, d)) < 0)
		goto out;
	if ((err = replica_tables(a, d)) <= 0) {
		err = err < 0 ? err : (gv_error(d, CODE_INPUT, a->path, "no replica of '%s'", origin),
				       GV_ENOTFOUND);
		goto out;
	}
	if ((err = prepare(a, &st, "SELECT seq, bytes, hash, time, type, imported, latency FROM "
			   "replica_entry WHERE origin = ? ORDER BY seq", d)) < 0)
		goto out;
	gv_stmt_bind_text(st, 1, origin);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t seq = gv_stmt_int64(st, 0);
		const char *bytes = gv_stmt_blob(st, 1);
		size_t len = (size_t)gv_stmt_bytes(st, 1);
		const char *t = gv_stmt_text(st, 3), *ty = gv_stmt_text(st, 4);
		const char *imp = gv_stmt_text(st, 5);
		const gv_replica_import *im = import_of(ex, pos);
		time_t te, ti;

		if (len > GV_AUDIT_MAX_ENTRY || column_hash(st, 2, stored) < 0) {
			err = (gv_error(d, CODE_DB, label.ptr, "entry %lld is malformed (size or hash)",
					(long long)seq), GV_EPARSE);
			goto out;
		}
		if (seq < 0 || (uint64_t)seq != pos)
			chain_fail(&vs, pos, 0, "entry %" PRIu64 " is missing or out of order (row seq "
				   "%lld)", pos, (long long)seq);
		/* its import time and sync latency are the local log's, not the row's */
		if (!im || !imp || strcmp((const char *)imp, im->time) || !t ||
		    gv_time_parse(&te, (const char *)t) < 0 || gv_time_parse(&ti, im->time) < 0 ||
		    gv_stmt_int64(st, 6) != (int64_t)(ti - te))
			replica_mismatch(&vs, "entry %" PRIu64 "'s import time or sync latency does not "
					 "match the log's sync.imported entries", pos);
		gv_buf_clear(&head);
		gv_buf_printf(&head, "{\"seq\":%" PRIu64 ",\"time\":", pos);
		gv_buf_json_str(&head, t ? (const char *)t : "\x01", t ? strlen((const char *)t) : 1);
		gv_buf_puts(&head, ",\"type\":");
		gv_buf_json_str(&head, ty ? (const char *)ty : "\x01", ty ? strlen((const char *)ty) : 1);
		gv_buf_puts(&head, ",\"deployment_id\":");
		vs_entry(&vs, pos, bytes ? bytes : "", len, stored, &head);
		pos++;
	}
	if (rc != GV_STMT_DONE) {
		err = db_error(a, d, "cannot read the replica");
		goto out;
	}
	gv_stmt_finalize(st);
	st = NULL;
	vs_build(&vs);
	/* the cached subtrees */
	if ((err = prepare(a, &st, "SELECT level, idx, hash FROM replica_node WHERE origin = ? "
			   "ORDER BY level, idx", d)) < 0)
		goto out;
	gv_stmt_bind_text(st, 1, origin);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t level = gv_stmt_int64(st, 0), idx = gv_stmt_int64(st, 1);
		if (level < 1 || level >= 63 || idx < 0 || column_hash(st, 2, h) < 0) {
			err = (gv_error(d, CODE_DB, label.ptr, "the tree cache holds a malformed row"),
			       GV_EPARSE);
			goto out;
		}
		if ((unsigned)level >= vs.nlevels || ((uint64_t)(idx + 1) << level) > vs.n ||
		    memcmp(vs.levels[level][idx], h, GV_HASH_LEN)) {
			vs.node_bad = 1;
			vs.node_lo = (uint64_t)idx << level;
			vs.node_hi = ((uint64_t)(idx + 1) << level) - 1;
			break;
		}
	}
	if (rc != GV_STMT_ROW && rc != GV_STMT_DONE) {
		err = db_error(a, d, "cannot read the replica tree");
		goto out;
	}
	gv_stmt_finalize(st);
	st = NULL;
	/* every checkpoint, under a key the auditor or the local log trusts */
	if ((err = prepare(a, &st, "SELECT size, root, note, pubkey, imported FROM "
			   "replica_checkpoint WHERE origin = ? ORDER BY size", d)) < 0)
		goto out;
	gv_stmt_bind_text(st, 1, origin);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t size = gv_stmt_int64(st, 0);
		const char *note = (const char *)gv_stmt_text(st, 2);
		size_t nlen = (size_t)gv_stmt_bytes(st, 2), i;
		const void *pk = gv_stmt_blob(st, 3);
		const char *imp = gv_stmt_text(st, 4);
		uint64_t usize = (uint64_t)size;
		const gv_key *k = NULL;
		unsigned char kpub[GV_ED25519_PUB_LEN];
		int imported_ok = 0;

		gv_buf_clear(&where);
		gv_buf_printf(&where, "the checkpoint for size %lld", (long long)size);
		if (size < 0 || column_hash(st, 1, row_root) < 0 || !note || !pk ||
		    gv_stmt_bytes(st, 3) != GV_ED25519_PUB_LEN) {
			replica_mismatch(&vs, "%s: malformed row", where.ptr);
			continue;
		}
		if (nlen <= olen || memcmp(note, origin, olen) || note[olen] != '\n') {
			replica_mismatch(&vs, "%s: its origin is not '%s'", where.ptr, origin);
			goto next;
		}
		/* the trusted key that opens it; else the first, to say who signed it */
		for (i = 0; i < ex->nkeys && !k; i++) {
			gv_diags tmp = GV_DIAGS_INIT;
			gv_checkpoint c;
			if (gv_checkpoint_open(&c, note, nlen, origin, ex->keys[i], label.ptr, &tmp) == 0)
				k = ex->keys[i];
			gv_checkpoint_release(&c);
			gv_diags_release(&tmp);
		}
		vs_checkpoint(&vs, note, nlen, k ? k : ex->keys[0], where.ptr, &usize, row_root);
		if (k) {
			gv_key_raw_public(k, kpub);
			if (memcmp(kpub, pk, GV_ED25519_PUB_LEN))
				replica_mismatch(&vs, "%s: the key stored with it is not the key that "
						 "signed it", where.ptr);
		}
		for (i = 0; i < ex->nimports; i++)
			if (ex->imports[i].to == usize && imp &&
			    !strcmp((const char *)imp, ex->imports[i].time))
				imported_ok = 1;
		if (!imported_ok)
			replica_mismatch(&vs, "%s: no sync.imported entry of the log brought it at "
					 "its recorded time", where.ptr);
next:
		any_cp = 1;
		if (usize > max_cp)
			max_cp = usize;
	}
	if (rc != GV_STMT_DONE) {
		err = db_error(a, d, "cannot read the replica checkpoints");
		goto out;
	}
	gv_stmt_finalize(st);
	st = NULL;
	if ((err = replica_records(a, origin, ex, &vs, d)) < 0)
		goto out;
	/* every replica entry was imported under a checkpoint that covers it */
	if ((err = vs_finish(&vs, res)) == GV_OK && (!any_cp || max_cp < vs.n) && vs.n > 0) {
		res->tampered = 1;
		res->bad_lo = res->bad_hi = max_cp;
		res->bad_seq_known = 1;
		err = (gv_error(d, CODE_TAMPER, label.ptr, "audit log tampered at seq %" PRIu64 ": the "
				"replica holds %zu entries but no imported checkpoint covers more than %"
				PRIu64, max_cp, vs.n, max_cp), GV_ESIG);
	}
out:
	gv_stmt_finalize(st);
	rollback(a);
	vs_release(&vs);
	gv_buf_release(&head);
	gv_buf_release(&where);
	gv_buf_release(&label);
	return err;
}
