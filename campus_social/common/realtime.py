"""Pushing events to a resident's open websockets, from any app, after the commit.

Every socket of a signed-in resident joins that resident's group (``resident_group``).  Events
sent there carry a ``type`` that the consumer in ``messaging`` handles: ``notification.created``
(forwarded as a protocol ``notification`` frame), ``session.ended`` (close the socket of that
session), ``resident.deactivated`` (close every socket).  The channel layer is only a fast path:
what matters is stored first, and a lost event costs a refresh, never data.
"""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def resident_group(resident_id: int) -> str:
    return f"resident.{resident_id}"


def group_send_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``group`` once the current transaction commits (at once outside one).

    A channel layer that is down is logged and skipped: the database already holds the truth.
    """

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, event)
        except Exception:
            logger.warning("channel layer unavailable; %s not sent to %s", event["type"], group)

    transaction.on_commit(send)


def resident_send_on_commit(resident_id: int, event: dict[str, Any]) -> None:
    group_send_on_commit(resident_group(resident_id), event)
