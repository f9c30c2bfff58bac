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
 * it copies: the headers only, the payload is skipped, so the cost is one
 * more copy through the kernel per read.
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

typedef struct cfc_wstap_result {
    char fault[160];    /* the server's protocol fault, named, or "" */
    int close_code;     /* for an illegal close code, the code; else 0 */
    bool sent_close;    /* the relay sent the server a close frame (1002) */
    bool client_closed; /* the client had already sent its close frame */
} cfc_wstap_result;

/* Waits for the relay to finish (the client's connection has ended; the
 * server gets up to half a second to end its side), fills *r (may be NULL)
 * and frees everything. NULL is a no-op. */
void cfc_wstap_close(cfc_wstap *t, cfc_wstap_result *r);

#endif
