/* SPDX-License-Identifier: MIT */
/*
 * cfc-demo serve: plays the demo scenario through the reference broadcasters
 * to every WebSocket client, over the libwebsockets connection manager
 * (cfc/ws_server.h).
 *
 *   cfc-demo serve --port P [--rate EVENTS_PER_S] [--loop] [...]
 *
 * Prints the URL it listens on (one line, stdout), waits for the clients,
 * plays, then closes every connection with 1000 "scenario complete". With
 * --loop it plays again until SIGINT/SIGTERM, each pass as a new project
 * (IDs 1, 2, 3, ...): replaying a project would name its retired agents
 * again, which the stream rules forbid (S2). SIGINT/SIGTERM are a clean
 * stop, not an error: the scenario stops at the broadcast it was making,
 * and the connections close with 1001 "server shutting down".
 *
 * Pacing: by default the server goes at its clients' pace (--max-stall):
 * a broadcast that finds a client's queue full waits for room, so a client
 * that reads is never dropped; one that takes nothing for --max-stall
 * seconds is dropped with 1008. --max-stall 0 never waits (the library's
 * default: drop at once).
 */
#define _POSIX_C_SOURCE 200809L
#include "serve.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfc/reference.h"
#include "cfc/ws_server.h"
#include "scenario.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

typedef struct pacer {
    cfc_ws_server *srv;
    double interval; /* seconds between events; 0: as fast as possible */
    double next;
    int64_t fixed_ms; /* --fixed-clock */
} pacer;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The broadcast callback: waits for the event's slot (--rate), then hands it
 * to the server (which waits for a full client up to --max-stall). A stop
 * signal ends the scenario through a failed broadcast, its first. */
static int paced_broadcast(void *ctx, int64_t project_id, const char *json, size_t len)
{
    pacer *p = ctx;
    if (p->interval > 0) {
        double now = mono_s();
        if (p->next == 0)
            p->next = now;
        while (!stop_signal && now < p->next) {
            double left = p->next - now;
            if (left > 0.05)
                left = 0.05;
            struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
            nanosleep(&ts, NULL);
            now = mono_s();
        }
        p->next += p->interval;
        if (p->next < now - 1)
            p->next = now; /* fell behind by more than a second: do not burst */
    }
    if (stop_signal)
        return -1;
    return cfc_ws_server_broadcast(p->srv, project_id, json, len);
}

static int fixed_tick(void *ctx, int64_t *unix_ms)
{
    pacer *p = ctx;
    *unix_ms = p->fixed_ms;
    p->fixed_ms += 1337;
    return 0;
}

static bool verbose;

static void serve_log(void *ctx, cfc_log_level level, const char *message)
{
    (void)ctx;
    if (level < CFC_LOG_WARNING && !verbose)
        return;
    /* The broadcast a stop signal failed on purpose is not an error. */
    if (stop_signal && level >= CFC_LOG_ERROR && strstr(message, "broadcast"))
        return;
    fprintf(stderr, "cfc-demo: %s: %s\n",
            level >= CFC_LOG_ERROR     ? "error"
            : level >= CFC_LOG_WARNING ? "warning"
                                       : "info",
            message);
}

static void usage(FILE *f)
{
    fputs("usage: cfc-demo serve --port P [--rate EVENTS_PER_S] [--loop] [OPTIONS]\n"
          "\n"
          "Plays the demo scenario to WebSocket clients (ws://ADDRESS:P/, any path).\n"
          "Prints the URL, waits for the clients, plays, then closes each connection\n"
          "with 1000 \"scenario complete\". A client that sends\n"
          "{\"type\":\"subscribe\",\"project_id\":N} gets project N's events only.\n"
          "\n"
          "  --port P           port to listen on (0: any free port; the URL says which)\n"
          "  --address A        IP address to listen on (default 127.0.0.1)\n"
          "  --rate R           events per second (default: as fast as clients take them)\n"
          "  --loop             play again and again (each pass a new project) until\n"
          "                     SIGINT or SIGTERM\n"
          "  --wait-clients N   clients to wait for before playing (default 1)\n"
          "  --projects N       play the scenario for projects 1..N in turn (default 1)\n"
          "  --queue-max N      events queued per client (default 4096)\n"
          "  --max-stall S      when a client's queue is full, wait up to S seconds for\n"
          "                     room before dropping it as too slow (close code 1008);\n"
          "                     a client that reads paces the scenario (default 5;\n"
          "                     0: never wait, drop at once)\n"
          "  --fixed-clock      timestamps from 2025-11-08T14:30:45.123Z, +1.337 s each\n"
          "  --verbose          log connections and subscriptions to stderr\n"
          "  -h, --help         show this help\n"
          "\n"
          "SIGINT/SIGTERM stop cleanly: close 1001 \"server shutting down\", exit 0.\n"
          "\n"
          "Exit codes: 0 success (or stopped by a signal), 1 a broadcast failed,\n"
          "2 usage error or the server could not start.\n",
          f);
}

