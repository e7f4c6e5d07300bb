/*
 * sign.c: Ed25519 key files, key ids, signing and verification (OpenSSL 3).
 * See sign.h for the file formats. Private key material only ever sits in
 * buffers that are wiped with OPENSSL_cleanse before they are freed.
 */
#include "sign.h"
#include "alloc.h"
#include "buf.h"
#include "digest.h"
#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* Key files are small; anything larger is not a key. */
#define KEY_FILE_MAX 16384

struct gv_key {
	EVP_PKEY *pkey;
	bool priv;
	unsigned char pub[GV_ED25519_PUB_LEN];
	char id[GV_KEYID_HEX_LEN + 1];
};

/* Fills the public parts (raw key, key id) once, at load time. */
static int key_finish(gv_key *k)
{
	size_t n = GV_ED25519_PUB_LEN;
	unsigned char *der = NULL, digest[GV_SHA256_LEN];
	int len;

	if (EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_ED25519)
		return GV_ERROR;
	if (!EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &n) || n != GV_ED25519_PUB_LEN)
		return GV_ERROR;
	len = i2d_PUBKEY(k->pkey, &der);
	if (len <= 0)
		return GV_ERROR;
	gv_sha256(digest, der, (size_t)len);
	OPENSSL_free(der);
	gv_hex(k->id, digest, sizeof(digest));
	return GV_OK;
}

static gv_key *key_new(EVP_PKEY *pkey, bool priv)
{
	gv_key *k = gv_xcalloc(1, sizeof(*k));

	k->pkey = pkey;
	k->priv = priv;
	if (key_finish(k) < 0) {
		gv_key_free(k);
		return NULL;
	}
	return k;
}

void gv_key_free(gv_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

bool gv_key_is_private(const gv_key *k)
{
	return k->priv;
}

void gv_key_id(const gv_key *k, char out[GV_KEYID_HEX_LEN + 1])
{
	memcpy(out, k->id, GV_KEYID_HEX_LEN + 1);
}

void gv_key_raw_public(const gv_key *k, unsigned char out[GV_ED25519_PUB_LEN])
{
	memcpy(out, k->pub, GV_ED25519_PUB_LEN);
}

int gv_key_from_raw_public(gv_key **out, const unsigned char raw[GV_ED25519_PUB_LEN])
{
	EVP_PKEY *pkey;

	*out = NULL;
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, GV_ED25519_PUB_LEN);
	if (!pkey)
		return GV_ERROR;
	*out = key_new(pkey, false);
	return *out ? GV_OK : GV_ERROR;
}

/* Writes all of data to fd, retrying short writes. */
static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Creates path exclusively with the given mode (fchmod'ed, so the umask
 * cannot loosen or break it) and writes data. With `force` an existing file
 * is removed first. On failure nothing is left behind and *created is 0.
 */
static int write_new_file(const char *path, const void *data, size_t len, int mode,
			  bool force, int *created, gv_diags *d)
{
	int fd, saved;

	*created = 0;
	if (force && unlink(path) < 0 && errno != ENOENT)
		return gv_error(d, "GV-K001", path, "cannot replace key file: %s", strerror(errno));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		const char *slash = strrchr(path, '/');
		if (errno == EEXIST)
			return gv_error(d, "GV-K002", path,
					"key file already exists; use --force to overwrite it");
		/* keys go only where asked: a missing folder is not created */
		if (errno == ENOENT && slash && slash > path)
			return gv_error(d, "GV-K001", path, "cannot create key file: folder "
					"'%.*s' does not exist (create it first)",
					(int)(slash - path), path);
		return gv_error(d, "GV-K001", path, "cannot create key file: %s", strerror(errno));
	}
	*created = 1;
	if (fchmod(fd, (mode_t)mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(path);
		*created = 0;
		return gv_error(d, "GV-K001", path, "cannot write key file: %s", strerror(saved));
	}
	if (close(fd) < 0) {
		saved = errno;
		unlink(path);
		*created = 0;
		return gv_error(d, "GV-K001", path, "cannot write key file: %s", strerror(saved));
	}
	return GV_OK;
}

/* PEM text of a key (private as PKCS#8 when priv). Wipe and free the buffer. */
static int pem_of(EVP_PKEY *pkey, bool priv, gv_buf *out)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	char *mem;
	long n;
	int ok;

	if (!bio)
		return GV_ERROR;
	ok = priv ? PEM_write_bio_PKCS8PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL)
		  : PEM_write_bio_PUBKEY(bio, pkey);
	if (ok && (n = BIO_get_mem_data(bio, &mem)) > 0)
		gv_buf_add(out, mem, (size_t)n);
	else
		ok = 0;
	BIO_free(bio);
	return ok ? GV_OK : GV_ERROR;
}

static void buf_wipe(gv_buf *b)
{
	if (b->alloc)
		OPENSSL_cleanse(b->ptr, b->alloc);
	gv_buf_release(b);
}

