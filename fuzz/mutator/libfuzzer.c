/* SPDX-License-Identifier: MIT */
/*
 * The libFuzzer glue: link this object into a fuzz target and libFuzzer
 * mutates through the contract-aware mutator (cfc_mutator.h), falling back
 * to its own byte mutation (LLVMFuzzerMutate) for inputs that are not
 * events. Nothing else to call: libFuzzer looks these two functions up.
 */
#include <stddef.h>
#include <stdint.h>

#include "cfc_mutator.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size,
                                 unsigned int seed);

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    cfc_mutator_set_byte_mutator(LLVMFuzzerMutate);
    return cfc_mutate(data, size, max_size, seed);
}

size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2,
                                 size_t size2, uint8_t *out, size_t max_out_size, unsigned int seed)
{
    return cfc_crossover(data1, size1, data2, size2, out, max_out_size, seed);
}
