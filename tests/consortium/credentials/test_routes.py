"""The credentials' public addresses and the verification API."""

import json

import pytest

from consortium.credentials import contexts, keys, services
from tests.consortium.credentials.conftest import make_claim
from tests.factories import ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("issuer_key")]

VERIFY = "/api/v1/credentials/verify/"


def _issued():
    resident = ResidentFactory()
    return services.achievement_credential_issue(
        resident=resident, claim=make_claim(resident.pk), source="credit-record:7"
    )


def test_anyone_verifies_a_genuine_credential(api_client):
    signed = _issued()

    response = api_client.post(VERIFY, {"credential": signed.token}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["genuine"] is True
    assert body["revoked"] is False
    assert body["reasons"] == []
    assert body["key_id"] == keys.signing_key().kid
    assert body["summary"]["credits"][0]["code"] == "LOC101"
    assert body["credential"]["id"] == signed.record.urn


def test_a_tampered_credential_fails_with_its_reason(api_client):
    header, payload, signature = _issued().token.split(".")
    tampered = ".".join(
        [header, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), signature]
    )

    body = api_client.post(VERIFY, {"credential": tampered}, format="json").json()

    assert body["valid"] is False
    assert body["genuine"] is False
    assert body["credential"] is None
    assert body["reasons"][0]["code"] in {"bad_signature", "malformed"}


def test_a_revoked_credential_answers_revoked_with_the_reason(api_client):
    signed = _issued()
    services.credential_revoke(actor=None, source="credit-record:7", reason="Withdrawn")

    body = api_client.post(VERIFY, {"credential": signed.token}, format="json").json()

    assert body["genuine"] is True
    assert body["revoked"] is True
    assert body["revocation_reason"] == "Withdrawn"
    assert [reason["code"] for reason in body["reasons"]] == ["revoked"]


def test_the_reasons_come_in_the_callers_language(api_client):
    body = api_client.post(
        VERIFY, {"credential": "a.b.c"}, format="json", HTTP_ACCEPT_LANGUAGE="ja"
    ).json()
    assert body["reasons"][0]["message"] != ""


def test_verify_without_a_credential_is_refused_with_the_field(api_client):
    response = api_client.post(VERIFY, {}, format="json")
    assert response.status_code == 400
    assert "credential" in response.json()["fields"]


def test_verification_is_rate_limited_per_address(api_client, settings):
    settings.CREDENTIAL_VERIFY_RATE = "2/min"
    for _ in range(2):
        assert api_client.post(VERIFY, {"credential": "x"}, format="json").status_code == 200
    response = api_client.post(VERIFY, {"credential": "x"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_the_issuer_profile_is_public(client):
    response = client.get("/credentials/issuer")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["id"] == "https://campus.example.jp/credentials/issuer"
    assert body["type"] == ["Profile"]
    assert body["jwks_uri"] == "https://campus.example.jp/credentials/jwks.json"


def test_the_public_keys_are_published(client):
    response = client.get("/credentials/jwks.json")
    assert response.status_code == 200
    published = response.json()["keys"]
    assert [key["kid"] for key in published] == [keys.signing_key().kid]
    assert "d" not in published[0]


def test_the_status_of_a_credential_is_public_and_shows_revocation(client):
    signed = _issued()
    address = f"/credentials/status/{signed.record.credential_id}"

    current = client.get(address)
    assert current.status_code == 200
    assert current["Cache-Control"] == "no-cache"
    assert current.json()["revokedCredentials"] == []
    assert current.json()["id"] == signed.credential["credentialStatus"]["id"]

    services.credential_revoke(actor=None, source="credit-record:7", reason="Withdrawn")
    revoked = client.get(address).json()["revokedCredentials"]
    assert revoked == [{"id": signed.record.urn, "revoked": True, "revocationReason": "Withdrawn"}]


def test_an_unknown_status_is_404(client):
    assert client.get("/credentials/status/00000000-0000-4000-8000-000000000000").status_code == 404


@pytest.mark.parametrize("url", list(contexts.CONTEXTS))
def test_every_context_a_credential_names_is_served_from_the_local_copy(client, url):
    name, file = contexts.CONTEXTS[url]
    response = client.get(f"/credentials/contexts/{name}")
    assert response.status_code == 200
    assert response.json() == json.loads((contexts.REFERENCE_DIR / file).read_text())


def test_an_unknown_context_is_404(client):
    assert client.get("/credentials/contexts/other.json").status_code == 404
    assert client.get("/credentials/contexts/..%2Fschema.py").status_code == 404


def test_the_public_documents_refuse_writes(client):
    assert client.post("/credentials/jwks.json").status_code == 405


@pytest.mark.parametrize("value", [12, ["a.b.c"], None, ""])
def test_verify_refuses_what_is_not_a_credential_string(api_client, value):
    response = api_client.post(VERIFY, {"credential": value}, format="json")
    assert response.status_code == 400
