"""Prototypes of fixes to the consumer and its settings, served only by the bench: set-up names
ending in ``-proto`` (1–3) or ``-hub`` (1–4), e.g. ``BENCH_CONFIGS=reference,redis-proto``.
``docs/benchmarks.md`` has the measurements; once the fixes land, this file goes.

1. Channels' ``AsyncConsumer.dispatch`` awaits ``aclose_old_connections()`` before *every*
   handler — for a room message delivered to N sockets that is N hops into the one thread that
   ``sync_to_async`` uses for the whole process, where they queue behind the database work of
   ``message_send``.  Channel-layer events (``room.event``, ``resident.frame``, …) touch no
   database, and every frame that does goes through ``database_sync_to_async``, which closes old
   connections itself; so the prototype skips the hop for them (``BENCH_PROTO_DISPATCH=0``: off).
2. ``room_event`` drops a message whose seq is not above the last one delivered.  With two
   Daphne processes the broadcasts of seq n and n+1 race through Redis, n+1 can arrive first,
   and n is then dropped: lost, in breach of the protocol (docs/protocol.md).  The prototype fills such a gap from
   the database first (``BENCH_PROTO_FILL_GAPS=0``: off).
3. (With the Redis layer) redis-py 8 gives every connection a 5 s socket timeout, and
   channels_redis blocks 5 s in BZPOPMIN: a receive on a quiet process times out and the
   consumer dies (close code 1011).  The prototype sets a 10 s socket timeout on the channel
   layer's connections (``BENCH_PROTO_REDIS_SOCKET_TIMEOUT``; ``0``: off).
4. Each socket is its own member of the room group, so a message to N sockets of a process is
   N channel-layer receives and N dispatches.  With ``BENCH_PROTO_HUB=1`` (set-up names ending
   in ``-hub``) the process joins the room group once and hands each event to its subscribed
   sockets directly: a structural change, measured to size it.

The ASGI stack is otherwise ``campus_social.asgi``'s.
"""

import asyncio
import logging
import os
import sys
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus_social.settings")
django_asgi_app = get_asgi_application()

# Diagnostics, off unless set: keep database connections between calls (seconds), and a
# shorter GIL switch interval (seconds), to measure what each does on its own.
if os.environ.get("BENCH_PROTO_CONN_MAX_AGE"):
    from django.db import connections

    connections.settings["default"]["CONN_MAX_AGE"] = int(os.environ["BENCH_PROTO_CONN_MAX_AGE"])
if os.environ.get("BENCH_PROTO_SWITCH_INTERVAL"):
    sys.setswitchinterval(float(os.environ["BENCH_PROTO_SWITCH_INTERVAL"]))
SKIP_HOP = os.environ.get("BENCH_PROTO_DISPATCH", "1") == "1"
# 3. redis-py 8 reads with a 5 s socket timeout by default, the same 5 s channels_redis blocks in
# BZPOPMIN: an idle receive times out and kills its consumer (close 1011).  A longer socket
# timeout for the channel layer's connections (seconds; "0" leaves the settings alone).
REDIS_SOCKET_TIMEOUT = float(os.environ.get("BENCH_PROTO_REDIS_SOCKET_TIMEOUT", "10"))
if REDIS_SOCKET_TIMEOUT:
    from django.conf import settings

    layer_config: dict[str, Any] = settings.CHANNEL_LAYERS["default"].get("CONFIG", {})  # type: ignore[assignment]
    if "hosts" in layer_config:
        layer_config["hosts"] = [
            {"socket_timeout": REDIS_SOCKET_TIMEOUT, **host}
            if isinstance(host, dict)
            else {"address": host, "socket_timeout": REDIS_SOCKET_TIMEOUT}
            for host in layer_config["hosts"]
        ]
HUB = os.environ.get("BENCH_PROTO_HUB", "0") == "1"

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.consumer import get_handler_name  # noqa: E402
from channels.db import aclose_old_connections, database_sync_to_async  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from messaging import wire  # noqa: E402
from messaging.consumers import RealtimeConsumer  # noqa: E402
from messaging.models import Message  # noqa: E402

