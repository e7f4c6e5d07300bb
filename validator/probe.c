/*
 * probe.c: live connectivity facts for `govgate probe` (see probe.h and
 * docs/FACTS.md). The only user of openssl/ssl.h.
 *
 * Each endpoint runs in a worker thread: name lookup (in a thread of its
 * own, waited for until a deadline), non-blocking TCP connect bounded with
 * poll(), then a
 * non-blocking TLS handshake bounded the same way. A connection error is
 * retried with exponential backoff and jitter until the attempts or the
 * endpoint's total time run out; the facts keep the last error.
 */
#include "probe.h"
#include "rfc3339.h"
#include "alloc.h"
#include "gv.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Diagnostic codes of this module. */
#define CODE_USAGE "GV-N001"  /* malformed endpoint or option */
#define CODE_FILE "GV-N002"   /* CA, certificate or key file unusable */
#define CODE_TLS "GV-N003"    /* the TLS library itself failed */

enum { ATTEMPT_OK, ATTEMPT_RETRY, ATTEMPT_FINAL };

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t mono_ms(void)
{
	return mono_ns() / 1000000;
}

/* Milliseconds left until a monotonic deadline, clamped to [0, INT_MAX]. */
static int left_ms(int64_t deadline)
{
	int64_t left = deadline - mono_ms();

	if (left <= 0)
		return 0;
	return left > INT_MAX ? INT_MAX : (int)left;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* strerror() and friends start with a capital; our messages do not. */
static void put_lower_first(gv_buf *b, const char *s)
{
	if (!s || !*s) {
		gv_buf_puts(b, "unknown error");
		return;
	}
	gv_buf_putc(b, (char)tolower((unsigned char)s[0]));
	gv_buf_puts(b, s + 1);
}

/* The reason of the newest OpenSSL error of this thread, then clears them. */
static const char *ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown error";
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

unsigned gv_probe_backoff_ms(unsigned retry, unsigned base_ms, unsigned cap_ms,
			     uint64_t *rng)
{
	uint64_t delay = base_ms, half;
	unsigned i;

	if (retry == 0)
		return 0;
	for (i = 1; i < retry && delay < cap_ms; i++)
		delay *= 2;
	if (delay > cap_ms)
		delay = cap_ms;
	half = delay / 2;
	return (unsigned)(half + splitmix64(rng) % (delay - half + 1));
}

const char *gv_probe_side_name(gv_probe_side side)
{
	return side == GV_PROBE_SIDE_ONPREM ? "onprem" : "cloud";
}

int gv_probe_side_parse(gv_probe_side *out, const char *name)
{
	if (!strcmp(name, "cloud"))
		*out = GV_PROBE_SIDE_CLOUD;
	else if (!strcmp(name, "onprem"))
		*out = GV_PROBE_SIDE_ONPREM;
	else
		return GV_EPARSE;
	return GV_OK;
}

/* Host names and server names are printable ASCII without spaces. */
static bool plain_name(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return n > 0 && n <= 253;
}

int gv_probe_parse_endpoint(char **host, unsigned *port, const char *endpoint)
{
	const char *h, *colon, *p;
	size_t hlen;
	unsigned long v = 0;

	*host = NULL;
	if (endpoint[0] == '[') {
		const char *close = strchr(endpoint, ']');

		if (!close || close[1] != ':')
			return GV_EPARSE;
		h = endpoint + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(endpoint, ':');
		if (!colon || memchr(endpoint, ':', (size_t)(colon - endpoint)))
			return GV_EPARSE;   /* none, or a bare IPv6 address */
		h = endpoint;
		hlen = (size_t)(colon - endpoint);
	}
	if (!plain_name(h, hlen) || memchr(h, '[', hlen) || memchr(h, ']', hlen))
		return GV_EPARSE;
	p = colon + 1;
	if (!*p || strlen(p) > 5)
		return GV_EPARSE;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return GV_EPARSE;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return GV_EPARSE;
	*host = gv_xstrndup(h, hlen);
	*port = (unsigned)v;
	return GV_OK;
}

static bool is_ip_literal(const char *s)
{
	unsigned char tmp[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1;
}

/*
 * A name lookup run by a detached thread, so that the caller can stop
 * waiting at its deadline: getaddrinfo() itself has no timeout, and a dead
 * DNS server would hold it for as long as the resolver configuration says.
 * The waiter and the thread each hold a reference; the last one frees it,
 * so a lookup that outlives its waiter cleans up after itself.
 */
typedef struct lookup {
	pthread_mutex_t lock;
	pthread_cond_t cond;   /* on CLOCK_MONOTONIC */
	int refs;
	bool done;
	int rc;                /* getaddrinfo's result */
	int sys_errno;         /* the thread's errno for EAI_SYSTEM */
	struct addrinfo *res;
	char port[8];
	char host[];
} lookup;

static void lookup_unref(lookup *lk)
{
	bool last;

	pthread_mutex_lock(&lk->lock);
	last = --lk->refs == 0;
	pthread_mutex_unlock(&lk->lock);
	if (!last)
		return;
	if (lk->res)
		freeaddrinfo(lk->res);
	pthread_cond_destroy(&lk->cond);
	pthread_mutex_destroy(&lk->lock);
	free(lk);
}

static void *lookup_thread(void *arg)
{
	lookup *lk = arg;
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(lk->host, lk->port, &hints, &res);
	pthread_mutex_lock(&lk->lock);
	lk->rc = rc;
	lk->sys_errno = errno;
	lk->res = rc == 0 ? res : NULL;
	lk->done = true;
	pthread_cond_broadcast(&lk->cond);
	pthread_mutex_unlock(&lk->lock);
	lookup_unref(lk);
	return NULL;
}

/*
 * Resolves host:port to a list the caller frees with freeaddrinfo().
 * Numeric addresses never wait; names are looked up by a thread of their
 * own, waited for until the deadline at most.
 */
static int resolve(struct addrinfo **out, const char *host, unsigned port,
		   int64_t deadline, gv_buf *err)
{
	struct addrinfo hints, *res = NULL;
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t tid;
	struct timespec until;
	lookup *lk;
	char ps[8];
	int rc, sys_errno;
	bool done;

	*out = NULL;
	snprintf(ps, sizeof(ps), "%u", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, ps, &hints, &res) == 0) {
		*out = res;
		return ATTEMPT_OK;
	}

	lk = gv_xcalloc(1, sizeof(*lk) + strlen(host) + 1);
	strcpy(lk->host, host);
	memcpy(lk->port, ps, sizeof(ps));
	pthread_mutex_init(&lk->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lk->cond, &ca);
	pthread_condattr_destroy(&ca);
	lk->refs = 2;
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &ta, lookup_thread, lk);
	pthread_attr_destroy(&ta);
	if (rc != 0) {
		lk->refs = 1;
		lookup_unref(lk);
		gv_buf_printf(err, "cannot look up '%s': ", host);
		put_lower_first(err, strerror(rc));
		return ATTEMPT_RETRY;
	}

	until.tv_sec = (time_t)(deadline / 1000);
	until.tv_nsec = (long)(deadline % 1000) * 1000000;
	pthread_mutex_lock(&lk->lock);
	while (!lk->done &&
	       pthread_cond_timedwait(&lk->cond, &lk->lock, &until) != ETIMEDOUT)
		;
	done = lk->done;
	rc = lk->rc;
	sys_errno = lk->sys_errno;
	res = lk->res;
	lk->res = NULL;   /* ours now */
	pthread_mutex_unlock(&lk->lock);
	lookup_unref(lk);

	if (!done) {
		gv_buf_printf(err, "lookup of '%s' timed out", host);
		return ATTEMPT_RETRY;
	}
	if (rc != 0) {
		gv_buf_printf(err, "cannot look up '%s': ", host);
		put_lower_first(err, rc == EAI_SYSTEM ? strerror(sys_errno) : gai_strerror(rc));
		/* a name that does not exist stays so; anything else may pass */
		return rc == EAI_NONAME ? ATTEMPT_FINAL : ATTEMPT_RETRY;
	}
	*out = res;
	return ATTEMPT_OK;
}

