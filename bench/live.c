/* SPDX-License-Identifier: MIT */
/*
 * cfc-bench-live: live checking over loopback against file checking, and the
 * reference server's fan-out to many clients.
 *
 *   cfc-bench-live [EVENTS] [--clients N]
 *
 * The events are the demo scenario, played for as many projects as EVENTS
 * needs, through the reference broadcasters. In one run:
 *
 *   file   `cfconform check --quiet FILE` on those events, as NDJSON
 *   live   the reference WebSocket server (cfc/ws_server.h) broadcasting the
 *          same events, as fast as it can, to one `cfconform watch --quiet
 *          --count EVENTS`: from the first broadcast to watch's exit. The
 *          server paces to its client as `cfc-demo serve` does (stall_ms,
 *          default queue): a full queue makes the broadcast wait for room.
 *          Queueing all the events at once instead measured the first touch
 *          of that much fresh heap (33 MB of events, about 0.4 s of page
 *          faults on this project's VM), not the server or watch.
 *   fan-out the same server broadcasting to N raw clients (default 100) that
 *          only read: events x clients messages delivered per second
 *
 * cfconform is looked for beside this program.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfc/reference.h"
#include "cfc/ws_server.h"
#include "../reference/demo/scenario.h"

typedef struct events {
    char *data; /* NDJSON */
    size_t len, cap;
    size_t *offs; /* start of each event */
    size_t n, n_cap;
} events;

