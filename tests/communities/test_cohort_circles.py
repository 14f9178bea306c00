"""An offering's cohort finds itself in a circle, which outlives the course."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from communities import selectors, services
from communities.models import Circle, CircleMember
from courses import events
from courses import services as courses
from courses.models import Audience, Offering, Session
from messaging.models import Message, Room, RoomMember
from tests.courses.factories import (
    CourseFactory,
    LecturerFactory,
    OfferingFactory,
    VettingRecordFactory,
)
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def publish(offering: Offering, callbacks) -> Circle:
    with callbacks(execute=True):
        courses.offering_publish(actor=offering.course.owner.resident, offering_id=offering.pk)
    return Circle.objects.get(offering=offering)


@pytest.fixture
def draft(db) -> Offering:
    return OfferingFactory(
        status=Offering.Status.DRAFT, capacity=5, course__audience=Audience.ADULTS
    )


def standing(circle: Circle, resident) -> CircleMember | None:
    return CircleMember.objects.filter(circle=circle, resident=resident).first()


def test_publishing_an_offering_gives_its_cohort_a_circle_run_by_the_lecturer(
    draft, django_capture_on_commit_callbacks
):
    circle = publish(draft, django_capture_on_commit_callbacks)

    lecturer = draft.course.owner.resident
    assert circle.name == str(draft)
    assert circle.district == draft.district
    assert list(circle.topics.values_list("topic", flat=True)) == [draft.course.category]
    assert circle.visibility == Circle.Visibility.MODERATED
    assert standing(circle, lecturer).role == CircleMember.Role.ORGANISER
    assert RoomMember.objects.get(room=circle.room, resident=lecturer).role == "moderator"


def test_publishing_twice_over_the_event_does_not_make_a_second_circle(
    draft, django_capture_on_commit_callbacks
):
    circle = publish(draft, django_capture_on_commit_callbacks)
    assert services.circle_for_offering(offering_id=draft.pk) == circle
    assert Circle.objects.filter(offering=draft).count() == 1


def test_enrolling_joins_the_circle_and_its_chat_and_cancelling_leaves_both(
    draft, django_capture_on_commit_callbacks
):
    circle = publish(draft, django_capture_on_commit_callbacks)
    learner = ResidentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_create(actor=learner, offering_id=draft.pk)
    assert standing(circle, learner).is_active
    assert RoomMember.objects.filter(room=circle.room, resident=learner).exists()

    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_cancel(actor=learner, offering_id=draft.pk)
    assert standing(circle, learner) is None
    assert not RoomMember.objects.filter(room=circle.room, resident=learner).exists()


def test_a_waiting_learner_joins_only_when_promoted(draft, django_capture_on_commit_callbacks):
    draft.capacity = 1
    draft.save()
    circle = publish(draft, django_capture_on_commit_callbacks)
    first, second = ResidentFactory(), ResidentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_create(actor=first, offering_id=draft.pk)
        courses.enrolment_create(actor=second, offering_id=draft.pk)
    assert standing(circle, second) is None

    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_cancel(actor=first, offering_id=draft.pk)
    assert standing(circle, second).is_active


def test_a_member_who_joined_by_themselves_stays_when_their_enrolment_ends(
    draft, django_capture_on_commit_callbacks
):
    circle = publish(draft, django_capture_on_commit_callbacks)
    circle.visibility = Circle.Visibility.OPEN
    circle.save()
    learner = ResidentFactory()
    services.circle_join(actor=learner, circle_id=circle.pk)
    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_create(actor=learner, offering_id=draft.pk)
        courses.enrolment_cancel(actor=learner, offering_id=draft.pk)
    assert standing(circle, learner).is_active


def test_the_circle_lives_on_after_the_course_with_its_completers_meeting_and_talking(
    draft, django_capture_on_commit_callbacks
):
    circle = publish(draft, django_capture_on_commit_callbacks)
    lecturer = draft.course.owner.resident
    completer, dropout = ResidentFactory(), ResidentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_create(actor=completer, offering_id=draft.pk)
        courses.enrolment_create(actor=dropout, offering_id=draft.pk)
    session = draft.sessions.get()
    # The session is under way (attendance opens 30 minutes before it starts).
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    courses.attendance_set(
        actor=lecturer, session_id=session.pk, resident_id=completer.pk, present=True
    )
    session.refresh_from_db()
    after_end = session.ends_at + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        courses.offering_record_completions(offering_id=draft.pk, now=after_end)

    kept = standing(circle, completer)
    assert kept.is_active
    assert not kept.via_offering
    assert standing(circle, dropout).is_active  # the cohort stays together; nobody is thrown out

    # After the course: a discussion, a meeting and the chat still work for the completer.
    thread = services.thread_create(
        actor=completer, circle_id=circle.pk, title="次はいつ？", body="また集まりましょう。"
    )
    services.reply_create(actor=lecturer, thread_id=thread.pk, body="来月の第一土曜はどうですか。")
    event = services.event_create(
        actor=lecturer,
        circle_id=circle.pk,
        title="自主練習会",
        place="中央公民館",
        starts_at=timezone.now() + timedelta(days=30),
        ends_at=timezone.now() + timedelta(days=30, hours=2),
    )
    services.rsvp_set(actor=completer, event_id=event.pk, answer="yes")
    assert RoomMember.objects.filter(room=circle.room, resident=completer).exists()


def test_the_organiser_hands_on_the_role_and_then_may_leave(
    draft, django_capture_on_commit_callbacks
):
    circle = publish(draft, django_capture_on_commit_callbacks)
    lecturer = draft.course.owner.resident
    learner = ResidentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_create(actor=learner, offering_id=draft.pk)

    services.circle_leave(actor=lecturer, circle_id=circle.pk, successor_id=learner.pk)

    assert standing(circle, learner).role == CircleMember.Role.ORGANISER
    assert standing(circle, lecturer).status == CircleMember.Status.LEFT
    assert RoomMember.objects.get(room=circle.room, resident=learner).role == "moderator"
    assert not RoomMember.objects.filter(room=circle.room, resident=lecturer).exists()


def test_a_childrens_course_gives_a_circle_open_to_children_with_the_guardian_reading(
    django_capture_on_commit_callbacks,
):
    lecturer = LecturerFactory()
    VettingRecordFactory(lecturer=lecturer)
    offering = OfferingFactory(
        status=Offering.Status.DRAFT,
        course=CourseFactory(owner=lecturer, audience=Audience.CHILDREN),
    )
    circle = publish(offering, django_capture_on_commit_callbacks)
    link = GuardianLinkFactory(child=ChildFactory())
    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_create(
            actor=link.guardian, offering_id=offering.pk, resident_id=link.child.pk
        )

    assert circle.for_children
    membership = standing(circle, link.child)
    assert membership.is_active
    assert membership.added_by == link.guardian
    assert RoomMember.objects.get(room=circle.room, resident=link.guardian).role == "reader"


def test_the_repair_command_adds_a_seated_learner_whose_event_was_lost(
    draft, django_capture_on_commit_callbacks
):
    circle = publish(draft, django_capture_on_commit_callbacks)
    learner, leaver = ResidentFactory(), ResidentFactory()
    # The events are lost: the callbacks are captured but never run.
    with django_capture_on_commit_callbacks(execute=False):
        courses.enrolment_create(actor=learner, offering_id=draft.pk)
    with django_capture_on_commit_callbacks(execute=True):
        courses.enrolment_create(actor=leaver, offering_id=draft.pk)
    services.circle_leave(actor=leaver, circle_id=circle.pk)

    call_command("circles_sync_cohorts", "--no-progress")

    assert standing(circle, learner).is_active
    assert standing(circle, leaver).status == CircleMember.Status.LEFT


def test_the_repair_adopts_the_room_an_offering_had_before_one_room_per_cohort(
    draft, django_capture_on_commit_callbacks
):
    """An offering published before one room per cohort whose circle was never made (its event
    was lost) kept its own room ("offering:<id>", migration ``communities.0003`` left it): the
    circle the repair makes takes it over, history and all, so the cohort still has one room."""
    with django_capture_on_commit_callbacks(execute=False):
        courses.offering_publish(actor=draft.course.owner.resident, offering_id=draft.pk)
    learner = ResidentFactory()
    with django_capture_on_commit_callbacks(execute=False):
        courses.enrolment_create(actor=learner, offering_id=draft.pk)
    old_room = Room.objects.create(
        kind="offering", subject_key=f"offering:{draft.pk}", title=str(draft)
    )
    RoomMember.objects.create(room=old_room, resident=learner, last_read_seq=1)
    Message.objects.create(room=old_room, seq=1, author=learner, body="来週もよろしく")
    Room.objects.filter(pk=old_room.pk).update(last_seq=1)

    call_command("circles_sync_cohorts", "--no-progress")

    circle = Circle.objects.get(offering=draft)
    assert circle.room_id == old_room.pk
    assert (circle.room.subject_key, circle.room.kind) == (f"circle:{circle.pk}", "circle")
    assert list(circle.room.messages.values_list("body", flat=True)) == ["来週もよろしく"]
    assert RoomMember.objects.get(room=circle.room, resident=learner).last_read_seq == 1
    lecturer = draft.course.owner.resident
    assert RoomMember.objects.get(room=circle.room, resident=lecturer).role == "moderator"
    assert Room.objects.count() == 1


# --- Still alive after N weeks ------------------------------------------------------------------


def ended_course_circle(weeks_ago: float, django_capture_on_commit_callbacks) -> Circle:
    """A course circle whose offering's last session ended ``weeks_ago`` weeks ago."""
    start = timezone.now() - timedelta(weeks=weeks_ago, hours=2)
    offering = OfferingFactory(
        status=Offering.Status.DRAFT, sessions=[start], course__audience=Audience.ADULTS
    )
    circle = publish(offering, django_capture_on_commit_callbacks)
    Session.objects.filter(offering=offering).update(ends_at=start + timedelta(hours=2))
    Offering.objects.filter(pk=offering.pk).update(last_session_ends_at=start + timedelta(hours=2))
    return circle


