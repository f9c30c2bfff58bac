/* SPDX-License-Identifier: MIT */
/*
 * cfc-fuzz-dict: writes a libFuzzer dictionary for one fuzz target, from the
 * contract table and the rule catalogue, so the dictionaries follow the
 * contract instead of being kept by hand. The fuzz/TARGET.dict files are its output; a
 * test fails when they are stale.
 *
 *   cfc-fuzz-dict TARGET   (a fuzz target's name: check_event, report, ...)
 */
#include <stdio.h>
#include <string.h>

#include "cfc/check.h"
#include "cfc/contract.h"

/* One entry: the value, escaped for the dictionary format, optionally
 * wrapped in JSON quotes (and followed by a colon, for member names). */
static void entry(const char *prefix, const char *value, int quote, int colon)
{
    /* Fields such as "task_id" appear in many event types: print each once. */
    static char seen[2048][72];
    static size_t n_seen;
    char key[72];
    snprintf(key, sizeof key, "%d%d%s", quote, colon, value);
    for (size_t i = 0; i < n_seen; i++) {
        if (strcmp(seen[i], key) == 0)
            return;
    }
    if (n_seen < sizeof seen / sizeof seen[0])
        memcpy(seen[n_seen++], key, sizeof key);
    printf("%s=\"", prefix);
    if (quote)
        fputs("\\\"", stdout);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7F)
            printf("\\x%02X", *p);
        else
            putchar(*p);
    }
    if (quote)
        fputs("\\\"", stdout);
    if (colon)
        putchar(':');
    puts("\"");
}

static void timestamps(void)
{
    static const char *const ts[] = {"2025-11-08T14:30:45.123Z",
                                     "2024-02-29T23:59:59.999Z",
                                     "0001-01-01T00:00:00.000Z",
                                     "9999-12-31T23:59:59.999Z",
                                     ".123456",
                                     "+00:00",
                                     "-05:00",
                                     "Z",
                                     "z",
                                     "T",
                                     "t",
                                     ".000Z",
                                     "-02-29",
                                     "-12-31",
                                     "T23:59:60",
                                     ":59:59.999",
                                     "1970-01-01",
                                     "2025-11-08 14:30:45"};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++)
        entry("ts", ts[i], 0, 0);
}

static void numbers_and_json(void)
{
    static const char *const nums[] = {"0",
                                       "-0",
                                       "1",
                                       "-1",
                                       "100",
                                       "101",
                                       "33.3",
                                       "1.0",
                                       "1e0",
                                       "4.2e1",
                                       "9007199254740991",
                                       "9007199254740992",
                                       "18446744073709551616",
                                       "1e400",
                                       "-1.5",
                                       "01"};
    static const char *const lex[] = {"null",         "true",           "false",    "{}",
                                      "[]",           "[[[[[[[[",       "\\u0000",  "\\ud83d",
                                      "\\ude00",      "\\ud83d\\ude00", "\xC0\xAF", "\xED\xA0\x80",
                                      "\xEF\xBB\xBF", "\\\"",           "\r\n"};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        entry("num", nums[i], 0, 0);
    for (size_t i = 0; i < sizeof lex / sizeof lex[0]; i++)
        entry("lex", lex[i], 0, 0);
}

static void contract(void)
{
    size_t n;
    const cfc_event_type *types = cfc_contract_types(&n);
    for (size_t i = 0; i < n; i++) {
        entry("type", types[i].name, 1, 0);
        for (size_t f = 0; f < types[i].n_fields; f++) {
            const cfc_field *fd = &types[i].fields[f];
            entry("field", fd->name, 1, 1);
            for (size_t k = 0; k < fd->n_members; k++)
                entry("field", fd->members[k].name, 1, 1);
            for (size_t k = 0; fd->values && fd->values[k]; k++)
                entry("enum", fd->values[k], 1, 0);
        }
    }
    entry("type", "heartbeat", 1, 0);
}

