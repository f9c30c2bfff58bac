/* SPDX-License-Identifier: MIT */
/*
 * The reference producer over a real WebSocket: a connection manager backed
 * by a libwebsockets server (CMake target cfc_reference_ws; it needs
 * libwebsockets, cfc_reference does not).
 *
 *     char err[256];
 *     cfc_ws_server *srv = cfc_ws_server_start(&(cfc_ws_server_options){.port = 8080},
 *                                              err, sizeof err);
 *     if (srv == NULL) ... err says why ...
 *     cfc_manager m = {0};
 *     cfc_ws_server_manager(srv, &m);          broadcast = this server
 *     cfc_broadcast_agent_created(&m, 1, "backend-worker-001", "backend", 0);
 *     cfc_ws_server_close_all(srv, 1000, "done", 5000);
 *     cfc_ws_server_free(srv);
 *
 * Each event goes to every connected client, or, for a client that sent
 * {"type":"subscribe","project_id":N}, only when the event's project is N
 * (the producer this contract comes from scopes broadcasts per project).
 *
 * By default broadcasting never blocks on a client: the event is copied
 * once, queued for each client (a bounded queue per client) and written by
 * the server's own thread as each socket can take it. A client whose queue
 * is full has fallen too far behind: its queue is dropped, it is
 * disconnected with close code 1008 ("policy violation") and the reason "too
 * far behind", and that is logged at WARNING. An event broadcast while no
 * client is connected reaches no one, as with the Python producer.
 *
 * A producer that would rather go at its clients' pace (a demo, a replay)
 * sets opts->stall_ms: a broadcast that finds a client's queue full then
 * waits up to that long for room, so a client that reads, however slowly,
 * paces the producer and is never dropped; one that takes nothing for
 * stall_ms is dropped as above (once: it stalls the producer once).
 *
 * The close code a client receives is always the decision logged for it: a
 * client dropped with 1008 gets 1008 even when cfc_ws_server_close_all
 * starts while its last events are being written (one state per
 * connection, changed under one lock: see ws_server.c).
 *
 * Threads: the server runs libwebsockets on a thread of its own, started by
 * cfc_ws_server_start and joined by cfc_ws_server_free. Every other function
 * may be called from any one thread at a time (the producer's). The logger
 * is called from both threads, so it must be thread-safe (cfc_log_stderr is).
 */
#ifndef CFC_WS_SERVER_H
#define CFC_WS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "cfc/reference.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cfc_ws_server_options {
    const char *address; /* IP address to listen on; NULL: "127.0.0.1" */
    int port;            /* 0: an ephemeral port (see cfc_ws_server_port) */
    size_t queue_max;    /* events queued per client before it is dropped; 0: 4096 */
    unsigned stall_ms;   /* a broadcast waits up to this long for room in a full
                            client queue before dropping that client; 0: never
                            waits (drops at once) */
    unsigned ready_ms;   /* a client without a subscribe message counts as ready
                            (cfc_ws_server_wait_clients) this long after connecting;
                            0: 200 ms */
    cfc_log_fn log;      /* NULL: cfc_log_stderr */
    void *log_ctx;
} cfc_ws_server_options;

typedef struct cfc_ws_server cfc_ws_server;

/* Starts listening and serving, or returns NULL with a one-line reason in
 * err (err may be NULL): the address is in use, out of memory, ... Free with
 * cfc_ws_server_free. */
cfc_ws_server *cfc_ws_server_start(const cfc_ws_server_options *opts, char *err, size_t err_len);

/* The port listened on (the kernel's choice when opts->port was 0). */
int cfc_ws_server_port(const cfc_ws_server *srv);

/* Points manager->broadcast at this server; leaves its logger and clock. */
void cfc_ws_server_manager(cfc_ws_server *srv, cfc_manager *manager);

/* The broadcast callback itself (ctx is the server): queues `len` bytes for
 * every client the event's project reaches (waiting up to opts->stall_ms for
 * room, see above). Returns 0, or -1 when out of memory or the server is
 * closing (nothing is queued then). */
int cfc_ws_server_broadcast(void *srv, int64_t project_id, const char *json, size_t len);

/* Waits until at least n clients are ready: subscribed, or connected for
 * opts->ready_ms. Returns 0, or -1 after timeout_ms (negative: no limit), or
 * when *cancel (may be NULL) becomes non-zero. */
int cfc_ws_server_wait_clients(cfc_ws_server *srv, size_t n, int timeout_ms,
                               const volatile int *cancel);

/* Waits until every client's queue is empty and its last batch written
 * (handed to the kernel, and counted in the stats' `sent`). Returns 0, or
 * -1 after timeout_ms (negative: no limit). */
int cfc_ws_server_drain(cfc_ws_server *srv, int timeout_ms);

/* Sends each client what is queued for it, then a close frame with `code`
 * and `reason` (at most 123 bytes); waits up to timeout_ms for all of them
 * to go. New clients are refused from then on. Returns 0 when all went, -1
 * otherwise (cfc_ws_server_free cuts the rest). */
int cfc_ws_server_close_all(cfc_ws_server *srv, int code, const char *reason, int timeout_ms);

typedef struct cfc_ws_server_stats {
    size_t clients;      /* connected now */
    size_t connected;    /* connections accepted so far */
    size_t dropped;      /* clients disconnected for falling behind */
    uint64_t broadcasts; /* events broadcast */
    uint64_t sent;       /* messages written to clients */
} cfc_ws_server_stats;

void cfc_ws_server_get_stats(cfc_ws_server *srv, cfc_ws_server_stats *out);

/* Stops the thread and closes every connection still open (abruptly if
 * cfc_ws_server_close_all was not called). NULL is a no-op. */
void cfc_ws_server_free(cfc_ws_server *srv);

#ifdef __cplusplus
}
#endif

#endif
