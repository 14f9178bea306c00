"""Writes to rooms and messages.  Stored first, broadcast after the commit.

The owning app of a room's subject (a circle, an offering, a program) creates the room with
``room_create`` and keeps its membership in step with ``room_member_add`` / ``room_member_remove``.
Residents act through the rest: sending, editing, reading, reporting, moderating.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.audit.services import audit_record
from campus_social.common.errors import Forbidden, Invalid, NotFound, RateLimited
from campus_social.common.ratelimit import rate_limit_hit
from campus_social.common.realtime import group_send_on_commit, resident_send_on_commit
from campus_social.common.text import text_clean
from campus_social.identity.models import Resident
from campus_social.identity.selectors import (
    child_q,
    city_staff_list,
    resident_children,
    resident_guardians,
)
from campus_social.notifications.services import notification_send_many
from campus_social.safeguarding.selectors import (
    Participation,
    require_child_contact,
    require_direct_contact,
    vetted_resident_ids,
)
from messaging import wire
from messaging.models import (
    BODY_MAX_LENGTH,
    Message,
    MessageEdit,
    MessageReport,
    ModerationAction,
    Room,
    RoomMember,
)
from messaging.selectors import room_membership, room_moderation

NOTIFY_REPORTED = "messaging.message_reported"

# --- Rooms and membership (called by the app that owns the room's subject) -------------------


def room_create(*, kind: str, subject_key: str, title: str = "") -> Room:
    """The room for a subject, created on first call (idempotent by ``subject_key``)."""
    if kind not in Room.Kind.values:
        raise ValueError(f"unknown room kind {kind!r}")
    room, _created = Room.objects.get_or_create(
        subject_key=subject_key, defaults={"kind": kind, "title": title}
    )
    return room


def room_member_add(
    *, room: Room, resident: Resident, role: str = RoomMember.Role.MEMBER
) -> RoomMember:
    """Add (or re-role) a member.

    Safeguarding: a child joins only a room that already has a vetted adult moderator (a
    coordinator or lecturer); their guardians join as readers; a moderator of a room with children needs a
    current vetting record (``Forbidden``, ``vetting_required``), whoever asks.  Idempotent.
    """
    if role not in RoomMember.Role.values:
        raise ValueError(f"unknown room role {role!r}")
    with transaction.atomic():
        if role == RoomMember.Role.MODERATOR and room.kind != Room.Kind.DIRECT:
            require_child_contact(
                resident=resident, children=_children_of(room), need=Participation.MODERATE
            )
        if resident.is_child:
            if role == RoomMember.Role.MODERATOR:
                raise Invalid(_("A child cannot moderate a room."), code="child_moderator")
            if room.kind != Room.Kind.DIRECT and not _has_vetted_moderator(room):
                raise Invalid(
                    _(
                        "A room with children needs a vetted coordinator or lecturer as its "
                        "moderator."
                    ),
                    code="no_moderator",
                )
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
    return membership


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


def _children_of(room: Room) -> list[Resident]:
    return list(Resident.objects.filter(child_q(), room_memberships__room=room))


def _has_other_child_in(room: Room, guardian: Resident) -> bool:
    return RoomMember.objects.filter(
        child_q(path="resident__"),
        room=room,
        resident__in=resident_children(resident=guardian).order_by(),
    ).exists()


def direct_room_open(*, resident: Resident, other_id: int) -> tuple[Room, bool]:
    """The direct room of two residents, opened if new.

    Safeguarding: a child talks directly only with their own guardian, and an adult never with
    someone else's child (answered as not found, so children cannot be discovered this way).
    """
    other = Resident.objects.filter(pk=other_id, is_active=True).first() if other_id else None
    if other is None or other.pk == resident.pk:
        raise NotFound(_("No such resident."))
    require_direct_contact(resident=resident, other=other)
    low, high = sorted((resident.pk, other.pk))
    with transaction.atomic():
        room, created = Room.objects.get_or_create(
            subject_key=f"direct:{low}:{high}", defaults={"kind": Room.Kind.DIRECT}
        )
        for person in (resident, other):
            RoomMember.objects.get_or_create(room=room, resident=person)
    return room, created


# --- Messages ---------------------------------------------------------------------------------


def _parse_client_id(client_id: object) -> uuid.UUID:
    try:
        return client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except (ValueError, TypeError, AttributeError):
        raise Invalid(_("client_id must be a UUID made by the client."), code="invalid") from None


def _clean_body(body: object) -> str:
    # The one text rule (NFC; no control, bidi or broken characters) for REST, socket and pages.
    body = text_clean(body, multiline=True) if isinstance(body, str) else ""
    if not body.strip():
        raise Invalid(_("Please write a message."), code="invalid")
    if len(body) > BODY_MAX_LENGTH:
        raise Invalid(
            _("A message can be at most %(limit)d characters.") % {"limit": BODY_MAX_LENGTH},
            code="too_long",
        )
    return body


def _writable_membership(room_id: int, author: Resident) -> RoomMember:
    membership = room_membership(room_id=room_id, resident=author)
    if not membership.can_write:
        raise Forbidden(_("You can read this room but not write in it."))
    if membership.room.closed_at is not None:
        raise Forbidden(_("This room is closed."))
    if membership.muted_until and membership.muted_until > timezone.now():
        raise Forbidden(
            _("A moderator has muted you in this room until %(until)s.")
            % {"until": timezone.localtime(membership.muted_until).strftime("%Y-%m-%d %H:%M")},
            code="muted",
        )
    if membership.room.kind != Room.Kind.DIRECT:
        # Asked at every send, against today: the day a vetting record runs out, its holder
        # stops writing where children are, whatever their role.
        require_child_contact(
            resident=author, children=_children_of(membership.room), need=Participation.POST
        )
    return membership


def _send_rate_limit(author: Resident) -> None:
    is_new = author.date_joined > timezone.now() - timedelta(days=settings.MESSAGE_NEW_ACCOUNT_DAYS)
    rate = settings.MESSAGE_RATE_NEW_ACCOUNT if is_new else settings.MESSAGE_RATE
    wait = rate_limit_hit(scope="message_send", ident=str(author.pk), rate=rate)
    if wait is not None:
        raise RateLimited(
            _("You are sending messages very fast. Please wait %(seconds)d seconds.")
            % {"seconds": wait},
            retry_after=wait,
        )


def message_send(
    *,
    room_id: int,
    author: Resident,
    client_id: object,
    body: object,
    reply_to: object = None,
) -> tuple[Message, bool]:
    """Store a message with the room's next ``seq``, then broadcast it after the commit.

    Idempotent by ``client_id``: a second send with the same id from the same author stores
    nothing and returns the stored message with ``created`` False.  Refusals: ``NotFound`` (not
    a member), ``Forbidden`` (reader, muted, closed room; ``vetting_required`` for an adult
    without a current vetting record in a room with children), ``Invalid`` (bad body, client_id or
    reply_to), ``RateLimited``.
    """
    parsed_client_id = _parse_client_id(client_id)
    existing = _existing_send(author, parsed_client_id, room_id)
    if existing is not None:
        return existing, False
    clean_body = _clean_body(body)
    membership = _writable_membership(room_id, author)
    reply_seq = _parse_reply_to(reply_to, membership.room)
    _send_rate_limit(author)
    try:
        with transaction.atomic():
            room = Room.objects.select_for_update().get(pk=membership.room_id)
            room.last_seq += 1
            room.last_message_at = timezone.now()
            room.save(update_fields=["last_seq", "last_message_at"])
            message = Message.objects.create(
                room=room,
                seq=room.last_seq,
                author=author,
                client_id=parsed_client_id,
                body=clean_body,
                reply_to=reply_seq,
                created_at=room.last_message_at,
            )
            # The author has read what they wrote.
            RoomMember.objects.filter(pk=membership.pk).update(last_read_seq=room.last_seq)
            wire.broadcast_on_commit(message)
    except IntegrityError:
        # The same client_id raced in from another socket: answer with the stored one.
        existing = _existing_send(author, parsed_client_id, room_id)
        if existing is None:
            raise
        return existing, False
    return message, True


def _existing_send(author: Resident, client_id: uuid.UUID, room_id: int) -> Message | None:
    message = (
        Message.objects.select_related("author").filter(author=author, client_id=client_id).first()
    )
    if message is not None and str(message.room_id) != str(room_id):
        raise Invalid(_("This client_id was already used in another room."), code="invalid")
    return message


def _parse_reply_to(reply_to: object, room: Room) -> int | None:
    if reply_to is None:
        return None
    if (
        not isinstance(reply_to, int)
        or isinstance(reply_to, bool)
        or not 1 <= reply_to <= room.last_seq
    ):
        raise Invalid(_("reply_to must be the seq of a message in this room."), code="invalid")
    return reply_to


def _own_message(room_id: int, seq: object, author: Resident) -> Message:
    room_membership(room_id=room_id, resident=author)
    message = (
        Message.objects.select_related("author")
        .filter(room_id=room_id, seq=seq, author=author, removed_at__isnull=True)
        .first()
        if isinstance(seq, int)
        else None
    )
    if message is None:
        raise NotFound(_("No such message of yours."))
    return message


def message_edit(*, room_id: int, seq: object, author: Resident, body: object) -> Message:
    """The author edits their message; the old text is kept for moderators.  Broadcasts
    ``message_updated`` after the commit."""
    clean_body = _clean_body(body)
    _writable_membership(room_id, author)
    with transaction.atomic():
        message = _own_message(room_id, seq, author)
        MessageEdit.objects.create(message=message, body=message.body)
        message.body = clean_body
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "edited_at"])
        wire.broadcast_on_commit(message, frame_type="message_updated")
    return message


def message_delete(*, room_id: int, seq: object, author: Resident) -> Message:
    """The author removes their message (for everyone).  Broadcasts ``message_removed``."""
    with transaction.atomic():
        message = _own_message(room_id, seq, author)
        message.removed_at = timezone.now()
        message.removed_reason = Message.Removal.AUTHOR
        message.removal_final = True
        message.save(update_fields=["removed_at", "removed_reason", "removal_final"])
        # Nothing is left to moderate: open reports close as removed.
        MessageReport.objects.filter(message=message, resolved_at__isnull=True).update(
            resolved_at=message.removed_at, resolution=MessageReport.Resolution.REMOVED
        )
        wire.broadcast_on_commit(message)
    return message


def read_pointer_move(*, room_id: int, resident: Resident, seq: object) -> int:
    """Move the read pointer forward (never back) and tell all the resident's sockets the new
    unread count.  Returns that count."""
    membership = room_membership(room_id=room_id, resident=resident)
    last_seq = membership.room.last_seq
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise Invalid(_("seq must be a whole number."), code="invalid")
    if seq > last_seq:
        raise Invalid(_("There is no message with that seq yet."), code="invalid")
    with transaction.atomic():
        RoomMember.objects.filter(pk=membership.pk, last_read_seq__lt=seq).update(last_read_seq=seq)
        pointer = RoomMember.objects.values_list("last_read_seq", flat=True).get(pk=membership.pk)
        unread = max(last_seq - pointer, 0)
        resident_send_on_commit(
            resident.pk,
            {
                "type": "resident.frame",
                "text": wire.dumps({"type": "unread", "room": membership.room_id, "count": unread}),
            },
        )
    return unread


# --- Reports and moderation ---------------------------------------------------------------


def _clean_reason(reason: object) -> str:
    return text_clean(reason, multiline=True).strip() if isinstance(reason, str) else ""


def _report_handlers(room: Room) -> list[Resident]:
    """Who hears of a report: the room's moderators; for a direct room, city staff."""
    if room.kind == Room.Kind.DIRECT:
        return list(city_staff_list())
    moderators = RoomMember.objects.filter(room=room, role=RoomMember.Role.MODERATOR)
    return [member.resident for member in moderators.select_related("resident")]


