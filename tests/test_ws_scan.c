/* SPDX-License-Identifier: MIT */
/* The frame-header scanner of watch's relay (ws_scan.h), as data: each case
 * is the bytes a server sends, in chunks, and what the scanner must say:
 * the fault (or none), and how many bytes it lets through before the faulty
 * frame. Feeding the same bytes one at a time must give the same answer. */
#include <criterion/criterion.h>
#include <string.h>

#include "params.h"
#include "ws_scan.h"

#define B(x)                                                                                       \
    {                                                                                              \
        x, sizeof x - 1                                                                            \
    }
#define HEAD "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
#define HEAD_DEFLATE                                                                               \
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSEC-WEBSOCKET-EXTENSIONS: "         \
    "Permessage-Deflate; server_no_context_takeover\r\n\r\n"
#define TEXT5 "\x81\x05hello"
#define PING "\x89\x01p"
#define H (sizeof HEAD - 1) /* the HTTP head's length */

typedef struct bytes {
    const char *b; /* NULL ends the list */
    size_t n;
} bytes;

typedef struct scan_case {
    const char *name;
    bytes chunks[6];
    const char *fault; /* a part of the fault's name, or NULL: none */
    size_t passed;     /* bytes let through in all (all of them without a fault): those
                          before the faulty frame, and of it only what came in earlier
                          chunks (its header's first bytes, a close code's first byte) */
    int close_code;
    size_t bytewise; /* bytes let through one at a time, when more than a header:
                        a close reason's bytes before the one that is not UTF-8
                        (0: c->passed + at most a header) */
} scan_case;

