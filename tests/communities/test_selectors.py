"""Reading circles: the directory and its filters, who may know of which circle, when a circle
last met and talked, one's own circles, and the city's "still alive after N weeks" figure."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campus_social.common.errors import NotFound
from campus_social.search import services as search_services
from communities import selectors, services
from communities.models import Circle, CircleEvent, Reply, Thread
from communities.selectors import CircleFilters
from courses import services as courses
from courses.models import Audience, Offering, Session
from messaging import services as messaging
from messaging.models import Message
from tests.communities.builders import circle_for_children, guardian_with_child
from tests.communities.factories import add_member, make_circle, organiser_of
from tests.courses.factories import OfferingFactory
from tests.factories import ChildFactory, DistrictFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def ago(**delta: float) -> datetime:
    return timezone.now() - timedelta(**delta)


def directory(actor, **filters) -> list[Circle]:
    return list(selectors.circle_directory(actor=actor, filters=CircleFilters(**filters)))


def names(circles) -> list[str]:
    return [circle.name for circle in circles]


def held_event(circle: Circle, starts_at: datetime, **fields) -> CircleEvent:
    """A meeting that took place (the services plan only future ones, so it is written as it
    would stand once held)."""
    return CircleEvent.objects.create(
        circle=circle,
        title="例会",
        place="公民館",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        **fields,
    )


def course_circle(**offering_fields) -> Circle:
    """The circle of a published course offering (for adults) with one session next week."""
    offering = OfferingFactory(course__audience=Audience.ADULTS, **offering_fields)
    circle = services.circle_for_offering(offering_id=offering.pk)
    assert circle is not None
    return circle


def say(circle: Circle, author) -> None:
    messaging.message_send(
        room_id=circle.room_id, author=author, client_id=uuid.uuid4(), body="こんにちは"
    )


# --- The directory: filters ----------------------------------------------------------------------


def test_the_directory_filters_by_topic_district_and_children():
    viewer = ResidentFactory()
    kawara = DistrictFactory(slug="kawara")
    make_circle(name="写真の会", name_kana="しゃしんのかい", topics=["arts"])
    make_circle(
        name="川原ウォーキング",
        name_kana="かわらうぉーきんぐ",
        topics=["health", "nature"],
        district_id=kawara.pk,
    )
    circle_for_children(name="こども将棋", name_kana="こどもしょうぎ", topics=["other"])

    assert names(directory(viewer)) == ["川原ウォーキング", "こども将棋", "写真の会"]
    assert names(directory(viewer, topic="nature")) == ["川原ウォーキング"]
    assert names(directory(viewer, district="kawara")) == ["川原ウォーキング"]
    assert names(directory(viewer, for_children=True)) == ["こども将棋"]
    assert names(directory(viewer, for_children=False)) == ["川原ウォーキング", "写真の会"]
    assert directory(viewer, topic="cooking") == []


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("うぉーきんぐ", ["朝のウォーキングの会"]),  # a senior types the reading in hiragana
        ("ウォーキング", ["朝のウォーキングの会"]),
        ("書道", ["書道の輪"]),
        ("公民館", ["書道の輪"]),  # in the description
        ("  しょどう ", ["書道の輪"]),
        ("てにす", []),
    ],
)
def test_the_directory_finds_circles_by_name_reading_or_description(query, found):
    make_circle()  # 書道の輪 (しょどうのわ), meeting at the 公民館
    make_circle(
        name="朝のウォーキングの会",
        name_kana="あさのうぉーきんぐのかい",
        description="",
        topics=["health"],  # not "arts", whose words (美術・書道) would find it by 書道
    )
    search_services.rebuild()  # words are found through the search index

    assert names(directory(ResidentFactory(), query=query)) == found


def test_the_directory_counts_active_members_only():
    circle = make_circle()
    add_member(circle)
    add_member(circle)
    services.circle_leave(actor=add_member(circle), circle_id=circle.pk)

    (listed,) = directory(ResidentFactory())
    assert listed.member_count == 3  # the organiser and two members


def test_active_within_days_keeps_circles_that_met_or_talked_in_the_window():
    met = make_circle(name="集まった会", name_kana="あ")
    posted = make_circle(name="書き込んだ会", name_kana="い")
    chatted = make_circle(name="話した会", name_kana="う")
    studied = course_circle()
    Session.objects.filter(offering=studied.offering).update(
        starts_at=ago(days=3), ends_at=ago(days=3) + timedelta(hours=2)
    )
    quiet = make_circle(name="静かな会", name_kana="え")
    held_event(met, ago(days=5))
    services.thread_create(
        actor=organiser_of(posted), circle_id=posted.pk, title="近況", body="元気です"
    )
    say(chatted, organiser_of(chatted))
    # Signs of life that do not count: too long ago, not yet held, cancelled.
    held_event(quiet, ago(days=40))
    held_event(quiet, timezone.now() + timedelta(days=2))
    held_event(quiet, ago(days=1), cancelled_at=ago(days=2))

    active = directory(ResidentFactory(), active_within_days=30)

    assert set(active) == {met, posted, chatted, studied}


# --- The directory: who may know of which circle ------------------------------------------------


def test_an_invite_only_circle_is_listed_only_for_those_inside_it():
    hidden = make_circle(name="内緒の会", visibility=Circle.Visibility.INVITE_ONLY)
    organiser = organiser_of(hidden)
    invited, member, outsider = ResidentFactory(), ResidentFactory(), ResidentFactory()
    for resident in (invited, member):
        services.circle_invite(actor=organiser, circle_id=hidden.pk, resident_id=resident.pk)
    services.circle_join(actor=member, circle_id=hidden.pk)

    for insider in (organiser, invited, member):
        assert directory(insider) == [hidden]
        assert selectors.circle_get(circle_id=hidden.pk, actor=insider) == hidden
    assert directory(outsider) == []

    services.circle_leave(actor=member, circle_id=hidden.pk)
    assert directory(member) == []


def test_the_guardian_of_a_child_in_an_invite_only_circle_sees_it():
    circle = circle_for_children()
    link = guardian_with_child()
    services.circle_join(actor=link.guardian, circle_id=circle.pk, resident_id=link.child.pk)
    services.circle_update(
        actor=organiser_of(circle), circle_id=circle.pk, visibility=Circle.Visibility.INVITE_ONLY
    )

    assert directory(link.guardian) == [circle]
    assert directory(link.child) == [circle]
    assert directory(ResidentFactory()) == []
    assert directory(guardian_with_child().guardian) == []


def test_a_child_sees_only_circles_for_children():
    for_children = circle_for_children(name="こども将棋")
    for_adults = make_circle(name="大人の書道")
    child = ChildFactory()

    assert directory(child) == [for_children]
    assert selectors.circle_get(circle_id=for_children.pk, actor=child) == for_children
    with pytest.raises(NotFound):
        selectors.circle_get(circle_id=for_adults.pk, actor=child)


def test_closed_circles_leave_the_directory_but_stay_in_their_members_list():
    circle = make_circle()
    member = add_member(circle)
    services.circle_close(actor=organiser_of(circle), circle_id=circle.pk)

    assert directory(member) == []
    assert [entry.circle for entry in selectors.my_circles(resident=member)] == [circle]


def test_reading_the_directory_costs_the_same_queries_for_3_or_13_circles(
    django_assert_num_queries,
):
    """Guards the N+1 of each circle's district, topics, member count and liveliness."""
    viewer = ResidentFactory()

    def read() -> list[tuple]:
        return [
            (
                circle.district.name,
                [topic.topic for topic in circle.topics.all()],
                circle.member_count,
                selectors.last_met_at(circle),
                selectors.last_talked_at(circle),
            )
            for circle in selectors.circle_directory(actor=viewer)
        ]

    def busy_circle() -> None:
        circle = make_circle(topics=["arts", "history"])
        add_member(circle)
        held_event(circle, ago(days=2))
        services.thread_create(actor=organiser_of(circle), circle_id=circle.pk, title="t", body="b")

    for _ in range(3):
        busy_circle()
    with CaptureQueriesContext(connection) as few:
        assert len(read()) == 3
    for _ in range(10):
        busy_circle()

    with django_assert_num_queries(len(few.captured_queries)):
        rows = read()
    assert len(rows) == 13
    assert all(row[2] == 2 and row[3] and row[4] for row in rows)


