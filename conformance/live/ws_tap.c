/* SPDX-License-Identifier: MIT */
/* The relay that reads the server's frame headers on the way (ws_tap.h). */
#define _GNU_SOURCE /* accept4, pipe2, struct ucred */
#include "ws_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ws_scan.h"

#define RELAY_BYTES ((size_t)1 << 16)
/* How long the server gets to end its side once ours has ended. */
#define DRAIN_MS 500

struct cfc_wstap {
    int server, listener, client;
    int wake[2]; /* written by cfc_wstap_close: stop waiting */
    pthread_t thread;
    bool started;
    char address[sizeof(((struct sockaddr_un *)0)->sun_path) + 2]; /* "+@name" */
    cfc_wsscan down;                                               /* server -> client, checked */
    cfc_wsscan up;                                                 /* client -> server, followed */
    cfc_wstap_result res;
    unsigned char buf[RELAY_BYTES];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* RFC 6455 7.1.7, Fail the WebSocket Connection: a close frame with 1002.
 * A client's frames are masked (5.3); this one with a key that is not
 * predictable across runs is enough: the mask protects proxies, not us. */
static void send_close_1002(cfc_wstap *t)
{
    static const char reason[] = "protocol error";
    unsigned char f[2 + 4 + 2 + sizeof reason - 1];
    uint32_t key = (uint32_t)now_ms() * 2654435761u ^ (uint32_t)getpid();
    f[0] = 0x88;
    f[1] = 0x80 | (unsigned char)(2 + sizeof reason - 1);
    memcpy(f + 2, &key, 4);
    f[6] = 1002 >> 8;
    f[7] = 1002 & 0xff;
    memcpy(f + 8, reason, sizeof reason - 1);
    for (size_t i = 0; i < 2 + sizeof reason - 1; i++)
        f[6 + i] ^= f[2 + i % 4];
    if (send_all(t->server, f, sizeof f) == 0)
        t->res.sent_close = true;
}

/* After a fault: once the client's stream is between frames, our close
 * frame goes in (unless the client closed already), then our side ends. */
static void fail_connection(cfc_wstap *t, bool *up_done)
{
    if (*up_done || !cfc_wsscan_at_boundary(&t->up))
        return;
    t->res.client_closed = t->up.close_seen;
    if (!t->up.close_seen)
        send_close_1002(t);
    shutdown(t->server, SHUT_WR);
    *up_done = true;
}

/* Waits for the client; only a peer of this very process is relayed to. */
static int accept_client(cfc_wstap *t)
{
    struct pollfd pf[2] = {{t->listener, POLLIN, 0}, {t->wake[0], POLLIN, 0}};
    for (;;) {
        if (poll(pf, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (pf[1].revents)
            return -1;
        int fd = accept4(t->listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        struct ucred cred;
        socklen_t sl = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) == 0 && cred.pid == getpid()) {
            t->client = fd;
            return 0;
        }
        close(fd);
    }
}

static void *relay(void *arg)
{
    cfc_wstap *t = arg;
    if (accept_client(t) != 0)
        return NULL;
    close(t->listener);
    t->listener = -1;

    bool down_done = false; /* nothing more is read from the server */
    bool up_done = false;   /* nothing more is forwarded to the server */
    bool client_gone = false;
    bool faulted = false;
    int64_t deadline = -1;
    unsigned char up_buf[4096];
    while (!(down_done && client_gone)) {
        /* A negative fd is left out of the poll, hang-ups and errors too. */
        struct pollfd pf[3] = {{down_done ? -1 : t->server, POLLIN, 0},
                               {client_gone ? -1 : t->client, POLLIN, 0},
                               {deadline < 0 ? t->wake[0] : -1, POLLIN, 0}};
        int timeout = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            if (left <= 0)
                break;
            timeout = (int)left;
        }
        if (poll(pf, 3, timeout) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pf[2].revents && deadline < 0)
            deadline = now_ms() + DRAIN_MS;
        if (pf[0].revents) {
            ssize_t n = recv(t->server, t->buf, sizeof t->buf, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                /* The server's end: the client sees it after all the rest. */
                down_done = true;
                shutdown(t->client, SHUT_WR);
            } else if (!faulted) {
                size_t ok = cfc_wsscan_feed(&t->down, t->buf, (size_t)n);
                if (ok > 0 && !client_gone && send_all(t->client, t->buf, ok) != 0)
                    client_gone = true;
                if (t->down.phase == CFC_WSSCAN_FAULT) {
                    faulted = true;
                    snprintf(t->res.fault, sizeof t->res.fault, "%s", t->down.fault);
                    t->res.close_code = t->down.close_code;
                    shutdown(t->client, SHUT_WR);
                    fail_connection(t, &up_done);
                    if (deadline < 0)
                        deadline = now_ms() + 2 * DRAIN_MS;
                }
            } /* after a fault: read and dropped, until the server's end */
        }
        if (pf[1].revents && !client_gone) {
            ssize_t n = recv(t->client, up_buf, sizeof up_buf, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                client_gone = true;
                if (!up_done) {
                    if (faulted)
                        fail_connection(t, &up_done); /* at a boundary */
                    if (!up_done)
                        shutdown(t->server, SHUT_WR);
                    up_done = true;
                }
                if (deadline < 0)
                    deadline = now_ms() + DRAIN_MS;
            } else if (!up_done) {
                size_t k = (size_t)n;
                if (faulted) {
                    /* Up to the end of the frame in progress, then ours. */
                    k = 0;
                    while (k < (size_t)n && !cfc_wsscan_at_boundary(&t->up))
                        cfc_wsscan_feed(&t->up, up_buf + k++, 1);
                } else {
                    cfc_wsscan_feed(&t->up, up_buf, k);
                }
                if (send_all(t->server, up_buf, k) != 0) {
                    up_done = true;
                } else if (faulted) {
                    fail_connection(t, &up_done);
                }
            }
        }
    }
    return NULL;
}

static int connect_server(const char *host, int port, unsigned timeout_ms,
                          int (*should_stop)(void *), void *ctx, int *err)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(host, service, &hints, &ai) != 0 || ai == NULL) {
        *err = -1;
        return -1;
    }
    int64_t deadline = now_ms() + timeout_ms;
    int fd = -1;
    *err = ETIMEDOUT;
    for (const struct addrinfo *a = ai; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            *err = errno;
            continue;
        }
        int e = connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
        while (e == EINPROGRESS || e == EINTR) {
            struct pollfd pf = {fd, POLLOUT, 0};
            int64_t left = deadline - now_ms();
            if (left <= 0) {
                e = ETIMEDOUT;
                break;
            }
            if (should_stop && should_stop(ctx)) {
                e = EINTR;
                break;
            }
            int r = poll(&pf, 1, left < 50 ? (int)left : 50);
            if (r > 0) {
                socklen_t sl = sizeof e;
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) != 0)
                    e = errno;
            }
        }
        if (e != 0) {
            *err = e;
            close(fd);
            fd = -1;
            if (e == EINTR || e == ETIMEDOUT)
                break;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return -1;
    int one = 1;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *err = 0;
    return fd;
}