static const scan_case cases[] = {
    {"a text frame", {B(HEAD), B(TEXT5)}, NULL, 0, 0, 0},
    {"fragments with a ping between",
     {B(HEAD "\x01\x02he" PING "\x00\x01l\x80\x02lo")},
     NULL,
     0,
     0,
     0},
    {"a 16-bit length", {B(HEAD "\x81\x7e\x00\x7e"), {NULL, 126}}, NULL, 0, 0, 0},
    {"a close frame with 1000", {B(HEAD TEXT5 "\x88\x02\x03\xe8")}, NULL, 0, 0, 0},
    {"a close frame with 4999 and a reason", {B(HEAD "\x88\x04\x13\x87ok")}, NULL, 0, 0, 0},
    {"an empty close frame", {B(HEAD "\x88\x00")}, NULL, 0, 0, 0},
    {"not a 101: not read as frames", {B("HTTP/1.1 403 Forbidden\r\n\r\n\x81\x85")}, NULL, 0, 0, 0},
    {"RSV1 with permessage-deflate", {B(HEAD_DEFLATE "\xc1\x01x")}, NULL, 0, 0, 0},

    {"masked", {B(HEAD TEXT5), B("\x81\x85\x01\x02\x03\x04")}, "a masked frame", H + 7, 0, 0},
    {"masked, header cut after its first byte",
     {B(HEAD TEXT5 "\x81"), B("\x85\x01\x02\x03\x04")},
     "a masked frame",
     H + 8,
     0,
     0},
    {"masked close", {B(HEAD "\x88\x82\x01\x02\x03\x04\x02\xea")}, "a masked frame", H, 0, 0},
    {"RSV1 and no extension", {B(HEAD TEXT5 "\xc1\x01x")}, "reserved bits (RSV1-3)", H + 7, 0, 0},
    {"RSV2", {B(HEAD "\xa1\x01x")}, "reserved bits (RSV1-3)", H, 0, 0},
    {"RSV1 on a continuation, with deflate",
     {B(HEAD_DEFLATE "\x41\x01x\xc0\x01y")},
     "reserved bits",
     sizeof HEAD_DEFLATE - 1 + 3,
     0,
     0},
    {"RSV1 on a ping, with deflate",
     {B(HEAD_DEFLATE "\xc9\x00")},
     "reserved bits",
     sizeof HEAD_DEFLATE - 1,
     0,
     0},
    {"reserved opcode 3", {B(HEAD "\x83\x01x")}, "a reserved opcode", H, 0, 0},
    {"reserved control opcode 0xB", {B(HEAD "\x8b\x00")}, "a reserved opcode", H, 0, 0},
    {"orphan continuation", {B(HEAD TEXT5 "\x80\x01x")}, "no message to continue", H + 7, 0, 0},
    {"a new message inside one",
     {B(HEAD "\x01\x01x\x81\x01y")},
     "before the previous one's final",
     H + 3,
     0,
     0},
    {"a fragmented ping", {B(HEAD "\x09\x01p")}, "a fragmented control frame", H, 0, 0},
    {"a ping of 126 bytes",
     {B(HEAD "\x89\x7e\x00\x7e")},
     "a control frame over 125 bytes",
     H,
     0,
     0},
    {"a close frame of 1 byte", {B(HEAD "\x88\x01\x03")}, "a 1-byte payload", H, 0, 0},
    {"a 64-bit length with its top bit",
     {B(HEAD "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x01")},
     "most significant bit",
     H,
     0,
     0},
    {"a 16-bit length for 5 bytes", {B(HEAD "\x81\x7e\x00\x05hello")}, "shortest form", H, 0, 0},
    {"a 64-bit length for 65535 bytes",
     {B(HEAD "\x82\x7f\x00\x00\x00\x00\x00\x00\xff\xff")},
     "shortest form",
     H,
     0,
     0},
    {"a frame after the close frame",
     {B(HEAD "\x88\x02\x03\xe8" TEXT5)},
     "after its close frame",
     H + 4,
     0,
     0},
    {"close code 1005, in three chunks",
     {B(HEAD TEXT5 "\x88\x02"), B("\x03"), B("\xed")},
     "code 1005, which must never be sent",
     H + 10,
     1005,
     0},
    {"close code 1006", {B(HEAD "\x88\x02\x03\xee")}, "code 1006", H, 1006, 0},
    {"close code 1015", {B(HEAD "\x88\x02\x03\xf7")}, "code 1015", H, 1015, 0},
    {"close code 999", {B(HEAD "\x88\x02\x03\xe7")}, "code 999", H, 999, 0},
    {"close code 1004", {B(HEAD "\x88\x02\x03\xec")}, "code 1004", H, 1004, 0},
    {"close code 2999", {B(HEAD "\x88\x02\x0b\xb7")}, "code 2999", H, 2999, 0},
    {"close code 5000", {B(HEAD "\x88\x02\x13\x88")}, "code 5000", H, 5000, 0},
    {"close code 0", {B(HEAD "\x88\x02\x00\x00")}, "code 0,", H, 0, 0},

    /* A close reason is UTF-8 (RFC 6455 5.5.1, 8.1), and may straddle reads. */
    {"a close reason in 1- to 4-byte characters",
     {B(HEAD "\x88\x0c\x03\xe8"
             "h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")},
     NULL,
     0,
     0,
     0},
    {"a close reason's character cut by reads",
     {B(HEAD "\x88\x05\x03\xe8\xe2"), B("\x82"), B("\xac")},
     NULL,
     0,
     0,
     0},
    {"the largest code point and the last before the surrogates",
     {B(HEAD "\x88\x09\x03\xe8\xf4\x8f\xbf\xbf\xed\x9f\xbf")},
     NULL,
     0,
     0,
     0},
    {"a close reason with an overlong '/'",
     {B(HEAD TEXT5 "\x88\x04\x03\xe8\xc0\xaf")},
     "reason is not valid UTF-8",
     H + 7,
     0,
     H + 11},
    {"a close reason with a lone continuation byte",
     {B(HEAD "\x88\x05\x03\xe8ok\x80")},
     "reason is not valid UTF-8",
     H,
     0,
     H + 6},
    {"a close reason with a surrogate",
     {B(HEAD "\x88\x05\x03\xe8\xed\xa0\x80")},
     "reason is not valid UTF-8",
     H,
     0,
     H + 5},
    {"a close reason past U+10FFFF",
     {B(HEAD "\x88\x06\x03\xe8\xf4\x90\x80\x80")},
     "reason is not valid UTF-8",
     H,
     0,
     H + 5},
    {"a close reason with a 3-byte overlong",
     {B(HEAD "\x88\x05\x03\xe8\xe0\x80\xaf")},
     "reason is not valid UTF-8",
     H,
     0,
     H + 5},
    {"a close reason ending inside a character",
     {B(HEAD "\x88\x04\x03\xe8o\xc3")},
     "reason is not valid UTF-8",
     H,
     0,
     H + 5},
    {"a close reason's bad byte in the next read",
     {B(HEAD TEXT5 "\x88\x04\x03\xe8\xe2"), B("(")},
     "reason is not valid UTF-8",
     H + 12,
     0,
     H + 12},
};

