import pytest
from django.core.management import call_command


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
