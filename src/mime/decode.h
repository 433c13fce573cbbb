/*
 * decode.h - content-transfer decoders kensa does itself.
 *
 * base64 by hand because GMime 3.2.13 stops at the first '=' padding of a
 * chunked body (data after an appended base64 footer is lost, fixed only in
 * 3.2.14). The decoder skips characters outside the alphabet and restarts
 * after padding, so every decodable byte is kept.
 */
#ifndef KENSA_DECODE_H
#define KENSA_DECODE_H

#include <stddef.h>

#include "../util/kbuf.h"

/* Append the decoded bytes of in[0..n) to out. Returns the number of input
 * characters that were not part of the alphabet (0 on clean input) or a
 * negative kbuf error when out is full. */
long decode_base64(const char *in, size_t n, kbuf *out);

/* Quoted-printable (RFC 2045), lenient: invalid =XX kept literally. */
long decode_qp(const char *in, size_t n, kbuf *out);

#endif
