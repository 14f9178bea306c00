"""Writes for the course life: applying to teach, vetting, courses and offerings, sessions,
enrolment with its waiting list, attendance, completion, feedback and calendar feeds.

Every public service takes the acting resident and checks it.  Side effects (notifications,
room membership, domain events) run after the commit.
"""

import contextlib
import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from campus_social.audit.services import audit_record
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.common.images import clean_image
from campus_social.common.text import text_clean
from campus_social.identity.models import District, ReaderDevice, Resident
from campus_social.identity.selectors import (
    card_holder,
    require_city_staff,
    resident_is_city_staff,
    resident_is_guardian_of,
)
from campus_social.notifications.services import notification_send_translated
from campus_social.safeguarding import services as safeguarding
from campus_social.safeguarding.models import VettingRecord
from campus_social.safeguarding.selectors import resident_is_vetted
from courses import events
from courses.models import (
    ACTIVE_ENROLMENT,
    Attendance,
    Audience,
    CalendarFeed,
    Category,
    Completion,
    Course,
    Enrolment,
    Lecturer,
    Level,
    Offering,
    Session,
    SurveyReceipt,
    SurveyResponse,
)
from courses.selectors import lecturer_of, offering_get_for_manager, session_running_for_reader
from messaging import services as rooms

NOTIFY = {
    "lecturer": "courses.lecturer_decision",
    "enrolment": "courses.enrolment",
    "promoted": "courses.promoted",
    "session": "courses.session_changed",
    "cancelled": "courses.offering_cancelled",
    "reminder": "courses.reminder",
}


def _fail(errors: dict[str, list[str]]) -> None:
    if errors:
        raise Invalid(_("Some of the information is not valid. Please check it."), fields=errors)


def _text(
    errors: dict[str, list[str]],
    field: str,
    value: object,
    limit: int,
    *,
    required: bool = True,
    multiline: bool = False,
) -> str:
    text = ""
    if isinstance(value, str):
        # The one text rule (campus_social.common.text): NFC, no control or bidi characters,
        # and nothing but invisible characters counts as empty.
        try:
            text = text_clean(value, multiline=multiline).strip()
        except Invalid as refusal:
            errors.setdefault(field, []).append(refusal.message)
            return ""
    if required and not text:
        errors.setdefault(field, []).append(_("Please fill this in."))
    elif len(text) > limit:
        errors.setdefault(field, []).append(
            _("Please use at most %(limit)d characters.") % {"limit": limit}
        )
    return text


def _long_text(value: object) -> str:
    """A free-text reason, note or comment under the one text rule; ``Invalid`` if refused."""
    return text_clean(value, multiline=True).strip() if isinstance(value, str) else ""


# --- Lecturers ---------------------------------------------------------------------------------


def lecturer_apply(
    *,
    resident: Resident,
    display_name: str,
    name_kana: str,
    profile: str,
    skills: str,
    teaching_wishes: str,
    wants_to_teach_children: bool = False,
    photo: Any = None,
) -> Lecturer:
    """A resident applies to teach (again, after a decline).  City staff review it."""
    if resident.is_child:
        raise Forbidden(_("Lecturers are adults."))
    errors: dict[str, list[str]] = {}
    fields = {
        "display_name": _text(errors, "display_name", display_name, 100),
        "name_kana": _text(errors, "name_kana", name_kana, 200),
        "profile": _text(errors, "profile", profile, 2000, multiline=True),
        "skills": _text(errors, "skills", skills, 500),
        "teaching_wishes": _text(errors, "teaching_wishes", teaching_wishes, 2000, multiline=True),
    }
    cleaned_photo = None
    if photo:
        try:
            cleaned_photo = clean_image(photo, field="photo")
        except Invalid as error:
            errors.update(error.fields or {"photo": [error.message]})
    _fail(errors)
    existing = lecturer_of(resident)
    if existing is not None and existing.status != Lecturer.Status.DECLINED:
        raise Conflict(_("You have already applied to teach."), code="already_applied")
    with transaction.atomic():
        lecturer = existing or Lecturer(resident=resident)
        for name, value in fields.items():
            setattr(lecturer, name, value)
        lecturer.wants_to_teach_children = bool(wants_to_teach_children)
        lecturer.status = Lecturer.Status.PENDING
        lecturer.applied_at = timezone.now()
        lecturer.decided_at = None
        lecturer.decided_by = None
        lecturer.decline_reason = ""
        if cleaned_photo is not None:
            lecturer.photo.save(cleaned_photo.name, cleaned_photo, save=False)
        lecturer.save()
    return lecturer