logger = logging.getLogger("bench.prototype")
FILL_GAPS = os.environ.get("BENCH_PROTO_FILL_GAPS", "1") == "1"
# Frames of messages fetched to fill a gap, shared by the sockets of this process (one query
# per gap per process rather than per socket), oldest dropped first.
_filled: dict[tuple[int, int], str] = {}
_fill_lock = asyncio.Lock()
FILLED_KEEP = 5000


def _stored_frames(room_id: int, after: int, before: int) -> dict[int, str]:
    messages = Message.objects.filter(
        room_id=room_id, seq__gt=after, seq__lt=before
    ).select_related("author")
    return {message.seq: wire.dumps(wire.message_frame(message)) for message in messages}


class PrototypeConsumer(RealtimeConsumer):
    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        if not SKIP_HOP or message["type"].startswith("websocket."):
            # Frames from the client keep Channels' behaviour; channel-layer events skip the
            # thread hop (they make no query).
            await aclose_old_connections()
        await handler(message)

    async def room_event(self, event: dict[str, Any]) -> None:
        """As the real one, but a message that overtook an earlier one (their broadcasts raced
        from two processes, or the earlier one was dropped by a full channel) first sends the
        earlier ones from the database — committed already, since seqs are taken in turn under
        the room's lock — instead of dropping the earlier one when it arrives late."""
        room_id, seq = event["room"], event.get("seq")
        delivered = self.rooms.get(room_id)
        if FILL_GAPS and delivered is not None and seq is not None and seq > delivered + 1:
            for text in await _frames_between(room_id, delivered, seq):
                await self.send(text_data=text)
            self.rooms[room_id] = seq - 1
        await super().room_event(event)

    # --- 4. one channel-layer subscription per room per process (``BENCH_PROTO_HUB=1``) --------

    async def _subscribe(self, content: dict[str, Any]) -> None:
        await super()._subscribe(content)
        room_id = content.get("room")
        if HUB and isinstance(room_id, int) and room_id in self.rooms:
            # Join the process's hub first, then leave the group: a message in between arrives
            # both ways and the seq check drops the second copy.
            await _hub_join(self, room_id)
            await self.channel_layer.group_discard(wire.room_group(room_id), self.channel_name)

    async def _unsubscribe(self, content: dict[str, Any]) -> None:
        _hub_sockets.get(content.get("room"), set()).discard(self)  # type: ignore[arg-type]
        await super()._unsubscribe(content)

    async def disconnect(self, code: int) -> None:
        for sockets in _hub_sockets.values():
            sockets.discard(self)
        await super().disconnect(code)


# room id → the sockets of this process subscribed to it, and the task that receives the room's
# events once for all of them (from the process's own member of the room group).
_hub_sockets: dict[int, set[PrototypeConsumer]] = {}
_hub_tasks: dict[int, asyncio.Task[None]] = {}


async def _hub_join(consumer: PrototypeConsumer, room_id: int) -> None:
    _hub_sockets.setdefault(room_id, set()).add(consumer)
    if room_id not in _hub_tasks:
        layer = consumer.channel_layer
        channel = await layer.new_channel()
        await layer.group_add(wire.room_group(room_id), channel)
        _hub_tasks[room_id] = asyncio.ensure_future(_hub_listen(layer, room_id, channel))


async def _hub_listen(layer: Any, room_id: int, channel: str) -> None:
    while True:
        event = await layer.receive(channel)
        name = get_handler_name(event)
        for consumer in list(_hub_sockets.get(room_id, ())):
            try:
                await getattr(consumer, name)(event)
            except Exception:
                logger.exception("hub delivery failed")
        await asyncio.sleep(0)  # a backlog must not starve the loop (Redis reads time out)


async def _frames_between(room_id: int, after: int, before: int) -> list[str]:
    wanted = range(after + 1, before)
    async with _fill_lock:
        if any((room_id, seq) not in _filled for seq in wanted):
            logger.warning(
                "gap in room %s: %s..%s fetched from the database", room_id, after + 1, before - 1
            )
            frames = await database_sync_to_async(_stored_frames)(room_id, after, before)
            for seq, text in frames.items():
                _filled[(room_id, seq)] = text
            while len(_filled) > FILLED_KEEP:
                del _filled[next(iter(_filled))]
    return [_filled[(room_id, seq)] for seq in wanted if (room_id, seq) in _filled]


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter([path("ws/v1/", PrototypeConsumer.as_asgi())]))
        ),
    }
)
