"""Helpers both sides of ``messaging.services`` share.  Private to the package."""

from campus_social.identity.models import Resident
from campus_social.identity.selectors import child_q
from messaging.models import Room


def _children_of(room: Room) -> list[Resident]:
    """The room's children, asked of the database by birth date (one query that loads only
    them): the safeguarding rule is asked about them at every join of a moderator and every
    message."""
    return list(Resident.objects.filter(child_q(), room_memberships__room=room))
