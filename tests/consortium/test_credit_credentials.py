"""A learner's portable credentials from their credit: the signed Open Badges 3.0 credential of
one entry in force and the CLR of them all, downloaded through the API; who may download what;
and a correction revoking the credentials of the entry it replaced."""

import base64
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consortium import services
from consortium.credentials import schema
from consortium.credentials import selectors as credentials
from consortium.credentials.models import IssuedCredential
from consortium.models import CreditRecord
from tests.consortium.builders import (
    agreement,
    apply,
    completed,
    ended_offering,
    registrar,
    university,
)
from tests.consortium.credentials.conftest import use_test_key
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _issuer_key(settings) -> None:
    use_test_key(settings)


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _payload(token: str) -> dict:
    return json.loads(_unb64(token.split(".")[1]))


@pytest.fixture
def town():
    minato = university()
    first, second = registrar(minato), registrar(minato)
    offering = ended_offering()
    learner = completed(offering, ResidentFactory(name="山田 花子"))
    agreement(minato, offering, by=first)
    application = apply(learner, offering, minato)
    services.credit_decide(actor=first, application_id=application.pk, approve=True, grade="B")
    return {
        "minato": minato,
        "first": first,
        "second": second,
        "learner": learner,
        "offering": offering,
        "record": CreditRecord.objects.get(),
    }


def _credential_url(record: CreditRecord) -> str:
    return f"/api/v1/consortium/credit/{record.pk}/credential/"


CLR_URL = "/api/v1/consortium/credit/clr/"


@pytest.mark.parametrize("path", ["/api/v1/consortium/credit/1/credential/", CLR_URL])
def test_anonymous_callers_get_no_credential(api_client, path):
    assert api_client.get(path).status_code == 401


