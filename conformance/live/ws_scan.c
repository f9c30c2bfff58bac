/* SPDX-License-Identifier: MIT */
/* The frame headers of a WebSocket byte stream, checked (RFC 6455 5.2-5.5,
 * 7.4, 8.1). */
#include "ws_scan.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void cfc_wsscan_init(cfc_wsscan *s, cfc_wsscan_side side)
{
    memset(s, 0, sizeof *s);
    s->side = side;
    s->phase = CFC_WSSCAN_HTTP;
}

bool cfc_wsscan_close_code_sendable(int code)
{
    if (code >= 3000 && code <= 4999)
        return true;
    return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

bool cfc_wsscan_at_boundary(const cfc_wsscan *s)
{
    return s->phase == CFC_WSSCAN_FRAMES && s->hdr_len == 0 && s->remaining == 0;
}

/* The wording matches ws_client.c's names for the faults libwebsockets
 * itself rejects (on wss://, where no scanner sees the frames). */
static void fault(cfc_wsscan *s, const char *what)
{
    snprintf(s->fault, sizeof s->fault, "%s", what);
    s->phase = CFC_WSSCAN_FAULT;
}

/* One line of the HTTP head, without its CRLF. */
static void http_line(cfc_wsscan *s)
{
    char *l = s->line;
    l[s->line_len] = '\0';
    if (!s->status_line_done) {
        s->status_line_done = true;
        /* "HTTP/1.1 101 Switching Protocols" */
        s->status_101 = strncmp(l, "HTTP/1.1 101", 12) == 0 && (l[12] == ' ' || l[12] == '\0');
        return;
    }
    static const char ext[] = "sec-websocket-extensions:";
    if (strncasecmp(l, ext, sizeof ext - 1) == 0) {
        for (char *p = l + sizeof ext - 1; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (strstr(l + sizeof ext - 1, "permessage-deflate"))
            s->deflate = true;
    }
}

/* The HTTP head: returns the bytes it took (all of len, or up to and
 * including the blank line that ends it). */
static size_t feed_http(cfc_wsscan *s, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i];
        if (c == '\r' && (s->crlf == 0 || s->crlf == 2)) {
            s->crlf++;
        } else if (c == '\n' && (s->crlf == 1 || s->crlf == 3)) {
            s->crlf++;
            if (s->crlf == 2) {
                http_line(s);
                s->line_len = 0;
            }
        } else {
            s->crlf = 0;
            if (s->line_len < sizeof s->line - 1)
                s->line[s->line_len++] = (char)c;
        }
        if (s->crlf == 4) {
            /* A client's request is always followed by frames (if the
             * server says no, the client sends nothing more). */
            s->phase =
                s->side == CFC_WSSCAN_CLIENT || s->status_101 ? CFC_WSSCAN_FRAMES : CFC_WSSCAN_PASS;
            return i + 1;
        }
    }
    return len;
}

static size_t header_size(const unsigned char *h)
{
    size_t n = 2;
    if ((h[1] & 0x7f) == 126)
        n += 2;
    else if ((h[1] & 0x7f) == 127)
        n += 8;
    if (h[1] & 0x80)
        n += 4;
    return n;
}

/* The first byte of a server frame: RSV, opcode, fragmentation. */
static void check_byte0(cfc_wsscan *s, unsigned char b0)
{
    unsigned op = b0 & 0x0f;
    bool fin = (b0 & 0x80) != 0, control = (op & 0x08) != 0;
    if (s->close_seen) {
        fault(s, "a frame after its close frame (RFC 6455 5.5.1)");
    } else if ((op >= 3 && op <= 7) || op >= 0xb) {
        fault(s, "a frame with a reserved opcode (RFC 6455 5.2)");
    } else if ((b0 & 0x30) || ((b0 & 0x40) && !(s->deflate && (op == 1 || op == 2)))) {
        /* RSV1 is permessage-deflate's "compressed" bit, on a data
         * message's first frame only (RFC 7692 6). */
        fault(s, "a frame with reserved bits (RSV1-3) set and no extension negotiated (RFC 6455 "
                 "5.2)");
    } else if (control && !fin) {
        fault(s, "a fragmented control frame (RFC 6455 5.5)");
    } else if (op == 0 && !s->in_message) {
        fault(s, "a continuation frame with no message to continue (RFC 6455 5.4)");
    } else if ((op == 1 || op == 2) && s->in_message) {
        fault(s, "a new message before the previous one's final frame (RFC 6455 5.4)");
    }
}

