"""Courses, offerings and their sessions: creating, changing, publishing, cancelling, copying.

Places never dropping below those enrolled is in ``test_enrolment.py``.
"""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.notifications.models import Notification
from campus_social.safeguarding.selectors import resident_is_vetted
from communities.models import Circle
from courses import events, services
from courses.models import Audience, Course, Enrolment, Lecturer, Offering, Session
from messaging.models import RoomMember
from tests.courses.factories import (
    CourseFactory,
    LecturerFactory,
    OfferingFactory,
    VettingRecordFactory,
)
from tests.factories import (
    ChildFactory,
    DistrictFactory,
    GuardianLinkFactory,
    ResidentFactory,
    make_city_staff,
)

pytestmark = pytest.mark.django_db


def at(days: int, hour: int = 10) -> datetime:
    """``hour`` o'clock (Japan time) ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def honmachi():
    return DistrictFactory(slug="honmachi", name="本町", name_kana="ほんまち")


@pytest.fixture
def lecturer():
    return LecturerFactory()


@pytest.fixture
def course(lecturer):
    return CourseFactory(owner=lecturer, audience=Audience.ADULTS)


def offering_values(**changes):
    return {
        "venue": "本町公民館 第1会議室",
        "district": "honmachi",
        "capacity": 12,
        "enrolment_opens_at": timezone.now() - timedelta(days=1),
        "enrolment_closes_at": at(20),
    } | changes


def draft(course, starts=None):
    """A draft offering of ``course`` with sessions at ``starts`` (none when empty)."""
    return OfferingFactory(course=course, status=Offering.Status.DRAFT, sessions=starts or [])


def teacher(offering):
    return offering.course.owner.resident


# --- Courses --------------------------------------------------------------------------------


def test_an_approved_lecturer_creates_a_course_they_own(lecturer):
    course = services.course_create(
        actor=lecturer.resident,
        title="はじめての書道",
        title_kana="はじめてのしょどう",
        description="筆の持ち方から、名前を書けるようになるまで。",
        category="arts",
        level="beginner",
        audience="adults",
    )

    assert course.owner == lecturer
    assert course.language == "ja"
    assert not course.open_to_children


@pytest.mark.parametrize(
    "who",
    [
        lambda: LecturerFactory(status=Lecturer.Status.PENDING).resident,
        lambda: LecturerFactory(status=Lecturer.Status.DECLINED).resident,
        lambda: ResidentFactory(),
        lambda: make_city_staff(),  # staff manage offerings, but a course needs a lecturer
    ],
    ids=["pending", "declined", "never applied", "city staff"],
)
def test_only_approved_lecturers_create_courses(who):
    with pytest.raises(Forbidden):
        services.course_create(
            actor=who(),
            title="英会話",
            title_kana="えいかいわ",
            description="旅行で使える英語。",
            category="languages",
            level="beginner",
            audience="adults",
        )
    assert not Course.objects.exists()


def test_a_course_must_choose_its_category_level_and_audience_from_the_options(lecturer):
    with pytest.raises(Invalid) as refused:
        services.course_create(
            actor=lecturer.resident,
            title="謎の講座",
            title_kana="なぞのこうざ",
            description="?",
            category="astrology",
            level="expert",
            audience="cats",
        )
    assert set(refused.value.fields) == {"category", "level", "audience"}


# --- Offerings ------------------------------------------------------------------------------


def test_a_lecturer_creates_a_draft_offering_of_their_course_that_they_teach(
    honmachi, lecturer, course
):
    offering = services.offering_create(
        actor=lecturer.resident, course_id=course.pk, **offering_values(fee_yen=500)
    )

    assert offering.status == Offering.Status.DRAFT
    assert offering.district == honmachi
    assert offering.fee_yen == 500
    assert list(offering.lecturers.all()) == [lecturer]
    assert offering.first_session_at is None


def test_another_lecturer_cannot_offer_anothers_course_or_change_their_offering(honmachi, course):
    offering = draft(course)
    stranger = LecturerFactory().resident

    with pytest.raises(NotFound):
        services.offering_create(actor=stranger, course_id=course.pk, **offering_values())
    with pytest.raises(NotFound):
        services.offering_update(actor=stranger, offering_id=offering.pk, capacity=50)
    assert Offering.objects.count() == 1
    offering.refresh_from_db()
    assert offering.capacity == 3


def test_city_staff_may_change_any_offering(course):
    offering = draft(course)

    services.offering_update(actor=make_city_staff(), offering_id=offering.pk, venue="市民会館")

    offering.refresh_from_db()
    assert offering.venue == "市民会館"


def test_an_offering_missing_its_venue_or_places_is_refused(honmachi, lecturer, course):
    values = offering_values()
    del values["venue"], values["capacity"]

    with pytest.raises(Invalid) as refused:
        services.offering_create(actor=lecturer.resident, course_id=course.pk, **values)
    assert set(refused.value.fields) == {"venue", "capacity"}


def test_an_enrolment_window_that_closes_before_it_opens_is_refused(honmachi, lecturer, course):
    with pytest.raises(Invalid) as refused:
        services.offering_create(
            actor=lecturer.resident,
            course_id=course.pk,
            **offering_values(enrolment_opens_at=at(10), enrolment_closes_at=at(5)),
        )
    assert "enrolment_closes_at" in refused.value.fields
    assert not Offering.objects.exists()


def test_moving_one_end_of_the_enrolment_window_past_the_other_is_refused(course):
    """Regression: a change to one end alone used to reach the database's check (a 500)."""
    offering = draft(course)
    opens, closes = offering.enrolment_opens_at, offering.enrolment_closes_at

    with pytest.raises(Invalid) as refused:
        services.offering_update(
            actor=teacher(offering),
            offering_id=offering.pk,
            enrolment_closes_at=opens - timedelta(hours=1),
        )
    assert "enrolment_closes_at" in refused.value.fields
    with pytest.raises(Invalid):
        services.offering_update(
            actor=teacher(offering),
            offering_id=offering.pk,
            enrolment_opens_at=closes + timedelta(hours=1),
        )
    offering.refresh_from_db()
    assert (offering.enrolment_opens_at, offering.enrolment_closes_at) == (opens, closes)

    services.offering_update(
        actor=teacher(offering), offering_id=offering.pk, enrolment_closes_at=closes + timedelta(1)
    )
    offering.refresh_from_db()
    assert offering.enrolment_closes_at == closes + timedelta(days=1)


