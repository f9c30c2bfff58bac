/* SPDX-License-Identifier: MIT */
/*
 * Consumer certification reports, in producer certification's formats and
 * file names (cfc_cert_format): JSON (versioned schema), JUnit XML,
 * Markdown, a shields.io badge, one self-contained HTML page (no script, no
 * external asset).
 *
 * The per-field matrix leads every human report: one row per event type,
 * one cell per field it has (nested members as "current_task.id"), coloured
 * by how the consumer read it over every conforming event that sent it --
 * read exactly every time, misread at least once, dropped at least once --
 * since a dashboard's drift shows there first. Then the cases.
 *
 * Built in memory and written at once, like certify_report.c; everything
 * that came from the adapter is escaped for its format.
 */
#include <stdio.h>
#include <string.h>

#include "certify_internal.h"
#include "cfc/timestamp.h"
#include "consume_internal.h"

#define REPORT_TEXT_MAX 2000

static const char *read_name(cfc_consume_read r)
{
    switch (r) {
    case CFC_READ_EXACT: return "read";
    case CFC_READ_MISREAD: return "misread";
    case CFC_READ_DROPPED: return "dropped";
    case CFC_READ_COUNT: break;
    }
    return "?";
}

/* A matrix cell's state: dropped or misread if it happened once (dropped
 * first: nothing was read), "read" when always exact, "unsent" when no
 * conforming event of the run had the field. */
static const char *cell_state(const cfc_consume_matrix_row *row)
{
    if (row->counts[CFC_READ_DROPPED])
        return "dropped";
    if (row->counts[CFC_READ_MISREAD])
        return "misread";
    if (row->counts[CFC_READ_EXACT])
        return "read";
    return "unsent";
}

/* Whether anything failed: DROPPED, MISREAD, CRASH or ERROR. */
static bool failed(const cfc_consume_certification *c)
{
    return c->counts[CFC_CONSUME_DROPPED] || c->counts[CFC_CONSUME_MISREAD] ||
           c->counts[CFC_CONSUME_CRASH] || c->counts[CFC_CONSUME_ERROR];
}

static cfc__stop_mark stop_mark(const cfc_consume_certification *c)
{
    return (cfc__stop_mark){c->stopped,   c->deadline,   c->stop_signal,
                            c->n_results, c->n_selected, c->elapsed_ms};
}

/* "Certified", "Not certified", or "Partial (N of M cases)" (rule C4); a
 * run stopped early says so first, in producer certification's words. */
static void headline(cfc__buf *b, const cfc_consume_certification *c)
{
    cfc__stop_mark stop = stop_mark(c);
    if (c->stopped) {
        cfc__report_stopped_text(b, &stop, true);
        cfc__buf_puts(b, ", not a certification");
    } else if (c->partial)
        cfc__buf_printf(b, "Partial (%zu of %zu cases)%s", c->n_results,
                        cfc_consume_catalogue_count(c->catalogue),
                        failed(c) ? ", not certified" : ", not a certification");
    else
        cfc__buf_puts(b, c->certified ? "Certified" : "Not certified");
}

static void text_capped(cfc__buf *b, const char *s, size_t len,
                        void (*esc)(cfc__buf *, const char *, size_t))
{
    if (len <= REPORT_TEXT_MAX) {
        esc(b, s, len);
        return;
    }
    size_t cut = REPORT_TEXT_MAX;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    char tail[64];
    int tl = snprintf(tail, sizeof tail, "\xe2\x80\xa6 (%zu bytes in all)", len);
    /* One escaped text: the cut part and the note. */
    cfc__buf t;
    cfc__buf_init(&t, b->alloc);
    cfc__buf_add(&t, s, cut);
    cfc__buf_add(&t, tail, (size_t)tl);
    if (cfc__buf_ok(&t))
        esc(b, t.data, t.len);
    else
        b->failed = true;
    cfc__buf_free(&t);
}

/* ---- JSON ---------------------------------------------------------------------- */

