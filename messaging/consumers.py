"""The websocket endpoint ``/ws/v1/`` speaking protocol v1 (``../shared/PROTOCOL.md``).

The consumer is thin: it refuses anonymous handshakes, answers ``ping``, and answers every frame
it cannot act on with an ``error`` frame while keeping the socket open.  Room frames
(``subscribe``, ``send``, ``read``…) arrive with the messaging issue.
"""

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext as _


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Closing before accept refuses the handshake: the client gets no frame at all.
            await self.close()
            return
        self.language = getattr(user, "language", "ja")
        await self.accept()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        with translation.override(self.language):
            if not isinstance(content, dict) or not isinstance(content.get("type"), str):
                await self._error("invalid", _("Every frame is a JSON object with a “type”."))
                return
            if content["type"] == "ping":
                await self.send_json({"type": "pong"})
                return
            await self._error(
                "invalid",
                _("Unknown frame type “%(type)s”.") % {"type": content["type"][:40]},
            )

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            with translation.override(self.language):
                await self._error("invalid", _("Frames are JSON text, not binary."))
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            with translation.override(self.language):
                await self._error("invalid", _("The frame is not valid JSON."))
            return
        await self.receive_json(content)

    async def _error(self, code: str, detail: str, **answers: Any) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail, **answers})
