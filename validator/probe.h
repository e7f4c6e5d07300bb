/*
 * probe.h: live connectivity facts. Connects to HOST:PORT endpoints for
 * real (TCP, then TLS), measures what was negotiated and writes the result
 * as a Facts document (docs/FACTS.md) that `check` reads as --cloud-facts or
 * --onprem-facts. probe.c is the only user of openssl/ssl.h; no OpenSSL type
 * appears here.
 *
 * Ownership: a gv_probe_result owns every string it holds; release it with
 * gv_probe_result_release(). The options borrow their strings from the
 * caller for the duration of gv_probe_run().
 *
 * Bounds: every wait (name lookup, connect, TLS handshake, backoff sleep) is
 * bounded by the per-step timeout and by one deadline for the whole probe,
 * so gv_probe_run() returns within about max_time_ms (plus loading the
 * certificates) whatever the network does.
 */
#ifndef GV_PROBE_H
#define GV_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "diag.h"
#include "gv.h"

#define GV_PROBE_COLLECTOR GV_TOOL_NAME "-probe " GV_VERSION

#define GV_PROBE_DEFAULT_TIMEOUT_MS 3000u
#define GV_PROBE_DEFAULT_ATTEMPTS 3u
#define GV_PROBE_DEFAULT_MAX_TIME_MS 10000u
#define GV_PROBE_BACKOFF_BASE_MS 100u   /* first retry waits 50..100 ms */
#define GV_PROBE_BACKOFF_CAP_MS 2000u
#define GV_PROBE_MAX_ENDPOINTS 256u
#define GV_PROBE_MAX_THREADS GV_PROBE_MAX_ENDPOINTS  /* one per endpoint */

typedef enum { GV_PROBE_SIDE_CLOUD, GV_PROBE_SIDE_ONPREM } gv_probe_side;
typedef enum { GV_PROBE_YAML, GV_PROBE_JSON } gv_probe_format;

typedef struct gv_probe_opts {
	gv_probe_side side;
	const char *const *endpoints; /* "HOST:PORT" or "[V6ADDR]:PORT" */
	size_t n_endpoints;
	const char *ca_file;      /* NULL: the system's default trust store */
	const char *cert_file;    /* client certificate chain (PEM), or NULL */
	const char *key_file;     /* its private key (PEM); both or neither */
	const char *server_name;  /* SNI and name check; NULL: each host */
	unsigned timeout_ms;      /* bound on each step of an attempt; 0: default */
	unsigned attempts;        /* attempts per endpoint; 0: default */
	unsigned max_time_ms;     /* bound on the whole probe (all endpoints run
				     at once, each gets all of it); 0: default */
	uint64_t seed;            /* jitter seed; 0: seeded from the clock */
} gv_probe_opts;

#define GV_PROBE_OPTS_INIT { GV_PROBE_SIDE_CLOUD, NULL, 0, NULL, NULL, NULL, \
			     NULL, 0, 0, 0, 0 }

typedef struct gv_probe_tls {
	char *version;       /* "1.0".."1.3" */
	char *cipher;        /* IANA name, e.g. "TLS_AES_256_GCM_SHA384" */
	bool verified;       /* chain verified against the CA file */
	char *verify_error;  /* OpenSSL's reason when not verified, else NULL */
	bool name_matched;   /* leaf matches the server name (host or IP) */
	bool has_days;       /* false when the peer sent no certificate */
	long cert_days_left; /* floor((notAfter - now) / 1 day); < 0 once expired */
	bool mutual;         /* the server asked for a client cert and we sent one */
} gv_probe_tls;

typedef struct gv_probe_endpoint {
	char *endpoint;      /* as given */
	char *server_name;   /* name sent as SNI and checked against the cert */
	bool reachable;      /* a TCP connection was established */
	double connect_ms;   /* TCP connect latency of the successful attempt */
	unsigned attempts;   /* attempts made */
	char *error;         /* last error, NULL when the probe fully succeeded */
	bool has_tls;        /* the TLS handshake completed; tls is valid */
	gv_probe_tls tls;
} gv_probe_endpoint;

typedef struct gv_probe_result {
	gv_probe_side side;
	time_t collected_at;  /* when the probe started, UTC */
	bool reachable;       /* every endpoint was reachable */
	gv_probe_endpoint *endpoints;  /* in the order given */
	size_t n;
} gv_probe_result;

#define GV_PROBE_RESULT_INIT { GV_PROBE_SIDE_CLOUD, 0, false, NULL, 0 }

/*
 * Probes every endpoint of opts concurrently and fills out (which the caller
 * releases, also on failure). Unreachable endpoints and failed handshakes
 * are facts, not errors. Returns GV_ERROR with a diagnostic naming the file
 * when the CA, certificate or key cannot be loaded, or when an endpoint is
 * malformed; nothing is probed then.
 */
int gv_probe_run(gv_probe_result *out, const gv_probe_opts *opts, gv_diags *d);
void gv_probe_result_release(gv_probe_result *r);

/* Appends the Facts document for r to b, in YAML or JSON. */
void gv_probe_write(gv_buf *b, const gv_probe_result *r, gv_probe_format fmt);

/*
 * Splits "HOST:PORT" or "[V6]:PORT" into host (a copy the caller frees)
 * and port. Returns GV_OK or GV_EPARSE.
 */
int gv_probe_parse_endpoint(char **host, unsigned *port, const char *endpoint);

/*
 * The wait before retry number `retry` (1 for the wait after the first
 * failed attempt): exponential, base * 2^(retry-1) capped at cap, with
 * "equal jitter": a uniform draw from [d/2, d]. *rng is the state of a
 * splitmix64 generator, so a seeded schedule is reproducible.
 */
unsigned gv_probe_backoff_ms(unsigned retry, unsigned base_ms, unsigned cap_ms,
			     uint64_t *rng);

/* "cloud" or "onprem"; parses the same names (GV_OK or GV_EPARSE). */
const char *gv_probe_side_name(gv_probe_side side);
int gv_probe_side_parse(gv_probe_side *out, const char *name);

#endif
