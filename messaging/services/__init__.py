"""Writes to rooms and messages, on two sides kept apart (``docs/conventions.md``):

- ``rooms.py`` — the owning app's trusted verbs: ``room_create``, ``room_rekey``,
  ``room_member_add`` (answers an ``Entry``), ``room_member_remove``,
  ``room_member_messages_erase``, ``room_rename``, ``room_close``.  Only the app that owns a room's subject (a circle, a program) calls them;
  they check no acting resident.
- ``messages.py`` and ``direct.py`` — the verbs a resident acts through, each checking that
  resident: sending, editing, deleting, the read pointer, reporting, moderating, muting, and
  opening a direct room.

Callers write ``from messaging import services``; ``_common.py`` is private to the package.
"""

from messaging.services.direct import direct_room_open
from messaging.services.messages import (
    NOTIFY_REPORTED,
    member_mute,
    message_delete,
    message_edit,
    message_moderate,
    message_report,
    message_send,
    read_pointer_move,
)
from messaging.services.rooms import (
    room_close,
    room_create,
    room_member_add,
    room_member_messages_erase,
    room_member_remove,
    room_rekey,
    room_rename,
)
from messaging.values import Entry

__all__ = [
    "NOTIFY_REPORTED",
    "Entry",
    "direct_room_open",
    "member_mute",
    "message_delete",
    "message_edit",
    "message_moderate",
    "message_report",
    "message_send",
    "read_pointer_move",
    "room_close",
    "room_create",
    "room_member_add",
    "room_member_messages_erase",
    "room_member_remove",
    "room_rekey",
    "room_rename",
]
