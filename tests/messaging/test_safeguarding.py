"""Issue #9 item 1 in rooms: where children are, an adult writes only with a current vetting
record, a guardian reads along, and a moderator is vetted — over REST and the websocket."""

import uuid
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.utils import timezone

from campus_social.common.errors import Forbidden
from campus_social.safeguarding.models import VettingRecord
from messaging import services
from messaging.models import Message, Room, RoomMember
from tests.factories import (
    ChildFactory,
    GuardianLinkFactory,
    ResidentFactory,
    VettingRecordFactory,
)
from tests.messaging.factories import RoomFactory, member_of

pytestmark = pytest.mark.usefixtures("generous_send_rate")


def room_with_a_child(kind: str = Room.Kind.CIRCLE) -> tuple[Room, RoomMember]:
    """A room with a vetted moderator and a child in it (her guardian reading along)."""
    room = Room.objects.create(kind=kind, subject_key=f"{kind}:{uuid.uuid4()}", title="書き初め")
    moderator = VettingRecordFactory().resident
    services.room_member_add(room=room, resident=moderator, role=RoomMember.Role.MODERATOR)
    link = GuardianLinkFactory(child=ChildFactory(given_name="陽葵"))
    services.room_member_add(room=room, resident=link.child)
    return room, RoomMember.objects.get(room=room, resident=link.guardian)


@pytest.fixture
def post(signed_in):
    """``post(resident, room, body)``: the resident posts in the room over the API."""

    def send(resident, room: Room, body: str = "こんにちは"):
        return signed_in(resident).post(
            f"/api/v1/rooms/{room.pk}/messages/",
            {"client_id": str(uuid.uuid4()), "body": body},
            format="json",
        )

    return send


@pytest.mark.django_db
def test_an_unvetted_adult_member_cannot_post_in_a_room_with_children(post):
    room, _guardian = room_with_a_child()
    stranger = member_of(room)  # let in by an owning app's mistake, or before the rule

    refused = post(stranger, room)

    assert (refused.status_code, refused.json()["code"]) == (403, "vetting_required")
    assert not Message.objects.filter(author=stranger).exists()


@pytest.mark.django_db
def test_an_adult_whose_vetting_ran_out_yesterday_stops_posting_at_once(post):
    room, _guardian = room_with_a_child()
    helper = member_of(room)
    today = timezone.localdate()
    VettingRecordFactory(resident=helper, checked_on=today - timedelta(days=400), expires_on=today)
    assert post(helper, room, "今日まで").status_code == 201

    VettingRecord.objects.filter(resident=helper).update(expires_on=today - timedelta(days=1))
    refused = post(helper, room, "明日から")

    assert (refused.status_code, refused.json()["code"]) == (403, "vetting_required")


@pytest.mark.django_db
def test_a_vetted_adult_posts_and_a_guardian_keeps_reading_but_not_writing(signed_in, post):
    room, guardian = room_with_a_child()
    vetted = member_of(room)
    VettingRecordFactory(resident=vetted)

    sent = post(vetted, room)
    as_guardian = post(guardian.resident, room)
    read = signed_in(guardian.resident).get(f"/api/v1/rooms/{room.pk}/messages/")

    assert sent.status_code == 201
    assert as_guardian.status_code == 403
    assert read.status_code == 200
    assert [m["body"] for m in read.json()["results"]] == ["こんにちは"]


@pytest.mark.django_db
def test_a_room_without_children_is_not_limited(post):
    room = Room.objects.create(kind=Room.Kind.CIRCLE, subject_key="circle:adults", title="大人")
    services.room_member_add(room=room, resident=ResidentFactory(), role="moderator")

    assert post(member_of(room), room).status_code == 201


@pytest.mark.django_db
def test_a_guardian_still_writes_to_their_own_child_in_a_direct_room(post):
    link = GuardianLinkFactory()
    room, _created = services.direct_room_open(resident=link.guardian, other_id=link.child.pk)

    assert post(link.guardian, room).status_code == 201


@pytest.mark.django_db
def test_an_unvetted_adult_cannot_be_made_moderator_of_a_room_with_children():
    room, _guardian = room_with_a_child()
    adult = member_of(room)

    with pytest.raises(Forbidden) as refused:
        services.room_member_add(room=room, resident=adult, role=RoomMember.Role.MODERATOR)

    assert refused.value.code == "vetting_required"
    assert RoomMember.objects.get(room=room, resident=adult).role == RoomMember.Role.MEMBER
    VettingRecordFactory(resident=adult)
    services.room_member_add(room=room, resident=adult, role=RoomMember.Role.MODERATOR)
    assert RoomMember.objects.get(room=room, resident=adult).is_moderator


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_websocket_send_by_an_adult_whose_vetting_ran_out_is_refused(resident_socket):
    @database_sync_to_async
    def setting_up():
        room, _guardian = room_with_a_child()
        today = timezone.localdate()
        expired = VettingRecordFactory(
            checked_on=today - timedelta(days=400), expires_on=today - timedelta(days=1)
        ).resident
        RoomMember.objects.create(room=room, resident=expired)
        return room, expired

    room, expired = await setting_up()
    socket = await resident_socket(expired)
    await socket.send_json_to(
        {"type": "send", "room": room.pk, "client_id": str(uuid.uuid4()), "body": "x"}
    )

    error = await socket.receive_json_from(timeout=5)

    assert (error["type"], error["code"]) == ("error", "forbidden")
    assert not await sync_to_async(Message.objects.filter(author=expired).exists)()


@pytest.mark.django_db
def test_a_child_waits_outside_a_room_whose_only_moderator_is_not_vetted():
    room = RoomFactory(kind=Room.Kind.PROGRAM)
    unvetted = ResidentFactory()
    services.room_member_add(room=room, resident=unvetted, role=RoomMember.Role.MODERATOR)

    entry = services.room_member_add(room=room, resident=ChildFactory())

    assert entry == services.Entry.AWAITS_MODERATOR
    assert list(RoomMember.objects.filter(room=room).values_list("resident", flat=True)) == [
        unvetted.pk
    ]
