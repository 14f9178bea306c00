import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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
