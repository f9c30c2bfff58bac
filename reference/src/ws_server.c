/* SPDX-License-Identifier: MIT */
/* The reference connection manager over libwebsockets: see cfc/ws_server.h. */
#define _POSIX_C_SOURCE 200809L
#include "cfc/ws_server.h"

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* What one writeable callback sends a client: up to this many messages and
 * TX_BATCH_BYTES of frames, in one send() (see frame_batch). */
#define WRITES_PER_CALLBACK 1024
#define TX_BATCH_BYTES ((size_t)1 << 16)
#define FRAME_HEADER_MAX 10
/* A producer waiting for room in a client's queue looks again this often,
 * for a client that reads slower than it is woken for (see WRITEABLE). */
#define ROOM_POLL_S 0.02
#define SUBSCRIBE_MAX 4096
/* Events of up to SPARE_LEN bytes live in blocks of a multiple of
 * SPARE_STEP bytes, which go back to a list of spares of their size when
 * every client has written them, and are taken from it again (at most
 * SPARE_MAX kept: 2 MiB at worst). With malloc and free alone, the producer
 * allocated each event and the service thread freed it, glibc gave the
 * heap's top back to the kernel, and the producer faulted it in again page
 * by page: page faults were most of a broadcast's cost. */
#define SPARE_STEP 64
#define SPARE_LEN 512
#define SPARE_CLASSES (SPARE_LEN / SPARE_STEP)
#define SPARE_MAX 4096

/* One event, shared by every client queue that holds it. */
typedef struct msg {
    size_t refs; /* under the server's lock */
    size_t len;
    struct msg *next_spare; /* in the spare list */
    unsigned char buf[];    /* LWS_PRE bytes of room, then the event */
} msg;

/* A connection's state: one field, read and changed only under the
 * server's lock, so the close code a client receives is the decision taken
 * for it and no interleaving of the producer's thread (which drops clients
 * and starts the final close) and the service thread (which writes, with the
 * lock released around each lws_write) can mix two decisions. Transitions:
 *
 *     OPEN -> KICKED    cfc_ws_server_broadcast: too far behind (1008)
 *     OPEN -> CLOSING   cfc_ws_server_close_all: drain, then the server's code
 *     any  -> CLOSED    LWS_CALLBACK_CLOSED (the client leaves the list)
 *
 * KICKED is final: a client dropped before the close-all still gets 1008. */
typedef enum conn_state { CONN_OPEN, CONN_KICKED, CONN_CLOSING, CONN_CLOSED } conn_state;

typedef struct client {
    struct lws *wsi;
    struct client *next;
    char peer[64];
    int64_t project; /* with subscribed: the only project it gets */
    bool subscribed;
    conn_state state;
    double connected_at;
    msg **queue; /* ring of queue_max */
    size_t head, count;
    size_t writing; /* taken off the queue, being written (lock released) */
    char *rx;       /* a client message being received */
    size_t rx_len;
    bool rx_skip; /* it is too long: ignored */
} client;

