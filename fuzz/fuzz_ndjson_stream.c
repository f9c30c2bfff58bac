/* SPDX-License-Identifier: MIT */
/* Arbitrary bytes as an NDJSON stream, framed once in chunks whose sizes
 * the fuzzer chooses (down to 1 byte, so splits land inside UTF-8
 * sequences and CRLF) and once in one piece: the lines must be the same,
 * byte for byte (compared by their number, length and bytes). Every
 * oversized line of the one-piece framing is checked as such; of its other
 * lines, one is checked: the one the second byte picks (modulo the number
 * of lines), with the checker's limit set to the line limit.
 *
 * One line and not all: an 8 KB input holds a few dozen lines, each a
 * check, which made this target run at a fifth of the others' rate; a
 * check is a function of the line's bytes alone (the checker keeps no
 * state between events), so each line is still checked in some input, and
 * check_event checks any bytes as an event. fuzz_ndjson_stream_all keeps
 * the heavy path: every line of every input checked. */
#include <stdlib.h>
#include <string.h>

#include "cfc/ndjson.h"
#include "support.h"

/* fuzz_ndjson_stream_all.c compiles this file with 1: every line checked. */
#ifndef CFC_FUZZ_NDJSON_ALL
#define CFC_FUZZ_NDJSON_ALL 0
#endif

typedef struct seen {
    uint64_t lines_hash; /* of every line number, length and byte */
    size_t lines;
    cfc_checker *checker; /* NULL: the lines are only compared */
    size_t check_line;    /* the one line checked (oversized ones all are) */
    size_t checked;
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
    if (s->checker == NULL || (!CFC_FUZZ_NDJSON_ALL && bytes != NULL && s->lines != s->check_line))
        return 0;
    const cfc_event_result *r;
    cfc_check_status st = bytes ? cfc_check_event(s->checker, bytes, len, &r)
                                : cfc_check_oversized(s->checker, len, &r);
    CFC_FUZZ_ASSERT(st == CFC_CHECK_OK, "check failed");
    CFC_FUZZ_ASSERT(bytes != NULL || (r->n_findings == 1 && r->by_rule[CFC_RULE_TOO_LARGE] == 1),
                    "an oversized line without its one finding");
    cfc_fuzz_check_result(r, len);
    s->checked += bytes != NULL;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    /* First byte: the line limit; second: the seed of the chunk sizes and
     * which line is checked. */
    size_t max_line = 16 + (size_t)data[0] * 16;
    uint8_t pick = data[1];
    uint32_t rng = data[1] * 2654435761u + 1;
    data += 2;
    size -= 2;
    /* The checker keeps no state between events, so one made once serves
     * every input (making it is most of the cost of a small input). */
    static cfc_checker *checker;
    if (checker == NULL && (checker = cfc_checker_new(NULL)) == NULL)
        cfc_fuzz_fail("cannot create the checker");
    cfc_checker_set_limits(checker, max_line, 0);
    /* Two framers for the run, reset for each input (as new ones, their
     * buffers kept): a framer's buffer made for every input was a fresh
     * allocation ASan filled and faulted in, twice an input. */
    static seen chunked, whole;
    static cfc_framer *a, *b;
    if (a == NULL) {
        CFC_FUZZ_ASSERT((a = cfc_framer_new(max_line, on_line, &whole)) != NULL &&
                            (b = cfc_framer_new(max_line, on_line, &chunked)) != NULL,
                        "setup failed");
    }
    cfc_framer_reset(a, max_line);
    cfc_framer_reset(b, max_line);
    chunked = (seen){.lines_hash = 14695981039346656037u};
    for (size_t pos = 0; pos < size;) {
        rng = rng * 1103515245u + 12345u;
        size_t n = (rng >> 16) % 4 == 0 ? 1 : 1 + (rng >> 8) % 64;
        if (n > size - pos)
            n = size - pos;
        CFC_FUZZ_ASSERT(cfc_framer_feed(b, (const char *)data + pos, n) == 0, "feed");
        pos += n;
    }
    CFC_FUZZ_ASSERT(cfc_framer_finish(b) == 0, "finish");

    /* The chunked framing counted the lines (an oversized one included):
     * the one-piece framing checks the one `pick` names among them. */
    whole = (seen){.lines_hash = 14695981039346656037u,
                   .checker = checker,
                   .check_line = chunked.lines ? 1 + pick % chunked.lines : 0};
    CFC_FUZZ_ASSERT(cfc_framer_feed(a, (const char *)data, size) == 0, "feed");
    CFC_FUZZ_ASSERT(cfc_framer_finish(a) == 0, "finish");
    CFC_FUZZ_ASSERT(whole.lines == chunked.lines && whole.lines_hash == chunked.lines_hash,
                    "chunking changed the result: %zu lines vs %zu", whole.lines, chunked.lines);
    CFC_FUZZ_ASSERT(CFC_FUZZ_NDJSON_ALL || whole.checked <= 1, "%zu lines checked, one asked",
                    whole.checked);
    return 0;
}
