/* SPDX-License-Identifier: MIT */
/* What the report writers of report_ext.h share: counts, the rule table in
 * order of frequency, and UTF-8-safe escaping. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "report_ext.h"

const cfc__report_writer *cfc__report_writer_for(cfc_format format)
{
    switch (format) {
    case CFC_FORMAT_SARIF: return &cfc__report_sarif;
    case CFC_FORMAT_GITHUB: return &cfc__report_github;
    case CFC_FORMAT_MARKDOWN: return &cfc__report_markdown;
    default: return NULL;
    }
}

void *cfc__report_calloc(size_t size)
{
    void *p = cfc__report_realloc(NULL, size);
    if (p != NULL)
        memset(p, 0, size);
    return p;
}

char *cfc__report_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cfc__report_realloc(NULL, n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

void cfc__tally_add(cfc__tally *t, const cfc_event_result *res)
{
    t->events++;
    if (res->errors == 0)
        t->ok++;
    t->errors += res->errors;
    t->warnings += res->warnings;
    for (size_t i = 0; i < (size_t)CFC_RULE_COUNT; i++)
        t->by_rule[i] += res->by_rule[i];
}

const char *cfc__rule_id(cfc_rule rule)
{
    if ((size_t)rule >= (size_t)CFC_RULE_COUNT)
        return "unknown";
    const cfc_rule_info *info = cfc_rule_get(rule);
    return info != NULL && info->id != NULL ? info->id : "unknown";
}

/* qsort has no context argument: the counts travel in a file-local pointer,
 * set only for the duration of one sort (reports are not thread-safe). */
static const cfc__tally *sort_tally;

static int by_count(const void *a, const void *b)
{
    cfc_rule x = *(const cfc_rule *)a, y = *(const cfc_rule *)b;
    uint64_t cx = sort_tally->by_rule[x], cy = sort_tally->by_rule[y];
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return strcmp(cfc__rule_id(x), cfc__rule_id(y));
}

size_t cfc__tally_rules(const cfc__tally *t, cfc_rule out[CFC_RULE_COUNT])
{
    size_t n = 0;
    for (size_t i = 0; i < (size_t)CFC_RULE_COUNT; i++)
        if (t->by_rule[i] > 0)
            out[n++] = (cfc_rule)i;
    if (n > 1) {
        sort_tally = t;
        qsort(out, n, sizeof out[0], by_count);
        sort_tally = NULL;
    }
    return n;
}

size_t cfc__utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07u, min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (n < len) {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    /* Overlong forms, surrogates and values past U+10FFFF are ill-formed. */
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return len;
}

void cfc__put_utf8(FILE *f, uint32_t cp)
{
    if (cp < 0x80) {
        putc((int)cp, f);
    } else if (cp < 0x800) {
        putc((int)(0xC0 | (cp >> 6)), f);
        putc((int)(0x80 | (cp & 0x3F)), f);
    } else if (cp < 0x10000) {
        putc((int)(0xE0 | (cp >> 12)), f);
        putc((int)(0x80 | ((cp >> 6) & 0x3F)), f);
        putc((int)(0x80 | (cp & 0x3F)), f);
    } else {
        putc((int)(0xF0 | (cp >> 18)), f);
        putc((int)(0x80 | ((cp >> 12) & 0x3F)), f);
        putc((int)(0x80 | ((cp >> 6) & 0x3F)), f);
        putc((int)(0x80 | (cp & 0x3F)), f);
    }
}

void cfc__put_json(FILE *f, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += cfc__utf8_next(u + i, n - i, &cp);
        if (cp == '"' || cp == '\\')
            fprintf(f, "\\%c", (char)cp);
        else if (cp < 0x20 || cp == 0x7F)
            fprintf(f, "\\u%04x", (unsigned)cp);
        else
            cfc__put_utf8(f, cp);
    }
}

void cfc__put_json_str(FILE *f, const char *s)
{
    putc('"', f);
    if (s != NULL)
        cfc__put_json(f, s, strlen(s));
    putc('"', f);
}