struct cfc_ws_server {
    struct lws_context *ctx;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock;
    client *clients;
    size_t queue_max;
    double stall_s;      /* how long a broadcast waits for a full queue; 0: never */
    pthread_cond_t room; /* signalled when a waited-for queue may have room */
    size_t waiters;      /* broadcasts waiting on `room` (0 or 1: one producer) */
    double ready_s;
    cfc_log_fn log;
    void *log_ctx;
    int port;
    atomic_int stop;   /* the service thread ends */
    bool wake_pending; /* a lws_cancel_service is on its way */
    bool closing;
    int close_code;
    char close_reason[124];
    cfc_ws_server_stats stats;
    msg *spares[SPARE_CLASSES]; /* by size (spare_class), under the lock */
    size_t n_spares;
    /* The service thread's own: a batch of frames being written (LWS_PRE +
     * TX_BATCH_BYTES), and the messages it holds meanwhile. */
    unsigned char *tx;
    msg *batch[WRITES_PER_CALLBACK];
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void logf_(cfc_ws_server *s, cfc_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void logf_(cfc_ws_server *s, cfc_log_level level, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    s->log(s->log_ctx, level, line);
}

/* The spare list of a block for `len` bytes (len <= SPARE_LEN). */
static size_t spare_class(size_t len)
{
    return len ? (len - 1) / SPARE_STEP : 0;
}

/* A message with room for `len` bytes: a spare block if one fits. Takes
 * the lock for the spare list: called without it. */
static msg *msg_new(cfc_ws_server *s, size_t len)
{
    msg *m = NULL;
    if (len <= SPARE_LEN) {
        size_t k = spare_class(len);
        pthread_mutex_lock(&s->lock);
        m = s->spares[k];
        if (m) {
            s->spares[k] = m->next_spare;
            s->n_spares--;
        }
        pthread_mutex_unlock(&s->lock);
        if (m == NULL)
            m = malloc(sizeof *m + LWS_PRE + (k + 1) * SPARE_STEP);
    } else {
        m = malloc(sizeof *m + LWS_PRE + len);
    }
    if (m) {
        m->refs = 0;
        m->len = len;
    }
    return m;
}

/* Under the lock: a message nobody holds any more. */
static void msg_release(cfc_ws_server *s, msg *m)
{
    if (m->len <= SPARE_LEN && s->n_spares < SPARE_MAX) {
        size_t k = spare_class(m->len);
        m->next_spare = s->spares[k];
        s->spares[k] = m;
        s->n_spares++;
    } else {
        free(m);
    }
}

/* Under the lock. */
static void msg_unref(cfc_ws_server *s, msg *m)
{
    if (m && --m->refs == 0)
        msg_release(s, m);
}

/* Under the lock. */
static void queue_clear(cfc_ws_server *s, client *c)
{
    while (c->count) {
        msg_unref(s, c->queue[c->head]);
        c->queue[c->head] = NULL;
        c->head = (c->head + 1) % s->queue_max;
        c->count--;
    }
    c->head = 0;
}

/* Under the lock: ask the service thread to look at the clients. */
static void wake(cfc_ws_server *s)
{
    if (!s->wake_pending) {
        s->wake_pending = true;
        lws_cancel_service(s->ctx);
    }
}

/* A subscribe message: {"type":"subscribe","project_id":N}. */
static void on_client_message(cfc_ws_server *s, client *c, const char *text, size_t len)
{
    cJSON *j = cJSON_ParseWithLength(text, len);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
    const cJSON *project = cJSON_GetObjectItemCaseSensitive(j, "project_id");
    if (cJSON_IsString(type) && strcmp(type->valuestring, "subscribe") == 0 &&
        cJSON_IsNumber(project) && project->valuedouble >= 1 &&
        project->valuedouble <= (double)CFC_MAX_SAFE_INTEGER &&
        project->valuedouble == (double)(int64_t)project->valuedouble) {
        pthread_mutex_lock(&s->lock);
        c->project = (int64_t)project->valuedouble;
        c->subscribed = true;
        pthread_mutex_unlock(&s->lock);
        logf_(s, CFC_LOG_INFO, "client %s subscribed to project %lld", c->peer,
              (long long)c->project);
    } else {
        logf_(s, CFC_LOG_WARNING,
              "client %s sent a message that is not {\"type\":\"subscribe\",\"project_id\":N}; "
              "ignored",
              c->peer);
    }
    cJSON_Delete(j);
}

/* "address:port": the port tells apart the clients of one host in the log
 * (a test matches each of its connections to the server's decision). */
static void peer_name(struct lws *wsi, char *out, size_t len)
{
    struct sockaddr_storage a;
    socklen_t al = sizeof a;
    int fd = (int)lws_get_socket_fd(wsi);
    char host[48];
    if (fd >= 0 && getpeername(fd, (struct sockaddr *)&a, &al) == 0 &&
        getnameinfo((struct sockaddr *)&a, al, host, sizeof host, NULL, 0, NI_NUMERICHOST) == 0) {
        int port = a.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&a)->sin6_port)
                                           : ntohs(((struct sockaddr_in *)&a)->sin_port);
        snprintf(out, len, a.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", host, port);
    } else if (lws_get_peer_simple(wsi, out, len) == NULL) {
        snprintf(out, len, "?");
    }
}

/* Frames `nb` messages as unmasked, unfragmented text frames (RFC 6455
 * 5.2: FIN and opcode 1, then a 7-, 16- or 64-bit length), one after the
 * other in `out` (room for TX_BATCH_BYTES, or one message's frame), and
 * returns their length. libwebsockets 4.1 writes one frame per lws_write,
 * so one send() per event, which made the server slower than any of its
 * readers; a batch written as LWS_WRITE_HTTP (bytes passed on unframed)
 * goes out in one send(). These are the bytes libwebsockets writes for
 * each frame: the server negotiates no extension, so nothing else is in a
 * frame. */
static size_t frame_batch(unsigned char *out, msg *const *batch, size_t nb)
{
    size_t at = 0;
    for (size_t i = 0; i < nb; i++) {
        size_t len = batch[i]->len;
        out[at++] = 0x81;
        if (len < 126) {
            out[at++] = (unsigned char)len;
        } else if (len <= 0xffff) {
            out[at++] = 126;
            out[at++] = (unsigned char)(len >> 8);
            out[at++] = (unsigned char)len;
        } else {
            out[at++] = 127;
            for (int b = 7; b >= 0; b--)
                out[at++] = (unsigned char)((uint64_t)len >> (8 * b));
        }
        memcpy(out + at, batch[i]->buf + LWS_PRE, len);
        at += len;
    }
    return at;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct lws_context *ctx = lws_get_context(wsi);
    cfc_ws_server *s = ctx ? lws_context_user(ctx) : NULL;
    client **slot = user;
    if (s == NULL)
        return lws_callback_http_dummy(wsi, reason, user, in, len);

    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED: {
        client *c = calloc(1, sizeof *c);
        msg **q = calloc(s->queue_max, sizeof *q);
        if (c == NULL || q == NULL) {
            free(c);
            free(q);
            logf_(s, CFC_LOG_ERROR, "out of memory accepting a client");
            return -1;
        }
        c->wsi = wsi;
        c->queue = q;
        c->connected_at = mono_s();
        peer_name(wsi, c->peer, sizeof c->peer);
        pthread_mutex_lock(&s->lock);
        bool refuse = s->closing;
        if (!refuse) {
            c->next = s->clients;
            s->clients = c;
            s->stats.clients++;
            s->stats.connected++;
        }
        pthread_mutex_unlock(&s->lock);
        if (refuse) {
            free(c->queue);
            free(c);
            lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"closing", 7);
            return -1;
        }
        *slot = c;
        logf_(s, CFC_LOG_INFO, "client %s connected", c->peer);
        return 0;
    }

