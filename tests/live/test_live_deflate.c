/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/*
 * cfconform watch with permessage-deflate (RFC 7692), offered by default
 * and turned off with --no-deflate: against a server of ours that
 * compresses by hand (tests/live/ws_deflate.py raw), python3-websockets'
 * own server, and uvicorn (tests/live/fastapi_app.py). Each test checks
 * what the server saw offered and accepted, that every event is checked the
 * same with and without compression, and that a decompression bomb (a few
 * KiB that inflate to 128 MiB) is one too-large finding while watch's
 * memory stays bounded (its peak RSS, from wait4, within 16 MiB of its peak
 * on three small events). Needs /usr/bin/python3
 * with python3-websockets, python3-fastapi and python3-uvicorn (Debian,
 * installed by scripts/setup); without them the tests are skipped, except
 * under CI=true, where they fail.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#define CFC CFC_BINARY_DIR "/cfconform"
#define SERVER CFC_SOURCE_DIR "/tests/live/ws_deflate.py"
#define APP CFC_SOURCE_DIR "/tests/live/fastapi_app.py"

TestSuite(live_deflate, .timeout = 120);

static bool have_python(const char *modules)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'import %s' 2>/dev/null", modules);
    bool ok = test_run(cmd, NULL) == 0;
    if (!ok && test_under_ci())
        cr_assert_fail("CI=true: /usr/bin/python3 needs %s (./scripts/setup installs them)",
                       modules);
    return ok;
}

typedef struct run {
    int rc;
    char *out, *err; /* free both */
    long maxrss_kb;  /* watch's peak resident set */
} run;

/* Runs cfconform watch with the arguments (NULL-terminated) and waits for
 * it (killed after 60 s), with its peak RSS from wait4. */
static run watch(const char *first, ...)
{
    char *argv[24] = {CFC, "watch"};
    int n = 2;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 23; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    char out_path[] = "/tmp/cfc-deflate-out-XXXXXX", err_path[] = "/tmp/cfc-deflate-err-XXXXXX";
    int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
    cr_assert(out_fd >= 0 && err_fd >= 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        alarm(60);
        execv(argv[0], argv);
        _exit(127);
    }
    close(out_fd);
    close(err_fd);
    int st;
    struct rusage ru;
    cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
    run r = {.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1, .maxrss_kb = ru.ru_maxrss};
    r.out = test_slurp(out_path, NULL);
    r.err = test_slurp(err_path, NULL);
    unlink(out_path);
    unlink(err_path);
    return r;
}

static void run_free(run *r)
{
    free(r->out);
    free(r->err);
}

/* Starts ws_deflate.py with its arguments; *url gets its URL. */
static proc server(char *url, size_t len, const char *a1, const char *a2, const char *a3)
{
    char *argv[] = {"/usr/bin/python3", SERVER, (char *)a1, (char *)a2, (char *)a3, NULL};
    proc p = proc_start(argv, NULL);
    char port[32];
    proc_read_line(&p, port, sizeof port, 20000);
    snprintf(url, len, "ws://127.0.0.1:%s/events", port);
    return p;
}

/* What the server printed once done: its OFFER and DEFLATE lines. */
static char *server_report(proc *p)
{
    char *rest = proc_read_rest(p, 30000);
    cr_expect_eq(proc_wait(p, 10000), 0, "the server serves one connection and exits\n%s", rest);
    proc_stop(p);
    return rest;
}

/* The three events (the second one not conforming), checked the same way
 * whether they came compressed or not. */
static void expect_three_events(const run *r)
{
    cr_expect_eq(r->rc, 1, "one non-conforming event: exit 1\n%s%s", r->out, r->err);
    cr_expect_not_null(strstr(r->out, "{\"summary\":{\"events\":3,\"ok\":2,\"errors\":1"), "%s",
                       r->out);
    cr_expect_not_null(strstr(r->out, "\"line\":2,\"type\":\"task_blocked\",\"ok\":false,"
                                      "\"findings\":[{\"rule\":\"blocked-count\""),
                       "%s", r->out);
    cr_expect_not_null(strstr(r->err, "closed by the server: 1000"), "%s", r->err);
}

