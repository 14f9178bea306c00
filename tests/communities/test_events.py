"""Meetings of a circle: planned by its organisers and moderators, changed, cancelled, and
answered (yes, maybe, no) by members — or by a guardian for their child."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.notifications.models import Notification
from communities import selectors, services
from communities.models import Circle, CircleEvent, Rsvp
from tests.communities.builders import circle_for_children, guardian_with_child
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.factories import GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db

EVENTS = "communities.events"


def soon(days: int = 7, hours: int = 0) -> datetime:
    return timezone.now() + timedelta(days=days, hours=hours)


def event_values(**changes):
    values = {
        "title": "月例の書き初め会",
        "description": "半紙は用意します。",
        "place": "中央公民館 和室",
        "starts_at": soon(7),
        "ends_at": soon(7, hours=2),
    }
    values.update(changes)
    return values


def plan(circle: Circle, actor=None, **changes) -> CircleEvent:
    return services.event_create(
        actor=actor or organiser_of(circle), circle_id=circle.pk, **event_values(**changes)
    )


def told(resident) -> list[str]:
    return list(
        Notification.objects.filter(resident=resident, kind=EVENTS).values_list("title", flat=True)
    )


@pytest.fixture
def circle() -> Circle:
    return make_circle()


@pytest.fixture
def member(circle):
    return add_member(circle)


def make_moderator(circle: Circle):
    moderator = add_member(circle)
    services.circle_role_set(
        actor=organiser_of(circle), circle_id=circle.pk, resident_id=moderator.pk, role="moderator"
    )
    return moderator


# --- Planning --------------------------------------------------------------------------------------


def test_the_organiser_plans_a_meeting_and_the_members_are_told_after_the_commit(
    circle, member, django_capture_on_commit_callbacks
):
    organiser = organiser_of(circle)
    outsider = ResidentFactory()

    with django_capture_on_commit_callbacks(execute=True):
        event = plan(circle)

    assert (event.title, event.place) == ("月例の書き初め会", "中央公民館 和室")
    assert event.created_by == organiser
    (title,) = told(member)
    assert "月例の書き初め会" in title
    assert told(organiser) == []  # who planned it knows
    assert told(outsider) == []
    assert list(selectors.event_list(circle_id=circle.pk, actor=member, upcoming=True)) == [event]


def test_a_moderator_plans_meetings_too(circle):
    assert plan(circle, make_moderator(circle)).pk


def test_a_plain_member_or_an_outsider_cannot_plan_a_meeting(circle, member):
    for actor in (member, ResidentFactory()):
        with pytest.raises(Forbidden):
            plan(circle, actor)
    assert not CircleEvent.objects.exists()
    assert not Notification.objects.filter(kind=EVENTS).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": soon(-1), "ends_at": soon(-1, hours=2)}, "starts_at"),
        ({"ends_at": soon(7, hours=-1)}, "ends_at"),
        ({"ends_at": soon(7)}, "ends_at"),
        ({"starts_at": datetime(2030, 1, 1, 10)}, "starts_at"),  # no time zone
        ({"starts_at": "2030-01-01T10:00"}, "starts_at"),
        ({"title": ""}, "title"),
        ({"place": "  "}, "place"),
        ({"title": "会" * 201}, "title"),
        ({"description": "説" * 5001}, "description"),
    ],
)
def test_a_meeting_with_bad_details_is_refused_naming_the_field_and_nobody_is_told(
    circle, member, changes, field, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Invalid) as refused:
        plan(circle, **changes)

    assert field in refused.value.fields
    assert not CircleEvent.objects.exists()
    assert told(member) == []


# --- Changing and cancelling -----------------------------------------------------------------------


def test_the_organiser_moves_a_meeting(circle):
    event = plan(circle)

    services.event_update(
        actor=organiser_of(circle),
        event_id=event.pk,
        place="駅前コミュニティセンター",
        starts_at=soon(14),
        ends_at=soon(14, hours=1),
    )

    event.refresh_from_db()
    assert event.place == "駅前コミュニティセンター"
    assert event.starts_at > soon(13)
    assert event.title == "月例の書き初め会"


def test_members_are_told_when_a_meeting_moves_but_not_when_only_its_words_change(
    circle, member, django_capture_on_commit_callbacks
):
    organiser = organiser_of(circle)
    event = plan(circle)
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(actor=organiser, event_id=event.pk, description="筆を持参")
    assert told(member) == []

    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(actor=organiser, event_id=event.pk, place="駅前コミュニティセンター")
    assert len(told(member)) == 1
    assert "月例の書き初め会" in told(member)[0]
    assert told(organiser) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"ends_at": soon(6)},  # before its start
        {"starts_at": soon(-2), "ends_at": soon(-2, hours=1)},  # into the past
        {"title": ""},
    ],
)
def test_a_bad_change_to_a_meeting_is_refused_and_it_stays_as_it_was(circle, changes):
    event = plan(circle)
    before = (event.title, event.starts_at, event.ends_at)

    with pytest.raises(Invalid):
        services.event_update(actor=organiser_of(circle), event_id=event.pk, **changes)

    event.refresh_from_db()
    assert (event.title, event.starts_at, event.ends_at) == before


def test_a_plain_member_cannot_change_a_meeting(circle, member):
    event = plan(circle)

    with pytest.raises(Forbidden):
        services.event_update(actor=member, event_id=event.pk, title="私の会")
    event.refresh_from_db()
    assert event.title == "月例の書き初め会"


def test_cancelling_a_meeting_tells_the_members_once(
    circle, member, django_capture_on_commit_callbacks
):
    event = plan(circle)
    organiser = organiser_of(circle)
    Notification.objects.all().delete()  # the news of the meeting itself

    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(actor=organiser, event_id=event.pk)
        services.event_cancel(actor=organiser, event_id=event.pk)

    event.refresh_from_db()
    assert event.cancelled_at is not None
    (cancelled,) = told(member)
    assert "月例の書き初め会" in cancelled
    with pytest.raises(Conflict) as refused:
        services.event_update(actor=organiser, event_id=event.pk, title="やはり開催")
    assert refused.value.code == "cancelled"


def test_a_plain_member_cannot_cancel_a_meeting(circle, member):
    event = plan(circle)

    with pytest.raises(Forbidden):
        services.event_cancel(actor=member, event_id=event.pk)
    event.refresh_from_db()
    assert event.cancelled_at is None


# --- Answering -------------------------------------------------------------------------------------


def test_members_answer_yes_maybe_or_no_and_may_change_their_minds(circle, member):
    event = plan(circle)
    other, third = add_member(circle), add_member(circle)

    services.rsvp_set(actor=member, event_id=event.pk, answer="yes")
    services.rsvp_set(actor=other, event_id=event.pk, answer="maybe")
    services.rsvp_set(actor=third, event_id=event.pk, answer="no")
    detail = selectors.event_detail(circle_id=event.circle_id, event_id=event.pk, actor=member)
    assert (detail.coming, detail.maybe) == (1, 1)

    services.rsvp_set(actor=other, event_id=event.pk, answer="yes")
    detail = selectors.event_detail(circle_id=event.circle_id, event_id=event.pk, actor=member)
    assert (detail.coming, detail.maybe) == (2, 0)
    assert Rsvp.objects.filter(event=event).count() == 3
    assert selectors.rsvp_of(event=event, resident=other).answer == "yes"


@pytest.mark.parametrize("answer", ["YES", "perhaps", "", None, 1])
def test_an_answer_other_than_yes_maybe_or_no_is_refused(circle, member, answer):
    event = plan(circle)

    with pytest.raises(Invalid) as refused:
        services.rsvp_set(actor=member, event_id=event.pk, answer=answer)
    assert "answer" in refused.value.fields
    assert not Rsvp.objects.exists()


def test_nobody_answers_for_a_cancelled_or_finished_meeting(circle, member):
    cancelled, finished = plan(circle), plan(circle, title="先週の会")
    services.event_cancel(actor=organiser_of(circle), event_id=cancelled.pk)
    CircleEvent.objects.filter(pk=finished.pk).update(starts_at=soon(-7), ends_at=soon(-7, hours=2))

    with pytest.raises(Conflict) as refused:
        services.rsvp_set(actor=member, event_id=cancelled.pk, answer="yes")
    assert refused.value.code == "cancelled"
    with pytest.raises(Conflict) as refused:
        services.rsvp_set(actor=member, event_id=finished.pk, answer="yes")
    assert refused.value.code == "past"
    assert not Rsvp.objects.exists()


def test_nobody_answers_for_a_meeting_of_a_closed_circle(circle, member):
    event = plan(circle)
    services.circle_close(actor=organiser_of(circle), circle_id=circle.pk)

    with pytest.raises(Conflict) as refused:
        services.rsvp_set(actor=member, event_id=event.pk, answer="yes")
    assert refused.value.code == "closed"
    assert not Rsvp.objects.exists()


def test_outsiders_cannot_answer(circle):
    event = plan(circle)

    with pytest.raises(Forbidden):
        services.rsvp_set(actor=ResidentFactory(), event_id=event.pk, answer="yes")
    with pytest.raises(NotFound):
        services.rsvp_set(actor=ResidentFactory(), event_id=987_654, answer="yes")
    assert not Rsvp.objects.exists()


def test_a_guardian_answers_for_their_child_who_is_a_member():
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    event = plan(circle)

    rsvp = services.rsvp_set(
        actor=link.guardian, event_id=event.pk, answer="yes", resident_id=link.child.pk
    )

    assert rsvp.resident == link.child
    assert (
        selectors.event_detail(
            circle_id=event.circle_id, event_id=event.pk, actor=link.guardian
        ).coming
        == 1
    )
    # The guardian reads along but is no member: they cannot answer for themselves.
    with pytest.raises(Forbidden):
        services.rsvp_set(actor=link.guardian, event_id=event.pk, answer="yes")


def test_a_guardian_cannot_answer_for_a_child_who_is_not_in_the_circle_nor_for_a_stranger():
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    sibling = GuardianLinkFactory(guardian=link.guardian).child
    someone_elses = guardian_with_child().child
    event = plan(circle)

    with pytest.raises(Forbidden):
        services.rsvp_set(
            actor=link.guardian, event_id=event.pk, answer="yes", resident_id=sibling.pk
        )
    with pytest.raises(NotFound):
        services.rsvp_set(
            actor=link.guardian, event_id=event.pk, answer="yes", resident_id=someone_elses.pk
        )
    assert not Rsvp.objects.exists()


# --- Query budgets --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 20])
def test_announcing_a_meeting_costs_the_same_queries_for_2_and_20_members(
    size, django_assert_num_queries
):
    """Guards the N+1 of telling each member of the circle one by one."""
    circle = make_circle()
    members = [
        add_member(circle, ResidentFactory(language="en" if n % 2 else "ja")) for n in range(size)
    ]

    with django_assert_num_queries(10):
        plan(circle)

    assert all(told(member) for member in members)
    assert not told(organiser_of(circle))  # the one acting is not told
