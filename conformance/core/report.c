/* SPDX-License-Identifier: MIT */
/*
 * Report writers (see cfc/report.h for the formats and the contract).
 *
 * Every piece of output is first assembled in a growable buffer and then
 * written with one fwrite: an allocation failure is then noticed before
 * anything half-built reaches the output, and each event costs one write.
 * The buffer is kept between events, so its size is that of the largest
 * event's output, not of the run.
 *
 * Strings from events are untrusted bytes. They go through one UTF-8 decoder
 * and one of three escapers (text, JSON, XML), each of which replaces
 * ill-formed UTF-8 with U+FFFD, so every format is valid UTF-8 whatever the
 * input.
 */
#define _POSIX_C_SOURCE 200809L

#include "cfc/report.h"
#include "cfc/stream.h"
#include "report_ext.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every allocation of this module goes through this pointer, so that tests
 * can fail the Nth one (SQLite test_malloc style). Not part of the API. */
void *(*cfc__report_realloc)(void *p, size_t size) = realloc;

#define ANSI_RED "\033[1;31m"
#define ANSI_YELLOW "\033[1;33m"
#define ANSI_CYAN "\033[36m"
#define ANSI_RESET "\033[0m"

/* ---- growable buffer ---------------------------------------------------- */

/* Allocation failure sets `oom` and later appends do nothing: callers append
 * freely and check once, when the buffer is written. */
typedef struct cfc__buf {
    char *p;
    size_t len, cap;
    bool oom;
} cfc__buf;

static bool buf_grow(cfc__buf *b, size_t more)
{
    if (b->oom)
        return false;
    if (b->cap - b->len >= more)
        return true;
    size_t need = b->len + more;
    if (need < b->len) {
        b->oom = true;
        return false;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = cfc__report_realloc(b->p, cap);
    if (p == NULL) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

static void buf_put(cfc__buf *b, const char *s, size_t n)
{
    if (n > 0 && buf_grow(b, n)) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

static void buf_str(cfc__buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

static void buf_ch(cfc__buf *b, char c)
{
    buf_put(b, &c, 1);
}

static void buf_spaces(cfc__buf *b, size_t n)
{
    while (n-- > 0)
        buf_ch(b, ' ');
}

static size_t u64_width(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static void buf_u64(cfc__buf *b, uint64_t v)
{
    char tmp[20];
    size_t n = sizeof tmp;
    do {
        tmp[--n] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v > 0);
    buf_put(b, tmp + n, sizeof tmp - n);
}

/* Right-aligned in `width` columns. */
static void buf_u64_right(cfc__buf *b, uint64_t v, size_t width)
{
    size_t w = u64_width(v);
    if (w < width)
        buf_spaces(b, width - w);
    buf_u64(b, v);
}

/* Left-aligned in `width` columns (ASCII strings only). */
static void buf_str_left(cfc__buf *b, const char *s, size_t width)
{
    size_t w = strlen(s);
    buf_str(b, s);
    if (w < width)
        buf_spaces(b, width - w);
}

static void buf_hex2(cfc__buf *b, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    buf_ch(b, hex[(v >> 4) & 0xfu]);
    buf_ch(b, hex[v & 0xfu]);
}

/* ---- UTF-8 -------------------------------------------------------------- */

#define UTF8_BAD UINT32_MAX
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD in UTF-8 */

/* Decodes the sequence at s[0..n), n >= 1: returns its length and sets *cp.
 * For an ill-formed sequence, returns the length of its maximal subpart and
 * sets *cp to UTF8_BAD, so each maximal subpart becomes one U+FFFD (the
 * Unicode "best practice", also what browsers and Python do): "\xC0\xAF" is
 * two replacements, a truncated "\xE2\x82" is one. Overlong forms, surrogates
 * and code points above U+10FFFF are ill-formed. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xbf;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        need = 1;
        v = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        v = c & 0x0fu;
        if (c == 0xe0)
            lo = 0xa0; /* no overlong forms */
        else if (c == 0xed)
            hi = 0x9f; /* no surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        v = c & 0x07u;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f; /* nothing above U+10FFFF */
    } else {
        *cp = UTF8_BAD; /* stray continuation byte, C0, C1, F5..FF */
        return 1;
    }
    size_t i = 1;
    for (; i <= need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *cp = UTF8_BAD;
            return i;
        }
        v = (v << 6) | (s[i] & 0x3fu);
        lo = 0x80;
        hi = 0xbf;
    }
    *cp = v;
    return i;
}

/* ---- escapers ----------------------------------------------------------- */

/* Which bytes each escaper copies as they are: printable ASCII (all three),
 * less quote and backslash (JSON) or the five XML specials (XML). One table
 * entry per byte, one bit per escaper, so a run of plain bytes costs one
 * lookup a byte (escaping is most of a report's work for long messages). */
enum { PLAIN_TEXT = 1, PLAIN_JSON = 2, PLAIN_XML = 4 };
#define PLAIN_PRINTABLE(c) ((c) >= 0x20 && (c) < 0x7f)
#define PLAIN_OF(c)                                                                                \
    (PLAIN_PRINTABLE(c)                                                                            \
         ? PLAIN_TEXT | ((c) == '"' || (c) == '\\' ? 0 : PLAIN_JSON) |                             \
               ((c) == '"' || (c) == '&' || (c) == '<' || (c) == '>' || (c) == '\'' ? 0            \
                                                                                    : PLAIN_XML)   \
         : 0)
#define PLAIN_ROW(r)                                                                               \
    PLAIN_OF(r + 0), PLAIN_OF(r + 1), PLAIN_OF(r + 2), PLAIN_OF(r + 3), PLAIN_OF(r + 4),           \
        PLAIN_OF(r + 5), PLAIN_OF(r + 6), PLAIN_OF(r + 7), PLAIN_OF(r + 8), PLAIN_OF(r + 9),       \
        PLAIN_OF(r + 10), PLAIN_OF(r + 11), PLAIN_OF(r + 12), PLAIN_OF(r + 13), PLAIN_OF(r + 14),  \
        PLAIN_OF(r + 15)
static const unsigned char plain_bytes[256] = {
    PLAIN_ROW(0x00), PLAIN_ROW(0x10), PLAIN_ROW(0x20), PLAIN_ROW(0x30),
    PLAIN_ROW(0x40), PLAIN_ROW(0x50), PLAIN_ROW(0x60), PLAIN_ROW(0x70),
    /* 0x80 and up: UTF-8, which utf8_next reads */
};

/* Where the run of bytes plain for `mask` that starts at i ends: such runs
 * go out in one copy, and messages are mostly that. */
static size_t plain_run(const unsigned char *s, size_t i, size_t n, unsigned mask)
{
    while (i < n && (plain_bytes[s[i]] & mask) != 0)
        i++;
    return i;
}

/* For a text line a person reads in a terminal: control characters (C0, DEL
 * and C1) are shown as C-style escapes, so a message can neither break the
 * one-line-per-finding shape editors parse nor send escape sequences to the
 * terminal. Everything else, backslashes included, is shown as it is. */
static void esc_text(cfc__buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        size_t run = plain_run(s, i, n, PLAIN_TEXT);
        if (run > i) {
            buf_put(b, str + i, run - i);
            i = run;
            continue;
        }
        uint32_t cp;
        size_t len = utf8_next(s + i, n - i, &cp);
        if (cp == UTF8_BAD) {
            buf_str(b, REPLACEMENT);
        } else if (cp == '\n') {
            buf_str(b, "\\n");
        } else if (cp == '\t') {
            buf_str(b, "\\t");
        } else if (cp == '\r') {
            buf_str(b, "\\r");
        } else if (cp < 0x20 || cp == 0x7f) {
            buf_str(b, "\\x");
            buf_hex2(b, (unsigned)cp);
        } else if (cp >= 0x80 && cp <= 0x9f) {
            buf_str(b, "\\u00");
            buf_hex2(b, (unsigned)cp);
        } else {
            buf_put(b, str + i, len);
        }
        i += len;
    }
}

/* The inside of a JSON string (RFC 8259 section 7): quote, backslash and
 * every control character escaped (DEL too, harmless and kinder to
 * terminals); valid UTF-8 passes through unchanged. */
static void esc_json(cfc__buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        size_t run = plain_run(s, i, n, PLAIN_JSON);
        if (run > i) {
            buf_put(b, str + i, run - i);
            i = run;
            continue;
        }
        uint32_t cp;
        size_t len = utf8_next(s + i, n - i, &cp);
        switch (cp) {
        case UTF8_BAD: buf_str(b, "\\ufffd"); break;
        case '"': buf_str(b, "\\\""); break;
        case '\\': buf_str(b, "\\\\"); break;
        case '\b': buf_str(b, "\\b"); break;
        case '\f': buf_str(b, "\\f"); break;
        case '\n': buf_str(b, "\\n"); break;
        case '\r': buf_str(b, "\\r"); break;
        case '\t': buf_str(b, "\\t"); break;
        default:
            if (cp < 0x20 || cp == 0x7f) {
                buf_str(b, "\\u00");
                buf_hex2(b, (unsigned)cp);
            } else {
                buf_put(b, str + i, len);
            }
        }
        i += len;
    }
}

