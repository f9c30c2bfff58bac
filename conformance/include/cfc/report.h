/* SPDX-License-Identifier: MIT */
/*
 * Report writers: checked events in, text for people, JSON Lines for tools,
 * JUnit XML for CI test reporters.
 *
 * A report receives events one at a time, already checked, grouped by input
 * file:
 *
 *     cfc_report *r = cfc_report_new(stdout, CFC_FORMAT_TEXT, NULL);
 *     if (r == NULL) ... out of memory ...
 *     cfc_report_begin_file(r, "events.ndjson");
 *     for each line: cfc_report_event(r, line_number, result);
 *     cfc_report_end_file(r);
 *     int rc = cfc_report_finish(r);   (summary / closing tags, then fflush)
 *     cfc_report_free(r);
 *
 * The three formats:
 *
 *   text   one line per finding, the compiler convention editors and CI logs
 *          already understand:
 *              events.ndjson:12:98: error[blocked-count] /blocked_count: ...
 *          then a short aligned summary ending in what to do next.
 *   json   JSON Lines: one object per event (clean ones too), then one
 *          {"summary":{...}} line. Stable: fields may be added, never renamed.
 *              {"file":"events.ndjson","line":12,"type":"task_blocked",
 *               "ok":false,"findings":[{"rule":"blocked-count",
 *               "severity":"error","path":"/blocked_count","offset":97,
 *               "message":"..."}]}
 *          "type" and "offset" are null when unknown; "ok" means no errors
 *          (warnings allowed). An event whose findings were capped also has
 *          "dropped":N after "findings". The summary's errors, warnings and
 *          by_rule count every finding, dropped ones included.
 *   junit  JUnit XML: a testsuite per input file, a testcase per event
 *          (classname "cfconform.FILE", name "line N: TYPE"), and for an
 *          event with errors a <failure message="N errors" type="contract">
 *          listing all its findings as text lines. A warnings-only event
 *          passes, its warnings in <system-out>. Validates against
 *          tests/junit.xsd.
 *
 * Every string taken from an event (type, messages, pointers) may hold any
 * bytes. Each format makes them safe: text escapes control characters (so a
 * message cannot forge a line or drive the terminal), JSON and XML escape as
 * their grammar requires, and invalid UTF-8 becomes U+FFFD everywhere, so the
 * output is always valid UTF-8.
 *
 * All int-returning functions return 0, or -1 on a write error (ferror, or a
 * failed fflush), out of memory, or misuse (a NULL argument, an event outside
 * a file, any call after cfc_report_finish). Write errors and out of memory
 * are sticky: every later call returns -1 too, so checking the result of
 * cfc_report_finish alone is enough to notice that the output is incomplete.
 * Misuse changes nothing and the report can go on.
 *
 * A report is not thread-safe; distinct reports are independent.
 */
#ifndef CFC_REPORT_H
#define CFC_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cfc/check.h"

#ifdef __cplusplus
extern "C" {
#endif

/* sarif, github and markdown are described in their writers' files
 * (conformance/core/report_sarif.c, report_github.c, report_markdown.c):
 * SARIF 2.1.0 for code scanning, GitHub Actions workflow commands
 * (annotations), and a Markdown summary for a CI job page. */
typedef enum cfc_format {
    CFC_FORMAT_TEXT,
    CFC_FORMAT_JSON,
    CFC_FORMAT_JUNIT,
    CFC_FORMAT_SARIF,
    CFC_FORMAT_GITHUB,
    CFC_FORMAT_MARKDOWN
} cfc_format;

/* How the events were read (cfconform check --events), so that a reader of
 * any format knows which rules could fire. */
typedef enum cfc_reading {
    CFC_READING_UNSTATED, /* the report does not say (the default) */
    CFC_READING_STREAM,   /* each input is one stream: G, T, E and stream rules */
    CFC_READING_EVENTS    /* each line stands alone: G, T and E rules only */
} cfc_reading;

typedef struct cfc_report_options {
    bool color; /* text only: ANSI colours for severities and rule IDs */
    bool quiet; /* summary only: no per-finding (text) or per-event (json)
                   lines; ignored by junit, whose document is the summary */
    /* Stated, the reading is named in every format: text, a line of the
     * summary; json, "reading":"stream"|"events" and "suggest_events" in the
     * summary object; junit, <property name="reading"> (and
     * "suggest_events") in each testsuite's <properties>. With
     * CFC_READING_STREAM the report also notices an input whose events look
     * unrelated (timestamps go back in at least a quarter of the steps, and
     * stream rules give most of its findings) and suggests --events. */
    cfc_reading reading;
} cfc_report_options;

typedef struct cfc_report cfc_report;

/* A new report writing to `out`, which stays the caller's: the report never
 * closes it. opts may be NULL (no colour, not quiet). Returns NULL on out of
 * memory, or when out is NULL or format unknown. Free with cfc_report_free.
 *
 * junit buffers each file's testcases and the finished testsuites (the
 * counts come before the content in the XML): in memory up to 1 MiB each,
 * beyond that in tmpfile()s, so memory stays bounded whatever the number of
 * events. A report that large needs a writable temporary directory, and a
 * tmpfile() failure is reported as -1 by the call that needed it. */
cfc_report *cfc_report_new(FILE *out, cfc_format format, const cfc_report_options *opts);

/* Starts an input file; `name` is shown as given (a path, or "<stdin>") and
 * copied. A file still open is ended first. */
int cfc_report_begin_file(cfc_report *r, const char *name);

/* Reports one checked event at 1-based `line` of the current file. `res` is
 * only read during the call (a checker's result may be passed directly).
 * A NULL res->type is shown as null (json) or "(no type)" (junit);
 * res->type_len bytes of it are used (strlen when type_len is 0). */
int cfc_report_event(cfc_report *r, size_t line, const cfc_event_result *res);

/* Ends the current file (junit: writes its testsuite). */
int cfc_report_end_file(cfc_report *r);

/* An input that could not be read (or was read only in part): `name` as
 * for cfc_report_begin_file, `why` the reason ("No such file or
 * directory"). Ends a file still open. text: nothing per input (the caller
 * says it on stderr), the summary counts it; json: the summary gets
 * "unreadable":N; junit: a testsuite with one testcase in <error> (CI must
 * not show an unread input as a green "0 tests"). */
int cfc_report_input_error(cfc_report *r, const char *name, const char *why);

/* Ends a file still open, writes the summary (text, json) or the whole
 * document (junit), and flushes `out`. Returns -1 if anything written since
 * cfc_report_new failed to reach `out`. Call once; later calls return -1. */
int cfc_report_finish(cfc_report *r);

/* Frees the report and its temporary files; writes nothing more (an
 * unfinished junit document is simply not written). NULL is a no-op. */
void cfc_report_free(cfc_report *r);

/* "text", "json", "junit", "sarif", "github" or "markdown" (exact, lower case) into *out; -1
 * otherwise, with *out untouched. */
int cfc_format_parse(const char *name, cfc_format *out);

/* The name cfc_format_parse accepts for `f`, or NULL for an unknown value. */
const char *cfc_format_name(cfc_format f);

/* "stream" or "events"; NULL for CFC_READING_UNSTATED or an unknown value. */
const char *cfc_reading_name(cfc_reading reading);

#ifdef __cplusplus
}
#endif

#endif
