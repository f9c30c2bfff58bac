/* SPDX-License-Identifier: MIT */
#define _XOPEN_SOURCE 700
/* cfconform watch, live, on loopback: against the reference server
 * (cfc-demo serve) end to end, and against a server that misbehaves on
 * purpose (tests/ws_misbehave.py): the findings, the exit codes, the close
 * code and reason, every stop condition, --record replayed by check, TLS,
 * and the connection failures. Every process a test starts is stopped by it
 * (proc.h); each watch also carries its own --duration or timeout bound. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "params.h"
#include "proc.h"
#include "util.h"

#define CFC CFC_BINARY_DIR "/cfconform"
#define DEMO CFC_BINARY_DIR "/cfc-demo"
#define MISBEHAVE CFC_SOURCE_DIR "/tests/ws_misbehave.py"
#define CERT CFC_SOURCE_DIR "/tests/tls/selfsigned.crt"
#define KEY CFC_SOURCE_DIR "/tests/tls/selfsigned.key"

static char dir[] = "/tmp/cfc-watch-XXXXXX";

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

TestSuite(watch, .init = setup, .fini = teardown, .timeout = 60);

static const char *path_in(const char *name)
{
    static char p[8][256];
    static int k;
    char *s = p[k++ % 8];
    snprintf(s, 256, "%s/%s", dir, name);
    return s;
}

/* Runs cfconform watch with n arguments (NULL ones skipped); returns its exit
 * code, its stdout in *out and its stderr in *err (free both). Killed after
 * 30 s whatever happens. */
static int watch_runv(char **out, char **err, const char *const *args, int n_args)
{
    char *argv[32] = {CFC, "watch"};
    int n = 2;
    for (int i = 0; i < n_args && n < 31; i++) {
        if (args[i])
            argv[n++] = (char *)args[i];
    }
    argv[n] = NULL;
    const char *err_path = path_in("watch.err");
    proc p = proc_start(argv, err_path);
    char *o = proc_read_rest(&p, 30000);
    int rc = proc_wait(&p, 5000);
    proc_stop(&p);
    *out = o;
    *err = test_slurp(err_path, NULL);
    return rc;
}

/* The same with the arguments listed, NULL-terminated. */
static int watch_run(char **out, char **err, ...)
{
    const char *args[30];
    int n = 0;
    va_list ap;
    va_start(ap, err);
    for (const char *a; n < 30 && (a = va_arg(ap, const char *)) != NULL;)
        args[n++] = a;
    va_end(ap);
    return watch_runv(out, err, args, n);
}

