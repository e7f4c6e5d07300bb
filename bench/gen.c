/*
 * gen.c: writes the benchmark corpus, N hybrid deployment manifests of 100 to
 * 200 lines each, from a fixed seed, so every run and every machine checks the
 * same bytes. About a fifth of the manifests carry one or two violations of
 * the kinds bench/policy checks; the rest are compliant.
 *
 *   gen [-n N] [-s SEED] [-f FACTSDIR] DIR
 *
 * Writes DIR/mNNNNN.yaml, DIR/files.txt (one path a line, as given by DIR)
 * and DIR/expected.txt (file, then the violations injected into it). With -f
 * it also writes FACTSDIR/cloud.yaml and FACTSDIR/onprem.yaml. Prints a
 * one-line summary: files, violating files, lines min/mean/max.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* splitmix64: small, fast and the same everywhere. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned rng_below(unsigned n)
{
	return (unsigned)(rng_next() % n);
}

#define PICK(a) (a[rng_below(sizeof(a) / sizeof(a[0]))])

static const char *const teams[] = {
	"payments", "ledger", "identity", "search", "checkout", "risk", "catalog",
	"notifications", "billing", "analytics", "platform", "fraud"
};
static const char *const ok_regions[] = { "ap-south-1", "eu-west-1", "eu-central-1", "us-east-1" };
static const char *const bad_regions[] = { "cn-north-1", "me-south-1", "sa-east-1", "af-south-1" };
static const char *const datacenters[] = { "datacenter-1", "datacenter-2", "dc-frankfurt", "dc-mumbai" };
static const char *const statuses[] = { "planned", "in_progress", "completed", "rolled_back" };
static const char *const envs[] = { "prod", "staging", "dr" };
static const char *const strategies[] = { "blue-green", "canary", "rolling" };
static const char *const people[] = { "alice", "bob", "chandra", "dmitri", "eve", "farah", "gopal", "hana" };
static const char *const roles[] = { "security", "platform", "compliance", "owner" };
static const char *const good_ciphers[] = {
	"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256",
	"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"
};
static const char *const weak_ciphers[] = {
	"RC4-SHA", "DES-CBC3-SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "NULL-SHA256",
	"EXP-RC4-MD5", "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "ECDHE-RSA-NULL-SHA"
};
static const char *const components[] = {
	"api", "worker", "gateway", "scheduler", "indexer", "cache", "auth", "reports", "sync-agent", "frontend"
};
static const char *const cpus[] = { "100m", "250m", "500m", "1", "2" };
static const char *const mems[] = { "128Mi", "256Mi", "512Mi", "1Gi", "2Gi" };
static const char *const log_levels[] = { "debug", "info", "warn" };

/* The violations, in the order bench/policy and bench/spectral list them. */
enum {
	V_TLS_VERSION, V_WEAK_CIPHER, V_AT_REST, V_NO_KMS, V_ROTATION, V_APPROVALS,
	V_IMAGE_TAG, V_NO_OWNER, V_REGION, V_COUNT
};
static const char *const vnames[V_COUNT] = {
	"tls.min-version", "tls.no-weak-ciphers", "encryption.at-rest", "encryption.kms-key",
	"encryption.rotation", "strategy.approvals", "images.pinned", "labels.owner", "residency.region"
};

typedef struct out {
	FILE *f;
	unsigned lines;
} out;

