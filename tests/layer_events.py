"""What a channel of the channel layer has been sent, read without racing the layer."""

import asyncio
from typing import Any

from asgiref.sync import async_to_sync

END = "test.end_of_queue"
# Only against a hang: every event a test expects was queued before it looks (broadcasts are
# sent, and awaited, inside the commit callbacks the test has run).
PATIENCE = 10


def queued_events(layer: Any, channel: str) -> list[dict[str, Any]]:
    """Every event queued for ``channel``, oldest first, and nothing left behind.

    A marker is sent after them and read up to: the layers hand a channel's events out in the
    order they were sent (the Redis layer by the time of sending), so the marker comes last.
    Waiting for a moment of silence instead fails under load on Redis: a receive cut off by its
    timeout after Redis has popped an event loses it, and a slow round trip looks like silence.
    """

    async def drain() -> list[dict[str, Any]]:
        await layer.send(channel, {"type": END})
        events = []
        while (event := await asyncio.wait_for(layer.receive(channel), PATIENCE))["type"] != END:
            events.append(event)
        return events

    return async_to_sync(drain)()