/*
 * Connects to one address without blocking past the deadline. On success
 * *fd is the connected socket and *ms the connect latency.
 */
static int tcp_connect(int *fd, double *ms, const struct addrinfo *ai,
		       int64_t deadline, gv_buf *err)
{
	int s, soerr = 0;
	socklen_t len = sizeof(soerr);
	int64_t t0;

	*fd = -1;
	s = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   ai->ai_protocol);
	if (s < 0) {
		put_lower_first(err, strerror(errno));
		return ATTEMPT_RETRY;
	}
	t0 = mono_ns();
	if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0) {
		struct pollfd p = { s, POLLOUT, 0 };
		int r;

		if (errno != EINPROGRESS) {
			soerr = errno;
			goto fail;
		}
		while ((r = poll(&p, 1, left_ms(deadline))) < 0 && errno == EINTR)
			;
		if (r == 0) {
			gv_buf_puts(err, "connect timed out");
			close(s);
			return ATTEMPT_RETRY;
		}
		if (r < 0 || getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		if (soerr)
			goto fail;
	}
	*ms = (double)(mono_ns() - t0) / 1e6;
	*fd = s;
	return ATTEMPT_OK;
fail:
	put_lower_first(err, strerror(soerr));
	close(s);
	return ATTEMPT_RETRY;
}

