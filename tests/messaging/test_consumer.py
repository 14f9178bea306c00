"""The websocket endpoint through the real ASGI application (origin check, session auth).

Sockets come from the ``websockets`` and ``resident_socket`` fixtures, which disconnect every one
when the test ends, pass or fail."""

import pytest
from channels.db import database_sync_to_async

from tests.factories import ResidentFactory, make_city_staff
from tests.values import WEBSOCKET_ORIGIN as ORIGIN

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def _new_resident(**fields):
    return ResidentFactory(**fields)


async def test_a_signed_in_resident_connects_and_ping_gets_pong(websockets, session_cookie):
    socket = websockets(ORIGIN, (b"cookie", await session_cookie(await _new_resident())))
    connected, _code = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}


async def test_an_anonymous_handshake_is_refused_without_a_frame(websockets):
    socket = websockets(ORIGIN)
    connected, _code = await socket.connect()
    assert not connected
    assert await socket.receive_nothing()


@pytest.mark.parametrize("origin", [b"http://evil.example", None])
async def test_a_foreign_or_missing_origin_is_refused(origin, websockets, session_cookie):
    cookie = (b"cookie", await session_cookie(await _new_resident()))
    headers = [cookie] if origin is None else [(b"origin", origin), cookie]
    socket = websockets(*headers)
    connected, _code = await socket.connect()
    assert not connected


async def test_unknown_and_malformed_frames_get_an_error_and_the_socket_stays_open(
    websockets, session_cookie
):
    socket = websockets(
        ORIGIN, (b"cookie", await session_cookie(await _new_resident(language="en")))
    )
    await socket.connect()

    await socket.send_json_to({"type": "dance"})
    unknown = await socket.receive_json_from()
    await socket.send_to(text_data="{not json")
    malformed = await socket.receive_json_from()
    await socket.send_json_to(["type", "ping"])
    not_an_object = await socket.receive_json_from()
    await socket.send_to(bytes_data=b"\x00")
    binary = await socket.receive_json_from()

    for frame in (unknown, malformed, not_an_object, binary):
        assert frame["type"] == "error"
        assert frame["code"] == "invalid"
    assert "dance" in unknown["detail"]
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}


async def test_error_frames_speak_the_residents_language(websockets, session_cookie):
    socket = websockets(
        ORIGIN, (b"cookie", await session_cookie(await _new_resident(language="ja")))
    )
    await socket.connect()
    await socket.send_json_to({"type": "dance"})
    frame = await socket.receive_json_from()
    assert "dance" in frame["detail"]
    assert "不明" in frame["detail"]


async def test_a_deactivated_resident_cannot_connect(websockets, session_cookie):
    socket = websockets(
        ORIGIN, (b"cookie", await session_cookie(await _new_resident(is_active=False)))
    )
    connected, _code = await socket.connect()
    assert not connected


# --- rooms over the socket ---------------------------------------------------------------------

import uuid  # noqa: E402

from asgiref.sync import sync_to_async  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from django.utils import timezone  # noqa: E402

from messaging import services as messaging  # noqa: E402
from messaging import wire  # noqa: E402
from messaging.models import Message, Room, RoomMember  # noqa: E402


@database_sync_to_async
def _room_with(*residents, kind="circle"):
    room = messaging.room_create(
        kind=kind, subject_key=f"circle:{uuid.uuid4().hex[:8]}", title="書道サークル"
    )
    for resident in residents:
        messaging.room_member_add(room=room, resident=resident)
    return room


@database_sync_to_async
def _members(count, **fields):
    return [ResidentFactory(**fields) for _n in range(count)]


@database_sync_to_async
def _send_stored(room, author, count, start=0):
    for number in range(start, start + count):
        messaging.message_send(
            room_id=room.pk, author=author, client_id=uuid.uuid4(), body=f"m{number}"
        )