/* The misbehaving server, playing the given scenarios; *url gets its URL. */
static proc misbehave(char *url, size_t len, const char *scheme, ...)
{
    char *argv[16] = {"/usr/bin/env", "python3", MISBEHAVE};
    int n = 3;
    va_list ap;
    va_start(ap, scheme);
    for (const char *a; n < 15 && (a = va_arg(ap, const char *)) != NULL;)
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    proc p = proc_start(argv, NULL);
    char port[32];
    proc_read_line(&p, port, sizeof port, 10000);
    snprintf(url, len, "%s://127.0.0.1:%s/events", scheme, port);
    return p;
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* ---- end to end with the reference server -------------------------------- */

static proc serve(char *url, size_t len, const char *extra1, const char *extra2)
{
    char *argv[] = {DEMO,           "serve",        "--port", "0", "--fixed-clock",
                    (char *)extra1, (char *)extra2, NULL};
    proc p = proc_start(argv, path_in("serve.err"));
    proc_read_line(&p, url, len, 10000);
    cr_assert_eq(strncmp(url, "ws://127.0.0.1:", 15), 0, "%s", url);
    return p;
}

Test(watch, reference_server_every_event_in_order_and_clean)
{
    char url[128];
    proc srv = serve(url, sizeof url, NULL, NULL);
    char *out, *err;
    const char *rec = path_in("live.ndjson");
    int rc = watch_run(&out, &err, "--strict", "--count", "233", "--duration", "20", "--record",
                       rec, "--format", "json", url, NULL);
    cr_expect_eq(rc, 0, "stdout:\n%s\nstderr:\n%s", out, err);
    cr_expect_not_null(strstr(out, "{\"summary\":{\"events\":233,\"ok\":233,\"errors\":0,"
                                   "\"warnings\":0"),
                       "%s", out);
    cr_expect_eq(proc_wait(&srv, 10000), 0, "the server ends after the scenario");
    proc_stop(&srv);
    /* With the fixed clock the stream is byte-identical to the file the demo
     * writes: every event arrived, in order, unchanged. */
    char *file;
    cr_assert_eq(test_run(DEMO " --fixed-clock", &file), 0);
    char *live = test_slurp(rec, NULL);
    cr_expect_str_eq(live, file);
    free(live);
    free(file);
    free(out);
    free(err);
}

Test(watch, reference_server_ends_with_close_code_and_reason)
{
    char url[128];
    proc srv = serve(url, sizeof url, NULL, NULL);
    char *out, *err;
    int rc = watch_run(&out, &err, "--duration", "20", url, NULL);
    cr_expect_eq(rc, 0, "%s\n%s", out, err);
    cr_expect_not_null(strstr(out, "all 233 events conform"), "%s", out);
    cr_expect_not_null(strstr(err, "closed by the server: 1000 (normal closure) "
                                   "\"scenario complete\"; 233 events"),
                       "%s", err);
    proc_stop(&srv);
    free(out);
    free(err);
}

Test(watch, subscription_receives_only_its_project)
{
    char url[128];
    proc srv = serve(url, sizeof url, "--projects", "3");
    char *out, *err;
    const char *rec = path_in("p2.ndjson");
    int rc = watch_run(&out, &err, "--subscribe", "{\"type\":\"subscribe\",\"project_id\":2}",
                       "--duration", "20", "--record", rec, url, NULL);
    cr_expect_eq(rc, 0, "%s\n%s", out, err);
    proc_stop(&srv);
    char *live = test_slurp(rec, NULL);
    cr_expect_eq(count_of(live, "\n"), 233, "one pass of the scenario");
    cr_expect_eq(count_of(live, "\"project_id\":2,"), 233, "project 2 only");
    cr_expect_eq(count_of(live, "\"project_id\":1,") + count_of(live, "\"project_id\":3,"), 0);
    free(live);
    free(out);
    free(err);
}

/* ---- a misbehaving server --------------------------------------------------- */

typedef struct misbehaviour {
    const char *scenario;
    const char *args[4]; /* extra watch arguments */
    int exit;
    const char *summary; /* the start of the json summary line */
    const char *out_has[3];
    const char *err_has[2];
    const char *server_has; /* a line the server logged (ws_misbehave.py), or NULL */
    const char *fault;      /* the ws-protocol finding's fault, in json and junit, or NULL */
} misbehaviour;

static const misbehaviour cases[] = {
    {"events",
     {0},
     1,
     "{\"summary\":{\"events\":3,\"ok\":2,\"errors\":1,\"warnings\":1",
     {"\"rule\":\"blocked-count\"", "\"rule\":\"unknown-type\""},
     {"closed by the server: 1000 (normal closure) \"bye\"; 3 events"},
     NULL,
     NULL},
    /* A clean 1000 after 3 events does not make 5 asked for: incomplete. */
    {"events",
     {"--count", "5"},
     2,
     "{\"summary\":{\"events\":3,\"ok\":2,\"errors\":1",
     {0},
     {"closed by the server: 1000 (normal closure) \"bye\"; 3 events",
      "error: incomplete: 3 of the 5 events asked for (--count) arrived"},
     NULL,
     NULL},
    {"binary",
     {0},
     1,
     "{\"summary\":{\"events\":2,\"ok\":1,\"errors\":1",
     {"\"line\":1,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":\"text-frame\"",
      "a binary frame (91 bytes)", "\"line\":2,\"type\":\"task_unblocked\",\"ok\":true"},
     {0},
     NULL,
     NULL},
    /* A text message in three frames with a ping between them, an invalid
     * event in two frames, a binary message in two. */
    {"fragmented",
     {0},
     1,
     "{\"summary\":{\"events\":3,\"ok\":1,\"errors\":2",
     {"\"line\":1,\"type\":\"task_unblocked\",\"ok\":true",
      "\"line\":2,\"type\":\"task_blocked\",\"ok\":false,\"findings\":[{\"rule\":\"blocked-count\"",
      "\"line\":3,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":\"text-frame\""},
     {0},
     NULL,
     NULL},
    {"utf8",
     {0},
     1,
     "{\"summary\":{\"events\":2,\"ok\":1,\"errors\":1",
     {"\"rule\":\"utf8-invalid\",\"severity\":\"error\",\"path\":\"/task_title\",\"offset\":80"},
     {0},
     NULL,
     NULL},
    /* Two events, half a message, then the TCP connection drops. */
    {"abrupt",
     {0},
     2,
     "{\"summary\":{\"events\":3,\"ok\":1,\"errors\":2",
     {"\"rule\":\"blocked-count\"", "the connection ended 30 bytes into a fragmented message"},
     {"connection lost: 1006 (abnormal closure: no close frame); 3 events"},
     NULL,
     NULL},
    {"oversized",
     {"--max-event-bytes", "1000"},
     1,
     "{\"summary\":{\"events\":2,\"ok\":1,\"errors\":1",
     {"\"rule\":\"too-large\"", "the event is 5003 bytes"},
     {0},
     NULL,
     NULL},
    /* A pretty-printed event (newlines are JSON whitespace), then an empty message. */
    {"newline",
     {0},
     1,
     "{\"summary\":{\"events\":3,\"ok\":2,\"errors\":1",
     {"\"line\":3,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":\"json-syntax\""},
     {0},
     NULL,
     NULL},
    {"closecode",
     {0},
     2,
     "{\"summary\":{\"events\":1,\"ok\":1,\"errors\":0",
     {0},
     {"closed by the server: 4001 (application code) \"custom reason\"; 1 event"},
     NULL,
     NULL},
    {"idle",
     {"--idle-timeout", "0.5"},
     0,
     "{\"summary\":{\"events\":2,\"ok\":2",
     {0},
     {"closed by cfconform: 1000"},
     NULL,
     NULL},
    /* --idle-timeout while a frame is arriving (libwebsockets has shown
     * none of it yet), or right after its header: a text-frame finding. */
    {"idlemidframe",
     {"--idle-timeout", "0.5"},
     1,
     "{\"summary\":{\"events\":2,\"ok\":1,\"errors\":1",
     {"\"line\":2,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":\"text-frame\""},
     {"closed by cfconform: 1000"},
     NULL,
     NULL},
    {"idlemidheader",
     {"--idle-timeout", "0.5"},
     1,
     "{\"summary\":{\"events\":2,\"ok\":1,\"errors\":1",
     {"\"line\":2,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":\"text-frame\""},
     {"closed by cfconform: 1000"},
     NULL,
     NULL},
    {"idlemid",
     {"--idle-timeout", "0.5"},
     1,
     "{\"summary\":{\"events\":2,\"ok\":1,\"errors\":1",
     {"\"line\":2,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":\"text-frame\""},
     {"closed by cfconform: 1000"},
     NULL,
     NULL},
/* Protocol faults by the server are named: a ws-protocol finding in every
 * report, after the events before it (kept and checked), exit 1; the
 * connection failed with 1002 (RFC 6455 7.1.7), which the server received.
 * On ws:// our relay reads every frame header (ws_tap.h): libwebsockets 4.1
 * would deliver a masked frame silently and turn an illegal close code into
 * 1002 before any callback. */
#define FAULT(scenario, what)                                                                      \
    {                                                                                              \
        scenario, {0}, 1, "{\"summary\":{\"events\":2,\"ok\":1,\"errors\":1",                      \
            {"\"line\":1,\"type\":\"task_unblocked\",\"ok\":true",                                 \
             "\"line\":2,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":\"ws-protocol\","      \
             "\"severity\":\"error\",\"path\":\"\""},                                              \
            {"cfconform: error: ws-protocol: ws://127.0.0.1:", "the server sent " what},           \
            "CLOSE 1002", what                                                                     \
    }
    FAULT("rsv", "a frame with reserved bits (RSV1-3) set and no extension negotiated"),
    FAULT("opcode", "a frame with a reserved opcode (RFC 6455 5.2)"),
    FAULT("orphan", "a continuation frame with no message to continue (RFC 6455 5.4)"),
    FAULT("bigping", "a control frame over 125 bytes (RFC 6455 5.5)"),
    FAULT("masked", "a masked frame (RFC 6455 5.1: a server must not mask)"),
    FAULT("fragping", "a fragmented control frame (RFC 6455 5.5)"),
    FAULT("longlen", "a frame length not in its shortest form (RFC 6455 5.2"),
    FAULT("afterclose", "a frame after its close frame (RFC 6455 5.5.1)"),
    FAULT("close5000", "a close frame with code 5000, which must never be sent (RFC 6455 7.4)"),
    FAULT("close1005", "a close frame with code 1005, which must never be sent"),
    FAULT("close1006", "a close frame with code 1006, which must never be sent"),
    FAULT("close1015", "a close frame with code 1015, which must never be sent"),
    FAULT("close999", "a close frame with code 999, which must never be sent"),
    FAULT("close1004", "a close frame with code 1004, which must never be sent"),
    FAULT("close2999", "a close frame with code 2999, which must never be sent"),
    FAULT("closeutf8", "a close frame whose reason is not valid UTF-8 (RFC 6455 5.5.1, 8.1)"),
#undef FAULT
    /* The first message is kept; the second, cut by the new one, is
     * incomplete (text-frame); then the fault. */
    {"interleave",
     {0},
     1,
     "{\"summary\":{\"events\":3,\"ok\":1,\"errors\":2",
     {"\"line\":2,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":\"text-frame\"",
      "\"line\":3,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":\"ws-protocol\""},
     {"cfconform: error: ws-protocol: ws://127.0.0.1:",
      "the server sent a new message before the previous one's final frame (RFC 6455 5.4)"},
     "CLOSE 1002",
     "a new message before the previous one"},
    /* 3000-4999 are the applications' own: not a fault, not a normal end. */
    {"close3000",
     {0},
     2,
     "{\"summary\":{\"events\":1,\"ok\":1,\"errors\":0",
     {0},
     {"closed by the server: 3000"},
     "CLOSE 3000",
     NULL},
    {"endless",
     {"--count", "5"},
     0,
     "{\"summary\":{\"events\":5,\"ok\":5,",
     {"\"line\":5,"},
     {"closed by cfconform"},
     NULL,
     NULL},
    {"endless",
     {"--duration", "0.5"},
     0,
     "{\"summary\":{\"events\":",
     {"\"line\":10,"},
     {"closed by cfconform"},
     NULL,
     NULL},
    {"silent",
     {"--connect-timeout", "0.5"},
     2,
     NULL,
     {0},
     {"handshake timeout: 127.0.0.1 port", "--connect-timeout gives a slow server longer"},
     NULL,
     NULL},
    {"status403",
     {0},
     2,
     NULL,
     {0},
     {"HTTP status 403 from ws://127.0.0.1:", "not 101 Switching Protocols"},
     NULL,
     NULL},
};

/* One case, over ws:// or (with the test certificate, --insecure) wss://. */
static void run_case(const misbehaviour *c, bool tls)
{
    char url[128];
    proc srv = tls ? misbehave(url, sizeof url, "wss", "--tls", CERT, KEY, c->scenario, NULL)
                   : misbehave(url, sizeof url, "ws", c->scenario, NULL);
    char *out, *err;
    char junit_spec[300 + 8];
    snprintf(junit_spec, sizeof junit_spec, "junit=%s", path_in("watch.xml"));
    const char *args[] = {"--format",
                          "json",
                          "--duration",
                          "20",
                          "--report",
                          junit_spec,
                          c->args[0],
                          c->args[1],
                          c->args[2],
                          c->args[3],
                          tls ? "--insecure" : NULL,
                          url};
    int rc = watch_runv(&out, &err, args, 12);
    /* The server logs what it received once its connection is over. */
    char *seen = c->server_has ? proc_read_rest(&srv, 5000) : NULL;
    proc_stop(&srv);
    cr_expect_eq(rc, c->exit, "%s%s: exit %d\nstdout:\n%s\nstderr:\n%s", c->scenario,
                 tls ? " (wss)" : "", rc, out, err);
    if (c->summary)
        cr_expect_not_null(strstr(out, c->summary), "%s: want %s in\n%s", c->scenario, c->summary,
                           out);
    else
        cr_expect_eq(out[0], '\0', "no summary without a connection: %s", out);
    for (int i = 0; i < 3 && c->out_has[i]; i++)
        cr_expect_not_null(strstr(out, c->out_has[i]), "%s: want %s in\n%s", c->scenario,
                           c->out_has[i], out);
    for (int i = 0; i < 2 && c->err_has[i]; i++) {
        /* The URL in a message is the one watched: wss:// on TLS. */
        char want[300];
        const char *ws = strstr(c->err_has[i], "ws://");
        if (tls && ws)
            snprintf(want, sizeof want, "%.*swss://%s", (int)(ws - c->err_has[i]), c->err_has[i],
                     ws + 5);
        else
            snprintf(want, sizeof want, "%s", c->err_has[i]);
        cr_expect_not_null(strstr(err, want), "%s: want %s in stderr\n%s", c->scenario, want, err);
    }
    if (c->server_has)
        cr_expect_not_null(strstr(seen, c->server_has), "%s: want %s from the server\n%s",
                           c->scenario, c->server_has, seen);
    if (c->fault) {
        char want[300];
        snprintf(want, sizeof want,
                 "\"message\":\"the server broke the WebSocket protocol: it sent %s", c->fault);
        cr_expect_not_null(strstr(out, want), "%s: want %s in\n%s", c->scenario, want, out);
        /* JUnit: the event before it passes, the fault is a failed testcase. */
        char *xml = test_slurp(path_in("watch.xml"), NULL);
        cr_assert_not_null(xml, "%s: no junit report", c->scenario);
        cr_expect_not_null(strstr(xml, "name=\"line 1: task_unblocked\""), "%s:\n%s", c->scenario,
                           xml);
        cr_expect_not_null(strstr(xml, "error[ws-protocol]"), "%s:\n%s", c->scenario, xml);
        cr_expect_not_null(strstr(xml, c->fault), "%s: want %s in\n%s", c->scenario, c->fault, xml);
        free(xml);
    }
    free(seen);
    free(out);
    free(err);
}

CFC_TABLE_TEST(watch, misbehaving_server, cases)
{
    run_case(&cases[*cfc_index], false);
}

/* wss://: the relay is the TLS client (ws_tap.h), so every protocol fault
 * is seen in the decrypted frames and named as on ws://, the masked frame
 * included (libwebsockets' own TLS would have delivered it silently), and
 * the server receives the 1002. */
ParameterizedTestParameters(watch, misbehaving_server_wss)
{
    size_t n = 0, *idx = cr_malloc(sizeof cases / sizeof cases[0] * sizeof *idx);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].fault)
            idx[n++] = i;
    }
    return cr_make_param_array(size_t, idx, n, cfc__params_free);
}