static int cert_requested_cb(SSL *ssl, void *arg)
{
	*(bool *)arg = true;
	return 1;   /* go on with whatever certificate is configured */
}

/*
 * Drives SSL_connect on a non-blocking socket until it completes, fails or
 * the deadline passes. Protocol failures are final; timeouts and resets
 * may be transient and are retried.
 */
static int tls_handshake(SSL *ssl, int fd, int64_t deadline, gv_buf *err)
{
	for (;;) {
		struct pollfd p = { fd, 0, 0 };
		int r, e;

		ERR_clear_error();
		errno = 0;
		if ((r = SSL_connect(ssl)) == 1)
			return ATTEMPT_OK;
		e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			p.events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
			while ((r = poll(&p, 1, left_ms(deadline))) < 0 && errno == EINTR)
				;
			if (r == 0) {
				gv_buf_puts(err, "tls handshake timed out");
				return ATTEMPT_RETRY;
			}
			if (r < 0) {
				gv_buf_puts(err, "tls handshake failed: ");
				put_lower_first(err, strerror(errno));
				return ATTEMPT_RETRY;
			}
			continue;
		}
		if (e == SSL_ERROR_SSL) {
			gv_buf_puts(err, "tls handshake failed: ");
			gv_buf_puts(err, ssl_reason());
			return ATTEMPT_FINAL;
		}
		if (e == SSL_ERROR_SYSCALL && errno) {
			gv_buf_puts(err, "tls handshake failed: ");
			put_lower_first(err, strerror(errno));
		} else {
			gv_buf_puts(err, "tls handshake failed: connection closed by peer");
		}
		ERR_clear_error();
		return ATTEMPT_RETRY;
	}
}

static char *tls_version_name(const SSL *ssl)
{
	switch (SSL_version(ssl)) {
	case TLS1_VERSION: return gv_xstrdup("1.0");
	case TLS1_1_VERSION: return gv_xstrdup("1.1");
	case TLS1_2_VERSION: return gv_xstrdup("1.2");
	case TLS1_3_VERSION: return gv_xstrdup("1.3");
	default: return gv_xstrdup(SSL_get_version(ssl));
	}
}

/* floor((t - now) / 1 day): 0 on the last day, negative once expired. */
static long days_left(const ASN1_TIME *t)
{
	int days = 0, secs = 0;
	long long total;

	if (!ASN1_TIME_diff(&days, &secs, NULL, t))
		return LONG_MIN;
	total = (long long)days * 86400 + secs;
	return (long)(total >= 0 ? total / 86400 : -((-total + 86399) / 86400));
}

static void tls_facts(gv_probe_tls *t, SSL *ssl, const char *name, bool mutual)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	const char *cn = c ? SSL_CIPHER_standard_name(c) : NULL;
	X509 *peer;
	long v;

	t->version = tls_version_name(ssl);
	t->cipher = gv_xstrdup(cn ? cn : c ? SSL_CIPHER_get_name(c) : "");
	t->mutual = mutual;
	if (!(peer = SSL_get1_peer_certificate(ssl))) {
		t->verify_error = gv_xstrdup("no certificate presented by the peer");
		return;
	}
	v = SSL_get_verify_result(ssl);
	t->verified = v == X509_V_OK;
	if (!t->verified)
		t->verify_error = gv_xstrdup(X509_verify_cert_error_string(v));
	if (is_ip_literal(name))
		t->name_matched = X509_check_ip_asc(peer, name, 0) == 1;
	else
		t->name_matched = X509_check_host(peer, name, strlen(name), 0, NULL) == 1;
	t->cert_days_left = days_left(X509_get0_notAfter(peer));
	t->has_days = t->cert_days_left != LONG_MIN;
	X509_free(peer);
	ERR_clear_error();
}

