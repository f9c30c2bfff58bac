/* SPDX-License-Identifier: MIT */
/* The heavy path of fuzz_ndjson_stream: the same framing twice (in one
 * piece and in chunks the fuzzer's sizes choose), and every line of the
 * one-piece framing checked (an oversized one as such), where
 * fuzz_ndjson_stream checks one line an input. An 8 KB input holds a few
 * dozen lines, each a check, so this target runs at a fraction of the
 * other's rate; it keeps covered what only many checks in one input do
 * (one checker taking line after line, with its limit set to the line
 * limit). A check is a function of the line's bytes alone (the checker
 * keeps no state between events), so checking the chunked framing's lines
 * again would only repeat it: they are compared by their number, length
 * and bytes. */
#include <stdlib.h>
#include <string.h>

#include "cfc/ndjson.h"
#include "support.h"

typedef struct seen {
    uint64_t lines_hash; /* of every line number, length and byte */
    uint64_t findings_hash;
    size_t lines;
    cfc_checker *checker; /* NULL: the lines are only compared */
} seen;

static uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0x100000001b3u;
}

/* Eight bytes a step: the bytes are the point, not the hash's quality. */
static uint64_t mix_bytes(uint64_t h, const char *bytes, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, bytes + i, 8);
        h = mix(h, w);
    }
    uint64_t tail = 0;
    memcpy(&tail, bytes + i, len - i);
    return mix(h, tail);
}

static int on_line(void *ctx, size_t line, const char *bytes, size_t len)
{
    seen *s = ctx;
    s->lines++;
    s->lines_hash = mix(mix(mix(s->lines_hash, line), len), bytes != NULL);
    if (bytes)
        s->lines_hash = mix_bytes(s->lines_hash, bytes, len);
    if (s->checker == NULL)
        return 0;
    const cfc_event_result *r;
    cfc_check_status st = bytes ? cfc_check_event(s->checker, bytes, len, &r)
                                : cfc_check_oversized(s->checker, len, &r);
    CFC_FUZZ_ASSERT(st == CFC_CHECK_OK, "check failed");
    CFC_FUZZ_ASSERT(bytes != NULL || (r->n_findings == 1 && r->by_rule[CFC_RULE_TOO_LARGE] == 1),
                    "an oversized line without its one finding");
    for (size_t i = 0; i < r->n_findings; i++)
        s->findings_hash =
            mix(mix(s->findings_hash, (uint64_t)r->findings[i].rule), r->findings[i].offset);
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
    /* The checker keeps no state between events, so one made once serves
     * every input (making it is most of the cost of a small input). */
    static cfc_checker *checker;
    if (checker == NULL && (checker = cfc_checker_new(NULL)) == NULL)
        cfc_fuzz_fail("cannot create the checker");
    cfc_checker_set_limits(checker, max_line, 0);
    seen whole = {.lines_hash = 14695981039346656037u, .checker = checker};
    seen chunked = {.lines_hash = 14695981039346656037u};
    cfc_framer *a = cfc_framer_new(max_line, on_line, &whole);
    cfc_framer *b = cfc_framer_new(max_line, on_line, &chunked);
    CFC_FUZZ_ASSERT(a && b, "setup failed");

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
    CFC_FUZZ_ASSERT(whole.lines == chunked.lines && whole.lines_hash == chunked.lines_hash,
                    "chunking changed the result: %zu lines vs %zu", whole.lines, chunked.lines);

    cfc_framer_free(a);
    cfc_framer_free(b);
    return 0;
}