int gv_key_generate(const char *base, bool force, gv_diags *d)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	gv_buf keypath = GV_BUF_INIT, pubpath = GV_BUF_INIT;
	gv_buf priv = GV_BUF_INIT, pub = GV_BUF_INIT;
	int err = GV_ERROR, key_made = 0, pub_made = 0;
	struct stat st;

	gv_buf_printf(&keypath, "%s.key", base);
	gv_buf_printf(&pubpath, "%s.pub", base);
	/* refuse before touching anything: neither file may exist */
	if (!force) {
		if (lstat(keypath.ptr, &st) == 0 || lstat(pubpath.ptr, &st) == 0) {
			const char *which = lstat(keypath.ptr, &st) == 0 ? keypath.ptr : pubpath.ptr;
			err = gv_error(d, "GV-K002", which,
				       "key file already exists; use --force to overwrite it");
			goto out;
		}
	}
	ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &pkey) <= 0) {
		err = gv_error(d, "GV-K003", NULL, "cannot generate an Ed25519 key");
		goto out;
	}
	if (pem_of(pkey, true, &priv) < 0 || pem_of(pkey, false, &pub) < 0) {
		err = gv_error(d, "GV-K003", NULL, "cannot encode the Ed25519 key");
		goto out;
	}
	if ((err = write_new_file(keypath.ptr, priv.ptr, priv.len, 0600, force, &key_made, d)) < 0)
		goto out;
	if ((err = write_new_file(pubpath.ptr, pub.ptr, pub.len, 0644, force, &pub_made, d)) < 0) {
		unlink(keypath.ptr);
		goto out;
	}
	err = GV_OK;
out:
	buf_wipe(&priv);
	gv_buf_release(&pub);
	gv_buf_release(&keypath);
	gv_buf_release(&pubpath);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	return err;
}

/*
 * Reads a key file into b (at most KEY_FILE_MAX bytes). For a private key
 * the file's mode is checked on the open descriptor, so a swap between the
 * check and the read cannot slip a readable file through.
 */
static int read_key_file(gv_buf *b, const char *path, bool priv, gv_diags *d)
{
	struct stat st;
	char tmp[4096];
	ssize_t n;
	int fd, err = GV_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gv_error(d, "GV-K004", path, "cannot open key file: %s", strerror(errno));
	if (fstat(fd, &st) < 0) {
		err = gv_error(d, "GV-K004", path, "cannot read key file: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = gv_error(d, "GV-K004", path, "key file is not a regular file");
		goto out;
	}
	if (priv && (st.st_mode & 077)) {
		err = gv_error(d, "GV-K005", path,
			       "private key file is accessible by group or others (mode %04o); "
			       "refusing to use it (run: chmod 600 '%s')",
			       (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = gv_error(d, "GV-K004", path, "cannot read key file: %s", strerror(errno));
			goto out;
		}
		if (b->len + (size_t)n > KEY_FILE_MAX) {
			err = gv_error(d, "GV-K006", path, "not a key file (larger than %d bytes)",
				       KEY_FILE_MAX);
			goto out;
		}
		gv_buf_add(b, tmp, (size_t)n);
	}
out:
	OPENSSL_cleanse(tmp, sizeof(tmp));
	close(fd);
	return err;
}

/* Never prompt for a passphrase: encrypted keys are not supported. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

static int load_key(gv_key **out, const char *path, bool priv, gv_diags *d)
{
	gv_buf text = GV_BUF_INIT;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	int err;

	*out = NULL;
	if ((err = read_key_file(&text, path, priv, d)) < 0)
		goto out;
	err = GV_ERROR;
	if (!(bio = BIO_new_mem_buf(text.ptr, (int)text.len)))
		goto out;
	pkey = priv ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
		    : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	if (!pkey) {
		if (!priv && strstr(text.ptr, "PRIVATE KEY-----"))
			gv_error(d, "GV-K006", path, "this is a private key; give the public "
				 "key (.pub) here");
		else
			gv_error(d, "GV-K006", path, "not a %s PEM file",
				 priv ? "PKCS#8 private key" : "SubjectPublicKeyInfo public key");
		goto out;
	}
	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519) {
		gv_error(d, "GV-K007", path, "key is not an Ed25519 key");
		goto out;
	}
	if (!(*out = key_new(pkey, priv))) {
		pkey = NULL;  /* freed by key_new */
		gv_error(d, "GV-K006", path, "cannot use key");
		goto out;
	}
	pkey = NULL;
	err = GV_OK;
out:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	buf_wipe(&text);
	return err;
}

int gv_key_load_private(gv_key **out, const char *path, gv_diags *d)
{
	return load_key(out, path, true, d);
}

int gv_key_load_public(gv_key **out, const char *path, gv_diags *d)
{
	return load_key(out, path, false, d);
}

int gv_sign(const gv_key *k, const void *msg, size_t len, unsigned char sig[GV_ED25519_SIG_LEN])
{
	EVP_MD_CTX *ctx;
	size_t n = GV_ED25519_SIG_LEN;
	int ok;

	if (!k->priv)
		return GV_ERROR;
	if (!(ctx = EVP_MD_CTX_new()))
		return GV_ENOMEM;
	ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestSign(ctx, sig, &n, msg, len) == 1 && n == GV_ED25519_SIG_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? GV_OK : GV_ERROR;
}

int gv_verify(const gv_key *k, const void *msg, size_t len,
	      const unsigned char sig[GV_ED25519_SIG_LEN])
{
	EVP_MD_CTX *ctx;
	int ok;

	if (!(ctx = EVP_MD_CTX_new()))
		return GV_ENOMEM;
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, GV_ED25519_SIG_LEN, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? GV_OK : GV_ESIG;
}
