/* SPDX-License-Identifier: MIT */
/*
 * Certification reports: JSON (for tools, versioned schema), JUnit XML (CI
 * test reporters), Markdown (CI job pages), a shields.io endpoint badge, and
 * one self-contained HTML page (no script, no external asset: a per-rule
 * summary, filters by verdict and by rule made of radio buttons and CSS, a
 * case matrix coloured by verdict with its legend, then every case with
 * what it received, and for a case not passed what was expected and the
 * diff).
 *
 * Each report is built in memory and written out in pieces of about 64 KiB
 * (cfc__buf_spill, between cases), so that its size costs no memory: with
 * the adapter's output kept up to CFC_CERT_KEEP_BYTES per case, a report of
 * the whole catalogue may be tens of megabytes. A failed allocation or
 * write is reported by the return value, and may leave part of a report
 * written: the command writes each to a temporary file renamed into place
 * once complete.
 * Everything that came from the adapter may hold any bytes: each format
 * escapes it as its grammar requires, invalid UTF-8 becomes U+FFFD.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "certify_internal.h"
#include "cfc/timestamp.h"

const char *cfc_cert_format_file(cfc_cert_format f)
{
    switch (f) {
    case CFC_CERT_JSON: return "certification.json";
    case CFC_CERT_JUNIT: return "certification.xml";
    case CFC_CERT_MARKDOWN: return "certification.md";
    case CFC_CERT_BADGE: return "badge.json";
    case CFC_CERT_HTML: return "certification.html";
    }
    return NULL;
}

/* ---- the frame both roles' reports share (consume_report.c too) -------------- */

void cfc__report_jstr(cfc__buf *b, const char *s)
{
    if (s == NULL)
        cfc__buf_puts(b, "null");
    else
        cfc__buf_json_str(b, s, strlen(s));
}

void cfc__report_html(cfc__buf *b, const char *s)
{
    cfc__buf_html(b, s, strlen(s));
}

void cfc__report_started(int64_t started_ms, char out[25])
{
    if (cfc_timestamp_format(started_ms, out) != 0)
        strcpy(out, "1970-01-01T00:00:00.000Z");
}

/* The rules both pages use: the page, the verdict badge, the metadata, the
 * counts, the verdict cells and their legend, the cases. Each role adds
 * its own (the case matrix and diff; the field matrix). */
static const char css_shared[] =
    "body{overflow-wrap:anywhere;font:15px/1.45 system-ui,-apple-system,'Segoe "
    "UI',sans-serif;margin:0 auto;max-width:1280px;padding:1em 2em;color:#1b1b1b;background:#fff}"
    "h1{font-size:1.6em;margin:.3em 0}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px "
    "solid #ddd}code,pre{font:13px/1.4 ui-monospace,'DejaVu Sans Mono',monospace}"
    "pre{background:#f6f8fa;padding:.6em .8em;overflow-x:auto;white-space:pre-wrap;"
    "word-break:break-all}"
    ".verdict{display:inline-block;font-size:1.15em;font-weight:600;padding:.2em .7em;"
    "border-radius:4px;color:#fff}.certified{background:#2e7d32}.not-certified{background:#c62828}"
    ".partial{background:#616161}"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}"
    "dl.meta dt{font-weight:600}dl.meta dd{margin:0;word-break:break-all}"
    "table.counts{border-collapse:collapse}table.counts td,table.counts th{padding:.2em .8em;"
    "border:1px solid #ddd}"
    ".cell{display:inline-block;min-width:3.6em;height:1.7em;line-height:1.7em;margin:2px;"
    "padding:0 .3em;text-align:center;font:12px/1.7em ui-monospace,monospace;color:#fff;"
    "text-decoration:none;border-radius:3px}"
    ".v-pass{background:#2e7d32}.v-nonstrict{background:#9e9d24}.v-error{background:#4a148c}"
    "ul.legend{list-style:none;padding:0}ul.legend li{margin:.25em 0}ul.legend "
    ".cell{min-width:7.5em}"
    "details.case{border:1px solid #ddd;border-radius:4px;margin:.5em 0;padding:.3em .8em}"
    "details.case summary{cursor:pointer}details.case summary .cell{min-width:7.5em}"
    "h4{margin:.8em 0 .2em}";

void cfc__report_html_head(cfc__buf *b, const char *title, const char *name, const char *version)
{
    cfc__buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>");
    cfc__report_html(b, title);
    cfc__report_html(b, name ? name : "?");
    cfc__buf_add(b, " ", 1);
    cfc__report_html(b, version ? version : "?");
}

void cfc__report_html_style(cfc__buf *b, const char *own)
{
    cfc__buf_printf(b, "</title>\n<style>%s%s", css_shared, own);
}

const char *cfc__report_verdict_class(bool stopped, bool partial, bool certified)
{
    return stopped     ? "partial interrupted"
           : partial   ? "partial"
           : certified ? "certified"
                       : "not-certified";
}

/* Text in a table cell: no line breaks, no pipes, no HTML, no emphasis. */
void cfc__report_md(cfc__buf *b, const char *s, size_t max)
{
    size_t start = b->len, n = strlen(s);
    size_t valid = cfc__utf8_valid_prefix(s, n);
    for (size_t i = 0; i < valid && b->len - start < max; i++) {
        char ch = s[i];
        switch (ch) {
        case '|': cfc__buf_puts(b, "\\|"); break;
        case '<': cfc__buf_puts(b, "&lt;"); break;
        case '>': cfc__buf_puts(b, "&gt;"); break;
        case '&': cfc__buf_puts(b, "&amp;"); break;
        case '*':
        case '_':
        case '`':
        case '[':
        case ']':
        case '\\':
            cfc__buf_add(b, "\\", 1);
            cfc__buf_add(b, &ch, 1);
            break;
        default:
            if ((unsigned char)ch < 0x20)
                cfc__buf_add(b, " ", 1);
            else
                cfc__buf_add(b, &ch, 1);
        }
    }
    if (b->len - start >= max || valid < n) {
        /* Back off to a character boundary before the ellipsis. */
        while (b->len > start && ((unsigned char)b->data[b->len - 1] & 0xC0) == 0x80)
            b->len--;
        if (b->len > start && (unsigned char)b->data[b->len - 1] >= 0xC0)
            b->len--;
        cfc__buf_puts(b, "…");
    }
}

/* ---- producer certification ---------------------------------------------------- */

static void jstr(cfc__buf *b, const char *s)
{
    cfc__report_jstr(b, s);
}

static void html(cfc__buf *b, const char *s)
{
    cfc__report_html(b, s);
}

static void md(cfc__buf *b, const char *s, size_t max)
{
    cfc__report_md(b, s, max);
}

/* "SIGINT", "SIGTERM", "SIGHUP", ... or "signal N" (static or buf). */
static const char *signal_name(int sig, char buf[24])
{
    switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    case SIGQUIT: return "SIGQUIT";
    default: snprintf(buf, 24, "signal %d", sig); return buf;
    }
}