static bool parse_count(const char *s, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

static int bad(const char *what, const char *value)
{
    fprintf(stderr, "cfc-demo: error: %s, not '%s'\nTry 'cfc-demo serve --help'.\n", what, value);
    return 2;
}

int cfc_demo_serve(int argc, char **argv)
{
    long long port = -1, wait_clients = 1, projects = 1, queue_max = 0;
    double rate = 0, max_stall = 5;
    bool loop = false, fixed = false;
    const char *address = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = strcmp(a, "--port") == 0 || strcmp(a, "--rate") == 0 ||
                     strcmp(a, "--address") == 0 || strcmp(a, "--wait-clients") == 0 ||
                     strcmp(a, "--projects") == 0 || strcmp(a, "--queue-max") == 0 ||
                     strcmp(a, "--max-stall") == 0;
        if (takes && v == NULL)
            return bad("a value is missing", a);
        if (strcmp(a, "--port") == 0) {
            if (!parse_count(v, 65535, &port))
                return bad("--port wants 0..65535", v);
        } else if (strcmp(a, "--rate") == 0) {
            char *end;
            errno = 0;
            rate = strtod(v, &end);
            if (errno || end == v || *end || !isfinite(rate) || rate <= 0 || rate > 1e9)
                return bad("--rate wants a positive number of events per second", v);
        } else if (strcmp(a, "--max-stall") == 0) {
            char *end;
            errno = 0;
            max_stall = strtod(v, &end);
            if (errno || end == v || *end || !isfinite(max_stall) || max_stall < 0 ||
                max_stall > 3600)
                return bad("--max-stall wants seconds in 0..3600", v);
        } else if (strcmp(a, "--address") == 0) {
            address = v;
        } else if (strcmp(a, "--wait-clients") == 0) {
            if (!parse_count(v, 100000, &wait_clients))
                return bad("--wait-clients wants 0..100000", v);
        } else if (strcmp(a, "--projects") == 0) {
            if (!parse_count(v, 1000000, &projects) || projects < 1)
                return bad("--projects wants 1..1000000", v);
        } else if (strcmp(a, "--queue-max") == 0) {
            if (!parse_count(v, 1 << 24, &queue_max) || queue_max < 1)
                return bad("--queue-max wants 1..16777216", v);
        } else if (strcmp(a, "--loop") == 0) {
            loop = true;
        } else if (strcmp(a, "--fixed-clock") == 0) {
            fixed = true;
        } else if (strcmp(a, "--verbose") == 0) {
            verbose = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return fclose(stdout) == 0 ? 0 : 2;
        } else {
            return bad("unknown argument", a);
        }
        if (takes)
            i++;
    }
    if (port < 0)
        return bad("serve needs --port P (0 for any free port)", "");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[256];
    cfc_ws_server_options so = {.address = address,
                                .port = (int)port,
                                .queue_max = (size_t)queue_max,
                                .stall_ms = (unsigned)(max_stall * 1000),
                                .log = serve_log};
    cfc_ws_server *srv = cfc_ws_server_start(&so, err, sizeof err);
    if (srv == NULL) {
        fprintf(stderr, "cfc-demo: error: %s\n", err);
        return 2;
    }
    printf("ws://%s:%d/\n", address, cfc_ws_server_port(srv));
    if (fflush(stdout) != 0) {
        cfc_ws_server_free(srv);
        return 2;
    }
    fprintf(stderr, "cfc-demo: serving on ws://%s:%d/; waiting for %lld client%s\n", address,
            cfc_ws_server_port(srv), wait_clients, wait_clients == 1 ? "" : "s");

    /* 2025-11-08T14:30:45.123Z, the contract's first example. */
    pacer p = {
        .srv = srv, .interval = rate > 0 ? 1.0 / rate : 0, .fixed_ms = INT64_C(1762612245123)};
    /* The broadcasters log each event at INFO: too much even for --verbose. */
    cfc_manager m = {.broadcast = paced_broadcast, .broadcast_ctx = &p, .log = serve_log};
    if (fixed) {
        m.clock = fixed_tick;
        m.clock_ctx = &p;
    }
    int rc = 0;
    if (cfc_ws_server_wait_clients(srv, (size_t)wait_clients, -1,
                                   (const volatile int *)&stop_signal) == 0) {
        int64_t project = 1;
        do {
            for (long long k = 0; k < projects && !stop_signal; k++) {
                cfc_status s = cfc_demo_play(&m, project++);
                if (s != CFC_OK && !stop_signal) {
                    fprintf(stderr, "cfc-demo: error: the scenario stopped: %s\n",
                            cfc_status_text(s));
                    rc = 1;
                    break;
                }
            }
            /* Let every client catch up before the next pass (or the end); a
             * client stuck for 10 s is left behind (and dropped when its
             * queue overflows). */
            for (int t = 0; t < 100 && !stop_signal && cfc_ws_server_drain(srv, 100) != 0; t++)
                ;
        } while (loop && rc == 0 && !stop_signal);
    }
    if (stop_signal)
        cfc_ws_server_close_all(srv, 1001, "server shutting down", 2000);
    else
        cfc_ws_server_close_all(srv, 1000, "scenario complete", 5000);
    cfc_ws_server_stats st;
    cfc_ws_server_get_stats(srv, &st);
    cfc_ws_server_free(srv);
    fprintf(stderr, "cfc-demo: %llu events broadcast, %llu messages sent, %zu client%s served%s\n",
            (unsigned long long)st.broadcasts, (unsigned long long)st.sent, st.connected,
            st.connected == 1 ? "" : "s", stop_signal ? " (stopped by a signal)" : "");
    if (fclose(stdout) != 0)
        return 2;
    return rc;
}