def lecturer_decide(
    *, actor: Resident, lecturer_id: int, approve: bool, reason: str = ""
) -> Lecturer:
    """City staff approve or decline an application (a decline needs a reason).  The applicant
    is notified."""
    require_city_staff(actor)
    reason = _long_text(reason)
    if not approve and not reason:
        raise Invalid(
            _("Please give the reason for declining."),
            fields={"reason": [_("Please fill this in.")]},
        )
    with transaction.atomic():
        lecturer = (
            Lecturer.objects.select_for_update()
            .select_related("resident")
            .filter(pk=lecturer_id)
            .first()
        )
        if lecturer is None:
            raise NotFound(_("No such application."))
        if lecturer.status != Lecturer.Status.PENDING:
            raise Conflict(_("This application has already been decided."))
        lecturer.status = Lecturer.Status.APPROVED if approve else Lecturer.Status.DECLINED
        lecturer.decided_at = timezone.now()
        lecturer.decided_by = actor
        lecturer.decline_reason = "" if approve else reason[:500]
        lecturer.save(update_fields=["status", "decided_at", "decided_by", "decline_reason"])
        audit_record(
            actor=actor,
            action="lecturer.approved" if approve else "lecturer.declined",
            target=lecturer,
        )
        notification_send_translated(
            resident=lecturer.resident,
            kind=NOTIFY["lecturer"],
            title_template=(
                gettext_lazy("You are approved as a lecturer. Welcome!")
                if approve
                else gettext_lazy("Your application to teach was declined: %(reason)s")
            ),
            params={"reason": reason},
            url="/teach/",
        )
    return lecturer


def vetting_record_add(
    *, actor: Resident, lecturer_id: int, checked_on: date, expires_on: date, note: str = ""
) -> VettingRecord:
    """City staff record that a lecturer was checked for teaching children.  The record is the
    core's (``campus_social.safeguarding``), on the lecturer's resident: it counts wherever
    children are, not only in courses."""
    require_city_staff(actor)
    lecturer = Lecturer.objects.select_related("resident").filter(pk=lecturer_id).first()
    if lecturer is None:
        raise NotFound(_("No such lecturer."))
    return safeguarding.vetting_record_add(
        actor=actor,
        resident=lecturer.resident,
        checked_on=checked_on,
        expires_on=expires_on,
        note=note,
        audit_action="lecturer.vetted",
        audit_target=lecturer,
    )


def _require_teacher(actor: Resident) -> Lecturer | None:
    """The actor's approved lecturer profile, or ``None`` for city staff; others are refused."""
    if resident_is_city_staff(actor):
        return lecturer_of(actor)
    lecturer = lecturer_of(actor)
    if lecturer is None or not lecturer.is_approved:
        raise Forbidden(_("Only approved lecturers may do this."))
    return lecturer


# --- Courses and offerings ------------------------------------------------------------------------


def course_create(
    *,
    actor: Resident,
    title: str,
    title_kana: str,
    description: str,
    category: str,
    level: str,
    audience: str,
    language: str = "ja",
) -> Course:
    lecturer = _require_teacher(actor)
    if lecturer is None:
        raise Forbidden(_("A course belongs to a lecturer; apply to teach first."))
    errors: dict[str, list[str]] = {}
    values = {
        "title": _text(errors, "title", title, 200),
        "title_kana": _text(errors, "title_kana", title_kana, 400),
        "description": _text(errors, "description", description, 5000, multiline=True),
    }
    for field, value, choices in (
        ("category", category, Category.values),
        ("level", level, Level.values),
        ("audience", audience, Audience.values),
        ("language", language, ["ja", "en"]),
    ):
        if value not in choices:
            errors.setdefault(field, []).append(_("Please choose one of the options."))
    _fail(errors)
    return Course.objects.create(
        owner=lecturer,
        category=category,
        level=level,
        audience=audience,
        language=language,
        **values,
    )


def _course_for(actor: Resident, course_id: int) -> Course:
    course = Course.objects.select_related("owner").filter(pk=course_id).first()
    if course is None:
        raise NotFound(_("No such course."))
    if not resident_is_city_staff(actor) and course.owner.resident_id != actor.pk:
        raise NotFound(_("No such course."))
    return course