ParameterizedTest(size_t *cfc_index, watch, misbehaving_server_wss)
{
    run_case(&cases[*cfc_index], true);
}

/* A protocol fault is a ws-protocol finding in every output format, after
 * the event received before it. */
Test(watch, protocol_fault_in_every_format)
{
    static const char *const formats[] = {"json", "junit", "sarif", "github", "markdown"};
    enum { N = sizeof formats / sizeof formats[0] };
    char url[128], specs[N][300], paths[N][256];
    proc srv = misbehave(url, sizeof url, "ws", "masked", NULL);
    const char *args[20] = {"--color", "never", "--duration", "20"};
    int n = 4;
    for (size_t i = 0; i < N; i++) {
        snprintf(paths[i], sizeof paths[i], "%s", path_in(formats[i]));
        snprintf(specs[i], sizeof specs[i], "%s=%.255s", formats[i], paths[i]);
        args[n++] = "--report";
        args[n++] = specs[i];
    }
    args[n++] = url;
    char *out, *err;
    int rc = watch_runv(&out, &err, args, n);
    proc_stop(&srv);
    cr_expect_eq(rc, 1, "exit %d\n%s\n%s", rc, out, err);
    char want[256];
    snprintf(want, sizeof want, "%s:2:1: error[ws-protocol] (event):", url);
    cr_expect_not_null(strstr(out, want), "want %s in\n%s", want, out);
    cr_expect_not_null(strstr(out, "it sent a masked frame (RFC 6455 5.1"), "%s", out);
    for (size_t i = 0; i < N; i++) {
        char *r = test_slurp(paths[i], NULL);
        cr_assert_not_null(r, "no %s report", formats[i]);
        cr_expect_not_null(strstr(r, "ws-protocol"), "%s:\n%s", formats[i], r);
        cr_expect_not_null(strstr(r, "it sent a masked frame"), "%s:\n%s", formats[i], r);
        free(r);
    }
    char *json = test_slurp(paths[0], NULL);
    cr_expect_not_null(strstr(json, "\"line\":1,\"type\":\"task_unblocked\",\"ok\":true"), "%s",
                       json);
    free(json);
    free(out);
    free(err);
}

