/* SPDX-License-Identifier: MIT */
/* The demo producer: deterministic, every event type and enum value, exit
 * codes. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "cfc/contract.h"
#include "util.h"

#define DEMO CFC_BINARY_DIR "/cfc-demo"

static char *run(const char *cmd, int *status)
{
    char *out;
    *status = test_run(cmd, &out);
    return out;
}

Test(demo, fixed_clock_is_byte_identical)
{
    int s1, s2;
    char *a = run(DEMO " --fixed-clock", &s1);
    char *b = run(DEMO " --fixed-clock", &s2);
    cr_expect_eq(s1, 0);
    cr_expect_eq(s2, 0);
    cr_expect_gt(strlen(a), 10000);
    cr_expect_str_eq(a, b);
    free(a);
    free(b);
}

Test(demo, covers_every_type_and_enum_value)
{
    int st;
    char *out = run(DEMO " --fixed-clock --project-id 7", &st);
    cr_assert_eq(st, 0);
    size_t count;
    const cfc_event_type *types = cfc_contract_types(&count);
    int seen_type[CFC_EV_COUNT] = {0};
    /* seen[type][field][value] for every enum-valued field of the table */
    static int seen[CFC_EV_COUNT][16][8];
    char prev_ts[32] = "";
    int lines = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        lines++;
        cJSON *ev = cJSON_Parse(line);
        cr_assert_not_null(ev, "line %d is not JSON: %s", lines, line);
        const char *type = cJSON_GetObjectItemCaseSensitive(ev, "type")->valuestring;
        const cfc_event_type *t = cfc_contract_find(type, strlen(type));
        cr_assert_not_null(t, "unknown type %s", type);
        seen_type[t->id]++;
        cr_expect_eq(cJSON_GetObjectItemCaseSensitive(ev, "project_id")->valuedouble, 7);
        const char *ts = cJSON_GetObjectItemCaseSensitive(ev, "timestamp")->valuestring;
        cr_expect_gt(strcmp(ts, prev_ts), 0, "timestamps must increase: %s after %s", ts, prev_ts);
        snprintf(prev_ts, sizeof prev_ts, "%s", ts);
        for (size_t f = 0; f < t->n_fields; f++) {
            if (t->fields[f].values == NULL)
                continue;
            cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, t->fields[f].name);
            if (!cJSON_IsString(v))
                continue;
            for (size_t k = 0; t->fields[f].values[k]; k++) {
                if (strcmp(v->valuestring, t->fields[f].values[k]) == 0)
                    seen[t->id][f][k]++;
            }
        }
        cJSON_Delete(ev);
    }
    cr_expect_gt(lines, 100);
    for (size_t i = 0; i < count; i++) {
        cr_expect_gt(seen_type[i], 0, "no %s event", types[i].name);
        for (size_t f = 0; f < types[i].n_fields; f++) {
            const cfc_field *fd = &types[i].fields[f];
            for (size_t k = 0; fd->values && fd->values[k]; k++) {
                if (fd->fixed_string && strcmp(fd->values[k], fd->fixed_string) != 0)
                    continue;
                cr_expect_gt(seen[i][f][k], 0, "%s.%s never \"%s\"", types[i].name, fd->name,
                             fd->values[k]);
            }
        }
    }
    free(out);
}

Test(demo, exit_codes)
{
    int st;
    free(run(DEMO " --help", &st));
    cr_expect_eq(st, 0);
    free(run(DEMO " --bogus 2>/dev/null", &st));
    cr_expect_eq(st, 2);
    free(run(DEMO " --project-id 0 2>/dev/null", &st));
    cr_expect_eq(st, 2);
    free(run("sh -c '" DEMO " --fixed-clock >/dev/full 2>/dev/null'", &st));
    cr_expect_eq(st, 2, "a write error must exit 2");
}