/* A run that ended early, the same words in every report (both roles). */
void cfc__report_stopped_text(cfc__buf *b, const cfc__stop_mark *m, bool capital)
{
    char buf[24];
    if (m->deadline)
        cfc__buf_printf(b, "%ctopped at the run's deadline", capital ? 'S' : 's');
    else
        cfc__buf_printf(b, "%cnterrupted by %s", capital ? 'I' : 'i',
                        signal_name(m->stop_signal, buf));
    cfc__buf_printf(b, " after %zu of %zu cases", m->n_results, m->n_selected);
}

void cfc__report_stopped_json(cfc__buf *b, const cfc__stop_mark *m)
{
    cfc__buf_printf(
        b, "\"interrupted\":%s,\"stopped\":", m->stopped && !m->deadline ? "true" : "false");
    if (!m->stopped) {
        cfc__buf_puts(b, "null");
        return;
    }
    char buf[24];
    cfc__buf_puts(b, "{\"reason\":");
    if (m->deadline)
        cfc__buf_puts(b, "\"deadline\"");
    else
        cfc__buf_printf(b, "\"signal\",\"signal\":\"%s\",\"signal_number\":%d",
                        signal_name(m->stop_signal, buf), m->stop_signal);
    cfc__buf_printf(b, ",\"cases_run\":%zu,\"cases_selected\":%zu,\"says\":\"", m->n_results,
                    m->n_selected);
    cfc__report_stopped_text(b, m, true); /* plain ASCII */
    cfc__buf_puts(b, "\"}");
}

void cfc__report_junit_stopped(cfc__buf *b, const cfc__stop_mark *m, const char *suite)
{
    if (!m->stopped)
        return;
    cfc__buf_printf(b,
                    "  <testsuite name=\"%s\" tests=\"1\" failures=\"0\" errors=\"1\" "
                    "skipped=\"0\" time=\"%.3f\">\n"
                    "    <testcase classname=\"%s\" name=\"the run\" time=\"%.3f\">\n"
                    "      <error message=\"",
                    suite, m->elapsed_ms / 1000.0, suite, m->elapsed_ms / 1000.0);
    cfc__report_stopped_text(b, m, true);
    cfc__buf_printf(b, ", not a certification\" type=\"%s\">",
                    m->deadline ? "DEADLINE" : "INTERRUPTED");
    cfc__report_stopped_text(b, m, true);
    cfc__buf_puts(b, ": the cases not run have no verdict; the reports hold the cases "
                     "finished.</error>\n    </testcase>\n  </testsuite>\n");
}

static cfc__stop_mark stop_mark(const cfc_certification *c)
{
    return (cfc__stop_mark){c->stopped,   c->deadline,   c->stop_signal,
                            c->n_results, c->n_selected, c->elapsed_ms};
}

static void stopped_text(cfc__buf *b, const cfc_certification *c, bool capital)
{
    cfc__stop_mark m = stop_mark(c);
    cfc__report_stopped_text(b, &m, capital);
}

/* Rule C4, the same words in every report: "Certified", "Not certified",
 * or for a subset "Partial (2 of 217 cases)", never certified; a run that
 * was interrupted says so first. */
static void status_text(cfc__buf *b, const cfc_certification *c, bool capital)
{
    if (c->stopped) {
        stopped_text(b, c, capital);
        cfc__buf_puts(b, ", not a certification");
        return;
    }
    if (c->partial)
        cfc__buf_printf(b, "%cartial (%zu of %zu cases)", capital ? 'P' : 'p', c->n_results,
                        cfc_catalogue_count(c->catalogue));
    else if (c->certified)
        cfc__buf_puts(b, capital ? "Certified" : "certified");
    else
        cfc__buf_puts(b, capital ? "Not certified" : "not certified");
}

/* "97% (210/217 PASS, 3 NON-STRICT)": NON-STRICT counted apart (C4). */
static void score_text(cfc__buf *b, const cfc_certification *c)
{
    cfc__buf_printf(b, "%u%% (%zu/%zu PASS, %zu NON-STRICT)", cfc_certification_score(c),
                    c->counts[CFC_VERDICT_PASS], c->n_results, c->counts[CFC_VERDICT_NON_STRICT]);
}

/* How many texts were sent (a cut reply keeps only the first). */
static size_t sent_count(const cfc_cert_reply *r)
{
    return r->cut ? r->received_sent : r->n_sent;
}

/* The cut marker, the same words in every report (plain ASCII: no format
 * needs to escape it): "output cut for the report: kept 65536 of 16000123
 * bytes; 1 of 4000 texts, 0 of 1 log lines". */
static void cut_text(cfc__buf *b, const cfc_cert_reply *r)
{
    cfc__buf_printf(b,
                    "output cut for the report: kept %" PRIu64 " of %" PRIu64
                    " bytes; %zu of %zu texts, %zu of %zu log lines",
                    r->kept_bytes, r->received_bytes, r->n_sent, r->received_sent, r->n_logs,
                    r->received_logs);
    if (r->received_misuse)
        cfc__buf_printf(b, ", %zu of %zu misuses", r->n_misuse, r->received_misuse);
}

/* The bound itself, said once per report. */
static void bound_text(cfc__buf *b, const cfc_certification *c)
{
    cfc__buf_printf(b,
                    "%zu case%s had more output than a report keeps (the first %zu KiB of "
                    "each case, %zu KiB once %zu MiB are kept); every reply was graded whole",
                    c->cases_cut, c->cases_cut == 1 ? "" : "s", CFC_CERT_KEEP_BYTES >> 10,
                    CFC_CERT_KEEP_LATE >> 10, CFC_CERT_KEEP_RUN >> 20);
}

static void started(const cfc_certification *c, char out[25])
{
    cfc__report_started(c->started_ms, out);
}

static const char *verdict_class(cfc_verdict v)
{
    switch (v) {
    case CFC_VERDICT_PASS: return "v-pass";
    case CFC_VERDICT_NON_STRICT: return "v-nonstrict";
    case CFC_VERDICT_FAIL: return "v-fail";
    case CFC_VERDICT_UNIMPLEMENTED: return "v-unimpl";
    case CFC_VERDICT_ERROR: return "v-error";
    case CFC_VERDICT_COUNT: break;
    }
    return "";
}

static const char *verdict_meaning(cfc_verdict v)
{
    switch (v) {
    case CFC_VERDICT_PASS: return "everything expected";
    case CFC_VERDICT_NON_STRICT:
        return "acceptable, not strict: checker warnings, or no ERROR log line";
    case CFC_VERDICT_FAIL:
        return "a non-conforming event, a wrong value, a raise or a refused valid call";
    case CFC_VERDICT_UNIMPLEMENTED: return "the adapter does not offer this broadcaster";
    case CFC_VERDICT_ERROR:
        return "the adapter crashed, hung or broke the protocol; it was restarted";
    case CFC_VERDICT_COUNT: break;
    }
    return "";
}

