"""The check-in handlers the apps register.  The core imports no app: an app hands its handler
in from its ``AppConfig.ready()``, which runs before any request is served."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from campus_social.identity.models import ReaderDevice, Resident


@dataclass(frozen=True)
class CheckIn:
    """What a tap recorded, as the reader is told it: the kind of session, its id, the ids a
    kind adds (courses: ``{"offering": …}``) and whom to greet — nothing else about anyone."""

    kind: str
    session_id: int
    resident: "Resident"
    extra_ids: dict[str, int] = field(default_factory=dict)


class CheckInHandler(Protocol):
    """One kind of session that a card tap can check into.

    ``kind`` names it in answers (``"offering"``).  ``sessions_running`` answers the sessions of
    this kind under way (or about to start) at the reader's venue now — opaque objects the
    handler alone reads; ``takes_part`` says whether the card holder is in one; ``record`` writes
    the attendance (tapping twice records it once) and answers the ``CheckIn``.
    """

    kind: str

    def sessions_running(self, *, reader: "ReaderDevice", now: datetime) -> Sequence[object]: ...

    def takes_part(self, *, session: object, resident: "Resident") -> bool: ...

    def record(self, *, session: object, resident: "Resident") -> CheckIn: ...


_handlers: dict[str, CheckInHandler] = {}


def checkin_handler_register(handler: CheckInHandler) -> None:
    """Register ``handler`` under its ``kind``.  Registering a kind twice replaces the first (an
    app's ``ready()`` may run again under test runners); handlers are asked in the order their
    kinds were first registered."""
    _handlers[handler.kind] = handler


def checkin_handler_unregister(kind: str) -> None:
    """Take a kind out (for tests that register a handler of their own)."""
    _handlers.pop(kind, None)


def checkin_handlers() -> list[CheckInHandler]:
    return list(_handlers.values())
