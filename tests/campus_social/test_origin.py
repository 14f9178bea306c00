"""The websocket Origin check: this site's pages only, on the host and port it is served on."""

import pytest
from channels.db import database_sync_to_async

from campus_social.common.origin import websocket_origin_allowed
from tests.factories import ResidentFactory


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        ("http://localhost:8000", "localhost:8000", True),
        ("http://LOCALHOST:8000", "localhost:8000", True),
        ("http://127.0.0.1:41234", "127.0.0.1:41234", True),  # the browser tests' live server
        ("http://[::1]:8000", "[::1]:8000", True),
        ("https://localhost", "localhost", True),
        ("https://localhost:443", "localhost", True),
        ("http://localhost", None, True),  # no Host header: the default port of the scheme
        # the attack: another local service's page, same host, other port
        ("http://localhost:9999", "localhost:8000", False),
        ("http://localhost:9999", None, False),
        ("https://localhost:8443", "localhost", False),
        ("http://localhost:8000", "localhost:9999", False),
        # another host, even one in ALLOWED_HOSTS, is another origin
        ("http://127.0.0.1:8000", "localhost:8000", False),
        ("http://evil.example:8000", "evil.example:8000", False),  # not in ALLOWED_HOSTS
        ("http://evil.example", "localhost", False),
        (None, "localhost:8000", False),
        ("null", "localhost:8000", False),
        ("file://", "localhost:8000", False),
        ("http://user@localhost:8000", "localhost:8000", False),
        ("http://localhost:80x", "localhost:80x", False),
    ],
)
def test_an_origin_is_allowed_only_on_the_host_and_port_the_site_is_served_on(
    settings, origin, host, allowed
):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
    settings.WEBSOCKET_ALLOWED_ORIGINS = []

    assert websocket_origin_allowed(origin=origin, host=host) is allowed


def test_origins_listed_in_full_are_allowed_behind_a_proxy_that_rewrites_the_host(settings):
    settings.ALLOWED_HOSTS = ["campus.example.jp"]
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://campus.example.jp:8443"]

    assert websocket_origin_allowed(origin="https://campus.example.jp:8443", host="app:8000")
    assert not websocket_origin_allowed(origin="https://campus.example.jp:9443", host="app:8000")
    assert not websocket_origin_allowed(origin="https://other.example.jp:8443", host="app:8000")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("origin", "connects"), [(b"http://localhost:8000", True), (b"http://localhost:9999", False)]
)
async def test_the_asgi_application_refuses_a_page_on_another_port_of_the_same_host(
    origin, connects, websockets, session_cookie
):
    cookie = await session_cookie(await database_sync_to_async(ResidentFactory)())
    socket = websockets((b"host", b"localhost:8000"), (b"origin", origin), (b"cookie", cookie))
    connected, _code = await socket.connect()
    assert connected is connects