# --- When a circle last met and talked ----------------------------------------------------------


def test_last_met_is_the_latest_meeting_or_course_session_already_held():
    circle = course_circle()
    session = Session.objects.get(offering=circle.offering)
    Session.objects.filter(pk=session.pk).update(
        starts_at=ago(days=10), ends_at=ago(days=10) + timedelta(hours=2)
    )
    detail = selectors.circle_detail(circle_id=circle.pk, actor=organiser_of(circle))
    assert detail.last_session_at == Session.objects.get(pk=session.pk).starts_at
    assert selectors.last_met_at(detail) == detail.last_session_at

    meeting = held_event(circle, ago(days=4))
    held_event(circle, ago(days=1), cancelled_at=ago(days=2))
    held_event(circle, timezone.now() + timedelta(days=3))
    detail = selectors.circle_detail(circle_id=circle.pk, actor=organiser_of(circle))
    assert selectors.last_met_at(detail) == meeting.starts_at


def test_last_talked_is_the_latest_discussion_post_or_chat_message():
    circle = make_circle()
    organiser = organiser_of(circle)
    detail = selectors.circle_detail(circle_id=circle.pk, actor=organiser)
    assert (selectors.last_met_at(detail), selectors.last_talked_at(detail)) == (None, None)

    thread = services.thread_create(actor=organiser, circle_id=circle.pk, title="t", body="b")
    detail = selectors.circle_detail(circle_id=circle.pk, actor=organiser)
    assert selectors.last_talked_at(detail) == thread.created_at

    say(circle, organiser)
    detail = selectors.circle_detail(circle_id=circle.pk, actor=organiser)
    message = Message.objects.get(room_id=circle.room_id)
    assert selectors.last_talked_at(detail) == message.created_at

    reply = services.reply_create(actor=organiser, thread_id=thread.pk, body="r")
    detail = selectors.circle_detail(circle_id=circle.pk, actor=organiser)
    assert selectors.last_talked_at(detail) == reply.created_at