static void buf_json_str(cfc__buf *b, const char *s, size_t n)
{
    buf_ch(b, '"');
    esc_json(b, s, n);
    buf_ch(b, '"');
}

/* XML 1.0 character data or an attribute value. The five special characters
 * become entities. XML 1.0 has no way at all to write most C0 controls, nor
 * U+FFFE/U+FFFF (section 2.2, Char), so those become U+FFFD. In attributes,
 * tab, LF and CR are written as character references because a parser would
 * otherwise normalise them to spaces (section 3.3.3); in content only CR
 * needs one (line-end normalisation, section 2.11). */
static void esc_xml(cfc__buf *b, const char *str, size_t n, bool attr)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        size_t run = plain_run(s, i, n, PLAIN_XML);
        if (run > i) {
            buf_put(b, str + i, run - i);
            i = run;
            continue;
        }
        uint32_t cp;
        size_t len = utf8_next(s + i, n - i, &cp);
        switch (cp) {
        case '&': buf_str(b, "&amp;"); break;
        case '<': buf_str(b, "&lt;"); break;
        case '>': buf_str(b, "&gt;"); break;
        case '"': buf_str(b, "&quot;"); break;
        case '\'': buf_str(b, "&apos;"); break;
        case '\t': buf_str(b, attr ? "&#9;" : "\t"); break;
        case '\n': buf_str(b, attr ? "&#10;" : "\n"); break;
        case '\r': buf_str(b, "&#13;"); break;
        default:
            if (cp == UTF8_BAD || cp < 0x20 || cp == 0xfffe || cp == 0xffff)
                buf_str(b, REPLACEMENT);
            else
                buf_put(b, str + i, len);
        }
        i += len;
    }
}

/* ---- the report --------------------------------------------------------- */

enum { SEEN_WARNING = 1, SEEN_ERROR = 2 };

/* Output kept for later: in memory up to SPOOL_MEMORY bytes, then in a
 * tmpfile(), so a small report never touches the disk and a large one costs
 * bounded memory. */
#define SPOOL_MEMORY ((size_t)1 << 20)
typedef struct spool {
    cfc__buf mem;
    FILE *file; /* once spilled, everything is here */
} spool;

