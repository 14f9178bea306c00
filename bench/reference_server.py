"""The reference for ``make bench-chat``: a websocket server that only broadcasts.

Every text frame a client sends goes, unchanged, to every connected client (the sender too),
with ``websockets.broadcast`` — no parsing, no storage, no authentication, no compression.  It
is the floor a chat server can reach on this machine with Python and asyncio, so the Daphne
figures are read against it.

    python bench/reference_server.py --port 8766
"""

import argparse
import asyncio
import signal

from websockets import broadcast
from websockets.asyncio.server import ServerConnection, serve

CLIENTS: set[ServerConnection] = set()


async def handler(websocket: ServerConnection) -> None:
    CLIENTS.add(websocket)
    try:
        async for frame in websocket:
            if isinstance(frame, str):
                broadcast(CLIENTS, frame)
    finally:
        CLIENTS.discard(websocket)


async def main(host: str, port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set_result, None)
    async with serve(
        handler, host, port, compression=None, ping_interval=None, max_queue=None, backlog=2048
    ):
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.host, arguments.port))