# --- One's own circles -----------------------------------------------------------------------------


def test_my_circles_lists_where_i_am_invited_asked_or_a_member_and_my_childrens_places():
    link = guardian_with_child()
    me = link.guardian
    joined, asked = make_circle(name_kana="あ"), make_circle(name_kana="い", visibility="moderated")
    invited = make_circle(name_kana="う", visibility="invite_only")
    left, banned = make_circle(name_kana="え"), make_circle(name_kana="お")
    childs = circle_for_children(name_kana="か")
    add_member(joined, me)
    services.circle_join(actor=me, circle_id=asked.pk)
    services.circle_invite(actor=organiser_of(invited), circle_id=invited.pk, resident_id=me.pk)
    add_member(left, me)
    services.circle_leave(actor=me, circle_id=left.pk)
    add_member(banned, me)
    services.circle_member_remove(
        actor=organiser_of(banned), circle_id=banned.pk, resident_id=me.pk, ban=True
    )
    services.circle_join(actor=me, circle_id=childs.pk, resident_id=link.child.pk)

    entries = [(m.circle, m.resident, m.status) for m in selectors.my_circles(resident=me)]

    assert entries == [
        (joined, me, "active"),
        (asked, me, "requested"),
        (invited, me, "invited"),
        (childs, link.child, "active"),
    ]


def test_circle_members_lists_the_organiser_first_then_moderators():
    circle = make_circle()
    organiser = organiser_of(circle)
    member = add_member(circle, ResidentFactory(name_kana="あいうえお"))
    moderator = add_member(circle, ResidentFactory(name_kana="わをん"))
    services.circle_role_set(
        actor=organiser, circle_id=circle.pk, resident_id=moderator.pk, role="moderator"
    )

    listed = [m.resident for m in selectors.circle_members(circle_id=circle.pk, actor=member)]

    assert listed == [organiser, moderator, member]


# --- Still alive N weeks after the course ---------------------------------------------------------


NOW = timezone.now()


def ended_circle(weeks_ago: float) -> Circle:
    """A course circle whose offering's last session ended ``weeks_ago`` weeks before NOW."""
    end = NOW - timedelta(weeks=weeks_ago)
    circle = course_circle(sessions=[end - timedelta(hours=2)])
    Offering.objects.filter(pk=circle.offering_id).update(last_session_ends_at=end)
    circle.refresh_from_db()
    return circle


def mark(circle: Circle, weeks: float, seconds: float = 0) -> datetime:
    assert circle.offering is not None
    assert circle.offering.last_session_ends_at is not None
    return circle.offering.last_session_ends_at + timedelta(weeks=weeks, seconds=seconds)


def alive(weeks: int = 8) -> set[Circle]:
    return set(selectors.course_circles_alive(weeks=weeks, now=NOW))


def test_a_meeting_exactly_n_weeks_after_the_end_counts_and_a_second_earlier_does_not():
    on_the_mark, just_before = ended_circle(10), ended_circle(10)
    held_event(on_the_mark, mark(on_the_mark, 8))
    held_event(just_before, mark(just_before, 8, seconds=-1))

    assert alive() == {on_the_mark}
    survival = selectors.course_circle_survival(weeks=8, now=NOW)
    assert (survival.ended, survival.alive, survival.share) == (2, 1, 0.5)


def test_a_reply_or_a_chat_message_after_n_weeks_is_a_sign_of_life():
    replied, chatted, posted_early = ended_circle(9), ended_circle(9), ended_circle(9)
    organiser = organiser_of(replied)
    thread = services.thread_create(actor=organiser, circle_id=replied.pk, title="t", body="b")
    Thread.objects.filter(pk=thread.pk).update(created_at=mark(replied, 1))
    reply = services.reply_create(actor=organiser, thread_id=thread.pk, body="まだ続けましょう")
    Reply.objects.filter(pk=reply.pk).update(created_at=mark(replied, 8, seconds=60))
    Message.objects.create(room=chatted.room, seq=1, body="元気？", created_at=mark(chatted, 8.5))
    Thread.objects.create(
        circle=posted_early, title="早い", body="…", created_at=mark(posted_early, 2)
    )

    assert alive() == {replied, chatted}