Test(live_deflate, offered_by_default_and_compressed_events_are_checked)
{
    if (!have_python("zlib"))
        cr_skip_test("no /usr/bin/python3");
    char url[96];
    proc srv = server(url, sizeof url, "raw", "events", NULL);
    run r = watch("--verbose", "--format", "json", "--duration", "30", url, NULL);
    char *said = server_report(&srv);
    cr_expect_not_null(strstr(said, "OFFER permessage-deflate; client_max_window_bits"), "%s",
                       said);
    cr_expect_not_null(strstr(said, "DEFLATE yes"), "%s", said);
    cr_expect_not_null(strstr(r.err, "permessage-deflate negotiated"), "%s", r.err);
    expect_three_events(&r);
    free(said);
    run_free(&r);
}

Test(live_deflate, no_deflate_offers_nothing_and_the_same_events_are_checked)
{
    if (!have_python("zlib"))
        cr_skip_test("no /usr/bin/python3");
    char url[96];
    proc srv = server(url, sizeof url, "raw", "events", NULL);
    run r = watch("--no-deflate", "--verbose", "--format", "json", "--duration", "30", url, NULL);
    char *said = server_report(&srv);
    cr_expect_not_null(strstr(said, "OFFER none"), "%s", said);
    cr_expect_not_null(strstr(said, "DEFLATE no"), "%s", said);
    cr_expect_not_null(strstr(r.err, "permessage-deflate not negotiated"), "%s", r.err);
    expect_three_events(&r);
    free(said);
    run_free(&r);
}

/* 128 MiB of JSON string sent as about 128 KiB: the message is counted as
 * it inflates, never kept (ws_frames.h), so it is one too-large finding,
 * the next event is checked as usual, and watch's peak RSS stays far below
 * the inflated size. */
Test(live_deflate, decompression_bomb_is_too_large_with_bounded_memory)
{
    if (!have_python("zlib"))
        cr_skip_test("no /usr/bin/python3");
    /* The baseline: the same watch on three small events (a sanitizer
     * build's RSS is far larger than a release build's). */
    char url[96], size[32];
    proc small = server(url, sizeof url, "raw", "events", NULL);
    run base = watch("--max-event-bytes", "65536", "--duration", "30", url, NULL);
    free(server_report(&small));
    cr_expect_eq(base.rc, 1, "%s", base.err);
    run_free(&base);
    const long inflated = 128L << 20;
    snprintf(size, sizeof size, "%ld", inflated - 2);
    proc srv = server(url, sizeof url, "raw", "bomb", size);
    run r = watch("--max-event-bytes", "65536", "--format", "json", "--duration", "60", url, NULL);
    char *said = server_report(&srv);
    cr_expect_not_null(strstr(said, "DEFLATE yes"), "%s", said);
    long sent = 0;
    const char *b = strstr(said, "compressed to ");
    cr_assert_not_null(b, "%s", said);
    sent = atol(b + strlen("compressed to "));
    cr_expect_lt(sent, inflated / 500, "a bomb: %ld bytes inflate to %ld", sent, inflated);
    cr_expect_eq(r.rc, 1, "%s%s", r.out, r.err);
    cr_expect_not_null(strstr(r.out, "\"line\":1,"), "%s", r.out);
    cr_expect_not_null(strstr(r.out, "\"rule\":\"too-large\""), "%s", r.out);
    cr_expect_not_null(strstr(r.out, "{\"summary\":{\"events\":2,\"ok\":1,\"errors\":1"), "%s",
                       r.out);
    cr_expect_lt(r.maxrss_kb, base.maxrss_kb + 16L * 1024,
                 "peak RSS %ld KiB (%ld KiB for three small events) while a message inflated to "
                 "%ld MiB",
                 r.maxrss_kb, base.maxrss_kb, inflated >> 20);
    free(said);
    run_free(&r);
}

/* The same three events from `kind`'s server (in its `scenario`), watched
 * with permessage-deflate offered and then with --no-deflate: the server
 * says whether it compressed. */
