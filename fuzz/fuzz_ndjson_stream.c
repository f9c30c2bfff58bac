/* SPDX-License-Identifier: MIT */
/* Arbitrary bytes as an NDJSON stream, framed once in one piece and once in
 * chunks whose sizes the fuzzer chooses (down to 1 byte, so splits land
 * inside UTF-8 sequences and CRLF): the lines, and so the findings, must be
 * the same. */
#include <stdlib.h>
#include <string.h>

#include "cfc/ndjson.h"
#include "support.h"

typedef struct seen {
    uint64_t hash; /* of every line number, length and finding */
    size_t lines;
    cfc_checker *checker;
} seen;

static uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0x100000001b3u;
}

static int on_line(void *ctx, size_t line, const char *bytes, size_t len)
{
    seen *s = ctx;
    const cfc_event_result *r;
    cfc_check_status st = bytes ? cfc_check_event(s->checker, bytes, len, &r)
                                : cfc_check_oversized(s->checker, len, &r);
    CFC_FUZZ_ASSERT(st == CFC_CHECK_OK, "check failed");
    s->lines++;
    s->hash = mix(mix(mix(s->hash, line), len), bytes != NULL);
    for (size_t i = 0; i < r->n_findings; i++)
        s->hash = mix(mix(s->hash, (uint64_t)r->findings[i].rule), r->findings[i].offset);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    /* First byte: the line limit; second: the seed of the chunk sizes. */
    size_t max_line = 16 + (size_t)data[0] * 16;
    uint32_t rng = data[1] * 2654435761u + 1;
    data += 2;
    size -= 2;
    /* The checkers keep no state between events, so two made once serve
     * every input (making them is most of the cost of a small input). */
    static cfc_checker *one, *two;
    if (one == NULL &&
        ((one = cfc_checker_new(NULL)) == NULL || (two = cfc_checker_new(NULL)) == NULL))
        cfc_fuzz_fail("cannot create the checkers");
    cfc_checker_set_limits(one, max_line, 0);
    cfc_checker_set_limits(two, max_line, 0);
    seen whole = {.hash = 14695981039346656037u, .checker = one};
    seen chunked = {.hash = 14695981039346656037u, .checker = two};
    cfc_framer *a = cfc_framer_new(max_line, on_line, &whole);
    cfc_framer *b = cfc_framer_new(max_line, on_line, &chunked);
    CFC_FUZZ_ASSERT(whole.checker && chunked.checker && a && b, "setup failed");

    CFC_FUZZ_ASSERT(cfc_framer_feed(a, (const char *)data, size) == 0, "feed");
    CFC_FUZZ_ASSERT(cfc_framer_finish(a) == 0, "finish");
    for (size_t pos = 0; pos < size;) {
        rng = rng * 1103515245u + 12345u;
        size_t n = (rng >> 16) % 4 == 0 ? 1 : 1 + (rng >> 8) % 64;
        if (n > size - pos)
            n = size - pos;
        CFC_FUZZ_ASSERT(cfc_framer_feed(b, (const char *)data + pos, n) == 0, "feed");
        pos += n;
    }
    CFC_FUZZ_ASSERT(cfc_framer_finish(b) == 0, "finish");
    CFC_FUZZ_ASSERT(whole.lines == chunked.lines && whole.hash == chunked.hash,
                    "chunking changed the result: %zu lines vs %zu", whole.lines, chunked.lines);

    cfc_framer_free(a);
    cfc_framer_free(b);
    return 0;
}
