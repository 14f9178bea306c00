"""Migration ``communities.0003``: an offering's room and its cohort circle's room become one,
nothing lost (its function, run on rooms as the code before it left them)."""

import importlib
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from campus_social.identity.models import Resident
from communities.models import Circle, CircleMember
from messaging.models import (
    Message,
    MessageEdit,
    MessageReport,
    ModerationAction,
    Room,
    RoomMember,
)
from tests.communities.factories import make_circle, organiser_of
from tests.courses.factories import OfferingFactory
from tests.factories import ChildFactory, DistrictFactory, GuardianLinkFactory, ResidentFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("communities.migrations.0003_one_room_per_cohort")

START = timezone.now() - timedelta(days=30)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def offering_room(offering_id: int, title: str = "朝の太極拳 2026 春") -> Room:
    """The room courses made for an offering when it was published."""
    return Room.objects.create(kind="offering", subject_key=f"offering:{offering_id}", title=title)


def said(room: Room, author: Resident, body: str, minutes: int, reply_to: int | None = None):
    """A message as ``message_send`` stored it: the room's next seq, written at ``minutes``."""
    room.refresh_from_db()
    message = Message.objects.create(
        room=room,
        seq=room.last_seq + 1,
        author=author,
        body=body,
        reply_to=reply_to,
        created_at=at(minutes),
    )
    Room.objects.filter(pk=room.pk).update(last_seq=message.seq, last_message_at=at(minutes))
    return message


def in_room(room: Room, resident: Resident, role: str = "member", **fields) -> RoomMember:
    return RoomMember.objects.create(room=room, resident=resident, role=role, **fields)


def standing(circle: Circle, resident: Resident, *, status: str = "active", role: str = "member"):
    return CircleMember.objects.create(
        circle=circle, resident=resident, status=status, role=role, via_offering=True
    )


def member(room: Room, resident: Resident) -> RoomMember | None:
    return RoomMember.objects.filter(room=room, resident=resident).first()


def run() -> None:
    migration.one_room_per_cohort(apps, None)


@pytest.fixture
def cohort():
    """A cohort circle with its room, and the offering's own room beside it."""
    lecturer = ResidentFactory(name="川辺 先生")
    circle = make_circle(organiser=lecturer, name="朝の太極拳 2026 春")
    offering = OfferingFactory()
    Circle.objects.filter(pk=circle.pk).update(offering=offering)
    circle.refresh_from_db()
    course_room = offering_room(offering.pk)
    in_room(course_room, lecturer, "moderator")
    return circle, course_room, lecturer


def test_the_two_rooms_become_the_circles_room_with_every_message_in_the_order_written(cohort):
    circle, course_room, lecturer = cohort
    circle_room = circle.room
    learner = ResidentFactory()
    standing(circle, learner)
    in_room(circle_room, learner)
    in_room(course_room, learner)
    hello = said(course_room, lecturer, "ようこそ", 0)  # offering #1
    said(circle_room, learner, "よろしく", 5)  # circle #1
    said(course_room, learner, "質問です", 10, reply_to=hello.seq)  # offering #2 → #1
    asked = said(circle_room, lecturer, "何でもどうぞ", 10)  # circle #2: a tie, the circle's
    said(circle_room, learner, "ありがとう", 20, reply_to=asked.seq)  # circle #3 → #2
    edited = said(course_room, lecturer, "場所は河川敷です", 30)  # offering #3
    MessageEdit.objects.create(message=edited, body="場所は公民館です", edited_at=at(31))
    MessageReport.objects.create(message=edited, reporter=learner, reason="場所が違う")
    ModerationAction.objects.create(
        room=course_room, moderator=lecturer, action="dismiss", message=edited, reason="正しい"
    )

    run()

    assert not Room.objects.filter(subject_key__startswith="offering:").exists()
    circle.refresh_from_db()
    room = circle.room
    assert (room.pk, room.subject_key, room.kind) == (
        circle_room.pk,
        f"circle:{circle.pk}",
        "circle",
    )
    merged = list(Message.objects.filter(room=room).order_by("seq"))
    # On a tie (minute 10) the older room's message comes first: the circle's was made first.
    assert [(m.seq, m.body, m.reply_to) for m in merged] == [
        (1, "ようこそ", None),
        (2, "よろしく", None),
        (3, "何でもどうぞ", None),
        (4, "質問です", 1),
        (5, "ありがとう", 3),
        (6, "場所は河川敷です", None),
    ]
    assert (room.last_seq, room.last_message_at) == (6, at(30))
    moved = Message.objects.get(pk=edited.pk)
    assert list(moved.edits.values_list("body", flat=True)) == ["場所は公民館です"]
    assert list(moved.reports.values_list("reason", flat=True)) == ["場所が違う"]
    assert ModerationAction.objects.get().room_id == room.pk
    assert Message.objects.count() == 6


