/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/*
 * cfc-demo serve paces itself to its clients (issue 10, item 2): at the
 * default settings a client that reads is never dropped, however far it
 * would fall behind a producer that does not wait; a client that never
 * reads is still dropped with 1008 while the others get everything; and
 * Ctrl-C is a clean stop (1001, exit 0, no error line, the scenario stopped
 * at its first failed broadcast).
 *
 * The readers are `cfconform watch` processes recording what they receive;
 * "every event in order" is checked on the records: with --fixed-clock the
 * server's clock moves 1.337 s per event across all projects, so the
 * timestamps (fixed-width ISO 8601) must strictly increase, and the i-th
 * event must belong to project i / 233 + 1.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "proc.h"
#include "util.h"

#define CFC CFC_BINARY_DIR "/cfconform"
#define DEMO CFC_BINARY_DIR "/cfc-demo"
#define EVENTS 233 /* the demo scenario, one project */
#define PROJECTS 50

static char dir[] = "/tmp/cfc-pacing-XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(live_pacing, .init = setup, .fini = teardown, .timeout = 120);

static const char *path_in(const char *name, int i)
{
    static char p[16][256];
    static int k;
    char *s = p[k++ % 16];
    snprintf(s, 256, "%s/%s.%d", dir, name, i);
    return s;
}

