/* SPDX-License-Identifier: MIT */
/*
 * Certification reports: JSON (for tools, versioned schema), JUnit XML (CI
 * test reporters), Markdown (CI job pages), a shields.io endpoint badge, and
 * one self-contained HTML page (no script, no external asset: a case matrix
 * coloured by verdict with its legend, then every case with expected vs
 * received and the diff).
 *
 * Each report is built in memory (they are small: a few hundred kB for the
 * whole catalogue) and written at once, so a failed allocation never leaves
 * half a report behind; a write error is reported by the return value.
 * Everything that came from the adapter may hold any bytes: each format
 * escapes it as its grammar requires, invalid UTF-8 becomes U+FFFD.
 */
#include <inttypes.h>
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

static void jstr(cfc__buf *b, const char *s)
{
    if (s == NULL)
        cfc__buf_puts(b, "null");
    else
        cfc__buf_json_str(b, s, strlen(s));
}

/* Rule C4, the same words in every report: "Certified", "Not certified",
 * or for a subset "Partial (2 of 217 cases)", never certified. */
static void status_text(cfc__buf *b, const cfc_certification *c, bool capital)
{
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

static void started(const cfc_certification *c, char out[25])
{
    if (cfc_timestamp_format(c->started_ms, out) != 0)
        strcpy(out, "1970-01-01T00:00:00.000Z");
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
    cfc__buf_printf(b,
                    ",\"started\":\"%s\",\"elapsed_ms\":%" PRIu32
                    ",\"certified\":%s,\"partial\":%s,\"score\":%u,"
                    "\"summary\":{\"total\":%zu",
                    ts, c->elapsed_ms, c->certified ? "true" : "false",
                    c->partial ? "true" : "false", cfc_certification_score(c), c->n_results);
    for (int v = 0; v < CFC_VERDICT_COUNT; v++)
        cfc__buf_printf(b, ",\"%s\":%zu", cfc_verdict_name((cfc_verdict)v), c->counts[v]);
    cfc__buf_puts(b, "},\"cases\":[");
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
        cfc__buf_printf(b, ",\"verdict\":\"%s\",\"elapsed_ms\":%" PRIu32 ",\"calls\":[",
                        cfc_verdict_name(r->verdict), r->elapsed_ms);
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
                cfc__buf_reply_members(b, &r->replies[s]);
                cfc__buf_printf(b, ",\"elapsed_ms\":%" PRIu32 "}", r->replies[s].elapsed_ms);
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
        cfc__buf_printf(b, "received: %s, %zu sent", cfc_outcome_name(rep->outcome), rep->n_sent);
        cfc__buf_puts(b, "&#10;");
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

static void junit_report(cfc__buf *b, const cfc_certification *c)
{
    char ts[25];
    started(c, ts);
    ts[19] = '\0'; /* xs:dateTime without the zone letter is fine; keep it plain */
    size_t fails = c->counts[CFC_VERDICT_FAIL], errors = c->counts[CFC_VERDICT_ERROR],
           skipped = c->counts[CFC_VERDICT_UNIMPLEMENTED];
    cfc__buf_printf(b,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<testsuites name=\"cfconform certify\" tests=\"%zu\" failures=\"%zu\" "
                    "errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\" timestamp=\"%s\">\n",
                    c->n_results, fails, errors, skipped, c->elapsed_ms / 1000.0, ts);
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
        cfc__buf_puts(b, ")\"/>\n    </properties>\n");
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
            const char *first = r->n_messages ? r->messages[0] : cfc_verdict_name(r->verdict);
            switch (r->verdict) {
            case CFC_VERDICT_PASS: cfc__buf_puts(b, "/>\n"); continue;
            case CFC_VERDICT_NON_STRICT:
                cfc__buf_puts(b, ">\n      <system-out>NON-STRICT&#10;");
                junit_problem_text(b, r);
                cfc__buf_puts(b, "</system-out>\n");
                break;
            case CFC_VERDICT_UNIMPLEMENTED:
                cfc__buf_puts(b, ">\n      <skipped message=\"");
                xml(b, first);
                cfc__buf_puts(b, "\" type=\"UNIMPLEMENTED\"/>\n");
                break;
            case CFC_VERDICT_FAIL:
            case CFC_VERDICT_ERROR:
            case CFC_VERDICT_COUNT: {
                const char *el = r->verdict == CFC_VERDICT_FAIL ? "failure" : "error";
                cfc__buf_printf(b, ">\n      <%s message=\"", el);
                xml(b, first);
                cfc__buf_printf(b, "\" type=\"%s\">", cfc_verdict_name(r->verdict));
                junit_problem_text(b, r);
                cfc__buf_printf(b, "</%s>\n", el);
                break;
            }
            }
            cfc__buf_puts(b, "    </testcase>\n");
        }
        cfc__buf_puts(b, "  </testsuite>\n");
    }
    cfc__buf_puts(b, "</testsuites>\n");
}

