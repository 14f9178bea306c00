"""Writes of safeguarding: recording a vetting check, and telling an adult when theirs ran out."""

from datetime import date

from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus_social.audit.services import audit_record
from campus_social.common.errors import Invalid
from campus_social.common.text import text_clean
from campus_social.identity.models import Resident
from campus_social.identity.selectors import require_city_staff
from campus_social.notifications.services import notification_send_translated
from campus_social.safeguarding import events
from campus_social.safeguarding.models import VettingRecord

NOTIFY_EXPIRED = "safeguarding.vetting_expired"


def vetting_record_add(
    *,
    actor: Resident,
    resident: Resident,
    checked_on: date,
    expires_on: date,
    note: str = "",
    audit_action: str = "resident.vetted",
    audit_target: models.Model | None = None,
) -> VettingRecord:
    """City staff record that a resident was checked for working with children.

    An app that vets in its own terms (courses vets a lecturer) names the audit action and
    target, so that its part of the log reads as it always has.
    """
    require_city_staff(actor)
    if resident.is_child:
        raise Invalid(
            _("Vetting is for adults who work with children; this resident is a child."),
            code="child",
        )
    if expires_on <= checked_on:
        raise Invalid(
            _("The vetting must end after the day it was checked."),
            fields={"expires_on": [_("Please check the dates.")]},
        )
    if checked_on > timezone.localdate():
        raise Invalid(
            _("The check cannot be in the future."),
            fields={"checked_on": [_("Please check the dates.")]},
        )
    with transaction.atomic():
        record = VettingRecord.objects.create(
            resident=resident,
            checked_by=actor,
            checked_on=checked_on,
            expires_on=expires_on,
            note=text_clean(note or "", multiline=True).strip()[:500],
        )
        audit_record(actor=actor, action=audit_action, target=audit_target or resident)
    return record


def vetting_expiries_due(*, today: date | None = None) -> list[int]:
    """Residents whose vetting ran out before ``today`` and who were not yet told, and who hold
    no other record current today (a renewal in time needs no notice)."""
    today = today or timezone.localdate()
    current = VettingRecord.objects.filter(
        resident=OuterRef("resident"), checked_on__lte=today, expires_on__gte=today
    )
    return sorted(
        set(
            VettingRecord.objects.filter(expires_on__lt=today, expiry_notified_at__isnull=True)
            .exclude(Exists(current))
            .values_list("resident_id", flat=True)
        )
    )


def vetting_expiry_notify(*, resident_id: int, today: date | None = None) -> bool:
    """Tell one resident, once, that their vetting ran out: from today they no longer write in
    rooms and circles with children.  Returns whether a notice went out.

    Sends ``events.vetting_expired`` with the notice, in the same transaction: an app where the
    resident volunteers takes them off what they may no longer do (programs take a volunteer off
    future sessions), and the notice and that change land together or not at all.

    The posting rule itself needs no job: ``selectors.child_contact`` asks for a record
    current on the day, so the adult stops posting the day after ``expires_on`` whether or
    not this has run.  Safe when two runs overlap (the rows are claimed under a lock).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        records = list(
            VettingRecord.objects.select_for_update()
            .filter(resident_id=resident_id, expires_on__lt=today, expiry_notified_at__isnull=True)
            .order_by("-expires_on")
        )
        if not records:
            return False  # another run took it
        if VettingRecord.objects.filter(
            resident_id=resident_id, checked_on__lte=today, expires_on__gte=today
        ).exists():
            return False
        VettingRecord.objects.filter(pk__in=[r.pk for r in records]).update(
            expiry_notified_at=timezone.now()
        )
        resident = Resident.objects.get(pk=resident_id)
        notification_send_translated(
            resident=resident,
            kind=NOTIFY_EXPIRED,
            title_template=gettext_lazy(
                "Your vetting check ran out on %(day)s. Until the city renews it, you can no "
                "longer write in circles and rooms where children are."
            ),
            params={"day": records[0].expires_on.isoformat()},
            url="/me/notifications/",
        )
        events.vetting_expired.send(sender=VettingRecord, resident_id=resident_id, today=today)
    return True