static void json_report(cfc__buf *b, const cfc_consume_certification *c)
{
    char ts[25];
    cfc__report_started(c->started_ms, ts);
    cfc__buf_printf(b,
                    "{\"schema\":\"cfconform-consumer-certification-report\",\"schema_version\":%d,"
                    "\"role\":\"consumer\",\"catalogue\":{\"version\":",
                    CFC_CONSUME_REPORT_SCHEMA);
    cfc__report_jstr(b, cfc_consume_catalogue_version(c->catalogue));
    cfc__buf_puts(b, ",\"sha256\":");
    cfc__report_jstr(b, cfc_consume_catalogue_sha256(c->catalogue));
    cfc__buf_printf(b, ",\"cases\":%zu},\"implementation\":{\"name\":",
                    cfc_consume_catalogue_count(c->catalogue));
    cfc__report_jstr(b, c->impl_name);
    cfc__buf_puts(b, ",\"language\":");
    cfc__report_jstr(b, c->impl_language);
    cfc__buf_puts(b, ",\"version\":");
    cfc__report_jstr(b, c->impl_version);
    cfc__buf_puts(b, "},\"adapter\":{\"command\":");
    cfc__report_jstr(b, c->adapter_command);
    cfc__buf_printf(b, ",\"starts\":%zu},\"started\":\"%s\",\"elapsed_ms\":%u,\"selection\":",
                    c->adapter_starts, ts, c->elapsed_ms);
    cfc__report_jstr(b, c->selection);
    cfc__buf_puts(b, ",\"summary\":{");
    for (int v = 0; v < CFC_CONSUME_VERDICT_COUNT; v++)
        cfc__buf_printf(b, "%s\"%s\":%zu", v ? "," : "",
                        cfc_consume_verdict_name((cfc_consume_verdict)v), c->counts[v]);
    cfc__buf_printf(b, "},\"cases_run\":%zu,\"certified\":%s,\"partial\":%s,", c->n_results,
                    c->certified ? "true" : "false", c->partial ? "true" : "false");
    cfc__stop_mark stop = stop_mark(c);
    cfc__report_stopped_json(b, &stop);
    cfc__buf_printf(b, ",\"score\":%u,\"matrix\":{", cfc_consume_score(c));
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t t = 0; t < nt; t++) {
        cfc__buf_printf(b, "%s\"%s\":{", t ? "," : "", types[t].name);
        size_t nf;
        const cfc_consume_field *fs = cfc_consume_fields(types[t].id, &nf);
        for (size_t k = 0; k < nf; k++) {
            const cfc_consume_matrix_row *row = &c->matrix[t][k];
            cfc__buf_printf(b,
                            "%s\"%s\":{\"state\":\"%s\",\"read\":%zu,\"misread\":%zu,"
                            "\"dropped\":%zu}",
                            k ? "," : "", fs[k].path, cell_state(row), row->counts[CFC_READ_EXACT],
                            row->counts[CFC_READ_MISREAD], row->counts[CFC_READ_DROPPED]);
        }
        cfc__buf_puts(b, "}");
    }
    cfc__buf_puts(b, "},\"fuzz\":");
    if (!c->fuzzed) {
        cfc__buf_puts(b, "null");
    } else {
        cfc__buf_printf(b, "{\"inputs\":%zu,\"elapsed_ms\":%u,\"crashes\":[", c->fuzz_inputs,
                        c->fuzz_ms);
        for (size_t i = 0; i < c->n_fuzz_crashes; i++) {
            const cfc_consume_fuzz_crash *f = &c->fuzz_crashes[i];
            cfc__buf_printf(b, "%s{\"id\":\"%s\",\"verdict\":\"CRASH\",\"error\":", i ? "," : "",
                            f->id);
            cfc__report_jstr(b, f->error);
            cfc__buf_puts(b, ",\"reproducer\":");
            cfc__buf_json_str(b, f->bytes, f->len);
            cfc__buf_printf(b, ",\"length\":%zu,\"original_length\":%zu,\"minimised\":%s}", f->len,
                            f->original_len, f->minimised ? "true" : "false");
        }
        cfc__buf_puts(b, "]}");
    }
    cfc__buf_puts(b, ",\"cases\":[");
    for (size_t i = 0; i < c->n_results; i++) {
        const cfc_consume_result *r = &c->results[i];
        cfc__buf_puts(b, i ? ",\n{\"id\":" : "\n{\"id\":");
        cfc__report_jstr(b, r->c->id);
        cfc__buf_puts(b, ",\"description\":");
        cfc__report_jstr(b, r->c->description);
        cfc__buf_printf(b, ",\"verdict\":\"%s\",\"elapsed_ms\":%u",
                        cfc_consume_verdict_name(r->verdict), r->elapsed_ms);
        if (r->verdict != CFC_CONSUME_PASS) {
            cfc__buf_puts(b, ",\"messages\":[");
            for (size_t m = 0; m < r->n_messages; m++) {
                if (m)
                    cfc__buf_puts(b, ",");
                cfc__report_jstr(b, r->messages[m]);
            }
            cfc__buf_puts(b, "],\"fields\":[");
            for (size_t f = 0; f < r->n_fields; f++) {
                const cfc_consume_field_result *fr = &r->fields[f];
                cfc__buf_printf(b, "%s{\"event\":%zu,\"field\":\"%s\",\"how\":\"%s\",\"sent\":",
                                f ? "," : "", fr->event + 1, fr->path, read_name(fr->read));
                cfc__report_jstr(b, fr->sent);
                cfc__buf_puts(b, ",\"read\":");
                cfc__report_jstr(b, fr->got);
                cfc__buf_puts(b, "}");
            }
            cfc__buf_puts(b, "],\"events\":[");
            for (size_t e = 0; e < r->c->n_events; e++) {
                const cfc_consume_event *ev = &r->c->events[e];
                cfc__buf_printf(b, "%s{\"expect\":\"%s\",\"rule\":", e ? "," : "",
                                cfc_consume_expect_name(ev->expect));
                cfc__report_jstr(b, ev->rule);
                cfc__buf_puts(b, ",\"text\":");
                text_capped(b, ev->bytes, ev->len, cfc__buf_json_str);
                if (e < r->n_answers) {
                    cfc__buf_printf(b, ",\"answer\":{\"outcome\":\"%s\",\"detail\":",
                                    cfc_consume_outcome_name(r->answers[e].outcome));
                    cfc__report_jstr(b, r->answers[e].detail);
                    cfc__buf_puts(b, "}");
                }
                cfc__buf_puts(b, "}");
            }
            cfc__buf_puts(b, "]");
        }
        cfc__buf_puts(b, "}");
    }
    cfc__buf_puts(b, "\n]}\n");
}

