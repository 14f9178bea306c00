"""The lecturer's grade through the API: ``PUT /api/v1/completions/{id}/grade/`` and the grades
in the offering's completions list."""

import pytest
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from courses.models import Completion, Offering
from tests.courses.factories import LecturerFactory
from tests.courses.test_api import ended_offering, teacher
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def completion():
    offering = ended_offering()
    Offering.objects.filter(pk=offering.pk).update(completions_recorded_at=timezone.now())
    return Completion.objects.create(
        offering=offering, resident=ResidentFactory(), sessions_attended=2, sessions_held=2
    )


def _url(completion) -> str:
    return f"/api/v1/completions/{completion.pk}/grade/"


def test_anonymous_callers_are_refused(api_client):
    assert api_client.put("/api/v1/completions/1/grade/", {"grade": "A"}).status_code == 401


def test_the_lecturer_grades_changes_and_clears(completion, signed_in):
    client = signed_in(teacher(completion.offering))

    graded = client.put(_url(completion), {"grade": "合格"}, format="json")
    assert graded.status_code == 200
    body = graded.json()
    assert (body["id"], body["grade"]) == (completion.pk, "合格")
    assert body["graded_at"] is not None
    assert body["resident"]["id"] == completion.resident_id
    listed = client.get(f"/api/v1/offerings/{completion.offering_id}/completions/").json()
    assert [(row["id"], row["grade"]) for row in listed] == [(completion.pk, "合格")]

    cleared = client.put(_url(completion), {"grade": ""}, format="json").json()
    assert (cleared["grade"], cleared["graded_at"]) == ("", None)
    completion.refresh_from_db()
    assert completion.grade == ""
    assert AuditEvent.objects.filter(action="courses.completion_graded").count() == 2


def test_a_grade_over_20_characters_is_refused(completion, signed_in):
    response = signed_in(teacher(completion.offering)).put(
        _url(completion), {"grade": "A" * 21}, format="json"
    )

    assert response.status_code == 400
    assert "grade" in response.json()["fields"]
    completion.refresh_from_db()
    assert completion.grade == ""


def test_a_missing_grade_is_refused(completion, signed_in):
    response = signed_in(teacher(completion.offering)).put(_url(completion), {}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["another lecturer", "the learner", "a resident"])
def test_nobody_else_grades(completion, signed_in, who):
    person = {
        "another lecturer": lambda: LecturerFactory().resident,
        "the learner": lambda: completion.resident,
        "a resident": ResidentFactory,
    }[who]()

    response = signed_in(person).put(_url(completion), {"grade": "A"}, format="json")

    assert response.status_code == 404
    completion.refresh_from_db()
    assert completion.grade == ""


def test_an_unknown_completion_is_not_found(completion, signed_in):
    response = signed_in(teacher(completion.offering)).put(
        "/api/v1/completions/999999/grade/", {"grade": "A"}, format="json"
    )
    assert response.status_code == 404
