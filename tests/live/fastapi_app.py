# SPDX-License-Identifier: MIT
"""A small FastAPI app on uvicorn, the stack CodeFRAME's backend runs on, for
tests/live/test_live_fastapi.c: its WebSocket endpoint broadcasts events
through the certify tests' Python broadcaster module
(tests/certify/good_broadcasts.py), then one non-conforming event sent
straight through the manager (task_blocked with a wrong blocked_count),
then closes with uvicorn's own close (1000).

Prints the port it listens on (one line), serves one connection, exits.
Run with /usr/bin/python3 (Debian's python3-fastapi, python3-uvicorn).
"""

import asyncio
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "certify"))

import good_broadcasts as gb  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import FastAPI, WebSocket  # noqa: E402

app = FastAPI()
served = asyncio.Event()


class Manager:
    """The connection manager the broadcasters expect: broadcast(message)."""

    def __init__(self, ws):
        self.ws = ws

    async def broadcast(self, message):
        await self.ws.send_json(message)


@app.websocket("/ws")
async def events(ws: WebSocket):
    await ws.accept()
    m = Manager(ws)
    await gb.broadcast_agent_created(m, 1, "backend-worker-001", "backend")
    await gb.broadcast_task_assigned(m, 1, 7, "backend-worker-001", "Write the API")
    await gb.broadcast_task_status(m, 1, 7, "in_progress", "backend-worker-001", 0)
    await gb.broadcast_test_result(m, 1, 7, "passed", 12, 0, 0, 1, 2.5)
    await gb.broadcast_progress_update(m, 1, 1, 4)
    # Not conforming: blocked_count must equal len(blocked_by).
    await m.broadcast({"type": "task_blocked", "project_id": 1, "task_id": 9,
                       "blocked_by": [7, 8], "blocked_count": 3,
                       "timestamp": "2025-11-08T14:30:45.123Z"})
    await gb.broadcast_agent_retired(m, 1, "backend-worker-001", 1)
    await ws.close(code=1000)
    served.set()


async def main():
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)  # before the port is announced: a client may connect at once
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, log_level="warning", ws_ping_interval=0.2, ws_ping_timeout=5)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await asyncio.wait_for(served.wait(), 30)
    await asyncio.sleep(0.5)
    server.should_exit = True
    await task


if __name__ == "__main__":
    asyncio.run(main())
