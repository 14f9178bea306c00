import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from campus_social.identity.models import Resident
from tests.layer_events import queued_events
from tests.values import WEBSOCKET_ORIGIN

LISTENER = "test.chan"


@pytest.fixture
def generous_send_rate(settings):
    """Factory residents are all new accounts; tests that send many messages are not abusers.
    The rate-limit tests set the rates they need."""
    settings.MESSAGE_RATE = "1000/min"
    settings.MESSAGE_RATE_NEW_ACCOUNT = "1000/min"


@pytest.fixture
def channel_layer() -> Iterator[Any]:
    """The in-memory channel layer, empty before and after the test."""
    layer = get_channel_layer()
    async_to_sync(layer.flush)()
    yield layer
    async_to_sync(layer.flush)()


@pytest.fixture
def listen(channel_layer) -> Callable[[str], None]:
    """``listen(group)``: the test's channel joins a group (a room's or a resident's)."""

    def join(group: str) -> None:
        async_to_sync(channel_layer.group_add)(group, LISTENER)

    return join


@pytest.fixture
def heard(channel_layer) -> Callable[[], list[dict[str, Any]]]:
    """``heard()``: every event the test's channel has received so far, as protocol frames where
    the event carries one (``text`` or ``frame``), else the raw event."""

    def frames() -> list[dict[str, Any]]:
        out = []
        for event in queued_events(channel_layer, LISTENER):
            if "text" in event:
                out.append(json.loads(event["text"]))
            elif "frame" in event:
                out.append(event["frame"])
            else:
                out.append(event)
        return out

    return frames


@pytest.fixture
def resident_socket(
    websockets, session_cookie
) -> Callable[[Resident], Awaitable[WebsocketCommunicator]]:
    """``await resident_socket(resident)``: a websocket from this site's page, signed in as the
    resident and connected (and disconnected when the test ends, by ``websockets``)."""

    async def connect(resident: Resident) -> WebsocketCommunicator:
        socket = websockets(WEBSOCKET_ORIGIN, (b"cookie", await session_cookie(resident)))
        connected, _code = await socket.connect()
        assert connected
        return socket

    return connect
