"""Courses, their dated offerings and sessions: creating, changing, publishing, cancelling,
copying.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.identity.models import District, ReaderDevice, Resident
from campus_social.identity.selectors import resident_is_city_staff
from campus_social.safeguarding.selectors import resident_is_vetted
from campus_social.search.readings import reading_missing
from campus_social.search.services import index_later
from courses import events
from courses.models import (
    ACTIVE_ENROLMENT,
    Audience,
    Category,
    Course,
    Enrolment,
    Level,
    Offering,
    Session,
)
from courses.selectors import offering_get_for_manager
from courses.services._common import (
    _fail,
    _notify_cohort,
    _notify_enrolments,
    _promote_while_room,
    _require_teacher,
    _text,
)

# The most class (or self-study) hours a course may declare.
MAX_HOURS = 1000


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
    class_hours: int = 0,
    self_study_hours: int = 0,
) -> Course:
    """A new course of the acting lecturer.  ``class_hours`` and ``self_study_hours`` are the
    whole hours of study it asks of a learner (0–1000 each; universities count 45 per credit)."""
    lecturer = _require_teacher(actor)
    if lecturer is None:
        raise Forbidden(_("A course belongs to a lecturer; apply to teach first."))
    errors: dict[str, list[str]] = {}
    values = {
        "title": _text(errors, "title", title, 200),
        "title_kana": _text(errors, "title_kana", title_kana, 400),
        "description": _text(errors, "description", description, 5000, multiline=True),
    }
    reading_missing(errors, "title_kana", title_kana, reads=title)
    for field, value, choices in (
        ("category", category, Category.values),
        ("level", level, Level.values),
        ("audience", audience, Audience.values),
        ("language", language, ["ja", "en"]),
    ):
        if value not in choices:
            errors.setdefault(field, []).append(_("Please choose one of the options."))
    for field, hours in (("class_hours", class_hours), ("self_study_hours", self_study_hours)):
        if isinstance(hours, bool) or not isinstance(hours, int) or not 0 <= hours <= MAX_HOURS:
            errors.setdefault(field, []).append(
                _("Hours must be a whole number from 0 to %(limit)d.") % {"limit": MAX_HOURS}
            )
    _fail(errors)
    return Course.objects.create(
        owner=lecturer,
        class_hours=class_hours,
        self_study_hours=self_study_hours,
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
        index_later("offering", [offering.pk])
    return offering


def _refresh_schedule(offering: Offering) -> None:
    bounds = offering.sessions.filter(cancelled_at__isnull=True).aggregate(
        first=Min("starts_at"), last=Max("ends_at")
    )
    Offering.objects.filter(pk=offering.pk).update(
        first_session_at=bounds["first"], last_session_ends_at=bounds["last"]
    )
    # The dates and weekdays search shows (and whether it has ended) follow the sessions.
    index_later("offering", [offering.pk])


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


def _index_with_lecturers(offering: Offering) -> None:
    """Search finds a published offering, and its lecturers by the courses they give."""
    index_later("offering", [offering.pk])
    index_later("lecturer", offering.lecturers.values_list("pk", flat=True))


def offering_publish(*, actor: Resident, offering_id: int) -> Offering:
    """Open an offering for enrolment.  It needs sessions; one open to children needs every
    lecturer to hold a current vetting record.  Apps above hear of it after the commit: the
    cohort's circle, whose room is the cohort's chat, is made then (``communities``)."""
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
        _index_with_lecturers(offering)
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
        _index_with_lecturers(offering)
        active = list(
            offering.enrolments.filter(status__in=ACTIVE_ENROLMENT).select_related("resident")
        )
        now = timezone.now()
        Enrolment.objects.filter(pk__in=[e.pk for e in active]).update(
            status=Enrolment.Status.CANCELLED, status_changed_at=now
        )
        if was_published:
            _notify_enrolments(
                offering,
                active,
                "cancelled",
                gettext_lazy("“%(course)s” is cancelled. We are sorry."),
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