/* The text format streams the same findings in the compilers' format. */
Test(watch, text_format_names_url_and_message_number)
{
    char url[128];
    proc srv = misbehave(url, sizeof url, "ws", "events", NULL);
    char *out, *err;
    int rc = watch_run(&out, &err, "--color", "never", "--duration", "20", url, NULL);
    proc_stop(&srv);
    cr_expect_eq(rc, 1);
    char want[256];
    snprintf(want, sizeof want, "%s:2:89: error[blocked-count] /blocked_count:", url);
    cr_expect_not_null(strstr(out, want), "%s", out);
    free(out);
    free(err);
}

/* ---- --record, replayed by check ------------------------------------------ */

/* Strips "file":"..." from each JSON line so live and replay compare. */
static void strip_file(char *s)
{
    char *p;
    while ((p = strstr(s, "{\"file\":\"")) != NULL) {
        char *q = strchr(p + 9, '"');
        cr_assert_not_null(q);
        memmove(p + 1, q + 2, strlen(q + 2) + 1); /* drop "file":"...", */
    }
}

static const char *const replayable[] = {"events", "utf8", "oversized"};

CFC_TABLE_TEST(watch, record_replays_to_the_same_findings, replayable)
{
    const char *scenario = replayable[*cfc_index];
    char url[128];
    proc srv = misbehave(url, sizeof url, "ws", scenario, NULL);
    const char *rec = path_in("rec.ndjson");
    char *live, *err;
    watch_run(&live, &err, "--format", "json", "--max-event-bytes", "1000", "--duration", "20",
              "--record", rec, url, NULL);
    proc_stop(&srv);
    char cmd[512];
    snprintf(cmd, sizeof cmd, CFC " check --format json --max-event-bytes 1000 %s", rec);
    char *replay;
    test_run(cmd, &replay);
    strip_file(live);
    strip_file(replay);
    cr_expect_str_eq(live, replay, "%s: live and replay differ", scenario);
    cr_expect_null(strstr(err, "will not replay"), "%s", err);
    free(live);
    free(replay);
    free(err);
}