static int collect(void *ctx, int64_t project_id, const char *json, size_t len)
{
    (void)project_id;
    events *e = ctx;
    if (e->len + len + 1 > e->cap) {
        size_t c = e->cap ? e->cap * 2 : 1 << 20;
        while (c < e->len + len + 1)
            c *= 2;
        char *q = realloc(e->data, c);
        if (q == NULL)
            return -1;
        e->data = q;
        e->cap = c;
    }
    if (e->n == e->n_cap) {
        size_t c = e->n_cap ? e->n_cap * 2 : 4096;
        size_t *q = realloc(e->offs, c * sizeof *q);
        if (q == NULL)
            return -1;
        e->offs = q;
        e->n_cap = c;
    }
    e->offs[e->n++] = e->len;
    memcpy(e->data + e->len, json, len);
    e->len += len;
    e->data[e->len++] = '\n';
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void quiet(void *ctx, cfc_log_level level, const char *message)
{
    (void)ctx;
    if (level >= CFC_LOG_WARNING)
        fprintf(stderr, "cfc-bench-live: %s\n", message);
}

static pid_t spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int wait_exit(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void broadcast_all(cfc_ws_server *srv, const events *e)
{
    for (size_t i = 0; i < e->n; i++) {
        size_t end = i + 1 < e->n ? e->offs[i + 1] - 1 : e->len - 1;
        cfc_ws_server_broadcast(srv, 1, e->data + e->offs[i], end - e->offs[i]);
    }
}

static int raw_client(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    const char req[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n";
    if (write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1))
        return -1;
    char c[4] = {0};
    while (memcmp(c, "\r\n\r\n", 4) != 0) { /* the 101 answer */
        memmove(c, c + 1, 3);
        if (read(fd, c + 3, 1) != 1)
            return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    size_t want = 200000, n_clients = 100;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--clients") == 0 && i + 1 < argc)
            n_clients = strtoul(argv[++i], NULL, 10);
        else
            want = strtoul(argv[i], NULL, 10);
    }
    if (want == 0 || n_clients == 0 || n_clients > 1000) {
        fputs("usage: cfc-bench-live [EVENTS] [--clients N]\n", stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char cfconform[4096];
    const char *slash = strrchr(argv[0], '/');
    snprintf(cfconform, sizeof cfconform, "%.*scfconform", slash ? (int)(slash - argv[0] + 1) : 0,
             argv[0]);

    events e = {0};
    cfc_manager m = {.broadcast = collect, .broadcast_ctx = &e};
    for (int64_t p = 1; e.n < want; p++) {
        if (cfc_demo_play(&m, p) != CFC_OK) {
            fputs("cfc-bench-live: out of memory\n", stderr);
            return 1;
        }
    }
    if (e.n > want) { /* exactly `want` events */
        e.len = e.offs[want];
        e.n = want;
    }

    char path[] = "/tmp/cfc-bench-live-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (f == NULL || fwrite(e.data, 1, e.len, f) != e.len || fclose(f) != 0) {
        fputs("cfc-bench-live: cannot write the event file\n", stderr);
        return 1;
    }
    printf("%zu events, %.1f MB (the demo scenario, %zu bytes per event on average)\n", e.n,
           (double)e.len / 1e6, e.len / e.n);

    /* file */
    char *check_argv[] = {cfconform, "check", "--quiet", path, NULL};
    double t0 = now_s();
    int rc = wait_exit(spawn(check_argv));
    double file_s = now_s() - t0;
    printf("%-34s %10.0f events/s  (%.2f s, exit %d)\n", "file: cfconform check",
           (double)e.n / file_s, file_s, rc);

    /* live, one client */
    char err[256];
    cfc_ws_server_options so = {.queue_max = e.n + 1, .log = quiet};
    cfc_ws_server_options paced = {.stall_ms = 60000, .log = quiet}; /* live: see above */
    cfc_ws_server *srv = cfc_ws_server_start(&paced, err, sizeof err);
    if (srv == NULL) {
        fprintf(stderr, "cfc-bench-live: %s\n", err);
        return 1;
    }
    char url[64], count[32];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", cfc_ws_server_port(srv));
    snprintf(count, sizeof count, "%zu", e.n);
    char *watch_argv[] = {cfconform, "watch", "--quiet", "--count", count, url, NULL};
    pid_t w = spawn(watch_argv);
    cfc_ws_server_wait_clients(srv, 1, 10000, NULL);
    t0 = now_s();
    broadcast_all(srv, &e);
    double queued_s = now_s() - t0;
    rc = wait_exit(w);
    double live_s = now_s() - t0;
    printf("%-34s %10.0f events/s  (%.2f s, exit %d; broadcasting took %.2f s)\n",
           "live: server -> cfconform watch", (double)e.n / live_s, live_s, rc, queued_s);
    printf("%-34s %10.2f x file checking\n", "live / file", file_s / live_s);
    cfc_ws_server_close_all(srv, 1000, "done", 1000);
    cfc_ws_server_free(srv);

    /* fan-out: n_clients raw readers */
    srv = cfc_ws_server_start(&so, err, sizeof err);
    if (srv == NULL) {
        fprintf(stderr, "cfc-bench-live: %s\n", err);
        return 1;
    }
    int *fds = calloc(n_clients, sizeof *fds);
    size_t *got = calloc(n_clients, sizeof *got);
    size_t expect = 0; /* bytes per client: each frame is a header and the event */
    for (size_t i = 0; i < e.n; i++) {
        size_t end = i + 1 < e.n ? e.offs[i + 1] - 1 : e.len - 1, len = end - e.offs[i];
        expect += len + (len < 126 ? 2 : 4);
    }
    for (size_t i = 0; i < n_clients; i++) {
        fds[i] = raw_client(cfc_ws_server_port(srv));
        if (fds[i] < 0) {
            fputs("cfc-bench-live: a client could not connect\n", stderr);
            return 1;
        }
    }
    cfc_ws_server_wait_clients(srv, n_clients, 10000, NULL);
    struct pollfd *pfd = calloc(n_clients, sizeof *pfd);
    static char buf[1 << 16];
    t0 = now_s();
    /* Broadcast in slices so the readers (this thread) keep up. */
    size_t sent = 0, done = 0;
    while (done < n_clients) {
        if (sent < e.n) {
            size_t to = sent + 2000 < e.n ? sent + 2000 : e.n;
            for (size_t i = sent; i < to; i++) {
                size_t end = i + 1 < e.n ? e.offs[i + 1] - 1 : e.len - 1;
                cfc_ws_server_broadcast(srv, 1, e.data + e.offs[i], end - e.offs[i]);
            }
            sent = to;
        }
        for (size_t i = 0; i < n_clients; i++)
            pfd[i] = (struct pollfd){.fd = got[i] < expect ? fds[i] : -1, .events = POLLIN};
        if (poll(pfd, (nfds_t)n_clients, 5000) <= 0)
            break;
        for (size_t i = 0; i < n_clients; i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            ssize_t r = read(fds[i], buf, sizeof buf);
            if (r > 0 && (got[i] += (size_t)r) >= expect)
                done++;
        }
    }
    double fan_s = now_s() - t0;
    cfc_ws_server_stats st;
    cfc_ws_server_get_stats(srv, &st);
    printf("%-34s %10.0f messages/s (%zu clients x %zu events in %.2f s; %zu dropped)\n",
           "fan-out: server -> raw clients", (double)(e.n * n_clients) / fan_s, n_clients, e.n,
           fan_s, st.dropped);
    for (size_t i = 0; i < n_clients; i++)
        close(fds[i]);
    cfc_ws_server_free(srv);
    free(fds);
    free(got);
    free(pfd);
    unlink(path);
    free(e.data);
    free(e.offs);
    return done == n_clients ? 0 : 1;
}
