"""Card check-in at a program's session, through the readers' route (``POST
/api/v1/attendance/card/`` with a real device key): a vetted volunteer taps in; an unvetted,
expired or removed volunteer, a child, and a card where nothing runs are refused; a course
session and a program session at different readers each still work."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from campus_social.checkin import registry
from campus_social.identity.selectors import OPERATOR
from campus_social.identity.services import reader_device_register
from campus_social.safeguarding.models import VettingRecord
from communities import services
from communities.models import ProgramSession, SessionAttendance
from courses.models import Attendance, Enrolment
from tests.communities.program_builders import (
    Running,
    consented_child,
    running_program,
    volunteer_in,
)
from tests.courses.factories import OfferingFactory
from tests.factories import CardFactory, OrganisationFactory, SeniorFactory

pytestmark = pytest.mark.django_db

ROUTE = "/api/v1/attendance/card/"


def reader_with_key(slug: str = "midori-shogakko") -> tuple[object, str]:
    OrganisationFactory(slug=slug, name=slug)
    return reader_device_register(actor=OPERATOR, name=f"{slug} reader", organisation_slug=slug)


def tap(key: str, card_id: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {key}")
    return client.post(ROUTE, {"card_id": card_id}, format="json")


@pytest.fixture
def at_reader() -> tuple[Running, ProgramSession, str]:
    """A published program at a reader, with a session that began ten minutes ago."""
    reader, key = reader_with_key()
    running = running_program(starts_on=(timezone.localdate() - timedelta(days=1)).isoformat())
    running.program.reader = reader
    running.program.save(update_fields=["reader"])
    start = timezone.now() - timedelta(minutes=10)
    session = ProgramSession.objects.create(
        program=running.program, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    return running, session, key


def test_communities_registers_the_program_kind_when_the_app_starts():
    assert "program" in [handler.kind for handler in registry.checkin_handlers()]


def test_a_vetted_volunteers_tap_checks_them_in_once_and_greets_them(at_reader):
    running, session, key = at_reader
    senior = volunteer_in(running)
    CardFactory(resident=senior, card_id="CARD00000001")

    first = tap(key, "CARD00000001")
    second = tap(key, "CARD00000001")

    assert first.status_code == 201
    assert first.json() == {
        "session": session.pk,
        "kind": "program",
        "program": running.program.pk,
        "display_name": senior.display_name,
    }
    assert second.status_code == 201
    (attendance,) = SessionAttendance.objects.filter(session=session)
    assert (attendance.resident, attendance.present, attendance.recorded_by) == (
        senior,
        True,
        None,
    )


def test_a_tap_after_the_coordinator_marked_the_volunteer_absent_marks_them_present(at_reader):
    running, session, key = at_reader
    senior = volunteer_in(running)
    CardFactory(resident=senior, card_id="CARD00000001")
    services.attendance_record(
        actor=running.coordinator, session_id=session.pk, resident_id=senior.pk, present=False
    )

    assert tap(key, "CARD00000001").status_code == 201

    assert SessionAttendance.objects.get(session=session, resident=senior).present is True


def test_a_volunteer_whose_vetting_ran_out_is_refused_and_nothing_recorded(at_reader):
    running, _session, key = at_reader
    senior = volunteer_in(running)
    VettingRecord.objects.filter(resident=senior).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    CardFactory(resident=senior, card_id="CARD00000001")

    response = tap(key, "CARD00000001")

    assert (response.status_code, response.json()["code"]) == (403, "not_enrolled")
    assert not SessionAttendance.objects.exists()


def test_a_senior_never_vetted_nor_invited_is_refused(at_reader):
    _running, _session, key = at_reader
    CardFactory(resident=SeniorFactory(), card_id="CARD00000001")

    response = tap(key, "CARD00000001")

    assert (response.status_code, response.json()["code"]) == (403, "not_enrolled")
    assert not SessionAttendance.objects.exists()


def test_a_removed_volunteer_is_refused(at_reader):
    running, _session, key = at_reader
    senior = volunteer_in(running)
    services.volunteer_remove(
        actor=running.coordinator, program_id=running.program.pk, resident_id=senior.pk
    )
    CardFactory(resident=senior, card_id="CARD00000001")

    response = tap(key, "CARD00000001")

    assert (response.status_code, response.json()["code"]) == (403, "not_enrolled")
    assert not SessionAttendance.objects.exists()


def test_a_childs_card_is_refused_children_are_checked_in_by_the_roster(at_reader):
    running, _session, key = at_reader
    volunteer_in(running)
    link = consented_child(running)
    CardFactory(resident=link.child, card_id="CARD00000002")

    response = tap(key, "CARD00000002")

    assert (response.status_code, response.json()["code"]) == (403, "not_enrolled")
    assert not SessionAttendance.objects.exists()


def test_no_program_session_at_the_reader_answers_no_session(at_reader):
    running, session, key = at_reader
    senior = volunteer_in(running)
    CardFactory(resident=senior, card_id="CARD00000001")
    session.starts_at = timezone.now() + timedelta(hours=3)  # later today, not yet open
    session.ends_at = session.starts_at + timedelta(hours=2)
    session.save()

    response = tap(key, "CARD00000001")

    assert (response.status_code, response.json()["code"]) == (409, "no_session")


def test_a_cancelled_session_or_a_program_not_published_runs_nothing(at_reader):
    running, session, key = at_reader
    senior = volunteer_in(running)
    CardFactory(resident=senior, card_id="CARD00000001")
    ProgramSession.objects.filter(pk=session.pk).update(cancelled_at=timezone.now())

    cancelled = tap(key, "CARD00000001")
    ProgramSession.objects.filter(pk=session.pk).update(cancelled_at=None)
    services.program_end(actor=running.coordinator, program_id=running.program.pk)
    ended = tap(key, "CARD00000001")

    assert (cancelled.status_code, cancelled.json()["code"]) == (409, "no_session")
    assert (ended.status_code, ended.json()["code"]) == (409, "no_session")
    assert not SessionAttendance.objects.exists()


def test_a_course_session_and_a_program_session_at_different_readers_each_work(at_reader):
    running, session, program_key = at_reader
    senior = volunteer_in(running)
    CardFactory(resident=senior, card_id="CARD00000001")
    course_reader, course_key = reader_with_key("honmachi-kominkan")
    offering = OfferingFactory(sessions=[timezone.now() - timedelta(minutes=10)])
    offering.reader = course_reader
    offering.save(update_fields=["reader"])
    learner = CardFactory(card_id="CARD00000003").resident
    Enrolment.objects.create(offering=offering, resident=learner, status="enrolled")

    at_course = tap(course_key, "CARD00000003")
    at_program = tap(program_key, "CARD00000001")
    senior_at_course = tap(course_key, "CARD00000001")

    assert (at_course.status_code, at_course.json()["kind"]) == (201, "offering")
    assert at_course.json()["offering"] == offering.pk
    assert "program" not in at_course.json()
    assert (at_program.status_code, at_program.json()["kind"]) == (201, "program")
    assert "offering" not in at_program.json()
    assert (senior_at_course.status_code, senior_at_course.json()["code"]) == (
        403,
        "not_enrolled",
    )
    assert Attendance.objects.filter(resident=learner, method="card").count() == 1
    assert SessionAttendance.objects.filter(session=session, resident=senior).count() == 1
