/*
 * audit.c: the backend-neutral audit log: appends, checkpoints, proofs,
 * export and verification, over the storage interface of store.h (a SQLite
 * file or a PostgreSQL database; no SQL library is seen here). See audit.h
 * for the contract and docs/EVIDENCE.md for the formats.
 */
#include "audit.h"
#include "audit_impl.h"
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
int gva_db_error(gv_audit *a, gv_diags *d, const char *what)
{
	gv_store_err c = a->db->ops->errclass(a->db);

	gv_error(d, CODE_DB, a->path, "%s: %s", what, a->db->ops->errmsg(a->db));
	return c == GV_STORE_ETOOBIG ? GV_ELIMIT : c == GV_STORE_EFORMAT ? GV_EPARSE : GV_EIO;
}

/* The transactions: read (one snapshot), write (the append lock), end. */
int gva_begin_read(gv_audit *a, gv_diags *d)
{
	return a->db->ops->begin_read(a->db) < 0 ? gva_db_error(a, d, "database error") : GV_OK;
}

int gva_begin_write(gv_audit *a, gv_diags *d)
{
	return a->db->ops->begin_write(a->db) < 0 ? gva_db_error(a, d, "database error") : GV_OK;
}

int gva_commit(gv_audit *a, gv_diags *d)
{
	return a->db->ops->commit(a->db) < 0 ? gva_db_error(a, d, "database error") : GV_OK;
}

int gva_prepare(gv_audit *a, gv_stmt **st, const char *sql, gv_diags *d)
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
		return gva_db_error(a, d, "cannot read the database");
	ok = gv_stmt_step(st) == GV_STMT_ROW && gv_stmt_type(st, 0) == GV_COL_INT;
	if (ok)
		*out = gv_stmt_int64(st, 0);
	gv_stmt_finalize(st);
	return ok ? GV_OK : gva_db_error(a, d, "cannot read the database");
}

int gva_rollback(gv_audit *a)
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

int gva_type_valid(const char *t)
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
const char *gva_entry_shape(const char *bytes, size_t len, uint64_t seq,
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

int gva_step_done(gv_audit *a, gv_stmt *st, gv_diags *d, const char *what)
{
	int rc = gv_stmt_step(st);

	gv_stmt_reset(st);
	if (rc != GV_STMT_DONE)
		return gva_db_error(a, d, what);
	return GV_OK;
}

/* Reads a hash column; -1 when it is not a 32-byte blob. */
int gva_column_hash(gv_stmt *st, int col, unsigned char out[GV_HASH_LEN])
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
		if ((err = gva_prepare(a, &st, "SELECT hash FROM entry WHERE seq = ?", d)) < 0)
			return err;
	} else {
		if ((err = gva_prepare(a, &st, "SELECT hash FROM tree_node WHERE level = ? AND idx = ?",
				   d)) < 0)
			return err;
		gv_stmt_bind_int64(st, 1, (int64_t)level);
	}
	gv_stmt_bind_int64(st, level ? 2 : 1, (int64_t)idx);
	rc = gv_stmt_step(st);
	if (rc == GV_STMT_ROW && gva_column_hash(st, 0, out) == 0)
		err = 1;
	else if (rc == GV_STMT_ROW) {
		gv_error(d, CODE_DB, a->path, "tree hash (level %u, index %" PRIu64 ") is not 32 bytes",
			 level, idx);
		err = GV_EPARSE;
	} else if (rc == GV_STMT_DONE)
		err = 0;
	else
		err = gva_db_error(a, d, "cannot read the tree");
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

	if ((err = gva_prepare(a, &ins, "INSERT INTO tree_node (level, idx, hash) VALUES (?, ?, ?)",
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
		if ((err = gva_step_done(a, ins, d, "cannot write the tree")) < 0)
			break;
		memcpy(right, node, GV_HASH_LEN);
	}
	gv_stmt_finalize(ins);
	return err < 0 ? err : GV_OK;
}

int gva_db_size(gv_audit *a, uint64_t *n, gv_diags *d)
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
	return gva_db_size(a, out, d);
}