static void tls_release(gv_probe_tls *t)
{
	free(t->version);
	free(t->cipher);
	free(t->verify_error);
	memset(t, 0, sizeof(*t));
}

typedef struct probe_job {
	gv_probe_endpoint *ep;
	char *host;
	unsigned port;
	SSL_CTX *ctx;
	bool have_cert;
	unsigned timeout_ms, attempts;
	int64_t deadline;   /* monotonic ms: the end of the whole probe */
	uint64_t rng;
} probe_job;

/* One attempt: lookup, connect (each address in turn), handshake. */
static int attempt(probe_job *j, int64_t total_deadline, gv_buf *err)
{
	gv_probe_endpoint *ep = j->ep;
	struct addrinfo *res = NULL, *ai;
	SSL *ssl = NULL;
	bool requested = false;
	int fd = -1, r;

	ep->reachable = false;
	r = resolve(&res, j->host, j->port,
		    min64(mono_ms() + j->timeout_ms, total_deadline), err);
	if (r != ATTEMPT_OK)
		return r;
	{
		int64_t deadline = min64(mono_ms() + j->timeout_ms, total_deadline);

		r = ATTEMPT_RETRY;
		for (ai = res; ai && fd < 0; ai = ai->ai_next) {
			gv_buf_clear(err);
			r = tcp_connect(&fd, &ep->connect_ms, ai, deadline, err);
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (!err->len)
			gv_buf_printf(err, "no address for '%s'", j->host);
		return r;
	}
	ep->reachable = true;
	gv_buf_clear(err);

	if (!(ssl = SSL_new(j->ctx)) || !SSL_set_fd(ssl, fd)) {
		gv_buf_puts(err, "cannot set up tls: ");
		gv_buf_puts(err, ssl_reason());
		r = ATTEMPT_FINAL;
		goto out;
	}
	if (!is_ip_literal(ep->server_name) &&
	    !SSL_set_tlsext_host_name(ssl, ep->server_name)) {
		gv_buf_puts(err, "cannot set the server name: ");
		gv_buf_puts(err, ssl_reason());
		r = ATTEMPT_FINAL;
		goto out;
	}
	SSL_set_cert_cb(ssl, cert_requested_cb, &requested);
	SSL_set_connect_state(ssl);
	r = tls_handshake(ssl, fd, min64(mono_ms() + j->timeout_ms, total_deadline), err);
	if (r == ATTEMPT_OK) {
		tls_facts(&ep->tls, ssl, ep->server_name, j->have_cert && requested);
		ep->has_tls = true;
		ERR_clear_error();
		SSL_shutdown(ssl);   /* one try at close_notify; never waits */
	}
out:
	SSL_free(ssl);
	ERR_clear_error();
	close(fd);
	return r;
}

static void probe_one(probe_job *j)
{
	gv_probe_endpoint *ep = j->ep;
	int64_t deadline = j->deadline;
	gv_buf err = GV_BUF_INIT;
	unsigned n;

	for (n = 1; n <= j->attempts; n++) {
		unsigned delay;
		int r;

		gv_buf_clear(&err);
		ep->attempts = n;
		r = attempt(j, deadline, &err);
		if (r != ATTEMPT_RETRY || n == j->attempts)
			break;
		delay = gv_probe_backoff_ms(n, GV_PROBE_BACKOFF_BASE_MS,
					    GV_PROBE_BACKOFF_CAP_MS, &j->rng);
		if (mono_ms() + delay >= deadline)
			break;   /* the next attempt could not finish in time */
		sleep_ms(delay);
	}
	ep->error = err.len ? gv_buf_detach(&err) : NULL;
	gv_buf_release(&err);
}

typedef struct probe_pool {
	pthread_mutex_t lock;
	probe_job *jobs;
	size_t n, next;
} probe_pool;

/*
 * Takes endpoints off the pool until none is left. SIGPIPE is blocked while
 * it works (OpenSSL writes to sockets the peer may have closed), and any
 * SIGPIPE that arrived meanwhile is consumed before the mask is restored.
 */
static void *worker(void *arg)
{
	probe_pool *p = arg;
	sigset_t pipe_set, old;
	struct timespec zero = { 0, 0 };

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		probe_one(&p->jobs[i]);
	}
	while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
		;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return NULL;
}