/* ---- JUnit ------------------------------------------------------------------- */

static void junit_report(cfc__buf *b, const cfc_consume_certification *c)
{
    cfc__buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    size_t failures = c->counts[CFC_CONSUME_DROPPED] + c->counts[CFC_CONSUME_MISREAD];
    size_t errors = c->counts[CFC_CONSUME_CRASH] + c->counts[CFC_CONSUME_ERROR];
    size_t stopped = c->stopped ? 1 : 0; /* the run itself, an error testcase */
    cfc__buf_printf(b,
                    "<testsuites name=\"cfconform consumer certification\" tests=\"%zu\" "
                    "failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
                    c->n_results + stopped, failures, errors + stopped, c->elapsed_ms / 1000.0);
    cfc__stop_mark stop = stop_mark(c);
    cfc__report_junit_stopped(b, &stop, "consumer.run");
    for (size_t s = 0; s < CFC__CONSUME_SECTIONS; s++) {
        const char *sid;
        const char *title = cfc_consume_section_title(s, &sid);
        size_t n = 0, nf = 0, ne = 0;
        for (size_t i = 0; i < c->n_results; i++) {
            const cfc_consume_result *r = &c->results[i];
            if (strcmp(r->c->section, sid) != 0)
                continue;
            n++;
            nf += r->verdict == CFC_CONSUME_DROPPED || r->verdict == CFC_CONSUME_MISREAD;
            ne += r->verdict == CFC_CONSUME_CRASH || r->verdict == CFC_CONSUME_ERROR;
        }
        if (n == 0)
            continue;
        cfc__buf_printf(b, "  <testsuite name=\"%s ", sid);
        cfc__buf_xml(b, title, strlen(title));
        cfc__buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", n, nf, ne);
        cfc__buf_puts(b, "    <properties><property name=\"catalogue.version\" value=\"");
        const char *v = cfc_consume_catalogue_version(c->catalogue);
        cfc__buf_xml(b, v, strlen(v));
        cfc__buf_printf(b, "\"/><property name=\"catalogue.sha256\" value=\"%s\"/></properties>\n",
                        cfc_consume_catalogue_sha256(c->catalogue));
        for (size_t i = 0; i < c->n_results; i++) {
            const cfc_consume_result *r = &c->results[i];
            if (strcmp(r->c->section, sid) != 0)
                continue;
            cfc__buf_printf(b, "    <testcase classname=\"consumer.%s\" name=\"%s ", sid, r->c->id);
            cfc__buf_xml(b, r->c->description, strlen(r->c->description));
            cfc__buf_printf(b, "\" time=\"%.3f\"", r->elapsed_ms / 1000.0);
            if (r->verdict == CFC_CONSUME_PASS) {
                cfc__buf_puts(b, "/>\n");
                continue;
            }
            const char *tag = r->verdict == CFC_CONSUME_NON_STRICT ? "system-out"
                              : r->verdict == CFC_CONSUME_CRASH || r->verdict == CFC_CONSUME_ERROR
                                  ? "error"
                                  : "failure";
            cfc__buf_printf(b, ">\n      <%s", tag);
            if (strcmp(tag, "system-out") != 0) {
                cfc__buf_printf(b, " type=\"%s\" message=\"", cfc_consume_verdict_name(r->verdict));
                const char *m = r->n_messages ? r->messages[0] : "";
                cfc__buf_xml(b, m, strlen(m));
                cfc__buf_puts(b, "\"");
            }
            cfc__buf_puts(b, ">");
            cfc__buf_printf(b, "%s\n", cfc_consume_verdict_name(r->verdict));
            for (size_t m = 0; m < r->n_messages; m++) {
                cfc__buf_xml(b, r->messages[m], strlen(r->messages[m]));
                cfc__buf_puts(b, "\n");
            }
            cfc__buf_printf(b, "</%s>\n    </testcase>\n", tag);
        }
        cfc__buf_puts(b, "  </testsuite>\n");
    }
    if (c->fuzzed) {
        cfc__buf_printf(b,
                        "  <testsuite name=\"F fuzz phase\" tests=\"%zu\" failures=\"0\" "
                        "errors=\"%zu\">\n",
                        c->n_fuzz_crashes ? c->n_fuzz_crashes : 1, c->n_fuzz_crashes);
        if (c->n_fuzz_crashes == 0)
            cfc__buf_printf(b,
                            "    <testcase classname=\"consumer.F\" name=\"F %zu inputs, no "
                            "crash\"/>\n",
                            c->fuzz_inputs);
        for (size_t i = 0; i < c->n_fuzz_crashes; i++) {
            const cfc_consume_fuzz_crash *f = &c->fuzz_crashes[i];
            cfc__buf_printf(b,
                            "    <testcase classname=\"consumer.F\" name=\"%s\">\n      <error "
                            "type=\"CRASH\" message=\"",
                            f->id);
            cfc__buf_xml(b, f->error, strlen(f->error));
            cfc__buf_puts(b, "\">reproducer: ");
            text_capped(b, f->bytes, f->len, cfc__buf_xml);
            cfc__buf_puts(b, "</error>\n    </testcase>\n");
        }
        cfc__buf_puts(b, "  </testsuite>\n");
    }
    cfc__buf_puts(b, "</testsuites>\n");
}

