"""Helpers shared by the program services: the notification kind, refusals that are audited,
locking a program, and the program's room.  Private to the package; names no circle module.
"""

from typing import TYPE_CHECKING, NoReturn

from django.utils.translation import gettext as _

from campus_social.audit.services import audit_record
from campus_social.common.errors import Conflict, NotFound, ServiceError
from campus_social.identity.models import Resident
from communities.models.programs import Program, ProgramChild
from messaging import services as rooms
from messaging.selectors import room_member_ids
from messaging.values import Entry

if TYPE_CHECKING:
    from messaging.models import Room

NOTIFY_PROGRAMS = "communities.programs"


def _page(program: Program) -> str:
    """The program's page, where a notification about it leads."""
    return f"/programs/{program.pk}/"


def _refuse(
    error: ServiceError, *, actor: Resident, action: str, target: Program, **detail: object
) -> NoReturn:
    """Record a refusal the issue names (a child without consent, an unvetted volunteer, a
    guardian acting for a child not theirs, a photo of a child without photo consent) in the
    audit log, then raise it.  Called before anything is written, so the refusal stores nothing
    but its audit entry (which is written at once, outside any transaction of the service)."""
    audit_record(
        actor=actor,
        action=action,
        target=target,
        detail={"code": error.code, **detail},
    )
    raise error


def _locked(program_id: int) -> Program:
    """The program's row, locked for the rest of the transaction (joins and answers queue)."""
    program = Program.objects.select_for_update().filter(pk=program_id).first()
    if program is None:
        raise NotFound(_("No such program."))
    return program


def _open(program: Program) -> None:
    if not program.is_open:
        raise Conflict(_("This program has ended or was cancelled."), code="program_closed")


def _room_key(program_id: int) -> str:
    return f"program:{program_id}"


def _room_of(program: Program) -> "Room":
    """The program's room, made with the program (``program_create``)."""
    if program.room is None:
        raise RuntimeError(f"program {program.pk} has no chat room")
    return program.room


def _room_attach(program: Program) -> "Room":
    room = rooms.room_create(kind="program", subject_key=_room_key(program.pk), title=program.title)
    program.room = room
    program.save(update_fields=["room"])
    return room


def _room_seat_coordinator(program: Program, resident: Resident) -> None:
    """A coordinator moderates the room; where children wait for a vetted moderator, a vetted
    coordinator's joining lets them in (messaging answers ``AWAITS_MODERATOR`` until then)."""
    room = _room_of(program)
    rooms.room_member_add(room=room, resident=resident, role="moderator")
    _room_admit_waiting_children(program, room)


def _room_admit_waiting_children(program: Program, room: "Room") -> None:
    """The program's children not yet in its room come in, if it now has a vetted adult
    moderator (two queries when nobody waits)."""
    in_room = room_member_ids(room_id=room.pk)
    waiting = ProgramChild.objects.filter(program=program, left_at__isnull=True).exclude(
        child_id__in=in_room
    )
    for place in waiting.select_related("child"):
        if rooms.room_member_add(room=room, resident=place.child) != Entry.JOINED:
            return  # still no vetted moderator: the rest wait too
