/* SPDX-License-Identifier: MIT */
/*
 * cfc-bench-live: live checking over loopback against file checking, and the
 * reference server's fan-out to many clients.
 *
 *   cfc-bench-live [EVENTS] [--clients N] [--runs N]
 *
 * The events are the demo scenario, played for as many projects as EVENTS
 * needs, through the reference broadcasters. Each run measures, on the same
 * events, one right after the other (their order alternating from run to
 * run, so neither always goes first):
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
 *
 * and their ratio, live / file. A single run on a shared machine says little
 * (one phase can lose the CPU to another process), so there are --runs of
 * them (default 5) and the medians are the result, with the load average
 * and each program's CPU time (user + sys, from wait4: what it cost,
 * whatever the load did to its wall-clock time). Then once:
 *
 *   fan-out the same server broadcasting to N raw clients (default 100) that
 *          only read: events x clients messages delivered per second
 *
 * Exit code: 0, or 1 when a `check` or `watch` did not exit 0 (its figures
 * then measure a failure) or the fan-out did not deliver everything; 2 usage.
 *
 * cfconform is looked for beside this program.
 */
#define _DEFAULT_SOURCE /* wait4, getloadavg */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

/* The child's exit code (-1: killed or not started), and its CPU time. */
static int wait_exit(pid_t pid, double *cpu_s)
{
    int st = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (pid < 0) {
        *cpu_s = 0;
        return -1;
    }
    while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
        ;
    *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of n values (sorts a copy). */
static double median(const double *v, size_t n)
{
    double s[64];
    memcpy(s, v, n * sizeof *v);
    qsort(s, n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void print_load(const char *when)
{
    double l[3];
    if (getloadavg(l, 3) == 3)
        printf("%-34s %.2f %.2f %.2f (1, 5, 15 min)\n", when, l[0], l[1], l[2]);
}

typedef struct phase {
    double wall_s, cpu_s;
    int rc;
} phase;

static phase run_file(const char *cfconform, const char *path)
{
    char *argv[] = {(char *)cfconform, "check", "--quiet", (char *)path, NULL};
    phase r;
    double t0 = now_s();
    r.rc = wait_exit(spawn(argv), &r.cpu_s);
    r.wall_s = now_s() - t0;
    return r;
}

static void broadcast_all(cfc_ws_server *srv, const events *e)
{
    for (size_t i = 0; i < e->n; i++) {
        size_t end = i + 1 < e->n ? e->offs[i + 1] - 1 : e->len - 1;
        cfc_ws_server_broadcast(srv, 1, e->data + e->offs[i], end - e->offs[i]);
    }
}

/* One server, one `watch`, every event. -1 in rc: the server did not start. */
static phase run_live(const char *cfconform, const events *e, double *queued_s)
{
    phase r = {0, 0, -1};
    char err[256];
    cfc_ws_server_options paced = {.stall_ms = 60000, .log = quiet}; /* see above */
    cfc_ws_server *srv = cfc_ws_server_start(&paced, err, sizeof err);
    if (srv == NULL) {
        fprintf(stderr, "cfc-bench-live: %s\n", err);
        return r;
    }
    char url[64], count[32];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", cfc_ws_server_port(srv));
    snprintf(count, sizeof count, "%zu", e->n);
    char *argv[] = {(char *)cfconform, "watch", "--quiet", "--count", count, url, NULL};
    pid_t w = spawn(argv);
    cfc_ws_server_wait_clients(srv, 1, 10000, NULL);
    double t0 = now_s();
    broadcast_all(srv, e);
    *queued_s = now_s() - t0;
    r.rc = wait_exit(w, &r.cpu_s);
    r.wall_s = now_s() - t0;
    cfc_ws_server_close_all(srv, 1000, "done", 1000);
    cfc_ws_server_free(srv);
    return r;
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
    size_t want = 200000, n_clients = 100, runs = 5;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            puts("usage: cfc-bench-live [EVENTS] [--clients N] [--runs N]\n"
                 "live checking (server -> cfconform watch) against cfconform check on a file of "
                 "the same events, --runs times (default 5; medians reported), then the "
                 "server's fan-out to --clients raw readers (default 100)");
            return 0;
        }
        if (strcmp(argv[i], "--clients") == 0 && i + 1 < argc)
            n_clients = strtoul(argv[++i], &end, 10);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = strtoul(argv[++i], &end, 10);
        else
            want = strtoul(argv[i], &end, 10);
        if (end == NULL || *end != '\0' || end == argv[i]) {
            want = 0; /* not a number: usage */
            break;
        }
    }
    if (want == 0 || n_clients == 0 || n_clients > 1000 || runs == 0 || runs > 64) {
        fputs("usage: cfc-bench-live [EVENTS] [--clients N (1-1000)] [--runs N (1-64)]\n", stderr);
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

    print_load("load average at the start");
    /* file and live, --runs times; the same events each time. */
    double file_s[64], live_s[64], ratio[64], file_cpu[64], live_cpu[64];
    bool failed = false;
    for (size_t r = 0; r < runs; r++) {
        phase fp, lp;
        double queued_s = 0;
        if (r % 2 == 0) {
            fp = run_file(cfconform, path);
            lp = run_live(cfconform, &e, &queued_s);
        } else {
            lp = run_live(cfconform, &e, &queued_s);
            fp = run_file(cfconform, path);
        }
        file_s[r] = fp.wall_s;
        live_s[r] = lp.wall_s;
        ratio[r] = fp.wall_s / lp.wall_s;
        file_cpu[r] = fp.cpu_s;
        live_cpu[r] = lp.cpu_s;
        failed |= fp.rc != 0 || lp.rc != 0;
        printf("run %zu/%zu: file %.0f events/s (%.2f s, cpu %.2f s, exit %d), live %.0f events/s "
               "(%.2f s, cpu %.2f s, exit %d; broadcasting took %.2f s): live / file %.2f\n",
               r + 1, runs, (double)e.n / fp.wall_s, fp.wall_s, fp.cpu_s, fp.rc,
               (double)e.n / lp.wall_s, lp.wall_s, lp.cpu_s, lp.rc, queued_s, ratio[r]);
    }
    double fm = median(file_s, runs), lm = median(live_s, runs);
    printf("%-34s %10.0f events/s  (median of %zu runs: %.2f s; cpu %.2f s, %.2f us per event)\n",
           "file: cfconform check", (double)e.n / fm, runs, fm, median(file_cpu, runs),
           median(file_cpu, runs) * 1e6 / (double)e.n);
    printf("%-34s %10.0f events/s  (median of %zu runs: %.2f s; cpu of watch %.2f s, %.2f us per "
           "event)\n",
           "live: server -> cfconform watch", (double)e.n / lm, runs, lm, median(live_cpu, runs),
           median(live_cpu, runs) * 1e6 / (double)e.n);
    printf("%-34s %10.2f x file checking (median of the %zu runs' ratios)\n", "live / file",
           median(ratio, runs), runs);
    print_load("load average at the end");

    /* fan-out: n_clients raw readers */
    char err[256];
    cfc_ws_server_options so = {.queue_max = e.n + 1, .log = quiet};
    cfc_ws_server *srv = cfc_ws_server_start(&so, err, sizeof err);
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
    double t0 = now_s();
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
    return done == n_clients && !failed ? 0 : 1;
}
