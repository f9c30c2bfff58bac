/* SPDX-License-Identifier: MIT */
/*
 * cfconform watch URL: attach to a running producer's WebSocket endpoint and
 * check every event it sends, live.
 *
 * Each text message (reassembled from continuation frames) is one event,
 * checked by the same core as `check`; binary frames, oversized messages and
 * invalid UTF-8 are findings. Findings go out as they come (text, json;
 * junit at the end), then the summary. The run stops on --count, --duration,
 * --idle-timeout, the peer closing, or SIGINT/SIGTERM; every message received
 * until then is checked and reported. --record writes every message's exact
 * bytes, one per line, for `cfconform check` to replay.
 *
 * Exit codes: 0 no errors, 1 errors found (or warnings with --fail-on
 * warning), a WebSocket protocol fault by the server among them (a
 * ws-protocol finding; the connection is failed with 1002), 2 usage or I/O
 * error, no connection (refused, DNS, TLS, HTTP status, timeout), a
 * connection that ended abnormally (no close frame, a close code other than
 * 1000, 1001 or none) without --reconnect, or an incomplete run: fewer
 * events than --count asked for.
 *
 * A cut stream must never pass. The close code alone cannot prove a stream
 * complete (a server can say 1000 after cutting it short, as the reference
 * server once did to a client it had dropped), so watch checks what it can
 * know: the close frame and its code, a message cut by the connection's end
 * (a text-frame finding), and, when the caller knows how many events the
 * producer sends (--count N, e.g. 233 for the demo scenario), that all of
 * them arrived, whatever the close code said.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cfc/check.h"
#include "cfc/contract.h"
#include "cfc/report.h"
#include "cfc/stream.h"
#include "cli.h"
#include "ws_client.h"
#include "ws_frames.h"
#include "ws_scan.h"

/* `watch` has the options it shares with `check` (cli_options.c: format,
 * limits, config, stream rules...) and these; --help lists both. */
enum {
    W_HEADER = 1,
    W_SUBSCRIBE,
    W_INSECURE,
    W_COUNT,
    W_DURATION,
    W_IDLE,
    W_CONNECT_TIMEOUT,
    W_RECORD,
    W_RECONNECT,
    W_RECONNECT_MAX,
    W_VERBOSE,
    W_NO_DEFLATE,
    W_HELP
};

static const cfc_cli_option wopts[] = {
    {W_HEADER, "--header", "'NAME: VALUE'", "an HTTP header for the handshake (repeatable)"},
    {W_SUBSCRIBE, "--subscribe", "TEXT",
     "a message to send once connected, e.g. '{\"type\":\"subscribe\",\"project_id\":1}' (sets "
     "--project by default)"},
    {W_INSECURE, "--insecure", NULL,
     "wss: accept a self-signed, untrusted, expired or mismatched certificate (to trust a CA "
     "of your own instead: SSL_CERT_FILE=ca.pem)"},
    {W_COUNT, "--count", "N",
     "stop after N events; fewer is an incomplete run (exit 2), whatever the close code"},
    {W_DURATION, "--duration", "SECONDS", "stop after this long"},
    {W_IDLE, "--idle-timeout", "SECONDS", "stop after this long without a frame"},
    {W_CONNECT_TIMEOUT, "--connect-timeout", "SECONDS",
     "give up on a handshake after this long (default 10)"},
    {W_RECORD, "--record", "FILE",
     "write every message's exact bytes to FILE, one per line (replay: cfconform check FILE)"},
    {W_RECONNECT, "--reconnect", NULL,
     "reconnect when the connection fails or ends, with exponential backoff"},
    {W_RECONNECT_MAX, "--reconnect-max", "SECONDS", "longest wait between reconnects (default 30)"},
    {W_VERBOSE, "--verbose", NULL, "connection events and libwebsockets' own warnings to stderr"},
    {W_NO_DEFLATE, "--no-deflate", NULL,
     "do not offer permessage-deflate compression (offered by default; a compressed message "
     "counts against --max-event-bytes as inflated)"},
    {W_HELP, "--help", NULL, "show this help"},
};
#define N_WOPTS (sizeof wopts / sizeof wopts[0])

