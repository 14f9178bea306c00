"""Issue #10 §4: one room per cohort.

Until now a published offering had a chat room of its own (``"offering:<id>"``, made by
``courses`` at publishing, its seated learners in it) beside its cohort circle's room
(``"circle:<id>"``), and residents found the same course twice among their messages.  From now
on the circle's room is the cohort's one chat.  For every circle born from an offering that has
such a room, the offering's room is merged into the circle's, losing nothing:

- messages: those of both rooms, in the order they were written (on a tie, the older room's
  first, then by seq), numbered 1..N in the circle's room; a reply points at the new number of
  the message it answered; edits and reports stay with their message; the moderation log moves
  with the room;
- members: the circle decides who is in its room and with what role, as its services do — a
  resident active in the circle gets the role their standing gives (organiser or moderator:
  ``moderator``; member: ``member``); one who left the circle or was banned from it is not
  brought back by the offering's room; a guardian reading along for a child comes over while a
  child of theirs is in the merged room; anyone else keeps the higher of their roles (moderator
  over member over reader).  A read pointer becomes the new number of the newest message its
  owner had read in either room; a mute lasts until the later of the two;
- the room's ``last_seq`` and ``last_message_at`` are counted again, and the offering's room is
  deleted.

A circle without a room of its own takes the offering's room as it is (re-keyed
``"circle:<id>"``, of kind ``circle``, named after the circle).  Every other circle without a
room gets one (before, a room was made only when someone joined).  An offering room with no
circle (its making was lost) is left as it is and counted: ``manage.py circles_sync_cohorts``
makes the circle, which adopts the room (``messaging.services.room_rekey``).

Going back changes nothing: the merged rooms cannot be told apart again, and the code before
this migration reads a circle's room the same way (it would make a new, empty offering room).
"""

from itertools import accumulate
from typing import Any

from django.db import migrations
from django.db.models import F

ROLE_RANK = {"reader": 0, "member": 1, "moderator": 2}
# As ``communities.services._common.ROOM_ROLE``, frozen for this migration.
ROOM_ROLE = {"organiser": "moderator", "moderator": "moderator", "member": "member"}
GONE = ("left", "banned")


def _circle_key(circle_id: int) -> str:
    return f"circle:{circle_id}"


def one_room_per_cohort(apps: Any, schema_editor: Any) -> None:
    circle_model = apps.get_model("communities", "Circle")
    room_model = apps.get_model("messaging", "Room")
    for circle in circle_model.objects.filter(offering_id__isnull=False).order_by("pk"):
        offering_room = room_model.objects.filter(
            subject_key=f"offering:{circle.offering_id}"
        ).first()
        if offering_room is None:
            continue
        if circle.room_id is None:
            offering_room.subject_key = _circle_key(circle.pk)
            offering_room.kind = "circle"
            offering_room.title = circle.name
            if circle.closed_at is not None and offering_room.closed_at is None:
                offering_room.closed_at = circle.closed_at
            offering_room.save(update_fields=["subject_key", "kind", "title", "closed_at"])
            circle.room = offering_room
            circle.save(update_fields=["room"])
        else:
            merge_rooms(apps, circle=circle, target=circle.room, source=offering_room)
    for circle in circle_model.objects.filter(room__isnull=True).order_by("pk"):
        room, _created = room_model.objects.get_or_create(
            subject_key=_circle_key(circle.pk),
            defaults={"kind": "circle", "title": circle.name, "closed_at": circle.closed_at},
        )
        circle.room = room
        circle.save(update_fields=["room"])
    left = room_model.objects.filter(subject_key__startswith="offering:").count()
    if left:
        print(
            f"\n  {left} offering room(s) without a cohort circle were left as they are; "
            "manage.py circles_sync_cohorts makes their circles, which adopt them."
        )


def merge_rooms(apps: Any, *, circle: Any, target: Any, source: Any) -> None:
    """Merge ``source`` (the offering's room) into ``target`` (the circle's room)."""
    message_model = apps.get_model("messaging", "Message")
    read_maps = _merge_messages(message_model, target=target, source=source)
    _merge_members(apps, circle=circle, target=target, source=source, read_maps=read_maps)
    apps.get_model("messaging", "ModerationAction").objects.filter(room=source).update(
        room=target
    )
    newest = message_model.objects.filter(room=target).order_by("-seq").first()
    target.last_seq = newest.seq if newest is not None else 0
    target.last_message_at = newest.created_at if newest is not None else None
    target.save(update_fields=["last_seq", "last_message_at"])
    source.delete()


