"""The public page that checks a credential."""

import pytest

from consortium.credentials import services
from tests.consortium.credentials.conftest import make_claim, use_test_key
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

PAGE = "/credentials/verify/"


@pytest.fixture(autouse=True)
def _key(settings):
    use_test_key(settings)
    settings.LANGUAGE_CODE = "en"


def _signed():
    resident = ResidentFactory()
    return services.achievement_credential_issue(
        resident=resident, claim=make_claim(resident.pk), source="credit-record:3"
    )


def test_anyone_opens_the_page(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "Check a credential" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_genuine_credential_is_confirmed_with_its_credit(client):
    body = client.post(PAGE, {"credential": _signed().token}).content.decode()
    assert "Genuine" in body
    assert "地域史演習" in body
    assert "港大学" in body


def test_a_tampered_credential_is_not_verified_and_says_why(client):
    header, payload, signature = _signed().token.split(".")
    response = client.post(PAGE, {"credential": f"{header}.{payload}x.{signature}"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Not verified" in body
    assert "地域史演習" not in body


def test_a_revoked_credential_shows_the_reason(client):
    signed = _signed()
    services.credential_revoke(actor=None, source="credit-record:3", reason="Grade corrected")
    body = client.post(PAGE, {"credential": signed.token}).content.decode()
    assert "not valid now" in body
    assert "Grade corrected" in body


def test_the_answer_comes_in_japanese_too(client, settings):
    settings.LANGUAGE_CODE = "ja"
    body = client.post(PAGE, {"credential": "not.a.credential"}).content.decode()
    assert "検証できません" in body


def test_an_empty_form_is_refused_beside_the_field(client):
    response = client.post(PAGE, {"credential": ""})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_too_many_checks_are_refused_with_429(client, settings):
    settings.CREDENTIAL_VERIFY_RATE = "1/min"
    client.post(PAGE, {"credential": "a.b.c"})
    response = client.post(PAGE, {"credential": "a.b.c"})
    assert response.status_code == 429
