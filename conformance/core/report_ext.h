/* SPDX-License-Identifier: MIT */
/*
 * Internal: the report formats that live in files of their own
 * (report_sarif.c, report_github.c, report_markdown.c). report.c keeps the
 * public cfc_report API, its misuse checks and file bookkeeping, and hands
 * each call to the format's writer.
 *
 * A writer writes straight to its FILE; a write error stays in ferror(out),
 * which finish() reports. Strings from events are untrusted bytes: every
 * writer passes them through one of the escapers below, which turn ill-formed
 * UTF-8 into U+FFFD, so the output is valid UTF-8 whatever the input.
 */
#ifndef CFC_REPORT_EXT_H
#define CFC_REPORT_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cfc/report.h"

typedef struct cfc__report_writer {
    /* A writer's state, or NULL on out of memory. */
    void *(*open)(FILE *out, const cfc_report_options *opts);
    int (*begin_file)(void *w, const char *name);
    int (*event)(void *w, size_t line, const cfc_event_result *res);
    int (*end_file)(void *w);
    /* Writes what is left (summary, closing brackets); 0 or -1. */
    int (*finish)(void *w);
    void (*close)(void *w); /* frees the state; NULL ok */
} cfc__report_writer;

extern const cfc__report_writer cfc__report_sarif;
extern const cfc__report_writer cfc__report_github;
extern const cfc__report_writer cfc__report_markdown;

/* Every allocation of the report writers goes through report.c's pointer,
 * so tests can fail the Nth one. */
extern void *(*cfc__report_realloc)(void *p, size_t size);
/* A zeroed block / a copy of s, through cfc__report_realloc; NULL on out of
 * memory. Free with free(). */
void *cfc__report_calloc(size_t size);
char *cfc__report_strdup(const char *s);

/* Returns a text, JSON or JUnit report, finished or not, to the state
 * cfc_report_new left it in (same FILE, format and options), keeping its
 * buffers' memory: the fuzz targets write a whole document for every input
 * without allocating one. 0, or -1 for a failed report or a format of
 * report_ext.h's writers. */
int cfc__report_restart(cfc_report *r);

/* For cfconform check --jobs: an event without findings is rendered on a
 * worker thread and written later, in order, by the report's thread.
 * cfc__report_renders_ok: whether the format can be (text, JSON, JUnit).
 * cfc__report_render_ok appends to *out (len, cap; realloc'd through
 * cfc__report_realloc) the bytes cfc_report_event(r, line, result) would
 * write for a result without findings of that type; it only reads r, so
 * any thread may call it while a file is begun and r is not changed.
 * 0, or -1 when out of memory (*len is then unchanged).
 * cfc__report_put_ok then counts n such events and writes their bytes,
 * rendered in input order, as cfc_report_event would have. 0 or -1. */
bool cfc__report_renders_ok(const cfc_report *r);
int cfc__report_render_ok(const cfc_report *r, size_t line, const char *type, size_t type_len,
                          char **out, size_t *len, size_t *cap);
int cfc__report_put_ok(cfc_report *r, size_t n, const char *bytes, size_t len);

/* The writer of a format that has one, else NULL. */
const cfc__report_writer *cfc__report_writer_for(cfc_format format);

/* Counts every writer's summary needs. */
typedef struct cfc__tally {
    uint64_t events, ok, errors, warnings;
    uint64_t by_rule[CFC_RULE_COUNT];
} cfc__tally;
void cfc__tally_add(cfc__tally *t, const cfc_event_result *res);
/* The rules with findings, most frequent first (ties by ID); returns how many. */
size_t cfc__tally_rules(const cfc__tally *t, cfc_rule out[CFC_RULE_COUNT]);

/* The rule's catalogue ID, "unknown" for an out-of-range value. */
const char *cfc__rule_id(cfc_rule rule);

/* Decodes one UTF-8 sequence of s[0..n) (n > 0) into *cp; ill-formed input
 * gives U+FFFD for its first byte. Returns the bytes consumed (>= 1). */
size_t cfc__utf8_next(const unsigned char *s, size_t n, uint32_t *cp);
/* Writes code point cp as UTF-8. */
void cfc__put_utf8(FILE *f, uint32_t cp);
/* JSON string contents (no quotes) of n bytes of s. */
void cfc__put_json(FILE *f, const char *s, size_t n);
/* A quoted JSON string of the NUL-terminated s (NULL: ""). */
void cfc__put_json_str(FILE *f, const char *s);

#endif