Test(watch, record_is_verbatim_and_says_what_will_not_replay)
{
    char url[128];
    proc srv = misbehave(url, sizeof url, "ws", "newline", NULL);
    const char *rec = path_in("nl.ndjson");
    char *out, *err;
    watch_run(&out, &err, "--duration", "20", "--record", rec, url, NULL);
    proc_stop(&srv);
    size_t len;
    char *bytes = test_slurp(rec, &len);
    cr_expect_not_null(strstr(bytes, "{\"type\":\"task_unblocked\",\n  \"project_id\":1,\n"),
                       "the pretty event is written as received");
    cr_expect_eq(bytes[len - 1], '\n');
    cr_expect_eq(bytes[len - 2], '\n', "the empty message is an empty line");
    cr_expect_not_null(strstr(err, "2 messages will not replay line for line"), "%s", err);
    free(bytes);
    free(out);
    free(err);
}

static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    close(fd);
    return ntohs(a.sin_port);
}

/* ---- headers, subscribe, TLS, reconnect, signals ---------------------------- */

Test(watch, sends_headers_and_subscribe_message)
{
    char url[128];
    proc srv = misbehave(url, sizeof url, "ws", "echo", NULL);
    char *out, *err;
    int rc = watch_run(&out, &err, "--header", "Authorization: Bearer s3cret", "--header",
                       "X-Test:  two words ", "--subscribe",
                       "{\"type\":\"subscribe\",\"project_id\":7}", "--duration", "20", url, NULL);
    /* The server sends project 1 to a connection subscribed to 7: S7. */
    cr_expect_eq(rc, 1, "%s\n%s", out, err);
    cr_expect_not_null(strstr(out, "error[project-mismatch] /project_id"), "%s", out);
    char *seen = proc_read_rest(&srv, 5000);
    proc_stop(&srv);
    cr_expect_not_null(strstr(seen, "HEADER authorization: Bearer s3cret"), "%s", seen);
    cr_expect_not_null(strstr(seen, "HEADER x-test: two words"), "%s", seen);
    cr_expect_not_null(strstr(seen, "RECV {\"type\":\"subscribe\",\"project_id\":7}"), "%s", seen);
    free(seen);
    free(out);
    free(err);
}

