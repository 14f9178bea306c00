"""Rooms and members for messaging tests.  Messages are sent through ``messaging.services`` (so
``seq`` stays gap-free) with ``send``; ``make_messages`` stores many at once for query budgets."""

import uuid

import factory
from django.db.models import F

from campus_social.identity.models import Resident
from messaging import services
from messaging.models import Message, Room, RoomMember
from tests.factories import ResidentFactory, VettingRecordFactory


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    kind = Room.Kind.CIRCLE
    subject_key = factory.Sequence(lambda n: f"circle:{n}")
    title = factory.Sequence(lambda n: f"学びの輪 {n}")


class RoomMemberFactory(factory.django.DjangoModelFactory):
    """A plain membership row; use ``services.room_member_add`` where safeguarding matters."""

    class Meta:
        model = RoomMember

    room = factory.SubFactory(RoomFactory)
    resident = factory.SubFactory(ResidentFactory)
    role = RoomMember.Role.MEMBER


def moderated_room(**fields: object) -> tuple[Room, Resident]:
    """A room with a vetted adult moderator (as circles, offerings and programs have), so that
    children may join it."""
    room = RoomFactory(**fields)
    moderator = ResidentFactory(name="世話役 一郎", given_name="一郎")
    VettingRecordFactory(resident=moderator)
    RoomMemberFactory(room=room, resident=moderator, role=RoomMember.Role.MODERATOR)
    return room, moderator


def member_of(room: Room, **fields: object) -> Resident:
    resident = ResidentFactory(**fields)
    RoomMemberFactory(room=room, resident=resident)
    return resident


def send(room: Room, author: Resident, body: str = "こんにちは", **fields: object) -> Message:
    message, _created = services.message_send(
        room_id=room.pk, author=author, client_id=uuid.uuid4(), body=body, **fields
    )
    return message


def make_messages(room: Room, author: Resident, count: int) -> list[Message]:
    """``count`` messages stored at once, continuing the room's seq (no rate limit, no events)."""
    room.refresh_from_db()
    messages = Message.objects.bulk_create(
        Message(room=room, seq=room.last_seq + n, author=author, body=f"メッセージ {n}")
        for n in range(1, count + 1)
    )
    Room.objects.filter(pk=room.pk).update(last_seq=F("last_seq") + count)
    room.refresh_from_db()
    return messages