struct cfc_report {
    FILE *out;
    cfc_format format;
    cfc_report_options opts;
    bool failed;      /* a write error or out of memory: sticky */
    bool finished;    /* cfc_report_finish was called */
    bool wrote_lines; /* text: some finding line precedes the summary */

    char *file; /* the current file's name; NULL between files */
    size_t file_len;
    /* The name as each event shows it, escaped once per file rather than
     * once per event: for text lines, and for the format (a JSON string with
     * its quotes, or an XML attribute value). */
    cfc__buf name_text, name_fmt;

    cfc__buf buf;  /* output being assembled */
    cfc__buf line; /* junit: one text-format line, before XML escaping */

    uint64_t events, ok, errors, warnings;
    uint64_t unreadable; /* inputs that could not be read */
    uint64_t by_rule[CFC_RULE_COUNT];
    unsigned char seen[CFC_RULE_COUNT]; /* SEEN_* of the findings kept */

    /* junit: testsuite and testsuites counts precede their content, so the
     * current file's testcases and the finished testsuites wait in spools
     * until their counts are known. */
    spool suite, doc;
    uint64_t suite_tests, suite_failures;

    /* The stream reading's hint (cfc_report_options.reading): the counts at
     * the current file's start, so its own are differences at its end, and
     * the first file that looked like independent events. */
    uint64_t file_events0, file_rule0[CFC_RULE_COUNT];
    bool is_stream[CFC_RULE_COUNT];
    uint64_t suggested; /* files that looked like independent events */
    char *hint;         /* the first one's hint line, without "hint: " */

    /* The formats in files of their own (report_ext.h). */
    const cfc__report_writer *ext;
    void *ext_state;
};

static const char *rule_id(cfc_rule rule)
{
    if ((size_t)rule >= (size_t)CFC_RULE_COUNT)
        return "unknown";
    const cfc_rule_info *info = cfc_rule_get(rule);
    return info != NULL && info->id != NULL ? info->id : "unknown";
}

static const char *severity_name(cfc_severity s)
{
    const char *name = cfc_severity_name(s);
    return name != NULL ? name : "unknown";
}

static const char *str_or_empty(const char *s)
{
    return s != NULL ? s : "";
}

static int fail(cfc_report *r)
{
    r->failed = true;
    return -1;
}

/* Writes the assembled output to `f` and empties the buffers. */
static int emit(cfc_report *r, FILE *f)
{
    if (r->buf.oom || r->line.oom)
        return fail(r);
    if (r->buf.len > 0 && fwrite(r->buf.p, 1, r->buf.len, f) != r->buf.len)
        return fail(r);
    r->buf.len = 0;
    r->line.len = 0;
    return ferror(f) ? fail(r) : 0;
}

static int spool_put(cfc_report *r, spool *sp, const char *p, size_t n)
{
    if (sp->file == NULL && sp->mem.len + n <= SPOOL_MEMORY) {
        buf_put(&sp->mem, p, n);
        return sp->mem.oom ? fail(r) : 0;
    }
    if (sp->file == NULL) {
        if ((sp->file = tmpfile()) == NULL)
            return fail(r);
        if (sp->mem.len > 0 && fwrite(sp->mem.p, 1, sp->mem.len, sp->file) != sp->mem.len)
            return fail(r);
        sp->mem.len = 0;
    }
    if (n > 0 && fwrite(p, 1, n, sp->file) != n)
        return fail(r);
    return ferror(sp->file) ? fail(r) : 0;
}

/* Writes the assembled output to the spool and empties the buffers. */
static int emit_spool(cfc_report *r, spool *sp)
{
    if (r->buf.oom || r->line.oom)
        return fail(r);
    int rc = spool_put(r, sp, r->buf.p, r->buf.len);
    r->buf.len = 0;
    r->line.len = 0;
    return rc;
}

/* Appends all of `from` to `to` (a spool, or else the FILE `out`), and
 * empties `from`. */
static int spool_copy(cfc_report *r, spool *from, spool *to, FILE *out)
{
    int rc = 0;
    if (from->file == NULL) {
        if (to != NULL)
            rc = spool_put(r, to, from->mem.p, from->mem.len);
        else if (from->mem.len > 0 && fwrite(from->mem.p, 1, from->mem.len, out) != from->mem.len)
            rc = fail(r);
        from->mem.len = 0;
        return rc;
    }
    char chunk[16384];
    /* rewind clears the error indicator, so look at it first. */
    if (ferror(from->file) || fflush(from->file) != 0)
        rc = fail(r);
    rewind(from->file);
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, from->file)) > 0) {
        if (to != NULL)
            rc = spool_put(r, to, chunk, n);
        else if (fwrite(chunk, 1, n, out) != n)
            rc = fail(r);
    }
    if (rc == 0 && (ferror(from->file) || (out != NULL && ferror(out))))
        rc = fail(r);
    fclose(from->file);
    from->file = NULL;
    return rc;
}

static void spool_free(spool *sp)
{
    if (sp->file != NULL)
        fclose(sp->file);
    free(sp->mem.p);
}

static bool usable(const cfc_report *r)
{
    return r != NULL && !r->failed && !r->finished;
}

cfc_report *cfc_report_new(FILE *out, cfc_format format, const cfc_report_options *opts)
{
    if (out == NULL || cfc_format_name(format) == NULL)
        return NULL;
    cfc_report *r = cfc__report_realloc(NULL, sizeof *r);
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof *r);
    r->out = out;
    r->format = format;
    if (opts != NULL)
        r->opts = *opts;
    for (size_t i = 0; i < (size_t)CFC_RULE_COUNT; i++)
        r->is_stream[i] = cfc_rule_is_stream((cfc_rule)i);
    r->ext = cfc__report_writer_for(format);
    if (r->ext != NULL && (r->ext_state = r->ext->open(out, &r->opts)) == NULL) {
        free(r);
        return NULL;
    }
    return r;
}

