import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campus_social.audit.models import AuditEvent
from campus_social.identity.models import Card, ReaderDevice, Resident, ResidentSession
from tests.factories import CardFactory, CityOfficeFactory, ResidentFactory
from tests.values import A_MY_NUMBER

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/card/"


def _csrf_client() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


def test_card_login_starts_a_session_and_me_returns_the_resident(carded_resident):
    client = _csrf_client()
    response = client.post(LOGIN, {"card_id": "CARD12345678", "pin": "2468"}, format="json")

    assert response.status_code == 200
    assert response.json()["id"] == carded_resident.pk
    assert "sessionid" in response.cookies
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["id"] == carded_resident.pk
    assert me.json()["age_band"] == "adult"


def test_after_login_unsafe_requests_need_the_csrf_cookie_in_the_header(carded_resident):
    client = _csrf_client()
    response = client.post(LOGIN, {"card_id": "CARD12345678", "pin": "2468"}, format="json")
    token = response.cookies["csrftoken"].value

    refused = client.post("/api/v1/auth/logout/")
    assert refused.status_code == 403
    accepted = client.post("/api/v1/auth/logout/", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert not ResidentSession.objects.exists()


def test_wrong_pin_answers_401_with_attempts_left(carded_resident, api_client):
    response = api_client.post(LOGIN, {"card_id": "CARD12345678", "pin": "1111"}, format="json")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "wrong_pin"
    assert body["attempts_left"] == 2
    assert body["detail"]


def test_third_wrong_pin_answers_423_and_then_the_right_pin_does_too(carded_resident, api_client):
    answers = [
        api_client.post(LOGIN, {"card_id": "CARD12345678", "pin": "1111"}, format="json")
        for _attempt in range(3)
    ]
    assert [a.status_code for a in answers] == [401, 401, 423]
    assert "市役所" in answers[2].json()["detail"]  # where to unlock it

    right = api_client.post(LOGIN, {"card_id": "CARD12345678", "pin": "2468"}, format="json")
    assert right.status_code == 423
    assert right.json()["code"] == "card_locked"


def test_login_errors_speak_japanese_by_default_and_english_when_asked(carded_resident, api_client):
    body = {"card_id": "CARD12345678", "pin": "1111"}
    japanese = api_client.post(LOGIN, body, format="json", HTTP_ACCEPT_LANGUAGE="ja")
    english = api_client.post(LOGIN, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert "暗証番号" in japanese.json()["detail"]
    assert "PIN" in english.json()["detail"]


def test_a_my_number_is_refused_and_never_reaches_the_audit_log(db, api_client):
    response = api_client.post(LOGIN, {"card_id": A_MY_NUMBER, "pin": "1234"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "my_number"
    assert A_MY_NUMBER not in response.content.decode()
    logged = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert A_MY_NUMBER not in logged
    assert AuditEvent.objects.get().detail == {"reason": "my_number"}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"card_id": "CARD12345678"}, "invalid"),
        ({"card_id": "X", "pin": "1234"}, "invalid_card_id"),
        ({"card_id": "CARD12345678", "pin": "12a4"}, "invalid_pin"),
        ({"card_id": "CARD12345678", "pin": "1234" * 10}, "invalid"),
    ],
)
def test_malformed_login_answers_400_with_a_message(db, api_client, body, code):
    response = api_client.post(LOGIN, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not ResidentSession.objects.exists()


def test_an_unknown_card_answers_401_with_where_to_register(db, api_client):
    response = api_client.post(LOGIN, {"card_id": "UNKNOWN00001", "pin": "1234"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "unknown_card"


def test_an_oversized_body_is_refused_with_413_before_parsing(db, api_client):
    huge = json.dumps({"card_id": "A" * (3 * 1024 * 1024), "pin": "1234"})
    response = api_client.post(LOGIN, huge, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_login_is_throttled_per_card(carded_resident, api_client, settings):
    statuses = [
        api_client.post(
            LOGIN,
            {"card_id": "CARD12345678", "pin": "1111"},
            format="json",
            REMOTE_ADDR=f"10.0.0.{attempt}",
        ).status_code
        for attempt in range(11)
    ]
    assert statuses[-1] == 429
    assert statuses[:3] == [401, 401, 423]


def test_one_address_serves_at_least_ten_residents_a_minute_then_is_throttled(db, api_client):
    for number in range(40):
        CardFactory(card_id=f"COUNTER{number:05d}", pin="2468")
    statuses = [
        APIClient()
        .post(LOGIN, {"card_id": f"COUNTER{number:05d}", "pin": "2468"}, format="json")
        .status_code
        for number in range(40)
    ]
    assert statuses[:10] == [200] * 10
    assert 429 in statuses
    throttled = APIClient().post(LOGIN, {"card_id": "COUNTER00000", "pin": "2468"}, format="json")
    assert throttled.json()["code"] == "rate_limited"
    assert throttled.json()["retry_after"] >= 1


def _logout_reasons() -> list[object]:
    return [
        event.detail.get("reason")
        for event in AuditEvent.objects.filter(action="logout").order_by("id")
    ]


def test_signing_in_with_another_card_on_a_signed_in_session_replaces_the_earlier_resident(
    carded_resident, django_capture_on_commit_callbacks
):
    other = CardFactory(card_id="OTHER0000001", pin="1357").resident
    client = _csrf_client()
    client.post(LOGIN, {"card_id": "CARD12345678", "pin": "2468"}, format="json")
    first_key = client.session.session_key
    token = client.cookies["csrftoken"].value

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            LOGIN,
            {"card_id": "OTHER0000001", "pin": "1357"},
            format="json",
            HTTP_X_CSRFTOKEN=token,
        )

    assert response.status_code == 200
    assert response.json()["id"] == other.pk
    assert client.get("/api/v1/me/").json()["id"] == other.pk
    assert client.session.session_key != first_key
    assert not ResidentSession.objects.filter(resident=carded_resident).exists()
    assert ResidentSession.objects.get(resident=other).session_key == client.session.session_key
    assert _logout_reasons() == ["replaced"]
    assert AuditEvent.objects.filter(action="login.succeeded").count() == 2


def test_signing_in_again_with_the_same_card_starts_a_fresh_session(carded_resident):
    client = _csrf_client()
    client.post(LOGIN, {"card_id": "CARD12345678", "pin": "2468"}, format="json")
    first_key = client.session.session_key
    token = client.cookies["csrftoken"].value

    response = client.post(
        LOGIN, {"card_id": "CARD12345678", "pin": "2468"}, format="json", HTTP_X_CSRFTOKEN=token
    )

    assert response.status_code == 200
    assert client.session.session_key != first_key
    assert list(
        ResidentSession.objects.filter(resident=carded_resident).values_list(
            "session_key", flat=True
        )
    ) == [client.session.session_key]
    assert _logout_reasons() == ["replaced"]
    assert AuditEvent.objects.filter(action="login.succeeded").count() == 2


def test_a_refused_second_sign_in_leaves_the_earlier_session_signed_in(carded_resident):
    CardFactory(card_id="OTHER0000001", pin="1357")
    client = _csrf_client()
    client.post(LOGIN, {"card_id": "CARD12345678", "pin": "2468"}, format="json")
    token = client.cookies["csrftoken"].value

    response = client.post(
        LOGIN, {"card_id": "OTHER0000001", "pin": "0000"}, format="json", HTTP_X_CSRFTOKEN=token
    )

    assert response.status_code == 401
    assert client.get("/api/v1/me/").json()["id"] == carded_resident.pk
    assert ResidentSession.objects.filter(resident=carded_resident).count() == 1


def test_my_sessions_lists_mine_and_ends_another_one(carded_resident):
    phone, kiosk = _csrf_client(), _csrf_client()
    for client, agent in ((phone, "Phone"), (kiosk, "Kiosk")):
        client.post(
            LOGIN, {"card_id": "CARD12345678", "pin": "2468"}, format="json", HTTP_USER_AGENT=agent
        )
    listed = phone.get("/api/v1/me/sessions/").json()
    assert {s["user_agent"]: s["current"] for s in listed} == {"Phone": True, "Kiosk": False}

    kiosk_id = next(s["id"] for s in listed if s["user_agent"] == "Kiosk")
    token = phone.cookies["csrftoken"].value
    assert (
        phone.delete(f"/api/v1/me/sessions/{kiosk_id}/", HTTP_X_CSRFTOKEN=token).status_code == 204
    )
    assert kiosk.get("/api/v1/me/").status_code == 401
    assert phone.get("/api/v1/me/").status_code == 200


def test_another_residents_session_answers_404(carded_resident, resident_api):
    CardFactory._meta.model  # noqa: B018 - the resident's card exists through the fixture
    client = APIClient()
    client.post(LOGIN, {"card_id": "CARD12345678", "pin": "2468"}, format="json")
    session_id = ResidentSession.objects.get(resident=carded_resident).pk

    assert resident_api.delete(f"/api/v1/me/sessions/{session_id}/").status_code == 404
    assert client.get("/api/v1/me/").status_code == 200


def test_my_sessions_list_costs_the_same_queries_for_many_sessions(resident_api, resident):
    """Guards against a query per session row."""
    expires = timezone.now() + timezone.timedelta(days=1)
    for number in range(15):
        ResidentSession.objects.create(
            resident=resident, session_key=f"k{number}", expires_at=expires
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        resident_api.get("/api/v1/me/sessions/")
    for number in range(15, 40):
        ResidentSession.objects.create(
            resident=resident, session_key=f"k{number}", expires_at=expires
        )
    with CaptureQueriesContext(connection) as many:
        assert len(resident_api.get("/api/v1/me/sessions/").json()) == 40
    assert len(many) == len(few)


def test_a_resident_chooses_english(resident_api, resident):
    response = resident_api.put("/api/v1/me/language/", {"language": "en"}, format="json")
    assert response.status_code == 204
    resident.refresh_from_db()
    assert resident.language == "en"
    assert (
        resident_api.put("/api/v1/me/language/", {"language": "fr"}, format="json").status_code
        == 400
    )


# --- staff -----------------------------------------------------------------------------------


STAFF_ROUTES = [
    ("get", "/api/v1/staff/residents/"),
    ("post", "/api/v1/staff/residents/"),
    ("get", "/api/v1/staff/residents/{resident}/"),
    ("get", "/api/v1/staff/residents/{resident}/cards/"),
    ("post", "/api/v1/staff/residents/{resident}/cards/"),
    ("post", "/api/v1/staff/cards/{card}/unlock/"),
    ("get", "/api/v1/staff/devices/"),
    ("post", "/api/v1/staff/devices/"),
    ("get", "/api/v1/staff/audit/"),
]


@pytest.mark.parametrize(("method", "path"), STAFF_ROUTES)
def test_staff_routes_refuse_residents_who_are_not_staff(
    resident_api, carded_resident, method, path
):
    card = Card.objects.get(resident=carded_resident)
    url = path.format(resident=carded_resident.pk, card=card.pk)
    response = getattr(resident_api, method)(url, {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert AuditEvent.objects.filter(action="permission.denied").exists()


def test_staff_register_a_resident_over_the_api(staff_api):
    response = staff_api.post(
        "/api/v1/staff/residents/",
        {"name": "鈴木 次郎", "birth_date": "1980-05-05", "card_id": "NEWCARD00009", "pin": "4321"},
        format="json",
    )
    assert response.status_code == 201
    resident = Resident.objects.get(pk=response.json()["id"])
    assert resident.name == "鈴木 次郎"
    assert "pin" not in response.json()


def test_staff_registration_errors_come_per_field(staff_api):
    response = staff_api.post(
        "/api/v1/staff/residents/",
        {"name": "鈴木 次郎", "birth_date": "2015-05-05", "card_id": A_MY_NUMBER, "pin": "4321"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"card_id", "guardian_card_id"}


def test_staff_unlock_a_card_over_the_api(staff_api, carded_resident):
    card = Card.objects.get(resident=carded_resident)
    Card.objects.filter(pk=card.pk).update(locked_at=timezone.now(), failed_pin_attempts=3)

    response = staff_api.post(f"/api/v1/staff/cards/{card.pk}/unlock/")

    assert response.status_code == 200
    assert response.json()["locked"] is False
    assert (
        APIClient()
        .post(LOGIN, {"card_id": "CARD12345678", "pin": "2468"}, format="json")
        .status_code
        == 200
    )


def test_staff_link_a_renewed_card_over_the_api(staff_api, carded_resident):
    url = f"/api/v1/staff/residents/{carded_resident.pk}/cards/"
    response = staff_api.post(url, {"card_id": "RENEWED00002", "pin": "8642"}, format="json")
    assert response.status_code == 201
    cards = staff_api.get(url).json()
    assert [c["retired_at"] is None for c in cards] == [True, False]


def test_unknown_resident_answers_404_to_staff(staff_api):
    assert staff_api.get("/api/v1/staff/residents/999999/").status_code == 404


def test_staff_resident_search_costs_the_same_queries_for_any_page_size(
    staff_api, django_assert_max_num_queries
):
    """Guards against a query per resident (the district)."""
    ResidentFactory.create_batch(30)
    with django_assert_max_num_queries(6):
        response = staff_api.get("/api/v1/staff/residents/?page_size=30")
    assert len(response.json()["results"]) == 30


@pytest.mark.parametrize("query", [A_MY_NUMBER, "1234 5678 9018", "１２３４５６７８９０１８"])
def test_staff_resident_search_refuses_a_my_number(staff_api, query):
    response = staff_api.get("/api/v1/staff/residents/", {"q": query})

    assert response.status_code == 400
    assert response.json()["code"] == "my_number"
    assert A_MY_NUMBER not in response.content.decode()
    assert not AuditEvent.objects.filter(action="resident.searched").exists()


def test_staff_register_a_reader_and_the_reader_authenticates(staff_api):
    CityOfficeFactory()
    response = staff_api.post(
        "/api/v1/staff/devices/",
        {"name": "中央公民館", "organisation": "city-office"},
        format="json",
    )
    assert response.status_code == 201
    key = response.json()["key"]

    device = APIClient().get("/api/v1/devices/me/", HTTP_AUTHORIZATION=f"Device {key}")
    assert device.status_code == 200
    assert device.json()["name"] == "中央公民館"
    assert "key" not in staff_api.get("/api/v1/staff/devices/").json()[0]

    staff_api.delete(f"/api/v1/staff/devices/{response.json()['id']}/")
    assert (
        APIClient().get("/api/v1/devices/me/", HTTP_AUTHORIZATION=f"Device {key}").status_code
        == 401
    )
    assert not ReaderDevice.objects.get().is_active


def test_a_resident_session_is_not_a_reader(resident_api):
    assert resident_api.get("/api/v1/devices/me/").status_code in (401, 403)


def test_reader_list_costs_the_same_queries_for_many_readers(
    staff_api, city_staff, django_assert_max_num_queries
):
    """Guards against a query per reader (its organisation)."""
    from campus_social.identity.services import reader_device_register

    CityOfficeFactory()
    for number in range(20):
        reader_device_register(
            actor=city_staff, name=f"reader {number}", organisation_slug="city-office"
        )
    with django_assert_max_num_queries(5):
        assert len(staff_api.get("/api/v1/staff/devices/").json()) == 20


def test_card_list_costs_the_same_queries_for_many_cards(
    staff_api, carded_resident, django_assert_max_num_queries
):
    """Guards against a query per card (7: session, resident, staff role twice, the resident,
    the audited look, the cards)."""
    for number in range(10):
        CardFactory(
            resident=carded_resident, card_id=f"OLDCARD{number:05d}", retired_at=timezone.now()
        )
    with django_assert_max_num_queries(7):
        response = staff_api.get(f"/api/v1/staff/residents/{carded_resident.pk}/cards/")
    assert len(response.json()) == 11
