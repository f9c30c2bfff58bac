/* SPDX-License-Identifier: MIT */
/* The WebSocket client of `cfconform watch`, over libwebsockets. */
#define _POSIX_C_SOURCE 200809L
#include "ws_client.h"

#include <ctype.h>
#include <errno.h>
#include <libwebsockets.h>
#include <netdb.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ws_scan.h"
#include "ws_tap.h"

#define TICK_US (50 * LWS_US_PER_MS)
#define CLOSE_GRACE_US (2 * LWS_USEC_PER_SEC)

typedef enum conn_state { ST_IDLE, ST_CONNECTING, ST_OPEN, ST_CLOSING, ST_DONE } conn_state;

typedef struct header {
    char *name; /* lower case, with the trailing ':' libwebsockets wants */
    char *value;
} header;

struct cfc_wsc {
    struct lws_context *ctx;
    bool tls, insecure;
    char *host;     /* without brackets */
    char *host_hdr; /* the Host header: host[:port] */
    char *path;
    int port;
    header *headers;
    size_t n_headers;
    char *subscribe; /* LWS_PRE bytes of room, then the text */
    size_t subscribe_len;
    lws_usec_t connect_timeout_us;

    /* One run. */
    const cfc_wsc_callbacks *cb;
    cfc_wsc_result *res;
    struct lws *wsi;
    cfc_wstap *tap;           /* the relay of this run */
    atomic_bool close_wanted; /* the data callback (on the relay's thread) said stop */
    atomic_bool data_seen;    /* the relay delivered data: the server answered 101 */
    conn_state state;
    bool subscribe_pending;
    lws_usec_t started_us, closing_us;
    lws_sorted_usec_list_t tick;
};

const char *cfc_wsc_failure_name(cfc_wsc_failure f)
{
    switch (f) {
    case CFC_WSC_OK: return "connected";
    case CFC_WSC_BAD_URL: return "bad URL";
    case CFC_WSC_DNS: return "DNS failure";
    case CFC_WSC_REFUSED: return "connection refused";
    case CFC_WSC_UNREACHABLE: return "host unreachable";
    case CFC_WSC_TLS: return "TLS failure";
    case CFC_WSC_HTTP_STATUS: return "HTTP status other than 101";
    case CFC_WSC_HANDSHAKE: return "WebSocket handshake failed";
    case CFC_WSC_TIMEOUT: return "handshake timeout";
    case CFC_WSC_NOMEM: return "out of memory";
    case CFC_WSC_OTHER: break;
    }
    return "connection failed";
}

static lws_usec_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (lws_usec_t)ts.tv_sec * LWS_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static void set_detail(char *detail, size_t len, const char *msg)
{
    if (detail && len)
        snprintf(detail, len, "%s", msg);
}

