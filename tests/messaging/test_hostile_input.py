"""Frames and requests from the outside attack on the demo town (issue #9, items 3 and 6): each
is answered with an ``error`` frame (or a 4xx) and the socket stays open."""

import uuid

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse

from messaging.models import Message
from tests.messaging.factories import member_of, moderated_room, send
from tests.messaging.test_consumer import _members, _room_with

HUGE_ID = 10**23
BIGINT_MAX = 2**63 - 1

# Raw frame text: ``json.dumps`` would not write a lone surrogate escape the way an attacker does.
LONE_SURROGATE = '{"type":"send","room":%d,"client_id":"%s","body":"x\\ud800"}'


async def _answer_then_pong(socket, *, text: str | None = None, frame: dict | None = None):
    if text is not None:
        await socket.send_to(text_data=text)
    else:
        await socket.send_json_to(frame)
    answer = await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    return answer


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_body_with_a_lone_surrogate_is_refused_and_the_socket_stays_open(resident_socket):
    (alice,) = await _members(1)
    room = await _room_with(alice)
    socket = await resident_socket(alice)
    client_id = str(uuid.uuid4())

    error = await _answer_then_pong(socket, text=LONE_SURROGATE % (room.pk, client_id))

    assert error["type"] == "error"
    assert error["code"] == "invalid"
    assert await sync_to_async(Message.objects.count)() == 0


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "body", ["a\x00b", "abc\u202egpj.exe", "\u200b\u200c\u200d\u2060\ufeff", "ring\x07"]
)
async def test_a_body_with_a_nul_bidi_override_or_nothing_visible_is_refused(body, resident_socket):
    (alice,) = await _members(1)
    room = await _room_with(alice)
    socket = await resident_socket(alice)
    client_id = str(uuid.uuid4())

    error = await _answer_then_pong(
        socket, frame={"type": "send", "room": room.pk, "client_id": client_id, "body": body}
    )

    assert error == {
        "type": "error",
        "code": "invalid",
        "detail": error["detail"],
        "room": room.pk,
        "client_id": client_id,
    }
    assert await sync_to_async(Message.objects.count)() == 0


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "frame",
    [
        {"type": "subscribe", "room": HUGE_ID, "after": None},
        {"type": "subscribe", "room": "{room}", "after": HUGE_ID},
        {"type": "read", "room": HUGE_ID, "seq": 1},
        {"type": "read", "room": "{room}", "seq": HUGE_ID},
        {"type": "unsubscribe", "room": HUGE_ID},
        {"type": "send", "room": HUGE_ID, "client_id": "{uuid}", "body": "x"},
        {"type": "send", "room": "{room}", "client_id": "{uuid}", "body": "x", "reply_to": HUGE_ID},
    ],
)
async def test_ids_past_the_databases_range_are_answered_with_an_error_frame(
    frame, resident_socket
):
    (alice,) = await _members(1)
    room = await _room_with(alice)
    socket = await resident_socket(alice)
    frame = {
        key: room.pk if value == "{room}" else str(uuid.uuid4()) if value == "{uuid}" else value
        for key, value in frame.items()
    }

    error = await _answer_then_pong(socket, frame=frame)

    assert error["type"] == "error"
    assert error["code"] == "invalid"
    assert await sync_to_async(Message.objects.count)() == 0


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_largest_database_id_is_a_plain_not_found(resident_socket):
    (alice,) = await _members(1)
    socket = await resident_socket(alice)

    error = await _answer_then_pong(
        socket, frame={"type": "subscribe", "room": BIGINT_MAX, "after": None}
    )

    assert error["code"] == "not_found"


# --- the same over REST ------------------------------------------------------------------------


@pytest.fixture
def room_and_member(db):
    room, _moderator = moderated_room()
    return room, member_of(room)


def test_rest_refuses_a_lone_surrogate_in_any_json_body(api_client, room_and_member):
    room, member = room_and_member
    api_client.force_login(member)
    raw = '{"client_id":"' + str(uuid.uuid4()) + '","body":"x\\ud800"}'

    answer = api_client.post(
        reverse("messaging:messages", args=[room.pk]), raw, content_type="application/json"
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert Message.objects.count() == 0


@pytest.mark.parametrize("body", ["a\x00b", "abc\u202egpj.exe", "\u200b\u200b", "x\x1b[2J"])
def test_rest_and_the_socket_refuse_the_same_bodies(api_client, room_and_member, body):
    room, member = room_and_member
    api_client.force_login(member)

    answer = api_client.post(
        reverse("messaging:messages", args=[room.pk]),
        {"client_id": str(uuid.uuid4()), "body": body},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert Message.objects.count() == 0


def test_chat_bodies_keep_newlines_and_tabs_and_are_stored_nfc(room_and_member, settings):
    room, member = room_and_member

    message = send(room, member, body="一行目\n\tカ\u3099タカナ 👨\u200d👩\u200d👧")

    assert message.body == "一行目\n\tガタカナ 👨\u200d👩\u200d👧"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/rooms/{HUGE_ID}/",
        f"/api/v1/rooms/{HUGE_ID}/messages/",
        f"/api/v1/rooms/1/messages/{HUGE_ID}/history/",
        f"/api/v1/rooms/{BIGINT_MAX + 1}/",
    ],
)
def test_rest_room_and_message_routes_answer_404_to_ids_past_the_range(
    api_client, room_and_member, path
):
    _room, member = room_and_member
    api_client.force_login(member)

    answer = api_client.get(path)

    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "field"), [({"after": HUGE_ID}, "after"), ({"before": HUGE_ID}, "before")]
)
def test_rest_query_numbers_past_the_range_answer_400(api_client, room_and_member, query, field):
    room, member = room_and_member
    api_client.force_login(member)

    answer = api_client.get(reverse("messaging:messages", args=[room.pk]), query)

    assert answer.status_code == 400
    assert field in answer.json()["fields"]


def test_rest_direct_room_with_a_resident_id_past_the_range_answers_400(api_client, resident):
    api_client.force_login(resident)

    answer = api_client.post(reverse("messaging:direct-room"), {"resident": HUGE_ID}, format="json")

    assert answer.status_code == 400
    assert "resident" in answer.json()["fields"]
