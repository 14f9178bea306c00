"""Helpers shared by several areas of ``courses.services``: the notification kinds, text
checks, the teacher check, the seat events and the waiting-list promotion.  Private to the
package.
"""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.common.errors import Forbidden, Invalid
from campus_social.common.text import text_clean
from campus_social.identity.models import Resident
from campus_social.identity.selectors import resident_is_city_staff
from campus_social.notifications.services import notification_send_many
from courses import events
from courses.models import Enrolment, Lecturer, Offering
from courses.selectors import lecturer_of

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


def _require_teacher(actor: Resident) -> Lecturer | None:
    """The actor's approved lecturer profile, or ``None`` for city staff; others are refused."""
    if resident_is_city_staff(actor):
        return lecturer_of(actor)
    lecturer = lecturer_of(actor)
    if lecturer is None or not lecturer.is_approved:
        raise Forbidden(_("Only approved lecturers may do this."))
    return lecturer


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
        _seat_taken(offering, enrolment)
    _notify_enrolments(
        offering,
        waiting,
        "promoted",
        gettext_lazy("A place freed up: you are now enrolled in “%(course)s”."),
    )


def _seat_taken(offering: Offering, enrolment: Enrolment) -> None:
    """A learner took a seat (enrolled, promoted or approved): apps above hear of it after the
    commit, with everything they need to act on it (they read no courses rows).  The cohort's
    chat is its circle's room, which ``communities`` keeps in step with the seats."""
    resident_id = enrolment.resident_id
    enrolled_by_id = enrolment.enrolled_by_id
    transaction.on_commit(
        lambda: events.enrolment_confirmed.send(
            sender=Enrolment,
            offering_id=offering.pk,
            resident_id=resident_id,
            enrolled_by_id=enrolled_by_id,
        ),
        robust=True,
    )


def _seat_given_up(offering: Offering, resident: Resident) -> None:
    """A learner with a seat left before the end: apps above hear of it after the commit."""
    transaction.on_commit(
        lambda: events.enrolment_withdrawn.send(
            sender=Enrolment, offering_id=offering.pk, resident_id=resident.pk
        ),
        robust=True,
    )


def _notify(enrolment: Enrolment, kind: str, title: Any) -> None:
    """Tell the learner (and the guardian who enrolled them) after the commit."""
    _notify_enrolments(enrolment.offering, [enrolment], kind, title)


def _notify_enrolments(
    offering: Offering, enrolments: Sequence[Enrolment], kind: str, title: Any
) -> None:
    """Tell these learners of one offering (and the guardians who enrolled them) in one bulk
    send: a fixed number of queries however large the cohort, as this runs under the offering's
    row lock.  A guardian who enrolled two children is told once."""
    if not enrolments:
        return
    guardian_ids = {
        e.enrolled_by_id
        for e in enrolments
        if e.enrolled_by_id and e.enrolled_by_id != e.resident_id
    }
    people = [e.resident for e in enrolments]
    if guardian_ids:
        people += list(Resident.objects.filter(pk__in=guardian_ids))
    notification_send_many(
        recipients=people,
        kind=NOTIFY[kind],
        title_template=title,
        params={"course": offering.course.title},
        url=f"/courses/offerings/{offering.pk}/",
    )


def _notify_cohort(offering: Offering, kind: str, title: Any) -> None:
    """Tell everyone enrolled (not waiting) in ``offering``."""
    enrolled = offering.enrolments.filter(status=Enrolment.Status.ENROLLED).select_related(
        "resident"
    )
    _notify_enrolments(offering, list(enrolled), kind, title)
