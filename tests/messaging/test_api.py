"""The messaging REST API: the websocket's operations over HTTP, for clients without a socket and
for catching up."""

import logging
import uuid
from datetime import datetime, timedelta

import pytest
from channels.layers import channel_layers
from django.utils import timezone

from campus_social.audit.models import AuditEvent
from campus_social.common import ratelimit
from messaging import services, wire
from messaging.models import Message, MessageReport, ModerationAction, Room, RoomMember
from tests.factories import ChildFactory, GuardianLinkFactory, ResidentFactory
from tests.messaging.factories import (
    RoomFactory,
    RoomMemberFactory,
    make_messages,
    member_of,
    moderated_room,
    send,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_send_rate")]

ROOM = "/api/v1/rooms/1/"
MESSAGE = "/api/v1/rooms/1/messages/1/"


def _reported(room, author, reporter=None):
    message = send(room, author, body="問題の発言")
    services.message_report(
        room_id=room.pk, seq=message.seq, reporter=reporter or member_of(room), reason="不適切"
    )
    return message


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/rooms/"),
        ("post", "/api/v1/rooms/direct/"),
        ("get", ROOM),
        ("get", ROOM + "messages/"),
        ("post", ROOM + "messages/"),
        ("patch", MESSAGE),
        ("delete", MESSAGE),
        ("post", ROOM + "read/"),
        ("post", MESSAGE + "report/"),
        ("get", "/api/v1/moderation/reports/"),
        ("post", MESSAGE + "moderate/"),
        ("post", ROOM + "members/1/mute/"),
        ("get", ROOM + "moderation-log/"),
        ("get", MESSAGE + "history/"),
    ],
)
def test_anonymous_callers_get_401_on_every_messaging_route(api_client, method, path):
    moderated_room()

    response = getattr(api_client, method)(path, {}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


# --- Rooms --------------------------------------------------------------------------------


def test_my_rooms_are_listed_with_unread_counts(signed_in):
    room, moderator = moderated_room(title="写真の会")
    reader = member_of(room)
    RoomFactory()  # a room the reader is not in
    for _n in range(3):
        send(room, moderator)
    services.read_pointer_move(room_id=room.pk, resident=reader, seq=1)

    response = signed_in(reader).get("/api/v1/rooms/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": room.pk,
            "kind": "circle",
            "title": "写真の会",
            "last_seq": 3,
            "last_read_seq": 1,
            "unread": 2,
            "role": "member",
            "muted_until": None,
        }
    ]


@pytest.mark.parametrize("rooms", [1, 12])
def test_the_room_list_costs_the_same_queries_however_many_rooms(
    django_assert_num_queries, rooms, signed_in
):
    """Guards against loading each room (or counting its unread messages) per row."""
    resident = ResidentFactory()
    for _n in range(rooms):
        room = RoomFactory()
        RoomMemberFactory(room=room, resident=resident)
        make_messages(room, resident, 2)
    client = signed_in(resident)

    # session, resident, count, page
    with django_assert_num_queries(4):
        response = client.get("/api/v1/rooms/")

    assert len(response.json()["results"]) == rooms


def test_one_room_is_shown_to_its_members_and_not_found_for_others(signed_in):
    room, moderator = moderated_room()

    mine = signed_in(moderator).get(f"/api/v1/rooms/{room.pk}/")
    theirs = signed_in(ResidentFactory()).get(f"/api/v1/rooms/{room.pk}/")

    assert mine.status_code == 200
    assert mine.json()["id"] == room.pk
    assert mine.json()["role"] == "moderator"
    assert theirs.status_code == 404
    assert theirs.json()["code"] == "not_found"


