/* SPDX-License-Identifier: MIT */
/* The catalogue's bad-argument cases, generated from the contract table
 * (bad_args.c). */
#ifndef CFC_TEST_BAD_ARGS_H
#define CFC_TEST_BAD_ARGS_H

#include <stddef.h>

#include "certify_internal.h"

/* Appends the generated case lines (catalogue format, one per line, each
 * ending ",\n") to out; their base arguments come from cat's N.1.1 cases.
 * 0, or -1 with why. */
int cfc_test_bad_args(const cfc_catalogue *cat, cfc__buf *out, size_t *n_cases, char *why,
                      size_t cap);

#endif