def test_an_unknown_district_is_refused(honmachi, lecturer, course):
    with pytest.raises(Invalid) as refused:
        services.offering_create(
            actor=lecturer.resident, course_id=course.pk, **offering_values(district="atlantis")
        )
    assert "district" in refused.value.fields

    offering = draft(course)
    with pytest.raises(Invalid):
        services.offering_update(
            actor=teacher(offering), offering_id=offering.pk, district="atlantis"
        )


def test_a_cancelled_offering_cannot_be_changed(course):
    offering = OfferingFactory(course=course, status=Offering.Status.CANCELLED)

    with pytest.raises(Conflict):
        services.offering_update(actor=teacher(offering), offering_id=offering.pk, capacity=10)


# --- Sessions -------------------------------------------------------------------------------


def add(offering, starts_at, hours=2):
    return services.session_add(
        actor=teacher(offering),
        offering_id=offering.pk,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
    )


def test_the_offerings_first_and_last_session_times_follow_its_sessions(course):
    offering = draft(course)
    first, _second, third = (add(offering, at(days)) for days in (7, 14, 21))
    offering.refresh_from_db()
    assert offering.first_session_at == at(7)
    assert offering.last_session_ends_at == at(21, 12)

    services.session_update(
        actor=teacher(offering), session_id=third.pk, starts_at=at(28, 13), ends_at=at(28, 15)
    )
    services.session_cancel(actor=teacher(offering), session_id=first.pk)

    offering.refresh_from_db()
    assert offering.first_session_at == at(14)
    assert offering.last_session_ends_at == at(28, 15)


def test_a_session_that_overlaps_another_is_refused(course):
    offering = draft(course)
    add(offering, at(7, 10))

    with pytest.raises(Invalid) as refused:
        add(offering, at(7, 11))
    assert "starts_at" in refused.value.fields
    add(offering, at(7, 12))  # starting as the other ends is fine
    assert offering.sessions.count() == 2


def test_moving_a_session_onto_another_is_refused_but_onto_a_cancelled_one_is_fine(course):
    offering = draft(course)
    first, second = add(offering, at(7)), add(offering, at(14))

    with pytest.raises(Invalid):
        services.session_update(
            actor=teacher(offering), session_id=second.pk, starts_at=at(7, 11), ends_at=at(7, 13)
        )
    services.session_cancel(actor=teacher(offering), session_id=first.pk)
    services.session_update(
        actor=teacher(offering), session_id=second.pk, starts_at=at(7, 11), ends_at=at(7, 13)
    )


