/* SPDX-License-Identifier: MIT */
/* The frame-to-event path (ws_frames.h): chunks and frames in, one checked
 * event per message out, as data: each case is a list of chunks and the
 * kinds and rule IDs expected. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "ws_frames.h"

#define GOOD                                                                                       \
    "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":5,\"timestamp\":\"2025-11-08T14:"   \
    "30:45.123Z\"}"
#define BAD                                                                                        \
    "{\"type\":\"task_blocked\",\"project_id\":1,\"task_id\":45,\"blocked_by\":[42,43],\"blocked_" \
    "count\":3,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}"

typedef struct chunk {
    const char *bytes; /* NULL ends the list */
    int final, binary;
} chunk;

typedef struct frames_case {
    const char *name;
    chunk chunks[8];
    int end;            /* call cfc_wsmsg_end at the end */
    const char *expect; /* "KIND:rule,rule;KIND:;..." */
} frames_case;

static const frames_case cases[] = {
    {"one text frame", {{GOOD, 1, 0}}, 0, "text:;"},
    {"fragments reassembled",
     {{"{\"type\":\"task_unbl", 0, 0},
      {"ocked\",\"project_id\":1,", 0, 0},
      {"\"task_id\":5,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}", 1, 0}},
     0,
     "text:;"},
    {"two messages", {{GOOD, 1, 0}, {BAD, 1, 0}}, 0, "text:;text:blocked-count;"},
    {"binary message", {{GOOD, 1, 1}}, 0, "binary:text-frame;"},
    {"binary opcode is the first frame's", {{"{", 0, 1}, {"}", 1, 0}}, 0, "binary:text-frame;"},
    {"empty text message", {{"", 1, 0}}, 0, "text:json-syntax;"},
    {"oversized (limit 100)", {{GOOD, 0, 0}, {GOOD, 1, 0}}, 0, "oversized:too-large;"},
    {"oversized then a good one", {{BAD BAD, 1, 0}, {GOOD, 1, 0}}, 0, "oversized:too-large;text:;"},
    {"invalid UTF-8 split across fragments",
     {{"{\"type\":\"task_assigned\",\"project_id\":1,\"task_id\":2,\"agent_id\":\"\xc3", 0, 0},
      {"\",\"timestamp\":\"2025-11-08T14:30:45.123Z\"}", 1, 0}},
     0,
     "text:utf8-invalid;"},
    {"valid UTF-8 split across fragments",
     {{"{\"type\":\"task_assigned\",\"project_id\":1,\"task_id\":2,\"agent_id\":\"\xc3", 0, 0},
      {"\xa9\",\"timestamp\":\"2025-11-08T14:30:45.123Z\"}", 1, 0}},
     0,
     "text:;"},
    {"cut off mid-message",
     {{GOOD, 1, 0}, {"{\"type\":", 0, 0}},
     1,
     "text:;incomplete:text-frame;"},
    {"end with nothing pending", {{GOOD, 1, 0}}, 1, "text:;"},
};

typedef struct sink {
    char got[512];
} sink;

static int on_message(void *ctx, cfc_wsmsg_kind kind, const char *bytes, size_t len,
                      const cfc_event_result *res)
{
    (void)bytes;
    (void)len;
    sink *s = ctx;
    static const char *names[] = {"text", "oversized", "binary", "incomplete"};
    size_t n = strlen(s->got);
    n += (size_t)snprintf(s->got + n, sizeof s->got - n, "%s:", names[kind]);
    for (size_t i = 0; i < res->n_findings; i++)
        n += (size_t)snprintf(s->got + n, sizeof s->got - n, "%s%s", i ? "," : "",
                              cfc_rule_get(res->findings[i].rule)->id);
    snprintf(s->got + n, sizeof s->got - n, ";");
    return 0;
}

CFC_TABLE_TEST(frames, messages_and_findings, cases)
{
    const frames_case *c = &cases[*cfc_index];
    cfc_check_options o = {.max_event_bytes = strstr(c->name, "oversized") ? 100 : 0};
    cfc_checker *k = cfc_checker_new(&o);
    sink s = {{0}};
    cfc_wsmsg *a = cfc_wsmsg_new(k, on_message, &s);
    cr_assert_not_null(a);
    for (int i = 0; i < 8 && c->chunks[i].bytes; i++)
        cr_assert_eq(cfc_wsmsg_feed(a, c->chunks[i].bytes, strlen(c->chunks[i].bytes),
                                    c->chunks[i].final, c->chunks[i].binary),
                     0);
    if (c->end)
        cr_assert_eq(cfc_wsmsg_end(a), 0);
    cr_expect_str_eq(s.got, c->expect, "%s", c->name);
    cr_expect(!cfc_wsmsg_pending(a));
    cfc_wsmsg_free(a);
    cfc_checker_free(k);
}

static int stop_at_first(void *ctx, cfc_wsmsg_kind kind, const char *bytes, size_t len,
                         const cfc_event_result *res)
{
    (void)ctx, (void)kind, (void)bytes, (void)len, (void)res;
    return 7;
}

