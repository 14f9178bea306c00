import asyncio
import copy
import functools
import os
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.test import Client, override_settings
from rest_framework.test import APIClient

from campus_social.identity.models import Resident
from tests.factories import CardFactory, ResidentFactory, make_city_staff

FAST_PIN_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_pin_hashing(settings):
    """PBKDF2 at production strength makes every card check ~0.4 s; tests need no such cost."""
    settings.PASSWORD_HASHERS = FAST_PIN_HASHERS


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker) -> Iterator[None]:
    """A transaction around a whole test module, for data that all its tests read (the demo town
    takes seconds to seed; once per module instead of once per test).

    A module-scoped fixture requests this, then writes inside ``django_db_blocker.unblock()``.
    Each test still runs in its own savepoint inside this transaction (pytest-django's ``db``), so
    a test that writes leaves the shared data as it found it; after the module's last test the
    whole transaction is rolled back, so nothing leaks into other modules.  The same on SQLite and
    PostgreSQL.  Only for modules whose every test may see the data: a test that needs an empty
    database, or a fresh seed, lives in another module.
    """
    with django_db_blocker.unblock():
        # The function-scoped ``_fast_pin_hashing`` is not active yet while the module's data is
        # built, and the demo town hashes a PIN for each of its hundreds of cards.
        hashers = override_settings(PASSWORD_HASHERS=FAST_PIN_HASHERS)
        hashers.enable()
        module_transaction = transaction.atomic()
        module_transaction.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            module_transaction.__exit__(None, None, None)
            hashers.disable()


# --- one run per pytest-xdist worker -----------------------------------------------------------
# ``make test-unit`` runs the suite in parallel worker processes (pytest-xdist, ``-n auto``).
# Each worker has a test database of its own (pytest-django: SQLite in each process's memory,
# ``test_<name>_gw0``, ``test_<name>_gw1`` … on PostgreSQL).  What the workers would otherwise
# share is set apart here: the keys in Redis (cache and channel layer) and the media folder.

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# Every Redis key of this worker starts with it: the cache's ``cs-gw0:1:<key>``, the channel
# layer's ``cs-gw0:specific.…`` and ``cs-gw0::group:…``.  The colon keeps ``gw1`` clear of ``gw10``.
REDIS_NAMESPACE = f"cs-{WORKER}:"


def _per_worker_settings() -> dict[str, Any]:
    if not django_settings.REDIS_URL:
        return {}  # locmem cache and in-memory channel layer: already one per process
    caches = copy.deepcopy(django_settings.CACHES)
    caches["default"]["KEY_PREFIX"] = REDIS_NAMESPACE.removesuffix(":")
    layers = copy.deepcopy(django_settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["prefix"] = REDIS_NAMESPACE
    return {"CACHES": caches, "CHANNEL_LAYERS": layers}


def pytest_configure(config: pytest.Config) -> None:
    # For the whole run, before any test or module fixture reaches the cache or the layer
    # (Django and Channels drop their cached connections when these settings change).
    overrides = _per_worker_settings()
    if overrides:
        override_settings(**overrides).enable()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test has an id of its own, or pytest-xdist runs only one of those sharing it.

    Schemathesis names each operation's test ``…[POST /api/v1/offerings/]``, but on pytest 9.2
    its items' ids lose that suffix (pytest now builds an id from a parametrisation, which
    Schemathesis does not use), so all 115 shared one id and the workers ran one of them.  The
    operation is put back into the id; any other clash stops the run rather than drop tests.
    """
    for item in items:
        label = getattr(item, "operation_label", None)  # a Schemathesis item
        if label and not item.nodeid.endswith("]"):
            item._id = item._id.with_params(label)  # pytest has no public setter
    clashes = sorted(
        nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1
    )
    if clashes:
        raise pytest.UsageError(f"Tests share an id, so some would not run: {clashes[:5]}")


@pytest.fixture(scope="session", autouse=True)
def _media_of_this_worker(tmp_path_factory) -> Iterator[None]:
    """Uploads (pictures, lecturer photos, circle documents) go to a folder of this worker's own
    under pytest's temporary directory, not into ``var/media``; tests that look at the files set
    their own ``MEDIA_ROOT`` as before."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


