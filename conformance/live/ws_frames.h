/* SPDX-License-Identifier: MIT */
/*
 * Internal: the frame-to-event path of `cfconform watch`, with no network in
 * it. WebSocket data arrives as chunks (libwebsockets hands a long frame over
 * in pieces, and a message may be several frames: a text or binary frame,
 * then continuation frames, the last one with FIN); this module reassembles
 * each message and turns it into exactly one checked event:
 *
 *     text message, within the size limit   the checker's findings
 *     text message, over the limit          one too-large finding (G12); its
 *                                           bytes are counted, never kept
 *     binary message                        one text-frame finding (G1)
 *     connection ended mid-message          one text-frame finding (G1)
 *
 * Invalid UTF-8 in a text message is left to the checker (utf8-invalid), so
 * it is a finding like any other. Memory is bounded by the checker's maximum
 * event size, whatever the peer sends.
 *
 *     cfc_wsmsg *a = cfc_wsmsg_new(checker, on_message, ctx);
 *     for each chunk: cfc_wsmsg_feed(a, data, len, is_final, is_binary);
 *     at the end of the connection: cfc_wsmsg_end(a);
 *     cfc_wsmsg_free(a);
 */
#ifndef CFC_WS_FRAMES_H
#define CFC_WS_FRAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "cfc/check.h"
#include "cfc/stream.h"

typedef enum cfc_wsmsg_kind {
    CFC_WSMSG_TEXT,      /* a whole text message, checked */
    CFC_WSMSG_OVERSIZED, /* a text message over the limit */
    CFC_WSMSG_BINARY,    /* a binary message */
    CFC_WSMSG_INCOMPLETE /* the connection ended before the message's final frame */
} cfc_wsmsg_kind;

/* One message, checked. `bytes` holds its `len` bytes (all of them for text
 * and binary messages within the limit, those received so far for an
 * incomplete one), or is NULL when they were not kept (over the limit); it is
 * valid only during the call. `res` is the checker's result, valid only
 * during the call. Return 0 to go on, non-zero to stop: the feed returns it. */
typedef int (*cfc_wsmsg_fn)(void *ctx, cfc_wsmsg_kind kind, const char *bytes, size_t len,
                            const cfc_event_result *res);

typedef struct cfc_wsmsg cfc_wsmsg;

/* A new assembler checking with `checker` (borrowed: it must outlive the
 * assembler), or NULL on out of memory. Free with cfc_wsmsg_free. */
cfc_wsmsg *cfc_wsmsg_new(cfc_checker *checker, cfc_wsmsg_fn fn, void *ctx);
void cfc_wsmsg_free(cfc_wsmsg *a); /* NULL ok */

/* Checks text messages as one stream (cfc/stream.h: the stream rules on top
 * of the single-event ones) instead of one by one. `stream` is borrowed and
 * must wrap the assembler's checker; NULL goes back to single events. */
void cfc_wsmsg_set_stream(cfc_wsmsg *a, cfc_stream *stream);

/* One chunk of the current message (a new message starts after a final
 * chunk). `final`: the last chunk of the message (the FIN frame, fully
 * received). `binary`: the message's opcode is binary; read on its first
 * chunk only. Returns 0, the callback's non-zero value, or -1 on out of
 * memory (the message in progress is then dropped, unreported). */
int cfc_wsmsg_feed(cfc_wsmsg *a, const void *data, size_t len, bool final, bool binary);

/* The connection ended: a message in progress is reported as incomplete.
 * Same returns as cfc_wsmsg_feed; 0 when nothing was in progress. */
int cfc_wsmsg_end(cfc_wsmsg *a);

/* Whether a message has started and not yet ended. */
bool cfc_wsmsg_pending(const cfc_wsmsg *a);

#endif
