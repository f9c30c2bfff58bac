/* SPDX-License-Identifier: MIT */
/* The timestamp formatter and strict parser (T1-T3). */
#include <criterion/criterion.h>
#include "params.h"
#include <string.h>

#include "cfc/timestamp.h"

typedef struct instant {
    long long ms;
    const char *text;
} instant;

/* Expected texts computed independently (Python's datetime, proleptic
 * Gregorian), not by the code under test. */
static const instant instants[] = {
    {0LL, "1970-01-01T00:00:00.000Z"},
    {1762612245123LL, "2025-11-08T14:30:45.123Z"},
    {1709164800000LL, "2024-02-29T00:00:00.000Z"},
    {1709251199999LL, "2024-02-29T23:59:59.999Z"},
    {-2203891200000LL, "1900-03-01T00:00:00.000Z"},
    {-2203977600000LL, "1900-02-28T00:00:00.000Z"},
    {951782400000LL, "2000-02-29T00:00:00.000Z"},
    {253402300799999LL, "9999-12-31T23:59:59.999Z"},
    {-62135596800000LL, "0001-01-01T00:00:00.000Z"},
    {-1LL, "1969-12-31T23:59:59.999Z"},
    {-1000LL, "1969-12-31T23:59:59.000Z"},
    {999LL, "1970-01-01T00:00:00.999Z"},
    {1000LL, "1970-01-01T00:00:01.000Z"},
    {-12219292800000LL, "1582-10-15T00:00:00.000Z"},
    {-12219292800001LL, "1582-10-14T23:59:59.999Z"},
    {4107542399999LL, "2100-02-28T23:59:59.999Z"},
    {4107542400000LL, "2100-03-01T00:00:00.000Z"},
};

CFC_TABLE_TEST(timestamp, format_and_parse, instants)
{
    const instant *c = &instants[*cfc_index];
    char out[25];
    cr_assert_eq(cfc_timestamp_format(c->ms, out), 0);
    cr_expect_str_eq(out, c->text);
    int64_t back = 0;
    cr_assert_eq(cfc_timestamp_parse(c->text, strlen(c->text), &back), 0);
    cr_expect_eq(back, c->ms);
}

Test(timestamp, out_of_range_instants_are_refused)
{
    char out[25] = "untouched";
    cr_expect_eq(cfc_timestamp_format(CFC_TIMESTAMP_MIN_MS - 1, out), -1);
    cr_expect_eq(cfc_timestamp_format(CFC_TIMESTAMP_MAX_MS + 1, out), -1);
    cr_expect_eq(cfc_timestamp_format(INT64_MIN, out), -1);
    cr_expect_eq(cfc_timestamp_format(INT64_MAX, out), -1);
    cr_expect_str_eq(out, "untouched");
}

/* Every day boundary in years 1..9999: format -> parse is the identity and
 * consecutive days never repeat or skip a date. */
Test(timestamp, every_day_round_trips)
{
    char prev[25] = "";
    for (int64_t ms = CFC_TIMESTAMP_MIN_MS; ms <= CFC_TIMESTAMP_MAX_MS; ms += 86400000) {
        char out[25];
        cr_assert_eq(cfc_timestamp_format(ms + 86399999, out), 0);
        int64_t back;
        cr_assert_eq(cfc_timestamp_parse(out, 24, &back), 0, "%s", out);
        cr_assert_eq(back, ms + 86399999, "%s", out);
        cr_assert_gt(strcmp(out, prev), 0, "%s after %s", out, prev);
        memcpy(prev, out, sizeof out);
    }
}

typedef struct bad {
    const char *text;
    unsigned problems;
} bad;

