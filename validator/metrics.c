/*
 * metrics.c: the audit log and its replicas as Prometheus text exposition
 * (version 0.0.4). Every family gets HELP and TYPE lines; label values are
 * escaped as the format requires. See metrics.h and docs/METRICS.md.
 */
#include "metrics.h"
#include "rfc3339.h"
#include "alloc.h"
#include "gv.h"
#include "json_parse.h"
#include "node.h"
#include "sync.h"
#include "sync_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const double gv_metrics_latency_buckets[] = { 1, 5, 15, 30, 60, 300, 900, 3600, 21600, 86400 };
const size_t gv_metrics_latency_nbuckets = GV_ARRAY_LEN(gv_metrics_latency_buckets);

#define MAX_LABEL 64  /* bytes of a label value taken from an entry */

static const char *const statuses[] = { "completed", "blocked", "halted", "escalated", "failed" };

typedef struct violation {
	char enforcement[MAX_LABEL + 1], severity[MAX_LABEL + 1];
	uint64_t count;
} violation;

typedef struct tally {
	violation *v;
	size_t n, alloc;
	uint64_t overflow;   /* pairs beyond GV_METRICS_MAX_VIOLATION_SERIES */
	uint64_t count;      /* entries seen, for the deployment counters */
} tally;

static int count_entry(void *payload, uint64_t seq, const char *bytes, size_t len)
{
	((tally *)payload)->count++;
	return 0;
}

/* A label value from an entry: its string, "unknown" when absent, "invalid" when odd. */
static void label_from(char out[MAX_LABEL + 1], const gv_node *n)
{
	if (!n || n->kind != GV_NODE_STR)
		snprintf(out, MAX_LABEL + 1, "%s", "unknown");
	else if (n->n == 0 || n->n > MAX_LABEL)
		snprintf(out, MAX_LABEL + 1, "%s", "invalid");
	else
		snprintf(out, MAX_LABEL + 1, "%.*s", (int)n->n, n->s);
}

static void tally_add(tally *t, const char *enf, const char *sev, uint64_t k)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].enforcement, enf) && !strcmp(t->v[i].severity, sev)) {
			t->v[i].count += k;
			return;
		}
	if (t->n == GV_METRICS_MAX_VIOLATION_SERIES) {
		t->overflow += k;
		return;
	}
	GV_GROW(t->v, t->alloc, t->n + 1);
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	snprintf(t->v[t->n].enforcement, MAX_LABEL + 1, "%s", enf);
	snprintf(t->v[t->n].severity, MAX_LABEL + 1, "%s", sev);
	t->v[t->n++].count = k;
}

/* governance.validated: payload.violations[] of {enforcement, severity}. */
static int count_violations(void *payload, uint64_t seq, const char *bytes, size_t len)
{
	tally *t = payload;
	gv_diags quiet = GV_DIAGS_INIT;
	gv_file *f = NULL;
	const gv_node *p, *v, *tr, *all;
	uint32_t i;

	/* the entry was written by govgate; one that does not parse counts nothing */
	if (gv_json_parse(&f, "entry", bytes, len, NULL, &quiet) == GV_OK && f->ndocs == 1 &&
	    (p = gv_node_get(f->docs[0], "payload")) && (v = gv_node_get(p, "violations")) &&
	    v->kind == GV_NODE_SEQ) {
		for (i = 0; i < v->n; i++) {
			char enf[MAX_LABEL + 1], sev[MAX_LABEL + 1];
			const gv_node *it = v->u.items[i];
			if (it->kind != GV_NODE_MAP)
				continue;
			label_from(enf, gv_node_get(it, "enforcement"));
			label_from(sev, gv_node_get(it, "severity"));
			tally_add(t, enf, sev, 1);
		}
		/* a truncated list still counts every finding; the rest have no labels */
		if ((tr = gv_node_get(p, "violations_truncated")) && tr->kind == GV_NODE_BOOL &&
		    tr->u.b && (all = gv_node_get(p, "findings")) && all->kind == GV_NODE_INT &&
		    all->u.i > (int64_t)v->n)
			tally_add(t, "unknown", "unknown", (uint64_t)all->u.i - v->n);
	}
	gv_file_free(f);
	gv_diags_release(&quiet);
	return 0;
}

