"""Enrolment, the waiting list and its promotions, and their refusals."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from campus_social.common.errors import Conflict, Forbidden, NotFound
from campus_social.notifications.models import Notification
from communities.models import Circle
from courses import selectors, services
from courses.models import Audience, Enrolment, Offering
from messaging.models import Room, RoomMember
from tests.courses.factories import CourseFactory, OfferingFactory
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory, SeniorFactory

pytestmark = pytest.mark.django_db


def _statuses(offering):
    return list(offering.enrolments.order_by("queued_at", "id").values_list("status", flat=True))


def test_residents_enrol_until_the_offering_is_full_and_the_rest_wait_in_line(
    django_capture_on_commit_callbacks,
):
    offering = OfferingFactory(capacity=2)
    residents = ResidentFactory.create_batch(4)

    with django_capture_on_commit_callbacks(execute=True):
        enrolments = [
            services.enrolment_create(actor=r, offering_id=offering.pk) for r in residents
        ]

    assert [e.status for e in enrolments] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [selectors.waitlist_position(e) for e in enrolments] == [None, None, 1, 2]
    assert Notification.objects.filter(kind="courses.enrolment").count() == 4


def test_a_cancellation_promotes_the_first_in_line_and_tells_them(
    django_capture_on_commit_callbacks,
):
    offering = OfferingFactory(capacity=1)
    first, second, third = ResidentFactory.create_batch(3)
    for resident in (first, second, third):
        services.enrolment_create(actor=resident, offering_id=offering.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_cancel(actor=first, offering_id=offering.pk)

    assert _statuses(offering) == ["cancelled", "enrolled", "waitlisted"]
    assert Notification.objects.filter(resident=second, kind="courses.promoted").exists()
    assert not Notification.objects.filter(resident=third, kind="courses.promoted").exists()


def test_enrolled_residents_are_in_the_cohorts_one_room_and_leave_it_when_they_cancel(
    django_capture_on_commit_callbacks,
):
    """The cohort's chat is its circle's room (``communities`` hears of the seat): courses
    keeps no room of its own, so the course is in the resident's messages once."""
    offering = OfferingFactory(capacity=5)
    resident = ResidentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_create(actor=resident, offering_id=offering.pk)
    cohort_room = Circle.objects.get(offering=offering).room
    assert list(RoomMember.objects.filter(resident=resident).values_list("room", flat=True)) == [
        cohort_room.pk
    ]
    assert not Room.objects.filter(subject_key__startswith="offering:").exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_cancel(actor=resident, offering_id=offering.pk)
    assert not RoomMember.objects.filter(resident=resident).exists()


def test_enrolling_twice_is_refused_and_changes_nothing():
    offering = OfferingFactory()
    resident = ResidentFactory()
    services.enrolment_create(actor=resident, offering_id=offering.pk)

    with pytest.raises(Conflict) as refused:
        services.enrolment_create(actor=resident, offering_id=offering.pk)
    assert refused.value.code == "already_enrolled"
    assert offering.enrolments.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": Offering.Status.CANCELLED}, "cancelled"),
        (
            {
                "enrolment_closes_at": timezone.now() - timedelta(hours=1),
                "enrolment_opens_at": timezone.now() - timedelta(days=2),
            },
            "closed",
        ),
        (
            {
                "enrolment_opens_at": timezone.now() + timedelta(days=1),
                "enrolment_closes_at": timezone.now() + timedelta(days=2),
            },
            "not_open",
        ),
        ({"last_session_ends_at": timezone.now() - timedelta(days=1)}, "ended"),
    ],
)
def test_a_cancelled_closed_unopened_or_past_offering_refuses_enrolment(change, code):
    offering = OfferingFactory()
    Offering.objects.filter(pk=offering.pk).update(**change)

    with pytest.raises(Conflict) as refused:
        services.enrolment_create(actor=ResidentFactory(), offering_id=offering.pk)
    assert refused.value.code == code
    assert not offering.enrolments.exists()


def test_a_draft_offering_is_not_found():
    offering = OfferingFactory(status=Offering.Status.DRAFT)
    with pytest.raises(NotFound):
        services.enrolment_create(actor=ResidentFactory(), offering_id=offering.pk)


def test_an_offering_that_needs_approval_keeps_applicants_pending_until_the_lecturer_decides():
    offering = OfferingFactory(capacity=1, requires_approval=True)
    first, second = ResidentFactory.create_batch(2)
    one = services.enrolment_create(actor=first, offering_id=offering.pk)
    two = services.enrolment_create(actor=second, offering_id=offering.pk)
    assert (one.status, two.status) == ("pending", "pending")
    lecturer = offering.course.owner.resident

    services.enrolment_decide(actor=lecturer, enrolment_id=one.pk, approve=True)
    with pytest.raises(Conflict) as full:
        services.enrolment_decide(actor=lecturer, enrolment_id=two.pk, approve=True)
    assert full.value.code == "full"
    services.enrolment_decide(actor=lecturer, enrolment_id=two.pk, approve=False)
    assert _statuses(offering) == ["enrolled", "declined"]
    with pytest.raises(NotFound):
        services.enrolment_decide(actor=ResidentFactory(), enrolment_id=two.pk, approve=True)


def test_a_guardian_enrols_their_child_and_a_child_cannot_enrol_alone():
    offering = OfferingFactory(course=CourseFactory(audience=Audience.CHILDREN))
    guardian, child = ResidentFactory(), ChildFactory()
    GuardianLinkFactory(guardian=guardian, child=child)

    with pytest.raises(Forbidden):
        services.enrolment_create(actor=child, offering_id=offering.pk)
    enrolment = services.enrolment_create(
        actor=guardian, offering_id=offering.pk, resident_id=child.pk
    )

    assert (enrolment.resident, enrolment.enrolled_by) == (child, guardian)
    with pytest.raises(NotFound):
        services.enrolment_create(
            actor=ResidentFactory(), offering_id=offering.pk, resident_id=child.pk
        )