def _merge_messages(message_model: Any, *, target: Any, source: Any) -> dict[int, list[int]]:
    """Renumber the messages of both rooms 1..N in ``target``.  Answers, per old room, what an
    old read pointer becomes: at index ``k``, the new seq of the newest message among those
    numbered 1..k there (0 if none)."""
    rank = {room.pk: index for index, room in enumerate(sorted([target, source], key=_pk))}
    messages = list(
        message_model.objects.filter(room_id__in=[target.pk, source.pk]).only(
            "pk", "room_id", "seq", "reply_to", "created_at"
        )
    )
    messages.sort(key=lambda m: (m.created_at, rank[m.room_id], m.seq))
    top = max([m.seq for m in messages] + [target.last_seq, source.last_seq])
    new_seq: dict[int, list[int]] = {room.pk: [0] * (top + 1) for room in (target, source)}
    for number, message in enumerate(messages, start=1):
        new_seq[message.room_id][message.seq] = number
    # (room, seq) is unique at every row: first move every message past any number in use,
    # then give each its new one (1..N, below all the moved ones).
    out_of_the_way = top + len(messages) + 1
    message_model.objects.filter(room=target).update(seq=F("seq") + out_of_the_way)
    message_model.objects.filter(room=source).update(
        room=target, seq=F("seq") + 2 * out_of_the_way
    )
    for message in messages:
        old = new_seq[message.room_id]
        if message.reply_to is not None:
            message.reply_to = (old[message.reply_to] if message.reply_to <= top else 0) or None
        message.seq = old[message.seq]
        message.room_id = target.pk
    message_model.objects.bulk_update(messages, ["room", "seq", "reply_to"], batch_size=500)
    return {room_id: list(accumulate(numbers, max)) for room_id, numbers in new_seq.items()}


def _read_up_to(read_map: list[int], last_read_seq: int) -> int:
    """The new seq of the newest message at or before an old read pointer."""
    return read_map[max(min(last_read_seq, len(read_map) - 1), 0)]


def _merge_members(
    apps: Any, *, circle: Any, target: Any, source: Any, read_maps: dict[int, list[int]]
) -> None:
    member_model = apps.get_model("messaging", "RoomMember")
    standings = {
        row.resident_id: row
        for row in apps.get_model("communities", "CircleMember").objects.filter(circle=circle)
    }
    rows: dict[int, dict[int, Any]] = {}
    for row in member_model.objects.filter(room_id__in=[target.pk, source.pk]):
        rows.setdefault(row.resident_id, {})[row.room_id] = row
    # Who ends up in the room (not readers first: a reader needs a child of theirs in it).
    kept: dict[int, str] = {}
    readers: list[int] = []
    for resident_id, by_room in rows.items():
        standing = standings.get(resident_id)
        best = max((row.role for row in by_room.values()), key=ROLE_RANK.__getitem__)
        if standing is not None and standing.status == "active":
            kept[resident_id] = ROOM_ROLE[standing.role]
        elif target.pk in by_room:
            # Already in the circle's room as the circle wants (a guardian reading along).
            kept[resident_id] = by_room[target.pk].role
        elif standing is not None and standing.status in GONE:
            continue  # left or banned: the offering's room does not bring them back
        elif best == "reader":
            readers.append(resident_id)
        else:
            kept[resident_id] = best
    children = set(
        apps.get_model("identity", "GuardianLink")
        .objects.filter(guardian_id__in=readers, child_id__in=list(kept))
        .values_list("guardian_id", flat=True)
    )
    kept.update({guardian_id: "reader" for guardian_id in readers if guardian_id in children})

    for resident_id, by_room in rows.items():
        if resident_id not in kept:
            continue  # deleted with the offering's room
        survivor = by_room.get(target.pk) or by_room[source.pk]
        survivor.role = kept[resident_id]
        survivor.last_read_seq = max(
            _read_up_to(read_maps[room_id], row.last_read_seq) for room_id, row in by_room.items()
        )
        mutes = [row.muted_until for row in by_room.values() if row.muted_until is not None]
        survivor.muted_until = max(mutes) if mutes else None
        survivor.joined_at = min(row.joined_at for row in by_room.values())
        # A row only in the offering's room moves; the other rows there go with that room.
        survivor.room_id = target.pk
        survivor.save(update_fields=["room", "role", "last_read_seq", "muted_until", "joined_at"])


def _pk(room: Any) -> int:
    return int(room.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0002_unvetted_adults_step_out_of_circles_for_children"),
        ("courses", "0003_remove_vettingrecord"),
        ("identity", "0001_initial"),
        ("messaging", "0002_room_last_message_at"),
    ]

    operations = [migrations.RunPython(one_room_per_cohort, migrations.RunPython.noop)]