static int check_readable(const char *what, const char *path, gv_diags *d)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return gv_error(d, CODE_FILE, path, "cannot read %s: %s", what,
				strerror(errno));
	fclose(f);
	return GV_OK;
}

/* The client context shared (read-only) by every worker. */
static int ctx_new(SSL_CTX **out, const gv_probe_opts *o, gv_diags *d)
{
	SSL_CTX *ctx;
	int err = GV_ERROR;

	*out = NULL;
	ERR_clear_error();
	if (!(ctx = SSL_CTX_new(TLS_client_method())))
		return gv_error(d, CODE_TLS, NULL, "cannot create a tls context: %s",
				ssl_reason());
	/*
	 * Facts describe the peer as it is, so the client accepts whatever a
	 * server offers (TLS 1.0 up, any cipher, any key size): policies judge
	 * it afterwards. Verification is recorded, never enforced here.
	 */
	SSL_CTX_set_security_level(ctx, 0);
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) ||
	    !SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0")) {
		gv_error(d, CODE_TLS, NULL, "cannot configure tls: %s", ssl_reason());
		goto out;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

	if (o->ca_file) {
		if (check_readable("CA file", o->ca_file, d) < 0)
			goto out;
		if (!SSL_CTX_load_verify_locations(ctx, o->ca_file, NULL)) {
			gv_error(d, CODE_FILE, o->ca_file, "cannot load CA file: %s",
				 ssl_reason());
			goto out;
		}
	} else if (!SSL_CTX_set_default_verify_paths(ctx)) {
		ERR_clear_error();   /* no system store: nothing will verify */
	}
	if (o->cert_file) {
		if (check_readable("certificate", o->cert_file, d) < 0 ||
		    check_readable("key", o->key_file, d) < 0)
			goto out;
		if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1) {
			gv_error(d, CODE_FILE, o->cert_file, "cannot load certificate: %s",
				 ssl_reason());
			goto out;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, o->key_file, SSL_FILETYPE_PEM) != 1 &&
		    ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
			gv_error(d, CODE_FILE, o->key_file, "cannot load key: %s",
				 ssl_reason());
			goto out;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			gv_error(d, CODE_FILE, o->key_file,
				 "key does not match certificate '%s'", o->cert_file);
			ERR_clear_error();
			goto out;
		}
	}
	*out = ctx;
	ctx = NULL;
	err = GV_OK;
out:
	SSL_CTX_free(ctx);
	return err;
}