def test_members_of_both_rooms_are_united_with_their_reading_and_mutes(cohort):
    circle, course_room, lecturer = cohort
    circle_room = circle.room
    both, course_only, asked = ResidentFactory(), ResidentFactory(), ResidentFactory()
    standing(circle, both)
    standing(circle, course_only)
    standing(circle, asked, status="requested")
    muted_until = timezone.now() + timedelta(hours=2)
    said(course_room, lecturer, "c1", 0)
    said(circle_room, lecturer, "k1", 1)
    said(course_room, lecturer, "c2", 2)
    said(circle_room, lecturer, "k2", 3)
    said(course_room, lecturer, "c3", 4)
    # Read up to c2 in the course's room (→ new #3) and up to k1 in the circle's (→ new #2).
    in_room(circle_room, both, last_read_seq=1, joined_at=at(-5))
    in_room(course_room, both, last_read_seq=2, muted_until=muted_until, joined_at=at(-9))
    in_room(course_room, course_only, last_read_seq=3)
    in_room(course_room, asked, "moderator")  # someone the circle has no say about

    run()

    room = Circle.objects.get(pk=circle.pk).room
    united = member(room, both)
    assert (united.role, united.last_read_seq, united.muted_until, united.joined_at) == (
        "member",
        3,
        muted_until,
        at(-9),
    )
    assert (member(room, course_only).role, member(room, course_only).last_read_seq) == (
        "member",
        5,
    )
    assert member(room, asked).role == "moderator"  # the higher of the roles
    assert member(room, lecturer).role == "moderator"
    assert member(room, lecturer).last_read_seq == 0
    assert RoomMember.objects.filter(room=room).count() == 4
    assert not RoomMember.objects.exclude(room=room).exists()


def test_the_circle_decides_roles_and_who_left_or_was_banned_stays_out(cohort):
    circle, course_room, lecturer = cohort
    assert organiser_of(circle) == lecturer
    circle_room = circle.room
    demoted, left, banned = ResidentFactory(), ResidentFactory(), ResidentFactory()
    standing(circle, demoted)  # the organiser made a co-lecturer a plain member
    in_room(circle_room, demoted)
    in_room(course_room, demoted, "moderator")
    standing(circle, left, status="left")
    in_room(course_room, left)
    standing(circle, banned, status="banned")
    in_room(course_room, banned)

    run()

    room = Circle.objects.get(pk=circle.pk).room
    assert member(room, demoted).role == "member"
    assert member(room, left) is None
    assert member(room, banned) is None
    assert member(room, lecturer).role == "moderator"


def test_a_guardian_reads_along_only_while_a_child_of_theirs_is_in_the_room(cohort):
    circle, course_room, _lecturer = cohort
    waiting = GuardianLinkFactory(child=ChildFactory())  # in the circle, not yet in its room
    standing(circle, waiting.child)
    in_room(course_room, waiting.child)
    in_room(course_room, waiting.guardian, "reader")
    gone = GuardianLinkFactory(child=ChildFactory())  # the child left the circle
    standing(circle, gone.child, status="left")
    in_room(course_room, gone.child)
    in_room(course_room, gone.guardian, "reader")

    run()

    room = Circle.objects.get(pk=circle.pk).room
    assert member(room, waiting.child).role == "member"
    assert member(room, waiting.guardian).role == "reader"
    assert member(room, gone.child) is None
    assert member(room, gone.guardian) is None


def test_a_cohort_circle_without_a_room_takes_the_offerings_room_as_it_is():
    offering = OfferingFactory()
    circle = Circle.objects.create(
        name="陶芸入門 2026 春", name_kana="とうげい", district=DistrictFactory(), offering=offering
    )
    course_room = offering_room(offering.pk)
    learner = ResidentFactory()
    in_room(course_room, learner, last_read_seq=1)
    said(course_room, learner, "はじめまして", 0)

    run()

    circle.refresh_from_db()
    assert circle.room_id == course_room.pk
    room = circle.room
    assert (room.subject_key, room.kind, room.title) == (
        f"circle:{circle.pk}",
        "circle",
        circle.name,
    )
    assert member(room, learner).last_read_seq == 1
    assert Message.objects.get(room=room).seq == 1


def test_every_other_circle_gets_a_room_and_an_offering_room_without_a_circle_is_counted(capsys):
    closed = Circle.objects.create(
        name="閉じた輪", name_kana="とじたわ", district=DistrictFactory(), closed_at=timezone.now()
    )
    orphan = offering_room(OfferingFactory().pk)

    run()

    closed.refresh_from_db()
    assert closed.room.subject_key == f"circle:{closed.pk}"
    assert closed.room.closed_at == closed.closed_at
    assert Room.objects.filter(pk=orphan.pk, subject_key=orphan.subject_key).exists()
    assert "1 offering room(s) without a cohort circle" in capsys.readouterr().out


def test_the_migration_changes_nothing_the_second_time(cohort):
    circle, course_room, lecturer = cohort
    said(course_room, lecturer, "一", 0)
    said(circle.room, lecturer, "二", 1)
    run()
    before = list(Message.objects.values_list("room_id", "seq", "body").order_by("seq"))
    members = list(
        RoomMember.objects.values_list("room_id", "resident_id", "role", "last_read_seq")
    )

    run()

    assert list(Message.objects.values_list("room_id", "seq", "body").order_by("seq")) == before
    assert (
        list(RoomMember.objects.values_list("room_id", "resident_id", "role", "last_read_seq"))
        == members
    )