/* ---- by rule ------------------------------------------------------------------ */

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The message forms are certify_verdict.c's: checker findings are
 * "error[RULE] ..." or "warning[RULE] ...", the others are worded there. */
void cfc_cert_message_rule(const char *m, cfc_verdict verdict, char *out, size_t cap)
{
    const char *rule = "other";
    size_t len = 0;
    if (verdict == CFC_VERDICT_ERROR)
        rule = "adapter error";
    else if (verdict == CFC_VERDICT_UNIMPLEMENTED)
        rule = "unimplemented";
    else {
        /* "step 2: " (scenarios) and "event 2: " (several events) first. */
        for (int i = 0; i < 2; i++) {
            if (starts(m, "step ") || starts(m, "event ")) {
                const char *colon = strstr(m, ": ");
                if (colon)
                    m = colon + 2;
            }
        }
        const char *open = strchr(m, '['), *close = open ? strchr(open, ']') : NULL;
        if ((starts(m, "error[") || starts(m, "warning[")) && close) {
            rule = open + 1;
            len = (size_t)(close - open - 1);
        } else if (strstr(m, "(rule C1)"))
            rule = "C1 manager interface";
        else if (starts(m, "raised"))
            rule = "C2 never raise";
        else if (starts(m, "refused valid"))
            rule = "refused valid arguments";
        else if (starts(m, "sent a "))
            rule = "wrong event type";
        else if (starts(m, "sent "))
            rule = "number of events";
        else if (starts(m, "no ERROR log line"))
            rule = "ERROR log line";
        else if (starts(m, "/timestamp ") && strstr(m, " ms "))
            rule = "timestamp window";
        else if (starts(m, "/"))
            rule = "expected values";
    }
    if (len == 0)
        len = strlen(rule);
    if (cap == 0)
        return;
    if (len >= cap)
        len = cap - 1;
    memcpy(out, rule, len);
    out[len] = '\0';
}

#define MAX_RULE_ROWS 256

