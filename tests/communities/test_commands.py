"""``manage.py circles_sync_cohorts``: the repair for domain events that never arrived.

In these tests no commit happens, so courses' domain events are lost unless a test runs them
with ``django_capture_on_commit_callbacks(execute=True)`` — exactly the failure the command
repairs.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from communities import services
from communities.models import Circle, CircleMember
from courses import services as courses
from courses.models import Audience, Enrolment, Offering
from messaging.models import RoomMember
from tests.communities.builders import standing
from tests.communities.factories import organiser_of
from tests.courses.factories import OfferingFactory
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def sync() -> str:
    out = StringIO()
    call_command("circles_sync_cohorts", "--no-progress", stdout=out)
    return out.getvalue()


def offering(**fields) -> Offering:
    """A published offering for adults, whose circle was never made (the event was lost)."""
    fields.setdefault("capacity", 2)
    return OfferingFactory(course__audience=Audience.ADULTS, **fields)


def rows() -> dict[str, list]:
    return {
        "circles": list(Circle.objects.order_by("pk").values_list("pk", "offering_id")),
        "members": list(
            CircleMember.objects.order_by("pk").values_list("circle_id", "resident_id", "status")
        ),
        "room": list(RoomMember.objects.order_by("pk").values_list("room_id", "resident_id")),
    }


def test_a_published_offering_whose_events_were_lost_gets_its_circle_with_the_seated_cohort():
    course = offering()
    seated = ResidentFactory.create_batch(2)
    waiting = ResidentFactory()
    for resident in [*seated, waiting]:
        courses.enrolment_create(actor=resident, offering_id=course.pk)
    assert not Circle.objects.exists()

    output = sync()

    circle = Circle.objects.get(offering=course)
    assert organiser_of(circle) == course.course.owner.resident
    for resident in seated:
        membership = standing(circle, resident)
        assert membership.is_active
        assert membership.via_offering
        assert RoomMember.objects.filter(room_id=circle.room_id, resident=resident).exists()
    assert standing(circle, waiting) is None
    assert "Checked 1 offering(s); added 2 resident(s)" in output


def test_running_it_again_changes_nothing_and_says_so():
    course = offering()
    for resident in ResidentFactory.create_batch(2):
        courses.enrolment_create(actor=resident, offering_id=course.pk)
    sync()
    before = rows()

    output = sync()

    assert rows() == before
    assert "added 0 resident(s)" in output


def test_a_seat_taken_after_the_circle_was_made_is_added(django_capture_on_commit_callbacks):
    course = offering()
    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_create(actor=ResidentFactory(), offering_id=course.pk)
    circle = Circle.objects.get(offering=course)
    latecomer = ResidentFactory()
    courses.enrolment_create(actor=latecomer, offering_id=course.pk)  # its event is lost

    output = sync()

    assert standing(circle, latecomer).is_active
    assert "added 1 resident(s)" in output


def test_whoever_left_or_was_banned_stays_out(django_capture_on_commit_callbacks):
    course = offering(capacity=3)
    leaver, banned, kept = ResidentFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        for resident in (leaver, banned, kept):
            courses.enrolment_create(actor=resident, offering_id=course.pk)
    circle = Circle.objects.get(offering=course)
    services.circle_leave(actor=leaver, circle_id=circle.pk)
    services.circle_member_remove(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=banned.pk, ban=True
    )

    output = sync()

    assert standing(circle, leaver).status == "left"
    assert standing(circle, banned).status == "banned"
    assert standing(circle, kept).is_active
    assert "added 0 resident(s)" in output


def test_one_who_had_asked_to_join_and_then_took_a_seat_becomes_a_member():
    course = offering()
    circle = services.circle_for_offering(offering_id=course.pk)
    asker = ResidentFactory()
    services.circle_join(actor=asker, circle_id=circle.pk)  # a moderated circle: a request
    courses.enrolment_create(actor=asker, offering_id=course.pk)  # the seat's event is lost

    output = sync()

    assert standing(circle, asker).is_active
    assert RoomMember.objects.filter(room_id=circle.room_id, resident=asker).exists()
    assert "added 1 resident(s)" in output


def test_drafts_cancelled_offerings_and_closed_circles_are_left_alone():
    OfferingFactory(status=Offering.Status.DRAFT)
    cancelled = offering()
    Offering.objects.filter(pk=cancelled.pk).update(status=Offering.Status.CANCELLED)
    closed = offering()
    circle = services.circle_for_offering(offering_id=closed.pk)
    services.circle_close(actor=organiser_of(circle), circle_id=circle.pk)
    latecomer = ResidentFactory()
    courses.enrolment_create(actor=latecomer, offering_id=closed.pk)

    output = sync()

    assert list(Circle.objects.values_list("offering_id", flat=True)) == [closed.pk]
    assert standing(circle, latecomer) is None
    assert "Checked 1 offering(s); added 0 resident(s)" in output


def test_enrolments_that_are_not_seats_bring_nobody_in():
    course = offering(capacity=1, requires_approval=True)
    pending = ResidentFactory()
    courses.enrolment_create(actor=pending, offering_id=course.pk)
    assert Enrolment.objects.get(resident=pending).status == Enrolment.Status.PENDING

    sync()

    circle = Circle.objects.get(offering=course)
    assert standing(circle, pending) is None


def test_no_progress_bar_is_drawn_when_the_output_is_not_a_terminal():
    offering()
    out, err = StringIO(), StringIO()

    call_command("circles_sync_cohorts", stdout=out, stderr=err)

    assert err.getvalue() == ""
    assert "Checked 1 offering(s)" in out.getvalue()