/* Waivers that matched a finding, by policy, rule and state: active
 * (governance.waiver.applied) or expired (governance.waiver.rejected with
 * reason expired). */
typedef struct wseries {
	char policy[MAX_LABEL + 1], rule[MAX_LABEL + 1];
	uint64_t count[2];   /* active, expired */
} wseries;

typedef struct wtally {
	wseries *v;
	size_t n, alloc;
	int expired;         /* the entry type being read */
} wtally;

static int count_waiver(void *payload, uint64_t seq, const char *bytes, size_t len)
{
	wtally *t = payload;
	gv_diags quiet = GV_DIAGS_INIT;
	gv_file *f = NULL;
	const gv_node *p, *st;
	char pol[MAX_LABEL + 1], rule[MAX_LABEL + 1];
	size_t i;

	if (gv_json_parse(&f, "entry", bytes, len, NULL, &quiet) == GV_OK && f->ndocs == 1 &&
	    (p = gv_node_get(f->docs[0], "payload")) && p->kind == GV_NODE_MAP &&
	    (!t->expired || ((st = gv_node_get(p, "reason")) && st->kind == GV_NODE_STR &&
			     !strcmp(st->s, "expired")))) {
		label_from(pol, gv_node_get(p, "policy"));
		label_from(rule, gv_node_get(p, "rule"));
		for (i = 0; i < t->n; i++)
			if (!strcmp(t->v[i].policy, pol) && !strcmp(t->v[i].rule, rule))
				break;
		if (i == t->n && t->n < GV_METRICS_MAX_VIOLATION_SERIES) {
			GV_GROW(t->v, t->alloc, t->n + 1);
			memset(&t->v[t->n], 0, sizeof(*t->v));
			memcpy(t->v[t->n].policy, pol, sizeof(pol));
			memcpy(t->v[t->n].rule, rule, sizeof(rule));
			t->n++;
		}
		if (i < t->n)
			t->v[i].count[t->expired]++;
	}
	gv_file_free(f);
	gv_diags_release(&quiet);
	return 0;
}

static int cmp_wseries(const void *x, const void *y)
{
	const wseries *a = x, *b = y;
	int c = strcmp(a->policy, b->policy);
	return c ? c : strcmp(a->rule, b->rule);
}

static int cmp_violation(const void *x, const void *y)
{
	const violation *a = x, *b = y;
	int c = strcmp(a->enforcement, b->enforcement);
	return c ? c : strcmp(a->severity, b->severity);
}

/* A label value, escaped as the exposition format requires (\\, \", \n). */
static void label_value(gv_buf *b, const char *s)
{
	gv_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '\\')
			gv_buf_puts(b, "\\\\");
		else if (*s == '"')
			gv_buf_puts(b, "\\\"");
		else if (*s == '\n')
			gv_buf_puts(b, "\\n");
		else
			gv_buf_putc(b, *s);
	}
	gv_buf_putc(b, '"');
}