void cfc_report_free(cfc_report *r)
{
    if (r == NULL)
        return;
    if (r->ext != NULL)
        r->ext->close(r->ext_state);
    spool_free(&r->suite);
    spool_free(&r->doc);
    free(r->file);
    free(r->hint);
    free(r->buf.p);
    free(r->line.p);
    free(r->name_text.p);
    free(r->name_fmt.p);
    free(r);
}

int cfc_report_begin_file(cfc_report *r, const char *name)
{
    if (!usable(r) || name == NULL)
        return -1;
    if (r->file != NULL && cfc_report_end_file(r) != 0)
        return -1;
    size_t len = strlen(name);
    char *copy = cfc__report_realloc(NULL, len + 1);
    if (copy == NULL)
        return fail(r);
    memcpy(copy, name, len + 1);
    r->name_text.len = 0;
    r->name_fmt.len = 0;
    esc_text(&r->name_text, name, len);
    if (r->format == CFC_FORMAT_JSON)
        buf_json_str(&r->name_fmt, name, len);
    else if (r->format == CFC_FORMAT_JUNIT)
        esc_xml(&r->name_fmt, name, len, true);
    if (r->name_text.oom || r->name_fmt.oom) {
        free(copy);
        return fail(r);
    }
    if (r->format == CFC_FORMAT_JUNIT) {
        r->suite_tests = 0;
        r->suite_failures = 0;
    }
    if (r->ext != NULL && r->ext->begin_file(r->ext_state, name) != 0) {
        free(copy);
        return fail(r);
    }
    r->file = copy;
    r->file_len = len;
    r->file_events0 = r->events;
    memcpy(r->file_rule0, r->by_rule, sizeof r->file_rule0);
    return 0;
}

/* One finding as a text line, compiler style:
 *     events.ndjson:12:98: error[blocked-count] /blocked_count: message
 * COL is 1-based; 1 when the offset is unknown. The whole event (pointer "")
 * is shown as "(event)", since an empty field reads as a formatting slip. */
static void text_finding(const cfc_report *r, cfc__buf *b, size_t line, const cfc_finding *f,
                         bool color)
{
    buf_put(b, r->name_text.p, r->name_text.len);
    buf_ch(b, ':');
    buf_u64(b, line);
    buf_ch(b, ':');
    buf_u64(b, f->offset == CFC_NO_OFFSET ? 1 : (uint64_t)f->offset + 1);
    buf_str(b, ": ");
    const char *sev = severity_name(f->severity);
    const char *on = NULL;
    if (color)
        on = f->severity == CFC_SEVERITY_ERROR     ? ANSI_RED
             : f->severity == CFC_SEVERITY_WARNING ? ANSI_YELLOW
                                                   : NULL;
    if (on != NULL)
        buf_str(b, on);
    buf_str(b, sev);
    if (on != NULL)
        buf_str(b, ANSI_RESET);
    buf_ch(b, '[');
    if (color)
        buf_str(b, ANSI_CYAN);
    buf_str(b, rule_id(f->rule));
    if (color)
        buf_str(b, ANSI_RESET);
    buf_str(b, "] ");
    const char *ptr = str_or_empty(f->pointer);
    if (*ptr == '\0')
        buf_str(b, "(event)");
    else
        esc_text(b, ptr, strlen(ptr));
    buf_str(b, ": ");
    const char *msg = str_or_empty(f->message);
    esc_text(b, msg, strlen(msg));
    buf_ch(b, '\n');
}

static void text_dropped(const cfc_report *r, cfc__buf *b, size_t line, size_t dropped)
{
    buf_put(b, r->name_text.p, r->name_text.len);
    buf_ch(b, ':');
    buf_u64(b, line);
    buf_str(b, ":1: note: ");
    buf_u64(b, dropped);
    buf_str(b, dropped == 1 ? " more finding not shown\n" : " more findings not shown\n");
}

static int text_event(cfc_report *r, size_t line, const cfc_event_result *res)
{
    if (r->opts.quiet)
        return 0;
    for (size_t i = 0; i < res->n_findings; i++)
        text_finding(r, &r->buf, line, &res->findings[i], r->opts.color);
    if (res->n_dropped > 0)
        text_dropped(r, &r->buf, line, res->n_dropped);
    if (r->buf.len > 0)
        r->wrote_lines = true;
    return emit(r, r->out);
}

static void type_of(const cfc_event_result *res, const char **type, size_t *len)
{
    *type = res->type;
    *len = res->type == NULL ? 0 : res->type_len > 0 ? res->type_len : strlen(res->type);
}

/* {"file":..,"line":..,"type":..,"ok":..,"findings":[..]} and, only when
 * findings were dropped, "dropped":N, so the common shape stays exactly the
 * documented one. */