def test_opening_a_direct_room_answers_201_then_200_with_the_same_room(signed_in):
    me, other = ResidentFactory(), ResidentFactory()
    client = signed_in(me)

    first = client.post("/api/v1/rooms/direct/", {"resident": other.pk}, format="json")
    again = client.post("/api/v1/rooms/direct/", {"resident": other.pk}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["kind"] == "direct"
    assert first.json()["unread"] == 0
    from_the_other_side = signed_in(other).post(
        "/api/v1/rooms/direct/", {"resident": me.pk}, format="json"
    )
    assert from_the_other_side.json()["id"] == first.json()["id"]


def test_a_direct_room_with_someone_elses_child_is_not_found(signed_in):
    child = GuardianLinkFactory().child

    response = signed_in(ResidentFactory()).post(
        "/api/v1/rooms/direct/", {"resident": child.pk}, format="json"
    )

    assert response.status_code == 404
    assert not Room.objects.exists()
    refusal = AuditEvent.objects.get(action="room.direct_refused")
    assert refusal.target_id == str(child.pk)


def test_a_child_opens_a_direct_room_only_with_their_guardian(signed_in):
    link = GuardianLinkFactory()
    client = signed_in(link.child)

    with_guardian = client.post(
        "/api/v1/rooms/direct/", {"resident": link.guardian.pk}, format="json"
    )
    with_stranger = client.post(
        "/api/v1/rooms/direct/", {"resident": ResidentFactory().pk}, format="json"
    )

    assert with_guardian.status_code == 201
    assert with_stranger.status_code == 403
    assert (
        AuditEvent.objects.filter(action="room.direct_refused", actor_id=link.child.pk).count() == 1
    )


@pytest.mark.parametrize("payload", [{}, {"resident": "x"}, {"resident": 0}])
def test_opening_a_direct_room_needs_a_resident_id(payload, signed_in):
    response = signed_in(ResidentFactory()).post("/api/v1/rooms/direct/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "resident" in response.json()["fields"]


# --- Messages -----------------------------------------------------------------------------


def test_messages_are_the_websocket_frames_without_their_type(signed_in):
    room, moderator = moderated_room()
    author = member_of(room)
    first = send(room, author, body="一通目")
    reply = send(room, moderator, body="返事", reply_to=first.seq)

    response = signed_in(author).get(f"/api/v1/rooms/{room.pk}/messages/")

    assert response.status_code == 200
    expected = []
    for message in Message.objects.select_related("author").filter(pk__in=[first.pk, reply.pk]):
        frame = wire.message_frame(message)
        del frame["type"]
        expected.append(frame)
    assert response.json() == {"results": expected, "last_seq": 2}
    assert response.json()["results"][1]["reply_to"] == 1
    assert response.json()["results"][1]["author"]["display_name"] == moderator.name


def test_removed_messages_appear_only_as_their_seq_and_reason(signed_in):
    room, moderator = moderated_room()
    author = member_of(room)
    send(room, author, body="消す前")
    services.message_delete(room_id=room.pk, seq=1, author=author)
    send(room, moderator, body="消される")
    services.message_moderate(
        room_id=room.pk, seq=2, moderator=moderator, action="hide", reason="不適切"
    )

    results = signed_in(author).get(f"/api/v1/rooms/{room.pk}/messages/").json()["results"]

    assert results == [
        {"seq": 1, "removed": True, "reason": "author"},
        {"seq": 2, "removed": True, "reason": "moderator"},
    ]


def test_messages_page_after_and_before_a_seq(signed_in):
    room, author = moderated_room()
    make_messages(room, author, 10)
    client = signed_in(author)
    url = f"/api/v1/rooms/{room.pk}/messages/"

    def seqs(**query):
        body = client.get(url, query).json()
        assert body["last_seq"] == 10
        return [message["seq"] for message in body["results"]]

    assert seqs() == list(range(1, 11))
    assert seqs(limit=3) == [8, 9, 10]
    assert seqs(after=4, limit=3) == [5, 6, 7]
    assert seqs(after=10) == []
    assert seqs(before=5, limit=2) == [3, 4]


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"limit": 201},
        {"limit": "many"},
        {"after": -1},
        {"before": 0},
        {"after": "x"},
        {"after": 1, "before": 5},
    ],
)
def test_bad_paging_values_answer_400_with_the_error_shape(query, signed_in):
    room, author = moderated_room()

    response = signed_in(author).get(f"/api/v1/rooms/{room.pk}/messages/", query)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"]


def test_an_outsider_cannot_read_or_write_a_rooms_messages(signed_in):
    room, moderator = moderated_room()
    send(room, moderator)
    client = signed_in(ResidentFactory())
    url = f"/api/v1/rooms/{room.pk}/messages/"

    read = client.get(url)
    written = client.post(url, {"client_id": str(uuid.uuid4()), "body": "やあ"}, format="json")

    assert read.status_code == 404
    assert written.status_code == 404
    assert Message.objects.count() == 1


@pytest.mark.parametrize("count", [1, 40])
def test_the_message_list_costs_the_same_queries_however_many_messages(
    django_assert_num_queries, count, signed_in
):
    """Guards against loading each message's author separately."""
    room, moderator = moderated_room()
    authors = [member_of(room) for _n in range(3)]
    for author in authors:
        make_messages(room, author, count)
    client = signed_in(moderator)

    # session, resident, membership with room, messages with authors
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/rooms/{room.pk}/messages/", {"limit": 200})

    assert len(response.json()["results"]) == 3 * count


