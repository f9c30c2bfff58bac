/* SPDX-License-Identifier: MIT */
#include "cfc/timestamp.h"

#include <stdbool.h>
#include <string.h>

#define MS_PER_DAY INT64_C(86400000)

/* Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date,
 * negative years included, with no table and no time_t. */
int64_t cfc_days_from_civil(int64_t year, unsigned month, unsigned day)
{
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = month > 2 ? (int64_t)month - 3 : (int64_t)month + 9;
    int64_t doy = (153 * mp + 2) / 5 + (int64_t)day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cfc_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (m <= 2);
    *month = (unsigned)m;
    *day = (unsigned)d;
}

static void put_digits(char *out, int64_t value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

int cfc_timestamp_format(int64_t unix_ms, char out[25])
{
    if (unix_ms < CFC_TIMESTAMP_MIN_MS || unix_ms > CFC_TIMESTAMP_MAX_MS)
        return -1;
    /* Floor division, so that instants before 1970 land on the right day. */
    int64_t days = unix_ms / MS_PER_DAY;
    int64_t rem = unix_ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days -= 1;
    }
    int64_t year;
    unsigned month, day;
    cfc_civil_from_days(days, &year, &month, &day);
    char buf[25];
    put_digits(buf, year, 4);
    buf[4] = '-';
    put_digits(buf + 5, month, 2);
    buf[7] = '-';
    put_digits(buf + 8, day, 2);
    buf[10] = 'T';
    put_digits(buf + 11, rem / 3600000, 2);
    buf[13] = ':';
    put_digits(buf + 14, rem / 60000 % 60, 2);
    buf[16] = ':';
    put_digits(buf + 17, rem / 1000 % 60, 2);
    buf[19] = '.';
    put_digits(buf + 20, rem % 1000, 3);
    buf[23] = 'Z';
    buf[24] = '\0';
    memcpy(out, buf, sizeof buf);
    return 0;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

static unsigned num(const char *s, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    return v;
}

static bool is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* A zone offset after the time: +HH:MM, +HHMM or +HH (and '-'). Returns its
 * length, or 0 if this is not one. */
static size_t offset_len(const char *s, size_t n)
{
    if (n < 3 || (s[0] != '+' && s[0] != '-') || !all_digits(s + 1, 2))
        return 0;
    if (n >= 6 && s[3] == ':' && all_digits(s + 4, 2))
        return 6;
    if (n >= 5 && all_digits(s + 3, 2))
        return 5;
    return 3;
}

unsigned cfc_timestamp_check(const char *s, size_t len, int64_t *unix_ms, int *digits)
{
    if (digits)
        *digits = 0;
    if (s == NULL || len < 19 || !all_digits(s, 4) || s[4] != '-' || !all_digits(s + 5, 2) ||
        s[7] != '-' || !all_digits(s + 8, 2) || !all_digits(s + 11, 2) || s[13] != ':' ||
        !all_digits(s + 14, 2) || s[16] != ':' || !all_digits(s + 17, 2))
        return CFC_TS_SHAPE;

    unsigned problems = 0;
    if (s[10] == 't')
        problems |= CFC_TS_LOWERCASE;
    else if (s[10] != 'T')
        problems |= CFC_TS_SEPARATOR;

    size_t pos = 19;
    size_t frac_start = 0, frac_digits = 0;
    if (pos < len && s[pos] == '.') {
        frac_start = ++pos;
        while (pos < len && s[pos] >= '0' && s[pos] <= '9')
            pos++;
        frac_digits = pos - frac_start;
        if (frac_digits != 3)
            problems |= CFC_TS_FRACTION;
    } else {
        problems |= CFC_TS_NO_FRACTION;
    }
    if (digits)
        *digits = frac_digits > 1000 ? 1000 : (int)frac_digits;

    if (pos == len) {
        problems |= CFC_TS_NO_ZONE;
    } else if (s[pos] == 'Z' || s[pos] == 'z') {
        if (s[pos] == 'z')
            problems |= CFC_TS_LOWERCASE;
        pos++;
    } else {
        size_t off = offset_len(s + pos, len - pos);
        if (off == 0)
            return CFC_TS_SHAPE;
        problems |= CFC_TS_OFFSET;
        pos += off;
    }
    if (pos != len)
        return CFC_TS_SHAPE;

    unsigned year = num(s, 4), month = num(s + 5, 2), day = num(s + 8, 2);
    unsigned hour = num(s + 11, 2), minute = num(s + 14, 2), second = num(s + 17, 2);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) ||
        hour > 23 || minute > 59 || second > 59)
        problems |= CFC_TS_RANGE;

    if (problems == 0 && unix_ms != NULL) {
        int64_t days = cfc_days_from_civil(year, month, day);
        int64_t ms = num(s + frac_start, 3);
        *unix_ms = days * MS_PER_DAY + (int64_t)hour * 3600000 + (int64_t)minute * 60000 +
                   (int64_t)second * 1000 + ms;
    }
    return problems;
}

int cfc_timestamp_parse(const char *s, size_t len, int64_t *unix_ms)
{
    int64_t ms;
    if (cfc_timestamp_check(s, len, &ms, NULL) != 0)
        return -1;
    if (unix_ms)
        *unix_ms = ms;
    return 0;
}
