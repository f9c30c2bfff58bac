/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/*
 * cfconform watch against the stack CodeFRAME runs on: a FastAPI app on
 * uvicorn (tests/live/fastapi_app.py) broadcasting through the certify
 * tests' Python broadcasters, with uvicorn's own pings (every 0.2 s) and
 * close. Every event is checked end to end; the one non-conforming event is
 * reported; the close is uvicorn's 1000. Needs Debian's python3-fastapi and
 * python3-uvicorn (scripts/setup installs them); without them the test is
 * skipped, except under CI=true, where it fails.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#define CFC CFC_BINARY_DIR "/cfconform"
#define APP CFC_SOURCE_DIR "/tests/live/fastapi_app.py"

TestSuite(live_fastapi, .timeout = 90);

static bool have_fastapi(void)
{
    bool ok = test_run("/usr/bin/python3 -c 'import fastapi, uvicorn' 2>/dev/null", NULL) == 0;
    const char *ci = getenv("CI");
    if (!ok && ci && strcmp(ci, "true") == 0)
        cr_assert_fail("CI=true: python3-fastapi and python3-uvicorn are needed "
                       "(./scripts/setup installs them)");
    return ok;
}

Test(live_fastapi, uvicorn_broadcasts_checked_end_to_end)
{
    if (!have_fastapi())
        cr_skip_test("python3-fastapi / python3-uvicorn not installed");
    char *argv[] = {"/usr/bin/python3", APP, NULL};
    proc app = proc_start(argv, NULL);
    char port[32], url[96];
    proc_read_line(&app, port, sizeof port, 20000);
    snprintf(url, sizeof url, "ws://127.0.0.1:%s/ws", port);
    char cmd[256];
    snprintf(cmd, sizeof cmd, CFC " watch --format json --duration 30 %s 2>&1", url);
    char *out;
    int rc = test_run(cmd, &out);
    cr_expect_eq(proc_wait(&app, 10000), 0, "the app serves one connection and exits");
    proc_stop(&app);
    cr_expect_eq(rc, 1, "one non-conforming event: exit 1\n%s", out);
    cr_expect_not_null(strstr(out, "{\"summary\":{\"events\":7,\"ok\":6,\"errors\":1"), "%s", out);
    cr_expect_not_null(strstr(out, "\"line\":6,\"type\":\"task_blocked\",\"ok\":false,"
                                   "\"findings\":[{\"rule\":\"blocked-count\""),
                       "%s", out);
    cr_expect_not_null(strstr(out, "\"line\":1,\"type\":\"agent_created\",\"ok\":true"), "%s", out);
    cr_expect_not_null(strstr(out, "closed by the server: 1000 (normal closure); 7 events"), "%s",
                       out);
    free(out);
}