_OFFERING_FIELDS = (
    "term",
    "venue",
    "capacity",
    "fee_yen",
    "enrolment_opens_at",
    "enrolment_closes_at",
    "requires_approval",
    "bears_credit",
    "completion_percent",
)


def _clean_offering(values: dict[str, Any], *, enrolled: int = 0) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "term" in values:
        cleaned["term"] = _text(errors, "term", values["term"], 50, required=False)
    if "venue" in values:
        cleaned["venue"] = _text(errors, "venue", values["venue"], 200)
    if "capacity" in values:
        capacity = values["capacity"]
        if not isinstance(capacity, int) or not 1 <= capacity <= 1000:
            errors["capacity"] = [_("Places must be a whole number from 1 to 1000.")]
        elif capacity < enrolled:
            errors["capacity"] = [
                _("%(count)d residents are already enrolled: places cannot be fewer.")
                % {"count": enrolled}
            ]
        cleaned["capacity"] = capacity
    if "fee_yen" in values:
        fee = values["fee_yen"]
        if not isinstance(fee, int) or not 0 <= fee <= 1_000_000:
            errors["fee_yen"] = [_("The fee must be a whole number of yen, 0 or more.")]
        cleaned["fee_yen"] = fee
    if "completion_percent" in values:
        percent = values["completion_percent"]
        if not isinstance(percent, int) or not 1 <= percent <= 100:
            errors["completion_percent"] = [_("Give a percentage from 1 to 100.")]
        cleaned["completion_percent"] = percent
    for flag in ("requires_approval", "bears_credit"):
        if flag in values:
            cleaned[flag] = bool(values[flag])
    for moment in ("enrolment_opens_at", "enrolment_closes_at"):
        if moment in values:
            if not isinstance(values[moment], datetime):
                errors[moment] = [_("Please give a date and time.")]
            cleaned[moment] = values[moment]
    opens, closes = cleaned.get("enrolment_opens_at"), cleaned.get("enrolment_closes_at")
    if isinstance(opens, datetime) and isinstance(closes, datetime) and closes <= opens:
        errors["enrolment_closes_at"] = [_("Enrolment must close after it opens.")]
    if "district" in values:
        district = District.objects.filter(slug=values["district"]).first()
        if district is None:
            errors["district"] = [
                _("There is no district with the code “%(code)s”.") % {"code": values["district"]}
            ]
        cleaned["district"] = district
    if "reader" in values:
        reader = None
        if values["reader"] is not None:
            reader = ReaderDevice.objects.filter(pk=values["reader"], is_active=True).first()
            if reader is None:
                errors["reader"] = [_("No such card reader.")]
        cleaned["reader"] = reader
    _fail(errors)
    return cleaned


def offering_create(*, actor: Resident, course_id: int, **values: Any) -> Offering:
    """A new dated run of a course, as a draft, taught by the course's lecturer."""
    _require_teacher(actor)
    course = _course_for(actor, course_id)
    required = {"venue", "district", "capacity", "enrolment_opens_at", "enrolment_closes_at"}
    missing = required - values.keys()
    if missing:
        _fail({field: [_("Please fill this in.")] for field in sorted(missing)})
    unknown = set(values) - set(_OFFERING_FIELDS) - {"district", "reader"}
    if unknown:
        raise ValueError(f"unknown offering fields: {sorted(unknown)}")
    cleaned = _clean_offering(values)
    with transaction.atomic():
        offering = Offering.objects.create(course=course, **cleaned)
        offering.lecturers.add(course.owner)
    return offering


def offering_update(*, actor: Resident, offering_id: int, **values: Any) -> Offering:
    """Change an offering's details.  Places never drop below those already enrolled."""
    with transaction.atomic():
        offering = offering_get_for_manager(offering_id=offering_id, actor=actor)
        if offering.status == Offering.Status.CANCELLED:
            raise Conflict(_("This offering is cancelled."))
        offering = Offering.objects.select_for_update().get(pk=offering.pk)
        if offering.status == Offering.Status.CANCELLED:
            raise Conflict(_("This offering is cancelled."))
        enrolled = offering.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
        if "enrolment_opens_at" in values or "enrolment_closes_at" in values:
            # Check a changed end of the window against the end that stays as it is.
            values = {
                "enrolment_opens_at": offering.enrolment_opens_at,
                "enrolment_closes_at": offering.enrolment_closes_at,
                **values,
            }
        cleaned = _clean_offering(values, enrolled=enrolled)
        for name, value in cleaned.items():
            setattr(offering, name, value)
        offering.save()
        if "capacity" in cleaned:
            _promote_while_room(offering)
    return offering


