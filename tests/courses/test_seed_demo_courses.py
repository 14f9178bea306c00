"""``manage.py seed_demo_courses``: the demo town's courses, after ``seed_demo``."""

import re
from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.utils import timezone

from campus_social.identity.management.commands import seed_demo
from campus_social.identity.models import Resident
from campus_social.safeguarding.selectors import resident_is_vetted
from courses import selectors, services
from courses.models import (
    Attendance,
    Completion,
    Course,
    Enrolment,
    Lecturer,
    Offering,
)

pytestmark = pytest.mark.django_db

HIRAGANA = re.compile(r"^[\u3041-\u309f\u30fc ]+$")


def seed_courses() -> str:
    out = StringIO()
    call_command("seed_demo_courses", "--no-progress", stdout=out)
    return out.getvalue()


def seed_town() -> None:
    call_command("seed_demo", "--no-progress", stdout=StringIO())


@pytest.fixture(scope="module")
def seeded(module_db, django_db_blocker) -> str:
    """The town and its courses, seeded once for the module; what the command printed.  Its tests
    only read (a test's own writes are rolled back, see ``module_db``); running the command
    again, or without the town, is in ``test_seed_demo_courses_runs.py``."""
    with django_db_blocker.unblock():
        seed_town()
        return seed_courses()


def persona(key: str) -> Resident:
    return Resident.objects.get(login_name=f"persona-{key}")


def test_seed_demo_courses_publishes_believable_offerings_in_the_towns_districts(seeded):
    output = seeded

    courses = list(Course.objects.all())
    assert 6 <= len(courses) <= 10
    assert len({course.category for course in courses}) >= 6
    assert all(HIRAGANA.match(course.title_kana) for course in courses)
    districts = {slug for slug, _name, _kana in seed_demo.DISTRICTS}
    published = list(Offering.objects.filter(status=Offering.Status.PUBLISHED))
    assert {offering.course_id for offering in published} == {course.pk for course in courses}
    for offering in published:
        assert offering.district.slug in districts
        starts = list(offering.sessions.values_list("starts_at", flat=True))
        assert 3 <= len(starts) <= 6
        assert all(b - a == timedelta(weeks=1) for a, b in pairwise(starts))
        assert offering.course.title in output

    now = timezone.now()
    upcoming = [o for o in published if o.first_session_at > now]
    assert all(o.first_session_at < now + timedelta(weeks=4) for o in upcoming)
    assert {o.fee_yen == 0 for o in upcoming} == {True, False}
    assert any(o.bears_credit for o in upcoming)
    needs_approval = next(o for o in upcoming if o.requires_approval)
    assert needs_approval.enrolments.filter(status=Enrolment.Status.PENDING).exists()
    full = next(o for o in upcoming if o.enrolments.filter(status="waitlisted").exists())
    assert full.enrolments.filter(status=Enrolment.Status.ENROLLED).count() == full.capacity
    for offering in upcoming:
        # Open for enrolment now, so a persona can try it.
        assert offering.enrolment_opens_at < now < offering.enrolment_closes_at


def test_one_offering_ended_last_month_with_attendance_completions_and_survey_answers(seeded):
    (ended,) = Offering.objects.filter(last_session_ends_at__lt=timezone.now())
    assert timezone.now() - timedelta(days=40) < ended.last_session_ends_at
    assert ended.completions_recorded_at is not None
    completed = Completion.objects.filter(offering=ended).count()
    assert 0 < completed < ended.enrolments.count()
    assert Attendance.objects.filter(session__offering=ended).exists()
    lecturer = ended.lecturers.get().resident
    summary = selectors.survey_summary(offering_id=ended.pk, actor=lecturer)
    assert not summary.withheld
    assert summary.responses >= selectors.SURVEY_MIN_RESPONSES


def test_the_lecturer_persona_teaches_with_a_current_vetting_record(seeded):
    lecturer = selectors.lecturer_of(persona("lecturer"))
    assert lecturer is not None
    assert lecturer.is_approved
    assert resident_is_vetted(lecturer.resident)
    taught = selectors.lecturer_offerings(actor=lecturer.resident)
    assert {o.status for o in taught} == {Offering.Status.PUBLISHED, Offering.Status.DRAFT}
    assert any(o.course.open_to_children for o in taught)
    assert Lecturer.objects.filter(status=Lecturer.Status.APPROVED).count() >= 3


def test_the_senior_completed_a_course_and_may_still_answer_its_survey(seeded):
    senior = persona("senior")

    (enrolment,) = selectors.my_enrolments(resident=senior)
    assert selectors.resident_has_completed(resident=senior, offering_id=enrolment.offering_id)
    services.survey_answer(resident=senior, offering_id=enrolment.offering_id, rating=5)


def test_the_guardian_personas_child_is_enrolled_in_a_course_for_children(seeded):
    (enrolment,) = selectors.my_enrolments(resident=persona("guardian"))
    assert enrolment.resident == persona("child")
    assert enrolment.status == Enrolment.Status.ENROLLED
    assert enrolment.offering.course.audience == "children"
