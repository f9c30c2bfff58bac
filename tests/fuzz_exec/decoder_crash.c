/* SPDX-License-Identifier: MIT */
/* A C decoder with a bug for cfconform fuzz-exec's tests: it trusts the
 * contract that every agent event has a string agent_id, and dereferences
 * it unchecked. An agent event without one (rule missing-field, or
 * null-value, wrong-type) kills it with SIGSEGV. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, stdin) > 0) {
        cJSON *root = cJSON_Parse(line);
        const char *answer = "rejected";
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
        if (cJSON_IsString(type)) {
            answer = "ok";
            if (strncmp(type->valuestring, "agent_", 6) == 0) {
                const cJSON *agent = cJSON_GetObjectItemCaseSensitive(root, "agent_id");
                volatile size_t len = strlen(agent->valuestring); /* THE BUG */
                answer = len ? "agent" : "rejected";
            }
        }
        printf("%s\n", answer);
        fflush(stdout);
        cJSON_Delete(root);
    }
    free(line);
    return 0;
}
