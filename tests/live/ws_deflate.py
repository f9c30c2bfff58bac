#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""WebSocket servers that compress (RFC 7692 permessage-deflate), for
tests/live/test_live_deflate.c only.

    ws_deflate.py raw SCENARIO     a server of our own, framing by hand
    ws_deflate.py websockets       python3-websockets' own server (compression
                                   on, as its default); needs /usr/bin/python3

Both bind an ephemeral port on 127.0.0.1, print it (one line), serve one
connection and exit, printing "OFFER <the client's Sec-WebSocket-Extensions
header, or none>" and "DEFLATE yes|no" (whether the answer accepted it). They
never run longer than 30 s.

raw scenarios:
  events      three events (the second one not conforming), compressed when
              the client offered permessage-deflate, plain otherwise; close 1000
  fragments   the same three, each in three frames with a ping between the
              first two (compressed: the compressed bytes cut in three)
  bfinal      the same three, compressed with blocks that end a DEFLATE
              stream (BFINAL, RFC 7692 7.2.3.3): the first as usual, the
              second as two streams of its own (each half ends with BFINAL),
              the third from a new compressor (the receiver's window is gone)
  corrupt     an event, then a message with RSV1 whose bytes do not inflate,
              then an event; waits for the client's close frame and prints
              "CLIENT CLOSE <code>" (sent as events does without the offer)
  burst N     N good events and the close frame in one write
  eager N     the 101 answer and N good events in one write (never compressed:
              no extension accepted), then waits for the client's close
              frame and prints "CLIENT CLOSE <code>"
  headeronly  an event, then only the header of a text frame; waits for the
              client's close frame, prints "CLIENT CLOSE <code>" and ends the
              TCP connection without answering it (never compressed)
  bomb SIZE   one text message of SIZE bytes (a JSON string of spaces) that
              compresses to about SIZE/1000 bytes, then one good event; close
              1000. Without the offer it sends the good event only.
"""
import asyncio
import base64
import hashlib
import signal
import socket
import struct
import sys
import zlib

GOOD = b'{"type":"task_unblocked","project_id":1,"task_id":5,"timestamp":"2025-11-08T14:30:45.123Z"}'
BAD = (b'{"type":"task_blocked","project_id":1,"task_id":45,"blocked_by":[42,43],'
       b'"blocked_count":3,"timestamp":"2025-11-08T14:30:45.123Z"}')
WARN = b'{"type":"heartbeat","project_id":1,"timestamp":"2025-11-08T14:30:45.123Z"}'
CONT, TEXT, CLOSE, PING = 0x0, 0x1, 0x8, 0x9


def frame(opcode, payload, rsv1=False, fin=True):
    head = bytes([(0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack('!H', n)
    else:
        head += bytes([127]) + struct.pack('!Q', n)
    return head + payload


def final_streams(parts):
    """One message as DEFLATE streams of its own, one per part, each ending
    with a BFINAL block: RFC 7692 7.2.1 then appends an empty stored block
    (00 00 00 ff ff, not final) and removes its last 4 octets."""
    out = b''
    for p in parts:
        z = zlib.compressobj(9, zlib.DEFLATED, -15)
        out += z.compress(p) + z.flush(zlib.Z_FINISH)
    return out + b'\x00'


class Deflater:
    """One connection's compressor: context takeover, as RFC 7692 allows by
    default; each message ends with a sync flush whose 00 00 ff ff is cut."""

    def __init__(self):
        self.z = zlib.compressobj(9, zlib.DEFLATED, -15)

    def message(self, parts):
        out = b''.join(self.z.compress(p) for p in parts) + self.z.flush(zlib.Z_SYNC_FLUSH)
        assert out.endswith(b'\x00\x00\xff\xff')
        return out[:-4]


def read_exact(conn, n):
    buf = b''
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def read_request(conn):
    req = b''
    while b'\r\n\r\n' not in req:
        chunk = conn.recv(4096)
        if not chunk:
            raise EOFError
        req += chunk
    headers = {}
    for line in req.split(b'\r\n\r\n')[0].decode('latin-1').split('\r\n')[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    return headers


def finish(conn):
    """Close frame 1000, then wait for the client's close frame."""
    conn.sendall(frame(CLOSE, struct.pack('!H', 1000) + b'bye'))
    try:
        while True:
            b0, b1 = read_exact(conn, 2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack('!H', read_exact(conn, 2))[0]
            elif n == 127:
                n = struct.unpack('!Q', read_exact(conn, 8))[0]
            read_exact(conn, n + (4 if b1 & 0x80 else 0))
            if b0 & 0x0F == CLOSE:
                return
    except (EOFError, OSError):
        pass


def client_close(conn):
    """Reads the client's frames until its close frame; prints its code."""
    try:
        while True:
            b0, b1 = read_exact(conn, 2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack('!H', read_exact(conn, 2))[0]
            elif n == 127:
                n = struct.unpack('!Q', read_exact(conn, 8))[0]
            mask = read_exact(conn, 4) if b1 & 0x80 else b'\0\0\0\0'
            data = bytes(c ^ mask[i % 4] for i, c in enumerate(read_exact(conn, n)))
            if b0 & 0x0F == CLOSE:
                code = struct.unpack('!H', data[:2])[0] if len(data) >= 2 else 1005
                print('CLIENT CLOSE %d' % code, flush=True)
                return
    except (EOFError, OSError):
        print('CLIENT CLOSE none', flush=True)


def raw(scenario, args):
    ls = socket.socket()
    ls.bind(('127.0.0.1', 0))
    ls.listen(1)
    print(ls.getsockname()[1], flush=True)
    conn, _ = ls.accept()
    conn.settimeout(30)
    headers = read_request(conn)
    offer = headers.get('sec-websocket-extensions', '')
    deflate = 'permessage-deflate' in offer
    key = headers.get('sec-websocket-key', '')
    accept = base64.b64encode(hashlib.sha1(
        (key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').encode()).digest()).decode()
    answer = ('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'
              'Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n' % accept)
    if scenario == 'headeronly':
        conn.sendall((answer + '\r\n').encode() + frame(TEXT, GOOD) + frame(TEXT, GOOD)[:2])
        client_close(conn)
        conn.close()
        print('OFFER ' + (offer or 'none'), flush=True)
        print('DEFLATE no', flush=True)
        return
    if scenario == 'eager':
        conn.sendall((answer + '\r\n').encode() + frame(TEXT, GOOD) * int(args[0]))
        client_close(conn)
        conn.close()
        print('OFFER ' + (offer or 'none'), flush=True)
        print('DEFLATE no', flush=True)
        return
    if deflate:
        answer += 'Sec-WebSocket-Extensions: permessage-deflate\r\n'
    conn.sendall((answer + '\r\n').encode())
    z = Deflater()

    def send(parts):
        if deflate:
            conn.sendall(frame(TEXT, z.message(parts), rsv1=True))
        else:
            conn.sendall(frame(TEXT, b''.join(parts)))

    def send_fragments(e):
        body = z.message([e]) if deflate else e
        cut = [body[:len(body) // 3], body[len(body) // 3:2 * len(body) // 3],
               body[2 * len(body) // 3:]]
        conn.sendall(frame(TEXT, cut[0], rsv1=deflate, fin=False) + frame(PING, b'p') +
                     frame(CONT, cut[1], fin=False) + frame(CONT, cut[2]))

    if scenario == 'events':
        for e in (GOOD, BAD, WARN):
            send([e])
    elif scenario == 'bfinal':
        send([GOOD])
        if deflate:
            conn.sendall(frame(TEXT, final_streams([BAD[:40], BAD[40:]]), rsv1=True))
            z = Deflater()
        else:
            send([BAD])
        send([WARN])
    elif scenario == 'fragments':
        for e in (GOOD, BAD, WARN):
            send_fragments(e)
    elif scenario == 'corrupt':
        send([GOOD])
        if deflate:
            conn.sendall(frame(TEXT, b'\xff\xff\xff\xff', rsv1=True))
            send([GOOD])
            client_close(conn)
            conn.close()
            print('OFFER ' + (offer or 'none'), flush=True)
            print('DEFLATE yes', flush=True)
            return
    elif scenario == 'burst':
        out = b''
        for _ in range(int(args[0])):
            out += frame(TEXT, z.message([GOOD]), rsv1=True) if deflate else frame(TEXT, GOOD)
        conn.sendall(out + frame(CLOSE, struct.pack('!H', 1000) + b'bye'))
        client_close(conn)
    elif scenario == 'bomb':
        size = int(args[0])
        if deflate:
            chunk = b' ' * (1 << 20)
            parts = [b'"'] + [chunk] * (size // len(chunk)) + [b' ' * (size % len(chunk)), b'"']
            payload = z.message(parts)
            print('BOMB %d bytes compressed to %d' % (size + 2, len(payload)), flush=True)
            conn.sendall(frame(TEXT, payload, rsv1=True))
        send([GOOD])
    if scenario != 'burst':
        finish(conn)
    conn.close()
    print('OFFER ' + (offer or 'none'), flush=True)
    print('DEFLATE ' + ('yes' if deflate else 'no'), flush=True)


def library():
    """python3-websockets' server, compression as it does by default."""
    import websockets  # Debian's python3-websockets, for /usr/bin/python3

    seen = {}
    done = asyncio.Event()

    async def handler(ws, path=None):
        seen['offer'] = ws.request_headers.get('Sec-WebSocket-Extensions')
        seen['deflate'] = bool(ws.response_headers.get('Sec-WebSocket-Extensions'))
        for e in (GOOD, BAD, WARN):
            await ws.send(e.decode())
        await ws.close(1000, 'bye')
        done.set()

    async def main():
        async with websockets.serve(handler, '127.0.0.1', 0, compression='deflate') as server:
            print(server.sockets[0].getsockname()[1], flush=True)
            await asyncio.wait_for(done.wait(), 30)
        print('OFFER ' + (seen.get('offer') or 'none'), flush=True)
        print('DEFLATE ' + ('yes' if seen.get('deflate') else 'no'), flush=True)

    asyncio.run(main())


if __name__ == '__main__':
    signal.alarm(30)
    if sys.argv[1] == 'raw':
        raw(sys.argv[2], sys.argv[3:])
    else:
        library()
