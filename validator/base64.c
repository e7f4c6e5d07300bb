/* base64.c: RFC 4648 base64, standard and URL-safe (see base64.h). */
#include "base64.h"
#include "gv.h"

static const char std_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t gv_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void gv_base64_encode(gv_buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;
	char *o;

	if (len > ((size_t)-1 - 3) / 4 * 3)
		GV_BUG("base64 input too large");
	gv_buf_grow(out, gv_base64_encoded_len(len));
	o = out->ptr + out->len;
	for (i = 0; i + 2 < len; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
		*o++ = std_alphabet[v >> 18 & 63];
		*o++ = std_alphabet[v >> 12 & 63];
		*o++ = std_alphabet[v >> 6 & 63];
		*o++ = std_alphabet[v & 63];
	}
	if (i < len) {
		unsigned long v = (unsigned long)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)p[i + 1] << 8;
		*o++ = std_alphabet[v >> 18 & 63];
		*o++ = std_alphabet[v >> 12 & 63];
		*o++ = i + 1 < len ? std_alphabet[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	out->len = (size_t)(o - out->ptr);
	out->ptr[out->len] = '\0';
}

/* Value of c in the alphabets: 0-63, or -1; *kind notes which alphabet. */
static int sextet(unsigned char c, int *kind)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '/') {
		*kind |= 1;
		return c == '+' ? 62 : 63;
	}
	if (c == '-' || c == '_') {
		*kind |= 2;
		return c == '-' ? 62 : 63;
	}
	return -1;
}

int gv_base64_decode(gv_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = len, i, start = out->len, rem;
	int kind = 0;
	unsigned long acc = 0;
	char *o;

	/* padding: only at the end, only to a multiple of four */
	if (n && p[n - 1] == '=') {
		if (n % 4)
			return GV_EPARSE;
		n--;
		if (n && p[n - 1] == '=')
			n--;
	}
	rem = n % 4;
	if (rem == 1)
		return GV_EPARSE;
	gv_buf_grow(out, n / 4 * 3 + 2);
	o = out->ptr + out->len;
	for (i = 0; i < n; i++) {
		int v = sextet(p[i], &kind);
		if (v < 0 || kind == 3)
			goto bad;
		acc = acc << 6 | (unsigned long)v;
		if (i % 4 == 3) {
			*o++ = (char)(acc >> 16);
			*o++ = (char)(acc >> 8 & 255);
			*o++ = (char)(acc & 255);
			acc = 0;
		}
	}
	if (rem == 2) {
		if (acc & 15)
			goto bad;
		*o++ = (char)(acc >> 4);
	} else if (rem == 3) {
		if (acc & 3)
			goto bad;
		*o++ = (char)(acc >> 10);
		*o++ = (char)(acc >> 2 & 255);
	}
	out->len = (size_t)(o - out->ptr);
	out->ptr[out->len] = '\0';
	return GV_OK;
bad:
	out->len = start;
	out->ptr[out->len] = '\0';
	return GV_EPARSE;
}
