"""The schools API: pupils for the school's coordinators, guardians' requests and answers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from campus_social.identity import services
from campus_social.identity.models import GuardianLink, Organisation
from tests.factories import (
    ChildFactory,
    GuardianLinkFactory,
    OrganisationFactory,
    ResidentFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return OrganisationFactory(slug="sakura-es", name="桜台小学校", kind=Organisation.Kind.SCHOOL)


@pytest.fixture
def coordinator(school):
    return RoleFactory(organisation=school, role="coordinator").resident


def pupil(coordinator, school, *, school_year=3, class_name="2組"):
    child = ChildFactory()
    services.school_pupil_add(
        actor=coordinator,
        school_id=school.pk,
        child_id=child.pk,
        birth_date=child.birth_date,
        school_year=school_year,
        class_name=class_name,
    )
    return child


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/schools/"),
        ("get", "/api/v1/schools/1/pupils/"),
        ("post", "/api/v1/schools/1/pupils/"),
        ("put", "/api/v1/schools/1/pupils/1/"),
        ("delete", "/api/v1/schools/1/pupils/1/"),
        ("post", "/api/v1/schools/1/pupils/1/guardians/"),
        ("get", "/api/v1/schools/1/guardian-requests/"),
        ("post", "/api/v1/schools/1/guardian-requests/"),
        ("post", "/api/v1/guardian-requests/1/confirm/"),
        ("post", "/api/v1/guardian-requests/1/decline/"),
        ("get", "/api/v1/me/guardian-requests/"),
        ("get", "/api/v1/children/1/school/"),
    ],
)
def test_every_school_route_refuses_anonymous_callers(method, path):
    response = getattr(APIClient(), method)(path, {}, format="json")
    assert response.status_code in (401, 403)


def test_a_coordinator_adds_a_pupil_and_lists_the_pupils_with_grade_and_guardians(
    coordinator, school, signed_in
):
    child = ChildFactory()
    guardian = GuardianLinkFactory(child=child).guardian
    client = signed_in(coordinator)

    added = client.post(
        f"/api/v1/schools/{school.pk}/pupils/",
        {"child": child.pk, "birth_date": str(child.birth_date), "school_year": 7},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    listed = client.get(f"/api/v1/schools/{school.pk}/pupils/", HTTP_ACCEPT_LANGUAGE="en")

    assert added.status_code == 201
    (row,) = listed.json()["results"]
    assert row == {
        "id": child.pk,
        "name": child.name,
        "given_name": child.given_name,
        "name_kana": child.name_kana,
        "school_year": 7,
        "grade": "Grade 7",
        "class_name": "",
        "guardians": [{"id": guardian.pk, "display_name": guardian.display_name}],
    }


def test_the_pupils_list_costs_the_same_queries_for_2_or_20_pupils(coordinator, school, signed_in):
    client = signed_in(coordinator)

    def count(n):
        for _ in range(n):
            GuardianLinkFactory(child=pupil(coordinator, school))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/schools/{school.pk}/pupils/")
        assert response.status_code == 200
        return len(queries)

    assert count(2) == count(18)


def test_a_resident_who_is_no_coordinator_is_refused_the_pupils(school, coordinator, signed_in):
    pupil(coordinator, school)
    response = signed_in(ResidentFactory()).get(f"/api/v1/schools/{school.pk}/pupils/")
    assert (response.status_code, response.json()["code"]) == (403, "not_a_coordinator")


def test_a_childs_school_is_404_to_anyone_but_the_family_and_the_school(
    coordinator, school, signed_in
):
    child = pupil(coordinator, school)
    guardian = GuardianLinkFactory(child=child).guardian

    mine = signed_in(guardian).get(f"/api/v1/children/{child.pk}/school/")
    other = signed_in(ResidentFactory()).get(f"/api/v1/children/{child.pk}/school/")

    assert mine.status_code == 200
    assert mine.json()["school"]["name"] == "桜台小学校"
    assert mine.json()["class_name"] == "2組"
    assert other.status_code == 404


def test_a_guardian_asks_and_the_coordinator_confirms_over_the_api(coordinator, school, signed_in):
    child = pupil(coordinator, school)
    guardian = ResidentFactory()

    asked = signed_in(guardian).post(
        f"/api/v1/schools/{school.pk}/guardian-requests/",
        {"child_number": str(child.pk), "birth_date": str(child.birth_date)},
        format="json",
    )
    waiting = signed_in(coordinator).get(f"/api/v1/schools/{school.pk}/guardian-requests/")
    confirmed = signed_in(coordinator).post(
        f"/api/v1/guardian-requests/{asked.json()['id']}/confirm/"
    )
    mine = signed_in(guardian).get("/api/v1/me/guardian-requests/")

    assert asked.status_code == 201
    assert [r["id"] for r in waiting.json()] == [asked.json()["id"]]
    assert confirmed.json()["status"] == "confirmed"
    assert mine.json()[0]["status"] == "confirmed"
    assert GuardianLink.objects.filter(guardian=guardian, child=child).exists()


def test_a_wrong_birth_date_answers_404_like_an_unknown_child(coordinator, school, signed_in):
    child = pupil(coordinator, school)
    wrong = child.birth_date.replace(year=child.birth_date.year - 1)

    response = signed_in(ResidentFactory()).post(
        f"/api/v1/schools/{school.pk}/guardian-requests/",
        {"child_number": str(child.pk), "birth_date": str(wrong)},
        format="json",
    )

    assert response.status_code == 404


def test_the_coordinator_links_a_guardian_directly_and_a_second_time_is_409(
    coordinator, school, signed_in
):
    child = pupil(coordinator, school)
    guardian = ResidentFactory()
    client = signed_in(coordinator)
    path = f"/api/v1/schools/{school.pk}/pupils/{child.pk}/guardians/"

    first = client.post(path, {"guardian": guardian.pk}, format="json")
    second = client.post(path, {"guardian": guardian.pk}, format="json")

    assert first.status_code == 201
    assert first.json() == {
        "child": child.pk,
        "guardian": {"id": guardian.pk, "display_name": guardian.display_name},
    }
    assert (second.status_code, second.json()["code"]) == (409, "already_linked")


def test_a_pupils_year_and_class_change_and_leaving(coordinator, school, signed_in):
    child = pupil(coordinator, school)
    client = signed_in(coordinator)
    path = f"/api/v1/schools/{school.pk}/pupils/{child.pk}/"

    changed = client.put(path, {"school_year": 4, "class_name": "1組"}, format="json")
    left = client.delete(path)
    gone = client.put(path, {"school_year": 4}, format="json")

    assert (changed.json()["school_year"], changed.json()["class_name"]) == (4, "1組")
    assert (left.status_code, gone.status_code) == (204, 404)