def message_report(*, room_id: int, seq: object, reporter: Resident, reason: str) -> MessageReport:
    """A member reports a message to the room's moderators (who are notified)."""
    membership = room_membership(room_id=room_id, resident=reporter)
    reason = _clean_reason(reason)
    if not reason or len(reason) > 500:
        raise Invalid(_("Please say in at most 500 characters what is wrong."), code="invalid")
    message = (
        Message.objects.filter(room_id=membership.room_id, seq=seq).first()
        if isinstance(seq, int)
        else None
    )
    if message is None or message.is_removed:
        raise NotFound(_("No such message."))
    with transaction.atomic():
        report, created = MessageReport.objects.get_or_create(
            message=message, reporter=reporter, defaults={"reason": reason}
        )
        if created:
            direct = membership.room.kind == Room.Kind.DIRECT
            notification_send_many(
                recipients=_report_handlers(membership.room),
                kind=NOTIFY_REPORTED,
                title_template=(
                    gettext_lazy("A message in a direct conversation was reported.")
                    if direct
                    else gettext_lazy("A message in “%(room)s” was reported.")
                ),
                params={"room": membership.room.title},
                url="/me/messages/moderation/",
            )
    return report


def message_moderate(
    *, room_id: int, seq: object, moderator: Resident, action: str, reason: str
) -> Message:
    """Hide (reversible), restore, or remove (final) a message, or dismiss its reports.

    Recorded as a ``ModerationAction`` and resolves the message's open reports.  Members see
    ``message_removed`` (reason ``moderator``) or, on restore, ``message_updated``.
    """
    room = room_moderation(room_id=room_id, resident=moderator)
    reason = _clean_reason(reason)
    if not reason or len(reason) > 500:
        raise Invalid(_("Please give a reason (at most 500 characters)."), code="invalid")
    if action not in {"hide", "restore", "remove", "dismiss"}:
        raise Invalid(_("Unknown moderation action."), code="invalid")
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().filter(room_id=room.pk, seq=seq).first()
            if isinstance(seq, int)
            else None
        )
        if message is None:
            raise NotFound(_("No such message."))
        if message.removal_final and action != "dismiss":
            raise Invalid(_("This message has been removed for good."), code="invalid")
        now = timezone.now()
        resolution = ""
        if action in {"hide", "remove"}:
            message.removed_at = now
            message.removed_reason = Message.Removal.MODERATOR
            message.removal_final = action == "remove"
            resolution = (
                MessageReport.Resolution.HIDDEN
                if action == "hide"
                else MessageReport.Resolution.REMOVED
            )
        elif action == "restore":
            if message.removed_reason != Message.Removal.MODERATOR:
                raise Invalid(_("Only a hidden message can be restored."), code="invalid")
            message.removed_at = None
            message.removed_reason = ""
        else:
            resolution = MessageReport.Resolution.DISMISSED
        message.save(update_fields=["removed_at", "removed_reason", "removal_final"])
        if resolution:
            MessageReport.objects.filter(message=message, resolved_at__isnull=True).update(
                resolved_at=now, resolved_by=moderator, resolution=resolution
            )
        ModerationAction.objects.create(
            room_id=room.pk,
            moderator=moderator,
            action=action,
            message=message,
            reason=reason,
        )
        if room.kind == Room.Kind.DIRECT:
            # City staff acted in residents' direct conversation: audited as personal data access.
            audit_record(
                actor=moderator, action="room.moderated", target=message, detail={"action": action}
            )
        if action != "dismiss":
            wire.broadcast_on_commit(message, frame_type="message_updated")
    return message