def _refresh_schedule(offering: Offering) -> None:
    bounds = offering.sessions.filter(cancelled_at__isnull=True).aggregate(
        first=Min("starts_at"), last=Max("ends_at")
    )
    Offering.objects.filter(pk=offering.pk).update(
        first_session_at=bounds["first"], last_session_ends_at=bounds["last"]
    )


def _check_session_times(
    offering: Offering, starts_at: object, ends_at: object, *, exclude: int | None = None
) -> None:
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        raise Invalid(
            _("Some of the information is not valid. Please check it."),
            fields={"starts_at": [_("Please give a date and time.")]},
        )
    if ends_at <= starts_at:
        _fail({"ends_at": [_("A session must end after it starts.")]})
    if ends_at - starts_at > timedelta(hours=12):
        _fail({"ends_at": [_("A session lasts at most 12 hours.")]})
    overlapping = offering.sessions.filter(
        cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    if overlapping.exists():
        _fail({"starts_at": [_("This session overlaps another session of the offering.")]})


def session_add(
    *, actor: Resident, offering_id: int, starts_at: datetime, ends_at: datetime
) -> Session:
    with transaction.atomic():
        offering = offering_get_for_manager(offering_id=offering_id, actor=actor)
        Offering.objects.select_for_update().get(pk=offering.pk)
        _check_session_times(offering, starts_at, ends_at)
        session = Session.objects.create(offering=offering, starts_at=starts_at, ends_at=ends_at)
        _refresh_schedule(offering)
        if offering.status == Offering.Status.PUBLISHED:
            _notify_cohort(
                offering, "session", gettext_lazy("A session was added to “%(course)s”.")
            )
    return session


def session_update(
    *, actor: Resident, session_id: int, starts_at: datetime, ends_at: datetime
) -> Session:
    """Move a session; enrolled residents are told."""
    with transaction.atomic():
        session = Session.objects.select_related("offering").filter(pk=session_id).first()
        if session is None:
            raise NotFound(pgettext("course", "No such session."))
        offering = offering_get_for_manager(offering_id=session.offering_id, actor=actor)
        Offering.objects.select_for_update().get(pk=offering.pk)
        _check_session_times(offering, starts_at, ends_at, exclude=session.pk)
        session.starts_at, session.ends_at = starts_at, ends_at
        session.reminded_at = None
        session.save(update_fields=["starts_at", "ends_at", "reminded_at"])
        _refresh_schedule(offering)
        if offering.status == Offering.Status.PUBLISHED:
            _notify_cohort(
                offering, "session", gettext_lazy("A session of “%(course)s” has moved.")
            )
    return session


def session_cancel(*, actor: Resident, session_id: int) -> Session:
    with transaction.atomic():
        session = Session.objects.filter(pk=session_id).first()
        if session is None:
            raise NotFound(pgettext("course", "No such session."))
        offering = offering_get_for_manager(offering_id=session.offering_id, actor=actor)
        if session.cancelled_at is None:
            session.cancelled_at = timezone.now()
            session.save(update_fields=["cancelled_at"])
            _refresh_schedule(offering)
            if offering.status == Offering.Status.PUBLISHED:
                _notify_cohort(
                    offering, "session", gettext_lazy("A session of “%(course)s” is cancelled.")
                )
    return session


def _room_key(offering_id: int) -> str:
    return f"offering:{offering_id}"


def offering_publish(*, actor: Resident, offering_id: int) -> Offering:
    """Open an offering for enrolment.  It needs sessions; one open to children needs every
    lecturer to hold a current vetting record.  Its chat room is made, lecturers moderating."""
    with transaction.atomic():
        offering = offering_get_for_manager(offering_id=offering_id, actor=actor)
        offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
        if offering.status != Offering.Status.DRAFT:
            raise Conflict(_("Only a draft can be published."))
        if not offering.sessions.filter(cancelled_at__isnull=True).exists():
            raise Invalid(_("Add at least one session before publishing."), code="no_sessions")
        if offering.course.open_to_children:
            for lecturer in offering.lecturers.select_related("resident"):
                if not resident_is_vetted(lecturer.resident):
                    raise Invalid(
                        _("%(name)s needs a current vetting record before teaching children.")
                        % {"name": lecturer.display_name},
                        code="vetting_required",
                    )
        offering.status = Offering.Status.PUBLISHED
        offering.save(update_fields=["status"])
        room = rooms.room_create(
            kind="offering", subject_key=_room_key(offering.pk), title=str(offering)
        )
        for lecturer in offering.lecturers.select_related("resident"):
            rooms.room_member_add(room=room, resident=lecturer.resident, role="moderator")
        transaction.on_commit(
            lambda: events.offering_published.send(sender=Offering, offering_id=offering.pk),
            robust=True,
        )
    return offering


def offering_cancel(*, actor: Resident, offering_id: int) -> Offering:
    """Cancel an offering: every enrolment ends and everyone enrolled or waiting is told."""
    with transaction.atomic():
        offering = offering_get_for_manager(offering_id=offering_id, actor=actor)
        offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
        if offering.status == Offering.Status.CANCELLED:
            return offering
        was_published = offering.status == Offering.Status.PUBLISHED
        offering.status = Offering.Status.CANCELLED
        offering.save(update_fields=["status"])
        active = list(
            offering.enrolments.filter(status__in=ACTIVE_ENROLMENT).select_related("resident")
        )
        now = timezone.now()
        Enrolment.objects.filter(pk__in=[e.pk for e in active]).update(
            status=Enrolment.Status.CANCELLED, status_changed_at=now
        )
        if was_published:
            for enrolment in active:
                _notify(
                    enrolment, "cancelled", gettext_lazy("“%(course)s” is cancelled. We are sorry.")
                )
    return offering


def offering_copy(
    *, actor: Resident, offering_id: int, shift_days: int, term: str = ""
) -> Offering:
    """The same offering for a new term: a draft with the sessions and enrolment window moved
    by ``shift_days``.  Nobody is enrolled in the copy."""
    if not isinstance(shift_days, int) or not 1 <= shift_days <= 3650:
        _fail({"shift_days": [_("Move it by 1 to 3650 days.")]})
    errors: dict[str, list[str]] = {}
    term = _text(errors, "term", term, 50, required=False)
    _fail(errors)
    with transaction.atomic():
        source = offering_get_for_manager(offering_id=offering_id, actor=actor)
        shift = timedelta(days=shift_days)
        copy = Offering.objects.create(
            course=source.course,
            term=(term or source.term)[:50],
            venue=source.venue,
            district=source.district,
            reader=source.reader,
            capacity=source.capacity,
            fee_yen=source.fee_yen,
            enrolment_opens_at=source.enrolment_opens_at + shift,
            enrolment_closes_at=source.enrolment_closes_at + shift,
            requires_approval=source.requires_approval,
            bears_credit=source.bears_credit,
            completion_percent=source.completion_percent,
        )
        copy.lecturers.set(source.lecturers.all())
        Session.objects.bulk_create(
            Session(offering=copy, starts_at=s.starts_at + shift, ends_at=s.ends_at + shift)
            for s in source.sessions.filter(cancelled_at__isnull=True)
        )
        _refresh_schedule(copy)
    return Offering.objects.get(pk=copy.pk)


# --- Enrolment ---------------------------------------------------------------------------------


def _enrollable(offering: Offering, resident: Resident, now: datetime) -> None:
    if offering.status == Offering.Status.CANCELLED:
        raise Conflict(_("This offering is cancelled."), code="cancelled")
    if offering.status != Offering.Status.PUBLISHED:
        raise NotFound(_("No such offering."))
    if offering.last_session_ends_at is not None and offering.last_session_ends_at < now:
        raise Conflict(_("This offering has already ended."), code="ended")
    if now < offering.enrolment_opens_at:
        raise Conflict(_("Enrolment has not opened yet."), code="not_open")
    if now > offering.enrolment_closes_at:
        raise Conflict(_("Enrolment is closed."), code="closed")
    audience = offering.course.audience
    band = resident.age_band
    if audience == Audience.CHILDREN and band != "child":
        raise Forbidden(_("This course is for children."), code="audience")
    if audience == Audience.SENIORS and band != "senior":
        raise Forbidden(_("This course is for seniors (65 and over)."), code="audience")
    if audience == Audience.ADULTS and band == "child":
        raise Forbidden(_("This course is for adults."), code="audience")


def _learner(actor: Resident, resident_id: int | None) -> Resident:
    """Who is being enrolled: the actor, or a child the actor is guardian of."""
    if resident_id is None or resident_id == actor.pk:
        if actor.is_child:
            raise Forbidden(
                _("A guardian enrols children; please ask yours."), code="guardian_required"
            )
        return actor
    child = Resident.objects.filter(pk=resident_id, is_active=True).first()
    if child is None or not resident_is_guardian_of(guardian=actor, child=child):
        raise NotFound(_("No such resident."))
    if not child.is_child:
        raise Forbidden(_("Adults enrol themselves."))
    return child


def enrolment_create(
    *, actor: Resident, offering_id: int, resident_id: int | None = None
) -> Enrolment:
    """Enrol (or join the waiting list, or apply when the lecturer approves each one).

    Holds under concurrency: the offering's row is locked while seats are counted and the
    place in line is taken, and a partial unique constraint keeps one active enrolment per
    resident.  The enrolment carries ``waitlist_position``, counted under that lock: the place
    told at the press is the place in line, and promotion follows it.
    """
    learner = _learner(actor, resident_id)
    try:
        with transaction.atomic():
            offering = Offering.objects.select_for_update().filter(pk=offering_id).first()
            if offering is None:
                raise NotFound(_("No such offering."))
            offering = Offering.objects.select_related("course").get(pk=offering.pk)
            # The queue time is read only once the lock is held: read before it, a press that
            # waited longer for the lock could be queued ahead of one that got it first.
            now = timezone.now()
            _enrollable(offering, learner, now)
            if offering.enrolments.filter(resident=learner, status__in=ACTIVE_ENROLMENT).exists():
                raise Conflict(
                    _("You are already enrolled or waiting for this offering."),
                    code="already_enrolled",
                )
            line = offering.enrolments.aggregate(
                enrolled=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED)),
                waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITLISTED)),
                last_queued=Max("queued_at", filter=Q(status=Enrolment.Status.WAITLISTED)),
            )
            if offering.requires_approval:
                status = Enrolment.Status.PENDING
            elif line["enrolled"] < offering.capacity:
                status = Enrolment.Status.ENROLLED
            else:
                status = Enrolment.Status.WAITLISTED
            # Strictly after everyone already in line, even if this host's clock lags behind
            # the one that queued the last of them.
            queued_at = now
            if line["last_queued"] is not None and line["last_queued"] >= now:
                queued_at = line["last_queued"] + timedelta(microseconds=1)
            enrolment = Enrolment.objects.create(
                offering=offering,
                resident=learner,
                status=status,
                enrolled_by=actor if actor.pk != learner.pk else None,
                queued_at=queued_at,
            )
            enrolment.waitlist_position = (
                line["waiting"] + 1 if status == Enrolment.Status.WAITLISTED else None
            )
            if status == Enrolment.Status.ENROLLED:
                _join_room(offering, learner)
            titles = {
                Enrolment.Status.ENROLLED: gettext_lazy("You are enrolled in “%(course)s”."),
                Enrolment.Status.WAITLISTED: gettext_lazy(
                    "You are on the waiting list for “%(course)s”."
                ),
                Enrolment.Status.PENDING: gettext_lazy(
                    "Your application for “%(course)s” is waiting for the lecturer."
                ),
            }
            _notify(enrolment, "enrolment", titles[status])
    except IntegrityError:
        raise Conflict(
            _("You are already enrolled or waiting for this offering."), code="already_enrolled"
        ) from None
    return enrolment