@database_sync_to_async
def _stored_at_once(room, author, count):
    """``count`` messages stored as ``message_send`` leaves them (seqs, the room's last seq, the
    author's read pointer), in one insert: for tests about reading many back, not about sending
    (520 sends through the service cost seconds)."""
    first = Room.objects.get(pk=room.pk).last_seq + 1
    last = first + count - 1
    now = timezone.now()
    Message.objects.bulk_create(
        Message(room=room, seq=seq, author=author, client_id=uuid.uuid4(), body=f"m{seq - 1}")
        for seq in range(first, last + 1)
    )
    Room.objects.filter(pk=room.pk).update(last_seq=last, last_message_at=now)
    RoomMember.objects.filter(room=room, resident=author).update(last_read_seq=last)


async def _receive_until(socket, frame_type, limit=1000):
    frames = []
    for _n in range(limit):
        frame = await socket.receive_json_from(timeout=5)
        frames.append(frame)
        if frame["type"] == frame_type:
            return frames
    raise AssertionError(f"no {frame_type} frame")


async def test_subscribe_catches_up_after_the_given_seq_then_says_subscribed(
    settings, resident_socket
):
    settings.MESSAGE_RATE = settings.MESSAGE_RATE_NEW_ACCOUNT = "1000/min"
    author, reader = await _members(2)
    room = await _room_with(author, reader)
    await _send_stored(room, author, 5)
    socket = await resident_socket(reader)

    await socket.send_json_to({"type": "subscribe", "room": room.pk, "after": 2})
    frames = await _receive_until(socket, "subscribed")

    assert [f["seq"] for f in frames[:-1]] == [3, 4, 5]
    assert frames[0]["author"] == {"id": author.pk, "display_name": author.display_name}
    assert frames[-1] == {"type": "subscribed", "room": room.pk, "last_seq": 5, "unread": 5}


async def test_a_sent_message_is_stored_then_broadcast_to_every_subscriber_with_its_client_id(
    resident_socket,
):
    alice, bob = await _members(2)
    room = await _room_with(alice, bob)
    sockets = [await resident_socket(person) for person in (alice, bob)]
    for socket in sockets:
        await socket.send_json_to({"type": "subscribe", "room": room.pk, "after": None})
        await _receive_until(socket, "subscribed")
    client_id = str(uuid.uuid4())

    await sockets[0].send_json_to(
        {"type": "send", "room": room.pk, "client_id": client_id, "body": "こんにちは"}
    )

    for socket in sockets:
        frame = await socket.receive_json_from(timeout=5)
        assert frame["type"] == "message"
        assert (frame["seq"], frame["body"], frame["client_id"]) == (1, "こんにちは", client_id)
        assert frame["created_at"].endswith("Z")
    assert await sync_to_async(Message.objects.filter(room=room).count)() == 1
    for socket in sockets:
        assert await socket.receive_nothing()


async def test_a_repeated_send_stores_nothing_and_answers_with_the_stored_message(resident_socket):
    (alice,) = await _members(1)
    room = await _room_with(alice)
    socket = await resident_socket(alice)
    await socket.send_json_to({"type": "subscribe", "room": room.pk, "after": None})
    await _receive_until(socket, "subscribed")
    send = {"type": "send", "room": room.pk, "client_id": str(uuid.uuid4()), "body": "once"}

    await socket.send_json_to(send)
    first = await socket.receive_json_from(timeout=5)
    await socket.send_json_to(send)
    second = await socket.receive_json_from(timeout=5)

    assert first == second
    assert await sync_to_async(Message.objects.filter(room=room).count)() == 1


