"""The retention of children's program data: a set time after a program ends
(``settings.PROGRAM_CHILD_DATA_RETENTION_DAYS``, 365 days by default), its children's data is
deleted or anonymised — by ``manage.py communities_program_retention``, daily from cron.

A program is *due* when it ended, was cancelled, or its term is over (``ends_on``) — whichever
came first — more than the set number of days ago, and its children's data was not purged yet.
Purging one program (``program_child_data_purge``, one transaction per program) deletes:

- the children's reflections (those a guardian wrote for a child too);
- the children's attendance, first counted into ``ProgramSession.children_present`` so that
  the participation figures survive (``program_selectors.program_participation``);
- the session photos, with their files (after the commit) and every tag: a photo may still
  show a child whose guardian withdrew consent (withdrawing untags), so no photo of a program
  that had children is kept;
- the children's places (``ProgramChild``) and their guardians' consents;
- the children's membership of the program's room (their guardians stop reading it) and what
  they wrote there (``messaging.services.room_member_messages_erase``).

The seniors' and coordinators' data stays: the program, its sessions, volunteers, their
attendance and reflections.  A program still open is ended (a draft cancelled) with it, so no
child joins a program whose children's data is gone.  One audit entry per program,
``program.child_data_purged``, with counts only.  Nothing here takes an acting resident: only
the command calls it.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from campus_social.audit.services import audit_record
from campus_social.identity.models import Resident
from campus_social.search.services import index_later
from communities.models.programs import (
    Program,
    ProgramChild,
    ProgramConsent,
    ProgramSession,
    SessionAttendance,
    SessionPhoto,
    SessionReflection,
)
from communities.services.programs._common import _locked
from communities.values import ProgramStatus
from messaging import services as rooms
from messaging.selectors import room_messages_by


@dataclass(frozen=True)
class ChildDataCounts:
    """What a purge deleted (or, in a dry run, would delete) — numbers only."""

    children: int
    consents: int
    reflections: int
    attendance: int
    photos: int
    messages: int

    def as_detail(self) -> dict[str, int]:
        return asdict(self)


def retention_days() -> int:
    return int(settings.PROGRAM_CHILD_DATA_RETENTION_DAYS)


def programs_due_for_purge(*, today: date, days: int | None = None) -> list[int]:
    """The ids of the programs whose children's data is due to go on ``today``: ended,
    cancelled or past their term more than ``days`` (the setting) days ago, not purged yet."""
    cutoff = today - timedelta(days=retention_days() if days is None else days)
    closed_before = timezone.make_aware(datetime.combine(cutoff, time.min))
    return list(
        Program.objects.filter(child_data_purged_at__isnull=True)
        .filter(Q(ends_on__lt=cutoff) | Q(closed_at__lt=closed_before))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _child_ids(program: Program) -> set[int]:
    """Every child who took part or was consented for: places (left ones too) and consents."""
    return set(
        ProgramChild.objects.filter(program=program).values_list("child_id", flat=True)
    ) | set(ProgramConsent.objects.filter(program=program).values_list("child_id", flat=True))


def _photos(program: Program, children: set[int]) -> "list[SessionPhoto]":
    if not children:
        return []
    return list(SessionPhoto.objects.filter(session__program=program))


def program_child_data_preview(*, program_id: int) -> ChildDataCounts:
    """What ``program_child_data_purge`` would delete now (the command's ``--dry-run``)."""
    program = Program.objects.get(pk=program_id)
    children = _child_ids(program)
    return _counts(program, children, messages=_message_count(program, children))


def _message_count(program: Program, children: set[int]) -> int:
    if program.room_id is None or not children:
        return 0
    return room_messages_by(room_id=program.room_id, resident_ids=children)


def _counts(program: Program, children: set[int], *, messages: int) -> ChildDataCounts:
    return ChildDataCounts(
        children=len(children),
        consents=ProgramConsent.objects.filter(program=program).count(),
        reflections=SessionReflection.objects.filter(
            session__program=program, author_id__in=children
        ).count(),
        attendance=SessionAttendance.objects.filter(
            session__program=program, resident_id__in=children
        ).count(),
        photos=len(_photos(program, children)),
        messages=messages,
    )


def program_child_data_purge(
    *, program_id: int, now: datetime | None = None
) -> ChildDataCounts | None:
    """Delete or anonymise one program's children's data (see the module's docstring), in one
    transaction; the photo files go after the commit.  ``None`` when it was purged already
    (so running it again changes nothing)."""
    now = now or timezone.now()
    with transaction.atomic():
        program = _locked(program_id)
        if program.child_data_purged_at is not None:
            return None
        children = _child_ids(program)
        messages = 0
        if program.room is not None:
            for child in Resident.objects.filter(pk__in=children).order_by("pk"):
                rooms.room_member_remove(room=program.room, resident=child)
                messages += rooms.room_member_messages_erase(room=program.room, resident=child)
        counts = _counts(program, children, messages=messages)
        _count_children_present(program, children)
        SessionAttendance.objects.filter(
            session__program=program, resident_id__in=children
        ).delete()
        SessionReflection.objects.filter(session__program=program, author_id__in=children).delete()
        files = [photo.image.name for photo in _photos(program, children) if photo.image.name]
        if children:
            SessionPhoto.objects.filter(session__program=program).delete()  # tags cascade
        ProgramChild.objects.filter(program=program).delete()
        ProgramConsent.objects.filter(program=program).delete()
        fields = ["child_data_purged_at"]
        if program.is_open:
            program.status = (
                ProgramStatus.CANCELLED
                if program.status == ProgramStatus.DRAFT
                else ProgramStatus.ENDED
            )
            program.closed_at = now
            fields += ["status", "closed_at"]
        program.child_data_purged_at = now
        program.save(update_fields=fields)
        index_later("program", [program.pk])  # a draft cancelled here is found by adults now
        audit_record(
            actor=None,
            action="program.child_data_purged",
            target=program,
            detail=counts.as_detail(),
        )
        for name in files:
            transaction.on_commit(partial(default_storage.delete, name), robust=True)
    return counts


def _count_children_present(program: Program, children: set[int]) -> None:
    """Each session's children present, kept as a number before their rows go."""
    present = dict(
        SessionAttendance.objects.filter(
            session__program=program, resident_id__in=children, present=True
        )
        .values("session_id")
        .annotate(count=Count("pk"))
        .values_list("session_id", "count")
    )
    for session in ProgramSession.objects.filter(program=program):
        session.children_present = (session.children_present or 0) + present.get(session.pk, 0)
        session.save(update_fields=["children_present"])