    case LWS_CALLBACK_RECEIVE: {
        client *c = *slot;
        if (c == NULL)
            return 0;
        if (!c->rx_skip) {
            if (c->rx_len + len > SUBSCRIBE_MAX) {
                c->rx_skip = true;
            } else {
                char *q = realloc(c->rx, c->rx_len + len + 1);
                if (q == NULL) {
                    c->rx_skip = true;
                } else {
                    c->rx = q;
                    if (len)
                        memcpy(c->rx + c->rx_len, in, len);
                    c->rx_len += len;
                }
            }
        }
        if (lws_is_final_fragment(wsi)) {
            if (c->rx_skip || lws_frame_is_binary(wsi))
                logf_(s, CFC_LOG_WARNING, "client %s sent a binary or oversized message; ignored",
                      c->peer);
            else
                on_client_message(s, c, c->rx ? c->rx : "", c->rx_len);
            free(c->rx);
            c->rx = NULL;
            c->rx_len = 0;
            c->rx_skip = false;
        }
        return 0;
    }

    case LWS_CALLBACK_SERVER_WRITEABLE: {
        client *c = *slot;
        if (c == NULL)
            return 0;
        pthread_mutex_lock(&s->lock);
        if (c->state == CONN_KICKED) {
            pthread_mutex_unlock(&s->lock);
            static const char why[] = "too far behind";
            lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
                             (unsigned char *)(uintptr_t)why, sizeof why - 1);
            return -1;
        }
        /* A batch of messages, taken under the lock, written without it. */
        size_t nb = 0, bytes = 0;
        while (nb < WRITES_PER_CALLBACK && c->count) {
            msg *m = c->queue[c->head];
            if (nb > 0 && bytes + FRAME_HEADER_MAX + m->len > TX_BATCH_BYTES)
                break;
            c->queue[c->head] = NULL;
            c->head = (c->head + 1) % s->queue_max;
            c->count--;
            s->batch[nb++] = m;
            bytes += FRAME_HEADER_MAX + m->len;
        }
        c->writing = nb;
        /* A waiting producer is woken once half the queue is free, not per
         * batch: each wake is a context switch, and on a busy machine a wait
         * for a CPU too; the producer also looks every ROOM_POLL_S. */
        if (nb && s->waiters && c->count <= s->queue_max / 2)
            pthread_cond_broadcast(&s->room);
        pthread_mutex_unlock(&s->lock);
        if (nb > 1 && s->tx == NULL)
            s->tx = malloc(LWS_PRE + TX_BATCH_BYTES);
        int rc = 0;
        if (nb > 1 && s->tx) {
            size_t want = frame_batch(s->tx + LWS_PRE, s->batch, nb);
            if (lws_write(wsi, s->tx + LWS_PRE, want, LWS_WRITE_HTTP) < (int)want)
                rc = -1;
        } else {
            /* One message (a large one, or all there is; or no memory for a
             * batch): libwebsockets frames each in its LWS_PRE room. The
             * service thread is the only writer, so the room of a shared
             * message is never written by two threads at once (and every
             * client gets the same header anyway). */
            for (size_t i = 0; i < nb && rc == 0; i++) {
                size_t want = s->batch[i]->len;
                if (lws_write(wsi, s->batch[i]->buf + LWS_PRE, want, LWS_WRITE_TEXT) < (int)want)
                    rc = -1;
            }
        }
        pthread_mutex_lock(&s->lock);
        for (size_t i = 0; i < nb; i++)
            msg_unref(s, s->batch[i]);
        c->writing = 0;
        if (rc != 0) {
            pthread_mutex_unlock(&s->lock);
            return -1;
        }
        s->stats.sent += nb;
        /* The lock was released around each write: the state may have
         * changed meanwhile, and it alone decides the close code. */
        conn_state st = c->state;
        bool more = st != CONN_KICKED && c->count > 0;
        int code = st == CONN_KICKED ? LWS_CLOSE_STATUS_POLICY_VIOLATION : s->close_code;
        char why[sizeof s->close_reason];
        snprintf(why, sizeof why, "%s", st == CONN_KICKED ? "too far behind" : s->close_reason);
        pthread_mutex_unlock(&s->lock);
        if (more) {
            lws_callback_on_writable(wsi);
        } else if (st == CONN_KICKED || st == CONN_CLOSING) {
            lws_close_reason(wsi, (enum lws_close_status)code, (unsigned char *)why, strlen(why));
            return -1;
        }
        return 0;
    }

    case LWS_CALLBACK_CLOSED: {
        client *c = *slot;
        if (c == NULL)
            return 0;
        *slot = NULL;
        pthread_mutex_lock(&s->lock);
        for (client **p = &s->clients; *p; p = &(*p)->next) {
            if (*p == c) {
                *p = c->next;
                break;
            }
        }
        s->stats.clients--;
        c->state = CONN_CLOSED;
        queue_clear(s, c);
        if (s->waiters)
            pthread_cond_broadcast(&s->room);
        pthread_mutex_unlock(&s->lock);
        logf_(s, CFC_LOG_INFO, "client %s disconnected", c->peer);
        free(c->queue);
        free(c->rx);
        free(c);
        return 0;
    }

    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        pthread_mutex_lock(&s->lock);
        s->wake_pending = false;
        for (client *c = s->clients; c; c = c->next) {
            if (c->count || c->state != CONN_OPEN)
                lws_callback_on_writable(c->wsi);
        }
        pthread_mutex_unlock(&s->lock);
        return 0;

    default: break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* rx: a subscribe message is small. tx: libwebsockets sends at most
 * tx_packet_size bytes per send() and copies the rest aside until the
 * socket takes it; a batch of frames goes in one. */