/* An abstract Unix socket (no file to clean up), named per process and per
 * connection. */
static int listen_local(cfc_wstap *t)
{
    static unsigned serial;
    t->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (t->listener < 0)
        return -1;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    int n = snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "cfconform-tap-%ld-%u-%lx",
                     (long)getpid(), serial++, (unsigned long)now_ms());
    snprintf(t->address, sizeof t->address, "+@%s", sa.sun_path + 1);
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
    if (bind(t->listener, (struct sockaddr *)&sa, len) != 0 || listen(t->listener, 4) != 0)
        return -1;
    return 0;
}

cfc_wstap *cfc_wstap_open(const char *host, int port, unsigned timeout_ms,
                          int (*should_stop)(void *ctx), void *ctx, int *err)
{
    cfc_wstap *t = calloc(1, sizeof *t);
    if (t == NULL) {
        *err = ENOMEM;
        return NULL;
    }
    t->server = t->listener = t->client = t->wake[0] = t->wake[1] = -1;
    cfc_wsscan_init(&t->down, CFC_WSSCAN_SERVER);
    cfc_wsscan_init(&t->up, CFC_WSSCAN_CLIENT);
    t->server = connect_server(host, port, timeout_ms, should_stop, ctx, err);
    if (t->server < 0) {
        cfc_wstap_close(t, NULL);
        return NULL;
    }
    if (listen_local(t) != 0 || pipe2(t->wake, O_CLOEXEC) != 0 ||
        pthread_create(&t->thread, NULL, relay, t) != 0) {
        *err = errno ? errno : ENOMEM;
        cfc_wstap_close(t, NULL);
        return NULL;
    }
    t->started = true;
    return t;
}

const char *cfc_wstap_address(const cfc_wstap *t)
{
    return t->address;
}

void cfc_wstap_close(cfc_wstap *t, cfc_wstap_result *r)
{
    if (t == NULL)
        return;
    if (t->started) {
        char c = 0;
        if (write(t->wake[1], &c, 1) < 0) {
            /* The pipe is ours and empty: it cannot fail; nothing to do if it did. */
        }
        pthread_join(t->thread, NULL);
    }
    if (r)
        *r = t->res;
    int fds[] = {t->server, t->listener, t->client, t->wake[0], t->wake[1]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
    }
    free(t);
}
