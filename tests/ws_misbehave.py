#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A WebSocket server that misbehaves on purpose, for tests/test_watch.c only.

It speaks just enough RFC 6455 (handshake, unmasking, close) to send what a
real library would refuse to: binary frames, fragments with a ping between
them, invalid UTF-8 in a text frame, an abrupt close mid-message, a handshake
that never comes or a non-101 status.

    ws_misbehave.py [--tls CERT KEY] [--linger S] SCENARIO [SCENARIO ...]

One scenario per accepted connection, in order; then it exits. It binds an
ephemeral port on 127.0.0.1 and prints it (one line) on stdout; afterwards it
prints what clients sent: "HEADER name: value", "RECV text" and "CLOSE code"
lines, and with --tls "SNI name" (the server name the client sent, "None"
when it sent none). It never runs longer than 30 s, whatever happens.
"""
import base64
import hashlib
import signal
import socket
import ssl
import struct
import sys
import time

GOOD = b'{"type":"task_unblocked","project_id":1,"task_id":5,"timestamp":"2025-11-08T14:30:45.123Z"}'
BAD = (b'{"type":"task_blocked","project_id":1,"task_id":45,"blocked_by":[42,43],'
       b'"blocked_count":3,"timestamp":"2025-11-08T14:30:45.123Z"}')
WARN = b'{"type":"heartbeat","project_id":1,"timestamp":"2025-11-08T14:30:45.123Z"}'
UTF8 = (b'{"type":"task_assigned","project_id":1,"task_id":2,"agent_id":"a",'
        b'"task_title":"\xc0\xaf","timestamp":"2025-11-08T14:30:45.123Z"}')
PRETTY = GOOD.replace(b',', b',\n  ')

TEXT, BINARY, CONT, CLOSE, PING = 0x1, 0x2, 0x0, 0x8, 0x9


def frame(opcode, payload, fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack('!H', n)
    else:
        head += bytes([127]) + struct.pack('!Q', n)
    return head + payload


def close_frame(code, reason=b''):
    return frame(CLOSE, struct.pack('!H', code) + reason)


def read_exact(conn, n):
    buf = b''
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def read_frame(conn):
    b0, b1 = read_exact(conn, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack('!H', read_exact(conn, 2))[0]
    elif n == 127:
        n = struct.unpack('!Q', read_exact(conn, 8))[0]
    mask = read_exact(conn, 4) if b1 & 0x80 else b'\0\0\0\0'
    data = bytes(c ^ mask[i % 4] for i, c in enumerate(read_exact(conn, n)))
    return b0 & 0x0F, data


def read_request(conn):
    req = b''
    while b'\r\n\r\n' not in req:
        chunk = conn.recv(4096)
        if not chunk:
            raise EOFError
        req += chunk
    lines = req.split(b'\r\n\r\n')[0].decode('latin-1').split('\r\n')
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    return headers


def accept_upgrade(conn, headers):
    key = headers.get('sec-websocket-key', '')
    accept = base64.b64encode(hashlib.sha1(
        (key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').encode()).digest()).decode()
    conn.sendall(('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'
                  'Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n' % accept).encode())


def finish(conn, code=1000, reason=b'bye'):
    """Close politely: send a close frame, wait for the client's."""
    conn.sendall(close_frame(code, reason))
    try:
        while True:
            op, data = read_frame(conn)
            if op == CLOSE:
                log_close(data)
                break
            if op == TEXT:
                log.append('RECV ' + data.decode('utf-8', 'replace'))
    except (EOFError, OSError):
        pass


def log_close(data):
    """The client's close frame, for the tests: "CLOSE 1002"."""
    log.append('CLOSE %d' % struct.unpack('!H', data[:2])[0] if len(data) >= 2 else 'CLOSE')


def until_client_closes(conn, send=None, period=0.01):
    """Send `send` every `period` s (or nothing) until the client closes."""
    conn.settimeout(period)
    while True:
        if send:
            try:
                conn.sendall(frame(TEXT, send))
            except OSError:
                return
        try:
            op, data = read_frame(conn)
        except socket.timeout:
            continue
        except (EOFError, OSError):
            return
        if op == CLOSE:
            log_close(data)
            conn.sendall(frame(CLOSE, data[:2]))
            return
        if op == TEXT:
            log.append('RECV ' + data.decode('utf-8', 'replace'))