static void config(void)
{
    static const char *const keys[] = {"rules", "enums", "limits", "max_event_bytes", "max_depth"};
    static const char *const sev[] = {"off", "warning", "error"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        entry("key", keys[i], 1, 1);
    for (size_t i = 0; i < sizeof sev / sizeof sev[0]; i++)
        entry("severity", sev[i], 1, 0);
    for (size_t i = 0; i < CFC_RULE_COUNT; i++)
        entry("rule", cfc_rule_get((cfc_rule)i)->id, 1, 1);
    size_t n;
    const cfc_event_type *types = cfc_contract_types(&n);
    char key[96];
    for (size_t i = 0; i < n; i++) {
        for (size_t f = 0; f < types[i].n_fields; f++) {
            if (types[i].fields[f].kind == CFC_KIND_ENUM) {
                snprintf(key, sizeof key, "%s.%s", types[i].name, types[i].fields[f].name);
                entry("enumkey", key, 1, 1);
            }
        }
    }
}

/* The adapter protocol's members and values (docs/adapter-protocol.md). */
static void adapter_protocol(void)
{
    static const char *const keys[] = {"op",    "seq",      "outcome",  "sent",
                                       "logs",  "level",    "message",  "status",
                                       "error", "base64",   "protocol", "implementation",
                                       "name",  "language", "version",  "broadcasters"};
    static const char *const values[] = {"hello",   "result",        "error", "returned", "raised",
                                         "refused", "unimplemented", "ERROR", "WARNING",  "DEBUG"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        entry("key", keys[i], 1, 1);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        entry("value", values[i], 1, 0);
    size_t n;
    const cfc_event_type *types = cfc_contract_types(&n);
    for (size_t i = 0; i < n; i++)
        entry("function", types[i].function, 1, 0);
}

/* The WebSocket frame scanner's input: an HTTP head, then frames. Header
 * bytes are written as strings of chars (entry() escapes them). */
static void websocket(void)
{
    static const char *const head[] = {"HTTP/1.1 101 Switching Protocols\r\n",
                                       "HTTP/1.1 101",
                                       "HTTP/1.1 403 Forbidden\r\n",
                                       "Sec-WebSocket-Extensions: permessage-deflate\r\n",
                                       "Upgrade: websocket\r\n",
                                       "\r\n\r\n",
                                       "\r\n"};
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        entry("head", head[i], 0, 0);
    /* First bytes (FIN, RSV, opcode), lengths, close codes and UTF-8 edge
     * cases of a close reason (none holds a 0: entry() takes C strings). */
    static const char *const frame[] = {"\x81",
                                        "\x01",
                                        "\x80",
                                        "\x82",
                                        "\x88",
                                        "\x89",
                                        "\x8A",
                                        "\xC1",
                                        "\xA1",
                                        "\x91",
                                        "\x83",
                                        "\x8B",
                                        "\x09",
                                        "\x7E",
                                        "\x7F",
                                        "\xFE",
                                        "\xFF",
                                        "\x85",
                                        "\x88\x02\x03\xE8",
                                        "\x03\xE8",
                                        "\x03\xED",
                                        "\x03\xEE",
                                        "\x03\xF7",
                                        "\x03\xE7",
                                        "\x0B\xB7",
                                        "\x13\x88",
                                        "\x13\x87",
                                        "\xC0\xAF",
                                        "\xED\xA0\x80",
                                        "\xF4\x90\x80\x80",
                                        "\xF0\x9F\x98\x80",
                                        "\xE2\x82\xAC"};
    for (size_t i = 0; i < sizeof frame / sizeof frame[0]; i++)
        entry("frame", frame[i], 0, 0);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: cfc-fuzz-dict TARGET\n", stderr);
        return 2;
    }
    const char *t = argv[1];
    printf("# libFuzzer dictionary for fuzz_%s, generated by cfc-fuzz-dict from the\n"
           "# contract table and the rule catalogue. Do not edit: regenerate.\n",
           t);
    if (strcmp(t, "timestamp") == 0) {
        timestamps();
    } else if (strcmp(t, "rules_config") == 0) {
        config();
        numbers_and_json();
    } else if (strcmp(t, "check_event") == 0 || strcmp(t, "ndjson_stream") == 0 ||
               strcmp(t, "ws_frames") == 0 || strcmp(t, "decode") == 0 ||
               strcmp(t, "report") == 0) {
        contract();
        timestamps();
        numbers_and_json();
    } else if (strcmp(t, "adapter_protocol") == 0) {
        adapter_protocol(); /* the sent texts are events inside JSON strings */
        contract();
        timestamps();
        numbers_and_json();
    } else if (strcmp(t, "ws_scan") == 0) {
        websocket();
    } else if (strcmp(t, "reference_roundtrip") == 0 || strcmp(t, "generate") == 0) {
        contract(); /* its bytes become arguments; strings are picked from these */
    } else {
        fprintf(stderr, "cfc-fuzz-dict: unknown target '%s'\n", t);
        return 2;
    }
    return fclose(stdout) == 0 ? 0 : 2;
}
