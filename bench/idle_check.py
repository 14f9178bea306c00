"""Do idle sockets survive on the Redis layer?  (docs/benchmarks.md, problem 3.)

Starts one Daphne on the Redis layer (as ``make bench-chat`` does, on a fresh bench database),
subscribes 100 signed-in sockets to a room, sends nothing for ``--seconds`` and counts the
sockets the server closed meanwhile.  With redis-py 8's 5 s default socket timeout, about one
a socket dies every 5 s (close code 1011); with a longer ``socket_timeout`` on the channel
layer's host, none.

    .venv/bin/python bench/idle_check.py                 # the project as configured
    .venv/bin/python bench/idle_check.py --config redis-proto   # with the prototype fixes
"""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from websockets.asyncio.client import ClientConnection

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chat_load import Generator
from run_chat import prepare_database, servers


async def watch(
    url: str, setup: Path, seconds: float
) -> tuple[int, list[tuple[float, int | None]]]:
    data = json.loads(setup.read_text())
    generator = Generator("daphne", [url], data["sessions"])
    sockets = await generator.open_many(100)
    for ws in sockets:
        await ws.send(
            json.dumps({"type": "subscribe", "room": data["rooms"]["100"], "after": None})
        )
    await asyncio.sleep(2)
    started = time.monotonic()
    closed: list[tuple[float, int | None]] = []

    async def read(ws: ClientConnection) -> None:
        try:
            async for _frame in ws:
                pass
        except Exception:  # noqa: S110 - a closed socket is what is counted
            pass
        closed.append((round(time.monotonic() - started, 1), ws.close_code))

    readers = [asyncio.create_task(read(ws)) for ws in sockets]
    await asyncio.sleep(seconds)
    still_open = [ws for ws in sockets if ws.close_code is None]
    count = len(closed)
    await generator.close_many(still_open)
    await asyncio.gather(*readers, return_exceptions=True)
    return count, sorted(closed)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description="Count idle sockets the server closes.")
    parser.add_argument(
        "--config", default="redis", help="a run_chat.py set-up (redis, redis-proto)"
    )
    parser.add_argument("--seconds", type=float, default=60)
    arguments = parser.parse_args()
    setup = prepare_database()
    with servers(arguments.config) as (_mode, urls, _pids, _aux):
        count, closed = asyncio.run(watch(urls[0], setup, arguments.seconds))
    codes = sorted({code for _, code in closed if code is not None})
    print(
        f"{arguments.config}: {count} of 100 idle subscribed sockets closed by the server in "
        f"{arguments.seconds:g} s (close codes {codes}; first at {[t for t, _ in closed[:5]]} s)"
    )


if __name__ == "__main__":
    main()
