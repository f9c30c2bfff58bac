/* SPDX-License-Identifier: MIT */
/* The frame scanner of `cfconform watch`'s relay (conformance/live/ws_scan.h):
 * any byte stream, fed whole, in pieces of the sizes the fuzzer picks, and
 * one byte at a time. The relay gets the stream in whatever pieces the
 * network (or TLS) makes, so the verdict must not depend on them: the same
 * fault (or none), at the same frame, with the same close code, the same
 * end state; and a relay must never be told to forward a byte of the faulty
 * frame that arrived in the same piece as its fault, nor anything after it.
 *
 * Input: byte 0 picks the side (bit 0: the client's), the HTTP head put in
 * front (bits 1-2: none, so the input's own; a 101; a 101 with
 * permessage-deflate; a 403) and the pieces (bits 3-7: 0 one byte at a
 * time, N sizes from 1 to 8N picked by a generator seeded with N); the
 * rest is the stream. One cut per input, not every cut: feeding one byte
 * at a time is most of a run's cost (a call per byte), and the fuzzer
 * picks that cut as often as any other.
 *
 * The same for cfc_wsscan_split, the relay's way of taking the data frames
 * out: the same verdict as cfc_wsscan_feed, and whatever the pieces, the
 * same payload bytes with the same message ends and flags delivered, and
 * the same bytes forwarded (with a fault: the whole run's a prefix of the
 * pieces', which may hold the faulty frame's first bytes). */
#include <string.h>

#include "support.h"
#include "ws_scan.h"

#define MAX_STREAM (1 << 16)

static const char *const heads[] = {
    "",
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
    ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
     "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
    "HTTP/1.1 403 Forbidden\r\n\r\n",
};

typedef struct outcome {
    cfc_wsscan s;
    size_t passed; /* the bytes let through, over every call */
} outcome;

/* The next piece's size, at most `left`: all of it (cut < 0), 1 byte (cut
 * 0), or 1 to 8 * cut bytes, from the xorshift state *x. */
static size_t piece(uint32_t *x, int cut, size_t left)
{
    if (cut < 0)
        return left;
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    size_t k = cut == 0 ? 1 : 1 + *x % ((uint32_t)cut * 8);
    return k < left ? k : left;
}

/* Feeds `len` bytes: whole (cut < 0), one byte at a time (cut 0), or in
 * pieces of 1 to 8 * cut bytes, pseudo-random. */
static void feed(outcome *o, cfc_wsscan_side side, const unsigned char *p, size_t len, int cut)
{
    cfc_wsscan_init(&o->s, side);
    o->passed = 0;
    uint32_t x = (uint32_t)cut * 2654435761u + 1;
    for (size_t i = 0; i < len;) {
        size_t n = piece(&x, cut, len - i);
        bool faulted = o->s.phase == CFC_WSSCAN_FAULT;
        uint64_t before = o->s.offset;
        size_t ok = cfc_wsscan_feed(&o->s, p + i, n);
        CFC_FUZZ_ASSERT(ok <= n, "%zu of %zu bytes let through", ok, n);
        CFC_FUZZ_ASSERT(o->s.offset == before + n, "offset %llu after %llu + %zu",
                        (unsigned long long)o->s.offset, (unsigned long long)before, n);
        if (faulted)
            CFC_FUZZ_ASSERT(ok == 0, "%zu bytes let through after a fault", ok);
        else if (o->s.phase == CFC_WSSCAN_FAULT)
            /* Up to the faulty frame, or none of this piece if it began before. */
            CFC_FUZZ_ASSERT(ok == (o->s.frame_start > before ? o->s.frame_start - before : 0),
                            "%zu let through, the faulty frame at %llu, the piece at %llu", ok,
                            (unsigned long long)o->s.frame_start, (unsigned long long)before);
        else
            CFC_FUZZ_ASSERT(ok == n, "%zu of %zu let through without a fault", ok, n);
        o->passed += ok;
        i += n;
    }
}

