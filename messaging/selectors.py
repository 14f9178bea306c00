"""Reads of rooms and messages, each checked against the acting resident."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from campus_social.common.errors import Forbidden, NotFound
from campus_social.common.ids import is_id
from campus_social.identity.models import Resident
from campus_social.identity.selectors import child_q, resident_is_city_staff
from campus_social.safeguarding.selectors import Participation, require_child_contact
from messaging.models import Message, MessageEdit, MessageReport, ModerationAction, Room, RoomMember

CATCH_UP_LIMIT = 500


def room_membership(*, room_id: int, resident: Resident) -> RoomMember:
    """The resident's membership of a room, with the room; ``NotFound`` for outsiders, so that
    nobody learns which rooms exist."""
    membership = (
        RoomMember.objects.select_related("room").filter(room_id=room_id, resident=resident).first()
        if is_id(room_id)
        else None
    )
    if membership is None:
        raise NotFound(_("No such room."))
    membership.resident = resident  # the one asking: no second read of them
    return membership


def room_children(*, room: Room) -> list[Resident]:
    """The room's children, asked of the database by birth date (one query that loads only
    them): the safeguarding rule is asked about them at every join of a moderator and every
    message."""
    return list(Resident.objects.filter(child_q(), room_memberships__room=room))


def send_refusal(*, membership: RoomMember) -> Forbidden | None:
    """Why this member may not send in the room now, or ``None`` when they may: the one answer
    for ``message_send`` / ``message_edit`` and for the pages that offer the message box."""
    room = membership.room
    if not membership.can_write:
        return Forbidden(_("You can read this room but not write in it."))
    if room.closed_at is not None:
        return Forbidden(_("This room is closed."))
    if membership.muted_until and membership.muted_until > timezone.now():
        return Forbidden(
            _("A moderator has muted you in this room until %(until)s.")
            % {"until": timezone.localtime(membership.muted_until).strftime("%Y-%m-%d %H:%M")},
            code="muted",
        )
    if room.kind != Room.Kind.DIRECT:
        # Asked at every send, against today: the day a vetting record runs out, its holder
        # stops writing where children are, whatever their role.
        try:
            require_child_contact(
                resident=membership.resident,
                children=room_children(room=room),
                need=Participation.POST,
            )
        except Forbidden as refusal:
            return refusal
    return None


def room_moderation(*, room_id: int, resident: Resident) -> Room:
    """The room, when the resident may moderate it: its moderators, and city staff for direct
    rooms (which have no moderator of their own).  Everyone else gets ``NotFound``."""
    membership = (
        RoomMember.objects.select_related("room").filter(room_id=room_id, resident=resident).first()
        if is_id(room_id)
        else None
    )
    if membership is not None and membership.is_moderator:
        return membership.room
    direct = (
        Room.objects.filter(pk=room_id, kind=Room.Kind.DIRECT).first() if is_id(room_id) else None
    )
    if direct is not None and resident_is_city_staff(resident):
        return direct
    raise NotFound(_("No such room."))


def room_list_for_resident(*, resident: Resident) -> QuerySet[RoomMember]:
    """The resident's rooms with ``unread`` (messages after the read pointer), the room with
    the newest message first.

    One query however many rooms: the count is the difference of two numbers on the rows.
    """
    return (
        RoomMember.objects.filter(resident=resident)
        .select_related("room")
        .annotate(unread=F("room__last_seq") - F("last_read_seq"))
        .order_by(F("room__last_message_at").desc(nulls_last=True), "room_id")
    )


def unread_count(membership: RoomMember) -> int:
    return max(membership.room.last_seq - membership.last_read_seq, 0)


def message_list(
    *, room: Room, after: int | None = None, before: int | None = None, limit: int = 50
) -> list[Message]:
    """Messages of a room in seq order: after a seq, before a seq (the newest ``limit`` of those),
    or the newest ``limit``."""
    messages = Message.objects.filter(room=room).select_related("author")
    if after is not None:
        return list(messages.filter(seq__gt=after).order_by("seq")[:limit])
    if before is not None:
        messages = messages.filter(seq__lt=before)
    newest = list(messages.order_by("-seq")[:limit])
    newest.reverse()
    return newest


@dataclass(frozen=True)
class CatchUp:
    messages: list[Message]
    gap: tuple[int, int] | None  # (from_seq, to_seq) the client must fetch through REST
    last_seq: int
    unread: int


def room_catch_up(*, membership: RoomMember, after: int | None) -> CatchUp:
    """What a subscribing socket is sent: every message after ``after`` (at most 500, the
    newest; older ones are named as a gap)."""
    room = Room.objects.only("last_seq").get(pk=membership.room_id)
    start = 0 if after is None else after
    gap = None
    if room.last_seq - start > CATCH_UP_LIMIT:
        gap = (start + 1, room.last_seq - CATCH_UP_LIMIT)
        start = room.last_seq - CATCH_UP_LIMIT
    messages = list(
        Message.objects.filter(room_id=membership.room_id, seq__gt=start, seq__lte=room.last_seq)
        .select_related("author")
        .order_by("seq")
    )
    unread = max(room.last_seq - membership.last_read_seq, 0)
    return CatchUp(messages=messages, gap=gap, last_seq=room.last_seq, unread=unread)


def message_history(*, room_id: int, seq: int, moderator: Resident) -> list[MessageEdit]:
    room_moderation(room_id=room_id, resident=moderator)
    if not Message.objects.filter(room_id=room_id, seq=seq).exists():
        raise NotFound(_("No such message."))
    return list(MessageEdit.objects.filter(message__room_id=room_id, message__seq=seq))


def report_queue(*, moderator: Resident) -> QuerySet[MessageReport]:
    """Open reports in the rooms the resident moderates (and, for city staff, in direct rooms),
    oldest first."""
    moderated = Q(
        message__room__members__resident=moderator,
        message__room__members__role=RoomMember.Role.MODERATOR,
    )
    if resident_is_city_staff(moderator):
        moderated |= Q(message__room__kind=Room.Kind.DIRECT)
    return (
        MessageReport.objects.filter(moderated, resolved_at__isnull=True)
        .distinct()
        .select_related("message", "message__author", "message__room")
        .order_by("created_at", "id")
    )


def moderation_log(*, room_id: int, moderator: Resident) -> QuerySet[ModerationAction]:
    room_moderation(room_id=room_id, resident=moderator)
    return ModerationAction.objects.filter(room_id=room_id).select_related("message")


def room_member_ids(*, room_id: int) -> set[int]:
    """Who is in a room, as resident ids: for the app that owns the room's subject, which keeps
    the room's membership in step with its own (it finds a child still waiting to come in)."""
    return set(RoomMember.objects.filter(room_id=room_id).values_list("resident_id", flat=True))


