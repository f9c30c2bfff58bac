/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* fopencookie */
#include "support.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/report.h"
#include "report_ext.h"

void cfc_fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz invariant broken: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void cfc_fuzz_reader_init(cfc_fuzz_reader *r, const uint8_t *data, size_t size)
{
    memset(r, 0, sizeof *r);
    r->data = data;
    r->size = size;
}

uint8_t cfc_fuzz_u8(cfc_fuzz_reader *r)
{
    return r->pos < r->size ? r->data[r->pos++] : 0;
}

bool cfc_fuzz_bool(cfc_fuzz_reader *r)
{
    return cfc_fuzz_u8(r) & 1;
}

static uint64_t raw64(cfc_fuzz_reader *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | cfc_fuzz_u8(r);
    return v;
}

int64_t cfc_fuzz_i64(cfc_fuzz_reader *r)
{
    static const int64_t interesting[] = {0,
                                          1,
                                          2,
                                          3,
                                          42,
                                          99,
                                          100,
                                          101,
                                          -1,
                                          -2,
                                          1000000000000000,
                                          INT64_C(9007199254740990),
                                          INT64_C(9007199254740991),
                                          INT64_C(9007199254740992),
                                          INT64_MAX,
                                          INT64_MIN,
                                          INT64_MAX / 100,
                                          INT64_MAX / 200 + 1};
    uint8_t how = cfc_fuzz_u8(r);
    if (how < 128)
        return interesting[how % (sizeof interesting / sizeof interesting[0])];
    if (how < 200)
        return cfc_fuzz_u8(r);
    return (int64_t)raw64(r);
}

double cfc_fuzz_double(cfc_fuzz_reader *r)
{
    static const double interesting[] = {0.0, -0.0, 0.5, 1.0, 12.5, 300.0, 1e-7, 1e16, 1e300, -1.0};
    uint8_t how = cfc_fuzz_u8(r);
    if (how < 160)
        return interesting[how % (sizeof interesting / sizeof interesting[0])];
    uint64_t bits = raw64(r);
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

const char *cfc_fuzz_string(cfc_fuzz_reader *r, const char *const *known)
{
    uint8_t how = cfc_fuzz_u8(r);
    if (how < 16)
        return NULL;
    if (how < 32)
        return "";
    if (known && how < 160) {
        size_t n = 0;
        while (known[n])
            n++;
        if (n)
            return known[how % n];
    }
    char *s = r->strings[r->next_string++ % 8];
    size_t len = cfc_fuzz_u8(r) % (sizeof r->strings[0]);
    size_t o = 0;
    for (size_t i = 0; i < len && r->pos < r->size; i++) {
        uint8_t b = cfc_fuzz_u8(r);
        if (b != 0) /* C strings: a NUL would only shorten it */
            s[o++] = (char)b;
    }
    s[o] = '\0';
    return s;
}

static int capture_broadcast(void *ctx, int64_t project_id, const char *json, size_t len)
{
    (void)project_id;
    cfc_fuzz_capture *c = ctx;
    c->sends++;
    free(c->last);
    c->last = malloc(len + 1);
    if (c->last == NULL)
        cfc_fuzz_fail("out of memory in the test harness");
    memcpy(c->last, json, len + 1);
    c->last_len = len;
    return c->fail_with;
}

static void quiet_log(void *ctx, cfc_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    CFC_FUZZ_ASSERT(message != NULL && message[0] != '\0', "empty log line");
}

void cfc_fuzz_capture_init(cfc_fuzz_capture *c)
{
    memset(c, 0, sizeof *c);
    c->now_ms = INT64_C(1762612245123);
    c->m.broadcast = capture_broadcast;
    c->m.broadcast_ctx = c;
    c->m.log = quiet_log;
    c->m.clock = cfc_clock_fixed;
    c->m.clock_ctx = &c->now_ms;
}

void cfc_fuzz_capture_reset(cfc_fuzz_capture *c)
{
    free(c->last);
    c->last = NULL;
    c->last_len = 0;
    c->sends = 0;
}

void cfc_fuzz_capture_free(cfc_fuzz_capture *c)
{
    cfc_fuzz_capture_reset(c);
}

void cfc_fuzz_check_result(const cfc_event_result *r, size_t input_len)
{
    size_t counted = 0, errors = 0, warnings = 0;
    for (size_t i = 0; i < CFC_RULE_COUNT; i++)
        counted += r->by_rule[i];
    CFC_FUZZ_ASSERT(counted == r->n_findings + r->n_dropped,
                    "by_rule counts %zu findings, result has %zu + %zu dropped", counted,
                    r->n_findings, r->n_dropped);
    CFC_FUZZ_ASSERT(r->errors + r->warnings == counted, "errors + warnings != findings");
    for (size_t i = 0; i < r->n_findings; i++) {
        const cfc_finding *f = &r->findings[i];
        CFC_FUZZ_ASSERT((unsigned)f->rule < CFC_RULE_COUNT, "bad rule %d", (int)f->rule);
        CFC_FUZZ_ASSERT(f->severity == CFC_SEVERITY_ERROR || f->severity == CFC_SEVERITY_WARNING,
                        "bad severity");
        errors += f->severity == CFC_SEVERITY_ERROR;
        warnings += f->severity == CFC_SEVERITY_WARNING;
        CFC_FUZZ_ASSERT(f->message && f->message[0], "empty message for %s",
                        cfc_rule_get(f->rule)->id);
        CFC_FUZZ_ASSERT(f->pointer && (f->pointer[0] == '\0' || f->pointer[0] == '/'),
                        "bad pointer for %s", cfc_rule_get(f->rule)->id);
        CFC_FUZZ_ASSERT(f->offset == CFC_NO_OFFSET || f->offset <= input_len,
                        "offset %zu beyond input of %zu bytes", f->offset, input_len);
        if (i > 0)
            CFC_FUZZ_ASSERT(r->findings[i - 1].offset <= f->offset, "findings out of order");
    }
    CFC_FUZZ_ASSERT(errors <= r->errors && warnings <= r->warnings, "kept more than counted");
    if (r->type)
        CFC_FUZZ_ASSERT(r->type[r->type_len] == '\0', "type not NUL-terminated");
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0x100000001b3u;
}

static uint64_t mix_text(uint64_t h, const char *s, size_t n)
{
    h = mix(h, n);
    for (size_t i = 0; i < n; i++)
        h = mix(h, (unsigned char)s[i]);
    return h;
}

uint64_t cfc_fuzz_result_hash(const cfc_event_result *r)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < r->n_findings; i++) {
        const cfc_finding *f = &r->findings[i];
        h = mix(mix(mix(h, (uint64_t)f->rule), (uint64_t)f->severity), f->offset);
        h = mix_text(h, f->pointer, strlen(f->pointer));
        h = mix_text(h, f->message, strlen(f->message));
    }
    h = mix(mix(mix(h, r->errors), r->warnings), r->n_dropped);
    return r->type ? mix_text(h, r->type, r->type_len) : mix(h, 1);
}