def enrolment_cancel(
    *, actor: Resident, offering_id: int, resident_id: int | None = None
) -> Enrolment:
    """Leave an offering (or its waiting list).  A freed seat goes to the first in line."""
    learner = _learner(actor, resident_id)
    with transaction.atomic():
        offering = Offering.objects.select_for_update().filter(pk=offering_id).first()
        enrolment = (
            Enrolment.objects.filter(
                offering_id=offering_id,
                resident=learner,
                status__in=ACTIVE_ENROLMENT,
            ).first()
            if offering is not None
            else None
        )
        if offering is None or enrolment is None:
            raise NotFound(_("You are not enrolled in this offering."))
        if (
            offering.last_session_ends_at is not None
            and offering.last_session_ends_at < timezone.now()
        ):
            raise Conflict(_("This offering has already ended."), code="ended")
        was_enrolled = enrolment.status == Enrolment.Status.ENROLLED
        enrolment.status = Enrolment.Status.CANCELLED
        enrolment.status_changed_at = timezone.now()
        enrolment.save(update_fields=["status", "status_changed_at"])
        if was_enrolled:
            _leave_room(offering, learner)
            _promote_while_room(offering)
    return enrolment


def _promote_while_room(offering: Offering) -> None:
    """Fill free seats from the waiting list, first come first served (offering row locked)."""
    if offering.requires_approval or offering.status != Offering.Status.PUBLISHED:
        return
    free = offering.capacity - offering.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
    waiting = list(
        offering.enrolments.filter(status=Enrolment.Status.WAITLISTED)
        .select_related("resident", "offering__course")
        .order_by("queued_at", "id")[: max(free, 0)]
    )
    for enrolment in waiting:
        enrolment.status = Enrolment.Status.ENROLLED
        enrolment.status_changed_at = timezone.now()
        enrolment.save(update_fields=["status", "status_changed_at"])
        _join_room(offering, enrolment.resident)
        _notify(
            enrolment,
            "promoted",
            gettext_lazy("A place freed up: you are now enrolled in “%(course)s”."),
        )


