"""A program itself: a school's coordinator creates it, edits it, publishes, ends or cancels
it, and adds or cancels its sessions."""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from campus_social.audit.services import audit_record
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.common.ids import is_id
from campus_social.identity.models import (
    District,
    Organisation,
    OrganisationRole,
    ReaderDevice,
    Resident,
)
from campus_social.identity.selectors import resident_is_city_staff, resident_is_school_coordinator
from campus_social.search.readings import reading_missing
from campus_social.search.services import index_later
from communities.models.programs import Program, ProgramSession
from communities.program_selectors import program_get_managed
from communities.services.programs._common import (
    _locked,
    _open,
    _room_attach,
    _room_of,
    _room_seat_coordinator,
)
from communities.text_checks import fail, text
from communities.values import GRADE_HIGHEST, GRADE_LOWEST, ProgramStatus, Topic
from messaging import services as rooms

_TEXTS = {
    "title": (200, True, False),
    "title_kana": (400, True, False),
    "description": (5000, True, True),
    "venue": (200, True, False),
}


def _whole(errors: dict[str, list[str]], field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.setdefault(field, []).append(
            _("Please enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
        return low
    return value


def _day(errors: dict[str, list[str]], field: str, value: object) -> date | None:
    day = (
        value if isinstance(value, date) else parse_date(value) if isinstance(value, str) else None
    )
    if day is None:
        errors.setdefault(field, []).append(_("Please enter a date."))
    return day


def _clean_program(
    values: dict[str, Any], *, current: Program | None, school: Organisation
) -> dict[str, Any]:
    """The program's fields checked (all of them on creation, those sent on an update).  The
    card reader (``reader_id``, optional; ``None`` takes it away) must be an active reader of
    the school: volunteers tap their cards there (``program_checkin``)."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    partial = current is not None
    for name, (limit, required, multiline) in _TEXTS.items():
        if name in values or not partial:
            clean[name] = text(
                errors, name, values.get(name), limit=limit, required=required, multiline=multiline
            )
    if "title_kana" in clean:
        reading_missing(errors, "title_kana", values.get("title_kana"), reads=values.get("title"))
    if "theme" in values or not partial:
        if values.get("theme") not in Topic.values:
            errors["theme"] = [_("Please choose a theme.")]
        else:
            clean["theme"] = values["theme"]
    for name in ("grade_min", "grade_max"):
        if name in values or not partial:
            clean[name] = _whole(errors, name, values.get(name), GRADE_LOWEST, GRADE_HIGHEST)
    for name in ("seniors_needed", "children_needed"):
        if name in values or not partial:
            clean[name] = _whole(errors, name, values.get(name), 1, 200)
    for name in ("starts_on", "ends_on"):
        if name in values or not partial:
            clean[name] = _day(errors, name, values.get(name))
    if "district_id" in values or not partial:
        district_id = values.get("district_id")
        district = (
            District.objects.filter(pk=district_id).first()
            if isinstance(district_id, int) and not isinstance(district_id, bool)
            else None
        )
        if district is None:
            errors["district_id"] = [_("Please choose a district.")]
        clean["district"] = district
    if "reader_id" in values:
        reader_id = values["reader_id"]
        reader = (
            ReaderDevice.objects.filter(pk=reader_id, organisation=school, is_active=True).first()
            if is_id(reader_id)
            else None
        )
        if reader_id is not None and reader is None:
            errors["reader_id"] = [_("Choose one of the school's card readers.")]
        clean["reader"] = reader
    grade_min = clean.get("grade_min", current.grade_min if current else None)
    grade_max = clean.get("grade_max", current.grade_max if current else None)
    if "grade_max" not in errors and grade_min and grade_max and grade_min > grade_max:
        errors["grade_max"] = [_("The highest school year cannot be below the lowest.")]
    starts_on = clean.get("starts_on", current.starts_on if current else None)
    ends_on = clean.get("ends_on", current.ends_on if current else None)
    if "ends_on" not in errors and starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("The term cannot end before it starts.")]
    fail(errors)
    return clean


def _coordinators(
    school: Organisation, ids: object, errors: dict[str, list[str]]
) -> list[Resident]:
    """The residents named, each holding the school's ``coordinator`` role."""
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in ids)
    ):
        errors["coordinator_ids"] = [_("Choose at least one coordinator.")]
        return []
    found = list(
        Resident.objects.filter(
            pk__in=ids,
            is_active=True,
            roles__organisation=school,
            roles__role=OrganisationRole.Role.COORDINATOR,
        ).distinct()
    )
    if len(found) != len(set(ids)):
        errors["coordinator_ids"] = [
            _("Each coordinator must hold the coordinator role at this school.")
        ]
    return found


def program_create(*, actor: Resident, school_id: int, values: dict[str, Any]) -> Program:
    """A school's coordinator (or city staff) creates a draft program, with its room; the
    coordinators named (the actor, by default, when they coordinate at the school) moderate
    the room.  Audited."""
    school = Organisation.objects.filter(pk=school_id, kind=Organisation.Kind.SCHOOL).first()
    if school is None:
        raise NotFound(_("No such school."))
    if not (
        resident_is_school_coordinator(resident=actor, school_id=school.pk)
        or resident_is_city_staff(actor)
    ):
        raise Forbidden(
            _("Only the school's coordinators may create its programs."), code="not_coordinator"
        )
    clean = _clean_program(values, current=None, school=school)
    errors: dict[str, list[str]] = {}
    coordinators = _coordinators(school, values.get("coordinator_ids", [actor.pk]), errors)
    fail(errors)
    with transaction.atomic():
        program = Program.objects.create(school=school, created_by=actor, **clean)
        program.coordinators.set(coordinators)
        _room_attach(program)
        for coordinator in coordinators:
            _room_seat_coordinator(program, coordinator)
        audit_record(actor=actor, action="program.created", target=program)
        index_later("program", [program.pk])
    return program


def program_update(*, actor: Resident, program_id: int, values: dict[str, Any]) -> Program:
    """Change a draft or published program's details or coordinators.  New coordinators
    moderate the room; those dropped leave it."""
    program = program_get_managed(program_id=program_id, actor=actor)
    _open(program)
    clean = _clean_program(values, current=program, school=program.school)
    errors: dict[str, list[str]] = {}
    coordinators = (
        _coordinators(program.school, values["coordinator_ids"], errors)
        if "coordinator_ids" in values
        else None
    )
    fail(errors)
    with transaction.atomic():
        program = _locked(program.pk)
        for name, value in clean.items():
            setattr(program, name, value)
        program.save()
        if "title" in clean:
            rooms.room_rename(room=_room_of(program), title=program.title)
        if coordinators is not None:
            before = set(program.coordinators.values_list("pk", flat=True))
            # Seat the new ones first, so that the room is never left without a moderator.
            for coordinator in coordinators:
                if coordinator.pk not in before:
                    _room_seat_coordinator(program, coordinator)
            kept = {coordinator.pk for coordinator in coordinators}
            for gone in Resident.objects.filter(pk__in=before - kept):
                rooms.room_member_remove(room=_room_of(program), resident=gone)
            program.coordinators.set(coordinators)
        index_later("program", [program.pk])
    return program


def _move(actor: Resident, program_id: int, *, to: str, allowed: tuple[str, ...]) -> Program:
    program = program_get_managed(program_id=program_id, actor=actor)
    with transaction.atomic():
        program = _locked(program.pk)
        if program.status not in allowed:
            raise Conflict(
                _("This program cannot become “%(status)s” now.")
                % {"status": ProgramStatus(to).label},
                code="wrong_status",
            )
        program.status = to
        if to in (ProgramStatus.ENDED, ProgramStatus.CANCELLED):
            program.closed_at = timezone.now()  # the retention period of its children's data
        program.save(update_fields=["status", "closed_at"])
        audit_record(actor=actor, action=f"program.{to}", target=program)
        index_later("program", [program.pk])  # a published program is found by every adult
    return program


def program_publish(*, actor: Resident, program_id: int) -> Program:
    """Draft → published: guardians and seniors see it and consent or answer invitations."""
    return _move(actor, program_id, to=ProgramStatus.PUBLISHED, allowed=(ProgramStatus.DRAFT,))


def program_end(*, actor: Resident, program_id: int) -> Program:
    """Published → ended: nobody joins any more; the record stays for retention."""
    return _move(actor, program_id, to=ProgramStatus.ENDED, allowed=(ProgramStatus.PUBLISHED,))


def program_cancel(*, actor: Resident, program_id: int) -> Program:
    return _move(
        actor,
        program_id,
        to=ProgramStatus.CANCELLED,
        allowed=(ProgramStatus.DRAFT, ProgramStatus.PUBLISHED),
    )


def _moment(errors: dict[str, list[str]], field: str, value: object) -> datetime | None:
    moment = (
        value
        if isinstance(value, datetime)
        else parse_datetime(value)
        if isinstance(value, str)
        else None
    )
    if moment is None:
        errors.setdefault(field, []).append(_("Please enter a date and time."))
    elif timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def session_add(
    *, actor: Resident, program_id: int, starts_at: object, ends_at: object
) -> ProgramSession:
    """Add a session within the program's term."""
    program = program_get_managed(program_id=program_id, actor=actor)
    _open(program)
    errors: dict[str, list[str]] = {}
    start = _moment(errors, "starts_at", starts_at)
    end = _moment(errors, "ends_at", ends_at)
    if start and end and end <= start:
        errors["ends_at"] = [_("The session must end after it starts.")]
    if start and not program.starts_on <= timezone.localdate(start) <= program.ends_on:
        errors["starts_at"] = [_("The session must fall within the program's term.")]
    fail(errors)
    assert start is not None
    assert end is not None
    with transaction.atomic():
        session = ProgramSession.objects.create(program=program, starts_at=start, ends_at=end)
        index_later("program", [program.pk])  # its weekdays
    return session


def session_cancel(*, actor: Resident, session_id: int) -> ProgramSession:
    session = (
        ProgramSession.objects.filter(pk=session_id).first()
        if isinstance(session_id, int)
        else None
    )
    if session is None:
        raise NotFound(_("No such session."))
    program_get_managed(program_id=session.program_id, actor=actor)
    if session.cancelled_at is not None:
        raise Conflict(_("This session was cancelled already."), code="cancelled")
    if session.starts_at <= timezone.now():
        raise Invalid(_("A session that has begun cannot be cancelled."), code="started")
    with transaction.atomic():
        session.cancelled_at = timezone.now()
        session.save(update_fields=["cancelled_at"])
        index_later("program", [session.program_id])  # its weekdays
    return session
