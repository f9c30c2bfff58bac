/* SPDX-License-Identifier: MIT */
/*
 * For tests/test_certify_edges.c: an adapter that floods. Every answer is
 * valid protocol but huge: BYTES bytes of output per call, in turn a huge
 * log line, a huge sent text (an event with a long field), a raise with a
 * huge error, and thousands of small sent texts. Producer or consumer role,
 * whichever the start request asks for (a consumer's answers are events
 * read with a huge field, or a raise with a huge error).
 *
 *     flood_adapter BYTES [TAG]
 *
 * The answers are streamed from a small buffer, so this process stays a
 * few hundred kilobytes: the peak RSS a test measures over cfconform and
 * the children it reaps is cfconform's. TAG is ignored (tests find their
 * processes by it).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char pad_chunk[65536];

static void pad(size_t n)
{
    while (n > 0) {
        size_t k = n < sizeof pad_chunk ? n : sizeof pad_chunk;
        fwrite(pad_chunk, 1, k, stdout);
        n -= k;
    }
}

/* The number after "seq": in a request, or 0. */
static unsigned long long seq_of(const char *line)
{
    const char *s = strstr(line, "\"seq\":");
    return s ? strtoull(s + 6, NULL, 10) : 0;
}

/* How many strings the "events" array of a decode request holds. */
static size_t events_of(const char *line)
{
    const char *p = strstr(line, "\"events\":[");
    size_t n = 0;
    if (p == NULL)
        return 1;
    bool in = false;
    for (p += 10; *p && (in || *p != ']'); p++) {
        if (in && *p == '\\' && p[1])
            p++;
        else if (*p == '"') {
            in = !in;
            n += in;
        }
    }
    return n ? n : 1;
}

static void producer(unsigned long long seq, size_t bytes)
{
    /* FLOOD_MODE=0..3 answers every call the same way (to measure one). */
    const char *mode = getenv("FLOOD_MODE");
    switch (mode ? strtoull(mode, NULL, 10) % 4 : seq % 4) {
    case 0: /* a huge log line */
        printf("{\"op\":\"result\",\"seq\":%llu,\"outcome\":\"returned\",\"sent\":[],\"logs\":["
               "{\"level\":\"DEBUG\",\"message\":\"",
               seq);
        pad(bytes);
        fputs("\"}]}\n", stdout);
        break;
    case 1: /* one huge sent text: an event with a long field */
        printf("{\"op\":\"result\",\"seq\":%llu,\"outcome\":\"returned\",\"sent\":["
               "\"{\\\"type\\\":\\\"agent_created\\\",\\\"agent_id\\\":\\\"",
               seq);
        pad(bytes);
        fputs("\\\"}\"]}\n", stdout);
        break;
    case 2: /* a raise with a huge error, and a huge misuse */
        printf("{\"op\":\"result\",\"seq\":%llu,\"outcome\":\"raised\",\"sent\":[],\"error\":\"",
               seq);
        pad(bytes / 2);
        fputs("\",\"misuse\":[\"", stdout);
        pad(bytes / 2);
        fputs("\"]}\n", stdout);
        break;
    default: { /* the most sent texts a reply may carry */
        size_t n = 4000, each = bytes / n;
        printf("{\"op\":\"result\",\"seq\":%llu,\"outcome\":\"returned\",\"sent\":[", seq);
        for (size_t i = 0; i < n; i++) {
            fputs(i ? ",\"" : "\"", stdout);
            pad(each);
            fputs("\"", stdout);
        }
        fputs("]}\n", stdout);
    }
    }
}

static void consumer(unsigned long long seq, size_t n_events, size_t bytes)
{
    printf("{\"op\":\"decoded\",\"seq\":%llu,\"results\":[", seq);
    if (seq % 2) {
        fputs("{\"outcome\":\"raised\",\"error\":\"", stdout);
        pad(bytes);
        fputs("\"}]}\n", stdout);
        return;
    }
    size_t each = bytes / n_events;
    for (size_t i = 0; i < n_events; i++) {
        fputs(i ? ",{\"outcome\":\"read\",\"event\":{\"pad\":\""
                : "{\"outcome\":\"read\",\"event\":{\"pad\":\"",
              stdout);
        pad(each);
        fputs("\"}}", stdout);
    }
    fputs("]}\n", stdout);
}

int main(int argc, char **argv)
{
    size_t bytes = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1 << 20;
    memset(pad_chunk, 'a', sizeof pad_chunk);
    bool is_consumer = false;
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, stdin) > 0) {
        if (strstr(line, "\"op\":\"start\"")) {
            is_consumer = strstr(line, "\"role\":\"consumer\"") != NULL;
            if (is_consumer) {
                puts("{\"op\":\"hello\",\"protocol\":1,\"role\":\"consumer\","
                     "\"implementation\":{\"name\":\"flood\",\"language\":\"C\","
                     "\"version\":\"1\"}}");
            } else {
                /* Every broadcaster the start request names. */
                const char *b = strstr(line, "\"broadcasters\":");
                const char *end = b ? strchr(b, ']') : NULL;
                printf("{\"op\":\"hello\",\"protocol\":1,\"implementation\":{\"name\":\"flood\","
                       "\"language\":\"C\",\"version\":\"1\"},%.*s}\n",
                       b && end ? (int)(end - b + 1) : 17, b && end ? b : "\"broadcasters\":[]");
            }
        } else if (strstr(line, "\"op\":\"stop\"")) {
            break;
        } else if (is_consumer) {
            consumer(seq_of(line), events_of(line), bytes);
        } else {
            producer(seq_of(line), bytes);
        }
        fflush(stdout);
    }
    free(line);
    return 0;
}