def enrolment_decide(*, actor: Resident, enrolment_id: int, approve: bool) -> Enrolment:
    """The lecturer accepts or declines a pending application (accepting needs a free seat)."""
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_related("offering", "offering__course", "resident")
            .filter(pk=enrolment_id)
            .first()
        )
        if enrolment is None:
            raise NotFound(_("No such application."))
        offering = offering_get_for_manager(offering_id=enrolment.offering_id, actor=actor)
        offering = Offering.objects.select_for_update().select_related("course").get(pk=offering.pk)
        if enrolment.status != Enrolment.Status.PENDING:
            raise Conflict(_("This application has already been decided."))
        if (
            approve
            and offering.enrolments.filter(status=Enrolment.Status.ENROLLED).count()
            >= offering.capacity
        ):
            raise Conflict(_("The offering is full."), code="full")
        enrolment.status = Enrolment.Status.ENROLLED if approve else Enrolment.Status.DECLINED
        enrolment.status_changed_at = timezone.now()
        enrolment.save(update_fields=["status", "status_changed_at"])
        if approve:
            _join_room(offering, enrolment.resident)
        _notify(
            enrolment,
            "enrolment",
            gettext_lazy("You are enrolled in “%(course)s”.")
            if approve
            else gettext_lazy("Your application for “%(course)s” was declined."),
        )
    return enrolment