async def test_a_non_member_cannot_subscribe_or_send_and_learns_nothing(resident_socket):
    member, outsider = await _members(2)
    room = await _room_with(member)
    socket = await resident_socket(outsider)

    await socket.send_json_to({"type": "subscribe", "room": room.pk, "after": None})
    refused = await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "subscribe", "room": 999999, "after": None})
    unknown = await socket.receive_json_from(timeout=5)
    await socket.send_json_to(
        {"type": "send", "room": room.pk, "client_id": str(uuid.uuid4()), "body": "hi"}
    )
    send_refused = await socket.receive_json_from(timeout=5)

    assert refused["code"] == unknown["code"] == send_refused["code"] == "not_found"
    assert refused["detail"] == unknown["detail"]
    assert refused["room"] == room.pk
    assert await sync_to_async(Message.objects.count)() == 0


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "send", "room": 1, "client_id": "not-a-uuid", "body": "x"}, "invalid"),
        ({"type": "send", "room": 1, "client_id": "{uuid}", "body": "x" * 4001}, "too_long"),
        ({"type": "send", "room": 1, "client_id": "{uuid}", "body": ""}, "invalid"),
        ({"type": "send", "room": 1, "client_id": "{uuid}"}, "invalid"),
        ({"type": "read", "room": 1, "seq": 99}, "invalid"),
        ({"type": "read", "room": 1}, "invalid"),
        ({"type": "subscribe", "after": None}, "invalid"),
        ({"type": "subscribe", "room": "1", "after": None}, "invalid"),
    ],
)
async def test_bad_frames_get_an_error_store_nothing_and_the_socket_stays_open(
    frame, code, resident_socket
):
    (alice,) = await _members(1)
    room = await _room_with(alice)
    socket = await resident_socket(alice)
    frame = {
        key: (room.pk if key == "room" and value == 1 else value) for key, value in frame.items()
    }
    if frame.get("client_id") == "{uuid}":
        frame["client_id"] = str(uuid.uuid4())

    await socket.send_json_to(frame)
    error = await socket.receive_json_from(timeout=5)

    assert error["type"] == "error"
    assert error["code"] == code
    assert error["detail"]
    assert await sync_to_async(Message.objects.count)() == 0
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}


async def test_reading_moves_the_pointer_and_every_socket_of_the_resident_hears_unread(
    settings, resident_socket
):
    settings.MESSAGE_RATE = settings.MESSAGE_RATE_NEW_ACCOUNT = "1000/min"
    author, reader = await _members(2)
    room = await _room_with(author, reader)
    await _send_stored(room, author, 4)
    phone, tablet = await resident_socket(reader), await resident_socket(reader)

    await phone.send_json_to({"type": "read", "room": room.pk, "seq": 3})

    for socket in (phone, tablet):
        assert await socket.receive_json_from(timeout=5) == {
            "type": "unread",
            "room": room.pk,
            "count": 1,
        }
    await phone.send_json_to({"type": "read", "room": room.pk, "seq": 1})  # never back
    assert (await phone.receive_json_from(timeout=5))["count"] == 1


async def test_a_removed_member_stops_receiving_at_once(resident_socket):
    alice, bob = await _members(2)
    room = await _room_with(alice, bob)
    bob_socket = await resident_socket(bob)
    await bob_socket.send_json_to({"type": "subscribe", "room": room.pk, "after": None})
    await _receive_until(bob_socket, "subscribed")

    await database_sync_to_async(messaging.room_member_remove)(room=room, resident=bob)
    assert await bob_socket.receive_json_from(timeout=5) == {
        "type": "unsubscribed",
        "room": room.pk,
        "reason": "removed",
    }
    await database_sync_to_async(messaging.message_send)(
        room_id=room.pk, author=alice, client_id=uuid.uuid4(), body="after removal"
    )

    assert await bob_socket.receive_nothing(timeout=0.3)


async def test_signing_out_closes_the_sockets_of_that_session(websockets, session_cookie):
    (alice,) = await _members(1)
    cookie = await session_cookie(alice)
    socket = websockets(ORIGIN, (b"cookie", cookie))
    await socket.connect()
    session_key = cookie.decode().split("=", 1)[1]

    from campus_social.common.realtime import resident_send_on_commit

    await database_sync_to_async(resident_send_on_commit)(
        alice.pk, {"type": "session.ended", "session_key": session_key}
    )

    assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"


async def test_deactivating_a_resident_closes_their_sockets(resident_socket):
    (alice,) = await _members(1)
    staff = await database_sync_to_async(make_city_staff)()
    socket = await resident_socket(alice)

    from campus_social.identity.services import resident_deactivate

    await database_sync_to_async(resident_deactivate)(actor=staff, resident_id=alice.pk)

    assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"