def test_a_circle_whose_course_ended_less_than_n_weeks_ago_is_not_counted_yet():
    recent = ended_circle(7.9)
    held_event(recent, NOW - timedelta(days=1))

    survival = selectors.course_circle_survival(weeks=8, now=NOW)
    assert (survival.ended, survival.alive, survival.share) == (0, 0, None)


def test_activity_after_the_moment_of_counting_does_not_count():
    circle = ended_circle(10)
    held_event(circle, NOW + timedelta(days=1))
    Message.objects.create(room=circle.room, seq=1, body="未来", created_at=NOW + timedelta(days=1))

    assert alive() == set()


def test_a_cancelled_offerings_circle_and_a_free_standing_circle_are_not_counted():
    cancelled = ended_circle(10)
    offering = Offering.objects.get(pk=cancelled.offering_id)
    courses.offering_cancel(actor=offering.course.owner.resident, offering_id=offering.pk)
    held_event(cancelled, mark(cancelled, 9))
    free_standing = make_circle()
    held_event(free_standing, NOW - timedelta(days=1))
    counted = ended_circle(10)
    held_event(counted, mark(counted, 9))

    survival = selectors.course_circle_survival(weeks=8, now=NOW)

    assert (survival.ended, survival.alive) == (1, 1)
    assert alive() == {counted}


def test_a_cancelled_meeting_is_no_sign_of_life():
    circle = ended_circle(10)
    held_event(circle, mark(circle, 9), cancelled_at=mark(circle, 8))

    assert alive() == set()


def test_removed_posts_and_removed_chat_messages_are_no_sign_of_life():
    removed_post, removed_reply, removed_message = (
        ended_circle(10),
        ended_circle(10),
        ended_circle(10),
    )
    after = mark(removed_post, 9)
    Thread.objects.create(
        circle=removed_post, title="広告", body="…", created_at=after, removed_at=NOW
    )
    organiser = organiser_of(removed_reply)
    thread = services.thread_create(
        actor=organiser, circle_id=removed_reply.pk, title="t", body="b"
    )
    Thread.objects.filter(pk=thread.pk).update(created_at=mark(removed_reply, 1))
    Reply.objects.create(thread=thread, body="…", created_at=mark(removed_reply, 9), removed_at=NOW)
    Message.objects.create(
        room=removed_message.room,
        seq=1,
        body="…",
        created_at=mark(removed_message, 9),
        removed_at=NOW,
        removed_reason="moderator",
    )

    assert alive() == set()


def test_a_discussion_meeting_or_resource_is_found_only_under_its_own_circle():
    home, other = make_circle(), make_circle()
    member = add_member(home)
    add_member(other, member)
    organiser = organiser_of(other)
    thread = services.thread_create(actor=organiser, circle_id=other.pk, title="t", body="b")
    event = services.event_create(
        actor=organiser,
        circle_id=other.pk,
        title="集まり",
        place="公民館",
        starts_at=NOW + timedelta(days=3),
        ends_at=NOW + timedelta(days=3, hours=1),
    )
    link = services.resource_add_link(
        actor=organiser, circle_id=other.pk, title="地図", url="https://example.jp/"
    )

    for find in (
        lambda circle: selectors.thread_detail(
            circle_id=circle.pk, thread_id=thread.pk, actor=member
        ),
        lambda circle: selectors.event_detail(circle_id=circle.pk, event_id=event.pk, actor=member),
        lambda circle: selectors.resource_get(
            circle_id=circle.pk, resource_id=link.pk, actor=member
        ),
    ):
        assert find(other).pk in (thread.pk, event.pk, link.pk)
        with pytest.raises(NotFound):
            find(home)


# --- An offering's cohort circle (for the offering's page) -------------------------------------


def test_an_offerings_page_finds_its_cohort_circle_and_its_room_for_those_who_may_know_of_it():
    offering = OfferingFactory(course__audience=Audience.ADULTS)
    circle = services.circle_for_offering(offering_id=offering.pk)
    assert circle is not None

    found = selectors.offering_circle(offering_id=offering.pk, actor=ResidentFactory())

    assert found == circle
    assert found.room_id == circle.room_id
    # A child sees only circles for children; nobody signed out; no circle, no answer.
    assert selectors.offering_circle(offering_id=offering.pk, actor=ChildFactory()) is None
    assert selectors.offering_circle(offering_id=offering.pk, actor=None) is None
    assert selectors.offering_circle(offering_id="1", actor=ResidentFactory()) is None
    other = OfferingFactory()
    assert selectors.offering_circle(offering_id=other.pk, actor=ResidentFactory()) is None