static void feed_all(const scan_case *c, bool bytewise, cfc_wsscan *s, size_t *passed,
                     size_t *total)
{
    static const char zeros[256];
    cfc_wsscan_init(s, CFC_WSSCAN_SERVER);
    *passed = *total = 0;
    for (const bytes *b = c->chunks; b->n; b++) {
        const char *p = b->b ? b->b : zeros; /* NULL bytes: n zero bytes of payload */
        *total += b->n;
        if (!bytewise) {
            *passed += cfc_wsscan_feed(s, p, b->n);
            continue;
        }
        for (size_t i = 0; i < b->n; i++)
            *passed += cfc_wsscan_feed(s, p + i, 1);
    }
}

CFC_TABLE_TEST(ws_scan, server_frames, cases)
{
    const scan_case *c = &cases[*cfc_index];
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        cfc_wsscan s;
        size_t passed, total;
        feed_all(c, bytewise, &s, &passed, &total);
        if (c->fault == NULL) {
            cr_expect_eq(s.fault[0], '\0', "%s: unexpected fault: %s", c->name, s.fault);
            cr_expect_eq(passed, total, "%s: %zu of %zu bytes let through", c->name, passed, total);
        } else {
            cr_expect_not_null(strstr(s.fault, c->fault), "%s (bytewise %d): want '%s', got '%s'",
                               c->name, bytewise, c->fault, s.fault);
            cr_expect_eq(s.phase, CFC_WSSCAN_FAULT, "%s", c->name);
            /* One byte at a time, the faulty frame's header bytes up to the
             * one that shows the fault went through (libwebsockets sees a cut
             * header), never a byte of its payload past a close code. */
            if (bytewise && c->bytewise)
                cr_expect_eq(passed, c->bytewise, "%s (bytewise): %zu bytes let through, want %zu",
                             c->name, passed, c->bytewise);
            else if (bytewise)
                cr_expect(passed >= c->passed && passed < c->passed + 14,
                          "%s (bytewise): %zu bytes let through, want %zu + at most a header",
                          c->name, passed, c->passed);
            else
                cr_expect_eq(passed, c->passed, "%s: %zu bytes let through, want %zu", c->name,
                             passed, c->passed);
            cr_expect_eq(s.close_code, c->close_code, "%s", c->name);
            /* Nothing more is let through once a fault is found. */
            cr_expect_eq(cfc_wsscan_feed(&s, TEXT5, sizeof TEXT5 - 1), 0u, "%s", c->name);
        }
    }
}

/* The client's side is followed, not checked: its frames are masked, and
 * the relay needs to know where one ends and whether a close went out. */
