"""Registrars' systems: tokens a registrar makes and revokes, the Bearer authentication that
acts as the university (not a resident), the pending applications, decisions under the
registrars' rules naming the token, and the CSV with a token."""

import pytest
from rest_framework.test import APIClient

from campus_social.audit.models import AuditEvent
from consortium import services
from consortium.models import CreditApplication, CreditRecord, RegistrarSystemToken
from tests.consortium.builders import (
    agreement,
    apply,
    completed,
    ended_offering,
    registrar,
    university,
)
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/consortium/systems/applications/"


def _decision(application_id: int) -> str:
    return f"/api/v1/consortium/systems/applications/{application_id}/decision/"


def _system(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _pending(at, *, grading: str = "scale") -> CreditApplication:
    offering = ended_offering()
    values = {"grades": []} if grading == "pass_fail" else {}
    agreement(at, offering, grading=grading, **values)
    return apply(completed(offering), offering, at)


def _key(at, clerk=None) -> str:
    _token, key = services.system_token_create(
        actor=clerk or registrar(at), university_id=at.pk, name="教務システム"
    )
    return key


# --- Tokens ---------------------------------------------------------------------------------------


def test_a_registrar_makes_a_token_whose_key_is_shown_once_and_only_hashed(signed_in):
    minato = university()
    clerk = registrar(minato)
    client = signed_in(clerk)
    url = f"/api/v1/consortium/universities/{minato.pk}/tokens/"

    made = client.post(url, {"name": "教務システム"}, format="json")

    assert made.status_code == 201, made.json()
    key = made.json()["key"]
    prefix, _dot, secret = key.partition(".")
    token = RegistrarSystemToken.objects.get()
    assert token.key_prefix == prefix
    assert made.json()["key_prefix"] == prefix
    assert secret not in token.secret_hash
    assert len(token.secret_hash) == 64
    listed = client.get(url).json()["results"]
    assert [(t["name"], t["created_by"], t["revoked_at"]) for t in listed] == [
        ("教務システム", clerk.name, None)
    ]
    assert "key" not in listed[0]
    assert AuditEvent.objects.filter(
        action="consortium.system_token_created", actor_id=clerk.pk
    ).exists()


def test_a_token_without_a_name_answers_400_and_makes_nothing(signed_in):
    minato = university()
    client = signed_in(registrar(minato))
    url = f"/api/v1/consortium/universities/{minato.pk}/tokens/"

    for body in ({}, {"name": "  "}, {"name": "x" * 101}, {"name": 3}):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, body
        assert "name" in response.json()["fields"]
    assert not RegistrarSystemToken.objects.exists()


def test_only_the_universitys_registrars_manage_its_tokens(signed_in, api_client):
    minato, kita = university(), university(slug="kita-u", name="北大学")
    services.system_token_create(actor=registrar(minato), university_id=minato.pk, name="a")
    url = f"/api/v1/consortium/universities/{minato.pk}/tokens/"

    assert api_client.get(url).status_code == 401
    assert signed_in(ResidentFactory()).get(url).status_code == 403
    other = signed_in(registrar(kita))
    assert other.get(url).status_code == 404
    assert other.post(url, {"name": "b"}, format="json").status_code == 404
    token = RegistrarSystemToken.objects.get()
    assert other.post(f"{url}{token.pk}/revoke/").status_code == 404
    assert RegistrarSystemToken.objects.get().revoked_at is None


def test_a_revoked_token_is_refused(signed_in):
    minato = university()
    clerk = registrar(minato)
    _pending(minato)
    key = _key(minato, clerk)
    system = _system(key)
    assert system.get(QUEUE).status_code == 200
    token = RegistrarSystemToken.objects.get()
    url = f"/api/v1/consortium/universities/{minato.pk}/tokens/{token.pk}/revoke/"

    revoked = signed_in(clerk).post(url)

    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert system.get(QUEUE).status_code == 401
    assert signed_in(clerk).post(url).json()["code"] == "already_revoked"
    assert AuditEvent.objects.filter(action="consortium.system_token_revoked").count() == 1


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer nonsense", "Bearer abc.def", "Token x.y", "Device x.y"],
)
def test_unknown_keys_and_other_schemes_are_refused(header):
    minato = university()
    _key(minato)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    assert client.get(QUEUE).status_code == 401


def test_a_wrong_secret_with_a_real_prefix_is_refused():
    minato = university()
    key = _key(minato)
    prefix = key.partition(".")[0]

    assert _system(f"{prefix}.wrong").get(QUEUE).status_code == 401


def test_a_signed_in_resident_cannot_use_the_systems_routes(signed_in):
    minato = university()
    application = _pending(minato)
    clerk = signed_in(registrar(minato))

    assert clerk.get(QUEUE).status_code == 401
    response = clerk.post(_decision(application.pk), {"approve": False, "reason": "x"})
    assert response.status_code == 401


# --- The system's queue and decisions -------------------------------------------------------------


def test_the_system_lists_its_universitys_pending_applications_and_notes_its_use():
    minato, kita = university(), university(slug="kita-u", name="北大学")
    mine = _pending(minato)
    _pending(kita)

    listed = _system(_key(minato)).get(QUEUE)

    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == [mine.pk]
    assert listed.json()["results"][0]["shared_record"]["lecturer_grade"] == "A"
    assert RegistrarSystemToken.objects.get(university=minato).last_used_at is not None