async def test_more_than_500_missed_messages_come_as_a_gap_then_the_newest_500(
    settings, resident_socket
):
    (author,) = await _members(1)
    room = await _room_with(author)
    await _stored_at_once(room, author, 520)
    socket = await resident_socket(author)

    await socket.send_json_to({"type": "subscribe", "room": room.pk, "after": 10})
    frames = await _receive_until(socket, "subscribed", limit=600)

    assert frames[0] == {"type": "gap", "room": room.pk, "from_seq": 11, "to_seq": 20}
    assert [f["seq"] for f in frames[1:-1]] == list(range(21, 521))


async def test_a_client_killed_mid_stream_reconnects_and_has_every_message_once_in_order(
    settings, resident_socket
):
    """Hundreds of messages, the reader's socket killed part-way: after reconnecting with its
    last seq it holds every message exactly once and in order."""
    settings.MESSAGE_RATE = settings.MESSAGE_RATE_NEW_ACCOUNT = "100000/min"
    author, reader = await _members(2)
    room = await _room_with(author, reader)
    socket = await resident_socket(reader)
    await socket.send_json_to({"type": "subscribe", "room": room.pk, "after": None})
    await _receive_until(socket, "subscribed")

    await _send_stored(room, author, 150)
    held = []
    for _n in range(90):  # the client reads part of the stream, then dies
        held.append((await socket.receive_json_from(timeout=5))["seq"])
    await socket.disconnect()
    await _send_stored(room, author, 150, start=150)  # sent while it is away

    socket = await resident_socket(reader)
    await socket.send_json_to({"type": "subscribe", "room": room.pk, "after": held[-1]})
    frames = await _receive_until(socket, "subscribed", limit=400)
    held += [frame["seq"] for frame in frames if frame["type"] == "message"]
    await _send_stored(room, author, 20, start=300)  # and live again
    for _n in range(20):
        held.append((await socket.receive_json_from(timeout=5))["seq"])

    assert held == list(range(1, 321))
    assert await socket.receive_nothing(timeout=0.2)


async def test_a_frame_flood_is_told_to_wait_and_an_abusive_one_is_closed(resident_socket):
    (alice,) = await _members(1)
    socket = await resident_socket(alice)
    answers = []
    for _n in range(60):
        await socket.send_json_to({"type": "ping"})
    for _n in range(60):
        answers.append(await socket.receive_json_from(timeout=5))
    limited = [a for a in answers if a["type"] == "error"]
    assert limited
    assert limited[0]["code"] == "rate_limited"
    assert limited[0]["retry_after"] >= 1

    for _n in range(400):
        await socket.send_json_to({"type": "ping"})
    outputs = []
    for _n in range(500):
        output = await socket.receive_output(timeout=5)
        outputs.append(output)
        if output["type"] == "websocket.close":
            break
    assert outputs[-1] == {"type": "websocket.close", "code": 4008}


async def test_a_child_in_a_room_is_shown_by_given_name_only(resident_socket):
    (coordinator,) = await _members(1)
    (guardian,) = await _members(1)

    @database_sync_to_async
    def setup():
        from tests.factories import ChildFactory, GuardianLinkFactory, VettingRecordFactory

        VettingRecordFactory(resident=coordinator)
        child = ChildFactory(given_name="陽葵", name="佐藤 陽葵")
        GuardianLinkFactory(guardian=guardian, child=child)
        room = messaging.room_create(kind="program", subject_key="program:1", title="昔あそび")
        messaging.room_member_add(room=room, resident=coordinator, role="moderator")
        messaging.room_member_add(room=room, resident=child)
        messaging.message_send(room_id=room.pk, author=child, client_id=uuid.uuid4(), body="はい")
        return room

    room = await setup()
    socket = await resident_socket(guardian)  # guardians read their child's rooms
    await socket.send_json_to({"type": "subscribe", "room": room.pk, "after": None})
    frames = await _receive_until(socket, "subscribed")

    assert frames[0]["author"]["display_name"] == "陽葵"
    await socket.send_json_to(
        {"type": "send", "room": room.pk, "client_id": str(uuid.uuid4()), "body": "x"}
    )
    assert (await socket.receive_json_from(timeout=5))["code"] == "forbidden"