/* ws://HOST[:PORT][/PATH], wss://...; HOST may be [IPv6]. */
static int parse_url(cfc_wsc *c, const char *url, char *detail, size_t dlen)
{
    const char *p;
    if (strncasecmp(url, "ws://", 5) == 0) {
        p = url + 5;
        c->port = 80;
    } else if (strncasecmp(url, "wss://", 6) == 0) {
        p = url + 6;
        c->tls = true;
        c->port = 443;
    } else {
        set_detail(detail, dlen, "the URL must start with ws:// or wss://");
        return -1;
    }
    for (const char *q = url; *q; q++) {
        if ((unsigned char)*q <= 0x20 || *q == 0x7f) {
            set_detail(detail, dlen, "the URL contains a space or a control character");
            return -1;
        }
    }
    const char *host = p, *host_end;
    if (*p == '[') {
        host = p + 1;
        host_end = strchr(host, ']');
        if (host_end == NULL) {
            set_detail(detail, dlen, "an IPv6 address needs its closing ']'");
            return -1;
        }
        p = host_end + 1;
    } else {
        host_end = p + strcspn(p, ":/?#");
        p = host_end;
    }
    if (host_end == host || memchr(host, '@', (size_t)(host_end - host))) {
        set_detail(detail, dlen, "the URL has no host (or has user info, not supported)");
        return -1;
    }
    bool port_given = false;
    if (*p == ':') {
        char *end;
        long v = strtol(p + 1, &end, 10);
        if (end == p + 1 || v < 1 || v > 65535 || (*end && *end != '/' && *end != '?')) {
            set_detail(detail, dlen, "the port must be a number in 1..65535");
            return -1;
        }
        c->port = (int)v;
        port_given = true;
        p = end;
    }
    if (*p == '#') {
        set_detail(detail, dlen, "a WebSocket URL has no fragment (#...)");
        return -1;
    }
    c->host = dup_n(host, (size_t)(host_end - host));
    c->path = *p == '/' ? dup_n(p, strlen(p)) : (*p == '?' ? NULL : dup_n("/", 1));
    if (*p == '?') {
        c->path = malloc(strlen(p) + 2);
        if (c->path)
            snprintf(c->path, strlen(p) + 2, "/%s", p);
    }
    size_t hl = strlen(c->host ? c->host : "") + 16;
    c->host_hdr = malloc(hl);
    if (c->host == NULL || c->path == NULL || c->host_hdr == NULL)
        return -2;
    bool v6 = strchr(c->host, ':') != NULL;
    if (port_given)
        snprintf(c->host_hdr, hl, v6 ? "[%s]:%d" : "%s:%d", c->host, c->port);
    else
        snprintf(c->host_hdr, hl, v6 ? "[%s]" : "%s", c->host);
    return 0;
}

/* "Name: value" -> lower-case "name:" and the value, trimmed. Names are
 * HTTP tokens; neither part may hold CR or LF (no header injection). */
static int parse_header(const char *h, header *out)
{
    const char *colon = strchr(h, ':');
    if (colon == NULL || colon == h || strpbrk(h, "\r\n"))
        return -1;
    for (const char *q = h; q < colon; q++) {
        if (!isalnum((unsigned char)*q) && !strchr("!#$%&'*+-.^_`|~", *q))
            return -1;
    }
    const char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t vl = strlen(v);
    while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
        vl--;
    out->name = malloc((size_t)(colon - h) + 2);
    out->value = dup_n(v, vl);
    if (out->name == NULL || out->value == NULL)
        return -2;
    size_t n = 0;
    for (const char *q = h; q < colon; q++)
        out->name[n++] = (char)tolower((unsigned char)*q);
    out->name[n++] = ':';
    out->name[n] = '\0';
    return 0;
}

/* Classifies what libwebsockets said when a connection could not open. Its
 * messages are free text; these are the words 4.1 uses. No TLS failure
 * among them: the relay is the TLS client (ws_tap.h) and reports its own
 * (tap_failure), libwebsockets speaks plain WebSocket to it. */
static cfc_wsc_failure classify(const char *msg, int http_status)
{
    if (http_status > 0 && http_status != 101)
        return CFC_WSC_HTTP_STATUS;
    if (msg == NULL)
        return CFC_WSC_OTHER;
    static const struct {
        const char *word;
        cfc_wsc_failure f;
    } words[] = {
        {"refused", CFC_WSC_REFUSED},     {"connect failed", CFC_WSC_REFUSED},
        {"getaddrinfo", CFC_WSC_DNS},     {"dns", CFC_WSC_DNS},
        {"timed out", CFC_WSC_TIMEOUT},   {"timeout", CFC_WSC_TIMEOUT},
        {"101", CFC_WSC_HTTP_STATUS},     {"hs:", CFC_WSC_HANDSHAKE},
        {"handshake", CFC_WSC_HANDSHAKE}, {"upgrade", CFC_WSC_HANDSHAKE},
        {"accept", CFC_WSC_HANDSHAKE},
    };
    char low[256];
    size_t n = 0;
    for (; msg[n] && n < sizeof low - 1; n++)
        low[n] = (char)tolower((unsigned char)msg[n]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strstr(low, words[i].word))
            return words[i].f;
    }
    return CFC_WSC_OTHER;
}

