/* SPDX-License-Identifier: MIT */
/*
 * "Did you mean": the closest of a list of known words (subcommands, option
 * names, rule IDs) to a mistyped one, by edit distance (Damerau's
 * transpositions included: "chekc" is one edit from "check"). A suggestion
 * is made only when it is close enough to be the likely intent.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Optimal string alignment distance, capped: words longer than 63 bytes are
 * never close to ours. */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63)
        return (size_t)-1;
    size_t d[64][64];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

const char *cfc_cli_suggest(const char *word, const char *const *known, size_t n)
{
    /* --name=value: compare the name only. */
    char w[64];
    size_t len = strcspn(word, "=");
    if (len >= sizeof w)
        return NULL;
    memcpy(w, word, len);
    w[len] = '\0';
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (known[i] == NULL)
            continue;
        size_t d = distance(w, known[i]);
        /* A prefix of a known word ("--stri") is a likely intent too. */
        if (len >= 3 && strncmp(known[i], w, len) == 0)
            d = 1;
        if (d < best_d) {
            best_d = d;
            best = known[i];
        }
    }
    size_t klen = best ? strlen(best) : 0;
    size_t limit = klen <= 4 ? 1 : klen <= 8 ? 2 : 3;
    return best != NULL && best_d <= limit ? best : NULL;
}

int cfc_cli_unknown_option(const char *arg, const cfc_cli_option *a, size_t na,
                           const cfc_cli_option *b, size_t nb)
{
    const char *names[128];
    size_t n = 0;
    for (size_t i = 0; i < na && n < 128; i++)
        names[n++] = a[i].name;
    for (size_t i = 0; i < nb && n < 128; i++)
        names[n++] = b[i].name;
    return cfc_cli_unknown("unknown option", arg, names, n);
}

int cfc_cli_unknown(const char *what, const char *word, const char *const *known, size_t n)
{
    /* -h is everywhere --help, whatever the distance says. */
    const char *s = strcmp(word, "-h") == 0 ? "--help" : cfc_cli_suggest(word, known, n);
    fprintf(stderr, "cfconform: error: %s '%s'", what, word);
    if (s != NULL)
        fprintf(stderr, "; did you mean '%s'?", s);
    fputs("\nTry 'cfconform --help'.\n", stderr);
    return EXIT_TROUBLE;
}
