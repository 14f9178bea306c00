"""The lecturer's grade field on the roster: one per learner who completed, POST → service →
redirect with a status line; a grade too long is refused; nobody else grades."""

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Completion, Offering
from tests.courses.factories import LecturerFactory
from tests.courses.test_api import ended_offering, teacher
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def completion():
    offering = ended_offering()
    Offering.objects.filter(pk=offering.pk).update(completions_recorded_at=timezone.now())
    learner = ResidentFactory(name="山田 花子", language="en")
    return Completion.objects.create(
        offering=offering, resident=learner, sessions_attended=2, sessions_held=2
    )


def _roster(completion) -> str:
    return reverse("frontend:teach-roster", kwargs={"offering_id": completion.offering_id})


def _grade_url(completion) -> str:
    return reverse(
        "frontend:teach-completion-grade",
        kwargs={"offering_id": completion.offering_id, "completion_id": completion.pk},
    )


def test_the_roster_offers_a_grade_field_per_completed_learner(completion, signed_in_page):
    page = signed_in_page(teacher(completion.offering)).get(_roster(completion)).content.decode()

    assert f'id="grade-{completion.pk}"' in page
    assert 'maxlength="20"' in page
    assert _grade_url(completion) in page


def test_the_lecturer_saves_and_clears_a_grade(completion, signed_in_page):
    client = signed_in_page(teacher(completion.offering))

    saved = client.post(_grade_url(completion), {"grade": "合格"})
    assert saved.status_code == 302
    assert saved["Location"] == f"{_roster(completion)}#completion-{completion.pk}"
    page = client.get(saved["Location"]).content.decode()
    assert f"The grade of {completion.resident.display_name} is saved." in page
    assert 'value="合格"' in page
    completion.refresh_from_db()
    assert completion.grade == "合格"

    cleared = client.post(_grade_url(completion), {"grade": ""}, follow=True).content.decode()
    assert "is cleared." in cleared
    completion.refresh_from_db()
    assert completion.grade == ""


def test_a_grade_too_long_is_refused_with_the_reason(completion, signed_in_page):
    client = signed_in_page(teacher(completion.offering))

    page = client.post(_grade_url(completion), {"grade": "A" * 21}, follow=True).content.decode()

    assert "A grade is at most 20 characters" in page
    completion.refresh_from_db()
    assert completion.grade == ""


def test_the_grade_page_is_in_japanese_too(completion, signed_in_page, settings):
    settings.LANGUAGE_CODE = "ja"
    completion.resident.language = "ja"
    lecturer = teacher(completion.offering)
    lecturer.language = "ja"
    lecturer.save(update_fields=["language"])

    page = signed_in_page(lecturer).get(_roster(completion)).content.decode()

    assert "成績を保存" in page


@pytest.mark.parametrize("who", ["another lecturer", "the learner"])
def test_nobody_else_grades(completion, signed_in_page, who):
    person = LecturerFactory().resident if who == "another lecturer" else completion.resident

    response = signed_in_page(person).post(_grade_url(completion), {"grade": "A"})

    assert response.status_code == 404
    completion.refresh_from_db()
    assert completion.grade == ""


def test_anonymous_visitors_are_sent_to_sign_in(completion, client):
    response = client.post(_grade_url(completion), {"grade": "A"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))
    completion.refresh_from_db()
    assert completion.grade == ""
