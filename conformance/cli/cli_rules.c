/* SPDX-License-Identifier: MIT */
/* cfconform rules and explain: the rule catalogue, read from rules.def. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfc/check.h"
#include "cfc/contract.h"
#include "cfc/ndjson.h"
#include "cfc/report.h"
#include "cfc/stream.h"
#include "cli.h"

/* ---- rules and explain ------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

enum { OPT_FORMAT = 1, OPT_HELP };
static const cfc_cli_option rules_options[] = {
    {OPT_FORMAT, "--format", "text|json",
     "text: aligned columns (default); json: an array of "
     "{id, severity, reference, summary}"},
    {OPT_HELP, "--help", NULL, "show this help"},
};
static const cfc_cli_option explain_options[] = {
    {OPT_HELP, "--help", NULL, "show this help"},
};

static int rules_usage(void)
{
    fputs("usage: cfconform rules [--format text|json]\n"
          "\n"
          "Lists the rule catalogue: each rule's stable ID, default severity, contract\n"
          "reference (docs/contract-rules.md) and summary.\n"
          "\n"
          "options:\n",
          stdout);
    cfc_cli_print_options(stdout, rules_options, 2);
    fputs("\nexit codes: 0 listed, 2 usage or write error\n", stdout);
    return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
}

static int explain_usage(void)
{
    fputs("usage: cfconform explain RULE\n"
          "\n"
          "Explains one rule (an ID from 'cfconform rules'): its severity, summary and\n"
          "contract reference, an event that passes it, one that fails it, and the\n"
          "finding the checker gives for that one.\n"
          "\n"
          "options:\n",
          stdout);
    cfc_cli_print_options(stdout, explain_options, 1);
    fputs("\nexit codes: 0 explained, 2 no such rule, usage or write error\n", stdout);
    return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
}

int cfc_cmd_rules(int argc, char **argv)
{
    bool json = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return rules_usage();
        if (strcmp(argv[i], "--format=json") == 0 ||
            (strcmp(argv[i], "--format") == 0 && i + 1 < argc && strcmp(argv[++i], "json") == 0))
            json = true;
        else if (strcmp(argv[i], "--format=text") == 0 || strcmp(argv[i], "text") == 0)
            json = false;
        else if (argv[i][0] == '-')
            return cfc_cli_unknown_option(argv[i], rules_options, 2, NULL, 0);
        else
            return cfc_cli_usage_error("rules: unexpected argument '%s'", argv[i]);
    }
    if (json)
        fputs("[", stdout);
    for (size_t i = 0; i < CFC_RULE_COUNT; i++) {
        const cfc_rule_info *r = cfc_rule_get((cfc_rule)i);
        if (json) {
            fputs(i ? ",\n {\"id\":" : "{\"id\":", stdout);
            json_string(stdout, r->id);
            fputs(",\"severity\":", stdout);
            json_string(stdout, cfc_severity_name(r->severity));
            fputs(",\"reference\":", stdout);
            json_string(stdout, r->reference);
            fputs(",\"summary\":", stdout);
            json_string(stdout, r->summary);
            fputs("}", stdout);
        } else {
            printf("%-24s %-8s %-12.12s %s\n", r->id, cfc_severity_name(r->severity), r->reference,
                   r->summary);
        }
    }
    if (json)
        fputs("]\n", stdout);
    return cfc_cli_close_stdout(EXIT_CONFORMS);
}

/* An example, each of its lines (a stream rule's has several) indented. */
static void print_example(const char *ex)
{
    for (const char *p = ex; *p;) {
        size_t len = strcspn(p, "\n");
        printf("  %.*s\n", (int)len, p);
        p += len + (p[len] == '\n');
    }
}

int cfc_cmd_explain(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return explain_usage();
    if (argc != 1)
        return cfc_cli_usage_error("explain wants one rule ID, e.g. 'cfconform explain %s'",
                                   "blocked-count");
    const cfc_rule_info *r = cfc_rule_find(argv[0]);
    if (r == NULL) {
        const char *ids[CFC_RULE_COUNT];
        for (size_t i = 0; i < CFC_RULE_COUNT; i++)
            ids[i] = cfc_rule_get((cfc_rule)i)->id;
        const char *s = cfc_cli_suggest(argv[0], ids, CFC_RULE_COUNT);
        fprintf(stderr, "cfconform: error: no rule '%s'", argv[0]);
        if (s != NULL)
            fprintf(stderr, "; did you mean '%s'?", s);
        fputs("\nTry 'cfconform rules'.\n", stderr);
        return EXIT_TROUBLE;
    }
    printf("%s (%s)\n  %s\n  reference: %s (docs/contract-rules.md, "
           "docs/websocket-event-contracts.md)\n\n",
           r->id, cfc_severity_name(r->severity), r->summary, r->reference);
    printf("passes:\n");
    print_example(r->pass_example);
    if (r->fail_example == NULL) {
        printf("\nfails:\n  (an example cannot be one printable line; see corpus/invalid/)\n");
        return cfc_cli_close_stdout(EXIT_CONFORMS);
    }
    printf("\nfails:\n");
    print_example(r->fail_example);
    /* Show the finding the checker really gives, not a description of it. A
     * stream rule's example is several lines, checked as a stream the way
     * rules.def says: from the producer's start, subscribed to project 1. */
    bool multi = strchr(r->fail_example, '\n') != NULL;
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_stream_options so = {.from_start = true, .subscribed_project_id = 1};
    cfc_stream *s = c ? cfc_stream_new(c, &so) : NULL;
    const char *ev = r->fail_example;
    for (size_t line = 1; s && *ev; line++) {
        size_t len = strcspn(ev, "\n");
        const cfc_event_result *res;
        if (cfc_stream_check_event(s, ev, len, &res) != CFC_CHECK_OK)
            break;
        for (size_t i = 0; i < res->n_findings; i++) {
            const cfc_finding *f = &res->findings[i];
            if (f->rule != r->rule)
                continue;
            printf("  -> ");
            if (multi)
                printf("line %zu: ", line);
            printf("%s[%s] %s: %s\n", cfc_severity_name(f->severity), r->id,
                   f->pointer[0] ? f->pointer : "(event)", f->message);
        }
        ev += len + (ev[len] == '\n');
    }
    cfc_stream_free(s);
    cfc_checker_free(c);
    return cfc_cli_close_stdout(EXIT_CONFORMS);
}
