/* SPDX-License-Identifier: MIT */
/*
 * Internal: the frame headers of one direction of a WebSocket connection
 * (RFC 6455), read from the raw byte stream with the payloads skipped, and
 * checked, and a close frame's code and reason. No sockets: `ws_tap.c`
 * feeds it what it relays, tests feed it bytes.
 *
 * Why our own: libwebsockets 4.1, which `watch` uses, unmasks a masked
 * server frame and delivers it as if nothing were wrong (RFC 6455 5.1: the
 * client must close the connection), and turns an illegal close code into
 * 1002 before any callback sees it, so neither can be reported from its
 * API. Reading the headers ourselves also names every other fault the same
 * way whatever the library's log says.
 *
 * The server-to-client stream starts with the HTTP answer to the upgrade
 * request: the scanner reads it (status line and Sec-WebSocket-Extensions:
 * with permessage-deflate, RSV1 is legal on a data message's first frame)
 * and checks frames only after a 101. The client-to-server stream is
 * followed for its frame boundaries only (where a close frame of ours may
 * go in) and whether it already sent a close frame.
 *
 *     cfc_wsscan s;
 *     cfc_wsscan_init(&s, CFC_WSSCAN_SERVER);
 *     for each chunk read: size_t ok = cfc_wsscan_feed(&s, data, len);
 *         (forward `ok` bytes; if s.fault[0], stop: the rest is the faulty
 *          frame and what follows)
 *
 * or, to take the data frames out of the server's stream (the relay does,
 * so libwebsockets never parses a payload: see ws_tap.h):
 *
 *     for each chunk read: size_t ok = cfc_wsscan_split(&s, buf, len, fn, ctx);
 *         (fn got every data payload byte in the chunk, in order; the first
 *          `ok` bytes of buf are now the rest, to forward)
 *
 * Memory: none allocated; the state is the struct.
 */
#ifndef CFC_WS_SCAN_H
#define CFC_WS_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum cfc_wsscan_side {
    CFC_WSSCAN_SERVER, /* frames a server sent: unmasked, checked */
    CFC_WSSCAN_CLIENT  /* frames a client sent: followed, not checked */
} cfc_wsscan_side;

typedef enum cfc_wsscan_phase {
    CFC_WSSCAN_HTTP,   /* reading the HTTP request or answer */
    CFC_WSSCAN_FRAMES, /* reading frames */
    CFC_WSSCAN_PASS,   /* not a WebSocket stream (no 101): nothing more is read */
    CFC_WSSCAN_FAULT   /* a fault was found: nothing more is read */
} cfc_wsscan_phase;

typedef struct cfc_wsscan {
    cfc_wsscan_side side;
    cfc_wsscan_phase phase;
    bool deflate; /* the answer negotiated permessage-deflate */

    /* HTTP: the current line (cut at its size: only the status line and
     * one header's name and value are read), and the header's end. */
    char line[512];
    size_t line_len;
    bool status_line_done, status_101;
    unsigned crlf; /* how much of "\r\n\r\n" was just seen */

    /* Frames. */
    unsigned char hdr[14];
    size_t hdr_len;        /* header bytes read so far of the current frame */
    uint64_t remaining;    /* payload bytes still to skip */
    uint64_t frame_start;  /* offset of the current (or faulty) frame's first byte */
    unsigned char opcode;  /* the current frame's */
    bool in_message;       /* a fragmented data message has begun */
    bool frame_fin;        /* the current data frame ends its message */
    bool msg_binary;       /* the current data message's opcode is binary */
    bool msg_compressed;   /* ... and its first frame had RSV1 (RFC 7692: compressed) */
    bool close_seen;       /* a whole close frame went by */
    unsigned char code[2]; /* a close frame's code, as it arrives */
    size_t code_len;
    bool code_wanted;
    /* A close frame's reason, checked as UTF-8 as it arrives (RFC 6455
     * 5.5.1, 8.1): the continuation bytes a sequence still needs, and the
     * range the next one must be in (narrower after E0, ED, F0, F4). */
    bool reason_wanted;
    unsigned char utf8_need, utf8_lo, utf8_hi;

    uint64_t offset; /* bytes fed so far */
    int close_code;  /* the illegal close code a fault is about, or 0 */
    char fault[160]; /* the fault, named ("" while none) */
} cfc_wsscan;

void cfc_wsscan_init(cfc_wsscan *s, cfc_wsscan_side side);

/* Reads `len` more bytes. Returns how many of them come before the faulty
 * frame (len when there is no fault; 0 for every call after one): a relay
 * forwards those and stops. The faulty frame may have begun in an earlier
 * chunk (a close frame's code and reason are read from its payload). */
size_t cfc_wsscan_feed(cfc_wsscan *s, const void *data, size_t len);

/* A slice of a data frame's payload, in stream order: `end` on the
 * message's last slice (its FIN frame's last byte; an empty frame comes as
 * one slice of n = 0). s->msg_binary and s->msg_compressed describe its
 * message. p points into the buffer being split and is valid only during
 * the call; the callback may call cfc_wsscan_fail to stop the split there. */
typedef void (*cfc_wsscan_data_fn)(void *ctx, const unsigned char *p, size_t n, bool end);

/* As cfc_wsscan_feed, for a server's stream, and takes the data frames out:
 * their payloads go to fn as they arrive (a slice of buf: no copy), their
 * headers nowhere; everything else (the HTTP answer, control frames) is
 * moved to the front of buf, in order. Returns how many bytes that is,
 * cut before a faulty frame as cfc_wsscan_feed cuts. Whatever the chunks'
 * sizes, fn gets the same bytes with the same ends, and the same bytes are
 * forwarded (fuzz/fuzz_ws_scan.c). */
size_t cfc_wsscan_split(cfc_wsscan *s, void *buf, size_t len, cfc_wsscan_data_fn fn, void *ctx);

/* A fault found outside the scanner (a compressed message that does not
 * inflate): at the current frame, named `what`; the first one stands. */
void cfc_wsscan_fail(cfc_wsscan *s, const char *what);

/* Between two frames (not inside a header or payload), after the HTTP part:
 * where a frame may be inserted into the stream. */
bool cfc_wsscan_at_boundary(const cfc_wsscan *s);

/* RFC 6455 7.4: whether an endpoint may put `code` in a close frame (1000-
 * 1003, 1007-1014, 3000-4999). */
bool cfc_wsscan_close_code_sendable(int code);

#endif