static const struct lws_protocols protocols[] = {
    {"cfc-events", callback, sizeof(client *), 4096, 0, NULL, TX_BATCH_BYTES},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void *service(void *arg)
{
    cfc_ws_server *s = arg;
    while (!s->stop) {
        if (lws_service(s->ctx, 0) < 0)
            break;
    }
    return NULL;
}

static void quiet_lws(int level, const char *line)
{
    (void)level;
    (void)line;
}

cfc_ws_server *cfc_ws_server_start(const cfc_ws_server_options *opts, char *err, size_t err_len)
{
    static const cfc_ws_server_options defaults = {0};
    if (opts == NULL)
        opts = &defaults;
    char dummy[8];
    if (err == NULL || err_len == 0) {
        err = dummy;
        err_len = sizeof dummy;
    }
    if (opts->port < 0 || opts->port > 65535) {
        snprintf(err, err_len, "port %d is not in 0..65535", opts->port);
        return NULL;
    }
    cfc_ws_server *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    pthread_condattr_t ca;
    bool cond_ok = pthread_condattr_init(&ca) == 0;
    cond_ok = cond_ok && pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&s->room, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!cond_ok || pthread_mutex_init(&s->lock, NULL) != 0) {
        if (cond_ok)
            pthread_cond_destroy(&s->room);
        free(s);
        snprintf(err, err_len, "cannot create a mutex");
        return NULL;
    }
    s->queue_max = opts->queue_max ? opts->queue_max : 4096;
    s->stall_s = opts->stall_ms / 1000.0;
    s->ready_s = (opts->ready_ms ? opts->ready_ms : 200) / 1000.0;
    s->log = opts->log ? opts->log : cfc_log_stderr;
    s->log_ctx = opts->log_ctx;

    lws_set_log_level(LLL_ERR, quiet_lws);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = opts->port;
    info.iface = opts->address ? opts->address : "127.0.0.1";
    info.protocols = protocols;
    info.user = s;
    info.gid = -1;
    info.uid = -1;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    s->ctx = lws_create_context(&info);
    if (s->ctx == NULL) {
        snprintf(err, err_len,
                 "cannot listen on %s port %d (in use, or not an address of "
                 "this machine)",
                 info.iface, opts->port);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->room);
        free(s);
        return NULL;
    }
    struct lws_vhost *vh = lws_get_vhost_by_name(s->ctx, "default");
    s->port = vh ? lws_get_vhost_listen_port(vh) : opts->port;
    if (pthread_create(&s->thread, NULL, service, s) != 0) {
        snprintf(err, err_len, "cannot start the server thread");
        lws_context_destroy(s->ctx);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->room);
        free(s);
        return NULL;
    }
    s->thread_started = true;
    logf_(s, CFC_LOG_INFO, "listening on ws://%s:%d/", info.iface, s->port);
    return s;
}