Test(frames, callback_stop_and_misuse)
{
    cfc_checker *k = cfc_checker_new(NULL);
    cr_expect_null(cfc_wsmsg_new(NULL, stop_at_first, NULL));
    cr_expect_null(cfc_wsmsg_new(k, NULL, NULL));
    cfc_wsmsg *a = cfc_wsmsg_new(k, stop_at_first, NULL);
    cr_expect_eq(cfc_wsmsg_feed(a, GOOD, strlen(GOOD), true, false), 7);
    cr_expect_eq(cfc_wsmsg_feed(a, NULL, 3, true, false), -1);
    cr_expect_eq(cfc_wsmsg_feed(NULL, GOOD, 1, true, false), -1);
    cr_expect_eq(cfc_wsmsg_end(NULL), 0);
    cr_expect(!cfc_wsmsg_pending(NULL));
    cfc_wsmsg_free(a);
    cfc_wsmsg_free(NULL);
    cfc_checker_free(k);
}

typedef struct seen {
    int calls;
    int null_bytes;
    size_t len;
} seen;

static int remember(void *ctx, cfc_wsmsg_kind kind, const char *bytes, size_t len,
                    const cfc_event_result *res)
{
    (void)kind, (void)res;
    seen *s = ctx;
    s->calls++;
    s->null_bytes = bytes == NULL;
    s->len = len;
    return 0;
}

Test(frames, over_the_limit_is_counted_not_kept)
{
    cfc_check_options o = {.max_event_bytes = 10};
    cfc_checker *k = cfc_checker_new(&o);
    seen s = {0};
    cfc_wsmsg *a = cfc_wsmsg_new(k, remember, &s);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(cfc_wsmsg_feed(a, GOOD, strlen(GOOD), false, false), 0);
    cr_assert_eq(cfc_wsmsg_feed(a, "", 0, true, false), 0);
    cr_expect_eq(s.calls, 1);
    cr_expect(s.null_bytes);
    cr_expect_eq(s.len, 1000 * strlen(GOOD));
    cr_assert_eq(cfc_wsmsg_feed(a, "{}", 2, true, false), 0);
    cr_expect_eq(s.calls, 2);
    cr_expect(!s.null_bytes, "the next message is kept again");
    cr_expect_eq(s.len, 2);
    cfc_wsmsg_free(a);
    cfc_checker_free(k);
}

typedef struct where {
    int calls;
    const char *bytes;
    size_t len;
    cfc_wsmsg_kind kind;
    size_t n_findings;
} where;

static int remember_where(void *ctx, cfc_wsmsg_kind kind, const char *bytes, size_t len,
                          const cfc_event_result *res)
{
    where *w = ctx;
    w->calls++;
    w->bytes = bytes;
    w->len = len;
    w->kind = kind;
    w->n_findings = res->n_findings;
    return 0;
}

/* A text message that arrives whole in one chunk (nearly every event) is
 * checked where it lies, not copied: the callback sees the caller's bytes.
 * Each chunk is its own allocation of exactly its size, so a read past its
 * end is a sanitizer error. The limit still holds to the byte. */
Test(frames, a_whole_message_in_one_chunk_is_checked_in_place)
{
    size_t n = strlen(GOOD);
    cfc_check_options o = {.max_event_bytes = n};
    cfc_checker *k = cfc_checker_new(&o);
    where w = {0};
    cfc_wsmsg *a = cfc_wsmsg_new(k, remember_where, &w);
    char *exact = malloc(n);
    memcpy(exact, GOOD, n);
    cr_assert_eq(cfc_wsmsg_feed(a, exact, n, true, false), 0);
    cr_expect_eq(w.calls, 1);
    cr_expect_eq(w.kind, CFC_WSMSG_TEXT);
    cr_expect_eq(w.bytes, exact, "checked in place");
    cr_expect_eq(w.len, n);
    cr_expect_eq(w.n_findings, 0, "at the limit: a conforming event");
    cr_expect(!cfc_wsmsg_pending(a));

    /* One byte over the limit, in one chunk: counted, not kept. */
    char *over = malloc(n + 1);
    memcpy(over, GOOD " ", n + 1);
    cr_assert_eq(cfc_wsmsg_feed(a, over, n + 1, true, false), 0);
    cr_expect_eq(w.kind, CFC_WSMSG_OVERSIZED);
    cr_expect_null(w.bytes);
    cr_expect_eq(w.len, n + 1);

    /* Binary in one chunk: still a text-frame finding. */
    cr_assert_eq(cfc_wsmsg_feed(a, exact, n, true, true), 0);
    cr_expect_eq(w.kind, CFC_WSMSG_BINARY);

    /* In two chunks: reassembled into the assembler's own buffer. */
    cr_assert_eq(cfc_wsmsg_feed(a, exact, 10, false, false), 0);
    cr_expect(cfc_wsmsg_pending(a));
    cr_assert_eq(cfc_wsmsg_feed(a, exact + 10, n - 10, true, false), 0);
    cr_expect_eq(w.calls, 4);
    cr_expect_eq(w.kind, CFC_WSMSG_TEXT);
    cr_expect_neq(w.bytes, exact);
    cr_expect_eq(w.len, n);
    cr_expect_eq(w.n_findings, 0);
    free(exact);
    free(over);
    cfc_wsmsg_free(a);
    cfc_checker_free(k);
}