static void family(gv_buf *b, const char *name, const char *type, const char *help)
{
	gv_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int64_t epoch_of(const char *t)
{
	time_t v;

	return gv_time_parse(&v, t) < 0 ? 0 : (int64_t)v;
}

static void latency_histogram(gv_buf *b, const char *origin, const int64_t *lat, size_t n)
{
	uint64_t sum = 0;
	size_t i, k;

	for (i = 0; i < n; i++)
		sum += (uint64_t)(lat[i] < 0 ? 0 : lat[i]);
	for (k = 0; k <= gv_metrics_latency_nbuckets; k++) {
		uint64_t c = 0;
		for (i = 0; i < n; i++)
			if (k == gv_metrics_latency_nbuckets ||
			    (double)(lat[i] < 0 ? 0 : lat[i]) <= gv_metrics_latency_buckets[k])
				c++;
		gv_buf_puts(b, "sync_latency_seconds_bucket{origin=");
		label_value(b, origin);
		if (k == gv_metrics_latency_nbuckets)
			gv_buf_puts(b, ",le=\"+Inf\"}");
		else
			gv_buf_printf(b, ",le=\"%g\"}", gv_metrics_latency_buckets[k]);
		gv_buf_printf(b, " %" PRIu64 "\n", c);
	}
	gv_buf_puts(b, "sync_latency_seconds_sum{origin=");
	label_value(b, origin);
	gv_buf_printf(b, "} %" PRIu64 "\nsync_latency_seconds_count{origin=", sum);
	label_value(b, origin);
	gv_buf_printf(b, "} %zu\n", n);
}

int gv_metrics_render(gv_buf *out, gv_audit *a, const gv_sync_keys *keys, gv_diags *d)
{
	gv_audit_filter f = { 0 };
	gv_audit_result vr;
	tally dep[GV_ARRAY_LEN(statuses)], viol;
	wtally wv = { NULL, 0, 0, 0 };
	uint64_t size = 0, cp_size = 0, finished = 0;
	char type[64], *note = NULL, **origins = NULL;
	gv_sync_status *st = NULL;
	size_t i, norigins = 0;
	int err, has_cp;

	memset(dep, 0, sizeof(dep));
	memset(&viol, 0, sizeof(viol));
	/* count only what a checkpoint signed by the key the caller chose covers */
	if (!keys || !keys->log_pub)
		return gv_error(d, "GV-M001", gv_audit_path(a), "metrics need the log's public key "
				"to verify it first"), GV_EPARSE;
	if ((err = gv_audit_verify(a, keys->log_pub, NULL, 0, NULL, &vr, d)) < 0)
		return err;
	if (vr.entries && !vr.checkpoints)
		return gv_error(d, "GV-M001", gv_audit_path(a), "the log has no checkpoint signed by "
				"the given key: no entry is verified, nothing is counted"), GV_ESIG;
	f.bounded = 1;
	f.below = vr.covered;
	for (i = 0; i < GV_ARRAY_LEN(statuses); i++) {
		snprintf(type, sizeof(type), "hybrid.deployment.%s", statuses[i]);
		f.type = type;
		if ((err = gv_audit_each(a, &f, count_entry, &dep[i], d)) < 0)
			goto out;
		finished += dep[i].count;
	}
	f.type = "governance.validated";
	if ((err = gv_audit_each(a, &f, count_violations, &viol, d)) < 0)
		goto out;
	f.type = "governance.waiver.applied";
	if ((err = gv_audit_each(a, &f, count_waiver, &wv, d)) < 0)
		goto out;
	wv.expired = 1;
	f.type = "governance.waiver.rejected";
	if ((err = gv_audit_each(a, &f, count_waiver, &wv, d)) < 0)
		goto out;
	if ((err = gv_audit_size(a, &size, d)) < 0)
		goto out;
	err = gv_audit_latest_checkpoint(a, &note, &cp_size, d);
	if (err < 0 && err != GV_ENOTFOUND)
		goto out;
	has_cp = err == GV_OK;
	if ((err = gv_replica_list(a, &origins, &norigins, d)) < 0)
		goto out;
	st = gv_xcalloc(norigins ? norigins : 1, sizeof(*st));
	for (i = 0; i < norigins; i++)
		if ((err = gv_sync_status_get(&st[i], a, origins[i], keys, d)) < 0)
			goto out;

	family(out, "hybrid_deploy_success_rate", "gauge",
	       "Completed hybrid deployments divided by all finished ones (completed, blocked, "
	       "halted, escalated, failed), from the audit log.");
	if (finished)
		gv_buf_printf(out, "hybrid_deploy_success_rate %.15g\n",
			      (double)dep[0].count / (double)finished);
	else
		gv_buf_puts(out, "# No deployment has finished yet: 0/0 is NaN, as in PromQL.\n"
			    "hybrid_deploy_success_rate NaN\n");

	family(out, "hybrid_deployments_total", "counter",
	       "Hybrid deployments by final status: hybrid.deployment.<status> entries in the audit "
	       "log.");
	for (i = 0; i < GV_ARRAY_LEN(statuses); i++)
		gv_buf_printf(out, "hybrid_deployments_total{status=\"%s\"} %" PRIu64 "\n", statuses[i],
			      dep[i].count);

	family(out, "policy_violations_total", "counter",
	       "Policy violations recorded in governance.validated entries, by enforcement and "
	       "severity.");
	if (viol.n)
		qsort(viol.v, viol.n, sizeof(*viol.v), cmp_violation);
	for (i = 0; i < viol.n; i++) {
		gv_buf_puts(out, "policy_violations_total{enforcement=");
		label_value(out, viol.v[i].enforcement);
		gv_buf_puts(out, ",severity=");
		label_value(out, viol.v[i].severity);
		gv_buf_printf(out, "} %" PRIu64 "\n", viol.v[i].count);
	}
	if (viol.overflow)
		gv_buf_printf(out, "policy_violations_total{enforcement=\"other\",severity=\"other\"} %"
			      PRIu64 "\n", viol.overflow);

	family(out, "govgate_waivers_used_total", "counter",
	       "Waivers that matched a finding, by policy, rule and state: active (applied) or "
	       "expired (the finding stood), from governance.waiver.* entries.");
	if (wv.n)
		qsort(wv.v, wv.n, sizeof(*wv.v), cmp_wseries);
	for (i = 0; i < wv.n; i++) {
		int k;
		for (k = 0; k < 2; k++) {
			gv_buf_puts(out, "govgate_waivers_used_total{policy=");
			label_value(out, wv.v[i].policy);
			gv_buf_puts(out, ",rule=");
			label_value(out, wv.v[i].rule);
			gv_buf_printf(out, ",state=\"%s\"} %" PRIu64 "\n", k ? "expired" : "active",
				      wv.v[i].count[k]);
		}
	}

	family(out, "sync_latency_seconds", "histogram",
	       "Import time minus record time of each entry imported into a replica, by origin "
	       "(clock skew below zero counts as 0).");
	for (i = 0; i < norigins; i++) {
		int64_t *lat = NULL;
		size_t n = 0;
		if ((err = gv_replica_latencies(a, origins[i], &lat, &n, d)) < 0)
			goto out;
		latency_histogram(out, origins[i], lat, n);
		free(lat);
	}

	family(out, "govgate_audit_log_entries", "gauge", "Entries in the local audit log.");
	gv_buf_printf(out, "govgate_audit_log_entries %" PRIu64 "\n", size);
	family(out, "govgate_audit_unverified_entries", "gauge",
	       "Entries after the last checkpoint signed by the given key: not counted above.");
	gv_buf_printf(out, "govgate_audit_unverified_entries %" PRIu64 "\n",
		      size > vr.covered ? size - vr.covered : 0);
	family(out, "govgate_audit_checkpoint_size", "gauge",
	       "Tree size of the latest signed checkpoint of the local audit log.");
	if (!has_cp)
		gv_buf_puts(out, "# The log has no checkpoint yet.\n");
	gv_buf_printf(out, "govgate_audit_checkpoint_size %" PRIu64 "\n", has_cp ? cp_size : 0);

	family(out, "govgate_sync_replica_entries", "gauge",
	       "Entries held in the verified replica of another log, by origin.");
	for (i = 0; i < norigins; i++) {
		gv_buf_puts(out, "govgate_sync_replica_entries{origin=");
		label_value(out, origins[i]);
		gv_buf_printf(out, "} %" PRIu64 "\n", st[i].entries);
	}
	family(out, "govgate_sync_lag_entries", "gauge",
	       "Entries the other side signed that the replica does not hold yet (the size it "
	       "announces is unsigned and not counted).");
	for (i = 0; i < norigins; i++) {
		gv_buf_puts(out, "govgate_sync_lag_entries{origin=");
		label_value(out, origins[i]);
		gv_buf_printf(out, "} %" PRIu64 "\n", st[i].lag_entries);
	}
	family(out, "govgate_sync_last_import_timestamp_seconds", "gauge",
	       "Unix time of the last import that wrote to the replica, by origin.");
	for (i = 0; i < norigins; i++) {
		if (!st[i].last_import[0])
			continue;
		gv_buf_puts(out, "govgate_sync_last_import_timestamp_seconds{origin=");
		label_value(out, origins[i]);
		gv_buf_printf(out, "} %" PRId64 "\n", epoch_of(st[i].last_import));
	}
	err = GV_OK;
out:
	free(viol.v);
	free(wv.v);
	free(note);
	free(st);
	gv_replica_list_free(origins, norigins);
	return err;
}
