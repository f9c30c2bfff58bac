/* SPDX-License-Identifier: MIT */
/*
 * The suite's own honesty in CI: a test that needs a missing tool fails
 * under CI=true instead of skipping (a skip counts as a pass), and
 * scripts/test fails when CTest finds no test at all (a build with tests
 * off would otherwise pass with nothing run).
 *
 * The tools are hidden with CFC_TEST_HIDE_TOOLS (tests/util.h), so these
 * tests run the real test executables on a machine that has the tools.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BIN CFC_BINARY_DIR "/tests/"

/* Runs one Criterion test of another test executable with `tool` hidden,
 * CI set to `ci` (NULL: unset); returns the exit status, *out the output. */
static int run_without(const char *tool, const char *ci, const char *exe, const char *filter,
                       char **out)
{
    char cmd[1024];
    /* BXFI_MAP would make the child think it is one of this test's own
     * Criterion workers. */
    snprintf(cmd, sizeof cmd,
             "env -u CI -u BXFI_MAP %s%s CFC_TEST_HIDE_TOOLS=%s %s%s --filter '%s' 2>&1",
             ci ? "CI=" : "", ci ? ci : "", tool, BIN, exe, filter);
    return test_run(cmd, out);
}

static void expect_fails_under_ci(const char *tool, const char *exe, const char *filter)
{
    char *out;
    int rc = run_without(tool, "true", exe, filter, &out);
    cr_expect_neq(rc, 0, "%s hidden, CI=true: the test must fail\n%s", tool, out);
    cr_expect_not_null(strstr(out, "CI=true and a tool is missing"), "%s", out);
    cr_expect_null(strstr(out, "Synthesis: Tested: 0"), "the test ran: %s", out);
    free(out);
    /* Outside CI (unset, or CI=false) the same test is skipped: a pass. */
    const char *not_ci[] = {NULL, "false"};
    for (size_t i = 0; i < 2; i++) {
        rc = run_without(tool, not_ci[i], exe, filter, &out);
        cr_expect_eq(rc, 0, "%s hidden, CI=%s: the test is skipped\n%s", tool,
                     not_ci[i] ? not_ci[i] : "(unset)", out);
        cr_expect_null(strstr(out, "CI=true and a tool is missing"), "%s", out);
        free(out);
    }
}

Test(ci, missing_clang_fails_the_mutator_example_under_ci)
{
    expect_fails_under_ci("clang", "test_mutator", "example/*");
}

Test(ci, missing_chromium_fails_the_html_report_test_under_ci)
{
    expect_fails_under_ci("chromium", "test_certify",
                          "certify/html_report_renders_the_matrix_in_chromium");
}

/* The ctest command scripts/test runs, on a build directory without a
 * single test: it must fail. */
Test(ci, scripts_test_fails_when_no_test_is_found)
{
    char *script = test_slurp(CFC_SOURCE_DIR "/scripts/test", NULL);
    char *line = strstr(script, "\nctest ");
    cr_assert_not_null(line, "scripts/test runs ctest");
    line++;
    char *end = strchr(line, '\n');
    if (end)
        *end = '\0';
    char tmp[] = "/tmp/cfc-ci-XXXXXX";
    cr_assert_not_null(mkdtemp(tmp));
    char path[64];
    snprintf(path, sizeof path, "%s/CTestTestfile.cmake", tmp);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("# no tests\n", f);
    cr_assert_eq(fclose(f), 0);
    /* The script's own line, with its $build pointing at the empty build. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "build=%s bash -c '%s' 2>&1", tmp, line);
    char *out;
    int rc = test_run(cmd, &out);
    cr_expect_neq(rc, 0, "`%s` passed with no tests:\n%s", line, out);
    cr_expect_not_null(strstr(out, "No tests were found"), "%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    cr_expect_eq(system(cmd), 0);
    free(script);
}
