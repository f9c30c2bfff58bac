/* SPDX-License-Identifier: MIT */
/* Internal: UTF-8 validation for the strings the broadcasters are given. */
#ifndef CFC_REF_UTF8_H
#define CFC_REF_UTF8_H

#include <stddef.h>

/* Offset of the first byte that does not start a valid UTF-8 sequence
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
 * len when all `len` bytes are valid. */
size_t cfc__utf8_invalid_at(const unsigned char *s, size_t len);

#endif
