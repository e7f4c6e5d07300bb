/*
 * base64.h: RFC 4648 base64.
 *
 * Encoding always uses the standard alphabet with padding. Decoding accepts
 * what DSSE requires verifiers to accept: the standard alphabet or the
 * URL-safe one (not a mix of both), with or without padding. Anything else
 * is refused: whitespace, misplaced or excess padding, a length that no
 * encoder produces, or non-zero bits after the last byte (so each byte
 * string has exactly one accepted encoding per alphabet and padding form).
 */
#ifndef GV_BASE64_H
#define GV_BASE64_H

#include <stddef.h>

#include "buf.h"

/* Length of the padded encoding of n bytes. */
size_t gv_base64_encoded_len(size_t n);
/* Appends the padded standard encoding of data to out. */
void gv_base64_encode(gv_buf *out, const void *data, size_t len);
/*
 * Appends the decoded bytes of s (len characters) to out. Returns GV_OK, or
 * GV_EPARSE (out unchanged) when s is not valid base64 as described above.
 */
int gv_base64_decode(gv_buf *out, const char *s, size_t len);

#endif
