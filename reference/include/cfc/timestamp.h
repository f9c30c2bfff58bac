/* SPDX-License-Identifier: MIT */
/*
 * The contract's timestamp: exactly YYYY-MM-DDTHH:MM:SS.fffZ (T1), a real
 * UTC instant in years 0001-9999 (T2).
 *
 * Formatting and parsing use proleptic Gregorian day arithmetic of our own
 * rather than gmtime/timegm: those are bounded by time_t and the C library's
 * idea of far dates, and the contract needs every instant in 0001-9999.
 */
#ifndef CFC_TIMESTAMP_H
#define CFC_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in Unix milliseconds. */
#define CFC_TIMESTAMP_MIN_MS INT64_C(-62135596800000)
#define CFC_TIMESTAMP_MAX_MS INT64_C(253402300799999)

/* Writes the 24-character timestamp of `unix_ms` and a NUL into out.
 * Milliseconds are exact (ms precision in, ms precision out). Returns 0, or
 * -1 (out untouched) when the instant is outside years 0001-9999. */
int cfc_timestamp_format(int64_t unix_ms, char out[25]);

/* What is wrong with a timestamp string: a bit set, so that every problem is
 * reported, not only the first. 0 means conforming. */
enum {
    CFC_TS_SHAPE = 1u << 0,       /* not recognisably YYYY-MM-DD?HH:MM:SS... at all */
    CFC_TS_SEPARATOR = 1u << 1,   /* a space or other byte instead of 'T' */
    CFC_TS_LOWERCASE = 1u << 2,   /* 't' or 'z' instead of 'T' or 'Z' */
    CFC_TS_NO_FRACTION = 1u << 3, /* no ".fff" */
    CFC_TS_FRACTION = 1u << 4,    /* a fraction with other than 3 digits */
    CFC_TS_OFFSET = 1u << 5,      /* "+00:00" or another offset instead of 'Z' */
    CFC_TS_NO_ZONE = 1u << 6,     /* no zone designator at all */
    CFC_TS_RANGE = 1u << 7        /* the right shape, but not a real instant (T2) */
};

/* Checks `len` bytes against T1-T3. Returns the problem bits. When the result
 * is 0 and unix_ms is not NULL, *unix_ms receives the instant. `digits`, if not
 * NULL, receives the number of fractional digits seen (for messages). */
unsigned cfc_timestamp_check(const char *s, size_t len, int64_t *unix_ms, int *digits);

/* Strict parse: 0 and *unix_ms on a conforming timestamp, -1 otherwise. */
int cfc_timestamp_parse(const char *s, size_t len, int64_t *unix_ms);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t cfc_days_from_civil(int64_t year, unsigned month, unsigned day);
void cfc_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);

#ifdef __cplusplus
}
#endif

#endif