def scenario(name, conn):
    headers = read_request(conn)
    for h in ('authorization', 'x-test'):
        if h in headers:
            log.append('HEADER %s: %s' % (h, headers[h]))
    if name == 'silent':
        time.sleep(30)
        return
    if name == 'status403':
        conn.sendall(b'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
        return
    accept_upgrade(conn, headers)
    if name == 'events':
        for e in (GOOD, BAD, WARN):
            conn.sendall(frame(TEXT, e))
        finish(conn)
    elif name == 'binary':
        conn.sendall(frame(BINARY, GOOD) + frame(TEXT, GOOD))
        finish(conn)
    elif name == 'fragmented':
        a, b, c = GOOD[:10], GOOD[10:50], GOOD[50:]
        conn.sendall(frame(TEXT, a, fin=False) + frame(CONT, b, fin=False) +
                     frame(PING, b'p') + frame(CONT, c))
        conn.sendall(frame(TEXT, BAD[:70], fin=False) + frame(CONT, BAD[70:]))
        conn.sendall(frame(BINARY, GOOD[:5], fin=False) + frame(CONT, GOOD[5:]))
        finish(conn)
    elif name == 'utf8':
        conn.sendall(frame(TEXT, UTF8) + frame(TEXT, GOOD))
        finish(conn)
    elif name == 'abrupt':
        conn.sendall(frame(TEXT, GOOD) + frame(TEXT, BAD) + frame(TEXT, GOOD[:30], fin=False))
        time.sleep(0.2)
        conn.shutdown(socket.SHUT_RDWR)
    elif name == 'oversized':
        conn.sendall(frame(TEXT, b'[' + b'1,' * 2500 + b'1]') + frame(TEXT, GOOD))
        finish(conn)
    elif name == 'newline':
        conn.sendall(frame(TEXT, PRETTY) + frame(TEXT, GOOD) + frame(TEXT, b''))
        finish(conn)
    elif name == 'closecode':
        conn.sendall(frame(TEXT, GOOD))
        finish(conn, 4001, b'custom reason')
    elif name == 'good2':
        conn.sendall(frame(TEXT, GOOD) + frame(TEXT, GOOD))
        finish(conn)
    elif name == 'echo':
        # Waits for the client's first message, sends one event, closes.
        conn.settimeout(10)
        op, data = read_frame(conn)
        log.append('RECV ' + data.decode('utf-8', 'replace'))
        conn.sendall(frame(TEXT, GOOD))
        finish(conn)
    elif name == 'endless':
        until_client_closes(conn, GOOD)
    elif name == 'idlemid':
        # An event, then half a message, then silence.
        conn.sendall(frame(TEXT, GOOD) + frame(TEXT, GOOD[:30], fin=False))
        until_client_closes(conn, None, 0.05)
    elif name == 'idlemidframe':
        # An event, then the first 30 bytes of one unfragmented frame's
        # payload, then silence.
        conn.sendall(frame(TEXT, GOOD) + frame(TEXT, GOOD)[:-(len(GOOD) - 30)])
        until_client_closes(conn, None, 0.05)
    elif name == 'idlemidheader':
        # An event, then only the header of the next frame, then silence.
        conn.sendall(frame(TEXT, GOOD) + frame(TEXT, GOOD)[:-len(GOOD)])
        until_client_closes(conn, None, 0.05)
    elif name == 'rsv':
        # RSV1 set with no extension negotiated (RFC 6455 5.2).
        f = bytearray(frame(TEXT, GOOD))
        f[0] |= 0x40
        conn.sendall(frame(TEXT, GOOD) + bytes(f))
        finish(conn)
    elif name == 'opcode':
        # A reserved non-control opcode (0x3).
        conn.sendall(frame(TEXT, GOOD) + frame(0x3, b'x'))
        finish(conn)
    elif name == 'orphan':
        # A continuation frame with no message to continue.
        conn.sendall(frame(TEXT, GOOD) + frame(CONT, b'x'))
        finish(conn)
    elif name == 'bigping':
        # A control frame over 125 bytes (RFC 6455 5.5).
        conn.sendall(frame(TEXT, GOOD) + frame(PING, b'p' * 200))
        finish(conn)
    elif name == 'masked':
        # A masked server frame (RFC 6455 5.1: the client must close).
        key = b'\x01\x02\x03\x04'
        body = bytes(b ^ key[i % 4] for i, b in enumerate(GOOD))
        hdr = bytes([0x81, 0xfe]) + struct.pack('!H', len(GOOD)) if len(GOOD) > 125 else \
            bytes([0x81, 0x80 | len(GOOD)])
        conn.sendall(frame(TEXT, GOOD) + hdr + key + body)
        finish(conn)
    elif name == 'fragping':
        # A control frame without FIN (RFC 6455 5.5: never fragmented).
        conn.sendall(frame(TEXT, GOOD) + frame(PING, b'p', fin=False))
        finish(conn)
    elif name == 'interleave':
        # A new text message while the first is still unfinished (RFC 6455 5.4).
        conn.sendall(frame(TEXT, GOOD) + frame(TEXT, GOOD[:10], fin=False) + frame(TEXT, GOOD))
        finish(conn)
    elif name == 'longlen':
        # A 96-byte payload with a 16-bit length (RFC 6455 5.2: shortest form).
        conn.sendall(frame(TEXT, GOOD) + bytes([0x81, 126]) + struct.pack('!H', len(GOOD)) + GOOD)
        finish(conn)
    elif name == 'afterclose':
        # A text frame after the server's own close frame (RFC 6455 5.5.1).
        conn.sendall(frame(TEXT, GOOD) + close_frame(1000, b'bye') + frame(TEXT, GOOD))
        finish(conn)
    elif name == 'closeutf8':
        # A close reason that is not UTF-8 (an overlong '/'; RFC 6455 8.1).
        conn.sendall(frame(TEXT, GOOD))
        finish(conn, 1000, b'bye \xc0\xaf')
    elif name.startswith('close'):
        # An illegal code on the wire: close1005, close1006, close1015, close999...
        conn.sendall(frame(TEXT, GOOD))
        finish(conn, int(name[5:]), b'')
    elif name == 'idle':
        conn.sendall(frame(TEXT, GOOD) + frame(TEXT, GOOD))
        until_client_closes(conn, None, 0.05)
    elif name == 'held':
        # Two events, 0.1 s after the handshake (the client is waiting by
        # then), then the connection stays open: how long the client (watch
        # --count 2) took to close it after they were sent.
        time.sleep(0.1)
        conn.sendall(frame(TEXT, GOOD) + frame(TEXT, GOOD))
        sent = time.monotonic()
        until_client_closes(conn, None, 0.005)
        log.append('CLOSED AFTER %d ms' % round((time.monotonic() - sent) * 1000))
    else:
        raise SystemExit('unknown scenario ' + name)


log = []


def main():
    signal.alarm(30)
    args = sys.argv[1:]
    tls = None
    linger = 0.0
    while args and args[0].startswith('--'):
        if args[0] == '--tls':
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(args[1], args[2])
            # The name the client asked for (none for an IP address).
            tls.sni_callback = lambda sock, name, ctx: log.append('SNI %s' % name)
            args = args[3:]
        elif args[0] == '--linger':
            linger = float(args[1])
            args = args[2:]
        else:
            raise SystemExit('unknown option ' + args[0])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', 0))
    srv.listen(8)
    print(srv.getsockname()[1], flush=True)
    for name in args:
        conn, _ = srv.accept()
        try:
            if tls:
                conn = tls.wrap_socket(conn, server_side=True)
            scenario(name, conn)
        except (EOFError, OSError, ssl.SSLError):
            pass
        finally:
            conn.close()
    time.sleep(linger)
    for line in log:
        print(line, flush=True)


if __name__ == '__main__':
    main()
