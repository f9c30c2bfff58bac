/* SPDX-License-Identifier: MIT */
#define _DEFAULT_SOURCE
/* The reference connection manager over libwebsockets (cfc/ws_server.h), in
 * process: ephemeral ports, per-project subscription, a slow client dropped
 * with 1008 while the broadcaster never waits, close codes. The clients are
 * raw sockets speaking just enough WebSocket to do what a test needs (never
 * read, for one). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cfc/ws_server.h"

TestSuite(ws_server, .timeout = 60);

typedef struct logbook {
    pthread_mutex_t lock;
    char text[8192];
} logbook;

static void log_to_book(void *ctx, cfc_log_level level, const char *message)
{
    logbook *b = ctx;
    pthread_mutex_lock(&b->lock);
    size_t n = strlen(b->text);
    snprintf(b->text + n, sizeof b->text - n, "%d %s\n", (int)level, message);
    pthread_mutex_unlock(&b->lock);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A raw WebSocket client: connects and completes the handshake. */
static int raw_client(int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    if (rcvbuf)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    const char req[] = "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n";
    cr_assert_eq(write(fd, req, sizeof req - 1), (ssize_t)(sizeof req - 1));
    char resp[1024];
    size_t n = 0;
    while (n < sizeof resp - 1 && (n < 4 || memcmp(resp + n - 4, "\r\n\r\n", 4) != 0)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        cr_assert_gt(poll(&p, 1, 5000), 0, "no handshake answer");
        cr_assert_eq(read(fd, resp + n, 1), 1);
        n++;
    }
    resp[n] = '\0';
    cr_assert_eq(strncmp(resp, "HTTP/1.1 101", 12), 0, "%s", resp);
    return fd;
}

/* Sends one masked text frame (clients must mask). */
static void raw_send_text(int fd, const char *text)
{
    size_t len = strlen(text);
    cr_assert_lt(len, 126);
    unsigned char f[256] = {0x81, (unsigned char)(0x80 | len), 1, 2, 3, 4};
    for (size_t i = 0; i < len; i++)
        f[6 + i] = (unsigned char)(text[i] ^ f[2 + i % 4]);
    cr_assert_eq(write(fd, f, 6 + len), (ssize_t)(6 + len));
}

/* Everything the server sends until it closes or goes quiet for quiet_ms. */
static unsigned char *raw_read_all(int fd, size_t *len, int quiet_ms)
{
    size_t cap = 1 << 20, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, quiet_ms) <= 0)
            break;
        if (cap - n < 65536)
            buf = realloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + n, cap - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    *len = n;
    return buf;
}

typedef struct frames {
    size_t texts;
    char last_text[512];
    int close_code; /* 0: no close frame */
    char close_reason[128];
} frames;

/* Walks server frames (unmasked): counts text frames, finds the close. */
static frames parse_frames(const unsigned char *b, size_t n)
{
    frames f = {0};
    size_t i = 0;
    while (i + 2 <= n) {
        int op = b[i] & 0x0f;
        size_t len = b[i + 1] & 0x7f, h = 2;
        if (len == 126) {
            if (i + 4 > n)
                break;
            len = (size_t)b[i + 2] << 8 | (size_t)b[i + 3];
            h = 4;
        } else if (len == 127) {
            if (i + 10 > n)
                break;
            len = 0;
            for (int k = 0; k < 8; k++)
                len = len << 8 | (size_t)b[i + 2 + (size_t)k];
            h = 10;
        }
        if (i + h + len > n)
            break;
        const unsigned char *p = b + i + h;
        if (op == 1) {
            f.texts++;
            snprintf(f.last_text, sizeof f.last_text, "%.*s", (int)len, (const char *)p);
        } else if (op == 8 && len >= 2) {
            f.close_code = p[0] << 8 | p[1];
            snprintf(f.close_reason, sizeof f.close_reason, "%.*s", (int)(len - 2),
                     (const char *)p + 2);
        }
        i += h + len;
    }
    return f;
}

Test(ws_server, ephemeral_port_and_a_busy_one)
{
    char err[256];
    cfc_ws_server *a = cfc_ws_server_start(&(cfc_ws_server_options){.port = 0}, err, sizeof err);
    cr_assert_not_null(a, "%s", err);
    int port = cfc_ws_server_port(a);
    cr_expect_gt(port, 0);
    cfc_ws_server *b = cfc_ws_server_start(&(cfc_ws_server_options){.port = port}, err, sizeof err);
    cr_expect_null(b);
    cr_expect_not_null(strstr(err, "cannot listen on 127.0.0.1 port"), "%s", err);
    cfc_ws_server_free(b);
    cr_expect_null(cfc_ws_server_start(&(cfc_ws_server_options){.port = 70000}, err, sizeof err));
    cfc_ws_server_free(a);
    cfc_ws_server_free(NULL);
}