Test(watch, bad_header_is_a_usage_error)
{
    char *out, *err;
    cr_expect_eq(watch_run(&out, &err, "--header", "no colon here", "ws://127.0.0.1:9/", NULL), 2);
    cr_expect_not_null(strstr(err, "--header wants 'Name: value'"), "%s", err);
    free(out);
    free(err);
    cr_expect_eq(watch_run(&out, &err, "http://127.0.0.1:9/", NULL), 2);
    cr_expect_not_null(strstr(err, "ws:// or wss://"), "%s", err);
    free(out);
    free(err);
}

Test(watch, wss_with_insecure_and_without)
{
    char url[128];
    proc srv = misbehave(url, sizeof url, "wss", "--tls", CERT, KEY, "events", "events", NULL);
    char *out, *err;
    int rc = watch_run(&out, &err, "--duration", "20", url, NULL);
    cr_expect_eq(rc, 2, "self-signed without --insecure: %s", err);
    cr_expect_not_null(strstr(err, "TLS failure with 127.0.0.1"), "%s", err);
    cr_expect_not_null(strstr(err, "certificate verify failed: self-signed certificate"), "%s",
                       err);
    cr_expect_not_null(strstr(err, "--insecure"), "%s", err);
    free(out);
    free(err);
    rc = watch_run(&out, &err, "--insecure", "--duration", "20", url, NULL);
    cr_expect_eq(rc, 1, "%s\n%s", out, err);
    cr_expect_not_null(strstr(out, "blocked-count"), "%s", out);
    proc_stop(&srv);
    free(out);
    free(err);
}

/* The headline false pass of wss://: a masked server frame, in JSON. */
Test(watch, wss_masked_frame_is_a_finding)
{
    char url[128];
    proc srv = misbehave(url, sizeof url, "wss", "--tls", CERT, KEY, "masked", NULL);
    char *out, *err;
    int rc = watch_run(&out, &err, "--insecure", "--format", "json", "--duration", "20", url, NULL);
    char *seen = proc_read_rest(&srv, 5000);
    proc_stop(&srv);
    cr_expect_eq(rc, 1, "%s\n%s", out, err);
    cr_expect_not_null(strstr(out, "\"line\":1,\"type\":\"task_unblocked\",\"ok\":true"), "%s",
                       out);
    cr_expect_not_null(strstr(out, "\"line\":2,\"type\":null,\"ok\":false,\"findings\":[{\"rule\":"
                                   "\"ws-protocol\""),
                       "%s", out);
    cr_expect_not_null(strstr(out, "it sent a masked frame (RFC 6455 5.1"), "%s", out);
    cr_expect_not_null(strstr(seen, "CLOSE 1002"), "%s", seen);
    free(seen);
    free(out);
    free(err);
}

/* The certificate check on wss://, with a test CA trusted through
 * SSL_CERT_FILE (OpenSSL's default trust store, as libwebsockets used):
 * the right name passes (and is sent as SNI), a wrong name or an unknown
 * CA is a TLS failure (exit 2) saying why, --insecure accepts both, and an
 * IP address is never sent as SNI (RFC 6066 3). */