/* Report output is counted and dropped in memory: a FILE over a cookie,
 * with no system call per event (a FILE on /dev/null made one per report
 * per input). */
static ssize_t count_write(void *ctx, const char *buf, size_t n)
{
    (void)buf;
    *(size_t *)ctx += n;
    return (ssize_t)n;
}

static FILE *counting_sink(size_t *count)
{
    cookie_io_functions_t io = {.write = count_write};
    return fopencookie(count, "w", io);
}

/* Text and JSON reports live for the whole run (their per-file state is
 * reset by each file); a JUnit document is made whole for every input, by
 * one report restarted each time (cfc__report_restart), so that its buffers
 * are not allocated again for every input. It stays in memory at these
 * sizes (the report spools to a temporary file only beyond 1 MiB). */
static size_t written[3];
static FILE *sinks[3];
static cfc_report *reports[3];

static void reports_init(void)
{
    if (reports[0] != NULL)
        return;
    for (int i = 0; i < 3; i++)
        CFC_FUZZ_ASSERT((sinks[i] = counting_sink(&written[i])) != NULL, "no sink");
    cfc_report_options color = {.color = true};
    reports[CFC_FUZZ_TEXT] = cfc_report_new(sinks[0], CFC_FORMAT_TEXT, &color);
    reports[CFC_FUZZ_JSON] = cfc_report_new(sinks[1], CFC_FORMAT_JSON, NULL);
    reports[CFC_FUZZ_JUNIT] = cfc_report_new(sinks[2], CFC_FORMAT_JUNIT, NULL);
    CFC_FUZZ_ASSERT(reports[0] && reports[1] && reports[2], "cannot set up the reports");
}

void cfc_fuzz_write_report(const cfc_event_result *r, cfc_fuzz_format which)
{
    reports_init();
    cfc_report *rep = reports[which];
    static bool junit_used;
    if (which == CFC_FUZZ_JUNIT && junit_used)
        CFC_FUZZ_ASSERT(cfc__report_restart(rep) == 0, "cannot restart the JUnit report");
    junit_used |= which == CFC_FUZZ_JUNIT;
    CFC_FUZZ_ASSERT(cfc_report_begin_file(rep, "fuzz.ndjson") == 0, "begin_file");
    CFC_FUZZ_ASSERT(cfc_report_event(rep, 1, r) == 0, "report_event");
    CFC_FUZZ_ASSERT(cfc_report_end_file(rep) == 0, "end_file");
    /* Every event is a JSON line and a JUnit testcase, whatever it holds. */
    if (which == CFC_FUZZ_JSON) {
        CFC_FUZZ_ASSERT(fflush(sinks[which]) == 0 && written[which] > 0, "no JSON line");
        written[which] = 0;
    } else if (which == CFC_FUZZ_JUNIT) {
        CFC_FUZZ_ASSERT(cfc_report_finish(rep) == 0, "finish");
        CFC_FUZZ_ASSERT(fflush(sinks[which]) == 0 && written[which] > 0, "no JUnit document");
        written[which] = 0;
    }
}

void cfc_fuzz_write_reports(const cfc_event_result *r)
{
    for (int i = 0; i < 3; i++)
        cfc_fuzz_write_report(r, (cfc_fuzz_format)i);
}