/* Checks an event's fields before anything is written. */
int gva_event_valid(const char *type, const char *deployment_id, const char *actor,
		       const char *payload_json, gv_diags *d)
{
	if (!type || !gva_type_valid(type))
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
int gva_append_locked(gv_audit *a, const char *type, const char *deployment_id,
			 const char *actor, const char *payload_json, uint64_t *seq_out,
			 gv_diags *d)
{
	unsigned char prev[GV_HASH_LEN] = { 0 }, hash[GV_HASH_LEN];
	char now[GV_TIME_LEN + 1], prevhex[2 * GV_HASH_LEN + 1];
	gv_buf b = GV_BUF_INIT;
	gv_stmt *st = NULL;
	uint64_t seq = 0;
	int err, rc;

	if ((err = gva_prepare(a, &st, "SELECT seq, hash FROM entry ORDER BY seq DESC LIMIT 1", d)) < 0)
		goto out;
	rc = gv_stmt_step(st);
	if (rc == GV_STMT_ROW) {
		int64_t last = gv_stmt_int64(st, 0);
		if (last < 0 || gva_column_hash(st, 1, prev) < 0) {
			err = (gv_error(d, CODE_DB, a->path, "the last entry is damaged; run 'govgate "
				       "audit verify'"), GV_EPARSE);
			goto out;
		}
		seq = (uint64_t)last + 1;
	} else if (rc != GV_STMT_DONE) {
		err = gva_db_error(a, d, "cannot read the log");
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

	if ((err = gva_prepare(a, &st, "INSERT INTO entry (seq, bytes, hash, time, type, deployment_id, "
			   "actor) VALUES (?, ?, ?, ?, ?, ?, ?)", d)) < 0)
		goto out;
	gv_stmt_bind_int64(st, 1, (int64_t)seq);
	gv_stmt_bind_blob(st, 2, b.ptr, b.len);
	gv_stmt_bind_blob(st, 3, hash, GV_HASH_LEN);
	gv_stmt_bind_text(st, 4, now);
	gv_stmt_bind_text(st, 5, type);
	gv_stmt_bind_text(st, 6, deployment_id);
	gv_stmt_bind_text(st, 7, actor);
	if ((err = gva_step_done(a, st, d, "cannot append to the log")) < 0)
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
	if ((err = gva_event_valid(type, deployment_id, actor, payload_json, d)) < 0)
		return err;
	if ((err = gva_begin_write(a, d)) < 0)
		return err;
	if ((err = gva_append_locked(a, type, deployment_id, actor, payload_json, &seq, d)) < 0 ||
	    (err = gva_commit(a, d)) < 0) {
		gva_rollback(a);
		return err;
	}
	if (seq_out)
		*seq_out = seq;
	return GV_OK;
}

/* --- tree over the database ---------------------------------------------- */


static int db_leaf(void *payload, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	gva_dbsrc *s = payload;
	int r = get_node(s->a, 0, index, out, s->d);

	if (r == 0)
		return gv_error(s->d, CODE_TAMPER, s->a->path, "entry %" PRIu64 " is missing", index),
		       GV_ESIG;
	return r < 0 ? r : GV_OK;
}

static int db_subtree(void *payload, unsigned level, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	gva_dbsrc *s = payload;
	return get_node(s->a, level, index, out, s->d);
}

gv_merkle_src gva_db_src(gva_dbsrc *s)
{
	gv_merkle_src src = { db_leaf, db_subtree, s };
	return src;
}

/* The latest checkpoint row: size, root, note (malloc'd); GV_ENOTFOUND if none. */
int gva_latest_row(gv_audit *a, uint64_t *size, unsigned char root[GV_HASH_LEN], char **note,
		      gv_diags *d)
{
	gv_stmt *st;
	int err, rc;

	if ((err = gva_prepare(a, &st, "SELECT size, root, note FROM checkpoint ORDER BY size DESC "
			   "LIMIT 1", d)) < 0)
		return err;
	rc = gv_stmt_step(st);
	if (rc == GV_STMT_ROW) {
		const char *t = gv_stmt_text(st, 2);
		if (gv_stmt_int64(st, 0) < 0 || gva_column_hash(st, 1, root) < 0 || !t) {
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
		err = gva_db_error(a, d, "cannot read the checkpoints");
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
	if ((err = gva_prepare(a, &st, "SELECT seq, bytes, hash FROM entry WHERE seq >= ? ORDER BY seq",
			   d)) < 0)
		return err;
	gv_stmt_bind_int64(st, 1, (int64_t)from);
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *bytes = gv_stmt_blob(st, 1);
		size_t len = (size_t)gv_stmt_bytes(st, 1);
		if ((uint64_t)gv_stmt_int64(st, 0) != want || gva_column_hash(st, 2, stored) < 0 ||
		    gva_entry_shape(bytes ? bytes : "", len, want, p) ||
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
		err = gva_db_error(a, d, "cannot read the log");
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
	gva_dbsrc ds = { a, d };
	gv_merkle_src src = gva_db_src(&ds);
	gv_stmt *st = NULL;
	int err, have_last;

	*note_out = NULL;
	if (!gv_note_name_valid(origin))
		return gv_error(d, CODE_INPUT, NULL, "log origin '%s' is not a valid note key name "
				"(no spaces or '+')", origin), GV_EPARSE;
	if (!gv_key_is_private(log_key))
		return gv_error(d, CODE_INPUT, NULL, "signing a checkpoint needs the log's private key"),
		       GV_ERROR;
	if ((err = gva_begin_write(a, d)) < 0)
		return err;
	if ((err = gva_db_size(a, &n, d)) < 0)
		goto out;
	err = gva_latest_row(a, &last, last_root, &note, d);
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
		err = gva_commit(a, d);
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
	if ((err = gva_prepare(a, &st, "INSERT INTO checkpoint (size, root, origin, note, created) "
			   "VALUES (?, ?, ?, ?, ?)", d)) < 0)
		goto out;
	gv_stmt_bind_int64(st, 1, (int64_t)n);
	gv_stmt_bind_blob(st, 2, root, GV_HASH_LEN);
	gv_stmt_bind_text(st, 3, origin);
	gv_stmt_bind_text(st, 4, note);
	gv_stmt_bind_text(st, 5, now);
	if ((err = gva_step_done(a, st, d, "cannot store the checkpoint")) < 0)
		goto out;
	if ((err = gva_commit(a, d)) < 0)
		goto out;
	*note_out = note;
	note = NULL;
out:
	gv_stmt_finalize(st);
	free(text);
	free(note);
	if (err < 0)
		gva_rollback(a);
	return err;
}

int gv_audit_latest_checkpoint(gv_audit *a, char **note_out, uint64_t *size_out, gv_diags *d)
{
	unsigned char root[GV_HASH_LEN];
	uint64_t size = 0;
	int err;

	*note_out = NULL;
	err = gva_latest_row(a, &size, root, note_out, d);
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
	if ((err = gva_latest_row(a, &size, root, note, d)) < 0) {
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
	gva_dbsrc ds = { a, d };
	gv_merkle_src src = gva_db_src(&ds);
	gv_stmt *st = NULL;
	char *note = NULL;
	int err;

	*out = NULL;
	if ((err = gva_begin_read(a, d)) < 0)
		return err;
	if ((err = latest_parsed(a, &c, &note, d)) < 0)
		goto out;
	if (seq >= c.size) {
		err = (gv_error(d, CODE_INPUT, a->path, "seq %" PRIu64 " is not in the latest checkpoint "
			       "(size %" PRIu64 ")", seq, c.size), GV_ENOTFOUND);
		goto out;
	}
	if ((err = gva_prepare(a, &st, "SELECT bytes FROM entry WHERE seq = ?", d)) < 0)
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
	gva_rollback(a);
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
	gva_dbsrc ds = { a, d };
	gv_merkle_src src = gva_db_src(&ds);
	char *note = NULL;
	int err;

	*out = NULL;
	if ((err = gva_begin_read(a, d)) < 0)
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
	gva_rollback(a);
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
	err = gva_prepare(a, &st, sql.ptr, d);
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
		err = gva_db_error(a, d, "cannot read the log");
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
	if ((err = gva_begin_read(a, d)) < 0)
		return err;
	if ((err = gva_db_size(a, &n, d)) < 0 || (err = gv_audit_each(a, &all, add_line, &lines, d)) < 0)
		goto out;
	if ((err = gva_prepare(a, &st, "SELECT note FROM checkpoint ORDER BY size", d)) < 0)
		goto out;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		const char *t = gv_stmt_text(st, 0);
		if (t)
			gv_buf_add(&cps, t, (size_t)gv_stmt_bytes(st, 0));
	}
	if (rc != GV_STMT_DONE) {
		err = gva_db_error(a, d, "cannot read the checkpoints");
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
	gva_rollback(a);
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

void gva_vs_init(gva_vstate *vs, const char *file, gv_diags *d)
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

void gva_vs_release(gva_vstate *vs)
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

void gva_chain_fail(gva_vstate *vs, uint64_t seq, int link, const char *fmt, ...)
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

static void receipt_fail(gva_vstate *vs, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void receipt_fail(gva_vstate *vs, uint64_t seq, const char *fmt, ...)
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
static void vs_claims(gva_vstate *vs, uint64_t pos, const char *bytes, size_t len)
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
void gva_vs_entry(gva_vstate *vs, uint64_t pos, const char *bytes, size_t len,
		     const unsigned char *stored_hash, const gv_buf *head)
{
	unsigned char prev[GV_HASH_LEN];
	const char *why;

	GV_GROW(vs->leaves, vs->alloc, vs->n + 1);
	gv_merkle_leaf_hash(vs->leaves[vs->n], bytes, len);
	vs->n++;
	if (vs->chain_bad)
		return;
	if ((why = gva_entry_shape(bytes, len, pos, prev))) {
		gva_chain_fail(vs, pos, 0, "%s", why);
		return;
	}
	if (stored_hash && memcmp(stored_hash, vs->leaves[pos], GV_HASH_LEN)) {
		gva_chain_fail(vs, pos, 0, "entry bytes do not match the stored entry hash");
		return;
	}
	if (head && (len < head->len || memcmp(bytes, head->ptr, head->len))) {
		gva_chain_fail(vs, pos, 0, "entry's time, type, deployment id or actor differ from the "
			   "indexed columns");
		return;
	}
	if (vs->check_claims)
		vs_claims(vs, pos, bytes, len);
	if (pos == 0) {
		static const unsigned char zero[GV_HASH_LEN];
		if (memcmp(prev, zero, GV_HASH_LEN))
			gva_chain_fail(vs, 0, 0, "the first entry's prev is not 64 zeros");
	} else if (memcmp(prev, vs->leaves[pos - 1], GV_HASH_LEN)) {
		gva_chain_fail(vs, pos, 1, "entry %" PRIu64 "'s hash does not match the prev field of entry "
			   "%" PRIu64, pos - 1, pos);
	}
}

/* Builds every complete level of the tree once, bottom-up. */
void gva_vs_build(gva_vstate *vs)
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
	gva_vstate *vs = payload;

	if (index >= vs->n)
		return GV_ERROR;
	memcpy(out, vs->leaves[index], GV_HASH_LEN);
	return GV_OK;
}

static int vs_subtree(void *payload, unsigned level, uint64_t index, unsigned char out[GV_HASH_LEN])
{
	gva_vstate *vs = payload;

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
static int foreign_note(gva_vstate *vs, const char *note, size_t len, const gv_key *key,
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
void gva_vs_checkpoint(gva_vstate *vs, const char *note, size_t len, const gv_key *key,
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
int gva_vs_finish(gva_vstate *vs, gv_audit_result *res)
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
static int vs_nodes(gva_vstate *vs, gv_audit *a, gv_diags *d)
{
	gv_stmt *st;
	unsigned char h[GV_HASH_LEN];
	int err, rc;

	if ((err = gva_prepare(a, &st, "SELECT level, idx, hash FROM tree_node ORDER BY level, idx",
			   d)) < 0)
		return err;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t level = gv_stmt_int64(st, 0), idx = gv_stmt_int64(st, 1);
		uint64_t lo;
		if (level < 1 || level >= 63 || idx < 0 || gva_column_hash(st, 2, h) < 0) {
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
		err = gva_db_error(a, d, "cannot read the tree");
	gv_stmt_finalize(st);
	return err;
}

int gv_audit_verify(gv_audit *a, const gv_key *key, const char *saved, size_t saved_len,
		    const char *saved_file, gv_audit_result *res, gv_diags *d)
{
	unsigned char stored[GV_HASH_LEN], row_root[GV_HASH_LEN];
	gv_buf head = GV_BUF_INIT, where = GV_BUF_INIT;
	gv_stmt *st = NULL;
	gva_vstate vs;
	uint64_t pos = 0;
	int err, rc;

	memset(res, 0, sizeof(*res));
	gva_vs_init(&vs, a->path, d);
	vs.check_claims = 1;
	if ((err = gva_begin_read(a, d)) < 0)
		goto out;
	if ((err = gva_prepare(a, &st, "SELECT seq, bytes, hash, time, type, deployment_id, actor "
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
		if (gva_column_hash(st, 2, stored) < 0) {
			err = (gv_error(d, CODE_DB, a->path, "entry %lld's hash is not 32 bytes",
				       (long long)seq), GV_EPARSE);
			goto out;
		}
		if (seq < 0 || (uint64_t)seq != pos) {
			if (!vs.chain_bad) {
				if (seq >= 0 && (uint64_t)seq > pos)
					gva_chain_fail(&vs, pos, 0, "entry %" PRIu64 " is missing (the next row "
						   "is seq %lld)", pos, (long long)seq);
				else
					gva_chain_fail(&vs, pos, 0, "row out of order (seq %lld)", (long long)seq);
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
		gva_vs_entry(&vs, pos, bytes ? bytes : "", len, stored, &head);
		pos++;
	}
	if (rc != GV_STMT_DONE) {
		err = gva_db_error(a, d, "cannot read the log");
		goto out;
	}
	gv_stmt_finalize(st);
	st = NULL;
	gva_vs_build(&vs);
	if ((err = vs_nodes(&vs, a, d)) < 0)
		goto out;
	if ((err = gva_prepare(a, &st, "SELECT size, root, note FROM checkpoint ORDER BY size", d)) < 0)
		goto out;
	while ((rc = gv_stmt_step(st)) == GV_STMT_ROW) {
		int64_t size = gv_stmt_int64(st, 0);
		const char *note = gv_stmt_text(st, 2);
		uint64_t usize = (uint64_t)size;

		gv_buf_clear(&where);
		gv_buf_printf(&where, "the checkpoint for size %lld", (long long)size);
		if (size < 0 || gva_column_hash(st, 1, row_root) < 0 || !note) {
			if (!vs.cp_bad) {
				vs.cp_bad = 1;
				gv_buf_printf(&vs.cp_msg, "%s: malformed row", where.ptr);
			}
			continue;
		}
		gva_vs_checkpoint(&vs, (const char *)note, (size_t)gv_stmt_bytes(st, 2), key,
			      where.ptr, &usize, row_root);
	}
	if (rc != GV_STMT_DONE) {
		err = gva_db_error(a, d, "cannot read the checkpoints");
		goto out;
	}
	if (saved) {
		gv_buf_clear(&where);
		gv_buf_printf(&where, "the saved checkpoint %s", saved_file);
		gva_vs_checkpoint(&vs, saved, saved_len, key, where.ptr, NULL, NULL);
	}
	err = gva_vs_finish(&vs, res);
out:
	gv_stmt_finalize(st);
	gva_rollback(a);
	gva_vs_release(&vs);
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
	gva_vstate vs;
	FILE *f = NULL;
	uint64_t pos = 0;
	int err = GV_OK, c;
	const char *p, *end, *note;
	size_t len, k = 0;

	memset(res, 0, sizeof(*res));
	gva_vs_init(&vs, path, d);
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
		gva_vs_entry(&vs, pos++, line.ptr, line.len, NULL, NULL);
		gv_buf_clear(&line);
	}
	if (ferror(f)) {
		err = (gv_error(d, CODE_DB, path, "cannot read the export: %s", strerror(errno)), GV_EIO);
		goto out;
	}
	gva_vs_build(&vs);
	p = cps.ptr;
	end = cps.ptr + cps.len;
	while (next_note(&p, end, &note, &len)) {
		gv_buf_clear(&where);
		gv_buf_printf(&where, "checkpoint %zu of %s", ++k, cpath.ptr);
		gva_vs_checkpoint(&vs, note, len, key, where.ptr, NULL, NULL);
	}
	if (saved) {
		gv_buf_clear(&where);
		gv_buf_printf(&where, "the saved checkpoint %s", saved_file);
		gva_vs_checkpoint(&vs, saved, saved_len, key, where.ptr, NULL, NULL);
	}
	err = gva_vs_finish(&vs, res);
out:
	if (f)
		fclose(f);
	gva_vs_release(&vs);
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