/* ---- Markdown --------------------------------------------------------------------- */

/* Text in a table cell: no line breaks, no pipes, no HTML, no emphasis. */
static void md(cfc__buf *b, const char *s, size_t max)
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
    if (c->partial)
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
    if (c->counts[CFC_VERDICT_PASS] == c->n_results)
        return;
    cfc__buf_puts(b, "\n### Cases not passed strictly\n\n| Case | Verdict | Description | Why "
                     "|\n|---|---|---|---|\n");
    for (size_t i = 0; i < c->n_results; i++) {
        const cfc_case_result *r = &c->results[i];
        if (r->verdict == CFC_VERDICT_PASS)
            continue;
        cfc__buf_puts(b, "| ");
        md(b, r->c->id, 40);
        cfc__buf_printf(b, " | %s | ", cfc_verdict_name(r->verdict));
        md(b, r->c->description, 160);
        cfc__buf_puts(b, " | ");
        md(b, r->n_messages ? r->messages[0] : "", 240);
        if (r->n_messages > 1)
            cfc__buf_printf(b, " (+%zu more)", r->n_messages - 1);
        cfc__buf_puts(b, " |\n");
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
    if (c->partial) /* C4: never a score that reads as a certification */
        cfc__buf_printf(b, "partial (%zu of %zu cases)", c->n_results,
                        cfc_catalogue_count(c->catalogue));
    else
        cfc__buf_printf(b, "%u%% (%zu/%zu)", score, c->counts[CFC_VERDICT_PASS], c->n_results);
    if (!c->partial && c->counts[CFC_VERDICT_NON_STRICT])
        cfc__buf_printf(b, ", %zu non-strict", c->counts[CFC_VERDICT_NON_STRICT]);
    cfc__buf_printf(b, "\",\"color\":\"%s\"}\n", color);
}

/* ---- HTML ----------------------------------------------------------------------------- */

static void html(cfc__buf *b, const char *s)
{
    cfc__buf_html(b, s, strlen(s));
}

static const char css[] =
    "body{overflow-wrap:anywhere;font:15px/1.45 system-ui,-apple-system,'Segoe "
    "UI',sans-serif;margin:0 auto;max-width:1200px;"
    "padding:1em 2em;color:#1b1b1b;background:#fff}"
    "h1{font-size:1.6em;margin:.3em 0}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid "
    "#ddd}"
    "code,pre{font:13px/1.4 ui-monospace,'DejaVu Sans Mono',monospace}"
    "pre{background:#f6f8fa;padding:.6em "
    ".8em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}"
    ".verdict{display:inline-block;font-size:1.15em;font-weight:600;padding:.2em "
    ".7em;border-radius:4px;color:#fff}"
    ".certified{background:#2e7d32}.not-certified{background:#c62828}.partial{background:#616161}"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dl.meta "
    "dt{font-weight:600}"
    "dl.meta dd{margin:0;word-break:break-all}"
    "table.counts{border-collapse:collapse}table.counts td,table.counts th{padding:.2em "
    ".8em;border:1px solid #ddd}"
    "table.matrix{border-collapse:collapse;width:100%}"
    "table.matrix th{text-align:left;font-weight:600;padding:.35em .8em .35em "
    "0;white-space:nowrap;vertical-align:top;width:1%}"
    "table.matrix td{padding:.2em 0}"
    ".cell{display:inline-block;min-width:3.6em;height:1.7em;line-height:1.7em;margin:2px;padding:"
    "0 .3em;"
    "text-align:center;font:12px/1.7em "
    "ui-monospace,monospace;color:#fff;text-decoration:none;border-radius:3px}"
    ".v-pass{background:#2e7d32}.v-nonstrict{background:#9e9d24}.v-fail{background:#c62828}"
    ".v-unimpl{background:#757575}.v-error{background:#4a148c}"
    "ul.legend{list-style:none;padding:0}ul.legend li{margin:.25em 0}ul.legend "
    ".cell{min-width:7.5em}"
    "details.case{border:1px solid #ddd;border-radius:4px;margin:.5em 0;padding:.3em .8em}"
    "details.case summary{cursor:pointer}details.case[open]{padding-bottom:.6em}"
    "details.case summary .cell{min-width:7.5em}"
    ".diff .del{color:#b71c1c;background:#ffebee;display:block}.diff "
    ".add{color:#1b5e20;background:#e8f5e9;display:block}"
    ".diff .same{color:#555;display:block}"
    "h4{margin:.8em 0 .2em}";