Test(ws_scan, client_frames_are_followed)
{
    static const char req[] = "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char text[] = "\x81\x83\x01\x02\x03\x04"
                               "abc";
    static const char close[] = "\x88\x82\x01\x02\x03\x04\x02\xea";
    cfc_wsscan s;
    cfc_wsscan_init(&s, CFC_WSSCAN_CLIENT);
    cr_expect(!cfc_wsscan_at_boundary(&s), "not during the HTTP request");
    cr_expect_eq(cfc_wsscan_feed(&s, req, sizeof req - 1), sizeof req - 1);
    cr_expect(cfc_wsscan_at_boundary(&s));
    cr_expect_eq(cfc_wsscan_feed(&s, text, 5), 5u);
    cr_expect(!cfc_wsscan_at_boundary(&s), "inside a frame");
    cr_expect_eq(cfc_wsscan_feed(&s, text + 5, sizeof text - 6), sizeof text - 6);
    cr_expect(cfc_wsscan_at_boundary(&s));
    cr_expect(!s.close_seen);
    cr_expect_eq(cfc_wsscan_feed(&s, close, sizeof close - 1), sizeof close - 1);
    cr_expect(s.close_seen);
    cr_expect_eq(s.fault[0], '\0', "%s", s.fault);
}

Test(ws_scan, close_codes_an_endpoint_may_send)
{
    static const int ok[] = {1000, 1001, 1002, 1003, 1007, 1008, 1011, 1014, 3000, 4999};
    static const int never[] = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        cr_expect(cfc_wsscan_close_code_sendable(ok[i]), "%d", ok[i]);
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        cr_expect(!cfc_wsscan_close_code_sendable(never[i]), "%d", never[i]);
}

/* ---- cfc_wsscan_split: the data frames taken out of the stream ----------- */

/* What a split delivered, as text: each message as "<t" or "<b" (binary),
 * "z" when compressed, ">", its payload, "|" at its end. */
typedef struct transcript {
    char text[1024];
    size_t len;
    bool in_message;
    cfc_wsscan *s;
    int fail_after; /* call cfc_wsscan_fail on this call (1-based), 0: never */
    int calls;
} transcript;

static void add(transcript *t, const void *p, size_t n)
{
    cr_assert(t->len + n < sizeof t->text, "transcript too long");
    memcpy(t->text + t->len, p, n);
    t->len += n;
    t->text[t->len] = '\0';
}

static void on_slice(void *ctx, const unsigned char *p, size_t n, bool end)
{
    transcript *t = ctx;
    if (++t->calls == t->fail_after) {
        cfc_wsscan_fail(t->s, "a test's own fault");
        return;
    }
    if (!t->in_message) {
        add(t, t->s->msg_binary ? "<b" : "<t", 2);
        if (t->s->msg_compressed)
            add(t, "z", 1);
        add(t, ">", 1);
        t->in_message = true;
    }
    add(t, p, n);
    if (end) {
        add(t, "|", 1);
        t->in_message = false;
    }
}

/* Splits `len` bytes in pieces of `piece` bytes (0: whole); *fwd gets what
 * is forwarded, in order. */
static size_t split_in_pieces(cfc_wsscan *s, transcript *t, const char *in, size_t len,
                              size_t piece, char *fwd)
{
    cfc_wsscan_init(s, CFC_WSSCAN_SERVER);
    t->s = s;
    size_t out = 0;
    for (size_t i = 0; i < len;) {
        size_t n = piece == 0 || len - i < piece ? len - i : piece;
        char buf[512];
        memcpy(buf, in + i, n);
        size_t k = cfc_wsscan_split(s, buf, n, on_slice, t);
        cr_assert(k <= n);
        memcpy(fwd + out, buf, k);
        out += k;
        i += n;
    }
    return out;
}

#define DEFLATE_TEXT "\xc1\x03zzz"
static const char split_stream[] = HEAD_DEFLATE TEXT5 "\x01\x02he" PING "\x00\x01l\x80\x02lo"
                                                      "\x82\x02\x01\x02"
                                                      "\x81\x00" DEFLATE_TEXT "\x88\x02\x03\xe8";

/* The same payloads with the same ends, and the same bytes forwarded (the
 * HTTP answer and the control frames only, in order), whatever the pieces. */
