"""Attendance on the lecturer's roster and by a card tap at the venue, and completion."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.identity.selectors import OPERATOR
from campus_social.identity.services import reader_device_register
from courses import events, selectors, services
from courses.models import Attendance, Completion, Enrolment, Offering, Session
from tests.courses.factories import EnrolmentFactory, LecturerFactory, OfferingFactory
from tests.factories import CardFactory, OrganisationFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def teacher(offering):
    return offering.course.owner.resident


# --- The roster -----------------------------------------------------------------------------


def test_attendance_for_a_session_that_has_not_started_is_refused(offering, learner):
    session = offering.sessions.first()
    with pytest.raises(Conflict) as refused:
        services.attendance_set(
            actor=teacher(offering), session_id=session.pk, resident_id=learner.pk, present=True
        )
    assert refused.value.code == "not_started"
    assert not Attendance.objects.exists()


@pytest.fixture
def offering():
    return OfferingFactory(capacity=1)


@pytest.fixture
def learner(offering):
    resident = ResidentFactory()
    services.enrolment_create(actor=resident, offering_id=offering.pk)
    return resident


def begin(session):
    """Start the session an hour ago (attendance is taken once a session has begun)."""
    Session.objects.filter(pk=session.pk, starts_at__gt=timezone.now()).update(
        starts_at=timezone.now() - timedelta(hours=1)
    )


def mark(offering, resident, *, present=True, actor=None, session=None):
    session = session or offering.sessions.first()
    begin(session)
    return services.attendance_set(
        actor=actor or teacher(offering),
        session_id=session.pk,
        resident_id=resident.pk,
        present=present,
    )


def test_the_lecturer_marks_an_enrolled_resident_present_and_absent_again(offering, learner):
    mark(offering, learner)
    mark(offering, learner)  # marking twice keeps one record

    attendance = Attendance.objects.get()
    assert (attendance.resident, attendance.method) == (learner, Attendance.Method.ROSTER)
    assert attendance.recorded_by == teacher(offering)
    _offering, _enrolments, sessions, present = selectors.roster(
        offering_id=offering.pk, actor=teacher(offering)
    )
    assert present == {(sessions[0].pk, learner.pk)}

    mark(offering, learner, present=False)
    assert not Attendance.objects.exists()


def test_only_the_offerings_lecturer_keeps_its_roster(offering, learner):
    for outsider in (LecturerFactory().resident, learner):
        with pytest.raises(NotFound):
            mark(offering, learner, actor=outsider)
    assert not Attendance.objects.exists()


def test_a_resident_who_is_not_enrolled_cannot_be_marked_present(offering, learner):
    waiting = ResidentFactory()
    assert services.enrolment_create(actor=waiting, offering_id=offering.pk).status == "waitlisted"

    for resident in (waiting, ResidentFactory()):
        with pytest.raises(NotFound):
            mark(offering, resident)
    assert not Attendance.objects.exists()


def test_a_cancelled_session_takes_no_attendance(offering, learner):
    session = offering.sessions.get()
    services.session_cancel(actor=teacher(offering), session_id=session.pk)

    with pytest.raises(Conflict):
        mark(offering, learner, session=session)
    assert not Attendance.objects.exists()


# --- Card taps ------------------------------------------------------------------------------


@pytest.fixture
def reader():
    OrganisationFactory(slug="honmachi-kominkan", name="本町公民館")
    device, _key = reader_device_register(
        actor=OPERATOR, name="本町公民館 和室", organisation_slug="honmachi-kominkan"
    )
    return device


def running_offering(reader, *, starts_in=timedelta(minutes=-30)):
    """A published offering at the reader's venue whose only session starts ``starts_in`` from
    now and lasts two hours."""
    offering = OfferingFactory(sessions=[timezone.now() + starts_in])
    offering.reader = reader
    offering.save(update_fields=["reader"])
    return offering


def carded(card_id="CARD00000001"):
    return CardFactory(card_id=card_id).resident


def test_a_card_tap_checks_an_enrolled_resident_in_to_the_session_running_there(reader):
    offering = running_offering(reader)
    resident = carded()
    services.enrolment_create(actor=resident, offering_id=offering.pk)

    attendance = services.attendance_by_card(reader=reader, card_id="CARD00000001")

    assert attendance.session == offering.sessions.get()
    assert (attendance.resident, attendance.method) == (resident, Attendance.Method.CARD)
    assert attendance.recorded_by is None


def test_tapping_twice_records_the_attendance_once(reader):
    offering = running_offering(reader)
    services.enrolment_create(actor=carded(), offering_id=offering.pk)

    first = services.attendance_by_card(reader=reader, card_id="CARD00000001")
    second = services.attendance_by_card(reader=reader, card_id="card-0000-0001")

    assert first.pk == second.pk
    assert Attendance.objects.count() == 1


def test_a_tap_up_to_half_an_hour_before_the_start_already_counts(reader):
    offering = running_offering(reader, starts_in=timedelta(minutes=20))
    services.enrolment_create(actor=carded(), offering_id=offering.pk)

    services.attendance_by_card(reader=reader, card_id="CARD00000001")

    assert Attendance.objects.count() == 1


@pytest.mark.parametrize(
    "starts_in",
    [timedelta(minutes=45), timedelta(days=7), timedelta(hours=-3)],
    ids=["too early", "next week", "already over"],
)
def test_a_tap_when_no_session_is_running_is_a_conflict(reader, starts_in):
    offering = running_offering(reader, starts_in=starts_in)
    Enrolment.objects.create(offering=offering, resident=carded(), status="enrolled")

    with pytest.raises(Conflict) as refused:
        services.attendance_by_card(reader=reader, card_id="CARD00000001")

    assert refused.value.code == "no_session"
    assert not Attendance.objects.exists()


def test_a_tap_at_another_venues_reader_finds_no_session(reader):
    offering = running_offering(reader)
    services.enrolment_create(actor=carded(), offering_id=offering.pk)
    elsewhere, _key = reader_device_register(
        actor=OPERATOR, name="駅前 会議室", organisation_slug="honmachi-kominkan"
    )

    with pytest.raises(Conflict):
        services.attendance_by_card(reader=elsewhere, card_id="CARD00000001")


def test_the_card_of_someone_not_enrolled_is_refused(reader):
    offering = running_offering(reader)
    for resident in ResidentFactory.create_batch(offering.capacity):
        services.enrolment_create(actor=resident, offering_id=offering.pk)
    waiting = carded()
    assert services.enrolment_create(actor=waiting, offering_id=offering.pk).status == "waitlisted"
    carded("CARD00000002")  # never enrolled at all

    for card_id in ("CARD00000001", "CARD00000002"):
        with pytest.raises(Forbidden) as refused:
            services.attendance_by_card(reader=reader, card_id=card_id)
        assert refused.value.code == "not_enrolled"
    assert not Attendance.objects.exists()


def test_an_unknown_or_locked_card_is_not_found(reader):
    offering = running_offering(reader)
    resident = carded()
    services.enrolment_create(actor=resident, offering_id=offering.pk)
    resident.cards.update(locked_at=timezone.now())

    for card_id in ("CARD99999999", "CARD00000001"):
        with pytest.raises(NotFound) as refused:
            services.attendance_by_card(reader=reader, card_id=card_id)
        assert refused.value.code == "unknown_card"
    with pytest.raises(Invalid):
        services.attendance_by_card(reader=reader, card_id="??")
    assert not Attendance.objects.exists()


# --- Completion -----------------------------------------------------------------------------


def ended_offering(sessions=5, **fields):
    """A published offering whose ``sessions`` weekly sessions all lie in the past weeks."""
    now = timezone.now()
    return OfferingFactory(
        sessions=[now - timedelta(weeks=week) for week in range(sessions, 0, -1)],
        enrolment_opens_at=now - timedelta(weeks=10),
        enrolment_closes_at=now - timedelta(weeks=6),
        capacity=10,
        **fields,
    )


def attend(offering, resident, count):
    """``resident`` is enrolled and was at the first ``count`` sessions."""
    if not offering.enrolments.filter(resident=resident).exists():
        EnrolmentFactory(offering=offering, resident=resident)
    for session in offering.sessions.order_by("starts_at")[:count]:
        mark(offering, resident, session=session)


def test_completions_are_not_recorded_before_the_last_session_has_ended():
    offering = OfferingFactory(sessions=[timezone.now() - timedelta(weeks=1), timezone.now()])
    attend(offering, ResidentFactory(), 1)

    with pytest.raises(Conflict) as refused:
        services.offering_record_completions(offering_id=offering.pk)

    assert refused.value.code == "not_ended"
    offering.refresh_from_db()
    assert offering.completions_recorded_at is None
    assert not Completion.objects.exists()


def test_attending_four_of_five_sessions_completes_and_three_does_not():
    offering = ended_offering()
    four, three, none = ResidentFactory.create_batch(3)
    attend(offering, four, 4)
    attend(offering, three, 3)
    attend(offering, none, 0)

    completions = services.offering_record_completions(offering_id=offering.pk)

    assert [(c.resident_id, c.sessions_attended, c.sessions_held) for c in completions] == [
        (four.pk, 4, 5)
    ]
    assert selectors.resident_has_completed(resident=four, offering_id=offering.pk)
    assert not selectors.resident_has_completed(resident=three, offering_id=offering.pk)
    assert [c.resident for c in selectors.completion_list(offering_id=offering.pk)] == [four]


def test_the_offerings_own_percentage_decides():
    offering = ended_offering(completion_percent=60)
    three = ResidentFactory()
    attend(offering, three, 3)

    services.offering_record_completions(offering_id=offering.pk)

    assert selectors.resident_has_completed(resident=three, offering_id=offering.pk)


def test_cancelled_sessions_do_not_count_as_held_or_attended():
    offering = ended_offering()
    every, three_and_the_cancelled = ResidentFactory.create_batch(2)
    cancelled = offering.sessions.order_by("starts_at").last()
    attend(offering, every, 4)
    attend(offering, three_and_the_cancelled, 3)
    mark(offering, three_and_the_cancelled, session=cancelled)
    services.session_cancel(actor=teacher(offering), session_id=cancelled.pk)

    services.offering_record_completions(offering_id=offering.pk)

    completion = Completion.objects.get()
    assert completion.resident == every
    assert (completion.sessions_attended, completion.sessions_held) == (4, 4)


def test_only_residents_still_enrolled_complete():
    offering = ended_offering()
    left = ResidentFactory()
    attend(offering, left, 5)
    offering.enrolments.update(status=Enrolment.Status.CANCELLED)

    assert services.offering_record_completions(offering_id=offering.pk) == []


def test_completions_are_announced_after_the_commit_once_however_often_they_are_recorded(
    django_capture_on_commit_callbacks,
):
    offering = ended_offering()
    completed = ResidentFactory.create_batch(2)
    for resident in completed:
        attend(offering, resident, 5)
    attend(offering, ResidentFactory(), 1)
    announced: list[tuple[int, list[int]]] = []

    def receiver(sender, offering_id, resident_ids, **kwargs):
        announced.append((offering_id, sorted(resident_ids)))

    events.offering_completed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.offering_record_completions(offering_id=offering.pk)
            assert announced == []
        with django_capture_on_commit_callbacks(execute=True):
            again = services.offering_record_completions(offering_id=offering.pk)
    finally:
        events.offering_completed.disconnect(receiver)

    assert announced == [(offering.pk, sorted(r.pk for r in completed))]
    assert sorted(c.resident_id for c in again) == sorted(r.pk for r in completed)
    assert Completion.objects.count() == 2
    offering.refresh_from_db()
    assert offering.completions_recorded_at is not None


def test_a_cancelled_offering_has_no_completions():
    offering = ended_offering(status=Offering.Status.CANCELLED)

    with pytest.raises(Conflict):
        services.offering_record_completions(offering_id=offering.pk)
