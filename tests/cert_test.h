/* SPDX-License-Identifier: MIT */
/* What the certification tests share (test_certify.c, test_consumer.c,
 * test_certify_edges.c): a scratch directory per test, commands run with
 * printf-style arguments, the check that no child process is left, a tool
 * a test needs, and a report rendered in headless Chromium. */
#ifndef CFC_CERT_TEST_H
#define CFC_CERT_TEST_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util.h"

#define CFC CFC_BINARY_DIR "/cfconform"

/* The test's scratch directory: made by cert_test_setup (the suite's
 * .init), removed by cert_test_teardown (.fini). */
static char cert_dir[] = "/tmp/cfc-cert-test-XXXXXX";

static inline void cert_test_setup(void)
{
    cr_assert_not_null(mkdtemp(cert_dir));
}

static inline void cert_test_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", cert_dir);
    cr_expect_eq(system(cmd), 0);
}

static inline int runf(char **out, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Runs a command made with printf (test_run: exit code, output in *out). */
static inline int runf(char **out, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return test_run(cmd, out);
}

/* No child of ours is left, reaped or not. */
static inline void expect_no_children(void)
{
    errno = 0;
    pid_t w = waitpid(-1, NULL, WNOHANG);
    cr_expect(w == -1 && errno == ECHILD, "a child process was left behind (waitpid gave %d)",
              (int)w);
}

/* A tool a test needs: missing is a skip, except under CI=true (a failure). */
static inline void need(const char *tool, const char *package)
{
    if (!test_have_tool(tool))
        test_missing_tool("%s is not installed (Debian package %s; ./scripts/setup installs it)",
                          tool, package);
}

#define CHROMIUM                                                                                   \
    "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking "  \
    "--disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage "

/* Loads `page` (a page that frames certification.html and measures it)
 * from report_dir in Chromium and returns the DOM it dumped (free it) and
 * in *res its <pre id="result">. Only an environment where Chromium cannot
 * start at all skips (fails under CI). Not inlined: GCC's dangling-pointer
 * analysis then takes the freeing skip path for a use in the caller. */
__attribute__((noinline, unused)) static char *render_in_chromium(const char *report_dir,
                                                                  const char *page, char **res)
{
    need("chromium", "chromium");
    char path[512];
    snprintf(path, sizeof path, "%s/check.html", report_dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(page, f);
    fclose(f);
    *res = NULL;
    char *dom;
    int rc = runf(&dom,
                  CHROMIUM "--user-data-dir=%s/profile --allow-file-access-from-files --dump-dom "
                           "file://%s 2>%s/chromium.log",
                  cert_dir, path, cert_dir);
    if (rc != 0 || strstr(dom, "<html") == NULL) {
        char *probe;
        int prc = runf(&probe,
                       CHROMIUM
                       "--user-data-dir=%s/probe --dump-dom 'data:text/html,<p>ok</p>' 2>/dev/null",
                       cert_dir);
        bool starts = prc == 0 && strstr(probe, "<p>ok</p>") != NULL;
        free(probe);
        if (!starts) {
            free(dom);
            test_missing_tool("chromium cannot start here (exit %d); see %s/chromium.log", rc,
                              cert_dir);
            return NULL; /* not reached: the test is skipped or failed */
        }
        cr_assert_fail("chromium starts but did not render the report (exit %d):\n%s", rc, dom);
    }
    *res = strstr(dom, "<pre id=\"result\">");
    cr_assert_not_null(*res, "no result from the check page:\n%s", dom);
    return dom;
}

#endif