async def test_a_send_flood_is_rate_limited_and_a_client_that_waits_as_told_gets_through(
    settings, monkeypatch, resident_socket
):
    settings.MESSAGE_RATE = settings.MESSAGE_RATE_NEW_ACCOUNT = "3/min"
    clock = [1_000_000.0]
    monkeypatch.setattr("campus_social.common.ratelimit.time.time", lambda: clock[0])
    (alice,) = await _members(1)
    room = await _room_with(alice)
    socket = await resident_socket(alice)

    def send(body):
        return {"type": "send", "room": room.pk, "client_id": str(uuid.uuid4()), "body": body}

    for number in range(3):
        await socket.send_json_to(send(f"m{number}"))
        assert (await socket.receive_json_from(timeout=5))["type"] == "message"
    await socket.send_json_to(send("one too many"))
    limited = await socket.receive_json_from(timeout=5)
    assert (limited["type"], limited["code"]) == ("error", "rate_limited")
    assert limited["client_id"]
    assert 1 <= limited["retry_after"] <= 61

    clock[0] += limited["retry_after"]
    await socket.send_json_to(send("after waiting"))
    assert (await socket.receive_json_from(timeout=5))["body"] == "after waiting"
    assert await sync_to_async(Message.objects.filter(room=room).count)() == 4


async def test_a_muted_member_is_refused_with_forbidden(resident_socket):
    moderator, member = await _members(2)
    room = await _room_with(member)

    @database_sync_to_async
    def mute():
        messaging.room_member_add(room=room, resident=moderator, role="moderator")
        messaging.member_mute(
            room_id=room.pk, moderator=moderator, resident_id=member.pk, minutes=30, reason="荒らし"
        )

    await mute()
    socket = await resident_socket(member)
    await socket.send_json_to(
        {"type": "send", "room": room.pk, "client_id": str(uuid.uuid4()), "body": "x"}
    )
    error = await socket.receive_json_from(timeout=5)
    assert error["code"] == "forbidden"
    assert await sync_to_async(Message.objects.count)() == 0


async def test_a_notification_reaches_the_residents_open_sockets_live(resident_socket):
    (alice,) = await _members(1)
    socket = await resident_socket(alice)

    from campus_social.notifications.services import notification_send

    notification = await database_sync_to_async(notification_send)(
        resident=alice, kind="system.announcement", title="市民講座のお知らせ", url="/me/"
    )

    frame = await socket.receive_json_from(timeout=5)
    assert frame == {
        "type": "notification",
        "id": notification.pk,
        "kind": "system.announcement",
        "title": "市民講座のお知らせ",
        "url": "/me/",
        "created_at": frame["created_at"],
    }
    assert frame["created_at"].endswith("Z")


async def test_a_broadcast_that_overtakes_earlier_ones_brings_them_first_from_the_database(
    resident_socket,
):
    """With several Daphne processes, broadcasts of seq n and n+1 can arrive out of order (or a
    full channel can drop one): the socket still delivers every seq once, in order."""
    (alice,) = await _members(1)
    room = await _room_with(alice)
    socket = await resident_socket(alice)
    await socket.send_json_to({"type": "subscribe", "room": room.pk, "after": None})
    await _receive_until(socket, "subscribed")

    @database_sync_to_async
    def store_without_broadcast():
        # As if the broadcasts of seq 1 and 2 were still on their way from another process.
        for seq in (1, 2, 3):
            Message.objects.create(room=room, seq=seq, author=alice, body=f"m{seq}")
        Room.objects.filter(pk=room.pk).update(last_seq=3)
        return wire.dumps(
            wire.message_frame(Message.objects.select_related("author").get(room=room, seq=3))
        )

    text = await store_without_broadcast()
    layer = get_channel_layer()
    await layer.group_send(
        wire.room_group(room.pk), {"type": "room.event", "room": room.pk, "seq": 3, "text": text}
    )
    late = {"type": "room.event", "room": room.pk, "seq": 1, "text": "{}"}
    await layer.group_send(wire.room_group(room.pk), late)  # the overtaken one, arriving late

    frames = [await socket.receive_json_from(timeout=5) for _n in range(3)]
    assert [f["seq"] for f in frames] == [1, 2, 3]
    assert await socket.receive_nothing(timeout=0.3)