static void json_line(const cfc_report *r, cfc__buf *b, size_t line, const cfc_event_result *res)
{
    const char *type;
    size_t type_len;
    type_of(res, &type, &type_len);
    buf_str(b, "{\"file\":");
    buf_put(b, r->name_fmt.p, r->name_fmt.len);
    buf_str(b, ",\"line\":");
    buf_u64(b, line);
    buf_str(b, ",\"type\":");
    if (type == NULL)
        buf_str(b, "null");
    else
        buf_json_str(b, type, type_len);
    buf_str(b, res->errors == 0 ? ",\"ok\":true" : ",\"ok\":false");
    buf_str(b, ",\"findings\":[");
    for (size_t i = 0; i < res->n_findings; i++) {
        const cfc_finding *f = &res->findings[i];
        const char *id = rule_id(f->rule);
        const char *sev = severity_name(f->severity);
        const char *ptr = str_or_empty(f->pointer);
        const char *msg = str_or_empty(f->message);
        buf_str(b, i == 0 ? "{\"rule\":" : ",{\"rule\":");
        buf_json_str(b, id, strlen(id));
        buf_str(b, ",\"severity\":");
        buf_json_str(b, sev, strlen(sev));
        buf_str(b, ",\"path\":");
        buf_json_str(b, ptr, strlen(ptr));
        buf_str(b, ",\"offset\":");
        if (f->offset == CFC_NO_OFFSET)
            buf_str(b, "null");
        else
            buf_u64(b, f->offset);
        buf_str(b, ",\"message\":");
        buf_json_str(b, msg, strlen(msg));
        buf_ch(b, '}');
    }
    buf_ch(b, ']');
    if (res->n_dropped > 0) {
        buf_str(b, ",\"dropped\":");
        buf_u64(b, res->n_dropped);
    }
    buf_str(b, "}\n");
}

static int json_event(cfc_report *r, size_t line, const cfc_event_result *res)
{
    if (r->opts.quiet)
        return 0;
    json_line(r, &r->buf, line, res);
    return emit(r, r->out);
}

/* The findings as text-format lines (no colour: CI shows the body as it
 * is), XML-escaped as element content. */
static void junit_body(const cfc_report *r, cfc__buf *b, cfc__buf *scratch, size_t line,
                       const cfc_event_result *res)
{
    for (size_t i = 0; i < res->n_findings; i++) {
        scratch->len = 0;
        text_finding(r, scratch, line, &res->findings[i], false);
        esc_xml(b, scratch->p, scratch->len, false);
    }
    if (res->n_dropped > 0) {
        scratch->len = 0;
        text_dropped(r, scratch, line, res->n_dropped);
        esc_xml(b, scratch->p, scratch->len, false);
    }
    b->oom |= scratch->oom;
}

/* A testcase per event. An event with errors fails; a warnings-only event
 * passes with its warnings in <system-out>, where CI shows them without
 * failing the build. */
static void junit_testcase(const cfc_report *r, cfc__buf *b, cfc__buf *scratch, size_t line,
                           const cfc_event_result *res)
{
    const char *type;
    size_t type_len;
    type_of(res, &type, &type_len);
    buf_str(b, "    <testcase classname=\"cfconform.");
    buf_put(b, r->name_fmt.p, r->name_fmt.len);
    buf_str(b, "\" name=\"line ");
    buf_u64(b, line);
    buf_str(b, ": ");
    if (type == NULL)
        buf_str(b, "(no type)");
    else
        esc_xml(b, type, type_len, true);
    buf_ch(b, '"');
    if (res->errors > 0) {
        buf_str(b, ">\n      <failure message=\"");
        buf_u64(b, res->errors);
        buf_str(b, res->errors == 1 ? " error" : " errors");
        buf_str(b, "\" type=\"contract\">");
        junit_body(r, b, scratch, line, res);
        buf_str(b, "</failure>\n    </testcase>\n");
    } else if (res->n_findings > 0 || res->n_dropped > 0) {
        buf_str(b, ">\n      <system-out>");
        junit_body(r, b, scratch, line, res);
        buf_str(b, "</system-out>\n    </testcase>\n");
    } else {
        buf_str(b, "/>\n");
    }
}

static int junit_event(cfc_report *r, size_t line, const cfc_event_result *res)
{
    junit_testcase(r, &r->buf, &r->line, line, res);
    if (emit_spool(r, &r->suite) != 0)
        return -1;
    r->suite_tests++;
    if (res->errors > 0)
        r->suite_failures++;
    return 0;
}

int cfc_report_event(cfc_report *r, size_t line, const cfc_event_result *res)
{
    if (!usable(r) || res == NULL || r->file == NULL ||
        (res->n_findings > 0 && res->findings == NULL))
        return -1;
    r->events++;
    if (res->errors == 0)
        r->ok++;
    r->errors += res->errors;
    r->warnings += res->warnings;
    /* Every finding counts in errors or warnings, so a clean event has no
     * by_rule count to add. */
    if (res->errors > 0 || res->warnings > 0) {
        for (size_t i = 0; i < (size_t)CFC_RULE_COUNT; i++)
            r->by_rule[i] += res->by_rule[i];
    }
    for (size_t i = 0; i < res->n_findings; i++) {
        const cfc_finding *f = &res->findings[i];
        if ((size_t)f->rule >= (size_t)CFC_RULE_COUNT)
            continue;
        if (f->severity == CFC_SEVERITY_ERROR)
            r->seen[f->rule] |= SEEN_ERROR;
        else if (f->severity == CFC_SEVERITY_WARNING)
            r->seen[f->rule] |= SEEN_WARNING;
    }
    switch (r->format) {
    case CFC_FORMAT_TEXT: return text_event(r, line, res);
    case CFC_FORMAT_JSON: return json_event(r, line, res);
    case CFC_FORMAT_JUNIT: return junit_event(r, line, res);
    case CFC_FORMAT_SARIF:
    case CFC_FORMAT_GITHUB:
    case CFC_FORMAT_MARKDOWN: return r->ext->event(r->ext_state, line, res) == 0 ? 0 : fail(r);
    }
    return -1;
}

/* ---- events without findings, rendered on other threads (--jobs) ------------- */

bool cfc__report_renders_ok(const cfc_report *r)
{
    return r != NULL && (r->format == CFC_FORMAT_TEXT || r->format == CFC_FORMAT_JSON ||
                         r->format == CFC_FORMAT_JUNIT);
}

