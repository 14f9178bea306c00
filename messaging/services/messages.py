"""What residents do in a room: send, edit and delete their messages, move their read pointer,
report a message, and — as its moderators — moderate messages and mute members.

Every verb here takes the acting resident and checks them against the room (membership, role,
mute, closed room, safeguarding) before it writes; anyone may call it on a resident's behalf (the
REST views, the websocket consumer, the pages).  Stored first, broadcast after the commit.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.audit.services import audit_record
from campus_social.common.errors import Invalid, NotFound, RateLimited
from campus_social.common.ratelimit import rate_limit_hit
from campus_social.common.realtime import resident_send_on_commit
from campus_social.common.text import text_clean
from campus_social.identity.models import Resident
from campus_social.identity.selectors import city_staff_list
from campus_social.notifications.services import notification_send_many
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
from messaging.selectors import room_membership, room_moderation, send_refusal

NOTIFY_REPORTED = "messaging.message_reported"

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
    refusal = send_refusal(membership=membership)
    if refusal is not None:
        raise refusal
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