Test(ws_server, broadcast_with_no_client_reaches_no_one)
{
    cfc_ws_server *s = cfc_ws_server_start(NULL, NULL, 0);
    cr_assert_not_null(s);
    cfc_manager m = {0};
    cfc_ws_server_manager(s, &m);
    cr_expect_eq(cfc_broadcast_agent_created(&m, 1, "a", "backend", 0), CFC_OK);
    cfc_ws_server_stats st;
    cfc_ws_server_get_stats(s, &st);
    cr_expect_eq(st.broadcasts, 1);
    cr_expect_eq(st.sent, 0);
    cr_expect_eq(cfc_ws_server_wait_clients(s, 1, 50, NULL), -1, "times out");
    cr_expect_eq(cfc_ws_server_close_all(s, 1000, "bye", 100), 0);
    cr_expect_eq(cfc_ws_server_broadcast(s, 1, "{}", 2), -1, "closing: refused");
    cfc_ws_server_free(s);
}

Test(ws_server, subscribed_client_gets_its_project_only)
{
    logbook book = {.lock = PTHREAD_MUTEX_INITIALIZER};
    cfc_ws_server_options o = {.log = log_to_book, .log_ctx = &book, .ready_ms = 5000};
    cfc_ws_server *s = cfc_ws_server_start(&o, NULL, 0);
    cr_assert_not_null(s);
    int all = raw_client(cfc_ws_server_port(s), 0);
    int two = raw_client(cfc_ws_server_port(s), 0);
    raw_send_text(two, "{\"type\":\"subscribe\",\"project_id\":2}");
    cr_assert_eq(cfc_ws_server_wait_clients(s, 1, 5000, NULL), 0, "subscribed = ready");
    for (int64_t p = 1; p <= 3; p++) {
        char ev[64];
        int n = snprintf(ev, sizeof ev, "{\"project\":%d}", (int)p);
        cr_expect_eq(cfc_ws_server_broadcast(s, p, ev, (size_t)n), 0);
    }
    cr_expect_eq(cfc_ws_server_drain(s, 5000), 0);
    cr_expect_eq(cfc_ws_server_close_all(s, 1000, "scenario complete", 5000), 0);
    size_t n;
    unsigned char *b = raw_read_all(two, &n, 2000);
    frames f = parse_frames(b, n);
    cr_expect_eq(f.texts, 1);
    cr_expect_str_eq(f.last_text, "{\"project\":2}");
    cr_expect_eq(f.close_code, 1000);
    cr_expect_str_eq(f.close_reason, "scenario complete");
    free(b);
    b = raw_read_all(all, &n, 2000);
    f = parse_frames(b, n);
    cr_expect_eq(f.texts, 3, "no subscription: every project");
    free(b);
    close(all);
    close(two);
    cfc_ws_server_free(s);
    cr_expect_not_null(strstr(book.text, "subscribed to project 2"), "%s", book.text);
}

Test(ws_server, a_bad_subscribe_message_is_logged_and_ignored)
{
    logbook book = {.lock = PTHREAD_MUTEX_INITIALIZER};
    cfc_ws_server_options o = {.log = log_to_book, .log_ctx = &book};
    cfc_ws_server *s = cfc_ws_server_start(&o, NULL, 0);
    cr_assert_not_null(s);
    int fd = raw_client(cfc_ws_server_port(s), 0);
    raw_send_text(fd, "{\"type\":\"subscribe\",\"project_id\":0}");
    cr_expect_eq(cfc_ws_server_wait_clients(s, 1, 5000, NULL), 0);
    for (int i = 0; i < 100 && !strstr(book.text, "not {"); i++)
        usleep(10000);
    cr_expect_not_null(strstr(book.text, "ignored"), "%s", book.text);
    cr_expect_eq(cfc_ws_server_broadcast(s, 5, "{}", 2), 0);
    cr_expect_eq(cfc_ws_server_drain(s, 5000), 0);
    cfc_ws_server_stats st;
    cfc_ws_server_get_stats(s, &st);
    cr_expect_eq(st.sent, 1, "still gets every project");
    close(fd);
    cfc_ws_server_free(s);
}