int gv_probe_run(gv_probe_result *out, const gv_probe_opts *opts, gv_diags *d)
{
	SSL_CTX *ctx = NULL;
	probe_job *jobs = NULL;
	probe_pool pool;
	pthread_t threads[GV_PROBE_MAX_THREADS];
	size_t i, nthreads = 0, n = opts->n_endpoints;
	uint64_t seed = opts->seed;
	int64_t deadline;
	int err = GV_OK;

	memset(out, 0, sizeof(*out));
	out->side = opts->side;
	out->collected_at = time(NULL);
	if (n == 0)
		return gv_error(d, CODE_USAGE, NULL, "no endpoint to probe");
	if (n > GV_PROBE_MAX_ENDPOINTS)
		return gv_error(d, CODE_USAGE, NULL, "too many endpoints (%zu, at most %u)",
				n, GV_PROBE_MAX_ENDPOINTS);
	if (!opts->cert_file != !opts->key_file)
		return gv_error(d, CODE_USAGE, NULL,
				"a client certificate and its key go together");
	if (opts->server_name && !plain_name(opts->server_name, strlen(opts->server_name)))
		return gv_error(d, CODE_USAGE, NULL, "invalid server name '%s'",
				opts->server_name);

	jobs = gv_xcalloc(n, sizeof(*jobs));
	for (i = 0; i < n; i++)
		if (gv_probe_parse_endpoint(&jobs[i].host, &jobs[i].port,
					    opts->endpoints[i]) < 0)
			err = gv_error(d, CODE_USAGE, NULL,
				       "invalid endpoint '%s' (want HOST:PORT or [ADDR]:PORT)",
				       opts->endpoints[i]);
	if (err < 0 || (err = ctx_new(&ctx, opts, d)) < 0)
		goto out;

	if (!seed)
		seed = (uint64_t)mono_ns() ^ ((uint64_t)getpid() << 32);
	out->endpoints = gv_xcalloc(n, sizeof(*out->endpoints));
	out->n = n;
	for (i = 0; i < n; i++) {
		gv_probe_endpoint *ep = &out->endpoints[i];
		uint64_t s = seed + i;

		ep->endpoint = gv_xstrdup(opts->endpoints[i]);
		ep->server_name = gv_xstrdup(opts->server_name ? opts->server_name
					     : jobs[i].host);
		jobs[i].ep = ep;
		jobs[i].ctx = ctx;
		jobs[i].have_cert = opts->cert_file != NULL;
		jobs[i].timeout_ms = opts->timeout_ms ? opts->timeout_ms
				     : GV_PROBE_DEFAULT_TIMEOUT_MS;
		jobs[i].attempts = opts->attempts ? opts->attempts
				   : GV_PROBE_DEFAULT_ATTEMPTS;
		jobs[i].rng = splitmix64(&s);   /* independent stream per endpoint */
	}

	deadline = mono_ms() + (opts->max_time_ms ? opts->max_time_ms
				: GV_PROBE_DEFAULT_MAX_TIME_MS);
	for (i = 0; i < n; i++)
		jobs[i].deadline = deadline;
	pthread_mutex_init(&pool.lock, NULL);
	pool.jobs = jobs;
	pool.n = n;
	pool.next = 0;
	for (i = 0; i < n && i < GV_PROBE_MAX_THREADS; i++) {
		if (pthread_create(&threads[i], NULL, worker, &pool) != 0)
			break;
		nthreads++;
	}
	if (nthreads == 0)
		worker(&pool);   /* no thread to be had: probe one by one */
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&pool.lock);

	out->reachable = true;
	for (i = 0; i < n; i++)
		if (!out->endpoints[i].reachable)
			out->reachable = false;
out:
	SSL_CTX_free(ctx);
	if (jobs)
		for (i = 0; i < n; i++)
			free(jobs[i].host);
	free(jobs);
	return err;
}

void gv_probe_result_release(gv_probe_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		gv_probe_endpoint *ep = &r->endpoints[i];

		free(ep->endpoint);
		free(ep->server_name);
		free(ep->error);
		tls_release(&ep->tls);
	}
	free(r->endpoints);
	memset(r, 0, sizeof(*r));
}

/*
 * The writer. YAML and JSON share one walk: a value is written after its
 * key, strings are always double-quoted (a JSON string literal is a valid
 * YAML double-quoted scalar), so "1.2" never turns into a number and
 * "null" never into null under the YAML 1.2 core schema.
 */
typedef struct writer {
	gv_buf *b;
	gv_probe_format fmt;
	int depth;
	bool first;       /* no member written yet at this level (JSON) */
	bool seq_item;    /* next YAML key starts a "- " sequence item */
} writer;

static void indent(writer *w, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		gv_buf_puts(w->b, "  ");
}

static void key(writer *w, const char *k)
{
	if (w->fmt == GV_PROBE_JSON) {
		gv_buf_puts(w->b, w->first ? "\n" : ",\n");
		indent(w, w->depth);
		gv_buf_printf(w->b, "\"%s\":", k);
	} else if (w->seq_item) {
		indent(w, w->depth - 1);
		gv_buf_printf(w->b, "- %s:", k);
		w->seq_item = false;
	} else {
		indent(w, w->depth);
		gv_buf_printf(w->b, "%s:", k);
	}
	w->first = false;
}

/* A key followed by the space before its scalar value. */
static void skey(writer *w, const char *k)
{
	key(w, k);
	gv_buf_putc(w->b, ' ');
}

/* Ends a scalar value (the newline of a YAML line). */
static void end_value(writer *w)
{
	if (w->fmt == GV_PROBE_YAML)
		gv_buf_putc(w->b, '\n');
}

static void put_str(writer *w, const char *k, const char *v)
{
	skey(w, k);
	if (v)
		gv_buf_json_str(w->b, v, strlen(v));
	else
		gv_buf_puts(w->b, "null");
	end_value(w);
}

