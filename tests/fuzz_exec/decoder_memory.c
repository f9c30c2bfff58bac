/* SPDX-License-Identifier: MIT */
/* A C decoder with a memory bug for cfconform fuzz-exec's tests: it keeps a
 * byte per task of progress_update.total (up to 512 MiB), so a large total
 * -- a valid one: any count up to 2^53-1 conforms -- takes all that memory. */
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
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
        const cJSON *total = cJSON_GetObjectItemCaseSensitive(root, "total");
        if (cJSON_IsString(type) && strcmp(type->valuestring, "progress_update") == 0 &&
            cJSON_IsNumber(total) && total->valuedouble >= 1) {
            double want =
                total->valuedouble < 512.0 * 1024 * 1024 ? total->valuedouble : 512.0 * 1024 * 1024;
            size_t n = (size_t)want;
            volatile char *done = malloc(n);
            if (done) {
                for (size_t i = 0; i < n; i += 4096) /* every page, for real */
                    done[i] = 1;
                printf("tracking %zu tasks\n", n);
                free((void *)done);
            } else {
                printf("rejected\n");
            }
        } else {
            printf("ok\n");
        }
        fflush(stdout);
        cJSON_Delete(root);
    }
    free(line);
    return 0;
}
