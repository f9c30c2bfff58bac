/* SPDX-License-Identifier: MIT */
/* cfconform schema: the contract as JSON Schema, AsyncAPI or TypeScript
 * (cfc/schema.h), generated from the contract table. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "cfc/schema.h"
#include "cli.h"

enum { OPT_FORMAT = 1, OPT_HELP };
static const cfc_cli_option options[] = {
    {OPT_FORMAT, "--format", "json-schema|asyncapi|typescript",
     "what to write (default json-schema)"},
    {OPT_HELP, "--help", NULL, "show this help"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

static int usage(void)
{
    fputs("usage: cfconform schema [--format json-schema|asyncapi|typescript] > FILE\n"
          "\n"
          "Writes the event contract for other languages, generated from the contract\n"
          "table: JSON Schema 2020-12 (the rules it cannot check are listed in it under\n"
          "x-cfconform-not-expressed: raw bytes, cross-field, stream, warnings), AsyncAPI\n"
          "3.0 for the producer's WebSocket channel, or TypeScript declarations (a union\n"
          "discriminated by type). See docs/schema.md.\n"
          "\n"
          "options:\n",
          stdout);
    cfc_cli_print_options(stdout, options, N_OPTIONS);
    fputs("\nexit codes: 0 written, 2 usage or write error\n", stdout);
    return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
}

int cfc_cmd_schema(int argc, char **argv)
{
    cfc_schema_format format = CFC_SCHEMA_JSON_SCHEMA;
    for (int i = 0; i < argc; i++) {
        const cfc_cli_option *opt = NULL;
        const char *value = NULL;
        int m = cfc_cli_match(argc, argv, &i, options, N_OPTIONS, &opt, &value);
        if (m < 0)
            return EXIT_TROUBLE;
        if (m == 0)
            return argv[i][0] == '-'
                       ? cfc_cli_unknown_option(argv[i], options, N_OPTIONS, NULL, 0)
                       : cfc_cli_usage_error("schema: unexpected argument '%s'", argv[i]);
        if (opt->id == OPT_HELP)
            return usage();
        if (cfc_schema_format_parse(value, &format) != 0)
            return cfc_cli_usage_error(
                "--format must be json-schema, asyncapi or typescript, not '%s'", value);
    }
    if (cfc_schema_write(stdout, format) != 0 || fclose(stdout) != 0) {
        fputs("cfconform: error: cannot write to stdout\n", stderr);
        return EXIT_TROUBLE;
    }
    return EXIT_CONFORMS;
}
