/* Internal: what the configuration module (config.c) needs of the checker. */
#ifndef CFC_CHECKER_INTERNAL_H
#define CFC_CHECKER_INTERNAL_H

#include "cfc/check.h"
#include "cfc/contract.h"
#include "json.h"

/* An extra enum value allowed by configuration; value is malloc'd, NUL-terminated. */
typedef struct cfc__enum_ext {
    const cfc_field *field;
    char *value;
    size_t len;
} cfc__enum_ext;

/* Replaces the checker's configuration; takes ownership of exts (malloc'd). */
void cfc__checker_set_config(cfc_checker *c, const cfc_severity *severity, cfc__enum_ext *exts,
                             size_t n_exts, size_t max_event_bytes, unsigned max_depth);
/* The checker's allocator, for memory the configuration hands over. */
void *cfc__checker_malloc(cfc_checker *c, size_t size);
void *cfc__checker_realloc(cfc_checker *c, void *ptr, size_t size);
void cfc__checker_free_mem(cfc_checker *c, void *ptr);
cfc_jalloc cfc__checker_jalloc(const cfc_checker *c);

/* The checker's current severities (CFC_RULE_COUNT entries). */
const cfc_severity *cfc__checker_severity(const cfc_checker *c);
void cfc__enum_exts_free(cfc_checker *c, cfc__enum_ext *exts, size_t n);

#endif