static void watch_usage(FILE *f)
{
    fputs("usage: cfconform watch [OPTIONS] URL     check a live producer (ws:// or wss://)\n"
          "\n"
          "Every text message is one event, checked as `cfconform check` checks a line;\n"
          "findings are printed as they arrive, the summary when the watch stops: on\n"
          "--count, --duration, --idle-timeout, the server closing, or Ctrl-C.\n"
          "\n"
          "options:\n",
          f);
    cfc_cli_print_options(f, wopts, N_WOPTS);
    cfc_cli_print_options(f, cfc_cli_checking_options, cfc_cli_n_checking_options);
    fputs(
        "\nexample:\n"
        "  cfconform watch --count 100 --subscribe '{\"type\":\"subscribe\",\"project_id\":1}' \\\n"
        "      ws://127.0.0.1:8080/ws\n"
        "\nexit codes: 0 no errors, 1 errors found (or warnings with --fail-on warning),\n"
        "              a WebSocket protocol fault by the server among them: a\n"
        "              ws-protocol finding (masked frame, reserved bits or opcode,\n"
        "              illegal close code, ...; the connection is failed with 1002)\n"
        "            2 usage or I/O error, no connection (refused, DNS, TLS, HTTP status,\n"
        "              timeout), the connection ended abnormally (without --reconnect),\n"
        "              or fewer events than --count arrived (incomplete)\n",
        f);
}

/* ---- signals ------------------------------------------------------------ */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* ---- the watch ---------------------------------------------------------- */

typedef enum stop_cause {
    STOP_NONE,
    STOP_COUNT,
    STOP_DURATION,
    STOP_IDLE,
    STOP_SIGNAL,
    STOP_PEER,
    STOP_TROUBLE
} stop_cause;

/* Fields are grouped by the thread that writes them often, each group on
 * cache lines of its own: the relay thread counts every chunk and the
 * checking thread every event, and with both counts on one line each write
 * took the line from the other core (false sharing, per event on both). */
typedef struct watch {
    /* Set up before the threads start, or written rarely (stop). */
    cfc_checker *checker;
    cfc_stream *stream; /* every text message is the stream's next event */
    cfc_cli_reports *report;
    cfc_wsmsg *assembler;
    FILE *record;
    const char *record_path;
    size_t count; /* 0: no limit */
    double duration_s, idle_s;
    double start;
    struct pipe_ *pipe; /* network thread -> checking thread */
    cfc_wsc *client;    /* woken by the checking thread's stops */
    bool verbose;
    _Atomic int stop; /* a stop_cause; set by both threads */

    /* The relay thread's: chunks received, for last_frame. */
    _Alignas(64) _Atomic size_t chunks;

    /* The libwebsockets thread's (should_stop). */
    _Alignas(64) double last_frame;
    size_t chunks_seen; /* chunks when last_frame was taken */

    /* The checking thread's. */
    _Alignas(64) size_t events, errors, warnings;
    size_t faults;       /* ws-protocol findings: report entries that are no message */
    size_t unreplayable; /* recorded messages that cannot replay as one line */
    /* The message being recorded. */
    bool msg_started, msg_binary, msg_has_lf, msg_nonblank, msg_last_cr;
    bool trouble;
    bool dirty; /* output written since the last flush */
} watch;

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The run stops for `why`: --count reached, or trouble (an I/O error, out
 * of memory), decided on the checking thread or after the connection. The
 * libwebsockets thread is woken to close now: it polls should_stop only
 * every 50 ms otherwise, a fixed 45 ms at the end of each run. */
static void stop_run(watch *w, stop_cause why)
{
    if (why == STOP_TROUBLE)
        w->trouble = true;
    w->stop = why;
    cfc_wsc_wake(w->client);
}

/* One more entry (an event, or a protocol fault) in every report; its
 * counts in the totals. -1: a report could not be written (the run stops). */
static int report_result(watch *w, const cfc_event_result *res)
{
    w->errors += res->errors;
    w->warnings += res->warnings;
    w->dirty = true;
    if (cfc_cli_reports_event(w->report, w->events + w->faults, res) != 0) {
        stop_run(w, STOP_TROUBLE);
        return -1;
    }
    return 0;
}

static int on_message(void *ctx, cfc_wsmsg_kind kind, const char *bytes, size_t len,
                      const cfc_event_result *res)
{
    (void)kind;
    (void)bytes;
    (void)len;
    watch *w = ctx;
    w->events++;
    if (report_result(w, res) != 0)
        return -1;
    if (w->count && w->events >= w->count) {
        stop_run(w, STOP_COUNT);
        return 1;
    }
    return 0;
}

/* A protocol fault by the server, as a ws-protocol finding in every report:
 * one more entry, after the messages received before it, in place of the
 * message it broke (it is no event: --count does not count it). Returns
 * whether it was reported as an error (a rules configuration may turn the
 * rule off or into a warning). */
static bool report_protocol_fault(watch *w, const char *what)
{
    const cfc_event_result *res;
    if (cfc_check_protocol_fault(w->checker, what, &res) != CFC_CHECK_OK) {
        fputs("cfconform: error: out of memory\n", stderr);
        stop_run(w, STOP_TROUBLE);
        return false;
    }
    if (res->n_findings == 0 && res->n_dropped == 0)
        return false; /* the rule is off */
    w->faults++;
    (void)report_result(w, res);
    return res->errors > 0;
}