def test_the_system_approves_and_the_decision_names_the_token():
    minato = university()
    application = _pending(minato)
    key = _key(minato)
    token = RegistrarSystemToken.objects.get()

    response = _system(key).post(
        _decision(application.pk), {"approve": True, "grade": "A"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    application.refresh_from_db()
    assert application.decided_by is None
    assert application.decided_by_token == token
    record = CreditRecord.objects.get()
    assert record.entered_by is None
    assert record.entered_by_token == token
    assert record.grade == "A"
    audited = AuditEvent.objects.get(action="consortium.application_approved")
    assert audited.actor_id is None
    assert audited.detail == {"token": token.pk}


def test_the_system_rejects_with_a_reason():
    minato = university()
    application = _pending(minato)

    response = _system(_key(minato)).post(
        _decision(application.pk), {"approve": False, "reason": "科目が重複"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["reason"] == "科目が重複"
    assert not CreditRecord.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"approve": True, "grade": "Z"}, 400, "invalid_grade"),
        ({"approve": True}, 400, "invalid_grade"),
        ({"approve": False}, 400, "reason_required"),
        ({"approve": "maybe"}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"approve": True, "grade": ["A"]}, 400, "invalid"),
    ],
)
def test_malformed_decisions_answer_400_and_change_nothing(body, status, code):
    minato = university()
    application = _pending(minato)

    response = _system(_key(minato)).post(_decision(application.pk), body, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    application.refresh_from_db()
    assert application.status == "pending"
    assert not CreditRecord.objects.exists()


def test_a_malformed_json_body_answers_400():
    minato = university()
    application = _pending(minato)

    response = _system(_key(minato)).post(
        _decision(application.pk), "{not json", content_type="application/json"
    )

    assert response.status_code == 400


def test_another_universitys_application_answers_404_and_is_audited():
    minato, kita = university(), university(slug="kita-u", name="北大学")
    theirs = _pending(kita)
    client = _system(_key(minato))

    response = client.post(_decision(theirs.pk), {"approve": True, "grade": "A"}, format="json")

    assert response.status_code == 404
    assert (
        client.post(_decision(999999), {"approve": True, "grade": "A"}, format="json").status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == "pending"
    assert AuditEvent.objects.filter(action="consortium.system_refused").count() == 1


def test_the_system_keeps_the_cap_and_a_withdrawn_application_is_refused():
    minato = university()
    clerk = registrar(minato)
    services.policy_set(
        actor=clerk,
        university_id=minato.pk,
        cap_credits="0.5",
        rounding="down",
        rounding_step="0.5",
    )
    over = _pending(minato)
    withdrawn = _pending(minato)
    services.credit_withdraw(actor=withdrawn.resident, application_id=withdrawn.pk)
    client = _system(_key(minato, clerk))

    capped = client.post(_decision(over.pk), {"approve": True, "grade": "A"}, format="json")
    gone = client.post(_decision(withdrawn.pk), {"approve": True, "grade": "A"}, format="json")

    assert (capped.status_code, capped.json()["code"]) == (409, "over_cap")
    assert (gone.status_code, gone.json()["code"]) == (409, "withdrawn")
    token = RegistrarSystemToken.objects.get()
    assert AuditEvent.objects.get(action="consortium.cap_refused").detail["token"] == token.pk
    assert AuditEvent.objects.get(action="consortium.decision_refused").detail["token"] == token.pk
    assert not CreditRecord.objects.exists()


def test_a_decided_application_answers_409():
    minato = university()
    application = _pending(minato)
    client = _system(_key(minato))
    client.post(_decision(application.pk), {"approve": False, "reason": "x"}, format="json")

    again = client.post(_decision(application.pk), {"approve": True, "grade": "A"}, format="json")

    assert (again.status_code, again.json()["code"]) == (409, "decided")


def test_the_queue_asks_a_fixed_number_of_queries(django_assert_max_num_queries):
    minato = university()
    client = _system(_key(minato))
    _pending(minato)
    with django_assert_max_num_queries(30) as one:
        assert client.get(QUEUE).status_code == 200
    for _more in range(3):
        _pending(minato)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(QUEUE).json()["results"]) == 4


# --- The CSV with a token -------------------------------------------------------------------------


def test_the_token_downloads_its_universitys_csv_only():
    minato, kita = university(), university(slug="kita-u", name="北大学")
    application = _pending(minato)
    client = _system(_key(minato))
    client.post(_decision(application.pk), {"approve": True, "grade": "A"}, format="json")

    mine = client.get(f"/api/v1/consortium/universities/{minato.pk}/records.csv")
    theirs = client.get(f"/api/v1/consortium/universities/{kita.pk}/records.csv")

    assert mine.status_code == 200
    row = mine.content.decode().splitlines()[1]
    assert ",system: 教務システム,system: 教務システム," in row
    assert theirs.status_code == 404


def test_the_bearer_scheme_is_in_the_openapi_description(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert schema["components"]["securitySchemes"]["registrarSystem"]["scheme"] == "bearer"
    assert schema["paths"][QUEUE]["get"]["security"] == [{"registrarSystem": []}]
    csv_security = schema["paths"]["/api/v1/consortium/universities/{university_id}/records.csv"][
        "get"
    ]["security"]
    assert {"registrarSystem": []} in csv_security
    assert {"session": []} in csv_security


def test_the_systems_routes_name_the_bearer_challenge():
    response = APIClient().get(QUEUE)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="consortium"'


def test_a_token_opens_no_other_route():
    minato = university()
    application = _pending(minato)
    system = _system(_key(minato))

    assert system.get(f"/api/v1/consortium/universities/{minato.pk}/queue/").status_code == 401
    assert system.get(f"/api/v1/consortium/universities/{minato.pk}/tokens/").status_code == 401
    decided = system.post(
        f"/api/v1/consortium/applications/{application.pk}/decision/",
        {"approve": True, "grade": "A"},
        format="json",
    )
    assert decided.status_code == 401
    assert system.get("/api/v1/me/").status_code == 401