/* Only for the fixed words of the format, which need no quotes. */
static void put_word(writer *w, const char *k, const char *v)
{
	skey(w, k);
	if (w->fmt == GV_PROBE_JSON)
		gv_buf_printf(w->b, "\"%s\"", v);
	else
		gv_buf_puts(w->b, v);
	end_value(w);
}

static void put_bool(writer *w, const char *k, bool v)
{
	skey(w, k);
	gv_buf_puts(w->b, v ? "true" : "false");
	end_value(w);
}

static void put_raw(writer *w, const char *k, const char *v)
{
	skey(w, k);
	gv_buf_puts(w->b, v);
	end_value(w);
}

static void open_map(writer *w, const char *k)
{
	key(w, k);
	if (w->fmt == GV_PROBE_JSON)
		gv_buf_puts(w->b, " {");
	else
		gv_buf_putc(w->b, '\n');
	w->depth++;
	w->first = true;
}

static void close_map(writer *w)
{
	w->depth--;
	if (w->fmt == GV_PROBE_JSON) {
		gv_buf_putc(w->b, '\n');
		indent(w, w->depth);
		gv_buf_putc(w->b, '}');
	}
	w->first = false;
}

static void write_endpoint(writer *w, const gv_probe_endpoint *ep)
{
	char num[64];

	put_str(w, "endpoint", ep->endpoint);
	put_str(w, "server_name", ep->server_name);
	put_bool(w, "reachable", ep->reachable);
	if (ep->reachable) {
		snprintf(num, sizeof(num), "%.3f", ep->connect_ms);
		put_raw(w, "connect_ms", num);
	} else {
		put_raw(w, "connect_ms", "null");
	}
	snprintf(num, sizeof(num), "%u", ep->attempts);
	put_raw(w, "attempts", num);
	put_str(w, "error", ep->error);
	if (!ep->has_tls) {
		put_raw(w, "tls", "null");
		return;
	}
	open_map(w, "tls");
	put_str(w, "version", ep->tls.version);
	put_str(w, "cipher", ep->tls.cipher);
	put_bool(w, "verified", ep->tls.verified);
	put_str(w, "verify_error", ep->tls.verify_error);
	put_bool(w, "name_matched", ep->tls.name_matched);
	if (ep->tls.has_days) {
		snprintf(num, sizeof(num), "%ld", ep->tls.cert_days_left);
		put_raw(w, "cert_days_left", num);
	} else {
		put_raw(w, "cert_days_left", "null");
	}
	put_bool(w, "mutual", ep->tls.mutual);
	close_map(w);
}

void gv_probe_write(gv_buf *b, const gv_probe_result *r, gv_probe_format fmt)
{
	writer w = { b, fmt, 0, true, false };
	char when[GV_TIME_LEN + 1];
	size_t i;

	gv_time_format(when, r->collected_at);
	if (fmt == GV_PROBE_JSON) {
		gv_buf_putc(b, '{');
		w.depth = 1;
	}
	put_word(&w, "apiVersion", "govgate/v1");
	put_word(&w, "kind", "Facts");
	put_word(&w, "side", gv_probe_side_name(r->side));
	put_str(&w, "collected_at", when);
	put_str(&w, "collector", GV_PROBE_COLLECTOR);
	open_map(&w, "connectivity");
	put_bool(&w, "reachable", r->reachable);
	key(&w, "endpoints");
	if (r->n == 0) {
		gv_buf_puts(b, " []");
		end_value(&w);
	} else if (fmt == GV_PROBE_JSON) {
		gv_buf_puts(b, " [");
		w.depth++;
		for (i = 0; i < r->n; i++) {
			gv_buf_puts(b, i ? ",\n" : "\n");
			indent(&w, w.depth);
			gv_buf_putc(b, '{');
			w.depth++;
			w.first = true;
			write_endpoint(&w, &r->endpoints[i]);
			close_map(&w);
		}
		w.depth--;
		gv_buf_putc(b, '\n');
		indent(&w, w.depth);
		gv_buf_putc(b, ']');
	} else {
		gv_buf_putc(b, '\n');
		w.depth += 2;   /* items at depth+1, their keys one level deeper */
		for (i = 0; i < r->n; i++) {
			w.seq_item = true;
			write_endpoint(&w, &r->endpoints[i]);
		}
		w.depth -= 2;
	}
	close_map(&w);
	if (fmt == GV_PROBE_JSON)
		gv_buf_puts(b, "\n}\n");
}