/* The record: each message's bytes as they arrive, then a newline. A message
 * that holds a newline, is empty or blank, ends in CR, or is binary cannot
 * replay as exactly one NDJSON line: it is still written verbatim, and
 * counted, so the summary can say so. */
static void record_chunk(watch *w, const void *data, size_t len, bool final, bool binary)
{
    if (w->record == NULL)
        return;
    if (!w->msg_started) {
        w->msg_started = true;
        w->msg_binary = binary;
    }
    if (len && fwrite(data, 1, len, w->record) != len)
        w->trouble = true;
    const char *p = data;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '\n')
            w->msg_has_lf = true;
        else if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            w->msg_nonblank = true;
    }
    if (len)
        w->msg_last_cr = p[len - 1] == '\r';
    if (!final)
        return;
    if (w->msg_has_lf || w->msg_binary || !w->msg_nonblank || w->msg_last_cr)
        w->unreplayable++;
    if (fputc('\n', w->record) == EOF)
        w->trouble = true;
    w->msg_started = w->msg_binary = w->msg_has_lf = w->msg_nonblank = w->msg_last_cr = false;
    if (w->trouble && w->stop != STOP_TROUBLE) {
        fprintf(stderr, "cfconform: error: cannot write to %s: %s\n", w->record_path,
                strerror(errno ? errno : EIO));
        stop_run(w, STOP_TROUBLE);
    }
}

/* ---- the checking thread ----------------------------------------------------
 *
 * The network thread is the relay's (ws_tap.h): it reads the server's
 * stream, takes the data payloads out of it (libwebsockets no longer parses
 * them byte by byte: that was 60% of watch's instructions) and hands them
 * over; checking is now nearly all of watch's work, on a thread of its own,
 * so reading the next 64 KiB (and the kernel's share of it) overlaps with
 * checking the last, as `check` overlaps reading and checking. The network
 * thread copies each chunk into a bounded ring (when it is full, the network
 * thread waits, and TCP slows the producer down); the checking thread takes
 * chunks in order, records, reassembles, checks and reports them. Everything
 * the ring holds is checked before any stop is reported (pipe_drain, after
 * the relay has ended).
 *
 * The hand-off is per batch, not per chunk: events are small (about 165
 * bytes), so waking a thread per event cost more than checking it. The
 * network thread writes a read's chunks without the lock and publishes them
 * together (one lock per read, not per event); the checking thread takes
 * every chunk published so far, checks them in place (the ring's room comes
 * back only after them), and sleeps only when the ring is empty; each side
 * signals the other only when it is asleep. */

#define RING_BYTES ((size_t)1 << 20)
#define CHUNK_MAX ((size_t)1 << 16)
#define BATCH_BYTES ((size_t)1 << 16) /* room given back at least this often */
/* A network thread that found the ring full waits until this much is free,
 * not for each batch checked: woken per 64 KiB (about 2,400 times a million
 * events), it was pulled onto the checking thread's core by the wake-ups
 * (the scheduler places a woken thread near its waker), and the two then
 * shared one core while the other idled: about half the bench's runs took
 * 1.5 times as long. */
#define RESUME_ROOM (RING_BYTES / 2)

typedef struct chunk_head {
    uint32_t len;
    bool final, binary;
} chunk_head;

struct pipe_ {
    /* Fixed while the checking thread runs. */
    unsigned char *ring;
    unsigned char *item; /* CHUNK_MAX bytes: a chunk that wraps around the ring's end */
    bool started;
    pthread_t thread;

    /* Under the lock. */
    _Alignas(64) pthread_mutex_t lock;
    pthread_cond_t to_checker; /* chunks queued, or closing */
    pthread_cond_t to_network; /* room given back, or the ring emptied */
    size_t head, used;         /* bytes queued and not yet checked, from head */
    bool checker_asleep;       /* waiting on to_checker */
    size_t network_waiting;    /* pipe_put or pipe_drain waiting on to_network */
    bool closing;

    /* The network thread's own, no lock, written per chunk (a cache line
     * the checking thread never reads): chunks it wrote after head + used
     * and has not published yet, where the next one goes, and the room it
     * knew of at its last publish (used only shrinks meanwhile). */
    _Alignas(64) size_t pending, tail, room;
};

/* The network thread: writes past the published bytes (no lock: the
 * checking thread reads only up to head + used). */
static void ring_copy_in(struct pipe_ *p, const void *src, size_t n)
{
    size_t at = p->tail, first = RING_BYTES - at < n ? RING_BYTES - at : n;
    memcpy(p->ring + at, src, first);
    memcpy(p->ring, (const unsigned char *)src + first, n - first);
    p->tail = (at + n) % RING_BYTES;
    p->pending += n;
    p->room -= n;
}

/* Reads n bytes at ring offset `at` (no lock: the bytes are queued and only
 * the checking thread reads them); a copy into dst only when they wrap. */