/* libwebsockets' own log: its warning and error lines reach stderr only
 * with --verbose. */
static bool log_verbose;

/* Why libwebsockets' frame parser dropped the connection. libwebsockets 4.1
 * has no callback or getter for it: its parser returns "close me" and the
 * connection ends with no close frame, which would read as a plain 1006.
 * The reason only appears in its INFO and WARN log lines, so they are enabled
 * (about 40 lines per connection, none per frame) and matched against the words
 * 4.1 uses; a rejection not named below is still a protocol fault ("client_rx_sm
 * exited"), only less precise. A fallback: the relay (ws_tap.h) reads every
 * frame first, stops before a faulty one and hands libwebsockets no data
 * frame, so this names only what the relay would have missed. */
static char log_fault[200];

static const struct {
    const char *words;
    const char *fault;
} parser_faults[] = {
    {"illegal rsv bits set",
     "a frame with reserved bits (RSV1-3) set and no extension negotiated (RFC 6455 5.2)"},
    {"illegal opcode", "a frame with a reserved opcode (RFC 6455 5.2)"},
    {"disordered continuation", "a continuation frame with no message to continue (RFC 6455 5.4)"},
    {"owed us a FIN", "a new message before the previous one's final frame (RFC 6455 5.4)"},
    {"control msg can't be fragmented", "a fragmented control frame (RFC 6455 5.5)"},
    {"extended length is illegal", "a control frame over 125 bytes (RFC 6455 5.5)"},
    {"must not mask", "a masked frame (RFC 6455 5.1: a server must not mask)"},
    {"client_rx_sm exited",
     "a frame libwebsockets' parser rejected (e.g. a control frame over 125 bytes, RFC 6455 "
     "5.5)"},
};

static void log_emit(int level, const char *line)
{
    if (level == LLL_INFO || level == LLL_WARN) {
        for (size_t i = 0; i < sizeof parser_faults / sizeof parser_faults[0]; i++) {
            if (log_fault[0] == '\0' && strstr(line, parser_faults[i].words))
                snprintf(log_fault, sizeof log_fault, "%s", parser_faults[i].fault);
        }
        if (level == LLL_INFO)
            return; /* --verbose shows warnings and errors only, as before */
    }
    if (log_verbose)
        fprintf(stderr, "cfconform: libwebsockets: %s%s", level == LLL_ERR ? "error: " : "", line);
}

/* libwebsockets says "Unable to connect" whatever the TCP error was; one
 * probe connection, after the failure, tells a refusal from the rest. */
static cfc_wsc_failure probe_tcp(const char *host, int port, char *detail, size_t dlen)
{
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(host, service, &hints, &ai) != 0 || ai == NULL)
        return CFC_WSC_OTHER;
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK, ai->ai_protocol);
    int err = 0;
    if (fd < 0) {
        err = errno;
    } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        err = errno;
        if (err == EINPROGRESS) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            socklen_t sl = sizeof err;
            if (poll(&pfd, 1, 2000) <= 0)
                err = ETIMEDOUT;
            else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0)
                err = errno;
        }
    }
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    if (err == 0)
        return CFC_WSC_OTHER; /* it answers now */
    snprintf(detail, dlen, "%s", strerror(err));
    return err == ECONNREFUSED ? CFC_WSC_REFUSED : CFC_WSC_UNREACHABLE;
}

/* RFC 6455 7.4: codes an endpoint may put in a close frame. 1005, 1006 and
 * 1015 are for reporting only; 1004 and 1016-2999 are reserved; below 1000
 * and from 5000 are not codes. */
static bool close_code_sendable(int code)
{
    return cfc_wsscan_close_code_sendable(code);
}

