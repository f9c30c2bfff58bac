/* SPDX-License-Identifier: MIT */
/* An outside checker, built with find_package(cfconform) against an
 * installed cfconform (tests/package_test.sh): checks the one event on stdin
 * with the checker library. Exit 0 conforming, 1 findings, 2 trouble. */
#include <stdio.h>
#include <string.h>

#include "cfc/check.h"

int main(void)
{
    static char line[1 << 16];
    size_t len = fread(line, 1, sizeof line, stdin);
    while (len > 0 && line[len - 1] == '\n')
        len--;
    cfc_checker *c = cfc_checker_new(NULL);
    const cfc_event_result *res = NULL;
    if (c == NULL || cfc_check_event(c, line, len, &res) != CFC_CHECK_OK) {
        cfc_checker_free(c);
        return 2;
    }
    for (size_t i = 0; i < res->n_findings; i++)
        printf("%s %s %s\n", cfc_rule_get(res->findings[i].rule)->id, res->findings[i].pointer,
               res->findings[i].message);
    int rc = res->errors > 0 ? 1 : 0;
    printf("%s: %zu errors, %zu warnings\n", res->type ? res->type : "(no type)", res->errors,
           res->warnings);
    cfc_checker_free(c);
    return rc;
}