def _join_room(offering: Offering, resident: Resident) -> None:
    room = rooms.room_create(
        kind="offering", subject_key=_room_key(offering.pk), title=str(offering)
    )
    # A child joins only once the room has an adult moderator (the lecturers, at publishing);
    # until then the enrolment stands and the room waits.
    with contextlib.suppress(Invalid):
        rooms.room_member_add(room=room, resident=resident)
    transaction.on_commit(
        lambda: events.enrolment_confirmed.send(
            sender=Enrolment, offering_id=offering.pk, resident_id=resident.pk
        ),
        robust=True,
    )


def _leave_room(offering: Offering, resident: Resident) -> None:
    room = rooms.room_create(
        kind="offering", subject_key=_room_key(offering.pk), title=str(offering)
    )
    rooms.room_member_remove(room=room, resident=resident)
    transaction.on_commit(
        lambda: events.enrolment_withdrawn.send(
            sender=Enrolment, offering_id=offering.pk, resident_id=resident.pk
        ),
        robust=True,
    )


def _notify(enrolment: Enrolment, kind: str, title: Any) -> None:
    """Tell the learner (and the guardian who enrolled them) after the commit."""
    course = enrolment.offering.course.title
    people = [enrolment.resident]
    if enrolment.enrolled_by_id and enrolment.enrolled_by_id != enrolment.resident_id:
        people += list(Resident.objects.filter(pk=enrolment.enrolled_by_id))
    for person in people:
        notification_send_translated(
            resident=person,
            kind=NOTIFY[kind],
            title_template=title,
            params={"course": course},
            url=f"/courses/offerings/{enrolment.offering_id}/",
        )


def _notify_cohort(offering: Offering, kind: str, title: Any) -> None:
    for enrolment in offering.enrolments.filter(status=Enrolment.Status.ENROLLED).select_related(
        "resident", "offering__course"
    ):
        _notify(enrolment, kind, title)


