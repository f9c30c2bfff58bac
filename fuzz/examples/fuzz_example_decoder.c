/* SPDX-License-Identifier: MIT */
/*
 * Fuzzing your own decoder with the contract-aware mutator: this file is all
 * the wiring there is. Write LLVMFuzzerTestOneInput to call your decoder,
 * and link the cfc_mutator object library (CMake) next to it -- it provides
 * LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver, which libFuzzer
 * finds by name. See docs/fuzzing-your-decoder.md for the build line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "example_decoder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1); /* this decoder wants a C string */
    if (line == NULL)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    dash_event ev;
    if (dash_decode(line, &ev) == 0)
        dash_event_clear(&ev);
    free(line);
    return 0;
}