/* ---- Markdown --------------------------------------------------------------- */

static void markdown_report(cfc__buf *b, const cfc_consume_certification *c)
{
    cfc__buf_puts(b, "# Consumer certification: ");
    cfc__report_md(b, c->impl_name ? c->impl_name : "?", 300);
    cfc__buf_puts(b, " ");
    cfc__report_md(b, c->impl_version ? c->impl_version : "", 300);
    cfc__buf_puts(b, "\n\n**");
    headline(b, c);
    cfc__buf_printf(b, "** — %u%% (%zu/%zu PASS, %zu NON-STRICT)\n\n", cfc_consume_score(c),
                    c->counts[CFC_CONSUME_PASS], c->n_results, c->counts[CFC_CONSUME_NON_STRICT]);
    cfc__buf_printf(b, "Catalogue %s, sha256 `%s`.\n\n| verdict | cases |\n|---|---|\n",
                    cfc_consume_catalogue_version(c->catalogue),
                    cfc_consume_catalogue_sha256(c->catalogue));
    for (int v = 0; v < CFC_CONSUME_VERDICT_COUNT; v++)
        cfc__buf_printf(b, "| %s | %zu |\n", cfc_consume_verdict_name((cfc_consume_verdict)v),
                        c->counts[v]);
    cfc__buf_puts(b, "\n## Fields not read exactly\n\n");
    size_t nt, bad = 0;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t t = 0; t < nt; t++) {
        size_t nf;
        const cfc_consume_field *fs = cfc_consume_fields(types[t].id, &nf);
        for (size_t k = 0; k < nf; k++) {
            const cfc_consume_matrix_row *row = &c->matrix[t][k];
            if (row->counts[CFC_READ_MISREAD] == 0 && row->counts[CFC_READ_DROPPED] == 0)
                continue;
            if (bad++ == 0)
                cfc__buf_puts(b, "| event type | field | read | misread | dropped |\n"
                                 "|---|---|---|---|---|\n");
            cfc__buf_printf(b, "| %s | ", types[t].name);
            cfc__report_md(b, fs[k].path, 300);
            cfc__buf_printf(b, " | %zu | %zu | %zu |\n", row->counts[CFC_READ_EXACT],
                            row->counts[CFC_READ_MISREAD], row->counts[CFC_READ_DROPPED]);
        }
    }
    if (bad == 0)
        cfc__buf_puts(b, "None: every field of every event type was read exactly.\n");
    if (c->fuzzed) {
        cfc__buf_printf(b, "\n## Fuzz phase\n\n%zu inputs in %.1f s, %zu crash%s.\n",
                        c->fuzz_inputs, c->fuzz_ms / 1000.0, c->n_fuzz_crashes,
                        c->n_fuzz_crashes == 1 ? "" : "es");
        for (size_t i = 0; i < c->n_fuzz_crashes; i++) {
            const cfc_consume_fuzz_crash *f = &c->fuzz_crashes[i];
            cfc__buf_printf(b, "\n- **%s** CRASH: ", f->id);
            cfc__report_md(b, f->error, 300);
            cfc__buf_puts(b, "; reproducer (");
            cfc__buf_printf(b, "%zu bytes%s): `", f->len, f->minimised ? ", minimised" : "");
            for (size_t k = 0; k < f->len && k < 300; k++) {
                char ch = f->bytes[k];
                cfc__buf_add(b, ch == '`' || (unsigned char)ch < 0x20 ? "?" : &ch, 1);
            }
            cfc__buf_puts(b, "`");
        }
        cfc__buf_puts(b, "\n");
    }
    size_t shown = 0;
    for (size_t i = 0; i < c->n_results; i++) {
        const cfc_consume_result *r = &c->results[i];
        if (r->verdict == CFC_CONSUME_PASS)
            continue;
        if (shown == 0)
            cfc__buf_puts(b, "\n## Cases not passed\n\n| case | verdict | description | why |\n"
                             "|---|---|---|---|\n");
        if (++shown > 200) {
            cfc__buf_puts(b, "| … | | more in certification.json | |\n");
            break;
        }
        cfc__buf_printf(b, "| %s | %s | ", r->c->id, cfc_consume_verdict_name(r->verdict));
        cfc__report_md(b, r->c->description, 300);
        cfc__buf_puts(b, " | ");
        cfc__report_md(b, r->n_messages ? r->messages[0] : "", 300);
        cfc__buf_puts(b, " |\n");
    }
}