int cfc__report_render_ok(const cfc_report *r, size_t line, const char *type, size_t type_len,
                          char **out, size_t *len, size_t *cap)
{
    /* The same writers as cfc_report_event's, on the caller's memory: what
     * they read of r (format, options, the file's escaped name) does not
     * change during a file. A text line is only ever a finding's. */
    cfc__buf b = {*out, *len, *cap, false};
    cfc_event_result res = {.type = type, .type_len = type_len};
    if (r->format == CFC_FORMAT_JSON && !r->opts.quiet)
        json_line(r, &b, line, &res);
    else if (r->format == CFC_FORMAT_JUNIT)
        junit_testcase(r, &b, NULL, line, &res); /* no findings: no scratch */
    *out = b.p;
    *cap = b.cap;
    if (b.oom)
        return -1;
    *len = b.len;
    return 0;
}

int cfc__report_put_ok(cfc_report *r, size_t n, const char *bytes, size_t len)
{
    if (!usable(r) || r->file == NULL)
        return -1;
    /* What cfc_report_event counts for n events without findings. */
    r->events += n;
    r->ok += n;
    if (r->format == CFC_FORMAT_JUNIT) {
        r->suite_tests += n;
        return spool_put(r, &r->suite, bytes, len);
    }
    if (len > 0 && fwrite(bytes, 1, len, r->out) != len)
        return fail(r);
    return ferror(r->out) ? fail(r) : 0;
}

/* Whether the current file, read as one stream, looks like independent
 * events: timestamps go back in at least a quarter of its steps and stream
 * rules give more than half of its findings. The hint line is kept for the
 * first such file. */
static bool looks_unrelated(cfc_report *r)
{
    if (r->opts.reading != CFC_READING_STREAM)
        return false;
    uint64_t events = r->events - r->file_events0, all = 0, stream = 0;
    for (size_t i = 0; i < (size_t)CFC_RULE_COUNT; i++) {
        uint64_t d = r->by_rule[i] - r->file_rule0[i];
        all += d;
        if (r->is_stream[i])
            stream += d;
    }
    uint64_t back = r->by_rule[CFC_RULE_TS_BACKWARDS] - r->file_rule0[CFC_RULE_TS_BACKWARDS];
    if (events < 4 || stream * 2 <= all || back * 4 < events - 1)
        return false;
    if (r->suggested++ == 0) {
        cfc__buf h = {0};
        esc_text(&h, r->file, r->file_len);
        buf_str(&h, " looks like independent events, not one stream:\n      timestamps go back "
                    "in ");
        buf_u64(&h, back);
        buf_str(&h, " of ");
        buf_u64(&h, events - 1);
        buf_str(&h, " steps and stream rules give ");
        buf_u64(&h, stream);
        buf_str(&h, " of its ");
        buf_u64(&h, all);
        buf_str(&h, " findings");
        buf_ch(&h, '\0');
        if (h.oom) {
            free(h.p);
            r->failed = true;
            return true;
        }
        r->hint = h.p;
    }
    return true;
}

int cfc_report_end_file(cfc_report *r)
{
    if (!usable(r) || r->file == NULL)
        return -1;
    int rc = 0;
    bool unrelated = looks_unrelated(r);
    if (r->failed)
        return -1;
    if (r->format == CFC_FORMAT_JUNIT) {
        cfc__buf *b = &r->buf;
        buf_str(b, "  <testsuite name=\"");
        esc_xml(b, r->file, r->file_len, true);
        buf_str(b, "\" tests=\"");
        buf_u64(b, r->suite_tests);
        buf_str(b, "\" failures=\"");
        buf_u64(b, r->suite_failures);
        buf_str(b, "\" errors=\"0\" skipped=\"0\">\n");
        const char *reading = cfc_reading_name(r->opts.reading);
        if (reading != NULL) {
            buf_str(b, "    <properties>\n      <property name=\"reading\" value=\"");
            buf_str(b, reading);
            buf_str(b, "\"/>\n");
            if (unrelated)
                buf_str(b, "      <property name=\"suggest_events\" value=\"true\"/>\n");
            buf_str(b, "    </properties>\n");
        }
        rc = emit_spool(r, &r->doc);
        if (rc == 0)
            rc = spool_copy(r, &r->suite, &r->doc, NULL);
        if (rc == 0) {
            buf_str(b, "  </testsuite>\n");
            rc = emit_spool(r, &r->doc);
        }
    }
    if (r->ext != NULL && r->ext->end_file(r->ext_state) != 0)
        rc = fail(r);
    free(r->file);
    r->file = NULL;
    r->file_len = 0;
    return rc;
}

int cfc_report_input_error(cfc_report *r, const char *name, const char *why)
{
    if (!usable(r) || name == NULL || why == NULL)
        return -1;
    if (r->file != NULL && cfc_report_end_file(r) != 0)
        return -1;
    r->unreadable++;
    if (r->format != CFC_FORMAT_JUNIT)
        return 0;
    cfc__buf *b = &r->buf;
    buf_str(b, "  <testsuite name=\"");
    esc_xml(b, name, strlen(name), true);
    buf_str(b, "\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
               "    <testcase classname=\"cfconform.");
    esc_xml(b, name, strlen(name), true);
    buf_str(b, "\" name=\"read input\">\n      <error message=\"cannot read: ");
    esc_xml(b, why, strlen(why), true);
    buf_str(b, "\" type=\"input\"/>\n    </testcase>\n  </testsuite>\n");
    return emit_spool(r, &r->doc);
}

/* ---- summaries ---------------------------------------------------------- */

typedef struct rule_row {
    const char *id;
    const char *severity;
    uint64_t count;
} rule_row;

