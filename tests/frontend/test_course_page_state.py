"""The course pages say what the services decide (issue #10 §3): one answer to "has it ended?",
to "what is my place?" and to "may I enrol?", from ``offering_enrolment_state``.  Each test is a
symptom a resident saw while the pages re-derived those rules."""

from datetime import timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Attendance, Audience, Offering, Session
from tests.courses.factories import CourseFactory, LecturerFactory, OfferingFactory
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(settings):
    settings.LANGUAGE_CODE = "en"


def _page(response) -> str:
    return response.content.decode()


def _url(offering, name="frontend:offering") -> str:
    return reverse(name, kwargs={"offering_id": offering.pk})


def _ended_and_completed(learner, *, capacity=5) -> Offering:
    """An offering the learner took and completed: the last session ended a week ago and the
    completions were recorded today."""
    offering = OfferingFactory(capacity=capacity)
    services.enrolment_create(actor=learner, offering_id=offering.pk)
    shift = timedelta(days=14)
    for session in offering.sessions.all():
        Session.objects.filter(pk=session.pk).update(
            starts_at=session.starts_at - shift, ends_at=session.ends_at - shift
        )
        Attendance.objects.create(session=session, resident=learner)
    ends = timezone.now() - timedelta(days=7)
    Offering.objects.filter(pk=offering.pk).update(
        first_session_at=ends - timedelta(hours=2), last_session_ends_at=ends
    )
    services.offering_record_completions(offering_id=offering.pk)
    return Offering.objects.get(pk=offering.pk)


def test_an_ended_course_says_only_that_it_was_completed(signed_in_page):
    learner = ResidentFactory(language="en")
    offering = _ended_and_completed(learner)

    page = _page(signed_in_page(learner).get(_url(offering)))

    assert "You completed this course. Well done!" in page
    assert "places left" not in page
    assert "This course has ended." not in page
    assert "You are enrolled." not in page


def test_an_ended_course_tells_a_visitor_it_has_ended_without_places(client):
    offering = _ended_and_completed(ResidentFactory())
    page = _page(client.get(_url(offering)))
    assert "This course has ended." in page
    assert "places left" not in page
    assert "Sign in to enrol" not in page


def test_my_courses_lists_a_completed_course_once_dated_at_its_last_session(signed_in_page):
    learner = ResidentFactory(language="en")
    offering = _ended_and_completed(learner)

    page = _page(signed_in_page(learner).get(reverse("frontend:my-courses")))

    assert page.count(offering.course.title) == 1
    last_day = date_filter(timezone.localtime(offering.last_session_ends_at), "DATE_FORMAT")
    assert f"completed on {last_day}" in page


def test_my_courses_does_not_show_a_waitlisted_course_as_taken(signed_in_page):
    offering = OfferingFactory(capacity=1)
    services.enrolment_create(actor=ResidentFactory(), offering_id=offering.pk)
    waiting = ResidentFactory(language="en")
    services.enrolment_create(actor=waiting, offering_id=offering.pk)

    page = _page(signed_in_page(waiting).get(reverse("frontend:my-courses")))

    taking = page.split('id="current-heading"')[1].split("</section>")[0]
    assert offering.course.title not in taking
    assert "Waiting list: number 1" in page.split('id="waiting-heading"')[1]


def test_the_catalogue_does_not_ask_a_signed_in_resident_to_sign_in(client, signed_in_page):
    OfferingFactory()
    assert "sign in to enrol" in _page(client.get(reverse("frontend:course-catalogue")))
    resident = ResidentFactory(language="en")
    page = _page(signed_in_page(resident).get(reverse("frontend:course-catalogue")))
    assert "sign in to enrol" not in page.lower()


def test_a_guardian_sees_only_the_childs_button_on_a_childrens_course(signed_in_page):
    guardian = ResidentFactory(language="en")
    child = ChildFactory(given_name="ゆき")
    GuardianLinkFactory(guardian=guardian, child=child)
    offering = OfferingFactory(course=CourseFactory(audience=Audience.CHILDREN))

    page = _page(signed_in_page(guardian).get(_url(offering)))

    assert page.count(f'action="{_url(offering, "frontend:offering-enrol")}"') == 1
    assert f'name="resident" value="{child.pk}"' in page


def test_a_guardian_is_not_offered_to_enrol_a_ward_who_grew_up(signed_in_page):
    guardian = ResidentFactory(language="en")
    child = ChildFactory(given_name="ゆき")
    grown = ResidentFactory(given_name="たかし", birth_date=years_ago(19))
    for ward in (child, grown):
        GuardianLinkFactory(guardian=guardian, child=ward)
    offering = OfferingFactory(course=CourseFactory(audience=Audience.ALL))

    page = _page(signed_in_page(guardian).get(_url(offering)))

    # The service would answer "Adults enrol themselves.": safeguarding's ``acting_for``.
    assert f'name="resident" value="{child.pk}"' in page
    assert f'name="resident" value="{grown.pk}"' not in page
    assert "たかし" not in page


def test_a_non_senior_is_not_offered_the_waiting_list_of_a_seniors_course(signed_in_page):
    offering = OfferingFactory(course=CourseFactory(audience=Audience.SENIORS), capacity=0)
    resident = ResidentFactory(language="en")

    page = _page(signed_in_page(resident).get(_url(offering)))

    assert "Join the waiting list" not in page
    assert "You can join the waiting list" not in page
    assert "All places are taken." in page
    assert _url(offering, "frontend:offering-enrol") not in page


def test_a_child_sees_only_courses_open_to_children_in_the_catalogue(signed_in_page):
    for_children = OfferingFactory(course=CourseFactory(audience=Audience.CHILDREN))
    for_all = OfferingFactory(course=CourseFactory(audience=Audience.ALL))
    adults = OfferingFactory(course=CourseFactory(audience=Audience.ADULTS))
    seniors = OfferingFactory(course=CourseFactory(audience=Audience.SENIORS))

    page = _page(
        signed_in_page(ChildFactory(language="en")).get(reverse("frontend:course-catalogue"))
    )

    assert for_children.course.title in page
    assert for_all.course.title in page
    assert adults.course.title not in page
    assert seniors.course.title not in page


def test_the_teaching_dashboard_shows_an_ended_offering_as_ended(signed_in_page):
    lecturer = LecturerFactory(resident=ResidentFactory(language="en"))
    offering = _ended_and_completed(ResidentFactory())
    offering.lecturers.add(lecturer)

    page = _page(signed_in_page(lecturer.resident).get(reverse("frontend:teach")))

    card = page.split(offering.course.title)[1].split("</li>")[0]
    assert "Ended" in card
    assert "Published" not in card
