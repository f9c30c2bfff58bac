/* SPDX-License-Identifier: MIT */
/* Table-driven Criterion tests. Criterion starts each test in a new process
 * (BoxFort re-executes the binary), where pointers inside parameter structs
 * from the parent's address space are not valid; so the parameter is an
 * index into a static table, which every process has at the same place. */
#ifndef CFC_TEST_PARAMS_H
#define CFC_TEST_PARAMS_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#define CFC_TABLE_TEST(suite, name, table)                                                         \
    ParameterizedTestParameters(suite, name)                                                       \
    {                                                                                              \
        size_t n = sizeof(table) / sizeof((table)[0]);                                             \
        size_t *idx = cr_malloc(n * sizeof *idx);                                                  \
        for (size_t i = 0; i < n; i++)                                                             \
            idx[i] = i;                                                                            \
        return cr_make_param_array(size_t, idx, n, cfc__params_free);                              \
    }                                                                                              \
    ParameterizedTest(size_t *cfc_index, suite, name)

static inline void cfc__params_free(struct criterion_test_params *p)
{
    cr_free(p->params);
}

#endif