@pytest.mark.parametrize("hours", [0, -1], ids=["ends as it starts", "ends before it starts"])
def test_a_session_must_end_after_it_starts(course, hours):
    offering = draft(course)

    with pytest.raises(Invalid) as refused:
        add(offering, at(7), hours=hours)
    assert "ends_at" in refused.value.fields
    assert not Session.objects.exists()


def test_another_lecturer_cannot_touch_the_sessions(course):
    offering = draft(course, [at(7)])
    session = offering.sessions.get()
    stranger = LecturerFactory().resident

    with pytest.raises(NotFound):
        services.session_add(
            actor=stranger, offering_id=offering.pk, starts_at=at(8), ends_at=at(8, 12)
        )
    with pytest.raises(NotFound):
        services.session_update(
            actor=stranger, session_id=session.pk, starts_at=at(8), ends_at=at(8, 12)
        )
    with pytest.raises(NotFound):
        services.session_cancel(actor=stranger, session_id=session.pk)


def test_moving_a_session_of_a_published_offering_tells_those_enrolled(
    course, django_capture_on_commit_callbacks
):
    offering = OfferingFactory(course=course, capacity=1)
    session = offering.sessions.get()
    Session.objects.filter(pk=session.pk).update(reminded_at=timezone.now())
    enrolled, waiting = ResidentFactory(), ResidentFactory()
    for resident in (enrolled, waiting):
        services.enrolment_create(actor=resident, offering_id=offering.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(
            actor=teacher(offering), session_id=session.pk, starts_at=at(9), ends_at=at(9, 12)
        )

    assert Notification.objects.filter(resident=enrolled, kind="courses.session_changed").exists()
    assert not Notification.objects.filter(resident=waiting, kind="courses.session_changed")
    session.refresh_from_db()
    assert session.reminded_at is None  # the new day gets its own reminder


# --- Publishing -----------------------------------------------------------------------------


def test_publishing_needs_a_session_that_is_not_cancelled(course):
    offering = draft(course)

    with pytest.raises(Invalid) as refused:
        services.offering_publish(actor=teacher(offering), offering_id=offering.pk)
    assert refused.value.code == "no_sessions"
    services.session_cancel(actor=teacher(offering), session_id=add(offering, at(7)).pk)
    with pytest.raises(Invalid):
        services.offering_publish(actor=teacher(offering), offering_id=offering.pk)
    offering.refresh_from_db()
    assert offering.status == Offering.Status.DRAFT


@pytest.mark.parametrize("audience", [Audience.CHILDREN, Audience.ALL])
def test_a_course_open_to_children_is_published_only_with_every_lecturer_currently_vetted(
    audience,
):
    lecturer = LecturerFactory()
    offering = draft(CourseFactory(owner=lecturer, audience=audience), [at(7)])
    today = timezone.localdate()
    VettingRecordFactory(
        lecturer=lecturer,
        checked_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=1),
    )

    with pytest.raises(Invalid) as refused:
        services.offering_publish(actor=lecturer.resident, offering_id=offering.pk)
    assert refused.value.code == "vetting_required"

    VettingRecordFactory(lecturer=lecturer)
    assistant = LecturerFactory(display_name="助手 一郎")
    offering.lecturers.add(assistant)
    with pytest.raises(Invalid) as refused:
        services.offering_publish(actor=lecturer.resident, offering_id=offering.pk)
    assert "助手 一郎" in refused.value.message

    VettingRecordFactory(lecturer=assistant)
    services.offering_publish(actor=lecturer.resident, offering_id=offering.pk)
    offering.refresh_from_db()
    assert offering.status == Offering.Status.PUBLISHED


def test_a_course_for_adults_needs_no_vetting(course):
    offering = draft(course, [at(7)])
    assert not resident_is_vetted(teacher(offering))

    services.offering_publish(actor=teacher(offering), offering_id=offering.pk)

    offering.refresh_from_db()
    assert offering.status == Offering.Status.PUBLISHED


def test_publishing_gives_the_cohort_one_room_its_circles_with_its_lecturers_moderating(
    course, django_capture_on_commit_callbacks
):
    offering = draft(course, [at(7)])

    with django_capture_on_commit_callbacks(execute=True):
        services.offering_publish(actor=teacher(offering), offering_id=offering.pk)

    member = RoomMember.objects.get()
    assert member.resident == teacher(offering)
    assert member.role == RoomMember.Role.MODERATOR
    assert member.room == Circle.objects.get(offering=offering).room
    assert member.room.kind == "circle"