static void request_close(cfc_wsc *c)
{
    if (c->state != ST_OPEN || c->wsi == NULL)
        return;
    c->state = ST_CLOSING;
    c->closing_us = now_us();
    c->res->self_closed = true;
    /* No data from now on; the relay says whether a message was arriving
     * (cfc_wstap_result.data_cut). */
    cfc_wstap_stop(c->tap);
    lws_callback_on_writable(c->wsi);
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
    cfc_wsc *c = lws_container_of(sul, cfc_wsc, tick);
    if (c->state != ST_DONE && c->state != ST_IDLE)
        lws_sul_schedule(c->ctx, 0, &c->tick, on_tick, TICK_US);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    (void)user;
    struct lws_context *ctx = lws_get_context(wsi);
    cfc_wsc *c = ctx ? lws_context_user(ctx) : NULL;
    if (c == NULL || c->res == NULL)
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    cfc_wsc_result *res = c->res;

    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
        unsigned char **p = in, *end = *p + len;
        for (size_t i = 0; i < c->n_headers; i++) {
            const header *h = &c->headers[i];
            if (lws_add_http_header_by_name(wsi, (const unsigned char *)h->name,
                                            (const unsigned char *)h->value, (int)strlen(h->value),
                                            p, end))
                return -1;
        }
        return 0;
    }
    case LWS_CALLBACK_WS_EXT_DEFAULTS:
        /* The server accepted an extension we offered (the only one is
         * permessage-deflate): its name comes as `user`, `in` is room for
         * options we leave empty, so its defaults stand. It never inflates
         * anything: the relay inflates the data frames it takes out of
         * the stream (ws_tap.h), and control frames are never compressed. */
        if (user && strcmp((const char *)user, "permessage-deflate") == 0)
            res->deflate = true;
        return 0;

    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        c->state = ST_OPEN;
        res->established = true;
        res->failure = CFC_WSC_OK;
        if (c->cb->established)
            c->cb->established(c->cb->ctx);
        if (c->subscribe) {
            c->subscribe_pending = true;
            lws_callback_on_writable(wsi);
        }
        return 0;

    case LWS_CALLBACK_CLIENT_WRITEABLE:
        if (c->state == ST_CLOSING) {
            static const char why[] = "cfconform watch: done";
            lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, (unsigned char *)(uintptr_t)why,
                             sizeof why - 1);
            return -1;
        }
        if (c->subscribe_pending) {
            c->subscribe_pending = false;
            int n = lws_write(wsi, (unsigned char *)c->subscribe + LWS_PRE, c->subscribe_len,
                              LWS_WRITE_TEXT);
            if (n < (int)c->subscribe_len)
                return -1;
        }
        return 0;

    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
        unsigned char *b = in;
        res->peer_closed = true;
        if (len == 1)
            snprintf(res->protocol_fault, sizeof res->protocol_fault,
                     "a close frame with a 1-byte payload (RFC 6455 5.5.1: a close code is 2 "
                     "bytes)");
        if (len >= 2) {
            res->close_code = b[0] << 8 | b[1];
            if (!close_code_sendable(res->close_code)) {
                snprintf(res->protocol_fault, sizeof res->protocol_fault,
                         "a close frame with code %d, which must never be sent (RFC 6455 7.4)",
                         res->close_code);
                /* libwebsockets 4.1 itself turns <1000, 1004-1006, 1015 and
                 * 1016-2999 into 1002 before this callback (so those read as
                 * "closed by the server: 1002", exit 2, never a pass, but
                 * cannot be named); this catches what it lets through (5000
                 * and up). It echoes the payload from this very buffer:
                 * answer 1002 (protocol error), as RFC 6455 7.1.7 asks. */
                b[0] = LWS_CLOSE_STATUS_PROTOCOL_ERR >> 8;
                b[1] = LWS_CLOSE_STATUS_PROTOCOL_ERR & 0xff;
            }
            size_t rl =
                len - 2 < sizeof res->close_reason - 1 ? len - 2 : sizeof res->close_reason - 1;
            memcpy(res->close_reason, b + 2, rl);
            res->close_reason[rl] = '\0';
        } else {
            res->close_code = LWS_CLOSE_STATUS_NO_STATUS;
        }
        return 0; /* libwebsockets answers with a close frame */
    }

    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
        const char *msg = in ? (const char *)in : NULL;
        int status = (int)lws_http_client_http_response(wsi);
        if (res->failure == CFC_WSC_OTHER) { /* not already a timeout */
            res->http_status = status;
            res->failure = classify(msg, status);
            snprintf(res->detail, sizeof res->detail, "%s", msg ? msg : "");
            if (res->failure == CFC_WSC_OTHER && msg && strstr(msg, "Unable to connect"))
                res->failure = probe_tcp(c->host, c->port, res->detail, sizeof res->detail);
        }
        c->wsi = NULL;
        c->state = ST_DONE;
        return 0;
    }

    case LWS_CALLBACK_CLIENT_CLOSED:
        if (!res->peer_closed && log_fault[0] && res->protocol_fault[0] == '\0')
            snprintf(res->protocol_fault, sizeof res->protocol_fault, "%s", log_fault);
        if (!res->peer_closed && !res->self_closed)
            res->close_code = LWS_CLOSE_STATUS_ABNORMAL_CLOSE;
        else if (res->self_closed && !res->peer_closed)
            res->close_code = LWS_CLOSE_STATUS_NORMAL; /* the code we sent */
        c->wsi = NULL;
        c->state = ST_DONE;
        return 0;

    case LWS_CALLBACK_WSI_DESTROY:
        if (wsi == c->wsi) {
            /* Gone without a CLOSED or CONNECTION_ERROR callback (e.g. killed
             * by a timeout before the handshake): the run is over. */
            c->wsi = NULL;
            if (c->state == ST_CONNECTING && res->failure == CFC_WSC_OK)
                res->failure = CFC_WSC_OTHER;
            c->state = ST_DONE;
        }
        return 0;

    default: break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"cfconform-watch", callback, 0, 1 << 16, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* permessage-deflate (RFC 7692), as browsers offer it: what a dashboard
 * receives from a server that compresses is what gets checked. The offer
 * lets the server pick client_max_window_bits; the server's window is 15
 * bits (32 KiB), libwebsockets' default. */