@pytest.mark.parametrize(
    ("audience", "who", "allowed"),
    [
        (Audience.SENIORS, ResidentFactory, False),
        (Audience.SENIORS, SeniorFactory, True),
        (Audience.CHILDREN, ResidentFactory, False),
        (Audience.ADULTS, SeniorFactory, True),
    ],
)
def test_the_audience_decides_who_may_enrol(audience, who, allowed):
    offering = OfferingFactory(course=CourseFactory(audience=audience))
    if allowed:
        assert services.enrolment_create(actor=who(), offering_id=offering.pk).status == "enrolled"
    else:
        with pytest.raises(Forbidden):
            services.enrolment_create(actor=who(), offering_id=offering.pk)


def test_places_cannot_drop_below_those_enrolled_and_raising_them_promotes_the_line():
    offering = OfferingFactory(capacity=1)
    residents = ResidentFactory.create_batch(3)
    for resident in residents:
        services.enrolment_create(actor=resident, offering_id=offering.pk)
    lecturer = offering.course.owner.resident

    services.offering_update(actor=lecturer, offering_id=offering.pk, capacity=2)
    assert _statuses(offering) == ["enrolled", "enrolled", "waitlisted"]
    from campus_social.common.errors import Invalid

    with pytest.raises(Invalid) as refused:
        services.offering_update(actor=lecturer, offering_id=offering.pk, capacity=1)
    assert "capacity" in refused.value.fields


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs a server database")
def test_many_simultaneous_enrolments_never_exceed_capacity_or_enrol_anyone_twice():
    offering = OfferingFactory(capacity=3)
    residents = ResidentFactory.create_batch(12)
    presses = [*residents, *residents[:4]]  # some press twice at the same moment
    start = threading.Barrier(len(presses))
    outcomes: list[str] = []

    def press(resident):
        start.wait()
        try:
            outcomes.append(
                services.enrolment_create(actor=resident, offering_id=offering.pk).status
            )
        except Conflict:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=press, args=(r,)) for r in presses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    enrolled = Enrolment.objects.filter(offering=offering, status="enrolled")
    assert enrolled.count() == 3
    assert outcomes.count("refused") == 4
    active = Enrolment.objects.filter(offering=offering).exclude(status="cancelled")
    assert active.count() == 12
    assert active.values("resident").distinct().count() == 12


def _rush(offering, residents, presses_each=2):
    """Every resident presses 「申し込む」 ``presses_each`` times, all at the same moment, each
    press a real request on its own connection.  Returns what each resident was told (the one
    ``201``) and how many presses were refused."""
    from rest_framework.test import APIClient

    url = f"/api/v1/offerings/{offering.pk}/enrolment/"
    presses = []
    for resident in residents:
        for _press in range(presses_each):
            client = APIClient()
            client.force_login(resident)
            presses.append((resident, client))
    start = threading.Barrier(len(presses))
    told: dict[int, dict] = {}
    refused: list[str] = []
    errors: list[BaseException] = []

    def press(resident, client):
        try:
            start.wait()
            response = client.post(url, format="json")
            if response.status_code == 201:
                told[resident.pk] = response.json()
            else:
                refused.append(response.json()["code"])
        except BaseException as error:  # reported by the main thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=pressing) for pressing in presses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return told, refused


def _listed_position(resident, offering):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(resident)
    mine = client.get("/api/v1/me/enrolments/").json()["results"]
    (enrolment,) = [e for e in mine if e["offering"]["id"] == offering.pk]
    return enrolment["status"], enrolment["position"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time, so nothing rushes; run with DATABASE_URL=postgres://…",
)
@pytest.mark.parametrize(("places", "rushing"), [(3, 7), (2, 9)])
def test_a_rush_on_a_full_offering_tells_each_waiting_resident_their_true_place_in_line(
    places, rushing
):
    offering = OfferingFactory(capacity=places)
    residents = ResidentFactory.create_batch(rushing)

    told, refused = _rush(offering, residents)

    # Each resident pressed twice: one press counted, the other was refused.
    assert len(told) == rushing
    assert refused == ["already_enrolled"] * rushing
    enrolled = [pk for pk, answer in told.items() if answer["status"] == "enrolled"]
    assert len(enrolled) == places
    in_line = {pk: answer["position"] for pk, answer in told.items() if pk not in enrolled}
    waiting = rushing - places
    # The places told at the press are unique: 1, 2, … one each …
    assert sorted(in_line.values()) == list(range(1, waiting + 1))
    # … they are the places listed afterwards …
    by_pk = {r.pk: r for r in residents}
    for pk, position in in_line.items():
        assert _listed_position(by_pk[pk], offering) == ("waitlisted", position)
    # … and seats freeing one by one go to the line in that order.
    told_order = sorted(in_line, key=in_line.__getitem__)
    for leaving, next_in_line in zip(enrolled, told_order, strict=False):
        services.enrolment_cancel(actor=by_pk[leaving], offering_id=offering.pk)
        assert _listed_position(by_pk[next_in_line], offering) == ("enrolled", None)
        for still_waiting in told_order[told_order.index(next_in_line) + 1 :]:
            assert _listed_position(by_pk[still_waiting], offering) == (
                "waitlisted",
                in_line[still_waiting] - in_line[next_in_line],
            )