def test_sending_answers_201_and_a_repeat_of_the_client_id_answers_200_with_the_same_message(
    signed_in,
):
    room, author = moderated_room()
    client = signed_in(author)
    url = f"/api/v1/rooms/{room.pk}/messages/"
    payload = {"client_id": str(uuid.uuid4()), "body": "はじめまして"}

    first = client.post(url, payload, format="json")
    again = client.post(url, {**payload, "body": "別の本文"}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json() == first.json()
    assert first.json()["client_id"] == payload["client_id"]
    assert first.json()["seq"] == 1
    assert Message.objects.count() == 1


def test_a_reply_is_sent_with_reply_to(signed_in):
    room, author = moderated_room()
    send(room, author)

    response = signed_in(author).post(
        f"/api/v1/rooms/{room.pk}/messages/",
        {"client_id": str(uuid.uuid4()), "body": "返信", "reply_to": 1},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["reply_to"] == 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"client_id": "nope", "body": "a"}, "invalid"),
        ({"body": "a"}, "invalid"),
        ({"client_id": "11111111-2222-3333-4444-555555555555"}, "invalid"),
        ({"client_id": "11111111-2222-3333-4444-555555555555", "body": ""}, "invalid"),
        ({"client_id": "11111111-2222-3333-4444-555555555555", "body": "あ" * 4001}, "too_long"),
        (
            {"client_id": "11111111-2222-3333-4444-555555555555", "body": "a", "reply_to": 9},
            "invalid",
        ),
    ],
)
def test_a_bad_message_answers_400_with_the_websocket_error_codes(payload, code, signed_in):
    room, author = moderated_room()

    response = signed_in(author).post(f"/api/v1/rooms/{room.pk}/messages/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Message.objects.exists()


def test_a_guardian_reader_and_a_muted_member_are_refused_with_403(signed_in):
    room, moderator = moderated_room(kind=Room.Kind.PROGRAM)
    link = GuardianLinkFactory()
    services.room_member_add(room=room, resident=link.child)
    muted = member_of(room)
    services.member_mute(
        room_id=room.pk, moderator=moderator, resident_id=muted.pk, minutes=60, reason="連投"
    )
    url = f"/api/v1/rooms/{room.pk}/messages/"

    as_reader = signed_in(link.guardian).post(
        url, {"client_id": str(uuid.uuid4()), "body": "a"}, format="json"
    )
    as_muted = signed_in(muted).post(
        url, {"client_id": str(uuid.uuid4()), "body": "a"}, format="json"
    )

    assert as_reader.status_code == 403
    assert as_muted.status_code == 403
    assert as_muted.json()["code"] == "muted"
    assert signed_in(link.guardian).get(url).status_code == 200


def test_sending_too_fast_answers_429_with_retry_after(settings, monkeypatch, signed_in):
    settings.MESSAGE_RATE_NEW_ACCOUNT = "2/min"
    now = ratelimit.time.time()
    monkeypatch.setattr(ratelimit.time, "time", lambda: now)
    room, author = moderated_room()
    client = signed_in(author)
    url = f"/api/v1/rooms/{room.pk}/messages/"
    for _n in range(2):
        client.post(url, {"client_id": str(uuid.uuid4()), "body": "a"}, format="json")

    response = client.post(url, {"client_id": str(uuid.uuid4()), "body": "a"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response.json()["retry_after"] == 61
    assert response["Retry-After"] == "61"


@pytest.fixture
def channel_layer_down(settings):
    """A Redis channel layer at a port where nothing listens."""
    channel_layers.backends.clear()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    yield
    channel_layers.backends.clear()


def test_sending_through_rest_works_when_the_channel_layer_is_down(
    channel_layer_down, django_capture_on_commit_callbacks, caplog, signed_in
):
    room, moderator = moderated_room()
    author = member_of(room)
    url = f"/api/v1/rooms/{room.pk}/messages/"

    with (
        caplog.at_level(logging.WARNING, logger="campus_social.common.realtime"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = signed_in(author).post(
            url, {"client_id": str(uuid.uuid4()), "body": "届いていますか"}, format="json"
        )

    assert response.status_code == 201
    assert callbacks, "the broadcast was attempted after the commit"
    assert "channel layer unavailable" in caplog.text
    assert Message.objects.get().body == "届いていますか"
    caught_up = signed_in(moderator).get(url, {"after": 0}).json()
    assert [message["body"] for message in caught_up["results"]] == ["届いていますか"]
    assert caught_up["last_seq"] == 1


def test_an_author_edits_and_removes_their_message(signed_in):
    room, _moderator = moderated_room()
    author = member_of(room)
    send(room, author, body="まちがい")
    client = signed_in(author)
    url = f"/api/v1/rooms/{room.pk}/messages/1/"

    edited = client.patch(url, {"body": "なおした"}, format="json")
    removed = client.delete(url)

    assert edited.status_code == 200
    assert edited.json()["body"] == "なおした"
    assert edited.json()["edited_at"] is not None
    assert removed.status_code == 204
    listed = client.get(f"/api/v1/rooms/{room.pk}/messages/").json()["results"]
    assert listed == [{"seq": 1, "removed": True, "reason": "author"}]
    assert client.delete(url).status_code == 404


def test_nobody_edits_or_removes_another_residents_message(signed_in):
    room, moderator = moderated_room()
    author = member_of(room)
    send(room, author, body="原文")
    client = signed_in(moderator)
    url = f"/api/v1/rooms/{room.pk}/messages/1/"

    assert client.patch(url, {"body": "改ざん"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    assert Message.objects.get().body == "原文"


def test_reading_moves_the_pointer_and_answers_the_unread_count(signed_in):
    room, moderator = moderated_room()
    reader = member_of(room)
    for _n in range(4):
        send(room, moderator)
    client = signed_in(reader)
    url = f"/api/v1/rooms/{room.pk}/read/"

    response = client.post(url, {"seq": 3}, format="json")
    back = client.post(url, {"seq": 1}, format="json")
    future = client.post(url, {"seq": 5}, format="json")

    assert response.status_code == 200
    assert response.json() == {"room": room.pk, "unread": 1}
    assert back.json() == {"room": room.pk, "unread": 1}
    assert future.status_code == 400
    assert future.json()["code"] == "invalid"


# --- Reports and moderation ---------------------------------------------------------------


def test_a_member_reports_a_message_and_its_moderator_sees_it_queued(signed_in):
    room, moderator = moderated_room(title="囲碁の会")
    author = member_of(room)
    send(room, author, body="失礼な発言")

    reported = signed_in(member_of(room)).post(
        f"/api/v1/rooms/{room.pk}/messages/1/report/", {"reason": "失礼です"}, format="json"
    )
    queue = signed_in(moderator).get("/api/v1/moderation/reports/")
    not_mine = signed_in(author).get("/api/v1/moderation/reports/")

    assert reported.status_code == 201
    assert reported.json()["reason"] == "失礼です"
    assert reported.json()["seq"] == 1
    assert queue.status_code == 200
    [item] = queue.json()["results"]
    assert item["id"] == reported.json()["id"]
    assert item["room"] == room.pk
    assert item["room_title"] == "囲碁の会"
    assert item["message"]["body"] == "失礼な発言"
    assert item["message"]["author"]["id"] == author.pk
    assert not_mine.json()["results"] == []


def test_a_report_needs_a_reason(signed_in):
    room, moderator = moderated_room()
    send(room, moderator)

    response = signed_in(member_of(room)).post(
        f"/api/v1/rooms/{room.pk}/messages/1/report/", {"reason": " "}, format="json"
    )

    assert response.status_code == 400
    assert not MessageReport.objects.exists()


@pytest.mark.parametrize("reports", [1, 12])
def test_the_report_queue_costs_the_same_queries_however_many_reports(
    django_assert_num_queries, reports, signed_in
):
    """Guards against loading each report's message, its author or its room per row."""
    moderator = ResidentFactory()
    for _n in range(reports):
        room = RoomFactory()
        RoomMemberFactory(room=room, resident=moderator, role=RoomMember.Role.MODERATOR)
        _reported(room, member_of(room))
    client = signed_in(moderator)

    # session, resident, city-staff check, count, page
    with django_assert_num_queries(5):
        response = client.get("/api/v1/moderation/reports/")

    assert len(response.json()["results"]) == reports


def test_a_moderator_hides_a_message_with_a_reason(signed_in):
    room, moderator = moderated_room()
    _reported(room, member_of(room))

    response = signed_in(moderator).post(
        f"/api/v1/rooms/{room.pk}/messages/1/moderate/",
        {"action": "hide", "reason": "規約違反"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"seq": 1, "removed": True, "reason": "moderator"}
    assert ModerationAction.objects.get().reason == "規約違反"
    assert MessageReport.objects.get().resolution == "hidden"


@pytest.mark.parametrize(
    "payload", [{"action": "burn", "reason": "x"}, {"action": "hide"}, {"reason": "x"}]
)
def test_moderation_needs_a_known_action_and_a_reason(payload, signed_in):
    room, moderator = moderated_room()
    send(room, moderator)

    response = signed_in(moderator).post(
        f"/api/v1/rooms/{room.pk}/messages/1/moderate/", payload, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_members_cannot_reach_the_moderation_routes(signed_in):
    room, moderator = moderated_room()
    member = member_of(room)
    send(room, moderator)
    client = signed_in(member)
    base = f"/api/v1/rooms/{room.pk}"

    answers = [
        client.post(
            f"{base}/messages/1/moderate/", {"action": "hide", "reason": "x"}, format="json"
        ),
        client.post(
            f"{base}/members/{moderator.pk}/mute/", {"minutes": 5, "reason": "x"}, format="json"
        ),
        client.get(f"{base}/moderation-log/"),
        client.get(f"{base}/messages/1/history/"),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404, 404]
    assert not Message.objects.get().is_removed


def test_a_moderator_mutes_a_member_and_the_log_shows_it(signed_in):
    room, moderator = moderated_room()
    member = member_of(room)
    client = signed_in(moderator)

    muted = client.post(
        f"/api/v1/rooms/{room.pk}/members/{member.pk}/mute/",
        {"minutes": 15, "reason": "連投"},
        format="json",
    )
    log = client.get(f"/api/v1/rooms/{room.pk}/moderation-log/")

    assert muted.status_code == 200
    assert muted.json()["room"] == room.pk
    assert muted.json()["resident"] == member.pk
    assert muted.json()["muted_until"] is not None
    [entry] = log.json()["results"]
    assert entry["action"] == "mute"
    assert entry["member"] == member.pk
    assert entry["moderator"] == moderator.pk
    assert entry["reason"] == "連投"
    assert entry["seq"] is None


def test_muting_someone_who_is_not_a_member_is_not_found(signed_in):
    room, moderator = moderated_room()

    response = signed_in(moderator).post(
        f"/api/v1/rooms/{room.pk}/members/{ResidentFactory().pk}/mute/",
        {"minutes": 15, "reason": "連投"},
        format="json",
    )

    assert response.status_code == 404


@pytest.mark.parametrize("actions", [1, 12])
def test_the_moderation_log_costs_the_same_queries_however_many_entries(
    django_assert_num_queries, actions, signed_in
):
    """Guards against loading each logged action's message per row."""
    room, moderator = moderated_room()
    author = member_of(room)
    for _n in range(actions):
        message = send(room, author)
        services.message_moderate(
            room_id=room.pk,
            seq=message.seq,
            moderator=moderator,
            action="dismiss",
            reason="問題なし",
        )
    client = signed_in(moderator)

    # session, resident, moderator's membership, count, page
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/rooms/{room.pk}/moderation-log/")

    seqs = [entry["seq"] for entry in response.json()["results"]]
    assert seqs == list(range(actions, 0, -1))


def test_moderators_read_the_edit_history_of_a_message(signed_in):
    room, moderator = moderated_room()
    author = member_of(room)
    send(room, author, body="第一稿")
    services.message_edit(room_id=room.pk, seq=1, author=author, body="第二稿")
    services.message_edit(room_id=room.pk, seq=1, author=author, body="決定稿")

    response = signed_in(moderator).get(f"/api/v1/rooms/{room.pk}/messages/1/history/")

    assert response.status_code == 200
    assert [edit["body"] for edit in response.json()] == ["第一稿", "第二稿"]


def test_a_childs_name_in_the_api_is_the_given_name_only(signed_in):
    room, moderator = moderated_room(kind=Room.Kind.PROGRAM)
    child = ChildFactory(name="佐藤 花子", given_name="花子")
    services.room_member_add(room=room, resident=child)
    send(room, child, body="こんにちは")

    response = signed_in(moderator).get(f"/api/v1/rooms/{room.pk}/messages/")

    assert response.json()["results"][0]["author"] == {"id": child.pk, "display_name": "花子"}
    assert "佐藤" not in response.content.decode()


def test_a_muted_members_room_shows_until_when(signed_in):
    room, moderator = moderated_room()
    member = member_of(room)
    services.member_mute(
        room_id=room.pk, moderator=moderator, resident_id=member.pk, minutes=30, reason="連投"
    )

    body = signed_in(member).get(f"/api/v1/rooms/{room.pk}/").json()

    until = datetime.fromisoformat(body["muted_until"])
    assert timezone.now() + timedelta(minutes=29) < until <= timezone.now() + timedelta(minutes=30)