/* A whole server frame header: mask and lengths. */
static void check_header(cfc_wsscan *s, const unsigned char *h, uint64_t n)
{
    unsigned len7 = h[1] & 0x7f;
    bool control = (h[0] & 0x08) != 0;
    if (h[1] & 0x80)
        fault(s, "a masked frame (RFC 6455 5.1: a server must not mask)");
    else if (control && len7 > 125)
        fault(s, "a control frame over 125 bytes (RFC 6455 5.5)");
    else if ((h[0] & 0x0f) == 8 && n == 1)
        fault(s, "a close frame with a 1-byte payload (RFC 6455 5.5.1: a close code is 2 bytes)");
    else if (len7 == 127 && (h[2] & 0x80))
        fault(s, "a frame length with its most significant bit set (RFC 6455 5.2)");
    else if ((len7 == 126 && n < 126) || (len7 == 127 && n < 65536))
        fault(s, "a frame length not in its shortest form (RFC 6455 5.2: \"the minimal number "
                 "of bytes MUST be used\")");
}

static void check_close_code(cfc_wsscan *s)
{
    int code = s->code[0] << 8 | s->code[1];
    if (!cfc_wsscan_close_code_sendable(code)) {
        s->close_code = code;
        char what[sizeof s->fault];
        snprintf(what, sizeof what,
                 "a close frame with code %d, which must never be sent (RFC 6455 7.4)", code);
        fault(s, what);
    }
}

/* One byte of a close frame's reason: false when no valid UTF-8 can have
 * it here (RFC 3629: no overlong form, no surrogate, nothing past
 * U+10FFFF). The state carries over from one chunk to the next. */
static bool reason_byte(cfc_wsscan *s, unsigned char b)
{
    if (s->utf8_need > 0) {
        if (b < s->utf8_lo || b > s->utf8_hi)
            return false;
        s->utf8_need--;
        s->utf8_lo = 0x80;
        s->utf8_hi = 0xbf;
        return true;
    }
    s->utf8_lo = 0x80;
    s->utf8_hi = 0xbf;
    if (b < 0x80)
        return true;
    if (b >= 0xc2 && b <= 0xdf) {
        s->utf8_need = 1;
    } else if (b >= 0xe0 && b <= 0xef) {
        s->utf8_need = 2;
        if (b == 0xe0)
            s->utf8_lo = 0xa0; /* overlong below */
        else if (b == 0xed)
            s->utf8_hi = 0x9f; /* U+D800-DFFF above */
    } else if (b >= 0xf0 && b <= 0xf4) {
        s->utf8_need = 3;
        if (b == 0xf0)
            s->utf8_lo = 0x90; /* overlong below */
        else if (b == 0xf4)
            s->utf8_hi = 0x8f; /* past U+10FFFF above */
    } else {
        return false; /* a continuation byte first, C0, C1, F5-FF */
    }
    return true;
}

static void reason_fault(cfc_wsscan *s)
{
    fault(s, "a close frame whose reason is not valid UTF-8 (RFC 6455 5.5.1, 8.1)");
}

/* The frame whose header just completed. */
static void frame_begins(cfc_wsscan *s)
{
    const unsigned char *h = s->hdr;
    uint64_t n = h[1] & 0x7f;
    if (n == 126) {
        n = (uint64_t)h[2] << 8 | h[3];
    } else if (n == 127) {
        n = 0;
        for (int i = 2; i < 10; i++)
            n = n << 8 | h[i];
    }
    s->opcode = h[0] & 0x0f;
    if (s->side == CFC_WSSCAN_SERVER) {
        check_header(s, h, n);
        if (s->phase == CFC_WSSCAN_FAULT)
            return;
    }
    s->remaining = n;
    s->hdr_len = 0;
    s->code_len = 0;
    s->code_wanted = s->opcode == 8 && n >= 2 && s->side == CFC_WSSCAN_SERVER;
    s->reason_wanted = s->code_wanted;
    s->utf8_need = 0;
    /* Data frames: a message begins with opcode 1 or 2 and ends with FIN. */
    if (!(s->opcode & 0x08)) {
        s->in_message = (h[0] & 0x80) == 0;
        s->frame_fin = (h[0] & 0x80) != 0;
        if (s->opcode != 0) {
            s->msg_binary = s->opcode == 2;
            s->msg_compressed = (h[0] & 0x40) != 0;
        }
    }
}

static void frame_ends(cfc_wsscan *s)
{
    if (s->opcode == 8)
        s->close_seen = true;
    if (s->reason_wanted && s->utf8_need > 0)
        reason_fault(s); /* the reason ends inside a character */
}

/* Where cfc_wsscan_split puts what it reads; all NULL for cfc_wsscan_feed,
 * which only reads. */
typedef struct sink {
    unsigned char *buf; /* the chunk: the bytes to forward are moved to its front */
    size_t dst;         /* how many there are so far */
    size_t dst_frame;   /* dst where the current frame began (0: in an earlier chunk) */
    cfc_wsscan_data_fn fn;
    void *ctx;
} sink;