/* Most frequent first; ties by ID, so the order is stable. */
static int row_cmp(const void *a, const void *b)
{
    const rule_row *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The severity a rule's findings had; its catalogue default when all of
 * them were dropped. --strict and configuration can change it, so the
 * findings are the better witness. */
static const char *row_severity(const cfc_report *r, size_t i)
{
    switch (r->seen[i]) {
    case SEEN_ERROR: return "error";
    case SEEN_WARNING: return "warning";
    case SEEN_ERROR | SEEN_WARNING: return "mixed";
    default: {
        const cfc_rule_info *info = cfc_rule_get((cfc_rule)i);
        return info != NULL ? severity_name(info->severity) : "unknown";
    }
    }
}

static size_t rule_rows(const cfc_report *r, rule_row rows[CFC_RULE_COUNT])
{
    size_t n = 0;
    for (size_t i = 0; i < (size_t)CFC_RULE_COUNT; i++) {
        if (r->by_rule[i] == 0)
            continue;
        rows[n].id = rule_id((cfc_rule)i);
        rows[n].severity = row_severity(r, i);
        rows[n].count = r->by_rule[i];
        n++;
    }
    qsort(rows, n, sizeof rows[0], row_cmp);
    return n;
}

static void summary_count(cfc__buf *b, const char *label, uint64_t v, size_t width)
{
    buf_str_left(b, label, 16);
    buf_u64_right(b, v, width);
    buf_ch(b, '\n');
}

/* For people: short, aligned, and ending with what to do next.
 *
 *     events:           3
 *       conforming:     1
 *       with errors:    2
 *     findings:         5
 *       errors:         4
 *       warnings:       1
 *
 *     rule           severity  count
 *     blocked-count  error         3
 *     ...
 *
 *     next: run 'cfconform explain blocked-count' (the most frequent rule)
 */
static void text_summary(cfc_report *r)
{
    cfc__buf *b = &r->buf;
    rule_row rows[CFC_RULE_COUNT];
    size_t n = rule_rows(r, rows);
    uint64_t findings = r->errors + r->warnings;
    const char *read_as = r->opts.reading == CFC_READING_STREAM   ? "one stream per input"
                          : r->opts.reading == CFC_READING_EVENTS ? "independent events"
                                                                  : NULL;
    if (r->unreadable > 0) {
        buf_u64(b, r->unreadable);
        buf_str(b,
                r->unreadable == 1 ? " input could not be read\n" : " inputs could not be read\n");
    }
    if (findings == 0 && n == 0) {
        if (r->events == 0) {
            buf_str(b, "no events to check");
        } else if (r->events == 1) {
            buf_str(b, "the 1 event conforms");
        } else {
            buf_str(b, "all ");
            buf_u64(b, r->events);
            buf_str(b, " events conform");
        }
        if (read_as != NULL && r->events > 0) {
            buf_str(b, " (read as ");
            buf_str(b, read_as);
            buf_ch(b, ')');
        }
        buf_ch(b, '\n');
        return;
    }
    if (r->wrote_lines)
        buf_ch(b, '\n');
    size_t w = u64_width(r->events > findings ? r->events : findings);
    summary_count(b, "events:", r->events, w);
    summary_count(b, "  conforming:", r->ok, w);
    summary_count(b, "  with errors:", r->events - r->ok, w);
    summary_count(b, "findings:", findings, w);
    summary_count(b, "  errors:", r->errors, w);
    summary_count(b, "  warnings:", r->warnings, w);
    if (read_as != NULL) {
        buf_str_left(b, "read as:", 16);
        buf_str(b, read_as);
        buf_str(b, r->opts.reading == CFC_READING_STREAM
                       ? " (G, T, E and stream rules)\n"
                       : " (--events: G, T and E rules, no stream rules)\n");
    }
    if (n == 0)
        return;
    size_t idw = strlen("rule"), sevw = strlen("severity"), cntw = strlen("count");
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(rows[i].id);
        if (l > idw)
            idw = l;
        l = strlen(rows[i].severity);
        if (l > sevw)
            sevw = l;
        l = u64_width(rows[i].count);
        if (l > cntw)
            cntw = l;
    }
    buf_ch(b, '\n');
    buf_str_left(b, "rule", idw + 2);
    buf_str_left(b, "severity", sevw + 2);
    buf_spaces(b, cntw - strlen("count"));
    buf_str(b, "count\n");
    bool color = r->opts.color;
    for (size_t i = 0; i < n; i++) {
        const char *on = !color                                     ? NULL
                         : strcmp(rows[i].severity, "error") == 0   ? ANSI_RED
                         : strcmp(rows[i].severity, "warning") == 0 ? ANSI_YELLOW
                                                                    : NULL;
        if (color)
            buf_str(b, ANSI_CYAN);
        buf_str(b, rows[i].id);
        if (color)
            buf_str(b, ANSI_RESET);
        buf_spaces(b, idw + 2 - strlen(rows[i].id));
        if (on != NULL)
            buf_str(b, on);
        buf_str(b, rows[i].severity);
        if (on != NULL)
            buf_str(b, ANSI_RESET);
        buf_spaces(b, sevw + 2 - strlen(rows[i].severity));
        buf_u64_right(b, rows[i].count, cntw);
        buf_ch(b, '\n');
    }
    buf_str(b, "\nnext: run 'cfconform explain ");
    buf_str(b, rows[0].id);
    buf_str(b, "' (the most frequent rule)\n");
    if (r->hint != NULL) {
        buf_str(b, "hint: ");
        buf_str(b, r->hint);
        if (r->suggested > 1) {
            buf_str(b, " (and ");
            buf_u64(b, r->suggested - 1);
            buf_str(b, r->suggested == 2 ? " more input)" : " more inputs)");
        }
        buf_str(b, ";\n      if each line stands alone, check with 'cfconform check --events'\n");
    }
}