static const struct lws_extension extensions[] = {
    {"permessage-deflate", lws_extension_callback_pm_deflate,
     "permessage-deflate; client_max_window_bits"},
    {NULL, NULL, NULL},
};

cfc_wsc *cfc_wsc_new(const cfc_wsc_options *opts, cfc_wsc_failure *failure, char *detail,
                     size_t detail_len)
{
    cfc_wsc_failure dummy;
    if (failure == NULL)
        failure = &dummy;
    *failure = CFC_WSC_NOMEM;
    if (opts == NULL || opts->url == NULL) {
        *failure = CFC_WSC_BAD_URL;
        set_detail(detail, detail_len, "no URL");
        return NULL;
    }
    cfc_wsc *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    int rc = parse_url(c, opts->url, detail, detail_len);
    if (rc != 0) {
        *failure = rc == -1 ? CFC_WSC_BAD_URL : CFC_WSC_NOMEM;
        cfc_wsc_free(c);
        return NULL;
    }
    c->insecure = opts->insecure;
    c->connect_timeout_us =
        (lws_usec_t)(opts->connect_timeout_ms ? opts->connect_timeout_ms : 10000) * LWS_US_PER_MS;
    if (opts->n_headers) {
        c->headers = calloc(opts->n_headers, sizeof *c->headers);
        if (c->headers == NULL) {
            cfc_wsc_free(c);
            return NULL;
        }
        for (size_t i = 0; i < opts->n_headers; i++) {
            c->n_headers = i + 1;
            rc = parse_header(opts->headers[i], &c->headers[i]);
            if (rc != 0) {
                *failure = rc == -1 ? CFC_WSC_BAD_URL : CFC_WSC_NOMEM;
                if (rc == -1 && detail && detail_len)
                    snprintf(detail, detail_len,
                             "--header wants 'Name: value' (a token, a colon, no line break), "
                             "not '%s'",
                             opts->headers[i]);
                cfc_wsc_free(c);
                return NULL;
            }
        }
    }
    if (opts->subscribe) {
        c->subscribe_len = strlen(opts->subscribe);
        c->subscribe = malloc(LWS_PRE + c->subscribe_len + 1);
        if (c->subscribe == NULL) {
            cfc_wsc_free(c);
            return NULL;
        }
        memcpy(c->subscribe + LWS_PRE, opts->subscribe, c->subscribe_len + 1);
    }

    log_verbose = opts->verbose;
    lws_set_log_level(LLL_ERR | LLL_WARN | LLL_INFO, log_emit);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.extensions = opts->no_deflate ? NULL : extensions;
    info.user = c;
    info.gid = -1;
    info.uid = -1;
    info.fd_limit_per_thread = 16;
    /* libwebsockets reads min(this, the protocol's rx_buffer_size) bytes
     * per read (the default 4 KiB meant a poll and a read per 25 events
     * when it read the data frames; now it reads the HTTP answer and the
     * control frames only, ws_tap.h, so this no longer matters much). */
    info.pt_serv_buf_size = 1 << 16;
    info.connect_timeout_secs = (unsigned)(c->connect_timeout_us / LWS_USEC_PER_SEC) + 1;
    info.timeout_secs = info.connect_timeout_secs;
    c->ctx = lws_create_context(&info);
    if (c->ctx == NULL) {
        *failure = CFC_WSC_OTHER;
        set_detail(detail, detail_len, "libwebsockets could not start (TLS library?)");
        cfc_wsc_free(c);
        return NULL;
    }
    *failure = CFC_WSC_OK;
    return c;
}

