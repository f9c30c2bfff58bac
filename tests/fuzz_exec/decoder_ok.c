/* SPDX-License-Identifier: MIT */
/* A correct C decoder for cfconform fuzz-exec's tests: one event per line on
 * stdin, one answer line on stdout ("agent", "ok" or "rejected"). */
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
                answer = cJSON_IsString(agent) && agent->valuestring[0] ? "agent" : "rejected";
            }
        }
        printf("%s\n", answer);
        fflush(stdout);
        cJSON_Delete(root);
    }
    free(line);
    return 0;
}
