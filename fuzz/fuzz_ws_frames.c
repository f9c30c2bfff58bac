/* SPDX-License-Identifier: MIT */
/* The frame-to-event path of `cfconform watch` (conformance/live/ws_frames.h):
 * the fuzzer's bytes become WebSocket message fragments of the sizes, FIN
 * bits and opcodes it chooses, then the connection ends. Every message must
 * come out exactly once, of the right kind, and a text message's findings
 * must be those of checking its bytes whole: fragmentation changes nothing.
 *
 * Input: byte 0 sets the size limit; then fragments, each a control byte
 * (bit 7: binary opcode, read on a message's first fragment; bit 6: FIN;
 * bits 0-5: length 0..63) followed by that many bytes. */
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "ws_frames.h"

typedef struct expect {
    cfc_checker *whole; /* checks each text message's bytes in one piece */
    char msg[64 * 64 * 8];
    size_t len, total;
    bool binary, started;
    size_t messages, delivered;
} expect;

static uint64_t findings_hash(const cfc_event_result *r)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < r->n_findings; i++)
        h = (h ^ ((uint64_t)r->findings[i].rule << 32 ^ r->findings[i].offset)) * 0x100000001b3u;
    return h ^ r->errors << 8 ^ r->warnings;
}

static int on_message(void *ctx, cfc_wsmsg_kind kind, const char *bytes, size_t len,
                      const cfc_event_result *res)
{
    expect *e = ctx;
    e->delivered++;
    size_t limit = cfc_checker_max_event_bytes(e->whole);
    if (kind == CFC_WSMSG_INCOMPLETE) {
        CFC_FUZZ_ASSERT(len == e->total, "incomplete: %zu bytes, fed %zu", len, e->total);
        return 0;
    }
    if (e->binary) {
        CFC_FUZZ_ASSERT(kind == CFC_WSMSG_BINARY, "a binary message came out as kind %d", kind);
        CFC_FUZZ_ASSERT(res->by_rule[CFC_RULE_TEXT_FRAME] == 1, "no text-frame finding");
        return 0;
    }
    if (e->total > limit) {
        CFC_FUZZ_ASSERT(kind == CFC_WSMSG_OVERSIZED && bytes == NULL && len == e->total,
                        "over the limit but kind %d", kind);
        return 0;
    }
    CFC_FUZZ_ASSERT(kind == CFC_WSMSG_TEXT && len == e->len && memcmp(bytes, e->msg, len) == 0,
                    "reassembled bytes differ");
    uint64_t got = findings_hash(res);
    const cfc_event_result *direct;
    CFC_FUZZ_ASSERT(cfc_check_event(e->whole, e->msg, e->len, &direct) == CFC_CHECK_OK, "check");
    CFC_FUZZ_ASSERT(findings_hash(direct) == got, "fragmenting changed the findings");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* The checkers keep no state between events but their limits, set for
     * each input: made once, they spare every input two checkers' set-up.
     * The expected message (32 KiB) is static for the same reason: only
     * its first `len` bytes are ever read. */
    static cfc_checker *whole, *k;
    static expect e;
    if (whole == NULL &&
        ((whole = cfc_checker_new(NULL)) == NULL || (k = cfc_checker_new(NULL)) == NULL))
        cfc_fuzz_fail("cannot create the checkers");
    size_t limit = 8 + (size_t)data[0] * 8;
    cfc_checker_set_limits(whole, limit, 0);
    cfc_checker_set_limits(k, limit, 0);
    CFC_FUZZ_ASSERT(cfc_checker_max_event_bytes(k) == limit, "limit not set");
    e.whole = whole;
    e.len = e.total = 0;
    e.binary = e.started = false;
    e.messages = e.delivered = 0;
    cfc_wsmsg *a = cfc_wsmsg_new(k, on_message, &e);
    CFC_FUZZ_ASSERT(a, "setup failed");

    for (size_t pos = 1; pos < size;) {
        uint8_t c = data[pos++];
        size_t n = c & 0x3f;
        if (n > size - pos)
            n = size - pos;
        bool final = (c & 0x40) != 0, binary = (c & 0x80) != 0;
        if (!e.started) {
            e.started = true;
            e.binary = binary;
            e.len = e.total = 0;
            e.messages++;
        }
        if (e.len + n <= sizeof e.msg) {
            memcpy(e.msg + e.len, data + pos, n);
            e.len += n;
        }
        e.total += n;
        CFC_FUZZ_ASSERT(cfc_wsmsg_feed(a, data + pos, n, final, binary) == 0, "feed failed");
        pos += n;
        if (final)
            e.started = false;
        CFC_FUZZ_ASSERT(cfc_wsmsg_pending(a) == e.started, "pending disagrees");
    }
    CFC_FUZZ_ASSERT(cfc_wsmsg_end(a) == 0, "end failed");
    CFC_FUZZ_ASSERT(e.delivered == e.messages, "%zu messages fed, %zu delivered", e.messages,
                    e.delivered);
    cfc_wsmsg_free(a);
    return 0;
}
