/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the test files: read a file, run a command. */
#ifndef CFC_TEST_UTIL_H
#define CFC_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* The whole file, NUL-terminated; *len (if not NULL) gets its size. */
static inline char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* Runs a shell command; returns its exit code (-1 if it did not exit) and,
 * if out is not NULL, its stdout (free it). */
static inline int test_run(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 4096)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    int st = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether this is a CI run (CI set to anything but "", "0" or "false", as
 * CI services set CI=true). */
static inline bool test_under_ci(void)
{
    const char *ci = getenv("CI");
    return ci != NULL && ci[0] != '\0' && strcmp(ci, "0") != 0 && strcmp(ci, "false") != 0;
}

/* Whether `tool` is on PATH. CFC_TEST_HIDE_TOOLS (comma-separated names)
 * pretends the listed tools are missing, so that what a test does without
 * them can itself be tested (tests/test_ci.c). */
static inline bool test_have_tool(const char *tool)
{
    const char *hide = getenv("CFC_TEST_HIDE_TOOLS");
    size_t n = strlen(tool);
    for (const char *p = hide; p != NULL && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, tool, n) == 0)
            return false;
        p = end ? end + 1 : p + len;
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v '%s' >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

/* A test that cannot run here because a tool is missing (or cannot start):
 * skipped on a developer's machine, but failed under CI, where a skip would
 * count as a pass with nothing tested. Takes printf-style arguments. */
#define test_missing_tool(...)                                                                     \
    do {                                                                                           \
        if (test_under_ci())                                                                       \
            cr_assert_fail("CI=true and a tool is missing: " __VA_ARGS__);                         \
        cr_skip_test(__VA_ARGS__);                                                                 \
    } while (0)

#endif