static void json_summary(cfc_report *r)
{
    cfc__buf *b = &r->buf;
    buf_str(b, "{\"summary\":{\"events\":");
    buf_u64(b, r->events);
    buf_str(b, ",\"ok\":");
    buf_u64(b, r->ok);
    buf_str(b, ",\"errors\":");
    buf_u64(b, r->errors);
    buf_str(b, ",\"warnings\":");
    buf_u64(b, r->warnings);
    buf_str(b, ",\"by_rule\":{");
    bool first = true;
    for (size_t i = 0; i < (size_t)CFC_RULE_COUNT; i++) {
        if (r->by_rule[i] == 0)
            continue;
        const char *id = rule_id((cfc_rule)i);
        if (!first)
            buf_ch(b, ',');
        first = false;
        buf_json_str(b, id, strlen(id));
        buf_ch(b, ':');
        buf_u64(b, r->by_rule[i]);
    }
    buf_ch(b, '}');
    if (r->unreadable > 0) {
        buf_str(b, ",\"unreadable\":");
        buf_u64(b, r->unreadable);
    }
    const char *reading = cfc_reading_name(r->opts.reading);
    if (reading != NULL) {
        buf_str(b, ",\"reading\":\"");
        buf_str(b, reading);
        buf_str(b, r->suggested > 0 ? "\",\"suggest_events\":true" : "\",\"suggest_events\":false");
    }
    buf_str(b, "}}\n");
}

static int junit_document(cfc_report *r)
{
    cfc__buf *b = &r->buf;
    buf_str(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuites name=\"cfconform\" tests=\"");
    buf_u64(b, r->events + r->unreadable);
    buf_str(b, "\" failures=\"");
    buf_u64(b, r->events - r->ok);
    buf_str(b, "\" errors=\"");
    buf_u64(b, r->unreadable);
    buf_str(b, "\">\n");
    if (emit(r, r->out) != 0)
        return -1;
    if (spool_copy(r, &r->doc, NULL, r->out) != 0)
        return -1;
    buf_str(b, "</testsuites>\n");
    return emit(r, r->out);
}

int cfc_report_finish(cfc_report *r)
{
    if (!usable(r))
        return -1;
    if (r->file != NULL && cfc_report_end_file(r) != 0)
        return -1;
    r->finished = true;
    int rc = 0;
    switch (r->format) {
    case CFC_FORMAT_TEXT:
        text_summary(r);
        rc = emit(r, r->out);
        break;
    case CFC_FORMAT_JSON:
        json_summary(r);
        rc = emit(r, r->out);
        break;
    case CFC_FORMAT_JUNIT: rc = junit_document(r); break;
    case CFC_FORMAT_SARIF:
    case CFC_FORMAT_GITHUB:
    case CFC_FORMAT_MARKDOWN: rc = r->ext->finish(r->ext_state) == 0 ? 0 : fail(r); break;
    }
    /* A full disk shows up here at the latest: stdio buffers the writes. */
    if (fflush(r->out) != 0 || ferror(r->out))
        return fail(r);
    return rc;
}

/* Keeps a buffer's memory and empties it. */
static cfc__buf buf_emptied(cfc__buf b)
{
    b.len = 0;
    b.oom = false;
    return b;
}

int cfc__report_restart(cfc_report *r)
{
    if (r == NULL || r->ext != NULL || r->failed)
        return -1;
    /* Everything but the buffers' memory goes back to what cfc_report_new
     * made: the struct is cleared as a new one is, so a field added later
     * starts a document as it does in a new report. */
    FILE *out = r->out;
    cfc_format format = r->format;
    cfc_report_options opts = r->opts;
    cfc__buf keep[6] = {buf_emptied(r->buf),       buf_emptied(r->line),
                        buf_emptied(r->name_text), buf_emptied(r->name_fmt),
                        buf_emptied(r->suite.mem), buf_emptied(r->doc.mem)};
    if (r->suite.file != NULL)
        fclose(r->suite.file);
    if (r->doc.file != NULL)
        fclose(r->doc.file);
    free(r->file);
    free(r->hint);
    memset(r, 0, sizeof *r);
    r->out = out;
    r->format = format;
    r->opts = opts;
    for (size_t i = 0; i < (size_t)CFC_RULE_COUNT; i++)
        r->is_stream[i] = cfc_rule_is_stream((cfc_rule)i);
    r->buf = keep[0];
    r->line = keep[1];
    r->name_text = keep[2];
    r->name_fmt = keep[3];
    r->suite.mem = keep[4];
    r->doc.mem = keep[5];
    return 0;
}

int cfc_format_parse(const char *name, cfc_format *out)
{
    static const cfc_format all[] = {CFC_FORMAT_TEXT,  CFC_FORMAT_JSON,   CFC_FORMAT_JUNIT,
                                     CFC_FORMAT_SARIF, CFC_FORMAT_GITHUB, CFC_FORMAT_MARKDOWN};
    if (name == NULL || out == NULL)
        return -1;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(name, cfc_format_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

const char *cfc_format_name(cfc_format f)
{
    switch (f) {
    case CFC_FORMAT_TEXT: return "text";
    case CFC_FORMAT_JSON: return "json";
    case CFC_FORMAT_JUNIT: return "junit";
    case CFC_FORMAT_SARIF: return "sarif";
    case CFC_FORMAT_GITHUB: return "github";
    case CFC_FORMAT_MARKDOWN: return "markdown";
    }
    return NULL;
}

const char *cfc_reading_name(cfc_reading reading)
{
    switch (reading) {
    case CFC_READING_STREAM: return "stream";
    case CFC_READING_EVENTS: return "events";
    case CFC_READING_UNSTATED: break;
    }
    return NULL;
}
