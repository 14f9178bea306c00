import re

import pytest
from django.core.management import call_command
from django.utils import translation

from campus_social.common.errors import Invalid
from campus_social.common.text import text_clean
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import DistrictFactory


@pytest.mark.django_db
def test_the_openapi_schema_is_served_as_json_when_asked(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/card/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]


@pytest.mark.django_db
def test_the_browsable_docs_load_their_assets_from_this_server(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "swagger-ui" in html


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert (tmp_path / "s.yml").read_text().startswith("openapi:")


@pytest.fixture(scope="module")
def schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_signed_in_operation_documents_its_errors_in_the_one_error_shape(schema):
    operation = schema["paths"]["/api/v1/circles/{circle_id}/threads/"]["post"]
    assert {"400", "401", "403", "404", "409", "413"} <= set(operation["responses"])
    error = operation["responses"]["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "detail"]


def test_the_card_login_documents_its_lock_and_rate_limit(schema):
    assert {"400", "401", "423", "429"} <= set(
        schema["paths"]["/api/v1/auth/card/"]["post"]["responses"]
    )


@pytest.mark.parametrize(
    ("path", "component"),
    [
        ("/api/v1/circles/{circle_id}/members/{resident_id}/", "RoleInputRequest"),
        (
            "/api/v1/circles/{circle_id}/threads/{thread_id}/replies/{reply_id}/",
            "ReplyInputRequest",
        ),
        ("/api/v1/sessions/{session_id}/", "SessionInputRequest"),
    ],
)
def test_patch_bodies_mark_required_what_the_server_requires(schema, path, component):
    body = schema["paths"][path]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": f"#/components/schemas/{component}"}
    assert schema["components"]["schemas"][component]["required"]
    assert not any(name.startswith("Patched") for name in schema["components"]["schemas"])


def test_a_shared_file_is_described_with_the_types_it_is_served_as(schema):
    content = schema["paths"]["/api/v1/circles/{circle_id}/resources/{resource_id}/file"]["get"][
        "responses"
    ]["200"]["content"]
    assert {"image/jpeg", "image/png", "application/pdf", "text/plain"} <= set(content)
    assert "application/octet-stream" not in content


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", ["abc", "-5", "0"])
def test_a_page_size_that_is_not_a_whole_number_of_at_least_one_answers_400(
    resident_api, page_size
):
    response = resident_api.get("/api/v1/circles/", {"page_size": page_size})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "page_size" in response.json()["fields"]


@pytest.mark.django_db
def test_an_unknown_api_route_answers_the_error_shape_not_a_page(resident_api):
    response = resident_api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_an_id_too_large_for_any_database_column_answers_404_not_500(resident_api):
    response = resident_api.get(f"/api/v1/rooms/{2**70}/messages/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def _property(schema: dict, component: str, name: str) -> dict:
    return schema["components"]["schemas"][component]["properties"][name]


@pytest.mark.parametrize(
    ("component", "name", "limits"),
    [
        ("OfferingCreateInputRequest", "capacity", {"minimum": 1, "maximum": 1000}),
        ("OfferingCreateInputRequest", "completion_percent", {"minimum": 1, "maximum": 100}),
        ("OfferingCreateInputRequest", "fee_yen", {"minimum": 0, "maximum": 1_000_000}),
        ("OfferingCreateInputRequest", "venue", {"minLength": 1, "maxLength": 200}),
        ("OfferingCopyInputRequest", "shift_days", {"minimum": 1, "maximum": 3650}),
        ("CourseInputRequest", "title", {"minLength": 1, "maxLength": 200}),
        ("CircleCreateInputRequest", "name", {"minLength": 1, "maxLength": 120}),
        ("CircleCreateInputRequest", "topics", {"minItems": 1}),
        ("ThreadInputRequest", "body", {"minLength": 1, "maxLength": 10000}),
        ("MessageSendInputRequest", "body", {"minLength": 1, "maxLength": 4000}),
    ],
)
def test_the_description_states_the_limits_the_services_apply(schema, component, name, limits):
    described = _property(schema, component, name)
    assert {key: described.get(key) for key in limits} == limits


def _enum(schema: dict, described: dict) -> list:
    if "$ref" in described:
        described = schema["components"]["schemas"][described["$ref"].rsplit("/", 1)[1]]
    return described["enum"]


def test_choices_are_described_as_the_values_the_services_take(schema):
    assert _enum(schema, _property(schema, "CourseInputRequest", "language")) == ["ja", "en"]
    assert _enum(schema, _property(schema, "LanguageInputRequest", "language")) == ["ja", "en"]
    assert _enum(schema, _property(schema, "RoleInputRequest", "role")) == ["moderator", "member"]
    assert set(_enum(schema, _property(schema, "CircleCreateInputRequest", "visibility"))) == {
        "open",
        "moderated",
        "invite_only",
    }
    operation = schema["paths"]["/api/v1/me/notification-preferences/{kind}/"]["put"]
    (kind,) = [p for p in operation["parameters"] if p["name"] == "kind"]
    assert "courses.enrolment" in kind["schema"]["enum"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("お茶会", True),
        ("  a  ", True),
        ("", False),
        ("   ", False),
        ("\u200b\u3000", False),  # nothing visible
        ("a\x00", False),
        ("a\x1b[31m", False),
        ("abc\u202egpj.exe", False),
        ("one\ntwo", False),
        ("one\u2028two", False),
    ],
)
def test_the_described_text_pattern_keeps_what_the_text_rule_keeps(schema, text, kept):
    pattern = _property(schema, "CircleCreateInputRequest", "name")["pattern"]
    assert bool(re.search(pattern, text)) is kept
    try:
        rule_keeps = bool(text_clean(text).strip())
    except Invalid:
        rule_keeps = False
    assert rule_keeps is kept


@pytest.mark.django_db
def test_a_blank_optional_filter_is_described_as_allowed_and_counts_as_absent(schema, resident_api):
    parameters = schema["paths"]["/api/v1/circles/"]["get"]["parameters"]
    described = {p["name"]: p.get("allowEmptyValue", False) for p in parameters}

    assert described["topic"] is True
    assert described["page"] is False  # ``?page=`` is refused: see the test above
    assert resident_api.get("/api/v1/circles/", {"topic": ""}).status_code == 200
    assert resident_api.get("/api/v1/offerings/", {"category": ""}).status_code == 200
    assert resident_api.get("/api/v1/circles/", {"topic": "nonsense"}).status_code == 400


@pytest.mark.django_db
def test_a_refused_number_keeps_the_services_message_in_the_residents_language(resident_api):
    lecturer = LecturerFactory(status="approved")
    resident_api.force_login(lecturer.resident)
    course = CourseFactory(owner=lecturer)
    body = {
        "course": course.pk,
        "venue": "公民館",
        "district": DistrictFactory().slug,
        "capacity": 0,
        "completion_percent": 0,
        "enrolment_opens_at": "2030-04-01T09:00:00+09:00",
        "enrolment_closes_at": "2030-04-20T09:00:00+09:00",
    }

    japanese = resident_api.post("/api/v1/offerings/", body, format="json")
    english = resident_api.post(
        "/api/v1/offerings/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert japanese.status_code == english.status_code == 400
    assert english.json()["fields"] == {
        "capacity": ["Places must be a whole number from 1 to 1000."],
        "completion_percent": ["Give a percentage from 1 to 100."],
    }
    with translation.override("ja"):
        in_japanese = translation.gettext("Places must be a whole number from 1 to 1000.")
    assert in_japanese != "Places must be a whole number from 1 to 1000."
    assert japanese.json()["fields"]["capacity"] == [in_japanese]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("/api/v1/courses/", "post", {"description": 0}, "description"),
        (
            "/api/v1/me/notification-preferences/courses.enrolment/",
            "put",
            {"in_app": True, "email": 0},
            "email",
        ),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_not_converted(
    resident_api, path, method, body, field
):
    response = getattr(resident_api, method)(path, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_an_empty_format_is_described_as_allowed_and_chooses_no_format(schema, resident_api):
    offering = OfferingFactory(status="published")
    parameters = schema["paths"]["/api/v1/offerings/{offering_id}/calendar.ics"]["get"][
        "parameters"
    ]

    assert [p.get("allowEmptyValue") for p in parameters if p["name"] == "format"] == [True]
    response = resident_api.get(f"/api/v1/offerings/{offering.pk}/calendar.ics", {"format": ""})
    assert response.status_code == 200