static proc serve(char *url, size_t len, char *const extra[])
{
    char *argv[24] = {DEMO, "serve", "--port", "0", "--fixed-clock"};
    int n = 5;
    for (int i = 0; extra[i] && n < 23; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    proc p = proc_start(argv, path_in("serve.err", 0));
    proc_read_line(&p, url, len, 10000);
    cr_assert_eq(strncmp(url, "ws://127.0.0.1:", 15), 0, "%s", url);
    return p;
}

static proc watch(const char *url, int i)
{
    char *argv[] = {
        CFC,         "watch", "--quiet", "--duration", "60", "--record", (char *)path_in("rec", i),
        (char *)url, NULL};
    return proc_start(argv, path_in("watch.err", i));
}

/* Every event of `projects` projects, in the order broadcast. */
static void expect_all_in_order(const char *rec_path, size_t projects)
{
    size_t len;
    char *rec = test_slurp(rec_path, &len);
    size_t n = 0;
    char last_ts[64] = "";
    for (char *line = rec, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        cr_assert_not_null(nl, "%s: a cut last line", rec_path);
        *nl = '\0';
        cJSON *j = cJSON_Parse(line);
        cr_assert_not_null(j, "%s line %zu: %s", rec_path, n + 1, line);
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(j, "timestamp");
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(j, "project_id");
        cr_assert(cJSON_IsString(ts) && cJSON_IsNumber(pid), "%s line %zu", rec_path, n + 1);
        cr_assert_gt(strcmp(ts->valuestring, last_ts), 0, "%s line %zu: %s after %s", rec_path,
                     n + 1, ts->valuestring, last_ts);
        snprintf(last_ts, sizeof last_ts, "%s", ts->valuestring);
        cr_assert_eq((size_t)pid->valuedouble, n / EVENTS + 1, "%s line %zu: project %g", rec_path,
                     n + 1, pid->valuedouble);
        cJSON_Delete(j);
        n++;
    }
    cr_expect_eq(n, projects * EVENTS, "%s: %zu events", rec_path, n);
    free(rec);
}

static void readers_get_everything(int clients)
{
    char url[128], nclients[16];
    snprintf(nclients, sizeof nclients, "%d", clients);
    char *extra[] = {"--projects", "50", "--wait-clients", nclients, NULL};
    proc srv = serve(url, sizeof url, extra);
    proc w[10];
    for (int i = 0; i < clients; i++)
        w[i] = watch(url, i);
    for (int i = 0; i < clients; i++) {
        int rc = proc_wait(&w[i], 90000);
        proc_stop(&w[i]);
        char *err = test_slurp(path_in("watch.err", i), NULL);
        cr_expect_eq(rc, 0, "watch %d: exit %d\n%s", i, rc, err);
        cr_expect_not_null(strstr(err, "closed by the server: 1000 (normal closure) \"scenario "
                                       "complete\"; 11650 events"),
                           "watch %d:\n%s", i, err);
        free(err);
        expect_all_in_order(path_in("rec", i), PROJECTS);
    }
    cr_expect_eq(proc_wait(&srv, 20000), 0);
    proc_stop(&srv);
    char *log = test_slurp(path_in("serve.err", 0), NULL);
    cr_expect_null(strstr(log, "too far behind"), "nobody dropped:\n%s", log);
    char want[128];
    snprintf(want, sizeof want, "11650 events broadcast, %d messages sent, %d client%s served",
             11650 * clients, clients, clients == 1 ? "" : "s");
    cr_expect_not_null(strstr(log, want), "%s", log);
    free(log);
}

Test(live_pacing, default_serve_one_reader_50_projects_nobody_dropped)
{
    readers_get_everything(1);
}

Test(live_pacing, default_serve_ten_readers_50_projects_nobody_dropped)
{
    readers_get_everything(10);
}

/* A raw client that completes the handshake and then reads nothing until
 * told to: its socket buffers are small, so the server's queue for it fills. */
static int never_reader(const char *url)
{
    int port = 0;
    cr_assert_eq(sscanf(url, "ws://127.0.0.1:%d/", &port), 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    const char req[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n";
    cr_assert_eq(write(fd, req, sizeof req - 1), (ssize_t)(sizeof req - 1));
    return fd;
}

/* The close frame's code at the end of everything the server sent, or 0. */
static int read_close_code(int fd)
{
    size_t cap = 1 << 20, n = 0;
    unsigned char *b = malloc(cap);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0)
            break;
        if (cap - n < 65536)
            b = realloc(b, cap *= 2);
        ssize_t r = read(fd, b + n, cap - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    char *body = memmem(b, n, "\r\n\r\n", 4);
    cr_assert_not_null(body, "no handshake answer");
    size_t i = (size_t)((unsigned char *)body + 4 - b);
    int code = 0;
    while (i + 2 <= n) {
        int op = b[i] & 0x0f;
        size_t len = b[i + 1] & 0x7f, h = 2;
        if (len == 126) {
            if (i + 4 > n)
                break;
            len = (size_t)b[i + 2] << 8 | b[i + 3];
            h = 4;
        } else if (len == 127) {
            break; /* the demo's events are far smaller */
        }
        if (i + h + len > n)
            break;
        if (op == 8 && len >= 2)
            code = b[i + h] << 8 | b[i + h + 1];
        i += h + len;
    }
    free(b);
    return code;
}

Test(live_pacing, a_client_that_never_reads_is_dropped_the_readers_get_everything)
{
    char url[128];
    char *extra[] = {"--projects", "200", "--wait-clients", "3", "--queue-max", "64", NULL};
    proc srv = serve(url, sizeof url, extra);
    int stuck = never_reader(url);
    proc w[2] = {watch(url, 0), watch(url, 1)};
    int rc[2];
    for (int i = 0; i < 2; i++) {
        rc[i] = proc_wait(&w[i], 90000);
        proc_stop(&w[i]);
    }
    /* The server is closing now (it waits up to 5 s for the stuck client):
     * read at once, and find its 1008 at the end. */
    cr_expect_eq(read_close_code(stuck), 1008);
    close(stuck);
    for (int i = 0; i < 2; i++) {
        char *err = test_slurp(path_in("watch.err", i), NULL);
        cr_expect_eq(rc[i], 0, "watch %d: exit %d\n%s", i, rc[i], err);
        free(err);
        expect_all_in_order(path_in("rec", i), 200);
    }
    cr_expect_eq(proc_wait(&srv, 20000), 0);
    proc_stop(&srv);
    char *log = test_slurp(path_in("serve.err", 0), NULL);
    cr_expect_eq(strstr(log, "fell too far behind") != NULL, 1, "%s", log);
    cr_expect_not_null(strstr(log, "3 clients served"), "%s", log);
    free(log);
}

Test(live_pacing, ctrl_c_is_a_clean_stop_with_1001)
{
    char url[128];
    char *extra[] = {"--rate", "200", "--loop", NULL};
    proc srv = serve(url, sizeof url, extra);
    proc w = watch(url, 0);
    usleep(1500 * 1000); /* mid-scenario */
    kill(srv.pid, SIGINT);
    cr_expect_eq(proc_wait(&srv, 10000), 0, "a signal is a clean stop");
    proc_stop(&srv);
    int rc = proc_wait(&w, 10000);
    proc_stop(&w);
    char *log = test_slurp(path_in("serve.err", 0), NULL);
    char *err = test_slurp(path_in("watch.err", 0), NULL);
    cr_expect_null(strstr(log, "error"), "no error line:\n%s", log);
    cr_expect_null(strstr(log, "ERROR"), "no error line:\n%s", log);
    cr_expect_not_null(strstr(log, "(stopped by a signal)"), "%s", log);
    cr_expect_eq(rc, 0, "%s", err);
    cr_expect_not_null(strstr(err, "closed by the server: 1001 (going away) \"server shutting "
                                   "down\""),
                       "%s", err);
    free(log);
    free(err);
    /* What it sent stops at a broadcast boundary: every recorded event is
     * whole and in order. */
    size_t len;
    char *rec = test_slurp(path_in("rec", 0), &len);
    cr_expect_gt(len, 0);
    cr_expect_eq(rec[len - 1], '\n');
    free(rec);
}