def _clear_cache() -> None:
    from django.core.cache import cache

    if not django_settings.REDIS_URL:
        cache.clear()
        return
    # ``cache.clear()`` on Redis is FLUSHDB: it would empty the other workers' keys mid-test
    # (their throttle counters, their channel layer's queued events).  This worker's keys only.
    client = _redis()
    keys = list(client.scan_iter(match=f"{REDIS_NAMESPACE}*", count=1000))
    if keys:
        client.unlink(*keys)


@functools.cache
def _redis() -> Any:
    import redis

    return redis.Redis.from_url(django_settings.REDIS_URL)


@pytest.fixture(autouse=True)
def _channel_layer_of_this_test() -> Iterator[None]:
    """Each test gets channel-layer objects of its own.  Channels keeps one per process, and
    the Redis layer holds asyncio locks for its receivers (per channel, across its sockets) that
    belong to the event loop that used them: a lock a consumer of one test's loop still held when
    that loop closed made a socket of a later test fail ("Lock … is bound to a different event
    loop"), seen once in five parallel PostgreSQL + Redis runs."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; each test starts with none."""
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def resident(db) -> Resident:
    return ResidentFactory()


@pytest.fixture
def city_staff(db) -> Resident:
    return make_city_staff(name="市役所 職員", given_name="職員")


@pytest.fixture
def resident_api(api_client, resident) -> APIClient:
    """An API client signed in as ``resident`` (CSRF checks on, as for a browser)."""
    api_client.force_login(resident)
    return api_client


@pytest.fixture
def staff_api(city_staff) -> APIClient:
    client = APIClient()
    client.force_login(city_staff)
    return client


@pytest.fixture
def carded_resident(db):
    """A resident with card ``CARD12345678`` and PIN ``2468``."""
    card = CardFactory(card_id="CARD12345678", pin="2468")
    return card.resident


# --- signing in ---------------------------------------------------------------------------------


@pytest.fixture
def signed_in() -> Callable[[Resident], APIClient]:
    """``signed_in(resident)``: a new API client signed in as ``resident`` (as many as a test
    needs, one per resident)."""

    def sign_in(resident: Resident) -> APIClient:
        client = APIClient()
        client.force_login(resident)
        return client

    return sign_in


@pytest.fixture
def signed_in_page() -> Callable[[Resident], Client]:
    """``signed_in_page(resident)``: a new page (browser-like) client signed in as ``resident``."""

    def sign_in(resident: Resident) -> Client:
        client = Client()
        client.force_login(resident)
        return client

    return sign_in


def _session_cookie(resident: Resident) -> bytes:
    session = SessionStore()
    session[SESSION_KEY] = str(resident.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = resident.get_session_auth_hash()
    session.create()
    return f"{django_settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


@pytest.fixture
def session_cookie() -> Callable[[Resident], Awaitable[bytes]]:
    """``await session_cookie(resident)``: a ``cookie`` header value for a session signed in as
    ``resident``, for websocket handshakes (stored directly, as a browser's sign-in would)."""
    return database_sync_to_async(_session_cookie)


# --- websockets ---------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def websockets() -> AsyncIterator[Callable[..., WebsocketCommunicator]]:
    """``websockets(*headers, path="/ws/v1/")``: a communicator to the real ASGI application.

    Every one is disconnected when the test ends, pass or fail, so no consumer outlives its test
    (and its database, which a ``transaction=True`` test empties afterwards).
    """
    from campus_social.asgi import application

    opened: list[WebsocketCommunicator] = []

    def open_socket(*headers: tuple[bytes, bytes], path: str = "/ws/v1/") -> WebsocketCommunicator:
        socket = WebsocketCommunicator(application, path, headers=list(headers))
        opened.append(socket)
        return socket

    try:
        yield open_socket
    finally:
        # A consumer that has already stopped (closed by the server, or disconnected by the test)
        # needs nothing more; one that fails to stop does not keep the others open.
        outcomes = await asyncio.gather(
            *(socket.disconnect() for socket in opened if not socket.future.done()),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome


# --- search ---------------------------------------------------------------------------------------


class _SearchDown:
    """A search engine that cannot be reached (Elasticsearch lies outside the project): every
    call fails as the Elasticsearch backend does when its cluster is down."""

    def _unavailable(self, *args: Any, **kwargs: Any) -> Any:
        from campus_social.search.backends import SearchUnavailable

        raise SearchUnavailable()

    search = suggest = index = remove = rebuild = _unavailable


@pytest.fixture
def search_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Search answers ``SearchUnavailable`` (503) from here on, for the rest of the test."""
    from campus_social.search import services

    monkeypatch.setattr(services, "backend", _SearchDown)