static void three_events_with_and_without_deflate(const char *kind, const char *scenario)
{
    for (int off = 0; off <= 1; off++) {
        char url[96];
        proc srv = server(url, sizeof url, kind, scenario, NULL);
        run r = off ? watch("--no-deflate", "--format", "json", "--duration", "30", url, NULL)
                    : watch("--format", "json", "--duration", "30", url, NULL);
        char *said = server_report(&srv);
        cr_expect_not_null(strstr(said, off ? "DEFLATE no" : "DEFLATE yes"), "%s", said);
        expect_three_events(&r);
        free(said);
        run_free(&r);
    }
}

Test(live_deflate, python_websockets_server_compresses_and_watch_checks)
{
    if (!have_python("websockets"))
        cr_skip_test("python3-websockets not installed");
    three_events_with_and_without_deflate("websockets", NULL);
}

Test(live_deflate, uvicorn_negotiates_deflate_and_watch_checks_the_same)
{
    if (!have_python("fastapi, uvicorn, websockets"))
        cr_skip_test("python3-fastapi / python3-uvicorn / python3-websockets not installed");
    for (int off = 0; off <= 1; off++) {
        char *argv[] = {"/usr/bin/python3", APP, NULL};
        proc app = proc_start(argv, NULL);
        char port[32], url[96];
        proc_read_line(&app, port, sizeof port, 20000);
        snprintf(url, sizeof url, "ws://127.0.0.1:%s/ws", port);
        run r = off ? watch("--no-deflate", "--verbose", "--format", "json", "--duration", "30",
                            url, NULL)
                    : watch("--verbose", "--format", "json", "--duration", "30", url, NULL);
        cr_expect_eq(proc_wait(&app, 10000), 0, "the app serves one connection and exits");
        proc_stop(&app);
        cr_expect_not_null(strstr(r.err, off ? "permessage-deflate not negotiated"
                                             : "permessage-deflate negotiated"),
                           "%s", r.err);
        cr_expect_eq(r.rc, 1, "%s%s", r.out, r.err);
        cr_expect_not_null(strstr(r.out, "{\"summary\":{\"events\":7,\"ok\":6,\"errors\":1"), "%s",
                           r.out);
        cr_expect_not_null(strstr(r.err, "closed by the server: 1000"), "%s", r.err);
        run_free(&r);
    }
}

/* Compressed messages in several frames, a ping between two of them: the
 * relay inflates a message across its frames (ws_tap.h), with the context
 * kept from one message to the next; checked as the same events plain. */
Test(live_deflate, fragmented_messages_inflate_across_their_frames)
{
    if (!have_python("zlib"))
        cr_skip_test("no /usr/bin/python3");
    three_events_with_and_without_deflate("raw", "fragments");
}

/* A message whose DEFLATE data ends a stream (BFINAL) and starts another,
 * twice, and a message after it from a new compressor: the relay's inflate
 * context starts over at each stream's end (RFC 7692 7.2.3.3). */
Test(live_deflate, streams_ended_with_bfinal_start_over)
{
    if (!have_python("zlib"))
        cr_skip_test("no /usr/bin/python3");
    three_events_with_and_without_deflate("raw", "bfinal");
}

/* A compressed message that does not inflate is a protocol fault, named
 * (RFC 7692 7.2.2 / 6455 7.1.7: fail the connection): a ws-protocol
 * finding after the event before it (the summary counts it as an entry),
 * exit 1, and the server gets 1002; the event after it is not read. */
Test(live_deflate, a_message_that_does_not_inflate_is_a_named_fault)
{
    if (!have_python("zlib"))
        cr_skip_test("no /usr/bin/python3");
    char url[96];
    proc srv = server(url, sizeof url, "raw", "corrupt", NULL);
    run r = watch("--format", "json", "--duration", "30", url, NULL);
    char *said = server_report(&srv);
    cr_expect_not_null(strstr(said, "DEFLATE yes"), "%s", said);
    cr_expect_not_null(strstr(said, "CLIENT CLOSE 1002"), "%s", said);
    cr_expect_eq(r.rc, 1, "%s%s", r.out, r.err);
    cr_expect_not_null(strstr(r.out, "\"line\":1,\"type\":\"task_unblocked\",\"ok\":true"), "%s",
                       r.out);
    cr_expect_not_null(strstr(r.out, "\"rule\":\"ws-protocol\""), "%s", r.out);
    cr_expect_not_null(strstr(r.out, "a compressed message that does not inflate (RFC 7692"), "%s",
                       r.out);
    cr_expect_not_null(strstr(r.out, "{\"summary\":{\"events\":2,\"ok\":1,\"errors\":1"), "%s",
                       r.out);
    cr_expect_not_null(strstr(r.err, "ws-protocol: "), "%s", r.err);
    free(said);
    run_free(&r);
}

