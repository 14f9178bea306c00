"""The verbs of the app that owns a room's subject (a circle, a program): it makes the subject's
room and keeps the room's membership in step with its own.

Trusted, not checked: these verbs take no acting resident and ask no permission — the owning
app's own service has already decided who belongs and checked its actor.  Only those services
call them (through ``messaging.services``); no page, view or socket does.  Whoever calls,
safeguarding still holds here: a child enters only a room with a vetted adult moderator (else
the answer is ``Entry.AWAITS_MODERATOR``), a moderator where children are needs a current
vetting record, and the last adult moderator of a room with children stays.

The verbs that check an acting resident are in ``messages.py`` and ``direct.py``.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.common.errors import Invalid
from campus_social.common.realtime import group_send_on_commit
from campus_social.identity.models import Resident
from campus_social.identity.selectors import child_q, resident_children, resident_guardians
from campus_social.safeguarding.selectors import (
    Participation,
    may_lead,
    require_child_contact,
    vetted_resident_ids,
)
from messaging import wire
from messaging.models import Message, MessageEdit, MessageReport, Room, RoomMember
from messaging.selectors import room_children
from messaging.values import Entry


def room_create(*, kind: str, subject_key: str, title: str = "") -> Room:
    """Make the room of a subject (``"circle:12"``), once, when the subject is made: the owning
    app keeps the room as a reference (``Circle.room``) and reaches it that way, never by
    calling this again.  Idempotent by ``subject_key``, as a safety net only."""
    if kind not in Room.Kind.values:
        raise ValueError(f"unknown room kind {kind!r}")
    room, _created = Room.objects.get_or_create(
        subject_key=subject_key, defaults={"kind": kind, "title": title}
    )
    return room


def room_rekey(*, subject_key: str, new_subject_key: str, kind: str, title: str) -> Room | None:
    """Hand the room of one subject to another: the room keyed ``subject_key``, if there is one,
    becomes ``new_subject_key``'s, of ``kind`` and titled ``title``, with its messages, members
    and read pointers as they are.  ``None`` when there is no such room.

    For an owning app taking over a room made under an older key: a cohort circle adopts the
    room its offering had before an offering and its circle shared one."""
    if kind not in Room.Kind.values:
        raise ValueError(f"unknown room kind {kind!r}")
    with transaction.atomic():
        room = Room.objects.select_for_update().filter(subject_key=subject_key).first()
        if room is None:
            return None
        if Room.objects.filter(subject_key=new_subject_key).exists():
            raise ValueError(f"a room for {new_subject_key!r} exists already")
        room.subject_key, room.kind, room.title = new_subject_key, kind, title
        room.save(update_fields=["subject_key", "kind", "title"])
    return room


def room_member_add(*, room: Room, resident: Resident, role: str = RoomMember.Role.MEMBER) -> Entry:
    """Add (or re-role) a member; idempotent.

    Answers ``Entry.JOINED``, or ``Entry.AWAITS_MODERATOR`` when a child would join a room
    without an adult moderator holding a current vetting record: then nothing is written, and
    the owning app admits the child once such a moderator joins.  A child's guardians join as
    ``reader``s.  Refusals raise and write nothing: a child as moderator (``Invalid``,
    ``child_moderator``), a moderator of a room with children without a current vetting record
    (``Forbidden``, ``vetting_required``), the last adult moderator of a room with children
    stepping down (``Invalid``, ``last_moderator``).
    """
    if role not in RoomMember.Role.values:
        raise ValueError(f"unknown room role {role!r}")
    with transaction.atomic():
        if role == RoomMember.Role.MODERATOR and room.kind != Room.Kind.DIRECT:
            require_child_contact(
                resident=resident, children=room_children(room=room), need=Participation.MODERATE
            )
        if role == RoomMember.Role.MODERATOR and not may_lead(resident=resident):
            raise Invalid(_("A child cannot moderate a room."), code="child_moderator")
        if resident.is_child and (
            room.kind != Room.Kind.DIRECT
            and not RoomMember.objects.filter(room=room, resident=resident).exists()
            and not _has_vetted_moderator(room)
        ):
            return Entry.AWAITS_MODERATOR
        membership, created = RoomMember.objects.get_or_create(
            room=room, resident=resident, defaults={"role": role, "last_read_seq": 0}
        )
        if not created and membership.role != role:
            if membership.is_moderator and _children_in(room) and _adult_moderators(room) <= 1:
                raise Invalid(
                    _("The last moderator of a room with children must stay a moderator."),
                    code="last_moderator",
                )
            membership.role = role
            membership.save(update_fields=["role"])
        if resident.is_child and room.kind != Room.Kind.DIRECT:
            for guardian in resident_guardians(resident=resident):
                RoomMember.objects.get_or_create(
                    room=room, resident=guardian, defaults={"role": RoomMember.Role.READER}
                )
    return Entry.JOINED


def room_member_remove(*, room: Room, resident: Resident) -> None:
    """Remove a member; their sockets stop receiving the room at once.  Guardians who read the
    room only for this child leave with them."""
    with transaction.atomic():
        membership = RoomMember.objects.filter(room=room, resident=resident).first()
        if membership is None:
            return
        if membership.is_moderator and _children_in(room) and _adult_moderators(room) <= 1:
            raise Invalid(
                _("The last moderator cannot leave a room with children in it."),
                code="last_moderator",
            )
        membership.delete()
        removed = [resident.pk]
        if resident.is_child:
            for guardian in resident_guardians(resident=resident):
                reader = RoomMember.objects.filter(
                    room=room, resident=guardian, role=RoomMember.Role.READER
                ).first()
                if reader is not None and not _has_other_child_in(room, guardian):
                    reader.delete()
                    removed.append(guardian.pk)
        for resident_id in removed:
            _announce_removal(room.pk, resident_id)


def room_member_messages_erase(*, room: Room, resident: Resident) -> int:
    """Erase what ``resident`` wrote in ``room`` (the owning app's retention of a child's data):
    each message keeps its row and ``seq`` — seqs have no gaps — but loses its text, author,
    ``client_id`` and edit history, and reads as removed for good.  Protocol v1 knows two
    removal reasons, so one not removed yet reads as removed by a moderator (``moderator``),
    and subscribed sockets hear ``message_removed``; open reports close as removed.  Answers
    how many messages were erased.  Trusted: the owning app decided whose data goes."""
    with transaction.atomic():
        messages = Message.objects.filter(room=room, author=resident)
        erased = list(messages.values_list("pk", "removed_at"))
        if not erased:
            return 0
        ids = [pk for pk, _removed in erased]
        now = timezone.now()
        MessageEdit.objects.filter(message_id__in=ids).delete()
        MessageReport.objects.filter(message_id__in=ids, resolved_at__isnull=True).update(
            resolved_at=now, resolution=MessageReport.Resolution.REMOVED
        )
        showing = [pk for pk, removed in erased if removed is None]
        Message.objects.filter(pk__in=showing).update(
            removed_at=now, removed_reason=Message.Removal.MODERATOR
        )
        Message.objects.filter(pk__in=ids).update(
            body="", author=None, client_id=None, edited_at=None, removal_final=True
        )
        for message in Message.objects.filter(pk__in=showing):
            wire.broadcast_on_commit(message)
    return len(ids)


def room_rename(*, room: Room, title: str) -> Room:
    """The owning app renamed the room's subject (a circle's new name)."""
    if room.title != title:
        room.title = title
        room.save(update_fields=["title"])
    return room


def room_close(*, room: Room) -> Room:
    """Close a room for good: its history stays readable, nobody can write in it."""
    if room.closed_at is None:
        room.closed_at = timezone.now()
        room.save(update_fields=["closed_at"])
    return room


def _announce_removal(room_id: int, resident_id: int) -> None:
    # Through the room group, so it is ordered with the room's messages for every socket.
    group_send_on_commit(
        wire.room_group(room_id),
        {"type": "room.member_removed", "room": room_id, "resident": resident_id},
    )


def _has_vetted_moderator(room: Room) -> bool:
    """Whether an adult with a current vetting record moderates the room: the one who must be
    there before a child may join."""
    moderator_ids = RoomMember.objects.filter(
        room=room, role=RoomMember.Role.MODERATOR
    ).values_list("resident_id", flat=True)
    return bool(vetted_resident_ids(moderator_ids))


# Each of these is one query asking the database about the room's children (by birth date),
# rather than loading every member: they run on every join, leave and message.


def _adult_moderators(room: Room) -> int:
    moderators = RoomMember.objects.filter(room=room, role=RoomMember.Role.MODERATOR)
    return moderators.exclude(child_q(path="resident__")).count()


def _children_in(room: Room) -> bool:
    return RoomMember.objects.filter(child_q(path="resident__"), room=room).exists()


def _has_other_child_in(room: Room, guardian: Resident) -> bool:
    return RoomMember.objects.filter(
        child_q(path="resident__"),
        room=room,
        resident__in=resident_children(resident=guardian).order_by(),
    ).exists()
