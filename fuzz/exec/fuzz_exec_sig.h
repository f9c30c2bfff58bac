/* SPDX-License-Identifier: MIT */
/*
 * Internal to cfconform fuzz-exec: what identifies a bug in a crashed
 * decoder's stderr, so that distinct bugs are distinct failures.
 *
 * The last line of stderr does not do: Node ends every uncaught exception
 * with "Node.js v20.x", Python starts with "Traceback (most recent call
 * last):". What names a bug is its exception (or sanitizer report) and the
 * innermost frame of the decoder's own code. Read from a report:
 *
 *   - a sanitizer's "SUMMARY:" line (or UBSan's "x.c:3:5: runtime error:"),
 *     and the first stack frame outside the sanitizer's runtime and libc;
 *   - a Python traceback's exception line and innermost frame outside the
 *     standard library and site-packages;
 *   - a Node (or Java) trace's exception line and first "at" frame in a
 *     file of the decoder's own (not node:internal, not node_modules);
 *   - a Go panic and its first frame outside the runtime; a Rust panic and
 *     its location;
 *   - otherwise the last line, digits left out (PIDs and addresses).
 */
#ifndef CFC_FUZZ_EXEC_SIG_H
#define CFC_FUZZ_EXEC_SIG_H

#include <stddef.h>

typedef struct fx_signature {
    char kind[64];      /* "TypeError", "IndexError", "heap-buffer-overflow", "panic"; or "" */
    char headline[200]; /* the line that says what happened: the exception line, the
                           sanitizer's SUMMARY line; "" when stderr holds nothing */
    char frame[200];    /* where: "path:line[:col] (function)"; "" when unknown */
    char key[320];      /* compares failures: the kind and the frame's location (or the
                           headline without its digits when there is no frame) */
} fx_signature;

/* Reads the report in text[0, len) (not NUL-terminated; any bytes). Every
 * field of *out is set, NUL-terminated and printable ASCII (other bytes are '?'). */
void fx_signature_of(const char *text, size_t len, fx_signature *out);

#endif
