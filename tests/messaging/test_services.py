"""Messaging services: sending, editing, reading, reporting, moderating, and the safeguarding
rules for rooms with children."""

import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from campus_social.common import ratelimit
from campus_social.common.errors import Forbidden, Invalid, NotFound, RateLimited
from campus_social.common.realtime import resident_group
from campus_social.notifications.models import Notification
from campus_social.notifications.selectors import notification_list
from campus_social.safeguarding.models import VettingRecord
from messaging import selectors, services, wire
from messaging.models import (
    Message,
    MessageEdit,
    MessageReport,
    ModerationAction,
    Room,
    RoomMember,
)
from tests.factories import (
    ChildFactory,
    GuardianLinkFactory,
    ResidentFactory,
    VettingRecordFactory,
    make_city_staff,
)
from tests.messaging.factories import (
    RoomFactory,
    RoomMemberFactory,
    member_of,
    moderated_room,
    send,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_send_rate")]


def _old_account(**fields):
    return ResidentFactory(date_joined=timezone.now() - timedelta(days=365), **fields)


class Clock:
    """A controllable ``time.time`` for the rate limiter's sliding window."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(ratelimit.time.time())
    monkeypatch.setattr(ratelimit.time, "time", clock)
    return clock


# --- Sending ------------------------------------------------------------------------------


def test_seq_starts_at_one_and_has_no_gaps_across_many_sends():
    room, moderator = moderated_room()
    other = member_of(room)

    for n in range(30):
        send(room, other if n % 3 else moderator, body=f"第{n}報")

    seqs = list(Message.objects.filter(room=room).values_list("seq", flat=True))
    assert seqs == list(range(1, 31))
    room.refresh_from_db()
    assert room.last_seq == 30


def test_each_room_counts_its_own_seq():
    first, moderator = moderated_room()
    second = RoomFactory()
    RoomMemberFactory(room=second, resident=moderator)

    send(first, moderator)
    send(first, moderator)
    message = send(second, moderator)

    assert message.seq == 1


def test_a_repeated_client_id_stores_nothing_and_returns_the_stored_message():
    room, author = moderated_room()
    client_id = uuid.uuid4()

    first, created = services.message_send(
        room_id=room.pk, author=author, client_id=client_id, body="一度だけ"
    )
    again, created_again = services.message_send(
        room_id=room.pk, author=author, client_id=str(client_id), body="二度目の本文"
    )

    assert created
    assert not created_again
    assert again.pk == first.pk
    assert again.body == "一度だけ"
    assert Message.objects.count() == 1
    room.refresh_from_db()
    assert room.last_seq == 1


def test_another_author_may_use_the_same_client_id():
    room, moderator = moderated_room()
    other = member_of(room)
    client_id = uuid.uuid4()

    services.message_send(room_id=room.pk, author=moderator, client_id=client_id, body="a")
    _message, created = services.message_send(
        room_id=room.pk, author=other, client_id=client_id, body="b"
    )

    assert created


def test_the_same_client_id_in_another_room_is_refused():
    first, author = moderated_room()
    second = RoomFactory()
    RoomMemberFactory(room=second, resident=author)
    client_id = uuid.uuid4()
    services.message_send(room_id=first.pk, author=author, client_id=client_id, body="a")

    with pytest.raises(Invalid):
        services.message_send(room_id=second.pk, author=author, client_id=client_id, body="b")

    assert not Message.objects.filter(room=second).exists()


@pytest.mark.parametrize("client_id", ["", "not-a-uuid", None, 42])
def test_a_client_id_that_is_not_a_uuid_is_refused(client_id):
    room, author = moderated_room()

    with pytest.raises(Invalid):
        services.message_send(room_id=room.pk, author=author, client_id=client_id, body="a")


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "invalid"), ("   \n", "invalid"), (None, "invalid"), ("あ" * 4001, "too_long")],
)
def test_empty_and_overlong_bodies_are_refused(body, code):
    room, author = moderated_room()

    with pytest.raises(Invalid) as refused:
        services.message_send(room_id=room.pk, author=author, client_id=uuid.uuid4(), body=body)

    assert refused.value.code == code
    assert not Message.objects.exists()


def test_a_body_of_exactly_4000_characters_is_stored():
    room, author = moderated_room()

    message = send(room, author, body="あ" * 4000)

    assert len(message.body) == 4000


@pytest.mark.parametrize("reply_to", [0, 3, -1, "1", True, 1.0])
def test_reply_to_outside_the_rooms_messages_is_refused(reply_to):
    room, author = moderated_room()
    send(room, author)
    send(room, author)

    with pytest.raises(Invalid):
        send(room, author, reply_to=reply_to)


def test_a_reply_names_an_earlier_message():
    room, author = moderated_room()
    first = send(room, author)

    reply = send(room, author, body="返信です", reply_to=first.seq)

    assert reply.reply_to == first.seq
    assert wire.message_frame(reply)["reply_to"] == 1


def test_a_non_member_cannot_send_and_learns_nothing_about_the_room():
    room, _moderator = moderated_room()
    outsider = ResidentFactory()

    with pytest.raises(NotFound):
        send(room, outsider)
    with pytest.raises(NotFound):
        services.message_send(room_id=999_999, author=outsider, client_id=uuid.uuid4(), body="a")

    assert not Message.objects.exists()


def test_a_guardian_reader_cannot_send():
    room, _moderator = moderated_room(kind=Room.Kind.PROGRAM)
    link = GuardianLinkFactory()
    services.room_member_add(room=room, resident=link.child)

    with pytest.raises(Forbidden):
        send(room, link.guardian)


def test_a_closed_room_takes_no_messages():
    room, author = moderated_room(closed_at=timezone.now())

    with pytest.raises(Forbidden):
        send(room, author)


def test_a_muted_member_is_refused_until_the_mute_ends(monkeypatch):
    room, moderator = moderated_room()
    member = member_of(room)
    services.member_mute(
        room_id=room.pk, moderator=moderator, resident_id=member.pk, minutes=10, reason="荒らし"
    )

    with pytest.raises(Forbidden) as refused:
        send(room, member)
    assert refused.value.code == "muted"

    later = timezone.now() + timedelta(minutes=11)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert send(room, member).seq == 1


def test_a_message_is_broadcast_only_after_the_commit(
    listen, heard, django_capture_on_commit_callbacks
):
    room, author = moderated_room()
    listen(wire.room_group(room.pk))

    with django_capture_on_commit_callbacks() as callbacks:
        message = send(room, author, body="届きますか")
        assert heard() == []
    for callback in callbacks:
        callback()

    frames = heard()
    assert frames == [wire.message_frame(message)]
    assert frames[0]["type"] == "message"
    assert frames[0]["body"] == "届きますか"
    assert frames[0]["seq"] == 1


def test_nothing_is_broadcast_when_the_transaction_rolls_back(
    listen, heard, django_capture_on_commit_callbacks
):
    room, author = moderated_room()
    listen(wire.room_group(room.pk))

    class Boom(Exception):
        pass

    def send_then_fail() -> None:
        with transaction.atomic():
            send(room, author)
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        send_then_fail()

    assert callbacks == []
    assert heard() == []
    assert not Message.objects.exists()
    room.refresh_from_db()
    assert room.last_seq == 0


def test_the_author_has_read_what_they_sent():
    room, author = moderated_room()
    send(room, author)
    send(room, author)

    membership = selectors.room_membership(room_id=room.pk, resident=author)

    assert membership.last_read_seq == 2
    assert selectors.unread_count(membership) == 0


# --- Rate limits --------------------------------------------------------------------------


def test_sending_past_the_rate_is_refused_with_retry_after_then_allowed_again(settings, clock):
    settings.MESSAGE_RATE = "3/min"
    room, _moderator = moderated_room()
    author = _old_account()
    RoomMemberFactory(room=room, resident=author)
    for _n in range(3):
        send(room, author)

    clock.now += 10
    with pytest.raises(RateLimited) as refused:
        send(room, author)
    assert refused.value.code == "rate_limited"
    assert 1 <= refused.value.extra["retry_after"] <= 51
    assert Message.objects.count() == 3

    clock.now += refused.value.extra["retry_after"]
    assert send(room, author).seq == 4


def test_a_repeated_client_id_does_not_count_against_the_rate(settings, clock):
    settings.MESSAGE_RATE = "2/min"
    room, _moderator = moderated_room()
    author = _old_account()
    RoomMemberFactory(room=room, resident=author)
    client_id = uuid.uuid4()

    for _n in range(5):
        services.message_send(room_id=room.pk, author=author, client_id=client_id, body="再送")

    assert send(room, author).seq == 2


def test_new_accounts_get_the_stricter_rate(settings, clock):
    settings.MESSAGE_RATE = "5/min"
    settings.MESSAGE_RATE_NEW_ACCOUNT = "2/min"
    room, _moderator = moderated_room()
    newcomer = member_of(room)
    regular = _old_account()
    RoomMemberFactory(room=room, resident=regular)

    for _n in range(2):
        send(room, newcomer)
        send(room, regular)
    send(room, regular)

    with pytest.raises(RateLimited):
        send(room, newcomer)


# --- Editing and removing -----------------------------------------------------------------


def test_an_edit_keeps_the_old_text_for_moderators_and_is_broadcast(
    listen, heard, django_capture_on_commit_callbacks
):
    room, moderator = moderated_room()
    author = member_of(room)
    message = send(room, author, body="初めの文")
    listen(wire.room_group(room.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.message_edit(room_id=room.pk, seq=message.seq, author=author, body="直した文")
        services.message_edit(room_id=room.pk, seq=message.seq, author=author, body="三度目")

    message.refresh_from_db()
    assert message.body == "三度目"
    assert message.edited_at is not None
    history = selectors.message_history(room_id=room.pk, seq=message.seq, moderator=moderator)
    assert [edit.body for edit in history] == ["初めの文", "直した文"]
    frames = heard()
    assert [frame["type"] for frame in frames] == ["message_updated", "message_updated"]
    assert frames[-1]["body"] == "三度目"


def test_only_the_author_may_edit_a_message():
    room, moderator = moderated_room()
    author = member_of(room)
    message = send(room, author)

    with pytest.raises(NotFound):
        services.message_edit(room_id=room.pk, seq=message.seq, author=moderator, body="改ざん")

    assert not MessageEdit.objects.exists()


def test_only_moderators_read_the_edit_history():
    room, _moderator = moderated_room()
    author = member_of(room)
    message = send(room, author)

    with pytest.raises(NotFound):
        selectors.message_history(room_id=room.pk, seq=message.seq, moderator=author)


def test_an_author_removing_a_message_broadcasts_a_removed_frame(
    listen, heard, django_capture_on_commit_callbacks
):
    room, _moderator = moderated_room()
    author = member_of(room)
    message = send(room, author, body="消します")
    listen(wire.room_group(room.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.message_delete(room_id=room.pk, seq=message.seq, author=author)

    assert heard() == [
        {"type": "message_removed", "room": room.pk, "seq": message.seq, "reason": "author"}
    ]
    listed = selectors.message_list(room=room)
    assert listed[0].is_removed
    assert wire.message_frame(listed[0])["type"] == "message_removed"
    with pytest.raises(NotFound):
        services.message_edit(room_id=room.pk, seq=message.seq, author=author, body="戻して")


# --- Read pointers ------------------------------------------------------------------------


def test_the_read_pointer_moves_forward_and_tells_the_residents_sockets(
    listen, heard, django_capture_on_commit_callbacks
):
    room, moderator = moderated_room()
    reader = member_of(room)
    for _n in range(5):
        send(room, moderator)
    listen(resident_group(reader.pk))

    with django_capture_on_commit_callbacks(execute=True):
        unread = services.read_pointer_move(room_id=room.pk, resident=reader, seq=3)

    assert unread == 2
    assert heard() == [{"type": "unread", "room": room.pk, "count": 2}]


def test_the_read_pointer_never_moves_back():
    room, moderator = moderated_room()
    reader = member_of(room)
    for _n in range(5):
        send(room, moderator)
    services.read_pointer_move(room_id=room.pk, resident=reader, seq=4)

    unread = services.read_pointer_move(room_id=room.pk, resident=reader, seq=2)

    assert unread == 1
    assert selectors.room_membership(room_id=room.pk, resident=reader).last_read_seq == 4


@pytest.mark.parametrize("seq", [6, -1, "3", None])
def test_the_read_pointer_refuses_a_seq_from_the_future_or_not_a_number(seq):
    room, moderator = moderated_room()
    reader = member_of(room)
    for _n in range(5):
        send(room, moderator)

    with pytest.raises(Invalid):
        services.read_pointer_move(room_id=room.pk, resident=reader, seq=seq)

    assert selectors.room_membership(room_id=room.pk, resident=reader).last_read_seq == 0


def test_an_outsider_cannot_move_a_read_pointer():
    room, moderator = moderated_room()
    send(room, moderator)

    with pytest.raises(NotFound):
        services.read_pointer_move(room_id=room.pk, resident=ResidentFactory(), seq=1)


# --- Reports and moderation ---------------------------------------------------------------


def test_a_report_notifies_every_moderator_of_the_room_once(django_capture_on_commit_callbacks):
    room, first_moderator = moderated_room()
    second_moderator = ResidentFactory()
    RoomMemberFactory(room=room, resident=second_moderator, role=RoomMember.Role.MODERATOR)
    author = member_of(room)
    reporter = member_of(room)
    message = send(room, author, body="ひどい言葉")

    with django_capture_on_commit_callbacks(execute=True):
        report = services.message_report(
            room_id=room.pk, seq=message.seq, reporter=reporter, reason="悪口です"
        )
        services.message_report(
            room_id=room.pk, seq=message.seq, reporter=reporter, reason="もう一度"
        )

    assert report.reason == "悪口です"
    assert MessageReport.objects.count() == 1
    for moderator in (first_moderator, second_moderator):
        notifications = list(notification_list(resident=moderator))
        assert [n.kind for n in notifications] == [services.NOTIFY_REPORTED]
        assert room.title in notifications[0].title
    assert not notification_list(resident=reporter).exists()
    assert not notification_list(resident=author).exists()
    assert list(selectors.report_queue(moderator=first_moderator)) == [report]


@pytest.mark.parametrize("reason", ["", "   ", "あ" * 501])
def test_a_report_needs_a_short_reason(reason):
    room, moderator = moderated_room()
    message = send(room, moderator)
    reporter = member_of(room)

    with pytest.raises(Invalid):
        services.message_report(room_id=room.pk, seq=message.seq, reporter=reporter, reason=reason)


def test_an_outsider_cannot_report():
    room, moderator = moderated_room()
    message = send(room, moderator)

    with pytest.raises(NotFound):
        services.message_report(
            room_id=room.pk, seq=message.seq, reporter=ResidentFactory(), reason="?"
        )


def _reported(room, author, moderator):
    message = send(room, author, body="問題の発言")
    reporter = member_of(room)
    services.message_report(room_id=room.pk, seq=message.seq, reporter=reporter, reason="不適切")
    return message


def test_hiding_a_message_records_the_reason_resolves_reports_and_tells_the_room(
    listen, heard, django_capture_on_commit_callbacks
):
    room, moderator = moderated_room()
    message = _reported(room, member_of(room), moderator)
    listen(wire.room_group(room.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.message_moderate(
            room_id=room.pk, seq=message.seq, moderator=moderator, action="hide", reason="規約違反"
        )

    message.refresh_from_db()
    assert message.is_removed
    assert not message.removal_final
    action = ModerationAction.objects.get()
    assert (action.action, action.reason, action.message, action.moderator) == (
        "hide",
        "規約違反",
        message,
        moderator,
    )
    report = MessageReport.objects.get()
    assert report.resolution == MessageReport.Resolution.HIDDEN
    assert report.resolved_by == moderator
    assert report.resolved_at is not None
    assert not selectors.report_queue(moderator=moderator).exists()
    assert heard() == [
        {"type": "message_removed", "room": room.pk, "seq": message.seq, "reason": "moderator"}
    ]


def test_restoring_a_hidden_message_brings_it_back_for_everyone(
    listen, heard, django_capture_on_commit_callbacks
):
    room, moderator = moderated_room()
    message = _reported(room, member_of(room), moderator)
    services.message_moderate(
        room_id=room.pk, seq=message.seq, moderator=moderator, action="hide", reason="確認中"
    )
    listen(wire.room_group(room.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.message_moderate(
            room_id=room.pk,
            seq=message.seq,
            moderator=moderator,
            action="restore",
            reason="問題なし",
        )

    message.refresh_from_db()
    assert not message.is_removed
    frames = heard()
    assert [frame["type"] for frame in frames] == ["message_updated"]
    assert frames[0]["body"] == "問題の発言"
    assert list(ModerationAction.objects.filter(room=room).values_list("action", "reason")) == [
        ("restore", "問題なし"),
        ("hide", "確認中"),
    ]


def test_a_removed_message_is_gone_for_good():
    room, moderator = moderated_room()
    message = _reported(room, member_of(room), moderator)

    services.message_moderate(
        room_id=room.pk, seq=message.seq, moderator=moderator, action="remove", reason="個人情報"
    )

    message.refresh_from_db()
    assert message.is_removed
    assert message.removal_final
    assert MessageReport.objects.get().resolution == MessageReport.Resolution.REMOVED
    with pytest.raises(Invalid):
        services.message_moderate(
            room_id=room.pk, seq=message.seq, moderator=moderator, action="restore", reason="戻す"
        )


def test_dismissing_reports_leaves_the_message_and_records_why(
    listen, heard, django_capture_on_commit_callbacks
):
    room, moderator = moderated_room()
    message = _reported(room, member_of(room), moderator)
    listen(wire.room_group(room.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.message_moderate(
            room_id=room.pk, seq=message.seq, moderator=moderator, action="dismiss", reason="誤解"
        )

    message.refresh_from_db()
    assert not message.is_removed
    assert MessageReport.objects.get().resolution == MessageReport.Resolution.DISMISSED
    assert ModerationAction.objects.get().action == "dismiss"
    assert heard() == []


@pytest.mark.parametrize(
    ("action", "reason"), [("hide", ""), ("delete", "理由"), ("hide", "あ" * 501)]
)
def test_moderation_needs_a_known_action_and_a_reason(action, reason):
    room, moderator = moderated_room()
    message = send(room, moderator)

    with pytest.raises(Invalid):
        services.message_moderate(
            room_id=room.pk, seq=message.seq, moderator=moderator, action=action, reason=reason
        )

    assert not ModerationAction.objects.exists()


def test_a_plain_member_cannot_moderate():
    room, moderator = moderated_room()
    member = member_of(room)
    message = send(room, moderator)

    with pytest.raises(NotFound):
        services.message_moderate(
            room_id=room.pk, seq=message.seq, moderator=member, action="hide", reason="嫌い"
        )
    with pytest.raises(NotFound):
        services.member_mute(
            room_id=room.pk, moderator=member, resident_id=moderator.pk, minutes=5, reason="x"
        )


def test_a_mute_and_its_lifting_are_recorded():
    room, moderator = moderated_room()
    member = member_of(room)

    muted = services.member_mute(
        room_id=room.pk, moderator=moderator, resident_id=member.pk, minutes=30, reason="連投"
    )
    services.member_mute(
        room_id=room.pk, moderator=moderator, resident_id=member.pk, minutes=0, reason="反省"
    )

    assert muted.muted_until is not None
    assert selectors.room_membership(room_id=room.pk, resident=member).muted_until is None
    mute, unmute = reversed(selectors.moderation_log(room_id=room.pk, moderator=moderator))
    assert (mute.action, mute.member_id, mute.reason) == ("mute", member.pk, "連投")
    assert mute.until == muted.muted_until
    assert (unmute.action, unmute.until) == ("unmute", None)


@pytest.mark.parametrize("minutes", [-1, 43201, "5", True])
def test_a_mute_needs_a_sensible_length(minutes):
    room, moderator = moderated_room()
    member = member_of(room)

    with pytest.raises(Invalid):
        services.member_mute(
            room_id=room.pk, moderator=moderator, resident_id=member.pk, minutes=minutes, reason="x"
        )


def test_moderators_cannot_be_muted_and_outsiders_are_not_found():
    room, moderator = moderated_room()
    other_moderator = ResidentFactory()
    RoomMemberFactory(room=room, resident=other_moderator, role=RoomMember.Role.MODERATOR)

    with pytest.raises(Invalid):
        services.member_mute(
            room_id=room.pk,
            moderator=moderator,
            resident_id=other_moderator.pk,
            minutes=5,
            reason="x",
        )
    with pytest.raises(NotFound):
        services.member_mute(
            room_id=room.pk,
            moderator=moderator,
            resident_id=ResidentFactory().pk,
            minutes=5,
            reason="x",
        )


# --- Safeguarding -------------------------------------------------------------------------


def test_a_child_opens_a_direct_room_with_their_own_guardian():
    link = GuardianLinkFactory()

    room, created = services.direct_room_open(resident=link.child, other_id=link.guardian.pk)
    again, created_again = services.direct_room_open(resident=link.guardian, other_id=link.child.pk)

    assert created
    assert not created_again
    assert again == room
    assert room.kind == Room.Kind.DIRECT
    assert set(room.members.values_list("resident_id", flat=True)) == {
        link.child.pk,
        link.guardian.pk,
    }


def test_a_child_cannot_open_a_direct_room_with_another_adult():
    child = ChildFactory()

    with pytest.raises(Forbidden):
        services.direct_room_open(resident=child, other_id=ResidentFactory().pk)

    assert not Room.objects.exists()


def test_an_adult_opening_a_direct_room_with_someone_elses_child_finds_nobody():
    link = GuardianLinkFactory()

    with pytest.raises(NotFound):
        services.direct_room_open(resident=ResidentFactory(), other_id=link.child.pk)

    assert not Room.objects.exists()


def test_two_children_cannot_open_a_direct_room():
    with pytest.raises(Forbidden):
        services.direct_room_open(resident=ChildFactory(), other_id=ChildFactory().pk)

    assert not Room.objects.exists()


@pytest.mark.parametrize("other", ["self", "missing", "inactive"])
def test_a_direct_room_needs_another_active_resident(other):
    resident = ResidentFactory()
    other_id = {
        "self": resident.pk,
        "missing": 999_999,
        "inactive": ResidentFactory(is_active=False).pk,
    }[other]

    with pytest.raises(NotFound):
        services.direct_room_open(resident=resident, other_id=other_id)


# --- The owning app's verbs -------------------------------------------------------------------


def test_the_owning_app_makes_a_subjects_room_once():
    room = services.room_create(kind="circle", subject_key="circle:7", title="書道の輪")

    again = services.room_create(kind="circle", subject_key="circle:7", title="別の名前")

    assert again == room
    assert Room.objects.get().title == "書道の輪"
    with pytest.raises(ValueError, match="unknown room kind"):
        services.room_create(kind="lecture", subject_key="lecture:1")


def test_a_room_handed_to_another_subject_keeps_its_messages_members_and_pointers():
    room = RoomFactory(kind=Room.Kind.OFFERING, subject_key="offering:3", title="陶芸 春")
    author = member_of(room)
    send(room, author, "はじめまして")
    RoomMember.objects.filter(room=room, resident=author).update(last_read_seq=1)

    adopted = services.room_rekey(
        subject_key="offering:3", new_subject_key="circle:9", kind="circle", title="陶芸の輪"
    )

    assert adopted is not None
    assert adopted.pk == room.pk
    room.refresh_from_db()
    assert (room.subject_key, room.kind, room.title, room.last_seq) == (
        "circle:9",
        "circle",
        "陶芸の輪",
        1,
    )
    assert selectors.room_membership(room_id=room.pk, resident=author).last_read_seq == 1
    assert selectors.room_member_ids(room_id=room.pk) == {author.pk}


def test_handing_on_a_room_that_is_not_there_answers_none_and_a_taken_key_is_refused():
    RoomFactory(subject_key="offering:4")
    RoomFactory(subject_key="circle:10")

    missing = services.room_rekey(
        subject_key="offering:5", new_subject_key="circle:11", kind="circle", title="x"
    )

    assert missing is None
    with pytest.raises(ValueError, match="exists already"):
        services.room_rekey(
            subject_key="offering:4", new_subject_key="circle:10", kind="circle", title="x"
        )
    assert Room.objects.filter(subject_key="offering:4").exists()


def test_a_child_waits_for_a_room_without_an_adult_moderator():
    room = RoomFactory(kind=Room.Kind.PROGRAM)
    RoomMemberFactory(room=room)  # an adult, but not a moderator
    link = GuardianLinkFactory()

    entry = services.room_member_add(room=room, resident=link.child)

    # Not a refusal but an outcome the owning app acts on: nobody came in, not even the
    # guardian reading along.
    assert entry == services.Entry.AWAITS_MODERATOR
    assert not RoomMember.objects.filter(room=room, resident__in=[link.child, link.guardian])


def test_a_waiting_child_comes_in_once_a_vetted_moderator_has_joined():
    room = RoomFactory(kind=Room.Kind.PROGRAM)
    link = GuardianLinkFactory()
    assert services.room_member_add(room=room, resident=link.child) == "awaits_moderator"
    moderator = VettingRecordFactory().resident

    assert services.room_member_add(room=room, resident=moderator, role="moderator") == "joined"
    assert services.room_member_add(room=room, resident=link.child) == services.Entry.JOINED

    assert selectors.room_membership(room_id=room.pk, resident=link.child).role == "member"
    assert selectors.room_membership(room_id=room.pk, resident=link.guardian).role == "reader"


def test_a_child_already_in_the_room_stays_in_when_its_moderators_vetting_runs_out():
    room, moderator = moderated_room(kind=Room.Kind.PROGRAM)
    child = ChildFactory()
    services.room_member_add(room=room, resident=child)
    VettingRecord.objects.filter(resident=moderator).delete()

    assert services.room_member_add(room=room, resident=child) == services.Entry.JOINED
    assert RoomMember.objects.filter(room=room, resident=child).exists()


def test_a_child_cannot_moderate():
    room, _moderator = moderated_room(kind=Room.Kind.PROGRAM)

    with pytest.raises(Invalid):
        services.room_member_add(room=room, resident=ChildFactory(), role=RoomMember.Role.MODERATOR)


def test_a_childs_guardians_join_as_readers():
    room, _moderator = moderated_room(kind=Room.Kind.PROGRAM)
    child = ChildFactory()
    mother = GuardianLinkFactory(child=child).guardian
    father = GuardianLinkFactory(child=child).guardian

    services.room_member_add(room=room, resident=child)

    for guardian in (mother, father):
        membership = selectors.room_membership(room_id=room.pk, resident=guardian)
        assert membership.role == RoomMember.Role.READER
        assert not membership.can_write


def test_the_last_adult_moderator_of_a_room_with_children_cannot_be_removed():
    room, moderator = moderated_room(kind=Room.Kind.PROGRAM)
    services.room_member_add(room=room, resident=ChildFactory())

    with pytest.raises(Invalid) as refused:
        services.room_member_remove(room=room, resident=moderator)

    assert refused.value.code == "last_moderator"
    assert RoomMember.objects.filter(room=room, resident=moderator).exists()

    deputy = VettingRecordFactory().resident  # a moderator where children are is vetted
    services.room_member_add(room=room, resident=deputy, role=RoomMember.Role.MODERATOR)
    services.room_member_remove(room=room, resident=moderator)
    assert not RoomMember.objects.filter(room=room, resident=moderator).exists()


def test_removing_a_child_removes_guardian_readers_with_no_other_child_there(
    listen, heard, django_capture_on_commit_callbacks
):
    room, _moderator = moderated_room(kind=Room.Kind.PROGRAM)
    leaving = ChildFactory()
    staying = ChildFactory()
    only_parent = GuardianLinkFactory(child=leaving).guardian
    shared_parent = GuardianLinkFactory(child=leaving).guardian
    GuardianLinkFactory(guardian=shared_parent, child=staying)
    services.room_member_add(room=room, resident=leaving)
    services.room_member_add(room=room, resident=staying)
    listen(wire.room_group(room.pk))

    with django_capture_on_commit_callbacks(execute=True):
        services.room_member_remove(room=room, resident=leaving)

    members = set(room.members.values_list("resident_id", flat=True))
    assert leaving.pk not in members
    assert only_parent.pk not in members
    assert shared_parent.pk in members
    assert staying.pk in members
    removed = {event["resident"] for event in heard() if event["type"] == "room.member_removed"}
    assert removed == {leaving.pk, only_parent.pk}


def test_a_childs_display_name_in_message_frames_is_the_given_name_only(
    listen, heard, django_capture_on_commit_callbacks
):
    room, _moderator = moderated_room(kind=Room.Kind.PROGRAM)
    child = ChildFactory(name="佐藤 花子", given_name="花子")
    services.room_member_add(room=room, resident=child)
    listen(wire.room_group(room.pk))

    with django_capture_on_commit_callbacks(execute=True):
        message = send(room, child, body="よろしくお願いします")

    frame = heard()[0]
    assert frame["author"] == {"id": child.pk, "display_name": "花子"}
    assert "佐藤" not in wire.dumps(frame)
    listed = selectors.message_list(room=room)
    assert wire.message_frame(listed[0])["author"]["display_name"] == "花子"
    assert message.author == child


def test_the_room_list_counts_unread_messages_per_room():
    first, moderator = moderated_room()
    second = RoomFactory()
    RoomMemberFactory(room=second, resident=moderator)
    reader = member_of(first)
    RoomMemberFactory(room=second, resident=reader)
    for _n in range(3):
        send(first, moderator)
    send(second, moderator)
    services.read_pointer_move(room_id=first.pk, resident=reader, seq=1)

    unread = {m.room_id: m.unread for m in selectors.room_list_for_resident(resident=reader)}

    assert unread == {first.pk: 2, second.pk: 1}


def test_an_author_deleting_a_reported_message_closes_its_reports():
    room, moderator = moderated_room()
    author = member_of(room)
    message, _created = services.message_send(
        room_id=room.pk, author=author, client_id=uuid.uuid4(), body="困った発言"
    )
    services.message_report(
        room_id=room.pk, seq=message.seq, reporter=member_of(room), reason="失礼"
    )

    services.message_delete(room_id=room.pk, seq=message.seq, author=author)

    assert not selectors.report_queue(moderator=moderator).exists()


def test_the_last_moderator_of_a_room_with_children_cannot_be_demoted():
    room, moderator = moderated_room()
    child = ChildFactory()
    services.room_member_add(room=room, resident=child)

    with pytest.raises(Invalid):
        services.room_member_add(room=room, resident=moderator, role=RoomMember.Role.MEMBER)
    assert RoomMember.objects.get(room=room, resident=moderator).is_moderator


def test_a_report_in_a_direct_room_reaches_city_staff_who_can_hide_it():
    staff = make_city_staff()
    alice, bob = ResidentFactory(), ResidentFactory()
    room, _created = services.direct_room_open(resident=alice, other_id=bob.pk)
    message, _created = services.message_send(
        room_id=room.pk, author=bob, client_id=uuid.uuid4(), body="しつこい勧誘"
    )

    services.message_report(room_id=room.pk, seq=message.seq, reporter=alice, reason="勧誘")

    assert Notification.objects.filter(resident=staff, kind=services.NOTIFY_REPORTED).exists()
    assert list(selectors.report_queue(moderator=staff).values_list("message_id", flat=True)) == [
        message.pk
    ]
    services.message_moderate(
        room_id=room.pk, seq=message.seq, moderator=staff, action="hide", reason="勧誘"
    )
    assert AuditEvent.objects.filter(action="room.moderated", actor_id=staff.pk).exists()
    with pytest.raises(NotFound):
        services.message_moderate(
            room_id=room.pk,
            seq=message.seq,
            moderator=ResidentFactory(),
            action="restore",
            reason="x",
        )


def test_a_direct_room_is_called_by_the_other_persons_name_and_a_child_by_given_name_only():
    guardian = ResidentFactory(name="佐藤 恵美")
    child = ChildFactory(name="佐藤 陽葵", given_name="陽葵")
    GuardianLinkFactory(guardian=guardian, child=child)
    room, _created = services.direct_room_open(resident=guardian, other_id=child.pk)
    circle, _moderator = moderated_room()

    titles = selectors.room_titles(resident=guardian, rooms=[room, circle])

    assert titles == {room.pk: "陽葵", circle.pk: circle.title}
    assert selectors.room_titles(resident=child, rooms=[room]) == {room.pk: "佐藤 恵美"}


# --- Erasing a member's words (the owning app's retention) -----------------------------------


def test_erasing_a_members_messages_keeps_seqs_drops_text_author_and_history(
    listen, heard, django_capture_on_commit_callbacks
):
    room, moderator = moderated_room()
    child = ChildFactory()
    services.room_member_add(room=room, resident=child)
    first = send(room, child, body="ひみつ")
    services.message_edit(room_id=room.pk, seq=first.seq, author=child, body="ひみつ!")
    send(room, moderator, body="また来週")
    gone = send(room, child, body="ばいばい")
    services.message_delete(room_id=room.pk, seq=gone.seq, author=child)
    reporter = member_of(room)
    services.message_report(room_id=room.pk, seq=first.seq, reporter=reporter, reason="rude")
    listen(wire.room_group(room.pk))

    with django_capture_on_commit_callbacks(execute=True):
        erased = services.room_member_messages_erase(room=room, resident=child)

    assert erased == 2
    rows = list(Message.objects.filter(room=room).order_by("seq"))
    assert [row.seq for row in rows] == [1, 2, 3]
    for row in (rows[0], rows[2]):
        assert (row.body, row.author_id, row.client_id, row.removal_final) == ("", None, None, True)
    assert rows[0].removed_reason == Message.Removal.MODERATOR
    assert rows[2].removed_reason == Message.Removal.AUTHOR  # removed before: its reason stays
    assert (rows[1].body, rows[1].author) == ("また来週", moderator)
    assert not MessageEdit.objects.filter(message=rows[0]).exists()
    assert MessageReport.objects.get().resolution == MessageReport.Resolution.REMOVED
    # Sockets hear the one that was still showing go.
    assert heard() == [
        {"type": "message_removed", "room": room.pk, "seq": 1, "reason": "moderator"}
    ]
    assert selectors.room_messages_by(room_id=room.pk, resident_ids=[child.pk]) == 0


def test_erasing_someone_who_wrote_nothing_changes_nothing():
    room, moderator = moderated_room()
    send(room, moderator)

    assert services.room_member_messages_erase(room=room, resident=ResidentFactory()) == 0
    assert Message.objects.get().body == "こんにちは"
