"""Lecturers: applying to teach, the city's decision, and vetting."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.audit.services import audit_record
from campus_social.common.errors import Conflict, Forbidden, Invalid, NotFound
from campus_social.common.images import clean_image
from campus_social.identity.models import Resident
from campus_social.identity.selectors import require_city_staff
from campus_social.notifications.services import notification_send_translated
from campus_social.safeguarding import services as safeguarding
from campus_social.safeguarding.models import VettingRecord
from campus_social.safeguarding.selectors import may_lead
from campus_social.search.readings import reading_missing
from campus_social.search.services import index_later
from courses.models import Lecturer
from courses.selectors import lecturer_of
from courses.services._common import NOTIFY, _fail, _long_text, _text


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
    if not may_lead(resident=resident):  # teaching is for adults (safeguarding)
        raise Forbidden(_("Lecturers are adults."))
    errors: dict[str, list[str]] = {}
    fields = {
        "display_name": _text(errors, "display_name", display_name, 100),
        "name_kana": _text(errors, "name_kana", name_kana, 200),
        "profile": _text(errors, "profile", profile, 2000, multiline=True),
        "skills": _text(errors, "skills", skills, 500),
        "teaching_wishes": _text(errors, "teaching_wishes", teaching_wishes, 2000, multiline=True),
    }
    reading_missing(errors, "name_kana", name_kana, reads=display_name)
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
        # Pending again: out of search until approved; their offerings show the new name.
        index_later("lecturer", [lecturer.pk])
        index_later("offering", lecturer.offerings.values_list("pk", flat=True))
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
        index_later("lecturer", [lecturer.pk])
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