def test_my_credit_downloads_as_a_signed_credential_that_verifies(town, signed_in):
    response = signed_in(town["learner"]).get(_credential_url(town["record"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response["Content-Disposition"] == (
        f'attachment; filename="credit-{town["record"].pk}.jwt"'
    )
    assert response["Cache-Control"] == "private, no-store"
    token = response.content.decode()
    credential = _payload(token)
    assert schema.achievement_errors(credential) == []
    subject = credential["credentialSubject"]
    assert subject["id"] == credentials.learner_subject_id(resident_id=town["learner"].pk)
    assert subject["identifier"][0]["identityHash"] == "山田 花子"
    assert subject["achievement"]["humanCode"] == "LOC101"
    assert subject["achievement"]["name"] == "地域学入門"
    assert subject["achievement"]["creator"]["name"] == "みなと大学"
    assert town["offering"].course.title in subject["achievement"]["criteria"]["narrative"]
    assert "45 hours" in subject["achievement"]["criteria"]["narrative"]
    assert subject["creditsEarned"] == 1
    assert subject["result"][0]["value"] == "B"

    verification = credentials.credential_verify(token=token)
    assert verification.valid
    assert verification.summary["credits"][0]["grade"] == "B"
    issued = IssuedCredential.objects.get()
    assert issued.source == f"credit-record:{town['record'].pk}"
    assert issued.resident == town["learner"]


def test_a_tampered_download_is_not_genuine(town, signed_in):
    token = signed_in(town["learner"]).get(_credential_url(town["record"])).content.decode()
    header, payload, signature = token.split(".")
    credential = json.loads(_unb64(payload))
    credential["credentialSubject"]["result"][0]["value"] = "S"
    tampered = ".".join([header, _b64(json.dumps(credential).encode()), signature])

    verification = credentials.credential_verify(token=tampered)

    assert not verification.genuine
    assert "bad_signature" in [reason.code for reason in verification.reasons]


def test_downloading_again_gives_the_same_credential(town, signed_in):
    client = signed_in(town["learner"])
    first = _payload(client.get(_credential_url(town["record"])).content.decode())
    second = _payload(client.get(_credential_url(town["record"])).content.decode())

    assert first["id"] == second["id"]
    assert IssuedCredential.objects.count() == 1


def test_another_residents_credit_is_not_found(town, signed_in):
    response = signed_in(ResidentFactory()).get(_credential_url(town["record"]))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert not IssuedCredential.objects.exists()


def test_a_registrar_gets_no_learners_credential(town, signed_in):
    assert signed_in(town["first"]).get(_credential_url(town["record"])).status_code == 404


def test_an_unknown_record_is_not_found(town, signed_in):
    assert (
        signed_in(town["learner"]).get("/api/v1/consortium/credit/999999/credential/").status_code
        == 404
    )


def test_my_clr_bundles_all_my_credit_in_force(town, signed_in):
    other = ended_offering()
    agreement(town["minato"], other, by=town["first"], subject_code="LOC102")
    application = apply(completed(other, town["learner"]), other, town["minato"])
    services.credit_decide(
        actor=town["first"], application_id=application.pk, approve=True, grade="A"
    )

    response = signed_in(town["learner"]).get(CLR_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    token = response.content.decode()
    credential = _payload(token)
    assert "ClrCredential" in credential["type"]
    assert schema.clr_errors(credential) == []
    inner = credential["credentialSubject"]["verifiableCredential"]
    assert sorted(c["credentialSubject"]["result"][0]["value"] for c in inner) == ["A", "B"]
    assert credentials.credential_verify(token=token).valid


def test_no_clr_without_credit(signed_in):
    response = signed_in(ResidentFactory()).get(CLR_URL)

    assert response.status_code == 404
    assert not IssuedCredential.objects.exists()


def test_a_pending_application_is_no_credit(signed_in):
    minato = university()
    offering = ended_offering()
    agreement(minato, offering)
    learner = completed(offering)
    apply(learner, offering, minato)

    assert signed_in(learner).get(CLR_URL).status_code == 404


def test_downloads_ask_a_fixed_number_of_queries(
    town, signed_in, django_assert_num_queries, django_assert_max_num_queries
):
    client = signed_in(town["learner"])
    url = _credential_url(town["record"])
    client.get(url)  # the first download records the credential
    with django_assert_max_num_queries(30) as once:
        assert client.get(url).status_code == 200
    with django_assert_num_queries(len(once.captured_queries)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(40) as clr:
        assert client.get(CLR_URL).status_code == 200
    with django_assert_num_queries(len(clr.captured_queries)):
        assert client.get(CLR_URL).status_code == 200


def test_a_learners_whole_record_downloads_in_the_same_queries_however_many_credits(
    town, signed_in
):
    client = signed_in(town["learner"])
    client.get(CLR_URL)  # the first download issues each credit's own credential
    with CaptureQueriesContext(connection) as one_credit:
        assert client.get(CLR_URL).status_code == 200
    for code in ("LOC201", "LOC202"):
        offering = ended_offering()
        agreement(town["minato"], offering, by=town["first"], subject_code=code)
        application = apply(completed(offering, town["learner"]), offering, town["minato"])
        services.credit_decide(
            actor=town["first"], application_id=application.pk, approve=True, grade="A"
        )
    client.get(CLR_URL)
    with CaptureQueriesContext(connection) as three_credits:
        assert client.get(CLR_URL).status_code == 200

    assert len(three_credits) == len(one_credit)


# --- A correction revokes the corrected entry's credentials -------------------------------------


def _correct(town, grade: str = "A") -> CreditRecord:
    proposal = services.correction_propose(
        actor=town["first"],
        record_id=town["record"].pk,
        credits="1",
        grade=grade,
        reason="採点の誤り",
    )
    return services.correction_decide(actor=town["second"], record_id=proposal.pk, approve=True)


def test_a_correction_revokes_the_old_credential_and_a_new_download_gives_the_corrected_one(
    town, signed_in, client
):
    learner = signed_in(town["learner"])
    old_token = learner.get(_credential_url(town["record"])).content.decode()
    old_clr = learner.get(CLR_URL).content.decode()
    assert credentials.credential_verify(token=old_token).valid

    settled = _correct(town)

    old = credentials.credential_verify(token=old_token)
    assert old.genuine
    assert old.revoked
    assert old.revocation_reason == "corrected"
    assert "revoked" in [
        reason.code for reason in credentials.credential_verify(token=old_clr).reasons
    ]
    # The verify page says so.
    page = client.post("/credentials/verify/", {"credential": old_token}).content.decode()
    assert "発行者がこの証明書を取り消しました。 (corrected)" in page
    # The corrected entry replaced the old one: its address is gone; the new one is in force.
    assert learner.get(_credential_url(town["record"])).status_code == 404
    response = learner.get(_credential_url(settled))
    assert response.status_code == 200
    new = credentials.credential_verify(token=response.content.decode())
    assert new.valid
    assert new.summary["credits"][0]["grade"] == "A"
    assert new.credential["id"] != old.credential["id"]
    revoked = IssuedCredential.objects.get(
        source=f"credit-record:{town['record'].pk}", kind="achievement"
    )
    assert revoked.revocation_reason == "corrected"


def test_a_refused_correction_revokes_nothing(town, signed_in):
    client = signed_in(town["learner"])
    token = client.get(_credential_url(town["record"])).content.decode()
    proposal = services.correction_propose(
        actor=town["first"],
        record_id=town["record"].pk,
        credits="1",
        grade="A",
        reason="採点の誤り",
    )
    services.correction_decide(actor=town["second"], record_id=proposal.pk, approve=False)

    assert credentials.credential_verify(token=token).valid
    assert client.get(_credential_url(town["record"])).status_code == 200


def test_a_client_asking_only_for_vc_jwt_gets_it_and_errors_stay_json(town, signed_in):
    client = signed_in(town["learner"])

    found = client.get(_credential_url(town["record"]), HTTP_ACCEPT="application/vc+jwt")
    missing = client.get(
        "/api/v1/consortium/credit/999999/credential/", HTTP_ACCEPT="application/vc+jwt"
    )

    assert (found.status_code, found["Content-Type"]) == (200, "application/vc+jwt")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json")
    assert missing.json()["code"] == "not_found"