void cfc_wsc_free(cfc_wsc *c)
{
    if (c == NULL)
        return;
    if (c->ctx)
        lws_context_destroy(c->ctx);
    for (size_t i = 0; i < c->n_headers; i++) {
        free(c->headers[i].name);
        free(c->headers[i].value);
    }
    free(c->headers);
    free(c->host);
    free(c->host_hdr);
    free(c->path);
    free(c->subscribe);
    free(c);
}

const char *cfc_wsc_host(const cfc_wsc *c)
{
    return c->host;
}

int cfc_wsc_port(const cfc_wsc *c)
{
    return c->port;
}

bool cfc_wsc_tls(const cfc_wsc *c)
{
    return c->tls;
}

/* The relay's data path (ws_tap.h), on its thread: the caller's data
 * callback, and a stop it asks for reaches the libwebsockets thread through
 * a flag and a wake-up (lws_cancel_service is the one call libwebsockets
 * allows from another thread). */
static int tap_data(void *ctx, const void *p, size_t n, bool final, bool binary)
{
    cfc_wsc *c = ctx;
    atomic_store_explicit(&c->data_seen, true, memory_order_relaxed);
    if (c->cb->data(c->cb->ctx, p, n, final, binary) == 0)
        return 0;
    atomic_store(&c->close_wanted, true);
    lws_cancel_service(c->ctx);
    return 1;
}

void cfc_wsc_wake(cfc_wsc *c)
{
    if (c != NULL && c->ctx != NULL)
        lws_cancel_service(c->ctx);
}

static void tap_flush(void *ctx)
{
    cfc_wsc *c = ctx;
    if (c->cb->flush)
        c->cb->flush(c->cb->ctx);
}

/* The relay could not reach the server, or its TLS handshake failed: say
 * why, as libwebsockets would. */
