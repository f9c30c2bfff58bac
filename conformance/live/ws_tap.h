/* SPDX-License-Identifier: MIT */
/*
 * Internal: a relay between `watch`'s WebSocket client and a ws:// server
 * that reads every server frame's header on the way (ws_scan.h), so the
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
 * wss:// is not relayed: the frames are inside TLS, out of the relay's
 * sight. There, libwebsockets' own checks apply (ws_client.c), and a masked
 * server frame cannot be seen.
 */
#ifndef CFC_WS_TAP_H
#define CFC_WS_TAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cfc_wstap cfc_wstap;

/* Connects to host:port (each of its addresses in turn) within timeout_ms,
 * polling should_stop(ctx) (may be NULL) every 50 ms, then starts the
 * relay. Returns NULL with *err set: an errno (ECONNREFUSED, ETIMEDOUT for
 * the timeout, EINTR when should_stop said so, ...), or -1 when the name
 * does not resolve. Free with cfc_wstap_close. */
cfc_wstap *cfc_wstap_open(const char *host, int port, unsigned timeout_ms,
                          int (*should_stop)(void *ctx), void *ctx, int *err);

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