Test(watch, wss_certificate_host_and_ca_are_checked)
{
    char url[128];
    proc srv = misbehave(url, sizeof url, "wss", "--tls", CFC_SOURCE_DIR "/tests/tls/localhost.crt",
                         CFC_SOURCE_DIR "/tests/tls/localhost.key", "events", "events", "events",
                         "events", "events", NULL); /* a TLS failure uses one up too */
    char by_name[128];
    snprintf(by_name, sizeof by_name, "wss://localhost:%s", strrchr(url, ':') + 1);
    cr_assert_eq(setenv("SSL_CERT_FILE", CFC_SOURCE_DIR "/tests/tls/ca.crt", 1), 0);
    char *out, *err;
    int rc = watch_run(&out, &err, "--duration", "20", by_name, NULL);
    cr_expect_eq(rc, 1, "trusted CA, right name: %s\n%s", out, err);
    cr_expect_not_null(strstr(out, "blocked-count"), "%s", out);
    free(out);
    free(err);
    rc = watch_run(&out, &err, "--duration", "20", url, NULL);
    cr_expect_eq(rc, 2, "127.0.0.1 is not in the certificate: %s\n%s", out, err);
    cr_expect_not_null(strstr(err, "TLS failure with 127.0.0.1 port"), "%s", err);
    cr_expect_not_null(strstr(err, "certificate verify failed: IP address mismatch (the "
                                   "certificate is not for 127.0.0.1)"),
                       "%s", err);
    cr_expect_eq(out[0], '\0', "%s", out);
    free(out);
    free(err);
    rc = watch_run(&out, &err, "--insecure", "--duration", "20", url, NULL);
    cr_expect_eq(rc, 1, "--insecure accepts the wrong name: %s\n%s", out, err);
    free(out);
    free(err);
    cr_assert_eq(setenv("SSL_CERT_FILE", CERT, 1), 0); /* another CA than the server's */
    rc = watch_run(&out, &err, "--duration", "20", by_name, NULL);
    cr_expect_eq(rc, 2, "unknown CA: %s\n%s", out, err);
    cr_expect_not_null(strstr(err, "TLS failure with localhost port"), "%s", err);
    cr_expect_not_null(strstr(err, "certificate verify failed: unable to get local issuer "
                                   "certificate"),
                       "%s", err);
    free(out);
    free(err);
    rc = watch_run(&out, &err, "--insecure", "--duration", "20", by_name, NULL);
    cr_expect_eq(rc, 1, "--insecure accepts an unknown CA: %s\n%s", out, err);
    free(out);
    free(err);
    unsetenv("SSL_CERT_FILE");
    char *seen = proc_read_rest(&srv, 5000);
    proc_stop(&srv);
    /* Connections 1, 4 and 5 by name, 2 and 3 by address. */
    cr_expect_eq(count_of(seen, "SNI localhost"), 3, "%s", seen);
    cr_expect_eq(count_of(seen, "SNI None"), 2, "%s", seen);
    free(seen);
}

/* A server that accepts the TCP connection but never answers the TLS
 * handshake: a handshake timeout within --connect-timeout. */
Test(watch, wss_tls_handshake_timeout)
{
    char url[128];
    proc srv = misbehave(url, sizeof url, "ws", "silent", NULL);
    char tls_url[sizeof url + 1];
    snprintf(tls_url, sizeof tls_url, "wss%s", url + 2);
    char *out, *err;
    int rc = watch_run(&out, &err, "--connect-timeout", "0.5", tls_url, NULL);
    proc_stop(&srv);
    cr_expect_eq(rc, 2, "%s\n%s", out, err);
    cr_expect_not_null(strstr(err, "handshake timeout: 127.0.0.1 port"), "%s", err);
    cr_expect_not_null(strstr(err, "completed no TLS handshake within 500 ms"), "%s", err);
    free(out);
    free(err);
}

/* A configuration that turns ws-protocol off (or into a warning) takes the
 * finding away, not the failure: the connection still ended abnormally. */
Test(watch, protocol_fault_with_the_rule_off_still_fails)
{
    const char *cfg = path_in("off.json");
    FILE *f = fopen(cfg, "w");
    cr_assert_not_null(f);
    fputs("{\"rules\":{\"ws-protocol\":\"off\"}}", f);
    fclose(f);
    char url[128];
    proc srv = misbehave(url, sizeof url, "ws", "masked", NULL);
    char *out, *err;
    int rc =
        watch_run(&out, &err, "--config", cfg, "--format", "json", "--duration", "20", url, NULL);
    proc_stop(&srv);
    cr_expect_eq(rc, 2, "%s\n%s", out, err);
    cr_expect_null(strstr(out, "ws-protocol"), "%s", out);
    cr_expect_not_null(strstr(out, "{\"summary\":{\"events\":1,\"ok\":1,\"errors\":0"), "%s", out);
    cr_expect_not_null(strstr(err, "ws-protocol: ws://127.0.0.1:"), "%s", err);
    free(out);
    free(err);
}

Test(watch, count_reached_closes_at_once)
{
    /* --count is reached on the checking thread; the close is sent by the
     * libwebsockets thread, which once saw the stop only at its next 50 ms
     * tick: about 45 ms after the events, every time. Now it is woken. The
     * fastest of three runs, so a loaded machine does not decide it. */
    char url[128];
    proc srv = misbehave(url, sizeof url, "ws", "held", "held", "held", NULL);
    for (int i = 0; i < 3; i++) {
        char *out, *err;
        int rc = watch_run(&out, &err, "--count", "2", "--duration", "20", url, NULL);
        cr_expect_eq(rc, 0, "%s", err);
        cr_expect_not_null(strstr(err, "closed by cfconform"), "%s", err);
        free(out);
        free(err);
    }
    char *log = proc_read_rest(&srv, 10000);
    proc_stop(&srv);
    int fastest = 1000000;
    size_t runs = 0;
    for (const char *p = log; (p = strstr(p, "CLOSED AFTER ")) != NULL; p++, runs++) {
        int ms = atoi(p + strlen("CLOSED AFTER "));
        fastest = ms < fastest ? ms : fastest;
    }
    cr_expect_eq(runs, 3, "%s", log);
    cr_expect_lt(fastest, 25, "the close came %d ms after the last event at best: %s", fastest,
                 log);
    free(log);
}