static void tap_failure(cfc_wsc_result *r, int err, const char *tls_detail, lws_usec_t timeout_us)
{
    r->failure = err == ECONNREFUSED                ? CFC_WSC_REFUSED
                 : err == ENOMEM                    ? CFC_WSC_NOMEM
                 : err == CFC_WSTAP_ERR_DNS         ? CFC_WSC_DNS
                 : err == CFC_WSTAP_ERR_TLS         ? CFC_WSC_TLS
                 : err == CFC_WSTAP_ERR_TLS_TIMEOUT ? CFC_WSC_TIMEOUT
                 : err == EINTR                     ? CFC_WSC_OTHER
                                                    : CFC_WSC_UNREACHABLE;
    if (err == ETIMEDOUT)
        snprintf(r->detail, sizeof r->detail, "no TCP connection within %lld ms",
                 (long long)(timeout_us / LWS_US_PER_MS));
    else if (err == CFC_WSTAP_ERR_TLS_TIMEOUT)
        snprintf(r->detail, sizeof r->detail, "completed no TLS handshake within %lld ms",
                 (long long)(timeout_us / LWS_US_PER_MS));
    else if (err == CFC_WSTAP_ERR_TLS)
        snprintf(r->detail, sizeof r->detail, "%s", tls_detail);
    else if (err == EINTR)
        snprintf(r->detail, sizeof r->detail, "stopped while connecting");
    else if (err > 0)
        snprintf(r->detail, sizeof r->detail, "%s", strerror(err));
}

/* The relay saw the server break the protocol: it stopped before the faulty
 * frame, ended the client's side (libwebsockets saw a connection without a
 * close frame, or a close frame cut short) and failed the connection with
 * 1002. Only the faulty frame can have been partly handed over (a fault is
 * found at a frame's start, or in a close frame's code), so nothing of a
 * message is pending in libwebsockets. */
static void tap_fault(cfc_wsc_result *r, const cfc_wstap_result *tr)
{
    snprintf(r->protocol_fault, sizeof r->protocol_fault, "%s", tr->fault);
    r->frame_remaining = 0;
    if (tr->close_code) {
        /* The server's close frame, with the code it put on the wire. */
        r->peer_closed = true;
        r->self_closed = false;
        r->close_code = tr->close_code;
        r->close_reason[0] = '\0';
    } else if (tr->sent_close) {
        r->self_closed = true;
        r->peer_closed = false;
        r->close_code = LWS_CLOSE_STATUS_PROTOCOL_ERR; /* the code we sent */
        r->close_reason[0] = '\0';
    }
}

