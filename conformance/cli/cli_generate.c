/* SPDX-License-Identifier: MIT */
/*
 * cfconform generate: seeded events from the contract table (cfc/generate.h),
 * one per line, for feeding any decoder.
 *
 * Without --stream the events are independent samples, not one producer's
 * stream (agents retire and reappear, timestamps are random): `check --events`
 * reads them as such, and generate says so on stderr and in --help.
 *
 *   cfconform generate --count 1000 --seed 7 --mix 0.2 --labels labels.txt > events.ndjson
 *
 * Exit codes: 0 written, 2 usage or write error.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/check.h"
#include "cfc/generate.h"
#include "cli.h"

typedef enum gen_opt {
    G_COUNT,
    G_SEED,
    G_VALID,
    G_INVALID,
    G_MIX,
    G_RULE,
    G_STREAM,
    G_LABELLED,
    G_LABELS,
    G_PLAIN,
    G_MAX_EVENT_BYTES,
    G_MAX_DEPTH,
    G_HELP
} gen_opt;

static const struct gen_option {
    gen_opt id;
    const char *name;
    const char *arg;
    const char *help;
} gen_options[] = {
    {G_COUNT, "--count", "N", "how many events (default 100)"},
    {G_SEED, "--seed", "S", "the seed: same seed and options, same events (default 1)"},
    {G_VALID, "--valid", NULL, "only conforming events, covering the contract (the default)"},
    {G_INVALID, "--invalid", NULL, "only events that break exactly one rule each"},
    {G_MIX, "--mix", "P", "a fraction P (0..1) of the events invalid, the rest valid"},
    {G_RULE, "--rule", "ID", "invalid events break this rule (alone: --invalid)"},
    {G_STREAM, "--stream", NULL, "a coherent multi-agent stream that satisfies the stream rules"},
    {G_LABELLED, "--labelled", NULL,
     "write {\"rule\":\"ID\",\"event\":EVENT} lines (rule null when valid)"},
    {G_LABELS, "--labels", "FILE",
     "write each event's label to FILE, one line each: a rule ID or \"valid\""},
    {G_PLAIN, "--plain", NULL, "no lexical variety: compact events in schema order"},
    {G_MAX_EVENT_BYTES, "--max-event-bytes", "N",
     "the size too-large events exceed (default 1048576, at most 67108864)"},
    {G_MAX_DEPTH, "--max-depth", "N",
     "the depth too-deep events exceed (default 64, at most 10000)"},
    {G_HELP, "--help", NULL, "show this help"},
};
#define N_GEN_OPTIONS (sizeof gen_options / sizeof gen_options[0])

static void gen_usage(FILE *f)
{
    fputs("usage: cfconform generate [OPTIONS] > events.ndjson\n\n"
          "Deterministic events from the contract table, one per line. Without --stream they\n"
          "are independent events, not one stream: check them with 'cfconform check --events'\n"
          "(read as one stream, unrelated events break stream rules such as ts-backwards).\n"
          "With --stream they are one coherent stream: 'cfconform check' passes it.\n"
          "\noptions:\n",
          f);
    for (size_t i = 0; i < N_GEN_OPTIONS; i++) {
        char left[48];
        snprintf(left, sizeof left, "%s%s%s", gen_options[i].name, gen_options[i].arg ? " " : "",
                 gen_options[i].arg ? gen_options[i].arg : "");
        fprintf(f, "  %-24s %s\n", left, gen_options[i].help);
    }
    fputs("\nInvalid events cover every single-event rule but text-frame (a framing fault);\n"
          "too-large ones (over 1 MiB each) only with --rule too-large. Stream rules are\n"
          "never broken: --stream streams conform.\n"
          "\nexit codes: 0 written, 2 usage or write error\n",
          f);
}

int cfc_cmd_generate(int argc, char **argv)
{
    cfc_gen_options o = {.seed = 1};
    uint64_t count = 100;
    bool valid = false, invalid = false, mix = false, labelled = false;
    const char *labels_path = NULL;
    for (int i = 0; i < argc; i++) {
        const struct gen_option *opt = NULL;
        for (size_t k = 0; k < N_GEN_OPTIONS; k++) {
            if (strcmp(argv[i], gen_options[k].name) == 0)
                opt = &gen_options[k];
        }
        if (opt == NULL) {
            const char *names[N_GEN_OPTIONS];
            for (size_t k = 0; k < N_GEN_OPTIONS; k++)
                names[k] = gen_options[k].name;
            return cfc_cli_unknown("generate: unknown option", argv[i], names, N_GEN_OPTIONS);
        }
        const char *value = NULL;
        if (opt->arg) {
            if (i + 1 >= argc)
                return cfc_cli_usage_error("generate: %s needs a value", opt->name);
            value = argv[++i];
        }
        uint64_t n;
        switch (opt->id) {
        case G_COUNT:
            if (cfc_cli_parse_count("--count", value, 0, CFC_CLI_MAX_COUNT, &count) != 0)
                return EXIT_TROUBLE;
            break;
        case G_SEED:
            if (cfc_cli_parse_count("--seed", value, 0, UINT64_MAX, &o.seed) != 0)
                return EXIT_TROUBLE;
            break;
        case G_VALID: valid = true; break;
        case G_INVALID: invalid = true; break;
        case G_MIX: {
            char *end;
            errno = 0;
            double p = strtod(value, &end);
            if (errno || *end || end == value || !(p >= 0 && p <= 1))
                return cfc_cli_usage_error("generate: --mix wants a fraction in 0..1, not '%s'",
                                           value);
            o.invalid_fraction = p;
            mix = true;
            break;
        }
        case G_RULE: {
            const cfc_rule_info *r = cfc_rule_find(value);
            if (r == NULL)
                return cfc_cli_usage_error("generate: no rule '%s' (see 'cfconform rules')", value);
            const char *why = cfc_gen_rule_unsupported_reason(r->rule);
            if (why) {
                fprintf(stderr, "cfconform: error: generate: cannot break %s: %s\n", value, why);
                return EXIT_TROUBLE;
            }
            o.one_rule = true;
            o.rule = r->rule;
            break;
        }
        case G_STREAM: o.stream = true; break;
        case G_LABELLED: labelled = true; break;
        case G_LABELS: labels_path = value; break;
        case G_PLAIN: o.plain = true; break;
        case G_MAX_EVENT_BYTES:
            if (cfc_cli_parse_count("--max-event-bytes", value, 1, CFC_CLI_MAX_EVENT_BYTES, &n) !=
                0)
                return EXIT_TROUBLE;
            o.max_event_bytes = (size_t)n;
            break;
        case G_MAX_DEPTH:
            if (cfc_cli_parse_count("--max-depth", value, 1, CFC_CLI_MAX_DEPTH, &n) != 0)
                return EXIT_TROUBLE;
            o.max_depth = (unsigned)n;
            break;
        case G_HELP: gen_usage(stdout); return cfc_cli_close_stdout(EXIT_CONFORMS);
        }
    }
    if (valid + invalid + mix > 1)
        return cfc_cli_usage_error("generate: %s", "choose one of --valid, --invalid, --mix P");
    if ((invalid || o.one_rule) && !mix && !valid)
        o.invalid_fraction = 1;
    if (valid && o.one_rule)
        return cfc_cli_usage_error("generate: %s", "--rule makes invalid events; not with --valid");
    if (o.stream && o.invalid_fraction > 0)
        return cfc_cli_usage_error("generate: %s", "--stream generates conforming streams only; "
                                                   "drop --invalid, --mix or --rule");

    if (!o.stream)
        fputs("cfconform: generate: independent events, not one stream: check them with "
              "'cfconform check --events' (--stream makes a stream)\n",
              stderr);

    cfc_generator *g = cfc_generator_new(&o);
    if (g == NULL) {
        fputs("cfconform: error: generate: out of memory\n", stderr);
        return EXIT_TROUBLE;
    }
    FILE *labels = NULL;
    if (labels_path && (labels = fopen(labels_path, "w")) == NULL) {
        fprintf(stderr, "cfconform: error: generate: cannot write %s: %s\n", labels_path,
                strerror(errno));
        cfc_generator_free(g);
        return EXIT_TROUBLE;
    }
    int rc = EXIT_CONFORMS;
    for (uint64_t i = 0; i < count; i++) {
        cfc_gen_event e;
        if (cfc_generator_next(g, &e) != 0) {
            fputs("cfconform: error: generate: out of memory\n", stderr);
            rc = EXIT_TROUBLE;
            break;
        }
        const char *label = e.valid ? NULL : cfc_rule_get(e.rule)->id;
        /* The event's bytes go in verbatim, even when they are not JSON
         * themselves (json-syntax, utf8-invalid, ...): a reader takes what
         * follows "event": up to the final '}'. */
        if (labelled) {
            if (label)
                printf("{\"rule\":\"%s\",\"event\":", label);
            else
                fputs("{\"rule\":null,\"event\":", stdout);
        }
        fwrite(e.text, 1, e.len, stdout);
        if (labelled)
            putchar('}');
        putchar('\n');
        if (labels)
            fprintf(labels, "%s\n", label ? label : "valid");
        if (ferror(stdout) || (labels && ferror(labels))) {
            fputs("cfconform: error: generate: write error\n", stderr);
            rc = EXIT_TROUBLE;
            break;
        }
    }
    cfc_generator_free(g);
    if (labels && fclose(labels) != 0) {
        fprintf(stderr, "cfconform: error: generate: cannot write %s\n", labels_path);
        rc = EXIT_TROUBLE;
    }
    return cfc_cli_close_stdout(rc);
}
