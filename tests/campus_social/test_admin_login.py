"""Operators' password sign-in to the admin site: throttled like card sign-in, and audited."""

import pytest
from django.test import Client

from campus_social.audit.models import AuditEvent
from campus_social.identity.models import Resident
from tests.factories import CardFactory

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "a-long-operator-passphrase-for-tests"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def operator() -> Resident:
    return Resident.objects.create_superuser(
        "operator", PASSWORD, name="運用 担当", given_name="担当"
    )


def _try(client: Client, password: str, *, address: str = "10.1.1.1", name: str = "operator"):
    return client.post(ADMIN_LOGIN, {"username": name, "password": password}, REMOTE_ADDR=address)


def test_an_operator_signs_in_to_the_admin_and_it_is_audited(operator):
    client = Client()

    response = _try(client, PASSWORD)

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    event = AuditEvent.objects.get(action="login.succeeded")
    assert event.actor_id == operator.pk
    assert event.detail == {"via": "admin"}


def test_a_wrong_password_is_refused_and_audited(operator):
    response = _try(Client(), "not-the-password")

    assert response.status_code == 200
    assert "The login name or the password is not correct." in response.content.decode()
    assert AuditEvent.objects.filter(action="login.wrong_password").count() == 1


def test_forty_rapid_admin_sign_in_tries_are_throttled_per_login_name(operator):
    client = Client()
    pages = [
        _try(client, f"guess-{number}", address=f"10.2.0.{number}").content.decode()
        for number in range(40)
    ]

    throttled = [page for page in pages if "Too many sign-in attempts" in page]
    assert len(throttled) == 30  # 10 a minute per login name, as per card
    assert AuditEvent.objects.filter(action="login.wrong_password").count() == 10
    # Even the right password waits now.
    assert _try(client, PASSWORD, address="10.2.1.1").status_code == 200
    assert not AuditEvent.objects.filter(action="login.succeeded").exists()
    assert AuditEvent.objects.filter(action="login.rate_limited").count() == 31


def test_one_address_trying_many_login_names_is_throttled_with_card_sign_ins(operator):
    for number in range(20):
        CardFactory(card_id=f"COUNTER{number:05d}", pin="2468")
        Client().post(
            "/api/v1/auth/card/",
            {"card_id": f"COUNTER{number:05d}", "pin": "2468"},
            content_type="application/json",
            REMOTE_ADDR="10.3.0.1",
        )
    pages = [
        _try(Client(), "guess", name=f"name{number}", address="10.3.0.1").content.decode()
        for number in range(20)
    ]

    # 30 a minute per address, card and password sign-ins counted together
    assert ["Too many sign-in attempts" in page for page in pages] == [False] * 10 + [True] * 10
