/* SPDX-License-Identifier: MIT */
/* The relay that reads the server's frame headers on the way, and is the
 * TLS client on wss:// (ws_tap.h). */
#define _GNU_SOURCE /* accept4, pipe2, struct ucred */
#include "ws_tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdatomic.h>
#include <zlib.h>

#include "ws_scan.h"

#define RELAY_BYTES ((size_t)1 << 16)
/* A compressed message is handed over this much at a time. */
#define INFLATE_BYTES ((size_t)1 << 14)
/* How long the server gets to end its side once ours has ended. */
#define DRAIN_MS 500

struct cfc_wstap {
    int server, listener, client;
    /* wss://: TLS over `server`, which is then non-blocking; NULL on ws://. */
    SSL_CTX *tls_ctx;
    SSL *tls;
    short tls_wants; /* what the last SSL_read waits for: POLLIN or POLLOUT */
    int wake[2];     /* written by cfc_wstap_close: stop waiting */
    pthread_t thread;
    bool started;
    char address[sizeof(((struct sockaddr_un *)0)->sun_path) + 2]; /* "+@name" */
    cfc_wsscan down;                                               /* server -> client, checked */
    cfc_wsscan up;                                                 /* client -> server, followed */
    cfc_wstap_result res;

    /* The data path (ws_tap.h). */
    int (*data)(void *ctx, const void *p, size_t n, bool final, bool binary);
    void (*flush)(void *ctx);
    void *data_ctx;
    atomic_bool stop_wanted; /* cfc_wstap_stop, from any thread */
    bool stopping;           /* the relay saw it: the message arriving is finished */
    bool stopped;            /* nothing more is delivered */
    bool delivered;          /* since the last flush */
    z_stream z;              /* permessage-deflate: the connection's inflate context */
    bool z_ready;
    unsigned char out[INFLATE_BYTES];
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

/* ---- the server's side: TCP, or TLS over it ------------------------------ */

/* A whole buffer to the server. On TLS the socket is non-blocking: wait for
 * what OpenSSL wants, and give up once cfc_wstap_close is waiting (a server
 * that stopped reading must not hold the relay). */
static int server_send(cfc_wstap *t, const unsigned char *p, size_t n)
{
    if (t->tls == NULL)
        return send_all(t->server, p, n);
    while (n > 0) {
        ERR_clear_error();
        int k = SSL_write(t->tls, p, n > INT_MAX ? INT_MAX : (int)n);
        if (k > 0) {
            p += k;
            n -= (size_t)k;
            continue;
        }
        int e = SSL_get_error(t->tls, k);
        short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (ev == 0)
            return -1;
        struct pollfd pf[2] = {{t->server, ev, 0}, {t->wake[0], POLLIN, 0}};
        if (poll(pf, 2, -1) < 0 && errno != EINTR)
            return -1;
        if (pf[0].revents == 0 && pf[1].revents)
            return -1;
    }
    return 0;
}

#define RECV_AGAIN (-2)

/* Up to n bytes from the server: > 0 bytes, 0 its end (on TLS: its
 * close_notify, the connection's end or a TLS error: all end the stream),
 * -1 an error, RECV_AGAIN when TLS has no whole record yet. */
static ssize_t server_recv(cfc_wstap *t, void *buf, size_t n)
{
    if (t->tls == NULL)
        return recv(t->server, buf, n, 0);
    ERR_clear_error();
    int k = SSL_read(t->tls, buf, n > INT_MAX ? INT_MAX : (int)n);
    t->tls_wants = POLLIN;
    if (k > 0)
        return k;
    int e = SSL_get_error(t->tls, k);
    if (e == SSL_ERROR_WANT_READ)
        return RECV_AGAIN;
    if (e == SSL_ERROR_WANT_WRITE) {
        t->tls_wants = POLLOUT;
        return RECV_AGAIN;
    }
    return 0;
}

/* Nothing more goes to the server: on TLS a close_notify first (sent if
 * the socket takes it now; the TCP end follows either way). */
static void server_end_writes(cfc_wstap *t)
{
    if (t->tls) {
        ERR_clear_error();
        SSL_shutdown(t->tls);
    }
    shutdown(t->server, SHUT_WR);
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
    if (server_send(t, f, sizeof f) == 0)
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
    server_end_writes(t);
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

/* ---- the data path: payloads to the caller, inflated when compressed ---- */

static void deliver(cfc_wstap *t, const void *p, size_t n, bool final)
{
    if (t->stopped || t->data == NULL)
        return;
    t->delivered = true;
    if (t->data(t->data_ctx, p, n, final, t->down.msg_binary) != 0 || (final && t->stopping))
        t->stopped = true;
}

static void inflate_fault(cfc_wstap *t, const char *why)
{
    char what[sizeof t->down.fault];
    snprintf(what, sizeof what,
             "a compressed message that does not inflate (RFC 7692 7.2.2; zlib: %s)", why);
    cfc_wsscan_fail(&t->down, what);
}

/* Inflates n bytes of a compressed message and hands the output over, a
 * full buffer at a time; `last`: the message ends with them. RFC 7692
 * 7.2.3.3 allows a block with BFINAL: the stream then starts over. */
static void inflate_some(cfc_wstap *t, const unsigned char *p, size_t n, bool last)
{
    t->z.next_in = (unsigned char *)(uintptr_t)p;
    t->z.avail_in = (uInt)n;
    for (;;) {
        t->z.next_out = t->out;
        t->z.avail_out = (uInt)sizeof t->out;
        uInt in_before = t->z.avail_in;
        int r = inflate(&t->z, Z_SYNC_FLUSH);
        size_t got = sizeof t->out - t->z.avail_out;
        if (r == Z_STREAM_END) {
            inflateReset(&t->z);
        } else if (r != Z_OK && r != Z_BUF_ERROR) {
            inflate_fault(t, t->z.msg ? t->z.msg : zError(r));
            return;
        }
        bool progress = got > 0 || t->z.avail_in != in_before;
        bool more = progress && (t->z.avail_in > 0 || t->z.avail_out == 0);
        if (got > 0 || (last && !more))
            deliver(t, t->out, got, last && !more);
        if (!more || t->stopped)
            return;
    }
}

/* One slice of a data frame's payload (cfc_wsscan_split's callback). */
static void on_payload(void *ctx, const unsigned char *p, size_t n, bool end)
{
    cfc_wstap *t = ctx;
    if (t->stopped)
        return;
    if (!t->down.msg_compressed) {
        deliver(t, p, n, end);
        return;
    }
    if (!t->z_ready) {
        if (inflateInit2(&t->z, -15) != Z_OK) {
            inflate_fault(t, "out of memory");
            return;
        }
        t->z_ready = true;
    }
    /* RFC 7692 7.2.2: the sender cut the sync flush's 00 00 ff ff. */
    static const unsigned char tail[4] = {0x00, 0x00, 0xff, 0xff};
    if (n > 0)
        inflate_some(t, p, n, false);
    if (end && !t->stopped && t->down.phase != CFC_WSSCAN_FAULT)
        inflate_some(t, tail, sizeof tail, true);
}

/* Whether a data message has begun and not ended (its first frame's
 * header was read: a frame whose header is still arriving is not counted,
 * as libwebsockets did not). */
static bool message_arriving(const cfc_wsscan *s)
{
    return s->phase == CFC_WSSCAN_FRAMES &&
           (s->in_message || (s->remaining > 0 && !(s->opcode & 0x08)));
}

/* A stop was asked for: the message arriving, if any, is still delivered
 * (its end belongs to what was asked for: a signal or --duration must not
 * cut the event in flight), nothing after it. */
static void begin_stopping(cfc_wstap *t)
{
    t->stopping = true;
    if (!message_arriving(&t->down))
        t->stopped = true;
}

void cfc_wstap_stop(cfc_wstap *t)
{
    if (t)
        atomic_store(&t->stop_wanted, true);
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
        /* TLS may hold decrypted bytes the socket no longer signals. */
        bool buffered = t->tls && !down_done && SSL_pending(t->tls) > 0;
        /* A negative fd is left out of the poll, hang-ups and errors too. */
        struct pollfd pf[3] = {{down_done ? -1 : t->server, t->tls ? t->tls_wants : POLLIN, 0},
                               {client_gone ? -1 : t->client, POLLIN, 0},
                               {deadline < 0 ? t->wake[0] : -1, POLLIN, 0}};
        int timeout = buffered ? 0 : -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            if (left <= 0)
                break;
            if (!buffered)
                timeout = (int)left;
        }
        if (poll(pf, 3, timeout) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pf[2].revents && deadline < 0)
            deadline = now_ms() + DRAIN_MS;
        if (pf[0].revents || buffered) {
            ssize_t n = server_recv(t, t->buf, sizeof t->buf);
            if ((n < 0 && errno == EINTR && t->tls == NULL) || n == RECV_AGAIN)
                continue;
            if (n <= 0) {
                /* The server's end: the client sees it after all the rest. */
                down_done = true;
                shutdown(t->client, SHUT_WR);
            } else if (!faulted) {
                if (!t->stopping && atomic_load(&t->stop_wanted))
                    begin_stopping(t);
                size_t ok = cfc_wsscan_split(&t->down, t->buf, (size_t)n, on_payload, t);
                if (t->delivered && t->flush)
                    t->flush(t->data_ctx);
                t->delivered = false;
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
                        server_end_writes(t);
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
                if (server_send(t, up_buf, k) != 0) {
                    up_done = true;
                } else if (faulted) {
                    fail_connection(t, &up_done);
                }
            }
        }
    }
    /* The connection ended while a message was still to be delivered. */
    if (!faulted && !t->stopped)
        t->res.data_cut = message_arriving(&t->down);
    return NULL;
}