static void badge_report(cfc__buf *b, const cfc_consume_certification *c)
{
    unsigned score = cfc_consume_score(c);
    const char *colour = failed(c)      ? "red"
                         : c->partial   ? "lightgrey"
                         : score == 100 ? "brightgreen"
                                        : "yellow";
    cfc__buf_puts(b, "{\"schemaVersion\":1,\"label\":\"consumer conformance\",\"message\":\"");
    if (c->stopped) { /* never a score that reads as a certification (as producers) */
        cfc__buf_printf(b, "%s (%zu of %zu cases)", c->deadline ? "stopped" : "interrupted",
                        c->n_results, c->n_selected);
    } else {
        if (c->partial)
            cfc__buf_printf(b, "partial (%zu of %zu cases), ", c->n_results,
                            cfc_consume_catalogue_count(c->catalogue));
        cfc__buf_printf(b, "%u%% (%zu/%zu)", score, c->counts[CFC_CONSUME_PASS], c->n_results);
        if (c->counts[CFC_CONSUME_NON_STRICT])
            cfc__buf_printf(b, ", %zu non-strict", c->counts[CFC_CONSUME_NON_STRICT]);
    }
    cfc__buf_printf(b, "\",\"color\":\"%s\"}\n", colour);
}

/* ---- HTML ---------------------------------------------------------------------- */

