"""Attendance (the roster and the card tap at the venue) and completion."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from campus_social.common.errors import Conflict, Forbidden, NotFound
from campus_social.identity.models import ReaderDevice, Resident
from campus_social.identity.selectors import card_holder
from campus_social.search.services import index_later
from courses import events
from courses.models import Attendance, Completion, Enrolment, Offering, Session
from courses.selectors import (
    offering_get_for_manager,
    session_attendance_open,
    session_resident_enrolled,
    session_running_for_reader,
)


def attendance_set(*, actor: Resident, session_id: int, resident_id: int, present: bool) -> bool:
    """The lecturer marks someone present (or not) on the roster."""
    session = Session.objects.select_related("offering").filter(pk=session_id).first()
    if session is None:
        raise NotFound(pgettext("course", "No such session."))
    offering_get_for_manager(offering_id=session.offering_id, actor=actor)
    if not session.offering.enrolments.filter(
        resident_id=resident_id, status=Enrolment.Status.ENROLLED
    ).exists():
        raise NotFound(_("This resident is not enrolled."))
    if session.cancelled_at is not None:
        raise Conflict(_("This session is cancelled."))
    if not session_attendance_open(session=session):
        # Nobody can have come to a session that has not begun; a tick now would count
        # towards completion for a morning that has not happened.
        raise Conflict(
            _(
                "This session has not started yet. Attendance can be taken from 30 minutes "
                "before it starts."
            ),
            code="not_started",
        )
    if present:
        Attendance.objects.get_or_create(
            session=session,
            resident_id=resident_id,
            defaults={"method": Attendance.Method.ROSTER, "recorded_by": actor},
        )
    else:
        Attendance.objects.filter(session=session, resident_id=resident_id).delete()
    return present


def attendance_by_card(*, reader: ReaderDevice, card_id: str) -> Attendance:
    """A card tap at the venue checks the resident in to the course session running there.  The
    reader's route asks ``campus_social.checkin.services.card_check_in``, which asks every kind
    of session (courses' through ``courses.checkin.CourseCheckIn``); this is the course-only
    path, with the same refusals."""
    resident = card_holder(card_id=card_id)
    if resident is None:
        raise NotFound(_("This card is not registered or is locked."), code="unknown_card")
    sessions = list(session_running_for_reader(reader_id=reader.pk))
    if not sessions:
        raise Conflict(_("No session is running here now."), code="no_session")
    for session in sessions:
        if session_resident_enrolled(session=session, resident=resident):
            return attendance_record_card(session=session, resident=resident)
    raise Forbidden(
        _("This resident is not enrolled in the session running here."), code="not_enrolled"
    )


def attendance_record_card(*, session: Session, resident: Resident) -> Attendance:
    """Record a card tap for an enrolled resident (trusted: the caller found the session running
    at the reader and checked the enrolment).  Tapping twice records it once."""
    attendance, _created = Attendance.objects.get_or_create(
        session=session, resident=resident, defaults={"method": Attendance.Method.CARD}
    )
    return attendance


def offering_record_completions(
    *, offering_id: int, actor: Resident | None = None, now: datetime | None = None
) -> list[Completion]:
    """Once the last session has ended, mark who completed: attended at least the offering's
    percentage of the sessions held.  Sends ``offering_completed`` after the commit.  Running it
    again changes nothing."""
    now = now or timezone.now()
    if actor is not None:  # a lecturer pressing the button; the daily command passes none
        offering_get_for_manager(offering_id=offering_id, actor=actor)
    with transaction.atomic():
        offering = Offering.objects.select_for_update().filter(pk=offering_id).first()
        if offering is None:
            raise NotFound(_("No such offering."))
        if offering.completions_recorded_at is not None:
            return list(offering.completions.all())
        if offering.status != Offering.Status.PUBLISHED or not offering.has_ended(now):
            raise Conflict(_("The offering has not ended yet."), code="not_ended")
        held = list(
            offering.sessions.filter(cancelled_at__isnull=True).values_list("pk", flat=True)
        )
        attended: dict[int, int] = {}
        for resident_id in Attendance.objects.filter(session_id__in=held).values_list(
            "resident_id", flat=True
        ):
            attended[resident_id] = attended.get(resident_id, 0) + 1
        completions = [
            Completion(
                offering=offering,
                resident_id=resident_id,
                sessions_attended=attended.get(resident_id, 0),
                sessions_held=len(held),
                completed_at=now,
            )
            for resident_id in offering.enrolments.filter(
                status=Enrolment.Status.ENROLLED
            ).values_list("resident_id", flat=True)
            if held
            and attended.get(resident_id, 0) * 100 >= offering.completion_percent * len(held)
        ]
        Completion.objects.bulk_create(completions)
        offering.completions_recorded_at = now
        offering.save(update_fields=["completions_recorded_at"])
        # It has ended: out of search (the daily ``search_reindex`` catches any not recorded).
        index_later("offering", [offering.pk])
        resident_ids = [c.resident_id for c in completions]
        transaction.on_commit(
            lambda: events.offering_completed.send(
                sender=Offering, offering_id=offering.pk, resident_ids=resident_ids
            ),
            robust=True,
        )
    return completions


def completions_record_due(*, now: datetime | None = None) -> Iterable[int]:
    """The ids of ended offerings whose completions are not yet recorded (for the command)."""
    now = now or timezone.now()
    return Offering.objects.filter(
        Offering.ended_q(now),
        status=Offering.Status.PUBLISHED,
        completions_recorded_at__isnull=True,
    ).values_list("pk", flat=True)