Test(ws_scan, split_delivers_payloads_whole_or_in_pieces_alike)
{
    static const char want[] = "<t>hello|<t>hello|<b>\x01\x02|<t>|<tz>zzz|";
    static const char want_fwd[] = HEAD_DEFLATE PING "\x88\x02\x03\xe8";
    size_t len = sizeof split_stream - 1;
    for (size_t piece = 0; piece <= 7; piece++) {
        cfc_wsscan s;
        transcript t = {0};
        char fwd[512];
        size_t n = split_in_pieces(&s, &t, split_stream, len, piece, fwd);
        cr_expect_eq(s.fault[0], '\0', "pieces of %zu: %s", piece, s.fault);
        cr_expect_eq(t.len, sizeof want - 1, "pieces of %zu: %s", piece, t.text);
        cr_expect(memcmp(t.text, want, sizeof want - 1) == 0, "pieces of %zu: %s", piece, t.text);
        cr_expect_eq(n, sizeof want_fwd - 1, "pieces of %zu: %zu forwarded", piece, n);
        cr_expect(memcmp(fwd, want_fwd, sizeof want_fwd - 1) == 0, "pieces of %zu", piece);
        cr_expect(s.close_seen);
    }
}

/* A faulty frame: the payloads before it are delivered, nothing of it or
 * after it, and what is forwarded stops before it. */
Test(ws_scan, split_stops_at_a_faulty_frame)
{
    static const char in[] = HEAD TEXT5 PING "\x81\x85\x01\x02\x03\x04" TEXT5;
    for (size_t piece = 0; piece <= 3; piece++) {
        cfc_wsscan s;
        transcript t = {0};
        char fwd[512];
        size_t n = split_in_pieces(&s, &t, in, sizeof in - 1, piece, fwd);
        cr_expect_not_null(strstr(s.fault, "a masked frame"), "%s", s.fault);
        cr_expect_str_eq(t.text, "<t>hello|", "pieces of %zu", piece);
        cr_expect_eq(n, H + 3, "pieces of %zu: %zu forwarded", piece, n);
    }
}

/* The data callback can fail the connection (a message that does not
 * inflate): the split stops there, at that frame. */
Test(ws_scan, split_stops_where_the_callback_fails)
{
    static const char in[] = HEAD TEXT5 PING "\x81\x02no" PING TEXT5;
    cfc_wsscan s;
    transcript t = {.fail_after = 2};
    char fwd[512];
    size_t n = split_in_pieces(&s, &t, in, sizeof in - 1, 0, fwd);
    cr_expect_str_eq(s.fault, "a test's own fault");
    cr_expect_eq(s.phase, CFC_WSSCAN_FAULT);
    cr_expect_eq(s.frame_start, H + 10, "at the second text frame");
    cr_expect_str_eq(t.text, "<t>hello|");
    cr_expect_eq(n, H + 3, "the HTTP answer and the first ping: %zu", n);
    cr_expect_eq(t.calls, 2, "no call after the fault");
    /* The first fault stands. */
    cfc_wsscan_fail(&s, "another");
    cr_expect_str_eq(s.fault, "a test's own fault");
}

/* A faulty control frame (a close code that must never be sent): nothing of
 * it is forwarded from the piece that shows the fault, so libwebsockets
 * never acts on it; fed whole, the forwarded bytes stop right before it. */
Test(ws_scan, split_forwards_nothing_of_a_faulty_close_frame)
{
    static const char in[] = HEAD TEXT5 PING "\x88\x02\x03\xed" TEXT5;
    for (size_t piece = 0; piece <= 3; piece++) {
        cfc_wsscan s;
        transcript t = {0};
        char fwd[512];
        size_t n = split_in_pieces(&s, &t, in, sizeof in - 1, piece, fwd);
        cr_expect_not_null(strstr(s.fault, "code 1005"), "%s", s.fault);
        cr_expect_eq(s.close_code, 1005);
        cr_expect_str_eq(t.text, "<t>hello|", "pieces of %zu", piece);
        if (piece == 0)
            cr_expect_eq(n, H + 3, "whole: %zu forwarded", n);
        else /* its first bytes, when they came in an earlier piece, not its code */
            cr_expect(n >= H + 3 && n <= H + 3 + 3, "pieces of %zu: %zu forwarded", piece, n);
    }
}