def room_subscribable_ids(*, resident: Resident) -> set[int]:
    return set(RoomMember.objects.filter(resident=resident).values_list("room_id", flat=True))


def room_titles(*, resident: Resident, rooms: Iterable[Room]) -> dict[int, str]:
    """What to call each room for this resident: its title, or for a direct room the other
    person's display name (a child's given name only).  One query for all the direct rooms."""
    rooms = list(rooms)
    titles = {room.pk: room.title or str(room.get_kind_display()) for room in rooms}
    direct_ids = [room.pk for room in rooms if room.kind == Room.Kind.DIRECT]
    if direct_ids:
        others: dict[int, list[str]] = {}
        partners = (
            RoomMember.objects.filter(room_id__in=direct_ids)
            .exclude(resident=resident)
            .select_related("resident")
            .order_by("room_id", "resident_id")
        )
        for member in partners:
            others.setdefault(member.room_id, []).append(member.resident.display_name)
        for room_id, names in others.items():
            titles[room_id] = "、".join(names)
    return titles


def message_frames_between(*, room_id: int, after: int, before: int) -> list[Message]:
    """Messages with ``after < seq < before``, in order: a socket fills a gap with them when a
    broadcast overtook an earlier one (they race when several processes send) or a full channel
    dropped one.  They are committed already: seqs are taken in turn under the room's lock."""
    return list(
        Message.objects.filter(room_id=room_id, seq__gt=after, seq__lt=before)
        .select_related("author")
        .order_by("seq")
    )


def messages_sent(*, room_id: Any, after: Any, until: Any) -> QuerySet[Message]:
    """Messages of a room written in ``[after, until]`` and not removed; the arguments may be
    expressions (``OuterRef``), so an owning app can ask "did this room talk then?" inside its
    own query."""
    return Message.objects.filter(
        room_id=room_id, created_at__gte=after, created_at__lte=until, removed_at__isnull=True
    )


def room_messages_by(*, room_id: int, resident_ids: Iterable[int]) -> int:
    """How many messages these residents wrote in the room (removed ones too): what
    ``room_member_messages_erase`` would erase, for an owning app's dry run."""
    return Message.objects.filter(room_id=room_id, author_id__in=list(resident_ids)).count()