static void emit(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(out *o, const char *fmt, ...)
{
	va_list ap;
	const char *p;

	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
	for (p = fmt; *p; p++)
		o->lines += *p == '\n';
}

static void hex(char *buf, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = digits[rng_below(16)];
	buf[n] = '\0';
}

/* One workload is 10 to 15 lines; the caller adds them until the file is long
 * enough. */
static void workload(out *o, const char *team, int idx, int by_tag)
{
	const char *comp = PICK(components);
	char digest[65];
	unsigned nenv = 2 + rng_below(4), i;

	hex(digest, 64);
	emit(o, "  - name: %s-%d\n", comp, idx);
	emit(o, "    side: %s\n", rng_below(3) ? "cloud" : "on_prem");
	if (by_tag)
		emit(o, "    image: registry.example.com/%s/%s:%u.%u.%u\n", team, comp,
		     1 + rng_below(4), rng_below(20), rng_below(10));
	else
		emit(o, "    image: registry.example.com/%s/%s@sha256:%s\n", team, comp, digest);
	emit(o, "    replicas: %u\n", 1 + rng_below(6));
	emit(o, "    resources: {cpu: %s, memory: %s}\n", PICK(cpus), PICK(mems));
	emit(o, "    ports: [%u]\n", 8000 + rng_below(1000));
	emit(o, "    env:\n");
	emit(o, "      - {name: LOG_LEVEL, value: %s}\n", PICK(log_levels));
	emit(o, "      - {name: REGION_FAILOVER, value: \"%s\"}\n", rng_below(2) ? "true" : "false");
	for (i = 2; i < nenv; i++)
		emit(o, "      - {name: FEATURE_%c%u, value: \"%u\"}\n", 'A' + (int)rng_below(26),
		     rng_below(100), rng_below(1000));
	emit(o, "    health: {path: /healthz, interval_seconds: %u}\n", 5 + rng_below(25));
}

/* Writes one manifest; `v` is a bit set of V_* to inject. Returns its line
 * count. */
static unsigned manifest(FILE *f, unsigned n, unsigned v)
{
	out o = { f, 0 };
	const char *team = PICK(teams);
	const char *region = (v & 1u << V_REGION) ? PICK(bad_regions) : PICK(ok_regions);
	const char *r2 = PICK(ok_regions);
	unsigned target = 100 + rng_below(86), nc, i, k, tag_at = 0;
	char acct[13], key[37];

	hex(acct, 12);
	for (i = 0; i < 12; i++)
		acct[i] = (char)('0' + (acct[i] % 10));
	hex(key, 36);
	emit(&o, "# deployment manifest, generated for the govgate benchmark\n");
	emit(&o, "deployment_id: DEP-2026-%02u-%02u-%05u\n", 1 + rng_below(12), 1 + rng_below(28), n);
	emit(&o, "mode: hybrid\n");
	emit(&o, "cloud_region: %s\n", region);
	emit(&o, "on_prem: %s\n", PICK(datacenters));
	emit(&o, "status: %s\n", PICK(statuses));
	emit(&o, "owner: team-%s\n", team);
	if (v & 1u << V_NO_OWNER)
		emit(&o, "labels: {cost-center: cc-%04u, env: %s}\n", rng_below(10000), PICK(envs));
	else
		emit(&o, "labels: {owner: team-%s, cost-center: cc-%04u, env: %s}\n", team,
		     rng_below(10000), PICK(envs));
	if (v & 1u << V_APPROVALS) {
		if (rng_below(2))
			emit(&o, "strategy: {type: %s, approved: false, approvals: [{by: %s, role: %s}]}\n",
			     PICK(strategies), PICK(people), PICK(roles));
		else
			emit(&o, "strategy: {type: %s, approved: true, approvals: []}\n", PICK(strategies));
	} else {
		emit(&o, "strategy: {type: %s, approved: true, approvals: [{by: %s, role: security}, "
		     "{by: %s, role: platform}]}\n", PICK(strategies), PICK(people), PICK(people));
	}
	emit(&o, "connectivity:\n");
	emit(&o, "  tls:\n");
	if (v & 1u << V_TLS_VERSION)
		emit(&o, "    min_version: \"%s\"\n", rng_below(2) ? "1.0" : "1.1");
	else
		emit(&o, "    min_version: \"%s\"\n", rng_below(3) ? "1.2" : "1.3");
	emit(&o, "    ciphers:\n");
	nc = 2 + rng_below(3);
	k = (v & 1u << V_WEAK_CIPHER) ? rng_below(nc) : nc;
	for (i = 0; i < nc; i++)
		emit(&o, "      - %s\n", i == k ? PICK(weak_ciphers) : PICK(good_ciphers));
	emit(&o, "    mutual: %s\n", rng_below(4) ? "true" : "false");
	emit(&o, "    cert_not_after: \"2027-%02u-%02uT00:00:00Z\"\n", 1 + rng_below(12), 1 + rng_below(28));
	emit(&o, "  vpn: {enabled: true, type: %s}\n", rng_below(2) ? "ipsec" : "wireguard");
	emit(&o, "encryption:\n");
	emit(&o, "  at_rest:\n");
	emit(&o, "    enabled: %s\n", (v & 1u << V_AT_REST) ? "false" : "true");
	if (!(v & 1u << V_NO_KMS))
		emit(&o, "    kms_key_id: \"arn:aws:kms:%s:%s:key/%.8s-%.4s-%.4s-%.4s-%.12s\"\n", region,
		     acct, key, key + 8, key + 12, key + 16, key + 20);
	emit(&o, "    rotation_days: %u\n",
	     (v & 1u << V_ROTATION) ? 366 + rng_below(1000) : 30 + 30 * rng_below(12));
	emit(&o, "  in_transit: {enabled: true}\n");
	emit(&o, "sync: {enabled: true, direction: %s, max_latency_seconds: %u}\n",
	     rng_below(3) ? "bidirectional" : "cloud_to_onprem", 5 + rng_below(56));
	emit(&o, "governance:\n");
	emit(&o, "  policy_version: \"2026.11.1\"\n");
	emit(&o, "  data_residency: {allowed_regions: [%s, %s]}\n",
	     (v & 1u << V_REGION) ? "ap-south-1" : region, r2);
	emit(&o, "  change_ticket: CHG-%06u\n", rng_below(1000000));
	emit(&o, "workloads:\n");
	/* A workload is at most 15 lines, so the file ends between target and
	 * target + 14, that is 100 to 199 lines. */
	if (v & 1u << V_IMAGE_TAG)
		tag_at = 1 + rng_below(4);
	for (i = 1; o.lines < target; i++)
		workload(&o, team, (int)i, i == tag_at);
	return o.lines;
}

static int write_facts(const char *dir, const char *side)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.yaml", dir, side);
	if (!(f = fopen(path, "w"))) {
		fprintf(stderr, "gen: cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# %s facts, generated for the govgate benchmark\n"
		"side: %s\n"
		"collected_at: \"2026-11-28T09:00:00Z\"\n"
		"governance: {policy_version: \"2026.11.1\"}\n"
		"connectivity:\n"
		"  tls: {min_version: \"1.2\", peer_verified: true, cert_not_after: \"2027-06-01T00:00:00Z\"}\n"
		"  vpn: {enabled: true, tunnel_up: true}\n"
		"sync_latency: {p50_seconds: 4, p99_seconds: 12}\n"
		"encryption: {at_rest: {enabled: true, kms_key_id: \"arn:aws:kms:ap-south-1:123456789012:key/fixture\"}}\n",
		side, side);
	return fclose(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long n = 10000, seed = 20261128, i;
	const char *dir = NULL, *facts = NULL;
	unsigned lmin = ~0u, lmax = 0, nbad = 0, counts[V_COUNT] = { 0 };
	unsigned long long ltotal = 0;
	char path[4096];
	FILE *list, *expected;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-n") && a + 1 < argc)
			n = strtoul(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "-s") && a + 1 < argc)
			seed = strtoul(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "-f") && a + 1 < argc)
			facts = argv[++a];
		else if (argv[a][0] != '-' && !dir)
			dir = argv[a];
		else {
			fprintf(stderr, "usage: gen [-n N] [-s SEED] [-f FACTSDIR] DIR\n");
			return 2;
		}
	}
	if (!dir || n == 0 || n > 999999) {
		fprintf(stderr, "usage: gen [-n N (1..999999)] [-s SEED] [-f FACTSDIR] DIR\n");
		return 2;
	}
	mkdir(dir, 0777);
	rng_state = seed;
	snprintf(path, sizeof(path), "%s/files.txt", dir);
	list = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/expected.txt", dir);
	expected = fopen(path, "w");
	if (!list || !expected) {
		fprintf(stderr, "gen: cannot write in '%s': %s\n", dir, strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		unsigned v = 0, lines, k;
		FILE *f;

		/* One in five violates: mostly one thing, sometimes two. */
		if (rng_below(5) == 0) {
			v |= 1u << rng_below(V_COUNT);
			if (rng_below(4) == 0)
				v |= 1u << rng_below(V_COUNT);
		}
		snprintf(path, sizeof(path), "%s/m%05lu.yaml", dir, i);
		if (!(f = fopen(path, "w"))) {
			fprintf(stderr, "gen: cannot write '%s': %s\n", path, strerror(errno));
			return 1;
		}
		lines = manifest(f, (unsigned)i, v);
		if (fclose(f)) {
			fprintf(stderr, "gen: cannot write '%s': %s\n", path, strerror(errno));
			return 1;
		}
		fprintf(list, "%s\n", path);
		fprintf(expected, "%s", path);
		for (k = 0; k < V_COUNT; k++)
			if (v & 1u << k) {
				fprintf(expected, " %s", vnames[k]);
				counts[k]++;
			}
		fputc('\n', expected);
		nbad += v != 0;
		ltotal += lines;
		lmin = lines < lmin ? lines : lmin;
		lmax = lines > lmax ? lines : lmax;
	}
	if (fclose(list) || fclose(expected))
		return 1;
	if (facts)
		mkdir(facts, 0777);
	if (facts && (write_facts(facts, "cloud") || write_facts(facts, "onprem")))
		return 1;
	printf("gen: %lu files, %u violating (%.1f%%), lines min %u mean %.1f max %u\n", n, nbad,
	       100.0 * nbad / n, lmin, (double)ltotal / n, lmax);
	printf("gen: violations:");
	for (i = 0; i < V_COUNT; i++)
		printf(" %s=%u", vnames[i], counts[i]);
	printf("\n");
	return 0;
}
