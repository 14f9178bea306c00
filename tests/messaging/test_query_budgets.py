"""Joins and leaves ask the database about a room's children (by birth date) in single queries,
however many are in the room: these run on every join, leave and message."""

import pytest

from messaging import services
from messaging.models import Room, RoomMember
from tests.factories import GuardianLinkFactory, VettingRecordFactory
from tests.messaging.factories import member_of, moderated_room

pytestmark = pytest.mark.django_db


def room_of(size: int) -> Room:
    """A moderated room with ``size`` members: half adults, half children whose guardian reads
    along."""
    room, _moderator = moderated_room(kind=Room.Kind.PROGRAM)
    for number in range(size):
        if number % 2:
            services.room_member_add(room=room, resident=GuardianLinkFactory().child)
        else:
            member_of(room)
    return room


@pytest.mark.parametrize("size", [2, 20])
def test_a_moderator_joining_a_room_with_children_costs_the_same_for_2_and_20_members(
    size, django_assert_num_queries
):
    """Guards finding the room's children by loading every member (rows, not yet queries)."""
    room = room_of(size)
    lecturer = VettingRecordFactory().resident

    with django_assert_num_queries(8):
        services.room_member_add(room=room, resident=lecturer, role=RoomMember.Role.MODERATOR)

    assert RoomMember.objects.get(room=room, resident=lecturer).is_moderator


@pytest.mark.parametrize("size", [2, 20])
def test_a_child_leaving_costs_the_same_for_2_and_20_members(size, django_assert_num_queries):
    """Guards the N+1 of asking, child by child, whether a guardian has another child there."""
    room = room_of(size)
    link = GuardianLinkFactory()
    services.room_member_add(room=room, resident=link.child)

    with django_assert_num_queries(8):
        services.room_member_remove(room=room, resident=link.child)

    # Her guardian read the room only for her, so leaves with her.
    assert not RoomMember.objects.filter(room=room, resident=link.guardian).exists()


def test_a_guardian_with_another_child_in_the_room_keeps_reading():
    room = room_of(2)
    link = GuardianLinkFactory()
    sister = GuardianLinkFactory(guardian=link.guardian).child
    services.room_member_add(room=room, resident=link.child)
    services.room_member_add(room=room, resident=sister)

    services.room_member_remove(room=room, resident=link.child)

    assert RoomMember.objects.filter(room=room, resident=link.guardian).exists()


@pytest.mark.parametrize("size", [2, 20])
def test_stepping_down_as_moderator_costs_the_same_for_2_and_20_members(
    size, django_assert_num_queries
):
    """Guards counting the adult moderators by loading every one of them."""
    room = room_of(size)
    second = VettingRecordFactory().resident
    services.room_member_add(room=room, resident=second, role=RoomMember.Role.MODERATOR)

    with django_assert_num_queries(6):
        services.room_member_add(room=room, resident=second, role=RoomMember.Role.MEMBER)

    assert not RoomMember.objects.get(room=room, resident=second).is_moderator