def test_the_still_alive_figure_counts_circles_active_n_weeks_after_their_course(
    django_capture_on_commit_callbacks,
):
    from communities.models import CircleEvent, Thread
    from messaging.models import Message

    capture = django_capture_on_commit_callbacks
    met = ended_course_circle(10, capture)  # met 9 weeks after the end
    talked = ended_course_circle(10, capture)  # chatted 8 weeks after the end
    posted = ended_course_circle(12, capture)  # posted 9 weeks after the end
    faded = ended_course_circle(10, capture)  # only talked in the first week
    too_recent = ended_course_circle(4, capture)  # has not had 8 weeks yet
    now = timezone.now()

    def weeks_after_end(circle: Circle, weeks: float):
        return circle.offering.last_session_ends_at + timedelta(weeks=weeks)

    for circle in (met, talked, posted, faded, too_recent):
        circle.refresh_from_db()
    CircleEvent.objects.create(
        circle=met,
        title="再会",
        place="公民館",
        starts_at=weeks_after_end(met, 9),
        ends_at=weeks_after_end(met, 9) + timedelta(hours=1),
    )
    Message.objects.create(
        room=talked.room, seq=1, body="元気？", created_at=weeks_after_end(talked, 8)
    )
    Message.objects.create(
        room=faded.room, seq=1, body="楽しかった", created_at=weeks_after_end(faded, 1)
    )
    Thread.objects.create(
        circle=posted, title="写真", body="…", created_at=weeks_after_end(posted, 9)
    )
    # A cancelled meeting is no sign of life.
    CircleEvent.objects.create(
        circle=faded,
        title="中止",
        place="公民館",
        starts_at=weeks_after_end(faded, 9),
        ends_at=weeks_after_end(faded, 9) + timedelta(hours=1),
        cancelled_at=now,
    )

    alive = set(selectors.course_circles_alive(weeks=8, now=now))
    survival = selectors.course_circle_survival(weeks=8, now=now)

    assert alive == {met, talked, posted}
    assert (survival.ended, survival.alive) == (4, 3)
    assert selectors.course_circle_survival(weeks=10, now=now).alive == 0