/* The consumer's own rules, after the shared ones (cfc__report_html_style). */
static const char css[] =
    "table.fields{border-collapse:collapse;width:100%}table.fields th{text-align:left;"
    "font-weight:600;padding:.35em .8em .35em 0;white-space:nowrap;vertical-align:top;width:1%}"
    "table.fields td{padding:.2em 0}"
    ".field{display:inline-block;margin:2px;padding:.15em .5em;border-radius:3px;color:#fff;"
    "font:12px/1.6em ui-monospace,monospace}"
    ".f-read{background:#2e7d32}.f-misread{background:#c62828}.f-dropped{background:#e65100}"
    ".f-unsent{background:#9e9e9e}"
    ".field small{opacity:.85;margin-left:.4em}"
    ".v-dropped{background:#e65100}.v-misread{background:#c62828}.v-crash{background:#212121}"
    "ul.legend .cell,ul.legend .field{min-width:7.5em;text-align:center}"
    "table.diff{border-collapse:collapse}table.diff td,table.diff th{border:1px solid #ddd;"
    "padding:.2em .6em;text-align:left;vertical-align:top}";

static const char *verdict_class(cfc_consume_verdict v)
{
    switch (v) {
    case CFC_CONSUME_PASS: return "v-pass";
    case CFC_CONSUME_NON_STRICT: return "v-nonstrict";
    case CFC_CONSUME_DROPPED: return "v-dropped";
    case CFC_CONSUME_MISREAD: return "v-misread";
    case CFC_CONSUME_CRASH: return "v-crash";
    case CFC_CONSUME_ERROR: return "v-error";
    case CFC_CONSUME_VERDICT_COUNT: break;
    }
    return "v-error";
}

static const char *verdict_meaning(cfc_consume_verdict v)
{
    switch (v) {
    case CFC_CONSUME_PASS: return "read exactly (or rejected, when not conforming)";
    case CFC_CONSUME_NON_STRICT: return "accepted a non-conforming event without flagging it";
    case CFC_CONSUME_DROPPED: return "a field sent was not read";
    case CFC_CONSUME_MISREAD: return "a field was read with another value";
    case CFC_CONSUME_CRASH: return "the consumer raised, died or hung";
    case CFC_CONSUME_ERROR: return "the adapter broke the protocol";
    case CFC_CONSUME_VERDICT_COUNT: break;
    }
    return "";
}

static void html_matrix(cfc__buf *b, const cfc_consume_certification *c)
{
    cfc__buf_puts(b, "<h2 id=\"fields\">Fields read, per event type</h2>\n"
                     "<table class=\"fields\" id=\"field-matrix\">\n");
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t t = 0; t < nt; t++) {
        cfc__buf_printf(b, "<tr><th>%s</th><td>", types[t].name);
        size_t nf;
        const cfc_consume_field *fs = cfc_consume_fields(types[t].id, &nf);
        for (size_t k = 0; k < nf; k++) {
            const cfc_consume_matrix_row *row = &c->matrix[t][k];
            const char *st = cell_state(row);
            cfc__buf_printf(b,
                            "<span class=\"field f-%s\" data-state=\"%s\" title=\"%s.%s: read "
                            "exactly %zu, misread %zu, dropped %zu\">%s",
                            st, st, types[t].name, fs[k].path, row->counts[CFC_READ_EXACT],
                            row->counts[CFC_READ_MISREAD], row->counts[CFC_READ_DROPPED],
                            fs[k].path);
            if (row->counts[CFC_READ_MISREAD] || row->counts[CFC_READ_DROPPED])
                cfc__buf_printf(b, "<small>%zu/%zu</small>",
                                row->counts[CFC_READ_MISREAD] + row->counts[CFC_READ_DROPPED],
                                row->counts[CFC_READ_EXACT] + row->counts[CFC_READ_MISREAD] +
                                    row->counts[CFC_READ_DROPPED]);
            cfc__buf_puts(b, "</span>");
        }
        cfc__buf_puts(b, "</td></tr>\n");
    }
    cfc__buf_puts(b, "</table>\n<ul class=\"legend\" id=\"field-legend\">"
                     "<li><span class=\"field f-read\">read</span> read exactly in every "
                     "conforming event that sent it</li>"
                     "<li><span class=\"field f-misread\">misread</span> read with another "
                     "value at least once (n/m: events not read exactly / events)</li>"
                     "<li><span class=\"field f-dropped\">dropped</span> sent but not read at "
                     "least once</li>"
                     "<li><span class=\"field f-unsent\">unsent</span> no selected case sent "
                     "it</li></ul>\n");
}