static void html_case(cfc__buf *b, const cfc_case_result *r)
{
    const cfc_cert_case *k = r->c;
    bool pass = r->verdict == CFC_VERDICT_PASS;
    cfc__buf_puts(b, "<details class=\"case\" id=\"case-");
    html(b, k->id);
    cfc__buf_printf(b,
                    "\" data-verdict=\"%s\"%s><summary><span class=\"cell %s\">%s</span> <strong>",
                    cfc_verdict_name(r->verdict), pass ? "" : " open", verdict_class(r->verdict),
                    cfc_verdict_name(r->verdict));
    html(b, k->id);
    cfc__buf_puts(b, "</strong> ");
    html(b, k->description);
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
        if (pass)
            continue;
        cfc__buf_puts(b, "<h4>Expected</h4><p>");
        html(b, st->expected);
        cfc__buf_puts(b, "</p>");
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
            cfc__buf_printf(b, "\nsent: %zu text%s", rep->n_sent, rep->n_sent == 1 ? "" : "s");
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

static void html_report(cfc__buf *b, const cfc_certification *c)
{
    char ts[25];
    started(c, ts);
    const cfc_catalogue *cat = c->catalogue;
    const char *name = c->impl_name ? c->impl_name : "?";
    const char *version = c->impl_version ? c->impl_version : "?";
    cfc__buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>cfconform certification: ");
    html(b, name);
    cfc__buf_add(b, " ", 1);
    html(b, version);
    cfc__buf_puts(b, " — ");
    status_text(b, c, false);
    cfc__buf_printf(
        b, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>Certification of ", css);
    html(b, name);
    cfc__buf_add(b, " ", 1);
    html(b, version);
    cfc__buf_puts(b, " (");
    html(b, c->impl_language ? c->impl_language : "?");
    cfc__buf_printf(b, ")</h1>\n<p><span id=\"verdict\" class=\"verdict %s\">",
                    c->partial     ? "partial"
                    : c->certified ? "certified"
                                   : "not-certified");
    status_text(b, c, true);
    cfc__buf_puts(b, "</span> <span id=\"score\">");
    score_text(b, c);
    cfc__buf_puts(b, "</span>");
    if (c->partial)
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
    cfc__buf_puts(b, "</dd></dl>\n</header>\n<section id=\"summary\"><h2>Summary</h2>\n"
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
    cfc__buf_puts(b, "</ul>\n</section>\n<section><h2>Case matrix</h2>\n<table class=\"matrix\" "
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
            cfc__buf_printf(b, "<a class=\"cell %s\" data-verdict=\"%s\" href=\"#case-",
                            verdict_class(r->verdict), cfc_verdict_name(r->verdict));
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
    for (size_t i = 0; i < c->n_results; i++)
        html_case(b, &c->results[i]);
    cfc__buf_puts(b, "</section>\n<footer><p>Generated by cfconform certify. The catalogue's hash "
                     "identifies exactly which cases were run.</p></footer>\n</body>\n</html>\n");
}

int cfc_certification_write(const cfc_certification *cert, cfc_cert_format f, FILE *out)
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
    default: b.failed = true; break;
    }
    int rc = -1;
    if (cfc__buf_ok(&b) && fwrite(b.data, 1, b.len, out) == b.len && fflush(out) == 0 &&
        !ferror(out))
        rc = 0;
    cfc__buf_free(&b);
    return rc;
}
