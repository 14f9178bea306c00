"""Protocol v1 frames (``docs/protocol.md``) built from rows, and the room groups.

Each broadcast is serialised here once, to JSON text, and every socket in the room sends that
same text: no per-recipient serialisation or copying.
"""

import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from campus_social.common.realtime import group_send_on_commit
from messaging.models import Message


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def message_frame(message: Message, *, frame_type: str = "message") -> dict[str, Any]:
    """A ``message`` (or ``message_updated``) frame.  ``author`` must be loaded."""
    if message.is_removed:
        return removed_frame(message)
    author = message.author
    return {
        "type": frame_type,
        "room": message.room_id,
        "seq": message.seq,
        "id": message.pk,
        "client_id": str(message.client_id) if message.client_id else None,
        "author": (
            {"id": author.pk, "display_name": author.display_name} if author is not None else None
        ),
        "body": message.body,
        "reply_to": message.reply_to,
        "created_at": _utc(message.created_at),
        "edited_at": _utc(message.edited_at) if message.edited_at else None,
    }


def removed_frame(message: Message) -> dict[str, Any]:
    return {
        "type": "message_removed",
        "room": message.room_id,
        "seq": message.seq,
        "reason": message.removed_reason,
    }


def dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def broadcast_on_commit(message: Message, *, frame_type: str = "message") -> None:
    """After the commit, send the message's frame to every socket subscribed to its room."""
    frame = message_frame(message, frame_type=frame_type)
    group_send_on_commit(
        room_group(message.room_id),
        {
            "type": "room.event",
            "room": message.room_id,
            # Only new messages carry a seq to de-duplicate on; edits and removals always pass.
            "seq": message.seq if frame["type"] == "message" else None,
            "text": dumps(frame),
        },
    )