def test_publishing_announces_the_offering_after_the_commit(
    course, django_capture_on_commit_callbacks
):
    offering = draft(course, [at(7)])
    published: list[int] = []

    def receiver(sender, offering_id, **kwargs):
        published.append(offering_id)

    events.offering_published.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.offering_publish(actor=teacher(offering), offering_id=offering.pk)
            assert published == []
    finally:
        events.offering_published.disconnect(receiver)

    assert published == [offering.pk]


def test_only_a_draft_is_published(course):
    offering = OfferingFactory(course=course)

    with pytest.raises(Conflict):
        services.offering_publish(actor=teacher(offering), offering_id=offering.pk)


# --- Cancelling -----------------------------------------------------------------------------


def test_cancelling_an_offering_ends_every_active_enrolment_and_tells_everyone(
    course, django_capture_on_commit_callbacks
):
    course.audience = Audience.ALL
    course.save()
    offering = OfferingFactory(course=course, capacity=2)
    enrolled, waiting, left = ResidentFactory.create_batch(3)
    guardian, child = ResidentFactory(), ChildFactory()
    GuardianLinkFactory(guardian=guardian, child=child)
    services.enrolment_create(actor=enrolled, offering_id=offering.pk)
    services.enrolment_create(actor=guardian, offering_id=offering.pk, resident_id=child.pk)
    services.enrolment_create(actor=waiting, offering_id=offering.pk)
    services.enrolment_create(actor=left, offering_id=offering.pk)
    services.enrolment_cancel(actor=left, offering_id=offering.pk)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.offering_cancel(actor=teacher(offering), offering_id=offering.pk)

    offering.refresh_from_db()
    assert offering.status == Offering.Status.CANCELLED
    assert set(offering.enrolments.values_list("status", flat=True)) == {"cancelled"}
    told = set(
        Notification.objects.filter(kind="courses.offering_cancelled").values_list(
            "resident", flat=True
        )
    )
    assert told == {enrolled.pk, waiting.pk, child.pk, guardian.pk}

    # Cancelling again changes nothing and tells nobody anything new.
    services.offering_cancel(actor=teacher(offering), offering_id=offering.pk)
    assert Notification.objects.count() == 4


def test_another_lecturer_cannot_cancel_an_offering(course):
    offering = OfferingFactory(course=course)

    with pytest.raises(NotFound):
        services.offering_cancel(actor=LecturerFactory().resident, offering_id=offering.pk)
    offering.refresh_from_db()
    assert offering.status == Offering.Status.PUBLISHED


# --- Copying --------------------------------------------------------------------------------


def test_copying_makes_a_draft_for_a_new_term_with_the_sessions_moved_and_nobody_enrolled(course):
    source = OfferingFactory(course=course, term="2025年春", sessions=[at(7), at(14), at(21)])
    services.enrolment_create(actor=ResidentFactory(), offering_id=source.pk)
    services.session_cancel(
        actor=teacher(source), session_id=source.sessions.order_by("starts_at").last().pk
    )

    copy = services.offering_copy(
        actor=teacher(source), offering_id=source.pk, shift_days=91, term="2025年夏"
    )

    assert copy.pk != source.pk
    assert copy.status == Offering.Status.DRAFT
    assert copy.term == "2025年夏"
    assert (copy.course, copy.venue, copy.capacity) == (source.course, source.venue, 3)
    assert list(copy.lecturers.all()) == list(source.lecturers.all())
    assert list(copy.sessions.values_list("starts_at", flat=True)) == [at(98), at(105)]
    assert copy.first_session_at == at(98)
    assert copy.last_session_ends_at == at(105, 12)
    assert copy.enrolment_opens_at == source.enrolment_opens_at + timedelta(days=91)
    assert not copy.enrolments.exists()
    assert Enrolment.objects.filter(offering=source).count() == 1


def test_copying_is_refused_to_another_lecturer_and_for_a_nonsense_shift(course):
    source = OfferingFactory(course=course)

    with pytest.raises(NotFound):
        services.offering_copy(
            actor=LecturerFactory().resident, offering_id=source.pk, shift_days=7
        )
    with pytest.raises(Invalid):
        services.offering_copy(actor=teacher(source), offering_id=source.pk, shift_days=0)
    assert Offering.objects.count() == 1