static int connect_server(const char *host, int port, unsigned timeout_ms,
                          int (*should_stop)(void *), void *ctx, int *err)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(host, service, &hints, &ai) != 0 || ai == NULL) {
        *err = CFC_WSTAP_ERR_DNS;
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

/* ---- TLS (wss://) -------------------------------------------------------- */

/* --insecure, as libwebsockets 4.1 had it (LCCSCF_ALLOW_SELFSIGNED,
 * _ALLOW_INSECURE, _ALLOW_EXPIRED; the host name is not checked at all):
 * these verification errors are let pass, any other still fails. */
static int verify_insecure(int ok, X509_STORE_CTX *x)
{
    if (ok)
        return 1;
    switch (X509_STORE_CTX_get_error(x)) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_HAS_EXPIRED: X509_STORE_CTX_set_error(x, X509_V_OK); return 1;
    default: return 0;
    }
}

static bool is_ip_literal(const char *host)
{
    unsigned char a[16];
    return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

/* Why the handshake failed, in words: the certificate check's verdict when
 * there is one, else OpenSSL's reason, else the socket's. */
static void tls_failure_reason(cfc_wstap *t, int ssl_error, int sys_errno, const char *host,
                               char *detail, size_t dlen)
{
    long v = SSL_get_verify_result(t->tls);
    unsigned long e = ERR_peek_error();
    if (v != X509_V_OK) {
        bool name = v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH;
        snprintf(detail, dlen, "certificate verify failed: %s%s%s%s",
                 X509_verify_cert_error_string(v), name ? " (the certificate is not for " : "",
                 name ? host : "", name ? ")" : "");
    } else if (e != 0 && ERR_reason_error_string(e) != NULL) {
        snprintf(detail, dlen, "%s", ERR_reason_error_string(e));
    } else if (ssl_error == SSL_ERROR_SYSCALL && sys_errno != 0) {
        snprintf(detail, dlen, "%s", strerror(sys_errno));
    } else {
        snprintf(detail, dlen, "the server ended the connection during the TLS handshake");
    }
}

/* The TLS client over t->server, handshake done by `deadline`. */
static int tls_start(cfc_wstap *t, const cfc_wstap_options *o, int64_t deadline, int *err,
                     char *detail, size_t dlen)
{
    *err = CFC_WSTAP_ERR_TLS;
    ERR_clear_error();
    t->tls_ctx = SSL_CTX_new(TLS_client_method());
    if (t->tls_ctx == NULL) {
        snprintf(detail, dlen, "OpenSSL could not start");
        return -1;
    }
    SSL_CTX_set_options(t->tls_ctx, SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_default_verify_paths(t->tls_ctx); /* a missing store fails the check */
    SSL_CTX_set_verify(t->tls_ctx, SSL_VERIFY_PEER, o->insecure ? verify_insecure : NULL);
    static const unsigned char alpn[] = "\x08http/1.1";
    SSL_CTX_set_alpn_protos(t->tls_ctx, alpn, sizeof alpn - 1);
    t->tls = SSL_new(t->tls_ctx);
    if (t->tls == NULL || SSL_set_fd(t->tls, t->server) != 1) {
        snprintf(detail, dlen, "OpenSSL could not start");
        return -1;
    }
    if (!o->insecure) {
        X509_VERIFY_PARAM *param = SSL_get0_param(t->tls);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (X509_VERIFY_PARAM_set1_ip_asc(param, o->host) != 1 &&
            X509_VERIFY_PARAM_set1_host(param, o->host, 0) != 1) {
            snprintf(detail, dlen, "cannot check a certificate against '%s'", o->host);
            return -1;
        }
    }
    if (!is_ip_literal(o->host))
        SSL_set_tlsext_host_name(t->tls, o->host);
    fcntl(t->server, F_SETFL, fcntl(t->server, F_GETFL) | O_NONBLOCK);
    for (;;) {
        ERR_clear_error();
        errno = 0;
        int r = SSL_connect(t->tls);
        if (r == 1)
            break;
        int e = SSL_get_error(t->tls, r), sys = errno;
        short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (ev == 0) {
            tls_failure_reason(t, e, sys, o->host, detail, dlen);
            return -1;
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            *err = CFC_WSTAP_ERR_TLS_TIMEOUT;
            return -1;
        }
        if (o->should_stop && o->should_stop(o->ctx)) {
            *err = EINTR;
            return -1;
        }
        struct pollfd pf = {t->server, ev, 0};
        poll(&pf, 1, left < 50 ? (int)left : 50);
    }
    t->tls_wants = POLLIN;
    *err = 0;
    return 0;
}

cfc_wstap *cfc_wstap_open(const cfc_wstap_options *o, int *err, char *detail, size_t detail_len)
{
    if (detail && detail_len)
        detail[0] = '\0';
    char ignored[8];
    if (detail == NULL || detail_len == 0) {
        detail = ignored;
        detail_len = sizeof ignored;
    }
    cfc_wstap *t = calloc(1, sizeof *t);
    if (t == NULL) {
        *err = ENOMEM;
        return NULL;
    }
    t->server = t->listener = t->client = t->wake[0] = t->wake[1] = -1;
    t->data = o->data;
    t->flush = o->flush;
    t->data_ctx = o->data_ctx;
    atomic_init(&t->stop_wanted, false);
    cfc_wsscan_init(&t->down, CFC_WSSCAN_SERVER);
    cfc_wsscan_init(&t->up, CFC_WSSCAN_CLIENT);
    int64_t deadline = now_ms() + o->timeout_ms;
    t->server = connect_server(o->host, o->port, o->timeout_ms, o->should_stop, o->ctx, err);
    if (t->server < 0 || (o->tls && tls_start(t, o, deadline, err, detail, detail_len) != 0)) {
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
    if (t->z_ready)
        inflateEnd(&t->z);
    SSL_free(t->tls);
    SSL_CTX_free(t->tls_ctx);
    int fds[] = {t->server, t->listener, t->client, t->wake[0], t->wake[1]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
    }
    free(t);
}