Test(watch, reconnects_after_a_lost_connection)
{
    char url[128];
    proc srv = misbehave(url, sizeof url, "ws", "abrupt", "good2", NULL);
    char *out, *err;
    int rc = watch_run(&out, &err, "--reconnect", "--count", "5", "--duration", "20", "--format",
                       "json", url, NULL);
    proc_stop(&srv);
    cr_expect_eq(rc, 1, "the invalid event; the lost connection is not an error: %s", err);
    cr_expect_not_null(strstr(out, "{\"summary\":{\"events\":5,\"ok\":3,\"errors\":2"), "%s", out);
    cr_expect_not_null(strstr(err, "connection lost: 1006"), "%s", err);
    cr_expect_not_null(strstr(err, "reconnecting in 0.25 s"), "%s", err);
    free(out);
    free(err);
}

Test(watch, reconnect_waits_for_a_server_with_backoff)
{
    char *out, *err;
    /* Nothing listens: it retries (0.25, 0.5, ... s, capped) until --duration. */
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", closed_port());
    int rc = watch_run(&out, &err, "--reconnect", "--reconnect-max", "0.5", "--duration", "1.5",
                       url, NULL);
    cr_expect_eq(rc, 2, "never connected: %s", err);
    cr_expect_geq(count_of(err, "connection refused"), 2, "%s", err);
    cr_expect_not_null(strstr(err, "reconnecting in 0.50 s"), "%s", err);
    cr_expect_null(strstr(err, "reconnecting in 1.00 s"), "capped: %s", err);
    cr_expect_not_null(strstr(err, "never connected"), "%s", err);
    free(out);
    free(err);
}

Test(watch, sigterm_stops_cleanly_with_everything_reported)
{
    char url[128];
    proc srv = misbehave(url, sizeof url, "ws", "endless", NULL);
    char *argv[] = {CFC, "watch", "--format", "json", "--duration", "20", url, NULL};
    const char *err_path = path_in("sig.err");
    proc w = proc_start(argv, err_path);
    char first[512];
    proc_read_line(&w, first, sizeof first, 10000); /* events are flowing */
    cr_expect_not_null(strstr(first, "\"line\":1,"), "%s", first);
    kill(w.pid, SIGTERM);
    char *rest = proc_read_rest(&w, 10000);
    int rc = proc_wait(&w, 5000);
    proc_stop(&w);
    proc_stop(&srv);
    cr_expect_eq(rc, 0);
    /* The summary counts exactly the event lines printed: nothing lost. */
    size_t lines = 1 + count_of(rest, "\"line\":");
    char want[64];
    snprintf(want, sizeof want, "{\"summary\":{\"events\":%zu,\"ok\":%zu,", lines, lines);
    cr_expect_not_null(strstr(rest, want), "want %s in\n%s", want, rest);
    char *err = test_slurp(err_path, NULL);
    cr_expect_not_null(strstr(err, "closed by cfconform"), "%s", err);
    free(err);
    free(rest);
}

/* ---- connection failures ---------------------------------------------------- */

Test(watch, connection_refused)
{
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/", closed_port());
    char *out, *err;
    cr_expect_eq(watch_run(&out, &err, url, NULL), 2);
    cr_expect_not_null(strstr(err, "cfconform: error: connection refused by 127.0.0.1 port"), "%s",
                       err);
    cr_expect_not_null(strstr(err, "--reconnect"), "what to try: %s", err);
    cr_expect_eq(out[0], '\0', "%s", out);
    free(out);
    free(err);
}

Test(watch, dns_failure)
{
    char *out, *err;
    cr_expect_eq(watch_run(&out, &err, "ws://no-such-host.invalid/", NULL), 2);
    cr_expect_not_null(strstr(err, "DNS failure: cannot resolve 'no-such-host.invalid'"), "%s",
                       err);
    free(out);
    free(err);
}

Test(watch, help_and_usage)
{
    char *out;
    cr_expect_eq(test_run(CFC " watch --help", &out), 0);
    cr_expect_not_null(strstr(out, "--idle-timeout"), "%s", out);
    cr_expect_not_null(strstr(out, "exit codes:"), "%s", out);
    free(out);
    cr_expect_eq(test_run(CFC " --help", &out), 0);
    cr_expect_not_null(strstr(out, "cfconform watch [OPTIONS] URL"), "%s", out);
    free(out);
    cr_expect_eq(test_run(CFC " watch 2>/dev/null", NULL), 2);
    cr_expect_eq(test_run(CFC " watch --count 0 ws://x/ 2>/dev/null", NULL), 2);
    cr_expect_eq(test_run(CFC " watch --duration -1 ws://x/ 2>/dev/null", NULL), 2);
}
