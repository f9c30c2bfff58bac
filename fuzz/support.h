/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets share, so that each target file holds only its
 * LLVMFuzzerTestOneInput: a reader that turns fuzzer bytes into arguments,
 * a capturing connection manager, and the checker's own invariants.
 *
 * A broken invariant is a bug the fuzzer must report: cfc_fuzz_fail prints
 * why and aborts (this is test code, not library code).
 */
#ifndef CFC_FUZZ_SUPPORT_H
#define CFC_FUZZ_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfc/check.h"
#include "cfc/reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz invariant broken: ..." and aborts. */
void cfc_fuzz_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

#define CFC_FUZZ_ASSERT(cond, ...)                                                                 \
    do {                                                                                           \
        if (!(cond))                                                                               \
            cfc_fuzz_fail(__VA_ARGS__);                                                            \
    } while (0)

/* Fuzzer bytes as a source of arguments; reads past the end give zeros. */
typedef struct cfc_fuzz_reader {
    const uint8_t *data;
    size_t size, pos;
    char strings[8][96]; /* NUL-terminated strings handed out, reused in turn */
    int next_string;
} cfc_fuzz_reader;

void cfc_fuzz_reader_init(cfc_fuzz_reader *r, const uint8_t *data, size_t size);
uint8_t cfc_fuzz_u8(cfc_fuzz_reader *r);
bool cfc_fuzz_bool(cfc_fuzz_reader *r);
/* An integer, often a boundary value (0, 1, 2^53-1, 2^53, negative, ...). */
int64_t cfc_fuzz_i64(cfc_fuzz_reader *r);
double cfc_fuzz_double(cfc_fuzz_reader *r);
/* A string: NULL, empty, one from `known` (NULL-terminated), or raw bytes
 * (possibly invalid UTF-8). Valid until 8 more strings are read. */
const char *cfc_fuzz_string(cfc_fuzz_reader *r, const char *const *known);

/* A connection manager that keeps the last event sent. */
typedef struct cfc_fuzz_capture {
    cfc_manager m;
    int64_t now_ms;
    int fail_with;
    int sends;
    char *last; /* malloc'd copy of the last text */
    size_t last_len;
} cfc_fuzz_capture;

void cfc_fuzz_capture_init(cfc_fuzz_capture *c);
void cfc_fuzz_capture_reset(cfc_fuzz_capture *c);
void cfc_fuzz_capture_free(cfc_fuzz_capture *c);

/* Checks what must hold of any result: ordered findings, consistent counts,
 * valid pointers and messages. */
void cfc_fuzz_check_result(const cfc_event_result *r, size_t input_len);

/* A hash of everything a result says: each finding's rule, severity,
 * offset, pointer and message, the counts and the type. Two results with
 * the same hash say the same (up to collisions), which is how targets
 * check that two ways to the same verdict agree. */
uint64_t cfc_fuzz_result_hash(const cfc_event_result *r);

/* The report formats the targets write, to memory, where the output is
 * counted and dropped. */
typedef enum { CFC_FUZZ_TEXT, CFC_FUZZ_JSON, CFC_FUZZ_JUNIT } cfc_fuzz_format;

/* Writes the result in one format: text (with colour), a JSON line, or a
 * whole JUnit document. Every format must take any result. */
void cfc_fuzz_write_report(const cfc_event_result *r, cfc_fuzz_format which);

/* The same in all three formats. fuzz_report_all does this for every
 * input; fuzz_report writes one format per input, chosen by the input; the
 * other event targets leave reports to those two, since writing up to 200
 * findings three times costs several times the check. */
void cfc_fuzz_write_reports(const cfc_event_result *r);

#endif