static const unsigned char *ring_at(const struct pipe_ *p, size_t at, void *dst, size_t n)
{
    if (at + n <= RING_BYTES)
        return p->ring + at;
    size_t first = RING_BYTES - at;
    memcpy(dst, p->ring + at, first);
    memcpy((unsigned char *)dst + first, p->ring, n - first);
    return dst;
}

/* The network thread, lock held: makes its pending chunks visible to the
 * checking thread, wakes it if it sleeps, and when fewer than `need` bytes
 * are free, waits until half the ring is (RESUME_ROOM). */
static void publish_locked(struct pipe_ *p, size_t need)
{
    p->used += p->pending;
    p->pending = 0;
    if (p->checker_asleep && p->used > 0)
        pthread_cond_signal(&p->to_checker);
    if (RING_BYTES - p->used >= need)
        need = 0;
    else if (need < RESUME_ROOM)
        need = RESUME_ROOM;
    while (RING_BYTES - p->used < need) {
        p->network_waiting++;
        pthread_cond_wait(&p->to_network, &p->lock);
        p->network_waiting--;
    }
    p->room = RING_BYTES - p->used;
}

/* The network thread: queues one chunk, split if it is larger than
 * CHUNK_MAX. No lock while the room it knows of suffices: the chunks of a
 * read are published together (pipe_wake), or sooner when the room runs
 * out or BATCH_BYTES are waiting, so the checking thread starts early. */
static void pipe_put(struct pipe_ *p, const void *data, size_t len, bool final, bool binary)
{
    const unsigned char *d = data;
    do {
        size_t n = len < CHUNK_MAX ? len : CHUNK_MAX;
        chunk_head h = {(uint32_t)n, final && n == len, binary};
        if (p->room < sizeof h + n || p->pending >= BATCH_BYTES) {
            pthread_mutex_lock(&p->lock);
            publish_locked(p, sizeof h + n);
            pthread_mutex_unlock(&p->lock);
        }
        ring_copy_in(p, &h, sizeof h);
        if (n)
            ring_copy_in(p, d, n);
        d += n;
        len -= n;
    } while (len > 0);
}

/* The network thread, after each read: hands over what the read queued
 * (every chunk of it at once, not one wake per event). */
static void pipe_wake(struct pipe_ *p)
{
    if (!p->started || p->pending == 0)
        return;
    pthread_mutex_lock(&p->lock);
    publish_locked(p, 0);
    pthread_mutex_unlock(&p->lock);
}

/* Waits until every queued chunk has been checked and reported. */
static void pipe_drain(struct pipe_ *p)
{
    if (!p->started)
        return;
    pthread_mutex_lock(&p->lock);
    publish_locked(p, 0);
    while (p->used > 0) {
        p->network_waiting++;
        pthread_cond_wait(&p->to_network, &p->lock);
        p->network_waiting--;
    }
    pthread_mutex_unlock(&p->lock);
}

static void flush_output(watch *w);

/* One chunk, on the checking thread. */
static void check_chunk(watch *w, const unsigned char *data, size_t len, bool final, bool binary)
{
    if (w->stop == STOP_COUNT || w->stop == STOP_TROUBLE)
        return; /* past the end: neither checked nor recorded */
    record_chunk(w, data, len, final, binary);
    int rc = cfc_wsmsg_feed(w->assembler, data, len, final, binary);
    if (rc < 0 && w->stop != STOP_TROUBLE) {
        fputs("cfconform: error: out of memory\n", stderr);
        stop_run(w, STOP_TROUBLE);
    }
}

static void *checking_thread(void *arg)
{
    watch *w = arg;
    struct pipe_ *p = w->pipe;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        if (p->used == 0) {
            if (p->closing)
                break;
            /* Nothing to do: show what was found so far, then wait. */
            pthread_mutex_unlock(&p->lock);
            flush_output(w);
            pthread_mutex_lock(&p->lock);
            while (p->used == 0 && !p->closing) {
                p->checker_asleep = true;
                pthread_cond_wait(&p->to_checker, &p->lock);
                p->checker_asleep = false;
            }
            continue;
        }
        /* Everything queued so far (up to BATCH_BYTES), checked without the
         * lock: the network thread only appends after it. */
        size_t at = p->head, avail = p->used, done = 0;
        pthread_mutex_unlock(&p->lock);
        while (done < avail && done < BATCH_BYTES) {
            chunk_head h;
            memcpy(&h, ring_at(p, at, &h, sizeof h), sizeof h);
            at = (at + sizeof h) % RING_BYTES;
            const unsigned char *data = ring_at(p, at, p->item, h.len);
            check_chunk(w, data, h.len, h.final, h.binary);
            at = (at + h.len) % RING_BYTES;
            done += sizeof h + h.len;
        }
        pthread_mutex_lock(&p->lock);
        p->head = at;
        p->used -= done;
        if (p->network_waiting && RING_BYTES - p->used >= RESUME_ROOM)
            pthread_cond_broadcast(&p->to_network);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static int pipe_start(watch *w, struct pipe_ *p)
{
    memset(p, 0, sizeof *p);
    p->ring = malloc(RING_BYTES);
    p->item = malloc(CHUNK_MAX);
    if (p->ring == NULL || p->item == NULL) {
        free(p->ring);
        free(p->item);
        return -1;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->to_checker, NULL);
    pthread_cond_init(&p->to_network, NULL);
    w->pipe = p;
    if (pthread_create(&p->thread, NULL, checking_thread, w) != 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->to_checker);
        pthread_cond_destroy(&p->to_network);
        free(p->ring);
        free(p->item);
        return -1;
    }
    p->started = true;
    return 0;
}