/* Bytes for the client: moved down over what was taken out before them. */
static void keep(sink *k, const unsigned char *p, size_t n)
{
    if (k->buf == NULL || n == 0)
        return;
    if (k->buf + k->dst != p)
        memmove(k->buf + k->dst, p, n);
    k->dst += n;
}

/* Whether the current frame's bytes go to the client: on the server's side
 * in split mode, every frame but a data frame (its payload goes to fn, its
 * header nowhere). */
static bool forwarded(const cfc_wsscan *s, const sink *k)
{
    return k->fn == NULL || s->side != CFC_WSSCAN_SERVER || (s->hdr[0] & 0x08) != 0;
}

static size_t scan(cfc_wsscan *s, const unsigned char *p, size_t len, sink *k)
{
    uint64_t base = s->offset;
    size_t i = 0;
    while (i < len && s->phase != CFC_WSSCAN_FAULT) {
        if (s->phase == CFC_WSSCAN_PASS) {
            keep(k, p + i, len - i);
            i = len;
            break;
        }
        if (s->phase == CFC_WSSCAN_HTTP) {
            size_t n = feed_http(s, p + i, len - i);
            keep(k, p + i, n);
            i += n;
            continue;
        }
        if (s->remaining > 0) {
            size_t from = i;
            /* A close frame's code: its first two payload bytes, which may
             * arrive in two chunks. */
            while (s->code_wanted && s->code_len < 2 && i < len) {
                s->code[s->code_len++] = p[i++];
                s->remaining--;
            }
            if (s->code_wanted && s->code_len == 2) {
                s->code_wanted = false;
                check_close_code(s);
                if (s->phase == CFC_WSSCAN_FAULT)
                    break;
            }
            size_t take = s->remaining < len - i ? (size_t)s->remaining : len - i;
            if (s->reason_wanted && !s->code_wanted) {
                for (size_t j = 0; j < take; j++) {
                    if (!reason_byte(s, p[i + j])) {
                        reason_fault(s);
                        break;
                    }
                }
                if (s->phase == CFC_WSSCAN_FAULT)
                    break;
            }
            i += take;
            s->remaining -= take;
            if (forwarded(s, k)) {
                keep(k, p + from, i - from);
            } else {
                k->fn(k->ctx, p + from, i - from, s->remaining == 0 && s->frame_fin);
                if (s->phase == CFC_WSSCAN_FAULT)
                    break; /* fn said so (cfc_wsscan_fail) */
            }
            if (s->remaining == 0)
                frame_ends(s);
            continue;
        }
        /* A header byte. */
        if (s->hdr_len == 0) {
            s->frame_start = base + i;
            k->dst_frame = k->dst;
            if (s->side == CFC_WSSCAN_SERVER) {
                check_byte0(s, p[i]);
                if (s->phase == CFC_WSSCAN_FAULT)
                    break;
            }
        }
        s->hdr[s->hdr_len++] = p[i];
        if (forwarded(s, k))
            keep(k, p + i, 1);
        i++;
        if (s->hdr_len >= 2 && s->hdr_len == header_size(s->hdr)) {
            frame_begins(s);
            if (s->phase == CFC_WSSCAN_FAULT)
                break;
            if (s->remaining == 0) {
                if (!forwarded(s, k)) {
                    /* An empty data frame: it may end, or begin, a message. */
                    k->fn(k->ctx, p + i, 0, s->frame_fin);
                    if (s->phase == CFC_WSSCAN_FAULT)
                        break;
                }
                frame_ends(s);
            }
        } else if (s->hdr_len == 2 && s->side == CFC_WSSCAN_SERVER && (s->hdr[1] & 0x80)) {
            /* A masked frame: named at once, before its key and payload. */
            check_header(s, s->hdr, 0);
            if (s->phase == CFC_WSSCAN_FAULT)
                break;
        }
    }
    s->offset = base + i;
    if (s->phase != CFC_WSSCAN_FAULT)
        return k->buf ? k->dst : len;
    s->offset = base + len;
    if (k->buf)
        return s->frame_start >= base ? k->dst_frame : 0;
    return s->frame_start > base ? (size_t)(s->frame_start - base) : 0;
}

size_t cfc_wsscan_feed(cfc_wsscan *s, const void *data, size_t len)
{
    sink k = {0};
    return scan(s, data, len, &k);
}

size_t cfc_wsscan_split(cfc_wsscan *s, void *buf, size_t len, cfc_wsscan_data_fn fn, void *ctx)
{
    sink k = {.buf = buf, .fn = fn, .ctx = ctx};
    return scan(s, buf, len, &k);
}

void cfc_wsscan_fail(cfc_wsscan *s, const char *what)
{
    if (s->phase != CFC_WSSCAN_FAULT)
        fault(s, what);
}
