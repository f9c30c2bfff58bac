/* SPDX-License-Identifier: MIT */
/*
 * Internal: the WebSocket client of `cfconform watch`, over libwebsockets.
 * It opens one connection at a time, hands every received chunk to the
 * caller as it comes (the caller reassembles and checks: ws_frames.h), sends
 * an optional first message, and closes with a close frame when the caller
 * asks. Failures to connect are classified (bad URL, DNS, refused, TLS, HTTP
 * status, timeout) so the CLI can say which and what to try.
 *
 * libwebsockets does the handshake, answers pings and closes, but never sees
 * a data frame: the relay between it and the server (ws_tap.h) reads every
 * frame header anyway, so it takes the data payloads out of the stream and
 * hands them to the data callback itself. libwebsockets 4.1 parses payloads
 * one byte at a time: that was 60% of watch's instructions.
 *
 * permessage-deflate (RFC 7692) is offered unless opts->no_deflate: the
 * relay then inflates each compressed message and the data callback gets
 * it in chunks of at most 16 KiB, so memory stays bounded whatever a
 * message inflates to; bounding a message's size is the caller's job, as
 * without compression (ws_frames.h).
 *
 * Threads: cfc_wsc_run runs libwebsockets and the established and
 * should_stop callbacks on the calling thread, the data and flush callbacks
 * on the relay's thread (one chunk after another, never two at once), all
 * of them only while cfc_wsc_run runs. Signals interrupt the wait; the
 * caller's should_stop callback is polled at least every 50 ms.
 */
#ifndef CFC_WS_CLIENT_H
#define CFC_WS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

typedef enum cfc_wsc_failure {
    CFC_WSC_OK = 0,      /* the connection was opened */
    CFC_WSC_BAD_URL,     /* not ws://HOST[:PORT][/PATH] or wss://... */
    CFC_WSC_DNS,         /* the host name does not resolve */
    CFC_WSC_REFUSED,     /* nothing listens there */
    CFC_WSC_UNREACHABLE, /* the TCP connection failed otherwise (no route, timeout) */
    CFC_WSC_TLS,         /* the TLS handshake or the certificate check failed */
    CFC_WSC_HTTP_STATUS, /* the server answered, but not with 101 Switching Protocols */
    CFC_WSC_HANDSHAKE,   /* the server's answer was not a valid WebSocket upgrade */
    CFC_WSC_TIMEOUT,     /* no handshake answer within the connect timeout */
    CFC_WSC_NOMEM,
    CFC_WSC_OTHER
} cfc_wsc_failure;

/* A short name for a failure: "connection refused", "TLS failure", ... */
const char *cfc_wsc_failure_name(cfc_wsc_failure f);

typedef struct cfc_wsc_options {
    const char *url;
    const char *const *headers; /* "Name: value" each; copied */
    size_t n_headers;
    const char *subscribe;       /* a text message sent once connected, or NULL */
    bool insecure;               /* wss: accept self-signed, expired, wrong host */
    unsigned connect_timeout_ms; /* 0: 10 s */
    bool verbose;                /* libwebsockets' own error and warning lines to stderr */
    bool no_deflate;             /* do not offer permessage-deflate (RFC 7692); offered by
                                    default, the data callback gets inflated bytes */
} cfc_wsc_options;

typedef struct cfc_wsc_callbacks {
    void *ctx;
    /* The handshake succeeded. May be NULL. */
    void (*established)(void *ctx);
    /* One chunk of the current message; `final` ends the message, `binary`
     * is its opcode. On the relay's thread. Return non-zero to close the
     * connection now: nothing more is delivered. */
    int (*data)(void *ctx, const void *data, size_t len, bool final, bool binary);
    /* On the relay's thread, after the chunks of one read, before any
     * control frame after them reaches libwebsockets (a close, notably):
     * hand them on now. May be NULL. */
    void (*flush)(void *ctx);
    /* Polled often (at least every 50 ms, and after cfc_wsc_wake): return
     * non-zero to close the connection. May be NULL. */
    int (*should_stop)(void *ctx);
} cfc_wsc_callbacks;

typedef struct cfc_wsc_result {
    cfc_wsc_failure failure; /* CFC_WSC_OK once connected */
    int http_status;         /* the status line's code, for CFC_WSC_HTTP_STATUS */
    char detail[256];        /* more words, from libwebsockets or the resolver */
    bool established;
    bool deflate;             /* permessage-deflate was negotiated */
    bool peer_closed;         /* the peer sent a close frame first */
    bool self_closed;         /* we closed (the caller asked) */
    int close_code;           /* the peer's close code; 1005 when its close frame had
                                 none, 1006 when the connection ended with no close frame,
                                 1000 when we closed first (the code we sent) */
    char close_reason[128];   /* the peer's close reason (raw bytes, NUL-terminated) */
    size_t frame_remaining;   /* non-zero when the connection ended, or we started
                                 closing it, inside a data frame whose payload had
                                 not all come (maybe none of it: then no data
                                 callback showed the message): a message was
                                 arriving */
    char protocol_fault[200]; /* a WebSocket protocol violation by the server
                                 (RFC 6455), named, or "": an illegal close code
                                 on the wire, or a frame libwebsockets' parser
                                 rejected (reserved bits, reserved opcode, a
                                 continuation with nothing to continue, ...) */
} cfc_wsc_result;

typedef struct cfc_wsc cfc_wsc;

/* A client for opts->url (copied, as is everything in opts), or NULL with
 * *failure set (CFC_WSC_BAD_URL with `detail` saying why, CFC_WSC_NOMEM, or
 * CFC_WSC_OTHER when libwebsockets cannot start). detail may be NULL. */
cfc_wsc *cfc_wsc_new(const cfc_wsc_options *opts, cfc_wsc_failure *failure, char *detail,
                     size_t detail_len);
void cfc_wsc_free(cfc_wsc *c); /* NULL ok */

/* From any thread: should_stop is polled now, not at the next tick (a
 * stop decided on another thread, e.g. --count reached by the checking
 * thread, closes without waiting up to 50 ms). NULL ok. */
void cfc_wsc_wake(cfc_wsc *c);

/* Opens one connection and serves it until it ends: returns when the
 * connection failed to open, the peer closed it, it broke, or the caller's
 * close completed. *result says which. Returns 0, or -1 when the connection
 * could not even be attempted (result->failure says why). */
int cfc_wsc_run(cfc_wsc *c, const cfc_wsc_callbacks *cb, cfc_wsc_result *result);

/* The URL's parts, for messages: "ws" or "wss", the host, the port. */
const char *cfc_wsc_host(const cfc_wsc *c);
int cfc_wsc_port(const cfc_wsc *c);
bool cfc_wsc_tls(const cfc_wsc *c);

#endif
