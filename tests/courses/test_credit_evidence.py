"""What courses gives the consortium: a course's hours, a completion's grade and the evidence
of one resident's completion of one offering."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from campus_social.common.errors import Invalid, NotFound
from courses import selectors, services
from courses.models import Completion
from tests.courses.factories import LecturerFactory, OfferingFactory
from tests.factories import ResidentFactory, make_city_staff

pytestmark = pytest.mark.django_db

COURSE = {
    "title": "地域の歴史",
    "title_kana": "ちいきのれきし",
    "description": "町の歴史を学びます。",
    "category": "history",
    "level": "beginner",
    "audience": "adults",
}


def _completed(offering, resident, *, attended=9, held=10) -> Completion:
    return Completion.objects.create(
        offering=offering, resident=resident, sessions_attended=attended, sessions_held=held
    )


def test_a_course_declares_its_class_and_self_study_hours(signed_in):
    lecturer = LecturerFactory()
    client = signed_in(lecturer.resident)

    answer = client.post(
        "/api/v1/courses/", {**COURSE, "class_hours": 30, "self_study_hours": 60}, format="json"
    )

    assert answer.status_code == 201, answer.json()
    assert answer.json()["class_hours"] == 30
    assert answer.json()["self_study_hours"] == 60
    assert selectors.credit_course_get(course_id=answer.json()["id"]).study_hours == 90


def test_a_course_without_hours_declares_none(signed_in):
    answer = signed_in(LecturerFactory().resident).post("/api/v1/courses/", COURSE, format="json")

    assert answer.status_code == 201
    assert (answer.json()["class_hours"], answer.json()["self_study_hours"]) == (0, 0)


@pytest.mark.parametrize("hours", [-1, 1001, "many"])
def test_hours_that_are_not_a_whole_number_from_0_to_1000_are_refused(signed_in, hours):
    answer = signed_in(LecturerFactory().resident).post(
        "/api/v1/courses/", {**COURSE, "class_hours": hours}, format="json"
    )

    assert answer.status_code == 400
    assert "class_hours" in answer.json()["fields"]


def test_the_service_refuses_hours_out_of_range():
    lecturer = LecturerFactory()
    with pytest.raises(Invalid) as refusal:
        services.course_create(actor=lecturer.resident, **COURSE, self_study_hours=5000)
    assert "self_study_hours" in refusal.value.fields


def test_the_lecturer_grades_a_completion_and_it_is_audited():
    offering = OfferingFactory()
    completion = _completed(offering, ResidentFactory())

    services.completion_grade_set(
        actor=offering.course.owner.resident, completion_id=completion.pk, grade=" 合格 "
    )

    completion.refresh_from_db()
    assert completion.grade == "合格"
    assert completion.graded_at is not None
    event = AuditEvent.objects.get(action="courses.completion_graded")
    assert event.target_id == str(completion.pk)
    assert "合格" not in str(event.detail)


def test_city_staff_may_grade_and_clear_a_grade():
    completion = _completed(OfferingFactory(), ResidentFactory())
    staff = make_city_staff()

    services.completion_grade_set(actor=staff, completion_id=completion.pk, grade="A")
    services.completion_grade_set(actor=staff, completion_id=completion.pk, grade="")

    completion.refresh_from_db()
    assert (completion.grade, completion.graded_at) == ("", None)


def test_another_lecturer_or_the_learner_cannot_grade():
    learner = ResidentFactory()
    completion = _completed(OfferingFactory(), learner)

    for outsider in (LecturerFactory().resident, learner):
        with pytest.raises(NotFound):
            services.completion_grade_set(actor=outsider, completion_id=completion.pk, grade="A")

    completion.refresh_from_db()
    assert completion.grade == ""


def test_a_grade_longer_than_20_characters_is_refused():
    offering = OfferingFactory()
    completion = _completed(offering, ResidentFactory())

    with pytest.raises(Invalid) as refusal:
        services.completion_grade_set(
            actor=offering.course.owner.resident, completion_id=completion.pk, grade="A" * 21
        )

    assert refusal.value.code == "invalid_grade"
    completion.refresh_from_db()
    assert completion.grade == ""


def test_credit_evidence_shows_the_completion_grade_hours_and_dates():
    starts = timezone.now() - timedelta(days=40)
    offering = OfferingFactory(
        sessions=[starts, starts + timedelta(days=7)],
        bears_credit=True,
        term="2026 春",
        course__class_hours=20,
        course__self_study_hours=25,
    )
    learner = ResidentFactory()
    completion = _completed(offering, learner, attended=2, held=2)
    services.completion_grade_set(
        actor=offering.course.owner.resident, completion_id=completion.pk, grade="A"
    )

    evidence = selectors.credit_evidence(offering_id=offering.pk, resident_id=learner.pk)

    assert evidence is not None
    assert evidence.course.study_hours == 45
    assert evidence.course.title == offering.course.title
    assert (evidence.sessions_attended, evidence.sessions_held) == (2, 2)
    assert evidence.grade == "A"
    assert evidence.bears_credit is True
    assert evidence.term == "2026 春"
    assert evidence.starts_on == timezone.localdate(starts)
    assert evidence.ends_on == timezone.localdate(starts + timedelta(days=7, hours=2))


def test_there_is_no_evidence_without_a_completion():
    offering = OfferingFactory()

    assert (
        selectors.credit_evidence(offering_id=offering.pk, resident_id=ResidentFactory().pk) is None
    )


def test_the_course_form_takes_the_hours_and_refuses_negative_ones(signed_in_page):
    from django.urls import reverse

    from courses.models import Course

    client = signed_in_page(LecturerFactory().resident)
    form = {**COURSE, "language": "ja", "title": "俳句散歩"}

    refused = client.post(reverse("frontend:teach-course-new"), {**form, "class_hours": "-2"})
    assert refused.status_code == 400
    assert not Course.objects.filter(title="俳句散歩").exists()

    client.post(
        reverse("frontend:teach-course-new"),
        {**form, "class_hours": "20", "self_study_hours": "25"},
    )
    course = Course.objects.get(title="俳句散歩")
    assert (course.class_hours, course.self_study_hours) == (20, 25)