/* Many events and the close frame in one write: the relay hands every
 * payload to the checker before it forwards the close to libwebsockets, so
 * the run ends with all of them checked, compressed or not. */
Test(live_deflate, every_event_before_the_close_is_checked)
{
    if (!have_python("zlib"))
        cr_skip_test("no /usr/bin/python3");
    for (int off = 0; off <= 1; off++) {
        char url[96];
        proc srv = server(url, sizeof url, "raw", "burst", "3000");
        run r = off ? watch("--no-deflate", "--format", "json", "--duration", "30", url, NULL)
                    : watch("--format", "json", "--duration", "30", url, NULL);
        char *said = server_report(&srv);
        cr_expect_not_null(strstr(said, "CLIENT CLOSE 1000"), "%s", said);
        cr_expect_eq(r.rc, 0, "%s", r.err);
        cr_expect_not_null(strstr(r.out, "{\"summary\":{\"events\":3000,\"ok\":3000,\"errors\":0"),
                           "deflate %s: %s", off ? "off" : "on", strstr(r.out, "{\"summary\""));
        cr_expect_not_null(strstr(r.err, "closed by the server: 1000"), "%s", r.err);
        free(said);
        run_free(&r);
    }
}

/* The 101 answer and the events in one read: the relay hands the events
 * over before libwebsockets has read the 101, so --count can be reached
 * while it is still connecting; the connection must then still open and
 * close as an open one (exit 0, our close 1000), not end as a failed
 * attempt. Timing-dependent, so several runs. */
Test(live_deflate, count_reached_by_the_first_read_still_closes_cleanly)
{
    if (!have_python("zlib"))
        cr_skip_test("no /usr/bin/python3");
    for (int i = 0; i < 5; i++) {
        char url[96];
        proc srv = server(url, sizeof url, "raw", "eager", "2000");
        run r = watch("--count", "1", "--format", "json", url, NULL);
        char *said = server_report(&srv);
        cr_expect_not_null(strstr(said, "CLIENT CLOSE 1000"), "run %d: %s", i, said);
        cr_expect_eq(r.rc, 0, "run %d: %s%s", i, r.out, r.err);
        cr_expect_not_null(strstr(r.out, "{\"summary\":{\"events\":1,\"ok\":1,\"errors\":0"),
                           "run %d: %s", i, r.out);
        cr_expect_not_null(strstr(r.err, "closed by cfconform: 1000"), "run %d: %s", i, r.err);
        free(said);
        run_free(&r);
    }
}

/* --idle-timeout after only a frame's header: the relay has delivered
 * nothing of the message, and the server ends the connection without
 * answering our close frame, so only the relay knows a message was
 * arriving (cfc_wstap_result.data_cut): still a text-frame finding. */
Test(live_deflate, a_message_cut_after_its_header_is_a_finding)
{
    if (!have_python("zlib"))
        cr_skip_test("no /usr/bin/python3");
    char url[96];
    proc srv = server(url, sizeof url, "raw", "headeronly", NULL);
    run r = watch("--idle-timeout", "0.5", "--format", "json", url, NULL);
    char *said = server_report(&srv);
    cr_expect_not_null(strstr(said, "CLIENT CLOSE 1000"), "%s", said);
    cr_expect_eq(r.rc, 1, "%s%s", r.out, r.err);
    cr_expect_not_null(strstr(r.out, "{\"summary\":{\"events\":2,\"ok\":1,\"errors\":1"), "%s",
                       r.out);
    cr_expect_not_null(
        strstr(r.out,
               "\"line\":2,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":\"text-frame\""),
        "%s", r.out);
    cr_expect_not_null(strstr(r.err, "closed by cfconform: 1000"), "%s", r.err);
    free(said);
    run_free(&r);
}
