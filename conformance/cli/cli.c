/* SPDX-License-Identifier: MIT */
/*
 * cfconform: the command line. Uses only the public headers.
 *
 * Exit codes (a contract, like the events): 0 no errors, 1 errors found
 * (or warnings with --fail-on warning), 2 usage or I/O error.
 */
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
#include "cfc/version.h"
#include "cli.h"

#ifndef CFC_DATA_FROM_BIN
#define CFC_DATA_FROM_BIN "../share/cfconform"
#endif

int cfc_cli_usage_error(const char *fmt, const char *arg)
{
    fputs("cfconform: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'cfconform --help'.\n", stderr);
    return EXIT_TROUBLE;
}

int cfc_cli_parse_count(const char *option, const char *value, uint64_t lo, uint64_t hi,
                        uint64_t *out)
{
    /* strtoull alone takes "-1" (as 2^64-1), " 5" and "+5": digits only. */
    bool digits = value[0] != '\0';
    for (const char *c = value; *c; c++)
        digits = digits && *c >= '0' && *c <= '9';
    char *end;
    errno = 0;
    unsigned long long v = digits ? strtoull(value, &end, 10) : 0;
    if (!digits || errno || *end || v < lo || v > hi) {
        fprintf(stderr,
                "cfconform: error: %s wants an integer in %llu..%llu, not '%s'\n"
                "Try 'cfconform --help'.\n",
                option, (unsigned long long)lo, (unsigned long long)hi, value);
        return EXIT_TROUBLE;
    }
    *out = (uint64_t)v;
    return 0;
}

int cfc_cli_close_stdout(int rc)
{
    /* The errno of an earlier failed write is the best witness left when
     * the error indicator is already set; a failing flush gives its own. */
    int e = errno;
    bool earlier = ferror(stdout);
    if (fflush(stdout) != 0)
        e = errno, earlier = true;
    if (fclose(stdout) != 0 && !earlier)
        e = errno, earlier = true;
    if (!earlier)
        return rc;
    fprintf(stderr, "cfconform: error: cannot write to stdout: %s\n", strerror(e ? e : EIO));
    return EXIT_TROUBLE;
}

char *cfc_cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *q = cap > (64u << 20) ? NULL : realloc(buf, cap *= 2);
            if (q == NULL) {
                free(buf);
                buf = NULL;
            } else {
                buf = q;
            }
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

const char *cfc_cli_data_file(const char *rel, const char *fallback, char *buf, size_t cap)
{
    /* /proc/self/exe rather than argv[0]: right through symlinks and PATH. */
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return fallback;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return fallback;
    *slash = '\0';
    int w = snprintf(buf, cap, "%s/%s/%s", exe, CFC_DATA_FROM_BIN, rel);
    if (w < 0 || (size_t)w >= cap || access(buf, R_OK) != 0)
        return fallback;
    return buf;
}

/* The subcommands. A new one is a row here and a cfc_cmd_* in its own file. */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"check", cfc_cmd_check},     {"rules", cfc_cmd_rules},       {"explain", cfc_cmd_explain},
    {"watch", cfc_cmd_watch},     {"generate", cfc_cmd_generate}, {"fuzz-exec", cfc_cmd_fuzz_exec},
    {"certify", cfc_cmd_certify}, {"schema", cfc_cmd_schema},
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return cfc_cli_usage_error("%s", "no command (see 'cfconform --help')");
    const char *cmd = argv[1];
    /* `cfconform help SUB` is `cfconform SUB --help`. */
    char help_flag[] = "--help";
    char *help_argv[4] = {argv[0], argc >= 3 ? argv[2] : NULL, help_flag, NULL};
    if (strcmp(cmd, "help") == 0 && argc >= 3) {
        cmd = argv[2];
        argc = 3;
        argv = help_argv;
    }
    /* `SUB -h` is `SUB --help` for every subcommand, including those whose
     * arguments are a command line (fuzz-exec -h is not a decoder named -h). */
    if (argc >= 3 && strcmp(argv[2], "-h") == 0)
        argv[2] = help_flag;
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cfc_cli_usage(stdout);
        return cfc_cli_close_stdout(EXIT_CONFORMS);
    }
    if (strcmp(cmd, "--version") == 0) {
        puts("cfconform " CFC_VERSION);
        return cfc_cli_close_stdout(EXIT_CONFORMS);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    }
    const char *names[sizeof commands / sizeof commands[0]];
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        names[i] = commands[i].name;
    return cfc_cli_unknown("unknown command", cmd, names, sizeof names / sizeof names[0]);
}
