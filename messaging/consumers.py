"""The websocket endpoint ``/ws/v1/``, speaking protocol v1 (``docs/protocol.md``).

Thin and suspicious: the handshake is refused without a signed-in, active resident (the Origin
check sits in front, in ``asgi.py``); every frame becomes one service or selector call; a room is
joined only after the membership selector says yes; and delivery re-checks from the socket's own
state (the rooms it subscribed and is still a member of), which removal events keep current —
so the per-recipient path makes no database query and sends the already-serialised text.
"""

import logging
import math
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import aclose_old_connections, database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext as _

from campus_social.common.errors import ServiceError
from campus_social.common.ids import is_count, is_id
from campus_social.common.realtime import resident_group
from campus_social.common.text import refuse_lone_surrogates
from messaging import selectors, services, wire

logger = logging.getLogger(__name__)

MAX_ROOMS_PER_SOCKET = 200
# Frames a socket may send: a bucket of BURST that refills at RATE per second.  A socket that
# keeps flooding far past the bucket is closed as abusive.
FRAME_RATE = 20.0
FRAME_BURST = 40.0
ABUSE_DEBT = 200.0
CLOSE_ABUSE = 4008
# The error codes protocol v1 defines; a service's finer code is mapped onto them by status.
PROTOCOL_ERROR_CODES = frozenset({"invalid", "forbidden", "not_found", "rate_limited", "too_long"})
_CODE_FOR_STATUS = {
    400: "invalid",
    401: "forbidden",
    403: "forbidden",
    404: "not_found",
    429: "rate_limited",
}


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Closing before accept refuses the handshake: the client gets no frame at all.
            await self.close()
            return
        self.resident = user
        self.language = getattr(user, "language", "ja")
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        # room id → the highest seq this socket has delivered (for de-duplication)
        self.rooms: dict[int, int] = {}
        self.tokens = FRAME_BURST
        self.refilled_at = time.monotonic()
        await self.channel_layer.group_add(resident_group(user.pk), self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        resident = getattr(self, "resident", None)
        if resident is None:
            return
        groups = [resident_group(resident.pk), *(wire.room_group(room) for room in self.rooms)]
        self.rooms.clear()
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                # A layer that is down or saturated must not stop the others being left; a stale
                # member only costs queued events that expire (settings.CHANNEL_LAYERS).
                logger.warning("could not leave %s on disconnect", group)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """As Channels', but channel-layer events skip ``aclose_old_connections()``: it is a hop
        into the one database thread for every delivery, and deliveries make no query (measured
        in docs/benchmarks.md).  Client frames keep it."""
        if message["type"].startswith("websocket."):
            await aclose_old_connections()
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- frames from the client ---------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        with translation.override(self.language):
            if not self._take_token():
                if self.tokens < -ABUSE_DEBT:
                    await self.close(code=CLOSE_ABUSE)
                    return
                wait = math.ceil((1 - self.tokens) / FRAME_RATE)
                await self._error(
                    "rate_limited",
                    _("Too many frames. Please wait %(seconds)d seconds.") % {"seconds": wait},
                    retry_after=wait,
                )
                return
            if text_data is None:
                await self._error("invalid", _("Frames are JSON text, not binary."))
                return
            try:
                content = await self.decode_json(text_data)
            except ValueError:
                await self._error("invalid", _("The frame is not valid JSON."))
                return
            try:
                # Checked for the whole frame, so that no field of any frame type carries half
                # a character (a ``\ud800`` escape) to the database.
                refuse_lone_surrogates(content)
            except ServiceError as error:
                await self._service_error(error, **_answers(content))
                return
            await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self._error("invalid", _("Every frame is a JSON object with a “type”."))
            return
        handler = {
            "ping": self._ping,
            "subscribe": self._subscribe,
            "unsubscribe": self._unsubscribe,
            "send": self._send,
            "read": self._read,
        }.get(content["type"])
        if handler is None:
            await self._error(
                "invalid", _("Unknown frame type “%(type)s”.") % {"type": content["type"][:40]}
            )
            return
        await handler(content)

    async def _ping(self, content: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    async def _subscribe(self, content: dict[str, Any]) -> None:
        room_id, after = content.get("room"), content.get("after")
        if not is_id(room_id) or not (after is None or is_count(after)):
            await self._error(
                "invalid", _("subscribe needs “room” and “after” (a seq or null)."), room=room_id
            )
            return
        if room_id not in self.rooms and len(self.rooms) >= MAX_ROOMS_PER_SOCKET:
            await self._error("invalid", _("Too many rooms on one connection."), room=room_id)
            return
        try:
            membership = await database_sync_to_async(selectors.room_membership)(
                room_id=room_id, resident=self.resident
            )
        except ServiceError as error:
            await self._service_error(error, room=room_id)
            return
        # Join the group first, then read the database: a message stored in between arrives
        # both ways and the seq check below drops the second copy.
        await self.channel_layer.group_add(wire.room_group(room_id), self.channel_name)
        self.rooms[room_id] = after or 0
        catch_up = await database_sync_to_async(selectors.room_catch_up)(
            membership=membership, after=after
        )
        if catch_up.gap is not None:
            await self.send_json(
                {
                    "type": "gap",
                    "room": room_id,
                    "from_seq": catch_up.gap[0],
                    "to_seq": catch_up.gap[1],
                }
            )
        for message in catch_up.messages:
            await self.send(text_data=wire.dumps(wire.message_frame(message)))
        self.rooms[room_id] = max(self.rooms.get(room_id, 0), catch_up.last_seq)
        await self.send_json(
            {
                "type": "subscribed",
                "room": room_id,
                "last_seq": catch_up.last_seq,
                "unread": catch_up.unread,
            }
        )

    async def _unsubscribe(self, content: dict[str, Any]) -> None:
        room_id = content.get("room")
        if not is_id(room_id):
            await self._error("invalid", _("unsubscribe needs “room”."), room=room_id)
            return
        self.rooms.pop(room_id, None)
        await self.channel_layer.group_discard(wire.room_group(room_id), self.channel_name)

    async def _send(self, content: dict[str, Any]) -> None:
        room_id, client_id = content.get("room"), content.get("client_id")
        answer = {"room": room_id, "client_id": client_id}
        if not is_id(room_id) or not isinstance(content.get("body"), str):
            await self._error("invalid", _("send needs “room”, “client_id” and “body”."), **answer)
            return
        try:
            message, created = await database_sync_to_async(services.message_send)(
                room_id=room_id,
                author=self.resident,
                client_id=client_id,
                body=content["body"],
                reply_to=content.get("reply_to"),
            )
        except ServiceError as error:
            await self._service_error(error, **answer)
            return
        if not created or room_id not in self.rooms:
            # A repeated send is answered directly; so is a send to a room this socket has not
            # subscribed (the broadcast will not reach it).
            await self.send(text_data=wire.dumps(wire.message_frame(message)))

    async def _read(self, content: dict[str, Any]) -> None:
        room_id, seq = content.get("room"), content.get("seq")
        if not is_id(room_id) or not is_count(seq):
            await self._error("invalid", _("read needs “room” and “seq”."), room=room_id)
            return
        try:
            await database_sync_to_async(services.read_pointer_move)(
                room_id=room_id, resident=self.resident, seq=seq
            )
        except ServiceError as error:
            await self._service_error(error, room=room_id)

    # --- events from the channel layer ----------------------------------------------------------

    async def room_event(self, event: dict[str, Any]) -> None:
        """A message, edit or removal in a room: the text is already serialised."""
        room_id = event["room"]
        delivered = self.rooms.get(room_id)
        if delivered is None:
            return  # not subscribed (any more) on this socket
        seq = event.get("seq")
        if seq is not None:
            if seq <= delivered:
                return
            if seq > delivered + 1:
                # This broadcast overtook earlier ones (from another process, or a full channel
                # dropped them): send those first, from the database, so the client still sees
                # every seq once and in order.
                missing = await database_sync_to_async(selectors.message_frames_between)(
                    room_id=room_id, after=delivered, before=seq
                )
                for message in missing:
                    await self.send(text_data=wire.dumps(wire.message_frame(message)))
            self.rooms[room_id] = seq
        await self.send(text_data=event["text"])

    async def room_member_removed(self, event: dict[str, Any]) -> None:
        if event["resident"] != self.resident.pk:
            return
        room_id = event["room"]
        if self.rooms.pop(room_id, None) is not None:
            await self.channel_layer.group_discard(wire.room_group(room_id), self.channel_name)
            await self.send_json({"type": "unsubscribed", "room": room_id, "reason": "removed"})

    async def resident_frame(self, event: dict[str, Any]) -> None:
        """A frame for every socket of this resident (``unread``), already serialised."""
        await self.send(text_data=event["text"])

    async def notification_created(self, event: dict[str, Any]) -> None:
        await self.send_json(event["frame"])

    async def session_ended(self, event: dict[str, Any]) -> None:
        if event.get("session_key") in (None, self.session_key):
            await self.close()

    async def resident_deactivated(self, event: dict[str, Any]) -> None:
        await self.close()

    # --- helpers ------------------------------------------------------------------------------

    def _take_token(self) -> bool:
        """Spend one frame from the bucket; False when it is empty (the debt keeps growing
        while a client floods, so one that keeps going after being told is closed)."""
        now = time.monotonic()
        self.tokens = min(FRAME_BURST, self.tokens + (now - self.refilled_at) * FRAME_RATE)
        self.refilled_at = now
        self.tokens -= 1
        return self.tokens >= 0

    async def _error(self, code: str, detail: str, **answers: Any) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail, **answers})

    async def _service_error(self, error: ServiceError, **answers: Any) -> None:
        code = (
            error.code
            if error.code in PROTOCOL_ERROR_CODES
            else _CODE_FOR_STATUS.get(error.status, "invalid")
        )
        await self._error(code, error.message, **answers, **error.extra)


def _answers(content: Any) -> dict[str, Any]:
    """The ``room`` / ``client_id`` of a refused frame that an error frame can safely echo."""
    if not isinstance(content, dict):
        return {}
    answers = {"room": content.get("room")} if is_id(content.get("room")) else {}
    client_id = content.get("client_id")
    if isinstance(client_id, str) and len(client_id) <= 64 and client_id.isprintable():
        answers["client_id"] = client_id
    return answers