static void pipe_stop(struct pipe_ *p)
{
    if (!p->started)
        return;
    pthread_mutex_lock(&p->lock);
    p->closing = true;
    pthread_cond_signal(&p->to_checker);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->to_checker);
    pthread_cond_destroy(&p->to_network);
    free(p->ring);
    free(p->item);
    p->started = false;
}

/* The relay thread's data callback (ws_client.h). The time of the last
 * frame (for --idle-timeout) is taken by should_stop, from this count: a
 * clock read per event was a measurable share of the network thread. */
static int on_data(void *ctx, const void *data, size_t len, bool final, bool binary)
{
    watch *w = ctx;
    if (w->stop == STOP_COUNT || w->stop == STOP_TROUBLE)
        return 1; /* past the end: neither checked nor recorded */
    /* The only writer: a load and a store, no locked increment. */
    atomic_store_explicit(&w->chunks, atomic_load_explicit(&w->chunks, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    pipe_put(w->pipe, data, len, final, binary);
    return w->stop == STOP_COUNT || w->stop == STOP_TROUBLE;
}

/* The relay thread, after each read: hands what the read queued to the
 * checking thread (every chunk of it at once, not one wake per event). */
static void on_flush(void *ctx)
{
    watch *w = ctx;
    pipe_wake(w->pipe);
}

static void flush_output(watch *w)
{
    if (!w->dirty)
        return;
    w->dirty = false;
    if (fflush(stdout) != 0)
        stop_run(w, STOP_TROUBLE);
}

/* Polled by the client between waits (on the libwebsockets thread):
 * decides the time-based and signal stops. */
static int should_stop(void *ctx)
{
    watch *w = ctx;
    if (w->stop != STOP_NONE && w->stop != STOP_PEER)
        return 1;
    double t = mono_s();
    size_t chunks = w->chunks;
    if (chunks != w->chunks_seen) {
        w->chunks_seen = chunks;
        w->last_frame = t;
    }
    if (stop_signal)
        w->stop = STOP_SIGNAL;
    else if (w->duration_s > 0 && t - w->start >= w->duration_s)
        w->stop = STOP_DURATION;
    else if (w->idle_s > 0 && t - w->last_frame >= w->idle_s)
        w->stop = STOP_IDLE;
    return w->stop != STOP_NONE;
}

static void on_established(void *ctx)
{
    watch *w = ctx;
    w->last_frame = mono_s();
}

/* What to say when a connection could not open, and what to try. */
static void say_failure(const cfc_wsc *c, const char *url, const cfc_wsc_result *r,
                        const char *prefix)
{
    const char *host = cfc_wsc_host(c);
    int port = cfc_wsc_port(c);
    switch (r->failure) {
    case CFC_WSC_DNS:
        fprintf(stderr,
                "%sDNS failure: cannot resolve '%s' (%s)\n"
                "Check the host name in the URL, or use an IP address.\n",
                prefix, host, r->detail);
        break;
    case CFC_WSC_REFUSED:
        fprintf(stderr,
                "%sconnection refused by %s port %d: nothing accepts connections there\n"
                "Check that the producer is running and the port is right; --reconnect "
                "waits for it.\n",
                prefix, host, port);
        break;
    case CFC_WSC_UNREACHABLE:
        fprintf(stderr,
                "%scannot reach %s port %d (%s)\n"
                "Check the host and port, and any firewall in between.\n",
                prefix, host, port, r->detail);
        break;
    case CFC_WSC_TLS:
        fprintf(stderr,
                "%sTLS failure with %s port %d (%s)\n"
                "A certificate from a CA of your own needs SSL_CERT_FILE=ca.pem, a self-signed "
                "one --insecure; a server without TLS needs ws:// instead of wss://.\n",
                prefix, host, port, r->detail);
        break;
    case CFC_WSC_HTTP_STATUS:
        fprintf(stderr,
                "%sHTTP status %d from %s, not 101 Switching Protocols: the server "
                "refused the WebSocket upgrade\n"
                "Check the URL's path, and credentials (--header 'Authorization: "
                "Bearer ...').\n",
                prefix, r->http_status, url);
        break;
    case CFC_WSC_HANDSHAKE:
        fprintf(stderr,
                "%sthe WebSocket handshake with %s failed (%s)\n"
                "Check that the URL is a WebSocket endpoint.\n",
                prefix, url, r->detail);
        break;
    case CFC_WSC_TIMEOUT:
        fprintf(stderr,
                "%shandshake timeout: %s port %d accepted the connection but %s\n"
                "Check that it is a WebSocket endpoint (and ws:// or wss:// is right); "
                "--connect-timeout gives a slow server longer.\n",
                prefix, host, port, r->detail);
        break;
    case CFC_WSC_NOMEM: fprintf(stderr, "%sout of memory\n", prefix); break;
    default:
        fprintf(stderr,
                "%scannot connect to %s (%s)\n"
                "Check the URL; --verbose shows libwebsockets' own messages.\n",
                prefix, url, r->detail[0] ? r->detail : "no reason given");
        break;
    }
}

static const char *close_name(int code)
{
    switch (code) {
    case 1000: return "normal closure";
    case 1001: return "going away";
    case 1002: return "protocol error";
    case 1003: return "unsupported data";
    case 1005: return "no status code";
    case 1006: return "abnormal closure: no close frame";
    case 1007: return "invalid payload data";
    case 1008: return "policy violation";
    case 1009: return "message too big";
    case 1011: return "server error";
    case 1013: return "try again later";
    default: return code >= 4000 && code <= 4999 ? "application code" : "unassigned code";
    }
}

/* The close reason as printable ASCII (control and non-ASCII bytes as \xHH). */
static void print_reason(FILE *f, const char *reason)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)reason; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static bool normal_close(int code)
{
    return code == 1000 || code == 1001 || code == 1005;
}

/* The project a subscribe message names ({"type":"subscribe","project_id":N}),
 * or 0: the stream then knows which project the connection asked for (S7). */
static int64_t subscribed_project(const char *message)
{
    cJSON *j = cJSON_Parse(message);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "project_id");
    int64_t id = 0;
    if (cJSON_IsString(type) && strcmp(type->valuestring, "subscribe") == 0 && cJSON_IsNumber(p) &&
        p->valuedouble >= 1 && p->valuedouble <= (double)CFC_MAX_SAFE_INTEGER &&
        p->valuedouble == (double)(int64_t)p->valuedouble)
        id = (int64_t)p->valuedouble;
    cJSON_Delete(j);
    return id;
}