# --- Attendance and completion -------------------------------------------------------------


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
    """A card tap at the venue checks the resident in to the session running there."""
    resident = card_holder(card_id=card_id)
    if resident is None:
        raise NotFound(_("This card is not registered or is locked."), code="unknown_card")
    sessions = list(session_running_for_reader(reader_id=reader.pk))
    if not sessions:
        raise Conflict(_("No session is running here now."), code="no_session")
    for session in sessions:
        if session.offering.enrolments.filter(
            resident=resident, status=Enrolment.Status.ENROLLED
        ).exists():
            attendance, _created = Attendance.objects.get_or_create(
                session=session, resident=resident, defaults={"method": Attendance.Method.CARD}
            )
            return attendance
    raise Forbidden(
        _("This resident is not enrolled in the session running here."), code="not_enrolled"
    )


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
        if (
            offering.status != Offering.Status.PUBLISHED
            or offering.last_session_ends_at is None
            or offering.last_session_ends_at > now
        ):
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
        status=Offering.Status.PUBLISHED,
        completions_recorded_at__isnull=True,
        last_session_ends_at__lt=now,
    ).values_list("pk", flat=True)


# --- Feedback ----------------------------------------------------------------------------------


def survey_answer(
    *, resident: Resident, offering_id: int, rating: object, comment: str = ""
) -> None:
    """A participant answers once, after the offering has ended.  The answer is kept apart from
    who gave it."""
    offering = Offering.objects.filter(pk=offering_id).first()
    if (
        offering is None
        or not offering.enrolments.filter(
            resident=resident, status=Enrolment.Status.ENROLLED
        ).exists()
    ):
        raise NotFound(_("No such offering of yours."))
    if offering.last_session_ends_at is None or offering.last_session_ends_at > timezone.now():
        raise Conflict(_("The survey opens when the offering has ended."), code="not_ended")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        # Raised here rather than through _fail so that mypy knows ``rating`` is an int below.
        raise Invalid(
            _("Some of the information is not valid. Please check it."),
            fields={"rating": [_("Choose a rating from 1 to 5.")]},
        )
    comment = _long_text(comment)
    if len(comment) > 2000:
        _fail({"comment": [_("Please use at most %(limit)d characters.") % {"limit": 2000}]})
    try:
        with transaction.atomic():
            SurveyReceipt.objects.create(offering=offering, resident=resident)
            SurveyResponse.objects.create(offering=offering, rating=int(rating), comment=comment)
    except IntegrityError:
        raise Conflict(
            _("You have already answered. Thank you!"), code="already_answered"
        ) from None


# --- Reminders and calendars -----------------------------------------------------------------


def session_reminders_send(*, today: date | None = None) -> int:
    """Remind everyone enrolled of tomorrow's sessions, once per session.  Returns how many
    sessions were reminded of (run daily by ``manage.py courses_send_reminders``)."""
    tomorrow = (today or timezone.localdate()) + timedelta(days=1)
    due = Session.objects.filter(
        starts_at__date=tomorrow,
        cancelled_at__isnull=True,
        reminded_at__isnull=True,
        offering__status=Offering.Status.PUBLISHED,
    ).select_related("offering", "offering__course")
    count = 0
    for session in due:
        with transaction.atomic():
            if (
                Session.objects.filter(pk=session.pk, reminded_at__isnull=True).update(
                    reminded_at=timezone.now()
                )
                == 0
            ):
                continue  # another run took it
            _notify_cohort(
                session.offering, "reminder", gettext_lazy("Reminder: “%(course)s” meets tomorrow.")
            )
            count += 1
    return count


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_renew(*, resident: Resident) -> str:
    """A new private calendar address for the resident; the old one stops working.  Returns the
    token (shown once)."""
    token = secrets.token_urlsafe(24)
    CalendarFeed.objects.update_or_create(
        resident=resident, defaults={"token_hash": _token_hash(token), "created_at": timezone.now()}
    )
    return token


def calendar_feed_revoke(*, resident: Resident) -> None:
    CalendarFeed.objects.filter(resident=resident).delete()


def calendar_feed_owner(*, token: str) -> Resident | None:
    feed = (
        CalendarFeed.objects.select_related("resident")
        .filter(token_hash=_token_hash(token or ""))
        .first()
    )
    if feed is None or not feed.resident.is_active:
        return None
    return feed.resident