Test(ws_server, slow_client_is_dropped_and_the_broadcaster_never_waits)
{
    logbook book = {.lock = PTHREAD_MUTEX_INITIALIZER};
    cfc_ws_server_options o = {.queue_max = 8, .log = log_to_book, .log_ctx = &book};
    cfc_ws_server *s = cfc_ws_server_start(&o, NULL, 0);
    cr_assert_not_null(s);
    int slow = raw_client(cfc_ws_server_port(s), 4096); /* never reads until the end */
    cr_assert_eq(cfc_ws_server_wait_clients(s, 1, 5000, NULL), 0);
    static char ev[1000];
    memset(ev, 'x', sizeof ev);
    double t0 = now_s();
    /* 20 MB to a client that reads nothing: far more than any socket buffer. */
    for (int i = 0; i < 20000; i++)
        cr_assert_eq(cfc_ws_server_broadcast(s, 1, ev, sizeof ev), 0);
    double took = now_s() - t0;
    cr_expect_lt(took, 10.0, "broadcasting took %.2f s", took);
    cfc_ws_server_stats st;
    for (int i = 0; i < 500; i++) {
        cfc_ws_server_get_stats(s, &st);
        if (st.dropped)
            break;
        usleep(10000);
    }
    cr_expect_eq(st.dropped, 1);
    cr_expect_not_null(strstr(book.text, "fell too far behind (8 events queued): disconnecting it "
                                         "with close code 1008"),
                       "%s", book.text);
    /* Now read: what was in flight, then the close frame. */
    size_t n;
    unsigned char *b = raw_read_all(slow, &n, 3000);
    frames f = parse_frames(b, n);
    cr_expect_eq(f.close_code, 1008);
    cr_expect_str_eq(f.close_reason, "too far behind");
    cr_expect_lt(f.texts, 20000);
    free(b);
    close(slow);
    cfc_ws_server_free(s);
}

/* The service thread writes a client's queued events as one batch of frames
 * it frames itself (ws_server.c, frame_batch): every length encoding (7-bit,
 * 16-bit, 64-bit), an empty event, and events larger than a batch, each
 * arrives as one unmasked FIN text frame with its exact bytes, in order. */
typedef struct reader {
    int fd;
    unsigned char *buf;
    size_t len;
} reader;

static void *read_thread(void *arg)
{
    reader *r = arg;
    r->buf = raw_read_all(r->fd, &r->len, 5000);
    return NULL;
}

Test(ws_server, batched_frames_arrive_whole_and_in_order)
{
    logbook book = {.lock = PTHREAD_MUTEX_INITIALIZER};
    cfc_ws_server_options o = {.log = log_to_book, .log_ctx = &book};
    cfc_ws_server *s = cfc_ws_server_start(&o, NULL, 0);
    cr_assert_not_null(s);
    int fd = raw_client(cfc_ws_server_port(s), 0);
    cr_assert_eq(cfc_ws_server_wait_clients(s, 1, 5000, NULL), 0);
    reader rd = {.fd = fd};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, read_thread, &rd), 0);
    static const size_t sizes[] = {165, 0, 1, 125, 126, 127, 300, 65535, 65536, 70000, 165, 2};
    const size_t n_sizes = sizeof sizes / sizeof sizes[0], rounds = 40;
    char *ev = malloc(70001);
    cr_assert_not_null(ev);
    for (size_t r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n_sizes; i++) {
            for (size_t k = 0; k < sizes[i]; k++)
                ev[k] = (char)('a' + (r * 7 + i * 3 + k) % 26);
            cr_assert_eq(cfc_ws_server_broadcast(s, 1, ev, sizes[i]), 0);
        }
    }
    cr_expect_eq(cfc_ws_server_drain(s, 10000), 0);
    cr_expect_eq(cfc_ws_server_close_all(s, 1000, "done", 5000), 0);
    pthread_join(th, NULL);
    size_t n = rd.len;
    unsigned char *b = rd.buf;
    size_t at = 0, seen = 0;
    for (size_t r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n_sizes; i++, seen++) {
            cr_assert_leq(at + 2, n, "frame %zu missing", seen);
            cr_assert_eq(b[at], 0x81, "frame %zu: FIN text, not 0x%02x", seen, b[at]);
            size_t len = b[at + 1], h = 2;
            cr_assert_eq(len & 0x80, 0, "frame %zu is masked", seen);
            if (len == 126) {
                len = (size_t)b[at + 2] << 8 | b[at + 3];
                h = 4;
                cr_expect_geq(len, 126, "frame %zu: shortest length form", seen);
            } else if (len == 127) {
                len = 0;
                for (int k = 0; k < 8; k++)
                    len = len << 8 | b[at + 2 + (size_t)k];
                h = 10;
                cr_expect_gt(len, 65535, "frame %zu: shortest length form", seen);
            }
            cr_assert_eq(len, sizes[i], "frame %zu: length", seen);
            cr_assert_leq(at + h + len, n, "frame %zu cut", seen);
            for (size_t k = 0; k < len; k++)
                cr_assert_eq(b[at + h + k], (unsigned char)('a' + (r * 7 + i * 3 + k) % 26),
                             "frame %zu byte %zu", seen, k);
            at += h + len;
        }
    }
    frames f = parse_frames(b + at, n - at);
    cr_expect_eq(f.texts, 0, "nothing more");
    cr_expect_eq(f.close_code, 1000);
    cfc_ws_server_stats st;
    cfc_ws_server_get_stats(s, &st);
    cr_expect_eq(st.sent, rounds * n_sizes);
    free(b);
    free(ev);
    close(fd);
    cfc_ws_server_free(s);
}