static bool parse_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 1e7)
        return false;
    *out = v;
    return true;
}

/* Sleeps up to `seconds`, waking early for a stop. */
static void backoff_sleep(watch *w, double seconds)
{
    double until = mono_s() + seconds;
    while (!should_stop(w)) {
        double left = until - mono_s();
        if (left <= 0)
            break;
        if (left > 0.05)
            left = 0.05;
        struct timespec ts = {0, (long)(left * 1e9)};
        nanosleep(&ts, NULL);
    }
}

int cfc_cmd_watch(int argc, char **argv)
{
    cfc_cli_checking k;
    cfc_cli_checking_init(&k);
    const char *url = NULL, *record = NULL;
    bool reconnect = false;
    const char *headers[argc > 0 ? argc : 1];
    size_t n_headers = 0;
    cfc_wsc_options wo = {0};
    double connect_timeout = 10, reconnect_max = 30;
    watch w = {0};

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (url)
                return cfc_cli_usage_error("watch takes one URL (a second: '%s')", a);
            url = a;
            continue;
        }
        const char *value = NULL;
        const cfc_cli_option *o = NULL;
        int m = cfc_cli_checking_option(&k, argc, argv, &i, wopts, N_WOPTS, &o, &value);
        if (m < 0)
            return EXIT_TROUBLE;
        if (m == 0)
            continue;
        switch (o->id) {
        case W_HEADER: headers[n_headers++] = value; break;
        case W_SUBSCRIBE: wo.subscribe = value; break;
        case W_INSECURE: wo.insecure = true; break;
        case W_COUNT: {
            uint64_t n;
            if (cfc_cli_parse_count("--count", value, 1, CFC_CLI_MAX_COUNT, &n) != 0)
                return EXIT_TROUBLE;
            w.count = (size_t)n;
            break;
        }
        case W_DURATION:
            if (!parse_seconds(value, &w.duration_s))
                return cfc_cli_usage_error(
                    "--duration wants a positive number of seconds, not '%s'", value);
            break;
        case W_IDLE:
            if (!parse_seconds(value, &w.idle_s))
                return cfc_cli_usage_error(
                    "--idle-timeout wants a positive number of seconds, not '%s'", value);
            break;
        case W_CONNECT_TIMEOUT:
            if (!parse_seconds(value, &connect_timeout) || connect_timeout > 3600)
                return cfc_cli_usage_error("--connect-timeout wants seconds in (0, 3600], not '%s'",
                                           value);
            break;
        case W_RECORD: record = value; break;
        case W_RECONNECT: reconnect = true; break;
        case W_RECONNECT_MAX:
            if (!parse_seconds(value, &reconnect_max))
                return cfc_cli_usage_error(
                    "--reconnect-max wants a positive number of seconds, not '%s'", value);
            break;
        case W_VERBOSE: wo.verbose = true; break;
        case W_NO_DEFLATE: wo.no_deflate = true; break;
        case W_HELP: watch_usage(stdout); return cfc_cli_close_stdout(EXIT_CONFORMS);
        }
    }
    if (url == NULL)
        return cfc_cli_usage_error("watch needs a URL, e.g. %s", "ws://127.0.0.1:8080/ws");
    if (cfc_cli_checking_validate(&k) != 0)
        return EXIT_TROUBLE;
    wo.url = url;
    wo.headers = headers;
    wo.n_headers = n_headers;
    wo.connect_timeout_ms = (unsigned)(connect_timeout * 1000);
    w.verbose = wo.verbose;

    char detail[256] = "";
    cfc_wsc_failure wf;
    cfc_wsc *client = cfc_wsc_new(&wo, &wf, detail, sizeof detail);
    if (client == NULL) {
        if (wf == CFC_WSC_BAD_URL)
            return cfc_cli_usage_error("%s", detail);
        fprintf(stderr, "cfconform: error: %s%s%s\n", cfc_wsc_failure_name(wf),
                detail[0] ? ": " : "", detail);
        return EXIT_TROUBLE;
    }

    int rc = EXIT_TROUBLE;
    w.client = client;
    w.checker = cfc_cli_checking_checker(&k); /* prints why when it cannot */
    if (w.checker == NULL)
        goto out;
    /* --events: a producer replaying unrelated samples; each message alone. */
    if (k.stream.subscribed_project_id == 0 && wo.subscribe && !k.events)
        k.stream.subscribed_project_id = subscribed_project(wo.subscribe);
    w.stream = k.events ? NULL : cfc_stream_new(w.checker, &k.stream);
    w.assembler = cfc_wsmsg_new(w.checker, on_message, &w);
    if ((!k.events && w.stream == NULL) || w.assembler == NULL)
        goto nomem;
    cfc_wsmsg_set_stream(w.assembler, w.stream);
    w.report = cfc_cli_reports_open(&k); /* says why when it cannot */
    if (w.report == NULL)
        goto out;
    if (record) {
        w.record = fopen(record, "wb");
        w.record_path = record;
        if (w.record == NULL) {
            fprintf(stderr, "cfconform: error: cannot write %s: %s\n", record, strerror(errno));
            goto out;
        }
    }
    if (cfc_cli_reports_begin_file(w.report, url) != 0)
        goto nomem;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C kills at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    stop_signal = 0;

    w.start = w.last_frame = mono_s();
    cfc_wsc_callbacks cb = {.ctx = &w,
                            .established = on_established,
                            .data = on_data,
                            .flush = on_flush,
                            .should_stop = should_stop};
    bool ever_connected = false, abnormal = false, failed = false;
    unsigned attempt = 0;
    cfc_wsc_result res;
    struct pipe_ pipe;
    if (pipe_start(&w, &pipe) != 0)
        goto nomem;
    for (;;) {
        cfc_wsc_run(client, &cb, &res);
        pipe_drain(&pipe); /* everything received is checked before anything else */
        if (res.established) {
            ever_connected = true;
            attempt = 0;
            /* A message the connection ended in the middle of is a finding,
             * also when libwebsockets held all of it so far (a partial frame:
             * res.frame_remaining), e.g. --idle-timeout firing mid-message. */
            if (w.stop != STOP_COUNT && w.stop != STOP_TROUBLE && !cfc_wsmsg_pending(w.assembler) &&
                res.frame_remaining > 0 && cfc_wsmsg_feed(w.assembler, "", 0, false, false) < 0)
                stop_run(&w, STOP_TROUBLE);
            if (w.stop != STOP_COUNT && w.stop != STOP_TROUBLE && cfc_wsmsg_pending(w.assembler)) {
                w.msg_binary = true; /* counted as not replayable: check sees a cut line */
                record_chunk(&w, "", 0, true, false);
                if (cfc_wsmsg_end(w.assembler) < 0 && w.stop != STOP_TROUBLE)
                    stop_run(&w, STOP_TROUBLE);
            }
            flush_output(&w);
            if (w.verbose)
                fprintf(stderr, "cfconform: watch: %s: permessage-deflate %s\n", url,
                        res.deflate ? "negotiated" : "not negotiated");
            bool ok_close = res.self_closed || (res.peer_closed && normal_close(res.close_code));
            if (res.protocol_fault[0]) {
                /* Named, not left to read as a lost connection: a finding
                 * (exit 1), unless the configuration turned ws-protocol off
                 * or into a warning, when the connection's abnormal end
                 * still makes it exit 2, never a pass. After --count was
                 * reached, nothing more belongs to the run. */
                fprintf(stderr, "cfconform: error: ws-protocol: %s: the server sent %s\n", url,
                        res.protocol_fault);
                ok_close = w.stop != STOP_COUNT && w.stop != STOP_TROUBLE &&
                           report_protocol_fault(&w, res.protocol_fault);
                flush_output(&w);
            }
            fprintf(stderr, "cfconform: watch: %s: ", url);
            if (res.self_closed)
                fputs("closed by cfconform", stderr);
            else if (res.peer_closed)
                fputs("closed by the server", stderr);
            else
                fputs("connection lost", stderr);
            if (res.close_code) {
                /* An illegal code the server put on the wire (1005 and 1006
                 * included: they name local events, never a close frame's). */
                bool illegal = res.peer_closed && res.protocol_fault[0] &&
                               !cfc_wsscan_close_code_sendable(res.close_code);
                fprintf(stderr, ": %d (%s)", res.close_code,
                        illegal ? "a code no close frame may carry" : close_name(res.close_code));
                if (res.close_reason[0]) {
                    fputc(' ', stderr);
                    print_reason(stderr, res.close_reason);
                }
            }
            fprintf(stderr, "; %zu event%s so far\n", w.events, w.events == 1 ? "" : "s");
            if (w.stop != STOP_NONE)
                break;
            if (!reconnect) {
                w.stop = STOP_PEER;
                abnormal = !ok_close;
                break;
            }
        } else {
            if (w.stop != STOP_NONE && w.stop != STOP_PEER)
                break; /* interrupted while connecting */
            if (!reconnect) {
                say_failure(client, url, &res, "cfconform: error: ");
                failed = true;
                break;
            }
            say_failure(client, url, &res, "cfconform: watch: ");
        }
        double delay = 0.25 * (double)(1u << (attempt < 16 ? attempt : 16));
        if (delay > reconnect_max)
            delay = reconnect_max;
        attempt++;
        fprintf(stderr, "cfconform: watch: reconnecting in %.2f s\n", delay);
        backoff_sleep(&w, delay);
        if (w.stop != STOP_NONE)
            break;
    }
    bool incomplete = w.count && w.events < w.count && w.stop != STOP_TROUBLE && !failed;
    if (incomplete)
        fprintf(stderr,
                "cfconform: error: incomplete: %zu of the %zu events asked for (--count) "
                "arrived\n",
                w.events, w.count);
    if (w.stop == STOP_SIGNAL && w.verbose)
        fprintf(stderr, "cfconform: watch: stopped by signal %d\n", (int)stop_signal);

    pipe_stop(&pipe);
    /* No connection at all: no summary of nothing (the message said why). */
    if (!failed && cfc_cli_reports_finish(w.report) != 0)
        w.trouble = true;
    if (w.record) {
        if (fclose(w.record) != 0) {
            fprintf(stderr, "cfconform: error: cannot write to %s\n", record);
            w.trouble = true;
        }
        w.record = NULL;
        if (w.unreplayable)
            fprintf(stderr,
                    "cfconform: watch: %s: %zu message%s will not replay line for line with "
                    "check (a newline inside, empty or blank, a trailing CR, or binary); they "
                    "are recorded verbatim\n",
                    record, w.unreplayable, w.unreplayable == 1 ? "" : "s");
    }
    if (failed || (!ever_connected && !reconnect))
        rc = EXIT_TROUBLE;
    else if (w.trouble)
        rc = EXIT_TROUBLE;
    else if (abnormal || incomplete)
        rc = EXIT_TROUBLE;
    else if (!ever_connected) {
        fprintf(stderr, "cfconform: error: %s: never connected\n", url);
        rc = EXIT_TROUBLE;
    } else if (w.errors > 0 || (k.fail_on_warning && w.warnings > 0))
        rc = EXIT_VIOLATIONS;
    else
        rc = EXIT_CONFORMS;
    goto out;

nomem:
    fputs("cfconform: error: out of memory\n", stderr);
out:
    if (w.record)
        fclose(w.record);
    cfc_cli_reports_free(w.report);
    cfc_wsmsg_free(w.assembler);
    cfc_stream_free(w.stream);
    cfc_checker_free(w.checker);
    cfc_wsc_free(client);
    return cfc_cli_close_stdout(rc);
}