int cfc_wsc_run(cfc_wsc *c, const cfc_wsc_callbacks *cb, cfc_wsc_result *result)
{
    memset(result, 0, sizeof *result);
    if (c == NULL || cb == NULL || cb->data == NULL) {
        result->failure = CFC_WSC_OTHER;
        return -1;
    }
    /* Resolve first: a DNS failure then says so, whatever words the
     * library would have used. */
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    int gai = getaddrinfo(c->host, NULL, &hints, &ai);
    if (gai != 0) {
        result->failure = gai == EAI_MEMORY ? CFC_WSC_NOMEM : CFC_WSC_DNS;
        snprintf(result->detail, sizeof result->detail, "%s: %s", c->host, gai_strerror(gai));
        return 0;
    }
    freeaddrinfo(ai);

    c->cb = cb;
    c->res = result;
    c->state = ST_CONNECTING;
    c->subscribe_pending = false;
    c->started_us = now_us();
    result->failure = CFC_WSC_OTHER; /* until the handshake completes */
    log_fault[0] = '\0';

    /* Through the relay that reads the server's frame headers (ws_tap.h),
     * which also makes the TCP connection and, on wss://, is the TLS
     * client: libwebsockets gives no frame-level view, so with its own TLS
     * a masked server frame would pass unseen. libwebsockets speaks plain
     * WebSocket to the relay. */
    int err = 0;
    char tls_detail[sizeof result->detail];
    cfc_wstap_options to = {.host = c->host,
                            .port = c->port,
                            .timeout_ms = (unsigned)(c->connect_timeout_us / LWS_US_PER_MS),
                            .should_stop = cb->should_stop,
                            .ctx = cb->ctx,
                            .tls = c->tls,
                            .insecure = c->insecure,
                            .data = tap_data,
                            .flush = tap_flush,
                            .data_ctx = c};
    atomic_store(&c->close_wanted, false);
    atomic_store(&c->data_seen, false);
    cfc_wstap *tap = cfc_wstap_open(&to, &err, tls_detail, sizeof tls_detail);
    c->tap = tap;
    if (tap == NULL) {
        tap_failure(result, err, tls_detail, c->connect_timeout_us);
        c->state = ST_IDLE;
        c->res = NULL;
        c->cb = NULL;
        return 0;
    }

    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = c->ctx;
    ci.address = cfc_wstap_address(tap);
    ci.port = c->port;
    ci.path = c->path;
    ci.host = c->host_hdr;
    ci.origin = c->host_hdr;
    ci.ietf_version_or_minus_one = -1;
    ci.local_protocol_name = protocols[0].name;
    ci.pwsi = &c->wsi;
    if (lws_client_connect_via_info(&ci) == NULL) {
        /* Failed at once; the error callback may already have said why. */
        if (result->failure == CFC_WSC_OTHER && result->detail[0] == '\0')
            snprintf(result->detail, sizeof result->detail, "could not start the connection");
        c->state = ST_DONE;
    }
    if (c->state != ST_DONE)
        lws_sul_schedule(c->ctx, 0, &c->tick, on_tick, TICK_US);

    while (c->state != ST_DONE) {
        if (lws_service(c->ctx, 0) < 0)
            break;
        lws_usec_t t = now_us();
        if (c->state == ST_CONNECTING && c->wsi && t - c->started_us > c->connect_timeout_us) {
            result->failure = CFC_WSC_TIMEOUT;
            snprintf(result->detail, sizeof result->detail,
                     "no WebSocket handshake answer within %lld ms",
                     (long long)(c->connect_timeout_us / LWS_US_PER_MS));
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
            c->started_us = t + 10 * LWS_USEC_PER_SEC; /* once */
        }
        /* A stop while connecting ends the attempt, unless the relay has
         * delivered data already: the server answered 101, which
         * libwebsockets has not read yet (the relay hands over the data
         * that came with it first), so the connection is about to open
         * and closes as an open one (--count reached by the first read, a
         * signal right after the first event). */
        if (c->state == ST_CONNECTING && c->wsi && !atomic_load(&c->data_seen) && cb->should_stop &&
            cb->should_stop(cb->ctx)) {
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        }
        if (c->state == ST_OPEN &&
            (atomic_load(&c->close_wanted) || (cb->should_stop && cb->should_stop(cb->ctx))))
            request_close(c);
        if (c->state == ST_CLOSING && c->wsi && t - c->closing_us > CLOSE_GRACE_US) {
            lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
            c->closing_us = t + 10 * LWS_USEC_PER_SEC;
        }
    }
    lws_sul_cancel(&c->tick);
    cfc_wstap_result tr;
    cfc_wstap_close(tap, &tr);
    c->tap = NULL;
    /* A message arriving when data stopped (our close, or the connection's
     * end without a close frame): cfc_wsc_result.frame_remaining. */
    if (tr.data_cut && !result->peer_closed)
        result->frame_remaining = 1;
    if (tr.fault[0])
        tap_fault(result, &tr);
    if (!result->established && result->failure == CFC_WSC_OK)
        result->failure = CFC_WSC_OTHER;
    c->state = ST_IDLE;
    c->wsi = NULL;
    c->res = NULL;
    c->cb = NULL;
    return 0;
}