def member_mute(
    *, room_id: int, moderator: Resident, resident_id: int, minutes: object, reason: str
) -> RoomMember:
    """Mute a member for some minutes (0 unmutes).  Recorded as a ``ModerationAction``."""
    room = room_moderation(room_id=room_id, resident=moderator)
    if (
        not isinstance(minutes, int)
        or isinstance(minutes, bool)
        or not 0 <= minutes <= 60 * 24 * 30
    ):
        raise Invalid(_("Mute for 0 to 43200 minutes (30 days)."), code="invalid")
    reason = _clean_reason(reason)
    if not reason or len(reason) > 500:
        raise Invalid(_("Please give a reason (at most 500 characters)."), code="invalid")
    target = RoomMember.objects.filter(room_id=room.pk, resident_id=resident_id).first()
    if target is None:
        raise NotFound(_("No such member."))
    if target.is_moderator:
        raise Invalid(_("Moderators cannot be muted."), code="invalid")
    until = timezone.now() + timedelta(minutes=minutes) if minutes else None
    with transaction.atomic():
        target.muted_until = until
        target.save(update_fields=["muted_until"])
        ModerationAction.objects.create(
            room_id=room.pk,
            moderator=moderator,
            action=ModerationAction.Action.MUTE if minutes else ModerationAction.Action.UNMUTE,
            member_id=target.resident_id,
            reason=reason,
            until=until,
        )
        audit_record(
            actor=moderator, action="room.member_muted", target=target, detail={"minutes": minutes}
        )
    return target
