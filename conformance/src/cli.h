/* Internal: what the cfconform subcommands share. Each subcommand is a
 * cfc_cmd_* function (argv after the command name) returning an exit code. */
#ifndef CFC_CLI_H
#define CFC_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes, documented in --help and the README. */
#define EXIT_CONFORMS 0
#define EXIT_VIOLATIONS 1
#define EXIT_TROUBLE 2

/* Prints "cfconform: error: <fmt with arg>" and a hint to stderr; returns 2. */
int cfc_cli_usage_error(const char *fmt, const char *arg);
/* A positive decimal integer, or false. */
bool cfc_cli_parse_size(const char *s, size_t *out);
/* The whole file (malloc'd, caller frees), or NULL with errno set. */
char *cfc_cli_read_file(const char *path, size_t *len);

int cfc_cmd_check(int argc, char **argv);
int cfc_cmd_rules(int argc, char **argv);
int cfc_cmd_explain(int argc, char **argv);
int cfc_cmd_watch(int argc, char **argv); /* cli_watch.c */
int cfc_cmd_generate(int argc, char **argv); /* cli_generate.c */
int cfc_cmd_fuzz_exec(int argc, char **argv); /* cli_fuzz_exec.c */
int cfc_cmd_certify(int argc, char **argv); /* cli_certify.c */

#endif
