/* SPDX-License-Identifier: MIT */
/*
 * The replay driver: runs one fuzz target's LLVMFuzzerTestOneInput over
 * files, directories of files, and NDJSON files split into lines, in the
 * ordinary build and without libFuzzer (as cJSON's fuzzing/fuzz_main.c).
 * CTest runs every target over its seeds and corpus/regressions/ this way,
 * so every test run -- the ASan + UBSan one included -- replays them.
 *
 *   replay_TARGET [--min N] [PATH | --lines FILE]...
 *
 * Every PATH must exist: a missing seed or corpus folder is an error, not a
 * quiet pass over nothing (fuzz/CMakeLists.txt passes a target's
 * corpus/regressions/TARGET folder only once it exists). --min N states
 * how many inputs the replay must have run at least: fewer (a corpus
 * emptied, a seed file gone) is a failure. Exit 0 after the last input;
 * 1 when fewer than N inputs ran; 2 on a missing or unreadable path or a
 * bad option; a bug aborts.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "support.h"

static size_t inputs;

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    unsigned char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *q = realloc(buf, cap *= 2);
            if (q == NULL)
                free(buf);
            buf = q;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static void run_file(const char *path)
{
    size_t len = 0;
    unsigned char *data = slurp(path, &len);
    if (data == NULL) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        exit(2);
    }
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    inputs++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s does not exist\n", path);
        exit(2);
    }
    if (!S_ISDIR(st.st_mode)) {
        run_file(path);
        return;
    }
    DIR *d = opendir(path);
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0 ||
            strstr(e->d_name, ".expect"))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        snprintf(names[n++], len, "%s/%s", path, e->d_name);
    }
    if (d)
        closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        run_path(names[i]);
        free(names[i]);
    }
    free(names);
}

static void run_lines(const char *path)
{
    size_t len = 0;
    unsigned char *data = slurp(path, &len);
    if (data == NULL) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        exit(2);
    }
    for (size_t start = 0, i = 0; i <= len; i++) {
        if (i == len || data[i] == '\n') {
            if (i > start) {
                LLVMFuzzerTestOneInput(data + start, i - start);
                inputs++;
            }
            start = i + 1;
        }
    }
    free(data);
}

int main(int argc, char **argv)
{
    size_t min = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--min") == 0 && i + 1 < argc) {
            char *end;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (end == argv[i] || *end != '\0') {
                fprintf(stderr, "replay: --min wants a count, not '%s'\n", argv[i]);
                return 2;
            }
            min = (size_t)v;
        } else if (strcmp(argv[i], "--lines") == 0 && i + 1 < argc) {
            run_lines(argv[++i]);
        } else {
            run_path(argv[i]);
        }
    }
    if (inputs < min) {
        fprintf(stderr, "replay: only %zu inputs, at least %zu expected\n", inputs, min);
        return 1;
    }
    printf("replay: %zu inputs (at least %zu expected), no failure\n", inputs, min);
    return 0;
}