size_t cfc_certification_rules(const cfc_certification *cert, cfc_cert_rule_row *rows, size_t cap)
{
    cfc_cert_rule_row all[MAX_RULE_ROWS];
    size_t n = 0;
    for (size_t i = 0; cert && i < cert->n_results; i++) {
        const cfc_case_result *r = &cert->results[i];
        if (r->verdict == CFC_VERDICT_PASS)
            continue;
        /* Each rule once per case. */
        char seen[16][48];
        size_t n_seen = 0;
        for (size_t m = 0; m < r->n_messages || (m == 0 && r->n_messages == 0); m++) {
            char rule[48];
            cfc_cert_message_rule(r->n_messages ? r->messages[m] : "", r->verdict, rule,
                                  sizeof rule);
            bool dup = false;
            for (size_t k = 0; k < n_seen && !dup; k++)
                dup = strcmp(seen[k], rule) == 0;
            if (dup)
                continue;
            if (n_seen < sizeof seen / sizeof seen[0])
                memcpy(seen[n_seen++], rule, sizeof rule);
            size_t row = 0;
            while (row < n && strcmp(all[row].rule, rule) != 0)
                row++;
            if (row == n) {
                if (n == MAX_RULE_ROWS) /* more rules than exist today: not counted */
                    continue;
                memcpy(all[n].rule, rule, sizeof rule);
                all[n].cases = 0;
                all[n].first_case = r->c->id;
                n++;
            }
            all[row].cases++;
        }
    }
    /* Most cases first; ties in order of first appearance (catalogue order). */
    for (size_t i = 1; i < n; i++) {
        cfc_cert_rule_row x = all[i];
        size_t j = i;
        while (j > 0 && all[j - 1].cases < x.cases) {
            all[j] = all[j - 1];
            j--;
        }
        all[j] = x;
    }
    for (size_t i = 0; i < n && i < cap; i++)
        rows[i] = all[i];
    return n;
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_report(cfc__buf *b, const cfc_certification *c)
{
    char ts[25];
    started(c, ts);
    cfc__buf_printf(b,
                    "{\"schema\":\"cfconform-certification-report\",\"schema_version\":%d,"
                    "\"adapter_protocol\":%d,\"catalogue\":{\"version\":",
                    CFC_CERT_REPORT_SCHEMA, CFC_ADAPTER_PROTOCOL);
    jstr(b, cfc_catalogue_version(c->catalogue));
    cfc__buf_printf(b, ",\"sha256\":\"%s\",\"cases\":%zu},\"implementation\":{\"name\":",
                    cfc_catalogue_sha256(c->catalogue), cfc_catalogue_count(c->catalogue));
    jstr(b, c->impl_name);
    cfc__buf_puts(b, ",\"language\":");
    jstr(b, c->impl_language);
    cfc__buf_puts(b, ",\"version\":");
    jstr(b, c->impl_version);
    cfc__buf_puts(b, ",\"broadcasters\":[");
    for (size_t i = 0; i < c->n_broadcasters; i++) {
        if (i)
            cfc__buf_add(b, ",", 1);
        jstr(b, c->broadcasters[i]);
    }
    cfc__buf_puts(b, "]},\"adapter\":{\"command\":");
    jstr(b, c->adapter_command);
    cfc__buf_printf(b, ",\"starts\":%zu},\"selection\":", c->adapter_starts);
    jstr(b, c->selection);
    cfc__buf_printf(
        b, ",\"started\":\"%s\",\"elapsed_ms\":%" PRIu32 ",\"certified\":%s,\"partial\":%s,", ts,
        c->elapsed_ms, c->certified ? "true" : "false", c->partial ? "true" : "false");
    cfc__stop_mark stop = stop_mark(c);
    cfc__report_stopped_json(b, &stop);
    cfc__buf_printf(b, ",\"score\":%u,\"summary\":{\"total\":%zu", cfc_certification_score(c),
                    c->n_results);
    for (int v = 0; v < CFC_VERDICT_COUNT; v++)
        cfc__buf_printf(b, ",\"%s\":%zu", cfc_verdict_name((cfc_verdict)v), c->counts[v]);
    cfc__buf_printf(b,
                    "},\"output_kept\":{\"case_bytes\":%zu,\"late_case_bytes\":%zu,"
                    "\"run_bytes\":%zu,\"kept_bytes\":%" PRIu64 ",\"cases_cut\":%zu}",
                    CFC_CERT_KEEP_BYTES, CFC_CERT_KEEP_LATE, CFC_CERT_KEEP_RUN, c->kept_bytes,
                    c->cases_cut);
    cfc__buf_puts(b, ",\"cases\":[");
    for (size_t i = 0; i < c->n_results; i++) {
        const cfc_case_result *r = &c->results[i];
        const cfc_cert_case *k = r->c;
        cfc__buf_puts(b, i ? ",\n{\"id\":" : "\n{\"id\":");
        jstr(b, k->id);
        cfc__buf_puts(b, ",\"section\":");
        jstr(b, k->section);
        cfc__buf_puts(b, ",\"description\":");
        jstr(b, k->description);
        cfc__buf_puts(b, ",\"reference\":");
        jstr(b, k->reference);
        cfc__buf_printf(b, ",\"verdict\":\"%s\",\"elapsed_ms\":%" PRIu32 ",%s\"calls\":[",
                        cfc_verdict_name(r->verdict), r->elapsed_ms,
                        r->cut ? "\"output_cut\":true," : "");
        for (size_t s = 0; s < k->n_steps; s++) {
            cfc__buf_puts(b, s ? ",{\"broadcaster\":" : "{\"broadcaster\":");
            jstr(b, k->steps[s].broadcaster);
            cfc__buf_printf(b, ",\"args\":%s,\"fault\":", k->steps[s].args);
            jstr(b, cfc_fault_name(k->steps[s].fault));
            cfc__buf_puts(b, "}");
        }
        cfc__buf_puts(b, "]");
        if (r->verdict != CFC_VERDICT_PASS) {
            cfc__buf_puts(b, ",\"expected\":[");
            for (size_t s = 0; s < k->n_steps; s++) {
                if (s)
                    cfc__buf_add(b, ",", 1);
                jstr(b, k->steps[s].expected);
            }
            cfc__buf_puts(b, "],\"received\":[");
            for (size_t s = 0; s < r->n_replies; s++) {
                cfc__buf_puts(b, s ? ",{" : "{");
                const cfc_cert_reply *rep = &r->replies[s];
                cfc__buf_reply_members(b, rep);
                if (rep->cut) /* sent / logs / misuse hold only the first of them */
                    cfc__buf_printf(b,
                                    ",\"cut\":{\"received_bytes\":%" PRIu64
                                    ",\"kept_bytes\":%" PRIu64
                                    ",\"received_sent\":%zu,\"received_logs\":%zu,"
                                    "\"received_misuse\":%zu}",
                                    rep->received_bytes, rep->kept_bytes, rep->received_sent,
                                    rep->received_logs, rep->received_misuse);
                cfc__buf_printf(b, ",\"elapsed_ms\":%" PRIu32 "}", rep->elapsed_ms);
            }
            cfc__buf_puts(b, "],\"messages\":[");
            for (size_t m = 0; m < r->n_messages; m++) {
                if (m)
                    cfc__buf_add(b, ",", 1);
                jstr(b, r->messages[m]);
            }
            cfc__buf_puts(b, "],\"diff\":[");
            for (size_t m = 0; m < r->n_diff; m++) {
                if (m)
                    cfc__buf_add(b, ",", 1);
                jstr(b, r->diff[m]);
            }
            cfc__buf_puts(b, "]");
        }
        cfc__buf_puts(b, "}");
        cfc__buf_spill(b);
    }
    cfc__buf_puts(b, "]}\n");
}

/* ---- JUnit XML ------------------------------------------------------------------ */

static void xml(cfc__buf *b, const char *s)
{
    cfc__buf_xml(b, s, strlen(s));
}

static void junit_problem_text(cfc__buf *b, const cfc_case_result *r)
{
    for (size_t m = 0; m < r->n_messages; m++) {
        xml(b, r->messages[m]);
        cfc__buf_puts(b, "&#10;");
    }
    for (size_t s = 0; s < r->c->n_steps; s++) {
        cfc__buf_puts(b, "expected: ");
        xml(b, r->c->steps[s].expected);
        cfc__buf_puts(b, "&#10;");
    }
    for (size_t s = 0; s < r->n_replies; s++) {
        const cfc_cert_reply *rep = &r->replies[s];
        cfc__buf_printf(b, "received: %s, %zu sent", cfc_outcome_name(rep->outcome),
                        sent_count(rep));
        cfc__buf_puts(b, "&#10;");
        if (rep->cut) {
            cut_text(b, rep);
            cfc__buf_puts(b, "&#10;");
        }
        for (size_t t = 0; t < rep->n_sent; t++) {
            cfc__buf_puts(b, "  ");
            cfc__buf_xml(b, rep->sent[t].bytes, rep->sent[t].len);
            cfc__buf_puts(b, "&#10;");
        }
    }
    for (size_t m = 0; m < r->n_diff; m++) {
        xml(b, r->diff[m]);
        cfc__buf_puts(b, "&#10;");
    }
}

/* Every finding in the message attribute (CI tools often show only it),
 * separated by "; ". */
static void junit_messages(cfc__buf *b, const cfc_case_result *r)
{
    if (r->n_messages == 0)
        xml(b, cfc_verdict_name(r->verdict));
    for (size_t m = 0; m < r->n_messages; m++) {
        if (m)
            cfc__buf_puts(b, "; ");
        xml(b, r->messages[m]);
    }
}

static void junit_report(cfc__buf *b, const cfc_certification *c)
{
    char ts[25];
    started(c, ts);
    ts[19] = '\0'; /* xs:dateTime without the zone letter is fine; keep it plain */
    size_t fails = c->counts[CFC_VERDICT_FAIL], errors = c->counts[CFC_VERDICT_ERROR],
           skipped = c->counts[CFC_VERDICT_UNIMPLEMENTED];
    /* An interrupted run is an error testcase of its own: a CI reporter
     * shows it red, never "3 tests passed". */
    size_t stopped = c->stopped ? 1 : 0;
    cfc__buf_printf(b,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<testsuites name=\"cfconform certify\" tests=\"%zu\" failures=\"%zu\" "
                    "errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\" timestamp=\"%s\">\n",
                    c->n_results + stopped, fails, errors + stopped, skipped,
                    c->elapsed_ms / 1000.0, ts);
    cfc__stop_mark stop = stop_mark(c);
    cfc__report_junit_stopped(b, &stop, "cfconform.certify.run");
    const cfc_catalogue *cat = c->catalogue;
    for (size_t si = 0; si < cfc_catalogue_section_count(cat); si++) {
        const cfc_cert_section *sec = cfc_catalogue_section(cat, si);
        size_t n = 0, f = 0, e = 0, sk = 0;
        uint64_t ms = 0;
        for (size_t i = 0; i < c->n_results; i++) {
            const cfc_case_result *r = &c->results[i];
            if (strcmp(r->c->section, sec->id) != 0)
                continue;
            n++;
            f += r->verdict == CFC_VERDICT_FAIL;
            e += r->verdict == CFC_VERDICT_ERROR;
            sk += r->verdict == CFC_VERDICT_UNIMPLEMENTED;
            ms += r->elapsed_ms;
        }
        if (n == 0)
            continue;
        cfc__buf_puts(b, "  <testsuite name=\"cfconform.certify.");
        xml(b, sec->id);
        cfc__buf_puts(b, " ");
        xml(b, sec->title);
        cfc__buf_printf(
            b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
            n, f, e, sk, (double)ms / 1000.0);
        cfc__buf_puts(b, "    <properties>\n      <property name=\"catalogue.version\" value=\"");
        xml(b, cfc_catalogue_version(cat));
        cfc__buf_printf(b, "\"/>\n      <property name=\"catalogue.sha256\" value=\"%s\"/>\n",
                        cfc_catalogue_sha256(cat));
        cfc__buf_puts(b, "      <property name=\"implementation\" value=\"");
        xml(b, c->impl_name ? c->impl_name : "");
        cfc__buf_puts(b, " ");
        xml(b, c->impl_version ? c->impl_version : "");
        cfc__buf_puts(b, " (");
        xml(b, c->impl_language ? c->impl_language : "");
        cfc__buf_puts(b, ")\"/>\n");
        if (c->cases_cut) {
            cfc__buf_puts(b, "      <property name=\"output.cut\" value=\"");
            bound_text(b, c);
            cfc__buf_puts(b, "\"/>\n");
        }
        cfc__buf_puts(b, "    </properties>\n");
        for (size_t i = 0; i < c->n_results; i++) {
            const cfc_case_result *r = &c->results[i];
            if (strcmp(r->c->section, sec->id) != 0)
                continue;
            cfc__buf_puts(b, "    <testcase classname=\"cfconform.certify.");
            xml(b, sec->id);
            cfc__buf_puts(b, "\" name=\"");
            xml(b, r->c->id);
            cfc__buf_puts(b, " ");
            xml(b, r->c->description);
            cfc__buf_printf(b, "\" time=\"%.3f\"", r->elapsed_ms / 1000.0);
            switch (r->verdict) {
            case CFC_VERDICT_PASS:
                if (!r->cut) {
                    cfc__buf_puts(b, "/>\n");
                    continue;
                }
                cfc__buf_puts(b, ">\n      <system-out>");
                for (size_t k = 0; k < r->n_replies; k++) {
                    if (r->replies[k].cut) {
                        cut_text(b, &r->replies[k]);
                        cfc__buf_puts(b, "&#10;");
                    }
                }
                cfc__buf_puts(b, "</system-out>\n");
                break;
            case CFC_VERDICT_NON_STRICT:
                cfc__buf_puts(b, ">\n      <system-out>NON-STRICT&#10;");
                junit_problem_text(b, r);
                cfc__buf_puts(b, "</system-out>\n");
                break;
            case CFC_VERDICT_UNIMPLEMENTED:
                cfc__buf_puts(b, ">\n      <skipped message=\"");
                junit_messages(b, r);
                cfc__buf_puts(b, "\" type=\"UNIMPLEMENTED\"/>\n");
                break;
            case CFC_VERDICT_FAIL:
            case CFC_VERDICT_ERROR:
            case CFC_VERDICT_COUNT: {
                const char *el = r->verdict == CFC_VERDICT_FAIL ? "failure" : "error";
                cfc__buf_printf(b, ">\n      <%s message=\"", el);
                junit_messages(b, r);
                cfc__buf_printf(b, "\" type=\"%s\">", cfc_verdict_name(r->verdict));
                junit_problem_text(b, r);
                cfc__buf_printf(b, "</%s>\n", el);
                break;
            }
            }
            cfc__buf_puts(b, "    </testcase>\n");
            cfc__buf_spill(b);
        }
        cfc__buf_puts(b, "  </testsuite>\n");
    }
    cfc__buf_puts(b, "</testsuites>\n");
}

/* ---- Markdown --------------------------------------------------------------------- */

/* The per-rule summary as a Markdown table. */
static void markdown_rules(cfc__buf *b, const cfc_certification *c)
{
    cfc_cert_rule_row rows[64];
    size_t n = cfc_certification_rules(c, rows, 64);
    if (n == 0)
        return;
    cfc__buf_puts(b, "\n### By rule\n\n| Rule | Cases not passed | First case |\n|---|---:|---|\n");
    for (size_t i = 0; i < n && i < 64; i++) {
        cfc__buf_puts(b, "| ");
        md(b, rows[i].rule, 48);
        cfc__buf_printf(b, " | %zu | ", rows[i].cases);
        md(b, rows[i].first_case, 40);
        cfc__buf_puts(b, " |\n");
    }
}

static void markdown_report(cfc__buf *b, const cfc_certification *c)
{
    char ts[25];
    started(c, ts);
    cfc__buf_puts(b, "## cfconform certification: ");
    md(b, c->impl_name ? c->impl_name : "?", 200);
    cfc__buf_add(b, " ", 1);
    md(b, c->impl_version ? c->impl_version : "?", 100);
    cfc__buf_puts(b, " (");
    md(b, c->impl_language ? c->impl_language : "?", 100);
    cfc__buf_puts(b, ")\n\n**");
    status_text(b, c, true);
    cfc__buf_printf(b, "** %s ", c->certified ? "✅" : c->partial ? "⚠️" : "❌");
    score_text(b, c);
    if (c->stopped)
        cfc__buf_puts(b, ": the run was stopped before its end, the cases not run have no verdict");
    else if (c->partial)
        cfc__buf_puts(b, ": a subset of the catalogue, not a certification");
    cfc__buf_puts(b, "\n\n");
    cfc__buf_puts(b, "| Verdict | Cases |\n|---|---:|\n");
    for (int v = 0; v < CFC_VERDICT_COUNT; v++)
        cfc__buf_printf(b, "| %s | %zu |\n", cfc_verdict_name((cfc_verdict)v), c->counts[v]);
    cfc__buf_puts(b, "\nCatalogue ");
    md(b, cfc_catalogue_version(c->catalogue), 64);
    cfc__buf_printf(b, " (sha256 `%s`), adapter protocol %d, run %s, %zu adapter start%s.\n",
                    cfc_catalogue_sha256(c->catalogue), CFC_ADAPTER_PROTOCOL, ts, c->adapter_starts,
                    c->adapter_starts == 1 ? "" : "s");
    if (c->selection) {
        cfc__buf_puts(b, "Cases selected: ");
        md(b, c->selection, 200);
        cfc__buf_puts(b, ".\n");
    }
    if (c->cases_cut) {
        cfc__buf_puts(b, "\n**Output cut:** ");
        bound_text(b, c);
        cfc__buf_puts(b, ". The cases marked (output cut) show only the start of what was "
                         "received (certification.json says how much).\n");
    }
    if (c->counts[CFC_VERDICT_PASS] == c->n_results)
        return;
    markdown_rules(b, c);
    cfc__buf_puts(b, "\n### Cases not passed strictly\n\n| Case | Verdict | Description | Why "
                     "|\n|---|---|---|---|\n");
    for (size_t i = 0; i < c->n_results; i++) {
        const cfc_case_result *r = &c->results[i];
        if (r->verdict == CFC_VERDICT_PASS)
            continue;
        cfc__buf_puts(b, "| ");
        md(b, r->c->id, 40);
        cfc__buf_printf(b, " | %s%s | ", cfc_verdict_name(r->verdict),
                        r->cut ? " (output cut)" : "");
        md(b, r->c->description, 160);
        cfc__buf_puts(b, " | ");
        /* Every finding, one per line of the cell. */
        for (size_t m = 0; m < r->n_messages; m++) {
            if (m)
                cfc__buf_puts(b, "<br>");
            md(b, r->messages[m], 400);
        }
        cfc__buf_puts(b, " |\n");
        cfc__buf_spill(b);
    }
}

/* ---- badge ------------------------------------------------------------------------ */

static void badge_report(cfc__buf *b, const cfc_certification *c)
{
    unsigned score = cfc_certification_score(c);
    bool bad = c->counts[CFC_VERDICT_FAIL] || c->counts[CFC_VERDICT_ERROR];
    const char *color = bad            ? "red"
                        : c->partial   ? "lightgrey"
                        : score == 100 ? "brightgreen"
                                       : "yellow";
    cfc__buf_puts(b, "{\"schemaVersion\":1,\"label\":\"conformance\",\"message\":\"");
    if (c->stopped) /* nor a run that was stopped */
        cfc__buf_printf(b, "%s (%zu of %zu cases)", c->deadline ? "stopped" : "interrupted",
                        c->n_results, c->n_selected);
    else if (c->partial) /* C4: never a score that reads as a certification */
        cfc__buf_printf(b, "partial (%zu of %zu cases)", c->n_results,
                        cfc_catalogue_count(c->catalogue));
    else
        cfc__buf_printf(b, "%u%% (%zu/%zu)", score, c->counts[CFC_VERDICT_PASS], c->n_results);
    if (!c->partial && c->counts[CFC_VERDICT_NON_STRICT])
        cfc__buf_printf(b, ", %zu non-strict", c->counts[CFC_VERDICT_NON_STRICT]);
    cfc__buf_printf(b, "\",\"color\":\"%s\"}\n", color);
}

/* ---- HTML ----------------------------------------------------------------------------- */

/* The producer's own rules, after the shared ones (cfc__report_html_style). */
static const char css[] =
    ".v-fail{background:#c62828}.v-unimpl{background:#757575}"
    "table.matrix{border-collapse:collapse;width:100%}"
    "table.matrix th{text-align:left;font-weight:600;padding:.35em .8em .35em "
    "0;white-space:nowrap;vertical-align:top;width:1%}"
    "table.matrix td{padding:.2em 0}details.case[open]{padding-bottom:.6em}"
    ".diff .del{color:#b71c1c;background:#ffebee;display:block}.diff "
    ".add{color:#1b5e20;background:#e8f5e9;display:block}"
    ".diff .same{color:#555;display:block}.cut{color:#8a4b00;font-style:italic}";

/* The filter classes of a case: f-VERDICT and r-N for each rule N (the
 * index in the per-rule summary) of its findings. */
static void html_filter_classes(cfc__buf *b, const cfc_case_result *r,
                                const cfc_cert_rule_row *rows, size_t n_rows)
{
    cfc__buf_printf(b, " f-%s", verdict_class(r->verdict) + 2);
    if (r->verdict == CFC_VERDICT_PASS)
        return;
    for (size_t m = 0; m < r->n_messages || m == 0; m++) {
        char rule[48];
        cfc_cert_message_rule(r->n_messages ? r->messages[m] : "", r->verdict, rule, sizeof rule);
        for (size_t i = 0; i < n_rows; i++) {
            if (strcmp(rows[i].rule, rule) == 0)
                cfc__buf_printf(b, " r-%zu", i);
        }
        if (r->n_messages == 0)
            break;
    }
}

static void html_case(cfc__buf *b, const cfc_case_result *r, const cfc_cert_rule_row *rows,
                      size_t n_rows)
{
    const cfc_cert_case *k = r->c;
    bool pass = r->verdict == CFC_VERDICT_PASS;
    cfc__buf_puts(b, "<details class=\"case");
    html_filter_classes(b, r, rows, n_rows);
    cfc__buf_puts(b, "\" id=\"case-");
    html(b, k->id);
    /* Failing cases open, passing ones collapsed. */
    cfc__buf_printf(b,
                    "\" data-verdict=\"%s\"%s><summary><span class=\"cell %s\">%s</span> <strong>",
                    cfc_verdict_name(r->verdict), pass ? "" : " open", verdict_class(r->verdict),
                    cfc_verdict_name(r->verdict));
    html(b, k->id);
    cfc__buf_puts(b, "</strong> ");
    html(b, k->description);
    if (r->cut)
        cfc__buf_puts(b, " <span class=\"cut\">(output cut)</span>");
    cfc__buf_puts(b, "</summary>\n<p>Reference: ");
    html(b, k->reference);
    cfc__buf_printf(b, "; %" PRIu32 " ms.</p>\n", r->elapsed_ms);
    for (size_t s = 0; s < k->n_steps; s++) {
        const cfc_cert_step *st = &k->steps[s];
        cfc__buf_puts(b, "<h4>");
        if (k->n_steps > 1)
            cfc__buf_printf(b, "Step %zu: ", s + 1);
        cfc__buf_puts(b, "call</h4><pre>");
        html(b, st->broadcaster);
        cfc__buf_puts(b, "(");
        html(b, st->args);
        cfc__buf_puts(b, ")");
        if (st->fault)
            cfc__buf_printf(b, "  with the manager's broadcast set to %s",
                            cfc_fault_name(st->fault));
        cfc__buf_puts(b, "</pre>");
        if (!pass) {
            cfc__buf_puts(b, "<h4>Expected</h4><p>");
            html(b, st->expected);
            cfc__buf_puts(b, "</p>");
        }
        /* What was received, passing cases too. */
        if (s < r->n_replies) {
            const cfc_cert_reply *rep = &r->replies[s];
            cfc__buf_printf(b, "<h4>Received</h4><pre>outcome: %s", cfc_outcome_name(rep->outcome));
            if (rep->status) {
                cfc__buf_puts(b, " (");
                html(b, rep->status);
                cfc__buf_puts(b, ")");
            }
            if (rep->error) {
                cfc__buf_puts(b, "\nerror: ");
                html(b, rep->error);
            }
            cfc__buf_printf(b, "\nsent: %zu text%s", sent_count(rep),
                            sent_count(rep) == 1 ? "" : "s");
            for (size_t t = 0; t < rep->n_sent; t++) {
                cfc__buf_puts(b, "\n  ");
                cfc__buf_html(b, rep->sent[t].bytes, rep->sent[t].len);
            }
            for (size_t l = 0; l < rep->n_logs; l++) {
                cfc__buf_puts(b, l ? "\n  " : "\nlogs:\n  ");
                html(b, rep->logs[l].level);
                cfc__buf_puts(b, " ");
                html(b, rep->logs[l].message);
            }
            if (rep->cut) {
                cfc__buf_puts(b, "\n<span class=\"cut\">[");
                cut_text(b, rep);
                cfc__buf_puts(b, "]</span>");
            }
            cfc__buf_puts(b, "</pre>");
        }
    }
    if (!pass && r->n_messages) {
        cfc__buf_puts(b, "<h4>Why</h4><ul>");
        for (size_t m = 0; m < r->n_messages; m++) {
            cfc__buf_puts(b, "<li>");
            html(b, r->messages[m]);
            cfc__buf_puts(b, "</li>");
        }
        cfc__buf_puts(b, "</ul>");
    }
    if (!pass && r->n_diff) {
        cfc__buf_puts(b, "<h4>Diff (- expected, + received)</h4><pre class=\"diff\">");
        for (size_t m = 0; m < r->n_diff; m++) {
            const char *d = r->diff[m];
            cfc__buf_printf(b, "<span class=\"%s\">",
                            d[0] == '-'   ? "del"
                            : d[0] == '+' ? "add"
                                          : "same");
            html(b, d);
            cfc__buf_puts(b, "</span>");
        }
        cfc__buf_puts(b, "</pre>");
    }
    cfc__buf_puts(b, "</details>\n");
}

/* Filters without a script: radio buttons before everything they filter
 * (CSS's ~ reaches later siblings), labels in the filter bar. */
static const cfc_verdict filter_verdicts[] = {CFC_VERDICT_PASS, CFC_VERDICT_NON_STRICT,
                                              CFC_VERDICT_FAIL, CFC_VERDICT_UNIMPLEMENTED,
                                              CFC_VERDICT_ERROR};

static void html_filter_inputs(cfc__buf *b, const cfc_cert_rule_row *rows, size_t n_rows)
{
    cfc__buf_puts(b, "<input type=\"radio\" class=\"filter\" name=\"fv\" id=\"fv-all\" checked>");
    for (size_t i = 0; i < sizeof filter_verdicts / sizeof filter_verdicts[0]; i++)
        cfc__buf_printf(b, "<input type=\"radio\" class=\"filter\" name=\"fv\" id=\"fv-%s\">",
                        verdict_class(filter_verdicts[i]) + 2);
    cfc__buf_puts(b, "<input type=\"radio\" class=\"filter\" name=\"fr\" id=\"fr-all\" checked>");
    for (size_t i = 0; i < n_rows; i++) {
        cfc__buf_printf(b,
                        "<input type=\"radio\" class=\"filter\" name=\"fr\" id=\"fr-%zu\" "
                        "data-rule=\"",
                        i);
        html(b, rows[i].rule);
        cfc__buf_puts(b, "\">");
    }
    cfc__buf_puts(b, "\n");
}

static void html_filter_css(cfc__buf *b, size_t n_rows)
{
    cfc__buf_puts(b, "input.filter{position:absolute;opacity:0;pointer-events:none}"
                     "#filters label{display:inline-block;margin:2px;padding:.15em .6em;border:1px "
                     "solid #bbb;border-radius:3px;cursor:pointer;font-size:.9em}"
                     "#fv-all:checked~#filters label[for=fv-all],"
                     "#fr-all:checked~#filters label[for=fr-all]{background:#1b1b1b;color:#fff}");
    for (size_t i = 0; i < sizeof filter_verdicts / sizeof filter_verdicts[0]; i++) {
        const char *v = verdict_class(filter_verdicts[i]) + 2;
        cfc__buf_printf(b,
                        "#fv-%s:checked~#filters label[for=fv-%s]{background:#1b1b1b;color:#fff}"
                        "#fv-%s:checked~#details .case:not(.f-%s),"
                        "#fv-%s:checked~#matrix-section a.cell:not(.f-%s){display:none}",
                        v, v, v, v, v, v);
    }
    for (size_t i = 0; i < n_rows; i++)
        cfc__buf_printf(b,
                        "#fr-%zu:checked~#filters label[for=fr-%zu]{background:#1b1b1b;color:#fff}"
                        "#fr-%zu:checked~#details .case:not(.r-%zu),"
                        "#fr-%zu:checked~#matrix-section a.cell:not(.r-%zu){display:none}",
                        i, i, i, i, i, i);
}

static void html_filters(cfc__buf *b, const cfc_certification *c, const cfc_cert_rule_row *rows,
                         size_t n_rows)
{
    cfc__buf_printf(b,
                    "<section id=\"filters\"><h2>Filters</h2>\n<p>Verdict: <label "
                    "for=\"fv-all\">all (%zu)</label>",
                    c->n_results);
    for (size_t i = 0; i < sizeof filter_verdicts / sizeof filter_verdicts[0]; i++)
        cfc__buf_printf(b, "<label for=\"fv-%s\">%s (%zu)</label>",
                        verdict_class(filter_verdicts[i]) + 2, cfc_verdict_name(filter_verdicts[i]),
                        c->counts[filter_verdicts[i]]);
    cfc__buf_puts(b, "</p>\n<p>Rule: <label for=\"fr-all\">all</label>");
    for (size_t i = 0; i < n_rows; i++) {
        cfc__buf_printf(b, "<label for=\"fr-%zu\">", i);
        html(b, rows[i].rule);
        cfc__buf_printf(b, " (%zu)</label>", rows[i].cases);
    }
    cfc__buf_puts(b, "</p>\n</section>\n");
}

/* The per-rule summary: one systematic fault does not hide the others. */
static void html_rules(cfc__buf *b, const cfc_cert_rule_row *rows, size_t n_rows)
{
    if (n_rows == 0)
        return;
    cfc__buf_puts(b, "<section id=\"rules\"><h2>By rule</h2>\n<table class=\"counts\"><tr>"
                     "<th>Rule</th><th>Cases not passed</th><th>First case</th></tr>");
    for (size_t i = 0; i < n_rows; i++) {
        cfc__buf_puts(b, "<tr><td>");
        html(b, rows[i].rule);
        cfc__buf_printf(b, "</td><td class=\"rule-count\" data-rule=\"");
        html(b, rows[i].rule);
        cfc__buf_printf(b, "\">%zu</td><td><a href=\"#case-", rows[i].cases);
        html(b, rows[i].first_case);
        cfc__buf_puts(b, "\">");
        html(b, rows[i].first_case);
        cfc__buf_puts(b, "</a></td></tr>");
    }
    cfc__buf_puts(b, "</table>\n</section>\n");
}

static void html_report(cfc__buf *b, const cfc_certification *c)
{
    char ts[25];
    started(c, ts);
    const cfc_catalogue *cat = c->catalogue;
    const char *name = c->impl_name ? c->impl_name : "?";
    const char *version = c->impl_version ? c->impl_version : "?";
    cfc_cert_rule_row rows[64];
    size_t n_rows = cfc_certification_rules(c, rows, 64);
    if (n_rows > 64)
        n_rows = 64;
    cfc__report_html_head(b, "cfconform certification: ", name, version);
    cfc__buf_puts(b, " — ");
    status_text(b, c, false);
    cfc__report_html_style(b, css);
    html_filter_css(b, n_rows);
    cfc__buf_puts(b, "</style>\n</head>\n<body>\n");
    html_filter_inputs(b, rows, n_rows);
    cfc__buf_puts(b, "<header>\n<h1>Certification of ");
    html(b, name);
    cfc__buf_add(b, " ", 1);
    html(b, version);
    cfc__buf_puts(b, " (");
    html(b, c->impl_language ? c->impl_language : "?");
    cfc__buf_printf(b, ")</h1>\n<p><span id=\"verdict\" class=\"verdict %s\">",
                    cfc__report_verdict_class(c->stopped, c->partial, c->certified));
    status_text(b, c, true);
    cfc__buf_puts(b, "</span> <span id=\"score\">");
    score_text(b, c);
    cfc__buf_puts(b, "</span>");
    if (c->stopped)
        cfc__buf_puts(b, " the run was stopped before its end: the cases not run have no verdict");
    else if (c->partial)
        cfc__buf_puts(b, " a subset of the catalogue, not a certification");
    cfc__buf_puts(b, "</p>\n");
    cfc__buf_puts(b, "<dl class=\"meta\"><dt>Catalogue</dt><dd id=\"catalogue\">version ");
    html(b, cfc_catalogue_version(cat));
    cfc__buf_printf(b, ", sha256 <code>%s</code>, %zu cases</dd>", cfc_catalogue_sha256(cat),
                    cfc_catalogue_count(cat));
    cfc__buf_puts(b, "<dt>Adapter</dt><dd><code>");
    html(b, c->adapter_command ? c->adapter_command : "");
    cfc__buf_printf(b, "</code>, protocol %d, %zu start%s</dd>", CFC_ADAPTER_PROTOCOL,
                    c->adapter_starts, c->adapter_starts == 1 ? "" : "s");
    cfc__buf_printf(b, "<dt>Run</dt><dd>%s, %" PRIu32 " ms", ts, c->elapsed_ms);
    if (c->selection) {
        cfc__buf_puts(b, ", cases <code>");
        html(b, c->selection);
        cfc__buf_puts(b, "</code>");
    }
    cfc__buf_puts(b, "</dd>");
    if (c->cases_cut) {
        cfc__buf_puts(b, "<dt>Output cut</dt><dd id=\"output-cut\">");
        bound_text(b, c);
        cfc__buf_puts(b, "</dd>");
    }
    cfc__buf_puts(b, "</dl>\n</header>\n<section id=\"summary\"><h2>Summary</h2>\n"
                     "<table class=\"counts\"><tr><th>Verdict</th><th>Cases</th></tr>");
    for (int v = 0; v < CFC_VERDICT_COUNT; v++)
        cfc__buf_printf(
            b, "<tr><td><span class=\"cell %s\">%s</span></td><td id=\"count-%s\">%zu</td></tr>",
            verdict_class((cfc_verdict)v), cfc_verdict_name((cfc_verdict)v),
            verdict_class((cfc_verdict)v) + 2, c->counts[v]);
    cfc__buf_puts(
        b, "</table>\n</section>\n<section id=\"legend\"><h2>Legend</h2>\n<ul class=\"legend\">");
    for (int v = 0; v < CFC_VERDICT_COUNT; v++)
        cfc__buf_printf(b, "<li><span class=\"cell %s\">%s</span> %s</li>",
                        verdict_class((cfc_verdict)v), cfc_verdict_name((cfc_verdict)v),
                        verdict_meaning((cfc_verdict)v));
    cfc__buf_puts(b, "</ul>\n</section>\n");
    html_rules(b, rows, n_rows);
    html_filters(b, c, rows, n_rows);
    cfc__buf_puts(b, "<section id=\"matrix-section\"><h2>Case matrix</h2>\n<table class=\"matrix\" "
                     "id=\"matrix\">\n");
    for (size_t si = 0; si < cfc_catalogue_section_count(cat); si++) {
        const cfc_cert_section *sec = cfc_catalogue_section(cat, si);
        bool any = false;
        for (size_t i = 0; i < c->n_results && !any; i++)
            any = strcmp(c->results[i].c->section, sec->id) == 0;
        if (!any)
            continue;
        cfc__buf_puts(b, "<tr><th scope=\"row\">");
        html(b, sec->id);
        cfc__buf_puts(b, " ");
        html(b, sec->title);
        cfc__buf_puts(b, "</th><td>");
        for (size_t i = 0; i < c->n_results; i++) {
            const cfc_case_result *r = &c->results[i];
            if (strcmp(r->c->section, sec->id) != 0)
                continue;
            cfc__buf_printf(b, "<a class=\"cell %s", verdict_class(r->verdict));
            html_filter_classes(b, r, rows, n_rows);
            cfc__buf_printf(b, "\" data-verdict=\"%s\" href=\"#case-",
                            cfc_verdict_name(r->verdict));
            html(b, r->c->id);
            cfc__buf_printf(b, "\" title=\"%s: ", cfc_verdict_name(r->verdict));
            html(b, r->c->description);
            cfc__buf_puts(b, "\">");
            html(b, r->c->id);
            cfc__buf_puts(b, "</a>");
        }
        cfc__buf_puts(b, "</td></tr>\n");
    }
    cfc__buf_puts(b, "</table>\n</section>\n<section id=\"details\"><h2>Cases</h2>\n");
    for (size_t i = 0; i < c->n_results; i++) {
        html_case(b, &c->results[i], rows, n_rows);
        cfc__buf_spill(b);
    }
    cfc__buf_puts(b, "</section>\n<footer><p>Generated by cfconform certify. The catalogue's hash "
                     "identifies exactly which cases were run.</p></footer>\n</body>\n</html>\n");
}

int cfc_certification_write(const cfc_certification *cert, cfc_cert_format f, FILE *out)
{
    if (cert == NULL || out == NULL)
        return -1;
    cfc__buf b;
    cfc__buf_init(&b, cert->alloc);
    b.spill = out; /* written as it is made: a report of any size costs little memory */
    switch (f) {
    case CFC_CERT_JSON: json_report(&b, cert); break;
    case CFC_CERT_JUNIT: junit_report(&b, cert); break;
    case CFC_CERT_MARKDOWN: markdown_report(&b, cert); break;
    case CFC_CERT_BADGE: badge_report(&b, cert); break;
    case CFC_CERT_HTML: html_report(&b, cert); break;
    default: b.failed = true; break;
    }
    int rc = -1;
    if (cfc__buf_ok(&b) && fwrite(b.data, 1, b.len, out) == b.len && fflush(out) == 0 &&
        !ferror(out))
        rc = 0;
    cfc__buf_free(&b);
    return rc;
}