int cfc_ws_server_port(const cfc_ws_server *srv)
{
    return srv ? srv->port : -1;
}

void cfc_ws_server_manager(cfc_ws_server *srv, cfc_manager *manager)
{
    if (manager == NULL)
        return;
    manager->broadcast = cfc_ws_server_broadcast;
    manager->broadcast_ctx = srv;
}

/* Under the lock: the first client that would get this event and has no
 * room for it, or NULL. */
static client *first_full(cfc_ws_server *s, int64_t project_id)
{
    for (client *c = s->clients; c; c = c->next) {
        if (c->state == CONN_OPEN && (!c->subscribed || c->project == project_id) &&
            c->count == s->queue_max)
            return c;
    }
    return NULL;
}

static struct timespec abs_time(double mono)
{
    struct timespec ts = {(time_t)mono, (long)((mono - (double)(time_t)mono) * 1e9)};
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

int cfc_ws_server_broadcast(void *ctx, int64_t project_id, const char *json, size_t len)
{
    cfc_ws_server *s = ctx;
    if (s == NULL || (json == NULL && len > 0) || len > (size_t)INT32_MAX)
        return -1;
    msg *m = msg_new(s, len);
    if (m == NULL)
        return -1;
    if (len)
        memcpy(m->buf + LWS_PRE, json, len);

    char dropped[4][64];
    size_t n_dropped = 0, queued = 0, started = 0;
    pthread_mutex_lock(&s->lock);
    /* Pacing (opts->stall_ms): wait while a client that reads has no room.
     * The list is scanned afresh after each wait, as a client may have left
     * (and been freed) meanwhile; the wait ends at the deadline whatever
     * happens, so one client that never reads costs one stall, once. */
    if (s->stall_s > 0 && !s->closing && first_full(s, project_id)) {
        double deadline = mono_s() + s->stall_s;
        struct timespec until = abs_time(deadline);
        s->waiters++;
        while (!s->closing && first_full(s, project_id) && mono_s() < deadline) {
            wake(s); /* make sure the service thread is writing */
            double look = mono_s() + ROOM_POLL_S;
            struct timespec soon = abs_time(look);
            pthread_cond_timedwait(&s->room, &s->lock, look < deadline ? &soon : &until);
        }
        s->waiters--;
    }
    if (s->closing) {
        msg_release(s, m);
        pthread_mutex_unlock(&s->lock);
        return -1;
    }
    s->stats.broadcasts++;
    for (client *c = s->clients; c; c = c->next) {
        if (c->state != CONN_OPEN || (c->subscribed && c->project != project_id))
            continue;
        if (c->count == s->queue_max) {
            /* Too far behind (and, when pacing, no room within stall_ms):
             * drop it. The state says so from now on, whatever comes next. */
            c->state = CONN_KICKED;
            queue_clear(s, c);
            s->stats.dropped++;
            if (n_dropped < 4)
                snprintf(dropped[n_dropped], sizeof dropped[0], "%s", c->peer);
            n_dropped++;
            continue;
        }
        c->queue[(c->head + c->count) % s->queue_max] = m;
        started += c->count == 0;
        c->count++;
        m->refs++;
        queued++;
    }
    /* The service thread needs waking only for a queue that was empty: for
     * the others it has asked for a writeable callback already (it does
     * after each batch while the queue is not empty, under this lock). A
     * wake per event made it take turns with the producer, event by event. */
    if (started || n_dropped)
        wake(s);
    if (queued == 0)
        msg_release(s, m);
    size_t qmax = s->queue_max;
    pthread_mutex_unlock(&s->lock);
    for (size_t i = 0; i < n_dropped && i < 4; i++)
        logf_(s, CFC_LOG_WARNING,
              "client %s fell too far behind (%zu events queued): disconnecting it with close "
              "code 1008",
              dropped[i], qmax);
    if (n_dropped > 4)
        logf_(s, CFC_LOG_WARNING,
              "%zu more clients fell too far behind: disconnecting them with close code 1008",
              n_dropped - 4);
    return 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int cfc_ws_server_wait_clients(cfc_ws_server *srv, size_t n, int timeout_ms,
                               const volatile int *cancel)
{
    if (srv == NULL)
        return -1;
    double until = mono_s() + timeout_ms / 1000.0;
    for (;;) {
        size_t ready = 0;
        double now = mono_s();
        pthread_mutex_lock(&srv->lock);
        for (client *c = srv->clients; c; c = c->next)
            ready +=
                c->state == CONN_OPEN && (c->subscribed || now - c->connected_at >= srv->ready_s);
        pthread_mutex_unlock(&srv->lock);
        if (ready >= n)
            return 0;
        if ((timeout_ms >= 0 && now >= until) || (cancel && *cancel))
            return -1;
        sleep_ms(5);
    }
}

int cfc_ws_server_drain(cfc_ws_server *srv, int timeout_ms)
{
    if (srv == NULL)
        return -1;
    double until = mono_s() + timeout_ms / 1000.0;
    for (;;) {
        size_t queued = 0;
        pthread_mutex_lock(&srv->lock);
        for (client *c = srv->clients; c; c = c->next)
            queued += c->state == CONN_KICKED ? 0 : c->count + c->writing;
        pthread_mutex_unlock(&srv->lock);
        if (queued == 0)
            return 0;
        if (timeout_ms >= 0 && mono_s() >= until)
            return -1;
        sleep_ms(1);
    }
}

int cfc_ws_server_close_all(cfc_ws_server *srv, int code, const char *reason, int timeout_ms)
{
    if (srv == NULL)
        return -1;
    pthread_mutex_lock(&srv->lock);
    srv->closing = true;
    srv->close_code = code >= 1000 && code <= 4999 ? code : 1000;
    snprintf(srv->close_reason, sizeof srv->close_reason, "%s", reason ? reason : "");
    for (client *c = srv->clients; c; c = c->next) {
        if (c->state == CONN_OPEN)
            c->state = CONN_CLOSING; /* a KICKED one keeps its 1008 */
    }
    if (srv->clients)
        wake(srv);
    if (srv->waiters)
        pthread_cond_broadcast(&srv->room);
    pthread_mutex_unlock(&srv->lock);
    double until = mono_s() + timeout_ms / 1000.0;
    for (;;) {
        pthread_mutex_lock(&srv->lock);
        size_t left = srv->stats.clients;
        pthread_mutex_unlock(&srv->lock);
        if (left == 0)
            return 0;
        if (timeout_ms >= 0 && mono_s() >= until)
            return -1;
        sleep_ms(2);
    }
}

void cfc_ws_server_get_stats(cfc_ws_server *srv, cfc_ws_server_stats *out)
{
    if (srv == NULL || out == NULL)
        return;
    pthread_mutex_lock(&srv->lock);
    *out = srv->stats;
    pthread_mutex_unlock(&srv->lock);
}

void cfc_ws_server_free(cfc_ws_server *srv)
{
    if (srv == NULL)
        return;
    if (srv->thread_started) {
        srv->stop = 1;
        lws_cancel_service(srv->ctx);
        pthread_join(srv->thread, NULL);
    }
    /* Closes what is still open; LWS_CALLBACK_CLOSED frees each client. */
    lws_context_destroy(srv->ctx);
    pthread_mutex_lock(&srv->lock);
    while (srv->clients) {
        client *c = srv->clients;
        srv->clients = c->next;
        queue_clear(srv, c);
        free(c->queue);
        free(c->rx);
        free(c);
    }
    for (size_t k = 0; k < SPARE_CLASSES; k++) {
        while (srv->spares[k]) {
            msg *m = srv->spares[k];
            srv->spares[k] = m->next_spare;
            free(m);
        }
    }
    pthread_mutex_unlock(&srv->lock);
    pthread_mutex_destroy(&srv->lock);
    pthread_cond_destroy(&srv->room);
    free(srv->tx);
    free(srv);
}
