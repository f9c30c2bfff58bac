/* SPDX-License-Identifier: MIT */
/*
 * Internal: a relay between `watch`'s WebSocket client and a ws:// or wss://
 * server that reads every server frame's header on the way (ws_scan.h), so the
 * protocol faults libwebsockets 4.1 lets through or hides (a masked server
 * frame, an illegal close code on the wire) are seen and named.
 *
 * The relay connects to the server itself (so a refused or unreachable
 * server is told apart from the start), then waits on an abstract Unix
 * socket for the client, which libwebsockets reaches as "+@NAME" (the Host
 * header still names the server); it accepts only a peer of this process
 * (SO_PEERCRED). A thread copies both ways, 64 KiB at a time, and scans what
 * it copies.
 *
 * Data frames do not go to the client: the relay takes their payloads out
 * of the server's stream (cfc_wsscan_split: a slice of the buffer, no work
 * per byte) and hands them to o->data with their message's end and opcode;
 * libwebsockets gets only the HTTP answer and the control frames, so it
 * still does the handshake, answers pings, and closes. Why: libwebsockets
 * 4.1 parses a payload one byte at a time (measured: 60% of watch's
 * instructions, about 82 per byte), while the relay already read every
 * header. Ordering: the data before a control frame is handed over, and
 * o->flush called, before that frame is forwarded, so all data reached the
 * caller before libwebsockets sees a close. With permessage-deflate (RFC
 * 7692, negotiated in the 101 answer), the relay inflates each compressed
 * message (zlib, raw, one context for the connection, which is right with
 * or without context takeover) into a 16 KiB buffer handed over at each
 * fill, so a decompression bomb costs time, never memory; a message that
 * does not inflate is a protocol fault like the others.
 *
 * On a fault, the relay forwards everything before the faulty frame and
 * nothing from it on, ends the client's side (the client reads what came
 * before, then the end of the connection), and fails the WebSocket
 * connection as RFC 6455 7.1.7 says: a close frame with 1002 (protocol
 * error) to the server, unless the client already sent its close frame,
 * then the TCP connection's end.
 *
 * wss://: the relay is the TLS client (OpenSSL), and libwebsockets speaks
 * plain WebSocket to it, so the same scanner reads the decrypted frames.
 * Why not libwebsockets' own TLS: it gives no frame-level view, so inside
 * TLS a masked server frame would be delivered silently (a false pass) and
 * an illegal close code seen only as the 1002 it rewrites it to. The TLS
 * client does what libwebsockets 4.1 did for `watch`: the system's trust
 * store (OpenSSL's default paths: /etc/ssl/certs, or SSL_CERT_FILE /
 * SSL_CERT_DIR), the URL's host checked against the certificate, SNI for a
 * host name (never for an IP address, RFC 6066 3), ALPN "http/1.1"; with
 * `insecure`, a self-signed, untrusted, expired or not yet valid
 * certificate and any host name are accepted. The handshake is done in
 * cfc_wstap_open, so its failure is reported before libwebsockets starts.
 */
#ifndef CFC_WS_TAP_H
#define CFC_WS_TAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cfc_wstap cfc_wstap;

typedef struct cfc_wstap_options {
    const char *host; /* a name or an address, without brackets */
    int port;
    unsigned timeout_ms;           /* for the TCP connection and the TLS handshake together */
    int (*should_stop)(void *ctx); /* polled every 50 ms while connecting; may be NULL */
    void *ctx;
    bool tls;      /* wss:// */
    bool insecure; /* TLS: accept any certificate (watch --insecure) */
    /* On the relay's thread: each data payload slice, in order, inflated
     * when compressed; `final` ends the message, `binary` is its opcode.
     * Non-zero: deliver nothing more (cfc_wstap_stop). */
    int (*data)(void *data_ctx, const void *p, size_t n, bool final, bool binary);
    /* On the relay's thread, after each read's slices and before anything
     * after them is forwarded to the client. May be NULL. */
    void (*flush)(void *data_ctx);
    void *data_ctx;
} cfc_wstap_options;

/* *err values besides an errno. */
#define CFC_WSTAP_ERR_DNS (-1)         /* the host does not resolve */
#define CFC_WSTAP_ERR_TLS (-2)         /* the TLS handshake failed: detail says why */
#define CFC_WSTAP_ERR_TLS_TIMEOUT (-3) /* no TLS handshake within timeout_ms */

/* Connects to host:port (each of its addresses in turn), with TLS for
 * o->tls, within o->timeout_ms, then starts the relay. Returns NULL with
 * *err set: an errno (ECONNREFUSED, ETIMEDOUT for the timeout, EINTR when
 * should_stop said so, ...) or a CFC_WSTAP_ERR_*, and for a TLS failure
 * its reason in detail (certificate verify failed: ..., or OpenSSL's
 * reason). Free with cfc_wstap_close. */
cfc_wstap *cfc_wstap_open(const cfc_wstap_options *o, int *err, char *detail, size_t detail_len);

/* The address the client is to connect to: "+@cfconform-tap-..." (the
 * form libwebsockets takes for an abstract Unix socket). */
const char *cfc_wstap_address(const cfc_wstap *t);

/* From any thread: deliver no data after the message arriving now, if
 * any (the caller stops: a signal, a timeout). Control frames still go to
 * the client, so its close handshake completes. */
void cfc_wstap_stop(cfc_wstap *t);

typedef struct cfc_wstap_result {
    char fault[160];    /* the server's protocol fault, named, or "" */
    int close_code;     /* for an illegal close code, the code; else 0 */
    bool sent_close;    /* the relay sent the server a close frame (1002) */
    bool client_closed; /* the client had already sent its close frame */
    bool data_cut;      /* the connection ended while a message was arriving
                           (begun and not ended; after its first frame's
                           header, maybe before any of its payload) */
} cfc_wstap_result;

/* Waits for the relay to finish (the client's connection has ended; the
 * server gets up to half a second to end its side), fills *r (may be NULL)
 * and frees everything. NULL is a no-op. */
void cfc_wstap_close(cfc_wstap *t, cfc_wstap_result *r);

#endif