static void html_case(cfc__buf *b, const cfc_consume_result *r)
{
    bool pass = r->verdict == CFC_CONSUME_PASS;
    cfc__buf_printf(b,
                    "<details class=\"case\" id=\"case-%s\"%s><summary><span class=\"cell %s\">"
                    "%s</span> <code>%s</code> ",
                    r->c->id, pass ? "" : " open", verdict_class(r->verdict),
                    cfc_consume_verdict_name(r->verdict), r->c->id);
    cfc__report_html(b, r->c->description);
    cfc__buf_puts(b, "</summary>\n");
    if (r->n_messages) {
        cfc__buf_puts(b, "<ul class=\"why\">");
        for (size_t m = 0; m < r->n_messages && m < 50; m++) {
            cfc__buf_puts(b, "<li>");
            cfc__report_html(b, r->messages[m]);
            cfc__buf_puts(b, "</li>");
        }
        cfc__buf_puts(b, "</ul>\n");
    }
    if (r->n_fields) {
        cfc__buf_puts(b, "<table class=\"diff\"><tr><th>event</th><th>field</th><th>how</th>"
                         "<th>sent</th><th>read</th></tr>");
        for (size_t f = 0; f < r->n_fields; f++) {
            const cfc_consume_field_result *fr = &r->fields[f];
            cfc__buf_printf(b, "<tr><td>%zu</td><td>%s</td><td>%s</td><td><code>", fr->event + 1,
                            fr->path, read_name(fr->read));
            cfc__report_html(b, fr->sent ? fr->sent : "(absent)");
            cfc__buf_puts(b, "</code></td><td><code>");
            cfc__report_html(b, fr->got ? fr->got : "(absent)");
            cfc__buf_puts(b, "</code></td></tr>");
        }
        cfc__buf_puts(b, "</table>\n");
    }
    for (size_t e = 0; e < r->c->n_events && !pass; e++) {
        const cfc_consume_event *ev = &r->c->events[e];
        cfc__buf_printf(b, "<h4>Event %zu (expected: %s%s%s)</h4><pre>", e + 1,
                        cfc_consume_expect_name(ev->expect), ev->rule ? ", breaks " : "",
                        ev->rule ? ev->rule : "");
        text_capped(b, ev->bytes, ev->len, cfc__buf_html);
        cfc__buf_puts(b, "</pre>");
        if (e < r->n_answers) {
            cfc__buf_printf(b, "<p>Answer: <b>%s</b></p>",
                            cfc_consume_outcome_name(r->answers[e].outcome));
            if (r->answers[e].detail) {
                cfc__buf_puts(b, "<pre>");
                cfc__report_html(b, r->answers[e].detail);
                cfc__buf_puts(b, "</pre>");
            }
        }
    }
    cfc__buf_puts(b, "</details>\n");
}

