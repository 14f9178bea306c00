"""The websocket endpoint through the real ASGI application (origin check, session auth)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from campus_social.asgi import application
from tests.factories import ResidentFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://localhost")


@database_sync_to_async
def _signed_in_cookie(**fields) -> bytes:
    resident = ResidentFactory(**fields)
    session = SessionStore()
    session[SESSION_KEY] = str(resident.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = resident.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


def _socket(*headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/v1/", headers=list(headers))


async def test_a_signed_in_resident_connects_and_ping_gets_pong():
    socket = _socket(ORIGIN, (b"cookie", await _signed_in_cookie()))
    connected, _code = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


async def test_an_anonymous_handshake_is_refused_without_a_frame():
    socket = _socket(ORIGIN)
    connected, _code = await socket.connect()
    assert not connected
    assert await socket.receive_nothing()
    await socket.disconnect()


@pytest.mark.parametrize("origin", [b"http://evil.example", None])
async def test_a_foreign_or_missing_origin_is_refused(origin):
    cookie = (b"cookie", await _signed_in_cookie())
    headers = [cookie] if origin is None else [(b"origin", origin), cookie]
    socket = _socket(*headers)
    connected, _code = await socket.connect()
    assert not connected
    await socket.disconnect()


async def test_unknown_and_malformed_frames_get_an_error_and_the_socket_stays_open():
    socket = _socket(ORIGIN, (b"cookie", await _signed_in_cookie(language="en")))
    await socket.connect()

    await socket.send_json_to({"type": "dance"})
    unknown = await socket.receive_json_from()
    await socket.send_to(text_data="{not json")
    malformed = await socket.receive_json_from()
    await socket.send_json_to(["type", "ping"])
    not_an_object = await socket.receive_json_from()
    await socket.send_to(bytes_data=b"\x00")
    binary = await socket.receive_json_from()

    for frame in (unknown, malformed, not_an_object, binary):
        assert frame["type"] == "error"
        assert frame["code"] == "invalid"
    assert "dance" in unknown["detail"]
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


async def test_error_frames_speak_the_residents_language():
    socket = _socket(ORIGIN, (b"cookie", await _signed_in_cookie(language="ja")))
    await socket.connect()
    await socket.send_json_to({"type": "dance"})
    frame = await socket.receive_json_from()
    assert "dance" in frame["detail"]
    assert "不明" in frame["detail"]
    await socket.disconnect()


async def test_a_deactivated_resident_cannot_connect():
    socket = _socket(ORIGIN, (b"cookie", await _signed_in_cookie(is_active=False)))
    connected, _code = await socket.connect()
    assert not connected
    await socket.disconnect()
