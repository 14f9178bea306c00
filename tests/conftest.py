import pytest
from rest_framework.test import APIClient

from campus_social.identity.models import Resident
from tests.factories import CardFactory, ResidentFactory, make_city_staff


@pytest.fixture(autouse=True)
def _fast_pin_hashing(settings):
    """PBKDF2 at production strength makes every card check ~0.4 s; tests need no such cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
