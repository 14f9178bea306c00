"""Helpers shared by the circle areas of ``communities.services``: the notification kinds, text
checks (from ``communities.text_checks``, which the programs share), the circle's chat room and its membership, locking a circle, the safeguarding checks on
entering and posting, and the author and joiner checks.  Private to the package.
"""

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from campus_social.common.errors import Conflict, NotFound
from campus_social.identity.models import Resident
from campus_social.identity.selectors import child_q, resident_children
from campus_social.safeguarding.selectors import Participation, acting_for, require_child_contact
from communities.models import Circle, CircleMember
from communities.selectors import circle_child_members, circle_get, member_standing
from communities.text_checks import fail as _fail  # noqa: F401 (re-exported to the circle modules)
from communities.text_checks import text as _text  # noqa: F401 (re-exported to the circle modules)
from messaging import services as rooms
from messaging.selectors import room_member_ids
from messaging.values import Entry

if TYPE_CHECKING:
    from messaging.models import Room

NOTIFY = {
    "membership": "communities.membership",
    "requests": "communities.join_requests",
    "events": "communities.events",
}


ROOM_ROLE: dict[str, str] = {
    CircleMember.Role.ORGANISER: "moderator",
    CircleMember.Role.MODERATOR: "moderator",
    CircleMember.Role.MEMBER: "member",
}


def _open_circle(circle: Circle) -> None:
    if circle.is_closed:
        raise Conflict(_("This circle is closed."), code="closed")


def _room_key(circle_id: int) -> str:
    return f"circle:{circle_id}"


# The key under which courses made an offering's room before an offering's cohort and its
# circle shared one (migration ``communities.0003``); a cohort circle made later adopts it.
def _legacy_offering_room_key(offering_id: int) -> str:
    return f"offering:{offering_id}"


def _room_attach(circle: Circle) -> "Room":
    """Make the circle's chat room, in the transaction that makes the circle: from then on the
    circle reaches it as ``circle.room`` and nothing looks a room up.  A cohort circle adopts the
    room its offering had before one room per cohort (only there if the circle's making was
    lost then: ``circle_cohort_sync`` repairs that)."""
    room = None
    if circle.offering_id is not None:
        room = rooms.room_rekey(
            subject_key=_legacy_offering_room_key(circle.offering_id),
            new_subject_key=_room_key(circle.pk),
            kind="circle",
            title=circle.name,
        )
    if room is None:
        room = rooms.room_create(kind="circle", subject_key=_room_key(circle.pk), title=circle.name)
    circle.room = room
    circle.save(update_fields=["room"])
    return room


def _room_of(circle: Circle) -> "Room":
    """The circle's room, made with the circle (``_room_attach``; migration
    ``communities.0003`` gave one to every older circle)."""
    if circle.room is None:
        raise RuntimeError(f"circle {circle.pk} has no chat room")
    return circle.room


def _room_join(circle: Circle, membership: CircleMember) -> Entry:
    """Put an active member in the circle's room with the role their standing gives.

    A child waits outside a room without a vetted adult moderator (``Entry.AWAITS_MODERATOR``):
    the circle membership stands meanwhile, and the child comes in when a moderator joins —
    this admits the circle's waiting children whenever it seats one."""
    room = _room_of(circle)
    role = ROOM_ROLE[membership.role]
    entry = rooms.room_member_add(room=room, resident=membership.resident, role=role)
    if role == "moderator":
        _room_admit_waiting_children(circle, room)
    return entry


def _room_admit_waiting_children(circle: Circle, room: "Room") -> None:
    """The circle's active child members not yet in its room come in, if the room now has a
    vetted adult moderator (two queries when nobody waits)."""
    in_room = room_member_ids(room_id=room.pk)
    waiting = circle.memberships.filter(
        child_q(path="resident__"), status=CircleMember.Status.ACTIVE
    ).exclude(resident_id__in=in_room)
    for membership in waiting.select_related("resident"):
        if rooms.room_member_add(room=room, resident=membership.resident) != Entry.JOINED:
            return  # still no vetted moderator: the rest wait too


def _room_leave(circle: Circle, resident: Resident) -> None:
    room = _room_of(circle)
    rooms.room_member_remove(room=room, resident=resident)
    # A guardian who leaves still reads along for a child who stays (as ``member_standing``
    # lets them read the circle).
    if CircleMember.objects.filter(
        circle=circle,
        status=CircleMember.Status.ACTIVE,
        resident__in=resident_children(resident=resident),
    ).exists():
        rooms.room_member_add(room=room, resident=resident, role="reader")


def _locked(circle_id: int) -> Circle:
    """The circle's row, locked for the rest of the transaction (membership changes queue)."""
    circle = Circle.objects.select_for_update().filter(pk=circle_id).first()
    if circle is None:
        raise NotFound(_("No such circle."))
    return circle


def _child_members(circle: Circle) -> list[Resident]:
    """The circle's active child members (one query, on every join and post)."""
    return circle_child_members(circle=circle)


def _require_vetted_entry(circle: Circle, resident: Resident, need: Participation) -> None:
    """Safeguarding's one rule (``campus_social.safeguarding``): in a circle meant for
    children an adult becomes a member only with a current vetting record (a guardian reads
    along through their child without joining), and a moderator needs one too.  Asked at each
    step — request, invitation, approval, role — so that no organiser's decision overrides it."""
    require_child_contact(
        resident=resident,
        children=_child_members(circle),
        for_children=circle.for_children,
        need=need,
    )


def _require_may_post(circle: Circle, resident: Resident) -> None:
    """Where children are members, an adult writes only with a vetting record current today
    (the same rule as the circle's chat room): an expired record stops them at once."""
    require_child_contact(
        resident=resident, children=_child_members(circle), need=Participation.POST
    )


def _delete_file_on_commit(name: str) -> None:
    if not name:
        return
    from django.core.files.storage import default_storage

    transaction.on_commit(lambda: default_storage.delete(name), robust=True)


_GONE = (CircleMember.Status.BANNED, CircleMember.Status.LEFT)


def _joiner_or_child(actor: Resident, resident_id: int | None) -> Resident:
    """Who leaves or answers: the actor (a child too), or a child of theirs — safeguarding's
    ``acting_for``."""
    return acting_for(actor=actor, child_id=resident_id)


def _poster(circle_id: int, actor: Resident) -> tuple[Circle, CircleMember]:
    circle = circle_get(circle_id=circle_id, actor=actor)
    standing = member_standing(circle=circle, actor=actor)
    _open_circle(circle)
    _require_may_post(circle, actor)
    return circle, standing