typedef struct split_outcome {
    cfc_wsscan s;
    unsigned char fwd[MAX_STREAM + 256]; /* forwarded, over every call */
    size_t fwd_len;
    unsigned char data[MAX_STREAM + 256]; /* the payloads delivered */
    size_t data_len;
    uint64_t ends; /* a hash of where each message ended, and its flags */
    size_t n_ends;
} split_outcome;

static void on_slice(void *ctx, const unsigned char *p, size_t n, bool end)
{
    split_outcome *o = ctx;
    CFC_FUZZ_ASSERT(o->s.phase == CFC_WSSCAN_FRAMES && o->s.side == CFC_WSSCAN_SERVER,
                    "a slice in phase %d", o->s.phase);
    CFC_FUZZ_ASSERT(!(o->s.opcode & 0x08), "a slice of a control frame (opcode %u)", o->s.opcode);
    CFC_FUZZ_ASSERT(o->data_len + n <= sizeof o->data, "more payload than input");
    memcpy(o->data + o->data_len, p, n);
    o->data_len += n;
    if (end) {
        CFC_FUZZ_ASSERT(o->s.remaining == 0 && o->s.frame_fin && !o->s.in_message,
                        "a message's end inside it");
        o->ends = o->ends * 1000003u + o->data_len * 4 + o->s.msg_binary * 2 + o->s.msg_compressed;
        o->n_ends++;
    }
}

static void split(split_outcome *o, cfc_wsscan_side side, const unsigned char *p, size_t len,
                  int cut)
{
    cfc_wsscan_init(&o->s, side);
    o->fwd_len = o->data_len = o->n_ends = 0;
    o->ends = 0;
    uint32_t x = (uint32_t)cut * 2654435761u + 1;
    static unsigned char buf[MAX_STREAM + 256];
    for (size_t i = 0; i < len;) {
        size_t n = piece(&x, cut, len - i);
        memcpy(buf, p + i, n);
        size_t ok = cfc_wsscan_split(&o->s, buf, n, on_slice, o);
        CFC_FUZZ_ASSERT(ok <= n, "%zu of %zu bytes forwarded", ok, n);
        memcpy(o->fwd + o->fwd_len, buf, ok);
        o->fwd_len += ok;
        i += n;
    }
}

static void same_split(const outcome *fed, const split_outcome *a, const split_outcome *b,
                       const char *how)
{
    const cfc_wsscan *x = &a->s, *y = &b->s;
    /* Split reads as feed reads. */
    CFC_FUZZ_ASSERT(fed->s.phase == x->phase && strcmp(fed->s.fault, x->fault) == 0 &&
                        fed->s.offset == x->offset && fed->s.close_code == x->close_code,
                    "split: phase %d '%s', feed: phase %d '%s'", x->phase, x->fault, fed->s.phase,
                    fed->s.fault);
    CFC_FUZZ_ASSERT(x->phase == y->phase && strcmp(x->fault, y->fault) == 0,
                    "split %s: '%s', whole '%s'", how, y->fault, x->fault);
    CFC_FUZZ_ASSERT(a->data_len == b->data_len && memcmp(a->data, b->data, a->data_len) == 0,
                    "split %s: %zu payload bytes, whole %zu (or different ones)", how, b->data_len,
                    a->data_len);
    CFC_FUZZ_ASSERT(a->n_ends == b->n_ends && a->ends == b->ends,
                    "split %s: %zu messages ended, whole %zu (or elsewhere)", how, b->n_ends,
                    a->n_ends);
    if (x->phase == CFC_WSSCAN_FAULT)
        CFC_FUZZ_ASSERT(b->fwd_len >= a->fwd_len && memcmp(a->fwd, b->fwd, a->fwd_len) == 0,
                        "split %s: %zu forwarded, whole %zu (not a prefix)", how, b->fwd_len,
                        a->fwd_len);
    else
        CFC_FUZZ_ASSERT(a->fwd_len == b->fwd_len && memcmp(a->fwd, b->fwd, a->fwd_len) == 0,
                        "split %s: %zu forwarded, whole %zu (or different bytes)", how, b->fwd_len,
                        a->fwd_len);
    /* Nothing is both: the payloads and what is forwarded fit in the input. */
    CFC_FUZZ_ASSERT(a->fwd_len + a->data_len <= x->offset, "more out than in");
}