def test_a_circle_made_meanwhile_by_a_racing_caller_is_answered_not_doubled(
    draft, django_capture_on_commit_callbacks, monkeypatch
):
    """The published event and the repair command may both make the circle at once: the
    unique ``Circle.offering`` decides, not a lock on courses' row."""
    with django_capture_on_commit_callbacks(execute=False):
        courses.offering_publish(actor=draft.course.owner.resident, offering_id=draft.pk)
    assert not Circle.objects.filter(offering=draft).exists()
    real_get = services.cohorts.course_selectors.cohort_offering_get
    winner: list[Circle] = []

    def racing_get(*, offering_id: int):
        # The other caller wins the race between our look and our insert.
        winner.append(
            Circle.objects.create(name="won", offering_id=offering_id, district=draft.district)
        )
        return real_get(offering_id=offering_id)

    monkeypatch.setattr(services.cohorts.course_selectors, "cohort_offering_get", racing_get)

    assert services.circle_for_offering(offering_id=draft.pk) == winner[0]
    assert Circle.objects.filter(offering=draft).count() == 1


def test_the_seat_event_says_who_enrolled_so_the_circle_reads_no_courses_rows(
    django_capture_on_commit_callbacks,
):
    lecturer = LecturerFactory()
    VettingRecordFactory(lecturer=lecturer)
    offering = OfferingFactory(
        status=Offering.Status.DRAFT,
        course=CourseFactory(owner=lecturer, audience=Audience.CHILDREN),
    )
    publish(offering, django_capture_on_commit_callbacks)
    link = GuardianLinkFactory(child=ChildFactory())
    seen: list[dict] = []

    def listener(**kwargs):
        seen.append(kwargs)

    events.enrolment_confirmed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            courses.enrolment_create(
                actor=link.guardian, offering_id=offering.pk, resident_id=link.child.pk
            )
    finally:
        events.enrolment_confirmed.disconnect(listener)

    assert seen[0]["resident_id"] == link.child.pk
    assert seen[0]["enrolled_by_id"] == link.guardian.pk