static const bad bads[] = {
    {"2025-11-08T14:30:45.123456", CFC_TS_FRACTION | CFC_TS_NO_ZONE},
    {"2025-11-08T14:30:45.123456+00:00", CFC_TS_FRACTION | CFC_TS_OFFSET},
    {"2025-11-08T14:30:45.123456Z", CFC_TS_FRACTION},
    {"2025-11-08T14:30:45Z", CFC_TS_NO_FRACTION},
    {"2025-11-08T14:30:45.1Z", CFC_TS_FRACTION},
    {"2025-11-08T14:30:45.Z", CFC_TS_FRACTION},
    {"2025-11-08T14:30:45.123+00:00", CFC_TS_OFFSET},
    {"2025-11-08T14:30:45.123-0500", CFC_TS_OFFSET},
    {"2025-11-08t14:30:45.123z", CFC_TS_LOWERCASE},
    {"2025-11-08T14:30:45.123z", CFC_TS_LOWERCASE},
    {"2025-11-08 14:30:45.123Z", CFC_TS_SEPARATOR},
    {"2025-11-08T14:30:45.123", CFC_TS_NO_ZONE},
    {"2025-13-08T14:30:45.123Z", CFC_TS_RANGE},
    {"2025-02-29T14:30:45.123Z", CFC_TS_RANGE},
    {"1900-02-29T00:00:00.000Z", CFC_TS_RANGE},
    {"2025-04-31T00:00:00.000Z", CFC_TS_RANGE},
    {"2025-11-00T00:00:00.000Z", CFC_TS_RANGE},
    {"2025-11-08T24:00:00.000Z", CFC_TS_RANGE},
    {"2025-11-08T23:60:00.000Z", CFC_TS_RANGE},
    {"2016-12-31T23:59:60.000Z", CFC_TS_RANGE},
    {"0000-01-01T00:00:00.000Z", CFC_TS_RANGE},
    {"2025-11-08", CFC_TS_SHAPE},
    {"", CFC_TS_SHAPE},
    {"25-11-08T14:30:45.123Z", CFC_TS_SHAPE},
    {"2025-11-08T14:30:45.123Z ", CFC_TS_SHAPE},
    {" 2025-11-08T14:30:45.123Z", CFC_TS_SHAPE},
    {"2025-11-08T14:30:45,123Z", CFC_TS_SHAPE},
    {"2025-11-08T14:30.123Z", CFC_TS_SHAPE},
    {"+2025-11-08T14:30:45.123Z", CFC_TS_SHAPE},
    {"2025-11-08T14:30:45.123ZZ", CFC_TS_SHAPE},
    {"1762612245123", CFC_TS_SHAPE},
};

CFC_TABLE_TEST(timestamp, wrong_forms_say_what_is_wrong, bads)
{
    const bad *c = &bads[*cfc_index];
    int64_t ms = 42;
    cr_expect_eq(cfc_timestamp_check(c->text, strlen(c->text), &ms, NULL), c->problems,
                 "%s: got 0x%x, expected 0x%x", c->text,
                 cfc_timestamp_check(c->text, strlen(c->text), NULL, NULL), c->problems);
    cr_expect_eq(ms, 42, "no instant is written for a bad timestamp");
    cr_expect_eq(cfc_timestamp_parse(c->text, strlen(c->text), NULL), -1);
}

Test(timestamp, counts_fraction_digits)
{
    int digits = 0;
    const char *s = "2025-11-08T14:30:45.123456Z";
    cfc_timestamp_check(s, strlen(s), NULL, &digits);
    cr_expect_eq(digits, 6);
    s = "2025-11-08T14:30:45.123Z";
    cr_expect_eq(cfc_timestamp_check(s, strlen(s), NULL, &digits), 0);
    cr_expect_eq(digits, 3);
}

Test(timestamp, not_nul_terminated_input_is_bounded_by_len)
{
    const char buf[30] = "2025-11-08T14:30:45.123Zjunk";
    int64_t ms;
    cr_expect_eq(cfc_timestamp_check(buf, 24, &ms, NULL), 0);
    cr_expect_eq(ms, 1762612245123LL);
    cr_expect_eq(cfc_timestamp_check(buf, 23, &ms, NULL), CFC_TS_NO_ZONE);
}

Test(timestamp, civil_day_arithmetic)
{
    cr_expect_eq(cfc_days_from_civil(1970, 1, 1), 0);
    cr_expect_eq(cfc_days_from_civil(2000, 3, 1), 11017);
    cr_expect_eq(cfc_days_from_civil(1, 1, 1), -719162);
    int64_t y;
    unsigned m, d;
    cfc_civil_from_days(-719162, &y, &m, &d);
    cr_expect(y == 1 && m == 1 && d == 1);
    cfc_civil_from_days(19782, &y, &m, &d);
    cr_expect(y == 2024 && m == 2 && d == 29, "%lld-%u-%u", (long long)y, m, d);
}