static void same(const outcome *a, const outcome *b, const char *how)
{
    const cfc_wsscan *x = &a->s, *y = &b->s;
    CFC_FUZZ_ASSERT(x->phase == y->phase, "%s: phase %d, whole %d", how, y->phase, x->phase);
    CFC_FUZZ_ASSERT(strcmp(x->fault, y->fault) == 0, "%s: fault '%s', whole '%s'", how, y->fault,
                    x->fault);
    CFC_FUZZ_ASSERT(x->close_code == y->close_code, "%s: close code %d, whole %d", how,
                    y->close_code, x->close_code);
    CFC_FUZZ_ASSERT(x->deflate == y->deflate, "%s: deflate differs", how);
    CFC_FUZZ_ASSERT(x->offset == y->offset, "%s: offset differs", how);
    if (x->phase == CFC_WSSCAN_FAULT) {
        CFC_FUZZ_ASSERT(x->frame_start == y->frame_start, "%s: faulty frame at %llu, whole %llu",
                        how, (unsigned long long)y->frame_start,
                        (unsigned long long)x->frame_start);
        /* Pieces may let through the faulty frame's first bytes (those that
         * came before the piece showing the fault), never what follows it. */
        CFC_FUZZ_ASSERT(b->passed >= a->passed, "%s: %zu let through, whole %zu", how, b->passed,
                        a->passed);
    } else {
        CFC_FUZZ_ASSERT(a->passed == b->passed, "%s: %zu let through, whole %zu", how, b->passed,
                        a->passed);
        CFC_FUZZ_ASSERT(x->close_seen == y->close_seen, "%s: close_seen differs", how);
        CFC_FUZZ_ASSERT(x->in_message == y->in_message, "%s: in_message differs", how);
        CFC_FUZZ_ASSERT(cfc_wsscan_at_boundary(x) == cfc_wsscan_at_boundary(y),
                        "%s: at_boundary differs", how);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size - 1 > MAX_STREAM)
        return 0;
    static unsigned char stream[MAX_STREAM + 256];
    const char *head = heads[(data[0] >> 1) & 3];
    size_t hl = strlen(head), len = hl + size - 1;
    memcpy(stream, head, hl);
    memcpy(stream + hl, data + 1, size - 1);
    cfc_wsscan_side side = data[0] & 1 ? CFC_WSSCAN_CLIENT : CFC_WSSCAN_SERVER;

    static outcome whole, pieces;
    feed(&whole, side, stream, len, -1);
    if (whole.s.phase == CFC_WSSCAN_FAULT) {
        CFC_FUZZ_ASSERT(side == CFC_WSSCAN_SERVER, "a fault on the client's side: %s",
                        whole.s.fault);
        CFC_FUZZ_ASSERT(whole.s.fault[0] != '\0', "a fault without a name");
        CFC_FUZZ_ASSERT(whole.passed == whole.s.frame_start,
                        "whole: %zu let through, frame at %llu", whole.passed,
                        (unsigned long long)whole.s.frame_start);
    } else {
        CFC_FUZZ_ASSERT(whole.s.fault[0] == '\0', "a named fault, phase %d", whole.s.phase);
    }
    int cut = data[0] >> 3;
    feed(&pieces, side, stream, len, cut);
    same(&whole, &pieces, cut == 0 ? "byte by byte" : "in pieces");

    static split_outcome split_whole, split_pieces;
    split(&split_whole, side, stream, len, -1);
    split(&split_pieces, side, stream, len, cut);
    same_split(&whole, &split_whole, &split_pieces, cut == 0 ? "byte by byte" : "in pieces");
    /* Without a fault, a client's stream (never split) is forwarded whole. */
    if (side == CFC_WSSCAN_CLIENT && whole.s.phase != CFC_WSSCAN_FAULT)
        CFC_FUZZ_ASSERT(split_whole.fwd_len == len && split_whole.data_len == 0,
                        "a client's stream split");
    return 0;
}