static void html_report(cfc__buf *b, const cfc_consume_certification *c)
{
    char ts[25];
    cfc__report_started(c->started_ms, ts);
    cfc__report_html_head(b, "Consumer certification: ", c->impl_name, c->impl_version);
    cfc__report_html_style(b, css);
    cfc__buf_puts(b, "</style>\n</head>\n<body>\n<h1>Consumer certification: ");
    cfc__report_html(b, c->impl_name ? c->impl_name : "?");
    cfc__buf_puts(b, " ");
    cfc__report_html(b, c->impl_version ? c->impl_version : "");
    cfc__buf_printf(b, "</h1>\n<p><span class=\"verdict %s\" id=\"verdict\">",
                    cfc__report_verdict_class(c->stopped, c->partial && !failed(c), c->certified));
    headline(b, c);
    cfc__buf_printf(b,
                    "</span> %u%% (%zu/%zu PASS, %zu NON-STRICT)</p>\n<dl "
                    "class=\"meta\"><dt>Language</dt><dd>",
                    cfc_consume_score(c), c->counts[CFC_CONSUME_PASS], c->n_results,
                    c->counts[CFC_CONSUME_NON_STRICT]);
    cfc__report_html(b, c->impl_language ? c->impl_language : "?");
    cfc__buf_puts(b, "</dd><dt>Adapter</dt><dd><code>");
    cfc__report_html(b, c->adapter_command);
    cfc__buf_printf(b,
                    "</code> (%zu start%s)</dd><dt>Catalogue</dt><dd id=\"catalogue\">version "
                    "%s, sha256 %s</dd><dt>Started</dt><dd>%s, %.1f s</dd>",
                    c->adapter_starts, c->adapter_starts == 1 ? "" : "s",
                    cfc_consume_catalogue_version(c->catalogue),
                    cfc_consume_catalogue_sha256(c->catalogue), ts, c->elapsed_ms / 1000.0);
    if (c->selection) {
        cfc__buf_puts(b, "<dt>Cases</dt><dd>");
        cfc__report_html(b, c->selection);
        cfc__buf_puts(b, "</dd>");
    }
    cfc__buf_puts(b, "</dl>\n<table class=\"counts\"><tr>");
    for (int v = 0; v < CFC_CONSUME_VERDICT_COUNT; v++)
        cfc__buf_printf(b, "<th>%s</th>", cfc_consume_verdict_name((cfc_consume_verdict)v));
    cfc__buf_puts(b, "</tr><tr>");
    for (int v = 0; v < CFC_CONSUME_VERDICT_COUNT; v++)
        cfc__buf_printf(b, "<td>%zu</td>", c->counts[v]);
    cfc__buf_puts(b, "</tr></table>\n");
    html_matrix(b, c);
    cfc__buf_puts(b, "<h2>Cases</h2>\n<div id=\"case-matrix\">");
    for (size_t i = 0; i < c->n_results; i++) {
        const cfc_consume_result *r = &c->results[i];
        cfc__buf_printf(b, "<a class=\"cell %s\" href=\"#case-%s\" title=\"%s %s\">%s</a>",
                        verdict_class(r->verdict), r->c->id, r->c->id,
                        cfc_consume_verdict_name(r->verdict), r->c->id);
    }
    cfc__buf_puts(b, "</div>\n<ul class=\"legend\" id=\"legend\">");
    for (int v = 0; v < CFC_CONSUME_VERDICT_COUNT; v++)
        cfc__buf_printf(b, "<li><span class=\"cell %s\">%s</span> %s</li>",
                        verdict_class((cfc_consume_verdict)v),
                        cfc_consume_verdict_name((cfc_consume_verdict)v),
                        verdict_meaning((cfc_consume_verdict)v));
    cfc__buf_puts(b, "</ul>\n");
    if (c->fuzzed) {
        cfc__buf_printf(b,
                        "<h2 id=\"fuzz\">Fuzz phase</h2>\n<p>%zu inputs in %.1f s, %zu "
                        "crash%s.</p>\n",
                        c->fuzz_inputs, c->fuzz_ms / 1000.0, c->n_fuzz_crashes,
                        c->n_fuzz_crashes == 1 ? "" : "es");
        for (size_t i = 0; i < c->n_fuzz_crashes; i++) {
            const cfc_consume_fuzz_crash *f = &c->fuzz_crashes[i];
            cfc__buf_printf(b,
                            "<details class=\"case fuzz\" id=\"case-%s\" open><summary><span "
                            "class=\"cell v-crash\">CRASH</span> <code>%s</code> ",
                            f->id, f->id);
            cfc__report_html(b, f->error);
            cfc__buf_printf(b, "</summary><h4>Reproducer (%zu bytes%s, from %zu)</h4><pre>", f->len,
                            f->minimised ? ", minimised" : "", f->original_len);
            text_capped(b, f->bytes, f->len, cfc__buf_html);
            cfc__buf_puts(b, "</pre></details>\n");
        }
    }
    cfc__buf_puts(b, "<h2>Details</h2>\n");
    for (size_t i = 0; i < c->n_results; i++)
        html_case(b, &c->results[i]);
    cfc__buf_puts(b, "</body></html>\n");
}

int cfc_consume_write(const cfc_consume_certification *cert, cfc_cert_format f, FILE *out)
{
    if (cert == NULL || out == NULL)
        return -1;
    cfc__buf b;
    cfc__buf_init(&b, cert->alloc);
    switch (f) {
    case CFC_CERT_JSON: json_report(&b, cert); break;
    case CFC_CERT_JUNIT: junit_report(&b, cert); break;
    case CFC_CERT_MARKDOWN: markdown_report(&b, cert); break;
    case CFC_CERT_BADGE: badge_report(&b, cert); break;
    case CFC_CERT_HTML: html_report(&b, cert); break;
    }
    bool ok = cfc__buf_ok(&b) && (b.len == 0 || fwrite(b.data, 1, b.len, out) == b.len) &&
              fflush(out) == 0 && !ferror(out);
    cfc__buf_free(&b);
    return ok ? 0 : -1;
}
