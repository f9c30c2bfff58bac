/* SPDX-License-Identifier: MIT */
/* An outside producer, built with pkg-config against an installed cfconform
 * (tests/package_test.sh): it serves the reference producer over a WebSocket
 * on an ephemeral port, broadcasts one event there (no client: it reaches no
 * one, as with the Python producer) and the same event to stdout. */
#include <stdio.h>

#include "cfc/reference.h"
#include "cfc/version.h"
#include "cfc/ws_server.h"

static int to_stdout(void *ctx, int64_t project_id, const char *json, size_t len)
{
    (void)project_id;
    return fwrite(json, 1, len, ctx) == len && fputc('\n', ctx) != EOF ? 0 : -1;
}

int main(void)
{
    char err[256];
    cfc_ws_server *srv = cfc_ws_server_start(&(cfc_ws_server_options){.port = 0}, err, sizeof err);
    if (srv == NULL) {
        fprintf(stderr, "producer: %s\n", err);
        return 2;
    }
    cfc_manager ws = {0};
    cfc_ws_server_manager(srv, &ws);
    cfc_status a = cfc_broadcast_agent_created(&ws, 1, "backend-worker-001", "backend", 0);
    cfc_ws_server_close_all(srv, 1000, "done", 1000);
    cfc_ws_server_free(srv);

    cfc_manager out = {.broadcast = to_stdout, .broadcast_ctx = stdout};
    cfc_status b = cfc_broadcast_agent_created(&out, 1, "backend-worker-001", "backend", 0);
    fprintf(stderr, "producer: cfconform %s, %s %s\n", CFC_VERSION, cfc_status_name(a),
            cfc_status_name(b));
    return a == CFC_OK && b == CFC_OK ? 0 : 1;
}
