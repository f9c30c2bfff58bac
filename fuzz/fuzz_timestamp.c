/* SPDX-License-Identifier: MIT */
/* The timestamp parser, differentially: against a deliberately simple second
 * implementation here, and against the reference formatter (format -> parse
 * round trip for the instant the fuzzer picks). */
#include <string.h>

#include "cfc/timestamp.h"
#include "support.h"

/* The simple one: position by position, days by the textbook formula. */
static int simple_parse(const uint8_t *s, size_t len, int64_t *ms)
{
    static const int before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    static const int in_month[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *shape = "dddd-dd-ddTdd:dd:dd.dddZ";
    if (len != 24)
        return -1;
    for (size_t i = 0; i < 24; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != (uint8_t)shape[i])
            return -1;
    }
#define NUM2(i) ((s[i] - '0') * 10 + (s[i + 1] - '0'))
    long y = NUM2(0) * 100 + NUM2(2);
    int mo = NUM2(5), d = NUM2(8), h = NUM2(11), mi = NUM2(14), sec = NUM2(17);
    int milli = (s[20] - '0') * 100 + NUM2(21);
#undef NUM2
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59 || d < 1 ||
        d > in_month[mo - 1] + (mo == 2 && leap))
        return -1;
    long py = y - 1;
    long days = 365 * py + py / 4 - py / 100 + py / 400 + before[mo - 1] + (mo > 2 && leap) + d - 1;
    days -= 719162; /* days from 0001-01-01 to 1970-01-01 */
    *ms = (((int64_t)days * 24 + h) * 60 + mi) * 60000 + sec * 1000 + milli;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t a = 0, b = 0;
    int ra = cfc_timestamp_parse((const char *)data, size, &a);
    int rb = simple_parse(data, size, &b);
    CFC_FUZZ_ASSERT(ra == rb, "parsers disagree on \"%.*s\": %d vs %d", (int)size, data, ra, rb);
    CFC_FUZZ_ASSERT(ra != 0 || a == b, "instants disagree: %lld vs %lld", (long long)a,
                    (long long)b);
    unsigned problems = cfc_timestamp_check((const char *)data, size, NULL, NULL);
    CFC_FUZZ_ASSERT((problems == 0) == (ra == 0), "check and parse disagree");

    if (size >= 8) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v = v << 8 | data[i];
        uint64_t span = (uint64_t)(CFC_TIMESTAMP_MAX_MS - CFC_TIMESTAMP_MIN_MS) + 1;
        int64_t ms = CFC_TIMESTAMP_MIN_MS + (int64_t)(v % span);
        char out[25];
        CFC_FUZZ_ASSERT(cfc_timestamp_format(ms, out) == 0, "format refused %lld", (long long)ms);
        CFC_FUZZ_ASSERT(strlen(out) == 24, "format gave %zu chars", strlen(out));
        int64_t back = 0;
        CFC_FUZZ_ASSERT(simple_parse((const uint8_t *)out, 24, &back) == 0 && back == ms,
                        "round trip of %lld gave %s", (long long)ms, out);
        CFC_FUZZ_ASSERT(cfc_timestamp_parse(out, 24, &back) == 0 && back == ms, "round trip");
        /* and outside the range the formatter refuses, writing nothing */
        char untouched[25] = "x";
        CFC_FUZZ_ASSERT(
            cfc_timestamp_format(CFC_TIMESTAMP_MAX_MS + 1 + (int64_t)(v >> 20), untouched) == -1 &&
                untouched[0] == 'x',
            "out of range accepted");
    }
    return 0;
}
